"""The body of revision ``0003``: rebuild every table in the schema-3 layout from its documents.

The rows of all tables are read (version and document), the old tables dropped, the new ones
created and the rows written back through the same row builder the store uses, so typed
columns are filled exactly as new writes fill them. A row that names an account that is not
stored would break its new foreign key: the upgrade stops and names it, and the caller's
transaction leaves the database as it was.

Examples:
    >>> import sqlalchemy as sa
    >>> from crmkit.adapters.sql.migrations.legacy import create_version_1, upgrade_1_to_2
    >>> from crmkit.adapters.sql.migrations.rebuild import rebuild_to_3
    >>> with sa.create_engine("sqlite://").begin() as conn:
    ...     create_version_1(conn)
    ...     upgrade_1_to_2(conn)
    ...     rebuild_to_3(conn)
    ...     "total" in {c["name"] for c in sa.inspect(conn).get_columns("crm_orders")}
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crmkit.adapters.aggregate import aggregate_for, aggregates
from crmkit.adapters.sql.migrations.legacy import LEGACY_AGGREGATES
from crmkit.adapters.sql.schema import DELETE_POLICY, build_metadata, entity_row, table_name
from crmkit.adapters.sql.views import create_views
from crmkit.errors import SchemaVersionError
from crmkit.extras import require

if TYPE_CHECKING:
    import sqlalchemy as sa

__all__ = ["rebuild_to_3"]

_BATCH = 1000


def rebuild_to_3(connection: sa.Connection) -> None:
    """Rebuild the ``crm_<aggregate>`` tables in the schema-3 layout, keeping every row.

    Raises:
        SchemaVersionError: a row names an account that is not stored (up to 5 are named).
    """
    sa_ = require("sqlalchemy", "sql")
    metadata, tables = build_metadata(connection.dialect.name)
    stored: dict[str, list[Any]] = {name: [] for name in tables}
    for name in LEGACY_AGGREGATES:
        agg = aggregate_for(name)
        old = sa_.table(table_name(agg.name), sa_.column("version"), sa_.column("document"))
        stored[agg.name] = [
            (row.version, agg.from_document(row.document))
            for row in connection.execute(sa_.select(old.c.version, old.c.document))
        ]
    account_ids = {entity.id for _, entity in stored.get("accounts", [])}
    dangling = [
        f"{name} {entity.id!r} names account {entity.account_id!r}"
        for name in DELETE_POLICY
        for _, entity in stored.get(name, [])
        if entity.account_id is not None and entity.account_id not in account_ids
    ]
    if dangling:
        shown = "; ".join(dangling[:5]) + (" …" if len(dangling) > 5 else "")
        raise SchemaVersionError.single(
            "schema_version",
            2,
            f"cannot be upgraded to 3: {len(dangling)} row(s) name an account that is not "
            f"stored ({shown}); schema 3 enforces these references. Add the accounts (or "
            "clear the references) with the previous crmkit, then open the database again",
        )
    for name in reversed(LEGACY_AGGREGATES):
        connection.exec_driver_sql(f"DROP TABLE {table_name(name)}")
    metadata.create_all(connection, tables=list(tables.values()))
    for agg in aggregates():  # accounts come first, so foreign keys find their parents
        rows = [entity_row(agg, entity, version) for version, entity in stored[agg.name]]
        for start in range(0, len(rows), _BATCH):
            connection.execute(tables[agg.name].insert(), rows[start : start + _BATCH])
    create_views(connection)
