"""Render a strategy assessment as one standalone HTML page with an inline SVG radar chart.

The page has no external assets (styles inline, chart as inline SVG) and needs no network, so it
can be mailed or opened from disk.

Examples:
    >>> from crmkit.strategy import assess
    >>> from crmkit.report._html import assessment_html
    >>> page = assessment_html(assess(ratings={"value_creation": 2, "standards": 1}))
    >>> page.startswith("<!DOCTYPE html>") and "<svg" in page and "http" not in page.split(
    ...     "<svg")[0]
    True
"""

from __future__ import annotations

from html import escape

from crmkit.report._markdown import (
    channel_gap_text,
    gap_text,
    more_capabilities,
    page_languages,
    process_name,
    same_standard_reason,
    score_text,
)
from crmkit.report._radar import radar_svg
from crmkit.strategy import Assessment

__all__ = ["assessment_html"]

_CSS = """
body { font-family: -apple-system, "Segoe UI", Roboto, sans-serif; margin: 24px 40px;
       color: #222; max-width: 1100px; }
h1 { margin-bottom: 4px; } h2 { margin-top: 28px; border-bottom: 1px solid #ddd; }
.summary { display: flex; gap: 32px; align-items: flex-start; flex-wrap: wrap; }
.facts div { margin: 6px 0; }
table { border-collapse: collapse; margin-top: 8px; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } td.num { text-align: right; }
tr.weakest td { background: #fff3cd; }
code { font-size: 90%; background: #f6f6f6; padding: 0 3px; }
.sub { padding-left: 22px; }
"""


def assessment_html(
    assessment: Assessment,
    *,
    lang: str = "en",
    top: int = 15,
    title: str | None = None,
    capabilities: int = 4,
) -> str:
    """The standalone HTML report: summary, radar chart, process table and the gap list.

    The compact one-page view for the implementation team; the client deliverable is
    :func:`crmkit.report.client_report_html`. Every text is in ``lang`` (``"en"``, ``"sv"``,
    ``"nb"``; ``"no"`` is accepted).

    Args:
        assessment: the result of :func:`crmkit.strategy.assess`.
        lang: the report language.
        top: how many gaps to list.
        title: page title (default "CRM strategy assessment", plus the company).
        capabilities: how many crmkit capabilities to name per gap (the rest are counted).
    """
    a = assessment
    lang, label_lang, t = page_languages(lang)

    def num(score: float | None) -> str:
        return score_text(score, lang)

    page_title = title or (
        f"{t.text('md.title')} — {a.company}" if a.company else t.text("md.title")
    )
    scores = {process_name(ps.process, lang): ps.score for ps in a.processes}
    weakest = a.weakest_process
    facts = [f"<div><b>{t.text('md.overall')}:</b> {num(a.overall)} / 5</div>"]
    if weakest is not None:
        facts.append(
            f"<div><b>{t.text('md.weakest')}:</b> {escape(process_name(weakest, lang))}</div>"
        )
    if a.situation is not None:
        value = t.text("md.situation_value", score=a.situation)
        facts.append(f"<div><b>{t.text('md.situation')}:</b> {value}</div>")
    if a.completion is not None:
        facts.append(f"<div><b>{t.text('md.completion')}:</b> {a.completion:.0%}</div>")
    if a.same_standard is not None:
        answer = t.text("md.yes" if a.same_standard.passes else "md.no")
        facts.append(
            f"<div><b>{t.text('md.same_standard')}:</b> "
            f"{answer} ({escape(same_standard_reason(a, lang))})</div>"
        )
    rows = []
    for ps in a.processes:
        cls = ' class="weakest"' if ps.process is weakest else ""
        rows.append(
            f"<tr{cls}><td>{ps.process.number}</td><td>{escape(process_name(ps.process, lang))}"
            f'</td><td class="num">{num(ps.score)}</td></tr>'
        )
        for es in ps.elements:
            sub = ' class="sub"' if es.element.parent else ""
            rows.append(
                f"<tr><td></td><td{sub}>{escape(es.element.label.get(label_lang))}</td>"
                f'<td class="num">{num(es.score)}</td></tr>'
            )
    gaps = []
    for n, gap in enumerate(a.top_gaps(top), start=1):
        shown = [f"<code>{escape(c.path)}</code>" for c in gap.capabilities[:capabilities]]
        caps = ", ".join(shown + more_capabilities(gap, capabilities, lang)) or "—"
        gaps.append(
            f'<tr><td class="num">{n}</td><td>{gap.process.short}</td>'
            f"<td>{escape(gap.element.label.get(label_lang))}</td>"
            f"<td>{escape(gap_text(gap, lang))}</td><td>{caps}</td></tr>"
        )
    gap_table = (
        f"<table><tr><th>#</th><th>{t.text('md.process')}</th><th>{t.text('md.element')}</th>"
        f"<th>{t.text('md.missing')}</th><th>{t.text('md.capabilities')}</th></tr>"
        + "".join(gaps)
        + "</table>"
        if gaps
        else f"<p>{t.text('md.no_gaps')}</p>"
    )
    channel = ""
    if a.channel_gaps:
        items = "".join(f"<li>{escape(channel_gap_text(g, lang))}</li>" for g in a.channel_gaps)
        channel = f"<h2>{t.text('channels.not_integrated')}</h2><ul>{items}</ul>"
    missing = a.not_assessed()
    unassessed = ""
    if missing:
        names = ", ".join(escape(e.label.get(label_lang)) for e in missing)
        unassessed = (
            f"<h2>{t.text('md.not_assessed')}</h2>"
            f"<p>{t.text('html.not_assessed_rate', areas=names)}</p>"
        )
    shown_gaps = t.text("md.top_gaps", shown=min(top, len(a.gaps)), total=len(a.gaps))
    radar = radar_svg(
        scores,
        title=t.text("radar.title"),
        not_assessed=t.text("radar.not_assessed"),
        decimal_comma=lang != "en",
    )
    return f"""<!DOCTYPE html>
<html lang="{escape(lang)}">
<head>
<meta charset="utf-8">
<title>{escape(page_title)}</title>
<style>{_CSS}</style>
</head>
<body>
<h1>{escape(page_title)}</h1>
<div class="summary">
<div class="chart">{radar}</div>
<div class="facts">{"".join(facts)}</div>
</div>
<h2>{shown_gaps}</h2>
{gap_table}
{channel}
<h2>{t.text("md.score")}</h2>
<table><tr><th>#</th><th>{t.text("html.process_element")}</th><th>{t.text("html.score_scale")}</th></tr>{"".join(rows)}</table>
{unassessed}
<p><small>{t.text("html.footer")}</small></p>
</body>
</html>
"""
