"""ABC's last projection on PySpark as one Spark SQL ``selectExpr``: the same rows and schema
as the narwhals chain it replaces, exact at the class boundaries."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

import crmkit.segmentation.pareto as pareto
from crmkit.segmentation import abc_classes
from tests.engines import rows_of

pytestmark = pytest.mark.spark

# customer totals that put customers exactly on, just below and just above the boundaries
ON_THE_BOUNDARIES = [80.0, 15.0, 5.0, 0.0]
AROUND_THE_BOUNDARIES = [79.999999, 15.000001, 4.0, 1.0, 0.000001]


def _frame(spark: Any, totals: list[float]) -> Any:
    import pandas as pd

    orders = [{"account_id": f"c{i}", "total": t} for i, t in enumerate(totals)]
    return spark.createDataFrame(pd.DataFrame(orders)), orders


def _records(orders: list[dict[str, Any]], **options: Any) -> list[dict[str, Any]]:
    out = abc_classes(orders, customer="account_id", **options)
    return sorted((attrs.asdict(r) for r in out), key=lambda r: r["customer_id"])


def _both(spark: Any, monkeypatch: pytest.MonkeyPatch, totals: list[float], **options: Any) -> Any:
    frame, orders = _frame(spark, totals)
    by_sql = abc_classes(frame, customer="account_id", **options)
    with monkeypatch.context() as patched:
        patched.setattr(pareto, "_spark_abc_projection", lambda *args: None)
        by_chain = abc_classes(frame, customer="account_id", **options)
    return by_sql, by_chain, _records(orders, **options)


@pytest.mark.parametrize("totals", [ON_THE_BOUNDARIES, AROUND_THE_BOUNDARIES])
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"cutoffs": (0.5, 0.8, 0.95), "labels": ("top", "A", "B", "C")},
        {"cutoffs": (), "labels": ("all",)},
        {"cutoffs": (0.999999,), "labels": ("in", "out")},
    ],
)
def test_the_sql_projection_is_the_chain_and_the_records(
    spark: Any, monkeypatch: pytest.MonkeyPatch, totals: list[float], options: dict[str, Any]
) -> None:
    by_sql, by_chain, expected = _both(spark, monkeypatch, totals, **options)
    assert by_sql.schema == by_chain.schema
    assert rows_of(by_sql) == rows_of(by_chain)
    got = rows_of(by_sql)
    assert [r["abc_class"] for r in got] == [r["abc_class"] for r in expected]
    assert [(r["share"], r["cumulative_share"]) for r in got] == [
        (r["share"], r["cumulative_share"]) for r in expected
    ]


def test_the_boundaries_fall_where_the_records_put_them(spark: Any) -> None:
    frame, _ = _frame(spark, ON_THE_BOUNDARIES)
    got = {r["customer_id"]: r["abc_class"] for r in rows_of(abc_classes(frame))}
    # c0 starts at 0 % (A); c1 starts exactly at 80 % (not below it: B); c2 exactly at 95 % (C)
    assert got == {"c0": "A", "c1": "B", "c2": "C", "c3": "C"}


def test_a_label_sql_cannot_hold_as_a_literal_takes_the_chain(
    spark: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    frame, orders = _frame(spark, ON_THE_BOUNDARIES)
    labels = ("it's A", "B", "C\\")
    assert pareto._spark_abc_projection(frame, [], list(labels)) is None
    got = rows_of(abc_classes(frame, labels=labels))
    assert [r["abc_class"] for r in got] == [
        r["abc_class"] for r in _records(orders, labels=labels)
    ]
