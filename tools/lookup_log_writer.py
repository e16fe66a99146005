"""Writes the call-time lookup log behind the answers: a thread per process, one INSERT per second and database."""

import atexit
import contextlib
import logging
import os
import threading
import time
from collections import defaultdict

import psycopg2
from psycopg2.extras import execute_values

from odoo.modules.registry import Registry

_logger = logging.getLogger(__name__)

FLUSH_SECONDS = 1.0
MAX_PENDING_ROWS = 20_000  # per database: beyond it (database unreachable), the oldest rows are dropped
WARN_SECONDS = 60  # one warning a minute at most per database while rows cannot be written
# The API call and the partner may have been deleted since the lookup: rows of a deleted
# API call are dropped (as its rows would be) and a deleted partner becomes empty.
INSERT_SQL = """
    INSERT INTO simotel_lookup_log
        (api_call_id, company_id, number, code, unique_id, partner_id, status, result, duration_ms,
         create_date, write_date)
    SELECT a.id, a.company_id, v.number, v.code, v.unique_id, p.id, v.status, v.result, v.duration_ms,
           v.created, v.created
      FROM (VALUES %s) AS v(api_call_id, number, code, unique_id, partner_id, status, result, duration_ms, created)
      JOIN simotel_api_call a ON a.id = v.api_call_id
      LEFT JOIN res_partner p ON p.id = v.partner_id
"""
ROW_TEMPLATE = "(%s::int, %s, %s, %s, %s::int, %s::int, %s, %s::int, %s::timestamp)"
# Text columns of a row (number, code, unique_id, result) and the length each is cut to.
TEXT_LIMITS = {1: 64, 2: 64, 3: 128, 6: 512}
CONNECTION_ERRORS = (psycopg2.OperationalError, psycopg2.InterfaceError)


def clean_row(row):
    """``row`` as PostgreSQL takes it: text without NUL bytes nor lone surrogates, cut to its column's length."""
    row = list(row)
    for index, limit in TEXT_LIMITS.items():
        value = row[index]
        if value is not None and not isinstance(value, str):
            value = str(value)
        if value:
            value = value.replace("\x00", "")[:limit].encode("utf-8", "replace").decode("utf-8")
        row[index] = value
    return tuple(row)


