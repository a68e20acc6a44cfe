"""Schema 3: a database written by the schema-2 store upgrades with Alembic keeping every row;
typed columns, BI views and ``store.frame`` read what is stored."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from crmkit.adapters import open_store
from crmkit.adapters.aggregate import aggregate_for
from crmkit.adapters.sql import SqlStore
from crmkit.adapters.sql.migrations import VERSION_TABLE, head_revision
from crmkit.adapters.sql.migrations.legacy import (
    LEGACY_AGGREGATES,
    create_version_1,
    upgrade_1_to_2,
)
from crmkit.adapters.sql.schema import SCHEMA_VERSION, table_name
from crmkit.adapters.sql.views import VIEWS
from crmkit.errors import ValidationError
from crmkit.testing.adapter_suite import sample_entity
from tests.backends import pg_url, require_backend

FIXTURE = Path(__file__).parent / "data" / "crm-schema-v2.db"


@pytest.fixture
def fixture_copy(tmp_path: Path) -> Path:
    """A copy of the schema-2 fixture file (reading a WAL file in place would add files)."""
    path = tmp_path / "crm.db"
    shutil.copy(FIXTURE, path)
    return path


def _fixture_rows(path: Path) -> dict[str, dict[str, tuple[int, str]]]:
    """Every row of a schema-2 database: aggregate → id → (version, document)."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT version FROM crmkit_schema").fetchone() == (2,)
        return {
            name: {
                r[0]: (r[1], r[2])
                for r in conn.execute(f"SELECT id, version, document FROM {table_name(name)}")
            }
            for name in LEGACY_AGGREGATES
        }
    finally:
        conn.close()


def _check_every_row(store: Any, old: dict[str, dict[str, tuple[int, str]]]) -> None:
    assert store.schema_version == SCHEMA_VERSION == 5
    with store.unit_of_work() as uow:
        for name, rows in old.items():
            agg = aggregate_for(name)
            stored = {e.id: e for e in uow.repository(name).iter_all()}
            assert set(stored) == set(rows), name
            for id, (version, document) in rows.items():
                entity = stored[id]
                assert entity.version == version
                assert entity == agg.from_document(document)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql(f"SELECT version_num FROM {VERSION_TABLE}").scalar() == (
            head_revision()
        )
        for view in VIEWS:
            conn.exec_driver_sql(f"SELECT count(*) FROM {view}").scalar()


def _check_typed_orders(store: Any) -> None:
    with store.unit_of_work() as uow:
        orders = {o.id: o for o in uow.orders.iter_all()}
    table = store.table("orders")
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(table.c.id, table.c.total, table.c.currency)).all()
        lines = conn.exec_driver_sql("SELECT count(*) FROM crm_v_order_lines").scalar()
    assert len(rows) == len(orders) > 0
    for row in rows:
        assert Decimal(row.total) == orders[row.id].total.amount
        assert row.currency == orders[row.id].total.currency
    assert lines == sum(len(o.lines) for o in orders.values())


def test_sqlite_file_of_schema_2_upgrades_keeping_every_row(fixture_copy: Path) -> None:
    old = _fixture_rows(fixture_copy)
    assert sum(len(rows) for rows in old.values()) > 100
    path = fixture_copy
    with open_store(f"sqlite:///{path}") as store:
        _check_every_row(store, old)
        _check_typed_orders(store)
    with open_store(f"sqlite:///{path}") as store:  # opening again changes nothing
        _check_every_row(store, old)


