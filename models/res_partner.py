from datetime import datetime
from typing import NamedTuple

import pytz

from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import SQL

from ..tools import phone
from ..tools.actions import smart_button_action
from ..tools.settings_cache import clear_settings_cache
from .res_company import SETTINGS_PARTNER_FIELDS

CONTRACT_STATES = [("active", "Active"), ("expired", "Expired"), ("none", "None")]


def best_match(matches):
    """The partner a number or a code belongs to, among ``(partner id, commercial partner id)`` pairs.

    One partner: that partner (a contact stays the contact). Several: their
    commercial entity, the oldest one when they belong to several.
    """
    if len(matches) == 1:
        return matches[0][0]
    return min(commercial_id or partner_id for partner_id, commercial_id in matches)


def contract_state(ref, start, end, today):
    """State of a contract with reference ``ref`` valid from ``start`` to ``end`` (both may be empty)."""
    if end and end < today:
        return "expired"
    if (ref or start or end) and not (start and start > today):
        return "active"
    return "none"


# What a call-time lookup reads of the caller's partner and of its commercial entity.
CALLER_FIELDS = [
    "id",
    "commercial_partner_id",
    "name",
    "ref",
    "user_id",
    "simotel_contract_ref",
    "simotel_contract_start",
    "simotel_contract_end",
]
_CALLER_COLUMNS = SQL(", ").join(SQL.identifier(name) for name in CALLER_FIELDS)


def _agent_extension(extensions, user_id, company):
    """The extension of salesperson ``user_id`` if it is on ``company``'s PBX (their main company), else ``""``."""
    company_id, extension = extensions.get(user_id, (None, ""))
    return extension if company_id == company.id else ""


