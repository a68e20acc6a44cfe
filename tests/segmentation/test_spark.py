"""PySpark local mode on a small fixed sample (one session per test run, see conftest)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest

from crmkit.frames import col
from crmkit.segmentation import (
    RuleSegments,
    Segment,
    abc_classes,
    assign_segments,
    customer_status,
    rfm,
)
from tests.segmentation.engines import rows_of

pytestmark = pytest.mark.spark

AS_OF = dt.date(2024, 12, 31)
ORDERS = [
    {"account_id": f"c{i % 7}", "ordered_at": dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
     + dt.timedelta(days=37 * i, hours=i), "total": (i * 37) % 200}
    for i in range(30)
]  # fmt: skip


def test_rfm_status_abc_and_rules_on_spark_match_records(spark: Any) -> None:
    import pandas as pd

    frame = spark.createDataFrame(pd.DataFrame(ORDERS))
    out = rfm(frame, as_of=AS_OF)
    assert type(out).__name__ == "DataFrame"
    assert type(out).__module__.startswith("pyspark")
    expected = sorted((attrs.asdict(r) for r in rfm(ORDERS, as_of=AS_OF)),
                      key=lambda r: r["customer_id"])  # fmt: skip
    assert rows_of(out) == expected

    status = {r["customer_id"]: r["status"]
              for r in rows_of(customer_status(frame, as_of=AS_OF))}  # fmt: skip
    assert status == {r.customer_id: r.status for r in customer_status(ORDERS, as_of=AS_OF)}

    abc = {r["customer_id"]: r["abc_class"] for r in rows_of(abc_classes(frame))}
    assert abc == {r.customer_id: r.abc_class for r in abc_classes(ORDERS)}

    rules = RuleSegments([Segment("big", col("total") >= 150)], default="small")
    segmented = rows_of(assign_segments(frame, rules), "total")
    assert {r["segment"] for r in segmented} == {"big", "small"}
    assert all((r["total"] >= 150) == (r["segment"] == "big") for r in segmented)
