from odoo import SUPERUSER_ID, api

# Multi-company rules: from this version on, kept as the administrator adapts them.
COMPANY_RULES = (
    "simotel_call_company_rule",
    "simotel_event_company_rule",
    "simotel_screen_pop_rule_company",
    "rule_simotel_api_call_company",
    "rule_simotel_api_call_item_company",
    "rule_simotel_lookup_log_company",
)


def migrate(cr, version):
    """Mark the multi-company rules ``noupdate``; calls are no longer visible to every Simotel user."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["ir.model.data"].search([("module", "=", "simotel_connector"), ("name", "in", COMPANY_RULES)]).write(
        {"noupdate": True}
    )
    fill_salespeople(cr)


def fill_salespeople(cr):
    """The salesperson of each call, from its links as they are now (see ``simotel.call.salesperson_id``):
    the contact's, else its commercial entity's, else (no contact) the lead's."""
    cr.execute(
        """
        UPDATE simotel_call c
           SET salesperson_id = COALESCE(p.user_id, cp.user_id, CASE WHEN c.partner_id IS NULL THEN l.user_id END)
          FROM simotel_call c2
     LEFT JOIN res_partner p ON p.id = c2.partner_id
     LEFT JOIN res_partner cp ON cp.id = p.commercial_partner_id
     LEFT JOIN crm_lead l ON l.id = c2.lead_id
         WHERE c2.id = c.id AND c.salesperson_id IS NULL
        """
    )
