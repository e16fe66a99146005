"""Attacks on the security fixes: each test states the attack and the safe behaviour expected.

Requests go through Odoo's real HTTP stack, as the PBX sends them.
"""

from odoo import Command, fields
from odoo.tests import HttpCase, tagged

from . import sea_samples as samples
from .common import SeaCase, originate_settings, salesperson
from .fake_simotel import ORIGINATE, FakeSimotel
from .rpc_session import RpcSession

CUID = "1613906999.77"
CUSTOMER = "09121234567"


@tagged("post_install", "-at_install")
class TestAttackFixes(SeaCase):
    def test_the_account_manager_item_names_no_extension_of_another_companys_pbx(self):
        """Attack: the same shared number seen from the call-time lookup. A customer's salesperson
        works mainly for the branch (extension 559 on the branch's PBX) and is also allowed in the
        head office. When the customer calls the head office, the *Account manager's extension* item
        answered 559, and the head office's PBX routed the customer to whoever has 559 there.
        Expected: only an extension of this company's PBX, else the item's *Value If No*."""
        head_office = self.env.company
        branch = self.env["res.company"].create({"name": "Branch (account manager)"})
        manager = salesperson(self.env, "reza.attack_sticky", "559", name="Reza Branch", company=branch)
        manager.company_ids = [Command.link(head_office.id)]
        self.env["res.partner"].create(
            {"name": "Customer Sticky", "mobile": "0912 765 4321", "user_id": manager.id, "company_id": False}
        )
        self.env.flush_all()
        Partner = self.env["res.partner"]
        caller = Partner._simotel_find_caller(head_office._simotel_settings(), number="09127654321")
        self.assertEqual(caller.name, "Customer Sticky")
        self.assertEqual(caller.agent_extension, "", "an extension of the branch's PBX answered to the head office")
        at_branch = Partner._simotel_find_caller(branch._simotel_settings(), number="09127654321")
        self.assertEqual(at_branch.agent_extension, "559")

    def test_transfer_to_an_extension_of_another_companys_pbx_names_no_agent(self):
        """Attack: Bianca's main company is the branch (its own PBX), where she has extension 557; she
        also works for the head office, whose PBX has its own 557 (a desk phone, a queue, another
        person without an Odoo account). The head office's PBX hands a call over to its 557: Odoo
        takes Bianca, the branch's agent, for the call's agent (``_simotel_find_by_extension``
        searches every user allowed in the company, not the users whose extension is on this
        company's PBX, i.e. whose main company it is). Bianca gets the head office's call, its
        customer and recording, its follow-ups and KPIs, and Sara, who spoke with the customer,
        loses it. Expected: an extension is only an agent's on the PBX of the agent's main
        company: the hand-over names no agent and the call stays Sara's."""
        branch = self.env["res.company"].create({"name": "Branch (other PBX)"})
        sara = salesperson(self.env, "sara.attack_fixes", "558", name="Sara Head Office")
        bianca = salesperson(self.env, "bianca.attack_fixes", "557", company=branch, name="Bianca Branch")
        bianca.company_ids = [Command.link(self.company.id)]
        self.assertEqual(bianca.company_id, branch)
        self.deliver({**samples.CDR_INCOMING_V3, "cuid": CUID, "dst": "558", "src": CUSTOMER})
        self.env["simotel.event"]._cron_process()
        self.env.invalidate_all()
        call = self.env["simotel.call"].search([("unique_id", "=", CUID), ("company_id", "=", self.company.id)])
        self.assertEqual(call.user_id, sara)
        self.deliver(
            {
                "event_name": "Transfer",
                "unique_id": CUID,
                "transferer": "558",
                "transferred_from": CUSTOMER,
                "transferred_to": "557",
            }
        )
        self.env.invalidate_all()
        self.assertEqual(call.simotel_transfer_ids.transferred_to, "557")
        self.assertFalse(call.simotel_transfer_ids.to_user_id, "557 of this PBX is not the branch's Bianca")
        self.assertEqual(call.user_id, sara, "the call stays with the agent of this company who took it")


