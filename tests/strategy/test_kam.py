from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from crmkit.domain import KamStage, KeyAccountRelationship
from crmkit.errors import InvalidTransitionError, ValidationError
from crmkit.strategy import (
    RYALS_STEPS,
    SELECTION_CRITERIA,
    Cadence,
    ContactAssignment,
    FollowUpPlan,
    KamProgramme,
    KamScorecard,
    KeyAccountSelection,
    kamo_assessment,
)

AT = datetime(2025, 1, 1, tzinfo=UTC)


def test_kam_stage_transitions() -> None:
    rel = KeyAccountRelationship("acc", KamStage.BOW_TIE)
    with pytest.raises(InvalidTransitionError):
        rel.move_to(KamStage.DUET, at=AT)  # forward one step at a time
    rel.move_to(KamStage.ONE_ON_MANY, at=AT)
    rel.move_to(KamStage.DUET, at=AT)
    assert rel.is_key_account
    rel.move_to(KamStage.BOW_TIE, at=AT)  # backward any number of steps
    assert not rel.is_key_account
    assert [s for s in KamStage if s.is_key_account] == [KamStage.DUET, KamStage.DIAMOND_TEAM]
    assert KeyAccountRelationship(
        "acc", KamStage.DUET, customer_intent=KamStage.BOW_TIE
    ).in_frustration_zone


def test_selection_criteria_scorer() -> None:
    assert len(SELECTION_CRITERIA) == 8
    sel = KeyAccountSelection(weights={"profit_contribution": 3}, threshold=0.4)
    ranked = sel.rank(
        {"small": {"prestige": 1}, "big": {"profit_contribution": 1, "sales_potential": 1}}
    )
    assert [r.account_id for r in ranked] == ["big", "small"]
    assert ranked[0].score == pytest.approx(4 / 10)
    assert ranked[0].selected
    with pytest.raises(ValidationError):
        sel.score("x", {"size": 1})


def test_ryals_programme() -> None:
    assert len(RYALS_STEPS) == 7
    assert len(RYALS_STEPS[0].sub_points) == 7
    prog = KamProgramme()
    with pytest.raises(InvalidTransitionError):
        prog.complete("high_level_buy_in")
    for sub in RYALS_STEPS[0].sub_points:
        prog.complete(sub.key)
    for step in RYALS_STEPS[1:]:
        prog.complete(step.key)
    assert prog.progress() == 1.0
    assert prog.next_step() is None


def test_kamo_and_scorecard() -> None:
    k = kamo_assessment(7, 5, 6, 2, 4)
    assert (k.orientation, k.relational_capabilities, k.relationship_quality) == (6, 3, 4.5)
    with pytest.raises(ValidationError):
        kamo_assessment(0, 5, 6, 2, 4)
    card = KamScorecard(actual={"sales": 0.05, "process_efficiency": 0.2}, target={"sales": 0.1})
    assert card.missed() == ["sales"]
    with pytest.raises(ValidationError):
        KamScorecard(actual={"happiness": 1})


def test_follow_up_cadence_and_two_contacts() -> None:
    plan = FollowUpPlan()
    plan.schedule("a", Cadence.MONTHLY, last_contact=date(2025, 1, 31))
    plan.schedule("b", Cadence.YEARLY, last_contact=date(2024, 6, 1))
    plan.schedule("c", Cadence.HALF_YEARLY, last_contact=date(2025, 2, 1))
    assert plan.next_due("a") == date(2025, 2, 28)
    assert plan.overdue(as_of=date(2025, 7, 1)) == ["a", "b"]
    ca = ContactAssignment("a", key_account_manager="kari")
    assert not ca.is_complete
    ca.change("support_contact", "eva")
    handover = ca.change("key_account_manager", "per")
    assert ca.is_complete
    assert "handover meeting" in handover.describe()
    assert len(ca.handovers) == 2
