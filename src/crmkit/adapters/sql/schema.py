"""The SQL schema of the crmkit store (version 5) and how to build it with SQLAlchemy Core.

One table per aggregate, named ``crm_<aggregate>`` (``crm_accounts`` …). Every table has the
same core columns, then typed columns for what people filter, join, sort and aggregate on
(:data:`COLUMNS`), and the full serialised entity as the JSON ``document``, which is what the
store reads entities back from, so a round trip is exact and nothing is lost:

================ ===========================================================================
column           meaning
================ ===========================================================================
id               the entity id (primary key)
version          the optimistic-concurrency version
owner_id         owner (a case's agent), indexed
account_id       the account the entity belongs to: a foreign key to ``crm_accounts.id``
                 with the delete policy of :data:`DELETE_POLICY`, indexed
status           status value, indexed
stage            an opportunity's stage key, indexed
segment          segment value (an account's tier …), indexed
name             lower-cased name text that name search matches
remote_id        id in an external system, unique
created_us       ``created_at`` in microseconds since the epoch (exact, sortable)
updated_us       ``updated_at`` in microseconds since the epoch, indexed
created_at       ``created_at`` as a timestamp (``timestamptz`` on PostgreSQL, UTC)
updated_at       ``updated_at`` as a timestamp
custom           the custom properties as JSON (JSONB with a GIN index on PostgreSQL)
remote_data      the raw data of an external system as JSON
*typed columns*  per aggregate, see :data:`COLUMNS`: names, e-mail and phone (normalised for
                 lookup), amounts as ``NUMERIC(20, 4)`` with their currency, dates, timestamps,
                 probabilities, nested lists (order lines, addresses, stage history) as JSON
document         the whole entity as JSON text (:func:`crmkit.serde.to_dict`)
================ ===========================================================================

An index of a column that can be empty for the aggregate (an account's ``account_id`` and
``stage``, which accounts never fill, or an optional ``phone``) is partial, ``WHERE column IS
NOT NULL`` (:func:`partial_index_columns`): rows that leave it empty cost no index entry, and
queries comparing the column to a value use it as before.

``crmkit_schema`` holds one row with the schema version; Alembic's ``crmkit_alembic_version``
the migration revision (see :mod:`crmkit.adapters.sql.migrations`).

Examples:
    >>> from crmkit.adapters.sql.schema import SCHEMA_VERSION, table_name, DELETE_POLICY
    >>> SCHEMA_VERSION, table_name("accounts"), DELETE_POLICY["orders"]
    (5, 'crm_accounts', 'RESTRICT')
"""

from __future__ import annotations

import enum
import typing
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import attrs

from crmkit.adapters.aggregate import Aggregate, aggregate_names, document_json
from crmkit.domain.normalise import (
    normalise_domain,
    normalise_email,
    normalise_organisation_number,
    normalise_phone,
)
from crmkit.extras import require

if TYPE_CHECKING:
    import sqlalchemy as sa

__all__ = [
    "AUDIT_TABLE",
    "COLUMNS",
    "DELETE_POLICY",
    "EXCHANGE_RATES_TABLE",
    "PARENT_COLUMN",
    "SCHEMA_TABLE",
    "SCHEMA_VERSION",
    "Typed",
    "audit_table",
    "build_metadata",
    "entity_row",
    "exchange_rates_table",
    "json_type",
    "normalise_domain",
    "normalise_email",
    "normalise_phone",
    "partial_index_columns",
    "table_name",
]

#: The schema version this crmkit writes and reads.
SCHEMA_VERSION = 5
#: The table that records the schema version.
SCHEMA_TABLE = "crmkit_schema"
#: The audit trail's table (see :mod:`crmkit.adapters.audit`).
AUDIT_TABLE = "crmkit_audit"
#: The column of ``crm_accounts`` naming the parent account: a foreign key to
#: ``crm_accounts.id`` with ``ON DELETE SET NULL`` (crmkit detaches the children itself before
#: it deletes an account, so the key only guards deletes made outside crmkit).
PARENT_COLUMN = "parent_id"
#: The table of dated exchange rates (not an aggregate, see :func:`exchange_rates_table`).
EXCHANGE_RATES_TABLE = "crm_exchange_rates"


