import logging
import re
import threading
import time
from collections import defaultdict
from datetime import datetime, timedelta
from typing import NamedTuple

import jdatetime
import phonenumbers
import psycopg2.errors
import pytz
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_datetime, mute_logger
from odoo.tools.misc import get_lang

from ..tools import phone, sea
from ..tools.actions import form_dialog_action
from ..tools.sa_client import SimotelError
from ..tools.sql import create_index
from .simotel_phone_mixin import number_search_domain

_logger = logging.getLogger(__name__)

TYPE_DIRECTION = {"incoming": "inbound", "outgoing": "outbound", "local": "internal", "feature": "internal"}
DISPOSITIONS = {
    "ANSWERED": "answered",
    "ANSWER": "answered",
    "NOANSWER": "no_answer",
    "NOANSWERED": "no_answer",
    "CANCEL": "no_answer",
    "BUSY": "busy",
    "FAILED": "failed",
    "CONGESTION": "failed",
    "CHANUNAVAIL": "failed",
}
BACKFILL_MAX_PAGES = 1000
# Fields one report of a call fills in a call made from the other one, when empty.
MERGED_FROM_CDR = (
    "start",
    "end",
    "duration_seconds",
    "talk_seconds",
    "extension",
    "record",
    "entry_point",
    "outgoing_point",
    "originated_call_id",
)


class BackfillResult(NamedTuple):
    """What a sync read: rows seen, calls created, rows skipped, every page read, how far it read."""

    seen: int
    created: int
    skipped: int
    complete: bool
    synced_until: datetime | None


def _isolate(text, rtl=True):
    """``text`` as a bidi isolate in right-to-left text: laid out in its own direction (numbers, dates, Latin names)."""
    return "\u2068%s\u2069" % text if text and rtl else text