@tagged("post_install", "-at_install")
class TestAttackFixesAsUser(RpcSession, HttpCase):
    def test_click_to_call_never_rings_the_same_number_on_another_companys_pbx(self):
        """Attack: Sara's extension 557 is on the PBX of her main company (the head office), assigned
        by its administrators. She also works for the branch, which has its own PBX, where 557 is
        somebody else's phone. She switches the company switcher to the branch and presses the call
        button on a customer: ``_simotel_originate`` sends her head-office extension to the PBX of
        the session's company, so the branch's PBX rings its own 557 (another person's desk) and
        connects it to the outside number, on the branch's trunk and bill. The extension checks
        (assigned by the main company's administrators, picked from its directory) are bypassed by
        a click in the company switcher. Expected: the call is refused (a clear error) or placed
        through the PBX of the user's main company; the branch's PBX receives nothing."""
        head_office = self.env.company
        branch = self.env["res.company"].create({"name": "Branch (own PBX)", "country_id": self.env.ref("base.ir").id})
        fake = self.enterContext(FakeSimotel())
        fake.configure_company(branch, **originate_settings(self.env))
        sara = salesperson(self.env, "sara.attack_ctc", "557", name="Sara Head Office", password="sara.attack_ctc")
        sara.company_ids = [Command.link(branch.id)]
        self.assertEqual(sara.company_id, head_office)
        customer = self.env["res.partner"].create({"name": "Branch Customer", "phone": "0912 123 4567"})
        self.login_as("sara.attack_ctc")
        self.call_button(
            "res.partner",
            "action_simotel_call",
            [customer.id],
            context={"allowed_company_ids": [branch.id, head_office.id]},
        )
        self.assertEqual(
            fake.bodies(ORIGINATE), [], "the branch's PBX must not ring its 557 for the head office's Sara"
        )

    def test_a_user_cannot_carry_an_extension_to_another_pbx_by_changing_main_company(self):
        """Attack: the head office's administrators gave Sara extension 557 on the head office's PBX.
        Sara also works for the branch, whose PBX (directory synced) has its own 557: Bob's phone,
        Bob having no Odoo account. In her Preferences (``company_id`` is a field users write on
        themselves) Sara makes the branch her main company. Her 557 now counts as the branch's:
        Bob's directory row shows Sara as its user, the branch's calls to Bob and their screen pops
        are Sara's, although no administrator of the branch assigned it (the directory and
        main-company checks run only when the extension itself is written). Expected: the change of
        main company is refused while the extension is not the new company's to give, or the
        extension is cleared; never kept as the branch's 557."""
        head_office = self.env.company
        branch = self.env["res.company"].create({"name": "Branch (synced PBX)"})
        branch.simotel_directory_synced = fields.Datetime.now()
        bob = self.env["simotel.extension"].create({"company_id": branch.id, "number": "557", "name": "Bob"})
        sara = salesperson(self.env, "sara.attack_main", "557", name="Sara Head Office", password="sara.attack_main")
        sara.company_ids = [Command.link(branch.id)]
        self.assertEqual((sara.company_id, sara.simotel_extension), (head_office, "557"))
        self.login_as("sara.attack_main")
        self.web_save("res.users", [sara.id], {"company_id": branch.id})
        self.env.invalidate_all()
        self.assertFalse(
            sara.company_id == branch and sara.simotel_extension == "557",
            "Sara took the branch's 557 (Bob's phone) without any administrator of the branch",
        )
        self.assertFalse(bob.assigned_user_id, "Bob's row of the branch's directory is nobody's")

    def test_an_originate_timeout_stored_before_the_check_is_never_sent(self):
        """Attack: the Settings now refuse an Originate Timeout below one second, but a database that
        stored one before (0 or -5: the field took any integer, and no migration corrects it) still
        sends it: click-to-call sends ``"timeout": "-5"`` to the PBX, a value Simotel does not
        define (the agent's phone never rings, or rings without end). The call limit has the same
        history and is guarded where it is sent; the timeout is not. Expected: a timeout below one
        second is never sent (the default of 30 s is, or the call is refused with a clear message)."""
        fake = self.enterContext(FakeSimotel())
        fake.configure_company(self.env.company, **originate_settings(self.env))
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_company SET simotel_originate_timeout = -5 WHERE id = %s", [self.env.company.id]
        )
        self.env.invalidate_all()
        self.registry.clear_cache()  # as after the server's restart on the upgraded code
        salesperson(self.env, "nima.attack_timeout", "557", name="Nima", password="nima.attack_timeout")
        customer = self.env["res.partner"].create({"name": "Timeout Customer", "phone": "0912 123 4567"})
        self.login_as("nima.attack_timeout")
        answer = self.call_button("res.partner", "action_simotel_call", [customer.id])
        sent = [int(body["timeout"]) for body in fake.bodies(ORIGINATE)]
        self.assertTrue(sent or "error" in answer, answer)
        self.assertTrue(all(timeout >= 1 for timeout in sent), "timeout sent to the PBX: %s" % sent)
