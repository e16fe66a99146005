#!/usr/bin/env python3
"""Peak hour: lookups, NewState events and call reports at once, at fixed rates, with agents on the bus.

    ~/.simotel-dev/venv/bin/python benchmarks/peak.py [--partners 1000000] [--existing-calls 1000000]
        [--rate 10] [--step 10] [--max-rate 60] [--seconds 20] [--agents 20]

One server (``odoo-bin --workers=2 --max-cron-threads=1``, websockets on the gevent port) on a copy of
the benchmark database of ``--partners`` partners (``simotel_bench_peak``, kept for the next runs) that
also holds ``--existing-calls`` calls spread over the last 90 days; ``--agents`` users with an
extension have their websocket open, as the web client does.

The driver is open loop: every request is sent at its scheduled time whatever the server's answers
(a thread per request in flight), and every latency counts from that scheduled time, so a server
that falls behind shows as latency rather than as a slower client. Per new call (one every
``1/rate`` seconds), as a ring-all queue of two agents produces it:

* t + 0.0 s: ``POST /simotel/lookup/<code>`` (the PBX asks who calls);
* t + 0.3 s: ``NewState`` Ringing on agent A and on agent B (both get the screen pop);
* t + 1.0 s: ``NewState`` InUse on A (A answered) and Idle on B;
* t + 2.0 s: ``Cdr`` of the call (A's extension, answered).

A last baseline phase sends ``GET /web/health`` (Odoo's HTTP stack alone) at the mix's request rate
(6 per call): what any Odoo request costs on this machine.

So at 10 calls/s: 10 lookups/s, 40 NewState/s, 10 CDR/s. Figures per phase: lookup p50/p99 and
non-2xx; CDR lag (POST sent -> the call exists in the database, polled every 50 ms) p50/p99; screen-pop
latency (NewState POST sent -> the agent's websocket receives the card) p50/p95; CPU per request (the
Odoo processes plus the PostgreSQL backends of the database, in ms of CPU); "locks": the share of
50 ms samples in which a backend of the database waited for a lock. First each load alone at
the starting rate (lookups, NewState, CDRs), then the mix at the starting rate, then the mix at
rates raised by ``--step`` until a target breaks or ``--max-rate``. Targets: lookup p99 <= 150 ms
and 0 non-2xx, CDR lag p99 <= 5 s, pop median <= 100 ms. Exits non-zero when the starting rate
misses a target. Traffic goes to 127.0.0.1 only; only the server it started is stopped.
"""

import base64
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _dataset import (  # noqa: E402 - siblings, found once sys.path has them
    AGENT_PASSWORD,
    FIRST_AGENT_EXTENSION,
    add_agents,
    argument_parser,
    db_name,
    ensure_database,
    insert_calls,
    open_env,
    sample_targets,
    update,
)
from _odoo import BusListener, database_exists, free_port, percentile, psql, start_server, stop_server  # noqa: E402

CODE = "peak"
AUTH = ("peak", "peak-secret")
LOG = "/tmp/peak_server.log"
TARGETS = {"lookup_p99": 150.0, "cdr_p99": 5000.0, "pop_p50": 100.0}
HEADERS = {
    "Content-Type": "application/json",
    "Authorization": "Basic " + base64.b64encode(("%s:%s" % AUTH).encode()).decode(),
}


def prepare(partners, existing, agents):
    """``simotel_bench_peak``: the partners' database copied, existing calls, credentials, agents, API call."""
    source = ensure_database(partners)
    db = "simotel_bench_peak_%s" % db_name(partners).rsplit("_", 1)[1]
    marker = "%s:%d:%d" % (
        psql(source, "SELECT value FROM ir_config_parameter WHERE key = 'database.uuid'"),
        existing,
        agents,
    )
    if (
        database_exists(db)
        and psql(db, "SELECT value FROM ir_config_parameter WHERE key = 'simotel_bench.peak'") != marker
    ):
        subprocess.run(["dropdb", "--force", db], check=True)
    if not database_exists(db):
        print("copying %s to %s" % (source, db), flush=True)
        subprocess.run(["createdb", "-T", source, db], check=True)
        with open_env(db) as env:
            env.company.write(
                {
                    "simotel_inbound_auth": "basic",
                    "simotel_inbound_username": AUTH[0],
                    "simotel_inbound_password": AUTH[1],
                    "simotel_time_mode": "utc",
                }
            )
            env["simotel.api.call"].create(
                {
                    "name": "Peak",
                    "code": CODE,
                    "reply_format": "generic",
                    "item_ids": [(0, 0, {"kind": kind}) for kind in ("contract", "agent", "known", "customer_code")],
                }
            )
            add_agents(env, agents)
            env.cr.commit()
        print("inserting %d existing calls: %.0f s" % (existing, insert_calls(db, existing, spread=90 * 86400)))
        psql(db, "INSERT INTO ir_config_parameter (key, value) VALUES ('simotel_bench.peak', '%s')" % marker)
    update(db)
    with open_env(db) as env:
        known = ["0" + e164[3:] for _p, e164 in sample_targets(env, 2000) if e164.startswith("+98")]
    return db, known


