from odoo import fields, models


class SimotelRecovery(models.Model):
    """Missed and abandoned inbound calls, and whether and when someone called the customer back.

    Kinds: ``abandoned`` (the caller hung up while waiting in a queue),
    ``queue_unanswered`` (the queue gave up: timeout, no agent) and ``missed``
    (a call that reached no queue and nobody answered). A call is called back
    by the first outbound call to the same number after it.
    """

    _name = "simotel.recovery"
    _description = "Simotel Missed Call Recovery"
    _inherit = ["simotel.report.mixin"]
    _auto = False
    _order = "start asc, id asc"
    _rec_name = "external_number"

    call_id = fields.Many2one("simotel.call", "Call", readonly=True)
    start = fields.Datetime("Call Time", readonly=True)
    external_number = fields.Char("Customer Number", readonly=True)
    partner_id = fields.Many2one("res.partner", "Contact", readonly=True)
    kind = fields.Selection(
        [
            ("abandoned", "Abandoned in Queue"),
            ("queue_unanswered", "Not Answered by the Queue"),
            ("missed", "Missed (no queue)"),
        ],
        readonly=True,
    )
    wait_seconds = fields.Integer("Wait (s)", readonly=True, aggregator="avg")
    called_back = fields.Boolean(readonly=True)
    called_back_at = fields.Datetime(readonly=True)
    callback_call_id = fields.Many2one("simotel.call", "Call Back", readonly=True)
    callback_minutes = fields.Float("Time to Call Back (min)", readonly=True, aggregator="avg")
    count = fields.Integer("Calls", readonly=True, aggregator="sum")

    def _simotel_view_query(self):
        return """
            SELECT c.id,
                   c.id AS call_id,
                   c.company_id,
                   c.start,
                   c.external_number,
                   c.partner_id,
                   COALESCE(qc.queue, c.queue) AS queue,
                   c.extension,
                   c.user_id,
                   CASE WHEN qc.outcome = 'abandoned' THEN 'abandoned'
                        WHEN qc.outcome = 'unanswered' OR c.queue IS NOT NULL THEN 'queue_unanswered'
                        ELSE 'missed' END AS kind,
                   COALESCE(qc.wait_seconds, c.wait_seconds) AS wait_seconds,
                   cb.id IS NOT NULL AS called_back,
                   cb.start AS called_back_at,
                   cb.id AS callback_call_id,
                   EXTRACT(EPOCH FROM (cb.start - c.start)) / 60.0 AS callback_minutes,
                   1 AS count
              FROM simotel_call c
         LEFT JOIN LATERAL (
                    SELECT q.queue, q.outcome, q.wait_seconds FROM simotel_queue_call q
                     WHERE q.company_id = c.company_id AND q.unique_id = c.unique_id
                  ORDER BY q.id DESC LIMIT 1) qc ON TRUE
         LEFT JOIN LATERAL (
                    SELECT o.id, o.start FROM simotel_call o
                     WHERE o.company_id = c.company_id AND o.direction = 'outbound'
                       AND o.external_e164 = c.external_e164 AND o.start >= c.start
                  ORDER BY o.start LIMIT 1) cb ON c.external_e164 IS NOT NULL
             WHERE c.missed
        """
