"""Child-process code for the concurrency and crash tests (importable for ``spawn``).

Run as ``python -m tests.adapters.workers import URL COUNT SIGNAL_FILE [SCHEMA]`` it imports
COUNT accounts in one unit of work, touching SIGNAL_FILE half-way and then waiting to be
killed.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from crmkit.adapters import open_store
from crmkit.domain import Account
from crmkit.errors import ConflictError

# Kept free of pytest and Hypothesis so that spawned children start quickly.


def _options(schema: str | None) -> dict[str, Any]:
    return {"schema": schema} if schema else {}


def save_from_version(
    url: str, schema: str | None, opp_id: str, label: str, barrier: Any, results: Any
) -> None:
    """Load the opportunity, wait for the other process, then save it: report the outcome."""
    store = open_store(url, **_options(schema))
    with store.unit_of_work() as uow:
        opp = uow.opportunities.get(opp_id)
    barrier.wait(timeout=60)
    opp.name = f"saved by {label}"
    try:
        with store.unit_of_work() as uow:
            uow.opportunities.save(opp)
        results.put((label, "won"))
    except ConflictError as error:
        results.put((label, f"conflict: {error}"))
    finally:
        store.close()


def write_many(
    url: str, schema: str | None, label: str, count: int, counter_id: str, barrier: Any
) -> None:
    """Add ``count`` accounts one unit of work at a time, and increment a shared counter
    (retrying on conflicts) after each."""
    store = open_store(url, **_options(schema))
    barrier.wait(timeout=60)
    for i in range(count):
        with store.unit_of_work() as uow:
            uow.accounts.add(Account(name=f"{label}-{i}"))
        while True:
            try:
                with store.unit_of_work() as uow:
                    counter = uow.accounts.get(counter_id)
                    counter.custom["count"] = int(counter.custom.get("count") or 0) + 1
                    uow.accounts.save(counter)
                break
            except ConflictError:
                continue
    store.close()


def _slow_batch(count: int, signal_file: Path) -> Iterator[Any]:
    for i in range(count):
        if i == count // 2:
            signal_file.write_text("half-way")
            time.sleep(120)  # the test kills us here
        yield Account(name=f"Imported {i}", remote_id=f"imp-{i}")


def main(argv: list[str]) -> None:
    """Entry for the SIGKILL test (see the module docstring)."""
    _, url, count, signal_file = argv[:4]
    schema = argv[4] if len(argv) > 4 else None
    store = open_store(url, **_options(schema))
    with store.unit_of_work() as uow:
        uow.accounts.upsert_many(_slow_batch(int(count), Path(signal_file)), key="remote_id")


if __name__ == "__main__":
    main(sys.argv[1:])
