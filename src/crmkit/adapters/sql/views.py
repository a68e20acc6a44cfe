"""Read-only SQL views for BI tools: one ``crm_v_<aggregate>`` per aggregate, plus order lines.

Each view shows an aggregate's typed columns under plain names (``name`` is the entity's own
name, not the lower-cased search text), its status, owner, account and timestamps, without
the JSON document. ``crm_v_order_lines`` has one row per order line: ``order_id``,
``account_id``, ``ordered_at``, ``line_no`` (from 0), ``product_id``, ``quantity``,
``unit_price``, ``currency`` and ``discount``.

Examples:
    >>> from crmkit.adapters.sql.views import VIEWS, view_name
    >>> view_name("orders"), "crm_v_order_lines" in VIEWS
    ('crm_v_orders', True)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crmkit.adapters.aggregate import aggregate_for, aggregate_names
from crmkit.adapters.sql.schema import COLUMNS, table_name

if TYPE_CHECKING:
    import sqlalchemy as sa

__all__ = ["VIEWS", "create_views", "drop_views", "view_columns", "view_name", "view_sql"]

# Typed columns shown under another name in the views.
_RENAMED = {
    "account_name": "name",
    "opportunity_name": "name",
    "campaign_name": "name",
    "product_name": "name",
    "agreement_name": "name",
    "user_name": "name",
    "team_name": "name",
    "territory_name": "name",
    "price_book_name": "name",
}


def view_name(aggregate: str) -> str:
    """The BI view of an aggregate.

    Examples:
        >>> from crmkit.adapters.sql.views import view_name
        >>> view_name("accounts")
        'crm_v_accounts'
    """
    return f"crm_v_{aggregate}"


#: Every view crmkit creates.
VIEWS: tuple[str, ...] = (*(view_name(a) for a in aggregate_names()), "crm_v_order_lines")


def view_columns(aggregate: str) -> list[tuple[str, str]]:
    """The ``(table column, view column)`` pairs of an aggregate's view, in order.

    Examples:
        >>> from crmkit.adapters.sql.views import view_columns
        >>> ("account_name", "name") in view_columns("accounts")
        True
    """
    agg = aggregate_for(aggregate)
    columns = ["id", "version"]
    core = ("owner_id", "account_id", "status", "stage", "segment")
    columns += [c for c in core if c in agg.fields]
    pairs = [(c, c) for c in columns]
    for spec in COLUMNS.get(agg.name, ()):
        if spec.kind == "json":
            continue
        pairs.append((spec.column, _RENAMED.get(spec.column, spec.column)))
        if spec.currency is not None:
            pairs.append((spec.currency, spec.currency))
    pairs += [(c, c) for c in ("remote_id", "created_at", "updated_at")]
    return pairs


def view_sql(aggregate: str) -> str:
    """The ``SELECT`` of an aggregate's view.

    Examples:
        >>> from crmkit.adapters.sql.views import view_sql
        >>> view_sql("orders").startswith("SELECT id, version, owner_id, account_id, status")
        True
    """
    shown = [c if c == v else f"{c} AS {v}" for c, v in view_columns(aggregate)]
    return f"SELECT {', '.join(shown)} FROM {table_name(aggregate_for(aggregate).name)}"


def _order_lines_sql(dialect: str) -> str:
    if dialect == "postgresql":
        return (
            "SELECT o.id AS order_id, o.account_id, o.ordered_at, l.ordinality - 1 AS line_no, "
            "l.value ->> 'product_id' AS product_id, "
            "(l.value ->> 'quantity')::numeric AS quantity, "
            "(l.value -> 'unit_price' ->> 'amount')::numeric AS unit_price, "
            "l.value -> 'unit_price' ->> 'currency' AS currency, "
            "(l.value ->> 'discount')::numeric AS discount "
            "FROM crm_orders o CROSS JOIN LATERAL "
            "jsonb_array_elements(o.lines) WITH ORDINALITY AS l(value, ordinality)"
        )
    return (
        "SELECT o.id AS order_id, o.account_id, o.ordered_at, CAST(l.key AS INTEGER) AS line_no, "
        "json_extract(l.value, '$.product_id') AS product_id, "
        "CAST(json_extract(l.value, '$.quantity') AS NUMERIC) AS quantity, "
        "CAST(json_extract(l.value, '$.unit_price.amount') AS NUMERIC) AS unit_price, "
        "json_extract(l.value, '$.unit_price.currency') AS currency, "
        "CAST(json_extract(l.value, '$.discount') AS NUMERIC) AS discount "
        "FROM crm_orders o, json_each(o.lines) AS l"
    )


def create_views(connection: sa.Connection) -> None:
    """Create (or replace) every view on ``connection``'s database.

    Examples:
        >>> from crmkit.adapters.sql import SqlStore
        >>> with SqlStore("sqlite://") as store, store.engine.connect() as conn:
        ...     conn.exec_driver_sql("select count(*) from crm_v_order_lines").scalar()
        0
    """
    drop_views(connection)
    for aggregate in aggregate_names():
        connection.exec_driver_sql(f"CREATE VIEW {view_name(aggregate)} AS {view_sql(aggregate)}")
    lines = _order_lines_sql(connection.dialect.name)
    connection.exec_driver_sql(f"CREATE VIEW crm_v_order_lines AS {lines}")


def drop_views(connection: sa.Connection) -> None:
    """Drop the views (before a migration changes the tables under them).

    Examples:
        >>> import sqlalchemy as sa
        >>> from crmkit.adapters.sql.views import drop_views
        >>> with sa.create_engine("sqlite://").begin() as conn:
        ...     drop_views(conn)
    """
    for name in VIEWS:
        connection.exec_driver_sql(f"DROP VIEW IF EXISTS {name}")