@pytest.mark.postgres
def test_postgres_database_of_schema_2_upgrades_keeping_every_row(
    pg_fresh_schema: str, fixture_copy: Path
) -> None:
    url = pg_url()
    require_backend("postgresql", url is not None, "set CRMKIT_PG_URL")
    assert url is not None
    old = _fixture_rows(fixture_copy)
    engine = sa.create_engine(url)
    source = sqlite3.connect(fixture_copy)
    source.row_factory = sqlite3.Row
    try:
        with engine.begin() as conn:  # a schema-2 PostgreSQL database with the fixture's rows
            conn.exec_driver_sql(f'CREATE SCHEMA "{pg_fresh_schema}"')
            conn.exec_driver_sql(f'SET search_path TO "{pg_fresh_schema}"')
            create_version_1(conn)
            upgrade_1_to_2(conn)
            conn.exec_driver_sql("UPDATE crmkit_schema SET version = 2")
            for name in LEGACY_AGGREGATES:
                rows = [dict(r) for r in source.execute(f"SELECT * FROM {table_name(name)}")]
                if rows:
                    table = sa.Table(table_name(name), sa.MetaData(), autoload_with=conn)
                    conn.execute(table.insert(), rows)
    finally:
        source.close()
        engine.dispose()
    with open_store(url, schema=pg_fresh_schema) as store:
        _check_every_row(store, old)
        _check_typed_orders(store)


def test_typed_columns_hold_normalised_lookups_and_the_callers_entity_is_untouched() -> None:
    with SqlStore("sqlite://") as store:
        contact = sample_entity("contacts", email="Anna.Berg@Example.SE", phone="08-12 34")
        account = sample_entity(
            "accounts", website="https://www.Acme.se/x", organisation_number="556677-8899"
        )
        with store.unit_of_work() as uow:
            uow.contacts.add_many([contact])
            uow.accounts.add(account)
        contacts, accounts = store.table("contacts"), store.table("accounts")
        with store.engine.connect() as conn:
            found = conn.execute(
                sa.select(contacts.c.id, contacts.c.phone).where(
                    contacts.c.email == "anna.berg@example.se"
                )
            ).one()
            domain = conn.execute(
                sa.select(accounts.c.domain, accounts.c.organisation_number)
            ).one()
            created = conn.execute(sa.select(accounts.c.created_at)).scalar_one()
        assert found == (contact.id, "081234")
        assert tuple(domain) == ("acme.se", "5566778899")
        assert created.replace(tzinfo=dt.UTC) == account.created_at.astimezone(dt.UTC)
        assert contact.email == "Anna.Berg@Example.SE"  # the entity keeps its own text


def test_a_failed_bulk_add_stores_nothing_and_names_the_clash() -> None:
    with SqlStore("sqlite://") as store:
        first = sample_entity("accounts", name="First")
        with store.unit_of_work() as uow:
            uow.accounts.add(first)
        fresh = [sample_entity("accounts", name=f"New {i}") for i in range(3)]
        twin = sample_entity("accounts", id=first.id, name="Twin")
        with store.unit_of_work() as uow:
            with pytest.raises(Exception, match=f"{first.id!r} already exists"):
                uow.accounts.add_many([*fresh, twin])
            assert uow.accounts.count() == 1  # the good rows before the clash were undone
        assert [a.version for a in fresh] == [0, 0, 0]


@pytest.mark.parametrize("backend", ["pandas", "polars", "pyarrow", "duckdb"])
def test_frame_of_stored_orders_feeds_rfm(backend: str) -> None:
    from crmkit.segmentation import rfm

    with SqlStore("sqlite://") as store:
        accounts = [sample_entity("accounts", name=f"Firm {i}") for i in range(3)]
        orders = [
            sample_entity(
                "orders",
                account_id=accounts[i % 3].id,
                ordered_at=dt.datetime(2025, 1 + i, 3, 10, tzinfo=dt.UTC),
            )
            for i in range(7)
        ]
        with store.unit_of_work() as uow:
            uow.accounts.add_many(accounts)
            uow.orders.add_many(orders)
        frame = store.frame("orders", backend=backend)
        if backend == "duckdb":
            table = frame.arrow()
            table = table.read_all() if hasattr(table, "read_all") else table
            assert table.num_rows == 7
            assert sorted(set(table.column("account_id").to_pylist())) == sorted(
                a.id for a in accounts
            )
            return
        if backend == "pyarrow":
            assert frame.column("total").to_pylist() == [2000.0] * 7
            return
        assert list(frame["total"]) == [2000.0] * 7
        result = rfm(frame, as_of=dt.date(2025, 12, 31))
        assert len(result) == 3


def test_frame_refuses_an_unknown_backend() -> None:
    with SqlStore("sqlite://") as store, pytest.raises(ValidationError, match="backend"):
        store.frame("orders", backend="excel")
