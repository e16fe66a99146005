#!/usr/bin/env python3
"""Screen-pop latency through a real Odoo server: SEA ``NewState`` in, bus notification out.

    ~/.simotel-dev/venv/bin/python benchmarks/screen_pop.py [--db simotel_bench_pop] [--template DB]
                                    [--events 200] [--duplicates 20] [--port 8393] [--no-update]

Creates (or updates) a dedicated database, starts ``odoo-bin`` on 127.0.0.1
(threaded by default: each request in its own thread, cursor and transaction;
``--workers 2`` for prefork, whose websockets need the gevent worker and its
``zope.interface`` entry point), logs in as an agent on extension 557 and
listens on the real websocket, like the web client does.
Then it POSTs ``--events`` Ringing events one after the other and measures,
per event:

* **pop**: from just before the POST is sent to the moment the agent's
  websocket receives the ``simotel/screen_pop`` notification. This includes
  everything between "the event reaches Odoo" and "the notification is sent"
  (parse, auth, store + commit, dispatch, card, bus row + commit, NOTIFY),
  plus the loopback transfer of the request and the websocket delivery: an
  upper bound of the figure the target is about (50 ms median).
* **2xx**: the HTTP round trip of the same POST (Odoo answers after the
  processing transaction committed and NOTIFY was sent).

Two baselines show what the screen pop itself adds on a loaded machine:
``NewState`` Idle events (same endpoint, same store/commit/process/commit,
no popup) and ``GET /web/health`` (Odoo's HTTP stack alone).

Last, ``--duplicates`` calls are each delivered as two ``NewState`` Ringing
and one ``IncomingCall`` at once (3 concurrent requests, 3 concurrent
transactions); every call must pop exactly once. Only the server it started is
stopped.
"""

import os
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import _odoo
import requests
from _odoo import (
    BusListener,
    admin_rpc,
    argument_parser,
    latency_figures,
    post_sea_event,
    prepare_sea_database,
    record_id,
    stop_server,
)

AUTH = ("bench", "bench-secret")
AGENT = ("bench_agent", "bench-agent-pw")
CALLER = "09121234567"
TARGET_MS = 50.0
LOG = "/tmp/screen_pop_bench_server.log"


def prepare(db, template, update):
    prepare_sea_database(
        db, template, update, AUTH, "DELETE FROM simotel_event; DELETE FROM simotel_screen_pop; DELETE FROM bus_bus;"
    )


def websocket_port(port, workers):
    return port + 1 if workers else port


def start_server(db, port, workers):
    return _odoo.start_server(
        db,
        port,
        [
            "--db-filter",
            "^%s$" % db,
            "--workers=%d" % workers,
            "--max-cron-threads=0",
            "--gevent-port=%d" % websocket_port(port, workers),
        ],
        LOG,
    )


def make_agent_and_customer(port, db):
    call = admin_rpc(port, db)
    if not call("res.users", "search", [("login", "=", AGENT[0])]):
        call(
            "res.users",
            "create",
            {
                "name": "Bench Agent",
                "login": AGENT[0],
                "password": AGENT[1],
                "simotel_extension": "557",
                "groups_id": [(6, 0, [record_id(call, "sales_team.group_sale_salesman")])],
            },
        )
    if not call("res.partner", "search", [("name", "=", "Bench Caller Co")]):
        admin = record_id(call, "base.user_admin")
        company = call("res.partner", "create", {"name": "Bench Caller Co", "is_company": True, "user_id": admin})
        call("res.partner", "create", {"name": "Bench Caller", "parent_id": company, "mobile": CALLER})


def post(session, base, name, payload):
    return post_sea_event(session, base, name, payload, AUTH).status_code


def ringing(unique_id):
    return {
        "event_name": "NewState",
        "exten": "557",
        "state": "Ringing",
        "participant": CALLER,
        "direction": "in",
        "unique_id": unique_id,
    }


def baseline(base, run, count):
    """HTTP round trips of Idle ``NewState`` events and of ``/web/health`` (ms)."""
    session = requests.Session()
    idle, health = [], []
    for n in range(count):
        event = ringing("idle.%s.%d" % (run, n))
        event["state"] = "Idle"
        started = time.perf_counter()
        post(session, base, "NewState", event)
        idle.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        session.get("%s/web/health" % base, timeout=60)
        health.append((time.perf_counter() - started) * 1000)
    return idle, health


