from odoo import fields, models


class SimotelCallResult(models.Model):
    """What came of a call, chosen by the agent after it (wrap-up code): Interested, Call back later…

    Not the PBX's disposition (the call's Outcome: answered, busy…).
    """

    _name = "simotel.call.result"
    _inherit = ["simotel.choice.mixin"]
    _description = "Simotel Call Result"

    name = fields.Char("Call Result")
