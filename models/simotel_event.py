import json
import logging
import threading
import time
from datetime import timedelta

import psycopg2.errors

from odoo import api, fields, models, sql_db
from odoo.exceptions import AccessError
from odoo.tools import config

from odoo.addons.base.models.ir_cron import MAX_BATCH_PER_CRON_JOB

from ..tools import retention, sea

_logger = logging.getLogger(__name__)

# Headers never stored with an event (credentials, session).
SECRET_HEADERS = ("authorization", "cookie", "x-apikey", "proxy-authorization", "x-openerp-session-id")
MAX_ATTEMPTS = 5
# Held by each transaction of a run of the processing cron: "a run is looking for work" (_simotel_wake_cron).
CRON_BUSY_LOCK = 0x53494D4F54454C
STALE_DELAY = timedelta(minutes=1)  # an inline event still new after this was interrupted: the cron takes it
RETRY_DELAY = timedelta(minutes=5)  # between two attempts of a failed event
BATCH_SIZE = 200  # events per transaction of the processing cron, at most
FIRST_BATCH_SIZE = 20  # first batch of a cron run, before the cost of an event is measured
CRON_TIME_BUDGET = 60  # seconds per cron run at most (see _simotel_cron_budget); the runner calls again
EVENT_TIME_LIMIT = 10  # seconds one event may take in the cron (see _simotel_process)


