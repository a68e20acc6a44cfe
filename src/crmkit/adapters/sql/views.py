"""Read-only SQL views for BI tools: one ``crm_v_<aggregate>`` per aggregate, plus order lines.

Each view shows an aggregate's typed columns under plain names (``name`` is the entity's own
name, not the lower-cased search text), its status, owner, account and timestamps, without
the JSON document. ``crm_v_order_lines`` has one row per order line: ``order_id``,
``account_id``, ``ordered_at``, ``line_no`` (from 0), ``product_id``, ``quantity``,
``unit_price``, ``currency`` and ``discount``; ``crm_v_quote_lines`` one per quote line
(``quote_id``, ``account_id``, ``quote_number``, ``revision``, ``status``, ``line_no``, the
same line columns and ``tax_rate``); ``crm_v_task_links`` and ``crm_v_note_links`` one per
record a task or note is linked to (``task_id`` / ``note_id``, ``record_type``,
``record_id``, with the task's ``status`` and ``due_at`` or the note's ``written_at``).

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
VIEWS: tuple[str, ...] = (
    *(view_name(a) for a in aggregate_names()),
    "crm_v_order_lines",
    "crm_v_quote_lines",
    "crm_v_task_links",
    "crm_v_note_links",
)


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


#: The fields an order line and a quote line share (view column, JSON path, SQL type).
_LINE_FIELDS: tuple[tuple[str, str, str | None], ...] = (
    ("product_id", "product_id", None),
    ("quantity", "quantity", "numeric"),
    ("unit_price", "unit_price.amount", "numeric"),
    ("currency", "unit_price.currency", None),
    ("discount", "discount", "numeric"),
)

#: The views over nested JSON lists: name → (table, the parent columns shown, list column,
#: the element fields as (view column, JSON path, SQL type or None for text)).
_LIST_VIEWS: dict[str, tuple[str, str, str, tuple[tuple[str, str, str | None], ...]]] = {
    "crm_v_order_lines": (
        "crm_orders",
        "o.id AS order_id, o.account_id, o.ordered_at",
        "lines",
        _LINE_FIELDS,
    ),
    "crm_v_quote_lines": (
        "crm_quotes",
        "o.id AS quote_id, o.account_id, o.quote_number, o.revision, o.status",
        "lines",
        (*_LINE_FIELDS, ("tax_rate", "tax_rate", "numeric")),
    ),
    "crm_v_task_links": (
        "crm_tasks",
        "o.id AS task_id, o.status, o.due_at",
        "links",
        (("record_type", "record_type", None), ("record_id", "record_id", None)),
    ),
    "crm_v_note_links": (
        "crm_notes",
        "o.id AS note_id, o.written_at",
        "links",
        (("record_type", "record_type", None), ("record_id", "record_id", None)),
    ),
}


def _list_sql(view: str, dialect: str) -> str:
    """The ``SELECT`` of a view with one row per element of a JSON list column."""
    table, parent, column, fields = _LIST_VIEWS[view]
    shown: list[str] = []
    for name, path, cast in fields:
        if dialect == "postgresql":
            *outer, last = path.split(".")
            expr = "l.value" + "".join(f" -> '{p}'" for p in outer) + f" ->> '{last}'"
            shown.append(f"({expr})::{cast} AS {name}" if cast else f"{expr} AS {name}")
        else:
            expr = f"json_extract(l.value, '$.{path}')"
            shown.append(f"CAST({expr} AS NUMERIC) AS {name}" if cast else f"{expr} AS {name}")
    if dialect == "postgresql":
        return (
            f"SELECT {parent}, l.ordinality - 1 AS line_no, {', '.join(shown)} "
            f"FROM {table} o CROSS JOIN LATERAL "
            f"jsonb_array_elements(o.{column}) WITH ORDINALITY AS l(value, ordinality)"
        )
    return (
        f"SELECT {parent}, CAST(l.key AS INTEGER) AS line_no, {', '.join(shown)} "
        f"FROM {table} o, json_each(o.{column}) AS l"
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
    for view in _LIST_VIEWS:
        connection.exec_driver_sql(
            f"CREATE VIEW {view} AS {_list_sql(view, connection.dialect.name)}"
        )


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
