from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged

from ..tools.sql import create_index


@tagged("post_install", "-at_install")
class TestLargeTables(TransactionCase):
    """The queries that must stay fast on tables of millions of rows reach their rows through an index.

    Sequential scans are disabled for the plan, so an index is used whenever one fits: a plan that
    still scans the table sequentially means no index serves the query.
    """

    def sent(self, action):
        """The queries ``action()`` sends on simotel_call, as ``(sql, params)``."""
        queries, execute = [], self.env.cr.execute

        def recording(query, params=None, log_exceptions=True):
            queries.append((query, params))
            return execute(query, params, log_exceptions)

        self.env.cr.execute = recording
        try:
            action()
        finally:
            del self.env.cr.execute
        return [
            (getattr(query, "code", query), getattr(query, "params", params))
            for query, params in queries
            if "simotel_call" in str(getattr(query, "code", query))
        ]

    def plan(self, query, params=()):
        self.env.cr.execute("SET LOCAL enable_seqscan = off")
        self.env.cr.execute("EXPLAIN " + query, params)
        plan = "\n".join(row[0] for row in self.env.cr.fetchall())
        self.env.cr.execute("SET LOCAL enable_seqscan = on")
        return plan

    def assertIndexed(self, query, params=()):
        plan = self.plan(query, params)
        self.assertNotIn("Seq Scan", plan, plan)
        return plan

    def test_retention_deletes_use_indexes(self):
        now = fields.Datetime.now()
        for table, where, params in (
            ("simotel_lookup_log", "create_date < (now() at time zone 'UTC') - %s * interval '1 day'", [30]),
            ("simotel_screen_pop", "create_date < %s", [now - timedelta(days=2)]),
            (
                "simotel_event",
                "received_at < %s AND company_id = %s AND state IN ('done', 'ignored')",
                [now - timedelta(days=30), self.env.company.id],
            ),
        ):
            with self.subTest(table=table):
                self.assertIndexed("SELECT id FROM %s WHERE %s LIMIT 10000" % (table, where), params)

    def test_retention_deletes_in_batches(self):
        Pop = self.env["simotel.screen.pop"]
        user = self.env.user
        old = fields.Datetime.now() - timedelta(days=3)
        pops = Pop.create(
            [{"company_id": self.env.company.id, "user_id": user.id, "unique_id": "gc.%d" % n} for n in range(5)]
        )
        recent = Pop.create({"company_id": self.env.company.id, "user_id": user.id, "unique_id": "gc.recent"})
        self.env.cr.execute("UPDATE simotel_screen_pop SET create_date = %s WHERE id = ANY(%s)", [old, pops.ids])
        Pop._gc_screen_pops(batch_size=2)
        self.assertFalse(pops.exists())
        self.assertEqual(recent.exists(), recent)

    def test_my_calls_read_one_index(self):
        """ "My calls", list and pivot, as the web client asks them: through the user's index."""
        agent = self.env["res.users"].create(
            {
                "name": "Agent",
                "login": "large_tables_agent",
                "groups_id": [(6, 0, [self.env.ref("simotel_connector.group_simotel_user").id])],
            }
        )
        # A table where a user's calls are a small share, analyzed.
        self.env.cr.execute(
            """
            INSERT INTO simotel_call (company_id, unique_id, state, direction, start, disposition, missed,
                                      talk_seconds, user_id, create_uid, write_uid, create_date, write_date)
            SELECT %(company)s, 'large.' || n, 'done', 'inbound', now() - n * interval '1 minute',
                   'answered', false, 30, CASE WHEN n %% 20 = 0 THEN %(agent)s ELSE %(other)s END,
                   1, 1, now(), now()
              FROM generate_series(1, 4000) AS n
            """,
            {"company": self.env.company.id, "agent": agent.id, "other": self.env.ref("base.user_admin").id},
        )
        self.env.cr.execute("ANALYZE simotel_call")
        # On a few thousand rows not vacuumed yet, the index of the company (every row) costs as little as
        # any: without it (dropped in this transaction only), the plan shows which index of the user serves.
        self.env.cr.execute("DROP INDEX simotel_call__company_id_index")
        Call = self.env["simotel.call"].with_user(agent)
        mine = [("user_id", "=", agent.id)]
        spec = {"start": {}, "disposition": {}, "talk_seconds": {}, "user_id": {"fields": {"display_name": {}}}}
        for name, action in (
            (
                "list",
                lambda: Call.web_search_read(mine, spec, limit=80, order="start desc, id desc", count_limit=10001),
            ),
            ("pivot", lambda: Call.read_group(mine, ["talk_seconds:sum"], ["start:day", "disposition"], lazy=False)),
        ):
            with self.subTest(view=name):
                # The searches by user (the fields of the 80 rows found are then read by id).
                queries = [(query, params) for query, params in self.sent(action) if '"user_id" = ' in query]
                self.assertTrue(queries)
                for query, params in queries:
                    self.env.cr.execute("SET LOCAL enable_bitmapscan = off")
                    plan = self.assertIndexed(query, params)
                    self.env.cr.execute("SET LOCAL enable_bitmapscan = on")
                    # Only the index: the record rule's columns too (a user's own calls or their customers').
                    self.assertIn("Index Only Scan using simotel_call_user_start_index", plan)

    def test_an_index_covering_other_columns_is_rebuilt(self):
        """An update brings an index of an older version (other covered columns) to the current one, once."""
        cr = self.env.cr

        def index():
            cr.execute(
                "SELECT c.oid, pg_get_indexdef(c.oid) FROM pg_class c WHERE c.relname = 'simotel_call_user_start_index'"
            )
            return cr.fetchone()

        cr.execute("DROP INDEX simotel_call_user_start_index")
        create_index(cr, "simotel_call_user_start_index", "simotel_call", ["user_id"], include=["company_id"])
        self.env["simotel.call"].init()
        oid, definition = index()
        self.assertIn("INCLUDE (company_id, disposition, talk_seconds, salesperson_id)", definition)
        self.env["simotel.call"].init()
        self.assertEqual(index()[0], oid, "an index already current is left as it is")