def send(port, path, payload):
    """One POST on a new connection, as the PBX sends; the status (or the error's name)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        if payload is None:
            connection.request("GET", path)
        else:
            connection.request("POST", path, body=json.dumps(payload), headers=HEADERS)
        response = connection.getresponse()
        response.read()
        return response.status
    except OSError as error:
        return type(error).__name__
    finally:
        connection.close()


class Phase:
    """One run of the open-loop driver: its schedule, what happened, and the figures."""

    def __init__(self, name, rate, seconds, kinds, known, agents, run):
        self.name, self.rate, self.kinds = name, rate, kinds
        self.calls = int(rate * seconds)
        self.schedule = []  # (offset seconds, sequence, kind, path, payload)
        rng = random.Random("%s %s" % (name, rate))
        for n in range(self.calls):
            t = n / rate
            uid = "peak.%s.%s.%d.%d" % (run, name.replace(" ", ""), rate, n)
            number = rng.choice(known) if rng.random() < 0.8 else "0933%07d" % rng.randrange(10**7)
            a, b = rng.sample(range(agents), 2)
            ext_a, ext_b = str(FIRST_AGENT_EXTENSION + a), str(FIRST_AGENT_EXTENSION + b)
            if "lookup" in kinds:
                self._add(
                    t,
                    "lookup",
                    "/simotel/lookup/%s" % CODE,
                    {"src": number, "dst": "02191001000", "unique_id": uid, "app_name": "peak", "data": ""},
                )
            if "newstate" in kinds:
                for offset, exten, state in (
                    (0.3, ext_a, "Ringing"),
                    (0.3, ext_b, "Ringing"),
                    (1.0, ext_a, "InUse"),
                    (1.0, ext_b, "Idle"),
                ):
                    self._add(
                        t + offset,
                        "newstate",
                        "/simotel/sea/NewState",
                        {
                            "event_name": "NewState",
                            "exten": exten,
                            "state": state,
                            "participant": number,
                            "direction": "in",
                            "unique_id": uid,
                        },
                        pop=(a if exten == ext_a else b) if state == "Ringing" else None,
                    )
            if "cdr" in kinds:
                self._add(
                    t + 2.0,
                    "cdr",
                    "/simotel/sea/Cdr",
                    {
                        "event_name": "Cdr",
                        "unique_id": uid,
                        "type": "incoming",
                        "src": number,
                        "dst": ext_a,
                        "disposition": "ANSWERED",
                        "billsec": 40,
                        "wait": 1,
                        "starttime": "2024-05-01 10:00:00.000000",
                        "endtime": "2024-05-01 10:00:41.000000",
                    },
                )
            if "health" in kinds:  # Odoo's own cost per request: as many requests as the mix sends
                for k in range(6):
                    self._add(t + k / (6 * rate), "health", "/web/health", None)
        self.schedule.sort(key=lambda row: row[:2])
        self.results = []  # (kind, scheduled perf_counter, status, latency ms, payload, pop agent)

    def _add(self, t, kind, path, payload, pop=None):
        self.schedule.append((t, len(self.schedule), kind, path, payload, pop))

    def run(self, port):
        """Send every request at its time (open loop); return when all have been answered."""
        lock, threads = threading.Lock(), []
        start = time.perf_counter() + 0.5

        def one(at, kind, path, payload, pop):
            status = send(port, path, payload)
            latency = (time.perf_counter() - at) * 1000
            with lock:
                self.results.append((kind, at, status, latency, payload, pop))

        for t, _seq, kind, path, payload, pop in self.schedule:
            at = start + t
            delay = at - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            thread = threading.Thread(target=one, args=(at, kind, path, payload, pop), daemon=True)
            thread.start()
            threads.append(thread)
        for thread in threads:
            thread.join(120)
        self.started, self.ended = start, time.perf_counter()
        return len(self.schedule)


class CallWatcher:
    """Polls the call table every 50 ms for the call reports sent, and notes when each call appears; samples
    at the same time how many of the database's backends wait for a lock (``lock_samples``)."""

    def __init__(self, db):
        import psycopg2

        self.connection = psycopg2.connect(dbname=db)
        self.connection.autocommit = True
        self.pending, self.seen, self.lock, self.stopped = set(), {}, threading.Lock(), False
        self.lock_samples = []  # backends waiting for a lock, at each poll
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()

    def expect(self, unique_id):
        with self.lock:
            self.pending.add(unique_id)

    def _poll(self):
        with self.connection.cursor() as cr:
            while not self.stopped:
                with self.lock:
                    pending = list(self.pending)
                if pending:
                    cr.execute(
                        "SELECT unique_id FROM simotel_call WHERE company_id = 1 AND unique_id = ANY(%s)", [pending]
                    )
                    now = time.perf_counter()
                    with self.lock:
                        for (unique_id,) in cr.fetchall():
                            self.pending.discard(unique_id)
                            self.seen[unique_id] = now
                cr.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
                self.lock_samples.append(cr.fetchone()[0])
                time.sleep(0.05)

    def wait(self, unique_ids, timeout):
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            with self.lock:
                if all(u in self.seen for u in unique_ids):
                    return
            time.sleep(0.1)

    def close(self):
        self.stopped = True
        self.thread.join(5)
        self.connection.close()


