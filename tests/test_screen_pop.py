import json
from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.bus.models.bus import channel_with_db, json_dump

from .common import ringing, salesperson


class ScreenPopCommon:
    """An agent on extension 557, a colleague on 558 and a known customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.simotel_phone_country_id = cls.env.ref("base.ir")
        cls.agent = salesperson(cls.env, "simotel_agent", "557", name="Agent Sara")
        cls.colleague = salesperson(cls.env, "simotel_colleague", "558", name="Colleague Reza")
        cls.salesperson = salesperson(cls.env, "simotel_seller", False, name="Seller Mina")
        cls.customer_company = cls.env["res.partner"].create(
            {
                "name": "Parsian Trading",
                "is_company": True,
                "user_id": cls.salesperson.id,
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Ali Rezaei",
                "parent_id": cls.customer_company.id,
                "phone": "+98 912 345 6789",
            }
        )
        won = cls.env["crm.stage"].search([("is_won", "=", True)], limit=1) or cls.env["crm.stage"].create(
            {"name": "Won", "is_won": True}
        )
        cls.env["crm.lead"].create(
            [
                {"name": "Open 1", "type": "opportunity", "partner_id": cls.customer.id},
                {"name": "Open 2", "type": "opportunity", "partner_id": cls.customer_company.id},
                {"name": "Won", "type": "opportunity", "partner_id": cls.customer.id, "stage_id": won.id},
                {"name": "Lead", "type": "lead", "partner_id": cls.customer.id},
            ]
        )
        cls.caller = "09123456789"

    def pops(self, user=None):
        """Screen-pop payloads sent on the bus (to ``user`` when given)."""
        self.env.cr.precommit.run()  # creates the bus.bus rows
        domain = []
        if user:
            domain = [("channel", "=", json_dump(channel_with_db(self.env.cr.dbname, user.partner_id)))]
        payloads = []
        for notification in self.env["bus.bus"].sudo().search(domain, order="id"):
            message = json.loads(notification.message)
            if message["type"] == "simotel/screen_pop":
                payloads.append(message["payload"])
        return payloads

    def new_state(self, **values):
        return self.env["simotel.screen.pop"]._simotel_on_new_state(self.company, ringing(self.caller, **values))


@tagged("post_install", "-at_install")
class TestScreenPop(ScreenPopCommon, TransactionCase):
    def test_ringing_pops_the_card_for_the_agent_only(self):
        self.assertEqual(self.new_state(), self.agent)
        self.assertEqual(len(self.pops()), 1)
        [card] = self.pops(self.agent)
        self.assertEqual(card["number"], self.caller)
        self.assertEqual(card["unique_id"], "1610778618.378")
        self.assertTrue(card["can_create_lead"])
        partner = card["partner"]
        self.assertEqual(partner["id"], self.customer.id)
        self.assertEqual(partner["name"], "Ali Rezaei")
        self.assertEqual(partner["company"], "Parsian Trading")
        self.assertEqual(partner["salesperson"], "Seller Mina")
        self.assertEqual(partner["open_opportunities"], 2)
        self.assertFalse(self.pops(self.colleague))

    def test_contract_state(self):
        card = self.env["simotel.screen.pop"]._simotel_card(self.company, self.caller)
        self.assertEqual(card["partner"]["contract"], {"state": "none", "label": "None"})
        self.customer.commercial_partner_id.simotel_contract_ref = "C-1402-17"
        card = self.env["simotel.screen.pop"]._simotel_card(self.company, self.caller)
        self.assertEqual(card["partner"]["contract"], {"state": "active", "label": "Active"})

    def test_repeated_events_pop_once(self):
        self.new_state()
        self.assertFalse(self.new_state())
        self.assertFalse(self.new_state(state="RINGING"))
        incoming = {"number": self.caller, "entry_point": "557", "unique_id": "1610778618.378"}
        self.assertFalse(self.env["simotel.screen.pop"]._simotel_on_incoming_call(self.company, incoming))
        self.assertEqual(len(self.pops(self.agent)), 1)
        # Another call of the same customer pops again.
        self.assertEqual(self.new_state(unique_id="1610778999.400"), self.agent)
        self.assertEqual(len(self.pops(self.agent)), 2)

    def test_other_states_and_outbound_calls_do_not_pop(self):
        self.assertFalse(self.new_state(state="InUse"))
        self.assertFalse(self.new_state(state="Idle"))
        self.assertFalse(self.new_state(direction="out"))
        self.assertFalse(self.new_state(participant=""))
        self.assertFalse(self.pops())

    def test_missing_direction_counts_as_inbound(self):
        self.assertEqual(self.new_state(direction=None), self.agent)

    def test_unknown_extension_pops_for_nobody(self):
        self.assertFalse(self.new_state(exten="999"))
        self.assertFalse(self.pops())

    def test_preference_off(self):
        self.agent.with_user(self.agent).write({"simotel_screen_pop": False})
        self.assertFalse(self.new_state())
        self.assertFalse(self.pops())
        self.agent.with_user(self.agent).write({"simotel_screen_pop": True})
        self.assertEqual(self.new_state(), self.agent)

    def test_preference_is_in_the_preferences_form(self):
        self.assertIn("simotel_screen_pop", self.agent.SELF_WRITEABLE_FIELDS)
        view = self.env.ref("simotel_connector.view_users_form_simple_modif")
        self.assertIn('name="simotel_screen_pop"', view.arch_db)

    def test_unknown_number(self):
        self.assertEqual(self.new_state(participant="02188776655"), self.agent)
        [card] = self.pops(self.agent)
        self.assertIs(card["partner"], False)
        self.assertEqual(card["number"], "02188776655")

    def test_lead_button_only_for_salespeople(self):
        clerk = new_test_user(
            self.env, "simotel_clerk", groups="simotel_connector.group_simotel_user", simotel_extension="559"
        )
        self.assertEqual(self.new_state(exten="559"), clerk)
        [card] = self.pops(clerk)
        self.assertFalse(card["can_create_lead"])

    def test_incoming_call_pops_for_the_extension_dialled(self):
        Pop = self.env["simotel.screen.pop"]
        self.assertFalse(
            Pop._simotel_on_incoming_call(
                self.company, {"number": self.caller, "entry_point": "02191001234", "unique_id": "a"}
            )
        )
        self.assertEqual(
            Pop._simotel_on_incoming_call(
                self.company, {"number": self.caller, "entry_point": "558", "unique_id": "b"}
            ),
            self.colleague,
        )
        self.assertEqual(len(self.pops()), 1)

    def test_call_without_id_pops_each_time(self):
        self.assertEqual(self.new_state(unique_id=None), self.agent)
        self.assertEqual(self.new_state(unique_id=None), self.agent)
        self.assertEqual(len(self.pops(self.agent)), 2)

    def test_other_company_user_does_not_pop(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        self.assertFalse(
            self.env["simotel.screen.pop"]._simotel_on_new_state(
                other, {"exten": "557", "state": "Ringing", "participant": self.caller, "unique_id": "x"}
            )
        )

    def test_last_call_of_the_customer(self):
        Call = self.env["simotel.call"]
        Call.create(
            {
                "unique_id": "old",
                "direction": "outbound",
                "disposition": "no_answer",
                "partner_id": self.customer.id,
                "start": "2024-01-10 08:00:00",
            }
        )
        last = Call.create(
            {
                "unique_id": "last",
                "direction": "inbound",
                "disposition": "answered",
                "partner_id": self.customer_company.id,
                "start": "2024-01-16 06:30:37",
            }
        )
        Call.create(
            {
                "unique_id": "other",
                "direction": "inbound",
                "disposition": "answered",
                "partner_id": self.salesperson.partner_id.id,
                "start": "2024-02-01 06:30:37",
            }
        )
        self.agent.tz = "Asia/Tehran"
        self.new_state()
        [card] = self.pops(self.agent)
        last_call = card["partner"]["last_call"]
        self.assertEqual(last_call["id"], last.id)
        self.assertEqual(last_call["start"], "2024-01-16 06:30:37")
        self.assertIn("10:00", last_call["label"])  # Tehran is UTC+3:30
        self.assertIn("Inbound", last_call["label"])
        self.assertIn("Answered", last_call["label"])

    def test_no_last_call(self):
        self.new_state()
        [card] = self.pops(self.agent)
        self.assertIs(card["partner"]["last_call"], False)

    def test_late_event_does_not_pop(self):
        """A retried event whose call rang minutes ago pops nothing (nor claims the call)."""
        late = fields.Datetime.now() - timedelta(minutes=5)
        self.assertFalse(
            self.env["simotel.screen.pop"]._simotel_on_new_state(
                self.company, {"exten": "557", "state": "Ringing", "participant": self.caller, "unique_id": "u"}, late
            )
        )
        self.assertFalse(self.pops())
        self.assertEqual(self.new_state(unique_id="u"), self.agent)

    def test_numbers_sent_as_json_numbers(self):
        self.assertEqual(self.new_state(exten=557, participant=9123456789, unique_id=1610778618.378), self.agent)
        [card] = self.pops(self.agent)
        self.assertEqual(card["partner"]["id"], self.customer.id)

    def test_autovacuum_forgets_old_calls(self):
        self.new_state()
        old = self.env["simotel.screen.pop"].search([("unique_id", "=", "1610778618.378")])
        self.assertEqual(len(old), 1)
        self.env.cr.execute(
            "UPDATE simotel_screen_pop SET create_date = %s WHERE id = %s",
            [fields.Datetime.now() - timedelta(days=3), old.id],
        )
        self.new_state(unique_id="recent")
        self.env["simotel.screen.pop"]._gc_screen_pops()
        self.assertEqual(self.env["simotel.screen.pop"].search([]).mapped("unique_id"), ["recent"])

    def test_agent_reads_only_own_popups(self):
        self.new_state()
        self.new_state(exten="558")
        Pop = self.env["simotel.screen.pop"]
        self.assertEqual(Pop.with_user(self.agent).search([]).user_id, self.agent)
        self.assertEqual(len(Pop.search([])), 2)
