from odoo import _, api, fields, models
from odoo.addons.base.models.res_partner import _tz_get
from odoo.exceptions import ValidationError

from ..tools import inbound, phone
from ..tools.sa_client import SimotelClient


class ResCompany(models.Model):
    _inherit = "res.company"

    # Outbound: Odoo calls Simotel's SA REST API.
    simotel_server_url = fields.Char(
        "Simotel Server Address",
        groups="base.group_system",
        help="Base address of the Simotel server, e.g. https://pbx.example.com",
    )
    simotel_auth_mode = fields.Selection(
        [("basic", "HTTP Basic"), ("apikey", "API key"), ("both", "HTTP Basic and API key")],
        "SA Authentication",
        default="both",
        required=True,
        groups="base.group_system",
        help="How Odoo authenticates to the Simotel API (Maintenance ▸ API Accounts on the PBX).",
    )
    simotel_api_username = fields.Char("SA Username", groups="base.group_system")
    simotel_api_password = fields.Char("SA Password", groups="base.group_system")
    simotel_api_key = fields.Char("SA API Key", groups="base.group_system")
    simotel_timeout = fields.Float(
        "SA Request Timeout (s)", default=5.0, groups="base.group_system",
        help="Seconds Odoo waits for the Simotel server before giving up.",
    )
    # Inbound: Simotel calls Odoo (API components, SEA events).
    simotel_inbound_auth = fields.Selection(
        [("basic", "Basic credentials"), ("ip", "Allowed IPs"), ("basic_ip", "Basic credentials and allowed IPs")],
        "Inbound Protection",
        default="basic",
        required=True,
        groups="base.group_system",
        help="What Simotel must present when it calls Odoo.",
    )
    simotel_inbound_username = fields.Char("Inbound Username", groups="base.group_system")
    simotel_inbound_password = fields.Char("Inbound Password", groups="base.group_system")
    simotel_inbound_ips = fields.Char(
        "Allowed IPs", groups="base.group_system",
        help="IP addresses or networks (CIDR) of the Simotel server, separated by commas.",
    )
    # Click-to-call defaults.
    simotel_context = fields.Char("Dial Context", default="main_routing", groups="base.group_system")
    simotel_trunk_name = fields.Char("Trunk Name", groups="base.group_system")
    simotel_originate_timeout = fields.Integer("Originate Timeout (s)", default=30, groups="base.group_system")
    simotel_originate_method = fields.Selection(
        [("PUT", "PUT"), ("POST", "POST")], "Originate HTTP Method", default="PUT", required=True,
        groups="base.group_system",
    )
    simotel_phone_country_id = fields.Many2one(
        "res.country", "Phone Numbers Country",
        help="Country of numbers written without a country code. Empty: the company's country, else Iran.",
    )
    # Stored so that a call-time lookup reads it with the company's row
    # instead of computing the company address (three more queries).
    simotel_phone_region = fields.Char(
        "Phone Numbers Region", compute="_compute_simotel_phone_region", store=True,
        help="ISO code of the country of numbers written without a country code.",
    )

    # Call history (SEA events, CDRs, sync).
    simotel_time_mode = fields.Selection(
        [("utc", "UTC"), ("local", "PBX local time")], "Event Times", default="utc", required=True,
        help="How the PBX writes times in SEA events: UTC (Simotel's default) or its local time.",
    )
    simotel_tz = fields.Selection(
        _tz_get, "PBX Time Zone", default="Asia/Tehran", required=True,
        help="Time zone of the PBX: used for local-time events, report rows and sync periods.",
    )
    simotel_missed_call_activity = fields.Boolean(
        "Call-back Activity for Missed Calls", default=True,
        help="A missed inbound call from a known customer schedules one \"Call back\" activity.",
    )
    simotel_missed_call_user_id = fields.Many2one(
        "res.users", "Call-back User", domain=[("share", "=", False)],
        help="Gets the call-back activity when the customer has no salesperson.",
    )
    simotel_backfill = fields.Boolean(
        "Sync Calls Periodically", default=True,
        help="Pull the PBX's call reports regularly so that calls missed by SEA arrive anyway.",
    )
    simotel_backfill_days = fields.Integer(
        "Sync Period (days)", default=1, help="How far back \"Sync calls\" and the first automatic sync look.",
    )
    simotel_last_sync = fields.Datetime("Last Call Sync", readonly=True)
    simotel_event_retention_days = fields.Integer(
        "Keep Processed Events (days)", default=30,
        help="Processed SEA events older than this are deleted (0: keep them). Failed events are kept.",
    )

    @api.constrains("simotel_inbound_ips")
    def _check_simotel_inbound_ips(self):
        for company in self.sudo():
            try:
                inbound.parse_networks(company.simotel_inbound_ips)
            except ValueError as e:
                raise ValidationError(_("Allowed IPs: %s", e)) from None

    @api.depends("simotel_phone_country_id.code", "partner_id.country_id.code")
    def _compute_simotel_phone_region(self):
        for company in self:
            country = company.simotel_phone_country_id or company.partner_id.country_id
            company.simotel_phone_region = country.code or phone.FALLBACK_REGION

    def _simotel_phone_region(self):
        """ISO code of the country for numbers without a country code."""
        self.ensure_one()
        self.fetch(["simotel_phone_region"])  # not the whole (wide) company row: it runs on every call
        return self.simotel_phone_region or phone.FALLBACK_REGION

    def _simotel_time_zone(self, report=False):
        """Time zone of the PBX's times: of SEA events, or (``report``) of SA report rows.

        Report rows are what the PBX shows its users, always in its local time.
        """
        self.ensure_one()
        if self.simotel_time_mode == "utc" and not report:
            return "UTC"
        return self.simotel_tz or "Asia/Tehran"

    def _simotel_client(self):
        """The SA client configured for this company."""
        self.ensure_one()
        company = self.sudo()
        return SimotelClient(
            self.env,
            company.simotel_server_url,
            auth_mode=company.simotel_auth_mode,
            username=company.simotel_api_username,
            password=company.simotel_api_password,
            api_key=company.simotel_api_key,
            timeout=company.simotel_timeout,
        )

    def _simotel_inbound_error(self, remote_addr, credentials):
        """Check an inbound request against this company's protection.

        :param credentials: ``(username, password)`` from Basic auth, or ``None``
        :return: an :class:`~..tools.inbound.InboundError` to answer, or ``None``
        """
        self.ensure_one()
        company = self.sudo()
        mode = company.simotel_inbound_auth
        if mode in ("ip", "basic_ip"):
            networks = inbound.parse_networks(company.simotel_inbound_ips)
            if not inbound.ip_allowed(remote_addr, networks):
                return inbound.InboundError(403, "IP is not permitted")
        if mode in ("basic", "basic_ip"):
            if not (company.simotel_inbound_username and company.simotel_inbound_password):
                return inbound.InboundError(401, "inbound credentials are not configured in Odoo")
            if not credentials:
                return inbound.InboundError(401, "BasicAuth is missing")
            username, password = credentials
            user_ok = inbound.same_secret(username, company.simotel_inbound_username)
            password_ok = inbound.same_secret(password, company.simotel_inbound_password)
            if not (user_ok and password_ok):
                return inbound.InboundError(401, "BasicAuth is invalid")
        return None

    @api.model
    def _simotel_inbound_company(self, remote_addr, credentials):
        """Find the company an inbound request (SEA event) belongs to.

        The first company, by sequence, whose protection accepts the request.
        Companies with no inbound protection configured are never candidates.

        :raises InboundError: the first configured company's refusal
        """
        companies = self.sudo().search_fetch(
            ["|", ("simotel_inbound_password", "!=", False), ("simotel_inbound_ips", "!=", False)],
            ["simotel_inbound_auth", "simotel_inbound_ips", "simotel_inbound_username", "simotel_inbound_password"],
            order="sequence, id",
        )  # only what the check reads: it runs on every delivery
        first_error = None
        for company in companies:
            error = company._simotel_inbound_error(remote_addr, credentials)
            if error is None:
                return company
            first_error = first_error or error
        raise first_error or inbound.InboundError(401, "inbound credentials are not configured in Odoo")