class SimotelCall(models.Model):
    """One call of the Simotel PBX, filled from its CDR (SEA ``Cdr``/``CdrQueue`` or SA reports).

    ``unique_id`` (Simotel's call id) is unique per company: it is the
    idempotency key that keeps retried and concurrent deliveries of one CDR
    from making two calls. A click-to-call creates the call before its CDR
    (state ``originated``); the CDR then completes that record.
    """

    _name = "simotel.call"
    _inherit = ["simotel.pbx.audio.mixin"]
    _description = "Simotel Call"
    _order = "start desc, id desc"
    _simotel_backfill_page_size = 100  # rows per reports/cdr/search request
    _simotel_backfill_max_pages = BACKFILL_MAX_PAGES  # pages per sync, at most (the rest: next sync)

    company_id = fields.Many2one(
        "res.company", "Company", required=True, readonly=True, index=True, default=lambda self: self.env.company
    )
    unique_id = fields.Char("Simotel Call ID", readonly=True, copy=False)
    originated_call_id = fields.Char("Originated Call ID", readonly=True, copy=False, index="btree_not_null")
    state = fields.Selection(
        [("originated", "Calling, no call report yet"), ("not_connected", "Not connected"), ("done", "Completed")],
        "Status",
        default="done",
        required=True,
        readonly=True,
        index=True,
    )
    source = fields.Selection(
        [("sea", "SEA event"), ("backfill", "Sync (SA reports)"), ("originate", "Click-to-call")],
        readonly=True,
    )
    direction = fields.Selection(
        [("inbound", "Inbound"), ("outbound", "Outbound"), ("internal", "Internal")],
        required=True,
        readonly=True,
        index=True,
    )
    caller_number = fields.Char("Caller", readonly=True)
    callee_number = fields.Char("Callee", readonly=True)
    external_number = fields.Char(
        "Customer Number",
        readonly=True,
        help="The other party's number: the caller of an inbound call, the callee of an outbound one.",
    )
    external_e164 = fields.Char("Customer Number (E.164)", readonly=True, index="btree_not_null")
    extension = fields.Char(readonly=True, help="The internal party's extension.")
    start = fields.Datetime(readonly=True, index=True)
    # Jalali (Solar Hijri) month and day of the start in the PBX's time zone, for reports that
    # Persian users read by the Iranian calendar (group by them in the pivot and the graph).
    start_jalali_month = fields.Char(
        "Month (Jalali)", compute="_compute_start_jalali", store=True, help="Year/month of the start, e.g. 1403/09."
    )
    start_jalali_day = fields.Char(
        "Day (Jalali)",
        compute="_compute_start_jalali",
        store=True,
        help="Year/month/day of the start, e.g. 1403/09/10.",
    )
    end = fields.Datetime(readonly=True)
    duration_seconds = fields.Integer("Duration", readonly=True, aggregator="sum", help="In seconds.")
    talk_seconds = fields.Integer("Talk Time", readonly=True, aggregator="sum", help="In seconds.")
    wait_seconds = fields.Integer("Wait Time", readonly=True, aggregator="avg", help="In seconds.")
    disposition = fields.Selection(
        [("answered", "Answered"), ("no_answer", "No answer"), ("busy", "Busy"), ("failed", "Failed")],
        "Outcome",
        readonly=True,
        index=True,
    )
    missed = fields.Boolean(compute="_compute_missed", store=True, help="An inbound call nobody answered.")
    queue = fields.Char(readonly=True)
    entry_point = fields.Char(readonly=True)
    outgoing_point = fields.Char(readonly=True)
    record = fields.Char("Recording", readonly=True, help="Name of the recording file on the PBX.")
    cdr_received = fields.Boolean(
        "Call Report Received", readonly=True, help="Simotel's call report (Cdr event or report row) was read."
    )
    cdr_queue_received = fields.Boolean(
        "Queue Report Received", readonly=True, help="Simotel's queue report (CdrQueue event) was read."
    )
    partner_id = fields.Many2one("res.partner", "Contact", readonly=True, index="btree_not_null", ondelete="set null")
    user_id = fields.Many2one("res.users", "User", readonly=True, ondelete="set null")  # indexed in init()
    lead_id = fields.Many2one(
        "crm.lead", "Lead/Opportunity", readonly=True, index="btree_not_null", ondelete="set null"
    )
    salesperson_id = fields.Many2one(
        "res.users",
        "Salesperson",
        compute="_compute_salesperson_id",
        store=True,
        index="btree_not_null",
        ondelete="set null",
        help="Salesperson of the contact (or of its company) when the call was matched; of the lead "
        "when no contact matched. They may read the call. A later change of the contact's "
        "salesperson applies to the calls matched from then on.",
    )

    # Survey, voicemail and transfers (models/simotel_call_survey.py, simotel_call_transfer.py)
    simotel_transfer_ids = fields.One2many("simotel.call.transfer", "call_id", "Transfers", readonly=True)
    simotel_survey_ids = fields.One2many("simotel.call.survey", "call_id", "Surveys", readonly=True)
    survey_score = fields.Float(
        "Satisfaction",
        compute="_compute_survey_score",
        store=True,
        aggregator="avg",
        digits=(16, 1),
        help="The customer's score of the call (the average when the call passed several surveys).",
    )

    simotel_number_search = fields.Char(
        "Number",
        store=False,
        search="_search_simotel_number",
        help="Search by the customer's number in any written form (+98 935 111 2233, 09351112233, ۰۹۳۵…).",
    )

    _sql_constraints = [
        ("unique_id_company_uniq", "UNIQUE(company_id, unique_id)", "A Simotel call ID is unique per company."),
    ]

    # Only the call's own links: a snapshot taken when the call is matched, never recomputed
    # when a contact's or a lead's salesperson changes (anybody who may edit contacts could
    # otherwise open every past call of a customer).
    @api.depends("simotel_survey_ids.score")
    def _compute_survey_score(self):
        for call in self:
            scores = call.simotel_survey_ids.mapped("score")
            call.survey_score = sum(scores) / len(scores) if scores else 0.0

    @api.depends("partner_id", "lead_id")
    def _compute_salesperson_id(self):
        for call in self:
            partner = call.partner_id
            call.salesperson_id = (
                partner.user_id or partner.commercial_partner_id.user_id or (not partner and call.lead_id.user_id)
            )

    @api.depends("start")  # the PBX time zone of the moment the call is stored
    def _compute_start_jalali(self):
        for call in self:
            if not call.start:
                call.start_jalali_month = call.start_jalali_day = False
                continue
            zone = pytz.timezone(call.company_id.simotel_tz or "Asia/Tehran")
            local = pytz.utc.localize(call.start).astimezone(zone).replace(tzinfo=None)
            day = jdatetime.date.fromgregorian(date=local.date())
            call.start_jalali_month = day.strftime("%Y/%m")
            call.start_jalali_day = day.strftime("%Y/%m/%d")

    def init(self):
        """A user's calls newest first, with what the pivot sums and what the record rules read: "My calls"
        (list and pivot) read only this index, however many millions of calls the table holds (it replaces
        the plain index on ``user_id``)."""
        result = super().init()
        create_index(
            self.env.cr,
            "simotel_call_user_start_index",
            self._table,
            ["user_id", "start DESC", "id DESC"],
            where="user_id IS NOT NULL",
            include=["company_id", "disposition", "talk_seconds", "salesperson_id"],
        )
        self.env.cr.execute("DROP INDEX IF EXISTS simotel_call__user_id_index")
        return result

    @api.depends("direction", "disposition", "state")
    def _compute_missed(self):
        for call in self:
            call.missed = (
                call.state == "done"
                and call.direction == "inbound"
                and call.disposition in ("no_answer", "busy", "failed")
            )

    def _search_simotel_number(self, operator, value):
        return number_search_domain(
            self.env,
            operator,
            value,
            e164_fields=["external_e164"],
            text_fields=["external_number", "caller_number", "callee_number"],
        )

    @api.model
    def get_empty_list_help(self, help_message):
        """An empty Calls page says whether a search found nothing or no call arrived yet."""
        if self.search_count([], limit=1):
            help_message = Markup('<p class="o_view_nocontent_empty_folder">%s</p><p>%s</p>') % (
                self.env._("No call matches this search"),
                self.env._(
                    "Numbers are found in any form: +98 935 111 2233, 09351112233 or part of the number. "
                    "Remove filters (such as Missed or Today) to see more calls."
                ),
            )
        return super().get_empty_list_help(help_message)

    @api.depends("direction", "external_number", "caller_number", "callee_number", "start")
    def _compute_display_name(self):
        labels = dict(self._fields["direction"]._description_selection(self.env))
        for call in self:
            number = call.external_number or ("%s → %s" % (call.caller_number or "?", call.callee_number or "?"))
            call.display_name = "%s %s" % (labels.get(call.direction, ""), number)

    # ------------------------------------------------------------------
    # Click-to-call (before any CDR)
    # ------------------------------------------------------------------
    @api.model
    def _simotel_register_originate(self, values):
        """Record a click-to-call before its CDR exists; return the call.

        :param values: ``company_id, user_id, partner_id, lead_id,
            caller_number`` (the extension), ``callee_number,
            originated_call_id``. The CDR carrying the same
            ``originated_call_id`` completes this record.
        """
        company = self.env["res.company"].browse(values.get("company_id")) or self.env.company
        callee = values.get("callee_number")
        call = (
            self.sudo()
            .with_context(tracking_disable=True)
            .create(
                {
                    **values,
                    "company_id": company.id,
                    "state": "originated",
                    "source": "originate",
                    "direction": "outbound",
                    "extension": values.get("caller_number"),
                    "external_number": callee,
                    "external_e164": phone.to_e164(callee, company._simotel_phone_region()) or False,
                    "start": values.get("start") or fields.Datetime.now(),
                }
            )
        )
        call._simotel_wake_not_connected_cron()
        return call

    # ------------------------------------------------------------------
    # CDR processing
    # ------------------------------------------------------------------
    @api.model
    def _simotel_cdr_values(self, company, payload, tz_name):
        """Call values of a normalized ``Cdr``/``CdrQueue`` payload (or SA report row)."""
        src, dst = str(payload.get("src") or ""), str(payload.get("dst") or "")
        kind = str(payload.get("type") or "").lower()
        direction = TYPE_DIRECTION.get(kind)
        if not direction:
            if phone.is_extension(src) and phone.is_extension(dst):
                direction = "internal"
            elif phone.is_extension(src):
                direction = "outbound"
            else:
                direction = "inbound"
        talk = sea.to_int(payload.get("billsec"))
        wait = sea.to_int(payload.get("wait"))
        start = sea.parse_time(payload.get("starttime"), tz_name)
        end = sea.parse_time(payload.get("endtime"), tz_name)
        duration = sea.to_int(payload.get("duration"))
        if duration is None and start and end and end >= start:
            duration = int((end - start).total_seconds())
        if end is None and start and duration is not None:
            end = start + timedelta(seconds=duration)
        start, end = (moment and moment.replace(microsecond=0) for moment in (start, end))
        raw_disposition = re.sub(r"[^A-Z]", "", str(payload.get("disposition") or "").upper())
        disposition = DISPOSITIONS.get(raw_disposition) or ("answered" if talk else "no_answer")
        if direction == "outbound":
            external, extension = dst, src
        elif direction == "inbound":
            external, extension = src, dst if phone.is_extension(dst) else ""
            if payload.get("event_name") == "CdrQueue":
                answered = [
                    line
                    for line in payload.get("detail") or []
                    if DISPOSITIONS.get(re.sub(r"[^A-Z]", "", str(line.get("disposition") or "").upper())) == "answered"
                ]
                extension = str(answered[-1].get("dst") or "") if answered else ""
        else:
            external, extension = "", src
        return {
            "company_id": company.id,
            "unique_id": payload["unique_id"],
            "state": "done",
            "direction": direction,
            "caller_number": src[:64],
            "callee_number": dst[:64],
            "external_number": external[:64] or False,
            "external_e164": phone.to_e164(external, company._simotel_phone_region()) or False,
            "extension": extension[:16] or False,
            "start": start,
            "end": end,
            "duration_seconds": duration or 0,
            "talk_seconds": talk or 0,
            "wait_seconds": wait or 0,
            "disposition": disposition,
            "queue": str(payload.get("queue") or "")[:64] or False,
            "entry_point": str(payload.get("entry_point") or "")[:64] or False,
            "outgoing_point": str(payload.get("outgoing_point") or "")[:64] or False,
            "record": str(payload.get("record") or "")[:255] or False,
            "originated_call_id": str(payload.get("originated_call_id") or "")[:128] or False,
            "cdr_queue_received" if payload.get("event_name") == "CdrQueue" else "cdr_received": True,
        }

    @api.model
    def _simotel_upsert_cdr(self, company, payload, source="sea"):
        """Create or complete the call of one normalized CDR; return ``(call, created)``."""
        return self._simotel_upsert_cdrs(company, [payload], source=source)[0]

    @api.model
    def _simotel_upsert_cdrs(self, company, payloads, source="sea"):
        """Create or complete the calls of normalized CDRs of ``company``; return ``[(call, created)]``.

        Exactly once per ``(company, unique_id)``, also under concurrent
        deliveries: the database decides (unique constraint), and only the
        calls created (or click-to-call records completed) by this call get
        matched, a chatter note and the missed-call activity. A call that
        already exists is left untouched; a unique id repeated in ``payloads``
        makes one call (``created`` is true for its first occurrence only).

        Made for batches: one query for the known ids, one per kind of match,
        one ``create`` for the new calls. Click-to-call completions, and the
        whole batch when a concurrent transaction took one of its ids first,
        are claimed row by row (:meth:`_simotel_claim`).
        """
        calls = self.sudo().with_company(company).with_context(tracking_disable=True)
        tz_name = company._simotel_time_zone(report=source == "backfill")
        deadline = self.env.context.get("simotel_batch_deadline")  # time.monotonic() value, see simotel.event
        vals_list = []
        for payload in payloads:
            if deadline is not None and len(payloads) > 1 and time.monotonic() > deadline:
                raise TimeoutError(
                    "the batch is over its time limit after %d of %d reports" % (len(vals_list), len(payloads))
                )
            vals_list.append(self._simotel_cdr_values(company, payload, tz_name))
        known = {
            call.unique_id: call
            for call in calls.search_fetch(
                [("company_id", "=", company.id), ("unique_id", "in", [v["unique_id"] for v in vals_list])],
                ["unique_id"],
            )
        }
        new = {}
        for values in vals_list:
            if values["unique_id"] not in known:
                new.setdefault(values["unique_id"], values)
        created = calls.browse()
        if new:
            self._simotel_pair_originated(company, list(new.values()))
            matches = self._simotel_match_values(company, list(new.values()))
            to_claim = [v for v in new.values() if v["originated_call_id"]]
            to_create = [v for v in new.values() if not v["originated_call_id"]]
            if to_create:
                try:
                    with self.env.cr.savepoint():
                        created = calls.create(
                            [{**values, **matches[values["unique_id"]], "source": source} for values in to_create]
                        )
                except (psycopg2.errors.UniqueViolation, psycopg2.errors.SerializationFailure):
                    to_claim += to_create
            for values in to_claim:
                call_id = self._simotel_claim(company, values)
                if not call_id:
                    continue
                call = calls.browse(call_id)
                match = {key: value for key, value in matches[values["unique_id"]].items() if not call[key]}
                call.write({**values, **match, "source": call.source or source})
                created |= call
            known.update((call.unique_id, call) for call in created)
            created._simotel_notify()
        creators = {id(values) for values in new.values()}
        for values in vals_list:
            call = known.get(values["unique_id"])
            if call and id(values) not in creators:
                self._simotel_merge_report(company, call, values)
        self._simotel_link_call_events(company, calls.browse([call.id for call in known.values()]))
        result, reported = [], set()
        for values in vals_list:
            call = known.get(values["unique_id"], calls.browse())
            result.append((call, call in created and values["unique_id"] not in reported))
            reported.add(values["unique_id"])
        return result

    @api.model
    def _simotel_link_call_events(self, company, calls):
        """Attach the transfers and scores that arrived before the calls' reports; the last transfer sets the agent."""
        self.env["simotel.call.transfer"]._simotel_link_calls(company, calls)
        self.env["simotel.call.survey"]._simotel_link_calls(company, calls)

    @api.model
    def _simotel_merge_report(self, company, call, values):
        """Complete ``call`` with the other report of the same call (``Cdr`` and ``CdrQueue``, either order).

        A ``CdrQueue`` brings the queue, its wait and the agent who answered
        (the last answered line of its ``detail``): they replace what a
        ``Cdr`` said. Otherwise each report only fills what the other one
        left empty (``MERGED_FROM_CDR``). A report of a kind already read changes nothing
        (retries, duplicates); no note nor activity is added: the call was
        announced when it was created.
        """
        update = {}
        if values.get("cdr_queue_received"):
            if call.cdr_queue_received:
                return
            update = {"cdr_queue_received": True}
            if values["queue"]:
                update["queue"] = values["queue"]
            if values["wait_seconds"]:
                update["wait_seconds"] = values["wait_seconds"]
            if values["extension"] and call.direction == "inbound":
                update["extension"] = values["extension"]
                update["user_id"] = self.env["res.users"]._simotel_find_by_extension(values["extension"], company).id
            for key in MERGED_FROM_CDR:
                if key not in update and values.get(key) and not call[key]:
                    update[key] = values[key]
        else:
            if call.cdr_received:
                return
            update = {"cdr_received": True}
            for key in MERGED_FROM_CDR:
                if values.get(key) and not call[key]:
                    update[key] = values[key]
            if update.get("extension") and not call.user_id:
                update["user_id"] = self.env["res.users"]._simotel_find_by_extension(update["extension"], company).id
        call.write(update)

    def _simotel_claim(self, company, values):
        """Claim ``values["unique_id"]`` for this company; return the call id, or ``None`` if taken.

        A click-to-call record waiting for this CDR (same ``originated_call_id``)
        is completed; otherwise a row is inserted. A concurrent claim of the
        same id makes this one lose (``None``), whatever the isolation level.
        """
        cr = self.env.cr
        try:
            with cr.savepoint(flush=False):
                if values["originated_call_id"]:
                    cr.execute(
                        """
                        UPDATE simotel_call SET unique_id = %s
                         WHERE id = (SELECT id FROM simotel_call
                                      WHERE company_id = %s AND originated_call_id = %s
                                        AND unique_id IS NULL AND state IN ('originated', 'not_connected')
                                   ORDER BY id LIMIT 1)
                     RETURNING id
                    """,
                        (values["unique_id"], company.id, values["originated_call_id"]),
                        log_exceptions=False,
                    )
                    row = cr.fetchone()
                    if row:
                        return row[0]
                cr.execute(
                    """
                    INSERT INTO simotel_call (company_id, unique_id, state, direction,
                                              create_uid, write_uid, create_date, write_date)
                    VALUES (%s, %s, 'done', %s, %s, %s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
                    ON CONFLICT (company_id, unique_id) DO NOTHING
                    RETURNING id
                """,
                    (company.id, values["unique_id"], values["direction"], self.env.uid, self.env.uid),
                    log_exceptions=False,
                )
                row = cr.fetchone()
                return row[0] if row else None
        except (psycopg2.errors.SerializationFailure, psycopg2.errors.UniqueViolation):
            # Another transaction committed this unique id after ours began.
            return None

    def _simotel_match_values(self, company, vals_list):
        """``{unique_id: {partner_id, lead_id, user_id}}`` of new calls, a few queries for all of them."""
        numbers = [values["external_e164"] for values in vals_list]
        partners = self.env["res.partner"]._simotel_find_partners(numbers, company)
        leads = self.env["crm.lead"]._simotel_find_leads(numbers, company)
        users = {
            extension: self.env["res.users"]._simotel_find_by_extension(extension, company)
            for extension in {values["extension"] for values in vals_list if values["extension"]}
        }
        result = {}
        for values in vals_list:
            partner = partners.get(values["external_e164"], self.env["res.partner"])
            lead = leads.get(values["external_e164"], self.env["crm.lead"])
            if partner and lead.partner_id.commercial_partner_id != partner.commercial_partner_id:
                # Anybody may write a number on a lead: a lead found by the number alone does not
                # take the calls of a contact (nor open them to the lead's salesperson).
                lead = self.env["crm.lead"]
            result[values["unique_id"]] = {
                "partner_id": partner.id or False,
                "lead_id": lead.id or False,
                "user_id": users.get(values["extension"], self.env["res.users"]).id or False,
            }
        return result

    # ------------------------------------------------------------------
    # Chatter note and missed-call activity
    # ------------------------------------------------------------------
    def _simotel_duration_text(self, env, seconds):
        minutes, seconds = divmod(seconds or 0, 60)
        hours, minutes = divmod(minutes, 60)
        if hours:
            return env._("%(hours)s h %(minutes)s min %(seconds)s s", hours=hours, minutes=minutes, seconds=seconds)
        if minutes:
            return env._("%(minutes)s min %(seconds)s s", minutes=minutes, seconds=seconds)
        return env._("%(seconds)s s", seconds=seconds)

    def _simotel_note_reader(self, record):
        """Who reads the note of this call on ``record``: its salesperson, else the call's user."""
        return record.user_id or self.user_id

    def _simotel_local_time(self, lang, tz_name):
        """This call's start as ``lang`` writes it in ``tz_name`` (Persian: the Jalali calendar)."""
        if not self.start:
            return ""
        moment = pytz.utc.localize(self.start).astimezone(pytz.timezone(tz_name))
        if lang.startswith("fa"):
            return jdatetime.datetime.fromgregorian(datetime=moment).strftime("%Y/%m/%d %H:%M")
        lang_data = get_lang(self.env, lang)
        time_format = lang_data.time_format.replace(":%S", "")
        return moment.strftime(f"{lang_data.date_format} {time_format}")

    def _simotel_note_body(self, reader=None):
        """Chatter note of this call, for ``reader`` (a user): in their language and time zone.

        The text says when the call was, who called whom and how it ended,
        and links to the call and to its recording.
        """
        self.ensure_one()
        reader = reader or self.user_id
        lang = reader.lang or self.company_id.partner_id.lang or "en_US"
        tz_name = reader.tz or self.company_id.simotel_tz or "UTC"
        env = self.with_context(lang=lang).env
        rtl = get_lang(self.env, lang).direction == "rtl"
        values = {
            # Isolated in right-to-left text: numbers and dates keep their order.
            "number": _isolate(self.external_number or self.callee_number or "", rtl),
            "time": _isolate(self._simotel_local_time(lang, tz_name), rtl),
            "outcome": dict(self._fields["disposition"]._description_selection(env)).get(self.disposition, "").lower(),
            "duration": self._simotel_duration_text(env, self.talk_seconds),
        }
        outbound, answered = self.direction == "outbound", self.disposition == "answered"
        if outbound and answered:
            text = env._("Outgoing call to %(number)s on %(time)s, answered, %(duration)s", **values)
        elif outbound:
            text = env._("Outgoing call to %(number)s on %(time)s, %(outcome)s", **values)
        elif answered:
            text = env._("Incoming call from %(number)s on %(time)s, answered, %(duration)s", **values)
        else:
            text = env._("Incoming call from %(number)s on %(time)s, %(outcome)s", **values)
        if self.user_id:
            text += " (%s)" % _isolate(self.user_id.name, rtl)
        body = Markup(
            '%s <a href="/web#model=simotel.call&amp;id=%d&amp;view_type=form" '
            'data-oe-model="simotel.call" data-oe-id="%d">%s</a>'
        ) % (
            text,
            self.id,
            self.id,
            env._("Open the call"),
        )
        if self.record:
            body += Markup(' · <a href="/simotel/call/%d/recording" target="_blank">%s</a>') % (
                self.id,
                env._("Listen to the recording"),
            )
        return Markup("<p>%s</p>") % body

    def _simotel_notify(self):
        """Post the chatter notes of new calls and, for missed ones, the call-back activities.

        Each note is dated at the call's start (not when its report was
        processed) and written for the user who reads it. Notes are created
        with one ``_message_log_batch`` per document model and author (a
        document with two new calls gets two notes).
        """
        batches = defaultdict(list)  # (model, author partner id) -> [{res_id: (body, date)}], one res_id per dict
        for call in self:
            record = call.partner_id or call.lead_id
            if call.direction == "internal" or not record:
                continue
            chunks = batches[record._name, call.user_id.partner_id.id or None]
            notes = next((chunk for chunk in chunks if record.id not in chunk), None)
            if notes is None:
                notes = {}
                chunks.append(notes)
            notes[record.id] = (call._simotel_note_body(call._simotel_note_reader(record)), call.start)
        for (model, author_id), chunks in batches.items():
            for notes in chunks:
                messages = (
                    self.env[model]
                    .sudo()
                    .browse(list(notes))
                    ._message_log_batch({res_id: body for res_id, (body, _date) in notes.items()}, author_id=author_id)
                )
                by_date = defaultdict(lambda: self.env["mail.message"])
                for message in messages:
                    if notes[message.res_id][1]:
                        by_date[notes[message.res_id][1]] |= message
                for date, dated in by_date.items():
                    dated.write({"date": date})
        for call in self:
            if call.direction != "internal" and call.missed and call.partner_id:
                call._simotel_schedule_call_back()
        self._simotel_close_call_backs()
        self._simotel_after_call()

    def _simotel_schedule_call_back(self):
        """One open "Call back" activity per customer, for the salesperson or the configured user."""
        self.ensure_one()
        company = self.company_id
        if not company.simotel_missed_call_activity:
            return
        partner = self.partner_id
        user = partner.user_id or partner.commercial_partner_id.user_id or company.simotel_missed_call_user_id
        if not user:
            return
        if self.start and self.sudo().search_count(
            [
                ("partner_id", "=", partner.id),
                ("disposition", "=", "answered"),
                ("direction", "in", ("inbound", "outbound")),
                ("start", ">", self.start),
            ],
            limit=1,
        ):
            return  # reported late: the customer has been reached since
        activity_type = self.env.ref("mail.mail_activity_data_call", raise_if_not_found=False)
        open_activity = (
            self.env["mail.activity"]
            .sudo()
            .search_count(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "=", partner.id),
                    ("activity_type_id", "=", activity_type.id if activity_type else False),
                    ("user_id", "=", user.id),
                    ("simotel_call_id", "!=", False),
                ],
                limit=1,
            )
        )
        if open_activity:
            return
        env = self.with_context(lang=user.lang or "en_US").env
        try:
            # The refused INSERT is expected: not logged as a bad query (it holds the customer's number).
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                partner.sudo().with_context(mail_activity_quick_update=True).activity_schedule(
                    act_type_xmlid="mail.mail_activity_data_call",
                    summary=env._("Call back"),
                    note=env._("Missed call from %(number)s.", number=self.external_number or ""),
                    user_id=user.id,
                    simotel_call_id=self.id,
                )
                self.env.flush_all()
        except psycopg2.errors.UniqueViolation:
            # A concurrent transaction scheduled it first (mail_activity_simotel_call_back_uniq).
            _logger.info(
                "Simotel call %s: the call-back of contact %s was scheduled by a concurrent transaction",
                self.id,
                partner.id,
            )

    # ------------------------------------------------------------------
    # Missed calls: call back, create the contact
    # ------------------------------------------------------------------
    def action_simotel_call_back(self):
        """Button "Call back": ring the user's extension, then this call's customer number.

        The new call is linked to this call's contact and lead.
        """
        self.ensure_one()
        self.check_access("read")
        if not self.external_number:
            raise UserError(self.env._("This call has no customer number to call back."))
        company = self.company_id
        user = self.env.user.with_company(company)
        return user._simotel_originate(
            self.external_number,
            company._simotel_phone_region(),
            partner=self.sudo().partner_id,
            lead=self.sudo().lead_id,
        )

    def action_simotel_create_partner(self):
        """Button "Create contact": a new contact form with this call's number.

        Once the contact is saved, the calls from this number are linked to it
        (:meth:`_simotel_rematch`).
        """
        self.ensure_one()
        self.check_access("read")
        if not self.external_e164:
            raise UserError(self.env._("This call has no customer number."))
        parsed = phonenumbers.parse(self.external_e164)
        mobile = phonenumbers.number_type(parsed) in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        )
        number = phone.to_dial(self.external_e164, self.company_id._simotel_phone_region()) or self.external_number
        return form_dialog_action(
            self.env._("New contact"), "res.partner", {"default_mobile" if mobile else "default_phone": number}
        )

    def _simotel_close_call_backs(self):
        """Mark done the "Call back" activities that these answered calls make pointless.

        The customer was reached: they called again and were answered, or
        answered a call of an agent. Only activities of missed calls older than
        the answered call are closed (a call synced late does not close newer ones).
        """
        reached = self.filtered(
            lambda call: (
                call.disposition == "answered" and call.direction in ("inbound", "outbound") and call.partner_id
            )
        )
        if not reached:
            return
        activities = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "in", reached.partner_id.ids),
                    ("simotel_call_id", "!=", False),
                ]
            )
        )
        for activity in activities:
            answered = reached.filtered(
                lambda call, activity=activity: (
                    call.partner_id.id == activity.res_id
                    and call.start
                    and activity.simotel_call_id.start
                    and call.start > activity.simotel_call_id.start
                )
            )
            if not answered:
                continue
            call = answered.sorted("start")[0]
            lang = activity.user_id.lang or "en_US"
            feedback = self.with_context(lang=lang).env._(
                "The customer was reached: %(call)s.", call=call.with_context(lang=lang).display_name
            )
            activity.action_feedback(feedback=feedback)

    # ------------------------------------------------------------------
    # Late matching
    # ------------------------------------------------------------------
    @api.model
    def _simotel_rematch(self, partners):
        """Give unmatched calls to ``partners`` that now have their number.

        Late matching never widens access: only the calls the current user may
        already read are linked (searched with the user's rights, record rules
        included; then linked as superuser, the call being read-only), and only
        calls of the partner's company (of the user's companies when the
        partner has none). The link fills the call's salesperson.
        """
        calls_model = self.with_context(active_test=False)
        if not calls_model.has_access("read"):
            return
        for partner in partners:
            numbers = [n for n in (partner.simotel_phone_e164, partner.simotel_mobile_e164) if n]
            if not numbers:
                continue
            companies = partner.sudo().company_id or self.env.user.company_ids
            domain = [
                ("partner_id", "=", False),
                ("external_e164", "in", numbers),
                ("company_id", "in", companies.ids),
            ]
            calls = calls_model.search(domain)
            if calls:
                calls.sudo().write({"partner_id": partner.id})

    # ------------------------------------------------------------------
    # Recordings
    # ------------------------------------------------------------------
    def _simotel_audio_file(self):
        if not self.record:
            raise UserError(self.env._("This call has no recording."))
        return self.record

    def _simotel_audio_url(self):
        return "/simotel/call/%d/recording" % self.id

    def action_simotel_play_recording(self):
        """Button: open the recording in the browser (it plays the audio file)."""
        return self._simotel_audio_action()

    def action_simotel_download_recording(self):
        return self._simotel_audio_action(download=True)

    # ------------------------------------------------------------------
    # Backfill from SA reports
    # ------------------------------------------------------------------
    @api.model
    def _simotel_backfill(self, company, date_from, date_to):
        """Pull ``reports/cdr/search`` for ``[date_from, date_to]`` (naive UTC) and upsert every row.

        Rows are read page by page (``start``/``count``, sorted by start
        time) until ``total``, at most ``_simotel_backfill_max_pages`` pages;
        calls already known are not touched. Each page lands with one batch
        upsert; when the batch fails, row by row, each in a savepoint: a bad
        row is skipped with a log line, the others land. With the context key
        ``simotel_autocommit`` (the cron), each page is committed.

        :return: :class:`BackfillResult`; its ``synced_until`` is how far the
            reports were really read: ``date_to`` when every page was read,
            else the start time of the last row read (``None``: nothing read)
        """
        client = company._simotel_client()
        tz_name = company._simotel_time_zone(report=True)
        autocommit = self.env.context.get("simotel_autocommit") and not getattr(
            threading.current_thread(), "testing", False
        )
        start, seen, created, skipped, last_start = 0, 0, 0, 0, None
        pages = self._simotel_backfill_max_pages
        for _page in range(pages):
            rows, total = client.cdr_search(
                sea.format_local(date_from, tz_name),
                sea.format_local(date_to + timedelta(minutes=1), tz_name),
                start=start,
                count=self._simotel_backfill_page_size,
            )
            payloads = []
            for row in rows:
                if not isinstance(row, dict):
                    skipped += 1
                    _logger.warning(
                        "Simotel sync of company %s: skipped a report row that is not an object", company.id
                    )
                    continue
                seen += 1
                try:
                    payload = sea.normalize("Cdr", {k: v for k, v in row.items() if k != "event_name"})
                except sea.InboundError as e:
                    skipped += 1
                    _logger.warning("Simotel sync of company %s: skipped a report row: %s", company.id, e.message)
                    continue
                payloads.append(payload)
                moment = sea.parse_time(payload.get("starttime"), tz_name)
                if moment and (last_start is None or moment > last_start):
                    last_start = moment
            page_created, page_skipped = self._simotel_backfill_rows(company, payloads)
            created += page_created
            skipped += page_skipped
            if autocommit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
            start += len(rows)
            if not rows or (start >= total if total is not None else len(rows) < self._simotel_backfill_page_size):
                return BackfillResult(seen, created, skipped, True, date_to)
        _logger.warning(
            "Simotel sync of company %s stopped after %d pages (%d rows): reports after %s are read by the next sync",
            company.id,
            pages,
            start,
            last_start,
        )
        return BackfillResult(seen, created, skipped, False, last_start)

    @api.model
    def _simotel_backfill_rows(self, company, payloads):
        """Upsert normalized report rows: one batch, else row by row in savepoints; return ``(created, skipped)``."""
        if not payloads:
            return 0, 0
        try:
            with self.env.cr.savepoint():
                results = self._simotel_upsert_cdrs(company, payloads, source="backfill")
        except Exception as e:  # noqa: BLE001 - retried row by row below
            _logger.info("Simotel sync of company %s: a page failed (%s), writing it row by row", company.id, e)
        else:
            return sum(1 for _call, is_new in results if is_new), 0
        created = skipped = 0
        for payload in payloads:
            try:
                with self.env.cr.savepoint():
                    _call, is_new = self._simotel_upsert_cdr(company, payload, source="backfill")
            except Exception as e:  # noqa: BLE001 - this row is skipped, the others land
                skipped += 1
                _logger.warning(
                    "Simotel sync of company %s: skipped report row %s: %s: %s",
                    company.id,
                    str(payload.get("unique_id"))[:64],
                    type(e).__name__,
                    str(e)[:200],
                )
            else:
                created += int(is_new)
        return created, skipped

    @api.model
    def _simotel_advance_sync_mark(self, company, date_from, result):
        """Move ``company``'s last sync to ``result.synced_until`` when the sync read on from it (no gap)."""
        mark = company.simotel_last_sync
        until = result.synced_until
        if until and (not mark or (date_from <= mark < until)):
            company.sudo().simotel_last_sync = until

    def action_simotel_sync(self):
        """Button "Sync calls": pull the current company's calls of its sync period now.

        A list header button: called on the selected calls (or none); the
        selection does not matter, the whole sync period is pulled.
        """
        self.env["simotel.call"].check_access("write")
        company = self.env.company
        now = fields.Datetime.now()
        date_from = now - timedelta(days=company.simotel_backfill_days or 1)
        try:
            result = self._simotel_backfill(company, date_from, now)
        except SimotelError as e:
            notification = {"type": "danger", "title": self.env._("Call sync failed"), "message": str(e)}
        else:
            self._simotel_advance_sync_mark(company, date_from, result)
            message = self.env._(
                "%(seen)s calls read from Simotel, %(created)s new.", seen=result.seen, created=result.created
            )
            if result.skipped:
                message += " " + self.env._(
                    "Report rows skipped because they could not be read (see the server log): %(skipped)s.",
                    skipped=result.skipped,
                )
            if not result.complete:
                message += " " + self.env._(
                    "The sync stopped after %(pages)s pages: sync again to read the calls after %(until)s.",
                    pages=self._simotel_backfill_max_pages,
                    until=result.synced_until and format_datetime(self.env, result.synced_until) or "-",
                )
            notification = {
                "type": "success" if result.complete and not result.skipped else "warning",
                "title": self.env._("Calls synced"),
                "message": message,
            }
        return self.env["res.config.settings"]._simotel_notification_action(notification)

    @api.model
    def _cron_backfill(self):
        """Sync the calls of every configured company since its last sync (one hour overlap).

        A company whose sync fails, whatever the error, is logged and rolled
        back (its pages already committed stay); the next companies are synced.
        """
        now = fields.Datetime.now()
        autocommit = not getattr(threading.current_thread(), "testing", False)
        # A company without a PBX address has nothing to sync: skipped without a word.
        companies = (
            self.env["res.company"]
            .sudo()
            .search([("simotel_backfill", "=", True), ("simotel_server_url", "!=", False)])
        )
        for company in companies:
            try:
                if autocommit:
                    self._simotel_cron_backfill_company(company, now)
                    self.env.cr.commit()  # pylint: disable=invalid-commit
                else:
                    with self.env.cr.savepoint():
                        self._simotel_cron_backfill_company(company, now)
            except SimotelError as e:
                if autocommit:
                    self.env.cr.rollback()  # pylint: disable=invalid-commit
                _logger.warning("Simotel sync of company %s failed: %s", company.id, e.reason)
            except Exception:
                if autocommit:
                    self.env.cr.rollback()  # pylint: disable=invalid-commit
                _logger.exception("Simotel sync of company %s failed", company.id)

    @api.model
    def _simotel_cron_backfill_company(self, company, now):
        since = company.simotel_last_sync or now - timedelta(days=company.simotel_backfill_days or 1)
        date_from = since - timedelta(hours=1)
        result = self.with_context(simotel_autocommit=True)._simotel_backfill(company, date_from, now)
        self._simotel_advance_sync_mark(company, date_from, result)
        self.env["simotel.call.survey"]._simotel_sync_safely(company, date_from, now)
        return result
