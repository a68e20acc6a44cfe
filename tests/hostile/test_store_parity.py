"""The storage side of "whatever validates also stores": memory, SQLite and PostgreSQL accept
the same unusual valid entities, answer the same queries on them, and refuse the same
queries, with crmkit errors.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crmkit.adapters import Query, Store, open_store
from crmkit.domain import limits
from crmkit.errors import ValidationError
from crmkit.testing.adapter_suite import sample_entity
from tests.backends import pg_url, require_backend


@pytest.fixture(
    scope="module",
    params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    path = tmp_path_factory.mktemp("parity")
    # unique across xdist workers (each worker numbers its temporary folders from 0)
    schema = f"crmkit_parity_{uuid.uuid4().hex[:12]}"
    if request.param == "memory":
        opened = open_store("memory://")
    elif request.param == "sqlite":
        opened = open_store(f"sqlite:///{Path(path) / 'crm.db'}")
    else:
        url = pg_url()
        require_backend("postgresql", url is not None, "set CRMKIT_PG_URL (bash .ci/postgres.sh)")
        assert url is not None
        opened = open_store(url, schema=schema)
    yield opened
    if request.param == "postgresql":
        from crmkit.adapters.sql import SqlStore

        assert isinstance(opened, SqlStore)
        with opened.engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    opened.close()


UNUSUAL_VALUES: list[Any] = [
    limits.INT_MAX,
    -limits.INT_MAX,
    2**53 + 1,  # not exact as a double: compared as an integer all the same
    sys.float_info.max,
    sys.float_info.min,
    5e-324,
    -0.0,
    0.1 + 0.2,
    "",
    " ",
    "100%_off\\",
    '"quoted"',
    "$.path[0]",
    "ünïcödé ✓ 😀",
    "\u202eright-to-left",
    "x" * 5000,
    True,
    False,
    None,
]


@pytest.mark.parametrize("value", UNUSUAL_VALUES, ids=lambda v: repr(v)[:24])
def test_an_unusual_custom_value_stores_and_is_found_by_value(store: Store, value: Any) -> None:
    key = "k_" + "x" * (limits.KEY_MAX - 2)  # the longest property name
    account = sample_entity("accounts", name="Parity", custom={key: value, "other": 1})
    with store.unit_of_work() as uow:
        uow.accounts.add(account)
    try:
        with store.unit_of_work() as uow:
            assert uow.accounts.get(account.id) == account
            found = [a.id for a in uow.accounts.iter_all(Query(custom={key: value}))]
            assert account.id in found
            if isinstance(value, bool) or value is None:
                assert uow.accounts.count(Query(custom={key: 1})) == 0  # True is not 1
    finally:
        with store.unit_of_work() as uow:
            uow.accounts.delete(account.id)


def test_json_equality_is_the_same_everywhere(store: Store) -> None:
    one_int = sample_entity("accounts", name="int", custom={"n": 1})
    one_float = sample_entity("accounts", name="float", custom={"n": 1.0})
    text = sample_entity("accounts", name="text", custom={"n": "1"})
    true = sample_entity("accounts", name="bool", custom={"n": True})
    with store.unit_of_work() as uow:
        uow.accounts.add_many([one_int, one_float, text, true])
    try:
        with store.unit_of_work() as uow:

            def names(value: Any) -> list[str]:
                return sorted(a.name for a in uow.accounts.iter_all(Query(custom={"n": value})))

            assert names(1) == ["float", "int"]
            assert names(1.0) == ["float", "int"]
            assert names("1") == ["text"]
            assert names(True) == ["bool"]
    finally:
        with store.unit_of_work() as uow:
            for entity in (one_int, one_float, text, true):
                uow.accounts.delete(entity.id)


@pytest.mark.parametrize(
    ("custom", "path"),
    [
        ({'a"b': 1}, 'query.custom.a"b'),
        ({"a\\b": 1}, "query.custom.a\\b"),
        ({"utm source": 1}, "query.custom.utm source"),
        ({"$.x": 1}, "query.custom.$.x"),
        ({"": 1}, "query.custom."),
        ({"n": float("nan")}, "query.custom.n"),
        ({"n": float("inf")}, "query.custom.n"),
        ({"n": [1, 2]}, "query.custom.n"),
    ],
    ids=lambda v: repr(v)[:20],
)
def test_a_query_no_entity_could_match_is_refused_the_same_everywhere(
    store: Store, custom: dict[str, Any], path: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        Query(custom=custom)
    assert caught.value.paths == [path]
    with store.unit_of_work() as uow, pytest.raises(ValidationError):
        uow.accounts.by_custom(*next(iter(custom.items())))


@pytest.mark.parametrize("text", ["%", "_", "\\", "%_\\", "'", '"', "ü", "😀"])
def test_name_search_treats_every_character_literally(store: Store, text: str) -> None:
    hit = sample_entity("accounts", name=f"Acme {text} AB")
    miss = sample_entity("accounts", name="Acme plain AB")
    with store.unit_of_work() as uow:
        uow.accounts.add_many([hit, miss])
    try:
        with store.unit_of_work() as uow:
            assert [a.id for a in uow.accounts.search_name(text)] == [hit.id]
    finally:
        with store.unit_of_work() as uow:
            uow.accounts.delete(hit.id)
            uow.accounts.delete(miss.id)
