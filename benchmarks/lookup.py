#!/usr/bin/env python3
"""Call-time partner lookup: ours against the usual alternatives, on the same data.

For each database size, a reproducible sample of numbers held by known
partners is looked up in every way a trunk or a user writes them (09…, 9…,
+98…, 0098…, 98…, with spaces, Persian digits) by:

* ours: ``res.partner._simotel_find_partner(number, company)``, exact match on
  the indexed E.164 columns;
* OCA base_phone (connector-telephony ``phone.common.get_record_from_phone_number``):
  ``replace(phone, ' ', '') ILIKE '%<last 8 characters>'`` over phone and mobile,
  first row wins;
* Odoo core: ``search([('phone_mobile_search', 'ilike', number)])`` of
  phone_validation's ``mail.thread.phone`` (res.partner has it because the
  benchmark database has ``sms`` installed, with its regexp and trigram indexes).

It prints median and p99 latency (warm cache, ORM cache cleared before every
call, as in a fresh request), the median CPU time spent in the Odoo process
(the part that does not depend on other load on the machine), SQL queries per
lookup, how many forms gave the right answer (first result is the expected
partner) or found it at all, the ratios, and the plan of our query. The load
average is printed too: on a busy machine wall-clock latencies grow with it.

    ~/.simotel-dev/venv/bin/python benchmarks/lookup.py               # 100k then 1M partners
    ~/.simotel-dev/venv/bin/python benchmarks/lookup.py --sizes 100k  # one size
    ~/.simotel-dev/venv/bin/python benchmarks/lookup.py --rebuild     # rebuild the databases first
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _dataset import build_info, ensure_database, open_env, sample_targets

PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
OCA_DIGITS_FROM_END = 8  # base_phone's default number_of_digits_to_match_from_end


def variants(e164):
    """The forms a caller's number arrives or is typed in, for an Iranian +98… number."""
    nsn = e164[3:]
    spaced = f"{nsn[:3]} {nsn[3:6]} {nsn[6:]}" if nsn.startswith("9") else f"{nsn[:2]} {nsn[2:6]} {nsn[6:]}"
    return {
        "09…": "0" + nsn,
        "9…": nsn,
        "+98…": "+98" + nsn,
        "0098…": "0098" + nsn,
        "98…": "98" + nsn,
        "0 spaced": "0" + spaced,
        "+98 spaced": "+98 " + spaced,
        "Persian": ("0" + nsn).translate(PERSIAN),
    }


def ours(env, company):
    from odoo.addons.simotel_connector.tools import phone

    Partner = env["res.partner"]

    def lookup(number):
        phone._to_e164.cache_clear()  # parse every number, as for a first call
        return Partner._simotel_find_partner(number, company).ids

    return lookup


def oca_base_phone(env, company):
    """connector-telephony base_phone's query, verbatim: suffix ILIKE, no index, first row wins."""
    cr = env.cr

    def lookup(number):
        pattern = "%" + number[-OCA_DIGITS_FROM_END:]
        cr.execute(
            "SELECT id FROM res_partner WHERE replace(phone, ' ', '') ilike %s or replace(mobile, ' ', '') ilike %s",
            (pattern, pattern),
        )
        return [row[0] for row in cr.fetchall()]

    return lookup


def odoo_core(env, company):
    Partner = env["res.partner"].with_company(company)

    def lookup(number):
        return Partner.search([("phone_mobile_search", "ilike", number)]).ids

    return lookup


METHODS = {"ours": ours, "OCA base_phone": oca_base_phone, "Odoo phone_mobile_search": odoo_core}


def run_method(env, company, factory, targets, repeat, warmup=5):
    """Time every (target, form) ``repeat`` times, after ``warmup`` untimed calls.

    Every call runs in a new transaction with an empty ORM cache, as a request
    does, except for the company, which the webhook has already read to
    authenticate the request (short transactions also keep this benchmark
    from holding back vacuum and new indexes of other databases for minutes).
    right/found come from the first pass.
    """
    lookup = factory(env, company)
    calls = [(partner, form, number) for partner, e164 in targets for form, number in variants(e164).items()]
    for _partner, _form, number in calls[:warmup]:
        lookup(number)
    timings, cpu, right, found, queries = [], [], {}, {}, 0
    for rep in range(repeat):
        for partner, form, number in calls:
            env.cr.rollback()
            company.simotel_phone_region  # noqa: B018 - loaded before the clock starts
            count = env.cr.sql_log_count
            start, start_cpu = time.perf_counter(), time.process_time()
            ids = lookup(number)
            elapsed, elapsed_cpu = time.perf_counter() - start, time.process_time() - start_cpu
            timings.append(elapsed * 1000)
            cpu.append(elapsed_cpu * 1000)
            if rep == 0:
                queries += env.cr.sql_log_count - count
                right[form] = right.get(form, 0) + (ids[:1] == [partner.id])
                found[form] = found.get(form, 0) + (partner.id in ids)
    return {
        "timings": timings,
        "cpu": cpu,
        "right": right,
        "found": found,
        "forms": len(calls),
        "queries": queries / len(calls),
    }


