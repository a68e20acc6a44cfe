"""Naive-Bayes win probability (Odoo's recipe), by hand, on frames and on domain objects."""

from __future__ import annotations

import datetime as dt
import math

import hypothesis.strategies as st
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings

from crmkit.domain import Money, Opportunity, ProbabilitySource, default_pipeline
from crmkit.errors import NotFoundError, ValidationError
from crmkit.scoring import (
    WinProbabilityModel,
    closed_opportunity_rows,
    fill_automated_probability,
    fit_opportunities,
)
from tests.engines import IN_PROCESS, frame_rows, to_frame

STAGES = ["qualify", "proposal"]

HISTORY = [
    {"stage_key": "proposal", "team": "north", "source": "web", "won": True},
    {"stage_key": "proposal", "team": "north", "source": "event", "won": True},
    {"stage_key": "qualify", "team": "north", "source": "web", "won": False},
    {"stage_key": "proposal", "team": "south", "source": "web", "won": False},
    {"stage_key": "qualify", "team": "south", "source": "event", "won": False},
]


def fitted() -> WinProbabilityModel:
    return WinProbabilityModel.fit(
        HISTORY, stages=STAGES, fields=["source"], won_stages=["won"], lost_stages=["lost"]
    )


def test_probability_computed_by_hand() -> None:
    model = fitted()
    # 2 won, 3 lost: prior P(won) = 0.4.
    assert (model.n_won, model.n_lost) == (2, 3)
    # Stage counts spread over the stages each deal went through: the 2 won deals count in
    # both stages, the lost ones up to where they were lost (3 at qualify, 1 at proposal).
    assert model.counts["stage_key"] == {"qualify": (2.0, 3.0), "proposal": (2.0, 1.0)}
    s = 0.1  # additive smoothing
    # stage shares divide by the won/lost totals (+ smoothing), other fields by their sums
    stage_won, stage_lost = (2 + s) / (2 + s), (1 + s) / (3 + s)
    team_won, team_lost = (2 + s) / (2 + 2 * s), (1 + s) / (3 + 2 * s)  # north: 2 won, 1 lost
    src_won, src_lost = (1 + s) / (2 + 2 * s), (2 + s) / (3 + 2 * s)  # web: 1 won, 2 lost
    s_won = 0.4 * stage_won * team_won * src_won
    s_lost = 0.6 * stage_lost * team_lost * src_lost
    expected = s_won / (s_won + s_lost)
    assert round(expected, 4) == 0.7990
    got = model.predict_one({"stage_key": "proposal", "team": "north", "source": "web"})
    assert got == pytest.approx(expected, rel=1e-12)


def test_explanation_per_field() -> None:
    why = fitted().explain({"stage_key": "proposal", "team": "north", "source": "phone"})
    by_field = {c.field: c for c in why.contributions}
    assert by_field["team"].ratio == pytest.approx((2.1 / 2.2) / (1.1 / 3.2))
    assert by_field["stage_key"].ratio == pytest.approx(1 / (1.1 / 3.1))
    # an unseen value is skipped (as Odoo does) and says so
    assert by_field["source"].used is False
    assert by_field["source"].ratio == 1.0
    odds = 0.4 / 0.6 * by_field["team"].ratio * by_field["stage_key"].ratio
    assert why.probability == pytest.approx(odds / (1 + odds))
    assert why.percent == round(why.probability * 100, 2)


def test_results_are_clamped_away_from_0_and_1() -> None:
    rows = [{"stage_key": "a", "team": "t", "tag": "gold", "won": True}] * 2000 + [
        {"stage_key": "a", "team": "u", "tag": "lead", "won": False}
    ] * 2000
    model = WinProbabilityModel.fit(rows, stages=["a"], fields=["tag"])
    high = model.predict_one({"stage_key": "a", "team": "t", "tag": "gold"})
    low = model.predict_one({"stage_key": "a", "team": "u", "tag": "lead"})
    assert high == 0.9999  # Odoo's 99.99 %
    assert low == 0.0001  # Odoo's 0.01 %
    strict = WinProbabilityModel.fit(rows, stages=["a"], fields=["tag"], bounds=(0.01, 0.99))
    assert strict.predict_one({"stage_key": "a", "team": "u", "tag": "lead"}) == 0.01


def test_closed_stages_give_exactly_one_and_zero() -> None:
    model = fitted()
    assert model.predict_one({"stage_key": "won", "team": "north", "source": "web"}) == 1.0
    assert model.predict_one({"stage_key": "lost", "team": "north", "source": "web"}) == 0.0


