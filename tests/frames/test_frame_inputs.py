"""Frames that just work: inputs a data scientist's own frames hold (issue #13).

pandas ``object`` columns of Python dates, ``pd.NaT`` in records, frames of predictions given
to ``value_by_segment`` and errors that name the row on frames as on records — each checked
against the records engine.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from crmkit.clv import (
    BetaGeo,
    CustomerSummary,
    GammaGamma,
    summarise,
    value_by_segment,
    value_customers,
)
from crmkit.errors import ValidationError
from crmkit.frames import as_of, col, filter_rows
from crmkit.scoring import Criterion, Decay, LeadScoringModel
from crmkit.segmentation import RuleSegments, Segment, assign_segments, customer_status, rfm

AS_OF = dt.date(2024, 12, 31)
ORDERS = [
    {"account_id": "a", "ordered_at": dt.date(2024, 1, 1), "total": 10.0},
    {"account_id": "a", "ordered_at": dt.date(2024, 2, 12), "total": 30.0},
    {"account_id": "b", "ordered_at": dt.date(2024, 1, 5), "total": 5.0},
]


def object_dates(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    assert frame["ordered_at"].dtype == object  # what pandas makes of datetime.date values
    return frame


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return sorted(frame.to_dict("records"), key=lambda row: str(next(iter(row.values()))))


def test_summarise_reads_an_object_column_of_dates_as_the_records_engine_does() -> None:
    out = summarise(object_dates(ORDERS), amount="total", as_of=dt.date(2024, 3, 1))
    expected = summarise(ORDERS, amount="total", as_of=dt.date(2024, 3, 1))
    assert [tuple(row.values()) for row in records(out)] == [
        (r.customer_id, r.frequency, r.recency, r.T, r.monetary_value) for r in expected
    ]


@pytest.mark.parametrize("analytic", [rfm, customer_status])
def test_transaction_segmentations_read_an_object_column_of_dates(analytic: Any) -> None:
    frame = object_dates(ORDERS)
    out = analytic(frame, as_of=AS_OF)
    expected = analytic(ORDERS, as_of=AS_OF)
    assert [row["customer_id"] for row in records(out)] == [r.customer_id for r in expected]
    if analytic is rfm:
        assert [row["recency_days"] for row in records(out)] == [r.recency_days for r in expected]
    assert frame["ordered_at"].dtype == object  # the caller's frame is not changed


def test_assign_segments_and_filter_rows_on_python_dates_in_a_pandas_column() -> None:
    rules = RuleSegments([Segment("recent", col("last_order_at") >= as_of(months=-12))],
                         default="lapsed")  # fmt: skip
    rows = [
        {"id": "a1", "last_order_at": dt.date(2024, 5, 1)},
        {"id": "a2", "last_order_at": None},
        {"id": "a3", "last_order_at": dt.date(2022, 5, 1)},
    ]
    frame = pd.DataFrame(rows)
    out = assign_segments(frame, rules, as_of=AS_OF)
    expected = [r.segment for r in assign_segments(rows, rules, as_of=AS_OF)]
    assert out["segment"].tolist() == expected == ["recent", "lapsed", "lapsed"]
    assert out["last_order_at"].tolist() == frame["last_order_at"].tolist()  # unchanged
    kept = filter_rows(frame, col("last_order_at") >= as_of(months=-12), AS_OF)
    assert kept["id"].tolist() == ["a1"]


def test_a_column_of_mixed_objects_is_still_refused_naming_it() -> None:
    rows = [dict(ORDERS[0]), dict(ORDERS[1], ordered_at="2024-02-12")]
    with pytest.raises(ValidationError, match=r"orders\.ordered_at: 'Object' must be a date"):
        rfm(pd.DataFrame(rows), as_of=AS_OF)


@pytest.mark.parametrize("missing", [pd.NaT, None])
def test_nat_in_a_lead_record_is_a_missing_value(missing: Any) -> None:
    model = LeadScoringModel(
        [
            Criterion("recent visit", col("last_visit") >= as_of(days=-30), 10),
            Criterion("visits", col("visits") > 1, 5, group="engagement",
                      decay=Decay("last_visit", 14)),
        ]
    )  # fmt: skip
    lead = {"last_visit": missing, "visits": 3}
    one = model.score_one(lead, as_of=AS_OF)
    assert (one.fit, one.engagement) == (0.0, 5.0)  # no date: the rule is false, full points
    assert model.score([lead], as_of=AS_OF) == [one]
    frame = model.score(pd.DataFrame({"last_visit": pd.to_datetime([missing]), "visits": [3]}),
                        as_of=AS_OF)  # fmt: skip
    assert frame["lead_score"].tolist() == [one.score]


PURCHASES = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="weeks")
SPEND = GammaGamma(p=6.25, q=3.74, v=15.44)
SUMMARY = [CustomerSummary("a", 2, 30.43, 38.86, 22.35), CustomerSummary("b", 0, 0.0, 38.86, 0.0),
           CustomerSummary("c", 1, 10.0, 20.0, 15.0)]  # fmt: skip


@pytest.mark.parametrize("engine", ["pandas", "polars", "polars_lazy"])
def test_value_by_segment_takes_the_frame_value_customers_returns(engine: str) -> None:
    import polars as pl

    frame: Any = pl.DataFrame([{"customer_id": r.customer_id, "frequency": r.frequency,
                                "recency": r.recency, "T": r.T,
                                "monetary_value": r.monetary_value} for r in SUMMARY])  # fmt: skip
    if engine == "pandas":
        frame = frame.to_pandas()
    values = value_customers(frame if engine != "polars_lazy" else frame.lazy(), PURCHASES, SPEND)
    segments = {"a": "A", "b": "A"}
    expected = value_by_segment(value_customers(SUMMARY, PURCHASES, SPEND), segments)
    out = value_by_segment(values, segments)
    assert [(s.segment, s.customers) for s in out] == [(s.segment, s.customers) for s in expected]
    assert [s.lifetime_value for s in out] == pytest.approx([s.lifetime_value for s in expected])


def test_value_by_segment_names_a_missing_column() -> None:
    with pytest.raises(ValidationError, match=r"values\.expected_purchases: is missing"):
        value_by_segment(pd.DataFrame({"customer_id": ["a"], "probability_alive": [0.5]}), {})


@pytest.mark.parametrize("engine", ["pandas", "polars"])
def test_errors_on_eager_frames_name_the_row_like_records(engine: str) -> None:
    rows = [dict(ORDERS[0]), dict(ORDERS[1], account_id=None), dict(ORDERS[2], total=float("nan"))]
    import polars as pl

    frame = pl.DataFrame(rows) if engine == "polars" else pd.DataFrame(rows)
    with pytest.raises(ValidationError) as error:
        rfm(frame, as_of=AS_OF)
    assert error.value.paths == ["orders[1].account_id", "orders[2].total"]
    with pytest.raises(ValidationError, match=r"orders\[1\]\.account_id: None is missing"):
        rfm(rows, as_of=AS_OF)
