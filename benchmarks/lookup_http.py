"""Call-time lookup through a real Odoo server, compared with Odoo's own /web/health.

Starts ``odoo-bin --workers=2`` on a free loopback port, on a database with
1M partners (built once, kept for the next runs), then drives
``POST /simotel/lookup/<code>`` and ``GET /web/health`` from loopback with the
same load (8 concurrent connections), in alternating rounds so that both see
the same machine. Prints p50/p99, requests/s, their ratio and the targets:
lookup throughput >= 0.7x /web/health's, lookup p99 <= 150 ms, no non-2xx.

    ~/.simotel-dev/venv/bin/python benchmarks/lookup_http.py [--partners 1000000] [--requests 4000]

The database is the one of benchmarks/_dataset.py for that size (``simotel_bench_1m``).
Environment: ODOO_SRC (default /opt/odoo-18.0), SIMOTEL_HOME (default ~/.simotel-dev, for the venv).
"""

import base64
import http.client
import json
import os
import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _dataset import argument_parser, ensure_database, open_env, sample_targets  # noqa: E402 - siblings, found once sys.path has them
from _odoo import free_port, percentile, psql, start_server, stop_server  # noqa: E402

CODE = "bench"
USERNAME, PASSWORD = "bench", "bench-pass"
TARGET_RATIO, TARGET_P99_MS = 0.7, 150.0
BURST_LOOKUPS = 50
LOG = "/tmp/lookup_http_server.log"


def prepare(partners):
    """The benchmark database of ``partners`` partners, with inbound credentials and the API call."""
    db = ensure_database(partners)
    with open_env(db) as env:
        env.company.write(
            {
                "simotel_inbound_auth": "basic",
                "simotel_inbound_username": USERNAME,
                "simotel_inbound_password": PASSWORD,
            }
        )
        if not env["simotel.api.call"].search([("code", "=", CODE)]):
            env["simotel.api.call"].create(
                {
                    "name": "Benchmark",
                    "code": CODE,
                    "reply_format": "generic",
                    "item_ids": [(0, 0, {"kind": kind}) for kind in ("contract", "agent", "known", "customer_code")],
                }
            )
        env.cr.commit()
        known = [e164 for _partner, e164 in sample_targets(env, 3000) if e164.startswith("+98")]
    return db, known


def logged_lookups(db):
    """Rows of the benchmark's API call in the lookup log."""
    sql = (
        "SELECT count(*) FROM simotel_lookup_log l JOIN simotel_api_call a ON a.id = l.api_call_id "
        f"WHERE a.code = '{CODE}'"
    )
    return int(psql(db, sql))