def test_bad_input() -> None:
    model = fitted()
    with pytest.raises(NotFoundError, match="'negotiation' is not a stage"):
        model.predict_one({"stage_key": "negotiation", "team": "north", "source": "web"})
    with pytest.raises(NotFoundError, match="'negotiation' is not a stage"):
        model.predict(pl.DataFrame({"stage_key": ["negotiation"], "team": ["x"], "source": ["y"]}))
    with pytest.raises(ValidationError) as err:
        model.predict_one({"stage_key": "qualify", "team": "north"})
    assert err.value.paths == ["opportunity.source"]
    with pytest.raises(ValidationError, match="at least one won and one lost"):
        WinProbabilityModel.fit([{"stage_key": "a", "team": "t", "won": True}])
    with pytest.raises(ValidationError, match="True or False"):
        WinProbabilityModel.fit([{"stage_key": "a", "team": "t", "won": "yes"}])
    with pytest.raises(ValidationError, match="0 <= low < high <= 1"):
        WinProbabilityModel.fit(HISTORY, bounds=(0.5, 1.5))
    with pytest.raises(NotFoundError, match="not an open stage"):
        WinProbabilityModel.fit(HISTORY, stages=["qualify"])


def _opportunity(owner: str, at: dt.datetime) -> Opportunity:
    return Opportunity.open(
        "Deal",
        account_id="acc",
        amount=Money("1000", "SEK"),
        close_date=dt.date(2025, 6, 1),
        pipeline=default_pipeline(),
        at=at,
        owner_id=owner,
    )


def test_fills_the_automated_probability_never_the_manual_one() -> None:
    pipe = default_pipeline()
    t0 = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    history = []
    for i, (owner, stage, won) in enumerate(
        [("ann", "proposal", True), ("ann", "qualification", False), ("bo", "proposal", False)]
    ):
        opp = _opportunity(owner, t0)
        opp.move_to(stage, pipeline=pipe, at=t0 + dt.timedelta(days=1 + i))
        close = opp.close_won if won else opp.close_lost
        close(pipeline=pipe, at=t0 + dt.timedelta(days=10))
        history.append(opp)
    rows = closed_opportunity_rows(history, pipeline=pipe)
    assert [r["stage_key"] for r in rows] == ["proposal", "qualification", "proposal"]
    model = fit_opportunities(history, pipeline=pipe)

    auto = _opportunity("ann", t0)
    auto.move_to("proposal", pipeline=pipe, at=t0 + dt.timedelta(days=2))
    manual = _opportunity("ann", t0)
    manual.set_manual_probability(0.3)
    closed = history[0]
    assert fill_automated_probability(model, [auto, manual, closed]) == 2
    assert auto.automated_probability == pytest.approx(model.predict_one(auto))
    assert auto.probability_source is ProbabilitySource.AUTOMATED
    assert manual.manual_probability == 0.3
    assert manual.probability == 0.3  # the override still wins
    assert manual.automated_probability is not None
    assert 0.0001 <= auto.automated_probability <= 0.9999


training = st.lists(
    st.fixed_dictionaries(
        {
            "stage_key": st.sampled_from(STAGES),
            "team": st.sampled_from(["north", "south", "east"]),
            "source": st.none() | st.sampled_from(["web", "event", "partner"]),
            "won": st.booleans(),
        }
    ),
    min_size=2,
    max_size=30,
).filter(lambda rows: 0 < sum(r["won"] for r in rows) < len(rows))

open_deals = st.lists(
    st.fixed_dictionaries(
        {
            "stage_key": st.sampled_from([*STAGES, "won", "lost"]),
            "team": st.sampled_from(["north", "south", "west"]),
            "source": st.none() | st.sampled_from(["web", "event", "cold"]),
        }
    ),
    min_size=1,
    max_size=15,
)

SCHEMA = {"stage_key": pl.String, "team": pl.String, "source": pl.String, "won": pl.Boolean}


@pytest.mark.parametrize("engine", IN_PROCESS)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=training, deals=open_deals)
def test_records_and_frames_agree(
    engine: str, history: list[dict[str, object]], deals: list[dict[str, object]]
) -> None:
    kwargs = {
        "stages": STAGES,
        "fields": ["source"],
        "won_stages": ["won"],
        "lost_stages": ["lost"],
    }
    by_records = WinProbabilityModel.fit(history, **kwargs)  # type: ignore[arg-type]
    by_frame = WinProbabilityModel.fit(to_frame(history, engine, SCHEMA), **kwargs)  # type: ignore[arg-type]
    assert by_frame.counts == by_records.counts
    assert (by_frame.n_won, by_frame.n_lost) == (by_records.n_won, by_records.n_lost)
    schema = {k: v for k, v in SCHEMA.items() if k != "won"}
    indexed = [{**d, "row": i} for i, d in enumerate(deals)]
    out = frame_rows(by_records.predict(to_frame(indexed, engine, {**schema, "row": pl.Int64})))
    got = {r["row"]: r["win_probability"] for r in out}
    for i, deal in enumerate(deals):
        want = by_records.predict_one(deal)
        assert got[i] == pytest.approx(want, rel=1e-9, abs=1e-12)
        assert not math.isnan(got[i])
