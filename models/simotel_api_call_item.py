import logging
import threading
import time

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression

from ..tools import api_component
from .simotel_api_call import domain_refusal, parse_domain

_logger = logging.getLogger(__name__)

ITEM_KINDS = [
    ("contract", "Contract status"),
    ("agent", "Account manager's extension"),
    ("known", "Known customer"),
    ("customer_code", "Customer code"),
    ("name", "Customer name"),
    ("domain", "Customer matches a condition"),
]
# Default (property, value if yes, value if no) of each kind; as usual on PBX panels, contract 0 = has one.
KIND_DEFAULTS = {
    "contract": ("contract", "0", "1"),
    "agent": ("agent", "", ""),
    "known": ("known", "1", "0"),
    "customer_code": ("customer_code", "", ""),
    "name": ("name", "", ""),
    "domain": ("", "1", "0"),
}


def _kind_default(string, help):
    """A text field the item's kind fills in (:data:`KIND_DEFAULTS`) and the user may change."""
    return fields.Char(string, compute="_compute_kind_defaults", store=True, readonly=False, precompute=True, help=help)


class SimotelApiCallItem(models.Model):
    """One property of an API call's answer, computed from Odoo at call time."""

    _name = "simotel.api.call.item"
    _inherit = ["simotel.lookup.cache.mixin"]
    _description = "Simotel API Call Item"
    _order = "sequence, id"

    api_call_id = fields.Many2one("simotel.api.call", "API Call", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="api_call_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    kind = fields.Selection(ITEM_KINDS, required=True, default="contract")
    key = _kind_default(
        "Property",
        help="Property name in the generic format's answer, as entered in the PBX's API call item. "
        "Trunk format: trunk, extension (the number the trunk calls) or call_limit (seconds).",
    )
    domain = fields.Char(
        "Condition",
        default="[]",
        help="Customers matching this condition (the contact or its company) get the value if yes, "
        "e.g. a VIP tag, overdue invoices, open tickets.",
    )
    value_true = _kind_default(
        "Value If Yes",
        help="Contract: the customer has an active contract. Known: the caller is a customer. "
        "Condition: the customer matches it.",
    )
    value_false = _kind_default(
        "Value If No",
        help="Answered otherwise, unknown callers included. For the account manager, customer code and "
        "name items: the fallback when the customer has none (e.g. a queue's extension).",
    )
    value_expired = fields.Char(
        "Value If Expired",
        help="Contract items only: value for a customer whose contract has ended. Empty: the value if no.",
    )

    @api.depends("kind")
    def _compute_kind_defaults(self):
        for item in self:
            item.key, item.value_true, item.value_false = KIND_DEFAULTS.get(item.kind, ("", "", ""))

    @api.depends("kind", "key")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for item in self:
            item.display_name = item.key or kinds.get(item.kind, "")

    @api.constrains("domain", "kind")
    def _check_domain(self):
        for item in self.filtered(lambda i: i.kind == "domain"):
            self._simotel_check_domain(item.domain)

    @api.constrains("kind", "key", "value_true", "value_false", "value_expired", "api_call_id")
    def _check_values(self):
        for item in self:
            if any(api_component.unsafe_value(v) for v in (item.value_true, item.value_false, item.value_expired)):
                raise ValidationError(_("Item values cannot contain quotes, semicolons, brackets or backslashes."))
            call = item.api_call_id
            if call.reply_format == "generic":
                if not item.key:
                    raise ValidationError(_("Items of a generic API call need a property."))
                if sum(1 for other in call.item_ids if other.key == item.key) > 1:
                    raise ValidationError(
                        _(
                            "Property %(key)s is used twice in %(call)s.",
                            key=item.key,
                            call=call.name,
                        )
                    )
            elif call.reply_format == "trunk":
                if item.key not in api_component.TRUNK_KEYS:
                    raise ValidationError(
                        _("Items of a Trunk API call give the trunk, the extension or the call_limit property.")
                    )
                if item.key in ("trunk", "extension") and item.kind in api_component.CUSTOMER_TEXT_KINDS:
                    raise ValidationError(
                        _(
                            "The customer's name or code cannot give the trunk or the number the trunk calls: "
                            "customers can change them."
                        )
                    )
                if item.key == "call_limit" and any(
                    value and not api_component.valid_call_limit(value)
                    for value in (item.value_true, item.value_false, item.value_expired)
                ):
                    raise ValidationError(_("A call limit is a number of seconds."))

    @api.model
    def _simotel_check_domain(self, text):
        """Refuse a condition the saving user cannot search, or one the call-time check would refuse."""
        try:
            domain = parse_domain(self, text)
            self.env["res.partner"]._search(domain)
        except Exception as e:
            raise ValidationError(_("Invalid condition %(domain)s: %(error)s", domain=text, error=e)) from None
        reason = domain_refusal(self.env.registry, "res.partner", domain)
        if reason:
            raise ValidationError(
                _(
                    "Invalid condition %(domain)s: %(error)s. Conditions may only use fields every user "
                    "may search (no restricted or settings fields).",
                    domain=text,
                    error=reason,
                )
            )

    def _simotel_config(self):
        self.ensure_one()
        return {
            "key": self.key or "",
            "kind": self.kind,
            "domain": self.domain if self.kind == "domain" else None,
            "true": self.value_true or "",
            "false": self.value_false or "",
            "expired": self.value_expired or "",
        }

    @api.model
    def _simotel_value(self, item, config, caller):
        """The text value of ``item`` (a frozen item configuration) for ``caller``.

        :param caller: a :class:`~.res_partner.SimotelCaller`, or ``None`` for an unknown caller
        """
        kind = item["kind"]
        if not caller:
            return item["false"]
        if kind == "known":
            return item["true"]
        if kind == "contract":
            if config["contract_domain"] is not None:
                matches = self._simotel_matches(caller, config["contract_domain"], config)
                return item["true"] if matches else item["false"]
            if caller.contract_state == "active":
                return item["true"]
            return (caller.contract_state == "expired" and item["expired"]) or item["false"]
        if kind == "domain":
            return item["true"] if self._simotel_matches(caller, item["domain"], config) else item["false"]
        if kind == "agent":
            return caller.agent_extension or item["false"]
        if kind == "customer_code":
            return caller.ref or caller.commercial_ref or item["false"]
        return caller.name or item["false"]

    @api.model
    def _simotel_matches(self, caller, text, config):
        """Whether the caller's partner or its commercial entity matches the domain written in ``text``.

        The condition is searched as superuser: it is evaluated first and
        checked (:func:`~.simotel_api_call.domain_refusal`); a refused one
        matches nobody, with one warning per API call and minute.
        """
        Partner = self.env["res.partner"].sudo().with_context(active_test=False, tz=config["company"].tz)
        condition = parse_domain(Partner, text)
        reason = domain_refusal(self.env.registry, "res.partner", condition)
        if reason:
            if REFUSED_WARNINGS.due(config["id"]):
                _logger.warning(
                    "Simotel API call %s: routing condition refused (%s); it matches no caller", config["id"], reason
                )
            return False
        domain = expression.AND([[("id", "in", list({caller.id, caller.commercial_id}))], condition])
        return bool(Partner.search_count(domain, limit=1))


class _RateLimit:
    """``due(key)`` is true at most once per ``interval`` seconds per key (in this process)."""

    def __init__(self, interval=60.0, clock=time.monotonic):
        self.interval = interval
        self.clock = clock
        self._lock = threading.Lock()
        self._last = {}

    def due(self, key):
        now = self.clock()
        with self._lock:
            last = self._last.get(key)
            if last is not None and now - last < self.interval:
                return False
            if len(self._last) > 10000:
                self._last.clear()
            self._last[key] = now
            return True


REFUSED_WARNINGS = _RateLimit()
