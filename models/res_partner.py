from odoo import api, fields, models

from ..tools import phone


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "simotel.phone.mixin"]

    simotel_call_count = fields.Integer("Calls", compute="_compute_simotel_call_count",
                                        groups="simotel_connector.group_simotel_user")

    def _compute_simotel_call_count(self):
        for partner in self:
            partner.simotel_call_count = self.env["simotel.call"].search_count(
                [("partner_id", "child_of", partner.id)]) if partner.id else 0

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        self.env["simotel.call"]._simotel_rematch(partners.filtered(lambda p: p.phone or p.mobile))
        return partners

    def write(self, vals):
        result = super().write(vals)
        if "phone" in vals or "mobile" in vals:
            self.env["simotel.call"]._simotel_rematch(self)
        return result

    def action_simotel_calls(self):
        """Smart button: the calls of this contact and of its contacts."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("simotel_connector.action_simotel_call")
        action["domain"] = [("partner_id", "child_of", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    @api.model
    def _simotel_find_partner(self, number, company=None):
        """Return the partner calling from ``number`` (any written form), or an empty recordset.

        Exact match on the indexed E.164 columns of partners visible to
        ``company``. Duplicate policy, in this order:

        * one partner has the number: that partner (a contact stays the contact);
        * several partners of one commercial entity (a company and its
          contacts): the commercial entity, i.e. the company;
        * unrelated partners: the oldest commercial entity (lowest id) among them.
        """
        company = company or self.env.company
        e164 = phone.to_e164(number, company._simotel_phone_region())
        if not e164:
            return self.browse()
        partners = self.sudo().with_context(active_test=True).search(
            self._simotel_number_domain(e164) + [("company_id", "in", [False, company.id])],
            order="id",
            limit=100,
        )
        if len(partners) <= 1:
            return partners
        commercials = partners.commercial_partner_id.sorted("id")
        return commercials[:1]
