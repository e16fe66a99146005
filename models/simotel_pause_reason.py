from odoo import fields, models


class SimotelPauseReason(models.Model):
    """Why an agent pauses (lunch, training, after-call work…), chosen when pausing from Odoo.

    A model rather than a fixed selection: each company names its own reasons,
    translates them, orders and archives them without code, and the pause
    report groups by them.
    """

    _name = "simotel.pause.reason"
    _description = "Simotel Pause Reason"
    _order = "sequence, id"

    name = fields.Char("Reason", required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", "Company", index=True, help="Empty: offered in every company.")
    max_minutes = fields.Integer(
        "Expected Duration (min)",
        help="How long this pause normally lasts; the wallboard highlights agents paused longer. 0: no limit.",
    )
