from __future__ import annotations

from crmkit.strategy import QUIRKS, AnswerType, Process, element, workbook


def test_fourteen_sections_with_reference_item_counts() -> None:
    wb = workbook()
    assert [s.id for s in wb.sections] == [f"S{n:02d}" for n in range(1, 15)]
    assert [len(s.items) for s in wb.sections] == [1, 1, 2, 16, 36, 1, 8, 9, 6, 14, 7, 7, 8, 9]
    assert len(wb.items) == 125
    assert [s.title() for s in wb.sections][:6] == [
        "Vision and business idea",
        "Business and market strategy",
        "Customer focus",
        "Situation analysis",
        "Customer analysis",
        "Segmentation (value chain)",
    ]


def test_twenty_nine_distinct_it_capabilities_in_31_rows() -> None:
    wb = workbook()
    rows = [i for s in ("S11", "S12", "S13", "S14") for i in wb.section(s).items]
    assert len(rows) == 31
    assert len(wb.it_capabilities()) == 29
    assert {"installed_base", "contact_management"} <= set(wb.it_capabilities())


def test_items_are_complete_and_consistent() -> None:
    wb = workbook()
    ids = [i.id for i in wb.items]
    assert len(set(ids)) == 125
    for item in wb.items:
        assert item.sv
        assert item.en
        assert item.line.startswith("L")
        assert item.processes
        for key in item.element_keys:
            assert element(key).is_leaf, item.id  # evidence lands on leaf elements
        if item.section_id in ("S07", "S08", "S09", "S11", "S12", "S13", "S14"):
            assert item.answer_type is AnswerType.CHANNEL_IT
        if item.section_id == "S10":
            assert item.answer_type is AnswerType.CHECK
    assert all(i.answer_type is AnswerType.YES_NO for i in wb.section("S04").items)
    # every process is informed by the workbook
    assert {p for i in wb.items for p in i.processes} == set(Process)


def test_quirks_are_resolved_in_the_data() -> None:
    wb = workbook()
    assert sorted(QUIRKS) == [f"Q{n}" for n in range(1, 10)]
    # Q2: stray % signs are text
    assert wb.item("s05.responsibility.owner").answer_type is AnswerType.TEXT
    assert wb.item("s05.data.usage").answer_type is AnswerType.TEXT
    assert wb.item("s05.service.agreement_types").answer_type is AnswerType.YES_NO_TEXT
    # Q4: "more than 11" read as 11 or more — the prompt is translated faithfully and the
    # reading is a visible note (reference: seed-002-004.md L80, L199)
    assert wb.item("s05.repurchase.over_11").en == (
        "What share of customers have bought more than 11 times?"
    )
    assert "11 or more" in (wb.item("s05.repurchase.over_11").note_in("en") or "")
    # Q8: complaints belong to customer analysis
    assert wb.item("s05.complaints").section_id == "S05"


def test_swedish_source_text() -> None:
    wb = workbook()
    assert wb.title_sv == "Ramverk för: CRM-strategi"
    assert wb.item("s04.market_leader").text("sv") == "Har ni en marknadsledande position?"
    assert wb.section("S08").title("sv") == "Säljkanaler"
