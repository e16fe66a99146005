from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .fake_simotel import FakeSimotel
from .rpc_session import RpcSession


@tagged("post_install", "-at_install")
class TestAttackAccess(RpcSession, HttpCase):
    """Attacks on the record rules of calls, through the attacker's own web session."""

    def setUp(self):
        super().setUp()
        self.fake = self.enterContext(FakeSimotel())
        self.company = self.env.company
        self.fake.configure_company(self.company)
        company_ids = [Command.set(self.company.ids)]
        self.seller = new_test_user(
            self.env,
            "attack_seller",
            groups="sales_team.group_sale_salesman",
            company_id=self.company.id,
            company_ids=company_ids,
        )
        self.colleague = new_test_user(
            self.env,
            "attack_colleague",
            groups="sales_team.group_sale_salesman",
            company_id=self.company.id,
            company_ids=company_ids,
        )
        # A call from a number no contact has yet, taken by the colleague, with its recording.
        self.fake.files["secret.mp3"] = b"ID3secret"
        self.call = (
            self.env["simotel.call"]
            .sudo()
            .create(
                {
                    "unique_id": "attack-unmatched",
                    "direction": "inbound",
                    "disposition": "answered",
                    "external_number": "09121234567",
                    "external_e164": "+989121234567",
                    "record": "secret.mp3",
                    "user_id": self.colleague.id,
                }
            )
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