def cpu_seconds(pgid, db):
    """CPU seconds so far of the Odoo processes (process group ``pgid``) and of ``db``'s PostgreSQL
    backends, per process id."""
    backends = set(psql(db, "SELECT pid FROM pg_stat_activity WHERE datname = current_database()").split())
    ticks = os.sysconf("SC_CLK_TCK")
    usage = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid or entry in backends:
            usage[entry] = (int(fields[11]) + int(fields[12])) / ticks
    return usage


def figures(phase, agents, watcher):
    by_kind = {}
    for kind, at, status, latency, payload, pop in phase.results:
        by_kind.setdefault(kind, []).append((at, status, latency, payload, pop))
    out = {"name": phase.name, "rate": phase.rate, "requests": len(phase.results)}
    lookups = by_kind.get("lookup", []) or by_kind.get("health", [])  # the baseline shows in the lookup columns
    if lookups:
        latencies = [row[2] for row in lookups]
        out["lookup_p50"], out["lookup_p99"] = percentile(latencies, 0.5), percentile(latencies, 0.99)
        out["lookup_bad"] = sum(1 for row in lookups if not (isinstance(row[1], int) and 200 <= row[1] < 300))
    events = by_kind.get("newstate", []) + by_kind.get("cdr", [])
    out["sea_bad"] = sum(1 for row in events if not (isinstance(row[1], int) and 200 <= row[1] < 300))
    out["statuses"] = {}
    for kind, rows in by_kind.items():
        for row in rows:
            if not (isinstance(row[1], int) and 200 <= row[1] < 300):
                key = "%s %s" % (kind, row[1])
                out["statuses"][key] = out["statuses"].get(key, 0) + 1
    cdrs = by_kind.get("cdr", [])
    if cdrs:
        watcher.wait([row[3]["unique_id"] for row in cdrs], 60)
        with watcher.lock:
            lags = [
                (watcher.seen[row[3]["unique_id"]] - row[0]) * 1000
                if row[3]["unique_id"] in watcher.seen
                else float("inf")
                for row in cdrs
            ]
        out["cdr_p50"], out["cdr_p99"] = percentile(lags, 0.5), percentile(lags, 0.99)
        out["cdr_missing"] = sum(1 for lag in lags if lag == float("inf"))
    rings = [row for row in by_kind.get("newstate", []) if row[4] is not None]
    if rings:
        pops = []
        for at, _status, _latency, payload, pop in rings:
            arrived = agents[pop].wait(payload["unique_id"], timeout=0 if pops else 5)
            pops.append((arrived - at) * 1000 if arrived else float("inf"))
        out["pop_p50"], out["pop_p95"] = statistics.median(pops), percentile(pops, 0.95)
        out["pop_lost"] = sum(1 for pop in pops if pop == float("inf"))
    return out


def meets(row):
    checks = []
    if "lookup_p99" in row:
        checks.append(row["lookup_p99"] <= TARGETS["lookup_p99"] and row["lookup_bad"] == 0)
    if "cdr_p99" in row:
        checks.append(row["cdr_p99"] <= TARGETS["cdr_p99"])
    if "pop_p50" in row:
        checks.append(row["pop_p50"] <= TARGETS["pop_p50"] and row["pop_lost"] == 0)
    return all(checks) and row["sea_bad"] == 0


