import json
import time
from datetime import timedelta
from unittest.mock import patch

from odoo import fields, sql_db
from odoo.tests import tagged
from odoo.tools import config

from ..models import simotel_event
from . import sea_samples as samples
from .common import TehranPbxCase


def queue_report(unique_id, lines=0):
    """A ``CdrQueue`` report; with ``lines``, a queue history that long (really slow to read: seconds)."""
    detail = [
        {"src": "09121234567", "dst": "55%d" % (n % 10), "billsec": "0", "wait": "2", "disposition": "NO ANSWER"}
        for n in range(lines)
    ]
    return dict(samples.CDR_QUEUE, unique_id=unique_id, detail=detail + samples.CDR_QUEUE["detail"])


@tagged("post_install", "-at_install")
class TestEventCronTime(TehranPbxCase):
    """The processing cron accounts for time per event: no event can stall the queue."""

    def store(self, payload):
        name = "CdrQueue" if payload.get("event_name") == "CdrQueue" else "Cdr"
        return self.Event._simotel_store(self.company, name, payload)

    def call_of(self, unique_id):
        return self.Call.search([("unique_id", "=", unique_id), ("company_id", "=", self.company.id)])

    def hold_unique_id(self, unique_id):
        """Another transaction inserts a call with ``unique_id`` and keeps it uncommitted (until the test ends):
        processing a report of that id waits for it, as behind a long transaction of another worker."""
        cr = sql_db.db_connect(self.env.cr.dbname).cursor()
        self.addCleanup(cr.close)
        self.addCleanup(cr.rollback)
        cr.execute(
            "INSERT INTO simotel_call (company_id, unique_id, state, direction) VALUES (%s, %s, 'done', 'inbound')",
            (self.company.id, unique_id),
        )

    def test_budget_follows_the_cron_worker_limits(self):
        Event = self.Event
        limits = {"limit_time_real_cron": -1, "limit_time_real": 120, "limit_time_cpu": 60}
        with patch.dict(config.options, limits):
            self.assertEqual(Event._simotel_cron_budget(), 3.0, "half of the CPU limit shared by 10 calls")
        with patch.dict(config.options, dict(limits, limit_time_real_cron=20, limit_time_cpu=0)):
            self.assertEqual(Event._simotel_cron_budget(), 1.0)
        with patch.dict(config.options, dict(limits, limit_time_real=0, limit_time_cpu=0)):
            self.assertEqual(Event._simotel_cron_budget(), simotel_event.CRON_TIME_BUDGET)

    def test_event_waiting_past_the_limit_fails_alone_then_for_good(self):
        """A report blocked behind another transaction is cancelled at the per-event limit; the others land.

        It is retried later (never before fresh events), and after ``MAX_ATTEMPTS`` it stays failed
        while new reports keep flowing.
        """
        self.patch(type(self.Event), "_simotel_event_time_limit", 0.5)
        good = [self.store(dict(samples.CDR_INCOMING_V3, cuid="lim.%d" % n)) for n in range(3)]
        slow = self.store(dict(samples.CDR_INCOMING_V3, cuid="lim.slow"))
        self.hold_unique_id("lim.slow")
        started = time.monotonic()
        self.Event._cron_process()
        self.assertLess(time.monotonic() - started, 5)
        self.assertEqual([event.state for event in good], ["done"] * 3)
        self.assertEqual([bool(self.call_of("lim.%d" % n)) for n in range(3)], [True] * 3)
        self.assertEqual((slow.state, slow.attempts), ("failed", 1))
        self.assertIn("statement timeout", slow.error)
        for attempt in range(2, simotel_event.MAX_ATTEMPTS + 1):
            slow.processed_at = fields.Datetime.now() - timedelta(minutes=6)
            self.Event._cron_process()
            self.assertEqual((slow.state, slow.attempts), ("failed", attempt))
        slow.processed_at = fields.Datetime.now() - timedelta(minutes=6)
        fresh = self.store(dict(samples.CDR_INCOMING_V3, cuid="lim.fresh"))
        self.Event._cron_process()
        self.assertEqual(fresh.state, "done")
        self.assertEqual((slow.state, slow.attempts), ("failed", simotel_event.MAX_ATTEMPTS), "no attempt left")
        self.assertFalse(self.call_of("lim.slow"))

    def test_slow_report_in_a_batch_fails_alone(self):
        """A queue report whose history takes long to read makes its batch too slow: the batch is
        processed again one by one, only the slow report fails (its work rolled back)."""
        self.patch(type(self.Event), "_simotel_event_time_limit", 0.3)
        good = [self.store(queue_report("slowb.%d" % n)) for n in range(3)]
        slow = self.store(queue_report("slowb.slow", lines=150000))
        self.Event._cron_process()
        self.assertEqual([event.state for event in good], ["done"] * 3)
        self.assertEqual([self.call_of("slowb.%d" % n).queue for n in range(3)], ["902"] * 3)
        self.assertEqual((slow.state, slow.attempts), ("failed", 1))
        self.assertIn("over the 0.3 s limit of one event", slow.error)
        self.assertFalse(self.call_of("slowb.slow"))

    def test_call_stops_at_its_budget_and_always_progresses(self):
        """Slow reports: each call of the cron processes what fits in its budget (at least one) and reports
        the rest as remaining; the events not reached are left untouched."""
        events = [self.store(queue_report("bud.%d" % n, lines=15000)) for n in range(3)]
        progress = self.env["ir.cron.progress"].create(
            {"cron_id": self.env.ref("simotel_connector.ir_cron_simotel_event_process").id}
        )
        self.Event.with_context(ir_cron_progress_id=progress.id)._cron_process(time_budget=0.05)
        states = [event.state for event in events]
        self.assertEqual(states, ["done", "new", "new"])
        self.assertEqual([event.attempts for event in events], [1, 0, 0], "no attempt counted for events not reached")
        self.assertEqual((progress.done, progress.remaining), (1, 2))
        self.Event._cron_process()
        self.assertEqual([event.state for event in events], ["done"] * 3)

    def test_interrupted_event_is_retried_alone_then_failed(self):
        """A cron worker killed in the middle of an event leaves the attempt counted and the event new:
        it is tried again after the fresh events, and failed once its attempts are used up."""
        interrupted = self.store(dict(samples.CDR_INCOMING_V3, cuid="int.1"))
        interrupted._simotel_count_attempt()  # what the cron commits before it starts the event
        fresh = [self.store(dict(samples.CDR_INCOMING_V3, cuid="int.f%d" % n)) for n in range(2)]
        self.assertEqual(self.Event._simotel_pending(10), fresh[0] | fresh[1], "fresh events first, not with it")
        self.Event._cron_process()
        self.assertEqual([event.state for event in fresh], ["done", "done"])
        self.assertEqual((interrupted.state, interrupted.attempts), ("done", 2))
        dead = self.store(dict(samples.CDR_INCOMING_V3, cuid="int.2"))
        for _attempt in range(simotel_event.MAX_ATTEMPTS):
            dead._simotel_count_attempt()
        self.assertEqual(self.Event._simotel_pending(10), self.Event, "no attempt left")
        with self.assertLogs(simotel_event.__name__, "WARNING"):
            self.Event._cron_process()
        self.assertEqual((dead.state, dead.attempts), ("failed", simotel_event.MAX_ATTEMPTS))
        self.assertIn("interrupted 5 times", dead.error)
        self.assertFalse(self.call_of("int.2"))
        payload = json.loads(dead.payload)
        self.assertEqual(payload["cuid"], "int.2", "the raw event stays for the admins")
