import logging
from datetime import datetime, timedelta

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..tools import sea
from ..tools.sa_client import SimotelError

_logger = logging.getLogger(__name__)

BUS_TYPE = "simotel/agent_state"
QUEUE_BUS_TYPE = "simotel/queue_stats"
WALLBOARD_CHANNEL = "simotel_wallboard"  # subchannel of the company: (res.company, "simotel_wallboard")
STATES = [
    ("idle", "Idle"),
    ("ringing", "Ringing"),
    ("in_use", "In Use"),
    ("paused", "Paused"),
    ("unavailable", "Unavailable"),
    ("unknown", "Unknown"),
]
# Simotel's NewState ``state`` (lower case, letters only) -> state.
SIMOTEL_STATES = {
    "idle": "idle",
    "ringing": "ringing",
    "ring": "ringing",
    "inuse": "in_use",
    "busy": "in_use",
    "onhold": "in_use",
    "pause": "paused",
    "paused": "paused",
    "unavailable": "unavailable",
    "invalid": "unavailable",
}
# Optional time fields of a NewState (the documented event has none: Odoo's receive time is used).
TIME_FIELDS = ("timestamp", "time", "date")


class SimotelAgentState(models.Model):
    """The live state of one extension, as the last ``NewState`` described it.

    One row per (company, extension). ``event_time`` orders the events: an
    event older than the one the row shows (a retry, a late delivery) never
    moves the row back. A row without an event for the company's stale delay
    turns ``unknown`` (see :meth:`_cron_expire_stale`).
    """

    _name = "simotel.agent.state"
    _inherit = ["simotel.agent.mixin"]
    _description = "Simotel Agent State"
    _order = "extension"

    state = fields.Selection(STATES, required=True, default="unknown", readonly=True, index=True)
    since = fields.Datetime(readonly=True, help="When the agent entered this state.")
    event_time = fields.Datetime("Last Event", readonly=True, help="Time of the last event applied to this row.")
    participant = fields.Char("Other Party", readonly=True)
    direction = fields.Selection([("in", "Inbound"), ("out", "Outbound")], readonly=True)
    partner_id = fields.Many2one("res.partner", "Contact", readonly=True, ondelete="set null")
    queue = fields.Char(readonly=True)
    unique_id = fields.Char("Call ID", readonly=True)
    pause_reason_id = fields.Many2one("simotel.pause.reason", "Pause Reason", readonly=True, ondelete="set null")
    pause_id = fields.Many2one("simotel.agent.pause", "Current Pause", readonly=True, ondelete="set null")

    _sql_constraints = [("company_extension_uniq", "unique(company_id, extension)", "One state per extension.")]

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------
    @api.model
    def _simotel_is_supervisor(self, company=None):
        user = self.env.user
        if not user.has_group("simotel_connector.group_simotel_supervisor"):
            return False
        return company is None or company in user.company_ids

    def _simotel_check_control(self):
        """Raise unless the current user may steer every extension of these rows.

        An agent steers their own extension; a supervisor any extension of their companies.
        """
        user = self.env.user
        if not user.has_group("simotel_connector.group_simotel_user"):
            raise AccessError(_("You are not allowed to use the Simotel call center."))
        Users = self.env["res.users"]
        for row in self.sudo():
            # Who has the extension now (the row's agent is only updated by the next event of it).
            if Users._simotel_find_by_extension(row.extension, row.company_id) == user:
                continue
            if self._simotel_is_supervisor(row.company_id):
                continue
            raise AccessError(_("You may only steer your own extension; extension %s is a colleague's.", row.extension))

    @api.model
    def _simotel_row(self, company, extension, lock=False):
        """The (sudo) row of ``extension`` in ``company``, created ``unknown`` if missing.

        :param lock: lock the row (``FOR UPDATE``) until the transaction ends, and read it anew
        """
        extension = sea.event_text(extension, 32)
        self.flush_model(["company_id", "extension"])
        query = "SELECT id FROM simotel_agent_state WHERE company_id = %s AND extension = %s" + (
            " FOR UPDATE" if lock else ""
        )
        # A serialization failure is expected there (a concurrent event of this extension): not a bad query.
        self.env.cr.execute(query, [company.id, extension], log_exceptions=False)
        found = self.env.cr.fetchone()
        if not found:
            self.env.cr.execute(
                """
                INSERT INTO simotel_agent_state
                    (company_id, extension, state, create_uid, write_uid, create_date, write_date)
                VALUES (%s, %s, 'unknown', %s, %s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
                ON CONFLICT (company_id, extension) DO NOTHING
                """,
                [company.id, extension, self.env.uid, self.env.uid],
                log_exceptions=False,
            )
            self.env.cr.execute(query, [company.id, extension], log_exceptions=False)
            found = self.env.cr.fetchone()
        row = self.sudo().browse(found[0])
        if lock:
            row.invalidate_recordset()
        user = self.env["res.users"]._simotel_find_by_extension(extension, company)
        if row.user_id != user:
            row.user_id = user
        return row

    @api.model
    def _simotel_refresh_agents(self):
        """Name on every row who has its extension now: called when extensions, groups or archiving
        change (otherwise a row's agent follows the next event of its extension)."""
        Users = self.env["res.users"]
        for row in self.sudo().search([]):
            user = Users._simotel_find_by_extension(row.extension, row.company_id)
            if row.user_id != user:
                row.user_id = user

    # ------------------------------------------------------------------
    # Events
    # ------------------------------------------------------------------
    @api.model
    def _simotel_event_time(self, company, event, received_at):
        """When a ``NewState`` happened: its own time field if a PBX version sends one, else Odoo's receive time."""
        for key in TIME_FIELDS:
            moment = sea.parse_time(event.get(key), company._simotel_time_zone()) if event.get(key) else None
            if moment:
                return moment
        return received_at or fields.Datetime.now()

    @api.model
    def _simotel_on_new_state(self, company, event, received_at=None):
        """Apply a normalized ``NewState`` event; return the row (empty if the event was not applied)."""
        state = SIMOTEL_STATES.get("".join(ch for ch in sea.event_text(event.get("state"), 64).lower() if ch.isalpha()))
        extension = sea.event_text(event.get("exten"), 32)
        if not state or not extension or not extension.isdigit():
            _logger.info("Simotel NewState without a usable extension or state: ignored")
            return self.browse()
        moment = self._simotel_event_time(company, event, received_at)
        # Locked: concurrent events of one extension apply one after the other.
        row = self._simotel_row(company, extension, lock=True)
        if row.event_time and moment < row.event_time:
            _logger.info("Simotel NewState for %s older than the state shown: ignored", extension)
            return self.browse()
        participant = sea.event_text(event.get("participant"), 64)
        direction = sea.event_text(event.get("direction"), 64).lower()
        values = {
            "event_time": moment,
            "participant": participant or False,
            "direction": direction if direction in ("in", "out") else False,
            "queue": sea.event_text(event.get("queue"), 64) or False,
            "unique_id": sea.event_text(event.get("unique_id"), 128) or False,
            "partner_id": False,
        }
        if state in ("idle", "paused", "unavailable"):
            values.update(participant=False, direction=False, unique_id=False)
            if state != "paused":
                values["queue"] = False
        if len(participant) > 6:  # an outside number, not an extension
            values["partner_id"] = self.env["res.partner"]._simotel_find_partner(participant, company).id or False
        if state != row.state:
            values["since"] = moment
        row._simotel_apply(state, values, moment)
        self.env["simotel.queue.call"]._simotel_on_new_state(company, event, state, moment)
        return row

    def _simotel_apply(self, state, values, moment, reason=None):
        """Write ``state`` and ``values`` on this row, open/close its pause interval, push the change."""
        self.ensure_one()
        Pause = self.env["simotel.agent.pause"].sudo()
        if state == "paused" and not self.pause_id:
            values["pause_id"] = Pause._simotel_open(self, moment, reason or self.pause_reason_id).id
            values["pause_reason_id"] = (reason or self.pause_reason_id).id
        elif state == "paused" and reason:
            self.pause_id.reason_id = reason
            values["pause_reason_id"] = reason.id
        elif state != "paused" and state != "unknown":
            if self.pause_id:
                self.pause_id._simotel_close(moment)
            values.update(pause_id=False, pause_reason_id=False)
        self.write({"state": state, **values})
        self._simotel_push()

    def _simotel_push(self):
        """Send the rows' state to their agents and to their companies' wallboards."""
        for row in self:
            payload = row._simotel_payload()
            self.env["bus.bus"]._sendone((row.company_id, WALLBOARD_CHANNEL), BUS_TYPE, payload)
            if row.user_id:
                row.user_id._bus_send(BUS_TYPE, payload)

    def _simotel_payload(self):
        """What the systray and the wallboard show of this row (JSON-serializable)."""
        self.ensure_one()
        row = self.sudo()
        return {
            "id": row.id,
            "company_id": row.company_id.id,
            "extension": row.extension,
            "user_id": row.user_id.id or False,
            "user_name": row.user_id.name or False,
            "state": row.state,
            "since": fields.Datetime.to_string(row.since) if row.since else False,
            "participant": row.participant or False,
            "partner_name": row.partner_id.display_name if row.partner_id else False,
            "queue": row.queue or False,
            "pause_reason": row.pause_reason_id.name or False,
            "pause_reason_max": row.pause_reason_id.max_minutes or 0,
        }

    @api.model
    def _cron_expire_stale(self):
        """Rows without an event for their company's stale delay turn ``unknown`` (pushed like any change)."""
        now = fields.Datetime.now()
        for company in self.env["res.company"].sudo().search([]):
            minutes = company.simotel_agent_stale_minutes
            if minutes <= 0:
                continue
            rows = self.sudo().search(
                [
                    ("company_id", "=", company.id),
                    ("state", "!=", "unknown"),
                    "|",
                    ("event_time", "=", False),
                    ("event_time", "<", now - timedelta(minutes=minutes)),
                ]
            )
            for row in rows:
                if row.pause_id:
                    row.pause_id._simotel_close(now)
                row.write(
                    {
                        "state": "unknown",
                        "since": now,
                        "participant": False,
                        "partner_id": False,
                        "pause_id": False,
                        "pause_reason_id": False,
                        "unique_id": False,
                    }
                )
            rows._simotel_push()

    # ------------------------------------------------------------------
    # Steering (RPC): pause, resume, join, leave
    # ------------------------------------------------------------------
    @api.model
    def simotel_my_state(self):
        """The systray's data: the current user's state, their queues, the pause reasons."""
        user = self.env.user
        if not user.has_group("simotel_connector.group_simotel_user"):
            raise AccessError(_("You are not allowed to use the Simotel call center."))
        # An extension is on the PBX of its user's main company: never another company's same number.
        company = user.sudo().company_id
        extension = self.env["res.users"].sudo().browse(user.id).simotel_extension
        if not extension:
            return {"extension": False}
        row = self._simotel_row(company, extension)
        queues = self.env["simotel.queue"].sudo().search([("company_id", "=", company.id)])
        return {
            "extension": extension,
            "state": row._simotel_payload(),
            "queues": [
                {
                    "id": queue.id,
                    "number": queue.number,
                    "name": queue.display_name,
                    "member": extension in queue.member_ids.mapped("extension"),
                }
                for queue in queues
            ],
            "reasons": [
                {"id": reason.id, "name": reason.name}
                for reason in self.env["simotel.pause.reason"]
                .sudo()
                .search([("company_id", "in", [False, company.id])])
            ],
        }

    @api.model
    def simotel_my_row(self):
        """The current user's row (the systray steers it through the action methods)."""
        extension = self.env["res.users"].sudo().browse(self.env.uid).simotel_extension
        if not extension or not self.env.user.has_group("simotel_connector.group_simotel_user"):
            raise UserError(_("Your user has no Simotel extension."))
        return self._simotel_row(self.env.user.sudo().company_id, extension).id

    def _simotel_queues(self):
        """The queues this row's extension answers."""
        self.ensure_one()
        return (
            self.env["simotel.queue.member"]
            .sudo()
            .search([("company_id", "=", self.company_id.id), ("extension", "=", self.extension)])
            .queue_id
        )

    def _simotel_sa(self, method, *args):
        """Call the SA client of the row's company; a Simotel failure becomes a clear user error."""
        try:
            return getattr(self.company_id._simotel_client(), method)(*args)
        except SimotelError as error:
            raise UserError(str(error)) from error

    def _simotel_sa_in_queues(self, single, batch, no_queue_message):
        """Call the SA client's ``single`` method for this row's extension in its one queue, or ``batch`` for all
        of them at once; ``no_queue_message`` is the user error when it answers no queue."""
        self.ensure_one()
        queues = self._simotel_queues()
        if not queues:
            raise UserError(no_queue_message)
        pairs = [(queue.number, self.extension) for queue in queues]
        if len(pairs) == 1:
            self._simotel_sa(single, *pairs[0])
        else:
            self._simotel_sa(batch, pairs)

    def action_pause(self, reason_id=None):
        """Pause these agents in all their queues, with a reason (a ``simotel.pause.reason`` id)."""
        self._simotel_check_control()
        rows = self.sudo()
        reason = self.env["simotel.pause.reason"].sudo().browse(int(reason_id)).exists() if reason_id else None
        if reason and reason.company_id and reason.company_id not in rows.company_id:
            raise UserError(_("This pause reason belongs to another company."))
        for row in rows:
            row._simotel_sa_in_queues(
                "pause_agent",
                "batch_pause_agents",
                _("Extension %s answers no queue: there is nothing to pause.", row.extension),
            )
            now = fields.Datetime.now()
            row._simotel_apply(
                "paused",
                {"since": now if row.state != "paused" else row.since, "event_time": now},
                now,
                reason or self.env["simotel.pause.reason"],
            )
            _logger.info("Simotel: user %s paused extension %s", self.env.uid, row.extension)
        return True

    def action_resume(self):
        """Resume these agents in all their queues."""
        self._simotel_check_control()
        for row in self.sudo():
            row._simotel_sa_in_queues(
                "resume_agent",
                "batch_resume_agents",
                _("Extension %s answers no queue: there is nothing to resume.", row.extension),
            )
            now = fields.Datetime.now()
            row._simotel_apply("idle", {"since": now, "event_time": now}, now)
            _logger.info("Simotel: user %s resumed extension %s", self.env.uid, row.extension)
        return True

    def action_join_queue(self, queue_id):
        """Put these agents in a queue of their company."""
        return self._simotel_set_queue_member(queue_id, True)

    def action_leave_queue(self, queue_id):
        """Take these agents out of a queue."""
        return self._simotel_set_queue_member(queue_id, False)

    def _simotel_set_queue_member(self, queue_id, member):
        """Make these agents answer the queue ``queue_id`` of their company (``member``) or not, on the PBX and
        in the directory."""
        self._simotel_check_control()
        for row in self.sudo():
            queue = row._simotel_queue(queue_id)
            row._simotel_sa("add_agent" if member else "remove_agent", queue.number, row.extension)
            if member:
                self.env["simotel.queue.member"].sudo()._simotel_add(queue, row.extension)
            else:
                queue.member_ids.filtered(lambda entry, row=row: entry.extension == row.extension).unlink()
        return True

    def _simotel_queue(self, queue_id):
        queue = self.env["simotel.queue"].sudo().browse(int(queue_id or 0)).exists()
        if not queue or queue.company_id != self.company_id:
            raise UserError(_("This queue does not exist in the agent's company."))
        return queue

    # ------------------------------------------------------------------
    # Wallboard
    # ------------------------------------------------------------------
    @api.model
    def _simotel_day_start(self, company):
        """Midnight of today in the company's time zone, as naive UTC."""
        company = company.sudo()
        zone = pytz.timezone(company.partner_id.tz or company.simotel_tz or "UTC")
        local = datetime.now(zone).replace(hour=0, minute=0, second=0, microsecond=0)
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _simotel_queue_payloads(self, company, numbers):
        numbers = list(dict.fromkeys(numbers))
        names = {
            queue.number: queue.display_name
            for queue in self.env["simotel.queue"]
            .sudo()
            .search([("company_id", "=", company.id), ("number", "in", numbers)])
        }
        stats = self.env["simotel.queue.call"]._simotel_queue_stats(
            company, numbers, self._simotel_day_start(company), company.sudo().simotel_service_level_seconds
        )
        empty = {
            "waiting": 0,
            "longest_wait": 0,
            "offered": 0,
            "answered": 0,
            "abandoned": 0,
            "service_level": None,
            "avg_wait": None,
            "avg_talk": None,
        }
        return [
            {"company_id": company.id, "queue": number, "name": names.get(number, number), **stats.get(number, empty)}
            for number in numbers
        ]

    @api.model
    def _simotel_push_queue(self, company, queue):
        payload = self._simotel_queue_payloads(company, [queue])[0]
        self.env["bus.bus"]._sendone((company, WALLBOARD_CHANNEL), QUEUE_BUS_TYPE, payload)

    @api.model
    def simotel_wallboard_data(self):
        """Everything the wallboard shows of the current company (supervisors only)."""
        company = self.env.company
        if not self._simotel_is_supervisor(company):
            raise AccessError(_("Only Simotel supervisors can open the wallboard."))
        rows = self.sudo().search([("company_id", "=", company.id)])
        numbers = self.env["simotel.queue"].sudo().search([("company_id", "=", company.id)]).mapped("number")
        self.env["simotel.queue.call"].flush_model()
        self.env.cr.execute(
            "SELECT DISTINCT queue FROM simotel_queue_call WHERE company_id = %s AND entered_at >= %s",
            [company.id, self._simotel_day_start(company)],
        )
        numbers += [row[0] for row in self.env.cr.fetchall()]
        return {
            "company_id": company.id,
            "server_time": fields.Datetime.to_string(fields.Datetime.now()),
            "threshold": company.sudo().simotel_service_level_seconds,
            "agents": [row._simotel_payload() for row in rows],
            "queues": self._simotel_queue_payloads(company, numbers),
        }
