from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.tools import safe_eval

from ..tools import api_component, inbound
from ..tools.actions import smart_button_action

# A caller number or a typed customer code is a few dozen characters at most.
MAX_FIELD_LENGTH = 256

REPLY_FORMATS = [
    ("generic", "Generic API call module (property → value)"),
    ("ivr", "Simotel IVR API (case)"),
    ("exten", "Simotel Exten API (extension)"),
    ("smart", "Simotel Smart API (commands)"),
    ("trunk", "Simotel Trunk API (trunk, number, call limit)"),
]


def domain_eval_context(record):
    """Names a routing domain may use (those of Odoo's domain editor)."""
    return {
        "datetime": safe_eval.datetime,
        "time": safe_eval.time,
        "relativedelta": relativedelta,
        "context_today": lambda: fields.Date.context_today(record),
    }


def parse_domain(record, text):
    """The domain written in ``text``, evaluated now."""
    return safe_eval.safe_eval(text or "[]", domain_eval_context(record))


_DOMAIN_OPERATORS = ("&", "|", "!")
_TRUE_FALSE_LEAVES = ((1, "=", 1), (0, "=", 1))
_SUBDOMAIN_OPERATORS = ("any", "not any")


def domain_refusal(registry, model_name, domain):
    """Why ``domain`` (evaluated) may not be searched as superuser on ``model_name``, or ``None``.

    A routing condition is written by a Simotel administrator and evaluated
    as superuser while the PBX waits, so every field path of every leaf
    (``any``/``not any`` sub-domains included) must name existing fields, none
    restricted to groups (``groups=``: settings, secrets) and none that
    cannot be searched (not stored, no search method). A path only goes on
    through relational fields. A pure function of the domain and the
    registry's field definitions: no query, cheap enough for every call.

    :return: a short reason (for the log), or ``None`` when the domain may be searched
    """
    if not isinstance(domain, (list, tuple)):
        return "the condition is not a list"
    for element in domain:
        if isinstance(element, str) and element in _DOMAIN_OPERATORS:
            continue
        if not isinstance(element, (list, tuple)) or len(element) != 3:
            return "malformed condition element %r" % (element,)
        if tuple(element) in _TRUE_FALSE_LEAVES:
            continue
        path, operator, value = element
        if not isinstance(path, str) or not path or not isinstance(operator, str):
            return "malformed condition element %r" % (element,)
        current = model_name
        names = path.split(".")
        for position, name in enumerate(names):
            model = registry.get(current)
            field = model._fields.get(name) if model is not None else None
            if field is None:
                return "unknown field %s on %s" % (name, current)
            if field.groups:
                return "field %s.%s is restricted to groups" % (current, name)
            if not (field.store or field.search):
                return "field %s.%s cannot be searched" % (current, name)
            if position < len(names) - 1:
                if not field.relational:
                    return "field %s.%s has no fields" % (current, name)
                current = field.comodel_name
        if operator.lower() in _SUBDOMAIN_OPERATORS:
            field = registry[current]._fields[names[-1]]
            if not field.relational:
                return "operator %s on field %s.%s" % (operator, current, names[-1])
            reason = domain_refusal(registry, field.comodel_name, value)
            if reason:
                return reason
    return None


