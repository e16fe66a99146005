from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestContractState(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.context_today(cls.env["res.partner"])
        day = timedelta(days=1)
        Partner = cls.env["res.partner"]
        cls.expected = {}
        for name, values, state in [
            ("running", {"simotel_contract_start": today - day, "simotel_contract_end": today + day}, "active"),
            ("last day", {"simotel_contract_end": today}, "active"),
            ("open ended", {"simotel_contract_ref": "C-1"}, "active"),
            ("starts today", {"simotel_contract_start": today}, "active"),
            ("ended", {"simotel_contract_ref": "C-2", "simotel_contract_end": today - day}, "expired"),
            ("not started", {"simotel_contract_start": today + day}, "none"),
            ("nothing", {}, "none"),
        ]:
            company = Partner.create({"name": f"Contract {name}", "is_company": True, **values})
            contact = Partner.create({"name": f"Contact of {name}", "parent_id": company.id})
            cls.expected[company] = cls.expected[contact] = state

    def test_compute_reads_commercial_partner(self):
        for partner, state in self.expected.items():
            with self.subTest(partner=partner.name):
                self.assertEqual(partner.simotel_contract_state, state)

    def test_search(self):
        partners = self.env["res.partner"].concat(*self.expected)
        for state in ("active", "expired", "none"):
            expected = partners.browse([p.id for p in partners if self.expected[p] == state])
            with self.subTest(state=state):
                domain = [("id", "in", partners.ids)]
                Partner = self.env["res.partner"]
                self.assertEqual(Partner.search(domain + [("simotel_contract_state", "=", state)]), expected)
                self.assertEqual(
                    Partner.search(domain + [("simotel_contract_state", "!=", state)]), partners - expected
                )
                self.assertEqual(Partner.search(domain + [("simotel_contract_state", "in", [state, "x"])]), expected)

    def test_contact_follows_company(self):
        company = self.env["res.partner"].search([("name", "=", "Contract nothing")])
        contact = company.child_ids
        company.simotel_contract_end = fields.Date.today() + timedelta(days=30)
        self.assertEqual(contact.simotel_contract_state, "active")
