"""The SQL schema is versioned: a version-1 database upgrades to the current version keeping its data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from crmkit.adapters import open_store
from crmkit.adapters.aggregate import aggregate_for
from crmkit.adapters.sql.migrations.legacy import create_version_1
from crmkit.adapters.sql.schema import SCHEMA_VERSION
from crmkit.errors import ValidationError
from crmkit.testing.adapter_suite import sample_entity
from tests.backends import pg_url, require_backend


def _write_version_1(engine: sa.Engine) -> list[str]:
    """Create a version-1 database holding three accounts (rows as crmkit 1 wrote them)."""
    accounts = [
        sample_entity(
            "accounts",
            name="Acme AB",
            tier="A",
            owner_id="anna",
            custom={"fiscal_month": 7},
            remote_id="hs-1",
        ),
        sample_entity("accounts", name="Bergs Bygg", tier="B", custom={"fiscal_month": 1}),
        sample_entity("accounts", name="Cirkus AB"),
    ]
    agg = aggregate_for("accounts")
    with engine.begin() as conn:
        create_version_1(conn)
        for acc in accounts:
            acc.version = 1
            idx = agg.index(acc)
            conn.execute(
                sa.text(
                    "INSERT INTO crm_accounts (id, version, owner_id, account_id, status, stage,"
                    " name, remote_id, created_us, updated_us, document) VALUES (:id, 1, :owner,"
                    " NULL, :status, NULL, :name, :remote, :created, :updated, :doc)"
                ),
                {
                    "id": acc.id,
                    "owner": idx.owner_id,
                    "status": idx.status,
                    "name": idx.name,
                    "remote": idx.remote_id,
                    "created": idx.created_us,
                    "updated": idx.updated_us,
                    "doc": json.dumps(agg.to_document(acc)),
                },
            )
    return [a.id for a in accounts]


def _check_upgraded(url: str, ids: list[str], **options: str) -> None:
    with open_store(url, **options) as store:
        assert store.schema_version == SCHEMA_VERSION == 5
        with store.unit_of_work() as uow:
            assert sorted(a.id for a in uow.accounts.iter_all()) == sorted(ids)
            assert [a.name for a in uow.accounts.by_segment("A")] == ["Acme AB"]
            assert [a.name for a in uow.accounts.by_custom("fiscal_month", 7)] == ["Acme AB"]
            assert uow.accounts.find_by_remote_id("hs-1").name == "Acme AB"
            acme = uow.accounts.get(ids[0])
            acme.name = "Acme Group"
            uow.accounts.save(acme)
        with store.unit_of_work() as uow:
            assert uow.accounts.get(ids[0]).version == 2
    with open_store(url, **options) as store:  # opening again does not re-run the upgrade
        assert store.schema_version == SCHEMA_VERSION


def test_sqlite_version_1_database_upgrades_keeping_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = sa.create_engine(url)
    ids = _write_version_1(engine)
    engine.dispose()
    _check_upgraded(url, ids)


@pytest.mark.postgres
def test_postgres_version_1_database_upgrades_keeping_data(pg_fresh_schema: str) -> None:
    url = pg_url()
    require_backend("postgresql", url is not None, "set CRMKIT_PG_URL (bash .ci/postgres.sh)")
    assert url is not None
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{pg_fresh_schema}"')

    @sa.event.listens_for(engine, "connect")
    def _path(dbapi_connection: object, _record: object) -> None:
        cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
        cursor.execute(f'SET search_path TO "{pg_fresh_schema}"')
        cursor.close()

    engine.dispose()
    ids = _write_version_1(engine)
    engine.dispose()
    _check_upgraded(url, ids, schema=pg_fresh_schema)


def test_refuses_to_upgrade_when_asked_not_to(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = sa.create_engine(url)
    _write_version_1(engine)
    engine.dispose()
    with pytest.raises(ValidationError, match=f"older than {SCHEMA_VERSION}"):
        open_store(url, upgrade=False)


def test_refuses_a_database_from_a_newer_crmkit(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    open_store(url).close()
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE crmkit_schema SET version = 99")
    engine.dispose()
    with pytest.raises(ValidationError, match="newer than this crmkit supports"):
        open_store(url)


def test_sqlite_file_uses_wal_mode(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path / 'crm.db'}") as store, store.unit_of_work() as uow:
        mode = uow.connection.exec_driver_sql("PRAGMA journal_mode").scalar()  # type: ignore[attr-defined]
    assert mode == "wal"
