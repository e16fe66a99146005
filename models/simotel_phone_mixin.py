from psycopg2.extras import execute_values

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression

from ..tools import phone

POSITIVE_OPERATORS = ("ilike", "like", "=", "=ilike", "=like")
NEGATIVE_OPERATORS = ("not ilike", "not like", "!=")


def number_search_domain(env, operator, value, e164_fields, text_fields):
    """Domain finding a phone number typed in any form (``+98 935 111 2233``, ``09351112233``, ``۰۹۳۵…``).

    A complete number is compared with the indexed E.164 columns
    ``e164_fields``; partial input is looked for inside them by its
    significant digits; the plain text search on ``text_fields`` is kept.
    """
    if not isinstance(value, str) or operator not in POSITIVE_OPERATORS + NEGATIVE_OPERATORS:
        raise UserError(_("A phone number is searched as text (contains, or does not contain)."))
    e164, digits = phone.search_terms(value, env.company._simotel_phone_region())
    domains = [[(name, "ilike", value)] for name in text_fields]
    if e164:
        domains += [[(name, "=", e164)] for name in e164_fields]
    if digits:
        domains += [[(name, "like", digits)] for name in e164_fields]
    domain = expression.OR(domains)
    return ["!"] + domain if operator in NEGATIVE_OPERATORS else domain


def _e164_field(string):
    """The indexed E.164 copy of a number field, for exact-match lookups (see ``_compute_simotel_e164``)."""
    return fields.Char(string, compute="_compute_simotel_e164", store=True, index="btree_not_null", copy=False)


class SimotelPhoneMixin(models.AbstractModel):
    """E.164 copies of ``phone`` and ``mobile`` in indexed columns, for exact-match lookups."""

    _name = "simotel.phone.mixin"
    _description = "Simotel Phone Matching"

    simotel_phone_e164 = _e164_field("Phone (E.164)")
    simotel_mobile_e164 = _e164_field("Mobile (E.164)")

    simotel_number_search = fields.Char(
        "Phone/Mobile (any form)",
        store=False,
        search="_search_simotel_number",
        help="Search by phone or mobile number in any written form (+98 935 111 2233, 09351112233, ۰۹۳۵…).",
    )

    def _search_simotel_number(self, operator, value):
        return number_search_domain(
            self.env, operator, value, e164_fields=self._simotel_e164_fields(), text_fields=["phone", "mobile"]
        )

    def _simotel_widen_phone_search(self, domain, operator, value):
        """``domain`` of Odoo's "Phone/Mobile" search, widened to numbers typed in any form."""
        if operator in POSITIVE_OPERATORS and isinstance(value, str) and value.strip():
            domain = expression.OR([domain, self._search_simotel_number(operator, value.strip())])
        return domain

    @api.model
    def _simotel_e164_fields(self):
        return ["simotel_phone_e164", "simotel_mobile_e164"]

    def _simotel_region(self):
        """ISO country code used to read this record's national numbers."""
        self.ensure_one()
        if self.country_id.code:
            return self.country_id.code
        return (self.company_id or self.env.company)._simotel_phone_region()

    @api.depends("phone", "mobile", "country_id", "company_id")
    def _compute_simotel_e164(self):
        for record in self:
            region = record._simotel_region()
            record.simotel_phone_e164 = phone.to_e164(record.phone, region)
            record.simotel_mobile_e164 = phone.to_e164(record.mobile, region)

    def action_simotel_call(self, field_name=None):
        """Click-to-call: ring the current user's extension, then this record's number.

        :param field_name: ``phone`` or ``mobile``; default: phone, else mobile
        :return: a notification action (success or the SA error)
        """
        self.ensure_one()
        self.check_access("read")
        if field_name not in (None, "phone", "mobile"):
            raise UserError(_("Only the phone and mobile numbers can be called."))
        number = self[field_name] if field_name else (self.phone or self.mobile)
        if not (number or "").strip():
            raise UserError(_("%s has no phone number.", self.display_name))
        return self.env.user._simotel_originate(number, self._simotel_region(), **self._simotel_call_links())

    def _simotel_call_links(self):
        """``partner`` and ``lead`` of a call placed from this record."""
        return {}

    @api.model
    def _simotel_init_e164(self, batch_size=20000):
        """Fill the E.164 columns of all existing rows in set-based batches.

        Runs at install (the columns are created beforehand so that the ORM
        does not recompute row by row); each distinct (number, region) pair is
        parsed once. Returns the number of rows updated.
        """
        cr = self.env.cr
        table = self._table
        companies = self.env["res.company"].sudo().search([])
        company_region = {company.id: company._simotel_phone_region() for company in companies}
        default_region = self.env.company.sudo()._simotel_phone_region()
        cache = {}

        def convert(number, region):
            key = (number, region)
            if key not in cache:
                if len(cache) > 200000:
                    cache.clear()
                cache[key] = phone.to_e164(number, region) or None
            return cache[key]

        last_id, updated = 0, 0
        while True:
            cr.execute(
                f"""
                SELECT t.id, t.phone, t.mobile, c.code, t.company_id
                  FROM {table} t
             LEFT JOIN res_country c ON c.id = t.country_id
                 WHERE t.id > %s AND (t.phone IS NOT NULL OR t.mobile IS NOT NULL)
              ORDER BY t.id
                 LIMIT %s
            """,
                (last_id, batch_size),
            )
            rows = cr.fetchall()
            if not rows:
                break
            values = []
            for record_id, number, mobile, country_code, company_id in rows:
                region = country_code or company_region.get(company_id) or default_region
                values.append(
                    (
                        record_id,
                        convert(number, region) if number else None,
                        convert(mobile, region) if mobile else None,
                    )
                )
            execute_values(
                cr,
                f"""
                UPDATE {table} t
                   SET simotel_phone_e164 = v.phone, simotel_mobile_e164 = v.mobile
                  FROM (VALUES %s) AS v(id, phone, mobile)
                 WHERE t.id = v.id
            """,
                values,
                page_size=5000,
            )
            updated += len(rows)
            last_id = rows[-1][0]
        self.invalidate_model(["simotel_phone_e164", "simotel_mobile_e164"])
        return updated
