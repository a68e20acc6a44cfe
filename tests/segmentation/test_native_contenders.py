"""The segmentation benchmark's native contenders compute what crmkit computes.

``benchmarks/segmentation_native.py`` times crmkit's RFM, status and ABC against a query
written by hand on every engine; the benchmark checks the two results equal before timing.
These tests run that check on a small size for every engine, so a native contender that
drifts from crmkit's rules fails here, not in a long benchmark run.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from benchmarks.segmentation import make_transactions
from benchmarks.segmentation_native import (
    LABELS,
    OPS,
    check_equal,
    engine_contenders,
    matrix_section,
    to_polars,
)

ROWS = 3_000  # ~300 customers


@pytest.fixture(scope="module")
def transactions() -> Any:
    return make_transactions(ROWS, seed=11)


def _agree(engine: str, transactions: Any, state: dict[str, Any]) -> list[str]:
    notes = []
    for op in OPS:
        for row, ours, theirs, _, _ in engine_contenders(engine, transactions, op, state):
            assert row in LABELS
            notes.append(check_equal(op, ours(), theirs()))
    return notes


@pytest.mark.parametrize("engine", ["polars", "duckdb", "pandas"])
def test_in_process_natives_equal_crmkit(engine: str, transactions: Any) -> None:
    notes = _agree(engine, transactions, {})
    customers = transactions["account_id"].nunique()
    assert notes
    assert all(note.startswith(f"{customers:,} customers equal") for note in notes)


def test_dask_natives_equal_crmkit(transactions: Any) -> None:
    import dask

    with dask.config.set(scheduler="threads"):
        notes = _agree("dask", transactions, {})
    assert len(notes) == len(OPS)
    assert all("customers equal" in note for note in notes)


@pytest.mark.spark
def test_spark_natives_equal_crmkit(spark: Any, transactions: Any) -> None:
    notes = _agree("spark", transactions, {"spark": spark})
    assert len(notes) == len(OPS)
    assert all("customers equal" in note for note in notes)


def test_the_check_refuses_a_native_result_that_differs(transactions: Any) -> None:
    (_, ours, theirs, _, _), _ = engine_contenders("polars", transactions, "abc", {})
    wrong = to_polars(theirs()).with_columns(
        pl.when(pl.col("abc_class") == "B").then(pl.lit("C")).otherwise("abc_class")
        .alias("abc_class")
    )  # fmt: skip
    with pytest.raises(AssertionError, match="abc_class"):
        check_equal("abc", ours(), wrong)


def test_a_run_of_some_rows_keeps_the_others() -> None:
    def result(op: str, row: str, native_cpu: float) -> dict[str, Any]:
        return {"op": op, "row": row, "check": "3 customers equal", "rounds": 1,
                "crmkit": (1.0, 1.0), "native": (1.0, native_cpu), "load": (1.0, 1.0)}  # fmt: skip

    first = matrix_section(1000, [result("rfm", "pandas", 1.0), result("abc", "dask", 0.5)], "")
    again = matrix_section(1000, [result("rfm", "pandas", 2.0)], first)
    rows = [line for line in again.splitlines() if line.startswith("| RFM") or "| ABC" in line]
    assert len(rows) == 2
    assert "| 0.50 | yes |" in rows[0]  # the rerun replaced the pandas RFM row
    assert "| 2.00 | **no** |" in rows[1]  # the Dask ABC row of the first run is kept
    assert "CPU ≤ 1.05× native: 1 of 2 rows." in again
