"""After the call: the agent's call result and note, from the caller's card while the call runs or from the call's
form afterwards; the note reaches the customer's (and lead's) chatter, linked to the call; reminders."""

from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import allow_websockets, persian, ringing
from .rpc_session import RpcSession
from .test_agents_tour import PERSIAN_TIMEOUT
from .test_screen_pop_http import ScreenPopHttpCommon

UNIQUE_ID = "1700000000.77"


class AfterCallCommon(ScreenPopHttpCommon, RpcSession):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.interested = cls.env.ref("simotel_connector.call_result_interested")
        cls.call_back_later = cls.env.ref("simotel_connector.call_result_call_back_later")
        cls.lead = cls.env["crm.lead"].create(
            {"name": "Licences for Parsian", "partner_id": cls.customer.id, "phone": "+98 912 345 6789"}
        )

    def ring(self, unique_id=UNIQUE_ID):
        response = self.post_event("NewState", **ringing(self.caller, unique_id=unique_id))
        self.assertTrue(response.ok, response.text)

    def hang_up(self, unique_id=UNIQUE_ID, **values):
        """The call's report (SEA ``Cdr``): answered by extension 557; processed as the event cron does."""
        now = fields.Datetime.now()
        response = self.post_event(
            "Cdr",
            **{
                "starttime": fields.Datetime.to_string(now - timedelta(minutes=5)),
                "endtime": fields.Datetime.to_string(now),
                "src": self.caller,
                "dst": "557",
                "type": "incoming",
                "disposition": "ANSWERED",
                "billsec": 290,
                "unique_id": unique_id,
                **values,
            },
        )
        self.assertTrue(response.ok, response.text)
        self.env.ref("simotel_connector.ir_cron_simotel_event_process").method_direct_trigger()
        self.env.invalidate_all()
        return self.env["simotel.call"].search([("unique_id", "=", unique_id)])

    def wrap_up(self, values, context=None):
        """The Call result dialog: opened with ``context``, filled with ``values``, then Save pressed."""
        saved = self.call_kw(
            "simotel.call.wrap.up",
            "web_save",
            [[], values],
            {"specification": {"result_id": {}}, "context": context or {}},
        )
        if "error" in saved:
            return saved
        return self.call_button("simotel.call.wrap.up", "action_save", [saved["result"][0]["id"]], context)

    def notes(self, record):
        return record.message_ids.filtered(lambda m: m.message_type == "comment").mapped("body")


