"""Concurrency and crash safety of the SQL store (SQLite file and PostgreSQL).

- two processes saving the same opportunity from the same version: exactly one wins;
- many writer processes on one SQLite file: nothing is lost (every insert and every counter
  increment is there);
- an import killed with SIGKILL half-way leaves none of the batch; a finished one all of it.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crmkit.adapters import open_store
from crmkit.testing.adapter_suite import sample_entity, store_parents
from tests.adapters import workers
from tests.backends import pg_url, require_backend

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str | None]:
    """(url, schema) of an empty SQL database reachable from other processes."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'crm.db'}", None
    url = pg_url()
    require_backend("postgresql", url is not None, "set CRMKIT_PG_URL (bash .ci/postgres.sh)")
    assert url is not None
    return url, request.getfixturevalue("pg_fresh_schema")


def _options(schema: str | None) -> dict[str, str]:
    return {"schema": schema} if schema else {}


def test_two_processes_saving_the_same_version_exactly_one_wins(
    target: tuple[str, str | None],
) -> None:
    url, schema = target
    opp = sample_entity("opportunities", name="Shared deal")
    with open_store(url, **_options(schema)) as store:
        store_parents(store, [opp])
        with store.unit_of_work() as uow:
            uow.opportunities.add(opp)
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    results = ctx.Queue()
    procs = [
        ctx.Process(
            target=workers.save_from_version, args=(url, schema, opp.id, label, barrier, results)
        )
        for label in ("A", "B")
    ]
    for p in procs:
        p.start()
    outcomes = dict(results.get(timeout=120) for _ in procs)
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    won = [label for label, outcome in outcomes.items() if outcome == "won"]
    lost = [outcome for outcome in outcomes.values() if outcome.startswith("conflict")]
    assert len(won) == 1
    assert len(lost) == 1
    assert opp.id in lost[0]
    assert "version 1" in lost[0]
    with open_store(url, **_options(schema)) as store, store.unit_of_work() as uow:
        stored = uow.opportunities.get(opp.id)
    assert stored.version == 2
    assert stored.name == f"saved by {won[0]}"


def test_concurrent_writers_on_one_sqlite_file_lose_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    counter = sample_entity("accounts", name="Counter", custom={"count": 0})
    with open_store(url) as store, store.unit_of_work() as uow:
        uow.accounts.add(counter)
    writers, per_writer = 4, 15
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(writers)
    procs = [
        ctx.Process(
            target=workers.write_many, args=(url, None, f"w{n}", per_writer, counter.id, barrier)
        )
        for n in range(writers)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=240)
        assert p.exitcode == 0
    with open_store(url) as store, store.unit_of_work() as uow:
        assert uow.accounts.count() == writers * per_writer + 1
        names = {a.name for a in uow.accounts.iter_all()}
        final = uow.accounts.get(counter.id)
    assert {f"w{n}-{i}" for n in range(writers) for i in range(per_writer)} <= names
    assert final.custom["count"] == writers * per_writer
    assert final.version == writers * per_writer + 1


def _run_import(
    url: str, schema: str | None, count: int, tmp_path: Path
) -> subprocess.Popen[bytes]:
    signal_file = tmp_path / f"signal-{time.monotonic_ns()}"
    args = [
        sys.executable,
        "-m",
        "tests.adapters.workers",
        "import",
        url,
        str(count),
        str(signal_file),
    ]
    if schema:
        args.append(schema)
    proc = subprocess.Popen(args, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 120
    while not signal_file.exists():
        assert proc.poll() is None, "the import process ended before reaching half-way"
        assert time.monotonic() < deadline, "the import process never reached half-way"
        time.sleep(0.05)
    return proc


def test_import_killed_half_way_leaves_none_of_the_batch(
    target: tuple[str, str | None], tmp_path: Path
) -> None:
    url, schema = target
    with open_store(url, **_options(schema)) as store, store.unit_of_work() as uow:
        uow.accounts.add(sample_entity("accounts", name="Before the import"))
    # 2 500 rows: the first half (more than one 1 000-row batch) is written before the kill.
    proc = _run_import(url, schema, 2500, tmp_path)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=60) == -signal.SIGKILL
    with open_store(url, **_options(schema)) as store, store.unit_of_work() as uow:
        assert [a.name for a in uow.accounts.iter_all()] == ["Before the import"]


def test_finished_import_keeps_all_of_the_batch(target: tuple[str, str | None]) -> None:
    url, schema = target
    with open_store(url, **_options(schema)) as store:
        with store.unit_of_work() as uow:
            uow.accounts.upsert_many(
                (sample_entity("accounts", remote_id=f"imp-{i}") for i in range(2500)),
                key="remote_id",
            )
        with store.unit_of_work() as uow:
            assert uow.accounts.count() == 2500