#: What deleting an account does to the rows that name it in ``account_id``: ``CASCADE``
#: deletes them with the account (its contacts, opportunities, interactions and cases belong
#: to it, as does its key-account relationship), ``RESTRICT`` refuses the delete while any
#: exist (orders, agreements and quotes are financial and legal records: delete or move them
#: first). The database enforces both, on SQLite too.
#:
#: Only ``account_id`` is a foreign key. The other references stay indexed ``ref`` columns:
#: ``owner_id`` (and a task's assignee, a note's author, a team's manager and members) are
#: not keys to ``crm_users`` because databases of schema 3 and earlier hold owner ids of
#: users crmkit never stored, and importers load owners after the records they own; a task's
#: or note's ``links`` point at five kinds of record, which no single foreign key can; a
#: quote's opportunity and contact are deleted with their account (``CASCADE``) while the
#: quote is kept (``RESTRICT``), so a key to them could only clear the column and leave the
#: stored document disagreeing with it.
DELETE_POLICY: dict[str, str] = {
    "contacts": "CASCADE",
    "opportunities": "CASCADE",
    "interactions": "CASCADE",
    "cases": "CASCADE",
    "orders": "RESTRICT",
    "agreements": "RESTRICT",
    "key_account_relationships": "CASCADE",
    "quotes": "RESTRICT",
}


@attrs.frozen
class Typed:
    """One typed column of an aggregate's table and the entity attribute it is filled from.

    ``kind`` is one of ``text``, ``email``, ``phone``, ``orgnr``, ``domain``, ``int``,
    ``float``, ``bool``, ``date``, ``timestamp``, ``money`` (the amount; its currency goes to
    ``currency``), ``json`` (taken from the serialised document) and ``ref`` (an id).

    Examples:
        >>> from crmkit.adapters.sql.schema import Typed
        >>> Typed("total", "total", "money", currency="currency").currency
        'currency'
    """

    column: str
    attr: str
    kind: str
    currency: str | None = None


def _t(column: str, attr: str | None = None, kind: str = "text") -> Typed:
    return Typed(column, attr or column, kind)


def _money(column: str, attr: str, currency: str) -> Typed:
    return Typed(column, attr, "money", currency=currency)


