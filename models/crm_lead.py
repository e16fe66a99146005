from odoo import api, fields, models

from ..tools.actions import smart_button_action


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = ["crm.lead", "simotel.phone.mixin"]

    simotel_call_count = fields.Integer(
        "Calls", compute="_compute_simotel_call_count", groups="simotel_connector.group_simotel_user"
    )

    def _search_phone_mobile_search(self, operator, value):
        return self._simotel_widen_phone_search(super()._search_phone_mobile_search(operator, value), operator, value)

    def _compute_simotel_call_count(self):
        counts = dict(self.env["simotel.call"]._read_group([("lead_id", "in", self.ids)], ["lead_id"], ["__count"]))
        for lead in self:
            lead.simotel_call_count = counts.get(lead, 0)

    def action_simotel_calls(self):
        """Smart button: the calls linked to this lead."""
        self.ensure_one()
        return smart_button_action(self.env, "simotel_connector.action_simotel_call", [("lead_id", "=", self.id)])

    def _simotel_call_links(self):
        return {"partner": self.partner_id, "lead": self}

    @api.model
    def _simotel_find_leads(self, e164_numbers, company):
        """``{e164: lead}`` for the numbers (E.164) that have a lead (the most recent), in one search."""
        numbers = sorted(set(filter(None, e164_numbers)))
        if not numbers:
            return {}
        leads = self.sudo().search_fetch(
            [
                "|",
                ("simotel_phone_e164", "in", numbers),
                ("simotel_mobile_e164", "in", numbers),
                ("company_id", "in", [False, company.id]),
            ],
            ["simotel_phone_e164", "simotel_mobile_e164"],
            order="id desc",
        )
        result, wanted = {}, set(numbers)
        for lead in leads:
            for number in (lead.simotel_phone_e164, lead.simotel_mobile_e164):
                if number in wanted:
                    result.setdefault(number, lead)
        return result
