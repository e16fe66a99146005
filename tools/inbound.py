"""Reading requests that Simotel (or anybody) sends to Odoo (API components and SEA events).

Controllers call :func:`read_payload` and :func:`basic_credentials`; every
problem is an :class:`InboundError` carrying the HTTP status and a short,
secret-free message that the controller answers in Simotel's reply shape.
Which company a request belongs to is decided by :func:`resolve_company`
only; :data:`FAILED_CREDENTIALS` cools down addresses that keep guessing.
"""

import base64
import binascii
import hmac
import ipaddress
import json
import re
import threading
import time
from typing import NamedTuple

MAX_BODY_BYTES = 64 * 1024
# How the routes Simotel calls (API components, SEA events) are declared: no user, session or CSRF token
# (the PBX authenticates per request), GET or POST, a read-write cursor, a body of MAX_BODY_BYTES at most.
ROUTE_OPTIONS = {
    "type": "http",
    "auth": "none",
    "methods": ["GET", "POST"],
    "csrf": False,
    "save_session": False,
    "readonly": False,
    "max_content_length": MAX_BODY_BYTES,
}
MAX_DEPTH = 32  # nesting of JSON objects and lists
JSON_TYPES = ("application/json", "text/json")
FORM_TYPES = ("application/x-www-form-urlencoded",)
# C0 control characters and DEL (tab, line feed and carriage return are text), and lone UTF-16
# surrogates: JSON may escape one ("\\ud800"), Python reads it, UTF-8 (and so PostgreSQL,
# the log and the answer) cannot encode it.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def is_lookup_path(path):
    """Whether ``path`` is a lookup's (answered ``{"ok": "0"}`` on failure) rather than SEA's or another's."""
    return path.startswith("/simotel/lookup/")


def is_inbound_path(path):
    """Whether ``path`` is one of Simotel's requests to Odoo (answered in Simotel's JSON shape, always)."""
    return path in ("/simotel/sea", "/simotel/") or path.startswith(("/simotel/sea/", "/simotel/lookup/"))


def error_body(path, message):
    """The body refusing a request to ``path``: the lookup failure shape, or SEA's."""
    if is_lookup_path(path):
        return {"ok": "0"}
    return {"success": 0, "message": message}


def early_refusal(environ):
    """Refuse a request under /simotel/ before Odoo reads its body: ``(status, message)`` or ``None``.

    Reads the WSGI environ only (no body, no database): a body announced
    larger than :data:`MAX_BODY_BYTES` gets 413 and a chunked body (no
    announced length) 411, in microseconds, whatever Odoo would parse.
    """
    if not environ.get("PATH_INFO", "").startswith("/simotel/"):
        return None
    if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        return 411, "send the body with a Content-Length header"
    length = environ.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or len(length) > 12:
        return 400, "invalid Content-Length"
    if int(length) > MAX_BODY_BYTES:
        return 413, "request body too large (limit %d bytes)" % MAX_BODY_BYTES
    return None


class Protection(NamedTuple):
    """A company's inbound protection, as configured in Settings (read once, kept in memory)."""

    mode: str  # basic, ip or basic_ip
    username: str
    password: str
    networks: tuple


