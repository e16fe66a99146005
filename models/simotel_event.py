import json
import logging
import threading
import time
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..tools import retention, sea

_logger = logging.getLogger(__name__)

# Headers never stored with an event (credentials, session).
SECRET_HEADERS = ("authorization", "cookie", "x-apikey", "proxy-authorization", "x-openerp-session-id")
MAX_ATTEMPTS = 5
STALE_DELAY = timedelta(minutes=1)  # an inline event still new after this was interrupted: the cron takes it
RETRY_DELAY = timedelta(minutes=5)  # between two attempts of a failed event
BATCH_SIZE = 200  # events per transaction of the processing cron
NOTIFY_INTERVAL = timedelta(seconds=1)  # see _simotel_trigger_cron
CRON_TIME_BUDGET = 60  # seconds per cron run; the cron runner calls again while events remain


class SimotelEvent(models.Model):
    """An SEA event exactly as Simotel sent it, stored before it is processed.

    Processing dispatches to ``_simotel_process_<event name in lower case>``
    (e.g. ``_simotel_process_cdr``) with the normalized payload; events
    without such a method are stored and acknowledged as ``ignored``.

    Inline or deferred: events named in ``_simotel_deferred_events`` (call
    reports, where throughput matters) are processed by the cron
    ``ir_cron_simotel_event_process`` in batches, triggered when one is
    stored; every other event (e.g. ``NewState``, ``IncomingCall``: a screen
    pop needs them now) is processed in the request that delivers it.
    A name may also define ``_simotel_process_batch_<name>(payloads)``, called
    on all events of that name of a batch; if it raises, they are processed
    one by one.
    """

    _name = "simotel.event"
    _description = "Simotel Event"
    _order = "id desc"
    _rec_name = "event_name"
    _simotel_deferred_events = frozenset({"Cdr", "CdrQueue"})

    event_name = fields.Char("Event", required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", "Company", required=True, readonly=True, index=True)
    state = fields.Selection(
        [("new", "New"), ("done", "Done"), ("failed", "Failed"), ("ignored", "Ignored")],
        "Status",
        default="new",
        required=True,
        readonly=True,
        index=True,
    )
    unique_id = fields.Char("Call Unique ID", readonly=True, index="btree_not_null")
    payload = fields.Text(readonly=True, help="The fields Simotel sent, as received (JSON).")
    headers = fields.Text(readonly=True, help="HTTP headers of the delivery, without credentials.")
    remote_addr = fields.Char("Sender IP", readonly=True)
    received_at = fields.Datetime("Received", readonly=True, default=fields.Datetime.now, index=True)
    processed_at = fields.Datetime("Processed", readonly=True)
    attempts = fields.Integer(readonly=True)
    error = fields.Text(readonly=True)
    call_id = fields.Many2one("simotel.call", "Call", readonly=True, index="btree_not_null", ondelete="set null")

    @api.model
    def _simotel_store(self, company, name, payload, httprequest=None):
        """Write a raw event; return it (not processed yet).

        A deferred event also triggers the processing cron (at commit).
        """
        values = {
            "event_name": name,
            "company_id": company.id,
            "payload": json.dumps(payload, ensure_ascii=False, default=str),
        }
        unique_id = payload.get("unique_id") or payload.get("cuid")
        if isinstance(unique_id, (str, int, float)) and not isinstance(unique_id, bool):
            values["unique_id"] = str(unique_id)[:128]
        if httprequest is not None:
            values["remote_addr"] = httprequest.remote_addr
            values["headers"] = json.dumps(
                {key: value for key, value in httprequest.headers.items() if key.lower() not in SECRET_HEADERS},
                ensure_ascii=False,
            )
        event = self.sudo().create(values)
        if name in self._simotel_deferred_events:
            self._simotel_trigger_cron()
        return event

    @api.model
    def _simotel_trigger_cron(self):
        """Make the processing cron due now; wake the cron workers at most once per ``NOTIFY_INTERVAL``.

        ``ir.cron._trigger`` sends a NOTIFY through a new connection to the
        ``postgres`` database (about 8 ms, a third of a delivery). A trigger
        of the last second means a run is due and was notified: this
        delivery only adds its own trigger row, which keeps the cron due if
        that run ends before this event is committed (worst case: the cron
        workers' next poll, or the next delivery a second later).
        """
        cron_id = self.env["ir.model.data"]._xmlid_to_res_id("simotel_connector.ir_cron_simotel_event_process")
        now = fields.Datetime.now()
        self.env.cr.execute(
            "SELECT 1 FROM ir_cron_trigger WHERE cron_id = %s AND call_at > %s LIMIT 1",
            [cron_id, now - NOTIFY_INTERVAL],
        )
        if self.env.cr.fetchone():
            self.env["ir.cron.trigger"].sudo().create({"cron_id": cron_id, "call_at": now})
        else:
            self.env["ir.cron"].sudo().browse(cron_id)._trigger(now)

    def _simotel_payload(self):
        """The normalized payload of this event."""
        self.ensure_one()
        return sea.normalize(self.event_name, json.loads(self.payload or "{}"))

    def _simotel_process(self):
        """Process those of these events that are new or failed and not being processed elsewhere.

        Each event (or each batch of one name, see the class docstring) runs
        in its own savepoint: a failure marks the event ``failed`` with the
        error and never propagates; the raw event stays for the cron and the
        admins. Rows are locked (``SKIP LOCKED``) so that the cron, a Retry
        click and an inline delivery never process one event twice at once.
        """
        if not self:
            return True
        self.flush_model()
        self.env.cr.execute(
            "SELECT id FROM simotel_event WHERE id = ANY(%s) AND state IN ('new', 'failed') "
            "ORDER BY id FOR UPDATE SKIP LOCKED",
            [self.ids],
        )
        events = self.browse([row[0] for row in self.env.cr.fetchall()])
        events.invalidate_recordset()
        results = {}  # event -> (error or None, handled)
        for name in dict.fromkeys(events.mapped("event_name")):
            group = events.filtered_domain([("event_name", "=", name)])
            batch_method = "_simotel_process_batch_" + name.lower()
            if hasattr(self, batch_method) and len(group) > 1:
                payloads = {}
                for event in group:
                    try:
                        payloads[event] = event._simotel_payload()
                    except Exception as e:  # noqa: BLE001 - this event fails, not its batch
                        results[event] = event._simotel_failure(e)
                group = group.browse([event.id for event in group if event in payloads])
                try:
                    with self.env.cr.savepoint():
                        getattr(group, batch_method)(list(payloads.values()))
                except Exception as e:  # noqa: BLE001 - retried one by one below
                    _logger.info(
                        "Simotel batch of %s %s events failed, processing them one by one: %s", len(group), name, e
                    )
                else:
                    results.update(dict.fromkeys(group, (None, True)))
                    continue
            for event in group:
                results[event] = event._simotel_process_one()
        for event, (error, handled) in results.items():
            event.write(
                {
                    "attempts": event.attempts + 1,
                    "processed_at": fields.Datetime.now(),
                    "error": error or False,
                    "state": "failed" if error else "done" if handled else "ignored",
                }
            )
        return True

    def _simotel_process_one(self):
        """Run this event's handler in a savepoint; return ``(error or None, handled)``."""
        handler = getattr(self, "_simotel_process_" + self.event_name.lower(), None)
        if handler is None:
            return None, False
        try:
            with self.env.cr.savepoint():
                handler(self._simotel_payload())
        except Exception as e:  # noqa: BLE001 - any processing error keeps the raw event
            return self._simotel_failure(e)
        return None, True

    def _simotel_failure(self, error):
        """Log a processing error of this event; return its ``(error text, handled)`` result."""
        _logger.warning(
            "Simotel event %s (%s) failed: %s",
            self.id,
            self.event_name,
            error,
            exc_info=not isinstance(error, sea.InboundError),
        )
        return "%s: %s" % (type(error).__name__, error), True

    def action_retry(self):
        """Button (Simotel administrators): process the selected new or failed events again now.

        A manual retry is the administrator's decision after fixing the cause:
        it resets the attempt counter, so the event is processed even when the
        cron gave up on it after ``MAX_ATTEMPTS``, and the cron retries it
        again up to that limit if it fails.
        """
        self.check_access("write")
        if not self.env.user.has_group("simotel_connector.group_simotel_manager"):
            raise AccessError(self.env._("Only Simotel administrators can retry events."))
        events = self.sudo().filtered_domain([("state", "in", ("new", "failed"))])
        events.write({"attempts": 0})
        events._simotel_process()
        return True

    @api.model
    def _simotel_pending(self, limit):
        """Events waiting for the cron, oldest first, locked for this transaction.

        Deferred events still ``new``; other events left ``new`` for
        ``STALE_DELAY`` (a crash between store and inline processing);
        ``failed`` events with attempts left, at most once per ``RETRY_DELAY``.
        """
        self.flush_model()
        now = fields.Datetime.now()
        self.env.cr.execute(
            """
            SELECT id FROM simotel_event
             WHERE (state = 'new' AND (event_name = ANY(%(deferred)s) OR received_at < %(stale)s))
                OR (state = 'failed' AND attempts < %(max)s AND processed_at < %(retry)s)
          ORDER BY id
             LIMIT %(limit)s
               FOR UPDATE SKIP LOCKED
        """,
            {
                "deferred": list(self._simotel_deferred_events),
                "stale": now - STALE_DELAY,
                "retry": now - RETRY_DELAY,
                "max": MAX_ATTEMPTS,
                "limit": limit,
            },
        )
        return self.sudo().browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _cron_process(self, batch_size=BATCH_SIZE, time_budget=CRON_TIME_BUDGET):
        """Process waiting events in batches of ``batch_size``, committing each batch.

        Stops after ``time_budget`` seconds and reports the progress, so the
        cron runner calls again at once while events remain (never commits in tests).
        """
        autocommit = not getattr(threading.current_thread(), "testing", False)
        started, done = time.monotonic(), 0
        while time.monotonic() - started < time_budget:
            events = self._simotel_pending(batch_size)
            if not events:
                break
            events._simotel_process()
            done += len(events)
            if autocommit:
                # A cron batch: what is processed stays processed if a later batch fails or times out.
                self.env.cr.commit()  # pylint: disable=invalid-commit
        remaining = len(self._simotel_pending(batch_size))
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return True

    @api.autovacuum
    def _gc_processed_events(self, batch_size=retention.BATCH_SIZE):
        """Delete processed events older than each company's retention period, in batches."""
        self.flush_model(["company_id", "state", "received_at"])
        for company in self.env["res.company"].sudo().search([]):
            days = company.simotel_event_retention_days
            if days <= 0:
                continue
            limit = fields.Datetime.now() - timedelta(days=days)
            retention.delete_in_batches(
                self.env.cr,
                self._table,
                "received_at < %s AND company_id = %s AND state IN ('done', 'ignored')",
                [limit, company.id],
                batch_size,
            )
        self.invalidate_model()

    # ------------------------------------------------------------------
    # Handlers (``_simotel_process_<event>``), called with the normalized payload
    # ------------------------------------------------------------------
    def _simotel_process_cdr(self, payload):
        """A finished call: create (or complete) its ``simotel.call``, exactly once."""
        call, _created = self.env["simotel.call"]._simotel_upsert_cdr(self.company_id, payload, source="sea")
        self.call_id = call[:1]
        self.env["simotel.screen.pop"]._simotel_on_call_end(self.company_id, [payload.get("unique_id")])

    def _simotel_process_cdrqueue(self, payload):
        """A finished queue call: same record as ``Cdr`` (first one of the two wins)."""
        self._simotel_process_cdr(payload)

    def _simotel_process_newstate(self, payload):
        """An extension changed state: ringing for a caller pops the caller's card (screen pop)."""
        self.env["simotel.screen.pop"]._simotel_on_new_state(self.company_id, payload, self.received_at)
        self.env["simotel.screen.pop"]._simotel_on_state_change(self.company_id, payload)

    def _simotel_process_incomingcall(self, payload):
        """A call entered the PBX: pops the caller's card when it was dialled to an extension."""
        self.env["simotel.screen.pop"]._simotel_on_incoming_call(self.company_id, payload, self.received_at)

    def _simotel_process_batch_cdr(self, payloads):
        """``Cdr`` events of a batch: their calls, a few queries per company (see ``_simotel_upsert_cdrs``)."""
        for company in self.company_id:  # empty batch: no company
            events, company_payloads = zip(  # noqa: B905 - transposes pairs
                *(
                    (event, payload)
                    for event, payload in zip(self, payloads, strict=True)
                    if event.company_id == company
                )
            )
            upserted = self.env["simotel.call"]._simotel_upsert_cdrs(company, company_payloads, source="sea")
            for event, (call, _created) in zip(events, upserted, strict=True):
                event.call_id = call[:1]
            self.env["simotel.screen.pop"]._simotel_on_call_end(
                company, [payload.get("unique_id") for payload in company_payloads]
            )

    _simotel_process_batch_cdrqueue = _simotel_process_batch_cdr
