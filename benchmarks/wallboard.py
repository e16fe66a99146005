#!/usr/bin/env python3
"""Wallboard latency through a real Odoo server: SEA ``NewState`` in, supervisor's bus notification out.

    ~/.simotel-dev/venv/bin/python benchmarks/wallboard.py [--db simotel_bench_wallboard] [--template DB]
                                    [--agents 200] [--rate 50] [--seconds 20] [--port 8395] [--no-update]

Creates (or updates) a dedicated database with ``--agents`` users on
extensions 6000…, starts ``odoo-bin`` on 127.0.0.1 (threaded, no cron
thread) and listens on the real websocket as the administrator (a
supervisor: subscribed to the company's wallboard channel, like the
Wallboard screen). Then it POSTs ``NewState`` events at ``--rate`` per
second for ``--seconds`` (open loop: each event leaves at its scheduled
time, whatever the previous ones do), cycling the agents through Ringing →
InUse → Idle → Pause, each with a distinct other party, and measures:

* **update**: from just before the POST is sent to the moment the
  supervisor's websocket receives that agent's ``simotel/agent_state``
  notification: p50 / p95 / max (target: p95 ≤ 200 ms);
* **cost**: the server process's CPU time (user + system, from /proc) per
  event.

The baseline, measured in the same run at the same rate: an authenticated
SEA ``Ping`` (Basic credentials checked, event stored and acknowledged, no
processing): its HTTP round trip and CPU time per request. Only the server
it started is stopped.
"""

import itertools
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
    percentile,
    post_sea_event,
    prepare_sea_database,
    record_id,
    stop_server,
)

AUTH = ("bench", "bench-secret")
TARGET_P95_MS = 200.0
FIRST_EXTENSION = 6000
STATES = ("Ringing", "InUse", "Idle", "Pause")
LOG = "/tmp/wallboard_bench_server.log"


def prepare(db, template, update):
    prepare_sea_database(
        db,
        template,
        update,
        AUTH,
        """
        UPDATE res_company SET simotel_time_mode = 'utc';
        DELETE FROM simotel_event; DELETE FROM simotel_agent_state; DELETE FROM simotel_agent_pause;
        DELETE FROM bus_bus;
    """,
    )


def make_agents(port, db, count):
    call = admin_rpc(port, db)
    have = {u["login"] for u in call("res.users", "search_read", [("login", "like", "bench_wb_%")], fields=["login"])}
    group = record_id(call, "sales_team.group_sale_salesman")
    values = [
        {
            "name": "Agent %d" % (FIRST_EXTENSION + n),
            "login": "bench_wb_%d" % n,
            "simotel_extension": str(FIRST_EXTENSION + n),
            "groups_id": [(6, 0, [group])],
        }
        for n in range(count)
        if "bench_wb_%d" % n not in have
    ]
    if values:
        call("res.users", "create", values)


def agent_state_key(payload):
    """A wallboard notification's key: the extension, its state and the other party (or the state's start)."""
    return (payload["extension"], payload["state"], payload.get("participant") or payload.get("since"))


def server_cpu_seconds(server):
    """User + system CPU time of the server process (threaded server: one process)."""
    with open("/proc/%d/stat" % server.pid) as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def paced(base, jobs, rate):
    """POST ``jobs`` (``(name, payload)``) at ``rate`` per second; return ``[(sent, answered, status)]``."""
    sessions = {}

    def send(job, due):
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        session = sessions.setdefault(threading.get_ident(), requests.Session())
        started = time.perf_counter()
        response = post_sea_event(session, base, *job, AUTH)
        return started, time.perf_counter(), response.status_code

    start = time.perf_counter() + 0.5
    with ThreadPoolExecutor(max_workers=32) as pool:
        futures = [pool.submit(send, job, start + n / rate) for n, job in enumerate(jobs)]
        return [future.result() for future in futures]


