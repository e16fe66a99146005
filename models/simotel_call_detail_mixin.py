from odoo import api, fields, models


class SimotelCallDetailMixin(models.AbstractModel):
    """A detail of a call that SEA reports on its own (a transfer, a survey score).

    Kept by ``(company, unique_id)`` whether or not the call's report arrived, and attached to the
    call when it comes (:meth:`_simotel_link_calls`). Its agent and salesperson are the call's,
    stored for the record rules (the same rule as the call's).
    """

    _name = "simotel.call.detail.mixin"
    _description = "Simotel Call Detail"

    company_id = fields.Many2one("res.company", "Company", required=True, readonly=True, index=True)
    unique_id = fields.Char("Simotel Call ID", required=True, readonly=True, index=True)
    call_id = fields.Many2one("simotel.call", "Call", readonly=True, index="btree_not_null", ondelete="cascade")
    user_id = fields.Many2one(related="call_id.user_id", string="Agent", store=True, index="btree_not_null")
    salesperson_id = fields.Many2one(
        related="call_id.salesperson_id", string="Salesperson", store=True, index="btree_not_null"
    )

    @api.model
    def _simotel_find_call(self, company, unique_id):
        """The call ``unique_id`` of ``company`` if its report arrived (sudo), else an empty recordset."""
        return (
            self.env["simotel.call"]
            .sudo()
            .search([("company_id", "=", company.id), ("unique_id", "=", unique_id)], limit=1)
        )

    @api.model
    def _simotel_link_calls(self, company, calls):
        """Attach the details that arrived before these calls' reports; return them."""
        by_id = {call.unique_id: call for call in calls if call.unique_id}
        if not by_id:
            return self.browse()
        orphans = self.sudo().search(
            [("company_id", "=", company.id), ("unique_id", "in", list(by_id)), ("call_id", "=", False)]
        )
        for detail in orphans:
            detail.call_id = by_id[detail.unique_id]
        return orphans
