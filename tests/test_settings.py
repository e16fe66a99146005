import json

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged

from .fake_simotel import FakeSimotel
from .rpc_session import RpcSession

SECRET_FIELDS = ("simotel_api_password", "simotel_api_key", "simotel_inbound_password")


def _configure_secrets(company):
    company.write(
        {
            "simotel_api_username": "api-user",
            "simotel_api_password": "S3cret-Password",
            "simotel_api_key": "S3cret-ApiKey",
            "simotel_inbound_username": "simotel",
            "simotel_inbound_password": "S3cret-Inbound",
        }
    )


@tagged("post_install", "-at_install")
class TestSecretsStayWithAdmins(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        _configure_secrets(cls.company)
        cls.salesman = new_test_user(cls.env, "simotel_sales", groups="sales_team.group_sale_salesman")

    def test_admin_reads_secrets(self):
        values = self.company.read(list(SECRET_FIELDS))[0]
        self.assertEqual(values["simotel_api_password"], "S3cret-Password")

    def test_non_admin_cannot_read_secrets_through_the_orm(self):
        company = self.company.with_user(self.salesman)
        for field in SECRET_FIELDS:
            with self.subTest(field=field), self.assertRaises(AccessError):
                company.read([field])
        # A read of "all fields" silently leaves them out.
        values = company.read()[0]
        self.assertFalse(set(SECRET_FIELDS) & set(values))
        self.assertFalse(set(SECRET_FIELDS) & set(company.fields_get()))

    def test_non_admin_cannot_search_on_secrets(self):
        with self.assertRaises(AccessError):
            self.env["res.company"].with_user(self.salesman).search([("simotel_api_password", "=", "S3cret-Password")])

    def test_non_admin_cannot_open_settings(self):
        with self.assertRaises(AccessError):
            self.env["res.config.settings"].with_user(self.salesman).create({})

    def test_salesman_is_simotel_user_not_admin(self):
        self.assertTrue(self.salesman.has_group("simotel_connector.group_simotel_user"))
        self.assertFalse(self.salesman.has_group("simotel_connector.group_simotel_manager"))

    def test_extension_unique_per_company(self):
        self.salesman.simotel_extension = "557"
        other = new_test_user(self.env, "simotel_other", groups="base.group_user")
        with self.assertRaises(ValidationError):
            other.simotel_extension = "557"
        found = self.env["res.users"]._simotel_find_by_extension("557", self.company)
        self.assertEqual(found, self.salesman)

    def test_user_sets_own_popup_but_not_own_extension(self):
        self.salesman.with_user(self.salesman).write({"simotel_screen_pop": False})
        self.assertFalse(self.salesman.simotel_screen_pop)
        with self.assertRaises(AccessError):
            self.salesman.with_user(self.salesman).write({"simotel_extension": "558"})


@tagged("post_install", "-at_install")
class TestSettingsWebClient(RpcSession, HttpCase):
    def setUp(self):
        super().setUp()
        _configure_secrets(self.env.company)
        self.salesman = new_test_user(
            self.env,
            "simotel_rpc",
            password="simotel_rpc_pw",
            groups="sales_team.group_sale_salesman",
        )

    def _call_kw(self, model, method, args, kwargs=None):
        """The answer as the browser receives it (text)."""
        return json.dumps(self.call_kw(model, method, args, kwargs))

    def test_non_admin_rpc_never_sees_secrets(self):
        self.authenticate("simotel_rpc", "simotel_rpc_pw")
        company_id = self.env.company.id
        answers = [
            self._call_kw("res.company", "read", [[company_id], list(SECRET_FIELDS)]),
            self._call_kw("res.company", "read", [[company_id]]),
            self._call_kw("res.company", "search_read", [[("id", "=", company_id)]]),
            self._call_kw("res.company", "web_read", [[company_id]], {"specification": {f: {} for f in SECRET_FIELDS}}),
            self._call_kw("res.config.settings", "default_get", [list(SECRET_FIELDS)]),
            self._call_kw("res.config.settings", "onchange", [{}, [], {f: {} for f in SECRET_FIELDS}]),
        ]
        for answer in answers:
            for secret in ("S3cret-Password", "S3cret-ApiKey", "S3cret-Inbound"):
                self.assertNotIn(secret, answer)
        self.assertIn("AccessError", answers[0])

    def test_settings_page_tests_the_connection(self):
        with FakeSimotel() as fake:
            fake.configure_company(self.env.company)
            self.start_tour(
                "/web#action=simotel_connector.action_simotel_config_settings", "simotel_settings_tour", login="admin"
            )
            self.assertEqual([r["service"] for r in fake.requests], ["setting/ping/act"])
