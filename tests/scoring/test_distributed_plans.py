"""The scoring analytics' frame results stay distributed on Spark and Dask.

Spark: the physical plan of the returned frame has no ``SinglePartition`` exchange (every row
moved into one task) — issue #19/#21: the profitability ranking's running totals and total
profit come from per-bucket totals and windows partitioned by bucket, not from windows over
the whole frame. Dask: the result is a lazy collection, computed on the cluster when asked.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import dask
import pytest

from crmkit.scoring import false_key_customers, profitability_ranking
from tests.backends import spark_plan
from tests.engines import build, frame_rows

COLUMNS = ["id", "profit", "is_key_account"]
ACCOUNTS = [
    {"id": f"c{i:02d}", "profit": None if i % 7 == 0 else float((i * 37) % 200 - 50),
     "is_key_account": i % 3 == 0}
    for i in range(40)
]  # fmt: skip

ANALYTICS: dict[str, Callable[[Any], Any]] = {
    "profitability_ranking": profitability_ranking,
    "false_key_customers": false_key_customers,
}


def _ranking_rows(native: Any) -> list[tuple[Any, ...]]:
    return [tuple(r.values()) for r in frame_rows(native)]


def _expected_ranking() -> list[tuple[Any, ...]]:
    return [
        (r.rank, r.customer, r.profit, r.share, r.cumulative_share)
        for r in profitability_ranking(ACCOUNTS)
    ]


def _assert_same_ranking(got: list[tuple[Any, ...]], want: list[tuple[Any, ...]]) -> None:
    assert len(got) == len(want) == 34  # 40 accounts, 6 without a profit figure
    for g, w in zip(got, want, strict=True):
        assert g[:3] == w[:3]  # rank, customer and profit exactly, in ranking order
        assert all(math.isclose(a, b, rel_tol=1e-12) for a, b in zip(g[3:], w[3:], strict=True))


@pytest.mark.spark
@pytest.mark.parametrize("name", sorted(ANALYTICS))
def test_spark_plans_have_no_single_partition_exchange(
    spark: Any, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    out = ANALYTICS[name](build("spark", ACCOUNTS, COLUMNS))
    assert type(out).__module__.startswith("pyspark")
    assert "SinglePartition" not in spark_plan(out, capsys)


@pytest.mark.spark
def test_spark_ranking_equals_records(spark: Any) -> None:
    out = profitability_ranking(build("spark", ACCOUNTS, COLUMNS))
    _assert_same_ranking(_ranking_rows(out), _expected_ranking())


@pytest.mark.spark
def test_spark_ranking_of_zero_total_has_no_shares(spark: Any) -> None:
    rows = [{"id": "a", "profit": 5.0, "is_key_account": True},
            {"id": "b", "profit": -5.0, "is_key_account": False}]  # fmt: skip
    got = _ranking_rows(profitability_ranking(build("spark", rows, COLUMNS)))
    assert [g[:3] for g in got] == [(1, "a", 5.0), (2, "b", -5.0)]
    assert all(math.isnan(v) for g in got for v in g[3:])


def test_dask_ranking_is_a_lazy_collection(dask_cluster: Any) -> None:
    out = profitability_ranking(build("dask", ACCOUNTS, COLUMNS))
    assert dask.is_dask_collection(out)
    _assert_same_ranking(_ranking_rows(out), _expected_ranking())
