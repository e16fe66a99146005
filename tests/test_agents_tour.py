from odoo.tests import HttpCase, tagged

from .common import allow_websockets, fake_pbx, inbound_settings, persian, salesperson, supervisor

# The first Persian page of a run builds the right-to-left assets (rtlcss): slow on a busy machine.
PERSIAN_TIMEOUT = 240


@tagged("post_install", "-at_install")
class TestAgentsTour(HttpCase):
    """The supervisor's wallboard and the agent's systray, in a real browser over the real websocket."""

    def setUp(self):
        super().setUp()
        allow_websockets(self)
        iran = self.env.ref("base.ir").id
        fake_pbx(self, country_id=iran, **inbound_settings(("simotel", "agents-tour"), simotel_phone_country_id=iran))
        self.agent = salesperson(self.env, "tour_agent", password="tour_agent_pw", name="Agent Ava")
        self.supervisor = supervisor(self.env, "tour_supervisor", password="tour_supervisor_pw", name="Supervisor Sue")
        self.env["res.partner"].create({"name": "Customer Ali", "mobile": "0912 123 4567"})
        self.fake.add_queue("900", "Sales")
        self.fake.add_user("557", "Ava", queues=["900"])
        self.env["simotel.extension"]._simotel_sync(self.company)

    def test_tour_wallboard_updates_live(self):
        self.start_tour(
            "/web#action=simotel_connector.action_simotel_wallboard",
            "simotel_connector.wallboard",
            login="tour_supervisor",
        )

    def test_tour_wallboard_updates_live_persian(self):
        persian(self, self.supervisor)
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
        persian(self, self.agent)
        self.start_tour("/web", "simotel_connector.agent_pause_fa", login="tour_agent", timeout=PERSIAN_TIMEOUT)
        self.assertEqual([r["service"] for r in self.fake.requests][-1], "pbx/queues/resumeagent")
