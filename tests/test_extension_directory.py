from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import fake_pbx, inbound_settings, salesperson
from .rpc_session import RpcSession

SEA = ("simotel", "directory-secret")
MANAGER = "simotel_connector.group_simotel_manager"


@tagged("post_install", "-at_install")
class TestExtensionDirectory(RpcSession, HttpCase):
    """Once the company's directory is synced from the PBX, administrators pick extensions from it."""

    def setUp(self):
        super().setUp()
        fake_pbx(self, **inbound_settings(SEA))
        self.admin = new_test_user(self.env, "dir_admin", groups=MANAGER)
        self.agent = salesperson(self.env, "dir_agent", "557", name="Agent Ava")
        self.colleague = salesperson(self.env, "dir_colleague", "558", name="Agent Bob")
        self.internal = new_test_user(self.env, "dir_internal", groups="base.group_user")
        self.portal = new_test_user(self.env, "dir_portal", groups="base.group_portal")
        for number, name in (("557", "Ava"), ("558", "Bob"), ("559", "Cy"), ("560", "Dina")):
            self.fake.add_user(number, name)
        self.Extension = self.env["simotel.extension"].with_context(active_test=False)

    def sync(self):
        """The administrator presses Sync from the PBX (Simotel ▸ Configuration ▸ Extensions)."""
        self.login_as("dir_admin")
        answer = self.call_button("simotel.extension", "action_simotel_sync", [])
        self.assertEqual(answer["result"]["params"]["type"], "success", answer)
        self.env.invalidate_all()

    def extension(self, number, company=None):
        return self.Extension.search([("company_id", "=", (company or self.company).id), ("number", "=", number)])

    def open_user_extensions(self, context=None):
        """Simotel ▸ Configuration ▸ User Extensions as the web client opens it: the action and its views."""
        menu = self.env.ref("simotel_connector.menu_simotel_users")
        action = self.jsonrpc("/web/action/run", {"action_id": menu.action.id, "context": context})["result"]
        answer = self.call_kw("res.users", "get_views", [action["views"]], {"options": {"load_filters": False}})
        self.fields = answer["result"]["models"]["res.users"]["fields"]
        return action, answer["result"]["views"]

    def pick_choices(self, user):
        """The choices of the extension field of ``user``'s row, as its autocompletion asks for them."""
        domain = [
            ("company_id", "=", user.company_id.id),
            "|",
            ("assigned_user_id", "=", False),
            ("assigned_user_id", "=", user.id),
        ]
        answer = self.call_kw("simotel.extension", "name_search", [], {"name": "", "args": domain})
        return [name for _id, name in answer["result"]]

    def test_admin_picks_a_free_extension_of_the_directory(self):
        self.sync()
        self.assertTrue(self.company.simotel_directory_synced)
        action, views = self.open_user_extensions()
        self.assertEqual(action["context"], {"simotel_pick_extension": True, "simotel_type_extension": False})
        # Its address is the server action's: reloading the page computes the columns again.
        self.assertEqual(self.env.ref("simotel_connector.menu_simotel_users").action.path, "simotel-user-extensions")
        self.assertFalse(action.get("path"))
        self.assertIn('name="simotel_extension_id"', views["list"]["arch"])
        self.assertIn('name="simotel_extension_id"', views["form"]["arch"])
        # The field's domain is the one the choices are asked with.
        self.assertIn("assigned_user_id", self.fields["simotel_extension_id"]["domain"])
        # Number and name; 557 and 558 are taken by the agents.
        self.assertEqual(self.pick_choices(self.internal), ["559 Cy", "560 Dina"])
        self.assertEqual(self.pick_choices(self.agent), ["557 Ava", "559 Cy", "560 Dina"])
        answer = self.web_save(
            "res.users",
            [self.internal.id],
            {"simotel_extension_id": self.extension("559").id},
            {"simotel_extension_id": {"fields": {"display_name": {}}}, "simotel_extension": {}},
        )
        self.assertEqual(
            answer["result"],
            [
                {
                    "id": self.internal.id,
                    "simotel_extension_id": {"id": self.extension("559").id, "display_name": "559 Cy"},
                    "simotel_extension": "559",
                }
            ],
        )
        self.assertEqual(self.pick_choices(self.portal), ["560 Dina"])
        # Moving the agent to 560 frees 557.
        answer = self.web_save("res.users", [self.agent.id], {"simotel_extension_id": self.extension("560").id})
        self.assertNotIn("error", answer)
        self.env.invalidate_all()
        self.assertEqual(self.agent.simotel_extension, "560")
        self.assertEqual(self.extension("557").assigned_user_id, self.env["res.users"])
        self.assertEqual(self.extension("560").assigned_user_id, self.agent)
        # Cleared.
        answer = self.web_save("res.users", [self.agent.id], {"simotel_extension_id": False})
        self.assertNotIn("error", answer)
        self.env.invalidate_all()
        self.assertFalse(self.agent.simotel_extension)

    def test_a_value_off_the_directory_is_refused(self):
        self.sync()
        self.login_as("dir_admin")
        answer = self.web_save("res.users", [self.internal.id], {"simotel_extension": "570"})
        self.assertEqual(self.error_name(answer), "ValidationError")
        self.assertIn("Extension 570 is not on the PBX", answer["error"]["data"]["message"])
        # A number of the directory may still be given as text (imports, scripts).
        answer = self.web_save("res.users", [self.internal.id], {"simotel_extension": "559"})
        self.assertNotIn("error", answer)
        # Taken by someone else: the existing rule.
        answer = self.web_save("res.users", [self.internal.id], {"simotel_extension_id": self.extension("558").id})
        self.assertEqual(self.error_name(answer), "ValidationError")
        self.assertIn("already used by Agent Bob", answer["error"]["data"]["message"])
        # An extension of another company's PBX.
        other = self.env["res.company"].create({"name": "Other PBX Co"})
        elsewhere = self.env["simotel.extension"].create({"company_id": other.id, "number": "561", "name": "Eve"})
        self.admin.company_ids = [Command.link(other.id)]
        answer = self.web_save("res.users", [self.internal.id], {"simotel_extension_id": elsewhere.id})
        self.assertEqual(self.error_name(answer), "ValidationError")
        # Removed from the PBX.
        self.extension("560").active = False
        answer = self.web_save("res.users", [self.internal.id], {"simotel_extension_id": self.extension("560").id})
        self.assertEqual(self.error_name(answer), "ValidationError")
        self.assertIn("removed from the PBX", answer["error"]["data"]["message"])
        # A non-digit value still gets its own message.
        answer = self.web_save("res.users", [self.internal.id], {"simotel_extension": "۵۵۹"})
        self.assertEqual(self.error_name(answer), "ValidationError")
        self.env.invalidate_all()
        self.assertEqual(self.internal.simotel_extension, "559")

    def test_only_simotel_administrators_pick(self):
        self.sync()
        free = self.extension("559")
        for login, target in (
            ("dir_agent", self.agent),
            ("dir_agent", self.internal),
            ("dir_internal", self.internal),
            ("dir_portal", self.portal),
        ):
            with self.subTest(login=login, target=target.login):
                self.login_as(login)
                answer = self.web_save("res.users", [target.id], {"simotel_extension_id": free.id})
                self.assertEqual(self.error_name(answer), "AccessError")
                answer = self.call_kw("res.users", "write", [[target.id], {"simotel_extension_id": free.id}])
                self.assertEqual(self.error_name(answer), "AccessError")
        # Nor through the menu's action.
        self.login_as("dir_agent")
        menu = self.env.ref("simotel_connector.menu_simotel_users")
        self.assertIn("error", self.jsonrpc("/web/action/run", {"action_id": menu.action.id}))
        # A portal user never gets one, even from an administrator.
        self.login_as("dir_admin")
        answer = self.web_save("res.users", [self.portal.id], {"simotel_extension_id": free.id})
        self.assertIn(self.error_name(answer), ("AccessError", "ValidationError"))
        self.env.invalidate_all()
        self.assertEqual(
            [user.simotel_extension for user in (self.agent, self.internal, self.portal)], ["557", False, False]
        )

    def test_typing_remains_until_the_directory_is_synced(self):
        # Extensions arrived one by one (ExtenAdded) are not a directory yet.
        self.post_sea("ExtenAdded", exten="559")
        self.assertTrue(self.extension("559"))
        self.assertFalse(self.company.simotel_directory_synced)
        self.login_as("dir_admin")
        action, views = self.open_user_extensions()
        self.assertEqual(action["context"], {"simotel_pick_extension": False, "simotel_type_extension": True})
        answer = self.web_save("res.users", [self.internal.id], {"simotel_extension": "570"})
        self.assertNotIn("error", answer)
        self.env.invalidate_all()
        self.assertEqual(self.internal.simotel_extension, "570")
        self.login_as("dir_agent")
        answer = self.web_save("res.users", [self.internal.id], {"simotel_extension": "571"})
        self.assertEqual(self.error_name(answer), "AccessError")
        # Two companies of the session, one synced: both columns, each row shows its own.
        other = self.env["res.company"].create({"name": "Synced Co", "simotel_directory_synced": "2026-01-01"})
        self.admin.company_ids = [Command.link(other.id)]
        self.login_as("dir_admin")
        action, _views = self.open_user_extensions({"allowed_company_ids": [self.company.id, other.id]})
        self.assertEqual(action["context"], {"simotel_pick_extension": True, "simotel_type_extension": True})

    def post_sea(self, name, **values):
        response = self.opener.post(
            f"{self.base_url()}/simotel/sea/{name}", json={"event_name": name, **values}, auth=SEA, timeout=30
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.env.invalidate_all()

    def test_an_extension_removed_from_the_pbx_stays_with_its_user_flagged(self):
        self.sync()
        logger = "odoo.addons.simotel_connector.models.simotel_extension"
        with self.assertLogs(logger, "WARNING") as logs:
            self.post_sea("ExtenRemoved", exten="557")
        self.assertIn("557", logs.output[0])
        self.assertIn("dir_agent", logs.output[0])
        self.assertEqual(self.agent.simotel_extension, "557", "the assignment stays")
        self.assertTrue(self.agent.simotel_extension_removed)
        self.assertFalse(self.colleague.simotel_extension_removed)
        # The administrator's filter and the row's warning.
        self.login_as("dir_admin")
        _action, views = self.open_user_extensions()
        self.assertIn('decoration-warning="simotel_extension_removed"', views["list"]["arch"])
        answer = self.call_kw("res.users", "search_read", [[("simotel_extension_removed", "=", True)], ["login"]], {})
        self.assertEqual([row["login"] for row in answer["result"]], ["dir_agent"])
        # The user's other settings are still saved.
        answer = self.web_save("res.users", [self.agent.id], {"simotel_screen_pop": False})
        self.assertNotIn("error", answer)
        # Back on the PBX: no flag.
        self.post_sea("ExtenAdded", exten="557")
        self.assertFalse(self.agent.simotel_extension_removed)
        # A sync without 558: its user is flagged too, with a log line.
        self.fake.users.pop("558")
        with self.assertLogs(logger, "WARNING") as logs:
            self.sync()
        self.assertIn("dir_colleague", logs.output[0])
        self.assertTrue(self.colleague.simotel_extension_removed)
        self.assertEqual(self.colleague.simotel_extension, "558")
        # A removed extension cannot be given to anybody else.
        answer = self.web_save("res.users", [self.internal.id], {"simotel_extension": "558"})
        self.assertEqual(self.error_name(answer), "ValidationError")
