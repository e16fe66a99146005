from odoo import models

from ..tools.settings_cache import clear_settings_cache


class ResGroups(models.Model):
    _inherit = "res.groups"

    def write(self, vals):
        """Members added or removed from the group's side change who is an agent, as from the user's side."""
        result = super().write(vals)
        if {"users", "implied_ids"}.intersection(vals):
            clear_settings_cache(self.env)
            self.env["simotel.agent.state"]._simotel_refresh_agents()
        return result
