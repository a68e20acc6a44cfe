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
from tests.engines import rows_of

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


def test_aware_days_on_spark_are_utc_days_whatever_the_session_zone(spark: Any) -> None:
    """Spark reads timestamps in its session zone; crmkit counts the UTC day anyway."""
    import pandas as pd

    from crmkit.clv import summarise

    late = [  # half an hour before and after UTC midnights
        {"account_id": "a", "ordered_at": dt.datetime(2024, 12, 31, 23, 30, tzinfo=dt.UTC),
         "total": 5},
        {"account_id": "b", "ordered_at": dt.datetime(2024, 1, 31, 23, 30, tzinfo=dt.UTC),
         "total": 3},
        {"account_id": "b", "ordered_at": dt.datetime(2024, 2, 1, 0, 30, tzinfo=dt.UTC),
         "total": 4},
    ]  # fmt: skip
    before = spark.conf.get("spark.sql.session.timeZone")
    try:
        for zone in ("Pacific/Kiritimati", "America/Los_Angeles"):
            spark.conf.set("spark.sql.session.timeZone", zone)
            frame = spark.createDataFrame(pd.DataFrame(late))
            expected = sorted((attrs.asdict(r) for r in rfm(late, as_of=AS_OF)),
                              key=lambda r: r["customer_id"])  # fmt: skip
            assert rows_of(rfm(frame, as_of=AS_OF)) == expected, zone
            months = {r["account_id"]: (r["frequency"], r["T"])
                      for r in rows_of(summarise(frame, time_unit="months", as_of=AS_OF), "account_id")}  # fmt: skip
            assert months == {r.customer_id: (r.frequency, r.T)
                              for r in summarise(late, time_unit="months", as_of=AS_OF)}, zone  # fmt: skip
    finally:
        spark.conf.set("spark.sql.session.timeZone", before)
