from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .test_agents_http import AgentsCommon

# (call, queue, disposition, hung up by, wait, talk, agent, caller): a morning of two queues.
CALLS = [
    ("k1", "900", "ANSWERED", "agent", 5, 60, "557", "09120000001"),
    ("k2", "900", "ANSWERED", "caller", 15, 120, "558", "09120000002"),
    ("k3", "900", "ANSWERED", "agent", 30, 90, "557", "09120000003"),
    ("k4", "900", "NO ANSWER", "caller", 40, 0, "", "09120000004"),
    ("k5", "900", "NO ANSWER", "", 60, 0, "", "09120000005"),
    ("k6", "901", "ANSWERED", "agent", 10, 30, "558", "09120000006"),
    ("k7", "901", "NO ANSWER", "caller", 8, 0, "", "09120000007"),
]
# Figures computed by hand (service level threshold: 20 s).
BY_QUEUE = {
    "900": {
        "offered": 5,
        "answered": 3,
        "abandoned": 1,
        "unanswered": 1,
        "answered_in_sl": 2,
        "service_level": 40.0,
        "abandon_rate": 20.0,
        "asa_seconds": 50 / 3,
        "wait_seconds": 30.0,
        "talk_seconds": 270,
    },
    "901": {
        "offered": 2,
        "answered": 1,
        "abandoned": 1,
        "unanswered": 0,
        "answered_in_sl": 1,
        "service_level": 50.0,
        "abandon_rate": 50.0,
        "asa_seconds": 10.0,
        "wait_seconds": 9.0,
        "talk_seconds": 30,
    },
}
BY_AGENT = {  # answered calls only carry an agent
    "557": {"answered": 2, "answered_in_sl": 1, "service_level": 50.0, "asa_seconds": 17.5, "talk_seconds": 150},
    "558": {"answered": 2, "answered_in_sl": 2, "service_level": 100.0, "asa_seconds": 12.5, "talk_seconds": 150},
}

# (call, caller, called, direction, disposition, wait, talk, minutes after the first queued call): a direct
# call nobody answered (no queue), then a call back to the first abandoned caller.
RECOVERY_CALLS = [
    ("d1", "09120000008", "557", "incoming", "NO ANSWER", 20, 0, 20),
    ("cb1", "557", "09120000004", "outgoing", "ANSWERED", 0, 40, 33),
]


@tagged("post_install", "-at_install")
class TestQueueKpis(AgentsCommon, HttpCase):
    def setUp(self):
        super().setUp()
        self.start = fields.Datetime.now().replace(microsecond=0) - timedelta(hours=1)
        for index, (uid, queue, disposition, hangup, wait, talk, agent, caller) in enumerate(CALLS):
            start = self.start + timedelta(minutes=index)
            self.cdr_queue(uid, disposition, hangup, wait, talk, queue, agent, caller=caller, start=start)
        self.env["simotel.event"]._cron_process()
        self.env.invalidate_all()
        self.Report = self.env["simotel.queue.report"].with_user(self.supervisor)

    def figures(self, groupby, measures):
        groups = self.Report.read_group([], [f"{m}:{self.Report._fields[m].aggregator}" for m in measures], [groupby])
        return {group[groupby]: group for group in groups}

    def test_kpis_per_queue(self):
        figures = self.figures("queue", list(BY_QUEUE["900"]))
        for queue, expected in BY_QUEUE.items():
            for measure, value in expected.items():
                with self.subTest(queue=queue, measure=measure):
                    self.assertAlmostEqual(figures[queue][measure], value, places=2)

    def test_kpis_per_agent(self):
        Report = self.Report
        groups = Report.read_group(
            [("outcome", "=", "answered")],
            [f"{m}:{Report._fields[m].aggregator}" for m in BY_AGENT["557"]] + ["extension"],
            ["extension"],
        )
        figures = {group["extension"]: group for group in groups}
        for agent, expected in BY_AGENT.items():
            for measure, value in expected.items():
                with self.subTest(agent=agent, measure=measure):
                    self.assertAlmostEqual(figures[agent][measure], value, places=2)
        users = {
            g["user_id"][0]: g["answered"] for g in Report.read_group([], ["answered:sum"], ["user_id"]) if g["user_id"]
        }
        self.assertEqual(users, {self.agent.id: 2, self.colleague.id: 2})

    def test_kpis_per_hour_add_up(self):
        groups = self.Report.read_group([], ["offered:sum", "answered:sum"], ["entered_at:hour"])
        self.assertEqual(sum(g["offered"] for g in groups), 7)
        self.assertEqual(sum(g["answered"] for g in groups), 4)

    def test_agents_cannot_read_the_kpis(self):
        self.authenticate("agent557", "agent557pw")
        _result, error = self.rpc("simotel.queue.report", "read_group", [[], ["offered:sum"], ["queue"]])
        self.assertEqual(error[0], "odoo.exceptions.AccessError")

    def test_recovery_tells_abandoned_from_unanswered_and_missed(self):
        for uid, src, dst, direction, disposition, wait, talk, minutes in RECOVERY_CALLS:
            start = fields.Datetime.to_string(self.start + timedelta(minutes=minutes))
            report = {"src": src, "dst": dst, "type": direction, "disposition": disposition, "starttime": start}
            self.post("Cdr", unique_id=uid, wait=str(wait), billsec=str(talk), **report)
        self.env["simotel.event"]._cron_process()
        self.env.invalidate_all()
        Recovery = self.env["simotel.recovery"].with_user(self.supervisor)
        rows = Recovery.search([])
        self.assertEqual(
            [(row.call_id.unique_id, row.kind, row.called_back) for row in rows],
            [
                ("k4", "abandoned", True),
                ("k5", "queue_unanswered", False),
                ("k7", "abandoned", False),
                ("d1", "missed", False),
            ],
        )
        self.assertAlmostEqual(rows[0].callback_minutes, 30.0, places=2)
        to_call_back = Recovery.search([("called_back", "=", False)])
        self.assertEqual(to_call_back.mapped("call_id.unique_id"), ["k5", "k7", "d1"])  # oldest first
