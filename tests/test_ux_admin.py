import base64
import json
import logging

from odoo.tests import HttpCase, tagged

from .common import inbound_settings
from .fake_simotel import FakeSimotel

USERNAME, PASSWORD = "simotel", "ux-admin-secret"


@tagged("post_install", "-at_install")
class TestAdminSeesWhatArrives(HttpCase):
    """An admin checking whether anything arrives from the PBX."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.write(inbound_settings((USERNAME, PASSWORD), simotel_inbound_ips=False))
        cls.api_call = cls.env["simotel.api.call"].create(
            {"name": "UX lookup", "code": "ux", "reply_format": "generic"}
        )

    def _load_action(self, xmlid):
        self.authenticate("admin", "admin")
        response = self.url_open(
            "/web/action/load",
            data=json.dumps({"params": {"action_id": xmlid}}),
            headers={"Content-Type": "application/json"},
        )
        return response.json()["result"]

    def test_events_menu_opens_every_event_with_help(self):
        action = self._load_action("simotel_connector.action_simotel_event")
        self.assertNotIn("search_default_failed", action["context"])
        self.assertIn("/simotel/sea", action["help"] or "")

    def test_lookup_log_rows_keep_the_time_of_each_lookup(self):
        token = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
        for number in ("09120000001", "09120000002", "09120000003"):
            self.url_open(
                "/simotel/lookup/ux",
                data=json.dumps({"src": number}),
                headers={"Authorization": f"Basic {token}", "Content-Type": "application/json"},
            )
        logs = self.env["simotel.lookup.log"].search([("api_call_id", "=", self.api_call.id)])
        self.assertEqual(logs.mapped("number"), ["09120000003", "09120000002", "09120000001"])
        dates = logs.mapped("create_date")
        self.assertEqual(len(set(dates)), 3, "each row keeps the time of its own lookup, to the sub-second")
        self.assertEqual(dates, sorted(dates, reverse=True))

    def test_periodic_sync_skips_a_company_without_pbx_silently(self):
        self.company.sudo().write({"simotel_server_url": False, "simotel_backfill": True})
        cron = self.env.ref("simotel_connector.ir_cron_simotel_call_backfill")
        with self.assertNoLogs("odoo.addons.simotel_connector", logging.WARNING):
            cron.method_direct_trigger()
        self.assertFalse(self.company.simotel_last_sync)

    def test_periodic_sync_is_off_for_a_new_company(self):
        company = self.env["res.company"].create({"name": "New branch"})
        self.assertFalse(company.simotel_backfill)

    def test_extension_placeholder_is_not_a_value(self):
        for xmlid in ("base.view_users_form", "base.view_users_form_simple_modif"):
            arch = self.env["res.users"].get_view(self.env.ref(xmlid).id)["arch"]
            self.assertNotIn('placeholder="557"', arch)

    def test_test_connection_with_unsaved_edits_saves_and_tests(self):
        with FakeSimotel() as fake:
            fake.configure_company(self.company)
            self.start_tour(
                "/web#action=simotel_connector.action_simotel_config_settings",
                "simotel_connector.settings_unsaved_test",
                login="admin",
            )
            self.assertEqual([r["service"] for r in fake.requests], ["setting/ping/act"])
        self.assertEqual(self.company.simotel_timeout, 7.0)
