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
