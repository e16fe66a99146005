import psycopg2

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .rpc_session import RpcSession


@tagged("post_install", "-at_install")
class TestExtensionsAreAssigned(RpcSession, HttpCase):
    """Only Simotel administrators set extensions; 2-6 ASCII digits; unique; only Simotel users are agents."""

    def setUp(self):
        super().setUp()
        self.company = self.env.company
        self.admin = new_test_user(self.env, "ext_admin", groups="simotel_connector.group_simotel_manager")
        self.agent = new_test_user(
            self.env, "ext_agent", groups="sales_team.group_sale_salesman", simotel_extension="557"
        )
        self.colleague = new_test_user(
            self.env, "ext_colleague", groups="sales_team.group_sale_salesman", simotel_extension="558"
        )
        self.internal = new_test_user(self.env, "ext_internal", groups="base.group_user")
        self.portal = new_test_user(self.env, "ext_portal", groups="base.group_portal")
        self.Users = self.env["res.users"]

    def test_user_cannot_set_own_extension_over_rpc(self):
        for login, user in (("ext_agent", self.agent), ("ext_portal", self.portal), ("ext_internal", self.internal)):
            with self.subTest(user=login):
                self.login_as(login)
                for call in (
                    lambda user=user: self.call_kw("res.users", "write", [[user.id], {"simotel_extension": "559"}]),
                    # the Save of the Preferences form
                    lambda user=user: self.web_save("res.users", [user.id], {"simotel_extension": "00447700900123"}),
                ):
                    self.assertEqual(self.error_name(call()), "AccessError")
        self.env.invalidate_all()
        self.assertEqual(self.agent.simotel_extension, "557")
        self.assertFalse(self.portal.simotel_extension or self.internal.simotel_extension)
        # Nor a colleague's: the screen pops and click-to-call of 558 stay with the colleague.
        self.login_as("ext_agent")
        answer = self.web_save("res.users", [self.colleague.id], {"simotel_extension": "557"})
        self.assertEqual(self.error_name(answer), "AccessError")
        self.env.invalidate_all()
        self.assertEqual(self.colleague.simotel_extension, "558")

    def test_preferences_show_the_extension_read_only_and_keep_the_popup_toggle(self):
        self.login_as("ext_agent")
        view = self.env.ref("base.view_users_form_simple_modif")
        answer = self.call_kw("res.users", "get_views", [[[view.id, "form"]]])
        arch = answer["result"]["views"]["form"]["arch"]
        self.assertRegex(arch, r'<field name="simotel_extension"[^>]*readonly="1"')
        self.assertRegex(arch, r'<field name="simotel_screen_pop"[^>]*readonly="0"')
        answer = self.web_save("res.users", [self.agent.id], {"simotel_screen_pop": False})
        self.assertNotIn("error", answer)
        self.env.invalidate_all()
        self.assertFalse(self.agent.simotel_screen_pop)
        read = self.call_kw("res.users", "read", [[self.agent.id], ["simotel_extension"]])
        self.assertEqual(read["result"][0]["simotel_extension"], "557")

    def test_extension_is_two_to_six_ascii_digits(self):
        refused = [
            "۵۵۷",  # Persian digits
            "٥٥٧",  # Arabic-Indic digits
            "５５７",  # full-width digits
            "²³",  # superscript digits
            "00447700900123",  # an outside number
            "1234567",
            "5",
            "55 7",
            "557\n",
            "+557",
            "*557",
            "abc",
        ]
        for value in refused:
            with self.subTest(value=value), self.assertRaises(ValidationError):
                self.internal.simotel_extension = value
        for value in ("10", "5599", "123456"):
            self.colleague.simotel_extension = value
            self.assertEqual(self.colleague.simotel_extension, value)

    def test_extension_unique_per_company_also_in_the_database(self):
        self.login_as("ext_admin")
        answer = self.web_save("res.users", [self.colleague.id], {"simotel_extension": "557"})
        self.assertEqual(self.error_name(answer), "ValidationError")
        self.env.invalidate_all()
        self.assertEqual(self.colleague.simotel_extension, "558")
        # Two transactions checking at once both see no clash: the database refuses the second row.
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.errors.UniqueViolation), self.env.cr.savepoint():
            self.env.cr.execute("UPDATE res_users SET simotel_extension = '557' WHERE id = %s", [self.colleague.id])
        # A user of two companies clashes in either of them.
        other = self.env["res.company"].create({"name": "Other PBX Co"})
        both = new_test_user(
            self.env, "ext_both", company_id=other.id, company_ids=[Command.set((other | self.company).ids)]
        )
        with self.assertRaises(ValidationError):
            both.simotel_extension = "557"
        # Another company has another PBX: its 557 is another phone.
        elsewhere = new_test_user(
            self.env,
            "ext_elsewhere",
            groups="sales_team.group_sale_salesman",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        elsewhere.simotel_extension = "557"
        self.assertEqual(self.Users._simotel_find_by_extension("557", other), elsewhere)
        self.assertEqual(self.Users._simotel_find_by_extension("557", self.company), self.agent)

    def test_portal_users_never_have_one(self):
        with self.assertRaises(ValidationError):
            self.portal.simotel_extension = "560"
        with self.assertRaises(ValidationError):
            self.agent.groups_id = [Command.set([self.env.ref("base.group_portal").id])]

    def test_only_active_simotel_users_pop_and_are_agents(self):
        self.internal.simotel_extension = "560"
        self.assertEqual(
            self.Users._simotel_active_extensions(),
            {self.agent.id: (self.company.id, "557"), self.colleague.id: (self.company.id, "558")},
        )
        self.assertFalse(self.Users._simotel_find_by_extension("560", self.company))
        self.assertEqual(self.Users._simotel_find_by_extension("557", self.company), self.agent)
        simotel_user = self.env.ref("simotel_connector.group_simotel_user")
        self.internal.groups_id = [Command.link(simotel_user.id)]
        self.assertIn(self.internal.id, self.Users._simotel_active_extensions())
        self.assertEqual(self.Users._simotel_find_by_extension("560", self.company), self.internal)
        simotel_user.users = [Command.unlink(self.internal.id)]
        self.assertNotIn(self.internal.id, self.Users._simotel_active_extensions())
        self.assertFalse(self.Users._simotel_find_by_extension("560", self.company))
        self.agent.active = False
        self.assertNotIn(self.agent.id, self.Users._simotel_active_extensions())
        self.assertFalse(self.Users._simotel_find_by_extension("557", self.company))

    def test_admin_assigns_extensions_in_user_extensions(self):
        """Simotel ▸ Configuration ▸ User Extensions: an editable list and a form, saved as the web client does."""
        action = self.env.ref("simotel_connector.action_simotel_users")
        menu = self.env.ref("simotel_connector.menu_simotel_users")
        self.assertIn(self.env.ref("simotel_connector.group_simotel_manager"), menu.groups_id)
        self.login_as("ext_admin")
        loaded = self.jsonrpc("/web/action/load", {"action_id": action.id})["result"]
        views = self.call_kw("res.users", "get_views", [loaded["views"]])["result"]["views"]
        self.assertRegex(views["list"]["arch"], r'<list[^>]*editable="bottom"')
        self.assertRegex(views["list"]["arch"], r'<field name="name"[^>]*readonly="1"')
        self.assertIn('name="simotel_extension"', views["list"]["arch"])
        self.assertIn('name="simotel_screen_pop"', views["list"]["arch"])
        self.assertRegex(views["form"]["arch"], r'<field name="simotel_extension"(?![^>]*readonly="1")')
        # The list's Save, then the form's.
        answer = self.web_save("res.users", [self.internal.id], {"simotel_extension": "570"})
        self.assertEqual(answer["result"], [{"id": self.internal.id, "simotel_extension": "570"}])
        answer = self.web_save(
            "res.users", [self.colleague.id], {"simotel_extension": "571", "simotel_screen_pop": False}
        )
        self.assertNotIn("error", answer)
        self.env.invalidate_all()
        self.assertRecordValues(self.colleague, [{"simotel_extension": "571", "simotel_screen_pop": False}])
        answer = self.web_save("res.users", [self.admin.id], {"simotel_extension": "572"})
        self.assertNotIn("error", answer)
        # Still no user-management rights, and no extension for a portal user.
        answer = self.web_save("res.users", [self.colleague.id], {"simotel_extension": "573", "login": "hijack"})
        self.assertEqual(self.error_name(answer), "AccessError")
        answer = self.web_save("res.users", [self.portal.id], {"simotel_extension": "574"})
        self.assertIn(self.error_name(answer), ("AccessError", "ValidationError"))
        self.env.invalidate_all()
        self.assertEqual(self.colleague.login, "ext_colleague")
        self.assertFalse(self.portal.simotel_extension)
        # A Simotel user without administrator rights cannot.
        self.login_as("ext_agent")
        answer = self.web_save("res.users", [self.internal.id], {"simotel_extension": "575"})
        self.assertEqual(self.error_name(answer), "AccessError")
        self.env.invalidate_all()
        self.assertEqual(self.internal.simotel_extension, "570")
