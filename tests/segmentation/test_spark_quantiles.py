"""Quantile scores on PySpark: exact, and planned without a single-partition exchange."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import attrs
import pytest

from crmkit.frames import (
    QuantileScore,
    from_native,
    narwhals,
    quantile_score_expr,
    quantile_scores,
    scores_by_value_counts,
    to_native,
    with_quantile_scores,
)
from crmkit.segmentation import rfm
from tests.backends import assert_grouped_once_ahead, spark_materialised, spark_plan
from tests.engines import rows_of

pytestmark = pytest.mark.spark

AS_OF = dt.date(2024, 12, 31)


def _orders(seed: int) -> list[dict[str, Any]]:
    """Random orders of 40 customers with many ties in every RFM dimension."""
    rng = random.Random(seed)
    start = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
    return [
        {"account_id": f"c{rng.randrange(40)}",
         "ordered_at": start + dt.timedelta(days=rng.randrange(0, 700, 7)),
         "total": rng.choice([5, 20, 20, 35, 80, 150])}
        for _ in range(160)
    ]  # fmt: skip


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_spark_rfm_equals_records_and_has_no_single_partition_exchange(
    spark: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    import pandas as pd

    orders = _orders(seed)
    kept = spark_materialised(monkeypatch)
    out = rfm(spark.createDataFrame(pd.DataFrame(orders)), as_of=AS_OF)
    assert_grouped_once_ahead(kept, out, capsys)
    expected = sorted((attrs.asdict(r) for r in rfm(orders, as_of=AS_OF)),
                      key=lambda r: r["customer_id"])  # fmt: skip
    assert len({r["monetary"] for r in expected}) < len(expected)  # ties exist
    assert rows_of(out) == expected


def test_a_rank_window_would_be_a_single_partition_exchange(
    spark: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """The plan check detects the problem: a whole-frame rank is one partition on Spark."""
    import pandas as pd

    nw = narwhals()
    frame = from_native(spark.createDataFrame(pd.DataFrame({"v": [3, 1, 2, 2]})))
    assert scores_by_value_counts(frame)
    ranked = frame.with_columns(quantile_score_expr(nw.col("v"), 4).alias("s"))
    assert "SinglePartition" in spark_plan(to_native(ranked), capsys)


@pytest.mark.parametrize("descending", [False, True])
def test_spark_scores_of_negative_fractional_and_wide_values_follow_the_tie_rule(
    spark: Any, capsys: pytest.CaptureFixture[str], descending: bool
) -> None:
    """Values spread over many buckets (signs, fractions, magnitudes) rank exactly."""
    import pandas as pd

    rng = random.Random(7)
    pool = [-1e12, -2500.5, -3.0, -0.25, 0.0, 0.125, 1.0, 1.5, 2.0, 999.0, 1000.0, 7e15]
    values = [rng.choice(pool) for _ in range(60)]
    frame = from_native(spark.createDataFrame(
        pd.DataFrame({"customer_id": range(60), "v": values})))  # fmt: skip
    scored = to_native(with_quantile_scores(frame, [QuantileScore("v", "s", 7, descending)]))
    assert "SinglePartition" not in spark_plan(scored, capsys)
    got = [r["s"] for r in sorted(rows_of(scored), key=lambda r: r["customer_id"])]
    assert got == quantile_scores(values, 7, descending=descending)


def test_spark_missing_values_score_missing_and_count_like_polars(spark: Any) -> None:
    import pandas as pd
    import polars as pl

    values = [4.0, None, 1.0, 4.0, None, 2.0, 9.0]
    specs = [QuantileScore("v", "up", 3), QuantileScore("v", "down", 3, descending=True)]
    data = {"customer_id": list(range(7)), "v": values}
    spark_frame = from_native(spark.createDataFrame(pd.DataFrame(data)))
    polars_frame = from_native(pl.DataFrame(data))
    on_spark = rows_of(to_native(with_quantile_scores(spark_frame, specs)))
    on_polars = rows_of(to_native(with_quantile_scores(polars_frame, specs)))
    assert [(r["up"], r["down"]) for r in on_spark] == [(r["up"], r["down"]) for r in on_polars]
    assert on_spark[1]["up"] is None


@pytest.mark.parametrize("seed", [4])
def test_spark_rfm_with_the_table_kept_equals_the_path_computing_it_again(
    spark: Any, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    """The per-customer table computed once and kept (a local checkpoint) gives the rows of
    the previous path, which computed it for each step job and again for the scores."""
    import pandas as pd

    import crmkit.frames.quantile as quantile

    orders = [{**order, "total": order["total"] / 3} for order in _orders(seed)]  # float sums
    data = spark.createDataFrame(pd.DataFrame(orders))
    kept = rows_of(rfm(data, as_of=AS_OF))
    monkeypatch.setattr(quantile, "spark_materialise", lambda native: native)
    assert rows_of(rfm(data, as_of=AS_OF)) == kept
