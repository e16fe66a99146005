import json

from odoo import Command
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged

from ..tools import sea
from . import sea_samples as samples
from .common import fake_pbx, inbound_settings, recorded_call
from .rpc_session import RpcSession

SEA_AUTH = ("simotel", "sea-s3cret")


class SellerAndColleague(RpcSession, HttpCase):
    """The PBX (a real local SA server), and two own-documents salespeople of one company:
    ``<prefix>_seller`` (the attacker) and ``<prefix>_colleague``."""

    prefix = None

    def setUp(self):
        super().setUp()
        fake_pbx(self)
        self.seller, self.colleague = (
            new_test_user(
                self.env,
                "%s_%s" % (self.prefix, role),
                groups="sales_team.group_sale_salesman",
                company_id=self.company.id,
                company_ids=[Command.set(self.company.ids)],
            )
            for role in ("seller", "colleague")
        )


@tagged("post_install", "-at_install")
class TestAttackAccess(SellerAndColleague):
    """Attacks on the record rules of calls, through the attacker's own web session."""

    prefix = "attack"

    def setUp(self):
        super().setUp()
        # A call from a number no contact has yet, taken by the colleague, with its recording.
        self.call = recorded_call(
            self,
            "secret.mp3",
            b"ID3secret",
            unique_id="attack-unmatched",
            disposition="answered",
            external_number="09121234567",
            external_e164="+989121234567",
            user_id=self.colleague.id,
        )

    def readable(self):
        answer = self.call_kw("simotel.call", "read", [[self.call.id], ["unique_id", "record"]])
        self.assertIn(self.error_name(answer), (None, "AccessError"), answer)
        return self.error_name(answer) is None

    def test_own_documents_salesperson_cannot_claim_a_colleagues_call_by_creating_a_contact(self):
        """An own-documents salesperson creates a contact of theirs with the number of a colleague's
        unmatched call: the late matching (as superuser) links the call to that contact, and the
        record rule "call of the salesperson's customer" then opens the call and its recording."""
        self.login_as("attack_seller")
        self.assertFalse(self.readable(), "precondition: the colleague's call is not readable")
        answer = self.web_save(
            "res.partner",
            [],
            {"name": "Bait contact", "phone": "+98 912 123 4567", "user_id": self.seller.id},
        )
        self.assertIsNone(self.error_name(answer), answer)
        self.assertFalse(
            self.readable(),
            "creating a contact with a colleague's caller's number gave the salesperson read access to the call",
        )
        response = self.url_open("/simotel/call/%d/recording" % self.call.id)
        self.assertNotEqual(
            response.content, b"ID3secret", "the salesperson downloaded the recording of a colleague's call"
        )

    def test_own_documents_salesperson_cannot_claim_a_colleagues_call_by_editing_a_phone(self):
        """Same, by writing the number on a contact the salesperson already owns."""
        own = self.env["res.partner"].create({"name": "Own customer", "user_id": self.seller.id})
        self.login_as("attack_seller")
        answer = self.web_save("res.partner", [own.id], {"mobile": "09121234567"})
        self.assertIsNone(self.error_name(answer), answer)
        self.assertFalse(
            self.readable(),
            "writing a colleague's caller's number on an own contact gave read access to the call",
        )


