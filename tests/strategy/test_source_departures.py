"""Places where crmkit departed from its sources, now corrected (issue #16)."""

from __future__ import annotations

import pytest

from crmkit.domain import AgreementType, ChannelCategory, Direction, default_catalogue
from crmkit.errors import ValidationError
from crmkit.scoring import DEFAULT_STAGE_ORDER, prospect_priority
from crmkit.strategy import GUIDES, INTERVIEW_GUIDE, workbook


def test_workbook_and_catalogue_share_one_channel_mapping() -> None:
    # reference: seed-002-004.md L294, L298 — own reseller network and trade fairs are outlets
    catalogue = default_catalogue()
    assert catalogue.category_of("partners") is ChannelCategory.OUTLETS
    assert catalogue.category_of("events") is ChannelCategory.OUTLETS
    wb = workbook()
    linked = [i for i in wb.items if i.channel is not None]
    assert {i.id for i in linked} >= {"s08.own_reseller_tier", "s08.trade_fairs"}
    for item in linked:
        assert item.channel_category is catalogue.category_of(item.channel), item.id


def test_podcasts_are_inbound() -> None:
    # reference: seed-001.md L203 — LinkedIn thought leadership and a podcast bring inbound customers
    assert default_catalogue()["podcast"].direction is Direction.INBOUND


def test_prospect_priority_follows_the_buying_process_reading() -> None:
    # reference: seed-001.md L161-L166 — stage 4 best; reaching stage 1 via inbound pays off
    assert DEFAULT_STAGE_ORDER[:2] == (4, 1)
    stages = [(None, s) for s in range(1, 9)]
    ranked = sorted(stages, key=lambda lead: prospect_priority(*lead))
    assert [s for _, s in ranked] == list(DEFAULT_STAGE_ORDER)
    custom = (1, 2, 3, 4, 5, 6, 7, 8)
    assert sorted(stages, key=lambda lead: prospect_priority(*lead, stage_order=custom)) == stages
    # interest still decides first
    assert prospect_priority("very_interested", 8) < prospect_priority("evaluating", 4)
    for bad in [(4, 1), (1, 2, 3, 4, 5, 6, 7, 7), (True, 2, 3, 4, 5, 6, 7, 8)]:
        with pytest.raises(ValidationError, match="stage_order"):
            prospect_priority("evaluating", 4, stage_order=bad)


@pytest.mark.parametrize(
    ("item_id", "prompt", "reading"),
    [
        ("s05.repurchase.over_11", "What share of customers have bought more than 11 times?",
         "11 or more"),
        ("s05.sow.under_50", "For what share of customers do we have less than 50% share of "
         "wallet?", "under 50"),
        ("s05.profit.profitable", "Share of profitable customers", "without growth potential"),
        ("s05.profit.unprofitable", "Share of unprofitable customers", "without potential"),
        ("s05.sow.top10_distribution", "What is the distribution among the 10 largest "
         "customers?", "share of revenue"),
    ],
)  # fmt: skip
def test_workbook_prompts_are_faithful_and_the_reading_is_a_note(
    item_id: str, prompt: str, reading: str
) -> None:
    # reference: seed-002-004.md L80-L82, L187-L207 — Q4, Q5, Q6 and the top-10 question
    item = workbook().item(item_id)
    assert item.en == prompt
    assert reading in (item.note_in("en") or "")


def test_formal_relationship_contract_types_are_agreement_types() -> None:
    # reference: seed-003.md L212 — cooperation, project and time-limited agreements
    assert {AgreementType("cooperation"), AgreementType("project"),
            AgreementType("time_limited")} <= set(AgreementType)  # fmt: skip


def test_each_interview_question_cites_its_own_guide() -> None:
    # reference: seed-000.md L418-L419 — respondent 1's guide is source lines 3677-3733,
    # respondent 2's 3735-3810; the questionnaire draws on both
    ranges = {"sales_region_manager": (3677, 3733), "nordic_training_manager": (3735, 3810)}
    questions = [q for theme in INTERVIEW_GUIDE for q in theme.questions]
    assert {q.respondent for q in questions} == set(GUIDES) == set(ranges)
    for q in questions:
        low, high = ranges[q.respondent]
        first = int(q.line.split("-")[0].removeprefix("L"))
        assert low <= first <= high, (q.sv, q.line)
        assert q.guide == GUIDES[q.respondent]
    # the retention question with "(dvs customer retention)" is respondent 2's wording
    retention = INTERVIEW_GUIDE[2].questions[2]
    assert "customer retention" in retention.sv
    assert retention.respondent == "nordic_training_manager"
