import json
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.bus.models.bus import channel_with_db, json_dump

from .common import fake_pbx, inbound_settings, salesperson, supervisor
from .rpc_session import RpcSession

SEA = ("simotel", "agents-secret")
CUSTOMER = "09121234567"


class AgentsCommon(RpcSession):
    """A company receiving SEA events and pointing at a fake SA server; queue 900 with agents 557 and 558."""

    def setUp(self):
        super().setUp()
        iran = self.env.ref("base.ir").id
        fake_pbx(self, country_id=iran, **inbound_settings(SEA, simotel_phone_country_id=iran))
        self.agent = salesperson(self.env, "agent557", password="agent557pw", name="Agent Ava")
        self.colleague = salesperson(self.env, "agent558", "558", password="agent558pw", name="Agent Bob")
        self.supervisor = supervisor(self.env, "super1", password="super1pw", name="Supervisor Sue")
        self.customer = self.env["res.partner"].create({"name": "Customer Ali", "mobile": "0912 123 4567"})
        self.fake.add_queue("900", "Sales")
        self.fake.add_queue("901", "Support")
        self.fake.add_user("557", "Ava", queues=["900"])
        self.fake.add_user("558", "Bob", queues=["900"])
        self.env["simotel.extension"]._simotel_sync(self.company)
        self.State = self.env["simotel.agent.state"]
        self.lunch = self.env.ref("simotel_connector.pause_reason_lunch")

    # -- helpers -----------------------------------------------------------
    def post(self, name, **values):
        response = self.opener.post(
            f"{self.base_url()}/simotel/sea/{name}", json={"event_name": name, **values}, auth=SEA, timeout=30
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.env.invalidate_all()
        return response

    def new_state(self, state, exten="557", **values):
        return self.post("NewState", exten=exten, state=state, **values)

    def row(self, extension="557"):
        return self.State.search([("company_id", "=", self.company.id), ("extension", "=", extension)])

    def rpc(self, model, method, args, kwargs=None):
        """A JSON-RPC call as the web client makes it; return ``(result, error)``."""
        body = self.call_kw(model, method, args, kwargs)
        self.env.invalidate_all()
        error = body.get("error")
        return body.get("result"), (error["data"]["name"], error["data"]["message"]) if error else None

    def cdr_queue(
        self,
        unique_id,
        disposition="ANSWERED",
        hangup="agent",
        wait=3,
        talk=31,
        queue="900",
        agent="557",
        caller=CUSTOMER,
        start=None,
    ):
        """A ``CdrQueue`` report: ``caller`` waited ``wait`` s in ``queue`` from ``start`` (default: so that the
        call ends now), then talked ``talk`` s with ``agent`` (no agent: nobody answered)."""
        start = start or fields.Datetime.now() - timedelta(seconds=wait + talk)
        answered = start + timedelta(seconds=wait)
        return self.post(
            "CdrQueue",
            unique_id=unique_id,
            src=caller,
            dst=agent or queue,
            queue=queue,
            billsec=str(talk),
            wait=str(wait),
            duration=str(wait + talk),
            disposition=disposition,
            hangup=hangup,
            starttime=fields.Datetime.to_string(start),
            answeredtime=fields.Datetime.to_string(answered) if talk else "",
            endtime=fields.Datetime.to_string(answered + timedelta(seconds=talk)),
            detail=[{"src": caller, "dst": agent or queue, "disposition": disposition, "billsec": str(talk)}],
        )

    def sa_services(self):
        return [request["service"] for request in self.fake.requests]

    def notifications(self, target=None, kind="simotel/agent_state"):
        self.env.cr.precommit.run()
        domain = [("channel", "=", json_dump(channel_with_db(self.env.cr.dbname, target)))] if target else []
        payloads = []
        for notification in self.env["bus.bus"].sudo().search(domain, order="id"):
            message = json.loads(notification.message)
            if message["type"] == kind:
                payloads.append(message["payload"])
        return payloads


@tagged("post_install", "-at_install")
class TestAgentStateHttp(AgentsCommon, HttpCase):
    def test_ring_in_use_idle(self):
        self.new_state("Ringing", participant=CUSTOMER, direction="in", queue="900", cuid="1700000000.1")
        row = self.row()
        self.assertEqual(
            (row.state, row.user_id, row.participant, row.partner_id), ("ringing", self.agent, CUSTOMER, self.customer)
        )
        self.assertEqual(row.queue, "900")
        ringing_since = row.since
        self.new_state("InUse", participant=CUSTOMER, direction="in", queue="900", cuid="1700000000.1")
        self.assertEqual((row.state, row.partner_id), ("in_use", self.customer))
        self.assertGreaterEqual(row.since, ringing_since)
        self.new_state("Idle", unique_id="1700000000.1")
        self.assertEqual((row.state, row.participant, row.partner_id.id, row.queue), ("idle", False, False, False))
        # Each change reached the agent and the company's wallboard.
        states = [payload["state"] for payload in self.notifications(self.agent.partner_id)]
        self.assertEqual(states, ["ringing", "in_use", "idle"])
        wallboard = self.notifications((self.company, "simotel_wallboard"))
        self.assertEqual([payload["state"] for payload in wallboard], ["ringing", "in_use", "idle"])
        self.assertEqual(wallboard[0]["partner_name"], "Customer Ali")
        # The screen pop still works.
        self.assertEqual(len(self.notifications(self.agent.partner_id, "simotel/screen_pop")), 1)

    def test_unknown_extension_gets_a_row_without_agent(self):
        self.new_state("Idle", exten="777")
        self.assertEqual((self.row("777").state, self.row("777").user_id.id), ("idle", False))

    def test_garbage_state_is_ignored(self):
        self.new_state("Dancing")
        self.new_state("Idle", exten="55a")
        self.assertFalse(self.row())
        self.assertFalse(self.row("55a"))

    def test_pause_from_the_phone_is_recorded_without_reason(self):
        self.new_state("Idle")
        self.new_state("Pause", queue="900")
        row = self.row()
        self.assertEqual(row.state, "paused")
        pause = row.pause_id
        self.assertTrue(pause)
        self.assertFalse(pause.reason_id)
        self.assertFalse(pause.stop)
        self.new_state("Idle")
        self.assertEqual(row.state, "idle")
        self.assertTrue(pause.stop)
        self.assertFalse(row.pause_id)

    def test_out_of_order_timestamps_do_not_move_the_state_back(self):
        self.new_state("InUse", participant=CUSTOMER, timestamp="2030-01-01 10:00:05")
        self.new_state("Ringing", participant=CUSTOMER, timestamp="2030-01-01 10:00:01")
        row = self.row()
        self.assertEqual(row.state, "in_use")
        self.assertEqual(str(row.event_time), "2030-01-01 10:00:05")
        self.new_state("Idle", timestamp="2030-01-01 10:00:09")
        self.assertEqual(row.state, "idle")

    def test_late_retry_does_not_move_the_state_back(self):
        """Without a time in the event, Odoo's receive time orders events: a retried old event changes nothing."""
        Event = self.env["simotel.event"].sudo()
        old = Event._simotel_store(
            self.company, "NewState", {"event_name": "NewState", "exten": "557", "state": "Ringing"}
        )
        old.received_at = fields.Datetime.now() - timedelta(seconds=30)
        self.new_state("InUse", participant=CUSTOMER)
        old._simotel_process()
        self.assertEqual(old.state, "done")
        self.assertEqual(self.row().state, "in_use")

    def test_stale_state_turns_unknown(self):
        self.company.simotel_agent_stale_minutes = 10
        self.new_state("Pause")
        row = self.row()
        pause = row.pause_id
        row.event_time = fields.Datetime.now() - timedelta(minutes=11)
        self.new_state("Idle", exten="558")  # fresh
        self.env.ref("simotel_connector.ir_cron_simotel_agent_stale").method_direct_trigger()
        self.env.invalidate_all()
        self.assertEqual(row.state, "unknown")
        self.assertTrue(pause.stop)
        self.assertEqual(self.row("558").state, "idle")
        self.assertEqual(self.notifications(self.agent.partner_id)[-1]["state"], "unknown")

    def test_exten_added_and_removed(self):
        Extension = self.env["simotel.extension"].with_context(active_test=False)
        self.post("ExtenAdded", exten="77777", state="Unavailable")
        added = Extension.search([("number", "=", "77777")])
        self.assertTrue(added.active)
        self.post("ExtenRemoved", exten="77777", state="Unavailable")
        self.assertFalse(added.active)
        self.post("ExtenRemoved", number="557", state="Unavailable")
        self.assertFalse(Extension.search([("number", "=", "557")]).active)

    def test_hostile_new_state_values(self):
        response = self.opener.post(
            f"{self.base_url()}/simotel/sea/NewState",
            json={"event_name": "NewState", "exten": {"a": [1]}, "state": "Idle"},
            auth=SEA,
            timeout=30,
        )
        self.assertEqual(response.status_code, 400)
        # Control characters are refused before anything is stored (tools/inbound.py): the state stays.
        before = self.row().state
        response = self.opener.post(
            f"{self.base_url()}/simotel/sea/NewState",
            json={"event_name": "NewState", "exten": "557", "state": "Idle", "queue": "\x00" * 10},
            auth=SEA,
            timeout=30,
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.row().state, before)
        self.new_state("Idle", participant="9" * 5000)
        self.assertEqual(self.row().state, "idle")


@tagged("post_install", "-at_install")
class TestAgentSteering(AgentsCommon, HttpCase):
    def my_row(self):
        row_id, error = self.rpc("simotel.agent.state", "simotel_my_row", [])
        self.assertIsNone(error)
        return self.State.browse(row_id)

    def test_agent_pauses_with_reason_and_resumes(self):
        self.authenticate("agent557", "agent557pw")
        data, error = self.rpc("simotel.agent.state", "simotel_my_state", [])
        self.assertIsNone(error)
        self.assertEqual(data["extension"], "557")
        self.assertIn("Lunch", [reason["name"] for reason in data["reasons"]])
        self.assertEqual([queue["number"] for queue in data["queues"] if queue["member"]], ["900"])
        row = self.my_row()
        _result, error = self.rpc("simotel.agent.state", "action_pause", [row.ids, self.lunch.id])
        self.assertIsNone(error)
        self.assertEqual(self.fake.requests[-1]["service"], "pbx/queues/pauseagent")
        self.assertEqual(self.fake.requests[-1]["json"], {"queue": "900", "agent": "557"})
        self.assertTrue(self.fake.members["900"]["557"]["paused"])
        self.assertEqual((row.state, row.pause_reason_id), ("paused", self.lunch))
        pause = row.pause_id
        self.assertEqual(pause.reason_id, self.lunch)
        # The PBX confirms: the reason stays.
        self.new_state("Pause", queue="900")
        self.assertEqual((row.state, row.pause_id, row.pause_reason_id), ("paused", pause, self.lunch))
        _result, error = self.rpc("simotel.agent.state", "action_resume", [row.ids])
        self.assertIsNone(error)
        self.assertEqual(self.fake.requests[-1]["service"], "pbx/queues/resumeagent")
        self.assertFalse(self.fake.members["900"]["557"]["paused"])
        self.assertEqual(row.state, "idle")
        self.assertTrue(pause.stop)
        self.assertEqual(self.notifications(self.agent.partner_id)[-1]["state"], "idle")

    def test_pause_and_resume_in_several_queues_use_the_batch_form(self):
        self.authenticate("agent557", "agent557pw")
        row = self.my_row()
        _result, error = self.rpc("simotel.agent.state", "action_join_queue", [row.ids, self.queue("901").id])
        self.assertIsNone(error)
        self.assertEqual(
            self.fake.requests[-1]["json"], {"queue": "901", "source": "557", "agent": "557", "penalty": ""}
        )
        self.assertIn("557", self.fake.members["901"])
        _result, error = self.rpc("simotel.agent.state", "action_pause", [row.ids, False])
        self.assertIsNone(error)
        self.assertEqual(self.fake.requests[-1]["service"], "pbx/queues/batchpauseagent")
        self.assertEqual(
            self.fake.requests[-1]["json"],
            {"agents": [{"queue": "900", "agent": "557"}, {"queue": "901", "agent": "557"}]},
        )
        _result, error = self.rpc("simotel.agent.state", "action_resume", [row.ids])
        self.assertIsNone(error)
        self.assertEqual(self.fake.requests[-1]["service"], "pbx/queues/batchresumeagent")
        self.assertEqual(
            self.fake.requests[-1]["json"],
            {"agents": [{"queue": "900", "agent": "557"}, {"queue": "901", "agent": "557"}]},
        )
        _result, error = self.rpc("simotel.agent.state", "action_leave_queue", [row.ids, self.queue("901").id])
        self.assertIsNone(error)
        self.assertEqual(self.fake.requests[-1]["json"], {"queue": "901", "agent": "557"})
        self.assertNotIn("557", self.fake.members["901"])
        self.assertEqual(row._simotel_queues().mapped("number"), ["900"])

    def queue(self, number):
        return self.env["simotel.queue"].search([("number", "=", number), ("company_id", "=", self.company.id)])

    def test_agent_cannot_steer_a_colleague(self):
        colleague_row = self.State._simotel_row(self.company, "558")
        self.authenticate("agent557", "agent557pw")
        for method, args in (
            ("action_pause", [colleague_row.ids, self.lunch.id]),
            ("action_resume", [colleague_row.ids]),
            ("action_join_queue", [colleague_row.ids, self.queue("901").id]),
            ("action_leave_queue", [colleague_row.ids, self.queue("900").id]),
            ("simotel_wallboard_data", []),
        ):
            with self.subTest(method=method):
                _result, error = self.rpc("simotel.agent.state", method, args)
                self.assertEqual(error[0], "odoo.exceptions.AccessError")
        self.assertEqual(self.sa_services(), ["pbx/queues/search", "pbx/users/search"])
        self.assertEqual(colleague_row.state, "unknown")

    def test_portal_user_cannot_steer(self):
        new_test_user(self.env, login="portal1", password="portal1pw", groups="base.group_portal")
        row = self.State._simotel_row(self.company, "557")
        self.authenticate("portal1", "portal1pw")
        for method, args in (
            ("action_pause", [row.ids, False]),
            ("simotel_my_state", []),
            ("simotel_wallboard_data", []),
        ):
            with self.subTest(method=method):
                _result, error = self.rpc("simotel.agent.state", method, args)
                self.assertEqual(error[0], "odoo.exceptions.AccessError")

    def test_supervisor_steers_agents_of_their_company_only(self):
        row = self.State._simotel_row(self.company, "558")
        other = self.env["res.company"].create({"name": "Other Co"})
        other_row = self.State._simotel_row(other, "558")
        self.authenticate("super1", "super1pw")
        _result, error = self.rpc("simotel.agent.state", "action_pause", [row.ids, self.lunch.id])
        self.assertIsNone(error)
        self.assertEqual(row.state, "paused")
        _result, error = self.rpc("simotel.agent.state", "action_pause", [other_row.ids, False])
        self.assertEqual(error[0], "odoo.exceptions.AccessError")
        data, error = self.rpc("simotel.agent.state", "simotel_wallboard_data", [])
        self.assertIsNone(error)
        self.assertIn("558", [agent["extension"] for agent in data["agents"]])
        self.assertEqual(data["threshold"], 20)

    def test_simotel_errors_are_shown_clearly(self):
        self.authenticate("agent557", "agent557pw")
        row = self.my_row()
        self.fake.failures["pbx/queues/pauseagent"] = "agent is busy"
        _result, error = self.rpc("simotel.agent.state", "action_pause", [row.ids, False])
        self.assertEqual(error, ("odoo.exceptions.UserError", "Simotel could not do it: agent is busy"))
        self.assertNotEqual(row.state, "paused")
        self.assertFalse(self.env["simotel.agent.pause"].search([("extension", "=", "557")]))
        del self.fake.failures["pbx/queues/pauseagent"]
        self.fake.forced = "access_denied"
        _result, error = self.rpc("simotel.agent.state", "action_resume", [row.ids])
        self.assertEqual(error[0], "odoo.exceptions.UserError")
        self.assertIn("403", error[1])
        self.fake.forced = None
        # A queue of another company, or none at all.
        _result, error = self.rpc("simotel.agent.state", "action_join_queue", [row.ids, 999999])
        self.assertEqual(error[0], "odoo.exceptions.UserError")

    def test_agent_in_no_queue_gets_a_clear_error(self):
        self.fake.members["900"].pop("557")
        self.env["simotel.extension"]._simotel_sync(self.company)
        self.authenticate("agent557", "agent557pw")
        row = self.my_row()
        _result, error = self.rpc("simotel.agent.state", "action_pause", [row.ids, False])
        self.assertEqual(
            error, ("odoo.exceptions.UserError", "Extension 557 answers no queue: there is nothing to pause.")
        )
        _result, error = self.rpc("simotel.agent.state", "action_resume", [row.ids])
        self.assertEqual(
            error, ("odoo.exceptions.UserError", "Extension 557 answers no queue: there is nothing to resume.")
        )

    def test_directory_sync_button(self):
        self.fake.add_user("559", "Cy", queues=["901"])
        self.fake.users.pop("558")
        self.fake.members["900"].pop("558")
        self.authenticate("admin", "admin")
        answer = self.call_button("simotel.extension", "action_simotel_sync", [])
        self.assertEqual(answer["result"]["params"]["type"], "success", answer)
        self.env.invalidate_all()
        Extension = self.env["simotel.extension"]
        self.assertEqual(Extension.search([("company_id", "=", self.company.id)]).mapped("number"), ["557", "559"])
        self.assertEqual(Extension.search([("number", "=", "557")]).user_id, self.agent)
        self.assertEqual(self.queue("901").member_ids.mapped("extension"), ["559"])
        self.assertEqual(self.queue("900").member_ids.mapped("extension"), ["557"])
        # Agents may not sync.
        self.authenticate("agent557", "agent557pw")
        _result, error = self.rpc("simotel.extension", "action_simotel_sync", [[]])
        self.assertEqual(error[0], "odoo.exceptions.AccessError")


@tagged("post_install", "-at_install")
class TestQueueCallsHttp(AgentsCommon, HttpCase):
    def test_cdr_queue_reaches_the_wallboard_at_once(self):
        self.new_state("Ringing", participant=CUSTOMER, direction="in", queue="900", cuid="q.1")
        stats = self.notifications((self.company, "simotel_wallboard"), "simotel/queue_stats")
        self.assertEqual((stats[-1]["queue"], stats[-1]["waiting"]), ("900", 1))
        self.new_state("InUse", participant=CUSTOMER, direction="in", queue="900", cuid="q.1")
        self.cdr_queue("q.1")
        stats = self.notifications((self.company, "simotel_wallboard"), "simotel/queue_stats")
        self.assertEqual(
            {key: stats[-1][key] for key in ("queue", "waiting", "offered", "answered", "abandoned", "service_level")},
            {"queue": "900", "waiting": 0, "offered": 1, "answered": 1, "abandoned": 0, "service_level": 100.0},
        )
        call = self.env["simotel.queue.call"].search([("unique_id", "=", "q.1")])
        self.assertEqual(
            (call.outcome, call.extension, call.user_id, call.wait_seconds), ("answered", "557", self.agent, 3)
        )
        # The cron's processing (the call record) keeps one queue call.
        self.env["simotel.event"]._cron_process()
        self.assertEqual(self.env["simotel.queue.call"].search_count([("unique_id", "=", "q.1")]), 1)
        self.assertEqual(self.env["simotel.call"].search([("unique_id", "=", "q.1")]).queue, "900")
