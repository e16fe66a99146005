import secrets
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from ..models import simotel_call
from ..tools import sea
from . import sea_samples as samples
from .fake_simotel import FakeSimotel

CALL_LOGGER = simotel_call.__name__


@tagged("post_install", "-at_install")
class TestSyncReliability(HttpCase):
    """Call sync: a bad row is skipped and logged, the others land; a failing company does not stop the others;
    the last sync only moves over what was read."""

    def setUp(self):
        super().setUp()
        self.company = self.env.company
        self.company.write(
            {
                "country_id": self.env.ref("base.ir").id,
                "simotel_tz": "Asia/Tehran",
                "simotel_backfill": True,
                "simotel_backfill_days": 1,
            }
        )
        self.fake = self.enterContext(FakeSimotel())
        self.fake.configure_company(self.company)
        self.Call = self.env["simotel.call"]
        self.now = fields.Datetime.now().replace(second=0, microsecond=0)

    def row(self, cuid, minutes_ago, **values):
        """A report row of a call that started ``minutes_ago`` (PBX local time, as SA sends it)."""
        start = sea.format_local(self.now - timedelta(minutes=minutes_ago), "Asia/Tehran") + ":00"
        return {**samples.report_row(cuid, start), **values}

    def call_of(self, unique_id, company=None):
        return self.Call.search([("unique_id", "=", unique_id), ("company_id", "=", (company or self.company).id)])

    def press_sync(self):
        """The "Sync calls" button of the settings, pressed by the administrator."""
        settings = self.env["res.config.settings"].create({})
        self.authenticate("admin", "admin")
        action = self.make_jsonrpc_request(
            "/web/dataset/call_button",
            {
                "model": "res.config.settings",
                "method": "action_simotel_sync_calls",
                "args": [[settings.id]],
                "kwargs": {},
            },
        )
        self.env.invalidate_all()
        return action["params"]

    def test_bad_rows_are_skipped_and_logged_the_others_land(self):
        hostile = {
            "bad.type": self.row("bad.type", 50, src={"a": 1}),  # malformed: refused when read
            "bad.nul": self.row("bad.nul", 40, src="0912\x00123"),  # PostgreSQL refuses NUL bytes
            "bad.far": self.row("bad.far", 30, endtime="9999-12-31T23:59:59-10:00"),  # no such date in UTC
        }
        long_id = secrets.token_hex(1900)  # over the size of a unique index entry
        hostile[long_id] = self.row(long_id, 20)
        self.fake.cdr_rows = [
            self.row("good.1", 55),
            "junk",
            *hostile.values(),
            self.row("good.2", 25),
            self.row("good.3", 5),
        ]
        with self.assertLogs(CALL_LOGGER, "WARNING") as logs:
            notification = self.press_sync()
        self.assertEqual([bool(self.call_of("good.%d" % n)) for n in (1, 2, 3)], [True] * 3)
        skipped = [line for line in logs.output if "skipped" in line]
        self.assertGreaterEqual(len(skipped), 2, logs.output)
        self.assertEqual(notification["type"], "warning")
        self.assertIn("3 new", notification["message"])
        self.assertIn("could not be read (see the server log): %d." % len(skipped), notification["message"])
        self.assertFalse(self.call_of("bad.type"))
        for unique_id in ("bad.nul", long_id):
            self.assertFalse(self.call_of(unique_id), "refused by the database: skipped")
        self.assertGreaterEqual(self.company.simotel_last_sync, self.now, "every page read: synced until now")

    def test_page_limit_is_reported_and_the_mark_stays_on_what_was_read(self):
        self.patch(type(self.Call), "_simotel_backfill_page_size", 2)
        self.patch(type(self.Call), "_simotel_backfill_max_pages", 2)
        self.fake.cdr_rows = [self.row("page.%d" % n, 70 - 10 * n) for n in range(7)]
        with self.assertLogs(CALL_LOGGER, "WARNING") as logs:
            notification = self.press_sync()
        self.assertIn("stopped after 2 pages", logs.output[0])
        self.assertEqual(notification["type"], "warning")
        self.assertIn("The sync stopped after 2 pages", notification["message"])
        self.assertEqual(self.call_of("page.3").start, self.now - timedelta(minutes=40))
        self.assertFalse(self.call_of("page.4"), "not read")
        self.assertEqual(self.company.simotel_last_sync, self.call_of("page.3").start, "the start of the last row read")
        # The next (hourly) sync reads on from there.
        self.patch(type(self.Call), "_simotel_backfill_max_pages", 10)
        self.Call._cron_backfill()
        self.assertEqual(len(self.Call.search([("unique_id", "like", "page.")])), 7)
        self.assertGreater(self.company.simotel_last_sync, self.now - timedelta(minutes=1))

    def test_a_failing_company_does_not_stop_the_others(self):
        failing = self.env["res.company"].create(
            {
                "name": "Failing Co",
                "sequence": -100,  # synced first
                "simotel_backfill": True,
                "simotel_backfill_days": 10**7,  # no such date: the sync raises (not a Simotel error)
            }
        )
        self.fake.configure_company(failing)
        self.fake.cdr_rows = [self.row("other.1", 30)]
        self.assertEqual(self.env["res.company"].search([("simotel_backfill", "=", True)])[0], failing)
        with self.assertLogs(CALL_LOGGER, "ERROR") as logs:
            self.Call._cron_backfill()
        self.assertIn("Simotel sync of company %d failed" % failing.id, logs.output[0])
        self.assertFalse(failing.simotel_last_sync)
        self.assertTrue(self.call_of("other.1"), "the next company was synced")
        self.assertTrue(self.company.simotel_last_sync)
