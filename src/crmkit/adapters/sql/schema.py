"""The SQL schema of the crmkit store (version 2) and how to build it with SQLAlchemy Core.

One table per aggregate, named ``crm_<aggregate>`` (``crm_accounts`` …), with the queryable
values as indexed columns and the full serialised entity as a JSON ``document`` so nothing is
lost:

============== ============================================================================
column         meaning
============== ============================================================================
id             the entity id (primary key)
version        the optimistic-concurrency version
owner_id       owner (a case's agent), indexed
account_id     the account the entity belongs to, indexed
status         status value, indexed
stage          an opportunity's stage key, indexed
segment        segment value (an account's tier …), indexed — added in version 2
name           lower-cased name text that name search matches
remote_id      id in an external system, unique
created_us     ``created_at`` in microseconds since the epoch
updated_us     ``updated_at`` in microseconds since the epoch, indexed
custom         the custom properties as JSON (JSONB with a GIN index on PostgreSQL) — version 2
document       the whole entity as JSON text (:func:`crmkit.serde.to_dict`)
============== ============================================================================

``crmkit_schema`` holds one row with the schema version. :mod:`crmkit.adapters.sql.migrations`
upgrades older databases.

Examples:
    >>> from crmkit.adapters.sql.schema import SCHEMA_VERSION, table_name
    >>> SCHEMA_VERSION, table_name("accounts")
    (2, 'crm_accounts')
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crmkit.adapters.aggregate import aggregate_names
from crmkit.extras import require

if TYPE_CHECKING:
    import sqlalchemy as sa

__all__ = [
    "SCHEMA_TABLE",
    "SCHEMA_VERSION",
    "build_metadata",
    "json_type",
    "table_name",
]

#: The schema version this crmkit writes and reads.
SCHEMA_VERSION = 2
#: The table that records the schema version.
SCHEMA_TABLE = "crmkit_schema"


def table_name(aggregate: str) -> str:
    """The table that holds an aggregate.

    Examples:
        >>> from crmkit.adapters.sql.schema import table_name
        >>> table_name("opportunities")
        'crm_opportunities'
    """
    return f"crm_{aggregate}"


def json_type(dialect: str) -> Any:
    """The column type for JSON values: JSONB on PostgreSQL, SQLAlchemy's JSON elsewhere.

    Examples:
        >>> from crmkit.adapters.sql.schema import json_type
        >>> type(json_type("postgresql")).__name__, type(json_type("sqlite")).__name__
        ('JSONB', 'JSON')
    """
    sa = require("sqlalchemy", "sql")
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import JSONB

        return JSONB()
    return sa.JSON()


def schema_table(metadata: sa.MetaData) -> sa.Table:
    """Define the ``crmkit_schema`` table (one row: the schema version) on ``metadata``.

    Examples:
        >>> import sqlalchemy as sa
        >>> from crmkit.adapters.sql.schema import schema_table
        >>> [c.name for c in schema_table(sa.MetaData()).columns]
        ['id', 'version']
    """
    sa_ = require("sqlalchemy", "sql")
    table: sa.Table = sa_.Table(
        SCHEMA_TABLE,
        metadata,
        sa_.Column("id", sa_.Integer, primary_key=True),
        sa_.Column("version", sa_.Integer, nullable=False),
    )
    return table


def build_metadata(dialect: str) -> tuple[sa.MetaData, dict[str, sa.Table]]:
    """The current (version 2) schema for ``dialect``: metadata and the tables by aggregate.

    Examples:
        >>> from crmkit.adapters.sql.schema import build_metadata
        >>> metadata, tables = build_metadata("sqlite")
        >>> sorted(tables)[:2], "custom" in tables["accounts"].c
        (['accounts', 'campaigns'], True)
    """
    sa_ = require("sqlalchemy", "sql")
    metadata = sa_.MetaData()
    schema_table(metadata)
    tables: dict[str, sa.Table] = {}
    for aggregate in aggregate_names():
        name = table_name(aggregate)
        table = sa_.Table(
            name,
            metadata,
            sa_.Column("id", sa_.String(64), primary_key=True),
            sa_.Column("version", sa_.Integer, nullable=False),
            sa_.Column("owner_id", sa_.String(64), index=True),
            sa_.Column("account_id", sa_.String(64), index=True),
            sa_.Column("status", sa_.String(64), index=True),
            sa_.Column("stage", sa_.String(128), index=True),
            sa_.Column("segment", sa_.String(128), index=True),
            sa_.Column("name", sa_.Text),
            sa_.Column("remote_id", sa_.String(255), unique=True),
            sa_.Column("created_us", sa_.BigInteger, nullable=False),
            sa_.Column("updated_us", sa_.BigInteger, nullable=False, index=True),
            sa_.Column("custom", json_type(dialect), nullable=False),
            sa_.Column("document", sa_.Text, nullable=False),
        )
        if dialect == "postgresql":
            sa_.Index(f"ix_{name}_custom", table.c.custom, postgresql_using="gin")
        tables[aggregate] = table
    return metadata, tables
