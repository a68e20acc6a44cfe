"""Before and after: the benchmarks of a base commit and of the current commit, side by side.

Run: ``.venv/bin/python -m benchmarks.before_after --base ec2ac19`` (or
``make bench-compare BASE=ec2ac19``). Writes ``benchmarks/results/before-after.md``, the section
"Before and after the code-health work (issue #17)" of ``docs/performance.md``.

How it measures:

- ``git worktree`` checkouts of BASE and of the *after* commit (``--after``, default ``HEAD``: the
  committed state of the current branch, so the results files of the working tree are never
  overwritten) in a temporary directory, removed at the end;
- each benchmark module of each tree is that tree's own script, run against that tree's own
  ``src`` (``PYTHONPATH``) with this interpreter (the project's ``.venv`` has every dependency),
  at the same size;
- the trees alternate module by module (before, after; then after, before for the next module,
  and so on), ``--rounds`` times, so that load from other processes falls on both alike; each
  figure is the best of the rounds;
- each module's rows are read from the Markdown results file it writes (the old tree's scripts
  have no other output), with the table layout of each module known here; a time is taken
  from the most precise figure the table gives (a rate, when there is one);
- for every crmkit row: its time, its ratio to the peer measured in the same run (crmkit ÷
  peer, lower is better), before and after, and the change. The verdict uses the CPU-time ratio
  where the benchmark reports CPU time, else the wall-time ratio, else (no peer) the wall time;
  a row is flagged when it is more than 10 % slower even after allowing for the rounding of
  the printed figures.

Not compared: ``scale`` (100M-row runs that take hours), pymc-marketing (skipped in both trees:
``PYMC_VENV`` points nowhere) and PostgreSQL (``CRMKIT_PG_URL`` is unset for both trees, so the
storage rows are SQLite's).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "before-after.md"
MODULES = ("domain", "segmentation", "scoring", "clv", "storage")
SIZES = ("quick", "default")
#: storage's accounts and orders per size (the current script's ``--quick`` and default); older
#: scripts that take ``--accounts``/``--orders`` are given the same numbers
STORAGE_SIZES = {"quick": (5_000, 50_000), "default": (20_000, 200_000)}
#: trees that cannot run a benchmark as committed, and the files that complete them: at
#: ec2ac19 the SQL store imports a migrations package that was committed three minutes later
#: with the rest of schema 3 (22ae8fc, a store commit, not a code-health one)
BASE_FIXES = {"ec2ac19": (("22ae8fc", "src/crmkit/adapters/sql"),)}
SLOWER = 0.10
#: what differs between the two commits' scripts of a module, printed under its table
NOTES = {
    "domain": "The JSON rows (msgspec as the peer) were added to the script after the base.",
    "scoring": "The records engine's peer is the faster native Polars form (no native records "
    "engine exists); the frame engines' peers are their own engine's faster native form.",
    "clv": "Rows only after: added to the script after the base.",
    "storage": "The script was rewritten between the commits: before, the accounts' peer was "
    "SQLAlchemy Core (batches of 1,000) into a bare copy of the table's columns, without the "
    "secondary indexes crmkit's table has; after, Core into a fresh database with the same "
    "tables and indexes as crmkit's, next to the raw driver (the peer the targets name). The "
    "accounts ratio is therefore not like for like; orders (no peer before), paging and the "
    "queries compare wall times.",
}


# --- reading the results files ------------------------------------------------------------------


@dataclass(frozen=True)
class Num:
    """A printed figure and half a unit of its last printed digit (its rounding)."""

    value: float
    error: float = 0.0

    @property
    def rel(self) -> float:
        return self.error / self.value if self.value else 0.0


@dataclass(frozen=True)
class Row:
    """One crmkit row of a benchmark: its time and its peer's, wall and (if given) CPU."""

    label: str
    unit: str
    time: Num
    peer: str = ""
    peer_time: Num | None = None
    cpu: Num | None = None
    peer_cpu: Num | None = None


def number(cell: str) -> Num | None:
    """The first number in a cell (thousands separators allowed) with its rounding.

    >>> number("1.2 s (4,321/s)")
    Num(value=1.2, error=0.05)
    >>> number("—") is None
    True
    """
    match = re.search(r"-?\d[\d,]*(?:\.\d+)?", cell)
    if match is None:
        return None
    text = match.group().replace(",", "")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return Num(float(text), 0.5 * 10.0**-decimals)


