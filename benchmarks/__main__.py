"""Run crmkit's benchmarks side by side with their peers and write ``docs/performance.md``.

Usage::

    .venv/bin/python -m benchmarks                 # every benchmark, full size
    .venv/bin/python -m benchmarks --quick         # every benchmark, small sizes
    .venv/bin/python -m benchmarks domain clv      # only these
    .venv/bin/python -m benchmarks --assemble      # only rebuild docs/performance.md
    .venv/bin/python -m benchmarks scale --size 100M   # a size for the benchmarks that take one

Each benchmark module writes ``benchmarks/results/<name>.md``; this script then assembles those
sections, in the order of :data:`BENCHMARKS`, into ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import importlib.util
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
PAGE = ROOT / "docs" / "performance.md"

#: Benchmark modules in the order their sections appear on the page.
BENCHMARKS = ("domain", "segmentation", "scoring", "clv", "storage", "scale")
#: Result sections that only the page assembly reads, after the benchmarks' (written by other
#: commands: ``before-after`` by ``python -m benchmarks.before_after``, ``make bench-compare``).
SECTIONS = ("before-after",)
#: Benchmarks that take ``--size`` (others ignore the flag).
SIZED = frozenset({"scale"})

INTRO = """# Performance

crmkit measures its speed with the benchmark suite in `benchmarks/`, always **side by side with
a peer in the same run** (pydantic and plain attrs for the domain model, msgspec for its JSON, a hand-written pandas
reference, native Polars / DuckDB queries and lifetimes for segmentation, lifetimes for
lifetime-value fitting), and reports **ratios**, which travel between machines far better than
seconds. The test suite never asserts timings.

Regenerate this page with `make bench` (or `.venv/bin/python -m benchmarks`); each section
below names the command that produced it. Figures were measured on the project's development
machine: {machine}. That machine is shared, so absolute times are noisy; compare the ratios.

"""


def _machine() -> str:
    try:
        cores = len(__import__("os").sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = __import__("os").cpu_count() or 0
    return f"{platform.machine()}, {cores} cores, Python {platform.python_version()}"


def render(machine: str) -> str:
    """The text of ``docs/performance.md`` from the result sections that exist.

    The page is nothing but these files: a benchmark run rewrites its own file, and notes on a
    run (targets, earlier rounds, analyses) are kept in that file too, so ``--assemble`` always
    gives back the published page (``tests/test_performance_page.py`` checks it does).
    """
    parts = [INTRO.format(machine=machine)]
    for name in (*BENCHMARKS, *SECTIONS):
        section = RESULTS / f"{name}.md"
        if section.exists():
            parts.append(section.read_text(encoding="utf-8").strip() + "\n\n")
    return "".join(parts).rstrip() + "\n"


def assemble() -> Path:
    """Write ``docs/performance.md`` from the result sections that exist."""
    PAGE.write_text(render(_machine()), encoding="utf-8")
    return PAGE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help=f"benchmarks to run: {', '.join(BENCHMARKS)}")
    parser.add_argument("--quick", action="store_true", help="small sizes (minutes, not hours)")
    parser.add_argument("--assemble", action="store_true", help="only rebuild the page")
    parser.add_argument("--size", help="data size for the sized benchmarks (scale: 1M, 100M)")
    args = parser.parse_args(argv)
    if not args.assemble:
        for name in args.names or BENCHMARKS:
            if importlib.util.find_spec(f"benchmarks.{name}") is None:
                print(f"benchmarks: no module benchmarks.{name}; skipped", file=sys.stderr)
                continue
            command = [sys.executable, "-m", f"benchmarks.{name}"]
            if args.quick:
                command.append("--quick")
            if args.size and name in SIZED:
                command += ["--size", args.size]
            print(f"$ {' '.join(command[1:])}", flush=True)
            subprocess.run(command, check=True, cwd=ROOT)
    print(f"wrote {assemble().relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
