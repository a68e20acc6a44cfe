"""The analytics' results stay distributed on Dask and Spark: nothing is gathered on the driver.

Spark: the physical plan of the returned frame, and of any frame crmkit computes ahead and
keeps (RFM's and ABC's per-customer table), has no ``SinglePartition`` exchange (every row
moved into one task). Dask: the per-customer results keep (at least) the input's partitions
(:func:`crmkit.frames.per_key`: narwhals' Dask group-by alone lands them in one), and the
result is a lazy collection computed on the cluster when asked,
and the analytics start no computation while building it (a scheduler that fails is active
while crmkit runs): RFM's scores and ABC's running totals find their step values and bucket
offsets within the result's own graph, not through Dask's ``sort_values``, which samples its
partitions to find range boundaries when it is built.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import dask
import pytest

from crmkit.clv import calibration_holdout, summarise
from crmkit.frames import col
from crmkit.segmentation import (
    RuleSegments,
    Segment,
    abc_classes,
    assign_segments,
    customer_status,
    repurchase_buckets,
    rfm,
)
from tests.backends import spark_materialised, spark_plan
from tests.engines import build

AS_OF = dt.date(2024, 12, 31)
COLUMNS = ["account_id", "ordered_at", "total"]
ORDERS = [
    {"account_id": f"c{i % 11}", "ordered_at": dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
     + dt.timedelta(days=17 * i, hours=i), "total": 5 + (i * 37) % 200}
    for i in range(60)
]  # fmt: skip
RULES = RuleSegments([Segment("big", col("total") >= 150)], default="small")

#: analytic name → (call, whether it builds its graph without computing on Dask)
ANALYTICS: dict[str, tuple[Callable[[Any], Any], bool]] = {
    "rfm": (lambda d: rfm(d, as_of=AS_OF), True),
    "customer_status": (lambda d: customer_status(d, as_of=AS_OF), True),
    "abc_classes": (abc_classes, True),
    "repurchase_buckets": (repurchase_buckets, True),
    "assign_segments": (lambda d: assign_segments(d, RULES, key="account_id"), True),
    "clv_summary": (lambda d: summarise(d, as_of=AS_OF, amount="total"), True),
    "clv_calibration_holdout": (
        lambda d: calibration_holdout(
            d, calibration_end=dt.date(2024, 6, 30), as_of=AS_OF, amount="total"
        ),
        True,
    ),
}


def _no_compute(dsk: Any, keys: Any, **kwargs: Any) -> Any:
    raise AssertionError("crmkit started a Dask computation while building the result")


@pytest.mark.spark
@pytest.mark.parametrize("name", sorted(ANALYTICS))
def test_spark_plans_have_no_single_partition_exchange(
    spark: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    run, _ = ANALYTICS[name]
    kept = spark_materialised(monkeypatch)  # frames computed ahead (RFM's, ABC's table)
    out = run(build("spark", ORDERS, COLUMNS))
    assert type(out).__module__.startswith("pyspark")
    for native in [*kept, out]:
        assert "SinglePartition" not in spark_plan(native, capsys)


@pytest.mark.parametrize("name", sorted(ANALYTICS))
def test_dask_results_are_lazy_collections(dask_cluster: Any, name: str) -> None:
    run, without_compute = ANALYTICS[name]
    data = build("dask", ORDERS, COLUMNS)
    if without_compute:
        with dask.config.set(scheduler=_no_compute):
            out = run(data)
    else:
        out = run(data)
    assert dask.is_dask_collection(out)
    assert len(out.compute()) == len(run(ORDERS))  # computed on the cluster when asked


@pytest.mark.parametrize("name", sorted(ANALYTICS))
def test_dask_per_customer_results_keep_the_input_partitions(dask_cluster: Any, name: str) -> None:
    run, _ = ANALYTICS[name]
    data = build("dask", ORDERS, COLUMNS).repartition(npartitions=4)
    out = run(data)
    assert out.npartitions >= data.npartitions == 4  # not one partition holding every customer
    computed = out.compute()
    assert len(computed) == len(run(ORDERS))
    if "customer_id" in computed.columns:  # each customer once, whatever partition it is in
        assert computed["customer_id"].is_unique
