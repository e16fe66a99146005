from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestCustomerCode(TransactionCase):
    def test_find_by_ref(self):
        Partner = self.env["res.partner"]
        company = self.env.company
        acme = Partner.create({"name": "Acme", "is_company": True, "ref": "7001"})
        Partner.create({"name": "Ann", "parent_id": acme.id, "ref": "7001"})
        solo = Partner.create({"name": "Solo", "ref": "7002"})
        Partner.create({"name": "Other", "ref": "7002"})
        Partner.create({"name": "Gone", "ref": "7003", "active": False})
        table = [
            ("7001", acme),  # a company and its contact: the company
            (" ۷۰۰۱ ", acme),  # Persian digits, spaces
            ("7002", solo),  # unrelated partners: the oldest
            ("7003", Partner),  # archived partners are not callers
            ("", Partner),
            ("9999", Partner),
        ]
        for code, expected in table:
            with self.subTest(code=code):
                caller = Partner._simotel_find_caller(company._simotel_settings(), code=code)
                self.assertEqual(caller and caller.id, expected.id or None)
