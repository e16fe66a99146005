from odoo import fields, models, tools


class SimotelReportMixin(models.AbstractModel):
    """A read-only report on a database view, by company, queue and agent.

    Inherited by the reports (queue statistics, missed call recovery): each
    sets ``_auto = False`` and returns its ``SELECT`` from
    ``_simotel_view_query``; installing or updating the module (re)creates the
    view under the model's table name.
    """

    _name = "simotel.report.mixin"
    _description = "Simotel Report"

    company_id = fields.Many2one("res.company", "Company", readonly=True)
    queue = fields.Char(readonly=True)
    extension = fields.Char("Agent Extension", readonly=True)
    user_id = fields.Many2one("res.users", "Agent", readonly=True)

    def _simotel_view_query(self):
        """The ``SELECT`` whose rows are the report's records (an ``id`` column and one per field)."""
        raise NotImplementedError

    def init(self):
        if self._abstract:
            return
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(f"CREATE OR REPLACE VIEW {self._table} AS ({self._simotel_view_query()})")
