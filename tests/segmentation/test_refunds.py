"""Refunds and credit notes: the ``negative`` option of the transaction analytics.

One definition (``crmkit.segmentation.transactions``) on records and frames: ``"refuse"``
(an error naming the row and the option), ``"net"`` (a refund is not a purchase and comes off
its customer's total, which stops at zero) and ``"drop"`` (left out, counted in a
``DroppedRowsWarning``).
"""

from __future__ import annotations

import datetime as dt
import warnings
from typing import Any

import polars as pl
import pytest

from crmkit.clv import calibration_holdout, summarise
from crmkit.errors import DroppedRowsWarning, ValidationError
from crmkit.frames import is_frame, to_frame
from crmkit.segmentation import abc_classes, concentration, pareto_check, rfm
from tests import engines

AS_OF = dt.date(2024, 12, 31)
ORDERS = [
    {"account_id": "a", "ordered_at": dt.date(2024, 1, 1), "total": 100.0},
    {"account_id": "a", "ordered_at": dt.date(2024, 2, 1), "total": -30.0},
    {"account_id": "b", "ordered_at": dt.date(2024, 1, 5), "total": 50.0},
    {"account_id": "b", "ordered_at": dt.date(2024, 3, 5), "total": -80.0},
    {"account_id": "c", "ordered_at": dt.date(2024, 3, 5), "total": -10.0},
    {"account_id": "d", "ordered_at": dt.date(2025, 3, 5), "total": -10.0},  # after as_of
]
COLUMNS = {"account_id": pl.String, "ordered_at": pl.Date, "total": pl.Float64}
EAGER = ["records", "pandas", "polars", "pyarrow"]
#: The engine matrix without Spark (its own test below compares it with the records engine).
ENGINES = ["records", *engines.ENGINES]


def build(engine: str, rows: list[dict[str, Any]] = ORDERS) -> Any:
    return engines.build(engine, rows, COLUMNS)


def dicts(result: Any) -> list[dict[str, Any]]:
    if not is_frame(result):
        result = to_frame(result, backend="polars")
    import narwhals as nw

    frame = nw.from_native(result)
    if isinstance(frame, nw.LazyFrame):
        frame = frame.collect()
    rows = [dict(row) for row in frame.rows(named=True)]
    for row in rows:  # frames of summaries keep the customer column's own name
        if "customer_id" not in row:
            row["customer_id"] = row.pop("account_id")
    return sorted(rows, key=lambda row: str(row["customer_id"]))


