"""Benchmark databases with many partners, shared by the scripts in benchmarks/.

One database per size (``simotel_bench_100k``, ``simotel_bench_1m``, ...), kept
between runs so every benchmark reuses it; ``rebuild=True`` (``--rebuild`` on
the scripts) drops and rebuilds it. A build is the honest install measurement:

1. a fresh database with ``crm`` and ``sms`` (``sms`` gives res.partner Odoo
   core's ``phone_mobile_search``), without demo data;
2. N partners inserted set-based (``INSERT ... SELECT generate_series``) with
   Iranian numbers stored the ways users type them;
3. ``odoo-bin -i simotel_connector`` on that database, timed; its
   ``post_init_hook`` fills the E.164 columns with ``_simotel_init_e164()``.

Usage from another benchmark::

    from _dataset import ensure_database, open_env
    db = ensure_database(partners=1_000_000)
    with open_env(db) as env:
        env["res.partner"]._simotel_find_partner("09121234567", env.company)
"""

import argparse
import contextlib
import hashlib
import os
import re
import subprocess
import sys
import time

from _odoo import CONF, HOME, ODOO_SRC, PYTHON, REPO, database_exists, psql

# Same per-checkout addons link as scripts/dev.sh (CONF is its odoo.conf).
ADDONS = CONF.parent / "addons"

# Bump when the generated data changes: existing benchmark databases are then rebuilt.
DATASET_VERSION = "2"
BASE_MODULES = "crm,sms"
MODULE = "simotel_connector"
PARAM_PREFIX = "simotel_bench."


