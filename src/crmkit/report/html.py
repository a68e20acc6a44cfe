"""Render a strategy assessment as one standalone HTML page with an inline SVG radar chart.

The page has no external assets (styles inline, chart as inline SVG) and needs no network, so it
can be mailed or opened from disk.

Examples:
    >>> from crmkit.strategy import assess
    >>> from crmkit.report.html import assessment_html
    >>> page = assessment_html(assess(ratings={"value_creation": 2, "standards": 1}))
    >>> page.startswith("<!DOCTYPE html>") and "<svg" in page and "http" not in page.split(
    ...     "<svg")[0]
    True
"""

from __future__ import annotations

from html import escape

from crmkit.report.markdown import more_capabilities, process_name, score_text
from crmkit.report.radar import radar_svg
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

    Args:
        assessment: the result of :func:`crmkit.strategy.assess`.
        lang: language of process and element names (``"en"``, ``"sv"``, ``"no"``).
        top: how many gaps to list.
        title: page title (default "CRM strategy assessment", plus the company).
        capabilities: how many crmkit capabilities to name per gap (the rest are counted).
    """
    a = assessment
    page_title = title or (
        f"CRM strategy assessment — {a.company}" if a.company else "CRM strategy assessment"
    )
    scores = {process_name(ps.process, lang): ps.score for ps in a.processes}
    weakest = a.weakest_process
    facts = [f"<div><b>Overall score:</b> {score_text(a.overall)} / 5</div>"]
    if weakest is not None:
        facts.append(f"<div><b>Weakest process:</b> {escape(process_name(weakest, lang))}</div>")
    if a.situation is not None:
        facts.append(f"<div><b>Situation analysis:</b> {a.situation} yes</div>")
    if a.completion is not None:
        facts.append(f"<div><b>Workbook completion:</b> {a.completion:.0%}</div>")
    if a.same_standard is not None:
        facts.append(
            f"<div><b>Same standard on every channel:</b> "
            f"{'yes' if a.same_standard.passes else 'no'} ({escape(a.same_standard.reason)})</div>"
        )
    rows = []
    for ps in a.processes:
        cls = ' class="weakest"' if ps.process is weakest else ""
        rows.append(
            f"<tr{cls}><td>{ps.process.number}</td><td>{escape(process_name(ps.process, lang))}"
            f'</td><td class="num">{score_text(ps.score)}</td></tr>'
        )
        for es in ps.elements:
            sub = ' class="sub"' if es.element.parent else ""
            rows.append(
                f"<tr><td></td><td{sub}>{escape(es.element.label.get(lang))}</td>"
                f'<td class="num">{score_text(es.score)}</td></tr>'
            )
    gaps = []
    for n, gap in enumerate(a.top_gaps(top), start=1):
        shown = [f"<code>{escape(c.path)}</code>" for c in gap.capabilities[:capabilities]]
        caps = ", ".join(shown + more_capabilities(gap, capabilities)) or "—"
        gaps.append(
            f'<tr><td class="num">{n}</td><td>{gap.process.short}</td>'
            f"<td>{escape(gap.element.label.get(lang))}</td><td>{escape(gap.missing)}</td>"
            f"<td>{caps}</td></tr>"
        )
    gap_table = (
        "<table><tr><th>#</th><th>Process</th><th>Element</th><th>What is missing</th>"
        "<th>crmkit capabilities</th></tr>" + "".join(gaps) + "</table>"
        if gaps
        else "<p>No gaps found.</p>"
    )
    channel = ""
    if a.channel_gaps:
        items = "".join(f"<li>{escape(g.describe())}</li>" for g in a.channel_gaps)
        channel = f"<h2>Channels without integrated IT support</h2><ul>{items}</ul>"
    missing = a.not_assessed()
    unassessed = ""
    if missing:
        names = ", ".join(escape(e.label.get(lang)) for e in missing)
        unassessed = (
            f"<h2>Not assessed</h2><p>No workbook evidence; rate these directly (0–5): {names}.</p>"
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
<div class="chart">{radar_svg(scores)}</div>
<div class="facts">{"".join(facts)}</div>
</div>
<h2>Top gaps ({min(top, len(a.gaps))} of {len(a.gaps)})</h2>
{gap_table}
{channel}
<h2>Scores</h2>
<table><tr><th>#</th><th>Process / element</th><th>Score (0–5)</th></tr>{"".join(rows)}</table>
{unassessed}
<p><small>Scored by crmkit's documented rule (crmkit.strategy.assessment).</small></p>
</body>
</html>
"""