@tagged("post_install", "-at_install")
class TestAttackLeadBait(SellerAndColleague):
    """An own-documents salesperson opens the future calls of a colleague's customer with a lead."""

    prefix = "bait"

    def setUp(self):
        super().setUp()
        self.company.write(inbound_settings(SEA_AUTH, country_id=self.env.ref("base.ir").id))
        colleague = self.colleague
        colleague.simotel_extension = "557"
        self.env["res.partner"].create(
            {"name": "Colleague's customer", "mobile": "0912 123 4567", "user_id": colleague.id}
        )

    def test_a_lead_with_the_customers_number_does_not_open_the_colleagues_calls(self):
        self.login_as("bait_seller")
        answer = self.web_save("crm.lead", [], {"name": "Bait lead", "phone": "09121234567", "user_id": self.seller.id})
        self.assertIsNone(self.error_name(answer), answer)
        # The customer calls their salesperson (extension 557); the PBX reports the call.
        response = self.opener.post(
            self.base_url() + "/simotel/sea",
            data=json.dumps(samples.CDR_INCOMING_V3),
            auth=SEA_AUTH,
            timeout=30,
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.env["simotel.event"]._cron_process()
        call = self.env["simotel.call"].search([("unique_id", "=", samples.CDR_INCOMING_V3["cuid"])])
        self.assertEqual(len(call), 1)
        self.fake.files[call.record] = b"ID3secret"
        answer = self.call_kw("simotel.call", "read", [call.ids, ["unique_id", "record"]])
        self.assertEqual(
            self.error_name(answer),
            "AccessError",
            "a lead the salesperson made with a colleague's customer's number opens that customer's calls",
        )
        response = self.url_open("/simotel/call/%d/recording" % call.id)
        self.assertNotEqual(response.content, b"ID3secret", "and their recordings")


@tagged("post_install", "-at_install")
class TestAttackTakeOverCustomer(SellerAndColleague):
    """An own-documents salesperson makes themselves the salesperson of a colleague's customer."""

    prefix = "takeover"

    def setUp(self):
        super().setUp()
        colleague = self.colleague
        self.customer = self.env["res.partner"].create({"name": "Colleague's customer", "user_id": colleague.id})
        self.call = recorded_call(
            self,
            "colleague.mp3",
            b"ID3colleague",
            unique_id="takeover",
            partner_id=self.customer.id,
            user_id=colleague.id,
        )

    def test_writing_the_salesperson_of_a_colleagues_customer_does_not_open_its_calls(self):
        self.login_as("takeover_seller")
        answer = self.call_kw("simotel.call", "read", [self.call.ids, ["unique_id"]])
        self.assertEqual(self.error_name(answer), "AccessError", "precondition: a colleague's call")
        answer = self.web_save("res.partner", [self.customer.id], {"user_id": self.seller.id})
        if self.error_name(answer):
            return  # the salesperson may not take the customer: nothing to show
        answer = self.call_kw("simotel.call", "read", [self.call.ids, ["unique_id"]])
        self.assertEqual(
            self.error_name(answer),
            "AccessError",
            "setting themselves as the customer's salesperson opened a colleague's calls",
        )
        response = self.url_open("/simotel/call/%d/recording" % self.call.id)
        self.assertNotEqual(response.content, b"ID3colleague", "and their recordings")


@tagged("post_install", "-at_install")
class TestCallSalesperson(TransactionCase):
    """Who a call opens to is decided when it is matched (``salesperson_id``)."""

    def setUp(self):
        super().setUp()
        self.company = self.env.company
        self.company.country_id = self.env.ref("base.ir")
        self.seller = new_test_user(self.env, "sp_seller", groups="sales_team.group_sale_salesman")
        self.other = new_test_user(self.env, "sp_other", groups="sales_team.group_sale_salesman")
        self.customer = self.env["res.partner"].create(
            {"name": "Customer", "is_company": True, "user_id": self.seller.id}
        )
        self.employee = self.env["res.partner"].create(
            {"name": "Employee", "parent_id": self.customer.id, "mobile": "09121234567"}
        )

    def report(self, cuid, src):
        payload = sea.normalize("Cdr", dict(samples.CDR_INCOMING_V3, cuid=cuid, src=src))
        return self.env["simotel.call"]._simotel_upsert_cdr(self.company, payload)[0]

    def test_salesperson_is_taken_when_the_call_is_matched(self):
        own_lead = self.env["crm.lead"].create(
            {"name": "Own", "phone": "09121234567", "partner_id": self.customer.id, "user_id": self.other.id}
        )
        call = self.report("sp.1", "09121234567")
        # (the lead gave its number to the customer too: the call goes to the commercial entity)
        self.assertEqual(
            (call.partner_id.commercial_partner_id, call.lead_id, call.salesperson_id),
            (self.customer, own_lead, self.seller),
        )
        # A lead of another entity (or of none) with the number is not linked to the contact's call.
        stray = self.env["crm.lead"].create({"name": "Stray", "phone": "09121234567", "user_id": self.other.id})
        call = self.report("sp.2", "09121234567")
        self.assertEqual(
            (call.partner_id.commercial_partner_id, call.lead_id, call.salesperson_id),
            (self.customer, self.env["crm.lead"], self.seller),
        )
        # Without a contact, the lead found by number and its salesperson.
        call = self.report("sp.3", "09131112233")
        self.assertEqual(call.salesperson_id, self.env["res.users"])
        stray.phone = "09131112244"
        call = self.report("sp.4", "09131112244")
        self.assertEqual(
            (call.partner_id, call.lead_id, call.salesperson_id), (self.env["res.partner"], stray, self.other)
        )
        # A later change of the customer's salesperson does not move past calls.
        self.customer.user_id = self.other
        self.env.flush_all()
        self.assertEqual(self.env["simotel.call"].search([("unique_id", "=", "sp.1")]).salesperson_id, self.seller)
        self.assertEqual(self.report("sp.5", "09121234567").salesperson_id, self.other)
