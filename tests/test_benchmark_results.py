"""A benchmark run rewrites its own tables in ``benchmarks/results`` and keeps the notes of
earlier rounds in that file (``make bench`` used to overwrite them in ``storage.md`` and
``clv.md``)."""

from __future__ import annotations

import doctest
from pathlib import Path
from typing import Any

import pytest

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


def test_a_clv_run_keeps_the_notes_after_its_table() -> None:
    clv = load_file("benchmarks_clv", "benchmarks/clv.py")
    previous = (ROOT / "benchmarks" / "results" / "clv.md").read_text(encoding="utf-8")
    notes = "\n".join(clv.NOTES)
    assert notes in previous
    after = previous.split(notes, 1)[1].strip("\n")
    assert len(after) > 1000  # the notes of earlier rounds
    written = clv.with_kept_notes(f"## Lifetime value\n\n| new table |\n\n{notes}\n", previous)
    assert written.startswith("## Lifetime value\n\n| new table |\n")
    assert written.endswith(after + "\n")
    assert written.count(notes) == 1


def test_an_rfm_run_keeps_the_notes_of_its_size() -> None:
    segmentation = load_file("benchmarks_segmentation", "benchmarks/segmentation.py")
    text = (ROOT / "benchmarks" / "results" / "segmentation.md").read_text(encoding="utf-8")
    head, _ = load_file(
        "benchmarks_segmentation_native", "benchmarks/segmentation_native.py"
    ).split_results(text)
    previous = segmentation._sections(head)[1_000_000]
    notes = previous.split(segmentation.LAST_GENERATED, 1)[1].split("\n\n", 1)[1]
    assert "Records engine, issue #21" in notes
    generated = f"## Segmentation: RFM on 1,000,000 transactions\n\n| new |\n\n{segmentation.LAST_GENERATED} 9×.\n"
    written = segmentation.with_kept_notes(generated, previous)
    assert written.startswith(generated)
    assert written.endswith(notes.strip("\n") + "\n")
    assert "| crmkit on pandas |" in previous
    assert "| crmkit on pandas |" not in written  # the previous table is replaced
    assert written.count("Records engine, issue #21") == 1


@pytest.mark.parametrize(
    "path", ["benchmarks/storage.py", "benchmarks/clv.py", "benchmarks/segmentation.py"]
)
def test_the_examples_run(path: str) -> None:
    module = load_file(f"benchmarks_{Path(path).stem}", path)
    failures, tried = doctest.testmod(module, verbose=False)
    assert tried >= 1
    assert failures == 0