def tables(markdown: str) -> Iterator[list[dict[str, str]]]:
    """Each Markdown table of a text as rows of ``{header: cell}`` (emphasis and code marks
    stripped); the first column is also under the key ``""``.

    >>> [r["x (s)"] for r in next(tables("| a | x (s) |\\n|---|---:|\\n| **b** | 1.5 |"))]
    ['1.5']
    """
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].startswith("|") and i + 1 < len(lines) and lines[i + 1].startswith("|---"):
            header = _cells(lines[i])
            rows = []
            i += 2
            while i < len(lines) and lines[i].startswith("|"):
                cells = _cells(lines[i])
                row = dict(zip(header, cells, strict=False))
                row[""] = cells[0]
                rows.append(row)
                i += 1
            yield rows
        else:
            i += 1


def _cells(line: str) -> list[str]:
    return [
        c.strip().replace("**", "").replace("`", "") for c in line.strip().strip("|").split("|")
    ]


def _find(rows: list[dict[str, str]], prefix: str) -> dict[str, str] | None:
    return next((r for r in rows if r[""].startswith(prefix)), None)


def read_domain(text: str) -> list[Row]:
    out = []
    for rows in tables(text):
        if not rows or "crmkit (µs)" not in rows[0]:
            continue
        peers = [k for k in rows[0] if k.endswith("(µs)") and k != "crmkit (µs)"]
        for r in rows:
            if "(before)" in r[""]:  # the old writer timed by the same script: not crmkit's path
                continue
            crm = number(r["crmkit (µs)"])
            for peer in peers:
                other = number(r[peer])
                if crm is not None and other is not None:
                    name = peer.removesuffix(" (µs)")
                    out.append(Row(f"{r['']} (vs {name})", "µs", crm, name, other))
    return out


def read_segmentation(text: str) -> list[Row]:
    out = []
    for rows in tables(text):
        if not rows or "CPU s" not in rows[0]:
            continue
        for r in rows:
            label = r[""]
            if not label.startswith("crmkit"):
                continue
            prefix = (
                "native Polars"
                if "Polars" in label
                else "native DuckDB"
                if "DuckDB" in label
                else "pandas reference"
            )
            peer = _find(rows, prefix)
            time_, cpu = number(r["seconds"]), number(r["CPU s"])
            assert time_ is not None
            out.append(
                Row(
                    label,
                    "s",
                    time_,
                    peer[""] if peer else "",
                    number(peer["seconds"]) if peer else None,
                    cpu,
                    number(peer["CPU s"]) if peer else None,
                )
            )
    return out


def read_scoring(text: str) -> list[Row]:
    match = re.search(r"on ([\d,]+) leads", text)
    leads = float(match.group(1).replace(",", "")) if match else 0.0
    out = []
    for rows in tables(text):
        if not rows or "leads/s" not in rows[0]:
            continue

        def seconds(r: dict[str, str]) -> Num:
            rate = number(r["leads/s"])
            if leads and rate is not None and rate.value:  # leads ÷ rate: more digits
                return Num(leads / rate.value, leads / rate.value * rate.rel)
            value = number(r["seconds"])
            assert value is not None
            return value

        natives = {
            engine: min(
                (r for r in rows if r[""].startswith(f"native {engine}")),
                key=lambda r: seconds(r).value,
                default=None,
            )
            for engine in ("Polars", "DuckDB")
        }
        for r in rows:
            label = r[""]
            if not label.startswith("crmkit"):
                continue
            peer = natives["DuckDB" if "DuckDB" in label else "Polars"]
            out.append(
                Row(
                    label,
                    "s",
                    seconds(r),
                    f"{peer[''].split(' (')[0]} (faster form)" if peer else "",
                    seconds(peer) if peer else None,
                )
            )
    return out


def read_clv(text: str) -> list[Row]:
    out = []
    for rows in tables(text):
        if not rows or "crmkit (s)" not in rows[0]:
            continue
        for r in rows:
            if "pymc" in r[""]:
                continue
            crm, peer = number(r["crmkit (s)"]), number(r["peer (s)"])
            assert crm is not None
            label = f"{r['']} ({r['size']})"
            out.append(Row(label, "s", crm, "lifetimes" if peer else "", peer))
    return out


def _storage_seconds(r: dict[str, str], n: float = 0.0) -> Num:
    """Seconds from a SQLite cell: '1.2 s (4,321/s)' as the count (in the label, else ``n``) ÷
    the rate; '12.34 ms' or '0.30 s' as printed."""
    cell = next(v for k, v in r.items() if k.startswith("SQLite"))
    value, rate = number(cell), re.search(r"\(([\d,]+)/s\)", cell)
    count = re.search(r"([\d,]+) (?:accounts|orders|rows)", r[""])
    n = float(count.group(1).replace(",", "")) if count else n
    assert value is not None
    if rate and n:
        per_s = float(rate.group(1).replace(",", ""))
        return Num(n / per_s, n / per_s * 0.5 / per_s)
    return Num(value.value / 1000, value.error / 1000) if "ms" in cell else value


