"""Simotel Event API (SEA) payloads: event names, field aliases and times.

Simotel's documents and versions spell the same thing several ways (``Cdr``
and ``CDR``; ``starttime`` and ``start_time``; ``unique_id`` and ``cuid``;
the event name in ``event_name``, in ``event`` or in the URL path). Everything
that reads an event goes through :func:`event_name` and :func:`normalize`, so
the rest of the addon sees one canonical spelling.
"""

import datetime
import re

import jdatetime
import pytz

from .inbound import InboundError

# Every documented SEA event, keyed by its lower-case, letters-only form.
EVENTS = {
    name.lower(): name
    for name in (
        "Cdr",
        "CdrQueue",
        "NewState",
        "IncomingCall",
        "OutgoingCall",
        "Transfer",
        "ExtenAdded",
        "ExtenRemoved",
        "IncomingFax",
        "OutgoingFax",
        "VoiceMail",
        "VoiceMailEmail",
        "Survey",
        "TrunkNewState",
        "TrunkAdded",
        "TrunkRemoved",
        "AutoDialerReport",
        "ReservedCallInFront",
        "Ping",
    )
}
# Events that describe a finished call and must carry the call's unique id.
CALL_RECORD_EVENTS = ("Cdr", "CdrQueue")
# Events about a call that only make sense with the call's unique id.
CALL_ID_EVENTS = (*CALL_RECORD_EVENTS, "Transfer", "Survey")
# Highest survey score accepted (the poll component's "Max Digits" allows a few digits).
MAX_SURVEY_POINT = 999999

# alias -> canonical key, in order of preference (the canonical key itself wins).
ALIASES = {
    "starttime": ("start_time", "start"),
    "endtime": ("end_time", "end"),
    "answeredtime": ("answer", "answered_time"),
    "unique_id": ("cuid", "uniqueid"),
    "poll_label": ("poll_lable",),
    "transferer": ("transfer",),
    "dialer": ("dialing",),
}
# Aliases that only hold for one event.
EVENT_ALIASES = {
    "OutgoingCall": {"outgoing_point": ("entry_point", "exit_point")},
    # Rows of SA reports/poll/search name the queue ``qnum``.
    "Survey": {"queue": ("qnum",)},
}
# Keys whose value is a list of objects.
LIST_KEYS = ("detail", "route")
# Keys the addon reads: they (and their aliases) must hold a text or a number.
SCALAR_KEYS = (
    frozenset(
        (
            "event_name",
            "event",
            "src",
            "dst",
            "type",
            "disposition",
            "duration",
            "billsec",
            "wait",
            "record",
            "unique_id",
            "entry_point",
            "outgoing_point",
            "originated_call_id",
            "queue",
            "agent_wait",
            "hangup",
            "queue_status",
            "number",
            "exten",
            "state",
            "participant",
            "direction",
            "transferer",
            "transferred_from",
            "transferred_to",
            "point",
            "label",
            "id",
            "filename",
            "caller",
            "message",
        )
    )
    | frozenset(alias for names in ALIASES.values() for alias in names)
    | frozenset(ALIASES)
)
TIME_KEYS = frozenset(
    (
        "starttime",
        "endtime",
        "answeredtime",
        "ringtime",
        "start",
        "end",
        "answer",
        "start_time",
        "end_time",
        "answered_time",
        "date",
    )
)
MAX_VALUE_LENGTH = 4096
# Identifiers and times are short: longer values are refused before any regular expression reads them.
MAX_ID_LENGTH = 128
MAX_TIME_LENGTH = 40
MAX_NAME_LENGTH = 64
UNIQUE_ID_KEYS = frozenset(("unique_id", *ALIASES["unique_id"]))
# Times outside these years are refused: no call of a running PBX is dated there.
MIN_YEAR, MAX_YEAR = 1970, 2200
# What a PBX writes for "no time" (e.g. the answer time of an unanswered call).
_NO_TIME = ("0000-00-00", "0000/00/00")

