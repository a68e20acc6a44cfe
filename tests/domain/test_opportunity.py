from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from crmkit.domain import (
    Money,
    Opportunity,
    Pipeline,
    ProbabilitySource,
    Stage,
    default_pipeline,
)
from crmkit.errors import InvalidTransitionError, NotFoundError, ValidationError
from tests.domain.conftest import utc


def _open(pipe: Pipeline, **kw: object) -> Opportunity:
    return Opportunity.open(
        "Deal",
        account_id="acc-1",
        amount=Money("100000", "SEK"),
        close_date=date(2025, 6, 30),
        pipeline=pipe,
        at=utc(2025, 1, 1),
        **kw,  # type: ignore[arg-type]
    )


def test_move_records_history_and_applies_stage_default(pipe: Pipeline) -> None:
    opp = _open(pipe)
    opp.move_to("needs_analysis", pipeline=pipe, at=utc(2025, 2, 1))
    opp.move_to("proposal", pipeline=pipe, at=utc(2025, 3, 1))
    assert [(c.from_stage, c.to_stage) for c in opp.stage_history] == [
        (None, "prospecting"),
        ("prospecting", "needs_analysis"),
        ("needs_analysis", "proposal"),
    ]
    assert opp.probability == 0.75
    assert opp.probability_source is ProbabilitySource.STAGE_DEFAULT
    assert opp.stage_history[-1].probability == 0.75
    assert opp.expected_revenue == Money("75000.00", "SEK")


def test_probability_resolution_manual_over_automated_over_stage(pipe: Pipeline) -> None:
    opp = _open(pipe)
    opp.set_automated_probability(0.33)
    assert (opp.probability, opp.probability_source) == (0.33, ProbabilitySource.AUTOMATED)
    opp.set_manual_probability(0.6)
    assert (opp.probability, opp.probability_source) == (0.6, ProbabilitySource.MANUAL)
    opp.clear_manual_probability()
    assert opp.probability == 0.33


def test_move_clears_automated_but_keeps_manual(pipe: Pipeline) -> None:
    opp = _open(pipe)
    opp.set_automated_probability(0.4)
    opp.move_to("qualification", pipeline=pipe, at=utc(2025, 1, 5))
    assert opp.automated_probability is None
    assert opp.probability == 0.1
    opp.set_manual_probability(0.45)
    opp.move_to("negotiation", pipeline=pipe, at=utc(2025, 1, 9))
    assert opp.probability == 0.45
    assert opp.stage_probability == 0.9


def test_closing_overrides_every_estimate_and_reopening_clears_close(pipe: Pipeline) -> None:
    opp = _open(pipe)
    opp.set_manual_probability(0.2)
    opp.close_won(pipeline=pipe, at=utc(2025, 2, 1))
    assert (opp.is_won, opp.is_closed, opp.probability) == (True, True, 1.0)
    assert opp.manual_probability is None
    assert opp.closed_at == utc(2025, 2, 1)
    with pytest.raises(InvalidTransitionError):
        opp.set_manual_probability(0.5)
    opp.move_to("negotiation", pipeline=pipe, at=utc(2025, 2, 2))
    assert opp.is_open
    assert opp.closed_at is None
    opp.close_lost(pipeline=pipe, at=utc(2025, 3, 1), reason="price")
    assert (opp.is_lost, opp.probability, opp.lost_reason) == (True, 0.0, "price")


def test_moving_to_another_pipeline_is_refused(pipe: Pipeline) -> None:
    renewals = Pipeline("renewals", "Renewals", [Stage("due", "Due", 1, 0.5)])
    opp = _open(pipe)
    with pytest.raises(InvalidTransitionError) as info:
        opp.move_to(renewals.stage("due"), pipeline=pipe, at=utc(2025, 2, 1))
    assert info.value.paths == ["stage"]
    with pytest.raises(InvalidTransitionError) as info:
        opp.move_to("due", pipeline=renewals, at=utc(2025, 2, 1))
    assert info.value.paths == ["pipeline_id"]
    with pytest.raises(NotFoundError, match="known stages: prospecting"):
        opp.move_to("nope", pipeline=pipe, at=utc(2025, 2, 1))
    assert opp.stage_key == "prospecting"
    assert len(opp.stage_history) == 1


def test_moves_cannot_go_back_in_time(pipe: Pipeline) -> None:
    opp = _open(pipe)
    with pytest.raises(InvalidTransitionError):
        opp.move_to("proposal", pipeline=pipe, at=utc(2024, 12, 1))


def test_same_stage_move_is_a_no_op(pipe: Pipeline) -> None:
    opp = _open(pipe)
    opp.move_to("prospecting", pipeline=pipe, at=utc(2025, 1, 2))
    assert len(opp.stage_history) == 1


def test_probability_values_outside_unit_interval(pipe: Pipeline) -> None:
    opp = _open(pipe)
    for bad in (-0.01, 1.01, float("nan")):
        with pytest.raises(ValidationError) as info:
            opp.set_manual_probability(bad)
        assert info.value.paths == ["manual_probability"]
        with pytest.raises(ValidationError) as info:
            opp.set_automated_probability(bad)
        assert info.value.paths == ["automated_probability"]


def test_contact_roles_keep_exactly_one_primary(pipe: Pipeline) -> None:
    opp = _open(pipe)
    opp.add_contact_role("c1", "influencer")
    opp.add_contact_role("c2", "decider", primary=True)
    opp.add_contact_role("c3", "user")
    assert opp.primary_contact_id == "c2"
    assert sum(r.is_primary for r in opp.contact_roles) == 1
    opp.remove_contact("c2")
    assert opp.primary_contact_id == "c1"
    opp.set_primary_contact("c3")
    assert [r.is_primary for r in opp.contact_roles] == [False, True]
    with pytest.raises(NotFoundError):
        opp.set_primary_contact("c9")


def test_closed_opportunity_invariants_on_load() -> None:
    with pytest.raises(ValidationError) as info:
        Opportunity("D", "a", Money("1", "SEK"), date(2025, 1, 1), "p", "won", 0.5,
                    is_closed=True, is_won=True)  # fmt: skip
    assert info.value.paths == ["stage_probability"]
    with pytest.raises(ValidationError):
        Opportunity("D", "a", Money("1", "SEK"), date(2025, 1, 1), "p", "x", 0.5, is_won=True)


def test_expected_revenue_rounds_to_minor_unit() -> None:
    opp = Opportunity("D", "a", Money("333.33", "SEK"), date(2025, 1, 1), "p", "x", 0.1)
    assert opp.expected_revenue.amount == Decimal("33.33")


def test_default_pipeline_matches_salesforce_defaults() -> None:
    pipe = default_pipeline()
    assert [(s.name, round(s.probability * 100)) for s in pipe.stages] == [
        ("Prospecting", 10), ("Qualification", 10), ("Needs Analysis", 20),
        ("Value Proposition", 50), ("Id. Decision Makers", 60), ("Perception Analysis", 70),
        ("Proposal/Price Quote", 75), ("Negotiation/Review", 90), ("Closed Won", 100),
        ("Closed Lost", 0),
    ]  # fmt: skip
    assert pipe.won_stage.is_closed
    assert pipe.lost_stage.is_lost
