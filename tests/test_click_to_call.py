import logging
import socket

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged

from ..tools import sea
from .common import fake_pbx, originate_body, originate_settings, persian, salesperson
from .fake_simotel import ERRORS, ORIGINATE


class ClickToCallCase:
    """A fake SA server, a company configured for it, a salesperson with extension 557."""

    def setUp(self):
        super().setUp()
        fake_pbx(self, **originate_settings(self.env))
        self.user = salesperson(self.env, "simotel_sales")
        self.partner = self.env["res.partner"].create({"name": "Customer", "phone": "0912 123 4567"})


@tagged("post_install", "-at_install")
class TestClickToCall(ClickToCallCase, TransactionCase):
    def call(self, record, field_name=None):
        """Click-to-call as the salesperson; fail if a secret reaches any log line."""
        logger = logging.getLogger("odoo.addons.simotel_connector")
        with self.assertLogs(logger, level="DEBUG") as logs:
            logger.debug("call")  # assertLogs needs at least one record
            try:
                return record.with_user(self.user).action_simotel_call(field_name)
            finally:
                text = "\n".join(logs.output)
                for secret in (self.fake.password, self.fake.api_key, "Basic "):
                    self.assertNotIn(secret, text)

    def assertNotification(self, action, kind, *words):
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(action["params"]["type"], kind)
        for word in words:
            self.assertIn(word, action["params"]["message"])

    def test_originate_sends_the_documented_request(self):
        action = self.call(self.partner, "phone")
        self.assertNotification(action, "success", "Calling 09121234567 from extension 557", "no call report")
        request = self.fake.requests[-1]
        self.assertEqual((request["method"], request["service"]), ("PUT", ORIGINATE))
        self.assertEqual(request["headers"]["Content-Type"], "application/json")
        self.assertEqual(request["headers"]["X-APIKEY"], self.fake.api_key)
        self.assertTrue(request["headers"]["Authorization"].startswith("Basic "))
        self.assertEqual(request["json"], originate_body("09121234567"))

    def test_default_number_is_phone_then_mobile(self):
        self.partner.write({"phone": False, "mobile": "+98 915 515 1515"})
        self.call(self.partner)
        self.assertEqual(self.fake.bodies(ORIGINATE)[-1]["callee"], "09155151515")
        self.partner.phone = "021 8888 1234"
        self.call(self.partner)
        self.assertEqual(self.fake.bodies(ORIGINATE)[-1]["callee"], "02188881234")
        self.call(self.partner, "mobile")
        self.assertEqual(self.fake.bodies(ORIGINATE)[-1]["callee"], "09155151515")

    def test_foreign_number_is_dialled_with_00(self):
        partner = self.env["res.partner"].create(
            {
                "name": "Berlin",
                "phone": "0151 2345 6789",
                "country_id": self.env.ref("base.de").id,
            }
        )
        action = self.call(partner)
        self.assertNotification(action, "success", "004915123456789")
        self.assertEqual(self.fake.bodies(ORIGINATE)[-1]["callee"], "004915123456789")

    def test_lead(self):
        lead = self.env["crm.lead"].create({"name": "Deal", "mobile": "989121234567", "user_id": self.user.id})
        action = self.call(lead)
        self.assertNotification(action, "success", "09121234567")
        self.assertEqual(self.fake.bodies(ORIGINATE)[-1]["callee"], "09121234567")

    def test_settings_drive_the_request(self):
        self.company.write(
            {
                "simotel_context": "outgoing_context",
                "simotel_trunk_name": False,
                "simotel_originate_timeout": 45,
                "simotel_originate_method": "POST",
                "simotel_auth_mode": "apikey",
            }
        )
        self.fake.methods[ORIGINATE] = "POST"
        self.fake.auth_mode = "apikey"
        self.assertNotification(self.call(self.partner), "success")
        request = self.fake.requests[-1]
        self.assertEqual(request["method"], "POST")
        self.assertNotIn("Authorization", request["headers"])
        self.assertEqual(
            request["json"],
            {
                "caller": "557",
                "callee": "09121234567",
                "context": "outgoing_context",
                "caller_id": "557",
                "timeout": "45",
            },
        )

    def test_sa_error_table_is_shown_to_the_user(self):
        expected = {
            "parse": "400",
            "auth_missing": "credentials are missing",
            "auth_invalid": "invalid credentials",
            "access_denied": "no permission",
            "ip_denied": "IP address",
            "not_found": "404",
            "method": "405",
            "media_type": "415",
            "no_service": "501",
        }
        self.assertEqual(set(expected), set(ERRORS))
        for name, words in expected.items():
            with self.subTest(error=name):
                self.fake.forced = name
                action = self.call(self.partner)
                self.assertNotification(action, "danger", words)
                self.assertTrue(action["params"]["sticky"])

    def test_wrong_method_setting_gives_405(self):
        self.company.simotel_originate_method = "POST"
        self.assertNotification(self.call(self.partner), "danger", "405")

    def test_success_zero_shows_simotel_message(self):
        self.fake.forced = (
            200,
            "application/json",
            b'{"success": 0, "message": "Requested operation failed", "data": null}',
        )
        self.assertNotification(self.call(self.partner), "danger", "Requested operation failed")

    def test_success_without_call_id_still_reports_the_call(self):
        self.fake.forced = (200, "application/json", b'{"success": 1, "message": null, "data": null}')
        self.assertNotification(self.call(self.partner), "success", "Calling 09121234567")

    def test_network_failures(self):
        self.fake.forced = (200, "text/html", b"<html>proxy login</html>")
        self.assertNotification(self.call(self.partner), "danger", "does not understand")
        self.fake.forced = None
        self.fake.delay = 1.0
        self.company.simotel_timeout = 0.2
        self.assertNotification(self.call(self.partner), "danger", "did not answer within")
        self.fake.delay = 0
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.company.simotel_server_url = f"http://127.0.0.1:{port}"
        self.assertNotification(self.call(self.partner), "danger", "Could not connect")

    def calls(self):
        return self.env["simotel.call"].search([("originated_call_id", "!=", False)])

    def test_call_record_is_completed_by_its_cdr(self):
        lead = self.env["crm.lead"].create(
            {"name": "Deal", "phone": "0912 123 4567", "partner_id": self.partner.id, "user_id": self.user.id}
        )
        self.call(lead)
        call = self.calls()
        self.assertEqual(len(call), 1)
        self.assertTrue(call.originated_call_id.startswith("orig.call."))
        self.assertRecordValues(
            call,
            [
                {
                    "state": "originated",
                    "source": "originate",
                    "direction": "outbound",
                    "user_id": self.user.id,
                    "partner_id": self.partner.id,
                    "lead_id": lead.id,
                    "company_id": self.company.id,
                    "extension": "557",
                    "caller_number": "557",
                    "callee_number": "09121234567",
                    "external_e164": "+989121234567",
                }
            ],
        )
        cdr = sea.normalize(
            "Cdr",
            {
                "event_name": "Cdr",
                "starttime": "2024-01-16 06:30:37.471398",
                "endtime": "2024-01-16 06:31:40",
                "src": "557",
                "dst": "09121234567",
                "type": "outgoing",
                "disposition": "ANSWERED",
                "duration": "63",
                "billsec": "55",
                "unique_id": "1705386637.378",
                "originated_call_id": call.originated_call_id,
            },
        )
        completed, _created = self.env["simotel.call"]._simotel_upsert_cdr(self.company, cdr)
        self.assertEqual(completed, call)
        self.assertEqual(self.env["simotel.call"].search_count([("company_id", "=", self.company.id)]), 1)
        self.assertRecordValues(
            call,
            [
                {
                    "state": "done",
                    "unique_id": "1705386637.378",
                    "disposition": "answered",
                    "talk_seconds": 55,
                    "user_id": self.user.id,
                    "partner_id": self.partner.id,
                    "lead_id": lead.id,
                }
            ],
        )

    def test_failed_originate_stores_no_call(self):
        self.fake.forced = "auth_invalid"
        self.call(self.partner)
        self.assertFalse(self.calls())

    def test_user_without_extension(self):
        self.user.simotel_extension = False
        with self.assertRaisesRegex(UserError, "no Simotel extension. Ask a Simotel administrator"):
            self.call(self.partner)
        self.assertFalse(self.fake.requests)

    def test_partner_without_number(self):
        self.partner.phone = False
        with self.assertRaisesRegex(UserError, "Customer has no phone number"):
            self.call(self.partner)
        self.partner.phone = "0912 123 4567"
        with self.assertRaisesRegex(UserError, "Customer has no phone number"):
            self.call(self.partner, "mobile")
        self.assertFalse(self.fake.requests)

    def test_number_that_cannot_be_parsed(self):
        for number in ("call me", "552", "0912"):
            with self.subTest(number=number):
                self.partner.phone = number
                with self.assertRaisesRegex(UserError, "cannot be dialled: not a valid phone number"):
                    self.call(self.partner)
        self.assertFalse(self.fake.requests)

    def test_only_phone_fields_can_be_called(self):
        with self.assertRaises(UserError):
            self.call(self.partner, "email")
        self.assertFalse(self.fake.requests)

    def test_views_offer_the_call(self):
        for model in ("res.partner", "crm.lead"):
            with self.subTest(model=model):
                views = self.env[model].with_user(self.user).get_views([(False, "form"), (False, "list")])["views"]
                self.assertIn('name="action_simotel_call"', views["form"]["arch"])
                self.assertRegex(views["list"]["arch"], r'<field name="phone"[^>]*widget="phone"')

    def test_user_outside_simotel_group_cannot_call(self):
        outsider = new_test_user(self.env, login="simotel_outsider", groups="base.group_user")
        outsider.simotel_extension = "558"
        with self.assertRaises(AccessError):
            self.partner.with_user(outsider).action_simotel_call()
        self.assertFalse(self.fake.requests)


@tagged("post_install", "-at_install")
class TestClickToCallTour(ClickToCallCase, HttpCase):
    def test_call_icons_in_partner_list_and_form(self):
        self.partner.write({"name": "Tour Customer", "mobile": "+98 915 515 1515"})
        self.start_tour(
            "/web#action=contacts.action_contacts&view_type=list", "simotel_click_to_call", login="simotel_sales"
        )
        self.assertEqual(self.fake.bodies(ORIGINATE), [originate_body("09121234567"), originate_body("09155151515")])
        self.assertEqual({r["method"] for r in self.fake.requests}, {"PUT"})

    def test_persian_web_client_is_right_to_left(self):
        persian(self, self.user)
        self.partner.name = "Tour Customer"
        self.start_tour(
            "/web#action=contacts.action_contacts&view_type=list", "simotel_persian_rtl", login="simotel_sales"
        )
        self.assertEqual([body["callee"] for body in self.fake.bodies(ORIGINATE)], ["09121234567"])
