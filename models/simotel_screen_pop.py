import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import format_datetime

from ..tools import retention

_logger = logging.getLogger(__name__)

BUS_TYPE = "simotel/screen_pop"
KEEP_DAYS = 2
RING_SECONDS = 60  # an event older than this (a retry) no longer describes a ringing phone


def _text(value):
    """An event value (text or number, maybe missing) as stripped text."""
    return "" if value in (None, False) else str(value).strip()


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
        state = _text(event.get("state")).lower()
        direction = _text(event.get("direction")).lower() or "in"
        if state != "ringing" or direction != "in":
            return self.env["res.users"]
        user = self.env["res.users"]._simotel_find_by_extension(_text(event.get("exten")), company)
        return self._simotel_ring(company, user, event.get("participant"), event.get("unique_id"), received_at)

    @api.model
    def _simotel_on_incoming_call(self, company, event, received_at=None):
        """Pop for an ``IncomingCall`` event.

        The event names no agent: it pops only when its ``entry_point`` is the
        extension of a user (a call dialled straight to that extension);
        calls entering through a trunk, queue or IVR pop on ``NewState``.
        """
        user = self.env["res.users"]._simotel_find_by_extension(_text(event.get("entry_point")), company)
        return self._simotel_ring(company, user, event.get("number"), event.get("unique_id"), received_at)

    @api.model
    def _simotel_ring(self, company, users, number, unique_id=None, received_at=None):
        """Show the caller's card to ``users`` whose phone rings for a call from ``number``.

        Users who turned popups off are skipped, and so is a user who already
        got this call (``unique_id``); a call without id pops every time.

        :return: the users notified
        """
        number, unique_id = _text(number), _text(unique_id)
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
        same row waits for this transaction and then skips it.
        """
        if not users:
            return users
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
        labels = (
            [format_datetime(self.env, call.start, tz=self.env.context.get("tz"), dt_format="short")]
            if call.start
            else []
        )
        labels += [
            dict(call._fields[name]._description_selection(self.env)).get(call[name])
            for name in ("direction", "disposition")
            if call[name]
        ]
        return {"id": call.id, "start": fields.Datetime.to_string(call.start), "label": " · ".join(labels)}

    @api.autovacuum
    def _gc_screen_pops(self, batch_size=retention.BATCH_SIZE):
        """Forget popups of calls older than two days: no event repeats that late."""
        limit = fields.Datetime.now() - timedelta(days=KEEP_DAYS)
        deleted = retention.delete_in_batches(self.env.cr, self._table, "create_date < %s", [limit], batch_size)
        _logger.info("Deleted %d Simotel screen pops older than %d days", deleted, KEEP_DAYS)
