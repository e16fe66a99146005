#!/usr/bin/env python3
"""CDR ingest throughput through a real Odoo server (2 workers), with 0 and with 1M calls.

    benchmarks/cdr_ingest.py [--db simotel_bench] [--template DB] [--requests 1000]
                             [--concurrency 4] [--existing 1000000] [--port 8391]

Creates (or updates) a dedicated database, starts ``odoo-bin --workers=2`` on
127.0.0.1, POSTs SEA ``Cdr`` events to ``/simotel/sea`` and prints CDR/s; then
inserts ``--existing`` calls set-based in SQL and measures again (the ratio
must stay >= 0.8). Last, one CDR is delivered 20 times, 8 at once, and the
rows it produced are counted (must be 1 call, 1 note, 1 activity, 20 x 2xx).
Only the server it started is stopped.
"""
import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import xmlrpc.client
from concurrent.futures import ThreadPoolExecutor
from hashlib import sha256
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
HOME = Path(os.environ.get("SIMOTEL_HOME", Path.home() / ".simotel-dev"))
ODOO_SRC = Path(os.environ.get("ODOO_SRC", "/opt/odoo-18.0"))
PYTHON = HOME / "venv" / "bin" / "python"
CONF = HOME / "checkouts" / sha256(str(REPO).encode()).hexdigest()[:8] / "odoo.conf"
AUTH = ("bench", "bench-secret")
CUSTOMERS = 200


def psql(db, sql):
    out = subprocess.run(["psql", "-qtA", "-d", db, "-c", sql], check=True, capture_output=True, text=True)
    return out.stdout.strip()


def odoo(*args):
    subprocess.run([str(PYTHON), str(ODOO_SRC / "odoo-bin"), "-c", str(CONF), *args], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def prepare(db, template, update=True):
    exists = psql("postgres", "SELECT 1 FROM pg_database WHERE datname = '%s'" % db) == "1"
    if not exists and template:
        subprocess.run(["createdb", "-T", template, db], check=True)
        exists = True
    if exists and not update:
        print("reusing database %s as it is" % db, flush=True)
    else:
        print("%s database %s" % ("updating" if exists else "creating", db), flush=True)
        odoo("-d", db, "-u" if exists else "-i", "simotel_connector", "--without-demo=all", "--stop-after-init",
             "--log-level=warn")
    psql(db, """
        UPDATE res_company SET simotel_inbound_auth = 'basic', simotel_inbound_username = '%s',
               simotel_inbound_password = '%s', simotel_time_mode = 'utc', simotel_missed_call_activity = true;
        UPDATE res_users SET password = 'admin' WHERE login = 'admin';
        DELETE FROM simotel_event; DELETE FROM simotel_call;
        DELETE FROM mail_activity WHERE res_model = 'res.partner';
        DELETE FROM mail_message WHERE model = 'res.partner' AND body::text LIKE '%%call%%';
    """ % AUTH)


def start_server(db, port):
    command = [str(PYTHON), str(ODOO_SRC / "odoo-bin"), "-c", str(CONF), "-d", db, "--db-filter", "^%s$" % db,
               "--workers=2", "--max-cron-threads=0", "--http-interface=127.0.0.1", "--http-port=%d" % port,
               "--log-level=warn", "--limit-time-real=120"]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=open("/tmp/cdr_ingest_server.log", "w"),
                              start_new_session=True)
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                pass
            if requests.get("http://127.0.0.1:%d/web/login" % port, timeout=10).status_code == 200:
                return server
        except OSError:
            time.sleep(0.5)
    stop_server(server)
    sys.exit("Odoo did not start, see /tmp/cdr_ingest_server.log")


def stop_server(server):
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def make_customers(port, db):
    if psql(db, "SELECT count(*) FROM res_partner WHERE name LIKE 'Bench customer %%'") != "0":
        return
    models = xmlrpc.client.ServerProxy("http://127.0.0.1:%d/xmlrpc/2/object" % port, allow_none=True)
    uid = xmlrpc.client.ServerProxy("http://127.0.0.1:%d/xmlrpc/2/common" % port).authenticate(db, "admin", "admin", {})
    models.execute_kw(db, uid, "admin", "res.partner", "create", [[
        {"name": "Bench customer %d" % n, "mobile": "0912%07d" % n, "user_id": uid} for n in range(CUSTOMERS)
    ]])


def cdr(unique_id, n):
    known = n % 2 == 0
    return {
        "event_name": "Cdr", "unique_id": unique_id, "type": "incoming",
        "src": "0912%07d" % (n % CUSTOMERS) if known else "0935%07d" % n, "dst": "557",
        "disposition": "NO ANSWER" if n % 10 == 0 else "ANSWERED", "billsec": n % 300, "wait": 4,
        "starttime": "2024-05-01 10:00:00.000000", "endtime": "2024-05-01 10:05:00.000000",
        "record": "20240501_%s.mp3" % unique_id,
    }