def main():
    parser = argument_parser(__doc__, "simotel_bench_wallboard", 8395)
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--rate", type=float, default=50.0, help="NewState events per second")
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()

    prepare(args.db, args.template, update=not args.no_update)
    server = _odoo.start_server(
        args.db, args.port, ["--db-filter", "^%s$" % args.db, "--workers=0", "--max-cron-threads=0"], LOG
    )
    base = "http://127.0.0.1:%d" % args.port
    count = int(args.rate * args.seconds)
    counter = itertools.count(1)
    try:
        make_agents(args.port, args.db, args.agents)
        listener = BusListener(args.port, args.port, args.db, "admin", "admin", "simotel/agent_state", agent_state_key)
        try:
            jobs, keys = [], []
            for n in range(count):
                extension = str(FIRST_EXTENSION + n % args.agents)
                state = STATES[(n // args.agents) % len(STATES)]
                party = "0912%07d" % next(counter) if state in ("Ringing", "InUse") else None
                payload = {"event_name": "NewState", "exten": extension, "state": state, "queue": "900"}
                if party:
                    payload.update(participant=party, direction="in", unique_id="wb.%d" % n)
                jobs.append(("NewState", payload))
                keys.append((extension, {"InUse": "in_use", "Pause": "paused"}.get(state, state.lower()), party))
            paced(base, [("NewState", {"event_name": "NewState", "exten": "5999", "state": "Idle"})] * 20, 20)
            cpu = server_cpu_seconds(server)
            results = paced(base, jobs, args.rate)
            cpu_events = server_cpu_seconds(server) - cpu
            time.sleep(2.0)
            arrivals = listener.first_arrivals()
            cpu = server_cpu_seconds(server)
            pings = paced(base, [("Ping", {"event_name": "Ping"})] * count, args.rate)
            cpu_pings = server_cpu_seconds(server) - cpu
        finally:
            listener.close()
    finally:
        stop_server(server)

    updates, lost = [], 0
    for key, (sent, _answered, status) in zip(keys, results, strict=True):
        arrived = arrivals.get(key) if key[2] else None
        if key[2] is None:
            continue  # Idle/Pause carry no other party: matched by none, counted in the cost only
        if not 200 <= status < 300 or arrived is None:
            lost += 1
            continue
        updates.append((arrived - sent) * 1000)
    answers = [(answered - sent) * 1000 for sent, answered, _status in results]
    ping_answers = [(answered - sent) * 1000 for sent, answered, _status in pings]
    if not updates:
        sys.exit("no wallboard update received, see %s" % LOG)
    p95 = percentile(updates, 0.95)
    print(
        "agents: %d, NewState events: %d at %.0f/s, matched updates: %d, lost: %d"
        % (args.agents, count, args.rate, len(updates), lost)
    )
    print("update (POST sent -> supervisor's websocket): %s" % latency_figures(updates, "p50"))
    print("2xx    (NewState POST round trip):            %s" % latency_figures(answers, "p50", maximum=False))
    print("ping   (authenticated SEA Ping round trip):   %s" % latency_figures(ping_answers, "p50", maximum=False))
    print(
        "server CPU per event: NewState %.1f ms, Ping %.1f ms, ratio %.2f"
        % (1000 * cpu_events / count, 1000 * cpu_pings / count, cpu_events / cpu_pings if cpu_pings else float("nan"))
    )
    print(
        "ratios to the Ping baseline: update p50 %.2f, p95 %.2f"
        % (statistics.median(updates) / statistics.median(ping_answers), p95 / percentile(ping_answers, 0.95))
    )
    print("load average now: %s" % " ".join("%.1f" % v for v in os.getloadavg()))
    print(
        "target p95 %.0f ms: ratio p95/target = %.2f (%s)"
        % (TARGET_P95_MS, p95 / TARGET_P95_MS, "OK" if p95 <= TARGET_P95_MS else "MISSED")
    )
    sys.exit(0 if p95 <= TARGET_P95_MS and not lost else 1)


if __name__ == "__main__":
    main()