#: The typed columns of each aggregate's table.
COLUMNS: dict[str, tuple[Typed, ...]] = {
    "accounts": (
        _t("account_name", "name"),
        _t("organisation_number", kind="orgnr"),
        _t("domain", "website", "domain"),
        _t("phone", kind="phone"),
        _t("industry"),
        _t("region"),
        _t("tier"),
        _t("employees", kind="int"),
        _t("is_key_account", kind="bool"),
        _money("turnover", "turnover", "turnover_currency"),
        _t("addresses", kind="json"),
    ),
    "contacts": (
        _t("first_name"),
        _t("last_name"),
        _t("title"),
        _t("email", kind="email"),
        _t("phone", kind="phone"),
        _t("buying_role"),
    ),
    "leads": (
        _t("company_name"),
        _t("first_name"),
        _t("last_name"),
        _t("email", kind="email"),
        _t("phone", kind="phone"),
        _t("organisation_number", kind="orgnr"),
        _t("source_channel"),
        _t("campaign_id", kind="ref"),
        _t("converted_account_id", kind="ref"),
        _t("converted_at", kind="timestamp"),
    ),
    "opportunities": (
        _t("opportunity_name", "name"),
        _t("pipeline_id", kind="ref"),
        _t("stage_key"),
        _money("amount", "amount", "currency"),
        _t("close_date", kind="date"),
        _t("probability", "stage_probability", "float"),
        _t("is_closed", kind="bool"),
        _t("is_won", kind="bool"),
        _t("closed_at", kind="timestamp"),
        _t("campaign_id", kind="ref"),
        _t("stage_history", kind="json"),
        _t("line_items", kind="json"),
    ),
    "interactions": (
        _t("type"),
        _t("channel"),
        _t("direction"),
        _t("contact_id", kind="ref"),
        _t("lead_id", kind="ref"),
        _t("opportunity_id", kind="ref"),
        _t("case_id", kind="ref"),
        _t("campaign_id", kind="ref"),
        _t("subject"),
        _t("planned_at", kind="timestamp"),
        _t("done_at", kind="timestamp"),
    ),
    "cases": (
        _t("subject"),
        _t("contact_id", kind="ref"),
        _t("priority"),
        _t("problem_type"),
        _t("origin_channel"),
        _t("opened_at", kind="timestamp"),
        _t("first_response_at", kind="timestamp"),
        _t("closed_at", kind="timestamp"),
    ),
    "orders": (
        _t("order_number"),
        _t("ordered_at", kind="timestamp"),
        _money("total", "total", "currency"),
        _t("contact_id", kind="ref"),
        _t("opportunity_id", kind="ref"),
        _t("channel"),
        _t("lines", kind="json"),
    ),
    "campaigns": (
        _t("campaign_name", "name"),
        _t("channel"),
        _t("start_date", kind="date"),
        _t("end_date", kind="date"),
        _money("budget", "budget", "budget_currency"),
    ),
    "agreements": (
        _t("agreement_name", "name"),
        _t("agreement_type"),
        _t("start_date", kind="date"),
        _t("end_date", kind="date"),
        _money("value", "value", "currency"),
        _t("auto_renew", kind="bool"),
        _t("renewal_term_months", kind="int"),
        _t("notice_period_days", kind="int"),
        _t("terminated", kind="bool"),
    ),
    "key_account_relationships": (
        _t("supplier_intent"),
        _t("customer_intent"),
        _t("key_account_manager", kind="ref"),
        _t("history", kind="json"),
    ),
    "products": (
        _t("sku"),
        _t("product_name", "name"),
        _t("category"),
        _money("price", "price", "currency"),
        _t("unit"),
        _t("is_service", kind="bool"),
        _t("active", kind="bool"),
    ),
    "users": (
        _t("user_name", "name"),
        _t("email", kind="email"),
        _t("role"),
        _t("title"),
        _t("active", kind="bool"),
    ),
    "teams": (
        _t("team_name", "name"),
        _t("manager_id", kind="ref"),
        _t("member_ids", kind="json"),
    ),
    "territories": (
        _t("territory_name", "name"),
        _t("priority", kind="int"),
        _t("member_ids", kind="json"),
        _t("rules", kind="json"),
    ),
    "owner_changes": (
        _t("record_type"),
        _t("record_id", kind="ref"),
        _t("from_owner_id", kind="ref"),
        _t("to_owner_id", kind="ref"),
        _t("changed_at", kind="timestamp"),
        _t("changed_by", kind="ref"),
        _t("reason"),
    ),
    "tasks": (
        _t("subject"),
        _t("assignee_id", kind="ref"),
        _t("priority"),
        _t("due_at", kind="timestamp"),
        _t("remind_at", kind="timestamp"),
        _t("completed_at", kind="timestamp"),
        _t("links", kind="json"),
    ),
    "notes": (
        _t("author_id", kind="ref"),
        _t("written_at", kind="timestamp"),
        _t("body"),
        _t("links", kind="json"),
    ),
    "price_books": (
        _t("price_book_name", "name"),
        _t("currency"),
        _t("active", kind="bool"),
        _t("entries", kind="json"),
    ),
    "quotes": (
        _t("quote_number"),
        _t("revision", kind="int"),
        _money("net_total", "net_total", "currency"),
        _money("total", "total", "total_currency"),
        _t("valid_until", kind="date"),
        _t("opportunity_id", kind="ref"),
        _t("contact_id", kind="ref"),
        _t("price_book_id", kind="ref"),
        _t("sent_at", kind="timestamp"),
        _t("decided_at", kind="timestamp"),
        _t("order_id", kind="ref"),
        _t("lines", kind="json"),
    ),
}

# Typed columns that get an index (lookups by e-mail, organisation number, domain, refs …).
_INDEXED_KINDS = frozenset({"email", "phone", "orgnr", "domain", "ref", "date", "timestamp"})


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


