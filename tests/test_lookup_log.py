import time

import psycopg2

from odoo import sql_db
from odoo.tests import TransactionCase, tagged

from odoo.addons.simotel_connector.models import simotel_lookup_log


class OutsideRegistry:
    """The part of a registry the writer uses, on real connections outside the test transaction.

    ``unreachable`` first connections fail as when PostgreSQL is down.
    """

    def __init__(self, db_name, unreachable=0):
        self.db_name = db_name
        self.unreachable = unreachable

    def in_test_mode(self):
        return False

    def cursor(self):
        if self.unreachable:
            self.unreachable -= 1
            raise psycopg2.OperationalError("connection refused")
        return sql_db.db_connect(self.db_name).cursor()


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

    def _row(self, number, partner_id=None, api_call_id=None):
        return (
            api_call_id or self.api_call_id,
            number,
            None,
            "1.1",
            partner_id,
            200,
            "known=1",
            3,
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
        writer = simotel_lookup_log.LookupLogWriter()
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
        writer = simotel_lookup_log.LookupLogWriter()
        writer._queue(registry, self._row("0921"))
        with self.assertLogs(simotel_lookup_log.__name__, "WARNING"):
            writer.flush()
        self.assertEqual(self._written(timeout=0), [])
        writer.flush()
        self.assertEqual(self._written(timeout=0), [("0921", None, self.env.company.id)])

    def test_rows_of_a_database_no_longer_served_are_dropped(self):
        registry = OutsideRegistry("simotel_no_such_database", unreachable=1)
        writer = simotel_lookup_log.LookupLogWriter()
        writer._queue(registry, self._row("0931"))
        with self.assertLogs(simotel_lookup_log.__name__, "WARNING") as logs:
            writer.flush()
        self.assertIn("no longer served, 1 rows dropped", logs.output[0])
        self.assertEqual(registry.unreachable, 1, "no connection was tried")
        writer.flush()
        self.assertEqual(dict(writer._rows), {})
