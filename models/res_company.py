import logging
from typing import NamedTuple

import pytz

from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError

from odoo.addons.base.models.res_partner import _tz_get

from ..tools import inbound, phone
from ..tools.sa_client import SimotelClient

# Company fields read by every inbound request: kept in the registry cache and
# cleared whenever one of them (or the company partner's country or time zone) changes.
SETTINGS_FIELDS = frozenset(
    {
        "active",
        "sequence",
        "partner_id",
        "simotel_phone_country_id",
        "simotel_inbound_auth",
        "simotel_inbound_username",
        "simotel_inbound_password",
        "simotel_inbound_ips",
    }
)
SETTINGS_PARTNER_FIELDS = frozenset({"country_id", "tz"})

_logger = logging.getLogger(__name__)


class SimotelCompanySettings(NamedTuple):
    """What a call-time request needs of a company, frozen (see :meth:`ResCompany._simotel_settings`)."""

    id: int
    active: bool
    partner_id: int
    protection: inbound.Protection
    configured: bool  # inbound credentials or IPs are set: the company can receive SEA events
    region: str
    tz: str


class ResCompany(models.Model):
    _name = "res.company"
    _inherit = ["res.company", "simotel.lookup.cache.mixin"]
    _simotel_cache_fields = SETTINGS_FIELDS

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
        "SA Request Timeout (s)",
        default=5.0,
        groups="base.group_system",
        help="Seconds Odoo waits for the Simotel server before giving up.",
    )
    # Call center (agent states, wallboard).
    simotel_agent_stale_minutes = fields.Integer(
        "Agent State Expiry (min)",
        default=30,
        help="An agent state without any event for this long shows as Unknown. 0: never.",
    )
    simotel_service_level_seconds = fields.Integer(
        "Service Level Threshold (s)",
        default=20,
        help="A queue call answered within this many seconds counts toward the service level.",
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
        "Allowed IPs",
        groups="base.group_system",
        help="IP addresses or networks (CIDR) of the Simotel server, separated by commas.",
    )
    # Click-to-call defaults.
    simotel_context = fields.Char("Dial Context", default="main_routing", groups="base.group_system")
    simotel_trunk_name = fields.Char("Trunk Name", groups="base.group_system")
    simotel_originate_timeout = fields.Integer("Originate Timeout (s)", default=30, groups="base.group_system")
    simotel_originate_method = fields.Selection(
        [("PUT", "PUT"), ("POST", "POST")],
        "Originate HTTP Method",
        default="PUT",
        required=True,
        groups="base.group_system",
    )
    simotel_originate_call_limit = fields.Integer(
        "Maximum Call Duration (s)",
        default=0,
        groups="base.group_system",
        help="Sent to Simotel as call_limit: the PBX ends a click-to-call after this many seconds. 0: no limit.",
    )
    simotel_originate_grace = fields.Integer(
        "Call Report Grace Period (s)",
        default=300,
        groups="base.group_system",
        help="A click-to-call whose call report has not arrived by the originate timeout plus this many seconds "
        "is marked Not connected (you did not answer your phone, or the PBX dropped the call). A report "
        "arriving later still completes it.",
    )
    simotel_phone_country_id = fields.Many2one(
        "res.country",
        "Phone Numbers Country",
        help="Country of numbers written without a country code. Empty: the company's country, else Iran.",
    )
    # Stored so that a call-time lookup reads it with the company's row
    # instead of computing the company address (three more queries).
    simotel_phone_region = fields.Char(
        "Phone Numbers Region",
        compute="_compute_simotel_phone_region",
        store=True,
        help="ISO code of the country of numbers written without a country code.",
    )

    # Call history (SEA events, CDRs, sync).
    simotel_time_mode = fields.Selection(
        [("utc", "UTC"), ("local", "PBX local time")],
        "Event Times",
        default="utc",
        required=True,
        help="How the PBX writes times in SEA events: UTC (Simotel's default) or its local time.",
    )
    simotel_tz = fields.Selection(
        _tz_get,
        "PBX Time Zone",
        default="Asia/Tehran",
        required=True,
        help="Time zone of the PBX: used for local-time events, report rows and sync periods.",
    )
    simotel_missed_call_activity = fields.Boolean(
        "Call-back Activity for Missed Calls",
        default=True,
        help='A missed inbound call from a known customer schedules one "Call back" activity.',
    )
    simotel_missed_call_user_id = fields.Many2one(
        "res.users",
        "Call-back User",
        domain=[("share", "=", False)],
        help="Gets the call-back activity when the customer has no salesperson.",
    )
    simotel_voicemail_unknown = fields.Selection(
        [("lead", "Create a lead"), ("none", "Only list the voicemail")],
        "Voicemail from Unknown Numbers",
        default="lead",
        required=True,
        help="A voicemail from a number no contact has: a new lead (or the lead with that number) "
        "gets the message and the activity, or the voicemail is only listed in Simotel ▸ Voicemails.",
    )
    simotel_voicemail_user_id = fields.Many2one(
        "res.users",
        "Voicemail User",
        domain=[("share", "=", False)],
        help="Gets the voicemail activity (and the new leads) when the contact or lead has no salesperson.",
    )
    simotel_backfill = fields.Boolean(
        "Sync Calls Periodically",
        default=False,
        help="Pull the PBX's call reports regularly so that calls missed by SEA arrive anyway.",
    )
    simotel_backfill_days = fields.Integer(
        "Sync Period (days)",
        default=1,
        help='How far back "Sync calls" and the first automatic sync look.',
    )
    simotel_last_sync = fields.Datetime("Last Call Sync", readonly=True)
    simotel_directory_synced = fields.Datetime(
        "Last Directory Sync",
        readonly=True,
        copy=False,
        help="When the extension directory was last read from the PBX. Once it has been, "
        "administrators pick users' extensions from it.",
    )
    simotel_wrap_up_reminder = fields.Boolean(
        "Remind Agents of Call Results",
        default=False,
        help="Answered calls without a call result are listed in the agent's To Wrap Up list and get a "
        '"Call result" activity (a reminder, never a blocking dialog).',
    )
    simotel_event_retention_days = fields.Integer(
        "Keep Processed Events (days)",
        default=30,
        help="Processed SEA events older than this are deleted (0: keep them). Failed events are kept.",
    )

    @api.constrains("simotel_originate_call_limit", "simotel_originate_grace", "simotel_originate_timeout")
    def _check_simotel_originate_durations(self):
        for company in self.sudo():
            if company.simotel_originate_timeout <= 0:
                raise ValidationError(
                    _("Originate Timeout cannot be negative or zero: enter how many seconds your phone rings.")
                )
            if company.simotel_originate_call_limit < 0:
                raise ValidationError(
                    _("Maximum Call Duration cannot be negative: enter a number of seconds, or 0 for no limit.")
                )
            if company.simotel_originate_grace < 0:
                raise ValidationError(_("Call Report Grace Period cannot be negative: enter a number of seconds."))

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
        settings = self._simotel_settings()
        return settings.region if settings else phone.FALLBACK_REGION

    def _simotel_settings(self):
        """This company's :class:`SimotelCompanySettings`, without a query; ``None`` for a new record."""
        self.ensure_one()
        settings = self._simotel_settings_by_company().get(self.id)
        if settings is None and isinstance(self.id, int):
            # Created after the cache was filled, in this transaction (company creation clears
            # the cache when it is done): read this one company, without clearing any cache.
            settings = self._simotel_read_settings(self.sudo().with_context(active_test=False).exists()).get(self.id)
        return settings

    @api.model
    @tools.ormcache()
    def _simotel_settings_by_company(self):
        """``{company id: SimotelCompanySettings}`` of all companies, by sequence.

        Every inbound request reads these: they are read from the database
        once per worker and kept until a company setting changes (see
        ``simotel.lookup.cache.mixin`` and ``res.partner.write``; other workers learn it through
        Odoo's cache signaling at their next request).
        """
        return self._simotel_read_settings(self.sudo().with_context(active_test=False).search([], order="sequence, id"))

    @api.model
    def _simotel_read_settings(self, companies):
        """``{company id: SimotelCompanySettings}`` of ``companies`` (superuser, archived included), read now."""
        companies.fetch(
            [
                "active",
                "sequence",
                "partner_id",
                "simotel_phone_region",
                "simotel_inbound_auth",
                "simotel_inbound_username",
                "simotel_inbound_password",
                "simotel_inbound_ips",
            ]
        )
        companies.partner_id.fetch(["tz"])
        settings = {}
        for company in companies:
            try:
                networks = tuple(inbound.parse_networks(company.simotel_inbound_ips))
            except ValueError:
                networks = ()  # refused by the constraint; allow nobody
            settings[company.id] = SimotelCompanySettings(
                id=company.id,
                active=company.active,
                partner_id=company.partner_id.id,
                protection=inbound.Protection(
                    company.simotel_inbound_auth,
                    company.simotel_inbound_username or "",
                    company.simotel_inbound_password or "",
                    networks,
                ),
                configured=bool(company.simotel_inbound_password or company.simotel_inbound_ips),
                region=company.simotel_phone_region or phone.FALLBACK_REGION,
                tz=company.partner_id.tz if company.partner_id.tz in pytz.all_timezones_set else "UTC",
            )
        return settings

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

    @api.model
    def _simotel_inbound_company(self, remote_addr, credentials):
        """The company an inbound request (SEA event, lookup) belongs to.

        Decided by :func:`~..tools.inbound.resolve_company` among the active
        companies whose inbound protection is configured. An address that sent
        wrong credentials too often is refused with 429 while it cools down
        (:data:`~..tools.inbound.FAILED_CREDENTIALS`): one warning when the
        cool-down starts, no line per refused request.

        :raises InboundError: 401/403 refused, 429 cooling down
        """
        throttle = inbound.FAILED_CREDENTIALS
        if throttle.cooling(remote_addr):
            raise inbound.InboundError(429, "too many failed credentials from this address: try again later")
        candidates = [
            (settings.id, settings.protection)
            for settings in self._simotel_settings_by_company().values()
            if settings.active and settings.configured
        ]
        try:
            return self.browse(inbound.resolve_company(candidates, remote_addr, credentials))
        except inbound.InboundError as e:
            if e.status == 401 and credentials and throttle.failed(remote_addr):
                _logger.warning(
                    "Simotel inbound: %d failed credentials from %s within %ds: its requests are refused (429) for %ds",
                    throttle.limit,
                    remote_addr,
                    throttle.window,
                    throttle.cooldown,
                )
            raise
