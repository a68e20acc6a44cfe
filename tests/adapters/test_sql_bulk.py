"""The SQL store's fast paths: bulk inserts through the driver, keyset paging, lookups and
``store.frame`` read as Arrow — each checked against what SQLAlchemy Core reads back, on
SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import importlib.util
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from crmkit.adapters.aggregate import aggregate_for
from crmkit.adapters.sql import SqlStore
from crmkit.adapters.sql.schema import entity_row
from crmkit.domain import Account, Money, Order, OrderLine
from tests.backends import pg_url, require_backend

T0 = dt.datetime(2025, 3, 1, 9, 30, 15, 123456, tzinfo=dt.UTC)


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


def _accounts() -> list[Account]:
    return [
        Account(
            name=f"Firm {i}",
            organisation_number=f"55667788{i:02d}",
            website=f"https://www.firm{i}.se",
            custom={"rank": i, "vip": i % 2 == 0, "note": "åäö"},
            turnover=Money(Decimal("1234.5") * i, "SEK") if i else None,
            created_at=T0,
            updated_at=T0 + dt.timedelta(minutes=i),
        )
        for i in range(5)
    ]


def _orders(accounts: list[Account]) -> list[Order]:
    return [
        Order(
            account_id=accounts[i % len(accounts)].id,
            ordered_at=T0 + dt.timedelta(days=i, microseconds=i),
            lines=[OrderLine(f"P{i}", 1 + i, Money(Decimal("10.25"), "SEK"))],
        )
        for i in range(7)
    ]


def test_bulk_insert_stores_what_core_reads_back_as_entity_row(store: SqlStore) -> None:
    accounts = _accounts()
    with store.unit_of_work() as uow:
        assert uow.accounts.add_many(accounts) == len(accounts)
    table = store.table("accounts")
    with store.engine.connect() as conn:
        stored = {r.id: r._asdict() for r in conn.execute(table.select())}
    agg = aggregate_for("accounts")
    for account in accounts:
        expected = entity_row(agg, account, 1)
        got = stored[account.id]
        for column in ("turnover", "turnover_currency", "domain", "organisation_number"):
            assert got[column] == expected[column]
        assert got["custom"] == account.custom == expected["custom"]
        assert got["updated_at"].replace(tzinfo=dt.UTC) == account.updated_at
        assert got["addresses"] == []
        assert account.version == 1  # the port's contract: the caller's entity is at version 1


def test_upsert_inserts_new_rows_through_the_driver_and_replaces_old_ones(
    store: SqlStore,
) -> None:
    accounts = _accounts()
    with store.unit_of_work() as uow:
        uow.accounts.add_many(accounts[:2])
    accounts[0].name = "Renamed"
    with store.unit_of_work() as uow:
        result = uow.accounts.upsert_many(accounts)
    assert (result.inserted, result.updated) == (3, 2)
    with store.unit_of_work() as uow:
        assert uow.accounts.get(accounts[0].id).name == "Renamed"
        assert uow.accounts.get(accounts[4].id).turnover == Money(Decimal("4938.0"), "SEK")
        assert [a.version for a in (accounts[0], accounts[4])] == [2, 1]


def test_keyset_paging_orders_by_the_primary_key_without_sorting(tmp_path: Any) -> None:
    with SqlStore(f"sqlite:///{tmp_path / 'crm.db'}") as store:
        with store.unit_of_work() as uow:
            uow.accounts.add_many(_accounts())
            first = uow.accounts.find(limit=2)
            second = uow.accounts.find(limit=2, cursor=first.next_cursor)
            assert [a.id for a in first.items + second.items] == sorted(
                a.id for a in uow.accounts.iter_all()
            )[:4]
        table = store.table("accounts")
        import sqlalchemy as sa

        query = sa.select(table.c.id, table.c.document).where(table.c.id > "x").order_by(table.c.id)
        compiled = str(query.compile(store.engine, compile_kwargs={"literal_binds": True}))
        with store.engine.connect() as conn:
            plan = " ".join(
                str(r[-1]) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")
            )
    assert "TEMP B-TREE" not in plan  # rows come in index order: no sort, no OFFSET scan
    assert "INDEX" in plan


def test_lookups_use_the_normalised_columns(store: SqlStore) -> None:
    accounts = _accounts()
    with store.unit_of_work() as uow:
        uow.accounts.add_many(accounts)
        assert [a.id for a in uow.accounts.find_by_domain("FIRM3.se")] == [accounts[3].id]
        assert [a.id for a in uow.accounts.find_by_org_number("556677-8802")] == [accounts[2].id]


@pytest.mark.parametrize("backend", ["pyarrow", "pandas", "polars", "duckdb"])
def test_frame_reads_exactly_what_is_stored(store: SqlStore, backend: str) -> None:
    accounts = _accounts()
    orders = _orders(accounts)
    with store.unit_of_work() as uow:
        uow.accounts.add_many(accounts)
        uow.orders.add_many(orders)
    frame = store.frame("orders", backend=backend)
    if backend == "pandas":
        records = frame.to_dict("records")
    elif backend == "polars":
        records = frame.to_dicts()
    elif backend == "duckdb":
        table = frame.arrow()
        records = (table.read_all() if hasattr(table, "read_all") else table).to_pylist()
    else:
        records = frame.to_pylist()
    assert [r["id"] for r in records] == sorted(o.id for o in orders)
    by_id = {o.id: o for o in orders}
    for record in records:
        order = by_id[record["id"]]
        assert record["account_id"] == order.account_id
        assert record["ordered_at"] == order.ordered_at
        assert record["total"] == float(order.total.amount)
        assert record["currency"] == "SEK"
        assert record["version"] == 1
        assert record["contact_id"] is None or record["contact_id"] != record["contact_id"]  # NaN


def test_frame_without_pyarrow_reads_python_rows(
    store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts = _accounts()
    with store.unit_of_work() as uow:
        uow.accounts.add_many(accounts)
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == "pyarrow" else real(name, *args),
    )
    frame = store.frame("accounts", backend="polars")
    by_id = {a.id: a for a in accounts}
    assert frame["id"].to_list() == sorted(by_id)
    for row in frame.to_dicts():
        account = by_id[row["id"]]
        assert row["name"] == account.name
        assert row["turnover"] == (
            None if account.turnover is None else float(account.turnover.amount)
        )
        assert row["updated_at"] == account.updated_at