def read_storage(text: str) -> list[Row]:
    seconds = _storage_seconds
    out = []
    for rows in tables(text):
        if not rows or not any(k.startswith("SQLite") for k in rows[0]):
            continue
        head = next(iter(rows[0]))  # the first header: what the table measures
        counts = {
            kind: float(m.group(1).replace(",", ""))
            for kind in ("accounts", "orders")
            if (m := re.search(rf"([\d,]+) {kind}", text))
        }
        if head.startswith("query"):
            out += [Row(f"query: {r['']}", "s", seconds(r)) for r in rows]
            continue
        writers = {  # what each bulk write is set against: (the peer's row, its name)
            "accounts": (
                next((r for r in rows if "Core" in r[""] and "executemany" in r[""]), None),
                "SQLAlchemy Core executemany",
            ),
            "orders": (_find(rows, "raw driver: same orders"), "raw driver"),
        }
        for r in rows:
            label = r[""]
            kind = next((k for k in writers if k in label), None)
            if label.startswith("crmkit") and kind is not None:
                peer, name = writers[kind]
                out.append(
                    Row(
                        f"bulk write: {kind}",
                        "s",
                        seconds(r),
                        name if peer else "",
                        seconds(peer, counts.get(kind, 0.0)) if peer else None,
                    )
                )
            elif label.startswith("keyset paging through all") or "iter_all" in label:
                out.append(Row("keyset paging with entities (iter_all)", "s", seconds(r)))
            elif label.startswith("store.frame"):
                library = "polars" if "polars" in label else "pandas"
                peer = _find(rows, f"raw driver rows into {library}")
                out.append(
                    Row(
                        f"store.frame ({library})",
                        "s",
                        seconds(r),
                        f"raw driver into {library}" if peer else "",
                        seconds(peer) if peer else None,
                    )
                )
    return out


READERS: dict[str, Callable[[str], list[Row]]] = {
    "domain": read_domain,
    "segmentation": read_segmentation,
    "scoring": read_scoring,
    "clv": read_clv,
    "storage": read_storage,
}


# --- running the trees --------------------------------------------------------------------------


def git(*args: str, cwd: Path = ROOT) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def module_args(module: str, tree: Path, size: str) -> list[str]:
    """The command-line size options of ``module`` in ``tree`` for ``size``."""
    if module == "storage":
        source = (tree / "benchmarks" / "storage.py").read_text(encoding="utf-8")
        if '"--accounts"' in source:  # older script: explicit counts, its --quick differs
            n_acc, n_ord = STORAGE_SIZES[size]
            return ["--accounts", str(n_acc), "--orders", str(n_ord)]
        return ["--backend", "sqlite"] + (["--quick"] if size == "quick" else [])
    return ["--quick"] if size == "quick" else []


def run_module(module: str, tree: Path, size: str, log: Path) -> str | None:
    """Run one benchmark module of ``tree``; its results file's text, or None if it failed."""
    env = {k: v for k, v in os.environ.items() if k != "CRMKIT_PG_URL"}
    env["PYTHONPATH"] = f"{tree / 'src'}{os.pathsep}{tree}"
    env["PYMC_VENV"] = str(tree / "no-pymc-venv")  # pymc-marketing: not run in either tree
    command = [sys.executable, "-m", f"benchmarks.{module}", *module_args(module, tree, size)]
    results = tree / "benchmarks" / "results" / f"{module}.md"
    results.unlink(missing_ok=True)  # a stale committed file must not pass for this run's
    start = time.perf_counter()
    with log.open("a", encoding="utf-8") as out:
        out.write(f"\n$ {' '.join(command[1:])}  (in {tree})\n")
        out.flush()
        done = subprocess.run(command, cwd=tree, env=env, stdout=out, stderr=subprocess.STDOUT)
    took = time.perf_counter() - start
    ok = done.returncode == 0 and results.exists()
    print(f"  {tree.name:6s} {module:13s} {took:6.1f} s{'' if ok else '  FAILED (see log)'}")
    return results.read_text(encoding="utf-8") if ok else None


