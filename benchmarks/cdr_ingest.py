#!/usr/bin/env python3
"""CDR throughput through a real Odoo server (2 workers + cron worker), with 0 and with 1M calls.

    benchmarks/cdr_ingest.py [--db simotel_bench_cdr] [--template DB] [--requests 1000]
                             [--concurrency 4] [--existing 1000000] [--port 8391] [--no-update]

Creates (or updates) a dedicated database, starts ``odoo-bin --workers=2
--max-cron-threads=1`` on 127.0.0.1 and POSTs SEA ``Cdr`` events to
``/simotel/sea``. Two figures per run:

* ingest: 2xx answers per second (the request stores the event and triggers
  the processing cron);
* end to end: CDRs per second from the first POST until every sent CDR has
  its ``simotel.call`` (polled over one database connection);
* drain: the processing throughput alone: the same number of CDRs is stored
  while the processing cron is inactive, then the cron is activated and
  triggered, and timed until every call exists.

Then inserts ``--existing`` calls set-based in SQL and measures again (the
ratio must stay >= 0.8). Last, one CDR is delivered 20 times, 8 at once, and
once processed the rows it produced are counted (must be 1 call, 1 note,
1 activity, 20 x 2xx). Only the server it started is stopped.
"""

import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import _odoo
import psycopg2
import requests
from _dataset import insert_calls
from _odoo import admin_rpc, argument_parser, prepare_sea_database, psql, record_id, stop_server

AUTH = ("bench", "bench-secret")
CUSTOMERS = 200
CRON_XMLID = "ir_cron_simotel_event_process"


def prepare(db, template, update=True):
    prepare_sea_database(
        db,
        template,
        update,
        AUTH,
        """
        UPDATE res_company SET simotel_time_mode = 'utc', simotel_missed_call_activity = true;
        DELETE FROM mail_activity WHERE res_model = 'res.partner';
        -- not DELETE: no 1M dead rows left for (auto)vacuum; CASCADE: what refers to calls
        -- (activities, transfers, scores…) goes with them in this benchmark database
        TRUNCATE simotel_event, simotel_call CASCADE;
        DELETE FROM mail_message WHERE model = 'res.partner' AND body::text LIKE '%call%';
    """,
    )


def start_server(db, port):
    # -d without --db-filter: a request without session then needs no connection to the "postgres"
    # database to list databases (with --db-filter: /web/health 58 instead of 146 requests/s here).
    return _odoo.start_server(db, port, ["--workers=2", "--max-cron-threads=1"], "/tmp/cdr_ingest_server.log")


def make_customers(port, db):
    if psql(db, "SELECT count(*) FROM res_partner WHERE name LIKE 'Bench customer %%'") != "0":
        return
    call = admin_rpc(port, db)
    admin = record_id(call, "base.user_admin")
    call(
        "res.partner",
        "create",
        [{"name": "Bench customer %d" % n, "mobile": "0912%07d" % n, "user_id": admin} for n in range(CUSTOMERS)],
    )


def cdr(unique_id, n):
    known = n % 2 == 0
    return {
        "event_name": "Cdr",
        "unique_id": unique_id,
        "type": "incoming",
        "src": "0912%07d" % (n % CUSTOMERS) if known else "0935%07d" % n,
        "dst": "557",
        "disposition": "NO ANSWER" if n % 10 == 0 else "ANSWERED",
        "billsec": n % 300,
        "wait": 4,
        "starttime": "2024-05-01 10:00:00.000000",
        "endtime": "2024-05-01 10:05:00.000000",
        "record": "20240501_%s.mp3" % unique_id,
    }


def deliver(url, payloads, concurrency):
    """POST ``payloads``, ``concurrency`` at a time, to ``url`` (or to a list of URLs in turn, as a
    round-robin load balancer does); return ``(statuses, seconds)``."""
    urls = [url] if isinstance(url, str) else url
    sessions = {}

    def post(indexed):
        index, payload = indexed
        session = sessions.setdefault((threading.get_ident(), index % len(urls)), requests.Session())
        response = session.post(
            urls[index % len(urls)],
            data=json.dumps(payload),
            auth=AUTH,
            timeout=60,
            headers={"Content-Type": "application/json"},
        )
        return response.status_code

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        statuses = list(pool.map(post, enumerate(payloads)))
    elapsed = time.perf_counter() - started
    return statuses, elapsed


def count_calls(cr, payloads):
    # = ANY on the unique index: a LIKE on unique_id would scan the 1M calls at every poll.
    cr.execute(
        "SELECT count(*) FROM simotel_call WHERE company_id = 1 AND unique_id = ANY(%s)",
        [[payload["unique_id"] for payload in payloads]],
    )
    return cr.fetchone()[0]


def wait_processed(db, payloads, timeout=600):
    """Seconds (perf_counter) when every one of ``payloads`` has its call."""
    deadline = time.perf_counter() + timeout
    with psycopg2.connect(dbname=db) as cnx:
        cnx.autocommit = True
        with cnx.cursor() as cr:
            while time.perf_counter() < deadline:
                if count_calls(cr, payloads) >= len(payloads):
                    return time.perf_counter()
                time.sleep(0.05)
    sys.exit("not every CDR was processed within %d s (cron not running?)" % timeout)


