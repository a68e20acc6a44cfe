"""The generated SQL row functions' fast paths (:mod:`crmkit.adapters.sql.rows`): a column
whose value is exactly of the class its conversion returns unchanged (a text, an integer, a
UTC datetime, a member of the field's enum) is written without calling the conversion; every
other value still goes through it. Whatever the values (set here without validators, as a
caller may with ``object.__setattr__``), the rows equal ``entity_row``'s as the columns bind
them (after :func:`~crmkit.adapters.sql.rows.check_changes`, which checks the values that
are not immutable) whenever ``entity_row`` accepts the entity."""

from __future__ import annotations

import datetime as dt
import enum
import functools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.adapters.aggregate import aggregate_for
from crmkit.adapters.sql.rows import DRIVER_VALUE, RowWriter, check_changes
from crmkit.adapters.sql.schema import build_metadata, entity_row
from crmkit.domain import Account, AccountStatus, Money, Order, OrderLine, OrderStatus

T0 = dt.datetime(2025, 3, 1, 9, 30, 15, 123456, tzinfo=dt.UTC)
TABLES = {dialect: build_metadata(dialect)[1] for dialect in ("sqlite", "postgresql")}


class Colour(enum.Enum):
    RED = "red"
    ONE = 1


class Size(enum.IntEnum):
    SMALL = 1


class Text(str):
    """A str subclass (not exactly ``str``: no fast path)."""


zones = st.sampled_from(
    [dt.UTC, dt.timezone(dt.timedelta(hours=2)), dt.timezone(dt.timedelta(hours=-5, minutes=-30))]
)
moments = st.datetimes(
    min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30), timezones=zones
)
texts = st.text(max_size=8) | st.builds(Text, st.text(max_size=8))
anything = (
    st.none()
    | texts
    | st.integers(-5, 5)
    | st.booleans()
    | st.sampled_from([*AccountStatus, *OrderStatus, *Colour, *Size])
)


def _outcome(call: Any) -> Any:
    try:
        return call()
    except Exception as error:  # the same error from both is the point
        return (type(error), str(error))


def _compare(entity: Any) -> list[str]:
    """The dialects whose row of ``entity`` was compared (those ``entity_row`` accepts)."""
    compared: list[str] = []
    for dialect, tables in TABLES.items():
        agg = aggregate_for(type(entity))
        table = tables[agg.name]
        writer = RowWriter(agg, table, dialect)
        kinds = {c.name: type(c.type).__name__ for c in table.columns}
        binds = DRIVER_VALUE[dialect]

        def expected(
            agg: Any = agg, kinds: Any = kinds, binds: Any = binds, writer: Any = writer
        ) -> Any:
            check_changes(entity)  # values that are not immutable are checked first, as before
            row = entity_row(agg, entity, 2)
            values = []
            for name in writer.names:
                bind = binds.get(kinds[name])
                value = row.get(name)
                values.append(bind(value) if bind is not None else value)
            return tuple(values)

        ours = _outcome(lambda writer=writer: writer.rows([entity], 2)[0])
        before = _outcome(expected)
        refused = len(before) == 2 and isinstance(before[0], type)
        if not refused:  # (entity_row also validates the whole entity, the row function not)
            assert ours == before, (dialect, agg.name)
            compared.append(dialect)
    return compared


@settings(max_examples=150, deadline=None)
@given(
    owner=anything,
    status=anything,
    tier=anything,
    name=texts,
    created=moments,
    updated=moments,
    employees=anything,
    key=anything,
    region=anything,
)
def test_account_rows_equal_entity_row_for_any_values(
    owner: Any,
    status: Any,
    tier: Any,
    name: Any,
    created: Any,
    updated: Any,
    employees: Any,
    key: Any,
    region: Any,
) -> None:
    account = Account("Acme", website="https://acme.se", organisation_number="556677-8899")
    values = {
        "owner_id": owner,
        "status": status,
        "tier": tier,
        "name": name,
        "created_at": created,
        "updated_at": updated,
        "employees": employees,
        "is_key_account": key,
        "region": region,
    }
    for field, value in values.items():
        object.__setattr__(account, field, value)  # any value, no validator
    _compare(account)