@tagged("post_install", "-at_install")
class TestAfterCall(AfterCallCommon, HttpCase):
    def test_result_and_note_from_the_card_reach_the_call_and_the_customer(self):
        self.ring()
        self.login_as("simotel_agent")
        answer = self.wrap_up(
            {"result_id": self.interested.id, "note": "Wants a quote"},
            {"default_unique_id": UNIQUE_ID, "default_number": self.caller},
        )
        self.assertEqual(answer["result"]["params"]["next"], {"type": "ir.actions.act_window_close"}, answer)
        self.assertIn("when Simotel reports its end", answer["result"]["params"]["message"])
        call = self.hang_up()
        self.assertEqual(len(call), 1)
        self.assertRecordValues(call, [{"result_id": self.interested.id, "user_id": self.agent.id}])
        note = call.message_ids.filtered(lambda m: "Wants a quote" in m.body)
        self.assertEqual((len(note), note.author_id), (1, self.agent.partner_id))
        tracking = call.message_ids.tracking_value_ids.filtered(lambda t: t.field_id.name == "result_id")
        self.assertEqual(tracking.new_value_char, "Interested")
        for record in (self.customer, self.lead):
            with self.subTest(record=record._name):
                [body] = [body for body in self.notes(record) if "Wants a quote" in body]
                self.assertIn("Call result: Interested", body)
                self.assertIn(f'data-oe-model="simotel.call" data-oe-id="{call.id}"', body)
        # The agent follows the call they wrote on, not the customer (whose mail is none of theirs).
        self.assertIn(self.agent.partner_id, call.message_partner_ids)
        self.assertNotIn(self.agent.partner_id, self.customer.message_partner_ids | self.lead.message_partner_ids)
        # Nothing is left waiting on the card.
        pop = self.env["simotel.screen.pop"].search([("unique_id", "=", UNIQUE_ID)])
        self.assertRecordValues(pop, [{"user_id": self.agent.id, "result_id": False, "note": False}])

    def test_result_from_the_form_after_the_call(self):
        self.ring()
        call = self.hang_up()
        self.login_as("simotel_agent")
        action = self.call_button("simotel.call", "action_simotel_wrap_up", call.ids)["result"]
        self.assertEqual((action["res_model"], action["target"]), ("simotel.call.wrap.up", "new"))
        self.wrap_up({"result_id": self.call_back_later.id, "note": "Call again on Sunday"}, action["context"])
        self.env.invalidate_all()
        self.assertEqual(call.result_id, self.call_back_later)
        self.assertTrue(any("Call again on Sunday" in body for body in self.notes(call)))
        self.assertTrue(any("Call result: Call back later" in body for body in self.notes(self.customer)))
        # A card saved after the report arrived goes straight to the call.
        answer = self.wrap_up({"result_id": self.interested.id}, {"default_unique_id": UNIQUE_ID})
        self.assertIn("Saved on the call", answer["result"]["params"]["message"])
        self.env.invalidate_all()
        self.assertEqual(call.result_id, self.interested)
        # Saved again unchanged, without a note: the customer's chatter gets nothing new.
        before = len(self.notes(self.customer))
        self.wrap_up({"result_id": self.interested.id}, {"default_call_id": call.id})
        self.env.invalidate_all()
        self.assertEqual(len(self.notes(self.customer)), before)

    def test_form_has_chatter_and_the_button(self):
        arch = self.env["simotel.call"].with_user(self.agent).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("<chatter", arch)
        self.assertIn('name="action_simotel_wrap_up"', arch)

    def test_an_agent_sets_results_only_on_calls_they_may_see(self):
        self.ring()
        call = self.hang_up()
        self.login_as("simotel_colleague")  # extension 558: the call did not ring there, nor is it theirs
        refused = self.wrap_up({"result_id": self.interested.id}, {"default_unique_id": UNIQUE_ID})
        self.assertEqual(self.error_name(refused), "AccessError", refused)
        refused = self.wrap_up({"result_id": self.interested.id}, {"default_call_id": call.id})
        self.assertEqual(self.error_name(refused), "AccessError", refused)
        refused = self.call_button("simotel.call", "action_simotel_wrap_up", call.ids)
        self.assertEqual(self.error_name(refused), "AccessError", refused)
        self.env.invalidate_all()
        self.assertFalse(call.result_id)
        self.assertFalse([body for body in self.notes(self.customer) if "Call result" in body])

    def test_result_of_another_company_is_refused(self):
        other = self.env["res.company"].create({"name": "After Call Other Co"})
        foreign = self.env["simotel.call.result"].create({"name": "Other company's result", "company_id": other.id})
        self.ring()
        call = self.hang_up()
        self.login_as("simotel_agent")
        refused = self.wrap_up({"result_id": foreign.id}, {"default_call_id": call.id})
        self.assertIn(self.error_name(refused), ("AccessError", "UserError"), refused)
        self.env.invalidate_all()
        self.assertFalse(call.result_id)

    def test_nothing_chosen_nothing_saved(self):
        self.ring()
        self.login_as("simotel_agent")
        refused = self.wrap_up({"note": "   "}, {"default_unique_id": UNIQUE_ID})
        self.assertEqual(self.error_name(refused), "UserError", refused)

    def test_result_codes_are_changed_by_simotel_administrators_only(self):
        self.login_as("simotel_agent")
        refused = self.web_save("simotel.call.result", self.interested.ids, {"name": "Hot"})
        self.assertEqual(self.error_name(refused), "AccessError", refused)
        refused = self.web_save("simotel.call.result", [], {"name": "Mine"})
        self.assertEqual(self.error_name(refused), "AccessError", refused)
        manager = new_test_user(
            self.env, "after_call_manager", groups="simotel_connector.group_simotel_manager", password="acm_pw"
        )
        self.authenticate(manager.login, "acm_pw")
        saved = self.web_save("simotel.call.result", [], {"name": "Demo booked"})
        self.assertNotIn("error", saved, saved)