def argument_parser(doc, partners=1_000_000):
    """A parser with ``--partners`` (the size of the benchmark database) and ``doc`` as description."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--partners", type=int, default=partners, help="partners of the benchmark database")
    return parser


def say(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def db_name(partners):
    """``simotel_bench_1m`` for 1,000,000 partners, ``simotel_bench_100k`` for 100,000."""
    if partners % 1_000_000 == 0:
        suffix = f"{partners // 1_000_000}m"
    elif partners % 1000 == 0:
        suffix = f"{partners // 1000}k"
    else:
        suffix = str(partners)
    return f"simotel_bench_{suffix}"


def write_config():
    """The addons link and odoo.conf of this checkout (what ``scripts/dev.sh`` writes)."""
    ADDONS.mkdir(parents=True, exist_ok=True)
    (HOME / "data").mkdir(parents=True, exist_ok=True)
    link = ADDONS / MODULE
    if link.is_symlink() or link.exists():
        if os.readlink(link) != str(REPO):
            link.unlink()
    if not link.is_symlink():
        link.symlink_to(REPO)
    user = subprocess.run(["id", "-un"], capture_output=True, text=True, check=True).stdout.strip()
    CONF.write_text(
        "[options]\n"
        f"addons_path = {ODOO_SRC}/addons,{ODOO_SRC}/odoo/addons,{ADDONS}\n"
        f"data_dir = {HOME}/data\n"
        "db_host = False\ndb_port = False\n"
        f"db_user = {user}\n"
        "list_db = True\n"
    )
    return CONF


def module_checksum():
    """Hash of the module's code and data files, to notice a checkout that changed since the build."""
    digest = hashlib.sha256()
    for path in sorted(REPO.rglob("*")):
        if path.suffix in (".py", ".xml", ".csv") and not {"tests", "benchmarks", "scripts"} & set(
            path.relative_to(REPO).parts
        ):
            digest.update(str(path.relative_to(REPO)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _params(db):
    if not database_exists(db):
        return {}
    rows = psql(db, f"SELECT key, value FROM ir_config_parameter WHERE key LIKE '{PARAM_PREFIX}%'")
    pairs = (line.split("|", 1) for line in rows.splitlines() if line)
    return {key[len(PARAM_PREFIX) :]: value for key, value in pairs}


def _set_params(db, **values):
    for key, value in values.items():
        psql(
            db,
            "INSERT INTO ir_config_parameter (key, value, create_uid, write_uid, create_date, write_date) "
            f"VALUES ('{PARAM_PREFIX}{key}', '{value}', 1, 1, now(), now()) "
            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, write_date = now()",
        )


def odoo_bin(db, *args):
    """Run odoo-bin on ``db`` until init ends; return (seconds, log text)."""
    cmd = [
        str(PYTHON),
        str(ODOO_SRC / "odoo-bin"),
        "-c",
        str(write_config()),
        "-d",
        db,
        "--stop-after-init",
        "--no-http",
        "--without-demo=all",
        "--log-level=info",
        *args,
    ]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode:
        sys.stderr.write(proc.stderr[-5000:])
        raise RuntimeError(f"odoo-bin {' '.join(args)} failed on {db}")
    return seconds, proc.stderr


# Iranian mobile prefixes (without the trunk 0) and landline area codes.
_MOBILE_PREFIXES = ["912", "913", "919", "935", "936", "939", "901", "902", "921", "990", "911", "917"]
_AREA_CODES = [
    "21",
    "26",
    "31",
    "41",
    "51",
    "71",
    "11",
    "13",
    "17",
    "24",
    "34",
    "38",
    "44",
    "45",
    "54",
    "56",
    "58",
    "61",
    "66",
    "74",
    "76",
    "77",
    "81",
    "83",
    "84",
    "86",
    "87",
]
_FIRST = [
    "Ali",
    "Reza",
    "Sara",
    "Maryam",
    "Mohammad",
    "Zahra",
    "Hossein",
    "Fatemeh",
    "Mehdi",
    "Narges",
    "علی",
    "رضا",
    "مریم",
    "زهرا",
    "حسین",
    "نرگس",
]
_LAST = [
    "Ahmadi",
    "Hosseini",
    "Karimi",
    "Rezaei",
    "Moradi",
    "Mohammadi",
    "Jafari",
    "Rahimi",
    "احمدی",
    "حسینی",
    "کریمی",
    "رضایی",
    "محمدی",
    "جعفری",
]


def _array(values):
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


# One written form of an Iranian national significant number x (mobile 912xxxxxxx
# or landline 21xxxxxxxx), chosen by style 0-7: the ways people type numbers.
_FORMAT_FUNCTION = r"""
CREATE FUNCTION pg_temp.ir_number(x text, style int, landline bool) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE style
        WHEN 0 THEN '0' || x
        WHEN 1 THEN CASE WHEN landline THEN '0' || substr(x, 1, 2) || ' ' || substr(x, 3, 4) || ' ' || substr(x, 7)
                         ELSE '0' || substr(x, 1, 3) || ' ' || substr(x, 4, 3) || ' ' || substr(x, 7) END
        WHEN 2 THEN CASE WHEN landline THEN '+98 ' || substr(x, 1, 2) || ' ' || substr(x, 3, 4) || ' ' || substr(x, 7)
                         ELSE '+98 ' || substr(x, 1, 3) || ' ' || substr(x, 4, 3) || ' ' || substr(x, 7) END
        WHEN 3 THEN '+98' || x
        WHEN 4 THEN '0098' || x
        WHEN 5 THEN CASE WHEN landline THEN '0' || substr(x, 1, 2) || '-' || substr(x, 3)
                         ELSE '0' || substr(x, 1, 3) || '-' || substr(x, 4, 3) || '-' || substr(x, 7) END
        WHEN 6 THEN translate('0' || x, '0123456789', '۰۱۲۳۴۵۶۷۸۹')
        ELSE CASE WHEN landline THEN '(0' || substr(x, 1, 2) || ') ' || substr(x, 3)
                  ELSE '(0' || substr(x, 1, 3) || ') ' || substr(x, 4, 3) || ' '
                       || substr(x, 7, 2) || ' ' || substr(x, 9) END
    END
$$;
CREATE FUNCTION pg_temp.h(salt text, i bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$ SELECT ('x' || substr(md5(salt || i::text), 1, 8))::bit(32)::bigint $$;
"""

# Blocks of 10 partners: position 0 is a company, 1-3 its contacts (1 and 3
# share the company's landline, written differently), 4-9 individuals with
# their own mobile (5 also a landline), some foreign with their country set,
# some without any number, a few archived.
_INSERT = """
WITH s AS (
    SELECT i, i / 10 AS g, i %% 10 AS p,
           pg_temp.h('m', i) AS hm, pg_temp.h('s', i) AS hs,
           pg_temp.h('l', i / 10) AS hl, pg_temp.h('o', i) AS ho, pg_temp.h('n', i) AS hn
      FROM generate_series(%(start)s, %(stop)s - 1) AS i
), n AS (
    SELECT s.*,
           %(base)s + i AS pid,
           %(base)s + g * 10 AS company_pid,
           (%(prefixes)s)[1 + hm %% %(n_prefixes)s] || lpad((hs %% 10000000)::text, 7, '0') AS mob,
           (%(areas)s)[1 + hl %% %(n_areas)s] || (2 + (hl / 100) %% 7)::text
               || lpad(((hl / 1000) %% 10000000)::text, 7, '0') AS land,
           (%(areas)s)[1 + ho %% %(n_areas)s] || (2 + (ho / 100) %% 7)::text
               || lpad(((ho / 1000) %% 10000000)::text, 7, '0') AS own_land,
           (%(first)s)[1 + hn %% %(n_first)s] || ' ' || (%(last)s)[1 + (hn / 100) %% %(n_last)s] AS person,
           p = 9 AND g %% 3 = 0 AS foreign_,
           p = 8 AND g %% 4 = 0 AS no_number
      FROM s
)
INSERT INTO res_partner (
    id, name, complete_name, parent_id, commercial_partner_id, is_company, type, active, lang,
    company_id, country_id, phone, mobile, email, ref, partner_share,
    create_uid, write_uid, create_date, write_date)
SELECT pid,
       CASE WHEN p = 0 THEN 'Company ' || g ELSE person END,
       CASE WHEN p = 0 THEN 'Company ' || g
            WHEN p <= 3 THEN 'Company ' || g || ', ' || person
            ELSE person END,
       CASE WHEN p BETWEEN 1 AND 3 THEN company_pid END,
       CASE WHEN p BETWEEN 1 AND 3 THEN company_pid ELSE pid END,
       p = 0,
       'contact',
       NOT (p = 6 AND g %% 50 = 7),
       'en_US',
       CASE WHEN g %% 10 = 3 THEN %(company_id)s END,
       CASE WHEN foreign_ THEN (ARRAY[%(de)s, %(ae)s, %(tr)s])[1 + (g / 3) %% 3] END,
       CASE WHEN no_number THEN NULL
            WHEN foreign_ AND (g / 3) %% 3 = 0 THEN '030 ' || lpad((hs %% 10000000)::text, 7, '0')
            WHEN foreign_ THEN NULL
            WHEN p IN (0, 1) THEN pg_temp.ir_number(land, ((g + p * 3) %% 8)::int, true)
            WHEN p = 3 THEN pg_temp.ir_number(land, ((g + 5) %% 8)::int, true)
            WHEN p = 5 THEN pg_temp.ir_number(own_land, ((i / 10 + 1) %% 8)::int, true)
       END,
       CASE WHEN no_number THEN NULL
            WHEN foreign_ AND (g / 3) %% 3 = 1 THEN '+971 50 ' || lpad((hs %% 10000000)::text, 7, '0')
            WHEN foreign_ AND (g / 3) %% 3 = 2 THEN '0532 ' || lpad((hs %% 10000000)::text, 7, '0')
            WHEN foreign_ THEN NULL
            WHEN p = 0 AND g %% 2 = 0 THEN pg_temp.ir_number(mob, (g %% 8)::int, false)
            WHEN p = 0 OR p = 1 THEN NULL
            ELSE pg_temp.ir_number(mob, ((i * 3 + g) %% 8)::int, false)
       END,
       CASE WHEN i %% 3 = 0 THEN 'p' || i || '@example.com' END,
       (100000 + i)::text,
       true, 1, 1, now(), now()
  FROM n
"""


def _insert_partners(db, partners, chunk=100_000):
    """Insert ``partners`` rows set-based; return seconds taken.

    One transaction per ``chunk`` rows: a transaction of minutes would hold
    back the cluster's xmin horizon, which makes indexes just created in other
    databases (the test databases of other checkouts) unusable meanwhile.
    """
    import psycopg2

    start = time.perf_counter()
    with contextlib.closing(psycopg2.connect(dbname=db)) as conn, conn.cursor() as cr:
        cr.execute("SELECT code, id FROM res_country WHERE code IN ('DE', 'AE', 'TR')")
        countries = dict(cr.fetchall())
        cr.execute("SELECT min(id) FROM res_company")
        company_id = cr.fetchone()[0]
        cr.execute("SELECT coalesce(max(id), 0) + 1 FROM res_partner")
        base = cr.fetchone()[0]
        cr.execute(_FORMAT_FUNCTION)
        conn.commit()
        values = {
            "base": int(base),
            "company_id": int(company_id),
            "prefixes": _array(_MOBILE_PREFIXES),
            "n_prefixes": len(_MOBILE_PREFIXES),
            "areas": _array(_AREA_CODES),
            "n_areas": len(_AREA_CODES),
            "first": _array(_FIRST),
            "n_first": len(_FIRST),
            "last": _array(_LAST),
            "n_last": len(_LAST),
            "de": countries["DE"],
            "ae": countries["AE"],
            "tr": countries["TR"],
        }
        for first in range(0, partners, chunk):
            cr.execute(_INSERT % dict(values, start=first, stop=min(first + chunk, partners)))
            conn.commit()
        cr.execute("SELECT setval('res_partner_id_seq', (SELECT max(id) FROM res_partner))")
        conn.commit()
    psql(db, "VACUUM ANALYZE res_partner")
    return time.perf_counter() - start


SALESPERSON_LOGIN = "bench_salesperson"
SALESPERSON_EXTENSION = "120"


def _add_sales_data(db):
    """What the call-time answers read besides numbers: a salesperson on extension 120 for every tenth
    partner, an active contract on a third of the commercial entities and an expired one on another third."""
    with open_env(db) as env:
        user = env["res.users"].search([("login", "=", SALESPERSON_LOGIN)])
        if not user:
            user = env["res.users"].create(
                {
                    "name": "Bench Salesperson",
                    "login": SALESPERSON_LOGIN,
                    "simotel_extension": SALESPERSON_EXTENSION,
                    "groups_id": [(6, 0, [env.ref("base.group_user").id])],
                }
            )
        env.cr.execute(
            """
            UPDATE res_partner
               SET user_id = CASE WHEN id %% 10 = 0 THEN %(user)s END,
                   simotel_contract_ref = CASE WHEN id %% 3 IN (0, 1) THEN 'K-' || ref END,
                   simotel_contract_start = CASE id %% 3 WHEN 0 THEN current_date - 365
                                                         WHEN 1 THEN current_date - 730 END,
                   simotel_contract_end = CASE id %% 3 WHEN 0 THEN current_date + 365
                                                       WHEN 1 THEN current_date - 365 END
             WHERE ref IS NOT NULL AND (id %% 10 = 0 OR id %% 3 IN (0, 1))
            """,
            {"user": user.id},
        )
        env.cr.commit()


AGENT_PASSWORD = "bench-agent-pw"
FIRST_AGENT_EXTENSION = 301


def add_agents(env, count):
    """``count`` salespeople ``bench_agent_<n>`` on extensions 301, 302, ...; return their logins."""
    salesman = env.ref("sales_team.group_sale_salesman")
    logins = ["bench_agent_%d" % n for n in range(count)]
    existing = set(env["res.users"].with_context(active_test=False).search([("login", "in", logins)]).mapped("login"))
    env["res.users"].create(
        [
            {
                "name": "Bench Agent %d" % n,
                "login": login,
                "password": AGENT_PASSWORD,
                "simotel_extension": str(FIRST_AGENT_EXTENSION + n),
                "groups_id": [(6, 0, [salesman.id])],
            }
            for n, login in enumerate(logins)
            if login not in existing
        ]
    )
    return logins


def insert_calls(db, count, prefix="old.", chunk=1_000_000, spread=None):
    """Insert ``count`` finished inbound calls set-based, newest first (call ``n`` started ``n`` seconds ago,
    or ``n * spread / count`` seconds ago), one in ten missed; one transaction per ``chunk`` calls.

    With ``spread`` the calls also go to the users with an extension and to the partners of the dataset,
    in turn, as a call center's history does."""
    started = time.perf_counter()
    users = psql(db, "SELECT string_agg(id::text, ',') FROM res_users WHERE simotel_extension IS NOT NULL") or ""
    low_partner, high_partner = psql(db, "SELECT min(id), max(id) FROM res_partner WHERE ref IS NOT NULL").split("|")
    low_partner, partners = int(low_partner or 0), int(high_partner or 0) - int(low_partner or 0) + 1
    for low in range(1, count + 1, chunk):
        high = min(low + chunk - 1, count)
        ago = "n" if spread is None else f"n * {float(spread) / count}"
        user = f"(ARRAY[{users}]::int[])[1 + n % {len(users.split(','))}]" if spread and users else "NULL"
        partner = f"CASE WHEN n % 5 <> 0 THEN {low_partner} + n % {partners} END" if spread else "NULL"
        psql(
            db,
            f"""
            INSERT INTO simotel_call (company_id, unique_id, state, source, direction, caller_number, callee_number,
                                      external_number, external_e164, extension, start, "end", duration_seconds,
                                      talk_seconds, wait_seconds, disposition, missed, user_id, partner_id,
                                      create_uid, write_uid, create_date, write_date)
            SELECT 1, '{prefix}' || n, 'done', 'sea', 'inbound', '0936' || lpad(n::text, 7, '0'), '557',
                   '0936' || lpad(n::text, 7, '0'), '+98936' || lpad(n::text, 7, '0'), '557',
                   now() - ({ago} || ' seconds')::interval,
                   now() - ({ago} || ' seconds')::interval + interval '1 minute',
                   60, 50, 10, CASE WHEN n % 10 = 0 THEN 'no_answer' ELSE 'answered' END, n % 10 = 0,
                   {user}, {partner}, 1, 1, now(), now()
              FROM generate_series({low}, {high}) AS n
            """,
        )
    # Existing calls are old data: vacuumed, analyzed and on disk, not work left for the measurement.
    psql(db, "VACUUM ANALYZE simotel_call")
    psql(db, "CHECKPOINT")
    return time.perf_counter() - started


def _install_seconds_from_log(log):
    match = re.search(r"normalized (\d+) res\.partner numbers in ([\d.]+) s", log)
    return (int(match.group(1)), float(match.group(2))) if match else (None, None)


def build_database(partners, db=None):
    """Drop and build the benchmark database with ``partners`` partners (named ``db``, by default the
    one of that size); return its name."""
    db = db or db_name(partners)
    if database_exists(db):
        say(f"dropping {db}")
        subprocess.run(["dropdb", "--force", db], check=True)
    say(f"creating {db} with {BASE_MODULES} (no demo data)")
    seconds, _log = odoo_bin(db, "-i", BASE_MODULES)
    say(f"  {seconds:.0f} s")
    say(f"inserting {partners:,} partners set-based")
    insert_seconds = _insert_partners(db, partners)
    say(f"  {insert_seconds:.1f} s")
    say(f"installing {MODULE} on {partners:,} existing partners (odoo-bin -i {MODULE})")
    load_before, checksum = os.getloadavg()[0], module_checksum()  # the code installed, not the code at the end
    install_seconds, log = odoo_bin(db, "-i", MODULE)
    rows, normalize_seconds = _install_seconds_from_log(log)
    say(f"  install {install_seconds:.1f} s, of which E.164 normalization of {rows} partners: {normalize_seconds} s")
    _add_sales_data(db)
    psql(db, "VACUUM ANALYZE res_partner")
    _set_params(
        db,
        partners=partners,
        dataset_version=DATASET_VERSION,
        module_checksum=checksum,
        insert_seconds=f"{insert_seconds:.1f}",
        install_seconds=f"{install_seconds:.1f}",
        normalize_seconds=normalize_seconds,
        install_load=f"{load_before:.1f} to {os.getloadavg()[0]:.1f}",
    )
    return db


def ensure_database(partners=1_000_000, rebuild=False):
    """Name of a benchmark database with ``partners`` partners and simotel_connector installed.

    Reuses the existing database when it was built with the same size and
    dataset version; updates the module when this checkout's code changed
    since; builds it from scratch when missing or when ``rebuild`` is set.
    """
    write_config()
    db = db_name(partners)
    params = _params(db)
    if rebuild or params.get("partners") != str(partners) or params.get("dataset_version") != DATASET_VERSION:
        return build_database(partners)
    return update(db)


def update(db):
    """Update the module in ``db`` (a benchmark database or a copy of one) if this checkout's code changed
    since; return ``db``."""
    if _params(db).get("module_checksum") != module_checksum():
        say(f"{MODULE} changed since {db} was built: updating it (odoo-bin -u {MODULE})")
        seconds, _log = odoo_bin(db, "-u", MODULE)
        say(f"  {seconds:.1f} s")
        _set_params(db, module_checksum=module_checksum())
    return db


def build_info(db):
    """What the build of ``db`` measured: partners, insert/install/normalization seconds."""
    return _params(db)


def _setup_odoo():
    import odoo

    if not odoo.tools.config.get("addons_path", "").endswith(str(ADDONS)):
        odoo.tools.config.parse_config(["-c", str(write_config()), "--log-level=warn"])
    return odoo


@contextlib.contextmanager
def open_env(db, uid=None, context=None):
    """An Odoo environment on ``db`` (superuser by default); rolled back on exit."""
    if str(ODOO_SRC) not in sys.path:
        sys.path.insert(0, str(ODOO_SRC))
    odoo = _setup_odoo()
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, uid or odoo.SUPERUSER_ID, context or {})
        try:
            yield env
        finally:
            cr.rollback()


def sample_targets(env, count, seed=42):
    """Up to ``count`` (partner, e164) pairs a caller lookup must find, reproducibly chosen.

    Each number is held by exactly one active partner of a commercial entity
    (contacts included), plus company landlines shared by the company's
    contacts, whose expected answer is the company.
    """
    cr = env.cr
    cr.execute("SELECT setseed(%s)", (seed / 1000.0,))
    cr.execute(
        """
        WITH numbers AS (
            SELECT id, commercial_partner_id, simotel_phone_e164 AS e164 FROM res_partner
             WHERE active AND simotel_phone_e164 IS NOT NULL
            UNION ALL
            SELECT id, commercial_partner_id, simotel_mobile_e164 FROM res_partner
             WHERE active AND simotel_mobile_e164 IS NOT NULL
        ), grouped AS (
            SELECT e164, min(id) AS id, count(DISTINCT id) AS holders,
                   count(DISTINCT commercial_partner_id) AS entities, min(commercial_partner_id) AS entity
              FROM numbers GROUP BY e164
        )
        SELECT CASE WHEN holders = 1 THEN id ELSE entity END, e164
          FROM grouped
         WHERE entities = 1
         ORDER BY random()
         LIMIT %s
    """,
        (count,),
    )
    return [(env["res.partner"].browse(pid), e164) for pid, e164 in cr.fetchall()]
