"""Whatever validates also serialises, stores in every store and round-trips.

Hostile values (crmkit.testing.strategies.hostile_entities) go into the fields of valid
aggregates. Either the domain refuses the entity with a ValidationError naming the field, or
the entity writes strict JSON, reads back equal, and the memory store, a SQLite file and
PostgreSQL all store it and give it back equal — none of them may refuse what the domain
accepted, and a custom-property query afterwards still works.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from crmkit.adapters import Query, Store, open_store
from crmkit.adapters.aggregate import aggregate_for
from crmkit.domain import Account, Money
from crmkit.domain.limits import (
    ID_MAX,
    INT_MAX,
    KEY_MAX,
    ORGNR_MAX,
    PHONE_MAX,
    REMOTE_ID_MAX,
    WEBSITE_MAX,
)
from crmkit.errors import NotFoundError, ValidationError
from crmkit.serde import from_json, to_json
from crmkit.testing.strategies import hostile_entities, hostile_text
from tests.backends import pg_url, require_backend


def _strict(text: str) -> Any:
    def refuse(name: str) -> Any:
        raise AssertionError(f"to_json wrote {name}")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="module")
def sqlite_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path: Path = tmp_path_factory.mktemp("hostile") / "crm.db"
    store = open_store(f"sqlite:///{path}")
    yield store
    store.close()


@pytest.fixture(scope="module")
def pg_store() -> Iterator[Store]:
    url = pg_url()
    require_backend("postgresql", url is not None, "set CRMKIT_PG_URL (bash .ci/postgres.sh)")
    assert url is not None
    schema = f"crmkit_hostile_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    store = open_store(url, schema=schema)
    yield store
    store.close()
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    engine.dispose()


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    if request.param == "memory":
        with open_store("memory://") as memory:
            yield memory
    elif request.param == "sqlite":
        yield request.getfixturevalue("sqlite_store")
    else:
        yield request.getfixturevalue("pg_store")


def _build(cls: type, kwargs: dict[str, Any]) -> Any:
    """The entity, or ``None`` when the domain refuses it (with a named problem)."""
    refused: ValidationError | None = None
    try:
        entity = cls(**kwargs)
    except ValidationError as error:
        refused = error
    if refused is not None:
        assert refused.problems
        assert all(p.path for p in refused.problems), str(refused)
        event("refused by the domain")
        return None
    event("accepted")
    return entity


def _stores_and_returns(store: Store, entity: Any) -> None:
    name = aggregate_for(type(entity)).name
    # a store may keep account references as foreign keys: give the entity its account
    account_id = getattr(entity, "account_id", None)
    parent = None if account_id is None or isinstance(entity, Account) else account_id
    if isinstance(entity, Account) and entity.parent_id is not None:
        parent = entity.parent_id  # and an account its parent account
    with store.unit_of_work() as uow:
        if parent is not None:
            uow.accounts.add(Account("Parent AB", id=parent))
        uow.repository(name).add(entity)
    try:
        with store.unit_of_work() as uow:
            repo = uow.repository(name)
            got = repo.get(entity.id)
            if entity.remote_id is not None:
                assert repo.find_by_remote_id(entity.remote_id) == entity
            for key, value in entity.custom.items():
                # the query that NaN used to break; text and ints must find the entity
                found = repo.find(Query(custom={key: value}))
                if isinstance(value, str | int) and not isinstance(value, bool):
                    assert entity.id in {e.id for e in found}
    finally:
        with store.unit_of_work() as uow:
            uow.repository(name).delete(entity.id)
            if parent is not None:
                uow.accounts.delete(parent)
    assert got == entity


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
@given(hostile_entities())
def test_what_validates_serialises_and_round_trips(drawn: tuple[type, dict[str, Any]]) -> None:
    entity = _build(*drawn)
    if entity is None:
        return
    text = to_json(entity)
    _strict(text)
    text.encode("utf-8")  # no lone surrogate reached the output
    assert from_json(type(entity), text) == entity
    assert from_json(type(entity), text.encode("utf-8")) == entity


def test_what_validates_stores_in_every_store(store: Store) -> None:
    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(hostile_entities())
    def check(drawn: tuple[type, dict[str, Any]]) -> None:
        entity = _build(*drawn)
        if entity is not None:
            _stores_and_returns(store, entity)

    check()


@pytest.mark.parametrize(
    "overrides",
    [
        {"id": "i" * ID_MAX},
        {"id": "🙂" * ID_MAX},  # 64 characters, 256 UTF-8 bytes
        {"owner_id": "\u0661" * ID_MAX},
        {"tier": "ß" * KEY_MAX},
        {"remote_id": "é" * REMOTE_ID_MAX},
        {"owner_id": "o" * ID_MAX},
        {"tier": "t" * KEY_MAX},
        {"remote_id": "r" * REMOTE_ID_MAX},
        {"name": "İstanbul Straße 🙂 \u202e e\u0301 \ufeff"},
        {"name": "Robert'); DROP TABLE crm_accounts; --"},
        {"custom": {"big": INT_MAX, "small": -INT_MAX, "tiny": 5e-324, "huge": 1.7e308}},
        {"custom": {"n" * KEY_MAX: "value", "neg_zero": -0.0, "text": "١٢٣ ١٢"}},
        {"remote_data": {"deep": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}},
        {"remote_data": {"": None, "\\u0000 as text": [True, -0.0, "\u2028"]}},
        {"turnover": Money("9999999999999999.9999", "SEK")},
        {"turnover": Money("-9999999999999999.9999", "JPY")},
        {"phone": "+" + "4" * (PHONE_MAX - 1)},
        {"phone": "١٢٣ ٤٥٦ ٧٨٩"},
        {"organisation_number": "5" * ORGNR_MAX},
        {"website": "https://" + "w" * (WEBSITE_MAX - 8)},
        {"website": "https://İSTANBUL.example/ÅÄÖ"},
        {"turnover": Money("0." + "7" * 38, "EUR")},
    ],
    ids=lambda o: next(iter(o)),
)
def test_values_at_the_limits_store_everywhere(store: Store, overrides: dict[str, Any]) -> None:
    """The largest and strangest values the domain accepts are kept by every store."""
    account = Account(**{"name": "Limits AB", **overrides})
    _stores_and_returns(store, account)


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_text_is_accepted_exactly_when_clean(data: st.DataObject) -> None:
    """A name either fails with a named problem or survives JSON unchanged."""
    name = data.draw(hostile_text())
    entity = _build(Account, {"name": name})
    if entity is not None:
        assert "\x00" not in name
        assert from_json(Account, to_json(entity)).name == name


@pytest.mark.parametrize(
    ("field", "key", "value"),
    [
        ("custom", "score", float("nan")),
        ("custom", "score", float("inf")),
        ("remote_data", "note", "a\x00b"),
        ("remote_data", "tags", {1, 2}),
    ],
)
def test_a_value_put_in_place_after_construction_is_refused_by_every_store(
    store: Store, field: str, key: str, value: Any
) -> None:
    account = Account("In Place AB")
    getattr(account, field)[key] = value  # in place: no validator runs here
    with pytest.raises(ValidationError) as caught, store.unit_of_work() as uow:
        uow.accounts.add(account)
    assert caught.value.problems[0].path == f"{field}.{key}"
    with store.unit_of_work() as uow, pytest.raises(NotFoundError):
        uow.accounts.get(account.id)
