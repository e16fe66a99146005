import logging
from datetime import timedelta

import psycopg2.errors

from odoo import api, fields, models

from ..tools import sea
from ..tools.sa_client import SimotelError

_logger = logging.getLogger(__name__)

SYNC_PAGE_SIZE = 100  # rows per reports/poll/search request
SYNC_MAX_PAGES = 50  # pages per sync, at most


class SimotelCallSurvey(models.Model):
    """A customer's satisfaction score of a call (SEA ``Survey`` or SA ``reports/poll/search``).

    One score per call and poll label: a call that passes two poll components
    (e.g. "agent" and "service") has two. Scores are kept by
    ``(company, unique_id)`` whether or not the call's report arrived, and
    attached to the call when it comes (:meth:`_simotel_link_calls`). The
    agent, queue and customer come from the call, so the averages per agent
    follow transfers (the call's agent is the last one).
    """

    _name = "simotel.call.survey"
    _inherit = ["simotel.call.detail.mixin"]
    _description = "Simotel Call Survey"
    _order = "date desc, id desc"
    _rec_name = "label"

    label = fields.Char(
        "Survey", readonly=True, default="", help="Label of the poll component in the dialplan, e.g. sale."
    )
    score = fields.Float(readonly=True, digits=(16, 1), aggregator="avg", help="The score the customer entered.")
    date = fields.Datetime(readonly=True, index=True, default=fields.Datetime.now)
    src = fields.Char("Caller", readonly=True)
    dst = fields.Char("Callee", readonly=True)
    survey_queue = fields.Char(readonly=True, help="Queue named by the survey itself.")
    source = fields.Selection([("sea", "SEA event"), ("backfill", "Sync (SA reports)")], readonly=True)
    queue = fields.Char(compute="_compute_queue", store=True, readonly=True)
    partner_id = fields.Many2one(related="call_id.partner_id", string="Contact", store=True, index="btree_not_null")
    commercial_partner_id = fields.Many2one(
        related="call_id.partner_id.commercial_partner_id", string="Customer", store=True, index="btree_not_null"
    )

    _sql_constraints = [
        ("survey_uniq", "UNIQUE(company_id, unique_id, label)", "A call is scored once per survey."),
    ]

    @api.depends("call_id.queue", "survey_queue")
    def _compute_queue(self):
        for survey in self:
            survey.queue = survey.survey_queue or survey.call_id.queue or False

    @api.model
    def _simotel_values(self, company, payload, tz_name):
        """Survey values of a normalized ``Survey`` payload (or poll report row)."""
        return {
            "company_id": company.id,
            "unique_id": payload["unique_id"],
            "label": sea.event_text(payload.get("label"), 64),
            "score": sea.to_score(payload.get("point")) or 0,
            "date": (sea.parse_time(payload.get("date"), tz_name) or fields.Datetime.now()).replace(microsecond=0),
            "src": sea.event_text(payload.get("src"), 64) or False,
            "dst": sea.event_text(payload.get("dst"), 64) or False,
            "survey_queue": sea.event_text(payload.get("queue"), 64) or False,
        }

    @api.model
    def _simotel_on_survey(self, company, payload, source="sea"):
        """Record one score (normalized ``Survey`` payload); a repeated one changes nothing.

        :return: ``(survey, created)``
        """
        tz_name = company._simotel_time_zone(report=source == "backfill")
        values = self._simotel_values(company, payload, tz_name)
        Survey = self.sudo().with_company(company)
        key = [(name, "=", values[name]) for name in ("company_id", "unique_id", "label")]
        existing = Survey.search(key, limit=1)
        if existing:
            return existing, False
        values["source"] = source
        values["call_id"] = self._simotel_find_call(company, values["unique_id"]).id
        try:
            with self.env.cr.savepoint():
                return Survey.create(values), True
        except psycopg2.errors.UniqueViolation:
            # The same score delivered twice at once: the other delivery recorded it.
            return Survey.search(key, limit=1), False

    @api.model
    def _simotel_sync_safely(self, company, date_from, date_to):
        """:meth:`_simotel_sync`; an SA error (e.g. an API account without the poll report) is logged, not raised."""
        try:
            with self.env.cr.savepoint():
                return self._simotel_sync(company, date_from, date_to)
        except SimotelError as e:
            _logger.warning("Simotel survey sync of company %s failed: %s", company.id, e.reason)
            return 0

    @api.model
    def _simotel_sync(self, company, date_from, date_to):
        """Pull ``reports/poll/search`` for ``[date_from, date_to]`` (naive UTC); return the number of new scores.

        Scores already known (from SEA or an earlier sync) are left alone; an
        unreadable row is skipped with a log line.
        """
        client = company._simotel_client()
        tz_name = company._simotel_time_zone(report=True)
        start, created = 0, 0
        for _page in range(SYNC_MAX_PAGES):
            rows, total = client.poll_search(
                sea.format_local(date_from, tz_name),
                sea.format_local(date_to + timedelta(minutes=1), tz_name),
                start=start,
                count=SYNC_PAGE_SIZE,
            )
            for row in rows:
                try:
                    if not isinstance(row, dict):
                        raise sea.InboundError(400, "a row is not an object")
                    payload = sea.normalize(
                        "Survey", {k: v for k, v in row.items() if k not in ("event", "event_name")}
                    )
                    with self.env.cr.savepoint():
                        created += int(self._simotel_on_survey(company, payload, source="backfill")[1])
                except sea.InboundError as e:
                    _logger.warning("Simotel survey sync of company %s: skipped a row: %s", company.id, e.message)
            start += len(rows)
            if not rows or (start >= total if total is not None else len(rows) < SYNC_PAGE_SIZE):
                break
        return created