_NAME_CHARS = re.compile(r"[^a-z]")
# Matched against stripped text of at most MAX_TIME_LENGTH characters (no "\s*" at either end: no backtracking).
_DATETIME = re.compile(
    r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6})\d*)?)?)?"
    r" ?(Z|[+-]\d{2}:?\d{2})?$"
)


def event_text(value, size=None):
    """An event value (text or number, maybe missing) as stripped text, cut to ``size`` characters if given."""
    text = "" if value in (None, False) else str(value).strip()
    return text if size is None else text[:size]


def canonical_event(name):
    """Canonical spelling of an event name (``cdr``, ``CDR``, ``cdr_queue``…), or ``None``."""
    if not isinstance(name, str) or len(name) > MAX_NAME_LENGTH:
        return None
    return EVENTS.get(_NAME_CHARS.sub("", name.lower()))


def event_name(path_name, payload):
    """The canonical name of an event sent to ``/simotel/sea[/<path_name>]``.

    Rest4 puts the name in the path, G4 in ``event_name`` (``Survey`` in
    ``event``). The path wins when both are present.

    :raises InboundError: 400 when the name is missing or not a documented event
    """
    raw = path_name or payload.get("event_name") or payload.get("event")
    if not raw:
        raise InboundError(400, "event name missing: send it in 'event_name' or in the URL path")
    name = canonical_event(raw)
    if not name:
        raise InboundError(400, "unknown event %r" % str(raw)[:60])
    return name


def _scalar(key, value):
    if value is None:
        return ""
    if key in UNIQUE_ID_KEYS and (isinstance(value, bool) or len(str(value)) > MAX_ID_LENGTH):
        raise InboundError(400, "field %r must be an id of at most %d characters" % (key, MAX_ID_LENGTH))
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        return value.strip()[:MAX_VALUE_LENGTH]
    if isinstance(value, dict) and "$date" in value and key in TIME_KEYS:
        return value  # MongoDB extended JSON date of SA report rows
    if key not in SCALAR_KEYS and key not in TIME_KEYS:
        return value  # a field the addon does not read: kept as sent
    raise InboundError(400, "field %r must be a text or a number" % str(key)[:60])


def normalize(name, payload):
    """Return ``payload`` with canonical keys and clean values.

    Strings are stripped (numbers stay numbers); ``detail`` and ``route``
    stay lists of dicts; fields the addon does not read are kept as sent.
    ``event_name`` is set to ``name``.

    :raises InboundError: 400 on a value of the wrong type, or on a call
        record event without a unique id
    """
    aliases = {**ALIASES, **EVENT_ALIASES.get(name, {})}
    alias_of = {alias: key for key, names in aliases.items() for alias in names}
    result = {}
    for key, value in payload.items():
        key = str(key)
        if key in LIST_KEYS:
            if value in (None, ""):
                value = []
            if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
                raise InboundError(400, "field %r must be a list of objects" % key)
            result[key] = [
                {str(k): _scalar(k, v) for k, v in item.items() if not isinstance(v, (dict, list))} for item in value
            ]
            continue
        result[key] = _scalar(key, value)
    for key, names in aliases.items():
        if result.get(key) in (None, ""):
            value = next((result[alias] for alias in names if result.get(alias) not in (None, "")), None)
            if value is not None:
                result[key] = value
    for alias in alias_of:
        result.pop(alias, None)
    result["event_name"] = name
    for key in TIME_KEYS.intersection(result):
        value = result[key]
        if isinstance(value, str) and value.startswith(_NO_TIME):
            result[key] = ""
        elif value not in (None, "") and parse_time(value) is None:
            raise InboundError(400, "field %r is not a time between %d and %d" % (key, MIN_YEAR, MAX_YEAR))
    if name == "Survey" and to_score(result.get("point")) is None:
        raise InboundError(400, "Survey event: field 'point' must be a score from 0 to %d" % MAX_SURVEY_POINT)
    if name in CALL_ID_EVENTS:
        unique_id = result.get("unique_id")
        if unique_id in (None, "") or not isinstance(unique_id, (str, int, float)):
            raise InboundError(400, "%s event without unique_id" % name)
        result["unique_id"] = str(unique_id)
    return result


