from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..tools.sa_client import SimotelError


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    simotel_server_url = fields.Char(related="company_id.simotel_server_url", readonly=False)
    simotel_auth_mode = fields.Selection(related="company_id.simotel_auth_mode", readonly=False)
    simotel_api_username = fields.Char(related="company_id.simotel_api_username", readonly=False)
    simotel_api_password = fields.Char(related="company_id.simotel_api_password", readonly=False)
    simotel_api_key = fields.Char(related="company_id.simotel_api_key", readonly=False)
    simotel_timeout = fields.Float(related="company_id.simotel_timeout", readonly=False)
    simotel_inbound_auth = fields.Selection(related="company_id.simotel_inbound_auth", readonly=False)
    simotel_inbound_username = fields.Char(related="company_id.simotel_inbound_username", readonly=False)
    simotel_inbound_password = fields.Char(related="company_id.simotel_inbound_password", readonly=False)
    simotel_inbound_ips = fields.Char(related="company_id.simotel_inbound_ips", readonly=False)
    simotel_context = fields.Char(related="company_id.simotel_context", readonly=False)
    simotel_trunk_name = fields.Char(related="company_id.simotel_trunk_name", readonly=False)
    simotel_originate_timeout = fields.Integer(related="company_id.simotel_originate_timeout", readonly=False)
    simotel_originate_method = fields.Selection(related="company_id.simotel_originate_method", readonly=False)
    simotel_originate_call_limit = fields.Integer(related="company_id.simotel_originate_call_limit", readonly=False)
    simotel_originate_grace = fields.Integer(related="company_id.simotel_originate_grace", readonly=False)
    simotel_wrap_up_reminder = fields.Boolean(related="company_id.simotel_wrap_up_reminder", readonly=False)
    simotel_phone_country_id = fields.Many2one(related="company_id.simotel_phone_country_id", readonly=False)
    simotel_time_mode = fields.Selection(related="company_id.simotel_time_mode", readonly=False)
    simotel_tz = fields.Selection(related="company_id.simotel_tz", readonly=False)
    simotel_missed_call_activity = fields.Boolean(related="company_id.simotel_missed_call_activity", readonly=False)
    simotel_missed_call_user_id = fields.Many2one(related="company_id.simotel_missed_call_user_id", readonly=False)
    simotel_voicemail_unknown = fields.Selection(related="company_id.simotel_voicemail_unknown", readonly=False)
    simotel_voicemail_user_id = fields.Many2one(related="company_id.simotel_voicemail_user_id", readonly=False)
    simotel_backfill = fields.Boolean(related="company_id.simotel_backfill", readonly=False)
    simotel_backfill_days = fields.Integer(related="company_id.simotel_backfill_days", readonly=False)
    simotel_last_sync = fields.Datetime(related="company_id.simotel_last_sync")
    simotel_event_retention_days = fields.Integer(related="company_id.simotel_event_retention_days", readonly=False)
    simotel_agent_stale_minutes = fields.Integer(related="company_id.simotel_agent_stale_minutes", readonly=False)
    simotel_service_level_seconds = fields.Integer(related="company_id.simotel_service_level_seconds", readonly=False)
    simotel_sea_url = fields.Char("SEA Address", compute="_compute_simotel_urls")
    simotel_lookup_url = fields.Char("API Component Address", compute="_compute_simotel_urls")

    @api.depends("company_id")
    def _compute_simotel_urls(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "").rstrip("/")
        for settings in self:
            settings.simotel_sea_url = f"{base}/simotel/sea"
            settings.simotel_lookup_url = f"{base}/simotel/lookup/<code>"

    def _simotel_check_admin(self):
        """Raise unless the current user may change the company's Simotel settings (system administrators)."""
        self.check_access("write")
        if not self.env.user.has_group("base.group_system"):
            raise AccessError(self.env._("Only administrators can change the Simotel settings."))

    @api.onchange("simotel_server_url")
    def _onchange_simotel_server_url(self):
        """Periodic sync is off until there is a PBX to sync from; the first address turns it on."""
        for settings in self:
            if settings.simotel_server_url and not settings.company_id.sudo().simotel_server_url:
                settings.simotel_backfill = True

    def action_simotel_test_connection(self):
        """Call SA ``setting/ping/act`` with the saved settings and report the outcome."""
        self.ensure_one()
        self._simotel_check_admin()
        self.execute()
        try:
            self.company_id._simotel_client().ping()
        except SimotelError as e:
            notification = {"type": "danger", "title": self.env._("Simotel connection failed"), "message": str(e)}
        else:
            notification = {
                "type": "success",
                "title": self.env._("Simotel connection works"),
                "message": self.env._("Odoo reached the Simotel server and was accepted."),
            }
        return self._simotel_notification_action(notification)

    def action_simotel_sync_calls(self):
        """Button: save, then pull the PBX's call reports of the sync period now."""
        self.ensure_one()
        self._simotel_check_admin()
        self.execute()
        return self.env["simotel.call"].with_company(self.company_id).action_simotel_sync()

    def _simotel_notification_action(self, notification):
        """A client action showing ``notification`` (type, title, message); errors stay on screen."""
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {**notification, "sticky": notification["type"] == "danger"},
        }
