"""Attacks on the agents kept in memory, the agent rows and the steering of extensions."""

from odoo.tests import HttpCase, tagged

from .test_agents_http import AgentsCommon


@tagged("post_install", "-at_install")
class TestAttackAgentRows(AgentsCommon, HttpCase):
    def test_former_agent_cannot_steer_an_extension_given_to_a_colleague(self):
        """An agent opens the systray (their row of extension 557 is created with them as its agent); an
        administrator then takes 557 from them and gives it to a colleague. No event of 557 has come since.

        Attack: the former agent pauses the row of 557 over RPC (the row still names them as its agent).
        Safe: refused like any colleague's extension (the agent of a row is who has the extension now),
        and nothing is sent to the PBX: the colleague is not paused in their queues.
        """
        self.authenticate("agent557", "agent557pw")
        row_id, error = self.rpc("simotel.agent.state", "simotel_my_row", [])
        self.assertIsNone(error)
        self.authenticate("admin", "admin")
        _result, error = self.rpc("res.users", "write", [self.agent.ids, {"simotel_extension": False}])
        self.assertIsNone(error)
        _result, error = self.rpc("res.users", "write", [self.colleague.ids, {"simotel_extension": "557"}])
        self.assertIsNone(error)
        self.fake.requests.clear()
        self.authenticate("agent557", "agent557pw")
        _result, error = self.rpc("simotel.agent.state", "action_pause", [[row_id], False])
        self.assertEqual(self.sa_services(), [], "nothing sent to the PBX for the former agent")
        self.assertFalse(self.fake.members["900"]["557"]["paused"], "the colleague is not paused")
        self.assertIsNotNone(error)
        self.assertEqual(error[0], "odoo.exceptions.AccessError")
