"""Schema 5 makes the indexes of columns that can be empty partial: a schema-4 database is
upgraded in place (every row kept as it was), and the store's queries still use the indexes."""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from crmkit.adapters import open_store
from crmkit.adapters.aggregate import aggregate_names
from crmkit.adapters.sql import SqlStore
from crmkit.adapters.sql.migrations import VERSION_TABLE, head_revision
from crmkit.adapters.sql.migrations.indexes import make_partial
from crmkit.adapters.sql.schema import SCHEMA_VERSION, partial_index_columns, table_name
from crmkit.adapters.sql.store import SqlUnitOfWork as UnitOfWork
from crmkit.domain import Account, Contact
from crmkit.testing.adapter_suite import sample_entity

FIXTURE = Path(__file__).parent / "data" / "crm-schema-v4.db"


def _tables(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every aggregate table of a SQLite file, in id order."""
    conn = sqlite3.connect(path)
    try:
        return {
            name: conn.execute(f"SELECT * FROM {table_name(name)} ORDER BY id").fetchall()
            for name in aggregate_names()
        }
    finally:
        conn.close()


def _index_sql(conn: sa.Connection) -> dict[str, str]:
    """The definition of each crmkit index (``ix_crm_…``), SQLite or PostgreSQL."""
    if conn.dialect.name == "sqlite":
        query = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
    else:
        query = "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
    return {r[0]: r[1] for r in conn.exec_driver_sql(query) if r[0].startswith("ix_crm_")}


def _check_indexes(conn: sa.Connection) -> None:
    """Exactly the indexes of the columns that can be empty are partial."""
    found = _index_sql(conn)
    partial = {
        f"ix_{table_name(name)}_{column}"
        for name in aggregate_names()
        for column in partial_index_columns(name)
    }
    assert partial <= set(found)
    for name, definition in found.items():
        assert (" WHERE " in definition.upper()) == (name in partial), definition
    assert "ix_crm_accounts_stage" in partial
    assert "ix_crm_accounts_status" not in partial


def test_schema_4_file_upgrades_in_place_keeping_every_row(tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    shutil.copy(FIXTURE, path)
    before = _tables(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version FROM crmkit_schema").fetchone() == (4,)
        query = "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        assert all(" WHERE " not in sql for (sql,) in conn.execute(query))
    assert all(before.values()), "the fixture holds every aggregate"
    url = f"sqlite:///{path}"
    with open_store(url) as store:
        assert store.schema_version == SCHEMA_VERSION == 5
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql(f"SELECT version_num FROM {VERSION_TABLE}").scalar() == (
                head_revision()
            )
            _check_indexes(conn)
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    assert _tables(path) == before  # every row as it was
    with open_store(url) as store:
        with store.unit_of_work() as uow:  # the stored entities read back and stay writable
            accounts = list(uow.accounts.iter_all())
            assert len(accounts) == len(before["accounts"])
            child = next(a for a in accounts if a.parent_id is not None)
            parent = uow.accounts.get(child.parent_id)
            assert parent.tier is not None
            assert child.parent_id in {a.id for a in uow.accounts.by_segment(parent.tier).items}
            assert uow.accounts.find_by_remote_id("hs-100") == parent
            parent.tier = "Z"
            uow.accounts.save(parent)
        with store.unit_of_work() as uow:
            assert [a.id for a in uow.accounts.by_segment("Z").items] == [parent.id]
    with open_store(url) as store, store.engine.connect() as conn:  # opening again: no change
        _check_indexes(conn)


def _connect(store: SqlStore, options: dict[str, str]) -> sa.Connection:
    conn = store.engine.connect()
    if options:
        conn.exec_driver_sql(f'SET search_path TO "{options["schema"]}"')
        conn.commit()
    return conn


def test_upgrade_from_4_makes_the_indexes_partial(
    url_and_options: tuple[str, dict[str, str]],
) -> None:
    """The 0005 step on both dialects: full indexes become partial, rows are kept."""
    url, options = url_and_options
    acme = Account("Acme AB", phone="+46 8 123 45 67")
    with open_store(url, **options) as store:
        with store.unit_of_work() as uow:
            uow.accounts.add(acme)
            uow.contacts.add(Contact("Eva", "Lund", account_id=acme.id, email="eva@acme.se"))
        with _connect(store, options) as conn:  # make it look like schema 4
            for name, definition in _index_sql(conn).items():
                if " WHERE " in definition.upper():
                    conn.exec_driver_sql(f'DROP INDEX "{name}"')
                    conn.exec_driver_sql(definition.split(" WHERE ")[0])
            assert all(" WHERE " not in d.upper() for d in _index_sql(conn).values())
            conn.exec_driver_sql("UPDATE crmkit_schema SET version = 4")
            conn.exec_driver_sql(f"UPDATE {VERSION_TABLE} SET version_num = '0004'")
            conn.commit()
    with open_store(url, **options) as store:
        assert store.schema_version == 5
        with _connect(store, options) as conn:
            _check_indexes(conn)
            assert make_partial(conn) == []  # nothing left to do
            conn.rollback()
        with store.unit_of_work() as uow:
            assert [c.last_name for c in uow.contacts.by_account(acme.id).items] == ["Lund"]
            assert uow.accounts.get(acme.id) == acme


@pytest.fixture
def captured(
    url_and_options: tuple[str, dict[str, str]],
) -> Iterator[tuple[SqlStore, dict[str, str], Callable[[Callable[[UnitOfWork], Any]], list[Any]]]]:
    """A store holding a few rows, and a function that returns the SQL statements (and their
    parameters) a call of the store's API ran."""
    url, options = url_and_options
    store = open_store(url, **options)
    assert isinstance(store, SqlStore)
    parent = sample_entity("accounts", owner_id="seller-1", tier="A", website="https://acme.se")
    with store.unit_of_work() as uow:
        uow.accounts.add(parent)
        child = sample_entity("accounts", parent_id=parent.id, organisation_number="5560000001")
        uow.accounts.add(child)
        uow.contacts.add(Contact("Eva", "Lund", account_id=parent.id, email="eva@acme.se"))
        buyer = uow.accounts.add(sample_entity("accounts", name="Buyer AB"))
        uow.orders.add(sample_entity("orders", account_id=buyer.id, owner_id="seller-1"))
    seen: list[tuple[str, Any]] = []

    def listen(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        seen.append((statement, params))

    def run(call: Callable[[UnitOfWork], Any]) -> list[Any]:
        seen.clear()
        sa.event.listen(store.engine, "before_cursor_execute", listen)
        try:
            with store.unit_of_work() as uow:
                call(uow)
                uow.rollback()
        finally:
            sa.event.remove(store.engine, "before_cursor_execute", listen)
        return list(seen)

    try:
        yield store, options, run
    finally:
        store.close()


def _plan(store: SqlStore, options: dict[str, str], statement: str, params: Any) -> str:
    """The plan of a captured statement: SQLite's ``EXPLAIN QUERY PLAN``; PostgreSQL's
    generic plan (the one a prepared statement reuses, parameters unknown) with sequential
    scans discouraged, so a usable index shows."""
    with _connect(store, options) as conn:
        if store.dialect == "sqlite":
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)
            return "\n".join(str(r[-1]) for r in rows)
        names: list[str] = []

        def number(match: re.Match[str]) -> str:
            names.append(match.group(1))
            return f"${len(names)}"

        prepared = re.sub(r"%\((\w+)\)s", number, statement)
        literal = ", ".join("'" + str(params[n]).replace("'", "''") + "'" for n in names)
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        conn.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
        conn.exec_driver_sql(f"PREPARE crmkit_plan AS {prepared}")
        try:
            rows = conn.exec_driver_sql(f"EXPLAIN EXECUTE crmkit_plan({literal})")
            return "\n".join(str(r[0]) for r in rows)
        finally:
            conn.exec_driver_sql("DEALLOCATE crmkit_plan")
            conn.rollback()


@pytest.mark.parametrize(
    ("call", "aggregate", "column"),
    [
        (lambda uow: uow.accounts.by_owner("seller-1"), "accounts", "owner_id"),
        (lambda uow: uow.accounts.by_segment("A"), "accounts", "segment"),
        (lambda uow: uow.accounts.find_by_domain("acme.se"), "accounts", "domain"),
        (
            lambda uow: uow.accounts.find_by_org_number("556000-0001"),
            "accounts",
            "organisation_number",
        ),
        (lambda uow: uow.contacts.by_account("a-1"), "contacts", "account_id"),
        (lambda uow: uow.contacts.find_by_email("eva@acme.se"), "contacts", "email"),
        (lambda uow: uow.orders.by_owner("seller-1"), "orders", "owner_id"),
    ],
)
def test_the_store_queries_use_the_partial_indexes(
    captured: tuple[SqlStore, dict[str, str], Callable[..., list[Any]]],
    call: Callable[[UnitOfWork], Any],
    aggregate: str,
    column: str,
) -> None:
    store, options, run = captured
    assert column in partial_index_columns(aggregate)
    table = table_name(aggregate)
    statements = [(s, p) for s, p in run(call) if f"FROM {table}" in s and column in s]
    assert statements, "the call reads the table filtered by the column"
    for statement, params in statements:
        assert f"ix_{table}_{column}" in _plan(store, options, statement, params)


def test_detaching_children_and_foreign_keys_use_the_partial_indexes(
    captured: tuple[SqlStore, dict[str, str], Callable[..., list[Any]]],
) -> None:
    """Deleting an account finds its children (``parent_id = …``) and SQLite's foreign-key
    checks find the rows naming it (``account_id = …``) through partial indexes."""
    store, options, run = captured
    with store.unit_of_work() as uow:
        child = next(a for a in uow.accounts.iter_all() if a.parent_id is not None)
        parent = uow.accounts.get(child.parent_id)
    statements = [
        (s, p)
        for s, p in run(lambda uow: uow.accounts.delete(parent.id))
        if "parent_id" in s and s.lstrip().upper().startswith("SELECT")
    ]
    assert statements
    for statement, params in statements:
        assert "ix_crm_accounts_parent_id" in _plan(store, options, statement, params)
    if store.dialect == "sqlite":
        plan = _plan(store, options, "DELETE FROM crm_accounts WHERE id = ?", (parent.id,))
        assert "ix_crm_contacts_account_id" in plan
        assert "ix_crm_accounts_parent_id" in plan
