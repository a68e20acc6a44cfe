"""crmkit never changes the garbage collector, a process-wide setting, behind its caller's back.

``crmkit.frames.paused_gc`` is the caller's opt-in; no library path calls it (or ``gc`` itself).
"""

from __future__ import annotations

import ast
import datetime as dt
import gc
from pathlib import Path

import pytest

import crmkit
from crmkit.datasets import make_b2b
from crmkit.frames import col, paused_gc
from crmkit.scoring import Criterion, LeadScoringModel
from crmkit.segmentation import customer_status, rfm

SRC = Path(crmkit.__file__).parent
#: where paused_gc is defined and re-exported for callers
DEFINITION = {SRC / "frames" / "records.py", SRC / "frames" / "__init__.py"}


def _gc_users() -> list[str]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if path in DEFINITION:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = None
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names]
                if "gc" in names or (isinstance(node, ast.ImportFrom) and node.module == "gc"):
                    name = "import gc"
                elif "paused_gc" in names:
                    name = "paused_gc"
            if name:
                found.append(f"{path.relative_to(SRC)}:{node.lineno}: {name}")
    return found


def test_no_library_module_touches_the_garbage_collector() -> None:
    assert _gc_users() == []


@pytest.fixture
def collector_watch(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    monkeypatch.setattr(gc, "disable", lambda: calls.append("disable"))
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    return calls


def test_records_engines_leave_the_collector_alone(collector_watch: list[str]) -> None:
    orders = [
        {"account_id": i % 7, "ordered_at": dt.date(2024, 1, 1 + i % 28), "total": i}
        for i in range(200)
    ]
    as_of = dt.date(2024, 12, 31)
    assert len(rfm(orders, as_of=as_of)) == 7
    assert len(customer_status(orders, as_of=as_of)) == 7
    model = LeadScoringModel([Criterion("visits", col("visits") >= 1, 10, "engagement")])
    scores = model.score([{"visits": v} for v in range(5)], as_of=as_of)
    assert [s.score for s in scores] == [0.0, 10.0, 10.0, 10.0, 10.0]
    assert len(make_b2b(seed=1, n_accounts=5).accounts) == 5
    assert collector_watch == []
    assert gc.isenabled()


def test_paused_gc_is_the_callers_opt_in() -> None:
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()
