import logging
from datetime import timedelta

import jdatetime
import psycopg2.errors
import pytz

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import format_datetime

from ..tools import retention, sea

_logger = logging.getLogger(__name__)

BUS_TYPE = "simotel/screen_pop"
BUS_CLOSE_TYPE = "simotel/screen_pop_close"
KEEP_DAYS = 2
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
RING_SECONDS = 60  # an event older than this (a retry) no longer describes a ringing phone


class SimotelScreenPop(models.Model):
    """One caller card shown to one user for one call.

    The rows make the popup idempotent across workers: a user gets a call's
    card once, however many ``NewState``/``IncomingCall`` events repeat it.
    """

    _name = "simotel.screen.pop"
    _description = "Simotel Screen Pop"
    _order = "id desc"
    _rec_name = "number"

    company_id = fields.Many2one("res.company", "Company", required=True, index=True, ondelete="cascade")
    user_id = fields.Many2one("res.users", "User", required=True, index=True, ondelete="cascade")
    unique_id = fields.Char("Call ID", help="Simotel's unique id of the call (unique_id or cuid).")
    number = fields.Char("Caller Number")
    create_date = fields.Datetime("Created on", index=True, readonly=True)  # retention deletes by it
    # Set by the agent from the card while the call runs; moved onto the call when its report arrives.
    result_id = fields.Many2one("simotel.call.result", "Call Result", ondelete="set null")
    note = fields.Text()

    _sql_constraints = [
        ("call_user_uniq", "unique(company_id, unique_id, user_id)", "A call pops once per user."),
    ]

    @api.model
    def _simotel_on_new_state(self, company, event, received_at=None):
        """Pop for a ``NewState`` event: the agent on ``exten`` rings for an inbound call.

        :param event: the event's fields under their canonical names (``tools.sea.normalize``)
        :param received_at: when Odoo received the event; a late retry pops nothing
        :return: the users notified
        """
        state = sea.event_text(event.get("state")).lower()
        direction = sea.event_text(event.get("direction")).lower() or "in"
        if state != "ringing" or direction != "in":
            return self.env["res.users"]
        user = self.env["res.users"]._simotel_find_by_extension(sea.event_text(event.get("exten")), company)
        return self._simotel_ring(company, user, event.get("participant"), event.get("unique_id"), received_at)

    @api.model
    def _simotel_on_incoming_call(self, company, event, received_at=None):
        """Pop for an ``IncomingCall`` event.

        The event names no agent: it pops only when its ``entry_point`` is the
        extension of a user (a call dialled straight to that extension);
        calls entering through a trunk, queue or IVR pop on ``NewState``.
        """
        user = self.env["res.users"]._simotel_find_by_extension(sea.event_text(event.get("entry_point")), company)
        return self._simotel_ring(company, user, event.get("number"), event.get("unique_id"), received_at)

    @api.model
    def _simotel_ring(self, company, users, number, unique_id=None, received_at=None):
        """Show the caller's card to ``users`` whose phone rings for a call from ``number``.

        Users who turned popups off are skipped, and so is a user who already
        got this call (``unique_id``); a call without id pops every time.

        :return: the users notified
        """
        number, unique_id = sea.event_text(number), sea.event_text(unique_id)
        late = received_at and received_at < fields.Datetime.now() - timedelta(seconds=RING_SECONDS)
        if not number or late:
            return users.browse()
        users = users.sudo()
        users.fetch(["active", "simotel_screen_pop", "partner_id"])
        users.partner_id.fetch(["lang", "tz"])
        users = users.filtered(lambda user: user.active and user.simotel_screen_pop)
        users = self._simotel_claim(company, users, number, unique_id)
        for user in users:
            # An explicit tz: without one, dates would read the (superuser) environment's user.
            card = self.with_context(lang=user.lang, tz=user.tz or "UTC")._simotel_card(
                company, number, unique_id, user
            )
            user._bus_send(BUS_TYPE, card)
        return users

    @api.model
    def _simotel_claim(self, company, users, number, unique_id):
        """Record the popups of ``users`` for this call; return the users who had none yet.

        ``INSERT … ON CONFLICT DO NOTHING``: a concurrent worker inserting the
        same row waits for this transaction and then skips it. A row committed
        by a concurrent delivery after this transaction began makes the insert
        fail instead (serialization failure, as transactions are ``REPEATABLE
        READ``): that delivery showed the card, so the user is skipped here and
        the event ends ``done``, not ``failed``.
        """
        if not users:
            return users
        try:
            with self.env.cr.savepoint(flush=False):
                return self._simotel_insert_pops(company, users, number, unique_id)
        except (psycopg2.errors.SerializationFailure, psycopg2.errors.UniqueViolation):
            if len(users) == 1:
                _logger.info("Simotel screen pop of call %s: shown by a concurrent delivery", unique_id)
                return users.browse()
        claimed = users.browse()
        for user in users:
            try:
                with self.env.cr.savepoint(flush=False):
                    claimed |= self._simotel_insert_pops(company, user, number, unique_id)
            except (psycopg2.errors.SerializationFailure, psycopg2.errors.UniqueViolation):
                _logger.info("Simotel screen pop of call %s: shown by a concurrent delivery", unique_id)
        return claimed

    @api.model
    def _simotel_insert_pops(self, company, users, number, unique_id):
        self.env.cr.execute(
            """
            INSERT INTO simotel_screen_pop
                (company_id, user_id, unique_id, number, create_uid, write_uid, create_date, write_date)
            SELECT %(company)s, user_id, %(unique_id)s, %(number)s, %(uid)s, %(uid)s,
                   now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM unnest(%(users)s) AS user_id
            ON CONFLICT (company_id, unique_id, user_id) DO NOTHING
            RETURNING user_id
            """,
            {
                "company": company.id,
                "unique_id": unique_id or None,
                "number": number or None,
                "uid": self.env.uid,
                "users": users.ids,
            },
            log_exceptions=False,
        )
        return users.browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _simotel_card(self, company, number, unique_id=None, user=None):
        """The screen-pop payload for a call from ``number`` to ``user`` (JSON-serializable)."""
        partner = self.env["res.partner"]._simotel_find_partner(number, company)
        card = {
            "unique_id": unique_id or False,
            "number": number or "",
            "partner": False,
            "can_create_lead": bool(user and user.has_group("sales_team.group_sale_salesman")),
        }
        if partner:
            card["partner"] = self._simotel_partner_card(partner, company)
        return card

    @api.model
    def _simotel_partner_card(self, partner, company):
        """What the agent sees of a known caller; opportunities not won nor lost (archived) count as open."""
        partner = partner.sudo()
        # Read only what the card shows: res.partner is wide, a plain read loads every column.
        card_fields = [
            "name",
            "commercial_partner_id",
            "user_id",
            "simotel_contract_ref",
            "simotel_contract_start",
            "simotel_contract_end",
        ]
        partner.fetch(card_fields)
        commercial = partner.commercial_partner_id
        commercial.fetch(card_fields)
        salesperson = partner.user_id or commercial.user_id
        salesperson.partner_id.fetch(["name"])
        opportunities = (
            self.env["crm.lead"]
            .sudo()
            .search_count(
                [
                    ("type", "=", "opportunity"),
                    ("partner_id.commercial_partner_id", "=", commercial.id),
                    ("stage_id.is_won", "=", False),
                    ("company_id", "in", [False, company.id]),
                ]
            )
        )
        return {
            "id": partner.id,
            "name": partner.name or partner.display_name,
            "company": commercial.name if commercial != partner else False,
            "contract": self._simotel_contract(partner),
            "salesperson": salesperson.name or False,
            "open_opportunities": opportunities,
            "last_call": self._simotel_last_call(commercial, company),
        }

    @api.model
    def _simotel_contract(self, partner):
        """``{"state": …, "label": …}`` of the partner's contract, or ``False``."""
        state = partner.simotel_contract_state
        if not state:
            return False
        field = partner._fields["simotel_contract_state"]
        return {"state": state, "label": dict(field._description_selection(self.env)).get(state, state)}

    @api.model
    def _simotel_last_call(self, commercial, company):
        """The last finished call of the commercial entity (or one of its contacts), or ``False``."""
        call = (
            self.env["simotel.call"]
            .sudo()
            .search(
                [
                    ("company_id", "=", company.id),
                    ("state", "=", "done"),
                    ("partner_id.commercial_partner_id", "=", commercial.id),
                ],
                order="start desc, id desc",
                limit=1,
            )
        )
        if not call:
            return False
        labels = [self._simotel_format_datetime(call.start)] if call.start else []
        labels += [
            dict(call._fields[name]._description_selection(self.env)).get(call[name])
            for name in ("direction", "disposition")
            if call[name]
        ]
        return {"id": call.id, "start": fields.Datetime.to_string(call.start), "label": " · ".join(labels)}

    @api.model
    def _simotel_format_datetime(self, value):
        """``value`` (UTC) in the context's time zone and language: Jalali with Persian digits in Persian."""
        tz = self.env.context.get("tz")
        if not (self.env.context.get("lang") or "").startswith("fa"):
            return format_datetime(self.env, value, tz=tz, dt_format="short")
        local = pytz.utc.localize(value).astimezone(pytz.timezone(tz or "UTC"))
        return jdatetime.datetime.fromgregorian(datetime=local).strftime("%Y/%m/%d %H:%M").translate(PERSIAN_DIGITS)

    @api.autovacuum
    def _gc_screen_pops(self, batch_size=retention.BATCH_SIZE):
        """Forget popups of calls older than two days: no event repeats that late."""
        limit = fields.Datetime.now() - timedelta(days=KEEP_DAYS)
        deleted = retention.delete_in_batches(self.env.cr, self._table, "create_date < %s", [limit], batch_size)
        _logger.info("Deleted %d Simotel screen pops older than %d days", deleted, KEEP_DAYS)

    # The end of a card: it closes when the call is answered elsewhere or ends.

    @api.model
    def _simotel_on_state_change(self, company, event):
        """Close cards of a call whose ringing stopped (``NewState`` ``InUse``/``Idle``/…).

        ``InUse`` on an extension: that agent answered; the cards of the others
        who rang for the same call close, the answering agent keeps it.
        Any other state but ``Ringing``: the card of that extension's agent closes.

        :return: the users told to close their card
        """
        state = sea.event_text(event.get("state")).lower()
        unique_id = sea.event_text(event.get("unique_id"))
        if not unique_id or state in ("", "ringing"):
            return self.env["res.users"]
        user = self.env["res.users"]._simotel_find_by_extension(sea.event_text(event.get("exten")), company)
        users = self._simotel_popped_users(company, [unique_id])
        users = users - user if state == "inuse" else users & user
        return self._simotel_close(users, [unique_id], "answered" if state == "inuse" else "ended")

    @api.model
    def _simotel_on_call_end(self, company, unique_ids):
        """Close every card of the finished calls ``unique_ids`` (their ``Cdr`` arrived)."""
        unique_ids = [uid for uid in (sea.event_text(u) for u in unique_ids) if uid]
        if not unique_ids:
            return self.env["res.users"]
        return self._simotel_close(self._simotel_popped_users(company, unique_ids), unique_ids, "ended")

    @api.model
    def _simotel_popped_users(self, company, unique_ids):
        pops = self.sudo().search_fetch([("company_id", "=", company.id), ("unique_id", "in", unique_ids)], ["user_id"])
        return pops.user_id

    @api.model
    def _simotel_close(self, users, unique_ids, reason):
        for user in users:
            for unique_id in unique_ids:
                user._bus_send(BUS_CLOSE_TYPE, {"unique_id": unique_id, "reason": reason})
        return users

    @api.model
    def simotel_recent_pops(self, limit=10):
        """The current user's last cards (newest first), for the history menu; any caller they match now."""
        limit = max(1, min(int(limit or 10), 50))
        pops = self.search_fetch(
            [("user_id", "=", self.env.uid), ("company_id", "in", self.env.companies.ids)],
            ["number", "unique_id", "create_date", "company_id"],
            limit=limit,
        )
        Partner = self.env["res.partner"]
        result = []
        for pop in pops:
            partner = Partner._simotel_find_partner(pop.number, pop.company_id) if pop.number else Partner
            # Only partners the user may open are named.
            partner = partner.with_user(self.env.user).exists()
            try:
                partner.check_access("read")
                name = partner.display_name if partner else False
            except AccessError:
                partner, name = Partner, False
            result.append(
                {
                    "id": pop.id,
                    "number": pop.number or "",
                    "unique_id": pop.unique_id or False,
                    "date": fields.Datetime.to_string(pop.create_date),
                    "partner": {"id": partner.id, "name": name} if partner else False,
                }
            )
        return result
