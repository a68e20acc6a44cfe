"""Loading a page of stored documents at once (:func:`crmkit.adapters.sql.rows.load_entities`,
used by the SQL store's ``find``, ``iter_all`` and lookups) gives what loading each document
with :func:`~crmkit.adapters.sql.rows.load_entity` gives, errors included."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit.adapters.aggregate import aggregate_for, aggregate_names
from crmkit.adapters.sql import SqlStore
from crmkit.adapters.sql.rows import load_entities, load_entity
from crmkit.domain import Account, AccountStatus, Address, Money
from crmkit.errors import ValidationError
from crmkit.serde import to_dict
from crmkit.testing.adapter_suite import sample_entity
from crmkit.testing.strategies import STRATEGIES, hostile_json, hostile_values
from tests.backends import pg_url, require_backend


def _accounts() -> list[Account]:
    return [
        Account(
            f"Firma {i} AB",
            status=status,
            employees=i,
            turnover=Money("1234.5", "SEK") if i % 2 else None,
            addresses=[Address(street="Storgatan 1", city="Malmö", country="SE")] if i else [],
            custom={"rank": i, "vip": i % 2 == 0, "note": "a:b"} if i % 3 else {},
            remote_data={"Nested": {"list": [1, -2.5, None, "x:1.5"]}} if i % 2 else {},
        )
        for i, status in enumerate(list(AccountStatus) * 2)
    ]


def _outcome(load: Any) -> str:
    try:
        return repr(load())
    except ValidationError as exc:
        return f"error: {exc}"


def test_a_page_loads_as_each_document_loads() -> None:
    for name in aggregate_names():
        agg = aggregate_for(name)
        documents = [agg.to_json(sample_entity(name)) for _ in range(3)]
        assert load_entities(agg, documents) == [load_entity(agg, d) for d in documents]
    agg = aggregate_for("accounts")
    accounts = _accounts()
    documents = [agg.to_json(account) for account in accounts]
    assert load_entities(agg, documents) == accounts
    assert [a.status for a in load_entities(agg, documents)] == [a.status for a in accounts]
    assert load_entities(agg, []) == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('"rank":1', '"rank":[1]'),  # custom: not a scalar
        ('"rank":1', '"rank":1,"rank":2'),  # a repeated key: the strict reader decides
        ('"rank":1', '"rank":123456789012345678901'),  # beyond 64 bits
        ('"status":"existing"', '"status":"closed"'),  # not an AccountStatus
        ('"status":"existing"', '"status":1'),
        ('"Nested":{', '"Nested":{"bad":NaN,'),
        ('"employees":1', '"employees":-1'),
        ('"name":"Firma 1 AB"', '"name":" "'),
    ],
)
def test_a_damaged_document_in_a_page_raises_what_loading_it_alone_raises(
    old: str, new: str
) -> None:
    agg = aggregate_for("accounts")
    documents = [agg.to_json(account) for account in _accounts()]
    assert old in documents[1]
    documents[1] = documents[1].replace(old, new, 1)
    each = _outcome(lambda: [load_entity(agg, d) for d in documents])
    assert _outcome(lambda: load_entities(agg, documents)) == each
    alone = _outcome(lambda: load_entity(agg, documents[1]))
    if '"rank":2' not in new:  # a repeated key is read as before (the last one wins)
        assert alone.startswith("error: ")
        assert each == alone


def test_store_pages_and_a_damaged_stored_document(tmp_path: Any) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'crm.db'}")
    accounts = _accounts()
    with store.unit_of_work() as uow:
        uow.accounts.add_many(accounts)
    with store.unit_of_work() as uow:
        assert sorted(uow.accounts.iter_all(batch=4), key=lambda a: a.id) == sorted(
            accounts, key=lambda a: a.id
        )
    table = store.table("accounts")
    with store.engine.begin() as conn:
        first = conn.execute(
            table.select().with_only_columns(table.c.id).order_by(table.c.id).limit(1)
        ).scalar_one()
        document = conn.execute(
            table.select().with_only_columns(table.c.document).where(table.c.id == first)
        ).scalar_one()
        conn.execute(
            table.update()
            .where(table.c.id == first)
            .values(document=re.sub(r'"employees":\d+', '"employees":-1', document))
        )
    with store.unit_of_work() as uow:
        alone = _outcome(lambda: uow.accounts.get(first))
        assert alone.startswith("error: ")
        assert _outcome(lambda: list(uow.accounts.iter_all(batch=4))) == alone
    store.close()


def test_pages_longer_than_one_chunk_load_in_order_and_fail_at_the_same_document() -> None:
    agg = aggregate_for("accounts")
    accounts = _accounts() * 20  # 120 documents: several chunks of read_json_all
    documents = [agg.to_json(account) for account in accounts]
    assert load_entities(agg, documents) == accounts
    assert len(documents) == 120
    for index in (0, 75, 119):
        damaged = list(documents)
        damaged[index] = re.sub(r'"employees":\d+', '"employees":-1', damaged[index])
        each = _outcome(lambda d=damaged: [load_entity(agg, x) for x in d])
        assert each.startswith("error: ")
        assert _outcome(lambda d=damaged: load_entities(agg, d)) == each


# --- the one-pass page loader against load_entity (the strict path) ------------------------

AGGREGATES = sorted(
    {aggregate_for(name).entity for name in aggregate_names()} & set(STRATEGIES),
    key=lambda cls: cls.__name__,
)
drawn_entities = st.sampled_from(AGGREGATES).flatmap(lambda cls: STRATEGIES[cls])
# JSON value texts a hand edit may leave: valid, invalid, or read differently by orjson
_SPECIAL = st.sampled_from(
    [
        "NaN",
        "-Infinity",
        "1e400",
        "123456789012345678901",
        "-9223372036854775809",
        "18446744073709551615",
        "9223372036854775807",
        "1.5",
        "-0",
        "01",
        '"\\ud800"',
        '"a\\u003ab"',
        '"tab\there"',
        '"\ufeffx"',
        "[1,2",
        "{}",
        "[]",
        "null",
        "true",
        '{"a":1,"a":2}',
        '"  "',
        '"x\\u0000y"',
    ]
)
_FRAGMENTS = st.one_of(
    _SPECIAL,
    hostile_json().map(lambda value: json.dumps(value, default=repr, ensure_ascii=False)),
    hostile_values().map(lambda value: json.dumps(value, default=repr)),
)


def _text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@st.composite
def _damaged(draw: st.DrawFn) -> tuple[Any, str]:
    """An aggregate and one document of a drawn entity, maybe edited by hand: a value replaced
    by a drawn JSON text, a key written twice, a key dropped or added, or another top level."""
    entity = draw(drawn_entities)
    agg = aggregate_for(type(entity))
    document = agg.to_json(entity)
    data = json.loads(document)
    how = draw(st.sampled_from(["none", "value", "twice", "drop", "extra", "top"]))
    if how == "none":
        return agg, document
    if how == "top":  # not an object: one of defaults only would get a new id and now
        return agg, draw(_FRAGMENTS.filter(lambda text: not text.lstrip().startswith("{")))
    # a dropped field takes its default: not one made afresh each time (a new id, now)
    fixed = {
        f.name
        for f in attrs.fields(agg.entity)
        if not isinstance(f.default, attrs.Factory) or f.default.factory in (list, dict)
    }
    key = draw(st.sampled_from(sorted(k for k in data if how != "drop" or k in fixed)))
    fragment = draw(_FRAGMENTS)
    parts = [
        f"{_text(k)}:{fragment if how == 'value' and k == key else _text(v)}"
        for k, v in data.items()
        if not (how == "drop" and k == key)
    ]
    if how == "twice":
        parts.append(f"{_text(key)}:{fragment}")
    if how == "extra":
        parts.append(f'"unknown_field":{fragment}')
    return agg, "{" + ",".join(parts) + "}"


def _loaded(load: Any) -> tuple[Any, ...]:
    try:
        entities = load()
    except Exception as exc:  # compared, not hidden: both paths must fail alike
        return ("error", type(exc), str(exc))
    return ("value", [(type(e), to_dict(e)) for e in entities], entities)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_damaged())
def test_the_page_loader_loads_what_load_entity_loads(case: tuple[Any, str]) -> None:
    agg, document = case
    assert _loaded(lambda: load_entities(agg, [document])) == _loaded(
        lambda: [load_entity(agg, document)]
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_damaged(), min_size=2, max_size=6))
def test_a_page_of_documents_loads_as_each_document_loads(cases: list[tuple[Any, str]]) -> None:
    agg = cases[0][0]
    documents = [document for a, document in cases if a is agg]
    assert _loaded(lambda: load_entities(agg, documents)) == _loaded(
        lambda: [load_entity(agg, d) for d in documents]
    )


def test_documents_orjson_reads_otherwise_go_the_strict_way() -> None:
    agg = aggregate_for("accounts")
    account = Account("Acme", custom={"big": 1})
    document = agg.to_json(account)
    for big in ("123456789012345678901", "-9223372036854775809", "9223372036854775808"):
        damaged = document.replace('"big":1', f'"big":{big}')
        each = _outcome(lambda d=damaged: [load_entity(agg, d)])
        assert each.startswith("error: "), each  # beyond ±(2**63 - 1): refused, not a float
        assert _outcome(lambda d=damaged: load_entities(agg, [document, d])) == each
    twice = document.replace('"name":"Acme"', '"name":"Acme","name":"Bolt"')
    assert [a.name for a in load_entities(agg, [twice])] == ["Bolt"]  # the last one wins
    assert load_entities(agg, [twice]) == [load_entity(agg, twice)]
    nested = Account("Acme", remote_data={"Nested": {"x": [1, "a"]}}, custom={"n": 1.5})
    assert load_entities(agg, [agg.to_json(nested)]) == [nested]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[SqlStore]:
    if request.param == "sqlite":
        opened = SqlStore(f"sqlite:///{tmp_path / 'crm.db'}")
    else:
        url = pg_url()
        require_backend("postgresql", url is not None, "set CRMKIT_PG_URL (bash .ci/postgres.sh)")
        assert url is not None
        opened = SqlStore(url, schema=request.getfixturevalue("pg_fresh_schema"))
    yield opened
    opened.close()


def test_iter_all_gives_what_get_gives_for_every_aggregate(store: SqlStore) -> None:
    stored: dict[str, list[Any]] = {}
    with store.unit_of_work() as uow:
        for name in aggregate_names():
            entities = [sample_entity(name) for _ in range(5)]
            if name == "accounts":  # acc-1: the account the other samples name
                entities += [*_accounts(), Account("Parent AB", id="acc-1")]
            uow.repository(name).add_many(entities)
            stored[name] = entities
    with store.unit_of_work() as uow:
        for name, entities in stored.items():
            repository = uow.repository(name)
            walked = list(repository.iter_all(batch=4))
            got = [repository.get(e.id) for e in walked]
            assert walked == got
            assert [to_dict(e) for e in walked] == [to_dict(e) for e in got]
            assert sorted(walked, key=lambda e: e.id) == sorted(entities, key=lambda e: e.id)


def test_iter_all_builds_each_entity_when_asked_and_stops_at_a_damaged_one(tmp_path: Any) -> None:
    store = SqlStore(f"sqlite:///{tmp_path / 'crm.db'}")
    accounts = sorted(_accounts(), key=lambda a: a.id)
    with store.unit_of_work() as uow:
        uow.accounts.add_many(accounts)
    table = store.table("accounts")
    damaged = accounts[5]
    with store.engine.begin() as conn:
        conn.execute(
            table.update()
            .where(table.c.id == damaged.id)
            .values(document=_document_of(damaged).replace('"employees":5', '"employees":-1'))
        )
    with store.unit_of_work() as uow:
        walked = uow.accounts.iter_all(batch=4)
        assert [next(walked) for _ in range(5)] == accounts[:5]  # the second page's first
        with pytest.raises(ValidationError) as raised:
            next(walked)
        assert _outcome(lambda: uow.accounts.get(damaged.id)) == f"error: {raised.value}"
    store.close()


def _document_of(entity: Any) -> str:
    return aggregate_for(type(entity)).to_json(entity)
