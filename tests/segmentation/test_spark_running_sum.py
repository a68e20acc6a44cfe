"""ABC's running sums on PySpark: bucket offsets as literals, the same as the general path."""

from __future__ import annotations

import random
from typing import Any

import attrs
import pytest

import crmkit.frames.quantile as quantile
from crmkit.frames import from_native, to_native, with_running_sum
from crmkit.segmentation import abc_classes
from tests.backends import assert_grouped_once_ahead, spark_materialised
from tests.engines import rows_of

pytestmark = pytest.mark.spark


def _orders(seed: int, amounts: list[float]) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [
        {"account_id": f"c{rng.randrange(60)}", "total": rng.choice(amounts)} for _ in range(240)
    ]


def _records(orders: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = abc_classes(orders, customer="account_id")
    return sorted((attrs.asdict(r) for r in out), key=lambda r: r["customer_id"])


def _assert_same(got: list[dict[str, Any]], expected: list[dict[str, Any]]) -> None:
    """Classes and shares exactly (from integer units); the float sums of amounts to 1e-12."""
    exact = ("customer_id", "share", "cumulative_share", "abc_class")
    assert [{k: r[k] for k in exact} for r in got] == [{k: r[k] for k in exact} for r in expected]
    assert [r["value"] for r in got] == pytest.approx([r["value"] for r in expected], rel=1e-12)


@pytest.mark.parametrize(
    ("seed", "amounts"),
    [
        (1, [5.0, 20.0, 20.0, 35.5, 80.0, 150.0]),  # ties between customers
        (2, [0.01, 3.0, 999.99, 12_345.67, 2.5e6]),  # many buckets
        (3, [7.0]),  # one amount: every customer total in few buckets, many tied
    ],
)
def test_spark_abc_equals_records_without_a_single_partition_exchange(
    spark: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    seed: int,
    amounts: list[float],
) -> None:
    import pandas as pd

    orders = _orders(seed, amounts)
    kept = spark_materialised(monkeypatch)
    out = abc_classes(spark.createDataFrame(pd.DataFrame(orders)), customer="account_id")
    assert_grouped_once_ahead(kept, out, capsys)
    expected = _records(orders)
    _assert_same(rows_of(out), expected)


def test_spark_abc_of_one_bucket_equals_records(spark: Any) -> None:
    """Every customer with the same total: one bucket, ordered by customer within it."""
    import pandas as pd

    orders = [{"account_id": f"c{i:02d}", "total": 10.0} for i in range(30)]
    out = abc_classes(spark.createDataFrame(pd.DataFrame(orders)), customer="account_id")
    expected = _records(orders)
    _assert_same(rows_of(out), expected)


@pytest.mark.parametrize("seed", [4, 5])
def test_spark_running_sum_equals_the_general_path(
    spark: Any, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    """Integer running sums (signs, zeros, ties on the first key) equal the cross-join path."""
    import pandas as pd

    rng = random.Random(seed)
    values = [rng.choice([-(10**9), -7, -7, 0, 0, 1, 3, 3, 40, 10**12]) for _ in range(80)]
    data = pd.DataFrame({"k": [f"r{i:03d}" for i in range(80)], "u": values})
    data["n"] = -data["u"]
    frame = from_native(spark.createDataFrame(data))

    def run() -> list[tuple[Any, ...]]:
        out = to_native(with_running_sum(frame, "u", ["n", "k"], "run", total="all"))
        assert out.columns == ["k", "u", "n", "all", "run"]
        return sorted(tuple(row) for row in out.collect())

    new = run()
    monkeypatch.setattr(quantile, "spark_running_sum", lambda *args: None)
    assert new == run()


def test_spark_running_sum_with_missing_keys_takes_the_general_path(
    spark: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pandas as pd

    data = pd.DataFrame({"k": ["a", "b", "c", "d"], "u": [4, 1, 2, 8], "n": [1.0, None, 2.0, 2.0]})
    frame = from_native(spark.createDataFrame(data))
    out = sorted(
        tuple(r) for r in to_native(with_running_sum(frame, "u", ["n", "k"], "r")).collect()
    )
    monkeypatch.setattr(quantile, "spark_running_sum", lambda *args: None)
    old = sorted(
        tuple(r) for r in to_native(with_running_sum(frame, "u", ["n", "k"], "r")).collect()
    )
    assert out == old


def test_spark_abc_with_totals_kept_equals_the_path_computing_them_twice(
    spark: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The per-customer totals computed once and kept (a local checkpoint) give the rows of
    the previous path, which computed them for the buckets' job and again for the result."""
    import pandas as pd

    import crmkit.frames._running_sum as running

    orders = _orders(6, [0.01, 3.0, 20.0, 20.0, 999.99, 2.5e6])
    data = spark.createDataFrame(pd.DataFrame(orders))
    kept = rows_of(abc_classes(data, customer="account_id"))
    monkeypatch.setattr(running, "spark_materialise", lambda native: native)
    assert rows_of(abc_classes(data, customer="account_id")) == kept


def test_the_docstring_examples_of_the_spark_helpers(spark: Any) -> None:
    # the lines of spark_materialise's and spark_running_sum's examples, with the suite's session
    from crmkit.frames._running_sum import spark_running_sum
    from crmkit.frames.native import spark_materialise

    kept = spark_materialise(spark.range(3).groupBy().count())
    assert kept.collect()[0]["count"] == 3
    frame = spark.createDataFrame([("a", 5), ("b", 1), ("c", 3)], ["k", "u"])
    out = spark_running_sum(frame, "u", ["u", "k"], "run", "all")
    assert sorted((r.u, r.run, r.all) for r in out.collect()) == [(1, 1, 9), (3, 4, 9), (5, 9, 9)]
