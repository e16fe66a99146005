from odoo import api, fields, models

LOG_RETENTION_DAYS = 30


class SimotelLookupLog(models.Model):
    """One call-time lookup: who asked, what Odoo answered, how fast (rows kept 30 days)."""

    _name = "simotel.lookup.log"
    _description = "Simotel Lookup Log"
    _order = "id desc"
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

    @api.autovacuum
    def _gc_old_lookups(self):
        """Delete lookups older than 30 days."""
        self.env.cr.execute(
            "DELETE FROM simotel_lookup_log WHERE create_date < (now() at time zone 'UTC') - %s * interval '1 day'",
            (LOG_RETENTION_DAYS,),
        )
