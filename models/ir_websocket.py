from odoo import models

from .simotel_agent_state import WALLBOARD_CHANNEL


class IrWebsocket(models.AbstractModel):
    _inherit = "ir.websocket"

    def _build_bus_channel_list(self, channels):
        """Supervisors listen to the wallboard channel of each of their companies."""
        channels = super()._build_bus_channel_list(channels)
        user = self.env.user
        if user and not user._is_public() and user.has_group("simotel_connector.group_simotel_supervisor"):
            channels.extend((company, WALLBOARD_CHANNEL) for company in user.company_ids)
        return channels
