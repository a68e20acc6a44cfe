"""``docs/performance.md`` is what ``python -m benchmarks --assemble`` builds from the results files.

Every table on the page comes from a file a benchmark run writes (``benchmarks/results``), so
``make bench`` regenerates the page; an edit made on the page alone would be lost by the next
run, and this test fails on it instead.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

from tests.modules import load_file

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "performance.md"


def _assembler() -> ModuleType:
    return load_file("benchmarks_assembler", "benchmarks/__main__.py")


def test_the_page_is_exactly_what_the_results_files_assemble() -> None:
    page = PAGE.read_text(encoding="utf-8")
    found = re.search(r"development\s+machine: (?P<machine>[^.]+\.\d+\.\d+)\.", page)
    assert found is not None, "the page names the machine the figures were measured on"
    rendered = _assembler().render(found["machine"])
    assert rendered == page


def test_every_benchmark_has_its_section_on_the_page() -> None:
    assembler = _assembler()
    page = PAGE.read_text(encoding="utf-8")
    for name in (*assembler.BENCHMARKS, *assembler.SECTIONS):
        section = (ROOT / "benchmarks" / "results" / f"{name}.md").read_text(encoding="utf-8")
        heading = section.splitlines()[0]
        assert heading.startswith("## "), name
        assert heading in page.splitlines(), name
