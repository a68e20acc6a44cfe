"""The adapter compliance suite run against the built-in stores: memory, SQLite, PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crmkit.adapters import Store, open_store
from crmkit.adapters.aggregate import aggregate_names
from crmkit.testing.adapter_suite import AdapterComplianceSuite
from tests.backends import pg_url, require_backend


@pytest.fixture(scope="module")
def shared_store(pg_schema: str) -> Iterator[Store]:
    """One PostgreSQL store (in this session's schema) shared by the module's tests."""
    url = pg_url()
    require_backend("postgresql", url is not None, "set CRMKIT_PG_URL (bash .ci/postgres.sh)")
    assert url is not None
    store = open_store(url, schema=pg_schema)
    yield store
    store.close()


class TestMemoryStore(AdapterComplianceSuite):
    store_url = "memory://"


class TestSqliteFileStore(AdapterComplianceSuite):
    enforces_foreign_keys = True

    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[Store]:
        store = open_store(f"sqlite:///{tmp_path / 'crm.db'}")
        yield store
        store.close()


class TestSqliteInMemoryStore(AdapterComplianceSuite):
    store_url = "sqlite://"
    enforces_foreign_keys = True
    max_examples = 5


@pytest.mark.postgres
class TestPostgresStore(AdapterComplianceSuite):
    enforces_foreign_keys = True

    @pytest.fixture
    def store(self, shared_store: Store) -> Iterator[Store]:
        yield shared_store
        from crmkit.adapters.sql import SqlStore

        assert isinstance(shared_store, SqlStore)
        tables = ", ".join(shared_store.table(name).name for name in aggregate_names())
        with shared_store.engine.begin() as conn:
            conn.exec_driver_sql(f"TRUNCATE {tables}")
