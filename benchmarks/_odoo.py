"""Running Odoo for the benchmarks: paths of scripts/dev.sh, psql, database preparation, a server, figures."""

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import xmlrpc.client
from hashlib import sha256
from pathlib import Path

import requests
import websocket

REPO = Path(__file__).resolve().parent.parent
HOME = Path(os.environ.get("SIMOTEL_HOME", Path.home() / ".simotel-dev"))
ODOO_SRC = Path(os.environ.get("ODOO_SRC", "/opt/odoo-18.0"))
PYTHON = HOME / "venv" / "bin" / "python"
CONF = HOME / "checkouts" / sha256(str(REPO).encode()).hexdigest()[:8] / "odoo.conf"


def argument_parser(doc, db, port):
    """A parser with the options of every server benchmark: --db, --template, --port, --no-update."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=db)
    parser.add_argument("--template", help="copy this installed database instead of installing from scratch")
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("--no-update", action="store_true", help="reuse an existing database without -u")
    return parser


def psql(db, sql):
    """Run ``sql`` on ``db`` with psql; its output without alignment, stripped."""
    out = subprocess.run(["psql", "-X", "-qtA", "-d", db, "-c", sql], check=True, capture_output=True, text=True)
    return out.stdout.strip()


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_exists(db):
    return psql("postgres", "SELECT 1 FROM pg_database WHERE datname = '%s'" % db) == "1"


def percentile(values, fraction):
    """The value below which ``fraction`` of ``values`` lie (nearest rank), in their unit."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def latency_figures(values, middle="median", maximum=True):
    """``median  12.3 ms  p95  45.6 ms  max  78.9 ms`` of ``values`` (ms), for one line of a report;
    ``middle`` names the median (``p50``), ``maximum`` adds the largest value."""
    figures = "%s %6.1f ms  p95 %6.1f ms" % (middle, statistics.median(values), percentile(values, 0.95))
    return figures + ("  max %6.1f ms" % max(values) if maximum else "")


def admin_rpc(port, db):
    """``call(model, method, *args, **kwargs)``: a model method called as the administrator over XML-RPC."""
    common = xmlrpc.client.ServerProxy("http://127.0.0.1:%d/xmlrpc/2/common" % port)
    models = xmlrpc.client.ServerProxy("http://127.0.0.1:%d/xmlrpc/2/object" % port, allow_none=True)
    uid = common.authenticate(db, "admin", "admin", {})

    def call(model, method, *args, **kwargs):
        return models.execute_kw(db, uid, "admin", model, method, list(args), kwargs)

    return call


def record_id(call, xmlid):
    """The database id of the record ``module.name``."""
    module, name = xmlid.split(".")
    [data] = call("ir.model.data", "search_read", [("module", "=", module), ("name", "=", name)], fields=["res_id"])
    return data["res_id"]


def post_sea_event(session, base, name, payload, auth):
    """POST SEA event ``name`` (``payload``, JSON) with Basic ``auth`` as Simotel does; the response."""
    return session.post(
        "%s/simotel/sea/%s" % (base, name),
        data=json.dumps(payload),
        auth=auth,
        headers={"Content-Type": "application/json"},
        timeout=60,
    )


