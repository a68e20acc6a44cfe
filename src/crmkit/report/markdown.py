"""Render a strategy assessment as Markdown.

Examples:
    >>> from crmkit.strategy import assess
    >>> from crmkit.report.markdown import assessment_markdown
    >>> md = assessment_markdown(assess(ratings={"value_creation": 2, "standards": 1}))
    >>> print(md.splitlines()[0])
    # CRM strategy assessment
    >>> "| Value creation | 2.0 |" in md
    True
"""

from __future__ import annotations

from crmkit.strategy import Assessment, Gap, Process

__all__ = [
    "assessment_markdown",
    "markdown_text",
    "more_capabilities",
    "process_name",
    "score_text",
]

# Characters that start inline Markdown syntax (emphasis, code, links, tables, strikethrough)
# get a backslash; the HTML-significant ones become entities so raw HTML cannot get through.
_MD_ESCAPES = {
    **{c: "\\" + c for c in "\\`*_[]|~"},
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
}
_MD_TABLE = str.maketrans(_MD_ESCAPES)


def process_name(process: Process, lang: str = "en") -> str:
    """The process's short display name ("Value creation").

    Examples:
        >>> from crmkit.strategy import Process
        >>> from crmkit.report.markdown import process_name
        >>> process_name(Process.VALUE_CREATION), process_name(Process.VALUE_CREATION, "sv")
        ('Value creation', 'Den värdeskapande processen')
    """
    label = process.label.get(lang)
    if lang == "en":
        return label.removesuffix(" process")
    return label


def score_text(score: float | None) -> str:
    """A score with one decimal, or "not assessed".

    Examples:
        >>> from crmkit.report.markdown import score_text
        >>> score_text(3.14159), score_text(None)
        ('3.1', 'not assessed')
    """
    return "not assessed" if score is None else f"{score:.1f}"


def markdown_text(text: str) -> str:
    """``text`` as literal Markdown inline text: what a user typed (a company name, an answer)
    cannot add emphasis, links, HTML, table cells or new blocks to a report.

    Markdown syntax characters get a backslash, ``& < >`` become HTML entities and line breaks
    become spaces (so a value cannot start a heading or a list).

    Examples:
        >>> from crmkit.report.markdown import markdown_text
        >>> print(markdown_text("Acme <b>AB</b> | *best* [x](http://e.vil)"))
        Acme &lt;b&gt;AB&lt;/b&gt; \\| \\*best\\* \\[x\\](http://e.vil)
        >>> markdown_text("two\\nlines\\r\\n# heading")
        'two lines # heading'
        >>> markdown_text("E-commerce (No IT support)")
        'E-commerce (No IT support)'
    """
    flat = " ".join(text.splitlines()) if ("\n" in text or "\r" in text) else text
    return flat.translate(_MD_TABLE)


_cell = markdown_text


def more_capabilities(gap: Gap, shown: int) -> list[str]:
    """``["and N more"]`` when ``gap`` has more than ``shown`` capabilities, else ``[]``.

    Examples:
        >>> from crmkit.strategy import assess
        >>> from crmkit.report.markdown import more_capabilities
        >>> gap = assess(ratings={"customer_segment_lifetime_value": 0}).gaps[0]
        >>> more_capabilities(gap, 4) == [f"and {len(gap.capabilities) - 4} more"]
        True
        >>> more_capabilities(gap, len(gap.capabilities))
        []
    """
    extra = len(gap.capabilities) - max(shown, 0)
    return [f"and {extra} more"] if extra > 0 else []


def assessment_markdown(
    assessment: Assessment, *, lang: str = "en", top: int = 15, capabilities: int = 4
) -> str:
    """A Markdown report: scores per process and element, weakest process, top gaps, channels.

    Args:
        assessment: the result of :func:`crmkit.strategy.assess`.
        lang: language of process and element names (``"en"``, ``"sv"``, ``"no"``); gap
            sentences are English.
        top: how many gaps to list.
        capabilities: how many crmkit capabilities to name per gap (the rest are counted).
    """
    a = assessment
    out = ["# CRM strategy assessment", ""]
    if a.company:
        out += [f"**Company:** {markdown_text(a.company)}", ""]
    out += [f"**Overall score:** {score_text(a.overall)} / 5", ""]
    if a.weakest_process is not None:
        out += [f"**Weakest process:** {_cell(process_name(a.weakest_process, lang))}", ""]
    if a.situation is not None:
        out += [f"**Situation analysis:** {a.situation} yes", ""]
    if a.completion is not None:
        out += [f"**Workbook completion:** {a.completion:.0%}", ""]
    out += ["## Process scores", "", "| Process | Score |", "|---|---|"]
    for ps in a.processes:
        out.append(f"| {_cell(process_name(ps.process, lang))} | {score_text(ps.score)} |")
    out += [
        "",
        "## Element scores",
        "",
        "| Process | Element | Score | Based on |",
        "|---|---|---|---|",
    ]
    for ps in a.processes:
        for es in ps.elements:
            indent = "\u2003" if es.element.parent else ""
            basis = {
                "workbook": f"{es.evidence} workbook items",
                "rating": "direct rating",
                "children": "sub-elements",
            }.get(es.source or "", "—")
            out.append(
                f"| {ps.process.short} | {indent}{_cell(es.element.label.get(lang))} | "
                f"{score_text(es.score)} | {basis} |"
            )
    out += ["", f"## Top gaps ({min(top, len(a.gaps))} of {len(a.gaps)})", ""]
    if a.gaps:
        out += [
            "| # | Process | Element | What is missing | crmkit capabilities |",
            "|---|---|---|---|---|",
        ]
        for n, gap in enumerate(a.top_gaps(top), start=1):
            shown = [f"`{c.path}`" for c in gap.capabilities[:capabilities]]
            caps = ", ".join(shown + more_capabilities(gap, capabilities)) or "—"
            out.append(
                f"| {n} | {gap.process.short} | {_cell(gap.element.label.get(lang))} | "
                f"{_cell(gap.missing)} | {caps} |"
            )
    else:
        out.append("No gaps found.")
    if a.same_standard is not None:
        out += [
            "",
            "## Channel integration",
            "",
            f"**Same standard on every channel:** "
            f"{'yes' if a.same_standard.passes else 'no'} — {_cell(a.same_standard.reason)}",
            "",
        ]
        out += [f"- {_cell(g.describe())}" for g in a.channel_gaps]
    missing = a.not_assessed()
    if missing:
        out += [
            "",
            "## Not assessed",
            "",
            "These elements have no workbook evidence; rate them directly (0–5):",
            "",
        ]
        out += [f"- {_cell(e.label.get(lang))} (`{e.key}`)" for e in missing]
    return "\n".join(out).rstrip() + "\n"
