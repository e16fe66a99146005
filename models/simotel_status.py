from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError

QUIET_HOURS = 24  # nothing from the PBX for this long: the status page says so


class SimotelStatus(models.AbstractModel):
    """What arrived from the PBX lately, for the "Simotel ▸ Configuration ▸ Status" page."""

    _name = "simotel.status"
    _description = "Simotel Status"

    @api.model
    def simotel_get_status(self):
        """The latest SEA event, lookup and call sync of the current company (cheap, indexed queries)."""
        if not self.env.user.has_group("simotel_connector.group_simotel_manager"):
            raise AccessError(self.env._("Only Simotel administrators can see the connection status."))
        company = self.env.company.sudo()
        Event = self.env["simotel.event"].sudo()
        event = Event.search_fetch(
            [("company_id", "=", company.id)], ["received_at", "event_name", "state"], order="received_at desc", limit=1
        )
        lookup = (
            self.env["simotel.lookup.log"]
            .sudo()
            .search_fetch([("company_id", "=", company.id)], ["create_date"], order="create_date desc", limit=1)
        )
        quiet_since = fields.Datetime.now() - timedelta(hours=QUIET_HOURS)
        settings = company._simotel_settings_by_company().get(company.id)
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "").rstrip("/")
        return {
            "quiet_hours": QUIET_HOURS,
            "server_configured": bool(company.simotel_server_url),
            "inbound_configured": bool(settings and settings.configured),
            "sea_url": f"{base}/simotel/sea",
            "last_event": {
                "date": fields.Datetime.to_string(event.received_at),
                "name": event.event_name,
                "state": event.state,
                "quiet": event.received_at < quiet_since,
            }
            if event
            else False,
            "failed_events": Event.search_count([("company_id", "=", company.id), ("state", "=", "failed")]),
            "last_lookup": {
                "date": fields.Datetime.to_string(lookup.create_date),
                "quiet": lookup.create_date < quiet_since,
            }
            if lookup
            else False,
            "sync_enabled": company.simotel_backfill and bool(company.simotel_server_url),
            "last_sync": fields.Datetime.to_string(company.simotel_last_sync) if company.simotel_last_sync else False,
        }
