"""Attacks on picking users' extensions from the PBX directory, over RPC as the web client sends them."""

from lxml import etree

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import inbound_settings
from .rpc_session import RpcSession

MANAGER = "simotel_connector.group_simotel_manager"


@tagged("post_install", "-at_install")
class TestAttackDirectory(RpcSession, HttpCase):
    def setUp(self):
        super().setUp()
        self.company_a = self.env.company
        self.company_a.write(inbound_settings(("simotel", "attack-directory-a")))
        self.company_b = self.env["res.company"].create({"name": "Branch B Telecom"})
        self.company_b.simotel_directory_synced = fields.Datetime.now()
        Extension = self.env["simotel.extension"]
        # Branch B's PBX: 301 is its reception desk, which no Odoo user holds.
        self.b_reception = Extension.create({"company_id": self.company_b.id, "number": "301", "name": "Reception"})
        # The Simotel administrator of company A only.
        self.admin_a = new_test_user(
            self.env,
            "attack_dir_admin_a",
            groups=MANAGER,
            company_id=self.company_a.id,
            company_ids=[self.company_a.id],
        )
        self.assertFalse(
            self.b_reception.with_user(self.admin_a).has_access("read"), "B's directory is hidden from A's admin"
        )
        # A user of branch B who also works for company A.
        self.shared = new_test_user(
            self.env,
            "attack_dir_shared",
            groups="base.group_user",
            company_id=self.company_b.id,
            company_ids=[self.company_a.id, self.company_b.id],
        )
        # A user of company A only.
        self.a_user = new_test_user(
            self.env,
            "attack_dir_a_user",
            groups="base.group_user",
            company_id=self.company_a.id,
            company_ids=[self.company_a.id],
        )

    def test_admin_of_one_company_cannot_assign_another_companys_directory_rows(self):
        """Attack: the Simotel administrator of company A picks, for a user whose company is branch B,
        an extension of B's PBX directory (here B's reception desk, 301) by its id. The record rules
        hide B's directory from them, but the write runs as superuser once the user shares one company
        with the administrator, and the inverse only compares the row's company with the user's. A's
        administrator thereby decides which phone of B's PBX the user's click-to-calls ring and bill
        and whose calls pop on their screen. Expected: refused (an access error), the user keeps no
        extension."""
        self.login_as("attack_dir_admin_a")
        answer = self.call_kw("res.users", "write", [[self.shared.id], {"simotel_extension_id": self.b_reception.id}])
        self.env.invalidate_all()
        self.assertEqual(self.error_name(answer), "AccessError", answer)
        self.assertFalse(self.shared.simotel_extension)

    def test_another_companys_directory_is_not_read_through_the_error_message(self):
        """Attack: A's administrator writes ids of directory rows of other companies (which record rules
        hide from them) into the extension of a user of A, one id after the other. Each refusal says
        "Extension 301 is on the PBX of Branch B Telecom, …": the whole directory of every other
        company (numbers and company names) reads through the error messages. Expected: the refusal
        names neither the number nor the other company."""
        self.login_as("attack_dir_admin_a")
        answer = self.call_kw("res.users", "write", [[self.a_user.id], {"simotel_extension_id": self.b_reception.id}])
        self.assertIn("error", answer)
        message = answer["error"]["data"]["message"]
        self.assertNotIn("301", message)
        self.assertNotIn("Branch B Telecom", message)
        self.env.invalidate_all()
        self.assertFalse(self.a_user.simotel_extension)

    def test_the_directory_is_written_by_the_pbx_only(self):
        """Attack: once company A's directory is synced, users' extensions must be on A's PBX, and an
        extension the PBX removed cannot be given again. The screens never create nor edit directory
        rows, but a Simotel administrator may over RPC (the model's access rights allow create and
        write): they create a row "570" that the PBX does not have, or set a removed row active
        again, and then assign it; the check "only the PBX's extensions" is void and calls ring
        nothing. Expected: directory rows are created, changed and re-activated only by the PBX
        (sync and SEA), so both assignments are refused."""
        self.company_a.simotel_directory_synced = fields.Datetime.now()
        Extension = self.env["simotel.extension"]
        removed = Extension.create({"company_id": self.company_a.id, "number": "560", "name": "Dina", "active": False})
        self.login_as("attack_dir_admin_a")
        created = self.call_kw(
            "simotel.extension", "create", [[{"company_id": self.company_a.id, "number": "570", "name": "Made up"}]]
        )
        if "error" not in created:
            self.call_kw("res.users", "write", [[self.a_user.id], {"simotel_extension_id": created["result"][0]}])
        self.call_kw("simotel.extension", "write", [[removed.id], {"active": True}])
        self.env.invalidate_all()
        self.assertFalse(self.a_user.simotel_extension, "an extension that is not on the PBX was assigned")
        self.assertFalse(removed.active, "an extension the PBX removed was re-activated")
        self.assertFalse(Extension.search_count([("number", "=", "570")]), "a directory row the PBX does not have")

    def test_queues_and_their_members_are_written_by_the_pbx_only(self):
        """The same for queues: a Simotel administrator who creates a queue member over RPC makes an
        agent look a member of a queue the PBX never rings them in (the systray and the wallboard
        then lie). Expected: queues and members change only through the PBX (sync, SEA, and the
        join/leave actions that go through the SA API)."""
        queue = self.env["simotel.queue"].create({"company_id": self.company_a.id, "number": "900", "name": "Sales"})
        self.login_as("attack_dir_admin_a")
        for model, method, args in (
            ("simotel.queue.member", "create", [[{"queue_id": queue.id, "extension": "557"}]]),
            ("simotel.queue", "create", [[{"company_id": self.company_a.id, "number": "901"}]]),
            ("simotel.queue", "write", [[queue.id], {"name": "Renamed"}]),
        ):
            with self.subTest(model=model, method=method):
                self.assertIn("error", self.call_kw(model, method, args))
        self.env.invalidate_all()
        self.assertFalse(queue.member_ids)
        self.assertEqual(queue.name, "Sales")

    def test_admin_of_one_company_cannot_type_an_extension_for_another_companys_user(self):
        """The same attack with the number typed (``simotel_extension``) rather than picked: the user's
        extension is on the PBX of their main company (branch B), which A's administrator does not
        administer. Expected: refused (an access error that names no number of B), nothing written."""
        self.login_as("attack_dir_admin_a")
        for values in ({"simotel_extension": "301"}, {"simotel_extension_id": False}, {"simotel_extension": False}):
            with self.subTest(values=values):
                answer = self.web_save("res.users", [self.shared.id], values)
                self.assertEqual(self.error_name(answer), "AccessError", answer)
                self.assertNotIn("301", answer["error"]["data"]["message"])
        self.env.invalidate_all()
        self.assertFalse(self.shared.simotel_extension)
        # A user of A: still assigned by A's administrator.
        self.company_a.simotel_directory_synced = False
        answer = self.web_save("res.users", [self.a_user.id], {"simotel_extension": "301"})
        self.assertNotIn("error", answer)
        self.env.invalidate_all()
        self.assertEqual(self.a_user.simotel_extension, "301")

    def test_ids_that_are_not_readable_directory_rows_get_one_answer(self):
        """A row of another company, a row that does not exist and a value of the wrong type all get
        the same access error: whether an id exists in another company is not told either."""
        self.login_as("attack_dir_admin_a")
        missing = self.env["simotel.extension"].search([], order="id desc", limit=1).id + 1000
        messages = set()
        for value in (self.b_reception.id, missing, "301", [self.b_reception.id]):
            with self.subTest(value=value):
                answer = self.call_kw("res.users", "write", [[self.a_user.id], {"simotel_extension_id": value}])
                self.assertEqual(self.error_name(answer), "AccessError", answer)
                messages.add(answer["error"]["data"]["message"])
        self.assertEqual(len(messages), 1, messages)
        self.env.invalidate_all()
        self.assertFalse(self.a_user.simotel_extension)

    def test_the_directory_screen_offers_no_create_nor_edit(self):
        """Simotel ▸ Configuration ▸ Extensions as the Simotel administrator's web client loads it: no
        New, no inline edit, no Delete, no Archive (the directory is the PBX's). Its Sync button, pressed
        by a Simotel administrator, still syncs: ``test_extension_directory.py`` (``sync``)."""
        self.login_as("attack_dir_admin_a")
        action = self.env.ref("simotel_connector.action_simotel_extension")
        answer = self.call_kw(
            action.res_model, "get_views", [[[False, "list"]]], {"options": {"toolbar": True, "load_filters": False}}
        )
        arch = etree.fromstring(answer["result"]["views"]["list"]["arch"])
        self.assertEqual(arch.tag, "list")
        for attribute in ("create", "edit", "delete"):
            self.assertIn(arch.get(attribute), ("0", "false", "False"), attribute)
        # The web client offers Archive and Unarchive when the model's active field is not read-only.
        fields_get = self.call_kw(action.res_model, "fields_get", [["active"]], {"attributes": ["readonly"]})
        self.assertTrue(fields_get["result"]["active"]["readonly"])
