from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.simotel_connector.tools import inbound

from .common import iran_company


@tagged("post_install", "-at_install")
class TestLookupCaller(TransactionCase):
    """What a call-time lookup finds, and the in-memory settings it reads."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        iran_company(cls, simotel_phone_country_id=False)
        cls.sara = new_test_user(cls.env, "lookup_sara", groups="simotel_connector.group_simotel_user", name="Sara")
        cls.sara.simotel_extension = "120"
        cls.reza = new_test_user(cls.env, "lookup_reza", groups="simotel_connector.group_simotel_user", name="Reza")
        cls.reza.simotel_extension = "121"
        Partner = cls.env["res.partner"]
        today = fields.Date.context_today(Partner)
        cls.acme = Partner.create(
            {
                "name": "Acme",
                "is_company": True,
                "ref": "5001",
                "phone": "021 8812 3456",
                "user_id": cls.sara.id,
                "simotel_contract_ref": "C-1",
                "simotel_contract_end": today + timedelta(days=30),
            }
        )
        cls.john = Partner.create({"name": "John", "parent_id": cls.acme.id, "mobile": "0912 555 0001"})
        cls.mina = Partner.create(
            {
                "name": "Mina",
                "parent_id": cls.acme.id,
                "mobile": "0912 555 0002",
                "user_id": cls.reza.id,
                "ref": "5002",
            }
        )
        cls.numeric = Partner.create({"name": "Code Person", "ref": "09125550009"})
        cls.Partner = Partner

    def find(self, number="", code=""):
        return self.Partner._simotel_find_caller(self.company._simotel_settings(), number=number, code=code)

    def test_contact_gets_company_contract_and_salesperson(self):
        caller = self.find("+98 912 555 0001")
        self.assertEqual(caller.id, self.john.id)
        self.assertEqual(caller.commercial_id, self.acme.id)
        self.assertEqual((caller.name, caller.ref, caller.commercial_ref), ("John", "", "5001"))
        self.assertEqual(caller.contract_state, "active")
        self.assertEqual(caller.agent_extension, "120", "the company's salesperson")
        self.assertEqual(self.find("09125550002").agent_extension, "121", "the contact's own salesperson")

    def test_code_first_then_number_then_number_as_code(self):
        self.assertEqual(self.find("09125550001", code="۵۰۰۲").id, self.mina.id, "typed code wins")
        self.assertEqual(self.find("09125550001", code="9999").id, self.john.id, "unknown code: the number")
        self.assertEqual(self.find("09125550009").id, self.numeric.id, "no phone match: number as a code")
        self.assertEqual(self.find(code="5001").id, self.acme.id)
        self.assertIsNone(self.find("09129999999"))
        self.assertIsNone(self.find("120"), "extensions never match")
        self.assertIsNone(self.find())

    def test_several_partners_give_the_commercial_entity(self):
        self.Partner.create({"name": "Ali", "parent_id": self.acme.id, "mobile": "0912 555 0001"})
        caller = self.find("09125550001")
        self.assertEqual((caller.id, caller.name, caller.ref), (self.acme.id, "Acme", "5001"))
        self.assertEqual(caller.agent_extension, "120")

    def test_archived_or_changed_salesperson(self):
        self.assertEqual(self.find("09125550001").agent_extension, "120")
        self.sara.simotel_extension = "130"
        self.assertEqual(self.find("09125550001").agent_extension, "130")
        self.sara.active = False
        self.assertEqual(self.find("09125550001").agent_extension, "")
        self.sara.active = True
        self.assertEqual(self.find("09125550001").agent_extension, "130")

    def test_contract_day_is_the_company_day(self):
        self.acme.simotel_contract_end = "2026-03-10"
        with freeze_time("2026-03-10 21:00:00"):  # 00:30 on March 11 in Tehran
            self.company.partner_id.tz = "UTC"
            self.assertEqual(self.find("09125550001").contract_state, "active")
            self.company.partner_id.tz = "Asia/Tehran"
            self.assertEqual(self.company._simotel_settings().tz, "Asia/Tehran")
            self.assertEqual(self.find("09125550001").contract_state, "expired")

    def test_known_caller_costs_one_query(self):
        # As in a request begun after the agents last changed (this test's transaction began before its
        # set-up assigned them: it would read the agents anew, without keeping them).
        self.registry.simotel_settings_cleared_at = None
        self.find("09125550001")
        self.env.invalidate_all()
        with self.assertQueryCount(1):
            self.assertEqual(self.find("02188123456").id, self.acme.id)

    def refusal(self, remote_addr, credentials):
        """Status of the inbound refusal of a SEA request, or ``None`` with the company it goes to."""
        try:
            return None, self.env["res.company"]._simotel_inbound_company(remote_addr, credentials)
        except inbound.InboundError as e:
            self.assertNotIn("two", e.message)
            return e.status, None

    def test_inbound_protection_follows_settings(self):
        self.company.write(
            {
                "simotel_inbound_auth": "basic",
                "simotel_inbound_username": "pbx",
                "simotel_inbound_password": "one",
                "simotel_inbound_ips": False,
            }
        )
        self.assertEqual(self.refusal("10.0.0.1", ("pbx", "one")), (None, self.company))
        self.company.simotel_inbound_password = "two"
        self.assertEqual(self.refusal("10.0.0.1", ("pbx", "one")), (401, None))
        self.company.write({"simotel_inbound_auth": "basic_ip", "simotel_inbound_ips": "192.168.1.0/24"})
        self.assertEqual(self.refusal("10.0.0.1", ("pbx", "two")), (403, None))
        self.assertEqual(self.refusal("192.168.1.9", ("pbx", "two")), (None, self.company))
        self.assertIsInstance(self.company._simotel_settings().protection, inbound.Protection)

    def test_new_and_archived_companies(self):
        self.company._simotel_phone_region()  # settings in memory before the company exists
        berlin = self.env["res.company"].create({"name": "Berlin GmbH", "country_id": self.env.ref("base.de").id})
        self.assertEqual(berlin._simotel_phone_region(), "DE")
        berlin.write(
            {
                "simotel_inbound_auth": "basic",
                "simotel_inbound_username": "berlin",
                "simotel_inbound_password": "b",
            }
        )
        self.assertEqual(self.refusal("10.0.0.1", ("berlin", "b")), (None, berlin))
        berlin.active = False
        self.assertEqual(self.refusal("10.0.0.1", ("berlin", "b"))[1], None)