def drain(db, url, prefix, count, concurrency):
    """Processing throughput: CDRs stored while the cron is inactive, then processed by it."""
    cron = "(SELECT res_id FROM ir_model_data WHERE module = 'simotel_connector' AND name = '%s')" % CRON_XMLID
    psql(db, "UPDATE ir_cron SET active = false WHERE id = %s" % cron)
    time.sleep(3)  # a run already started (it keeps going while events come) ends first
    payloads = [cdr("%s.%d" % (prefix, n), n) for n in range(count)]
    deliver(url, payloads, concurrency)
    psql(
        db,
        "UPDATE ir_cron SET active = true WHERE id = %s; INSERT INTO ir_cron_trigger (cron_id, call_at) "
        "VALUES (%s, now() AT TIME ZONE 'UTC')" % (cron, cron),
    )
    with psycopg2.connect(dbname=db) as cnx, cnx.cursor() as cr:
        early = count_calls(cr, payloads)
    started = time.perf_counter()
    psql("postgres", "SELECT pg_notify('cron_trigger', '%s')" % db)
    rate = (count - early) / (wait_processed(db, payloads) - started)
    print(
        "%-22s %5d CDRs stored, then processed by the cron: %6.1f CDR/s (%d processed early, not counted)"
        % ("", count, rate, early),
        flush=True,
    )
    return rate


def measure(label, db, url, prefix, count, concurrency):
    """``(ingest rate, end-to-end rate)`` of ``count`` new CDRs."""
    warm_up = [cdr("%s.warm.%d" % (prefix, n), n) for n in range(20)]
    deliver(url, warm_up, concurrency)
    wait_processed(db, warm_up)
    payloads = [cdr("%s.%d" % (prefix, n), n) for n in range(count)]
    started = time.perf_counter()
    statuses, elapsed = deliver(url, payloads, concurrency)
    bad = [s for s in statuses if not 200 <= s < 300]
    processed = wait_processed(db, payloads) - started
    ingest, end_to_end = count / elapsed, count / processed
    print(
        "%-22s %5d CDRs: ingest %6.2f s = %6.1f CDR/s (%d non-2xx); end to end %6.2f s = %6.1f CDR/s"
        % (label, count, elapsed, ingest, len(bad), processed, end_to_end),
        flush=True,
    )
    return ingest, end_to_end


def insert_existing(db, count):
    seconds = insert_calls(db, count)
    print("inserted %d existing calls in %.1f s" % (count, seconds), flush=True)


def duplicates(db, url):
    """20 deliveries of one missed call's CDR to ``url`` (or spread over a list of URLs), 8 then 4 at once:
    true when they gave 20 x 2xx, one call, one note and one activity."""
    payload = cdr("dup.bench.1", 10)  # missed call from a known customer without calls yet
    payload["src"] = "09120000011"
    statuses, _elapsed = deliver(url, [payload] * 8, 8)
    more, _elapsed = deliver(url, [payload] * 12, 4)
    statuses += more
    deadline = time.time() + 120
    while psql(db, "SELECT count(*) FROM simotel_event WHERE unique_id = 'dup.bench.1' AND state = 'new'") != "0":
        if time.time() > deadline:
            sys.exit("dup.bench.1: events not processed within 120 s")
        time.sleep(0.05)
    calls = psql(db, "SELECT count(*) FROM simotel_call WHERE unique_id = 'dup.bench.1'")
    partner = psql(db, "SELECT partner_id FROM simotel_call WHERE unique_id = 'dup.bench.1'")
    notes = psql(
        db,
        "SELECT count(*) FROM mail_message WHERE model = 'res.partner' AND res_id = %s "
        "AND body::text LIKE '%%09120000011%%'" % partner,
    )
    activities = psql(
        db, "SELECT count(*) FROM mail_activity WHERE res_model = 'res.partner' AND res_id = %s" % partner
    )
    ok = sum(200 <= s < 300 for s in statuses)
    print(
        "duplicates: 20 deliveries (8 concurrent): %d x 2xx, %s call, %s note, %s activity"
        % (ok, calls, notes, activities)
    )
    return ok == 20 and (calls, notes, activities) == ("1", "1", "1")


def main():
    parser = argument_parser(__doc__, "simotel_bench_cdr", 8391)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--existing", type=int, default=1_000_000)
    args = parser.parse_args()

    prepare(args.db, args.template, update=not args.no_update)
    server = start_server(args.db, args.port)
    try:
        make_customers(args.port, args.db)
        url = "http://127.0.0.1:%d/simotel/sea" % args.port
        empty = measure("empty table", args.db, url, "a", args.requests, args.concurrency)
        empty += (drain(args.db, url, "c", args.requests, args.concurrency),)
        server_duplicates_ok = duplicates(args.db, url)
        insert_existing(args.db, args.existing)
        full = measure("with %d calls" % args.existing, args.db, url, "b", args.requests, args.concurrency)
        full += (drain(args.db, url, "d", args.requests, args.concurrency),)
    finally:
        stop_server(server)
    ok = server_duplicates_ok
    for index, figure in enumerate(("ingest", "end to end", "drain")):
        ratio = full[index] / empty[index]
        meets = min(empty[index], full[index]) >= 100 and ratio >= 0.8
        ok = ok and meets
        print(
            "%-10s: min %.1f CDR/s (target >= 100), ratio with/empty %.2f (target >= 0.8): %s"
            % (figure, min(empty[index], full[index]), ratio, "OK" if meets else "FAIL")
        )
    print("exactly once under concurrency: %s" % ("OK" if server_duplicates_ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