def p99(values):
    return statistics.quantiles(values, n=100, method="inclusive")[98]


def explain_ours(env, company, number):
    """EXPLAIN ANALYZE of the last query our lookup sends, exactly as sent."""
    env.cr.rollback()
    env["res.partner"]._simotel_find_partner(number, company)
    sql = env.cr._obj.query.decode()
    env.cr.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql.replace("%", "%%"))
    return "\n".join("    " + row[0] for row in env.cr.fetchall())


def parse_ms(company, targets, repeat):
    """Median time of the number parsing (``to_e164``) alone."""
    from odoo.addons.simotel_connector.tools import phone

    region = company._simotel_phone_region()
    numbers = [number for _p, e164 in targets for number in variants(e164).values()]
    timings = []
    for _rep in range(repeat):
        for number in numbers:
            start = time.perf_counter()
            phone._to_e164.__wrapped__(number, region)  # without its cache of recent numbers
            timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def bench_size(partners, n_targets, repeat, baseline_repeat, rebuild, methods):
    db = ensure_database(partners, rebuild=rebuild)
    info = build_info(db)
    print(f"\n## {partners:,} partners (database {db}), load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(
        f"build: insert {info.get('insert_seconds')} s; `-i simotel_connector` {info.get('install_seconds')} s, "
        f"of which E.164 normalization {info.get('normalize_seconds')} s"
    )
    with open_env(db) as env:
        company = env.ref("base.main_company")
        targets = [t for t in sample_targets(env, n_targets * 3) if t[1].startswith("+98")][:n_targets]
        shared = sum(1 for partner, _e164 in targets if partner.is_company)
        print(
            f"{len(targets)} target numbers ({shared} shared by a company and its contacts), "
            f"{len(variants('+989121234567'))} forms each"
        )
        results = {}
        for name in ["ours"] + [m for m in METHODS if m != "ours" and (not methods or m.split()[0] in methods)]:
            factory = METHODS[name]
            reps = repeat if name == "ours" else baseline_repeat
            results[name] = run_method(env, company, factory, targets, reps)
        forms = list(variants("+989121234567"))
        header = (
            f"{'method':<26} {'median ms':>10} {'p99 ms':>9} {'Odoo CPU':>9} {'queries':>8}"
            f" {'right':>11} {'found':>11}"
            "  right answer per form"
        )
        print(header)
        print("-" * len(header))
        for name, res in results.items():
            total = res["forms"]
            per_form = " ".join(f"{form}:{res['right'][form]}/{len(targets)}" for form in forms)
            print(
                f"{name:<26} {statistics.median(res['timings']):>10.3f} {p99(res['timings']):>9.3f} "
                f"{statistics.median(res['cpu']):>9.3f} {res['queries']:>8.1f} "
                f"{sum(res['right'].values()):>5}/{total:<5} {sum(res['found'].values()):>5}/{total:<5}  {per_form}"
            )
        base = statistics.median(results["ours"]["timings"])
        for name, res in results.items():
            if name != "ours":
                print(f"{name} median is {statistics.median(res['timings']) / base:,.0f}x ours")
        print(f"ours: median of the number parsing alone (to_e164) {parse_ms(company, targets, 3):.3f} ms")
        print(f"load average after the run {os.getloadavg()[0]:.1f}")
        number = variants(targets[0][1])["98…"]
        print(f"EXPLAIN ANALYZE of our query for {number}:")
        print(explain_ours(env, company, number))


def size(text):
    text = text.lower()
    for unit, factor in (("m", 1_000_000), ("k", 1000)):
        if text.endswith(unit):
            return int(float(text[:-1]) * factor)
    return int(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100k,1m", help="partner counts, comma-separated (default 100k,1m)")
    parser.add_argument("--targets", type=int, default=50, help="target numbers per size (default 50)")
    parser.add_argument("--repeat", type=int, default=10, help="timed passes for ours (default 10)")
    parser.add_argument(
        "--baseline-repeat",
        type=int,
        default=1,
        help="timed passes for the alternatives (default 1: they take up to a second a call)",
    )
    parser.add_argument(
        "--only",
        choices=["ours", "OCA", "Odoo"],
        action="append",
        help="run only ours and this alternative (repeatable)",
    )
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the benchmark databases")
    args = parser.parse_args()
    for partners in (size(s) for s in args.sizes.split(",")):
        bench_size(partners, args.targets, args.repeat, args.baseline_repeat, args.rebuild, args.only)


if __name__ == "__main__":
    main()
