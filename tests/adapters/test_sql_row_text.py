"""The SQL row writer's text path: the document and the JSON columns written as text straight
from the entity (:func:`crmkit.serde.converter.json_text_writer`) are byte for byte what
``to_dict`` then :func:`~crmkit.adapters.sql.rows.document_text` and
:func:`~crmkit.adapters.sql.rows.json_column_text` write, and a value the writers leave alone
gives the row the previous path builds."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit.adapters.aggregate import aggregate_for, aggregate_names, document_json
from crmkit.adapters.sql import SqlStore
from crmkit.adapters.sql.rows import DRIVER_VALUE, RowWriter
from crmkit.adapters.sql.schema import build_metadata, entity_row
from crmkit.domain import Account, Address, Money, Order, OrderLine
from crmkit.errors import ValidationError
from crmkit.serde import to_dict
from crmkit.serde.converter import converter, json_text_writer
from crmkit.testing.adapter_suite import sample_entity
from crmkit.testing.strategies import STRATEGIES, hostile_entities, hostile_json, hostile_values
from tests.backends import pg_url, require_backend

AGGREGATES = sorted(
    {aggregate_for(name).entity for name in aggregate_names()} & set(STRATEGIES),
    key=lambda cls: cls.__name__,
)
entities = st.sampled_from(AGGREGATES).flatmap(lambda cls: STRATEGIES[cls])
CLASSES = sorted(STRATEGIES, key=lambda cls: cls.__name__)
objects = st.sampled_from(CLASSES).flatmap(lambda cls: STRATEGIES[cls])
T0 = dt.datetime(2025, 3, 1, 9, 30, 15, 123456, tzinfo=dt.UTC)
TABLES = {dialect: build_metadata(dialect)[1] for dialect in ("sqlite", "postgresql")}


def _outcome(write: Any, *args: Any) -> tuple[Any, ...]:
    try:
        return ("value", write(*args))
    except Exception as exc:  # compared, not hidden: both paths must fail alike
        return ("error", type(exc), str(exc))


def _writer(entity: Any, dialect: str) -> RowWriter:
    agg = aggregate_for(type(entity))
    return RowWriter(agg, TABLES[dialect][agg.name], dialect)


def _previous_row(entity: Any, dialect: str, version: int) -> tuple[Any, ...]:
    """The row as the store bound it before the fast paths: entity_row, then the binds."""
    agg = aggregate_for(type(entity))
    table = TABLES[dialect][agg.name]
    row = entity_row(agg, entity, version)
    binds = DRIVER_VALUE[dialect]
    values = []
    for column in table.columns:
        bind = binds.get(type(column.type).__name__)
        value = row.get(column.name)
        values.append(bind(value) if bind is not None else value)
    return tuple(values)


def _rows_without_fallback(writer: RowWriter, entity: Any, version: int) -> tuple[Any, ...]:
    """The writer's row of ``entity``, failing if the text path handed it to the old path."""
    globs = writer._row.__globals__
    previous = globs["_slow"]

    def refuse(*_: Any) -> Any:
        raise AssertionError("the text path fell back to to_dict")

    globs["_slow"] = refuse
    try:
        return writer.rows([entity], version)[0]
    finally:
        globs["_slow"] = previous


def _rich_account() -> Account:
    return Account(
        name="Ärlig Firma AB",
        organisation_number="556677-8899",
        website="https://www.firma.se/",
        employees=12,
        turnover=Money("1234.5", "SEK"),
        addresses=[Address(street='Storgatan "1", a:b', city="Malmö\u2028", country="SE")],
        custom={"score": 0.00001, "rank": 3, "vip": True, "note": 'a "quoted" 1.5, é', "x": None},
        remote_id="0015g00000XyZ",
        remote_data={"Rate": 1e16, "Nested": {"list": [1, -2.5, None, "x:1.5"]}},
        created_at=T0,
        updated_at=T0 + dt.timedelta(seconds=1),
    )


def _order() -> Order:
    lines = [
        OrderLine("P1", 3, Money("10.005", "SEK"), discount=Decimal("0.1")),
        OrderLine("Pö", 1, Money("-0", "SEK")),
    ]
    return Order("acc-1", T0, lines, created_at=T0, updated_at=T0, order_number="A-1")


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_the_text_path_writes_the_previous_rows(dialect: str) -> None:
    samples = [sample_entity(name) for name in aggregate_names()] + [_rich_account(), _order()]
    for entity in samples:
        writer = _writer(entity, dialect)
        row = _rows_without_fallback(writer, entity, 3)
        assert row == _previous_row(entity, dialect, 3), type(entity).__name__
        assert entity.version == 0  # the caller's entity is not changed


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entity=entities, version=st.integers(min_value=1, max_value=2**40))
def test_rows_of_any_entity_are_the_previous_rows(dialect: str, entity: Any, version: int) -> None:
    row = _writer(entity, dialect).rows([entity], version)[0]
    assert row == _previous_row(entity, dialect, version)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(hostile_entities())
