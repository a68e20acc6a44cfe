"""Pipeline analytics on records and frames (pandas, Polars, DuckDB)."""

from __future__ import annotations

import datetime as dt
import math

import hypothesis.strategies as st
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings

from crmkit.domain import Money, Opportunity, default_pipeline
from crmkit.errors import NotFoundError, ValidationError
from crmkit.scoring import (
    PipelineTotal,
    customers_per_stage,
    lost_reasons,
    sales_velocity,
    stage_conversion,
    time_in_stage,
    velocity,
    weighted_pipeline,
    win_back,
    win_rate,
)
from crmkit.scoring.pipeline import stage_change_rows
from tests.engines import (
    IN_PROCESS,
    frame_rows,
    is_lazy_native,
    to_frame,
)

PIPE = default_pipeline()
KEYS = PIPE.keys()

SCHEMA = {
    "id": pl.Int64,
    "stage_key": pl.String,
    "amount": pl.Float64,
    "probability": pl.Float64,
    "owner_id": pl.String,
    "account_id": pl.String,
    "close_date": pl.Date,
    "lost_reason": pl.String,
}

opportunities = st.lists(
    st.fixed_dictionaries(
        {
            "stage_key": st.sampled_from(KEYS),
            "amount": st.integers(0, 100_000).map(float),
            "probability": st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0]),
            "owner_id": st.sampled_from(["ann", "bo", "cy"]),
            "account_id": st.sampled_from([f"acc-{i}" for i in range(6)]),
            "close_date": st.dates(dt.date(2024, 11, 1), dt.date(2025, 8, 31)),
            "lost_reason": st.none() | st.sampled_from(["price", "timing", "competitor"]),
        }
    ),
    min_size=1,
    max_size=30,
).map(lambda rows: [{"id": i, **r} for i, r in enumerate(rows)])


def _totals(rows: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [
        (r["key"], r["count"], round(float(r["amount"]), 6), round(float(r["weighted_amount"]), 6))
        for r in rows
    ]  # type: ignore[arg-type]


def _record_totals(rows: list[PipelineTotal]) -> list[tuple[object, ...]]:
    return [(t.key, t.count, round(t.amount, 6), round(t.weighted_amount, 6)) for t in rows]


@pytest.mark.parametrize("engine", IN_PROCESS)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(opps=opportunities)
def test_records_and_frames_agree(engine: str, opps: list[dict[str, object]]) -> None:
    def frame() -> object:
        return to_frame(opps, engine, SCHEMA)

    for by, period in [
        ("stage_key", "month"),
        ("owner_id", "month"),
        ("forecast_category", "month"),
        ("period", "month"),
        ("period", "quarter"),
    ]:
        want = weighted_pipeline(opps, pipeline=PIPE, by=by, period=period)
        got = weighted_pipeline(frame(), pipeline=PIPE, by=by, period=period)
        assert _totals(frame_rows(got)) == _record_totals(want), by
    everything = weighted_pipeline(opps, by="stage_key", include_closed=True)
    assert _totals(frame_rows(weighted_pipeline(frame(), by="stage_key"))) == _record_totals(
        everything
    )

    want_rate = win_rate(opps, pipeline=PIPE)
    got_rate = win_rate(frame(), pipeline=PIPE)
    assert (math.isnan(want_rate) and math.isnan(got_rate)) or got_rate == pytest.approx(want_rate)

    want_reasons = [
        (r.reason, r.count, pytest.approx(r.share)) for r in lost_reasons(opps, pipeline=PIPE)
    ]
    got_reasons = [
        (r["reason"], r["count"], r["share"])
        for r in frame_rows(lost_reasons(frame(), pipeline=PIPE))
    ]
    assert got_reasons == want_reasons

    assert [
        (r["stage_key"], r["customers"])
        for r in frame_rows(customers_per_stage(frame(), pipeline=PIPE))
    ] == [(k, n) for k, n in customers_per_stage(opps, pipeline=PIPE) if n > 0]

    want_ids = sorted(r["id"] for r in win_back(opps, "price", pipeline=PIPE))  # type: ignore[type-var]
    got_ids = sorted(r["id"] for r in frame_rows(win_back(frame(), "price", pipeline=PIPE)))
    assert got_ids == want_ids


changes = st.lists(
    st.tuples(st.integers(0, 5), st.sampled_from(KEYS), st.integers(0, 60)),
    min_size=1,
    max_size=30,
    unique_by=lambda t: (t[0], t[2]),
)

CHANGE_SCHEMA = {
    "opportunity_id": pl.Int64,
    "stage_key": pl.String,
    "entered_at": pl.Datetime("us", "UTC"),
}


@pytest.mark.parametrize("engine", IN_PROCESS)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=changes)
def test_stage_changes_agree(engine: str, raw: list[tuple[int, str, int]]) -> None:
    t0 = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    rows = [
        {"opportunity_id": o, "stage_key": k, "entered_at": t0 + dt.timedelta(hours=h * 7)}
        for o, k, h in raw
    ]
    want = stage_conversion(rows, pipeline=PIPE)
    got = stage_conversion(to_frame(rows, engine, CHANGE_SCHEMA), pipeline=PIPE)
    assert got == want
    want_t = [(t.stage, t.stays, pytest.approx(t.average_days)) for t in time_in_stage(rows)]
    got_t = [
        (r["stage"], r["stays"], r["average_days"])
        for r in frame_rows(time_in_stage(to_frame(rows, engine, CHANGE_SCHEMA)))
    ]
    assert got_t == want_t


