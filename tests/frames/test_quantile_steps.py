"""Quantile scores on Dask and PySpark from step values: exact, and in one projection.

:func:`crmkit.frames.with_quantile_scores` on PySpark collects each score's step values (at
most ``n - 1`` distinct values per score, from distributed value counts) and scores every row
by comparisons with them as literals: the scored frame has no join back and no window. Dask
keeps the step values in its graph (a one-row frame crossed in) and compares with them.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import pytest

from crmkit.frames import (
    QuantileScore,
    from_native,
    quantile_scores,
    to_native,
    with_quantile_scores,
)
from crmkit.frames.quantile import (
    _spark_bucket_rows,
    _spark_keyed,
    _spark_value_rows,
    _step_values,
)
from tests.backends import spark_plan
from tests.engines import build, rows_of

SPECS = [QuantileScore("v", "up", 5), QuantileScore("v", "down", 5, descending=True)]


def _expected(values: list[Any], n: int) -> list[tuple[int, Any, Any]]:
    """Scores of the present values by the records engine; missing values score missing."""
    present = [v for v in values if v is not None]
    count = len(values)
    # the row count includes missing values: score = 1 + floor(n * worse / count)
    out = []
    for i, v in enumerate(values):
        if v is None:
            out.append((i, None, None))
            continue
        up = 1 + n * sum(w < v for w in present) // count
        down = 1 + n * sum(w > v for w in present) // count
        out.append((i, up, down))
    return out


def _scored(engine: str, values: list[Any], specs: list[QuantileScore]) -> list[tuple[Any, ...]]:
    rows = [{"customer_id": i, "v": v} for i, v in enumerate(values)]
    frame = from_native(build(engine, rows, ["customer_id", "v"]))
    scored = to_native(with_quantile_scores(frame, specs))
    # (pandas holds a score column with missing values as floats)
    return sorted((r["customer_id"], *(_whole(r[s.name]) for s in specs)) for r in rows_of(scored))


def _whole(score: Any) -> int | None:
    if score is None or score != score:  # (NaN)
        return None
    assert score == int(score)
    return int(score)


def _sums(seed: int) -> list[Any]:
    """Float sums with ties, refunds (negatives), zeros and missing values."""
    rng = random.Random(seed)
    pool = [0.1 + 0.2, 0.3, -12.5, 0.0, 1e-9, 7e6, 19.99 * 3, 59.97, None]
    return [rng.choice(pool) for _ in range(40)]


@pytest.mark.parametrize("seed", [1, 2])
def test_dask_scores_equal_the_tie_rule_on_float_sums_refunds_and_missing(
    dask_cluster: Any, seed: int
) -> None:
    values = _sums(seed)
    assert _scored("dask", values, SPECS) == _expected(values, 5)


def test_dask_scores_integers_with_ties_like_python(dask_cluster: Any) -> None:
    values = [5, 1, 3, 3, 0, 5, 5, 2, 8, 8]
    got = _scored("dask", values, SPECS)
    assert [r[1] for r in got] == quantile_scores(values, 5)
    assert [r[2] for r in got] == quantile_scores(values, 5, descending=True)


@pytest.mark.spark
def test_spark_step_values_are_the_records_thresholds(spark: Any) -> None:
    values = [5, 1, 3, 3, 0, 5, 5, 2, 8, 8]
    frame = from_native(build("spark", [{"v": v} for v in values], ["v"]))
    up, down = _step_values(frame, SPECS)
    # the ceil(j * 10 / 5)-th smallest (2nd, 4th, 6th, 8th) and largest values; down is negated
    assert up == [1, 3, 5, 5]
    assert down == [-8, -5, -3, -2]


@pytest.mark.spark
def test_spark_scores_by_literal_steps_in_one_projection(
    spark: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    values = _sums(3)
    rows = [{"customer_id": i, "v": v} for i, v in enumerate(values)]
    frame = from_native(build("spark", rows, ["customer_id", "v"]))
    scored = to_native(with_quantile_scores(frame, SPECS))
    plan = spark_plan(scored, capsys)
    assert "Window" not in plan
    assert "Join" not in plan
    got = sorted((r["customer_id"], r["up"], r["down"]) for r in rows_of(scored))
    assert got == _expected(values, 5)


@pytest.mark.spark
def test_spark_step_job_has_no_single_partition_exchange(
    spark: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = from_native(build("spark", [{"v": v, "w": -v / 3} for v in range(50)], ["v", "w"]))
    keyed, keys = _spark_keyed(frame, [QuantileScore("v", "a"), QuantileScore("w", "b", 3)])
    for plan in (
        spark_plan(_spark_bucket_rows(keyed, keys), capsys),
        spark_plan(_spark_value_rows(keyed, keys, [[0, 5], [-3]]), capsys),
    ):
        assert "SinglePartition" not in plan
        assert "hashpartitioning" in plan
        assert "Window" not in plan


@pytest.mark.spark
def test_spark_decimal_and_wide_integer_steps_stay_exact(spark: Any) -> None:
    """Steps come back as the column's own values: Decimals and int64 beyond 2**53 exact."""
    decimals = [Decimal("0.10"), Decimal("0.20"), Decimal("0.30"), Decimal("0.30"),
                Decimal("-5.55"), Decimal("100.01"), None]  # fmt: skip
    assert _scored("spark", decimals, SPECS) == _expected(decimals, 5)
    wide = [2**60 + k for k in (0, 1, 1, 2, 3, 5, 8)]
    assert _scored("spark", wide, SPECS) == _expected(wide, 5)
