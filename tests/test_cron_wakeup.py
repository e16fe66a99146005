import select
import time

from odoo import sql_db
from odoo.tests import tagged

from ..models.simotel_event import CRON_BUSY_LOCK
from . import sea_samples as samples
from .common import RealTransactionsCase


@tagged("post_install", "-at_install")
class TestCronWakeup(RealTransactionsCase):
    """A call report wakes the processing cron once its delivery is committed, unless a run of the cron
    is looking for work (it holds ``CRON_BUSY_LOCK``, and looks again once it releases it).

    A cron run ends by deleting the triggers dated before it started (to the second): a report
    committed after the run last looked for work, whose delivery had not woken the cron workers,
    waited for their next poll (a minute).
    """

    def setUp(self):
        super().setUp()
        self.listener = sql_db.db_connect("postgres").cursor()
        self.addCleanup(self.listener.close)
        self.listener.execute("LISTEN cron_trigger")
        self.listener.commit()
        self.event_ids = []
        self.addCleanup(self.remove_events)

    def remove_events(self):
        with self.committed_env() as env:
            env.cr.execute("DELETE FROM simotel_event WHERE id = ANY(%s)", [self.event_ids])
            cron = env.ref("simotel_connector.ir_cron_simotel_event_process")
            env.cr.execute("DELETE FROM ir_cron_trigger WHERE cron_id = %s", [cron.id])

    def deliver(self):
        """A call report stored as the SEA endpoint stores it, in a transaction of its own."""
        with self.committed_env() as env:
            payload = dict(samples.CDR_INCOMING_V3, cuid="wake.%s.%d" % (self.suffix, len(self.event_ids)))
            self.event_ids.append(env["simotel.event"]._simotel_store(env.company, "Cdr", payload).id)

    def wakeups(self, seconds, enough=None):
        """The cron workers' wake-ups for this database received within ``seconds`` (or until ``enough``)."""
        connection, received, deadline = self.listener._cnx, [], time.monotonic() + seconds
        while time.monotonic() < deadline and (enough is None or len(received) < enough):
            select.select([connection], [], [], max(0.0, deadline - time.monotonic()))
            connection.poll()
            received += [n.payload for n in connection.notifies if n.payload == self.cr.dbname]
            connection.notifies.clear()
        return received

    def test_an_idle_cron_is_woken_by_each_report(self):
        for _n in range(3):  # one right after the other
            self.deliver()
            self.assertEqual(len(self.wakeups(2.0, enough=1)), 1, "the delivery woke the cron workers once committed")

    def test_a_run_looking_for_work_is_not_woken_and_finds_the_report(self):
        with sql_db.db_connect(self.cr.dbname).cursor() as run:
            run.execute("SELECT pg_advisory_xact_lock(%s)", [CRON_BUSY_LOCK])
            self.deliver()
            self.assertEqual(self.wakeups(0.5), [], "a run is looking for work: no wake-up needed")
            run.rollback()  # the run's transaction ends: it looks again, and finds the report
            run.execute("SELECT count(*) FROM simotel_event WHERE id = ANY(%s) AND state = 'new'", [self.event_ids])
            self.assertEqual(run.fetchone()[0], 1)
        self.deliver()
        self.assertEqual(len(self.wakeups(2.0, enough=1)), 1, "no run any more: the next report wakes the workers")