class SimotelApiCall(models.Model):
    """What Odoo answers when a dialplan API component asks who is calling."""

    _name = "simotel.api.call"
    _inherit = ["simotel.lookup.cache.mixin"]
    _description = "Simotel API Call"
    _order = "name, id"

    name = fields.Char(required=True, help="A name to recognise this API call, e.g. Contract routing.")
    code = fields.Char(
        required=True,
        copy=False,
        help="Unique code, part of the address given to the PBX: /simotel/lookup/<code>. "
        "Letters, digits, dot, dash and underscore.",
    )
    active = fields.Boolean(default=True, help="A disabled API call answers 404: the PBX takes its error route.")
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        help="Company whose customers, contracts and inbound protection this API call uses.",
    )
    reply_format = fields.Selection(
        REPLY_FORMATS,
        required=True,
        default="generic",
        help="Generic: every item as a property of a JSON object. IVR: the case of the first item "
        "with a value. Exten: the extension of the first item with a value. Smart: SetExten with "
        "the first agent item's extension, then Exit with the first other item's value. Trunk: "
        "the trunk, the number to call and the call limit, each from the first item of that property "
        "with a value.",
    )
    number_param = fields.Char(
        "Number Parameter",
        required=True,
        default="src",
        help="Request field holding the caller number (src for Simotel's components). "
        "A value that matches no phone number is tried as a customer code.",
    )
    code_param = fields.Char(
        "Customer Code Parameter",
        default="data",
        help="Request field holding a customer code typed by the caller (data for Simotel's components). "
        "When present it is looked up first, in the customers' Internal Reference.",
    )
    contract_source = fields.Selection(
        [("fields", "Contract fields of the customer"), ("domain", "Customers matching a domain")],
        required=True,
        default="fields",
        help="Where contract items read whether the customer has an active contract: the Contract "
        "fields on the customer form, or any condition, e.g. from a contract or subscription module.",
    )
    contract_domain = fields.Char(
        default="[]",
        help="Customers matching this condition have an active contract.",
    )
    empty_value = fields.Char(
        "Empty Item Answer",
        help="IVR, Exten and Smart: the case or extension answered when no item has a value. "
        "Leave empty to send such calls out of the component's failure output.",
    )
    error_value = fields.Char(
        "Error Answer",
        help="Generic format only: value of every property when Odoo cannot answer. "
        'Empty: {"ok": "0"}. The PBX also takes its error destination on any non-200 reply.',
    )
    trunk_name = fields.Char(
        "Default Trunk",
        help="Trunk format: the trunk the call goes out by when no trunk item has a value, "
        "as named on the PBX (PBX ▸ Trunks).",
    )
    call_limit = fields.Integer(
        "Default Call Limit",
        help="Trunk format: the call's time limit in seconds when no call_limit item has a value. 0: no limit.",
    )
    item_ids = fields.One2many("simotel.api.call.item", "api_call_id", "Items", copy=True)
    url = fields.Char("API Address", compute="_compute_url", help="Address to enter in the PBX.")

    _sql_constraints = [
        ("code_company_uniq", "unique(code, company_id)", "An API call code must be unique per company."),
    ]

    @api.depends("code")
    def _compute_url(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "").rstrip("/")
        for call in self:
            call.url = f"{base}/simotel/lookup/{call.code}" if call.code else False

    @api.constrains("code")
    def _check_code(self):
        for call in self:
            if not api_component.valid_code(call.code):
                raise ValidationError(
                    _(
                        "The code %s may only contain letters, digits, dot, dash and underscore (64 at most).",
                        call.code,
                    )
                )

    @api.constrains("reply_format")
    def _check_reply_format(self):
        self.item_ids._check_values()

    @api.constrains("contract_source", "contract_domain", "empty_value", "error_value", "trunk_name", "call_limit")
    def _check_answers(self):
        for call in self:
            if call.call_limit < 0 or not api_component.valid_call_limit(str(call.call_limit)):
                raise ValidationError(_("The call limit is a number of seconds (0: no limit)."))
            if api_component.unsafe_value(call.trunk_name):
                raise ValidationError(_("Answers cannot contain quotes, semicolons, brackets or backslashes."))
            if call.contract_source == "domain":
                self.env["simotel.api.call.item"]._simotel_check_domain(call.contract_domain)
            for value in (call.empty_value, call.error_value):
                if api_component.unsafe_value(value):
                    raise ValidationError(_("Answers cannot contain quotes, semicolons, brackets or backslashes."))

    def action_view_logs(self):
        """Recent lookups of this API call."""
        self.ensure_one()
        return smart_button_action(
            self.env, "simotel_connector.action_simotel_lookup_log", [("api_call_id", "=", self.id)]
        )

    # Call-time path: everything below runs for every request of the PBX.

    @api.model
    @tools.ormcache("code")
    def _simotel_configs(self, code):
        """Frozen configuration of the API calls with ``code`` (one per company), active or not.

        It holds its company's :class:`~.res_company.SimotelCompanySettings`:
        both live in the registry cache, cleared together when either changes.
        """
        calls = self.sudo().with_context(active_test=False).search([("code", "=", code)], order="id")
        return tuple(call._simotel_config() for call in calls)

    def _simotel_config(self):
        self.ensure_one()
        items = tuple(item._simotel_config() for item in self.item_ids.sorted(lambda i: (i.sequence, i.id)))
        error_values = {item["key"]: self.error_value for item in items if item["key"]} if self.error_value else {}
        return {
            "id": self.id,
            "code": self.code,
            "active": self.active,
            "company": self.company_id._simotel_settings(),
            "format": self.reply_format,
            "number_param": self.number_param,
            "code_param": self.code_param,
            "contract_domain": self.contract_domain if self.contract_source == "domain" else None,
            "empty_value": self.empty_value or "",
            "error_values": error_values,
            "defaults": {"trunk": self.trunk_name or "", "call_limit": str(self.call_limit or "")},
            "items": items,
        }

    @api.model
    def _simotel_config_for(self, code, remote_addr, credentials):
        """The configuration serving ``code`` for an authenticated request.

        The request's company is decided first, whatever the code (see
        ``res.company._simotel_inbound_company``): an unknown code and a known
        one answer alike until the request is authenticated.

        :raises InboundError: 404 malformed code, 401/403/429 refused by the
            inbound protection, then 404 unknown or disabled code of the company
        """
        if not api_component.valid_code(code):
            raise inbound.InboundError(404, "unknown or disabled API call code")
        company = self.env["res.company"]._simotel_inbound_company(remote_addr, credentials)
        for config in self._simotel_configs(code):
            if config["active"] and config["company"].id == company.id:
                return config
        raise inbound.InboundError(404, "unknown or disabled API call code")

    @api.model
    def _simotel_lookup(self, config, payload):
        """Answer a lookup request.

        :param config: from :meth:`_simotel_config_for`
        :param payload: the request's fields (:func:`~..tools.inbound.read_payload`)
        :return: ``(body, caller)``; ``caller`` is a
            :class:`~.res_partner.SimotelCaller` or ``None``: an unknown caller is answered too
        :raises InboundError: 400 on a field that is not text
        """
        caller = (
            self.env["res.partner"]
            .sudo()
            ._simotel_find_caller(
                config["company"],
                number=_payload_text(payload, config["number_param"]),
                code=_payload_text(payload, config["code_param"]),
            )
        )
        Item = self.env["simotel.api.call.item"]
        values = [(item["key"], Item._simotel_value(item, config, caller), item["kind"]) for item in config["items"]]
        body = api_component.answer(config["format"], values, config["empty_value"], config["defaults"])
        return body, caller

    @api.model
    def _simotel_log(self, config, payload, caller, status, body, duration_ms):
        """Log one lookup (written behind the answer, see ``simotel.lookup.log``)."""
        self.env["simotel.lookup.log"]._simotel_add(
            config["id"],
            _short(payload.get(config["number_param"])),
            _short(payload.get(config["code_param"])),
            _short(payload.get("unique_id")),
            caller.id if caller else None,
            status,
            api_component.summary(body),
            duration_ms,
        )


def _payload_text(payload, key):
    """The text value of field ``key``; numbers are accepted as text.

    :raises InboundError: 400 when the value is a list, an object or a
        boolean, or longer than :data:`MAX_FIELD_LENGTH` (checked before anything reads it)
    """
    if not key:
        return ""
    value = payload.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise inbound.InboundError(400, "field %r must be text" % key[:60])
    text = str(value)
    if len(text) > MAX_FIELD_LENGTH:
        raise inbound.InboundError(400, "field %r is too long" % key[:60])
    return text.strip()


def _short(value):
    return str(value)[:64] if value not in (None, "") else None