def best(rows: list[list[Row]]) -> dict[str, Row]:
    """Per label, the best of the rounds: the least crmkit time, peer time and CPU times
    (each independently: each is that contender's best under the round's load)."""
    out: dict[str, Row] = {}
    for run in rows:
        for row in run:
            old = out.get(row.label)
            if old is None:
                out[row.label] = row
                continue
            out[row.label] = Row(
                row.label,
                row.unit,
                _least(old.time, row.time) or row.time,
                row.peer or old.peer,
                _least(old.peer_time, row.peer_time),
                _least(old.cpu, row.cpu),
                _least(old.peer_cpu, row.peer_cpu),
            )
    return out


def _least(a: Num | None, b: Num | None) -> Num | None:
    if a is None or b is None:
        return a or b
    return a if a.value <= b.value else b


# --- the table ----------------------------------------------------------------------------------


def _ratio(a: Num | None, b: Num | None) -> Num | None:
    if a is None or b is None or not b.value:
        return None
    value = a.value / b.value
    return Num(value, value * (a.rel + b.rel))


def compare(before: Row | None, after: Row | None) -> tuple[str, ...]:
    """One table row: label, peer, times, ratios before → after, CPU ratios, change, verdict."""
    row = after or before
    assert row is not None
    times = [_time(r.time, r.unit) if r else "—" for r in (before, after)]
    ratios = [_ratio(r.time, r.peer_time) if r else None for r in (before, after)]
    cpus = [_ratio(r.cpu, r.peer_cpu) if r else None for r in (before, after)]
    if before is None or after is None:
        verdict = "only after" if before is None else "only before"
        return (row.label, row.peer or "—", *times, *map(_x, ratios), *map(_x, cpus), "", verdict)
    cpu_b, cpu_a = cpus
    wall_b, wall_a = ratios
    if cpu_b and cpu_a:
        measure, (b, a) = "CPU ratio", (cpu_b, cpu_a)
    elif wall_b and wall_a:
        measure, (b, a) = "ratio", (wall_b, wall_a)
    else:
        measure, (b, a) = "wall time (no peer)", (before.time, after.time)
    change = a.value / b.value - 1
    least = (a.value - a.error) / (b.value + b.error) - 1  # slowest reading the rounding allows
    if least > SLOWER:
        verdict = f"**{change:+.0%} slower** ({measure})"
    elif change > SLOWER:
        verdict = f"{change:+.0%} ({measure}; within rounding)"
    elif change < -SLOWER:
        verdict = f"{-change:.0%} faster ({measure})"
    else:
        verdict = f"same ({measure}, ±10 %)"
    return (
        row.label,
        row.peer or "—",
        *times,
        *map(_x, ratios),
        *map(_x, cpus),
        f"{change:+.0%}",
        verdict,
    )


def _time(num: Num, unit: str) -> str:
    if unit == "µs":
        return f"{num.value:.1f} µs"
    if num.value < 1:
        return f"{num.value * 1000:.3g} ms"
    return f"{num.value:.3g} s"


def _x(num: Num | None) -> str:
    return "—" if num is None else f"{num.value:.3g}×"


HEADER = (
    "| crmkit row | peer | before | after | ÷ peer before | ÷ peer after | CPU ÷ peer before "
    "| CPU ÷ peer after | change | verdict |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
)


def render(
    results: dict[str, tuple[dict[str, Row], dict[str, Row]]],
    info: dict[str, str],
    failed: list[str],
) -> str:
    lines = [
        "## Before and after the code-health work (issue #17)",
        "",
        f"Command: `{info['command']}` — before: `{info['base']}` ({info['base_subject']}); "
        f"after: `{info['after']}` ({info['after_subject']}). {info['when']}; "
        f"{info['machine']}; load average {info['load_before']} at the start, "
        f"{info['load_after']} at the end.",
        "",
        "Each benchmark module of each commit ran from a `git worktree` of that commit (its own "
        "script against its own `src`) with the same interpreter and the same sizes "
        f"({info['sizes']}), the two commits alternating module by module, "
        f"{info['rounds']} round(s); each figure is the best of the rounds. "
        "*÷ peer* is crmkit's time divided by its peer's in the same run (lower is better; it "
        "travels across machine load, the times do not). *Change* and *verdict* use the "
        "CPU-time ratio where the benchmark reports CPU time, else the wall-time ratio, else "
        "(no peer) the wall time; a row is **flagged** when it is more than 10 % slower even "
        "allowing for the rounding of the printed figures. " + info["notes"],
        "",
    ]
    for module, (before, after) in results.items():
        lines += [f"### {module}", "", *HEADER]
        for label in [*after, *(k for k in before if k not in after)]:
            lines.append("| " + " | ".join(compare(before.get(label), after.get(label))) + " |")
        lines += ["", NOTES[module], ""] if module in NOTES else [""]
    if failed:
        lines += ["Failed (no rows): " + ", ".join(failed) + ".", ""]
    return "\n".join(lines)


