"""A real HTTP server on 127.0.0.1 that speaks Simotel's SA API (``/api/v4/…``), for tests.

It checks what a Simotel server checks (service, method, content type,
Basic/``X-APIKEY`` authentication, JSON body) in that order and answers with
the error table of the SA documentation, so that tests exercise the real
client over a real socket. Tests configure it and read ``requests``.
"""

import base64
import json
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ..tools import sea

# Error replies of SA (its documented error table): name -> (HTTP status, message).
ERRORS = {
    "parse": (400, "Unable to parse content"),
    "auth_missing": (401, "BasicAuth or ApiKey is missing"),
    "auth_invalid": (401, "BasicAuth or ApiKey is invalid"),
    "access_denied": (403, "call/originate/act;Access denied"),
    "ip_denied": (403, "IP is not permitted"),
    "not_found": (404, None),
    "method": (405, "Method not allowed"),
    "media_type": (415, "Unsupported Media Type"),
    "no_service": (501, "Requested service dose not exist"),
}
ORIGINATE = "call/originate/act"
ORIGINATE_REQUIRED = ("caller", "callee", "context", "caller_id")


class FakeSimotel:
    """An SA server. Use as a context manager; ``url`` is its base address."""

    def __init__(self, auth_mode="both", username="simotel", password="Simotel123", api_key="token-123"):
        self.auth_mode = auth_mode
        self.username = username
        self.password = password
        self.api_key = api_key
        self.methods = {ORIGINATE: "PUT"}  # others: POST
        self.requests = []
        self.cdr_rows = []  # rows served by reports/cdr/search and reports/quick/search
        # recording name -> bytes (served as audio/mpeg) or (content type, bytes), for reports/audio/download
        self.files = {}
        self.send_length = True  # False: files are sent without Content-Length (ended by closing)
        self.announced_length = None  # a Content-Length to send instead of the true one (a cut transfer)
        self.drip = None  # (bytes per write, seconds between writes): a file sent slowly
        self.pbx_tz = "Asia/Tehran"  # time zone of report dates and of date_range
        self.forced = None  # error name of ERRORS, or (status, content_type, body bytes[, extra headers])
        self.delay = 0.0
        # Directory and queues: number -> dict as ``pbx/users/search`` / ``pbx/queues/search`` return them.
        self.users = {}
        self.queues = {}
        self.members = {}  # queue number -> {agent extension: {"paused": bool, "penalty": str}}
        self.queue_rows = []  # rows of reports/queue/search
        self.agent_rows = []  # rows of reports/agent/search
        self.poll_rows = []  # rows of reports/poll/search (survey scores)
        self.failures = {}  # service -> message: answer {"success": 0, "message": …} for that service
        self._lock = threading.Lock()
        self._counter = 0
        self._server = None

    # -- life cycle -------------------------------------------------------
    def __enter__(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                fake._handle(self)

            do_POST = do_PUT = do_DELETE = do_GET

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # e.g. a TLS hello sent to this plain HTTP server

        self._server = Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self._server.server_address[1]

    def bodies(self, service):
        """The JSON bodies of the requests received for ``service`` (``call/originate/act``, ...), in order."""
        return [request["json"] for request in self.requests if request["service"] == service]

    def configure_company(self, company, **overrides):
        """Point ``company``'s SA settings at this server."""
        company.sudo().write(
            {
                "simotel_server_url": self.url,
                "simotel_auth_mode": self.auth_mode,
                "simotel_api_username": self.username,
                "simotel_api_password": self.password,
                "simotel_api_key": self.api_key,
                "simotel_timeout": 2.0,
                **overrides,
            }
        )

    # -- protocol ---------------------------------------------------------
    def _reply(self, handler, status, body=None, content_type="application/json", headers=None):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        body = body or b""
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)

    def _error(self, handler, name):
        status, message = ERRORS[name]
        if message is None:
            return self._reply(handler, status, b"<html><body>404 Not Found</body></html>", "text/html")
        return self._reply(handler, status, {"success": 0, "message": message, "data": None})

    def _auth_error(self, headers):
        needs_basic = self.auth_mode in ("basic", "both")
        needs_key = self.auth_mode in ("apikey", "both")
        authorization = headers.get("Authorization", "")
        key = headers.get("X-APIKEY")
        if (needs_basic and not authorization) or (needs_key and not key):
            return "auth_missing"
        if needs_basic:
            expected = "Basic " + base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
            if authorization != expected:
                return "auth_invalid"
        if needs_key and key != self.api_key:
            return "auth_invalid"
        return None

    def _handle(self, handler):
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        path = handler.path.split("?")[0]
        service = path[len("/api/v4/") :].strip("/") if path.startswith("/api/v4/") else None
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = None
        with self._lock:
            self.requests.append(
                {
                    "method": handler.command,
                    "path": path,
                    "service": service,
                    "headers": dict(handler.headers),
                    "json": body,
                    "raw": raw,
                }
            )
        if self.delay:
            time.sleep(self.delay)
        if isinstance(self.forced, tuple):
            return self._reply(handler, self.forced[0], self.forced[2], self.forced[1], *self.forced[3:])
        if self.forced:
            return self._error(handler, self.forced)
        routes = {
            "setting/ping/act": self._ping,
            "call/originate/act": self._originate,
            "reports/cdr/search": self._search,
            "reports/quick/search": self._search,
            "reports/audio/download": self._download,
            "pbx/users/search": self._users_search,
            "pbx/queues/search": self._queues_search,
            "pbx/queues/addagent": self._single(self._add_agent_one),
            "pbx/queues/removeagent": self._single(self._remove_agent_one),
            "pbx/queues/pauseagent": self._single(self._pause_agent_one),
            "pbx/queues/resumeagent": self._single(self._resume_agent_one),
            "pbx/queues/batchaddagent": self._batch(self._add_agent_one),
            "pbx/queues/batchremoveagent": self._batch(self._remove_agent_one),
            "pbx/queues/batchpauseagent": self._batch(self._pause_agent_one),
            "pbx/queues/batchresumeagent": self._batch(self._resume_agent_one),
            "reports/queue/search": self._rows_search("queue_rows"),
            "reports/agent/search": self._rows_search("agent_rows"),
            "reports/poll/search": self._rows_search("poll_rows"),
        }
        if service is None:
            return self._error(handler, "not_found")
        if service not in routes:
            return self._error(handler, "no_service")
        if handler.command != self.methods.get(service, "POST"):
            return self._error(handler, "method")
        if handler.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
            return self._error(handler, "media_type")
        auth_error = self._auth_error(handler.headers)
        if auth_error:
            return self._error(handler, auth_error)
        if not isinstance(body, dict):
            return self._error(handler, "parse")
        if service in self.failures:
            return self._reply(handler, 200, {"success": 0, "message": self.failures[service], "data": None})
        return routes[service](handler, body)

    def _ok(self, handler, data=None, message=None):
        return self._reply(handler, 200, {"success": 1, "message": message, "data": data})

    def _ping(self, handler, body):
        return self._ok(handler, message="pong")

    def _originate(self, handler, body):
        for field in ORIGINATE_REQUIRED:
            if not body.get(field):
                return self._reply(
                    handler, 200, {"success": 0, "message": f"Field '{field}':value is missing", "data": None}
                )
        with self._lock:
            self._counter += 1
            call_id = "orig.call.%d.%06d" % (int(time.time()), self._counter)
        return self._ok(handler, {"originated_call_id": call_id})

    def _search(self, handler, body):
        pagination = body.get("pagination") or {}
        start, count = int(pagination.get("start") or 0), int(pagination.get("count") or 20)
        rows = self.cdr_rows
        date_range = body.get("date_range")
        if isinstance(date_range, dict) and (date_range.get("from") or date_range.get("to")):
            low = sea.parse_time(date_range.get("from"), self.pbx_tz)
            high = sea.parse_time(date_range.get("to"), self.pbx_tz)
            if (date_range.get("from") and not low) or (date_range.get("to") and not high):
                return self._error(handler, "parse")

            def inside(row):
                if not isinstance(row, dict):
                    return True  # junk rows are served as they are
                moment = sea.parse_time(row.get("starttime") or row.get("start"), self.pbx_tz)
                return moment and (not low or moment >= low) and (not high or moment <= high)

            rows = [row for row in rows if inside(row)]
        sorting = pagination.get("sorting")
        if isinstance(sorting, dict) and sorting.get("starttime") in (1, -1):
            # Rows without a readable start first, as a database sorts missing values.
            rows = sorted(
                rows,
                key=lambda row: (
                    isinstance(row, dict)
                    and sea.parse_time(row.get("starttime") or row.get("start"), self.pbx_tz)
                    or datetime.min
                ),
                reverse=sorting["starttime"] == -1,
            )
        total = len(rows)
        rows = rows[start : start + count]
        return self._ok(
            handler,
            {
                "pagination": {"start": start, "count": count, "total": total},
                "data": rows,
            },
        )

    def _download(self, handler, body):
        content = self.files.get(body.get("file"))
        if content is None:
            return self._error(handler, "not_found")
        content_type, content = content if isinstance(content, tuple) else ("audio/mpeg", content)
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        if self.send_length:
            handler.send_header("Content-Length", str(self.announced_length or len(content)))
        handler.end_headers()
        try:
            if not self.drip:
                handler.wfile.write(content)
                return
            size, interval = self.drip
            for start in range(0, len(content), size):
                handler.wfile.write(content[start : start + size])
                handler.wfile.flush()
                time.sleep(interval)
        except OSError:
            return  # the client gave up

    # -- directory and queues ----------------------------------------------
    def add_user(self, number, name=None, queues=()):
        """Define extension ``number`` on the PBX, member of ``queues``."""
        self.users[str(number)] = {"_id": "u%s" % number, "name": name or str(number), "number": str(number)}
        for queue in queues:
            self.members.setdefault(str(queue), {})[str(number)] = {"paused": False, "penalty": ""}

    def add_queue(self, number, name=None):
        self.queues[str(number)] = {"_id": "q%s" % number, "name": name or str(number), "number": str(number)}
        self.members.setdefault(str(number), {})

    def _match(self, row, conditions):
        return all(not value or str(value) in str(row.get(key, "")) for key, value in conditions.items())

    def _users_search(self, handler, body):
        conditions = {k: v for k, v in (body.get("conditions") or {}).items() if k in ("name", "number")}
        rows = []
        for number, user in sorted(self.users.items()):
            if self._match(user, conditions):
                queues = sorted(q for q, members in self.members.items() if number in members)
                rows.append({**user, "queues": queues})
        return self._ok(handler, rows)

    def _queues_search(self, handler, body):
        conditions = {k: v for k, v in (body.get("conditions") or {}).items() if k in ("name", "number")}
        return self._ok(handler, [q for _n, q in sorted(self.queues.items()) if self._match(q, conditions)])

    def _agent_error(self, body, required=("queue", "agent")):
        for field in required:
            if not body.get(field):
                return f"Field '{field}':value is missing"
        if str(body["queue"]) not in self.queues:
            return "queue not found"
        if str(body["agent"]) not in self.users:
            return "agent not found"
        return None

    def _add_agent_one(self, body):
        error = self._agent_error(body, ("queue", "source", "agent"))
        if not error:
            self.members[str(body["queue"])][str(body["agent"])] = {"paused": False, "penalty": body.get("penalty")}
        return error, "Added successfully"

    def _remove_agent_one(self, body):
        error = self._agent_error(body)
        if not error and self.members[str(body["queue"])].pop(str(body["agent"]), None) is None:
            error = "agent is not a member of the queue"
        return error, "Removed successfully"

    def _set_paused(self, body, paused):
        error = self._agent_error(body)
        if not error:
            member = self.members[str(body["queue"])].get(str(body["agent"]))
            if member is None:
                return "agent is not a member of the queue", None
            member["paused"] = paused
        return error, "Paused successfully" if paused else "Resumed successfully"

    def _pause_agent_one(self, body):
        return self._set_paused(body, True)

    def _resume_agent_one(self, body):
        return self._set_paused(body, False)

    def _single(self, one):
        def handle(handler, body):
            with self._lock:
                error, message = one(body)
            if error:
                return self._reply(handler, 200, {"success": 0, "message": error, "data": None})
            return self._ok(handler, {"message": message, "ok": 1})

        return handle

    def _batch(self, one):
        def handle(handler, body):
            agents = body.get("agents")
            if not isinstance(agents, list) or not all(isinstance(item, dict) for item in agents):
                return self._reply(handler, 200, {"success": 0, "message": "Field 'agents':value is missing"})
            with self._lock:
                results = [one(item) for item in agents]
            errors = [error for error, _message in results if error]
            if errors:
                return self._reply(handler, 200, {"success": 0, "message": "; ".join(errors), "data": None})
            return self._ok(handler, {"message": "done", "ok": 1})

        return handle

    def _rows_search(self, attribute):
        def handle(handler, body):
            pagination = body.get("pagination") or {}
            start, count = int(pagination.get("start") or 0), int(pagination.get("count") or 20)
            rows = getattr(self, attribute)
            return self._ok(
                handler,
                {
                    "pagination": {"start": start, "count": count, "total": len(rows)},
                    "data": rows[start : start + count],
                },
            )

        return handle