class InboundError(Exception):
    """A request Odoo refuses; ``status`` is the HTTP status to answer."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def read_payload(httprequest, max_bytes=MAX_BODY_BYTES):
    """Return the request's fields as a flat ``dict``.

    GET: the query string. POST/PUT: a JSON object body (form bodies are
    accepted too); query string values fill in what the body lacks.
    Odoo's request wrapper hides the raw stream: the body is read with
    ``get_data`` once its announced length is known to be within ``max_bytes``,
    and kept for a retry of the request.
    """
    query = {key: httprequest.args.get(key) for key in httprequest.args}
    check_text(query)
    if httprequest.method in ("GET", "HEAD"):
        return query
    length = httprequest.content_length
    if length is None:
        if "chunked" in httprequest.headers.get("Transfer-Encoding", "").lower():
            raise InboundError(411, "send the body with a Content-Length header")
        return query
    if length > max_bytes:
        raise InboundError(413, "request body too large (limit %d bytes)" % max_bytes)
    mimetype = (httprequest.mimetype or "").lower()
    if mimetype in FORM_TYPES:
        # Odoo's dispatcher has already parsed (and consumed) a form body, within the route's limit.
        form = {key: httprequest.form.get(key) for key in httprequest.form}
        check_text(form)
        return {**query, **form}
    # Kept (within max_bytes): a request Odoo runs again after a serialization failure reads it again.
    raw = httprequest.get_data(cache=True)
    if not raw.strip():
        return query
    if mimetype in JSON_TYPES or mimetype.endswith("+json"):
        body = parse_json(raw)
    else:
        raise InboundError(415, "unsupported content type %r: send application/json" % (mimetype or "none")[:60])
    return {**query, **body}


def _refuse_constant(name):
    raise ValueError("%s is not a JSON number" % name)


def parse_json(raw):
    """The JSON object in ``raw`` (bytes), numbers kept as sent.

    A number with a fraction or an exponent stays the text it was sent as
    (``1610778618.30`` is the string ``"1610778618.30"``, never a ``float``);
    NaN and Infinity, integers of more than 4300 digits, nesting deeper than
    :data:`MAX_DEPTH` and control characters (see :func:`check_text`) are refused.

    :raises InboundError: 400
    """
    try:
        body = json.loads(raw, parse_float=str, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError):
        raise InboundError(400, "body is not valid JSON") from None
    except RecursionError:
        raise InboundError(400, "JSON body is nested too deeply") from None
    if not isinstance(body, dict):
        raise InboundError(400, "JSON body must be an object")
    check_text(body)
    return body


def check_text(value, depth=0):
    """Refuse ``value`` (keys and values, at every level) holding control characters or nested too deeply.

    NUL cannot be stored by PostgreSQL and no Simotel field holds a control
    character: they are refused, not stripped (tab, line feed and carriage
    return are allowed). A lone surrogate (``"\\ud800"`` in JSON; a valid
    pair is read as one character) cannot be encoded in UTF-8: refused too.

    :raises InboundError: 400
    """
    if depth > MAX_DEPTH:
        raise InboundError(400, "JSON body is nested too deeply")
    if isinstance(value, str):
        if _CONTROL.search(value):
            raise InboundError(400, "control character or lone surrogate in a field")
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(key, depth + 1)
            check_text(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            check_text(item, depth + 1)


def basic_credentials(httprequest):
    """Return ``(username, password)`` of an ``Authorization: Basic`` header, or ``None``."""
    header = httprequest.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "basic" or not token:
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, sep, password = decoded.partition(":")
    return (username, password) if sep else None


def same_secret(given, expected):
    """Constant-time comparison of two secrets (``False`` when one is empty)."""
    if not given or not expected:
        return False
    return hmac.compare_digest(str(given).encode(), str(expected).encode())


def parse_networks(text):
    """Parse a list of IPs/CIDR networks separated by commas, spaces or new lines.

    :raises ValueError: on an entry that is not an IP address or network
    """
    networks = []
    for entry in (text or "").replace(",", " ").split():
        networks.append(ipaddress.ip_network(entry, strict=False))
    return networks


def ip_allowed(remote_addr, networks):
    """Whether ``remote_addr`` belongs to one of ``networks``."""
    try:
        address = ipaddress.ip_address(remote_addr or "")
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in network for network in networks)


def resolve_company(candidates, remote_addr, credentials):
    """Decide which company an inbound request belongs to: the one place where it is decided.

    * A request with Basic credentials whose username is a credentials
      company's (``basic`` or ``basic_ip``) belongs to the company whose
      username and password both match, or to nobody (401): its address does
      not matter then, except that ``basic_ip`` also requires it (403).
    * Otherwise (no credentials, or a username no credentials company has),
      the first IP-only company (``ip``) whose networks hold the address.

    So company A's credentials sent from an address that IP-only company B
    allows land in A, and A's username with a wrong password is refused,
    never accepted by B. When several companies match, the first of
    ``candidates`` wins (companies should not share credentials).

    :param candidates: ``(key, Protection)`` pairs of the companies that may
        receive requests (active, protection configured), by preference
    :param credentials: ``(username, password)`` from Basic auth, or ``None``
    :return: the key of the company
    :raises InboundError: 401 (credentials missing or wrong) or 403 (address not allowed)
    """
    with_credentials = [(key, p) for key, p in candidates if p.mode in ("basic", "basic_ip") and p.password]
    ip_only = [(key, p) for key, p in candidates if p.mode == "ip"]
    if credentials:
        username, password = credentials
        # Every comparison is made, in constant time, whichever matches.
        claimed = [(key, p) for key, p in with_credentials if same_secret(username, p.username)]
        matching = [(key, p) for key, p in claimed if same_secret(password, p.password)]
        if claimed:
            if not matching:
                raise InboundError(401, "BasicAuth is invalid")
            for key, protection in matching:
                if protection.mode == "basic" or ip_allowed(remote_addr, protection.networks):
                    return key
            raise InboundError(403, "IP is not permitted")
    for key, protection in ip_only:
        if ip_allowed(remote_addr, protection.networks):
            return key
    if with_credentials:
        raise InboundError(401, "BasicAuth is invalid" if credentials else "BasicAuth is missing")
    if ip_only:
        raise InboundError(403, "IP is not permitted")
    raise InboundError(401, "inbound credentials are not configured in Odoo")


class FailedCredentials:
    """Addresses that sent wrong credentials too often, cooling down (in this process's memory).

    ``limit`` failures within ``window`` seconds start a cool-down of
    ``cooldown`` seconds during which every request of that address is
    refused with 429, right credentials included. Each Odoo worker process
    counts on its own (with N workers an address may try N × ``limit`` times
    per window); a restart forgets. At most ``max_addresses`` are remembered.
    """

    def __init__(self, limit=10, window=60.0, cooldown=60.0, max_addresses=10000, clock=time.monotonic):
        self.limit = limit
        self.window = window
        self.cooldown = cooldown
        self.max_addresses = max_addresses
        self.clock = clock
        self._lock = threading.Lock()
        self._addresses = {}  # address -> [failures, first failure, cooling until, refused while cooling]

    def reset(self):
        with self._lock:
            self._addresses.clear()

    def cooling(self, address):
        """Whether ``address`` is cooling down (the request is then counted as refused)."""
        now = self.clock()
        with self._lock:
            state = self._addresses.get(address)
            if state and state[2] > now:
                state[3] += 1
                return True
            return False

    def failed(self, address):
        """Count a failure of ``address``; return ``True`` when it starts a cool-down."""
        now = self.clock()
        with self._lock:
            state = self._addresses.get(address)
            if state is None or now - state[1] > self.window or state[2] and state[2] <= now:
                if len(self._addresses) >= self.max_addresses:
                    self._forget(now)
                state = self._addresses[address] = [0, now, 0, 0]
            state[0] += 1
            if state[0] >= self.limit and not state[2]:
                state[2] = now + self.cooldown
                return True
            return False

    def _forget(self, now):
        expired = [a for a, s in self._addresses.items() if s[2] <= now and now - s[1] > self.window]
        for address in expired:
            del self._addresses[address]
        if len(self._addresses) >= self.max_addresses:  # under attack from many addresses: keep the cooling ones
            for address in [a for a, s in self._addresses.items() if s[2] <= now]:
                del self._addresses[address]


FAILED_CREDENTIALS = FailedCredentials()
