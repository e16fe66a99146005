#!/usr/bin/env python3
"""The call views a user opens first, on a large call table: what the web client asks, timed, with plans.

    ~/.simotel-dev/venv/bin/python benchmarks/call_views.py [--partners 1000000] [--calls 10000000]
                                                           [--repeat 5] [--explain]

On ``simotel_bench_calls_<calls>`` (a copy of the benchmark database of ``--partners`` partners, with 20
agents and ``--calls`` calls spread over the last 90 days, one in ten missed, four in five with a
contact; kept for the next runs), as agent ``bench_agent_0`` (a salesperson with the Simotel user group,
one company), runs the ORM calls the web client sends when the user opens:

* "My calls": the list (``web_search_read`` of the list view's fields, 80 rows, ``count_limit`` 10001)
  and the pivot (``read_group`` by day and outcome) with the "My Calls" filter;
* "Missed today": the list with the "Missed" and "Today" filters;
* a contact's Calls button (``partner_id child_of``, the contact with the most calls): the list;
* the Calls menu without a filter: the list;
* the screen pop's "last call" line of a card, for that contact and for a contact without calls.

Each is timed ``--repeat`` times after one warm-up (median; in a new transaction each time, ORM cache
empty, as in a request); target 1 s. ``--explain`` prints EXPLAIN (ANALYZE, BUFFERS) of every query
on ``simotel_call`` that each call sends, as sent.
"""

import contextlib
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime
from datetime import time as day_time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _dataset import add_agents, argument_parser, db_name, ensure_database, insert_calls, open_env, update  # noqa: E402 - siblings
from _odoo import database_exists, psql  # noqa: E402

TARGET_SECONDS = 1.0
LIST_FIELDS = [
    "start",
    "direction",
    "external_number",
    "partner_id",
    "lead_id",
    "user_id",
    "extension",
    "queue",
    "disposition",
    "talk_seconds",
    "wait_seconds",
    "missed",
    "state",
    "record",
    "company_id",
]


def prepare(partners, calls):
    source = ensure_database(partners)
    db = "simotel_bench_calls_%s" % db_name(calls).rsplit("_", 1)[1]
    marker = "%s:%d" % (db_name(partners), calls)
    if database_exists(db) and psql(db, "SELECT value FROM ir_config_parameter WHERE key = 'simotel_bench.calls'") != (
        marker
    ):
        subprocess.run(["dropdb", "--force", db], check=True)
    if not database_exists(db):
        print("copying %s to %s" % (source, db), flush=True)
        subprocess.run(["createdb", "-T", source, db], check=True)
        with open_env(db) as env:
            add_agents(env, 20)
            env.ref("simotel_connector.group_simotel_user").users = [
                (4, user.id) for user in env["res.users"].search([("login", "like", "bench_agent_")])
            ]
            env.cr.commit()
        print("inserting %d calls: %.0f s" % (calls, insert_calls(db, calls, spread=90 * 86400)), flush=True)
        psql(db, "INSERT INTO ir_config_parameter (key, value) VALUES ('simotel_bench.calls', '%s')" % marker)
    return update(db)


@contextlib.contextmanager
def recorded_queries(cr):
    """The SQL (with its parameters) that ``cr`` sends meanwhile."""
    queries, execute = [], cr.execute

    def recording(query, params=None, log_exceptions=True):
        queries.append((query, params))
        return execute(query, params, log_exceptions)

    cr.execute = recording
    try:
        yield queries
    finally:
        del cr.execute


def views(env):
    """(name, callable) of each user action, as the web client calls the ORM."""
    Call = env["simotel.call"]
    uid = env.uid
    today = datetime.combine(datetime.now().date(), day_time(0, 0)).strftime("%Y-%m-%d %H:%M:%S")
    env.cr.execute(
        "SELECT p.commercial_partner_id FROM simotel_call c JOIN res_partner p ON p.id = c.partner_id "
        "WHERE c.start > now() - interval '1 day' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    )
    partner = env["res.partner"].browse(env.cr.fetchone()[0])
    # A contact without calls (the agent's own partner): a new customer's first call pops a card too.
    newcomer = env.user.partner_id
    Pop = env["simotel.screen.pop"]
    spec = {name: {} for name in LIST_FIELDS}
    for name in ("partner_id", "lead_id", "user_id", "company_id"):
        spec[name] = {"fields": {"display_name": {}}}

    def listing(domain):
        return lambda: Call.web_search_read(domain, spec, limit=80, order="start desc, id desc", count_limit=10001)

    def pivot(domain):
        return lambda: Call.read_group(domain, ["talk_seconds:sum"], ["start:day", "disposition"], lazy=False)

    mine, missed_today = [("user_id", "=", uid)], [("missed", "=", True), ("start", ">=", today)]
    return [
        ("My calls: list", listing(mine)),
        ("My calls: pivot", pivot(mine)),
        ("Missed today: list", listing(missed_today)),
        ("Contact's Calls button: list", listing([("partner_id", "child_of", partner.id)])),
        ("Contact's Calls button: count", lambda: partner.with_env(env).simotel_call_count),
        ("Calls menu, no filter: list", listing([])),
        ("Screen pop: contact's last call", lambda: Pop._simotel_last_call(partner, env.company)),
        ("Screen pop: last call, no calls", lambda: Pop._simotel_last_call(newcomer, env.company)),
    ]


def explain(env, queries):
    out = []
    for query, params in queries:
        text = query.code if hasattr(query, "code") else str(query)
        if "simotel_call" not in text:
            continue
        params = query.params if hasattr(query, "params") else params
        env.cr.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + text, params)
        sql = env.cr.mogrify(text, params).decode()
        out.append("    " + sql + "\n" + "\n".join("      " + row[0] for row in env.cr.fetchall()))
    return "\n".join(out)


def main():
    parser = argument_parser(__doc__)
    parser.add_argument("--calls", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    db = prepare(args.partners, args.calls)
    with open_env(db) as env:
        uid = env["res.users"].search([("login", "=", "bench_agent_0")]).id
        calls = psql(db, "SELECT reltuples::bigint FROM pg_class WHERE relname = 'simotel_call'")
    print(
        "%s calls, %d partners, as bench_agent_0; load average %.1f on %d CPUs"
        % (calls, args.partners, os.getloadavg()[0], os.cpu_count())
    )
    print("%-32s %10s %10s %8s  %s" % ("view", "median ms", "max ms", "queries", "target 1 s"))
    ok = True
    with open_env(db, uid=uid, context={"lang": "en_US", "tz": "UTC", "allowed_company_ids": [1]}) as env:
        for name, action in views(env):
            timings = []
            for n in range(args.repeat + 1):
                env.cr.rollback()
                env.invalidate_all()
                with recorded_queries(env.cr) as queries:
                    started = time.perf_counter()
                    action()
                    if n:
                        timings.append(time.perf_counter() - started)
            median = statistics.median(timings)
            ok = ok and median <= TARGET_SECONDS
            print(
                "%-32s %10.1f %10.1f %8d  %s"
                % (
                    name,
                    median * 1000,
                    max(timings) * 1000,
                    len(queries),
                    "OK" if median <= TARGET_SECONDS else "MISSED",
                ),
                flush=True,
            )
            if args.explain:
                env.cr.rollback()
                print(explain(env, queries), flush=True)
    print("load average after the run %.1f" % os.getloadavg()[0])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