def parse_sizes(values: list[str]) -> dict[str, str]:
    """``quick`` / ``default`` for all modules, or ``module=size`` for one."""
    sizes = dict.fromkeys(MODULES, "quick")
    for value in values:
        module, _, size = value.rpartition("=")
        if size not in SIZES or (module and module not in MODULES):
            raise SystemExit(f"--size {value!r}: expected quick, default or <module>=<size>")
        for name in [module] if module else MODULES:
            sizes[name] = size
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("modules", nargs="*", help=f"modules to compare: {', '.join(MODULES)}")
    parser.add_argument("--base", required=True, help="the 'before' commit")
    parser.add_argument("--after", default="HEAD", help="the 'after' commit (default HEAD)")
    parser.add_argument(
        "--size",
        action="append",
        default=[],
        help="quick (default) or default, for all modules or as module=size; repeatable",
    )
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds (best of)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="the Markdown file to write")
    parser.add_argument("--keep", action="store_true", help="keep the worktrees and the log")
    args = parser.parse_args(argv)
    modules = args.modules or list(MODULES)
    unknown = set(modules) - set(MODULES)
    if unknown:
        raise SystemExit(f"unknown modules {sorted(unknown)} (scale is not compared)")
    sizes = parse_sizes(args.size)
    base, after = (
        git("rev-parse", "--short", f"{rev}^{{commit}}") for rev in (args.base, args.after)
    )
    tmp = Path(tempfile.mkdtemp(prefix="crmkit-before-after-"))
    trees = {"before": tmp / "before", "after": tmp / "after"}
    log = tmp / "run.log"
    notes = []
    load_before = os.getloadavg()[0]
    try:
        for name, rev in (("before", base), ("after", after)):
            git("worktree", "add", "--detach", str(trees[name]), rev)
        for prefix, fixes in BASE_FIXES.items():
            if base.startswith(prefix) or prefix.startswith(base):
                for rev, path in fixes:
                    git("checkout", rev, "--", path, cwd=trees["before"])
                    notes.append(f"`{path}` of the *before* tree from `{rev}`")
        print(f"before {base}, after {after}; log: {log}", flush=True)
        runs: dict[str, tuple[list[list[Row]], list[list[Row]]]] = {m: ([], []) for m in modules}
        failed: list[str] = []
        for round_ in range(args.rounds):
            print(f"round {round_ + 1} of {args.rounds}", flush=True)
            for i, module in enumerate(modules):
                order = ("before", "after") if (i + round_) % 2 == 0 else ("after", "before")
                for name in order:
                    text = run_module(module, trees[name], sizes[module], log)
                    if text is None:
                        failed.append(f"{module} ({name}, round {round_ + 1})")
                        continue
                    runs[module][name == "after"].append(READERS[module](text))
        results = {m: (best(b), best(a)) for m, (b, a) in runs.items() if b or a}
    finally:
        if not args.keep:
            for tree in trees.values():
                if tree.exists():
                    git("worktree", "remove", "--force", str(tree))
    size_text = ", ".join(f"{m} {sizes[m]}" for m in modules)
    flags = " ".join(
        [
            *modules,
            f"--base {args.base}",
            *([f"--after {args.after}"] if args.after != "HEAD" else []),
            *(f"--size {s}" for s in args.size),
            f"--rounds {args.rounds}",
        ]
    )
    info = {
        "command": f".venv/bin/python -m benchmarks.before_after {flags}",
        "base": base,
        "after": after,
        "base_subject": _subject(base),
        "after_subject": _subject(after),
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores shared with other jobs",
        "load_before": f"{load_before:.1f}",
        "load_after": f"{os.getloadavg()[0]:.1f}",
        "sizes": size_text,
        "rounds": str(args.rounds),
        "notes": (
            "Not compared: `scale` (100M rows, hours), PostgreSQL (unset for both commits: the "
            "storage rows are SQLite) and pymc-marketing (skipped in both)."
            + (" Completed: " + "; ".join(notes) + "." if notes else "")
        ),
    }
    text = render(results, info, failed)
    print(text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 1 if failed else 0


def _subject(rev: str) -> str:
    subject = git("log", "-1", "--format=%s", rev)
    return subject if len(subject) <= 60 else subject[:57].rstrip() + "…"


if __name__ == "__main__":
    raise SystemExit(main())
