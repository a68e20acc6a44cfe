"""The spreadsheet workbook: write the template, fill it in with openpyxl as a user would,
read it back (errors name sheet, cell, item and value) and score it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from crmkit.errors import ValidationError
from crmkit.strategy import ScoringRule, WorkbookAnswers, assess
from crmkit.strategy.workbook import workbook
from crmkit.strategy.xlsx import read_workbook_xlsx, write_workbook_xlsx

#: What a Swedish and a Norwegian user sees and types: sheet names and drop-down values.
_WORDS = {
    "sv": {
        "cover": "Försättsblad",
        "s04": "S04 Situationsanalys",
        "ratings": "Bedömningar",
        "yes": "Ja",
        "no": "Nej",
        "stand_alone": "Fristående",
        "integrated": "Integrerat",
    },
    "nb": {
        "cover": "Forside",
        "s04": "S04 Situasjonsanalyse",
        "ratings": "Vurderinger",
        "yes": "Ja",
        "no": "Nei",
        "stand_alone": "Frittstående",
        "integrated": "Integrert",
    },
}


def _row(ws, item_id: str) -> int:
    for row in range(1, ws.max_row + 1):
        if ws[f"A{row}"].value == item_id:
            return int(row)
    raise AssertionError(item_id)


def _fill(path: Path, *, wrong: bool, lang: str = "sv") -> None:
    words = _WORDS[lang]
    book = openpyxl.load_workbook(path)
    cover = book[words["cover"]]
    cover["B3"] = dt.date(2026, 11, 30)
    cover["B4"] = "Nordvik AB"
    cover["B5"] = "Eva Konsult"
    cover["B6"], cover["B7"] = "Anna Berg", "Olof Lind"
    s04 = book[words["s04"]]
    for n, item in enumerate(i for i in WorkbookAnswers().workbook.section("S04").items):
        s04[f"C{_row(s04, item.id)}"] = words["yes"] if n % 2 == 0 else words["no"]
    s05 = next(book[n] for n in book.sheetnames if n.startswith("S05"))
    s05[f"C{_row(s05, 's05.volume.active')}"] = "-3" if wrong else 120
    s08 = next(book[n] for n in book.sheetnames if n.startswith("S08"))
    row = _row(s08, "s08.field_sales")
    s08[f"C{row}"], s08[f"D{row}"] = words["yes"], words["stand_alone"]
    row = _row(s08, "s08.e_commerce")
    s08[f"C{row}"], s08[f"D{row}"] = words["yes"], "kanske" if wrong else words["integrated"]
    ratings = book[words["ratings"]]
    ratings["C3"] = 4
    book.save(path)


def test_template_has_sections_drop_downs_and_number_checks(tmp_path: Path) -> None:
    path = tmp_path / "wb.xlsx"
    write_workbook_xlsx(path, lang="nb")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0] == "Forside"
    assert sum(name[:1] == "S" and name[1:3].isdigit() for name in book.sheetnames) == 14
    s05 = next(book[n] for n in book.sheetnames if n.startswith("S05"))
    assert s05["C2"].value == "Svar"
    assert s05["F2"].value == "Slik svarer du"
    kinds = {dv.type for dv in s05.data_validations.dataValidation}
    assert {"whole", "decimal", "list"} <= kinds
    s08 = next(book[n] for n in book.sheetnames if n.startswith("S08"))
    lists = [dv.formula1 for dv in s08.data_validations.dataValidation if dv.type == "list"]
    assert '"Ja,Nei"' in lists
    assert '"Integrert,Frittstående,Ingen"' in lists
    assert book["crmkit"].sheet_state == "hidden"


@pytest.mark.parametrize("lang", ["sv", "nb"])
def test_filled_xlsx_reads_back_with_errors_then_scores(tmp_path: Path, lang: str) -> None:
    path = tmp_path / "wb.xlsx"
    write_workbook_xlsx(path, lang=lang)
    _fill(path, wrong=True, lang=lang)
    with pytest.raises(ValidationError) as info:
        read_workbook_xlsx(path)
    text = str(info.value)
    assert "S05" in text
    assert "(s05.volume.active)" in text
    assert "'-3'" in text
    assert "(s05.volume.active): '-3'" in text
    assert "S08" in text
    assert "!D" in text
    assert "(s08.e_commerce)" in text
    assert "'kanske'" in text
    assert len(info.value.problems) == 2

    _fill(path, wrong=False, lang=lang)
    filled = read_workbook_xlsx(path)
    wb = filled.answers
    assert (wb.company, wb.date, wb.participants) == (
        "Nordvik AB",
        dt.date(2026, 11, 30),
        ["Anna Berg", "Olof Lind"],
    )
    assert filled.assessor == "Eva Konsult"
    assert filled.lang == lang
    assert wb.get("s05.volume.active") == 120
    assert wb.get("s04.market_leader") is True
    assert str(wb.situation_score()) == "8/16"
    assert list(filled.ratings.values()) == [4.0]

    # the same answers typed into the JSON form give the same scores
    same = WorkbookAnswers(company="Nordvik AB")
    same.fill(dict(wb.items().items()))
    a, b = assess(wb, ratings=filled.ratings), assess(same, ratings=filled.ratings)
    assert a.process_scores() == b.process_scores()
    assert a.process("VC").score is not None


def test_unanswered_is_not_no(tmp_path: Path) -> None:
    path = tmp_path / "wb.xlsx"
    write_workbook_xlsx(path, lang="en")
    book = openpyxl.load_workbook(path)
    s04 = next(book[n] for n in book.sheetnames if n.startswith("S04"))
    s04[f"C{_row(s04, 's04.market_leader')}"] = "No"
    book.save(path)
    wb = read_workbook_xlsx(path).answers
    assert wb.get("s04.market_leader") is False
    assert wb.get("s04.service_24h") is None
    assert not wb.answered("s04.service_24h")
    result = assess(wb)
    assert "s04.service_24h" in result.unanswered
    assert "s04.market_leader" not in result.unanswered


@pytest.mark.parametrize("lang", ["en", "sv", "nb"])
def test_prefilled_template_round_trips(tmp_path: Path, lang: str) -> None:
    wb = WorkbookAnswers(company="Acme", date=dt.date(2026, 1, 2), participants=["A"])
    wb.fill(
        {
            "s04.market_leader": True,
            "s05.volume.active": 12,
            "s08.field_sales": {"used": True, "it_support": "integrated"},
            "s05.ideal_customer": "mid-sized manufacturers",
        }
    )
    path = tmp_path / "wb.xlsx"
    write_workbook_xlsx(path, lang=lang, answers=wb)
    back = read_workbook_xlsx(path).answers
    assert back.items() == wb.items()
    assert (back.company, back.date, back.participants) == ("Acme", dt.date(2026, 1, 2), ["A"])


def _strings(path: Path) -> list[str]:
    book = openpyxl.load_workbook(path)
    return [c for ws in book.worksheets for r in ws.iter_rows(values_only=True) for c in r if c]


@pytest.mark.parametrize(("lang", "other_letters"), [("nb", "äöÄÖ"), ("sv", "æøÆØ")])
def test_template_is_in_one_language(tmp_path: Path, lang: str, other_letters: str) -> None:
    path = tmp_path / "wb.xlsx"
    write_workbook_xlsx(path, lang=lang)
    texts = [t for t in _strings(path) if isinstance(t, str)]
    foreign = [t for t in texts if any(letter in t for letter in other_letters)]
    assert foreign == []
    wb = workbook()
    for item in wb.items:
        assert item.text(lang) in texts
    for section in wb.sections:
        assert f"{section.id} {section.title(lang)}" in texts
    assert wb.title(lang) in texts
    if lang == "nb":
        assert "S04 Situasjonsanalyse" in openpyxl.load_workbook(path).sheetnames
        assert "Kjenner dere kundenes livstidsverdi?" in texts
        assert not {i.sv for i in wb.items if i.sv != i.nb} & set(texts)


def test_sheets_renamed_by_a_user_are_found_by_their_section(tmp_path: Path) -> None:
    path = tmp_path / "wb.xlsx"
    write_workbook_xlsx(path, lang="nb")
    book = openpyxl.load_workbook(path)
    s04 = book["S04 Situasjonsanalyse"]
    s04.title = "S04 Situationsanalys"  # e.g. a file written when nb showed the Swedish titles
    s04[f"C{_row(s04, 's04.market_leader')}"] = "Ja"
    book.save(path)
    assert read_workbook_xlsx(path).answers.get("s04.market_leader") is True


def test_not_an_xlsx_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.xlsx"
    path.write_text("plain text", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"notes\.xlsx.*is not an \.xlsx workbook"):
        read_workbook_xlsx(path)


def test_json_form_keeps_unanswered_apart_from_no() -> None:
    data = WorkbookAnswers().to_dict()
    data["sections"][3]["items"][0]["answer"] = False  # s04: answered "no"
    wb = WorkbookAnswers.from_dict(data)
    first, second = (i.id for i in wb.workbook.section("S04").items[:2])
    assert wb.get(first) is False
    assert wb.get(second) is None
    zero = assess(wb)
    skip = assess(wb, rule=ScoringRule(unanswered="skip"))
    assert first not in zero.unanswered
    assert second in zero.unanswered
    assert zero.unanswered == skip.unanswered
    assert zero.rule.unanswered == "zero"
    assert skip.rule.unanswered == "skip"
