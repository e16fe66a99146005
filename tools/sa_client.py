"""A small client for Simotel's REST API (SA, ``/api/v4/…``).

Every SA call of the addon goes through :class:`SimotelClient`: it adds the
configured authentication (HTTP Basic, ``X-APIKEY`` or both), unwraps the
``{success, message, data}`` envelope and turns each failure of the SA error
table, and each network failure, into a :class:`SimotelError` whose message is
translated and fit to show a user. Secrets never reach a log line.
"""

import contextlib
import json
import logging
import socket
import threading
import time

import requests

from odoo.tools.translate import LazyTranslate

_logger = logging.getLogger(__name__)

AUTH_MODES = ("basic", "apikey", "both")
# A recording is read whole from the PBX before it is served (never half a file):
# at most this many bytes, within this many seconds from the request to the last byte.
RECORDING_MAX_BYTES = 50 * 1024 * 1024
RECORDING_DEADLINE = 120.0
DOWNLOAD_CHUNK = 64 * 1024
ERROR_BODY_MAX_BYTES = 64 * 1024
ANSWER_MAX_BYTES = 8 * 1024 * 1024  # a JSON answer of the SA (a report page is far smaller)
ANSWER_DEADLINE = 60.0  # seconds for a whole JSON answer (the timeout applies to each read)

_lt = LazyTranslate(__name__)

# The error table of Simotel's SA documentation: for each HTTP status, the first row
# whose word is in Simotel's message (``None``: any message) gives the reason and message.
SA_HTTP_ERRORS = {
    400: [(None, "bad_request", _lt("Simotel could not parse the request (400 Unable to parse content)."))],
    401: [
        (
            "missing",
            "auth_missing",
            _lt(
                "Simotel rejected the request: credentials are missing (401). "
                "Check the authentication mode in Settings ▸ Simotel."
            ),
        ),
        (None, "auth_invalid", _lt("Simotel rejected the API username, password or key (401 invalid credentials).")),
    ],
    403: [
        (
            "ip",
            "ip_denied",
            _lt(
                "Simotel does not accept requests from this Odoo server's IP address (403 IP is not permitted). "
                "Add it to the allowed IPs on the PBX."
            ),
        ),
        (
            None,
            "access_denied",
            _lt("The Simotel API account has no permission for this service (403 Access denied)."),
        ),
    ],
    404: [
        (
            None,
            "not_found",
            _lt("Simotel answered 404 Not Found: check the server address, or the requested file does not exist."),
        )
    ],
    405: [(None, "method", _lt("Simotel does not allow this HTTP method for this service (405)."))],
    415: [(None, "media_type", _lt("Simotel refused the content type of the request (415 Unsupported Media Type)."))],
    501: [(None, "no_service", _lt("This Simotel version does not provide the requested service (501)."))],
}


