from odoo import api, fields, models
from odoo.tools import SQL

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

    def _simotel_call_links(self):
        return {"partner": self}

    @api.model
    def _simotel_find_partner(self, number, company=None):
        """Return the partner calling from ``number`` (any written form), or an empty recordset.

        Exact match on the indexed E.164 columns of active partners visible to
        ``company``. Duplicate policy, in this order:

        * one partner has the number: that partner (a contact stays the contact);
        * several partners of one commercial entity (a company and its
          contacts): the commercial entity, i.e. the company;
        * unrelated partners: the oldest commercial entity (lowest id) among them.

        It runs on every incoming call, so it is one plain query (see
        benchmarks/lookup.py): the ORM's domain parsing and SQL building cost
        more than the indexed lookup itself.
        """
        company = company or self.env.company
        e164 = phone.to_e164(number, company._simotel_phone_region())
        if not e164:
            return self.browse()
        return self._simotel_find_partners([e164], company).get(e164, self.sudo().browse())

    @api.model
    def _simotel_find_partners(self, e164_numbers, company):
        """``{e164: partner}`` for the numbers (E.164) that have a partner, in one query.

        Same rules as :meth:`_simotel_find_partner`; used to match a batch of calls.
        """
        partners = self.sudo()
        numbers = sorted(set(filter(None, e164_numbers)))
        if not numbers:
            return {}
        partners.flush_model(["simotel_phone_e164", "simotel_mobile_e164", "active", "company_id",
                              "commercial_partner_id"])
        self.env.cr.execute(SQL(
            """
            SELECT id, commercial_partner_id, simotel_phone_e164, simotel_mobile_e164
              FROM res_partner
             WHERE (simotel_phone_e164 = ANY(%(numbers)s) OR simotel_mobile_e164 = ANY(%(numbers)s))
               AND active
               AND (company_id IS NULL OR company_id = %(company)s)
          ORDER BY id
            """,
            numbers=numbers, company=company.id,
        ))
        rows_by_number = {}
        for row in self.env.cr.fetchall():
            for number in {row[2], row[3]} & set(numbers):
                rows_by_number.setdefault(number, []).append(row)
        return {
            number: partners.browse(rows[0][0] if len(rows) == 1 else min(row[1] for row in rows))
            for number, rows in rows_by_number.items()
        }