def deliver(url, payloads, concurrency):
    sessions = {}

    def post(payload):
        import threading
        session = sessions.setdefault(threading.get_ident(), requests.Session())
        response = session.post(url, data=json.dumps(payload), auth=AUTH, timeout=60,
                                headers={"Content-Type": "application/json"})
        return response.status_code

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        statuses = list(pool.map(post, payloads))
    elapsed = time.perf_counter() - started
    return statuses, elapsed


def measure(label, url, prefix, count, concurrency):
    payloads = [cdr("%s.%d" % (prefix, n), n) for n in range(count)]
    deliver(url, payloads[:20], concurrency)  # warm up the workers (same ids: duplicates, ignored)
    statuses, elapsed = deliver(url, payloads, concurrency)
    bad = [s for s in statuses if not 200 <= s < 300]
    rate = count / elapsed
    print("%-28s %6d CDRs in %6.2f s = %7.1f CDR/s (%d non-2xx)" % (label, count, elapsed, rate, len(bad)), flush=True)
    return rate


def insert_existing(db, count):
    started = time.perf_counter()
    psql(db, """
        INSERT INTO simotel_call (company_id, unique_id, state, source, direction, caller_number, callee_number,
                                  external_number, external_e164, extension, start, "end", duration_seconds,
                                  talk_seconds, wait_seconds, disposition, missed, create_uid, write_uid,
                                  create_date, write_date)
        SELECT 1, 'old.' || n, 'done', 'sea', 'inbound', '0936' || lpad(n::text, 7, '0'), '557',
               '0936' || lpad(n::text, 7, '0'), '+98936' || lpad(n::text, 7, '0'), '557',
               now() - (n || ' seconds')::interval, now() - (n || ' seconds')::interval + interval '1 minute',
               60, 50, 10, CASE WHEN n %% 10 = 0 THEN 'no_answer' ELSE 'answered' END, n %% 10 = 0, 1, 1,
               now(), now()
          FROM generate_series(1, %d) AS n;
        ANALYZE simotel_call;
    """ % count)
    print("inserted %d existing calls in %.1f s" % (count, time.perf_counter() - started), flush=True)


def duplicates(db, url):
    payload = cdr("dup.bench.1", 10)  # missed call from a known customer without calls yet
    payload["src"] = "09120000011"
    statuses, _elapsed = deliver(url, [payload] * 8, 8)
    more, _elapsed = deliver(url, [payload] * 12, 4)
    statuses += more
    calls = psql(db, "SELECT count(*) FROM simotel_call WHERE unique_id = 'dup.bench.1'")
    partner = psql(db, "SELECT partner_id FROM simotel_call WHERE unique_id = 'dup.bench.1'")
    notes = psql(db, "SELECT count(*) FROM mail_message WHERE model = 'res.partner' AND res_id = %s "
                     "AND body::text LIKE '%%09120000011%%'" % partner)
    activities = psql(db, "SELECT count(*) FROM mail_activity WHERE res_model = 'res.partner' AND res_id = %s" % partner)
    ok = sum(200 <= s < 300 for s in statuses)
    print("duplicates: 20 deliveries (8 concurrent): %d x 2xx, %s call, %s note, %s activity" % (ok, calls, notes, activities))
    return ok == 20 and (calls, notes, activities) == ("1", "1", "1")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="simotel_bench_cdr")
    parser.add_argument("--template", help="copy this installed database instead of installing from scratch")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--existing", type=int, default=1_000_000)
    parser.add_argument("--port", type=int, default=8391)
    parser.add_argument("--no-update", action="store_true", help="reuse an existing database without -u")
    args = parser.parse_args()

    prepare(args.db, args.template, update=not args.no_update)
    server = start_server(args.db, args.port)
    try:
        make_customers(args.port, args.db)
        url = "http://127.0.0.1:%d/simotel/sea" % args.port
        empty = measure("empty table", url, "a", args.requests, args.concurrency)
        server_duplicates_ok = duplicates(args.db, url)
        insert_existing(args.db, args.existing)
        full = measure("with %d calls" % args.existing, url, "b", args.requests, args.concurrency)
    finally:
        stop_server(server)
    ratio = full / empty
    print("ratio (with / empty): %.2f  target >= 0.8: %s" % (ratio, "OK" if ratio >= 0.8 else "FAIL"))
    print("throughput target >= 100 CDR/s: %s" % ("OK" if min(empty, full) >= 100 else "FAIL"))
    print("exactly once under concurrency: %s" % ("OK" if server_duplicates_ok else "FAIL"))
    return 0 if ratio >= 0.8 and min(empty, full) >= 100 and server_duplicates_ok else 1


if __name__ == "__main__":
    sys.exit(main())