@tagged("post_install", "-at_install")
class TestWrapUpReminder(AfterCallCommon, HttpCase):
    """Optional per company: answered calls without a result go to the agent's To Wrap Up list and get an
    activity (a reminder, never a blocking dialog)."""

    def to_wrap_up(self):
        """What the agent's To Wrap Up menu lists (the action's own filter, through the agent's session)."""
        action = self.env.ref("simotel_connector.action_simotel_call_to_wrap_up")
        search = self.env["simotel.call"].with_user(self.agent).get_views([(action.search_view_id.id, "search")])
        self.assertIn('name="to_wrap_up"', search["views"]["search"]["arch"])
        self.assertEqual(action.context, "{'search_default_to_wrap_up': 1}")
        self.login_as("simotel_agent")
        answer = self.call_kw(
            "simotel.call",
            "search_read",
            [[("user_id", "=", self.agent.id), ("state", "=", "done"), ("disposition", "=", "answered"),
              ("direction", "!=", "internal"), ("result_id", "=", False),
              ("company_id.simotel_wrap_up_reminder", "=", True)], ["id"]],
        )  # fmt: skip
        return [row["id"] for row in answer["result"]]

    def reminders(self, call):
        return call.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("simotel_connector.mail_activity_type_call_result")
        )

    def test_reminder_off_by_default(self):
        self.ring()
        call = self.hang_up()
        self.assertFalse(self.reminders(call))
        self.assertEqual(self.to_wrap_up(), [])

    def test_answered_call_without_result_is_listed_and_reminded_until_set(self):
        self.company.simotel_wrap_up_reminder = True
        self.ring()
        call = self.hang_up()
        missed = self.hang_up(unique_id="1700000000.78", disposition="NO ANSWER", billsec=0)
        self.assertEqual(self.to_wrap_up(), call.ids)
        reminder = self.reminders(call)
        self.assertEqual((len(reminder), reminder.user_id), (1, self.agent))
        self.assertFalse(self.reminders(missed))
        self.wrap_up({"result_id": self.interested.id}, {"default_call_id": call.id})
        self.env.invalidate_all()
        self.assertFalse(self.reminders(call), "done once the result is set")
        self.assertEqual(self.to_wrap_up(), [])


@tagged("post_install", "-at_install")
class TestAfterCallTour(AfterCallCommon, HttpCase):
    """In the agent's browser: the card over the real websocket, the dialog, the call's form, the customer's chatter."""

    def setUp(self):
        super().setUp()
        allow_websockets(self)

    def run_tours(self, suffix="", timeout=60):
        self.start_tour("/web", f"simotel_connector.after_call_card{suffix}", login="simotel_agent", timeout=timeout)
        self.assertEqual(
            self.env["simotel.screen.pop"].search([("unique_id", "=", UNIQUE_ID)]).result_id, self.interested
        )
        call = self.hang_up()
        self.assertEqual(call.result_id, self.interested)
        self.start_tour(
            f"/web#action=simotel_connector.action_simotel_call&model=simotel.call&id={call.id}&view_type=form",
            f"simotel_connector.after_call_found{suffix}",
            login="simotel_agent",
            timeout=timeout,
        )
        return call

    def test_tour_result_and_note_from_the_card(self):
        call = self.run_tours()
        self.assertTrue(any("Wants a quote for 20 licences" in body for body in self.notes(call)))

    def test_tour_result_and_note_from_the_card_persian(self):
        persian(self, self.agent)
        call = self.run_tours("_fa", timeout=PERSIAN_TIMEOUT)
        [body] = [body for body in self.notes(self.customer) if "پیش‌فاکتور" in body]
        self.assertIn("نتیجهٔ تماس", body)
        self.assertIn(f'data-oe-id="{call.id}"', body)
