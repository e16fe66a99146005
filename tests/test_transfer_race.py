import threading
from concurrent.futures import ThreadPoolExecutor

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import RealTransactionsCase, remove_committed


@tagged("post_install", "-at_install")
class TestTransferRace(RealTransactionsCase):
    """Duplicate deliveries of one ``Transfer`` in real, concurrent transactions (the PBX resends while
    the first delivery is still being answered) record the step once, and the call's next hand-over
    is the next step.

    The test leaves Odoo's test mode, where every cursor shares the test transaction: each delivery
    gets its own transaction, so the database really arbitrates. Its data is committed, then removed.
    """

    def setUp(self):
        super().setUp()
        self.cuid = "transfer-race.%s" % self.suffix
        with self.committed_env() as env:
            self.company_id = env["res.company"].create({"name": "Transfer Race Co %s" % self.cuid}).id
        self.addCleanup(self._remove_committed_data)

    def _remove_committed_data(self):
        with self.committed_env() as env:
            env.cr.execute("DELETE FROM simotel_call_transfer WHERE company_id = %s", [self.company_id])
            env.cr.execute("DELETE FROM simotel_event WHERE company_id = %s", [self.company_id])
            remove_committed(env, env["res.company"].browse(self.company_id))

    def payload(self, transferer="557", transferred_to="558"):
        return {
            "event_name": "Transfer",
            "unique_id": self.cuid,
            "transferer": transferer,
            "transferred_from": "09121234567",
            "transferred_to": transferred_to,
        }

    def deliver(self, payload, started=None):
        """One delivery as the SEA route handles it: stored, then processed, in its own transaction.

        With ``started``: the transaction begins, waits for the other one's to begin, then stores the event.
        """
        with self.committed_env() as env:
            env.cr.execute("SELECT 1")  # the transaction's snapshot: the other delivery's commit is not in it
            if started:
                started.wait(timeout=20)
            company = env["res.company"].browse(self.company_id)
            event = env["simotel.event"]._simotel_store(company, "Transfer", payload)
            event._simotel_process()
            return event.id

    def steps(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT sequence, transferer, transferred_to FROM simotel_call_transfer"
                " WHERE company_id = %s AND unique_id = %s ORDER BY sequence",
                [self.company_id, self.cuid],
            )
            return cr.fetchall()

    def events(self):
        with self.registry.cursor() as cr:
            cr.execute("SELECT state FROM simotel_event WHERE company_id = %s ORDER BY id", [self.company_id])
            return [state for (state,) in cr.fetchall()]

    @mute_logger("odoo.addons.simotel_connector.models.simotel_event")
    def test_concurrent_duplicate_transfers_record_one_step(self):
        started = threading.Barrier(2)
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = [pool.submit(self.deliver, self.payload(), started) for _n in range(2)]
            event_ids = [future.result(timeout=60) for future in futures]
        self.assertEqual(len(set(event_ids)), 2, "both deliveries are stored")
        self.assertEqual(self.steps(), [(1, "557", "558")], "the hand-over is recorded once")
        self.assertEqual(sorted(self.events()), ["done", "failed"], "the later delivery saw no step: it failed whole")
        # A delivery that lost the race fails and is retried: then it is the repetition of the latest step.
        with self.committed_env() as env:
            env["simotel.event"].browse(event_ids)._simotel_process()
        self.assertEqual(self.events(), ["done", "done"])
        self.assertEqual(self.steps(), [(1, "557", "558")])
        # The next hand-over, and the first one again after it, are new steps.
        self.deliver(self.payload("558", "557"))
        self.deliver(self.payload("557", "558"))
        self.deliver(self.payload("557", "558"))  # the PBX's retry of the latest step
        self.assertEqual(self.steps(), [(1, "557", "558"), (2, "558", "557"), (3, "557", "558")])
