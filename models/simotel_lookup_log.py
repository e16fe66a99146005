from datetime import UTC, datetime

from odoo import api, fields, models

from ..tools import retention
from ..tools.lookup_log_writer import WRITER

LOG_RETENTION_DAYS = 30


class SimotelLookupLog(models.Model):
    """One call-time lookup: who asked, what Odoo answered, how fast (rows kept 30 days)."""

    _name = "simotel.lookup.log"
    _description = "Simotel Lookup Log"
    _order = "create_date desc, id desc"
    _rec_name = "number"

    api_call_id = fields.Many2one("simotel.api.call", "API Call", index=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    number = fields.Char("Caller Number", readonly=True)
    code = fields.Char("Typed Code", readonly=True)
    unique_id = fields.Char("Call ID", readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", ondelete="set null", readonly=True)
    status = fields.Integer("HTTP Status", readonly=True)
    result = fields.Char("Answer", readonly=True)
    duration_ms = fields.Integer("Duration (ms)", readonly=True)
    create_date = fields.Datetime("Date", index=True, readonly=True)

    @api.model
    def _simotel_add(self, api_call_id, number, code, unique_id, partner_id, status, result, duration_ms):
        """Log a lookup: written within a second, outside the request's transaction (``tools/lookup_log_writer.py``)."""
        WRITER.add(
            self.env.registry,
            (
                api_call_id,
                number,
                code,
                unique_id,
                partner_id,
                status,
                result,
                duration_ms,
                # The lookup's own time, to the microsecond: rows written together stay apart and in order.
                datetime.now(UTC).replace(tzinfo=None),
            ),
        )

    @api.autovacuum
    def _gc_old_lookups(self, batch_size=retention.BATCH_SIZE):
        """Delete lookups older than 30 days, in batches (see ``tools.retention``)."""
        retention.delete_in_batches(
            self.env.cr,
            self._table,
            "create_date < (now() at time zone 'UTC') - %s * interval '1 day'",
            [LOG_RETENTION_DAYS],
            batch_size,
        )
