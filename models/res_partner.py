from odoo import api, models

from ..tools import phone


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "simotel.phone.mixin"]

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
        # One query: the commercial entities come with the matches.
        partners = self.sudo().with_context(active_test=True).search_fetch(
            self._simotel_number_domain(e164) + [("company_id", "in", [False, company.id])],
            ["commercial_partner_id"],
            order="id",
            limit=100,
        )
        if len(partners) <= 1:
            return partners
        commercials = partners.commercial_partner_id.sorted("id")
        return commercials[:1]
