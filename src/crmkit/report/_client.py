"""The client report: a CRM strategy assessment as a deliverable for a company's management.

:func:`client_report_html` renders one standalone, print-ready HTML page (Jinja2 template
``templates/client.html.j2``, print stylesheet ``templates/client.css``) in English, Swedish or
Norwegian, every text from the translation catalogues of :mod:`crmkit.report._i18n`:

1. a cover (company, date, participants, assessor);
2. an executive summary in plain language: overall position, strongest and weakest process,
   the top three priorities;
3. the radar chart with its scale and the scores per process and area;
4. progress since a baseline assessment, when one is given;
5. recommendations in business language, prioritised into a roadmap (the rule below);
6. channels in use (each channel once) and those without integrated IT support;
7. how the scores were calculated, including how unanswered questions were treated;
8. a technical appendix for the implementation team: each gap, the workbook question behind it
   and the crmkit capabilities that close it, with their CRM type.

**Prioritisation rule.** Every assessed area (leaf element) scoring below the assessment
rule's ``gap_threshold`` (3 of 5 by default) gets one recommendation. *Impact* is the distance
to full marks, ``(5 − score) / 5`` (0–1); *effort* is the typical size of the change for that
area (:data:`EFFORT`: 1 small, 2 medium, 3 large). *Priority* = impact ÷ effort. The roadmap
puts priority ≥ 0.40 under *now*, 0.20–0.40 under *next* and the rest under *later*; the list
is ordered by priority, then by lower score, then framework order.

Examples:
    >>> from crmkit.strategy import assess
    >>> from crmkit.report._client import client_report_html, recommendations
    >>> a = assess(ratings={"data_repository": 1, "standards": 2, "value_proposition": 4})
    >>> [(r.element.key, r.priority, r.horizon) for r in recommendations(a)]
    [('standards', 0.6, 'now'), ('data_repository', 0.2667, 'next')]
    >>> page = client_report_html(a, lang="sv", assessor="Eva Konsult")
    >>> "Sammanfattning för ledningen" in page and "Färdplan" in page
    True
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import attrs

from crmkit.extras import require
from crmkit.report._i18n import Catalogue, catalogue, label_language, report_language
from crmkit.report._radar import radar_svg
from crmkit.strategy.assessment import Assessment
from crmkit.strategy.framework import Element, Process, channel_category_element, elements
from crmkit.strategy.progress import compare_assessments
from crmkit.strategy.workbook import ItSupport, workbook

__all__ = ["EFFORT", "Recommendation", "client_report_html", "recommendations", "roadmap"]

#: Typical effort of closing a gap in each area: 1 small, 2 medium, 3 large.
EFFORT: dict[str, int] = {
    "business_vision": 1,
    "competitive_characteristics": 1,
    "customer_choice": 1,
    "customer_characteristics": 2,
    "segment_granularity": 2,
    "value_proposition": 2,
    "value_assessment": 2,
    "acquisition_economics": 1,
    "retention_economics": 2,
    "customer_segment_lifetime_value": 2,
    "sales_force": 2,
    "outlets": 3,
    "telephony": 2,
    "direct_marketing": 1,
    "electronic_commerce": 3,
    "mobile_commerce": 2,
    "integrated_channel_management": 3,
    "data_repository": 3,
    "it_systems": 3,
    "analysis_tools": 2,
    "front_office_applications": 3,
    "back_office_applications": 3,
    "employee_value": 2,
    "customer_value": 1,
    "shareholder_value": 1,
    "cost_reduction": 2,
    "standards": 1,
    "metrics_and_kpis": 1,
    "results_and_reporting": 1,
}

_NOW, _NEXT = 0.4, 0.2


@attrs.frozen
class Recommendation:
    """One prioritised recommendation for an area scoring below the target.

    Examples:
        >>> from crmkit.strategy import element
        >>> from crmkit.report._client import Recommendation
        >>> r = Recommendation(element("standards"), score=1.0)
        >>> r.impact, r.effort, r.priority, r.horizon
        (0.8, 1, 0.8, 'now')
        >>> r.text("nb")
        'Sett tydelige servicenivåer for hver kanal og kontroller at de holdes.'
    """

    element: Element
    score: float
    gaps: int = 0

    @property
    def impact(self) -> float:
        """Distance to full marks, ``(5 − score) / 5``."""
        return round((5.0 - self.score) / 5.0, 4)

    @property
    def effort(self) -> int:
        """1 small, 2 medium, 3 large (:data:`EFFORT`)."""
        return EFFORT[self.element.key]

    @property
    def priority(self) -> float:
        """``impact / effort``."""
        return round(self.impact / self.effort, 4)

    @property
    def horizon(self) -> str:
        """``"now"``, ``"next"`` or ``"later"`` by priority."""
        if self.priority >= _NOW:
            return "now"
        return "next" if self.priority >= _NEXT else "later"

    def text(self, lang: str = "en") -> str:
        """The recommendation in business language."""
        return catalogue(lang).text(f"rec.{self.element.key}")


def recommendations(assessment: Assessment) -> list[Recommendation]:
    """The recommendations of ``assessment``, highest priority first (see the module rule).

    Examples:
        >>> from crmkit.strategy import assess
        >>> from crmkit.report._client import recommendations
        >>> recommendations(assess(ratings={"standards": 4}))
        []
    """
    threshold = assessment.rule.gap_threshold
    gap_count: dict[str, int] = {}
    for gap in assessment.gaps:
        gap_count[gap.element.key] = gap_count.get(gap.element.key, 0) + 1
    order = {e.key: n for n, e in enumerate(elements())}
    out = [
        Recommendation(es.element, es.score, gap_count.get(es.element.key, 0))
        for ps in assessment.processes
        for es in ps.elements
        if es.element.is_leaf and es.score is not None and es.score < threshold
    ]
    return sorted(out, key=lambda r: (-r.priority, r.score, order[r.element.key]))


def roadmap(assessment: Assessment) -> dict[str, list[Recommendation]]:
    """The recommendations grouped into ``"now"``, ``"next"`` and ``"later"``.

    Examples:
        >>> from crmkit.strategy import assess
        >>> from crmkit.report._client import roadmap
        >>> plan = roadmap(assess(ratings={"standards": 0, "it_systems": 2.5}))
        >>> {h: [r.element.key for r in rs] for h, rs in plan.items()}
        {'now': ['standards'], 'next': [], 'later': ['it_systems']}
    """
    plan: dict[str, list[Recommendation]] = {"now": [], "next": [], "later": []}
    for r in recommendations(assessment):
        plan[r.horizon].append(r)
    return plan


def _number(value: float | None, lang: str, t: Catalogue, *, signed: bool = False) -> str:
    if value is None:
        return t.text("scores.not_assessed")
    text = f"{value:+.1f}" if signed else f"{value:.1f}"
    return text if lang == "en" else text.replace(".", ",").replace("-", "−")


def _process_name(process: Process, lang: str) -> str:
    label = process.label.get(label_language(lang))
    return label.removesuffix(" process") if lang == "en" else label


@functools.cache
def _environment() -> Any:
    jinja2 = require("jinja2", "report")
    return jinja2.Environment(
        loader=jinja2.PackageLoader("crmkit.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _css() -> str:
    return resources.files("crmkit.report").joinpath("templates", "client.css").read_text("utf-8")


_FINDING = {
    "no": "finding.no",
    "unanswered": "finding.unanswered",
    "unknown_figure": "finding.unknown_figure",
    "stand_alone": "finding.stand_alone",
    "no_it": "finding.no_it",
    "it_unknown": "finding.it_unknown",
}
_LEVEL = {
    ItSupport.STAND_ALONE: "channels.level.stand_alone",
    ItSupport.NONE: "channels.level.none",
    None: "channels.level.unknown",
}


def client_report_html(
    assessment: Assessment,
    *,
    lang: str = "en",
    assessor: str = "",
    baseline: Assessment | None = None,
    top: int = 20,
    capabilities: int = 4,
    title: str | None = None,
) -> str:
    """The client report as one standalone HTML page (see the module docstring).

    Args:
        assessment: the (follow-up) assessment to report.
        lang: ``"en"``, ``"sv"`` or ``"nb"`` (``"no"`` is accepted).
        assessor: who carried out the assessment (the cover).
        baseline: an earlier assessment of the same company; adds the progress section.
        top: how many gaps the technical appendix lists.
        capabilities: how many crmkit capabilities to name per gap (the rest are counted).
        title: the report title (default: the catalogue's title with the company).

    Examples:
        >>> from crmkit.strategy import assess
        >>> from crmkit.report._client import client_report_html
        >>> before = assess(ratings={"standards": 1, "data_repository": 2})
        >>> after = assess(ratings={"standards": 3, "data_repository": 2})
        >>> page = client_report_html(after, lang="nb", baseline=before)
        >>> "Utvikling siden forrige vurdering" in page and "+2,0" in page
        True
    """
    lang = report_language(lang)
    label_lang = label_language(lang)
    t = catalogue(lang)
    a = assessment
    num = functools.partial(_number, lang=lang, t=t)

    def area(e: Element) -> str:
        return e.label.get(label_lang)

    processes = [
        {
            "name": _process_name(ps.process, lang),
            "score": num(ps.score),
            "elements": [{"name": area(es.element), "score": num(es.score)} for es in ps.elements],
        }
        for ps in a.processes
    ]

    def named(process: Process | None) -> dict[str, str] | None:
        if process is None:
            return None
        return {"name": _process_name(process, lang), "score": num(a.process(process).score)}

    recs = recommendations(a)
    rec_rows = [
        {
            "area": area(r.element),
            "text": r.text(lang),
            "impact": num(r.impact * 5),
            "effort": t.text(f"effort.{r.effort}"),
        }
        for r in recs
    ]
    plan = {h: [{"area": area(r.element)} for r in rs] for h, rs in roadmap(a).items()}
    overall = a.overall
    band = None if overall is None else "early" if overall < 2 else "developing"
    if overall is not None and overall >= 3.5:
        band = "advanced"
    wb = workbook()
    channels: list[dict[str, Any]] | None = None
    channel_gaps: list[dict[str, str]] = []
    if a.completion is not None:
        channels = []
        for category, items in a.channels_in_use:
            channels.append(
                {
                    "category": channel_category_element(category).label.get(label_lang),
                    "names": [wb.item(i).text(lang) for i in items],
                }
            )
        channel_gaps = [
            {"name": wb.item(g.item_id).text(lang), "level": t.text(_LEVEL[g.it_support])}
            for g in a.channel_gaps
            if g.it_support in _LEVEL
        ]
    gaps = []
    for gap in a.top_gaps(top):
        finding = (
            t.text("finding.rated", score=num(gap.element_score))
            if gap.kind == "rating"
            else t.text(_FINDING.get(gap.kind, "finding.no"))
        )
        gaps.append(
            {
                "item": gap.item_id,
                "question": wb.item(gap.item_id).text(lang) if gap.item_id else "",
                "area": area(gap.element),
                "finding": finding,
                "capabilities": [
                    {"path": c.path, "type": c.crm_type.label.get(label_lang)}
                    for c in gap.capabilities[: max(capabilities, 0)]
                ],
                "more": max(len(gap.capabilities) - max(capabilities, 0), 0),
            }
        )
    progress = None
    if baseline is not None:
        progress = _progress_context(baseline, a, lang, num)
    company = a.company
    markupsafe = require("markupsafe", "report")
    scores = {_process_name(ps.process, lang): ps.score for ps in a.processes}
    radar = radar_svg(
        scores,
        title=t.text("radar.title"),
        not_assessed=t.text("radar.not_assessed"),
        scale=True,
        decimal_comma=lang != "en",
    )
    answered = None
    if a.completion is not None:
        answered = round(a.completion * len(wb.items))
    context = {
        "lang": lang,
        "t": t.text,
        "css": markupsafe.Markup(_css()),
        "title": title
        or (t.text("report.title_company", company=company) if company else t.text("report.title")),
        "company": company,
        "date": a.date.isoformat() if a.date else "",
        "participants": list(a.participants),
        "assessor": assessor,
        "answered": answered,
        "total_items": len(wb.items),
        "overall": None if overall is None else num(overall),
        "band": band,
        "strongest": named(a.strongest_process),
        "weakest": named(a.weakest_process),
        "top": rec_rows[:3],
        "radar": markupsafe.Markup(radar),
        "processes": processes,
        "progress": progress,
        "threshold": num(a.rule.gap_threshold),
        "recommendations": rec_rows,
        "roadmap": plan,
        "channels": channels,
        "channel_gaps": channel_gaps,
        "inconsistent": a.same_standard is not None and a.same_standard.consistent_answer is False,
        "questions": a.questions,
        "unanswered": len(a.unanswered),
        "unanswered_rule": a.rule.unanswered,
        "not_assessed": [area(e) for e in a.not_assessed()],
        "gaps": gaps,
    }
    html: str = _environment().get_template("client.html.j2").render(**context)
    return html


def _progress_context(
    baseline: Assessment, follow_up: Assessment, lang: str, num: Any
) -> dict[str, Any]:
    progress = compare_assessments(baseline, follow_up)
    label_lang = label_language(lang)
    rows = []
    for c in progress.process_changes():
        change = c.change
        rows.append(
            {
                "name": _process_name(c.process, lang) if c.process else c.key,
                "before": num(c.before),
                "after": num(c.after),
                "change": "" if change is None else num(change, signed=True),
                "css": "" if not change else ("up" if change > 0 else "down"),
            }
        )
    return {
        "baseline_date": baseline.date.isoformat() if baseline.date else "",
        "rows": rows,
        "improved": [c.element.label.get(label_lang) for c in progress.improved if c.element],
        "slipped": [c.element.label.get(label_lang) for c in progress.slipped if c.element],
    }
