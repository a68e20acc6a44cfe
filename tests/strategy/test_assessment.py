from __future__ import annotations

import pytest

from crmkit.errors import ValidationError
from crmkit.strategy import (
    Process,
    ScoringRule,
    WorkbookAnswers,
    assess,
    interview_ratings,
)

SKIP = ScoringRule(unanswered="skip")


def _yes_except(*no: str) -> WorkbookAnswers:
    wb = WorkbookAnswers()
    wb.fill({i.id: i.id not in no for i in wb.workbook.section("S04").items})
    return wb


def test_all_yes_scores_five_everywhere_it_is_assessed() -> None:
    a = assess(_yes_except(), rule=SKIP)
    assert str(a.situation) == "16/16"
    assert all(ps.score == 5.0 for ps in a.processes)
    assert a.overall == 5.0
    assert a.gaps == ()


def test_all_no_scores_zero_and_every_question_is_a_gap() -> None:
    wb = WorkbookAnswers()
    wb.fill({i.id: False for i in wb.workbook.section("S04").items})
    a = assess(wb, rule=SKIP)
    assert str(a.situation) == "0/16"
    assert a.overall == 0.0
    assert len(a.gaps) == 16
    assert {g.item_id for g in a.gaps} == {i.id for i in wb.workbook.section("S04").items}


def test_weakest_process_and_gap_follow_the_answers() -> None:
    # only the lifetime-value question is "no": value creation is weakest and the
    # first gap says what is missing
    a = assess(_yes_except("s04.know_lifetime_value"), rule=SKIP)
    assert a.weakest_process is Process.VALUE_CREATION
    assert a.process("VC").score == pytest.approx(5 * 2 / 3, abs=1e-3)
    assert [g.missing for g in a.gaps] == ["does not know customers' lifetime value"]
    assert a.gaps[0].element.key == "customer_segment_lifetime_value"

    # two "no" answers in information management, one in strategy development
    a = assess(
        _yes_except("s04.data_in_one_place", "s04.contact_info_quality", "s04.market_leader"),
        rule=SKIP,
    )
    assert a.weakest_process is Process.INFORMATION_MANAGEMENT
    # ranked by element score: data repository (1 of 3 yes → 1.67) before competitive
    # characteristics (1 of 2 yes → 2.5)
    assert [g.item_id for g in a.gaps] == [
        "s04.contact_info_quality",
        "s04.data_in_one_place",
        "s04.market_leader",
    ]
    assert all(g.capabilities is not None for g in a.gaps)
    sd = next(g for g in a.gaps if g.process is Process.STRATEGY_DEVELOPMENT)
    assert "crmkit.strategy:readiness_check" in [c.path for c in sd.capabilities]


def test_it_levels_and_unused_channels() -> None:
    wb = WorkbookAnswers()
    wb.fill(
        {
            "s08.field_sales": {"used": True, "it_support": "integrated"},
            "s08.inside_sales": {"used": True, "it_support": "stand_alone"},
            "s08.e_commerce": {"used": False},
        }
    )
    a = assess(wb, rule=SKIP)
    assert a.element_score("sales_force").score == pytest.approx(3.75)
    assert a.element_score("electronic_commerce").score is None  # not in use: not assessed
    assert [g.missing for g in a.gaps] == ["Inside sales force has only stand-alone IT support"]
    assert [g.item_id for g in a.channel_gaps] == ["s08.inside_sales"]
    assert not a.same_standard.passes


def test_rule_is_configurable() -> None:
    wb = WorkbookAnswers()
    wb.set("s08.inside_sales", {"used": True, "it_support": "stand_alone"})
    assert assess(wb, rule=ScoringRule(stand_alone=0.8, unanswered="skip")).element_score(
        "sales_force"
    ).score == pytest.approx(4.0)
    # unanswered="zero" (default): a blank workbook scores 0 and lists every gap
    blank = assess(WorkbookAnswers())
    assert blank.overall == 0.0
    assert len(blank.gaps) > 50


def test_direct_ratings_and_interview() -> None:
    a = assess(ratings={"standards": 1, "metrics_and_kpis": 3, "value_creation": 4.5})
    assert a.process("PA").score == 2.0
    assert a.process("VC").source == "rating"
    assert a.weakest_process is Process.PERFORMANCE_ASSESSMENT
    assert [g.element.key for g in a.gaps] == ["standards"]
    assert len(a.not_assessed()) > 10
    rated = assess(ratings=interview_ratings({"strategy": 2, "it": 4, "data": 5}))
    assert rated.process("SD").score == 2
    assert rated.process("IM").score == 4.5
    with pytest.raises(ValidationError) as exc:
        assess(ratings={"standards": 6, "nope": 1})
    assert exc.value.paths == ["ratings.standards", "ratings.nope"]


def test_a_no_without_its_own_gap_text_says_it_was_answered_no() -> None:
    wb = WorkbookAnswers()
    wb.set("s05.service.agreement_types", {"yes": False, "text": "service only"})
    a = assess(wb, rule=SKIP)
    assert [g.missing for g in a.gaps] == ["answered no: Are there different kinds of agreements?"]
