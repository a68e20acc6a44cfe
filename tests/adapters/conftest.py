"""Fixtures for the store tests: a PostgreSQL schema per test session (and xdist worker), and
the database URL of a test parametrised over SQLite and PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.backends import pg_url, require_backend


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[str]:
    """A PostgreSQL schema private to this test process, dropped at the end."""
    url = pg_url()
    name = f"crmkit_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    yield name
    if url is None:
        return
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
    engine.dispose()


@pytest.fixture
def pg_fresh_schema(pg_schema: str) -> Iterator[str]:
    """A PostgreSQL schema for one test, dropped after it."""
    url = pg_url()
    name = f"{pg_schema}_{uuid.uuid4().hex[:6]}"
    yield name
    if url is None:
        return
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url_and_options(
    request: pytest.FixtureRequest, tmp_path: Path, pg_fresh_schema: str
) -> tuple[str, dict[str, str]]:
    """A database URL and ``open_store`` options: a fresh SQLite file, then a fresh PostgreSQL
    schema (required in CI)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'crm.db'}", {}
    found = pg_url()
    require_backend("postgresql", found is not None, "set CRMKIT_PG_URL")
    assert found is not None
    return found, {"schema": pg_fresh_schema}
