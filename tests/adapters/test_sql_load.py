"""Loading a page of stored documents at once (:func:`crmkit.adapters.sql.rows.load_entities`,
used by the SQL store's ``find``, ``iter_all`` and lookups) gives what loading each document
with :func:`~crmkit.adapters.sql.rows.load_entity` gives, errors included."""

from __future__ import annotations

import re
from typing import Any

import pytest

from crmkit.adapters.aggregate import aggregate_for, aggregate_names
from crmkit.adapters.sql import SqlStore
from crmkit.adapters.sql.rows import load_entities, load_entity
from crmkit.domain import Account, AccountStatus, Address, Money
from crmkit.errors import ValidationError
from crmkit.testing.adapter_suite import sample_entity


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