@pytest.mark.parametrize("engine", ENGINES)
def test_net_makes_refunds_come_off_their_customer_and_not_count_as_purchases(
    engine: str,
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", DroppedRowsWarning)  # net reports nothing
        rows = dicts(rfm(build(engine), as_of=AS_OF, negative="net"))
    # a: 100 - 30; b: 50 - 80 stops at 0; c has refunds only (no purchase); d is after as_of
    assert [(r["customer_id"], r["frequency"], r["monetary"]) for r in rows] == [
        ("a", 1, 70.0),
        ("b", 1, 0.0),
    ]
    assert [r["recency_days"] for r in rows] == [(AS_OF - dt.date(2024, 1, 1)).days,
                                                 (AS_OF - dt.date(2024, 1, 5)).days]  # fmt: skip
    classes = dicts(abc_classes(build(engine), negative="net"))
    assert [(r["customer_id"], r["value"]) for r in classes] == [("a", 70.0), ("b", 0.0)]


@pytest.mark.parametrize("engine", EAGER)
def test_drop_leaves_negative_rows_out_and_counts_them(engine: str) -> None:
    with pytest.warns(DroppedRowsWarning) as caught:
        rows = dicts(rfm(build(engine), as_of=AS_OF, negative="drop"))
    assert [(r["customer_id"], r["frequency"], r["monetary"]) for r in rows] == [
        ("a", 1, 100.0),
        ("b", 1, 50.0),
    ]
    (warning,) = [w.message for w in caught if isinstance(w.message, DroppedRowsWarning)]
    # the refund dated after as_of is not part of the analysis, so not counted
    assert (warning.path, warning.count) == ("orders.total", 3)
    with pytest.warns(DroppedRowsWarning, match="data.total: 4 negative amounts") as caught:
        check = pareto_check(build(engine), negative="drop")
    assert check.customers == 2
    assert len([w for w in caught if isinstance(w.message, DroppedRowsWarning)]) == 1


@pytest.mark.parametrize("engine", sorted(engines.LAZY - {"spark"}))
def test_drop_on_a_lazy_frame_drops_in_the_query_without_a_count(engine: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", DroppedRowsWarning)
        rows = dicts(rfm(build(engine), as_of=AS_OF, negative="drop"))
    assert [(r["customer_id"], r["monetary"]) for r in rows] == [("a", 100.0), ("b", 50.0)]


@pytest.mark.parametrize("engine", EAGER)
def test_refuse_is_the_default_and_names_the_row_and_the_option(engine: str) -> None:
    with pytest.raises(ValidationError, match=r"orders\[1\]\.total: -30\.0 is negative") as error:
        rfm(build(engine), as_of=AS_OF)
    assert "negative='net'" in str(error.value)
    assert "negative='drop'" in str(error.value)
    with pytest.raises(ValidationError, match=r"data\[1\]\.total: -30\.0 is negative"):
        concentration(build(engine))


def test_an_unknown_option_is_refused_naming_the_choices() -> None:
    with pytest.raises(ValidationError, match="negative: 'keep' must be 'refuse', 'net' or"):
        rfm(ORDERS, as_of=AS_OF, negative="keep")  # type: ignore[arg-type]


@pytest.mark.parametrize("engine", ENGINES)
def test_summarise_nets_refunds_within_the_customer(engine: str) -> None:
    rows = [
        {"account_id": "a", "ordered_at": dt.date(2024, 1, 1), "total": 10.0},
        {"account_id": "a", "ordered_at": dt.date(2024, 1, 15), "total": 40.0},
        {"account_id": "a", "ordered_at": dt.date(2024, 1, 16), "total": -10.0},
        {"account_id": "b", "ordered_at": dt.date(2024, 1, 8), "total": 5.0},
        {"account_id": "b", "ordered_at": dt.date(2024, 1, 9), "total": -50.0},
    ]
    out = dicts(
        summarise(build(engine, rows), amount="total", as_of=dt.date(2024, 1, 29),
                  negative="net")
    )  # fmt: skip
    # a: one repeat week worth 40, less its 10 refund; b has no repeat purchase (0)
    assert [(r["customer_id"], r["frequency"], r["monetary_value"]) for r in out] == [
        ("a", 1, 30.0),
        ("b", 0, 0.0),
    ]
    dropped = dicts(
        summarise(build(engine, rows), amount="total", as_of=dt.date(2024, 1, 29),
                  negative="drop")
    ) if engine not in EAGER else None  # fmt: skip
    if dropped is not None:
        assert [r["monetary_value"] for r in dropped] == [40.0, 0.0]


@pytest.mark.parametrize("engine", EAGER)
def test_summarise_and_calibration_holdout_refuse_and_drop_like_rfm(engine: str) -> None:
    rows = [
        {"account_id": "a", "ordered_at": dt.date(2024, 1, 1), "total": 10.0},
        {"account_id": "a", "ordered_at": dt.date(2024, 1, 15), "total": -4.0},
    ]
    with pytest.raises(ValidationError, match=r"transactions\[1\]\.total: -4\.0 is negative"):
        summarise(build(engine, rows), amount="total", as_of=dt.date(2024, 1, 29))
    with pytest.warns(DroppedRowsWarning, match="transactions.total: 1 negative amounts"):
        out = dicts(
            calibration_holdout(build(engine, rows), amount="total",
                                calibration_end=dt.date(2024, 1, 8),
                                as_of=dt.date(2024, 1, 29), negative="drop")
        )  # fmt: skip
    assert [(r["frequency_holdout"], r["monetary_value_holdout"]) for r in out] == [(0, 0.0)]


@pytest.mark.spark
def test_net_and_drop_on_spark_match_records(spark: Any) -> None:
    frame = build("spark")
    for negative in ("net", "drop"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DroppedRowsWarning)
            expected = dicts(rfm(build("records"), as_of=AS_OF, negative=negative))
            classes = dicts(abc_classes(build("records"), negative=negative))
        got = rfm(frame, as_of=AS_OF, negative=negative).toPandas().to_dict("records")
        assert sorted((r["customer_id"], r["monetary"]) for r in got) == [
            (r["customer_id"], r["monetary"]) for r in expected
        ]
        got = abc_classes(frame, negative=negative).toPandas().to_dict("records")
        assert sorted((r["customer_id"], r["value"]) for r in got) == [
            (r["customer_id"], r["value"]) for r in classes
        ]