def exchange_rates_table(metadata: sa.MetaData) -> sa.Table:
    """Define ``crm_exchange_rates`` (dated exchange rates) on ``metadata``.

    Exchange rates are not an aggregate: an :class:`~crmkit.domain.ExchangeRate` is an
    immutable fact identified by its pair and date, with no id, version, owner or remote id.
    The table's primary key is that identity (``base``, ``quote``, ``on_date``), so the database
    itself keeps one rate per pair and date, and finding the rate in force is an index range
    scan. ``rate`` is the exact decimal as text (a rate may have more decimals than any
    fixed ``NUMERIC`` scale; cast it in SQL when you need a number).
    :class:`~crmkit.adapters.sql.rates.SqlRateTable` reads and writes it.

    Examples:
        >>> import sqlalchemy as sa
        >>> from crmkit.adapters.sql.schema import exchange_rates_table
        >>> table = exchange_rates_table(sa.MetaData())
        >>> table.name, [c.name for c in table.primary_key]
        ('crm_exchange_rates', ['base', 'quote', 'on_date'])
    """
    sa_ = require("sqlalchemy", "sql")
    table: sa.Table = sa_.Table(
        EXCHANGE_RATES_TABLE,
        metadata,
        sa_.Column("base", sa_.String(3), primary_key=True),
        sa_.Column("quote", sa_.String(3), primary_key=True),
        sa_.Column("on_date", sa_.Date, primary_key=True),
        sa_.Column("rate", sa_.String(64), nullable=False),
        sa_.Column("source", sa_.Text),
    )
    return table


