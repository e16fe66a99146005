"""Click-to-call never stays in limbo: no call report by the originate timeout plus the grace period makes the
call *Not connected*; a call report arriving later (SEA or sync) completes the same call."""

import json
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from ..tools import sea
from . import sea_samples as samples
from .common import pbx_company, salesperson
from .rpc_session import RpcSession

AUTH = ("simotel", "sea-secret")
ORIGINATE = "call/originate/act"
TIMEOUT, GRACE = 30, 120


@tagged("post_install", "-at_install")
class TestNotConnected(RpcSession, HttpCase):
    def setUp(self):
        super().setUp()
        pbx_company(
            self,
            AUTH,
            simotel_backfill=True,
            simotel_originate_timeout=TIMEOUT,
            simotel_originate_grace=GRACE,
            simotel_tz="Asia/Tehran",
        )
        self.agent = salesperson(self.env, "nc_agent", password="nc_agent_pw", tz="Asia/Tehran")
        self.customer = self.env["res.partner"].create(
            {"name": "Customer Nima", "mobile": "0912 123 4567", "user_id": self.agent.id}
        )
        self.Call = self.env["simotel.call"]

    # -- helpers -------------------------------------------------------------
    def originate(self):
        """The agent presses the Call button of the customer's form; return the call it registered."""
        self.authenticate("nc_agent", "nc_agent_pw")
        answer = self.call_button("res.partner", "action_simotel_call", [self.customer.id])
        self.assertEqual(answer["result"]["params"]["type"], "success", answer)
        self.env.invalidate_all()
        call = self.Call.search([("originated_call_id", "!=", False), ("company_id", "=", self.company.id)])
        self.assertEqual(len(call), 1)
        return call

    def expire(self, now):
        self.Call._simotel_expire_originated(now=now)
        self.env.invalidate_all()

    def cdr(self, call, **values):
        """The SEA call report of the click-to-call, delivered over HTTP and processed by the event cron."""
        payload = {
            "event_name": "Cdr",
            "starttime": sea.format_local(call.start, "UTC") + ":05",
            "endtime": sea.format_local(call.start + timedelta(minutes=5), "UTC") + ":00",
            "src": "557",
            "dst": "09121234567",
            "type": "outgoing",
            "disposition": "ANSWERED",
            "billsec": 240,
            "unique_id": "1705386637.378",
            "originated_call_id": call.originated_call_id,
            **values,
        }
        response = self.opener.post(
            self.base_url() + "/simotel/sea/Cdr",
            data=json.dumps(payload),
            auth=AUTH,
            timeout=30,
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.env.ref("simotel_connector.ir_cron_simotel_event_process").method_direct_trigger()
        self.env.invalidate_all()

    def company_calls(self):
        return self.Call.search([("company_id", "=", self.company.id)])

    # -- the clock -----------------------------------------------------------
    def test_no_call_report_by_timeout_plus_grace_means_not_connected(self):
        call = self.originate()
        self.assertEqual(call.state, "originated")
        deadline = call.start + timedelta(seconds=TIMEOUT + GRACE)
        self.expire(deadline - timedelta(seconds=1))
        self.assertEqual(call.state, "originated", "still within the timeout and the grace period")
        self.expire(deadline)
        self.assertRecordValues(
            call, [{"state": "not_connected", "unique_id": False, "disposition": False, "user_id": self.agent.id}]
        )
        # The agent finds it among their calls, under the Not connected filter.
        search = self.Call.with_user(self.agent).get_views([(False, "search")])["views"]["search"]["arch"]
        self.assertIn('name="not_connected"', search)
        found = self.call_kw(
            "simotel.call",
            "search_read",
            [[("user_id", "=", self.agent.id), ("state", "=", "not_connected")], ["state", "external_number"]],
        )
        self.assertEqual(found["result"], [{"id": call.id, "state": "not_connected", "external_number": "09121234567"}])

    def test_the_cron_marks_overdue_calls_and_is_woken_at_the_deadline(self):
        cron = self.env.ref("simotel_connector.ir_cron_simotel_call_not_connected")
        triggers_before = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        call = self.originate()
        trigger = self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)], order="id desc", limit=1)
        self.assertEqual(self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers_before + 1)
        self.assertEqual(trigger.call_at, call.start + timedelta(seconds=TIMEOUT + GRACE))
        fresh = self.Call.sudo()._simotel_register_originate(
            {"company_id": self.company.id, "callee_number": "09121234567", "originated_call_id": "orig.fresh"}
        )
        # The call was made timeout + grace + 1 s ago: the cron, run as Odoo runs it, gives up on it.
        call.sudo().start = fields.Datetime.now() - timedelta(seconds=TIMEOUT + GRACE + 1)
        cron.method_direct_trigger()
        self.env.invalidate_all()
        self.assertEqual((call.state, fresh.state), ("not_connected", "originated"))

    # -- the late report -----------------------------------------------------
    def test_late_sea_report_completes_the_same_call(self):
        call = self.originate()
        self.expire(call.start + timedelta(seconds=TIMEOUT + GRACE))
        self.assertEqual(call.state, "not_connected")
        self.cdr(call)
        self.assertEqual(self.company_calls(), call, "one call, never two")
        self.assertRecordValues(
            call,
            [
                {
                    "state": "done",
                    "unique_id": "1705386637.378",
                    "disposition": "answered",
                    "talk_seconds": 240,
                    "user_id": self.agent.id,
                    "partner_id": self.customer.id,
                    "source": "originate",
                }
            ],
        )
        # A retry of the same report changes nothing.
        self.cdr(call)
        self.assertEqual(self.company_calls(), call)

    def test_late_sync_row_completes_the_same_call(self):
        """Report rows carry no originated_call_id: the row is paired by extension, number and time."""
        call = self.originate()
        self.expire(call.start + timedelta(seconds=TIMEOUT + GRACE))
        start = sea.format_local(call.start + timedelta(seconds=4), "Asia/Tehran") + ":00"
        self.fake.cdr_rows = [
            samples.report_row("1705386637.500", start, src="557", dst="09121234567"),
            # Another agent's call to the same customer at the same time stays its own call.
            samples.report_row("1705386637.600", start, src="558", dst="09121234567"),
        ]
        self.env.ref("simotel_connector.ir_cron_simotel_call_backfill").method_direct_trigger()
        self.env.invalidate_all()
        self.assertEqual(len(self.company_calls()), 2)
        self.assertRecordValues(
            call,
            [
                {
                    "state": "done",
                    "unique_id": "1705386637.500",
                    "disposition": "answered",
                    "talk_seconds": 54,
                    "user_id": self.agent.id,
                    "partner_id": self.customer.id,
                }
            ],
        )
        # Synced again (the next hourly sync overlaps): still the same two calls.
        self.env.ref("simotel_connector.ir_cron_simotel_call_backfill").method_direct_trigger()
        self.assertEqual(len(self.company_calls()), 2)

    def test_a_report_in_time_completes_it_before_the_deadline(self):
        call = self.originate()
        self.cdr(call, disposition="NO ANSWER", billsec=0)
        self.expire(call.start + timedelta(seconds=TIMEOUT + GRACE + 60))
        self.assertRecordValues(call, [{"state": "done", "disposition": "no_answer"}])

    # -- call_limit ------------------------------------------------------------
    def test_call_limit_is_sent_when_configured(self):
        self.originate()
        self.company.simotel_originate_call_limit = 600
        self.Call.search([("company_id", "=", self.company.id)]).sudo().unlink()
        self.originate()
        bodies = [r["json"] for r in self.fake.requests if r["service"] == ORIGINATE]
        self.assertNotIn("call_limit", bodies[0])
        self.assertEqual(bodies[1]["call_limit"], "600")
        self.assertEqual(bodies[1]["timeout"], str(TIMEOUT))
