import time

import psycopg2

from odoo import sql_db
from odoo.tests import TransactionCase, tagged

from odoo.addons.simotel_connector.tools import lookup_log_writer


class OutsideRegistry:
    """The part of a registry the writer uses, on real connections outside the test transaction.

    ``unreachable`` first connections fail as when PostgreSQL is down.
    """

    def __init__(self, db_name, unreachable=0):
        self.db_name = db_name
        self.unreachable = unreachable
        self.backend_pids = []  # PostgreSQL backend of each cursor given
        self.fail_over = 0  # the next cursors given lose their connection at once (server restarted, failed over)

    def in_test_mode(self):
        return False

    def cursor(self):
        if self.unreachable:
            self.unreachable -= 1
            raise psycopg2.OperationalError("connection refused")
        cr = sql_db.db_connect(self.db_name).cursor()
        pid = cr._cnx.get_backend_pid()
        self.backend_pids.append(pid)
        if self.fail_over:
            self.fail_over -= 1
            terminate_backend(self.db_name, pid)
        return cr


def terminate_backend(db_name, pid):
    """Terminate PostgreSQL backend ``pid`` (what a restart or a failover does to a connection) and wait for it."""
    connection = psycopg2.connect(**sql_db.connection_info_for(db_name)[1])  # outside Odoo's pool
    connection.autocommit = True
    try:
        with connection.cursor() as cr:
            cr.execute("SELECT pg_terminate_backend(%s)", [pid])
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                cr.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
                if not cr.fetchone():
                    return
                time.sleep(0.05)
    finally:
        connection.close()


