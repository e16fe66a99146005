import importlib.util
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import psycopg2

from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from ..tools import sea
from . import sea_samples as samples
from .common import RealTransactionsCase, remove_committed


@tagged("post_install", "-at_install")
class TestCallBackRace(RealTransactionsCase):
    """Missed calls of one customer reported in real, concurrent transactions (two cron workers, or the
    cron and a call sync) give one open "Call back" activity.

    The test leaves Odoo's test mode, where every cursor shares the test transaction: each report gets
    its own transaction, so the database really arbitrates. Its data is committed, then removed.
    """

    def setUp(self):
        super().setUp()
        with self.committed_env() as env:
            company = env["res.company"].create(
                {
                    "name": "Call Back Race Co %s" % self.suffix,
                    "country_id": env.ref("base.ir").id,
                    "simotel_tz": "Asia/Tehran",
                    "simotel_missed_call_activity": True,
                }
            )
            salesperson = env["res.users"].create(
                {
                    "name": "Race Salesperson",
                    "login": "callback.race.%s" % self.suffix,
                    "company_id": company.id,
                    "company_ids": [(6, 0, company.ids)],
                    "groups_id": [(6, 0, [env.ref("sales_team.group_sale_salesman").id])],
                }
            )
            partner = env["res.partner"].create(
                {"name": "Racing Caller", "mobile": "09127770001", "user_id": salesperson.id}
            )
            self.company_id, self.user_id, self.partner_id = company.id, salesperson.id, partner.id
        self.addCleanup(self._remove_committed_data)

    def _remove_committed_data(self):
        with self.committed_env() as env:
            env.cr.execute(
                "DELETE FROM mail_activity WHERE res_model = 'res.partner' AND res_id = %s", [self.partner_id]
            )
            env.cr.execute("DELETE FROM mail_message WHERE model = 'res.partner' AND res_id = %s", [self.partner_id])
            env.cr.execute("DELETE FROM simotel_call WHERE company_id = %s", [self.company_id])
            remove_committed(
                env,
                env["res.partner"].browse(self.partner_id),
                env["res.users"].browse(self.user_id),
                env["res.company"].browse(self.company_id),
            )

    def report_missed_call(self, cuid, started):
        """One worker: its transaction begins, waits for the other one's to begin, then reads the report."""
        with self.committed_env() as env:
            env.cr.execute("SELECT 1")  # the transaction's snapshot: the other worker's commit is not in it
            started.wait(timeout=20)
            payload = sea.normalize(
                "Cdr",
                dict(
                    samples.CDR_INCOMING_V3,
                    cuid=cuid,
                    src="09127770001",
                    dst="557",
                    disposition="NO ANSWER",
                    billsec=0,
                ),
            )
            call, created = env["simotel.call"]._simotel_upsert_cdr(env["res.company"].browse(self.company_id), payload)
            return call.id, created

    def test_concurrent_missed_calls_give_one_call_back(self):
        started = threading.Barrier(2)
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = [pool.submit(self.report_missed_call, "race.%s.%d" % (self.suffix, n), started) for n in range(2)]
            results = [future.result(timeout=60) for future in futures]
        self.assertEqual([created for _id, created in results], [True, True], "both calls are recorded")
        with self.registry.cursor() as cr:
            cr.execute("SELECT count(*) FROM simotel_call WHERE company_id = %s AND missed", [self.company_id])
            self.assertEqual(cr.fetchone()[0], 2)
            cr.execute(
                """
                SELECT user_id, simotel_call_id FROM mail_activity
                 WHERE res_model = 'res.partner' AND res_id = %s AND simotel_call_id IS NOT NULL
                """,
                [self.partner_id],
            )
            activities = cr.fetchall()
            self.assertEqual(len(activities), 1, "one open call-back per customer and user")
            self.assertEqual(activities[0][0], self.user_id)
            self.assertIn(activities[0][1], [call_id for call_id, _created in results])
            cr.execute(
                """
                SELECT count(*) FROM mail_message
                 WHERE model = 'res.partner' AND res_id = %s AND message_type = 'notification'
                """,
                [self.partner_id],
            )
            self.assertGreaterEqual(cr.fetchone()[0], 2, "each call keeps its chatter note")


@tagged("post_install", "-at_install")
class TestCallBackUpgrade(TransactionCase):
    """Upgrading to 18.0.1.3.0: duplicate open call-backs are removed, then the unique index is created."""

    def run_pre_migration(self):
        path = os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations", "18.0.1.3.0", "pre-migration.py")
        spec = importlib.util.spec_from_file_location("pre_migration_1_3_0", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.migrate(self.env.cr, "18.0.1.2.0")

    def test_duplicates_are_removed_then_the_index_refuses_them(self):
        seller = new_test_user(self.env, "upgrade_seller", groups="sales_team.group_sale_salesman")
        other_seller = new_test_user(self.env, "upgrade_other", groups="sales_team.group_sale_salesman")
        partner = self.env["res.partner"].create({"name": "Twice Missed", "user_id": seller.id})
        calls = self.env["simotel.call"].create(
            [{"unique_id": "upgrade.%d" % n, "direction": "inbound", "partner_id": partner.id} for n in range(4)]
        )
        self.env.cr.execute("DROP INDEX mail_activity_simotel_call_back_uniq")  # as before the upgrade

        def call_back(call, user):
            return partner.activity_schedule(
                "mail.mail_activity_data_call", summary="Call back", user_id=user.id, simotel_call_id=call.id
            )

        first, second, third = call_back(calls[0], seller), call_back(calls[1], seller), call_back(calls[2], seller)
        kept_for_other = call_back(calls[3], other_seller)
        done = call_back(calls[3], seller)
        done.active = False  # a done activity of a type that keeps them
        plain = partner.activity_schedule("mail.mail_activity_data_call", summary="Call", user_id=seller.id)
        self.env.flush_all()
        with self.assertLogs(level="WARNING") as logs:
            self.run_pre_migration()
        self.assertIn("removed 2 duplicate open call-back activities", logs.output[0])
        self.assertNotIn("Twice Missed", logs.output[0])
        self.env.invalidate_all()
        self.assertEqual(
            (first | second | third | kept_for_other | done | plain).exists(), first | kept_for_other | done | plain
        )
        self.env["mail.activity"].init()
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.errors.UniqueViolation), self.env.cr.savepoint():
            call_back(calls[1], seller)
