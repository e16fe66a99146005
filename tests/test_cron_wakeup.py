from odoo import fields
from odoo.tests import TransactionCase, tagged

from odoo.addons.base.models.ir_cron import ir_cron

from . import sea_samples as samples


@tagged("post_install", "-at_install")
class TestCronWakeup(TransactionCase):
    """Every call report wakes the processing cron once its delivery is committed.

    A cron run deletes, when it ends, the triggers dated before it started (to the second). A
    report committed after the run's last look for work, whose delivery relied on another
    delivery's trigger instead of waking the cron itself, would wait for the cron workers' next poll
    (a minute): the last calls before a quiet moment reached Odoo late.
    """

    def notifications(self):
        return [func for func in self.env.cr.postcommit._funcs if getattr(func, "__func__", None) is ir_cron._notifydb]

    def test_each_report_wakes_the_cron_even_after_another_delivery(self):
        cron = self.env.ref("simotel_connector.ir_cron_simotel_event_process")
        Event, company = self.env["simotel.event"], self.env.company
        # A delivery of a moment ago (another worker's transaction, committed): its trigger is there.
        self.env["ir.cron.trigger"].create({"cron_id": cron.id, "call_at": fields.Datetime.now()})
        self.env.flush_all()
        self.env.cr.postcommit.clear()
        event = Event._simotel_store(company, "Cdr", dict(samples.CDR_INCOMING_V3, cuid="wake.1"))
        self.assertEqual(len(self.notifications()), 1, "the cron workers are woken when this delivery commits")
        triggers = self.env["ir.cron.trigger"].search(
            [("cron_id", "=", cron.id), ("create_date", ">=", event.create_date)]
        )
        self.assertEqual(len(triggers), 2, "this delivery's own trigger keeps the cron due until a run sees its report")
