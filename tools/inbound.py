"""Reading requests that Simotel sends to Odoo (API components and SEA events).

Controllers call :func:`read_payload` and :func:`basic_credentials`; every
problem is an :class:`InboundError` carrying the HTTP status and a short,
secret-free message that the controller answers in Simotel's reply shape.
"""

import base64
import binascii
import hmac
import ipaddress
import json
from typing import NamedTuple

MAX_BODY_BYTES = 64 * 1024
JSON_TYPES = ("application/json", "text/json")
FORM_TYPES = ("application/x-www-form-urlencoded",)


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
    ``get_data`` once its announced length is known to be within ``max_bytes``.
    """
    query = {key: httprequest.args.get(key) for key in httprequest.args}
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
        # Odoo's dispatcher has already parsed (and consumed) a form body.
        return {**query, **{key: httprequest.form.get(key) for key in httprequest.form}}
    raw = httprequest.get_data(cache=False)
    if not raw.strip():
        return query
    if mimetype in JSON_TYPES or mimetype.endswith("+json"):
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise InboundError(400, "body is not valid JSON") from None
        if not isinstance(body, dict):
            raise InboundError(400, "JSON body must be an object")
    else:
        raise InboundError(415, "unsupported content type %r: send application/json" % (mimetype or "none"))
    return {**query, **body}


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


def refusal(protection, remote_addr, credentials):
    """Check an inbound request against ``protection``.

    :param credentials: ``(username, password)`` from Basic auth, or ``None``
    :return: the :class:`InboundError` to answer, or ``None`` when accepted
    """
    if protection.mode in ("ip", "basic_ip") and not ip_allowed(remote_addr, protection.networks):
        return InboundError(403, "IP is not permitted")
    if protection.mode in ("basic", "basic_ip"):
        if not (protection.username and protection.password):
            return InboundError(401, "inbound credentials are not configured in Odoo")
        if not credentials:
            return InboundError(401, "BasicAuth is missing")
        username, password = credentials
        user_ok = same_secret(username, protection.username)
        password_ok = same_secret(password, protection.password)
        if not (user_ok and password_ok):
            return InboundError(401, "BasicAuth is invalid")
    return None
