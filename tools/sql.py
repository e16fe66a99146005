"""SQL helpers Odoo does not have."""

import re

from odoo.tools import SQL


def create_index(cr, name, table, expressions, where="", include=(), unique=False):
    """Create the btree index ``name`` on ``table`` unless it exists (Odoo's ``create_index`` has no
    ``INCLUDE``: covering columns let a query read the index alone; its ``create_unique_index`` has no
    ``WHERE``: a partial unique index holds a rule for some rows only).

    An index of that name that covers other columns than ``include`` (an older version of it) is
    dropped and built again: on a large table, that holds a write lock on it while it builds."""
    cr.execute(SQL("SELECT indexdef FROM pg_indexes WHERE indexname = %s", name))
    row = cr.fetchone()
    if row:
        covered = re.search(r" INCLUDE \(([^)]*)\)", row[0])
        columns = {column.strip().strip('"') for column in covered.group(1).split(",")} if covered else set()
        if columns == set(include):
            return
        cr.execute(SQL("DROP INDEX %s", SQL.identifier(name)))
    cr.execute(
        SQL(
            "CREATE %sINDEX %s ON %s (%s)%s%s",
            SQL("UNIQUE ") if unique else SQL(),
            SQL.identifier(name),
            SQL.identifier(table),
            SQL(", ").join(SQL(expression) for expression in expressions),
            SQL(" INCLUDE (%s)", SQL(", ").join(SQL.identifier(column) for column in include)) if include else SQL(),
            SQL(" WHERE %s", SQL(where)) if where else SQL(),
        )
    )