@settings(max_examples=100, deadline=None)
@given(
    owner=anything,
    account=anything,
    status=anything,
    number=st.none() | texts,
    ordered=moments,
    channel=anything,
)
def test_order_rows_equal_entity_row_for_any_values(
    owner: Any, account: Any, status: Any, number: Any, ordered: Any, channel: Any
) -> None:
    order = Order("acc-1", T0, [OrderLine("P1", 2, Money("9.50", "SEK"))], created_at=T0)
    values = {
        "owner_id": owner,
        "account_id": account,
        "status": status,
        "order_number": number,
        "ordered_at": ordered,
        "channel": channel,
    }
    for field, value in values.items():
        object.__setattr__(order, field, value)
    _compare(order)


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(1970, 1, 1, tzinfo=dt.UTC),
        dt.datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC),
        dt.datetime(1, 1, 1, tzinfo=dt.UTC),
        dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC),
        dt.datetime(2025, 3, 1, 9, 30),  # naive: both refuse it
    ],
    ids=["epoch", "before epoch", "year 1", "year 9999", "naive"],
)
def test_timestamp_columns_at_the_edges(moment: dt.datetime) -> None:
    account = Account("Acme")
    object.__setattr__(account, "created_at", moment)
    object.__setattr__(account, "updated_at", moment)
    assert _compare(account) == ([] if moment.tzinfo is None else ["sqlite", "postgresql"])


def test_generated_function_is_compiled_once_per_aggregate_and_columns() -> None:
    _, tables = build_metadata("sqlite")
    agg = aggregate_for("accounts")
    first = RowWriter(agg, tables["accounts"], "sqlite")
    again = RowWriter(agg, build_metadata("sqlite")[1]["accounts"], "sqlite")
    other = RowWriter(agg, build_metadata("postgresql")[1]["accounts"], "postgresql")
    assert first._row is again._row
    assert first._row is not other._row
    account = Account("Acme", created_at=T0, updated_at=T0)
    assert first.rows([account], 1) == again.rows([account], 1)


@pytest.mark.parametrize("status", [*AccountStatus])
def test_valid_accounts_of_every_status_and_zone(status: AccountStatus) -> None:
    offset = dt.timezone(dt.timedelta(hours=2))
    account = Account(
        "Ärlig Firma AB",
        status=status,
        owner_id="seller-1",
        tier="A",
        employees=12,
        is_key_account=True,
        created_at=T0.astimezone(offset),
        updated_at=T0,
    )
    assert _compare(account) == ["sqlite", "postgresql"]


@pytest.mark.parametrize("status", [*OrderStatus])
def test_valid_orders_of_every_status(status: OrderStatus) -> None:
    order = Order(
        "acc-1",
        T0.astimezone(dt.timezone(dt.timedelta(hours=-3))),
        [OrderLine("P1", 2, Money("9.50", "SEK"))],
        status=status,
        order_number="SO-1",
        created_at=T0,
    )
    assert _compare(order) == ["sqlite", "postgresql"]


@settings(max_examples=100, deadline=None)
@given(
    pool=st.lists(moments, min_size=1, max_size=3),
    picks=st.lists(st.integers(0, 2), min_size=3, max_size=3),
)
def test_one_datetime_in_several_columns_is_written_as_each_alone(
    pool: list[dt.datetime], picks: list[int]
) -> None:
    """``created_at``, ``updated_at`` and ``ordered_at`` holding the very same datetime (its
    text and microseconds computed once per row) or distinct ones: the same row."""
    created, updated, ordered = (pool[pick % len(pool)] for pick in picks)
    order = Order("acc-1", T0, [OrderLine("P1", 2, Money("9.50", "SEK"))])
    for field, value in (("created_at", created), ("updated_at", updated), ("ordered_at", ordered)):
        object.__setattr__(order, field, value)
    assert _compare(order) == ["sqlite", "postgresql"]
    account = Account("Acme")
    object.__setattr__(account, "created_at", created)
    object.__setattr__(account, "updated_at", updated)
    assert _compare(account) == ["sqlite", "postgresql"]


@functools.cache
def _sqlite_account_writer() -> RowWriter:
    _, tables = build_metadata("sqlite")
    return RowWriter(aggregate_for("accounts"), tables["accounts"], "sqlite")


@settings(max_examples=300, deadline=None)
@given(
    moments,
    st.sampled_from([0, 1, 999_999]) | st.integers(0, 999_999),
)
def test_sqlite_timestamp_text_is_the_bind_text(moment: dt.datetime, micro: int) -> None:
    """The row function writes a UTC datetime's SQLite text from two-digit strings; it is the
    text SQLAlchemy's bind writes, for every year, microsecond and zone."""
    moment = moment.replace(microsecond=micro)
    writer = _sqlite_account_writer()
    account = Account("Acme")
    object.__setattr__(account, "created_at", moment)
    object.__setattr__(account, "updated_at", moment.astimezone(dt.UTC))
    row = dict(zip(writer.names, writer.rows([account], 1)[0], strict=True))
    bind = DRIVER_VALUE["sqlite"]["DateTime"]
    expected = bind(moment.astimezone(dt.UTC))
    assert row["created_at"] == expected
    assert row["updated_at"] == expected
