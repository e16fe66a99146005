"""Retention: deleting old rows of a large table in short transactions."""

import threading

from psycopg2 import sql

BATCH_SIZE = 10_000


def delete_in_batches(cr, table, where, params, batch_size=BATCH_SIZE):
    """Delete the rows of ``table`` matching ``where`` (SQL with ``%s`` placeholders for ``params``),
    ``batch_size`` rows per statement, committing after each (except in tests); return how many.

    Each statement picks its rows through an index on the condition's column: a day of lookups or
    events is then many short transactions instead of one that holds locks and WAL for minutes.
    """
    autocommit = not getattr(threading.current_thread(), "testing", False)
    query = sql.SQL("DELETE FROM {table} WHERE id IN (SELECT id FROM {table} WHERE {where} LIMIT %s)").format(
        table=sql.Identifier(table), where=sql.SQL(where)
    )
    deleted = 0
    while True:
        cr.execute(query, [*params, batch_size])
        deleted += cr.rowcount
        if autocommit:
            cr.commit()  # pylint: disable=invalid-commit  (autovacuum job: one short transaction per batch)
        if cr.rowcount < batch_size:
            return deleted