def _is_dns_failure(error):
    """Whether a connection error comes from a failed host name resolution."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, socket.gaierror):
            return True
        if any(word in str(error) for word in ("Name or service not known", "name resolution", "getaddrinfo")):
            return True
        error = (
            error.__cause__
            or error.__context__
            or next((arg for arg in getattr(error, "args", ()) if isinstance(arg, BaseException)), None)
        )
    return False


class SimotelError(Exception):
    """An SA call that failed; ``str(error)`` is a message for the user."""

    def __init__(self, message, status=None, reason=None):
        super().__init__(message)
        self.status = status
        self.reason = reason  # short machine-readable cause, for logs and tests


class SimotelClient:
    """Talks to one Simotel server.

    :param env: Odoo environment, for translated messages
    :param base_url: server address, e.g. ``https://pbx.example.com``
    :param auth_mode: ``basic``, ``apikey`` or ``both``
    """

    def __init__(self, env, base_url, auth_mode="both", username="", password="", api_key="", timeout=5.0):
        self.env = env
        self.base_url = (base_url or "").strip().rstrip("/")
        self.auth_mode = auth_mode
        self.username = username or ""
        self.password = password or ""
        self.api_key = api_key or ""
        self.timeout = timeout or 5.0

    # ------------------------------------------------------------------
    # Endpoints
    # ------------------------------------------------------------------
    def ping(self):
        """Health check (``setting/ping/act``)."""
        return self.call("setting/ping/act", {})

    def originate(
        self, caller, callee, context, caller_id=None, trunk_name=None, timeout=30, method="PUT", call_limit=None
    ):
        """Start a two-way call (``call/originate/act``): ring ``caller``, then connect ``callee``.

        Values are sent as strings, as in Simotel's own examples; ``trunk_name``
        only when given (outside numbers), ``call_limit`` (the call's longest
        duration, in seconds) only when positive.

        :return: the ``originated_call_id`` Simotel gave the call (``None`` if it gave none)
        """
        payload = {
            "caller": str(caller),
            "callee": str(callee),
            "context": context or "",
            "caller_id": str(caller_id or caller),
            "timeout": str(timeout if timeout and timeout > 0 else 30),  # a value stored before the check
        }
        if trunk_name:
            payload["trunk_name"] = trunk_name
        if call_limit and call_limit > 0:
            # Only a real limit: "0: no limit" is not sent, nor a negative value Simotel does not define.
            payload["call_limit"] = str(call_limit)
        data = self.call("call/originate/act", payload, method=method or "PUT")
        call_id = data.get("originated_call_id") if isinstance(data, dict) else None
        if not call_id:
            # The call is ringing all the same: report it, it just cannot be matched later.
            _logger.warning("Simotel SA %s call/originate/act: success without originated_call_id", method)
            return None
        return str(call_id)

    def cdr_search(self, date_from, date_to, start=0, count=100, conditions=None):
        """One page of ``reports/cdr/search``; return ``(rows, total)`` (``total`` ``None`` if not sent).

        :param date_from: ``YYYY-MM-DD HH:MM`` in the PBX's time zone (``date_to`` too)
        """
        data = self.call(
            "reports/cdr/search",
            {
                "alike": False,
                "conditions": conditions or {},
                "date_range": {"from": date_from, "to": date_to},
                "pagination": {"start": start, "count": count, "sorting": {"starttime": 1}},
            },
        )
        return self._page(data, self.env._("The Simotel server sent a call report Odoo does not understand."))

    # -- directory (pbx/users, pbx/queues) -------------------------------
    def users_search(self, status="all", name="", number="", mapped=""):
        """The PBX's extensions (``pbx/users/search``): a list of dicts (``number``, ``name``, ``queues``…)."""
        data = self.call(
            "pbx/users/search",
            {"status": status, "alike": 1, "conditions": {"name": name, "number": number, "mapped": mapped}},
        )
        return self._rows(data)

    def queues_search(self, name="", number=""):
        """The PBX's queues (``pbx/queues/search``): a list of dicts (``number``, ``name``, ``strategy``…)."""
        data = self.call("pbx/queues/search", {"alike": "true", "conditions": {"name": name, "number": number}})
        return self._rows(data)

    def _rows(self, data):
        if isinstance(data, dict) and isinstance(data.get("data"), list):
            data = data["data"]
        if not isinstance(data, list):
            raise SimotelError(
                self.env._("The Simotel server sent a list Odoo does not understand."), status=200, reason="not_json"
            )
        return [row for row in data if isinstance(row, dict)]

    # -- queue agents (pbx/queues/…agent) ----------------------------------
    def add_agent(self, queue, agent, penalty=""):
        """Put extension ``agent`` in ``queue`` (``pbx/queues/addagent``)."""
        return self.call(
            "pbx/queues/addagent",
            {"queue": str(queue), "source": str(agent), "agent": str(agent), "penalty": str(penalty or "")},
        )

    def remove_agent(self, queue, agent):
        """Take extension ``agent`` out of ``queue`` (``pbx/queues/removeagent``)."""
        return self.call("pbx/queues/removeagent", {"queue": str(queue), "agent": str(agent)})

    def pause_agent(self, queue, agent):
        """Pause extension ``agent`` in ``queue`` (``pbx/queues/pauseagent``)."""
        return self.call("pbx/queues/pauseagent", {"queue": str(queue), "agent": str(agent)})

    def resume_agent(self, queue, agent):
        """Resume extension ``agent`` in ``queue`` (``pbx/queues/resumeagent``)."""
        return self.call("pbx/queues/resumeagent", {"queue": str(queue), "agent": str(agent)})

    def batch_add_agents(self, pairs, penalty=""):
        """``pbx/queues/batchaddagent`` for ``[(queue, agent), …]``."""
        agents = [
            {"queue": str(queue), "source": str(agent), "agent": str(agent), "penalty": str(penalty or "")}
            for queue, agent in pairs
        ]
        return self.call("pbx/queues/batchaddagent", {"agents": agents})

    def batch_remove_agents(self, pairs):
        """``pbx/queues/batchremoveagent`` for ``[(queue, agent), …]``."""
        return self.call("pbx/queues/batchremoveagent", {"agents": self._pairs(pairs)})

    def batch_pause_agents(self, pairs):
        """``pbx/queues/batchpauseagent`` for ``[(queue, agent), …]``."""
        return self.call("pbx/queues/batchpauseagent", {"agents": self._pairs(pairs)})

    def batch_resume_agents(self, pairs):
        """``pbx/queues/batchresumeagent`` for ``[(queue, agent), …]``."""
        return self.call("pbx/queues/batchresumeagent", {"agents": self._pairs(pairs)})

    @staticmethod
    def _pairs(pairs):
        return [{"queue": str(queue), "agent": str(agent)} for queue, agent in pairs]

    # -- queue and agent reports --------------------------------------------
    def _report_search(self, service, conditions, date_from, date_to, start, count):
        data = self.call(
            service,
            {
                "conditions": conditions,
                "date_range": {"from": date_from, "to": date_to},
                "pagination": {"start": start, "count": count, "sorting": {}},
                "alike": "true",
            },
        )
        return self._page(data, self.env._("The Simotel server sent a report Odoo does not understand."))

    @staticmethod
    def _page(data, error):
        """``(rows, total)`` of one page of an SA report (``total`` ``None`` if not sent).

        :param error: the message of the :class:`SimotelError` raised when ``data`` is not such a page
        """
        if not isinstance(data, dict) or not isinstance(data.get("data"), list):
            raise SimotelError(error, status=200, reason="not_json")
        pagination = data.get("pagination") if isinstance(data.get("pagination"), dict) else {}
        try:
            total = int(pagination.get("total"))
        except (TypeError, ValueError):
            total = None
        return data["data"], total

    def queue_report_search(self, date_from, date_to, queue="", start=0, count=100):
        """One page of ``reports/queue/search``: ``(rows, total)``."""
        conditions = {"from": "", "to": "", "cuid": "", "qnum": str(queue or "")}
        return self._report_search("reports/queue/search", conditions, date_from, date_to, start, count)

    def agent_report_search(self, date_from, date_to, exten="", queue="", start=0, count=100):
        """One page of ``reports/agent/search``: ``(rows, total)``."""
        conditions = {"from": "", "to": "", "exten": str(exten or ""), "queue": str(queue or "")}
        return self._report_search("reports/agent/search", conditions, date_from, date_to, start, count)

    def poll_search(self, date_from, date_to, start=0, count=100):
        """One page of ``reports/poll/search`` (survey scores): ``(rows, total)``."""
        conditions = {"from": "", "to": "", "label": "", "queue": "", "cuid": ""}
        return self._report_search("reports/poll/search", conditions, date_from, date_to, start, count)

    def download_recording(self, record):
        """The recording file ``record`` of a call (``reports/audio/download``): ``(content, mimetype)``.

        Bounded by ``RECORDING_MAX_BYTES`` and ``RECORDING_DEADLINE`` (see :meth:`download`).
        """
        return self.download(
            "reports/audio/download", {"file": record}, max_bytes=RECORDING_MAX_BYTES, deadline=RECORDING_DEADLINE
        )

    # ------------------------------------------------------------------
    # Transport
    # ------------------------------------------------------------------
    def _url(self, path):
        if not self.base_url.startswith(("http://", "https://")):
            raise SimotelError(
                self.env._("The Simotel server address is not set. Set it in Settings ▸ Simotel."),
                reason="not_configured",
            )
        return f"{self.base_url}/api/v4/{path.strip('/')}"

    def _auth(self):
        _ = self.env._
        headers, auth = {}, None
        if self.auth_mode in ("basic", "both"):
            if not (self.username and self.password):
                raise SimotelError(_("The Simotel API username and password are not set."), reason="not_configured")
            auth = (self.username, self.password)
        if self.auth_mode in ("apikey", "both"):
            if not self.api_key:
                raise SimotelError(_("The Simotel API key is not set."), reason="not_configured")
            headers["X-APIKEY"] = self.api_key
        return headers, auth

    def _send(self, method, path, payload, stream=False):
        url = self._url(path)
        headers, auth = self._auth()
        headers["Content-Type"] = "application/json"
        if stream:
            headers["Accept-Encoding"] = "identity"  # the size cap counts the bytes served
        _ = self.env._
        try:
            return requests.request(
                method,
                url,
                json=payload,
                headers=headers,
                auth=auth,
                timeout=self.timeout,
                allow_redirects=False,
                stream=stream,
            )
        except requests.exceptions.SSLError as e:
            reason, message = "tls", _("Secure connection to the Simotel server failed (certificate or TLS error).")
            error = e
        except requests.exceptions.Timeout as e:  # connecting or reading
            reason, message = "timeout", _("The Simotel server did not answer within %s seconds.", self.timeout)
            error = e
        except requests.exceptions.ConnectionError as e:
            if _is_dns_failure(e):
                reason, message = "dns", _("The Simotel server name could not be resolved. Check the server address.")
            else:
                reason, message = (
                    "refused",
                    _("Could not connect to the Simotel server. Check the address and that Odoo can reach it."),
                )
            error = e
        except requests.exceptions.RequestException as e:
            reason, message = "network", _("Could not reach the Simotel server.")
            error = e
        _logger.warning("Simotel SA %s %s failed: %s (%s)", method, path, reason, type(error).__name__)
        raise SimotelError(message, reason=reason)

    def _http_error(self, response, body_message):
        """Map an SA error reply (the error table of Simotel's SA documentation) to a user message."""
        status = response.status_code
        text = (body_message or "").lower()
        for word, reason, message in SA_HTTP_ERRORS.get(status, ()):
            if word is None or word in text:
                return reason, self.env._(message)
        return "http_%s" % status, self.env._("The Simotel server answered with HTTP error %s.", status)

    def call(self, path, payload=None, method="POST"):
        """Call ``/api/v4/<path>`` and return the envelope's ``data``.

        :raises SimotelError: on any failure, with a user-facing message
        """
        started = time.monotonic()
        response = self._send(method, path, payload if payload is not None else {}, stream=True)
        try:
            # Read with a cap and an overall deadline, as a download: a hostile server may send no end.
            raw = self._read_body(path, response, ANSWER_MAX_BYTES, started + ANSWER_DEADLINE)
        except SimotelError as e:
            _ = self.env._
            message = {
                "too_big": _(
                    "The answer of the Simotel server is larger than %s MB: it is refused.",
                    ANSWER_MAX_BYTES // (1024 * 1024),
                ),
                "timeout": _("The Simotel server did not send its whole answer in time."),
                "network": _("The answer of the Simotel server was cut off."),
            }.get(e.reason, str(e))
            raise SimotelError(message, status=response.status_code, reason=e.reason) from e
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError):  # not JSON, or nested deeper than Python reads
            body = None
        body_message = body.get("message") if isinstance(body, dict) else None
        if response.status_code != 200:
            reason, message = self._http_error(response, str(body_message or ""))
            _logger.warning("Simotel SA %s %s: HTTP %s (%s)", method, path, response.status_code, reason)
            raise SimotelError(message, status=response.status_code, reason=reason)
        if not isinstance(body, dict) or "success" not in body:
            _logger.warning("Simotel SA %s %s: reply is not a Simotel JSON envelope", method, path)
            raise SimotelError(
                self.env._(
                    "The Simotel server sent a reply Odoo does not understand (not a Simotel JSON answer). "
                    "Check the server address."
                ),
                status=200,
                reason="not_json",
            )
        if str(body.get("success")) not in ("1", "True", "true"):
            detail = str(body_message or "").strip()[:300] or self.env._("no reason given")
            _logger.info("Simotel SA %s %s: operation failed: %s", method, path, detail)
            raise SimotelError(self.env._("Simotel could not do it: %s", detail), status=200, reason="failed")
        return body.get("data")

    def download(self, path, payload, max_bytes=RECORDING_MAX_BYTES, deadline=RECORDING_DEADLINE):
        """Call a binary SA service (e.g. ``reports/audio/download``); return ``(content, mimetype)``.

        The body is streamed and kept whole in memory: more than ``max_bytes``,
        or not complete ``deadline`` seconds after the request started (a PBX
        that sends a byte now and then never hits the per-read timeout), raise
        a :class:`SimotelError` and nothing is returned.
        """
        started = time.monotonic()
        response = self._send("POST", path, payload, stream=True)
        try:
            if response.status_code != 200:
                body = self._small_json(path, response, started + deadline)
                body_message = str(body.get("message") or "") if isinstance(body, dict) else ""
                reason, message = self._http_error(response, body_message)
                _logger.warning("Simotel SA POST %s: HTTP %s (%s)", path, response.status_code, reason)
                raise SimotelError(message, status=response.status_code, reason=reason)
            mimetype = response.headers.get("Content-Type", "application/octet-stream").split(";")[0].strip().lower()
            if mimetype == "application/json":
                # A JSON answer to a download is Simotel's failure envelope.
                body = self._small_json(path, response, started + deadline)
                detail = str(body.get("message") or "") if isinstance(body, dict) else ""
                raise SimotelError(
                    self.env._("Simotel could not do it: %s", detail or self.env._("no file")),
                    status=200,
                    reason="failed",
                )
        except SimotelError:
            response.close()
            raise
        # The body is read (and the response closed) by _read_body.
        return self._read_body(path, response, max_bytes, started + deadline), mimetype

    def _small_json(self, path, response, deadline_at):
        """The JSON body of an error answer to a download (64 KB at most), or ``None``."""
        try:
            return json.loads(self._read_body(path, response, ERROR_BODY_MAX_BYTES, deadline_at))
        except (SimotelError, ValueError, RecursionError):
            return None

    def _read_body(self, path, response, max_bytes, deadline_at):
        """The whole body of a streamed ``response``, or a :class:`SimotelError` (too big, too slow, cut)."""
        _ = self.env._
        too_big = SimotelError(
            _(
                "The file sent by the Simotel server is larger than %s MB: it is not served.",
                max_bytes // (1024 * 1024),
            ),
            status=200,
            reason="too_big",
        )
        encoding = response.headers.get("Content-Encoding", "").strip().lower()
        if encoding not in ("", "identity"):
            # Asked for uncompressed: a compressed answer could inflate far beyond the cap in one read.
            response.close()
            _logger.warning("Simotel SA %s: compressed answer (%s) refused", path, encoding[:40])
            raise SimotelError(
                _("The Simotel server sent a compressed answer Odoo did not ask for: it is refused."),
                status=200,
                reason="encoding",
            )
        try:
            announced = int(response.headers.get("Content-Length") or 0)
        except ValueError:
            announced = 0
        if announced > max_bytes:
            response.close()
            _logger.warning("Simotel SA POST %s: file of %s bytes refused (cap %s)", path, announced, max_bytes)
            raise too_big
        state = {"chunks": [], "size": 0, "error": None, "stop": False}
        # The socket, to cut a transfer that outlives the deadline (closing the response
        # would wait for the read in progress, which ends only when its chunk is full).
        sock = getattr(getattr(response.raw, "_connection", None), "sock", None)

        def read():
            try:
                for chunk in response.iter_content(DOWNLOAD_CHUNK):
                    if state["stop"]:
                        return
                    state["size"] += len(chunk)
                    if state["size"] > max_bytes:
                        state["error"] = "too_big"
                        return
                    state["chunks"].append(chunk)
            except (requests.RequestException, OSError, ValueError, AttributeError) as e:
                state["error"] = type(e).__name__
            finally:
                with contextlib.suppress(Exception):
                    response.close()

        reader = threading.Thread(target=read, name="simotel-download", daemon=True)
        reader.start()
        reader.join(max(0.0, deadline_at - time.monotonic()))
        if reader.is_alive():
            state["stop"] = True
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            _logger.warning("Simotel SA POST %s: file not complete within the deadline, abandoned", path)
            raise SimotelError(
                _("The Simotel server did not send the whole file in time: it is not served."),
                status=200,
                reason="timeout",
            )
        if state["error"] == "too_big":
            _logger.warning("Simotel SA POST %s: file larger than %s bytes, abandoned", path, max_bytes)
            raise too_big
        if not state["error"] and announced and state["size"] != announced:
            state["error"] = "cut at %s of %s bytes" % (state["size"], announced)
        if state["error"]:
            _logger.warning("Simotel SA POST %s: file transfer failed (%s)", path, state["error"])
            raise SimotelError(
                _("The transfer of the file from the Simotel server failed: it is not served."),
                status=200,
                reason="network",
            )
        return b"".join(state["chunks"])
