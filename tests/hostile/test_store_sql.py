"""Hostile storage: damaged files, locks, foreign schema versions, misuse of a unit of work.

Every failure must be a crmkit error that names the file (or URL) and says what to do —
never a raw ``sqlite3`` / SQLAlchemy / psycopg exception, never a silent 30-second hang.
Real SQLite files and the real PostgreSQL server; no mocks.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crmkit.adapters import Query, open_store
from crmkit.adapters.sql import SqlStore
from crmkit.adapters.sql.schema import SCHEMA_TABLE, SCHEMA_VERSION
from crmkit.errors import (
    CrmkitError,
    SchemaVersionError,
    StoreCorruptError,
    StoreError,
    StoreLockedError,
    UnitOfWorkClosedError,
    ValidationError,
)
from crmkit.testing.adapter_suite import sample_entity
from tests.backends import pg_url, require_backend


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def _real_database(path: Path) -> None:
    with open_store(_sqlite_url(path)) as store, store.unit_of_work() as uow:
        uow.accounts.add(sample_entity("accounts", name="Acme"))


# Files that are not (healthy) crmkit databases -----------------------------------------


def _text_file(path: Path) -> None:
    path.write_text("name,email\nAnna,anna@example.com\n" * 200, encoding="utf-8")


def _random_bytes(path: Path) -> None:
    path.write_bytes(bytes((i * 7919 + 13) % 256 for i in range(8192)))


def _damaged_pages(path: Path) -> None:
    _real_database(path)
    data = bytearray(path.read_bytes())
    for offset in range(100, len(data)):  # keep the 100-byte header, wreck every page
        data[offset] = 0xA5
    path.write_bytes(bytes(data))


def _wrong_header(path: Path) -> None:
    _real_database(path)
    data = bytearray(path.read_bytes())
    data[:16] = b"NotSQLite fmt 3\x00"
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "spoil", [_text_file, _random_bytes, _damaged_pages, _wrong_header], ids=lambda f: f.__name__
)
def test_a_file_that_is_not_a_database_is_a_store_corrupt_error_naming_it(
    tmp_path: Path, spoil: object
) -> None:
    path = tmp_path / "crm.db"
    spoil(path)  # type: ignore[operator]
    before = path.read_bytes()
    with pytest.raises(StoreCorruptError) as caught:
        open_store(_sqlite_url(path))
    message = str(caught.value)
    assert str(path) in message
    assert "backup" in message
    assert path.read_bytes() == before  # nothing was written over the user's file


def test_another_applications_sqlite_database_is_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "places.sqlite"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
        raw.execute("INSERT INTO moz_places (url) VALUES ('https://example.com')")
    raw.close()
    before = path.read_bytes()
    with pytest.raises(StoreCorruptError, match="another application") as caught:
        open_store(_sqlite_url(path))
    assert "moz_places" in str(caught.value)
    assert str(path) in str(caught.value)
    assert path.read_bytes() == before


def test_an_empty_file_becomes_a_crmkit_database(tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    path.touch()
    with open_store(_sqlite_url(path)) as store, store.unit_of_work() as uow:
        assert uow.accounts.count() == 0


def test_a_schema_table_without_a_version_row_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    _real_database(path)
    with sqlite3.connect(path) as raw:
        raw.execute(f"DELETE FROM {SCHEMA_TABLE}")
    with pytest.raises(StoreCorruptError, match=SCHEMA_TABLE) as caught:
        open_store(_sqlite_url(path))
    assert str(path) in str(caught.value)


def test_a_missing_table_is_a_store_error_not_a_raw_one(tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    _real_database(path)
    with sqlite3.connect(path) as raw:
        raw.execute("DROP TABLE crm_cases")
    with open_store(_sqlite_url(path)) as store, store.unit_of_work() as uow:
        assert uow.accounts.count() == 1  # the rest of the database still reads
        with pytest.raises(StoreCorruptError, match="crm_cases") as caught:
            uow.cases.count()
    assert str(path) in str(caught.value)


def test_a_path_in_a_missing_directory_is_a_store_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "no" / "such" / "dir" / "crm.db"
    with pytest.raises(StoreError) as caught:
        open_store(_sqlite_url(path))
    assert str(path) in str(caught.value)
    assert "directory" in str(caught.value)


def test_a_directory_instead_of_a_file_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as caught:
        open_store(_sqlite_url(tmp_path))
    assert str(tmp_path) in str(caught.value)


# Schema versions ----------------------------------------------------------------------


def _set_version(path: Path, version: int) -> None:
    with sqlite3.connect(path) as raw:
        raw.execute(f"UPDATE {SCHEMA_TABLE} SET version = ?", (version,))


def test_a_newer_schema_is_refused_naming_the_file_and_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    _real_database(path)
    _set_version(path, SCHEMA_VERSION + 7)
    with pytest.raises(SchemaVersionError) as caught:
        open_store(_sqlite_url(path))
    error = caught.value
    assert isinstance(error, ValidationError)  # still a ValidationError for old callers
    assert str(path) in str(error)
    assert "newer than this crmkit supports" in str(error)
    assert "upgrade crmkit" in str(error)
    assert error.problems[0].value == SCHEMA_VERSION + 7


def test_an_older_schema_without_upgrade_names_the_option(tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    _real_database(path)
    _set_version(path, 1)
    with pytest.raises(SchemaVersionError, match="upgrade=True") as caught:
        open_store(_sqlite_url(path), upgrade=False)
    assert str(path) in str(caught.value)


@pytest.fixture
def pg_fresh_schema() -> Iterator[str]:
    """A PostgreSQL schema for one test, dropped after it."""
    url = pg_url()
    require_backend("postgresql", url is not None, "set CRMKIT_PG_URL (bash .ci/postgres.sh)")
    assert url is not None
    name = f"crmkit_hostile_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    yield name
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
    engine.dispose()


@pytest.mark.postgres
def test_postgres_schema_version_mismatch_is_a_schema_version_error(
    pg_fresh_schema: str,
) -> None:
    url = pg_url()
    assert url is not None
    store = open_store(url, schema=pg_fresh_schema)
    assert isinstance(store, SqlStore)
    with store.engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE {SCHEMA_TABLE} SET version = {SCHEMA_VERSION + 1}")
    store.close()
    with pytest.raises(SchemaVersionError, match="newer than this crmkit supports"):
        open_store(url, schema=pg_fresh_schema)


def test_an_unreachable_postgres_server_is_a_store_error_without_the_password() -> None:
    url = "postgresql+psycopg://crm:hunter2secret@127.0.0.1:9/crmkit?connect_timeout=2"
    with pytest.raises(StoreError) as caught:
        open_store(url)
    message = str(caught.value)
    assert "hunter2secret" not in message
    assert "127.0.0.1" in message
    assert "server is running" in message


# Locks --------------------------------------------------------------------------------


@pytest.fixture
def locked_file(tmp_path: Path) -> Iterator[Path]:
    """A crmkit SQLite file whose write lock another connection holds for the test."""
    path = tmp_path / "crm.db"
    _real_database(path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    yield path
    holder.execute("ROLLBACK")
    holder.close()


def test_a_lock_held_too_long_is_a_store_locked_error_naming_the_file(locked_file: Path) -> None:
    store = open_store(_sqlite_url(locked_file), busy_timeout=0.05)
    fresh = sample_entity("accounts", name="Waiting")
    with pytest.raises(StoreLockedError) as caught, store.unit_of_work() as uow:
        uow.accounts.add(fresh)
    message = str(caught.value)
    assert str(locked_file) in message
    assert "busy_timeout" in message
    assert fresh.version == 0  # the failed unit of work left the caller's object as it was
    store.close()


def test_reads_do_not_need_the_write_lock(locked_file: Path) -> None:
    store = open_store(_sqlite_url(locked_file), busy_timeout=0.05)
    with store, store.unit_of_work() as uow:
        assert [a.name for a in uow.accounts.iter_all()] == ["Acme"]
        assert uow.accounts.count(Query(name="acme")) == 1


def test_an_open_reading_unit_of_work_does_not_block_a_writer(tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    _real_database(path)
    reader = open_store(_sqlite_url(path))
    writer = open_store(_sqlite_url(path), busy_timeout=0.05)
    with reader.unit_of_work() as reading:
        assert reading.accounts.count() == 1
        with writer.unit_of_work() as uow:  # would raise StoreLockedError if reads locked
            uow.accounts.add(sample_entity("accounts", name="Written meanwhile"))
        assert reading.accounts.count() >= 1
    with reader.unit_of_work() as uow:
        assert uow.accounts.count() == 2
    reader.close()
    writer.close()


def test_a_read_then_write_unit_of_work_still_detects_a_concurrent_change(
    tmp_path: Path,
) -> None:
    path = tmp_path / "crm.db"
    acme = sample_entity("accounts", name="Acme")
    with open_store(_sqlite_url(path)) as store, store.unit_of_work() as uow:
        uow.accounts.add(acme)
    first = open_store(_sqlite_url(path))
    second = open_store(_sqlite_url(path))
    from crmkit.errors import ConflictError

    def interleave() -> None:
        with first.unit_of_work() as uow:
            mine = uow.accounts.get(acme.id)  # read: no write lock yet
            with second.unit_of_work() as other:
                theirs = other.accounts.get(acme.id)
                theirs.name = "Theirs"
                other.accounts.save(theirs)
            mine.name = "Mine"
            mines.append(mine)
            uow.accounts.save(mine)

    mines: list[Any] = []
    with pytest.raises(ConflictError, match="version 1"):
        interleave()
    (mine,) = mines
    assert mine.version == 1
    with first.unit_of_work() as uow:
        assert uow.accounts.get(acme.id).name == "Theirs"
    first.close()
    second.close()


# A unit of work after its with block --------------------------------------------------


def test_a_unit_of_work_used_after_its_block_raises_and_holds_no_lock(tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    store = open_store(_sqlite_url(path))
    with store.unit_of_work() as uow:
        accounts = uow.accounts
        accounts.add(sample_entity("accounts"))
    with pytest.raises(UnitOfWorkClosedError, match=r"store\.unit_of_work"):
        accounts.add(sample_entity("accounts", name="Lost"))
    with pytest.raises(UnitOfWorkClosedError):
        uow.connection  # noqa: B018 - the property itself refuses
    # Nobody holds the write lock: another process-level connection gets it at once.
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("ROLLBACK")
    other.close()
    with pytest.raises(UnitOfWorkClosedError), uow:
        pass  # re-entering a finished unit of work is refused too
    store.close()


@pytest.mark.parametrize("url", ["memory://", "sqlite://"])
def test_a_failed_save_in_a_unit_of_work_keeps_the_version_until_rollback(url: str) -> None:
    store = open_store(url)
    acme = sample_entity("accounts", name="Acme")
    with store.unit_of_work() as uow:
        uow.accounts.add(acme)

    def abort() -> None:
        with store.unit_of_work() as uow:
            for round_ in range(3):
                acme.name = f"round {round_}"
                uow.accounts.save(acme)
            assert acme.version == 4
            raise RuntimeError("abort")

    with pytest.raises(RuntimeError, match="abort"):
        abort()
    assert acme.version == 1
    assert acme.name == "round 2"  # the caller's edits stay; only store bookkeeping rolls back
    with store.unit_of_work() as uow:
        uow.accounts.save(acme)
    with store.unit_of_work() as uow:
        assert uow.accounts.get(acme.id).name == "round 2"


def test_store_errors_are_crmkit_errors() -> None:
    for error in (StoreCorruptError, StoreLockedError, SchemaVersionError, UnitOfWorkClosedError):
        assert issubclass(error, StoreError)
        assert issubclass(error, CrmkitError)


def test_closing_a_unit_of_work_inside_its_block_rolls_back_and_ends_it(tmp_path: Path) -> None:
    store = open_store(_sqlite_url(tmp_path / "crm.db"))
    assert isinstance(store, SqlStore)
    ghost = sample_entity("accounts", name="Ghost")
    with store.unit_of_work() as uow:
        uow.accounts.add(ghost)
        uow.close()
        assert ghost.version == 0
        with pytest.raises(UnitOfWorkClosedError):
            uow.accounts.count()
    with store.unit_of_work() as uow:
        assert uow.accounts.count() == 0
    store.close()


@pytest.mark.postgres
def test_a_missing_postgres_table_is_a_store_corrupt_error(pg_fresh_schema: str) -> None:
    url = pg_url()
    assert url is not None
    store = open_store(url, schema=pg_fresh_schema)
    assert isinstance(store, SqlStore)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE crm_cases CASCADE")
    with store.unit_of_work() as uow, pytest.raises(StoreCorruptError, match="crm_cases"):
        uow.cases.count()
    store.close()


def test_an_unknown_database_driver_is_a_validation_error() -> None:
    with pytest.raises(ValidationError, match="nosuchdriver") as caught:
        open_store("postgresql+nosuchdriver://crm:secret@localhost/crm")
    assert "secret" not in str(caught.value)
