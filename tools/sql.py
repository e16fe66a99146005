"""SQL helpers Odoo does not have."""

from odoo.tools import SQL


def create_index(cr, name, table, expressions, where="", include=(), unique=False):
    """Create the btree index ``name`` on ``table`` unless it exists (Odoo's ``create_index`` has no
    ``INCLUDE``: covering columns let a query read the index alone; its ``create_unique_index`` has no
    ``WHERE``: a partial unique index holds a rule for some rows only)."""
    cr.execute(SQL("SELECT 1 FROM pg_indexes WHERE indexname = %s", name))
    if cr.fetchone():
        return
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