def request(port, method, path, body=None, headers=None):
    """One request on a new connection (as the PBX does); ``(status, seconds)``."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        connection.close()


def lookup_requests(partners, known, count, seed=7):
    """Realistic PBX questions: callers in the forms trunks send, unknown callers, typed codes.

    ``known`` are E.164 numbers of partners; unknown callers have 0933 numbers, which the dataset does not use."""
    rng = random.Random(seed)
    forms = [lambda m: m, lambda m: "+98" + m[1:], lambda m: "98" + m[1:], lambda m: m[1:]]
    token = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
    headers = {"Content-Type": "application/json", "Authorization": f"Basic {token}"}
    bodies = []
    for i in range(count):
        n = rng.randint(1, partners)
        kind = rng.random()
        payload = {"dst": "02191001000", "unique_id": f"1700000000.{i}", "app_name": "bench"}
        if kind < 0.7:
            payload.update(src=rng.choice(forms)("0" + rng.choice(known)[3:]), data="")
        elif kind < 0.85:
            payload.update(src="0933%07d" % n, data="")
        else:
            payload.update(src="0933%07d" % n, data=str(100000 + n - 1))
        bodies.append(json.dumps(payload))
    return headers, bodies


def run_phase(port, count, concurrency, max_seconds, make):
    """``count`` requests from ``concurrency`` threads; returns (latencies, statuses, seconds)."""
    latencies, statuses, lock = [], {}, threading.Lock()
    next_index = iter(range(count))
    deadline = time.monotonic() + max_seconds

    def worker():
        while time.monotonic() < deadline:
            with lock:
                index = next(next_index, None)
            if index is None:
                return
            try:
                status, seconds = request(port, *make(index))
            except OSError as e:
                status, seconds = type(e).__name__, 0.0
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                if seconds:
                    latencies.append(seconds)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses, time.perf_counter() - started


def main():
    parser = argument_parser(__doc__)
    parser.add_argument("--requests", type=int, default=4000, help="per endpoint")
    parser.add_argument("--rounds", type=int, default=8, help="alternating rounds (the machine's speed drifts)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--max-seconds", type=float, default=120, help="cap of each phase")
    args = parser.parse_args()

    db, known = prepare(args.partners)
    port = free_port()
    # One database and no --db-filter, as recommended for production: with a filter, every
    # request without a session (all of Simotel's) lists the databases first.
    server = start_server(db, port, ["--workers=2", "--max-cron-threads=0"], LOG, log_level="info")
    logged_before, lookups_sent = logged_lookups(db), 0
    try:
        headers, bodies = lookup_requests(args.partners, known, args.requests)
        endpoints = {
            "/web/health": lambda i: ("GET", "/web/health"),
            f"/simotel/lookup/{CODE}": lambda i: ("POST", f"/simotel/lookup/{CODE}", bodies[i], headers),
        }
        # Warm both workers' caches, then alternate rounds of each endpoint.
        for make in endpoints.values():
            run_phase(port, 50, args.concurrency, 30, make)
        lookups_sent += 50
        results = {name: ([], {}, 0.0) for name in endpoints}
        per_round = args.requests // args.rounds
        for r in range(args.rounds):
            for name, make in endpoints.items():
                offset = r * per_round
                latencies, statuses, seconds = run_phase(
                    port,
                    per_round,
                    args.concurrency,
                    args.max_seconds,
                    lambda i, m=make, o=offset: m(o + i),
                )
                total = results[name]
                for status, n in statuses.items():
                    total[1][status] = total[1].get(status, 0) + n
                results[name] = (total[0] + latencies, total[1], total[2] + seconds)
                if name != "/web/health":
                    lookups_sent += sum(statuses.values())
        time.sleep(2)  # the lookup log is written behind the answers, within a second
        logged_in_time = logged_lookups(db) - logged_before
        # A last burst, then an immediate stop: the workers write what still waits as they exit.
        burst = BURST_LOOKUPS
        run_phase(port, burst, args.concurrency, 30, endpoints[f"/simotel/lookup/{CODE}"])
    finally:
        stop_server(server)
    burst_logged = logged_lookups(db) - logged_before - logged_in_time

    print(
        f"\n{args.partners} partners, {args.concurrency} concurrent connections, --workers=2, "
        f"{args.rounds} alternating rounds, {os.cpu_count()} CPUs shared with this load generator, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(f"{'endpoint':<26}{'requests':>9}{'p50 ms':>9}{'p99 ms':>9}{'req/s':>9}  statuses")
    figures = {}
    for name, (latencies, statuses, seconds) in results.items():
        rps = len(latencies) / seconds if seconds else 0.0
        figures[name] = (percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000, rps, statuses)
        print(
            f"{name:<26}{len(latencies):>9}{figures[name][0]:>9.1f}{figures[name][1]:>9.1f}{rps:>9.1f}  "
            f"{dict(sorted(statuses.items(), key=str))}"
        )
    health, lookup = figures["/web/health"], figures[f"/simotel/lookup/{CODE}"]
    ratio = lookup[2] / health[2] if health[2] else 0.0
    non_2xx = sum(n for status, n in lookup[3].items() if not (isinstance(status, int) and 200 <= status < 300))
    checks = [
        (f"lookup/health throughput ratio {ratio:.2f} (target >= {TARGET_RATIO})", ratio >= TARGET_RATIO),
        (f"lookup p99 {lookup[1]:.1f} ms (target <= {TARGET_P99_MS:.0f} ms)", lookup[1] <= TARGET_P99_MS),
        (f"lookup non-2xx replies {non_2xx} (target 0)", non_2xx == 0),
        (
            f"lookups in the log 2 s after the last answer {logged_in_time}/{lookups_sent}, of a last burst "
            f"followed by an immediate stop {burst_logged}/{burst}",
            (logged_in_time, burst_logged) == (lookups_sent, burst),
        ),
    ]
    print(f"lookup/health latency ratio: p50 {lookup[0] / health[0]:.2f}x, p99 {lookup[1] / health[1]:.2f}x")
    for text, ok in checks:
        print(("PASS " if ok else "FAIL ") + text)
    return 0 if all(ok for _text, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