def audit_table(metadata: sa.MetaData, dialect: str) -> sa.Table:
    """Define the audit trail's table, ``crmkit_audit``, on ``metadata``: one row per audited
    change (:class:`crmkit.adapters.audit.AuditEntry`), indexed by aggregate and record id.

    Examples:
        >>> import sqlalchemy as sa
        >>> from crmkit.adapters.sql.schema import audit_table
        >>> [c.name for c in audit_table(sa.MetaData(), "sqlite").columns][:4]
        ['id', 'aggregate', 'record_id', 'version']
    """
    sa_ = require("sqlalchemy", "sql")
    table: sa.Table = sa_.Table(
        AUDIT_TABLE,
        metadata,
        sa_.Column(
            "id",
            sa_.BigInteger().with_variant(sa_.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa_.Column("aggregate", sa_.String(64), nullable=False),
        sa_.Column("record_id", sa_.String(64), nullable=False),
        sa_.Column("version", sa_.Integer),
        sa_.Column("action", sa_.String(16), nullable=False),
        sa_.Column("field", sa_.Text),
        sa_.Column("old_value", json_type(dialect)),
        sa_.Column("new_value", json_type(dialect)),
        sa_.Column("actor", sa_.String(255)),
        sa_.Column("at", sa_.DateTime(timezone=True), nullable=False),
        sa_.Index("ix_crmkit_audit_record", "aggregate", "record_id"),
    )
    return table


def _parent_column() -> Any:
    sa_ = require("sqlalchemy", "sql")
    return sa_.Column(
        PARENT_COLUMN,
        sa_.String(64),
        sa_.ForeignKey("crm_accounts.id", ondelete="SET NULL", name="fk_crm_accounts_parent"),
    )


#: The core columns with an index, and the entity attribute each is filled from (through
#: :attr:`Aggregate.fields <crmkit.adapters.aggregate.Aggregate.fields>` for the filters).
_CORE_INDEXED = ("owner_id", "account_id", "status", "stage", "segment", "updated_us")


def _may_be_empty(entity: type, attr: str | None) -> bool:
    """Whether the column filled from ``entity``'s attribute ``attr`` can be empty (``NULL``):
    no such attribute (``None``: the column is always empty for this aggregate), or one whose
    annotation admits ``None``."""
    if attr is None:
        return True
    fields = attrs.fields_dict(entity)
    if attr not in fields:
        return attr != "id" and not hasattr(entity, attr)
    try:
        hints = typing.get_type_hints(entity)
    except Exception:  # an annotation that does not resolve: keep a full index
        return False
    tp = hints.get(attr)
    return tp is type(None) or type(None) in typing.get_args(tp)


def partial_index_columns(aggregate: str) -> tuple[str, ...]:
    """The indexed columns of ``aggregate``'s table that can be empty, whose indexes (since
    schema 5) leave the empty rows out (``WHERE column IS NOT NULL``).

    A column the aggregate never fills (an account's ``account_id`` and ``stage``) or an
    optional one (an account's ``phone``, ``parent_id``) is ``NULL`` in many or all rows; a
    partial index does not store those rows, so writing them costs less, and every query of
    the form ``column = value`` (or ``<``, ``>``, ``IN``, ``LIKE``) still uses it, as such a
    comparison is never true of ``NULL`` (SQLite and PostgreSQL both prove that). Columns
    always filled keep a full index, so sorting and grouping by them can use it too.

    Examples:
        >>> from crmkit.adapters.sql.schema import partial_index_columns
        >>> partial_index_columns("accounts")
        ('owner_id', 'account_id', 'stage', 'segment', 'organisation_number', 'domain', 'phone', 'parent_id')
        >>> "account_id" in partial_index_columns("orders")
        False
    """
    from crmkit.adapters.aggregate import aggregate_for

    agg = aggregate_for(aggregate)
    found = [
        key
        for key in _CORE_INDEXED
        if key != "updated_us" and _may_be_empty(agg.entity, agg.fields.get(key))
    ]
    for spec in COLUMNS.get(aggregate, ()):
        if spec.kind in _INDEXED_KINDS and _may_be_empty(agg.entity, spec.attr):
            found.append(spec.column)
    if aggregate == "accounts":
        found.append(PARENT_COLUMN)
    return tuple(found)


def _indexes(table: sa.Table, aggregate: str) -> None:
    """The secondary indexes of an aggregate's table: ``ix_<table>_<column>`` on each core
    index column, indexed typed column and ``parent_id``; partial (``WHERE column IS NOT
    NULL``) on the columns of :func:`partial_index_columns`."""
    sa_ = require("sqlalchemy", "sql")
    partial = set(partial_index_columns(aggregate))
    names = [*_CORE_INDEXED]
    names += [s.column for s in COLUMNS.get(aggregate, ()) if s.kind in _INDEXED_KINDS]
    if aggregate == "accounts":
        names.append(PARENT_COLUMN)
    for name in names:
        column = table.c[name]
        where = {}
        if name in partial:
            condition = column.isnot(None)
            where = {"sqlite_where": condition, "postgresql_where": condition}
        sa_.Index(f"ix_{table.name}_{name}", column, **where)


def _column_type(kind: str, dialect: str) -> Any:
    sa_ = require("sqlalchemy", "sql")
    types: dict[str, Any] = {
        "text": sa_.Text(),
        "email": sa_.String(320),
        "phone": sa_.String(32),
        "orgnr": sa_.String(32),
        "domain": sa_.String(255),
        "ref": sa_.String(64),
        "int": sa_.BigInteger(),
        "float": sa_.Float(),
        "bool": sa_.Boolean(),
        "date": sa_.Date(),
        "timestamp": sa_.DateTime(timezone=True),
        "money": sa_.Numeric(20, 4),
    }
    if kind == "json":
        return json_type(dialect)
    return types[kind]


def build_metadata(dialect: str) -> tuple[sa.MetaData, dict[str, sa.Table]]:
    """The current (version 5) schema for ``dialect``: metadata and the tables by aggregate.

    Examples:
        >>> from crmkit.adapters.sql.schema import build_metadata
        >>> metadata, tables = build_metadata("sqlite")
        >>> sorted(tables)[:2], str(tables["orders"].c.total.type)
        (['accounts', 'agreements'], 'NUMERIC(20, 4)')
        >>> [fk.ondelete for fk in tables["orders"].c.account_id.foreign_keys]
        ['RESTRICT']
    """
    sa_ = require("sqlalchemy", "sql")
    metadata = sa_.MetaData()
    schema_table(metadata)
    exchange_rates_table(metadata)
    audit_table(metadata, dialect)
    tables: dict[str, sa.Table] = {}
    for aggregate in aggregate_names():
        name = table_name(aggregate)
        policy = DELETE_POLICY.get(aggregate)
        account_ref: list[Any] = []
        if policy is not None:
            account_ref.append(
                sa_.ForeignKey("crm_accounts.id", ondelete=policy, name=f"fk_{name}_account")
            )
        typed: list[Any] = []
        for spec in COLUMNS.get(aggregate, ()):
            typed.append(sa_.Column(spec.column, _column_type(spec.kind, dialect)))
            if spec.currency is not None:
                typed.append(sa_.Column(spec.currency, sa_.String(3)))
        if aggregate == "accounts":
            typed.append(_parent_column())
        table = sa_.Table(
            name,
            metadata,
            sa_.Column("id", sa_.String(64), primary_key=True),
            sa_.Column("version", sa_.Integer, nullable=False),
            sa_.Column("owner_id", sa_.String(64)),
            sa_.Column("account_id", sa_.String(64), *account_ref),
            sa_.Column("status", sa_.String(64)),
            sa_.Column("stage", sa_.String(128)),
            sa_.Column("segment", sa_.String(128)),
            sa_.Column("name", sa_.Text),
            sa_.Column("remote_id", sa_.String(255), unique=True),
            sa_.Column("created_us", sa_.BigInteger, nullable=False),
            sa_.Column("updated_us", sa_.BigInteger, nullable=False),
            sa_.Column("created_at", sa_.DateTime(timezone=True), nullable=False),
            sa_.Column("updated_at", sa_.DateTime(timezone=True), nullable=False),
            sa_.Column("custom", json_type(dialect), nullable=False),
            sa_.Column("remote_data", json_type(dialect), nullable=False),
            *typed,
            sa_.Column("document", sa_.Text, nullable=False),
        )
        _indexes(table, aggregate)
        if dialect == "postgresql":
            sa_.Index(f"ix_{name}_custom", table.c.custom, postgresql_using="gin")
        tables[aggregate] = table
    return metadata, tables


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _utc(value: Any) -> datetime | None:
    if value is None:
        return None
    moment: datetime = value
    return moment.astimezone(UTC) if moment.utcoffset() is not None else moment


_CONVERT: dict[str, Callable[[Any], Any]] = {
    "text": lambda v: None if v is None else str(_plain(v)),
    "email": normalise_email,
    "phone": normalise_phone,
    "orgnr": normalise_organisation_number,
    "domain": normalise_domain,
    "ref": lambda v: None if v is None else str(v),
    "int": lambda v: None if v is None else int(_plain(v)),
    "float": lambda v: None if v is None else float(v),
    "bool": lambda v: None if v is None else bool(v),
    "date": lambda v: v.date() if isinstance(v, datetime) else v,
    "timestamp": _utc,
}


def entity_row(agg: Aggregate, entity: Any, version: int) -> dict[str, Any]:
    """The table row of ``entity`` stored at ``version`` (the entity itself is not changed).

    The entity is serialised once; its document gets ``version`` and becomes the ``document``
    column, and the typed columns are read from the entity (JSON ones from the document).

    Examples:
        >>> from crmkit.adapters.aggregate import aggregate_for
        >>> from crmkit.adapters.sql.schema import entity_row
        >>> from crmkit.testing.adapter_suite import sample_entity
        >>> order = sample_entity("orders")
        >>> row = entity_row(aggregate_for("orders"), order, 1)
        >>> row["total"], row["currency"], row["version"], order.version
        (Decimal('2000.00'), 'SEK', 1, 0)
    """
    document = agg.to_document(entity)
    document["version"] = version
    row = agg.index(entity).as_row()
    row["id"] = entity.id
    row["version"] = version
    row["created_at"] = _utc(entity.created_at)
    row["updated_at"] = _utc(entity.updated_at)
    row["remote_data"] = document.get("remote_data") or {}
    for spec in COLUMNS.get(agg.name, ()):
        if spec.kind == "json":
            row[spec.column] = document.get(spec.attr)
            continue
        value = getattr(entity, spec.attr, None)
        if spec.kind == "money":
            row[spec.column] = None if value is None else value.amount
            if spec.currency is not None:
                row[spec.currency] = None if value is None else value.currency
            continue
        row[spec.column] = _CONVERT[spec.kind](value)
    if agg.name == "accounts":
        row[PARENT_COLUMN] = entity.parent_id
    row["document"] = document_json(document)
    return row