class LookupLogWriter:
    """Writes lookup rows behind the answers: at most one INSERT and commit per second and database.

    A lookup only appends its row to memory, so the call path pays no write,
    no foreign key check and no commit. A daemon thread of each process writes
    the rows of the last second in one statement; rows still waiting are written
    when the process exits. A hard kill can lose the last second of rows, and
    rows wait while the database is unreachable (the oldest are dropped beyond
    ``MAX_PENDING_ROWS``). In test mode rows are written at once, in the test
    transaction.
    """

    def __init__(self):
        self._rows = defaultdict(list)
        self._registries = {}
        self._warned = {}
        self._lock = threading.Lock()
        self._pid = None

    def add(self, registry, row):
        """Queue ``row`` of ``registry``'s database; written within a second (at once in test mode)."""
        self._queue(registry, row)
        if registry.in_test_mode():
            self.flush()
        elif self._pid != os.getpid():
            with self._lock:
                if self._pid != os.getpid():
                    self._start()

    def _queue(self, registry, row):
        row = clean_row(row)
        with self._lock:
            self._registries[registry.db_name] = registry
            rows = self._rows[registry.db_name]
            rows.append(row)
            if len(rows) > MAX_PENDING_ROWS:
                del rows[: len(rows) - MAX_PENDING_ROWS]
                self._warn(registry.db_name, "%s unreachable, dropping the oldest rows", registry.db_name)

    def _start(self):
        """Start the writer thread of this process (a forked worker has none of its parent's threads)."""
        self._pid = os.getpid()
        threading.Thread(target=self._run, name="simotel.lookup.log.writer", daemon=True).start()

    def _run(self):
        while True:
            time.sleep(FLUSH_SECONDS)
            self.flush()

    def flush(self):
        """Write the waiting rows.

        Rows of a database that cannot be reached wait for the next time; rows
        of a database this process no longer serves (dropped) are dropped. A
        pooled connection found dead (database restarted or failed over) is
        closed, so that the pool forgets it, and the rows are written at once
        through a new one. When PostgreSQL refuses the statement, the rows are
        written one by one and only those it refuses are dropped (one log line).
        """
        with self._lock:
            pending, self._rows = self._rows, defaultdict(list)
        for db_name, rows in pending.items():
            if db_name not in Registry.registries:
                _logger.warning("Simotel lookup log: %s is no longer served, %d rows dropped", db_name, len(rows))
                self._registries.pop(db_name, None)
                continue
            registry = self._registries[db_name]
            try:
                try:
                    self._write(registry, rows, self._insert_all)
                except CONNECTION_ERRORS:
                    raise
                except Exception as e:  # noqa: BLE001 - written one by one below
                    refused, error = self._write(registry, rows, self._insert_one_by_one)
                    _logger.warning(
                        "Simotel lookup log: %d of %d rows of %s refused by the database and dropped "
                        "(first error: %s: %s)",
                        refused,
                        len(rows),
                        db_name,
                        type(error or e).__name__,
                        str(error or e).strip()[:200],
                    )
            except CONNECTION_ERRORS:
                self._warn(db_name, "%s unreachable, %d rows wait", db_name, len(rows))
                with self._lock:
                    self._rows[db_name][:0] = rows
            except Exception:
                _logger.exception("Simotel lookup log: %d rows of %s could not be written", len(rows), db_name)

    def _write(self, registry, rows, insert):
        """Run ``insert(cr, rows)`` in a transaction of ``registry``'s database and commit; return its result.

        A connection that dies under the statement (an idle pooled connection
        of a database restarted or failed over) is closed and the rows are
        written through a new connection; a database that cannot be
        connected to raises.
        """
        for attempt in (1, 2):
            cr = registry.cursor()
            try:
                cr.execute("SET LOCAL synchronous_commit TO OFF")
                result = insert(cr, rows)
                # The writer's own transaction, not a request's.
                cr.commit()  # pylint: disable=invalid-commit
                return result
            except CONNECTION_ERRORS as e:
                cnx = getattr(cr, "_cnx", None)
                if cnx is not None and not cnx.closed:
                    cnx.close()  # the pool forgets a closed connection
                if attempt == 2:
                    raise
                _logger.info("Simotel lookup log: connection to %s lost (%s), reconnecting", registry.db_name, e)
            finally:
                with contextlib.suppress(*CONNECTION_ERRORS):  # a dead connection: already closed above
                    cr.close()

    @staticmethod
    def _insert_all(cr, rows):
        execute_values(cr._obj, INSERT_SQL, rows, template=ROW_TEMPLATE, page_size=1000)

    @staticmethod
    def _insert_one_by_one(cr, rows):
        """Insert each row in a savepoint; return ``(rows refused, first error)``."""
        refused, first_error = 0, None
        for row in rows:
            try:
                with cr.savepoint(flush=False):
                    execute_values(cr._obj, INSERT_SQL, [row], template=ROW_TEMPLATE)
            except CONNECTION_ERRORS:
                raise
            except Exception as e:  # noqa: BLE001 - this row is dropped, the others are written
                refused += 1
                first_error = first_error or e
        return refused, first_error

    def _warn(self, db_name, message, *args):
        """Log a warning about ``db_name`` at most once a minute."""
        now = time.monotonic()
        if now - self._warned.get(db_name, -WARN_SECONDS) >= WARN_SECONDS:
            self._warned[db_name] = now
            _logger.warning("Simotel lookup log: " + message, *args)


WRITER = LookupLogWriter()
atexit.register(WRITER.flush)