class EventTooSlow(TimeoutError):
    """An event (or batch) took longer than the cron's per-event limit: its work is rolled back."""


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
    # Tuning of the processing cron (see _cron_process); tests lower them.
    _simotel_batch_size = BATCH_SIZE  # events per batch, at most
    _simotel_event_time_limit = EVENT_TIME_LIMIT  # seconds one event may take

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
    attempts = fields.Integer(readonly=True, default=0)
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
            event._simotel_live()
        return event

    def _simotel_live(self):
        """Live part of a deferred event (``_simotel_live_<name>``), run at once: e.g. the wallboard's queue figures.

        Never fails the delivery: an error is logged and the cron's processing stays the reference.
        """
        handler = getattr(self, "_simotel_live_" + self.event_name.lower(), None)
        if handler is None:
            return
        try:
            with self.env.cr.savepoint():
                handler(self._simotel_payload())
        except Exception as e:  # noqa: BLE001 - the event is stored; its processing comes later
            _logger.info("Simotel event %s (%s): live update skipped: %s", self.id, self.event_name, e)

    @api.model
    def _simotel_trigger_cron(self):
        """Make the processing cron due now; once this transaction is committed, wake the cron workers
        unless a run is looking for work (see :meth:`_simotel_wake_cron`)."""
        cron_id = self.env["ir.model.data"]._xmlid_to_res_id("simotel_connector.ir_cron_simotel_event_process")
        self.env["ir.cron.trigger"].sudo().create({"cron_id": cron_id, "call_at": fields.Datetime.now()})
        postcommit = self.env.cr.postcommit
        if not postcommit.data.get("simotel.event.wake"):
            postcommit.data["simotel.event.wake"] = True
            postcommit.add(self._simotel_wake_cron)

    def _simotel_wake_cron(self):
        """After commit: wake the cron workers (a NOTIFY, about 2 ms) unless a run is looking for work.

        A run of :meth:`_cron_process` holds the advisory lock ``CRON_BUSY_LOCK`` in each of its
        transactions and, once it finds no work, looks again after releasing it. This delivery's
        report is committed before the lock is tested: either the run still holds it, and looks
        again after this commit, or it does not, and the workers are woken. No report waits for the
        workers' next poll (a minute), and a burst of reports does not wake the cron once per report:
        they are taken in batches by the run already going.
        """
        with sql_db.db_connect(self.env.cr.dbname).cursor() as cr:
            cr.execute("SELECT pg_try_advisory_xact_lock_shared(%s)", [CRON_BUSY_LOCK])
            idle = cr.fetchone()[0]
        if idle:
            self.env["ir.cron"]._notifydb()

    def _simotel_payload(self):
        """The normalized payload of this event."""
        self.ensure_one()
        return sea.normalize(self.event_name, json.loads(self.payload or "{}"))

    def _simotel_process(self, event_limit=None, deadline=None, counted=False, commit=None):
        """Process those of these events that are new or failed and not being processed elsewhere.

        Each event (or each batch of one name, see the class docstring) runs
        in its own savepoint: a failure marks the event ``failed`` with the
        error and never propagates; the raw event stays for the cron and the
        admins. Rows are locked (``SKIP LOCKED``) so that the cron, a Retry
        click and an inline delivery never process one event twice at once.

        The cron passes its limits (a delivery and a Retry click have none):

        :param event_limit: seconds one event may take. An event processed
            alone that takes longer is rolled back and ``failed`` (the cron
            retries it later, see :meth:`_simotel_pending`); a batch that
            takes longer is rolled back and processed again one by one, so
            that only its slow events fail.
        :param deadline: ``time.monotonic()`` value after which no further
            event is started (except a first one: every call makes progress),
            and a batch still running is stopped (rolled back, then processed
            one by one); the events not reached are left as they were.
        :param counted: the attempt was already counted (see :meth:`_cron_process`)
        :param commit: called after each event processed one by one and after
            each batch (the cron commits its progress there)
        :return: the events processed
        """
        if not self:
            return self
        self.flush_model()
        self.env.cr.execute(
            "SELECT id FROM simotel_event WHERE id = ANY(%s) AND state IN ('new', 'failed') "
            "ORDER BY id FOR UPDATE SKIP LOCKED",
            [self.ids],
        )
        events = self.browse([row[0] for row in self.env.cr.fetchall()])
        events.invalidate_recordset()
        processed = self.browse()

        def finish(results):
            nonlocal processed
            for event, (error, handled) in results.items():
                event._simotel_set_result(error, handled, counted)
                processed |= event
            if commit and results:
                commit()

        def out_of_time():
            return deadline is not None and time.monotonic() >= deadline

        for name in dict.fromkeys(events.mapped("event_name")):
            group = events.filtered_domain([("event_name", "=", name)])
            batch_method = "_simotel_process_batch_" + name.lower()
            if hasattr(self, batch_method) and len(group) > 1 and not out_of_time():
                payloads, failures = {}, {}
                started = time.monotonic()
                for event in group:
                    try:
                        payloads[event] = event._simotel_payload()
                    except Exception as e:  # noqa: BLE001 - this event fails, not its batch
                        failures[event] = event._simotel_failure(e)
                finish(failures)
                group = group.browse([event.id for event in group if event in payloads])
                batch_deadline = min(
                    started + (event_limit if event_limit is not None else float("inf")),
                    deadline if deadline is not None else float("inf"),
                )
                if batch_deadline != float("inf"):
                    group = group.with_context(simotel_batch_deadline=batch_deadline)
                try:
                    with self.env.cr.savepoint():
                        getattr(group, batch_method)(list(payloads.values()))
                        elapsed = time.monotonic() - started
                        if event_limit is not None and len(group) > 1 and elapsed > event_limit:
                            raise EventTooSlow(
                                "the batch took %.1f s, over the %s s limit of one event" % (elapsed, event_limit)
                            )
                except Exception as e:  # noqa: BLE001 - retried one by one below
                    _logger.info(
                        "Simotel batch of %s %s events failed, processing them one by one: %s", len(group), name, e
                    )
                else:
                    finish(dict.fromkeys(group, (None, True)))
                    continue
            for event in group.with_context(simotel_batch_deadline=None):
                if out_of_time() and processed:  # the first event always runs: each call makes progress
                    break
                finish({event: event._simotel_process_one(event_limit)})
        return processed

    def _simotel_process_inline(self, retry_conflict=True):
        """Process this event in the transaction that stored it (a delivery of an event processed at once).

        What :meth:`_simotel_process` does for one event, without its lock and
        re-read: no other transaction sees the row before this one commits, so
        the cron or a Retry click cannot be processing it. Two queries fewer per
        ``NewState``, the most frequent event of a call center.

        :param retry_conflict: a serialization failure (a concurrent event of the same agent row)
            propagates, for Odoo to run the whole delivery again; otherwise the event fails, and the
            cron retries it
        """
        self.ensure_one()
        inline = "retry" if retry_conflict else "fail"
        self._simotel_set_result(*self.with_context(simotel_inline=inline)._simotel_process_one())
        return self

    def _simotel_set_result(self, error, handled, counted=False):
        """Record the outcome of one processing attempt of this event (see :meth:`_simotel_process_one`)."""
        self.write(
            {
                "attempts": self.attempts + (0 if counted else 1),
                "processed_at": fields.Datetime.now(),
                "error": error or False,
                "state": "failed" if error else "done" if handled else "ignored",
            }
        )

    def _simotel_process_one(self, event_limit=None):
        """Run this event's handler in a savepoint; return ``(error or None, handled)``.

        With ``event_limit`` (seconds), a handler that takes longer is rolled back: the event fails.
        """
        handler = getattr(self, "_simotel_process_" + self.event_name.lower(), None)
        if handler is None:
            return None, False
        started = time.monotonic()
        try:
            with self.env.cr.savepoint():
                handler(self._simotel_payload())
                elapsed = time.monotonic() - started
                if event_limit is not None and elapsed > event_limit:
                    raise EventTooSlow(
                        "processing took %.1f s, over the %s s limit of one event" % (elapsed, event_limit)
                    )
        except Exception as e:  # noqa: BLE001 - any processing error keeps the raw event
            if (
                isinstance(e, psycopg2.errors.SerializationFailure)
                and self.env.context.get("simotel_inline") == "retry"
            ):
                raise  # the delivery is retried whole, this event with it (see _simotel_process_newstate)
            return self._simotel_failure(e)
        return None, True

    def _simotel_failure(self, error):
        """Log a processing error of this event; return its ``(error text, handled)`` result."""
        _logger.warning(
            "Simotel event %s (%s) failed: %s",
            self.id,
            self.event_name,
            error,
            exc_info=not isinstance(error, (sea.InboundError, EventTooSlow)),
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

    # Events the cron takes: deferred events still new; other events left new for STALE_DELAY
    # (a crash between store and inline processing); failed events, once per RETRY_DELAY.
    # Only events with attempts left: the cron counts an attempt before it starts one.
    _PENDING_SQL = """
          FROM simotel_event
         WHERE ((state = 'new' AND (event_name = ANY(%(deferred)s) OR received_at < %(stale)s))
                OR (state = 'failed' AND processed_at < %(retry)s))
           AND COALESCE(attempts, 0) < %(max)s
    """

    def _pending_params(self):
        now = fields.Datetime.now()
        return {
            "deferred": list(self._simotel_deferred_events),
            "stale": now - STALE_DELAY,
            "retry": now - RETRY_DELAY,
            "max": MAX_ATTEMPTS,
        }

    @api.model
    def _simotel_pending(self, limit):
        """Events waiting for the cron, locked for this transaction: at most ``limit`` fresh ones, oldest first.

        An event tried before (failed, or interrupted: still new after an
        attempt was counted, e.g. a cron worker killed at its time limit) is
        suspect: it comes alone, after every fresh event, so that it can
        neither fail nor slow down a batch of others.
        """
        self.flush_model()
        self.env.cr.execute(
            "SELECT id, COALESCE(attempts, 0) > 0 " + self._PENDING_SQL + " ORDER BY 2, id LIMIT %(limit)s "
            "FOR UPDATE SKIP LOCKED",
            {**self._pending_params(), "limit": limit},
        )
        rows = self.env.cr.fetchall()
        if rows and rows[0][1]:
            return self.sudo().browse(rows[0][0])
        return self.sudo().browse([event_id for event_id, tried in rows if not tried])

    @api.model
    def _simotel_pending_count(self):
        self.flush_model()
        self.env.cr.execute("SELECT count(*) " + self._PENDING_SQL, self._pending_params())
        return self.env.cr.fetchone()[0]

    @api.model
    def _simotel_fail_interrupted(self):
        """Fail the events still new with no attempt left (every attempt was interrupted): never tried again."""
        self.flush_model()
        self.env.cr.execute(
            """
            UPDATE simotel_event SET state = 'failed', processed_at = now() AT TIME ZONE 'UTC',
                   error = 'Processing was interrupted ' || attempts || ' times (over the time limit of the cron '
                           'worker?): not tried again automatically.'
             WHERE id IN (SELECT id FROM simotel_event WHERE state = 'new' AND attempts >= %s FOR UPDATE SKIP LOCKED)
         RETURNING id
            """,
            [MAX_ATTEMPTS],
        )
        failed = self.browse([row[0] for row in self.env.cr.fetchall()])
        if failed:
            failed.invalidate_recordset()
            _logger.warning(
                "Simotel events %s: processing interrupted %s times, marked failed", failed.ids, MAX_ATTEMPTS
            )
        return failed

    def _simotel_count_attempt(self, step=1):
        """Add ``step`` to these events' attempts, in SQL (the cron counts an attempt before it starts it)."""
        if self:
            self.flush_recordset(["attempts"])
            self.env.cr.execute(
                "UPDATE simotel_event SET attempts = COALESCE(attempts, 0) + %s WHERE id = ANY(%s)", [step, self.ids]
            )
            self.invalidate_recordset(["attempts"])

    @api.model
    def _simotel_cron_budget(self):
        """Seconds one call of the processing cron may take.

        The cron runner calls a job again (up to ``MAX_BATCH_PER_CRON_JOB``
        times) while it reports events remaining, all in one unit of work of
        the cron worker, which is killed beyond ``limit_time_real_cron``
        (``limit_time_real`` when unset) or ``limit_time_cpu``: one call takes
        its share of half the smallest of them, ``CRON_TIME_BUDGET`` at most.
        """
        real = config.get("limit_time_real_cron")
        if not real or real < 0:
            real = config.get("limit_time_real")
        limits = [limit for limit in (real, config.get("limit_time_cpu")) if limit and limit > 0]
        if not limits:
            return CRON_TIME_BUDGET
        return min(CRON_TIME_BUDGET, min(limits) / 2 / MAX_BATCH_PER_CRON_JOB)

    def _simotel_limit_statements(self, seconds):
        """Cancel any statement of this transaction running longer than ``seconds`` (a lock wait, a slow query)."""
        self.env.cr.execute("SELECT set_config('statement_timeout', %s, true)", ["%dms" % max(1, seconds * 1000)])

    @api.model
    def _cron_process(self, batch_size=None, time_budget=None):
        """Process waiting events in batches, committing each batch, within a time budget.

        Time accounting, so that no event can stall the queue:

        - each call stops starting batches after ``time_budget`` seconds
          (default :meth:`_simotel_cron_budget`) and reports what remains, so
          the cron runner calls again at once;
        - batches are sized from the measured cost of an event (the first one
          of a call has ``FIRST_BATCH_SIZE`` events, then at most
          ``batch_size``, default ``_simotel_batch_size``), so that a batch
          fits in half of the time left;
        - an attempt is counted and committed before an event is processed:
          an event whose processing was interrupted (worker killed) is tried
          again alone, after the others, and failed once it has no attempt left;
        - one event may take ``_simotel_event_time_limit`` seconds: beyond
          it, the event fails (statements are cancelled by PostgreSQL's
          ``statement_timeout``, slow Python is measured), see :meth:`_simotel_process`.

        Commits never happen in tests.
        """
        autocommit = not getattr(threading.current_thread(), "testing", False)
        budget = self._simotel_cron_budget() if time_budget is None else time_budget
        max_size = batch_size or self._simotel_batch_size
        event_limit = self._simotel_event_time_limit
        deadline = time.monotonic() + budget
        size, done = min(max_size, FIRST_BATCH_SIZE), 0
        self.env.cr.execute("SHOW statement_timeout")
        previous_timeout = self.env.cr.fetchone()[0]

        def looking():
            """This transaction of the run looks for work (see :meth:`_simotel_wake_cron`)."""
            self._simotel_limit_statements(event_limit)
            self.env.cr.execute("SELECT pg_advisory_xact_lock(%s)", [CRON_BUSY_LOCK])

        def commit():
            if autocommit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
                looking()

        self._simotel_fail_interrupted()
        looking()
        remaining = None
        try:
            while remaining is None:
                done_before = done
                while not done or time.monotonic() < deadline:  # the first batch always runs: progress
                    events = self._simotel_pending(size)
                    if not events:
                        break
                    events._simotel_count_attempt()
                    commit()
                    started = time.monotonic()
                    processed = events._simotel_process(
                        event_limit=event_limit, deadline=deadline, counted=True, commit=commit
                    )
                    (events - processed)._simotel_count_attempt(-1)
                    commit()
                    done += len(processed)
                    cost = (time.monotonic() - started) / max(len(processed), 1)
                    left = deadline - time.monotonic()
                    size = max(1, min(max_size, int(left / 2 / cost))) if cost > 0 else max_size
                if autocommit:
                    # Look again once the lock is released: a report committed meanwhile, whose
                    # delivery found the lock held, did not wake the cron workers.
                    self.env.cr.commit()  # pylint: disable=invalid-commit
                remaining = self._simotel_pending_count()
                if remaining and autocommit and time.monotonic() < deadline:
                    if done == done_before:  # pending but not taken (held by another transaction): not in a spin
                        time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))
                    looking()
                    remaining = None
        finally:
            if not autocommit:
                self.env.cr.execute("SELECT set_config('statement_timeout', %s, true)", [previous_timeout])
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
        """A finished queue call: same record as ``Cdr`` (first one of the two wins), and its queue figures."""
        self._simotel_process_cdr(payload)
        self.env["simotel.queue.call"]._simotel_on_cdr_queue(self.company_id, payload)

    def _simotel_live_cdrqueue(self, payload):
        """A finished queue call reaches the wallboard's figures now, its call record with the cron."""
        self.env["simotel.queue.call"]._simotel_on_cdr_queue(self.company_id, payload)

    def _simotel_process_newstate(self, payload):
        """An extension changed state: its agent state follows; ringing for a caller pops the caller's card."""
        try:
            with self.env.cr.savepoint():
                self.env["simotel.agent.state"]._simotel_on_new_state(self.company_id, payload, self.received_at)
        except (psycopg2.errors.SerializationFailure, psycopg2.errors.UniqueViolation) as e:
            if self.env.context.get("simotel_inline") and isinstance(e, psycopg2.errors.SerializationFailure):
                # A concurrent delivery for this extension committed first: this one, maybe newer, is
                # delivered again whole (Odoo retries a request that meets a serialization failure), or
                # fails for the cron to retry; then applied or, if older, ignored.
                raise
            _logger.info("Simotel NewState of extension %s: a concurrent event was applied first", payload.get("exten"))
        self.env["simotel.screen.pop"]._simotel_on_new_state(self.company_id, payload, self.received_at)
        self.env["simotel.screen.pop"]._simotel_on_state_change(self.company_id, payload)

    def _simotel_process_extenadded(self, payload):
        """The PBX defined an extension: it joins the directory."""
        self.env["simotel.extension"]._simotel_upsert(self.company_id, payload.get("exten") or payload.get("number"))

    def _simotel_process_extenremoved(self, payload):
        """The PBX removed an extension: archived in the directory."""
        number = payload.get("exten") or payload.get("number")
        self.env["simotel.extension"]._simotel_upsert(self.company_id, number, active=False)

    def _simotel_process_incomingcall(self, payload):
        """A call entered the PBX: pops the caller's card when it was dialled to an extension."""
        self.env["simotel.screen.pop"]._simotel_on_incoming_call(self.company_id, payload, self.received_at)

    def _simotel_process_transfer(self, payload):
        """A call was handed over: one step of its transfer chain (the call may not be reported yet)."""
        transfer = self.env["simotel.call.transfer"]._simotel_on_transfer(self.company_id, payload, self.received_at)
        self.call_id = transfer.call_id

    def _simotel_process_survey(self, payload):
        """The customer scored the call (the call may not be reported yet)."""
        survey, _created = self.env["simotel.call.survey"]._simotel_on_survey(self.company_id, payload)
        self.call_id = survey.call_id

    def _simotel_process_voicemail(self, payload):
        """A voicemail was left: a message (or a lead) in the CRM, and an activity for its owner."""
        self.env["simotel.voicemail"]._simotel_on_voicemail(self.company_id, payload)

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

    def _simotel_process_batch_cdrqueue(self, payloads):
        """``CdrQueue`` events of a batch: their calls as ``Cdr``, then their queue figures."""
        self._simotel_process_batch_cdr(payloads)
        for event, payload in zip(self, payloads, strict=True):
            self.env["simotel.queue.call"]._simotel_on_cdr_queue(event.company_id, payload)
