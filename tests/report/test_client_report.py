"""The client report: localisation (no other language leaks), recommendations and roadmap,
progress between two assessments, channels counted once, print to PDF."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from crmkit.errors import ValidationError
from crmkit.report import assessment_html, assessment_markdown
from crmkit.report._client import EFFORT, client_report_html, recommendations, roadmap
from crmkit.report._i18n import REPORT_LANGUAGES, catalogue, label_language
from crmkit.report._pdf import html_to_pdf, pdf_page_count, rendered_dom
from crmkit.strategy import (
    CrmType,
    Process,
    ScoringRule,
    WorkbookAnswers,
    assess,
    compare_assessments,
    elements,
    framework,
)
from crmkit.strategy.workbook import workbook
from tests.backends import have_chromium, require_backend

_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _answers(company: str = "Nordvik AB", *, better: bool = False) -> WorkbookAnswers:
    wb = WorkbookAnswers(
        company=company,
        date=dt.date(2026, 11, 30) if better else dt.date(2026, 3, 1),
        participants=["Anna Berg", "Olof Lind"],
    )
    values: dict[str, object] = {}
    for n, item in enumerate(wb.workbook.items):
        kind = item.answer_type.value
        if kind in ("yes_no", "check"):
            values[item.id] = better or n % 3 != 0
        elif kind == "channel_it" and n % 4 == 0:
            level = "integrated" if better else ("integrated", "stand_alone", "none")[n % 3]
            values[item.id] = {"used": True, "it_support": level}
    values["s08.telemarketing"] = {"used": True, "it_support": "none"}
    values["s10.phone_personal"] = True  # the same channel (the telephone) under another name
    values["s08.contact_center"] = {"used": True, "it_support": "stand_alone"}
    values["s09.call_contact_center"] = {"used": True, "it_support": "none"}
    wb.fill(values)
    return wb


def _text(page: str) -> str:
    """Visible text of a page, without the capability paths of the appendix (code)."""
    body = re.sub(r"<(style|title|code)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", body))


#: Letters of the other Scandinavian language: Norwegian has no ä/ö, Swedish no æ/ø.
_FOREIGN_LETTERS = {"nb": "äöÄÖ", "sv": "æøÆØ", "en": "äöæøåÄÖÆØÅ"}


def _workbook_texts(lang: str) -> list[str]:
    """Every text of the workbook in ``lang``: title, cover, sections, prompts, gaps, notes."""
    wb = workbook()
    texts = [wb.title(lang)] + [f.label(lang) for f in wb.cover]
    texts += [s.title(lang) for s in wb.sections]
    texts += [i.text(lang) for i in wb.items]
    texts += [t for i in wb.items for t in (i.gap_in(lang), i.note_in(lang)) if t]
    return texts


def _foreign_strings(lang: str) -> set[str]:
    """Every catalogue, framework and workbook text of another language that this language
    lacks."""
    own = list(catalogue(lang).messages.values())
    own += [e.label.get(label_language(lang)) for e in elements()]
    own += [p.label.get(label_language(lang)) for p in Process]
    own += [t.label.get(label_language(lang)) for t in CrmType]
    own += _workbook_texts(lang)
    own_text = "\n".join(own)
    foreign: set[str] = set()
    for other in REPORT_LANGUAGES:
        if other == lang:
            continue
        texts = list(catalogue(other).messages.values())
        texts += [e.label.get(label_language(other)) for e in elements()]
        texts += [p.label.get(label_language(other)) for p in Process]
        texts += _workbook_texts(other)
        for text in texts:
            for fragment in _PLACEHOLDER.split(text):
                fragment = fragment.strip(" .,:;()—")
                if len(fragment) >= 8 and fragment not in own_text:
                    foreign.add(fragment)
    return foreign


def _user_texts(node: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """The translated texts of workbook.json: every ``{"sv", "nb", "en"}`` object, and every
    item, cover field and section title (which hold their texts under those keys)."""
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        if {"sv", "en"} & set(node):
            found.append((path, {k: node.get(k) for k in ("sv", "nb", "en")}))
        for key, value in node.items():
            if key not in ("sv", "nb", "en"):
                found += _user_texts(value, f"{path}.{node.get('id', key)}")
    elif isinstance(node, list):
        for n, value in enumerate(node):
            found += _user_texts(value, f"{path}[{n}]")
    return found


def test_every_workbook_text_is_in_all_three_languages() -> None:
    raw = json.loads(
        resources.files("crmkit.strategy").joinpath("data", "workbook.json").read_text("utf-8")
    )
    texts = _user_texts(raw)
    # the title, 3 cover fields, 14 section titles, 125 items, and every gap and note
    assert len(texts) >= 1 + 3 + 14 + 125 + 21 + 24
    for path, text in texts:
        assert all(isinstance(text[k], str) and text[k].strip() for k in text), path
        assert not set(_FOREIGN_LETTERS["nb"]) & set(text["nb"]), (path, text["nb"])
        assert not set(_FOREIGN_LETTERS["sv"]) & set(text["sv"]), (path, text["sv"])
    # the Norwegian text is Norwegian, not the Swedish source copied
    sections = [s["title"] for s in raw["sections"]]
    assert sum(t["nb"] != t["sv"] for t in sections) == 12  # Segmentering, Servicekanaler
    items = [i for s in raw["sections"] for i in s["items"]]
    assert len(items) == 125
    assert sum(i["nb"] != i["sv"] for i in items) >= 110


def test_catalogues_cover_every_area_and_the_same_keys() -> None:
    leaves = [e.key for e in elements() if e.is_leaf]
    assert set(EFFORT) == set(leaves)
    for lang in REPORT_LANGUAGES:
        cat = catalogue(lang)
        assert all(cat.has(f"rec.{key}") for key in leaves)
        assert set(cat.messages) == set(catalogue("en").messages)


@pytest.mark.browser
@pytest.mark.parametrize("lang", REPORT_LANGUAGES)
def test_rendered_report_has_no_other_language(lang: str) -> None:
    require_backend("chromium", have_chromium(), "the report is checked as a browser renders it")
    before = assess(_answers())
    after = assess(_answers(better=True))
    page = client_report_html(after, lang=lang, assessor="Eva Konsult", baseline=before)
    dom = rendered_dom(page)
    text = _text(dom)
    cat = catalogue(lang)
    for key in ("summary.title", "rec.title", "roadmap.title", "appendix.title"):
        assert cat.text(key) in text
    assert f'lang="{lang}"' in dom
    leaks = sorted(s for s in _foreign_strings(lang) if s in text)
    assert leaks == []
    assert not set(_FOREIGN_LETTERS[lang]) & set(text)
    # the appendix names each question in the report's language
    questions = [g.item_id for g in after.top_gaps(20) if g.item_id]
    assert questions
    assert all(workbook().item(q).text(lang) in text for q in questions)
    # the developer paths live in the technical appendix only
    appendix = dom.index('class="appendix"')
    assert "crmkit." not in _text(dom[:appendix])
    assert re.search(r"<code>crmkit\.[a-z_.]+:[A-Za-z_]+</code>", dom[appendix:])


def test_report_sections_and_summary() -> None:
    wb = _answers()
    a = assess(wb)
    page = client_report_html(a, lang="en", assessor="Eva Konsult")
    text = _text(page)
    for fact in ("Nordvik AB", "2026-03-01", "Anna Berg, Olof Lind", "Eva Konsult"):
        assert fact in text
    strongest = a.strongest_process
    weakest = a.weakest_process
    assert strongest is not None
    assert weakest is not None
    assert f"Strongest area: {strongest.label.en.removesuffix(' process')}" in text
    assert f"Weakest area: {weakest.label.en.removesuffix(' process')}" in text
    top = recommendations(a)[:3]
    assert len(top) == 3
    summary = text[text.index("Top three priorities") : text.index("Scores per process")]
    for r in top:
        assert r.text("en") in summary
    assert 'class="radar-scale"' in page
    assert "The rings mark 1 to 5" in text


def test_unanswered_rule_is_stated() -> None:
    wb = _answers()
    zero = _text(client_report_html(assess(wb), lang="sv"))
    skip = _text(client_report_html(assess(wb, rule=ScoringRule(unanswered="skip")), lang="sv"))
    a = assess(wb)
    assert (
        f"{len(a.unanswered)} av {a.questions} frågor lämnades obesvarade och räknades som" in zero
    )
    assert "räknades inte med" in skip
    assert "räknades inte med" not in zero


def test_recommendation_priority_rule_and_roadmap() -> None:
    a = assess(
        ratings={"standards": 0, "data_repository": 1, "it_systems": 2.5, "business_vision": 4}
    )
    recs = recommendations(a)
    assert [r.element.key for r in recs] == ["standards", "data_repository", "it_systems"]
    assert [(r.impact, r.effort, r.priority) for r in recs] == [
        (1.0, 1, 1.0),
        (0.8, 3, 0.2667),
        (0.5, 3, 0.1667),
    ]
    plan = roadmap(a)
    assert {h: [r.element.key for r in rs] for h, rs in plan.items()} == {
        "now": ["standards"],
        "next": ["data_repository"],
        "later": ["it_systems"],
    }


def test_progress_in_report_and_as_data() -> None:
    before = assess(_answers())
    after = assess(_answers(better=True))
    progress = compare_assessments(before, after)
    data = progress.to_dict()
    assert data["baseline_date"] == "2026-03-01"
    assert data["follow_up_date"] == "2026-11-30"
    assert [p["key"] for p in data["processes"]] == [p.process.value for p in framework()]
    assert data["improved"]
    assert data["overall"]["change"] > 0
    page = _text(client_report_html(after, lang="nb", baseline=before))
    assert "Utvikling siden 2026-03-01" in page
    first = progress.improved[0]
    assert first.element is not None
    assert first.element.label.no in page.split("Forbedret:")[1]
    with pytest.raises(ValidationError, match="is not the baseline's company"):
        compare_assessments(before, assess(_answers("Other Oy")))


def test_channels_listed_once() -> None:
    a = assess(_answers())
    telephony = dict(a.channels_in_use)[
        next(iter(c for c, _ in a.channels_in_use if c.value == "telephony"))
    ]
    assert "s08.telemarketing" in telephony
    assert "s10.phone_personal" not in telephony  # the telephone, already listed
    assert not {"s08.contact_center", "s09.call_contact_center"} <= set(telephony)
    page = _text(client_report_html(a, lang="en"))
    assert "Call/contact centre" not in page
    assert page.count("Contact centre") == 2  # in use, and without integrated IT support
    gaps = [
        g for g in a.channel_gaps if g.item_id in ("s08.contact_center", "s09.call_contact_center")
    ]
    assert len(gaps) == 1
    assert gaps[0].it_support is not None
    assert gaps[0].it_support.value == "none"


def test_capability_crm_types_in_the_appendix() -> None:
    a = assess(ratings={"direct_marketing": 1})
    page = client_report_html(a, lang="sv", capabilities=50)
    gap = a.gaps[0]
    assert gap.capabilities
    for cap in gap.capabilities:
        assert f"<code>{cap.path}</code> ({cap.crm_type.label.sv})" in page


@pytest.mark.browser
def test_pdf_has_the_expected_pages(tmp_path: Path) -> None:
    require_backend("chromium", have_chromium(), "the PDF is printed by headless Chromium")
    three = "".join(f'<p style="break-after: page">page {n}</p>' for n in range(3))
    assert pdf_page_count(html_to_pdf(three, tmp_path / "three.pdf")) == 3
    a = assess(_answers())
    short = pdf_page_count(html_to_pdf(client_report_html(a, top=0), tmp_path / "short.pdf"))
    full = pdf_page_count(html_to_pdf(client_report_html(a, top=60), tmp_path / "full.pdf"))
    # the cover and the technical appendix each start a page: cover, body, appendix at least
    assert short >= 3
    assert full > short
    # the cover is a page of its own: without it the report is exactly one page shorter
    page = client_report_html(a, top=0)
    no_cover = re.sub(r'<section class="cover">.*?</section>', "", page, count=1, flags=re.S)
    assert no_cover != page
    assert pdf_page_count(html_to_pdf(no_cover, tmp_path / "no-cover.pdf")) == short - 1


def test_scores_use_the_languages_decimal_mark() -> None:
    a = assess(ratings={"value_creation": 2.5, "standards": 1.5, "data_repository": 3})
    sv = client_report_html(a, lang="sv")
    en = client_report_html(a, lang="en")
    radar_sv = sv[sv.index("<svg") : sv.index("</svg>")]
    assert "Den värdeskapande processen (2,5)" in radar_sv
    assert "Value creation (2.5)" in en
    assert "(2.5)" not in radar_sv


def test_user_text_is_escaped() -> None:
    wb = WorkbookAnswers(company="Acme <script>alert(1)</script>", participants=["<b>Eve</b>"])
    wb.set("s04.market_leader", True)
    page = client_report_html(assess(wb), assessor='"><img src=x onerror=alert(1)>')
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "<b>Eve</b>" not in page
    assert "Acme &lt;script&gt;" in page


@pytest.mark.parametrize("lang", REPORT_LANGUAGES)
def test_markdown_and_compact_html_have_no_other_language(lang: str) -> None:
    a = assess(_answers(), ratings={"standards": 1})
    md = re.sub(r"`[^`]*`", " ", assessment_markdown(a, lang=lang))  # code: paths and keys
    page = _text(assessment_html(a, lang=lang))
    for text in (md, page):
        assert sorted(s for s in _foreign_strings(lang) if s in text) == []
        assert not set(_FOREIGN_LETTERS[lang]) & set(text)
        assert catalogue(lang).text("md.title") in text