def run_phase(name, rate, kinds, args, known, agents, watcher, server, db, port, run):
    phase = Phase(name, rate, args.seconds, kinds, known, len(agents), run)
    for _t, _seq, kind, _path, payload, _pop in phase.schedule:
        if kind == "cdr":
            watcher.expect(payload["unique_id"])
    before = cpu_seconds(server.pid, db)
    first_sample = len(watcher.lock_samples)
    phase.run(port)
    samples = watcher.lock_samples[first_sample:]
    row = figures(phase, agents, watcher)
    after = cpu_seconds(server.pid, db)
    cpu = sum(after[pid] - before.get(pid, 0.0) for pid in after)
    row["cpu_ms"] = cpu * 1000 / max(1, row["requests"])
    row["load"] = os.getloadavg()[0]
    row["lock_waits"] = 100.0 * sum(1 for n in samples if n) / max(1, len(samples))
    row["ok"] = meets(row)
    print(line(row), flush=True)
    return row


def cell(row, key, fmt="%7.1f"):
    value = row.get(key)
    if value is None:
        return "%7s" % "-"
    return "%7s" % "lost" if value == float("inf") else fmt % value


HEADER = (
    "phase              calls/s  lookup p50    p99 non2xx   CDR lag p50    p99   pop p50    p95"
    "  CPU ms/req  locks  load  targets"
)


def line(row):
    return "%-18s %7.0f  %10s %6s %6s  %12s %6s  %8s %6s  %10.1f  %4.0f%%  %4.1f  %s" % (
        row["name"],
        row["rate"],
        cell(row, "lookup_p50"),
        cell(row, "lookup_p99", "%6.0f"),
        row.get("lookup_bad", "-"),
        cell(row, "cdr_p50", "%7.0f"),
        cell(row, "cdr_p99", "%6.0f"),
        cell(row, "pop_p50"),
        cell(row, "pop_p95", "%6.0f"),
        row["cpu_ms"],
        row["lock_waits"],
        row["load"],
        ("OK" if row["ok"] else "MISSED") + ("" if not row["statuses"] else " non-2xx: %s" % row["statuses"]),
    )


def main():
    parser = argument_parser(__doc__)
    parser.add_argument("--existing-calls", type=int, default=1_000_000)
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--rate", type=float, default=10, help="calls/s of the first phases")
    parser.add_argument("--step", type=float, default=10, help="calls/s added at each step")
    parser.add_argument("--max-rate", type=float, default=60)
    parser.add_argument("--seconds", type=float, default=20, help="length of each phase's schedule")
    args = parser.parse_args()

    db, known = prepare(args.partners, args.existing_calls, args.agents)
    port = free_port()
    websocket = free_port()
    while websocket == port:
        websocket = free_port()
    server = start_server(db, port, ["--workers=2", "--max-cron-threads=1", "--gevent-port=%d" % websocket], LOG)
    run = str(int(time.time()))
    rows = []
    try:
        agents = [BusListener(port, websocket, db, "bench_agent_%d" % n, AGENT_PASSWORD) for n in range(args.agents)]
        watcher = CallWatcher(db)
        # Warm-up: every worker has its registry, caches and connections.
        warm = Phase("warm-up", 2, 3, ("lookup", "newstate", "cdr"), known, len(agents), run)
        warm.run(port)
        print(
            "%d partners, %s calls in the table, %d agents on the bus, --workers=2 with a cron worker, "
            "%d CPUs shared with this load generator, load average %.1f"
            % (
                args.partners,
                psql(db, "SELECT reltuples::bigint FROM pg_class WHERE relname = 'simotel_call'"),
                len(agents),
                os.cpu_count(),
                os.getloadavg()[0],
            )
        )
        print(HEADER)
        for name, kinds in (
            ("lookups alone", ("lookup",)),
            ("NewState alone", ("newstate",)),
            ("CDRs alone", ("cdr",)),
            ("/web/health x6", ("health",)),
        ):
            rows.append(run_phase(name, args.rate, kinds, args, known, agents, watcher, server, db, port, run))
        rate, best = args.rate, None
        while rate <= args.max_rate:
            row = run_phase(
                "mix", rate, ("lookup", "newstate", "cdr"), args, known, agents, watcher, server, db, port, run
            )
            rows.append(row)
            if not row["ok"]:
                break
            best = rate
            rate += args.step
        watcher.close()
        for agent in agents:
            agent.close()
    finally:
        stop_server(server)
    print(
        "targets: lookup p99 <= %.0f ms and 0 non-2xx, CDR lag p99 <= %.0f s, pop median <= %.0f ms"
        % (TARGETS["lookup_p99"], TARGETS["cdr_p99"] / 1000, TARGETS["pop_p50"])
    )
    if best is None:
        print("highest rate meeting every target: none (the mix at %.0f calls/s misses one)" % args.rate)
        return 1
    print(
        "highest rate meeting every target: %.0f calls/s (%.1fx the starting %.0f calls/s)%s"
        % (best, best / args.rate, args.rate, "" if rate > args.max_rate else "; %.0f calls/s misses" % rate)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
