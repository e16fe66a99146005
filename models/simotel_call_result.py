from odoo import fields, models


class SimotelCallResult(models.Model):
    """What came of a call, chosen by the agent after it (wrap-up code): Interested, Call back later…

    Not the PBX's disposition (the call's Outcome: answered, busy…). A model rather than a
    fixed selection: each company names, translates, orders and archives its own results.
    """

    _name = "simotel.call.result"
    _description = "Simotel Call Result"
    _order = "sequence, id"

    name = fields.Char("Call Result", required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", "Company", index=True, help="Empty: offered in every company.")
