"""``python -m benchmarks.storage`` replaces only its own backend's tables in
``benchmarks/results/storage.md`` and keeps the notes of earlier rounds."""

from __future__ import annotations

import doctest
from pathlib import Path
from typing import Any

from tests.modules import load_file

ROOT = Path(__file__).resolve().parent.parent


def _storage() -> Any:
    return load_file("benchmarks_storage", "benchmarks/storage.py")


def test_a_run_replaces_its_section_and_keeps_the_rest() -> None:
    storage = _storage()
    merge = storage.merge_sections
    previous = (ROOT / "benchmarks" / "results" / "storage.md").read_text(encoding="utf-8")
    assert merge(previous, {}) == previous
    title = storage.section_title("SQLite (file, WAL)", "full")
    assert title == "### SQLite (full size)"
    merged = merge(previous, {title: "Command: new run\n\n| a | b |\n"})
    assert merged.count(title) == 1
    assert "Command: new run" in merged
    assert "100,000 accounts, 1,000,000 orders" not in merged.split(title)[1].split("\n### ")[0]
    for heading in [line for line in previous.splitlines() if line.startswith("#")]:
        assert heading in merged.splitlines(), heading  # every other section kept
    assert merged.split(title)[0] == previous.split(title)[0]


def test_a_new_size_goes_after_the_last_table_before_the_notes() -> None:
    merge = _storage().merge_sections
    text = "## Storage\n\nIntro.\n\n### SQLite (full size)\n\nA\n\n### Notes\n\nkept\n"
    merged = merge(text, {"### PostgreSQL (full size)": "B\n"})
    headings = [line for line in merged.splitlines() if line.startswith("#")]
    assert headings == [
        "## Storage",
        "### SQLite (full size)",
        "### PostgreSQL (full size)",
        "### Notes",
    ]
    assert merge("", {"### SQLite (quick size)": "C"}) == (
        "## Storage\n\n### SQLite (quick size)\n\nC\n"
    )


def test_the_merge_example_runs() -> None:
    storage = _storage()
    failures, tried = doctest.testmod(storage, verbose=False)
    assert tried >= 1
    assert failures == 0
