from odoo import fields, models


class SimotelQueueReport(models.Model):
    """Queue and agent KPIs: one row per finished queue call (``CdrQueue``), measures ready to aggregate.

    Ratios are averages of 0/100 columns (service level, abandon rate) and
    ASA the average of a column that is empty for calls not answered, so a
    pivot gives the right figure at every grouping (queue, agent, hour, day).
    The service level threshold is each company's (20 s by default).
    """

    _name = "simotel.queue.report"
    _description = "Simotel Queue Statistics"
    _inherit = ["simotel.report.mixin"]
    _auto = False
    _order = "entered_at desc"
    _rec_name = "queue"

    entered_at = fields.Datetime("Date", readonly=True)
    outcome = fields.Selection(
        [("answered", "Answered"), ("abandoned", "Abandoned"), ("unanswered", "Not Answered by the Queue")],
        readonly=True,
    )
    offered = fields.Integer(readonly=True, aggregator="sum")
    answered = fields.Integer(readonly=True, aggregator="sum")
    abandoned = fields.Integer(readonly=True, aggregator="sum")
    unanswered = fields.Integer("Not Answered by the Queue", readonly=True, aggregator="sum")
    answered_in_sl = fields.Integer("Answered within Threshold", readonly=True, aggregator="sum")
    service_level = fields.Float("Service Level (%)", readonly=True, aggregator="avg")
    abandon_rate = fields.Float("Abandon Rate (%)", readonly=True, aggregator="avg")
    asa_seconds = fields.Float("Average Speed of Answer (s)", readonly=True, aggregator="avg")
    wait_seconds = fields.Float("Average Wait (s)", readonly=True, aggregator="avg")
    talk_seconds = fields.Integer("Talk Time (s)", readonly=True, aggregator="sum")
    avg_talk_seconds = fields.Float("Average Talk (s)", readonly=True, aggregator="avg")

    def _simotel_view_query(self):
        return """
            SELECT qc.id,
                   qc.company_id,
                   qc.queue,
                   qc.extension,
                   qc.user_id,
                   qc.entered_at,
                   qc.outcome,
                   1 AS offered,
                   (qc.outcome = 'answered')::int AS answered,
                   (qc.outcome = 'abandoned')::int AS abandoned,
                   (qc.outcome = 'unanswered')::int AS unanswered,
                   (qc.outcome = 'answered'
                    AND qc.wait_seconds <= COALESCE(c.simotel_service_level_seconds, 20))::int AS answered_in_sl,
                   CASE WHEN qc.outcome = 'answered'
                         AND qc.wait_seconds <= COALESCE(c.simotel_service_level_seconds, 20)
                        THEN 100.0 ELSE 0.0 END AS service_level,
                   CASE WHEN qc.outcome = 'abandoned' THEN 100.0 ELSE 0.0 END AS abandon_rate,
                   CASE WHEN qc.outcome = 'answered' THEN qc.wait_seconds END AS asa_seconds,
                   qc.wait_seconds::float AS wait_seconds,
                   qc.talk_seconds,
                   CASE WHEN qc.outcome = 'answered' THEN qc.talk_seconds END AS avg_talk_seconds
              FROM simotel_queue_call qc
              JOIN res_company c ON c.id = qc.company_id
             WHERE qc.outcome IN ('answered', 'abandoned', 'unanswered')
        """