def test_rows_of_hostile_entities_are_the_previous_rows(drawn: tuple[type, dict[str, Any]]) -> None:
    cls, kwargs = drawn
    try:
        entity = cls(**kwargs)
    except ValidationError:
        return
    writer = _writer(entity, "sqlite")
    assert _outcome(writer.rows, [entity], 2) == _outcome(
        lambda e, v: [writer._row.__globals__["_slow"](e, v)], entity, 2
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["custom", "remote_data", "name", "addresses"]), hostile_values())
def test_values_set_around_validation_give_the_previous_outcome(field: str, value: Any) -> None:
    """A value put in place without a validator (a bag changed in place, ``object.__setattr__``)
    gives the same row, or the same error, as the previous path."""
    account = _rich_account()
    if field in {"custom", "remote_data"}:
        getattr(account, field)["key"] = value
    else:
        object.__setattr__(account, field, value)
    writer = _writer(account, "sqlite")
    previous = writer._row.__globals__["_slow"]
    assert _outcome(writer.rows, [account], 1) == _outcome(lambda e: [previous(e, 1)], account)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(objects)
def test_compact_text_is_the_document_text(obj: Any) -> None:
    """The compact, non-ASCII style is ``document_json``'s (``separators=(",", ":")``)."""
    write = json_text_writer(type(obj), compact=True)
    try:
        text = write(obj)
    except (TypeError, ValueError):
        return  # left to the standard path (which decides)
    assert text == document_json(to_dict(obj))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(objects)
def test_ascii_text_is_the_json_column_text(obj: Any) -> None:
    """The spaced ASCII style is ``json.dumps``' default (what a JSON column binds)."""
    write = json_text_writer(list[type(obj)], ascii=True)  # type: ignore[misc]
    try:
        text = write([obj])
    except (TypeError, ValueError):
        return  # left to the standard path (which decides)
    assert text == json.dumps([to_dict(obj)])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_json())
def test_data_of_any_shape_is_written_alike_or_refused(value: Any) -> None:
    for compact, ascii in ((True, False), (False, True)):
        write = json_text_writer(dict[str, Any], compact=compact, ascii=ascii)
        separators = (",", ":") if compact else (", ", ": ")

        def standard(data: Any, ascii: bool = ascii, separators: Any = separators) -> str:
            plain = converter.unstructure(data, dict[str, Any])
            return json.dumps(plain, ensure_ascii=ascii, allow_nan=False, separators=separators)

        wrote, expected = _outcome(write, {"data": value}), _outcome(standard, {"data": value})
        if expected[0] == "value":
            assert wrote == expected
        else:
            assert wrote[0] == "error"  # refused too: the standard path decides


def test_version_is_written_as_given() -> None:
    account = _rich_account()
    write = json_text_writer(Account, compact=True, replace="version")
    document = to_dict(account)
    document["version"] = 41
    assert write(account, 41) == document_json(document)
    with pytest.raises(TypeError):
        write(account, "41")  # only an int is written exactly


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def two_stores(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[list[SqlStore]]:
    if request.param == "sqlite":
        stores = [SqlStore(f"sqlite:///{tmp_path / f'{n}.db'}") for n in range(2)]
    else:
        url = pg_url()
        require_backend("postgresql", url is not None, "set CRMKIT_PG_URL (bash .ci/postgres.sh)")
        assert url is not None
        schema = request.getfixturevalue("pg_fresh_schema")
        stores = [SqlStore(url, schema=f"{schema}_{n}") for n in range(2)]
    yield stores
    for store in stores:
        store.close()
    if request.param == "postgresql":
        import sqlalchemy as sa

        engine = sa.create_engine(str(pg_url()))
        with engine.begin() as conn:
            for n in range(2):
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}_{n}" CASCADE')
        engine.dispose()


def _stored(store: SqlStore) -> list[dict[str, Any]]:
    """The accounts table by id, the version left out (of the columns and the documents)."""
    table = store.table("accounts")
    with store.engine.connect() as conn:
        rows = [dict(row._mapping) for row in conn.execute(table.select().order_by(table.c.id))]
    for row in rows:
        del row["version"]
        row["document"] = {k: v for k, v in json.loads(row["document"]).items() if k != "version"}
    return rows


def test_an_upsert_of_stored_entities_stores_the_rows_a_fresh_write_stores(
    two_stores: list[SqlStore],
) -> None:
    """``upsert_many`` sets only the columns that changed; the stored rows are the rows of the
    same entities written afresh (every column)."""
    upserted, fresh = two_stores
    accounts = [_rich_account(), Account("Plain", id="p-1", custom={"a": 1}, employees=3)]
    with upserted.unit_of_work() as uow:
        uow.accounts.upsert_many(accounts)
    accounts[0].tier = "B"
    accounts[0].turnover = Money("99.50", "SEK")
    accounts[0].addresses.append(Address(street="Ny väg 2", city="Lund", country="SE"))
    accounts[1].custom["a"] = 2.5
    accounts[1].website = "https://plain.example"
    accounts[1].employees = None
    with upserted.unit_of_work() as uow:
        assert uow.accounts.upsert_many(accounts).updated == 2
    assert [a.version for a in accounts] == [2, 2]
    with fresh.unit_of_work() as uow:
        uow.accounts.add_many(accounts)
    assert _stored(upserted) == _stored(fresh)