def odoo(*args):
    """Run ``odoo-bin`` with this checkout's config until it stops."""
    subprocess.run(
        [str(PYTHON), str(ODOO_SRC / "odoo-bin"), "-c", str(CONF), *args],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def prepare_database(db, template=None, update=True):
    """Create ``db`` with the module (from ``template`` if given), or update it unless ``update`` is false."""
    exists = database_exists(db)
    if not exists and template:
        subprocess.run(["createdb", "-T", template, db], check=True)
        exists = True
    if exists and not update:
        print("reusing database %s as it is" % db, flush=True)
        return
    print("%s database %s" % ("updating" if exists else "creating", db), flush=True)
    odoo(
        "-d",
        db,
        "-u" if exists else "-i",
        "simotel_connector",
        "--without-demo=all",
        "--stop-after-init",
        "--log-level=warn",
    )


def prepare_sea_database(db, template, update, auth, sql):
    """:func:`prepare_database`, then every company takes SEA events with Basic credentials ``auth``
    (``(username, password)``) and ``sql`` runs (it clears what an earlier run left)."""
    prepare_database(db, template, update)
    credentials = (
        "UPDATE res_company SET simotel_inbound_auth = 'basic', simotel_inbound_username = '%s', "
        "simotel_inbound_password = '%s';" % auth
    )
    psql(db, credentials + sql)


def start_server(db, port, options, log, log_level="warn"):
    """Start ``odoo-bin -d db`` on 127.0.0.1:``port`` with ``options``; return it once it serves pages."""
    command = [
        str(PYTHON),
        str(ODOO_SRC / "odoo-bin"),
        "-c",
        str(CONF),
        "-d",
        db,
        *options,
        "--http-interface=127.0.0.1",
        "--http-port=%d" % port,
        "--log-level=%s" % log_level,
        "--limit-time-real=120",
    ]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=open(log, "w"), start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if requests.get("http://127.0.0.1:%d/web/login" % port, timeout=10).status_code == 200:
                return server
        except requests.RequestException:
            time.sleep(0.5)
    stop_server(server)
    sys.exit("Odoo did not start, see %s" % log)


def stop_server(server):
    """Stop a server started by :func:`start_server` (and only it) as ``systemctl stop`` does with
    ``KillMode=mixed``: SIGTERM to the main process, which stops its workers gracefully; SIGKILL to
    all of them after 30 s."""
    if server.poll() is None:
        os.kill(server.pid, signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(server.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # every process has exited


def screen_pop_key(payload):
    """A screen pop notification's key: its call."""
    return payload["unique_id"]


class BusListener:
    """A user's websocket on the bus, as the web client opens it; records when each notification of
    ``message_type`` arrives, under ``key(payload)`` (default: a screen pop's call)."""

    def __init__(
        self, port, websocket_port, db, login, password, message_type="simotel/screen_pop", key=screen_pop_key
    ):
        self.message_type = message_type
        self.key = key
        session = requests.Session()
        response = session.post(
            "http://127.0.0.1:%d/web/session/authenticate" % port,
            json={"jsonrpc": "2.0", "params": {"db": db, "login": login, "password": password}},
            timeout=60,
        )
        response.raise_for_status()
        if "error" in response.json():
            raise RuntimeError("cannot log in as %s: %s" % (login, response.json()["error"]))
        cookie = "session_id=%s" % session.cookies["session_id"]
        deadline = time.time() + 180
        while True:  # the websocket worker may start after the HTTP workers (long after, on a busy machine)
            try:
                self.ws = websocket.create_connection(
                    "ws://127.0.0.1:%d/websocket?version=18.0-2" % websocket_port,
                    cookie=cookie,
                    timeout=60,
                    origin="http://127.0.0.1:%d" % port,
                )
                break
            except ConnectionRefusedError:
                if time.time() > deadline:
                    raise
                time.sleep(0.5)
        self.ws.send(json.dumps({"event_name": "subscribe", "data": {"channels": [], "last": 0}}))
        self.arrivals = {}  # key -> [perf_counter of each notification]
        self.changed = threading.Condition()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        while True:
            try:
                frame = self.ws.recv()
            except (websocket.WebSocketException, OSError):
                return
            now = time.perf_counter()
            for notification in json.loads(frame) if frame else []:
                message = notification.get("message") or {}
                if message.get("type") == self.message_type:
                    with self.changed:
                        self.arrivals.setdefault(self.key(message["payload"]), []).append(now)
                        self.changed.notify_all()

    def wait(self, key, timeout=10):
        """When the first notification of ``key`` arrived; ``None`` if none within ``timeout`` seconds."""
        with self.changed:
            self.changed.wait_for(lambda: key in self.arrivals, timeout=timeout)
            return self.arrivals.get(key, [None])[0]

    def first_arrivals(self):
        """``{key: perf_counter of its first notification}`` for every key so far."""
        with self.changed:
            return {key: times[0] for key, times in self.arrivals.items()}

    def close(self):
        self.ws.close()
