from odoo.tests import tagged

from . import sea_samples as samples
from .common import SALESMAN_GROUP, SeaCase, salesperson


@tagged("post_install", "-at_install")
class TestCdrQueueMerge(SeaCase):
    """A queue call is reported twice (``Cdr`` and ``CdrQueue``, in either order): one call gets both."""

    missed_call_activity = True

    def setUp(self):
        super().setUp()
        self.agent = salesperson(
            self.env,
            "sara.queue",
            groups=f"{SALESMAN_GROUP},simotel_connector.group_simotel_user",
            name="Sara Queue",
        )
        self.customer = self.env["res.partner"].create({"name": "Queue Customer", "mobile": "0912 123 4567"})
        self.Call = self.env["simotel.call"]

    def cdr(self, unique_id):
        """The call report of the queue call: to the queue's number, without its agent."""
        return dict(samples.CDR_INCOMING_V3, cuid=unique_id, dst="902", wait=37, record="", billsec=31)

    def queue_report(self, unique_id):
        """Its queue report: queue 902, answered by 557 after 3 s of waiting (second line of ``detail``)."""
        return dict(samples.CDR_QUEUE, unique_id=unique_id)

    def assertMerged(self, unique_id, notes=1):
        calls = self.Call.search([("unique_id", "=", unique_id)])
        self.assertEqual(len(calls), 1)
        self.assertEqual(
            (calls.queue, calls.extension, calls.user_id, calls.wait_seconds, calls.partner_id),
            ("902", "557", self.agent, 3, self.customer),
        )
        self.assertEqual(calls.record, samples.CDR_QUEUE["record"])
        self.assertTrue(calls.cdr_received and calls.cdr_queue_received)
        messages = self.env["mail.message"].search(
            [("model", "=", "res.partner"), ("res_id", "=", self.customer.id), ("body", "ilike", "Incoming call")]
        )
        self.assertEqual(len(messages), notes, "one note per call")
        events = self.env["simotel.event"].search([("unique_id", "=", unique_id)])
        self.assertEqual(events.mapped("state"), ["done", "done"])
        self.assertEqual(events.call_id, calls)
        return calls

    def test_cdr_then_queue_report(self):
        self.deliver(self.cdr("m.1"), "/simotel/sea/Cdr")
        self.process()
        call = self.Call.search([("unique_id", "=", "m.1")])
        self.assertEqual((call.extension, call.user_id, call.queue), ("902", self.env["res.users"], False))
        self.deliver(self.queue_report("m.1"), "/simotel/sea/CdrQueue")
        self.process()
        self.assertMerged("m.1")

    def test_queue_report_then_cdr(self):
        self.deliver(self.queue_report("m.2"), "/simotel/sea/CdrQueue")
        self.process()
        self.deliver(dict(self.cdr("m.2"), record="ignored.mp3", entry_point="1000"), "/simotel/sea/Cdr")
        self.process()
        call = self.assertMerged("m.2")
        self.assertEqual(call.entry_point, "1000", "the call report fills what the queue report left empty")

    def test_both_in_one_batch_and_repeated(self):
        for name, payload in (
            ("Cdr", self.cdr("m.3")),
            ("CdrQueue", self.queue_report("m.3")),
            ("Cdr", self.cdr("m.4")),
            ("CdrQueue", self.queue_report("m.4")),
        ):
            self.deliver(payload, "/simotel/sea/" + name)
        self.process()
        self.assertMerged("m.3", notes=2)  # the customer called twice
        # A retried queue report changes nothing and adds nothing.
        call = self.assertMerged("m.4", notes=2)
        call.extension = "558"
        self.deliver(self.queue_report("m.4"), "/simotel/sea/CdrQueue")
        self.process()
        self.assertEqual(call.extension, "558")
        self.assertEqual(self.Call.search_count([("unique_id", "in", ["m.3", "m.4"])]), 2)