def latency(base, listener, run, count):
    session = requests.Session()
    for n in range(10):  # warm up both workers
        post(session, base, "NewState", ringing("warm.%s.%d" % (run, n)))
    pops, answers, lost = [], [], 0
    for n in range(count):
        unique_id = "lat.%s.%d" % (run, n)
        started = time.perf_counter()
        status = post(session, base, "NewState", ringing(unique_id))
        answered = time.perf_counter()
        arrived = listener.wait(unique_id)
        if not 200 <= status < 300 or arrived is None:
            lost += 1
            continue
        pops.append((arrived - started) * 1000)
        answers.append((answered - started) * 1000)
    return pops, answers, lost


def duplicates(base, listener, run, count):
    sessions = {}

    def deliver(job):
        session = sessions.setdefault(threading.get_ident(), requests.Session())
        return post(session, base, *job)

    jobs, ids = [], []
    for n in range(count):
        unique_id = "dup.%s.%d" % (run, n)
        ids.append(unique_id)
        jobs += [
            ("NewState", ringing(unique_id)),
            ("NewState", ringing(unique_id)),
            ("IncomingCall", {"number": CALLER, "entry_point": "557", "cuid": unique_id}),
        ]
    with ThreadPoolExecutor(max_workers=3) as pool:
        statuses = list(pool.map(deliver, jobs))
    time.sleep(1.0)  # let late duplicates arrive, if any
    with listener.changed:
        counts = [len(listener.arrivals.get(unique_id, ())) for unique_id in ids]
    ok = sum(200 <= s < 300 for s in statuses)
    print(
        "duplicates: %d calls x 3 concurrent deliveries: %d/%d x 2xx, popups per call: min %d, max %d"
        % (count, ok, len(statuses), min(counts), max(counts)),
        flush=True,
    )
    return ok == len(statuses) and set(counts) == {1}


def main():
    parser = argument_parser(__doc__, "simotel_bench_pop", 8393)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--duplicates", type=int, default=20)
    parser.add_argument("--workers", type=int, default=0, help="0: threaded server (default)")
    args = parser.parse_args()

    prepare(args.db, args.template, update=not args.no_update)
    server = start_server(args.db, args.port, args.workers)
    base = "http://127.0.0.1:%d" % args.port
    run = str(int(time.time()))
    try:
        make_agent_and_customer(args.port, args.db)
        listener = BusListener(args.port, websocket_port(args.port, args.workers), args.db, *AGENT)
        try:
            pops, answers, lost = latency(base, listener, run, args.events)
            idle, health = baseline(base, run, args.events)
            duplicates_ok = duplicates(base, listener, run, args.duplicates)
        finally:
            listener.close()
    finally:
        stop_server(server)
    if not pops:
        sys.exit("no popup received (%d lost), see %s" % (lost, LOG))
    median = statistics.median(pops)
    print("events: %d sent one after the other, %d popups received, %d lost" % (args.events, len(pops), lost))
    print("pop  (POST sent -> websocket received): %s" % latency_figures(pops))
    print("2xx  (POST sent -> HTTP answer):        %s" % latency_figures(answers))
    print("idle (NewState Idle, no popup, 2xx):    %s" % latency_figures(idle, maximum=False))
    print("http (GET /web/health):                 %s" % latency_figures(health, maximum=False))
    print(
        "screen pop's own share (pop - idle medians): %.1f ms; load average now: %s"
        % (median - statistics.median(idle), " ".join("%.1f" % v for v in os.getloadavg()))
    )
    print(
        "target %.0f ms median: ratio median/target = %.2f (%s)"
        % (TARGET_MS, median / TARGET_MS, "OK" if median <= TARGET_MS else "MISSED")
    )
    print("duplicates: %s" % ("OK, one popup per call" if duplicates_ok else "FAILED"))
    sys.exit(0 if median <= TARGET_MS and duplicates_ok and not lost else 1)


if __name__ == "__main__":
    main()