def to_score(value):
    """A poll score: a whole number from 0 to :data:`MAX_SURVEY_POINT` (``5``, ``"5"``), or ``None``.

    Stricter than :func:`to_int`, which reads durations: ``"99:59:59"``, ``"1e5"``, ``4.5`` and
    ``true`` are no scores.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,7}", value.strip()):
        value = int(value.strip())
    if isinstance(value, int) and 0 <= value <= MAX_SURVEY_POINT:
        return value
    return None


def to_int(value):
    """``value`` as a non-negative ``int`` (``"31"``, ``31.6``, ``"00:00:54"``), or ``None``."""
    if value in (None, "") or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    if re.fullmatch(r"\d{1,3}:\d{2}:\d{2}", text):
        hours, minutes, seconds = (int(part) for part in text.split(":"))
        return hours * 3600 + minutes * 60 + seconds
    try:
        number = float(text)
    except ValueError:
        return None
    if number != number or number < 0 or number > 10**9:  # NaN, negative, absurd
        return None
    return int(round(number))


def parse_time(value, tz_name="UTC"):
    """Read a Simotel time and return it as a naive UTC :class:`datetime.datetime`, or ``None``.

    Accepted: ``2021-01-16 06:30:37.471398`` (Gregorian) and ``1400-04-01 10:19:04``
    (Jalali: years below 1700), read in the time zone ``tz_name`` unless they
    carry an offset; Unix timestamps in seconds or milliseconds; MongoDB's
    ``{"$date": {"$numberLong": "…"}}`` of SA report rows. Anything else,
    and times outside :data:`MIN_YEAR`–:data:`MAX_YEAR`, give ``None``.
    """
    try:
        moment = _parse_time(value, tz_name)
    except (OverflowError, OSError, ValueError):
        return None
    if moment is None or not MIN_YEAR <= moment.year <= MAX_YEAR:
        return None
    return moment


def _parse_time(value, tz_name):
    if isinstance(value, dict):
        value = value.get("$date")
        if isinstance(value, dict):
            value = value.get("$numberLong")
    if value in (None, "") or isinstance(value, (bool, list, dict)):
        return None
    text = str(value).strip()
    if len(text) > MAX_TIME_LENGTH:
        return None
    if re.fullmatch(r"\d{9,13}(\.\d+)?", text):
        seconds = float(text)
        if seconds > 10**11:  # milliseconds
            seconds /= 1000.0
        try:
            return datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC).replace(tzinfo=None)
        except (OverflowError, OSError, ValueError):
            return None
    match = _DATETIME.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        if int(year) < 1700:
            date = jdatetime.date(int(year), int(month), int(day)).togregorian()
        else:
            date = datetime.date(int(year), int(month), int(day))
        moment = datetime.datetime(
            date.year,
            date.month,
            date.day,
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0").ljust(6, "0")),
        )
    except ValueError:
        return None
    if offset:
        if offset == "Z":
            return moment
        sign = 1 if offset[0] == "+" else -1
        digits = offset[1:].replace(":", "")
        delta = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        return moment - sign * delta
    try:
        zone = pytz.timezone(tz_name or "UTC")
    except pytz.UnknownTimeZoneError:
        zone = pytz.utc
    return zone.localize(moment, is_dst=False).astimezone(pytz.utc).replace(tzinfo=None)


def format_local(moment, tz_name):
    """A naive UTC datetime as ``YYYY-MM-DD HH:MM`` in ``tz_name`` (SA ``date_range`` format)."""
    zone = pytz.timezone(tz_name or "UTC")
    return pytz.utc.localize(moment).astimezone(zone).strftime("%Y-%m-%d %H:%M")
