from odoo import api, models

from ..tools import phone


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = ["crm.lead", "simotel.phone.mixin"]

    def _simotel_call_links(self):
        return {"partner": self.partner_id, "lead": self}

    @api.model
    def _simotel_find_lead(self, number, company=None):
        """The most recent open lead or opportunity with ``number``, or an empty recordset."""
        company = company or self.env.company
        e164 = phone.to_e164(number, company._simotel_phone_region())
        if not e164:
            return self.browse()
        return self.sudo().search(
            self._simotel_number_domain(e164) + [("company_id", "in", [False, company.id])],
            order="id desc",
            limit=1,
        )