def test_weighted_pipeline_worked_example() -> None:
    opps = [
        {"stage_key": "proposal", "amount": 100_000.0, "probability": 0.75, "owner_id": "ann",
         "close_date": dt.date(2025, 3, 10)},
        {"stage_key": "proposal", "amount": 40_000.0, "probability": 0.5, "owner_id": "bo",
         "close_date": dt.date(2025, 4, 2)},
        {"stage_key": "negotiation", "amount": 10_000.0, "probability": 0.9, "owner_id": "ann",
         "close_date": dt.date(2025, 3, 20)},
        {"stage_key": "closed_won", "amount": 99_000.0, "probability": 1.0, "owner_id": "ann",
         "close_date": dt.date(2025, 2, 1)},
    ]  # fmt: skip
    assert weighted_pipeline(opps, pipeline=PIPE, by="forecast_category") == [
        PipelineTotal("best_case", 2, 140_000.0, 95_000.0),
        PipelineTotal("commit", 1, 10_000.0, 9_000.0),
    ]
    assert weighted_pipeline(opps, pipeline=PIPE, by="owner_id") == [
        PipelineTotal("ann", 2, 110_000.0, 84_000.0),
        PipelineTotal("bo", 1, 40_000.0, 20_000.0),
    ]
    by_quarter = weighted_pipeline(pl.DataFrame(opps), pipeline=PIPE, by="period", period="quarter")
    assert by_quarter.rows() == [
        ("2025-Q1", 2, 110_000.0, 84_000.0),
        ("2025-Q2", 1, 40_000.0, 20_000.0),
    ]


def test_domain_opportunities() -> None:
    t0 = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    opps = []
    for i, (stage, amount) in enumerate([("proposal", "1000"), ("negotiation", "500")]):
        opp = Opportunity.open(
            f"D{i}", account_id=f"a{i}", amount=Money(amount, "SEK"),
            close_date=dt.date(2025, 3, 1), pipeline=PIPE, at=t0, owner_id="ann",
        )  # fmt: skip
        opp.move_to(stage, pipeline=PIPE, at=t0 + dt.timedelta(days=3))
        opps.append(opp)
    opps[1].set_manual_probability(0.2)
    [total] = weighted_pipeline(opps, pipeline=PIPE, by="owner_id")
    assert total == PipelineTotal("ann", 2, 1500.0, 1000 * 0.75 + 500 * 0.2)
    changes = stage_change_rows(opps)
    assert [
        (c["stage_key"], c["entered_at"]) for c in changes if c["opportunity_id"] == opps[0].id
    ] == [
        ("prospecting", t0),
        ("proposal", t0 + dt.timedelta(days=3)),
    ]
    [first, *_] = stage_conversion(changes, pipeline=PIPE)
    assert (first.stage, first.reached, first.advanced) == ("prospecting", 2, 2)
    usd = Opportunity.open(
        "U", account_id="u", amount=Money("1", "USD"), close_date=dt.date(2025, 3, 1),
        pipeline=PIPE, at=t0,
    )  # fmt: skip
    with pytest.raises(ValidationError, match="mixes currencies"):
        weighted_pipeline([*opps, usd], pipeline=PIPE)


def test_bad_input_is_refused() -> None:
    bad_p = [{"stage_key": "proposal", "amount": 1.0, "probability": 1.5}]
    with pytest.raises(ValidationError) as err:
        weighted_pipeline(bad_p, pipeline=PIPE)
    assert err.value.paths == ["opportunities[0].probability"]
    with pytest.raises(ValidationError, match="between 0 and 1"):
        weighted_pipeline(pl.DataFrame(bad_p), pipeline=PIPE)
    unknown = [{"stage_key": "demo", "amount": 1.0, "probability": 0.5}]
    with pytest.raises(NotFoundError, match="'demo' is not a stage"):
        weighted_pipeline(unknown, pipeline=PIPE)
    with pytest.raises(NotFoundError, match="'demo' is not a stage"):
        win_rate(pl.DataFrame(unknown).lazy(), pipeline=PIPE)
    with pytest.raises(ValidationError, match="period"):
        weighted_pipeline([], by="period", period="week")
    with pytest.raises(ValidationError, match="win_rate"):
        sales_velocity(10, 1.2, 100, 30)


def test_lazy_stays_lazy() -> None:
    rel = to_frame(
        [{"id": 1, "stage_key": "proposal", "amount": 5.0, "probability": 0.5, "owner_id": "a",
          "account_id": "x", "close_date": dt.date(2025, 1, 1), "lost_reason": None}],
        "duckdb", SCHEMA,
    )  # fmt: skip
    assert is_lazy_native(weighted_pipeline(rel, pipeline=PIPE))
    assert is_lazy_native(customers_per_stage(rel, pipeline=PIPE))


def test_velocity() -> None:
    t0 = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    opps = [
        {"stage_key": "closed_won", "amount": 30_000.0, "created_at": t0, "close_date": dt.date(2025, 2, 15)},
        {"stage_key": "closed_won", "amount": 10_000.0, "created_at": t0, "close_date": dt.date(2025, 1, 31)},
        {"stage_key": "closed_lost", "amount": 5_000.0, "created_at": t0, "close_date": dt.date(2025, 1, 20)},
        {"stage_key": "proposal", "amount": 7_000.0, "created_at": t0, "close_date": dt.date(2025, 5, 1)},
    ]  # fmt: skip
    v = velocity(opps, pipeline=PIPE)
    assert (v.open_deals, v.win_rate, v.average_deal, v.cycle_days) == (1, 2 / 3, 20_000.0, 37.5)
    assert v.per_day == pytest.approx(1 * (2 / 3) * 20_000 / 37.5)
