import json
from datetime import datetime
from unittest.mock import patch

from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.bus.models.bus import channel_with_db, json_dump
from odoo.addons.bus.websocket import WebsocketConnectionHandler

from .common import allow_websockets, persian
from .rpc_session import RpcSession
from .sea_samples import CDR_INCOMING_V3
from .test_screen_pop_http import ScreenPopHttpCommon

CALL_ID = "1700000100.10"


class AgentCase(RpcSession, ScreenPopHttpCommon):
    def bus_messages(self, user, kind):
        self.env.cr.precommit.run()
        channel = json_dump(channel_with_db(self.env.cr.dbname, user.partner_id))
        messages = []
        for notification in self.env["bus.bus"].sudo().search([("channel", "=", channel)], order="id"):
            message = json.loads(notification.message)
            if message["type"] == kind:
                messages.append(message["payload"])
        return messages

    def closes(self, user):
        return self.bus_messages(user, "simotel/screen_pop_close")

    def state(self, exten, state, unique_id=CALL_ID):
        response = self.post_event(
            "NewState",
            exten=exten,
            state=state,
            participant=self.caller,
            direction="in",
            unique_id=unique_id,
        )
        self.assertTrue(response.ok, response.text)


@tagged("post_install", "-at_install")
class TestCardLifecycle(AgentCase, HttpCase):
    """A card closes when the call is answered elsewhere or ends; recent cards stay one click away."""

    def test_answered_elsewhere_closes_the_other_cards(self):
        self.state("557", "Ringing")
        self.state("558", "Ringing")
        self.assertEqual(len(self.pops(self.agent)), 1)
        self.state("558", "InUse")
        self.assertEqual(self.closes(self.agent), [{"unique_id": CALL_ID, "reason": "answered"}])
        self.assertEqual(self.closes(self.colleague), [], "the agent who answered keeps the card")

    def test_ringing_stops_closes_the_card(self):
        self.state("557", "Ringing")
        self.state("557", "Idle")
        self.assertEqual(self.closes(self.agent), [{"unique_id": CALL_ID, "reason": "ended"}])

    def test_other_calls_close_nothing(self):
        self.state("557", "Ringing")
        self.state("558", "InUse", unique_id="1700000999.99")
        self.state("557", "Idle", unique_id="")
        self.assertEqual(self.closes(self.agent), [])

    def test_call_report_closes_every_card(self):
        self.state("557", "Ringing", unique_id=CDR_INCOMING_V3["cuid"])
        self.assertTrue(self.post_event("Cdr", **{**CDR_INCOMING_V3, "event_name": "Cdr"}).ok)
        self.env.ref("simotel_connector.ir_cron_simotel_event_process").method_direct_trigger()
        self.assertEqual(self.closes(self.agent), [{"unique_id": CDR_INCOMING_V3["cuid"], "reason": "ended"}])

    def test_recent_cards_of_the_user_only(self):
        self.state("557", "Ringing")
        self.state("558", "Ringing", unique_id="1700000200.20")
        self.authenticate("simotel_agent", "simotel_agent")
        pops = self.call_kw("simotel.screen.pop", "simotel_recent_pops", [], {"limit": 10})["result"]
        self.assertEqual([pop["unique_id"] for pop in pops], [CALL_ID])
        self.assertEqual(pops[0]["partner"], {"id": self.customer.id, "name": self.customer.display_name})
        self.assertEqual(pops[0]["number"], self.caller)

    def test_last_call_in_jalali_for_persian_agents(self):
        persian(self, self.agent)
        self.agent.tz = "Asia/Tehran"
        self.env["simotel.call"].create(
            {
                "company_id": self.company.id,
                "unique_id": "1610778618.999",
                "direction": "inbound",
                "state": "done",
                "disposition": "answered",
                "partner_id": self.customer.id,
                "start": datetime(2021, 1, 16, 6, 30, 37),
            }
        )
        self.state("557", "Ringing")
        [card] = self.pops(self.agent)
        self.assertIn("۱۳۹۹/۱۰/۲۷ ۱۰:۰۰", card["partner"]["last_call"]["label"])


@tagged("post_install", "-at_install")
class TestCardLifecycleTour(AgentCase, HttpCase):
    def setUp(self):
        super().setUp()
        allow_websockets(self)

    def test_tour_card_closes_when_answered_elsewhere(self):
        self.start_tour("/web", "simotel_connector.screen_pop_closes", login="simotel_agent")

    def test_tour_card_closes_when_answered_elsewhere_in_persian(self):
        persian(self, self.agent)
        self.start_tour("/web", "simotel_connector.screen_pop_closes", login="simotel_agent")


@tagged("post_install", "-at_install")
class TestWebsocketWarning(AgentCase, HttpCase):
    """Without a working /websocket, as behind a multi-worker server whose /websocket does not reach gevent."""

    def setUp(self):
        super().setUp()
        self.startPatcher(patch.object(WebsocketConnectionHandler, "websocket_allowed", return_value=False))

    def test_tour_agent_is_warned_that_cards_cannot_arrive(self):
        self.start_tour("/web", "simotel_connector.websocket_warning", login="simotel_agent")

    def test_tour_status_page_shows_what_arrived(self):
        self.state("557", "Ringing")
        new_test_user(self.env, "simotel_admin", groups="base.group_system,simotel_connector.group_simotel_manager")
        self.start_tour("/web", "simotel_connector.status_page", login="simotel_admin")

    def test_status_is_for_simotel_administrators(self):
        self.authenticate("simotel_agent", "simotel_agent")
        answer = self.call_kw("simotel.status", "simotel_get_status", [])
        self.assertEqual(self.error_name(answer), "AccessError")


@tagged("post_install", "-at_install")
class TestCallIcons(AgentCase, HttpCase):
    """Call icons where agents look for them, and no tel: link that rings the computer instead."""

    def setUp(self):
        super().setUp()
        self.env["res.partner"].create({"name": "Mobile Only", "mobile": "+98 915 515 1515"})
        self.env["crm.lead"].create(
            {"name": "Pipeline Deal", "type": "opportunity", "mobile": "09155151516", "user_id": self.agent.id}
        )
        self.env["crm.lead"].create(
            {"name": "Cold Lead", "type": "lead", "phone": "09155151517", "user_id": self.agent.id}
        )
        self.env.ref("crm.group_use_lead").users = [(4, self.agent.id)]

    def test_tour_call_icons_in_contacts(self):
        self.start_tour("/web", "simotel_connector.call_icons", login="simotel_agent")

    def test_tour_call_icons_in_pipeline(self):
        self.start_tour("/web", "simotel_connector.call_icons_pipeline", login="simotel_agent")

    def test_tour_call_icons_in_leads(self):
        self.start_tour("/web", "simotel_connector.call_icons_leads", login="simotel_agent")


@tagged("post_install", "-at_install")
class TestJalaliDates(AgentCase, HttpCase):
    def test_tour_calls_list_in_jalali_for_persian_users(self):
        persian(self, self.agent)
        self.env["simotel.call"].create(
            {
                "company_id": self.company.id,
                "unique_id": "1610778618.777",
                "direction": "inbound",
                "state": "done",
                "disposition": "answered",
                "external_number": "09123456789",
                "partner_id": self.customer.id,
                "user_id": self.agent.id,  # the agent took it: own-documents salespeople see their calls
                "start": datetime(2021, 1, 16, 6, 30, 37),
            }
        )
        self.start_tour(
            "/web#action=simotel_connector.action_simotel_call", "simotel_connector.jalali_calls", login="simotel_agent"
        )
