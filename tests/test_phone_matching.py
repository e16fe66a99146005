from odoo.tests import TransactionCase, tagged

from ..tools import phone
from .common import iran_company


@tagged("post_install", "-at_install")
class TestPhoneMatching(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        iran_company(cls, simotel_phone_country_id=False)
        Partner = cls.env["res.partner"]
        # The same kind of numbers stored the ways users type them.
        cls.mobile_zero = Partner.create({"name": "Zero Mobile", "mobile": "0912 123 4567"})
        cls.mobile_plus = Partner.create({"name": "Plus Phone", "phone": "+98 935-555-1212"})
        cls.mobile_persian = Partner.create({"name": "Persian Digits", "mobile": "۰۹۱۹۸۷۶۵۴۳۲"})
        cls.landline = Partner.create({"name": "Tehran Office", "phone": "021-88123456"})
        cls.arabic = Partner.create({"name": "Arabic Digits", "phone": "٠٩٣٠١١١٢٢٣٣"})
        cls.german = Partner.create(
            {
                "name": "Berlin GmbH",
                "phone": "030 1234567",
                "country_id": cls.env.ref("base.de").id,
            }
        )

    def assertMatch(self, number, partner):
        found = self.env["res.partner"]._simotel_find_partner(number, self.company)
        self.assertEqual(found, partner, f"{number!r} should match {partner.name or 'nobody'}")

    def test_number_forms(self):
        nobody = self.env["res.partner"]
        table = [
            ("09121234567", self.mobile_zero),
            ("9121234567", self.mobile_zero),
            ("+989121234567", self.mobile_zero),
            ("00989121234567", self.mobile_zero),
            ("989121234567", self.mobile_zero),
            ("0912 123 4567", self.mobile_zero),
            ("0912-123-4567", self.mobile_zero),
            ("(0912) 123 45 67", self.mobile_zero),
            ("+98 (912) 123-4567", self.mobile_zero),
            ("۰۹۱۲۱۲۳۴۵۶۷", self.mobile_zero),
            ("٠٩١٢١٢٣٤٥٦٧", self.mobile_zero),
            ("+۹۸۹۱۲۱۲۳۴۵۶۷", self.mobile_zero),
            (" 09121234567 ", self.mobile_zero),
            ("09355551212", self.mobile_plus),
            ("9355551212", self.mobile_plus),
            ("00989355551212", self.mobile_plus),
            ("09198765432", self.mobile_persian),
            ("+989198765432", self.mobile_persian),
            ("02188123456", self.landline),
            ("2188123456", self.landline),
            ("+982188123456", self.landline),
            ("00982188123456", self.landline),
            ("982188123456", self.landline),
            ("021 8812 3456", self.landline),
            ("09301112233", self.arabic),
            ("+49301234567", self.german),
            ("0049301234567", self.german),
            ("09121234568", nobody),
            ("557", nobody),
            ("120", nobody),
            ("", nobody),
            (None, nobody),
            (False, nobody),
            ("abc", nobody),
            ("0912abc4567", nobody),
            ("1" * 40, nobody),
            ("+", nobody),
            ("--", nobody),
            ("<script>", nobody),
            ("0912123456789012345678", nobody),
        ]
        self.assertGreaterEqual(len(table), 25)
        for number, partner in table:
            with self.subTest(number=number):
                self.assertMatch(number, partner)

    def test_e164_is_stored_and_follows_writes(self):
        self.assertEqual(self.mobile_zero.simotel_mobile_e164, "+989121234567")
        self.assertEqual(self.mobile_persian.simotel_mobile_e164, "+989198765432")
        self.assertEqual(self.german.simotel_phone_e164, "+49301234567")
        self.mobile_zero.mobile = "09127654321"
        self.assertEqual(self.mobile_zero.simotel_mobile_e164, "+989127654321")
        self.assertMatch("989127654321", self.mobile_zero)
        self.mobile_zero.mobile = False
        self.assertFalse(self.mobile_zero.simotel_mobile_e164)

    def test_company_country_is_the_default_region(self):
        self.company.simotel_phone_country_id = self.env.ref("base.us")
        partner = self.env["res.partner"].create({"name": "US", "phone": "(650) 555-1234"})
        self.assertEqual(partner.simotel_phone_e164, "+16505551234")
        self.assertMatch("+1 650 555 1234", partner)

    def test_extensions_never_match(self):
        self.env["res.partner"].create({"name": "Extension stored as phone", "phone": "557"})
        self.assertMatch("557", self.env["res.partner"])

    def test_duplicates_of_one_company_give_the_company(self):
        company = self.env["res.partner"].create({"name": "Acme", "is_company": True, "phone": "02144556677"})
        self.env["res.partner"].create({"name": "Ali", "parent_id": company.id, "phone": "021-4455-6677"})
        self.env["res.partner"].create({"name": "Sara", "parent_id": company.id, "mobile": "+982144556677"})
        self.assertMatch("2144556677", company)

    def test_lookup_costs_one_query(self):
        """A call-time lookup runs one search: the company's settings come from memory."""
        company = self.env["res.partner"].create({"name": "Gamma", "is_company": True, "phone": "02133445566"})
        self.env["res.partner"].create({"name": "Nima", "parent_id": company.id, "mobile": "+982133445566"})
        self.company._simotel_phone_region()
        self.env.invalidate_all()
        with self.assertQueryCount(1):
            found = self.env["res.partner"]._simotel_find_partner("982133445566", self.company)
        self.assertEqual(found, company)

    def test_region_follows_the_company_country(self):
        self.assertEqual(self.company._simotel_phone_region(), "IR")
        self.company.partner_id.country_id = self.env.ref("base.de")
        self.assertEqual(self.company._simotel_phone_region(), "DE")
        self.company.simotel_phone_country_id = self.env.ref("base.ir")
        self.assertEqual(self.company._simotel_phone_region(), "IR")
        self.company.simotel_phone_country_id = False
        self.company.partner_id.country_id = False
        self.assertEqual(self.company._simotel_phone_region(), "IR")
        self.assertMatch("+49 30 1234567", self.german)

    def test_single_contact_is_returned_itself(self):
        company = self.env["res.partner"].create({"name": "Beta", "is_company": True})
        contact = self.env["res.partner"].create({"name": "Reza", "parent_id": company.id, "mobile": "09120000001"})
        self.assertMatch("09120000001", contact)

    def test_unrelated_duplicates_give_the_oldest(self):
        first = self.env["res.partner"].create({"name": "First", "mobile": "09120000002"})
        self.env["res.partner"].create({"name": "Second", "phone": "+989120000002"})
        self.assertMatch("9120000002", first)

    def test_archived_and_other_company_partners_do_not_match(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        self.env["res.partner"].create({"name": "Archived", "mobile": "09120000003", "active": False})
        self.env["res.partner"].create({"name": "Foreign", "mobile": "09120000004", "company_id": other.id})
        self.assertMatch("09120000003", self.env["res.partner"])
        self.assertMatch("09120000004", self.env["res.partner"])

    def test_lookup_uses_the_index(self):
        cr = self.env.cr
        for column in ("simotel_phone_e164", "simotel_mobile_e164"):
            cr.execute("SELECT pg_get_indexdef(%s::regclass)", (f"res_partner__{column}_index",))
            self.assertIn(f"USING btree ({column})", cr.fetchone()[0])
        # A fresh install flags the indexes "check xmin": PostgreSQL ignores them
        # while a transaction older than the index runs anywhere in the cluster.
        cr.execute(
            """
            SELECT bool_or(indcheckxmin
                           AND xmin::text::bigint >= txid_snapshot_xmin(txid_current_snapshot()) %% 4294967296)
              FROM pg_index WHERE indexrelid::regclass::text IN %s
        """,
            [("res_partner__simotel_phone_e164_index", "res_partner__simotel_mobile_e164_index")],
        )
        if cr.fetchone()[0]:
            return
        cr.execute("SET LOCAL enable_seqscan = off")
        cr.execute(
            "EXPLAIN SELECT id FROM res_partner WHERE simotel_phone_e164 = %s OR simotel_mobile_e164 = %s",
            ("+989121234567", "+989121234567"),
        )
        plan = "\n".join(row[0] for row in cr.fetchall())
        self.assertIn("res_partner__simotel_phone_e164_index", plan)
        self.assertIn("res_partner__simotel_mobile_e164_index", plan)

    def test_leads_have_e164_and_match(self):
        lead = self.env["crm.lead"].create({"name": "Hot lead", "phone": "0912 765 4321"})
        self.assertEqual(lead.simotel_phone_e164, "+989127654321")
        self.assertEqual(
            self.env["crm.lead"]._simotel_find_leads(["+989127654321"], self.company), {"+989127654321": lead}
        )

    def test_install_normalization_in_batches(self):
        self.env.cr.execute(
            "UPDATE res_partner SET simotel_phone_e164 = NULL, simotel_mobile_e164 = NULL WHERE id IN %s",
            (tuple((self.mobile_zero | self.landline | self.german).ids),),
        )
        self.env["res.partner"].invalidate_model()
        self.env["res.partner"]._simotel_init_e164(batch_size=2)
        self.assertEqual(self.mobile_zero.simotel_mobile_e164, "+989121234567")
        self.assertEqual(self.landline.simotel_phone_e164, "+982188123456")
        self.assertEqual(self.german.simotel_phone_e164, "+49301234567")

    def test_dial_string(self):
        self.assertEqual(phone.to_dial("+989121234567", "IR"), "09121234567")
        self.assertEqual(phone.to_dial("+49301234567", "IR"), "0049301234567")
