"""The first schema versions, kept as the bodies of the Alembic revisions that reach them.

* **1** — tables ``crm_<aggregate>`` with id, version, owner, account, status, stage, name,
  remote id, timestamps and the JSON document.
* **2** — adds ``segment`` (indexed) and ``custom`` (JSON; JSONB + GIN index on PostgreSQL)
  so segments and custom properties are queryable; back-filled from each row's document.

Examples:
    >>> from crmkit.adapters.sql.migrations.legacy import create_version_1, upgrade_1_to_2
    >>> callable(create_version_1) and callable(upgrade_1_to_2)
    True
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from crmkit.adapters.aggregate import aggregate_for
from crmkit.adapters.sql.schema import json_type, schema_table, table_name
from crmkit.extras import require

if TYPE_CHECKING:
    import sqlalchemy as sa

__all__ = ["LEGACY_AGGREGATES", "create_version_1", "upgrade_1_to_2"]

#: The aggregates schemas 1 and 2 had a table for (later ones arrived with schema 3).
LEGACY_AGGREGATES = (
    "accounts",
    "contacts",
    "leads",
    "opportunities",
    "interactions",
    "cases",
    "orders",
    "campaigns",
    "products",
)


def create_version_1(connection: sa.Connection) -> None:
    """Create the version-1 schema (kept to test upgrades of old databases).

    Examples:
        >>> import sqlalchemy as sa
        >>> from crmkit.adapters.sql.migrations.legacy import create_version_1
        >>> engine = sa.create_engine("sqlite://")
        >>> with engine.begin() as conn:
        ...     create_version_1(conn)
        ...     conn.exec_driver_sql("select version from crmkit_schema").scalar()
        1
    """
    sa_ = require("sqlalchemy", "sql")
    metadata = sa_.MetaData()
    version_table = schema_table(metadata)
    for aggregate in LEGACY_AGGREGATES:
        sa_.Table(
            table_name(aggregate),
            metadata,
            sa_.Column("id", sa_.String(64), primary_key=True),
            sa_.Column("version", sa_.Integer, nullable=False),
            sa_.Column("owner_id", sa_.String(64), index=True),
            sa_.Column("account_id", sa_.String(64), index=True),
            sa_.Column("status", sa_.String(64), index=True),
            sa_.Column("stage", sa_.String(128), index=True),
            sa_.Column("name", sa_.Text),
            sa_.Column("remote_id", sa_.String(255), unique=True),
            sa_.Column("created_us", sa_.BigInteger, nullable=False),
            sa_.Column("updated_us", sa_.BigInteger, nullable=False, index=True),
            sa_.Column("document", sa_.Text, nullable=False),
        )
    metadata.create_all(connection)
    connection.execute(version_table.insert().values(id=1, version=1))


def upgrade_1_to_2(connection: sa.Connection) -> None:
    """Add ``segment`` and ``custom`` to every table and fill them from the documents.

    Examples:
        >>> import sqlalchemy as sa
        >>> from crmkit.adapters.sql.migrations.legacy import create_version_1, upgrade_1_to_2
        >>> engine = sa.create_engine("sqlite://")
        >>> with engine.begin() as conn:
        ...     create_version_1(conn)
        ...     upgrade_1_to_2(conn)
        ...     "segment" in {c["name"] for c in sa.inspect(conn).get_columns("crm_accounts")}
        True
    """
    sa_ = require("sqlalchemy", "sql")
    dialect = connection.dialect.name
    jtype = json_type(dialect)
    for aggregate in LEGACY_AGGREGATES:
        name = table_name(aggregate)
        custom_ddl = "JSONB" if dialect == "postgresql" else "JSON"
        connection.exec_driver_sql(f"ALTER TABLE {name} ADD COLUMN segment VARCHAR(128)")
        connection.exec_driver_sql(
            f"ALTER TABLE {name} ADD COLUMN custom {custom_ddl} NOT NULL DEFAULT '{{}}'"
        )
        connection.exec_driver_sql(f"CREATE INDEX ix_{name}_segment ON {name} (segment)")
        if dialect == "postgresql":
            connection.exec_driver_sql(
                f"CREATE INDEX ix_{name}_custom ON {name} USING gin (custom)"
            )
        agg = aggregate_for(aggregate)
        table = sa_.table(
            name,
            sa_.column("id", sa_.String),
            sa_.column("document", sa_.Text),
            sa_.column("segment", sa_.String),
            sa_.column("custom", jtype),
        )
        rows = connection.execute(sa_.select(table.c.id, table.c.document)).all()
        updates: list[dict[str, Any]] = []
        for row in rows:
            document = json.loads(row.document)
            segment: str | None = None
            attr = agg.fields.get("segment")
            if attr is not None and document.get(attr) is not None:
                segment = str(document[attr])
            updates.append(
                {"key": row.id, "segment": segment, "custom": document.get("custom") or {}}
            )
        if updates:
            connection.execute(
                table.update()
                .where(table.c.id == sa_.bindparam("key"))
                .values(segment=sa_.bindparam("segment"), custom=sa_.bindparam("custom")),
                updates,
            )
