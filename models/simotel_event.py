import json
import logging
import threading
from datetime import timedelta

from odoo import api, fields, models

from ..tools import sea

_logger = logging.getLogger(__name__)

# Headers never stored with an event (credentials, session).
SECRET_HEADERS = ("authorization", "cookie", "x-apikey", "proxy-authorization", "x-openerp-session-id")
MAX_ATTEMPTS = 5


class SimotelEvent(models.Model):
    """An SEA event exactly as Simotel sent it, stored before it is processed.

    Processing dispatches to ``_simotel_process_<event name in lower case>``
    (e.g. ``_simotel_process_cdr``) with the normalized payload; events
    without such a method are stored and acknowledged as ``ignored``.
    """

    _name = "simotel.event"
    _description = "Simotel Event"
    _order = "id desc"
    _rec_name = "event_name"

    event_name = fields.Char("Event", required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", "Company", required=True, readonly=True, index=True)
    state = fields.Selection(
        [("new", "New"), ("done", "Done"), ("failed", "Failed"), ("ignored", "Ignored")],
        "Status", default="new", required=True, readonly=True, index=True,
    )
    unique_id = fields.Char("Call Unique ID", readonly=True, index="btree_not_null")
    payload = fields.Text("Payload", readonly=True, help="The fields Simotel sent, as received (JSON).")
    headers = fields.Text("Headers", readonly=True, help="HTTP headers of the delivery, without credentials.")
    remote_addr = fields.Char("Sender IP", readonly=True)
    received_at = fields.Datetime("Received", readonly=True, default=fields.Datetime.now, index=True)
    processed_at = fields.Datetime("Processed", readonly=True)
    attempts = fields.Integer("Attempts", readonly=True)
    error = fields.Text("Error", readonly=True)
    call_id = fields.Many2one("simotel.call", "Call", readonly=True, index="btree_not_null", ondelete="set null")

    @api.model
    def _simotel_store(self, company, name, payload, httprequest=None):
        """Write a raw event; return it (not processed yet)."""
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
            values["headers"] = json.dumps({
                key: value for key, value in httprequest.headers.items()
                if key.lower() not in SECRET_HEADERS
            }, ensure_ascii=False)
        return self.sudo().create(values)

    def _simotel_payload(self):
        """The normalized payload of this event."""
        self.ensure_one()
        return sea.normalize(self.event_name, json.loads(self.payload or "{}"))

    def _simotel_process(self):
        """Process events one by one, each in its own savepoint.

        A failure marks the event ``failed`` with the error and never
        propagates: the raw event stays for the retry cron and the admins.
        With ``simotel_autocommit`` in the context, each event is committed
        (never in tests, like mail's queue).
        """
        autocommit = self.env.context.get("simotel_autocommit") and not getattr(
            threading.current_thread(), "testing", False)
        for event in self:
            handler = getattr(event, "_simotel_process_" + event.event_name.lower(), None)
            values = {"attempts": event.attempts + 1, "processed_at": fields.Datetime.now(), "error": False}
            if handler is None:
                values["state"] = "ignored"
            else:
                try:
                    with self.env.cr.savepoint():
                        handler(event._simotel_payload())
                except Exception as e:  # noqa: BLE001 - any processing error keeps the raw event
                    _logger.warning("Simotel event %s (%s) failed: %s", event.id, event.event_name, e,
                                    exc_info=not isinstance(e, sea.InboundError))
                    values.update(state="failed", error="%s: %s" % (type(e).__name__, e))
                else:
                    values["state"] = "done"
            event.write(values)
            if autocommit:
                self.env.cr.commit()
        return True

    def action_retry(self):
        """Button: process the selected new or failed events again."""
        self.filtered(lambda event: event.state in ("new", "failed")).sudo()._simotel_process()
        return True

    @api.model
    def _cron_retry(self, limit=500):
        """Process events left ``new`` (crash between store and process) or ``failed``."""
        domain = [
            ("state", "in", ("new", "failed")),
            ("attempts", "<", MAX_ATTEMPTS),
            ("received_at", "<", fields.Datetime.now() - timedelta(minutes=1)),
        ]
        events = self.sudo().search(domain, order="id", limit=limit)
        events.with_context(simotel_autocommit=True)._simotel_process()
        return True

    @api.autovacuum
    def _gc_processed_events(self):
        """Delete processed events older than each company's retention period, in batches."""
        self.flush_model(["company_id", "state", "received_at"])
        for company in self.env["res.company"].sudo().search([]):
            days = company.simotel_event_retention_days
            if days <= 0:
                continue
            limit = fields.Datetime.now() - timedelta(days=days)
            while True:
                self.env.cr.execute("""
                    DELETE FROM simotel_event WHERE id IN (
                        SELECT id FROM simotel_event
                         WHERE company_id = %s AND state IN ('done', 'ignored') AND received_at < %s
                         LIMIT 10000)
                """, (company.id, limit))
                if self.env.cr.rowcount < 10000:
                    break
        self.invalidate_model()

    # ------------------------------------------------------------------
    # Handlers (``_simotel_process_<event>``), called with the normalized payload
    # ------------------------------------------------------------------
    def _simotel_process_cdr(self, payload):
        """A finished call: create (or complete) its ``simotel.call``, exactly once."""
        call, _created = self.env["simotel.call"]._simotel_upsert_cdr(self.company_id, payload, source="sea")
        self.call_id = call[:1]

    def _simotel_process_cdrqueue(self, payload):
        """A finished queue call: same record as ``Cdr`` (first one of the two wins)."""
        self._simotel_process_cdr(payload)

    def _simotel_process_newstate(self, payload):
        """An extension changed state: ringing for a caller pops the caller's card (screen pop)."""
        self.env["simotel.screen.pop"]._simotel_on_new_state(self.company_id, payload, self.received_at)

    def _simotel_process_incomingcall(self, payload):
        """A call entered the PBX: pops the caller's card when it was dialled to an extension."""
        self.env["simotel.screen.pop"]._simotel_on_incoming_call(self.company_id, payload, self.received_at)
