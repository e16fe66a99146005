"""Replies to Simotel's dialplan API components and to the generic "API call" module.

One place for the reply shapes (docs/simotel-protocol.md §1):

* ``generic``: a flat JSON object ``{property: value}``;
* ``ivr``: ``{"ok": "1", "case": "3"}``;
* ``exten``: ``{"ok": "1", "extension": "120"}``;
* ``smart``: ``{"ok": "1", "commands": "SetExten('120');Exit('vip')"}``;
* ``trunk``: ``{"ok": "1", "trunk": "T1", "extension": "0915…", "call_limit": "300"}``.

Every format fails with ``{"ok": "0"}``: Simotel then takes the component's
failure output. The generic module may be given its own error object.
"""

import re

FAILURE = {"ok": "0"}
# Characters that would break out of a Smart API command argument.
_UNSAFE = re.compile(r"['\";()\\\r\n]")
# A value of an item or a code in the URL: short, printable, no command syntax.
_CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
# Properties of the Trunk API reply, in the order they are answered.
TRUNK_KEYS = ("trunk", "extension", "call_limit")
# A call limit is a number of seconds.
_SECONDS = re.compile(r"^[0-9]{1,7}$")
# The number a Trunk API reply dials: digits, an optional leading + (E.164 has at most 15 digits;
# a PBX prefix may add a few).
_DIALLED_NUMBER = re.compile(r"^\+?[0-9]{1,20}$")
# Item kinds whose value is the customer's own text (their name, their code): they never choose
# the trunk nor the number the company's trunk dials.
CUSTOMER_TEXT_KINDS = ("name", "customer_code")


def valid_code(code):
    """Whether ``code`` can be an API call code (it is a segment of the URL)."""
    return bool(code and _CODE.match(code))


def unsafe_value(value):
    """Whether ``value`` contains characters that break a Smart API command."""
    return bool(value and _UNSAFE.search(value))


def smart_arg(value):
    """``value`` quoted as a Smart API command argument, unsafe characters removed."""
    return "'%s'" % _UNSAFE.sub("", str(value))


def failure(reply_format=None, error_values=None):
    """The failure body of ``reply_format``.

    :param error_values: generic format only: ``{property: value}`` the admin
        set as the error answer; ``{"ok": "0"}`` when empty
    """
    if reply_format == "generic" and error_values:
        return dict(error_values)
    return dict(FAILURE)


def valid_call_limit(value):
    """Whether ``value`` (text) can be a Trunk API call limit: whole seconds."""
    return bool(value and _SECONDS.match(value))


def valid_trunk_value(key, value):
    """Whether ``value`` (text) can be the Trunk API reply's ``key``: a number to dial for
    ``extension``, a code-like name for ``trunk``, whole seconds for ``call_limit``."""
    value = str(value or "")
    if key == "extension":
        return bool(_DIALLED_NUMBER.match(value))
    if key == "trunk":
        return bool(_CODE.match(value))
    return valid_call_limit(value)


def answer(reply_format, values, empty_value="", defaults=None):
    """The success body of ``reply_format`` for the items' ``values``.

    :param values: ordered ``(property, value, kind)`` triples; a value is a
        string, ``""`` when the item has nothing to say
    :param empty_value: the "empty item" answer of the single-value formats,
        used when no item has a value (the Trunk format: the extension)
    :param defaults: Trunk format only: ``{"trunk": …, "call_limit": …}``
        answered when no item of that property has a value
    :return: the reply ``dict``; the failure shape when a single-value
        format has nothing to answer
    """
    if reply_format == "generic":
        return {key: value for key, value, _kind in values if value != ""}
    if reply_format == "smart":
        extension = next((v for _k, v, kind in values if kind == "agent" and v), "")
        case = next((v for _k, v, kind in values if kind != "agent" and v), "") or empty_value
        if not case:
            return dict(FAILURE)
        commands = []
        if extension:
            commands.append("SetExten(%s)" % smart_arg(extension))
        commands.append("Exit(%s)" % smart_arg(case))
        return {"ok": "1", "commands": ";".join(commands)}
    if reply_format == "trunk":
        return _trunk_answer(values, empty_value, defaults or {})
    value = next((v for _k, v, _kind in values if v), "") or empty_value
    if not value:
        return dict(FAILURE)
    return {"ok": "1", "case" if reply_format == "ivr" else "extension": value}


def _trunk_answer(values, empty_value, defaults):
    """``{"ok": "1", "trunk", "extension"[, "call_limit"]}``: per property, the first item with a valid value.

    The customer's own text (name, code) never chooses the trunk or the number dialled, and a value
    that is no number to dial (``extension``) or no code-like name (``trunk``) is skipped: the
    fallback answers, as when no item has a value. Without a trunk or an extension the call cannot
    go out: failure. A call limit that is empty or ``0`` is left out (no limit).
    """
    fallback = {
        "trunk": defaults.get("trunk") or "",
        "extension": empty_value,
        "call_limit": defaults.get("call_limit"),
    }
    body = {"ok": "1"}
    for key in TRUNK_KEYS:
        candidates = [v for k, v, kind in values if k == key and v and kind not in CUSTOMER_TEXT_KINDS]
        value = next((str(v) for v in [*candidates, fallback[key]] if valid_trunk_value(key, v)), "")
        if key == "call_limit":
            if value and int(value):
                body[key] = value
            continue
        if not value:
            return dict(FAILURE)
        body[key] = value
    return body


def summary(body):
    """A short text of a reply body for logs (``case=3``, ``contract=0 agent=120``)."""
    return " ".join("%s=%s" % (key, value) for key, value in body.items() if key != "ok" or value == "0")[:200]
