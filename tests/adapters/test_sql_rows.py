"""The SQL store's trusted fast path (:mod:`crmkit.adapters.sql.rows`): generated rows equal
``entity_row``'s, document text equals ``document_json``'s, values changed in place are still
refused, and stored documents load as before (a damaged one with the same error)."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from crmkit.adapters.aggregate import aggregate_for, aggregate_names, document_json
from crmkit.adapters.sql import SqlStore
from crmkit.adapters.sql.rows import (
    DRIVER_VALUE,
    RowWriter,
    check_changes,
    document_text,
    json_column_text,
    load_entity,
)
from crmkit.adapters.sql.schema import _utc, build_metadata, entity_row
from crmkit.domain import Account, Address, Money, Order, OrderLine
from crmkit.errors import ValidationError
from crmkit.testing.adapter_suite import sample_entity
from tests.backends import pg_url, require_backend

T0 = dt.datetime(2025, 3, 1, 9, 30, 15, 123456, tzinfo=dt.UTC)


def _rich_account() -> Account:
    return Account(
        name="Ärlig Firma AB",
        organisation_number="556677-8899",
        website="https://www.firma.se/",
        phone="+46 8 123 45 67",
        employees=12,
        turnover=Money("1234.5", "SEK"),
        addresses=[Address(street="Storgatan 1", city="Malmö", country="SE")],
        custom={"score": 0.00001, "rank": 3, "vip": True, "note": 'a "quoted" 1.5'},
        remote_id="0015g00000XyZ",
        remote_data={"Rate": 1e16, "Nested": {"list": [1, -2.5, None, "x:1.5"]}},
        created_at=T0,
        updated_at=T0 + dt.timedelta(seconds=1),
    )


def _entities() -> list[Any]:
    return [sample_entity(name) for name in aggregate_names()] + [_rich_account()]


def _expected(entity: Any, dialect: str, names: tuple[str, ...], kinds: dict[str, str]) -> tuple:
    """What the store bound before the fast path: entity_row, each value as the column binds."""
    row = entity_row(aggregate_for(type(entity)), entity, 3)
    binds = DRIVER_VALUE[dialect]
    values = []
    for name in names:
        value = row.get(name)
        bind = binds.get(kinds[name])
        values.append(bind(value) if bind is not None else value)
    return tuple(values)


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_generated_rows_equal_entity_row(dialect: str) -> None:
    _, tables = build_metadata(dialect)
    for entity in _entities():
        agg = aggregate_for(type(entity))
        table = tables[agg.name]
        writer = RowWriter(agg, table, dialect)
        kinds = {c.name: type(c.type).__name__ for c in table.columns}
        [row] = writer.rows([entity], 3)
        assert row == _expected(entity, dialect, writer.names, kinds), agg.name
        assert entity.version == 0  # the caller's entity is not changed


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(), json_values, max_size=6))
def test_document_text_is_document_json(document: dict[str, Any]) -> None:
    assert document_text(document) == document_json(document)


@pytest.mark.parametrize(
    "document",
    [
        {"a": 1e-05, "b": "x"},
        {"a": [-0.0, 1e16, 5e-324]},
        {"a": "1.5", "b": "k:1.5", "c": "e+1"},
        {"a": 2**64},
        {"a": "\x00\x1f\u2028\ud800"},
        {"a": {1: 2}},
    ],
    ids=["small float", "float list", "float-like text", "huge int", "controls", "int key"],
)
def test_document_text_edge_cases(document: dict[str, Any]) -> None:
    assert document_text(document) == document_json(document)


# Text that is hard for the orjson path of JSON columns: separators, quotes, escapes, DEL,
# non-ASCII, float-like and keyword-like text.
tricky_text = st.text(alphabet=st.sampled_from(list(',:"\\ .+-e0123456789ab\x7f\x00\né\u2028')))
column_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
    | tricky_text,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text() | tricky_text, inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=500, deadline=None)
@given(column_values)
@example(5.960464477539063e-08)  # a float that is the whole text (no "[" or ":" before it)
@example(1.5)
def test_json_column_text_is_what_the_column_binds(value: Any) -> None:
    bind = DRIVER_VALUE["sqlite"]["JSON"]  # json.dumps, as SQLAlchemy's JSON type binds
    assert json_column_text(value) == bind(value)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text() | tricky_text, column_values, max_size=6))
def test_document_text_of_tricky_text_is_document_json(document: dict[str, Any]) -> None:
    assert document_text(document) == document_json(document)


@pytest.mark.parametrize(
    "value",
    [
        {"a": ":x", "b": "x,y"},
        [":", ",", '":', "a\x7fb"],
        {"when": "12:30", "tags": ["e-1", "1.5", "+1"]},
        {"n": [5e-324, 1e16, -0.0]},
        {"a": 2**64, "b": -(2**63)},
        {"key": True, "none": None, "neg": -1},
        {1: "int key"},
    ],
    ids=["colon and comma", "separators", "float-like text", "floats", "big ints", "kw", "int key"],
)
def test_json_column_text_edge_cases(value: Any) -> None:
    assert json_column_text(value) == json.dumps(value)


@pytest.mark.parametrize(
    "moment",
    [
        T0,
        dt.datetime(999, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        dt.datetime(2025, 3, 1, 9, 30),
    ],
    ids=["utc", "year 999", "offset", "naive"],
)
def test_sqlite_timestamps_are_what_the_column_binds(moment: Any) -> None:
    _, tables = build_metadata("sqlite")
    writer = RowWriter(aggregate_for("orders"), tables["orders"], "sqlite")
    order = Order("acc-1", T0, [OrderLine("P1", 1, Money("1", "SEK"))], created_at=T0)
    order.updated_at = T0
    object.__setattr__(order, "ordered_at", moment)  # any value the column may get
    row = dict(zip(writer.names, writer.rows([order], 1)[0], strict=True))
    bind = DRIVER_VALUE["sqlite"]["DateTime"]
    assert row["ordered_at"] == bind(_utc(moment))
    assert row["created_at"] == row["updated_at"] == "2025-03-01 09:30:15.123456"


def test_floats_are_always_checked_again() -> None:
    # orjson writes NaN as null, so no NaN may reach document_text: floats, like dicts and
    # lists, are checked again before every write, even when set without a validator.
    opportunity = sample_entity("opportunities")
    object.__setattr__(opportunity, "stage_probability", math.nan)
    with pytest.raises(ValidationError) as caught:
        check_changes(opportunity)
    assert caught.value.problems[0].path == "stage_probability"


CHANGES: list[tuple[str, Callable[[Any], Any], str]] = [
    ("custom NaN", lambda a: a.custom.__setitem__("score", math.nan), "custom.score"),
    ("custom NUL", lambda a: a.custom.__setitem__("note", "a\x00"), "custom.note"),
    ("remote set", lambda a: a.remote_data.__setitem__("tags", {"a"}), "remote_data.tags"),
    ("list item", lambda a: a.addresses.append("not an address"), "addresses"),
]


@pytest.mark.parametrize(("label", "change", "path"), CHANGES, ids=[c[0] for c in CHANGES])
def test_changes_in_place_are_refused_as_revalidate_refuses_them(
    label: str, change: Callable[[Any], Any], path: str
) -> None:
    account = _rich_account()
    check_changes(account)
    account.revalidate()
    change(account)
    with pytest.raises(ValidationError) as ours:
        check_changes(account)
    with pytest.raises(ValidationError) as before:
        account.revalidate()
    assert ours.value.problems == before.value.problems
    assert ours.value.problems[0].path == path


def test_order_line_of_another_currency_appended_in_place_is_refused() -> None:
    order = sample_entity("orders")
    order.lines.append(OrderLine("P9", 1, Money("5", "EUR")))
    with pytest.raises(ValidationError) as caught:
        check_changes(order)
    assert caught.value.problems[0].path == "lines[1].unit_price.currency"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[SqlStore]:
    if request.param == "sqlite":
        sql = SqlStore(f"sqlite:///{tmp_path / 'crm.db'}")
    else:
        url = pg_url()
        require_backend("postgresql", url is not None, "set CRMKIT_PG_URL (bash .ci/postgres.sh)")
        assert url is not None
        sql = SqlStore(url, schema=request.getfixturevalue("pg_fresh_schema"))
    yield sql
    sql.close()


@pytest.mark.parametrize("write", ["add_many", "upsert_many"])
@pytest.mark.parametrize(("label", "change", "path"), CHANGES, ids=[c[0] for c in CHANGES])
def test_store_refuses_values_changed_in_place(
    store: SqlStore, write: str, label: str, change: Callable[[Any], Any], path: str
) -> None:
    good, bad = _rich_account(), Account("Second")
    change(bad)
    with pytest.raises(ValidationError) as caught, store.unit_of_work() as uow:
        getattr(uow.accounts, write)([good, bad])
    assert caught.value.problems[0].path == path
    with store.unit_of_work() as uow:
        assert uow.accounts.count() == 0  # all or nothing
    assert good.version == 0


def test_store_writes_and_reads_back_every_aggregate(store: SqlStore) -> None:
    entities = _entities()
    with store.unit_of_work() as uow:
        account = uow.accounts.add(Account("Owner", id="acc-1"))
        for entity in entities:
            if entity is not account:
                uow.repository(type(entity)).add(entity)
    with store.unit_of_work() as uow:
        for entity in entities:
            loaded = uow.repository(type(entity)).get(entity.id)
            assert loaded == entity
            assert loaded.custom == entity.custom
            assert loaded.remote_data == entity.remote_data


def test_load_entity_equals_from_document() -> None:
    for entity in _entities():
        agg = aggregate_for(type(entity))
        text = agg.to_json(entity)
        assert load_entity(agg, text) == agg.from_document(text) == entity


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        ('"rank":3', '"rank":[3]', "account.custom.rank"),
        ('"rank":3', '"rank":NaN', "account.custom.rank"),
        ('"Nested":{', '"Nested":{"bad":NaN,', "account.remote_data.Nested.bad"),
        ('"name":"Ärlig Firma AB"', '"name":" "', "account.name"),
        ('"currency":"SEK"', '"currency":"SEKK"', "account.turnover.currency"),
        ('"employees":12', '"employees":-1', "account.employees"),
    ],
    ids=["custom list", "custom NaN", "remote NaN", "blank name", "currency", "employees"],
)
def test_damaged_stored_document_gives_the_same_typed_error(
    store: SqlStore, old: str, new: str, path: str
) -> None:
    account = _rich_account()
    with store.unit_of_work() as uow:
        uow.accounts.add(account)
    table = store.table("accounts")
    with store.engine.begin() as conn:
        document = conn.execute(table.select().with_only_columns(table.c.document)).scalar_one()
        assert old in document
        damaged = document.replace(old, new, 1)
        conn.execute(table.update().values(document=damaged))
    agg = aggregate_for("accounts")
    with pytest.raises(ValidationError) as before:
        agg.from_document(damaged)
    with store.unit_of_work() as uow, pytest.raises(ValidationError) as caught:
        uow.accounts.get(account.id)
    assert str(caught.value) == str(before.value)
    assert any(p.path.startswith(path) for p in caught.value.problems), caught.value


def test_documents_keep_their_exact_text(store: SqlStore) -> None:
    entity = _rich_account()
    order = Order(entity.id, T0, [OrderLine("P1", 2, Money(Decimal("10.25"), "SEK"))])
    with store.unit_of_work() as uow:
        uow.accounts.add(entity)
        uow.orders.add(order)
    for name, stored in (("accounts", entity), ("orders", order)):
        table = store.table(name)
        with store.engine.connect() as conn:
            text = conn.execute(table.select().with_only_columns(table.c.document)).scalar_one()
        assert text == aggregate_for(name).to_json(stored)


def _total_as_before(order: Order) -> Money:
    """``Order.total`` as crmkit computed it before (five Money objects for one line)."""
    from crmkit.domain.money import CONTEXT

    total = Money.zero(order.currency)
    for line in order.lines:
        factor = CONTEXT.subtract(1, line.discount)
        total = total + (line.unit_price * line.quantity * factor).rounded()
    return total


amounts = st.decimals(min_value=0, max_value=10**9, allow_nan=False, places=4) | st.sampled_from(
    [Decimal("-0"), Decimal("0E-7"), Decimal("1E-30"), Decimal("0.005"), Decimal("12.50")]
)
discounts = st.sampled_from(
    [Decimal(0), Decimal("-0"), Decimal("0E-5"), Decimal("0E+2"), Decimal("0.0"), Decimal(1)]
) | st.decimals(min_value=0, max_value=1, allow_nan=False, places=3)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(amounts, st.integers(min_value=1, max_value=1000), discounts),
        min_size=1,
        max_size=3,
    ),
    st.sampled_from(["SEK", "JPY", "KWD"]),
)
def test_order_total_is_the_same_money_as_before(
    lines: list[tuple[Decimal, int, Decimal]], currency: str
) -> None:
    order = Order(
        "acc-1",
        T0,
        [OrderLine(f"P{i}", q, Money(a, currency), d) for i, (a, q, d) in enumerate(lines)],
    )
    total, before = order.total, _total_as_before(order)
    assert total == before
    assert str(total.amount) == str(before.amount)  # same digits, exponent and sign


def test_order_total_refuses_a_line_of_another_currency_as_before() -> None:
    order = sample_entity("orders")
    object.__setattr__(order, "lines", [*order.lines, OrderLine("P9", 1, Money("5", "EUR"))])
    with pytest.raises(ValidationError) as ours:
        order.total  # noqa: B018 - the property raises
    with pytest.raises(ValidationError) as before:
        _total_as_before(order)
    assert str(ours.value) == str(before.value)
