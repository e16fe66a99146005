from odoo import fields, models


class SimotelChoiceMixin(models.AbstractModel):
    """A choice offered to agents (a call result, a pause reason) that each company keeps itself.

    A model rather than a fixed selection: each company names its own choices, translates, orders
    and archives them without code. A choice without a company is offered in every company.
    """

    _name = "simotel.choice.mixin"
    _description = "Simotel Choice"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", "Company", index=True, help="Empty: offered in every company.")
