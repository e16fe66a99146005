"""SQL helpers Odoo does not have."""

from psycopg2 import sql


def create_index(cr, name, table, expressions, where="", include=()):
    """Create the btree index ``name`` on ``table`` unless it exists (Odoo's ``create_index`` has no
    ``INCLUDE``: covering columns let a query read the index alone)."""
    cr.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [name])
    if cr.fetchone():
        return
    cr.execute(
        sql.SQL("CREATE INDEX {name} ON {table} ({expressions}){include}{where}").format(
            name=sql.Identifier(name),
            table=sql.Identifier(table),
            expressions=sql.SQL(", ").join(sql.SQL(expression) for expression in expressions),
            include=sql.SQL(" INCLUDE ({})").format(sql.SQL(", ").join(map(sql.Identifier, include)))
            if include
            else sql.SQL(""),
            where=sql.SQL(" WHERE {}").format(sql.SQL(where)) if where else sql.SQL(""),
        )
    )
