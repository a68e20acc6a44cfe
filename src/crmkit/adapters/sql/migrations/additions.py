"""The body of revision ``0004``: add what a schema-3 database lacks, in place.

Schema 4 adds tables (the object-model aggregates, ``crm_exchange_rates``, the audit trail)
and columns to existing tables (an account's ``parent_id``). Nothing is rebuilt: missing
tables are created with their indexes; a missing column is added (with its foreign key and
index) and filled from each row's stored document by the same row builder the store writes
with, so the existing rows keep everything they had and gain the new typed values. The views
are dropped first and created again over the new layout (``crm_v_tasks`` …).

Examples:
    >>> import sqlalchemy as sa
    >>> from crmkit.adapters.sql.migrations.additions import add_missing
    >>> with sa.create_engine("sqlite://").begin() as conn:
    ...     add_missing(conn)
    ...     "crm_quotes" in sa.inspect(conn).get_table_names()
    []
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crmkit.adapters.aggregate import aggregate_for
from crmkit.adapters.sql.schema import build_metadata, entity_row
from crmkit.adapters.sql.views import create_views, drop_views
from crmkit.extras import require

if TYPE_CHECKING:
    import sqlalchemy as sa

__all__ = ["add_missing"]

_BATCH = 1000


def _add_column(connection: sa.Connection, table: sa.Table, column: sa.Column[Any]) -> None:
    """``ALTER TABLE … ADD COLUMN`` with the column's foreign key inline (SQLite can add a
    foreign key no other way)."""
    sa_ = require("sqlalchemy", "sql")
    dialect = connection.dialect
    ddl = str(sa_.schema.CreateColumn(column).compile(dialect=dialect))
    for fk in column.foreign_keys:
        target = fk.column
        ddl += f" CONSTRAINT {fk.name} REFERENCES {target.table.name} ({target.name})"
        if fk.ondelete:
            ddl += f" ON DELETE {fk.ondelete}"
    connection.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {ddl}")


def _fill(connection: sa.Connection, aggregate: str, table: sa.Table, added: list[str]) -> None:
    """Fill the ``added`` columns of every row from its stored document."""
    sa_ = require("sqlalchemy", "sql")
    agg = aggregate_for(aggregate)
    stored = connection.execute(sa_.select(table.c.id, table.c.version, table.c.document)).all()
    statement = (
        table.update()
        .where(table.c.id == sa_.bindparam("_id"))
        .values({name: sa_.bindparam(f"_{name}") for name in added})
    )
    params = []
    for row in stored:
        values = entity_row(agg, agg.from_document(row.document), row.version)
        params.append({"_id": row.id, **{f"_{name}": values.get(name) for name in added}})
    for start in range(0, len(params), _BATCH):
        connection.execute(statement, params[start : start + _BATCH])


def add_missing(connection: sa.Connection) -> list[str]:
    """Create the tables and add the columns of the current schema a database lacks, fill the
    new columns from the stored documents, recreate the views; the columns added
    (``table.column``). Tables and columns that exist are left as they are."""
    sa_ = require("sqlalchemy", "sql")
    metadata, tables = build_metadata(connection.dialect.name)
    drop_views(connection)
    inspector = sa_.inspect(connection)
    existing = set(inspector.get_table_names())
    added_columns: list[str] = []
    for table in metadata.sorted_tables:
        if table.name not in existing:
            continue
        present = {c["name"] for c in inspector.get_columns(table.name)}
        added = [c.name for c in table.columns if c.name not in present]
        for name in added:
            _add_column(connection, table, table.c[name])
        for index in table.indexes:
            if any(c.name in added for c in index.columns):
                index.create(connection)
        aggregate = next((a for a, t in tables.items() if t is table), None)
        if added and aggregate is not None:
            _fill(connection, aggregate, table, added)
        added_columns += [f"{table.name}.{name}" for name in added]
    metadata.create_all(connection, checkfirst=True)
    create_views(connection)
    return added_columns
