from unittest.mock import patch

from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.bus.models.bus import ImBus, channel_with_db, dispatch, hashable
from odoo.addons.bus.websocket import WebsocketConnectionHandler

from .fake_simotel import FakeSimotel

# The first Persian page of a run builds the right-to-left assets (rtlcss): slow on a busy machine.
PERSIAN_TIMEOUT = 240


@tagged("post_install", "-at_install")
class TestAgentsTour(HttpCase):
    """The supervisor's wallboard and the agent's systray, in a real browser over the real websocket."""

    def setUp(self):
        super().setUp()
        # Odoo disables websockets in tests and drops the post-commit NOTIFY
        # that wakes them: allow them, and wake them when the bus rows exist.
        self.startPatcher(patch.object(WebsocketConnectionHandler, "websocket_allowed", return_value=True))
        send = ImBus._sendone

        def sendone(bus, target, notification_type, message):
            send(bus, target, notification_type, message)
            channel = hashable(channel_with_db(bus.env.cr.dbname, target))

            @bus.env.cr.precommit.add
            def wake_websockets():
                for websocket in list(dispatch._channels_to_ws.get(channel, ())):
                    websocket.trigger_notification_dispatching()

        self.startPatcher(patch.object(ImBus, "_sendone", sendone))
        self.fake = self.enterContext(FakeSimotel())
        self.company = self.env.company
        self.company.country_id = self.env.ref("base.ir")
        self.fake.configure_company(
            self.company,
            simotel_inbound_auth="basic",
            simotel_inbound_username="simotel",
            simotel_inbound_password="agents-tour",
            simotel_time_mode="utc",
            simotel_phone_country_id=self.env.ref("base.ir").id,
        )
        self.agent = new_test_user(
            self.env,
            login="tour_agent",
            password="tour_agent_pw",
            groups="sales_team.group_sale_salesman",
            company_id=self.company.id,
            company_ids=[self.company.id],
            name="Agent Ava",
        )
        self.agent.simotel_extension = "557"
        self.supervisor = new_test_user(
            self.env,
            login="tour_supervisor",
            password="tour_supervisor_pw",
            groups="simotel_connector.group_simotel_supervisor,sales_team.group_sale_salesman",
            company_id=self.company.id,
            company_ids=[self.company.id],
            name="Supervisor Sue",
        )
        self.env["res.partner"].create({"name": "Customer Ali", "mobile": "0912 123 4567"})
        self.fake.add_queue("900", "Sales")
        self.fake.add_user("557", "Ava", queues=["900"])
        self.env["simotel.extension"]._simotel_sync(self.company)

    def persian(self, *users):
        self.env["res.lang"]._activate_lang("fa_IR")
        self.env["ir.module.module"]._load_module_terms(["web", "simotel_connector"], ["fa_IR"], overwrite=True)
        for user in users:
            user.lang = "fa_IR"

    def test_tour_wallboard_updates_live(self):
        self.start_tour(
            "/web#action=simotel_connector.action_simotel_wallboard",
            "simotel_connector.wallboard",
            login="tour_supervisor",
        )

    def test_tour_wallboard_updates_live_persian(self):
        self.persian(self.supervisor)
        self.start_tour(
            "/web#action=simotel_connector.action_simotel_wallboard",
            "simotel_connector.wallboard_fa",
            login="tour_supervisor",
            timeout=PERSIAN_TIMEOUT,
        )

    def test_tour_agent_pauses_from_the_systray(self):
        self.start_tour("/web", "simotel_connector.agent_pause", login="tour_agent")
        self.assertEqual(
            [r["service"] for r in self.fake.requests][-2:], ["pbx/queues/pauseagent", "pbx/queues/resumeagent"]
        )
        pause = self.env["simotel.agent.pause"].search([("extension", "=", "557")])
        self.assertEqual(pause.reason_id, self.env.ref("simotel_connector.pause_reason_lunch"))
        self.assertTrue(pause.stop)

    def test_tour_agent_pauses_from_the_systray_persian(self):
        self.persian(self.agent)
        self.start_tour("/web", "simotel_connector.agent_pause_fa", login="tour_agent", timeout=PERSIAN_TIMEOUT)
        self.assertEqual([r["service"] for r in self.fake.requests][-1], "pbx/queues/resumeagent")
