"""SQL helpers Odoo does not have."""

from odoo.tools import SQL


def create_index(cr, name, table, expressions, where="", include=()):
    """Create the btree index ``name`` on ``table`` unless it exists (Odoo's ``create_index`` has no
    ``INCLUDE``: covering columns let a query read the index alone)."""
    cr.execute(SQL("SELECT 1 FROM pg_indexes WHERE indexname = %s", name))
    if cr.fetchone():
        return
    cr.execute(
        SQL(
            "CREATE INDEX %s ON %s (%s)%s%s",
            SQL.identifier(name),
            SQL.identifier(table),
            SQL(", ").join(SQL(expression) for expression in expressions),
            SQL(" INCLUDE (%s)", SQL(", ").join(SQL.identifier(column) for column in include)) if include else SQL(),
            SQL(" WHERE %s", SQL(where)) if where else SQL(),
        )
    )
