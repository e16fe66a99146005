import re
from datetime import timedelta

from odoo import api, fields, models

from ..tools import sea

OUTCOMES = [
    ("waiting", "Waiting"),
    ("talking", "Talking"),
    ("answered", "Answered"),
    ("abandoned", "Abandoned"),
    ("unanswered", "Not Answered by the Queue"),
]
WAITING_LIMIT = timedelta(hours=1)  # a waiting call without news for this long is not counted as waiting


class SimotelQueueCall(models.Model):
    """One call's passage through one queue, from the live events and its ``CdrQueue`` report.

    Outcome of a finished call: ``answered`` (an agent took it), ``abandoned``
    (the caller hung up while waiting), ``unanswered`` (the queue gave up:
    timeout, no agent logged in, queue full). ``waiting`` and ``talking`` are
    live states, from ``NewState`` events, until the report arrives.
    """

    _name = "simotel.queue.call"
    _description = "Simotel Queue Call"
    _order = "entered_at desc, id desc"
    _rec_name = "unique_id"

    company_id = fields.Many2one("res.company", "Company", required=True, index=True, ondelete="cascade")
    unique_id = fields.Char("Call ID", required=True, index=True, readonly=True)
    queue = fields.Char(required=True, index=True, readonly=True)
    caller = fields.Char(readonly=True)
    extension = fields.Char("Agent Extension", index="btree_not_null", readonly=True)
    user_id = fields.Many2one("res.users", "Agent", readonly=True, ondelete="set null", index="btree_not_null")
    outcome = fields.Selection(OUTCOMES, required=True, default="waiting", index=True, readonly=True)
    entered_at = fields.Datetime("Entered Queue", index=True, readonly=True)
    answered_at = fields.Datetime("Answered", readonly=True)
    ended_at = fields.Datetime("Ended", readonly=True)
    wait_seconds = fields.Integer("Wait (s)", readonly=True)
    talk_seconds = fields.Integer("Talk (s)", readonly=True)
    hangup = fields.Char("Hung Up By", readonly=True)
    queue_status = fields.Char(readonly=True)

    _sql_constraints = [("call_queue_uniq", "unique(company_id, unique_id, queue)", "A call passes a queue once.")]

    @api.model
    def _simotel_find(self, company, unique_id, queue):
        return self.sudo().search(
            [("company_id", "=", company.id), ("unique_id", "=", unique_id), ("queue", "=", queue)], limit=1
        )

    @api.model
    def _simotel_on_new_state(self, company, event, state, moment):
        """Live part: an agent rings for a queue call (the call waits) or answers it (talking)."""
        unique_id = str(event.get("unique_id") or "").strip()[:128]
        queue = str(event.get("queue") or "").strip()[:64]
        if not unique_id or not queue or state not in ("ringing", "in_use"):
            return
        row = self._simotel_find(company, unique_id, queue)
        if row and row.outcome not in ("waiting", "talking"):
            return  # already reported
        values = {}
        if state == "in_use":
            extension = str(event.get("exten") or "")[:32]
            values = {
                "outcome": "talking",
                "answered_at": moment,
                "extension": extension,
                "user_id": self.env["res.users"]._simotel_find_by_extension(extension, company).id,
            }
        if row:
            if values and row.outcome == "waiting":
                values["wait_seconds"] = int((moment - row.entered_at).total_seconds()) if row.entered_at else 0
                row.write(values)
        else:
            participant = str(event.get("participant") or "")[:64]
            self.sudo().create(
                {
                    "company_id": company.id,
                    "unique_id": unique_id,
                    "queue": queue,
                    "caller": participant or False,
                    "entered_at": moment,
                    **values,
                }
            )
        self.env["simotel.agent.state"]._simotel_push_queue(company, queue)

    @api.model
    def _simotel_on_cdr_queue(self, company, payload):
        """Final part: the ``CdrQueue`` report of the call (normalized payload)."""
        unique_id = str(payload.get("unique_id") or "")[:128]
        queue = str(payload.get("queue") or payload.get("qnum") or "").strip()[:64]
        if not unique_id or not queue:
            return self.browse()
        tz_name = company._simotel_time_zone()
        start = sea.parse_time(payload.get("starttime"), tz_name)
        end = sea.parse_time(payload.get("endtime"), tz_name)
        answered = sea.parse_time(payload.get("answeredtime"), tz_name)
        wait = sea.to_int(payload.get("wait")) or 0
        talk = sea.to_int(payload.get("billsec")) or 0
        disposition = re.sub(r"[^A-Z]", "", str(payload.get("disposition") or "").upper())
        hangup = str(payload.get("hangup") or "").strip().lower()[:32]
        if disposition == "ANSWERED" or (talk and answered):
            outcome = "answered"
        elif hangup == "caller":
            outcome = "abandoned"
        else:
            outcome = "unanswered"
        extension = ""
        if outcome == "answered":
            lines = [
                line
                for line in payload.get("detail") or []
                if re.sub(r"[^A-Z]", "", str(line.get("disposition") or "").upper()) == "ANSWERED"
            ]
            extension = str(lines[-1].get("dst") or "") if lines else str(payload.get("dst") or "")
        values = {
            "company_id": company.id,
            "unique_id": unique_id,
            "queue": queue,
            "caller": str(payload.get("src") or "")[:64] or False,
            "extension": extension[:32] or False,
            "user_id": self.env["res.users"]._simotel_find_by_extension(extension, company).id if extension else False,
            "outcome": outcome,
            "entered_at": start,
            "answered_at": answered if outcome == "answered" else False,
            "ended_at": end,
            "wait_seconds": wait,
            "talk_seconds": talk if outcome == "answered" else 0,
            "hangup": hangup or False,
            "queue_status": str(payload.get("queue_status") or "")[:32] or False,
        }
        row = self._simotel_find(company, unique_id, queue)
        if row:
            row.write(values)
        else:
            row = self.sudo().create(values)
        self.env["simotel.agent.state"]._simotel_push_queue(company, queue)
        return row

    @api.model
    def _simotel_queue_stats(self, company, queues, day_start, threshold):
        """Wallboard figures of ``queues`` (numbers) since ``day_start`` (naive UTC): ``{queue: {…}}``."""
        now = fields.Datetime.now()
        self.flush_model()
        self.env.cr.execute(
            """
            SELECT queue,
                   count(*) FILTER (WHERE outcome = 'waiting' AND entered_at > %(waiting_since)s),
                   min(entered_at) FILTER (WHERE outcome = 'waiting' AND entered_at > %(waiting_since)s),
                   count(*) FILTER (WHERE outcome IN ('answered', 'abandoned', 'unanswered')),
                   count(*) FILTER (WHERE outcome = 'answered'),
                   count(*) FILTER (WHERE outcome = 'abandoned'),
                   count(*) FILTER (WHERE outcome = 'answered' AND wait_seconds <= %(threshold)s),
                   avg(wait_seconds) FILTER (WHERE outcome IN ('answered', 'abandoned', 'unanswered')),
                   avg(talk_seconds) FILTER (WHERE outcome = 'answered')
              FROM simotel_queue_call
             WHERE company_id = %(company)s AND queue = ANY(%(queues)s)
               AND (entered_at >= %(day_start)s OR outcome IN ('waiting', 'talking'))
          GROUP BY queue
            """,
            {
                "company": company.id,
                "queues": list(queues),
                "day_start": day_start,
                "threshold": threshold,
                "waiting_since": now - WAITING_LIMIT,
            },
        )
        stats = {}
        for queue, waiting, oldest, offered, answered, abandoned, in_sl, avg_wait, avg_talk in self.env.cr.fetchall():
            stats[queue] = {
                "waiting": waiting,
                "longest_wait": int((now - oldest).total_seconds()) if oldest else 0,
                "offered": offered,
                "answered": answered,
                "abandoned": abandoned,
                "service_level": round(100.0 * in_sl / offered, 1) if offered else None,
                "avg_wait": round(float(avg_wait)) if avg_wait is not None else None,
                "avg_talk": round(float(avg_talk)) if avg_talk is not None else None,
            }
        return stats
