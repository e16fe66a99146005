"""Fill a benchmark database with many partners, fast (set-based SQL, no ORM per row).

Partner ``n`` (1-based) has mobile ``0912`` + ``n`` on 7 digits, internal
reference ``str(100000 + n)``; a third have an active contract, a third an
expired one; every tenth belongs to the salesperson ``bench_agent``
(extension 120). Run inside an Odoo environment::

    python benchmarks/_http_dataset.py --odoo-src /opt/odoo-18.0 -c odoo.conf -d DB --partners 1000000
"""

import argparse
import sys
import time

BENCH_LOGIN = "bench_agent"
BENCH_EXTENSION = "120"


def mobile(n):
    return "0912%07d" % n


def customer_code(n):
    return str(100000 + n)


def build(env, partners):
    """Insert ``partners`` bench partners unless they are there; return the number of bench partners."""
    cr = env.cr
    cr.execute("SELECT count(*) FROM res_partner WHERE ref IS NOT NULL AND name LIKE 'Bench %%'")
    existing = cr.fetchone()[0]
    if existing >= partners:
        return existing
    user = env["res.users"].search([("login", "=", BENCH_LOGIN)])
    if not user:
        user = env["res.users"].create(
            {
                "name": "Bench Agent",
                "login": BENCH_LOGIN,
                "simotel_extension": BENCH_EXTENSION,
                "groups_id": [(6, 0, [env.ref("base.group_user").id])],
            }
        )
    started = time.monotonic()
    cr.execute(
        """
        WITH rows AS (
            SELECT nextval('res_partner_id_seq') AS id, g
              FROM generate_series(%(first)s, %(last)s) AS g
        )
        INSERT INTO res_partner (
            id, commercial_partner_id, name, complete_name, active, type, is_company, partner_share, lang,
            mobile, ref, user_id, simotel_contract_ref, simotel_contract_start, simotel_contract_end,
            create_uid, write_uid, create_date, write_date
        )
        SELECT id, id, 'Bench ' || g, 'Bench ' || g, true, 'contact', false, true, 'en_US',
               '0912' || lpad(g::text, 7, '0'), (100000 + g)::text,
               CASE WHEN g %% 10 = 0 THEN %(user)s END,
               CASE WHEN g %% 3 IN (0, 1) THEN 'K-' || g END,
               CASE g %% 3 WHEN 0 THEN current_date - 365 WHEN 1 THEN current_date - 730 END,
               CASE g %% 3 WHEN 0 THEN current_date + 365 WHEN 1 THEN current_date - 365 END,
               1, 1, now() at time zone 'UTC', now() at time zone 'UTC'
          FROM rows
    """,
        {"first": existing + 1, "last": partners, "user": user.id},
    )
    print("inserted %d partners in %.0fs" % (partners - existing, time.monotonic() - started), flush=True)
    started = time.monotonic()
    env["res.partner"]._simotel_init_e164()
    print("E.164 columns filled in %.0fs" % (time.monotonic() - started), flush=True)
    cr.execute("ANALYZE res_partner")
    return partners


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--odoo-src", required=True)
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--partners", type=int, default=1_000_000)
    args = parser.parse_args()
    sys.path.insert(0, args.odoo_src)
    import odoo

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database])
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        build(env, args.partners)


if __name__ == "__main__":
    main()
