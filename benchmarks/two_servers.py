#!/usr/bin/env python3
"""Two Odoo servers on one PostgreSQL database, behind a round-robin client: a check that exits non-zero.

    ~/.simotel-dev/venv/bin/python benchmarks/two_servers.py [--db simotel_bench_two] [--template DB]
                                                            [--workers 2] [--port 8395] [--no-update]

Creates (or updates) a dedicated database and starts two servers on it, A on ``--port`` and B on
``--port + 10`` (each ``--workers`` HTTP workers, a websocket worker and a cron worker: the
processing cron may run on both), then checks, as a call center with two servers behind a load
balancer sees it:

1. duplicate storm: one missed call's CDR delivered 20 times (8, then 4 at once) to A and B in turn
   gives 20 x 2xx, exactly one call, one note and one activity;
2. screen pop across servers: an agent whose websocket is connected to B gets the card of a
   ``NewState`` Ringing posted to A (and the other way round), within 5 s (the delay is printed);
3. settings across servers: the inbound password changed through A (XML-RPC, as an administrator
   does in Settings) is required by B's workers at once (the old one gets 401, the new one 2xx);
   an agent's extension changed through A routes the next ``NewState`` posted to B to the new one.

Each check prints OK or FAILED; the exit status is 0 only if all pass. Traffic goes to 127.0.0.1
only; only the two servers it started are stopped.
"""

import sys
import time
import uuid

import requests
from _odoo import BusListener, admin_rpc, argument_parser, start_server, stop_server
from cdr_ingest import AUTH, duplicates, make_customers, prepare
from screen_pop import AGENT, make_agent_and_customer, post, ringing

LOG = "/tmp/two_servers_%s.log"


def screen_pop_across(servers, listeners, exten="557"):
    """Ringing posted to one server, card awaited on the websocket of an agent connected to the other."""
    ok = True
    for source, target in ((0, 1), (1, 0)):
        unique_id = "two.%s" % uuid.uuid4().hex[:12]
        event = dict(ringing(unique_id), exten=exten)
        started = time.perf_counter()
        status = post(requests.Session(), servers[source]["base"], "NewState", event)
        arrived = listeners[target].wait(unique_id, timeout=5)
        seconds = arrived - started if arrived else None
        passed = 200 <= status < 300 and seconds is not None
        ok = ok and passed
        print(
            "screen pop: NewState to %s (ext %s), agent's websocket on %s: HTTP %d, card %s: %s"
            % (
                servers[source]["name"],
                exten,
                servers[target]["name"],
                status,
                "after %.0f ms" % (seconds * 1000) if seconds is not None else "not received in 5 s",
                "OK" if passed else "FAILED",
            ),
            flush=True,
        )
    return ok


def statuses_with(base, auth, count=6):
    """Statuses of ``count`` Idle NewState events (no popup), each on a new connection (any worker)."""
    statuses = []
    for n in range(count):
        response = requests.post(
            "%s/simotel/sea/NewState" % base,
            json={"event_name": "NewState", "exten": "557", "state": "Idle", "unique_id": "two.idle.%d" % n},
            auth=auth,
            timeout=60,
            headers={"Connection": "close"},
        )
        statuses.append(response.status_code)
    return statuses


def settings_across(db, servers, listeners):
    a, b = servers
    call = admin_rpc(a["port"], db)
    [company] = call("res.company", "search", [("id", "=", 1)])
    new_auth = (AUTH[0], "changed-on-A-%s" % uuid.uuid4().hex[:6])
    call("res.company", "write", [company], {"simotel_inbound_password": new_auth[1]})
    try:
        old, new = statuses_with(b["base"], AUTH), statuses_with(b["base"], new_auth)
    finally:
        call("res.company", "write", [company], {"simotel_inbound_password": AUTH[1]})
    passed = set(old) == {401} and all(200 <= s < 300 for s in new)
    print(
        "settings: inbound password changed on A; on B the old one gets %s, the new one %s: %s"
        % (sorted(set(old)), sorted(set(new)), "OK" if passed else "FAILED"),
        flush=True,
    )
    [agent] = call("res.users", "search", [("login", "=", AGENT[0])])
    call("res.users", "write", [agent], {"simotel_extension": "558"})
    try:
        moved = screen_pop_across(servers, listeners, exten="558")
    finally:
        call("res.users", "write", [agent], {"simotel_extension": "557"})
    print(
        "settings: extension 557 -> 558 changed on A, pops routed by both servers: %s" % ("OK" if moved else "FAILED")
    )
    return passed and moved


def main():
    parser = argument_parser(__doc__, "simotel_bench_two", 8395)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    prepare(args.db, args.template, update=not args.no_update)
    servers = []
    for name, port in (("A", args.port), ("B", args.port + 10)):
        options = ["--workers=%d" % args.workers, "--max-cron-threads=1", "--gevent-port=%d" % (port + 1)]
        servers.append({"name": name, "port": port, "base": "http://127.0.0.1:%d" % port})
        servers[-1]["process"] = start_server(args.db, port, options, LOG % name)
    results = {}
    try:
        make_customers(args.port, args.db)
        make_agent_and_customer(args.port, args.db)
        # One agent browser on each server: the same user, two sessions (two tabs behind the balancer).
        listeners = [BusListener(s["port"], s["port"] + 1, args.db, *AGENT) for s in servers]
        try:
            urls = ["%s/simotel/sea" % s["base"] for s in servers]
            results["duplicate storm over both servers"] = duplicates(args.db, urls)
            results["screen pop across servers"] = screen_pop_across(servers, listeners)
            results["settings across servers"] = settings_across(args.db, servers, listeners)
        finally:
            for listener in listeners:
                listener.close()
    finally:
        for server in servers:
            stop_server(server["process"])
    for name, ok in results.items():
        print("%-36s %s" % (name, "OK" if ok else "FAILED"))
    return 0 if len(results) == 3 and all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
