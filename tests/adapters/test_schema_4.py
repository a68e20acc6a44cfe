"""Schema 4 adds the object-model tables in place: a schema-3 file keeps every row."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from crmkit.adapters import open_store
from crmkit.adapters.aggregate import aggregate_for, aggregate_names
from crmkit.adapters.sql.migrations import VERSION_TABLE, head_revision
from crmkit.adapters.sql.schema import EXCHANGE_RATES_TABLE, SCHEMA_VERSION, table_name
from crmkit.adapters.sql.views import VIEWS, drop_views
from crmkit.domain import LineItem, Money, Quote, RecordLink, Task, User
from crmkit.errors import ConflictError
from crmkit.testing.adapter_suite import sample_entity

FIXTURE = Path(__file__).parent / "data" / "crm-schema-v3.db"
#: The aggregates a schema-3 database has tables for.
SCHEMA_3 = aggregate_names()[:11]


@pytest.fixture
def v3_copy(tmp_path: Path) -> Path:
    """A copy of the schema-3 fixture file (made by crmkit at schema 3)."""
    path = tmp_path / "crm.db"
    shutil.copy(FIXTURE, path)
    return path


def _rows(path: Path) -> dict[str, dict[str, tuple[int, str]]]:
    """Every row of the schema-3 file: aggregate → id → (version, document)."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT version FROM crmkit_schema").fetchone() == (3,)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert table_name("tasks") not in tables
        return {
            name: {
                r[0]: (r[1], r[2])
                for r in conn.execute(f"SELECT id, version, document FROM {table_name(name)}")
            }
            for name in SCHEMA_3
        }
    finally:
        conn.close()


def test_schema_3_file_upgrades_in_place_keeping_every_row(v3_copy: Path) -> None:
    old = _rows(v3_copy)
    assert all(old[name] for name in SCHEMA_3), "the fixture holds every schema-3 aggregate"
    url = f"sqlite:///{v3_copy}"
    with open_store(url) as store:
        assert store.schema_version == SCHEMA_VERSION == 5
        with store.unit_of_work() as uow:
            for name, rows in old.items():
                agg = aggregate_for(name)
                stored = {e.id: e for e in uow.repository(name).iter_all()}
                assert set(stored) == set(rows), name
                for id, (version, document) in rows.items():
                    assert stored[id].version == version
                    assert stored[id] == agg.from_document(document)
            for name in aggregate_names()[11:]:
                assert uow.repository(name).count() == 0, name
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql(f"SELECT version_num FROM {VERSION_TABLE}").scalar() == (
                head_revision()
            )
            for view in VIEWS:
                conn.exec_driver_sql(f"SELECT count(*) FROM {view}").scalar()
            kept = conn.exec_driver_sql(
                "SELECT count(*) FROM crm_accounts WHERE owner_id IS NOT NULL"
            ).scalar()
            assert kept == len(old["accounts"])
    with open_store(url) as store, store.unit_of_work() as uow:  # opening again: no change
        assert uow.accounts.count() == len(old["accounts"])


def test_upgraded_file_stores_the_new_aggregates(v3_copy: Path) -> None:
    old = _rows(v3_copy)
    account_id = sorted(old["accounts"])[0]
    at = datetime(2025, 3, 3, 9, tzinfo=UTC)
    with open_store(f"sqlite:///{v3_copy}") as store:
        anna = User("Anna Lind", "anna@example.se")
        task = Task(
            "Call about renewal",
            due_at=at,
            assignee_id=anna.id,
            links=[RecordLink("account", account_id)],
        )
        quote = Quote(
            account_id,
            "SEK",
            lines=[LineItem("p-1", 3, Money("100", "SEK"), tax_rate="0.25")],
            valid_until=date(2025, 4, 1),
        )
        with store.unit_of_work() as uow:
            uow.users.add(anna)
            uow.tasks.add(task)
            uow.quotes.add(quote)
        with store.unit_of_work() as uow:
            assert uow.tasks.by_owner(anna.id).items == [task]
            assert uow.quotes.by_account(account_id).items == [quote]
            with pytest.raises(ConflictError, match="quotes"):
                uow.accounts.delete(account_id)
        with store.engine.connect() as conn:
            row = conn.exec_driver_sql(
                "SELECT subject, assignee_id FROM crm_v_tasks WHERE id = ?", (task.id,)
            ).one()
            total = conn.exec_driver_sql("SELECT total FROM crm_v_quotes").scalar()
            rates = sa.inspect(conn).get_pk_constraint(EXCHANGE_RATES_TABLE)
        assert tuple(row) == ("Call about renewal", anna.id)
        assert str(total) in ("375", "375.0", "375.00", "375.0000")
        assert rates["constrained_columns"] == ["base", "quote", "on_date"]


