from odoo.tests import HttpCase, tagged

from .test_agents_http import CUSTOMER, AgentsCommon

# Queries of one NewState delivery's processing, caches warm (store, process, agent state,
# queue figures, screen pop, bus). Every state change of every agent runs through it: a change
# that adds queries to it shows here first (the benchmarks show what they cost).
QUERIES = {"Ringing": 22, "InUse": 16, "Idle": 12}


@tagged("post_install", "-at_install")
class TestNewStateCost(AgentsCommon, HttpCase):
    def deliver(self, state, **values):
        """Store and process a NewState of extension 557 as the SEA endpoint does."""
        payload = {"event_name": "NewState", "exten": "557", "state": state, **values}
        event = self.env["simotel.event"]._simotel_store(self.company, "NewState", payload)
        return event._simotel_process_inline()

    def call(self, unique_id):
        ring = {"participant": CUSTOMER, "direction": "in", "queue": "900", "unique_id": unique_id}
        return {
            "Ringing": lambda: self.deliver("Ringing", **ring),
            "InUse": lambda: self.deliver("InUse", **ring),
            "Idle": lambda: self.deliver("Idle", unique_id=unique_id),
        }

    def test_queries_per_state_change(self):
        # As in a request begun after the agents last changed (this test's transaction began before its
        # set-up assigned them: it would read the agents anew at each event, without keeping them).
        self.registry.simotel_settings_cleared_at = None
        for deliver in self.call("1700000000.1").values():  # caches warm: a first call
            deliver()
        for state, deliver in self.call("1700000000.2").items():
            with self.subTest(state=state), self.assertQueryCount(QUERIES[state]):
                event = deliver()
                self.env.flush_all()
            self.assertEqual(event.state, "done", event.error)
        row = self.row()
        self.assertEqual((row.state, row.user_id), ("idle", self.agent))
        pops = self.env["simotel.screen.pop"].search([("unique_id", "=", "1700000000.2")])
        self.assertEqual(pops.user_id, self.agent)
