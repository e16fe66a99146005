from odoo import fields, models


class SimotelPauseReason(models.Model):
    """Why an agent pauses (lunch, training, after-call work…), chosen when pausing from Odoo.

    The pause report groups by it.
    """

    _name = "simotel.pause.reason"
    _inherit = ["simotel.choice.mixin"]
    _description = "Simotel Pause Reason"

    name = fields.Char("Reason")
    max_minutes = fields.Integer(
        "Expected Duration (min)",
        help="How long this pause normally lasts; the wallboard highlights agents paused longer. 0: no limit.",
    )