@tagged("post_install", "-at_install")
class TestLookupLogWriter(TransactionCase):
    """Lookup rows are written behind the answers, by a thread, in one statement per second."""

    def setUp(self):
        super().setUp()
        self.registry_outside = OutsideRegistry(self.env.cr.dbname)
        with self.registry_outside.cursor() as cr:
            cr.execute(
                """
                INSERT INTO simotel_api_call
                    (name, code, company_id, reply_format, number_param, contract_source, active)
                VALUES ('Writer test', 'writer-test', %s, 'generic', 'src', 'fields', true) RETURNING id
            """,
                (self.env.company.id,),
            )
            self.api_call_id = cr.fetchone()[0]
            cr.execute("SELECT max(id) + 1000 FROM res_partner")
            self.deleted_partner_id = cr.fetchone()[0]
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry_outside.cursor() as cr:
            cr.execute("DELETE FROM simotel_api_call WHERE id = %s", (self.api_call_id,))

    def _row(self, number, partner_id=None, api_call_id=None, duration_ms=3, unique_id="1.1"):
        return (
            api_call_id or self.api_call_id,
            number,
            None,
            unique_id,
            partner_id,
            200,
            "known=1",
            duration_ms,
            "2026-11-23 10:00:00",
        )

    def _written(self, timeout=10):
        """Rows of the test API call once the writer has written ``count`` of them (or ``timeout`` passed)."""
        deadline = time.monotonic() + timeout
        while True:
            with self.registry_outside.cursor() as cr:
                cr.execute(
                    "SELECT number, partner_id, company_id FROM simotel_lookup_log WHERE api_call_id = %s "
                    "ORDER BY number",
                    (self.api_call_id,),
                )
                rows = cr.fetchall()
            if rows or time.monotonic() > deadline:
                return rows
            time.sleep(0.1)

    def test_thread_writes_rows_within_seconds(self):
        writer = lookup_log_writer.LookupLogWriter()
        writer.add(self.registry_outside, self._row("0911", partner_id=self.env.user.partner_id.id))
        writer.add(self.registry_outside, self._row("0912", partner_id=self.deleted_partner_id))
        writer.add(self.registry_outside, self._row("0913", api_call_id=self.api_call_id + 1000))
        started = time.monotonic()
        rows = self._written()
        self.assertLess(time.monotonic() - started, 5)
        self.assertEqual(
            rows,
            [
                ("0911", self.env.user.partner_id.id, self.env.company.id),
                ("0912", None, self.env.company.id),  # partner deleted since: empty, as ondelete set null
            ],
            "a deleted API call's rows are dropped, as ondelete cascade",
        )

    def test_rows_wait_while_database_is_unreachable(self):
        registry = OutsideRegistry(self.env.cr.dbname, unreachable=1)
        writer = lookup_log_writer.LookupLogWriter()
        writer._queue(registry, self._row("0921"))
        with self.assertLogs(lookup_log_writer.__name__, "WARNING"):
            writer.flush()
        self.assertEqual(self._written(timeout=0), [])
        writer.flush()
        self.assertEqual(self._written(timeout=0), [("0921", None, self.env.company.id)])

    def test_rows_of_a_database_no_longer_served_are_dropped(self):
        registry = OutsideRegistry("simotel_no_such_database", unreachable=1)
        writer = lookup_log_writer.LookupLogWriter()
        writer._queue(registry, self._row("0931"))
        with self.assertLogs(lookup_log_writer.__name__, "WARNING") as logs:
            writer.flush()
        self.assertIn("no longer served, 1 rows dropped", logs.output[0])
        self.assertEqual(registry.unreachable, 1, "no connection was tried")
        writer.flush()
        self.assertEqual(dict(writer._rows), {})

    def test_a_refused_row_does_not_drop_the_others(self):
        """Values are cleaned when queued (NUL bytes, lengths); a row PostgreSQL still refuses is dropped alone."""
        writer = lookup_log_writer.LookupLogWriter()
        registry = self.registry_outside
        writer._queue(registry, self._row("0951"))
        writer._queue(registry, self._row("09\x0052", unique_id="1.\x002"))  # NUL bytes: removed
        writer._queue(registry, self._row("0953", duration_ms=10**12))  # out of the column's range: refused
        writer._queue(registry, self._row("0954" + "5" * 5000, unique_id="9" * 5000))  # cut to the column's length
        with self.assertLogs(lookup_log_writer.__name__, "WARNING") as logs:
            writer.flush()
        self.assertEqual(len(logs.output), 1, logs.output)
        self.assertIn("1 of 4 rows of %s refused by the database and dropped" % self.env.cr.dbname, logs.output[0])
        self.assertIn("NumericValueOutOfRange", logs.output[0])
        rows = self._written(timeout=0)
        self.assertEqual([row[0][:8] for row in rows], ["0951", "0952", "09545555"])
        self.assertEqual(len(rows[2][0]), 64)
        self.assertEqual(dict(writer._rows), {}, "nothing left waiting")

    def test_writer_reconnects_after_failover(self):
        """The writer's pooled connection is terminated (database restarted or failed over), while idle in the
        pool and while the writer holds it: the rows are written through a new connection, in the same flush."""
        writer = lookup_log_writer.LookupLogWriter()
        registry = OutsideRegistry(self.env.cr.dbname)
        writer._queue(registry, self._row("0961"))
        writer.flush()
        self.assertEqual([row[0] for row in self._written(timeout=0)], ["0961"])
        idle = registry.backend_pids[-1]
        terminate_backend(self.env.cr.dbname, idle)  # idle in Odoo's pool
        writer._queue(registry, self._row("0962"))
        writer.flush()
        self.assertEqual([row[0] for row in self._written(timeout=0)], ["0961", "0962"])
        registry.fail_over = 1  # held by the writer
        writer._queue(registry, self._row("0963"))
        with self.assertNoLogs(lookup_log_writer.__name__, "WARNING"):
            writer.flush()
        self.assertEqual(dict(writer._rows), {}, "nothing left waiting")
        self.assertEqual([row[0] for row in self._written(timeout=0)], ["0961", "0962", "0963"])
        self.assertNotIn(registry.backend_pids[-1], (idle, registry.backend_pids[-2]), "a new connection")