class SimotelCaller(NamedTuple):
    """The partner a call-time lookup found, with all that the API call items read."""

    id: int
    commercial_id: int
    name: str
    ref: str
    commercial_ref: str
    contract_state: str
    agent_extension: str  # of the salesperson, "" when archived or without one


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "simotel.phone.mixin"]

    simotel_contract_ref = fields.Char(
        "Contract Reference",
        copy=False,
        help="Reference of the customer's service contract. A reference without dates is an open-ended contract.",
    )
    simotel_contract_start = fields.Date("Contract Start", copy=False)
    simotel_contract_end = fields.Date("Contract End", copy=False, help="Last day the contract is valid.")
    simotel_contract_state = fields.Selection(
        CONTRACT_STATES,
        "Contract",
        compute="_compute_simotel_contract_state",
        search="_search_simotel_contract_state",
        help="Contract of the commercial entity (the company of a contact) as of today: "
        "active, expired, or none (no contract, or one that has not started yet).",
    )

    @api.depends_context("tz")
    @api.depends(
        "commercial_partner_id.simotel_contract_ref",
        "commercial_partner_id.simotel_contract_start",
        "commercial_partner_id.simotel_contract_end",
    )
    def _compute_simotel_contract_state(self):
        today = fields.Date.context_today(self)
        for partner in self:
            commercial = partner.commercial_partner_id or partner
            partner.simotel_contract_state = contract_state(
                commercial.simotel_contract_ref,
                commercial.simotel_contract_start,
                commercial.simotel_contract_end,
                today,
            )

    @api.model
    def _simotel_contract_domains(self):
        """``{state: domain}`` on commercial partners' contract fields, as of today."""
        today = fields.Date.context_today(self)
        prefix = "commercial_partner_id."
        has_contract = [
            "|",
            "|",
            (prefix + "simotel_contract_ref", "!=", False),
            (prefix + "simotel_contract_start", "!=", False),
            (prefix + "simotel_contract_end", "!=", False),
        ]
        expired = [(prefix + "simotel_contract_end", "<", today)]
        active = expression.AND(
            [
                has_contract,
                [
                    "|",
                    (prefix + "simotel_contract_start", "=", False),
                    (prefix + "simotel_contract_start", "<=", today),
                ],
                ["|", (prefix + "simotel_contract_end", "=", False), (prefix + "simotel_contract_end", ">=", today)],
            ]
        )
        return {
            "active": active,
            "expired": expired,
            "none": expression.AND([["!"] + active, ["!"] + expired]),
        }

    def _search_simotel_contract_state(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            return NotImplemented
        states = {value} if operator in ("=", "!=") else set(value)
        domains = self._simotel_contract_domains()
        domain = expression.OR([domains[state] for state in states if state in domains])
        if operator in ("!=", "not in"):
            return ["!"] + domain if domain else []
        return domain or expression.FALSE_DOMAIN

    @api.model
    def _simotel_find_caller(self, company, number="", code=""):
        """Who is calling: the partner of customer code ``code``, else of phone ``number``,
        else whose customer code is ``number``; ``None`` when nobody matches.

        Codes are the partners' internal reference. Among several partners
        with the code or the number, the rules of :meth:`_simotel_find_partner`
        apply. It runs in the PBX's call path: one indexed query finds the
        candidates with the fields the items read (PostgreSQL plans every query
        anew, so a join would cost more than it saves); a second reads the
        company of a contact unless the first found it; salespeople's
        extensions come from memory.

        :param company: :class:`~.res_company.SimotelCompanySettings` of the company whose
            customers are searched
        :rtype: SimotelCaller
        """
        code, number_code = phone.ascii_digits(code).strip(), phone.ascii_digits(number).strip()
        e164 = phone.to_e164(number, company.region)
        codes = tuple({c for c in (code, number_code) if c})
        if not (codes or e164):
            return None
        self.flush_model(CALLER_FIELDS + ["simotel_phone_e164", "simotel_mobile_e164", "active", "company_id"])
        # Plain conditions and no ORDER BY: planning is most of this query's cost.
        self.env.cr.execute(
            SQL(
                """
            SELECT %(columns)s, simotel_phone_e164, simotel_mobile_e164
              FROM res_partner
             WHERE (%(by_code)s OR simotel_phone_e164 = %(e164)s OR simotel_mobile_e164 = %(e164)s)
               AND active AND (company_id IS NULL OR company_id = %(company)s)
             LIMIT 1000
            """,
                columns=_CALLER_COLUMNS,
                e164=e164 or None,
                company=company.id,
                by_code=SQL("ref IN %s", codes)
                if len(codes) > 1
                else SQL("ref = %s", codes[0])
                if codes
                else SQL("FALSE"),
            )
        )
        rows = [dict(zip(CALLER_FIELDS + ["phone", "mobile"], row, strict=True)) for row in self.env.cr.fetchall()]
        # The code typed by the caller first, then the number, then the number as a code.
        for matches in (
            lambda row: bool(code) and row["ref"] == code,
            lambda row: bool(e164) and e164 in (row["phone"], row["mobile"]),
            lambda row: bool(number_code) and row["ref"] == number_code,
        ):
            found = [row for row in rows if matches(row)]
            if found:
                break
        else:
            return None
        by_id = {row["id"]: row for row in rows}

        def row_of(partner_id):
            if partner_id not in by_id:
                self.env.cr.execute(SQL("SELECT %s FROM res_partner WHERE id = %s", _CALLER_COLUMNS, partner_id))
                by_id[partner_id] = dict(zip(CALLER_FIELDS, self.env.cr.fetchone(), strict=True))
            return by_id[partner_id]

        partner = row_of(best_match([(row["id"], row["commercial_partner_id"]) for row in found]))
        commercial = row_of(partner["commercial_partner_id"] or partner["id"])
        extensions = self.env["res.users"]._simotel_active_extensions()
        today = datetime.now(pytz.timezone(company.tz)).date()
        return SimotelCaller(
            id=partner["id"],
            commercial_id=commercial["id"],
            name=partner["name"] or "",
            ref=partner["ref"] or "",
            commercial_ref=commercial["ref"] or "",
            contract_state=contract_state(
                commercial["simotel_contract_ref"],
                commercial["simotel_contract_start"],
                commercial["simotel_contract_end"],
                today,
            ),
            agent_extension=_agent_extension(extensions, partner["user_id"] or commercial["user_id"], company),
        )

    simotel_call_count = fields.Integer(
        "Calls", compute="_compute_simotel_call_count", groups="simotel_connector.group_simotel_user"
    )

    def _compute_simotel_call_count(self):
        for partner in self:
            partner.simotel_call_count = (
                self.env["simotel.call"].search_count([("partner_id", "child_of", partner.id)]) if partner.id else 0
            )

    simotel_survey_score = fields.Float(
        "Satisfaction",
        compute="_compute_simotel_survey_score",
        digits=(16, 1),
        groups="simotel_connector.group_simotel_user",
        help="Average survey score of this contact's calls (and of its contacts' calls) that you may see.",
    )
    simotel_survey_count = fields.Integer(
        "Surveys", compute="_compute_simotel_survey_score", groups="simotel_connector.group_simotel_user"
    )

    def _compute_simotel_survey_score(self):
        Survey = self.env["simotel.call.survey"]
        for partner in self:
            groups = partner.id and Survey._read_group(
                [("partner_id", "child_of", partner.id)], aggregates=["score:avg", "__count"]
            )
            partner.simotel_survey_score, partner.simotel_survey_count = groups[0] if groups else (0.0, 0)
            partner.simotel_survey_score = partner.simotel_survey_score or 0.0

    def action_simotel_surveys(self):
        """Smart button: the survey scores of this contact's calls (and of its contacts')."""
        self.ensure_one()
        return smart_button_action(
            self.env, "simotel_connector.action_simotel_call_survey", [("partner_id", "child_of", self.id)]
        )

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        self.env["simotel.call"]._simotel_rematch(partners.filtered(lambda p: p.phone or p.mobile))
        return partners

    def write(self, vals):
        result = super().write(vals)
        if SETTINGS_PARTNER_FIELDS.intersection(vals):
            # After the write: a refused write (access error) leaves every worker's cache alone.
            company_partners = {s.partner_id for s in self.env["res.company"]._simotel_settings_by_company().values()}
            if not company_partners.isdisjoint(self.ids):
                clear_settings_cache(self.env)
        if "phone" in vals or "mobile" in vals:
            self.env["simotel.call"]._simotel_rematch(self)
        return result

    def _search_phone_mobile_search(self, operator, value):
        # The "Phone/Mobile" search of contacts (when SMS is installed) finds numbers typed in any form.
        return self._simotel_widen_phone_search(super()._search_phone_mobile_search(operator, value), operator, value)

    def action_simotel_calls(self):
        """Smart button: the calls of this contact and of its contacts."""
        self.ensure_one()
        return smart_button_action(
            self.env,
            "simotel_connector.action_simotel_call",
            [("partner_id", "child_of", self.id)],
            context={"default_partner_id": self.id},
        )

    def _simotel_call_links(self):
        return {"partner": self}

    @api.model
    def _simotel_find_partner(self, number, company=None):
        """Return the partner calling from ``number`` (any written form), or an empty recordset.

        Exact match on the indexed E.164 columns of active partners visible to
        ``company``. Duplicate policy, in this order:

        * one partner has the number: that partner (a contact stays the contact);
        * several partners of one commercial entity (a company and its
          contacts): the commercial entity, i.e. the company;
        * unrelated partners: the oldest commercial entity (lowest id) among them.

        It runs on every incoming call, so it is one plain query (see
        benchmarks/lookup.py): the ORM's domain parsing and SQL building cost
        more than the indexed lookup itself.
        """
        company = company or self.env.company
        e164 = phone.to_e164(number, company._simotel_phone_region())
        if not e164:
            return self.browse()
        return self._simotel_find_partners([e164], company).get(e164, self.browse())

    @api.model
    def _simotel_find_partners(self, e164_numbers, company):
        """``{e164: partner}`` for the numbers (E.164) that have a partner, in one query.

        Same rules as :meth:`_simotel_find_partner`; used to match a batch of calls.
        """
        partners = self.sudo()
        numbers = sorted(set(filter(None, e164_numbers)))
        if not numbers:
            return {}
        partners.flush_model(
            ["simotel_phone_e164", "simotel_mobile_e164", "active", "company_id", "commercial_partner_id"]
        )
        self.env.cr.execute(
            SQL(
                """
            SELECT id, commercial_partner_id, simotel_phone_e164, simotel_mobile_e164
              FROM res_partner
             WHERE (simotel_phone_e164 = ANY(%(numbers)s) OR simotel_mobile_e164 = ANY(%(numbers)s))
               AND active
               AND (company_id IS NULL OR company_id = %(company)s)
          ORDER BY id
            """,
                numbers=numbers,
                company=company.id,
            )
        )
        rows_by_number = {}
        for row in self.env.cr.fetchall():
            for number in {row[2], row[3]} & set(numbers):
                rows_by_number.setdefault(number, []).append(row)
        return {
            number: self.browse(best_match([(row[0], row[1]) for row in rows]))
            for number, rows in rows_by_number.items()
        }
