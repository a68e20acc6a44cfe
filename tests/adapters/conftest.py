"""Fixtures for the store tests: a PostgreSQL schema per test session (and xdist worker)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from tests.backends import pg_url


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