def test_upgrade_adds_missing_columns_filled_from_the_documents(
    url_and_options: tuple[str, dict[str, str]],
) -> None:
    """The 0004 step adds whatever column or table the database lacks, on both dialects."""
    url, options = url_and_options
    products = [sample_entity("products", sku=f"S{i}", unit=unit) for i, unit in enumerate("ab")]
    with open_store(url, **options) as store:
        with store.unit_of_work() as uow:
            uow.products.add_many(products)
        with store.engine.begin() as conn:  # make it look older: a column and a table gone
            if options:
                conn.exec_driver_sql(f'SET search_path TO "{options["schema"]}"')
            drop_views(conn)
            conn.exec_driver_sql("ALTER TABLE crm_products DROP COLUMN unit")
            conn.exec_driver_sql(f"DROP TABLE {table_name('notes')}")
            conn.exec_driver_sql("UPDATE crmkit_schema SET version = 3")
            conn.exec_driver_sql(f"UPDATE {VERSION_TABLE} SET version_num = '0003'")
    with open_store(url, **options) as store:
        assert store.schema_version == SCHEMA_VERSION
        with store.engine.connect() as conn:
            if options:
                conn.exec_driver_sql(f'SET search_path TO "{options["schema"]}"')
            units = conn.exec_driver_sql("SELECT sku, unit FROM crm_v_products ORDER BY sku")
            assert [tuple(row) for row in units] == [("S0", "a"), ("S1", "b")]
        with store.unit_of_work() as uow:
            uow.notes.add(sample_entity("notes"))
            assert uow.notes.count() == 1


def test_views_of_quote_lines_and_activity_links(
    url_and_options: tuple[str, dict[str, str]],
) -> None:
    url, options = url_and_options
    quote = sample_entity(
        "quotes",
        quote_number="Q-7",
        lines=[
            LineItem("p-1", 3, Money("100", "SEK"), tax_rate="0.25"),
            LineItem("p-2", 1, Money("49.50", "SEK"), discount="0.1"),
        ],
    )
    task = sample_entity("tasks", links=[RecordLink("account", "acc-1"), RecordLink("case", "c-9")])
    note = sample_entity("notes", links=[RecordLink("contact", "c-1")])
    with open_store(url, **options) as store:
        with store.unit_of_work() as uow:
            uow.accounts.add(sample_entity("accounts", id="acc-1"))
            uow.quotes.add(quote)
            uow.tasks.add(task)
            uow.notes.add(note)
        with store.engine.connect() as conn:
            if options:
                conn.exec_driver_sql(f'SET search_path TO "{options["schema"]}"')
            lines = conn.exec_driver_sql(
                "SELECT quote_id, quote_number, line_no, product_id, quantity, unit_price,"
                " currency, discount, tax_rate FROM crm_v_quote_lines ORDER BY line_no"
            ).all()
            links = conn.exec_driver_sql(
                "SELECT task_id, record_type, record_id FROM crm_v_task_links ORDER BY line_no"
            ).all()
            noted = conn.exec_driver_sql("SELECT note_id, record_id FROM crm_v_note_links").all()
    assert [(r[0], r[1], r[2], r[3], r[6]) for r in lines] == [
        (quote.id, "Q-7", 0, "p-1", "SEK"),
        (quote.id, "Q-7", 1, "p-2", "SEK"),
    ]
    assert [(Decimal(str(r[4])), Decimal(str(r[5]))) for r in lines] == [
        (Decimal(3), Decimal(100)),
        (Decimal(1), Decimal("49.5")),
    ]
    assert [(Decimal(str(r[7])), Decimal(str(r[8]))) for r in lines] == [
        (Decimal(0), Decimal("0.25")),
        (Decimal("0.1"), Decimal(0)),
    ]
    assert [tuple(r) for r in links] == [(task.id, "account", "acc-1"), (task.id, "case", "c-9")]
    assert [tuple(r) for r in noted] == [(note.id, "c-1")]
