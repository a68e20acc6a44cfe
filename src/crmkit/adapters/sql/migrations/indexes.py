"""The body of revision ``0005``: the indexes of columns that can be empty become partial.

Schema 5 keeps every table and row as they are; it replaces each index of a column that can
be empty (:func:`crmkit.adapters.sql.schema.partial_index_columns`: an account's
``account_id``, ``stage``, ``phone`` …) by the same index leaving the empty rows out
(``WHERE column IS NOT NULL``), on SQLite and PostgreSQL. An index that is already partial
(a database upgraded from schema 3 or earlier in the same run gets the current indexes when
its tables are built) is left alone; a missing one is created.

Examples:
    >>> import sqlalchemy as sa
    >>> from crmkit.adapters.sql.migrations.indexes import make_partial
    >>> from crmkit.adapters.sql.schema import build_metadata
    >>> with sa.create_engine("sqlite://").begin() as conn:
    ...     build_metadata("sqlite")[1]["accounts"].create(conn)
    ...     _ = conn.exec_driver_sql("DROP INDEX ix_crm_accounts_stage")  # as schema 4 had it:
    ...     _ = conn.exec_driver_sql("CREATE INDEX ix_crm_accounts_stage ON crm_accounts (stage)")
    ...     make_partial(conn)
    ...     where = "type = 'index' AND name = 'ix_crm_accounts_stage'"
    ...     conn.exec_driver_sql(f"SELECT sql FROM sqlite_master WHERE {where}").scalar()
    ['ix_crm_accounts_stage']
    'CREATE INDEX ix_crm_accounts_stage ON crm_accounts (stage) WHERE stage IS NOT NULL'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from crmkit.adapters.aggregate import aggregate_names
from crmkit.adapters.sql.schema import build_metadata, partial_index_columns
from crmkit.extras import require

if TYPE_CHECKING:
    import sqlalchemy as sa

__all__ = ["make_partial"]


def _definition(connection: sa.Connection, name: str) -> str | None:
    """The stored ``CREATE INDEX`` text of index ``name`` (None when there is none)."""
    sa_ = require("sqlalchemy", "sql")
    if connection.dialect.name == "sqlite":
        query = "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :name"
    else:
        query = (
            "SELECT indexdef FROM pg_indexes"
            " WHERE schemaname = current_schema() AND indexname = :name"
        )
    found: str | None = connection.execute(sa_.text(query), {"name": name}).scalar()
    return found


def make_partial(connection: sa.Connection, aggregates: Iterable[str] | None = None) -> list[str]:
    """Make the indexes of the columns that can be empty partial, in the tables of
    ``aggregates`` that exist (all aggregates by default); the indexes made, by name.

    Each is dropped and created again as :func:`~crmkit.adapters.sql.schema.build_metadata`
    defines it; one already partial is left as it is. The caller owns the transaction.
    """
    tables = build_metadata(connection.dialect.name)[1]
    sa_ = require("sqlalchemy", "sql")
    existing = set(sa_.inspect(connection).get_table_names())
    made: list[str] = []
    for aggregate in aggregate_names() if aggregates is None else aggregates:
        table = tables[aggregate]
        if table.name not in existing:
            continue
        wanted = {f"ix_{table.name}_{column}" for column in partial_index_columns(aggregate)}
        for index in sorted(table.indexes, key=lambda index: str(index.name)):
            name = str(index.name)
            if name not in wanted:
                continue
            definition = _definition(connection, name)
            if definition is not None and " WHERE " in definition.upper():
                continue  # partial already
            if definition is not None:
                connection.exec_driver_sql(f'DROP INDEX "{name}"')
            index.create(connection)
            made.append(name)
    return made
