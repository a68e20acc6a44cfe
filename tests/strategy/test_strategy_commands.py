from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from crmkit.cli import main
from crmkit.report import process_name, score_text
from crmkit.report._i18n import REPORT_LANGUAGES, catalogue
from crmkit.report._markdown import gap_text
from crmkit.strategy import WorkbookAnswers, assess


def test_template_then_assess(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["workbook", "template", "--lang", "sv"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["title"] == "Ramverk för: CRM-strategi"
    for item in data["sections"][3]["items"]:
        item["answer"] = True
    data["sections"][3]["items"][3]["answer"] = False  # lifetime value
    data["cover"]["company"] = "Acme AB"
    wb = tmp_path / "wb.json"
    wb.write_text(json.dumps(data), encoding="utf-8")
    html, md = tmp_path / "r.html", tmp_path / "r.md"
    code = main(["assess", str(wb), "--html", str(html), "--markdown", str(md)])
    out = capsys.readouterr().out
    assert code == 0
    assert "Situation analysis: 15/16 yes" in out
    assert "does not know customers' lifetime value" in out
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "Acme AB" in md.read_text(encoding="utf-8")


def test_bad_answer_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wb = tmp_path / "wb.json"
    wb.write_text(json.dumps({"answers": {"s05.loyal_share": 140}}), encoding="utf-8")
    assert main(["assess", str(wb)]) == 2
    # issue #11: errors go to standard error as "crmkit: <where>: ..." (they went to stdout)
    err = capsys.readouterr().err
    assert err.startswith(f"crmkit: {wb}: answers.s05.loyal_share: 140 must be a percentage")


def _fill_xlsx(path: Path, *, follow_up: bool) -> None:
    import openpyxl

    book = openpyxl.load_workbook(path)
    cover = book["Forside"]
    cover["B4"], cover["B5"] = "Nordvik AS", "Eva Konsult"
    cover["B3"] = "2026-11-30" if follow_up else "2026-03-02"
    situation = next(book[n] for n in book.sheetnames if n.startswith("S04"))
    for row in range(3, 19):
        situation[f"C{row}"] = "Ja" if follow_up or row % 2 else "Nei"
    sales = next(book[n] for n in book.sheetnames if n.startswith("S08"))
    sales["C4"], sales["D4"] = "Ja", "Integrert" if follow_up else "Ingen"
    book.save(path)


def test_xlsx_template_assess_and_follow_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before, after = tmp_path / "before.xlsx", tmp_path / "after.xlsx"
    for target in (before, after):
        cmd = ["workbook", "template", "--format", "xlsx", "--lang", "nb", "--output", str(target)]
        assert main(cmd) == 0
    _fill_xlsx(before, follow_up=False)
    _fill_xlsx(after, follow_up=True)
    html, progress = tmp_path / "rapport.html", tmp_path / "progress.json"
    code = main(
        ["assess", str(after), "--lang", "nb", "--html", str(html), "--baseline", str(before),
         "--progress-json", str(progress), "--unanswered", "skip"]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "Vurdering av Nordvik AS" in out
    assert "Assessment of" not in out
    page = html.read_text(encoding="utf-8")
    assert "Utvikling siden 2026-03-02" in page
    assert "Eva Konsult" in page
    assert "ble holdt utenfor poengene" in page  # --unanswered skip is stated
    data = json.loads(progress.read_text(encoding="utf-8"))
    assert data["baseline_date"] == "2026-03-02"
    assert data["follow_up_date"] == "2026-11-30"
    assert data["overall"]["change"] > 0


def test_unanswered_option_changes_the_scores(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wb = tmp_path / "wb.json"
    wb.write_text(json.dumps({"answers": {"s04.market_leader": True}}), encoding="utf-8")
    assert main(["assess", str(wb), "--unanswered", "zero"]) == 0
    zero = capsys.readouterr().out
    assert main(["assess", str(wb), "--unanswered", "skip"]) == 0
    skip = capsys.readouterr().out
    assert zero != skip
    assert "Overall: 5.0" in skip


_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
#: The catalogue messages the console summary is made of.
_SUMMARY_KEYS = ("cli.assessment_of", "md.situation", "md.situation_value", "cli.overall",
                 "md.weakest", "cli.gap", "cli.markdown")  # fmt: skip


@pytest.mark.parametrize("lang", REPORT_LANGUAGES)
def test_assess_summary_follows_lang(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str
) -> None:
    answers = WorkbookAnswers(company="Nordvik AS")
    answers.fill(
        {
            "s04.market_leader": False,  # a question with a gap text of its own
            "s04.service_24h": True,
            "s05.ideal_customer": "",  # unanswered
            "s08.e_commerce": {"used": True, "it_support": "stand_alone"},
            "s10.email": True,
        }
    )
    wb, md = tmp_path / "wb.json", tmp_path / "r.md"
    answers.save(wb)
    assert main(["assess", str(wb), "--lang", lang, "--top", "200", "--markdown", str(md)]) == 0
    out = capsys.readouterr().out
    t = catalogue(lang)
    result = assess(WorkbookAnswers.load(wb))
    lines = out.splitlines()
    assert lines[0] == t.text("cli.assessment_of", company="Nordvik AS")
    assert (
        lines[1]
        == f"{t.text('md.situation')}: {t.text('md.situation_value', score=result.situation)}"
    )
    assert t.text("cli.overall", score=score_text(result.overall, lang)) in lines
    assert lines[-1] == t.text("cli.markdown", path=md)
    for ps in result.processes:
        assert process_name(ps.process, lang) in out
    gaps = result.top_gaps(200)
    assert {"s04.market_leader", "s05.ideal_customer", "s08.e_commerce"} <= {
        g.item_id for g in gaps
    }
    for gap in gaps:
        assert f"{gap_text(gap, lang)} -> " in out
    # no text of another language: the workbook's prompts and the summary's messages
    prose = re.sub(r" -> .*", "", out)  # the capability paths are code
    fixed = prose
    for gap in gaps:
        fixed = fixed.replace(gap_text(gap, lang), "")
    for other in REPORT_LANGUAGES:
        if other == lang:
            continue
        for gap in gaps:
            item = answers.workbook.item(gap.item_id or "")
            if item.text(other) != item.text(lang):
                assert item.text(other) not in prose
        for key in _SUMMARY_KEYS:
            own = t.text(key)
            for fragment in _PLACEHOLDER.split(catalogue(other).text(key)):
                fragment = fragment.strip(" :")
                if len(fragment) >= 3 and fragment not in own:
                    assert fragment not in fixed, (key, fragment)
    foreign_letters = {"nb": "äöÄÖ", "sv": "æøÆØ", "en": "äöæøÄÖÆØ"}[lang]
    assert not set(foreign_letters) & set(prose)


def test_nb_json_template_is_norwegian_and_reads_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from crmkit.strategy.answers import WorkbookAnswers
    from crmkit.strategy.workbook import workbook

    path = tmp_path / "arbeidsbok.json"
    assert main(["workbook", "template", "--lang", "nb", "--output", str(path)]) == 0
    data = json.loads(path.read_text(encoding="utf-8"))
    book = workbook()
    assert data["lang"] == "nb"
    assert data["title"] == book.title("nb")
    prompts = [item["prompt"] for section in data["sections"] for item in section["items"]]
    assert prompts == [item.text("nb") for item in book.items]
    assert not set("äöÄÖ") & set("".join(prompts))
    data["cover"]["company"] = "Fjord AS"
    data["sections"][3]["items"][0]["answer"] = "ja"
    answers = WorkbookAnswers.from_dict(data)
    assert answers.lang == "nb"
    assert answers.company == "Fjord AS"
    assert answers.get(data["sections"][3]["items"][0]["id"]) is True


@pytest.mark.browser
def test_assess_writes_a_pdf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from crmkit.report._pdf import pdf_page_count
    from tests.backends import have_chromium, require_backend

    require_backend("chromium", have_chromium(), "the PDF is printed by headless Chromium")
    wb = tmp_path / "wb.xlsx"
    assert (
        main(["workbook", "template", "--format", "xlsx", "--lang", "nb", "--output", str(wb)]) == 0
    )
    _fill_xlsx(wb, follow_up=False)
    pdf = tmp_path / "rapport.pdf"
    assert main(["assess", str(wb), "--lang", "nb", "--pdf", str(pdf)]) == 0
    assert f"PDF-rapport: {pdf}" in capsys.readouterr().out
    assert pdf_page_count(pdf) >= 3
