"""Render a strategy assessment as Markdown.

Examples:
    >>> from crmkit.strategy import assess
    >>> from crmkit.report._markdown import assessment_markdown
    >>> md = assessment_markdown(assess(ratings={"value_creation": 2, "standards": 1}))
    >>> print(md.splitlines()[0])
    # CRM strategy assessment
    >>> "| Value creation | 2.0 |" in md
    True
"""

from __future__ import annotations

from crmkit.report._i18n import Catalogue, catalogue, label_language, report_language
from crmkit.strategy import Assessment, ChannelGap, Gap, Process
from crmkit.strategy.workbook import ItSupport, workbook

__all__ = [
    "assessment_markdown",
    "channel_gap_text",
    "gap_text",
    "markdown_text",
    "more_capabilities",
    "page_languages",
    "process_name",
    "same_standard_reason",
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
    """The process's short display name ("Value creation"); ``lang`` is ``"en"``, ``"sv"`` or
    ``"nb"`` (``"no"``).

    Examples:
        >>> from crmkit.strategy import Process
        >>> from crmkit.report._markdown import process_name
        >>> process_name(Process.VALUE_CREATION), process_name(Process.VALUE_CREATION, "sv")
        ('Value creation', 'Den värdeskapande processen')
    """
    label = process.label.get(label_language(lang))
    if report_language(lang) == "en":
        return label.removesuffix(" process")
    return label


def page_languages(lang: str) -> tuple[str, str, Catalogue]:
    """A report page's language code, its framework label code and its text catalogue.

    Examples:
        >>> from crmkit.report._markdown import page_languages
        >>> code, label_code, texts = page_languages("no")
        >>> code, label_code, texts.text("md.title")
        ('nb', 'no', 'Vurdering av CRM-strategi')
    """
    code = report_language(lang)
    return code, label_language(code), catalogue(code)


def score_text(score: float | None, lang: str = "en") -> str:
    """A score with one decimal (a decimal comma in Swedish and Norwegian), or "not assessed".

    Examples:
        >>> from crmkit.report._markdown import score_text
        >>> score_text(3.14159), score_text(None), score_text(2.5, "sv"), score_text(None, "nb")
        ('3.1', 'not assessed', '2,5', 'ikke vurdert')
    """
    code = report_language(lang)
    if score is None:
        return catalogue(code).text("scores.not_assessed")
    text = f"{score:.1f}"
    return text if code == "en" else text.replace(".", ",")


def markdown_text(text: str) -> str:
    """``text`` as literal Markdown inline text: what a user typed (a company name, an answer)
    cannot add emphasis, links, HTML, table cells or new blocks to a report.

    Markdown syntax characters get a backslash, ``& < >`` become HTML entities and line breaks
    become spaces (so a value cannot start a heading or a list).

    Examples:
        >>> from crmkit.report._markdown import markdown_text
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


def more_capabilities(gap: Gap, shown: int, lang: str = "en") -> list[str]:
    """``["and N more"]`` when ``gap`` has more than ``shown`` capabilities, else ``[]``.

    Examples:
        >>> from crmkit.strategy import assess
        >>> from crmkit.report._markdown import more_capabilities
        >>> gap = assess(ratings={"customer_segment_lifetime_value": 0}).gaps[0]
        >>> more_capabilities(gap, 4) == [f"and {len(gap.capabilities) - 4} more"]
        True
        >>> more_capabilities(gap, len(gap.capabilities))
        []
    """
    extra = len(gap.capabilities) - max(shown, 0)
    return [catalogue(lang).text("md.more", n=extra)] if extra > 0 else []


_LEVELS = {
    ItSupport.NONE: "md.level.none",
    ItSupport.STAND_ALONE: "md.level.stand_alone",
    None: "md.level.unknown",
}


#: Gap kinds of a channel or IT-capability row (their text names the row and its IT support).
_GRID_KINDS = frozenset({"stand_alone", "no_it", "it_unknown"})


def gap_text(gap: Gap, lang: str = "en") -> str:
    """What a gap's item lacks, in ``lang`` (English: the assessment's own sentence).

    Like the English sentence, a question with a gap text of its own in the workbook
    (:meth:`~crmkit.strategy.workbook.Item.gap_in`) is reported with it; other items are named
    with their prompt and the finding.

    Examples:
        >>> from crmkit.strategy import WorkbookAnswers, assess
        >>> from crmkit.report._markdown import gap_text
        >>> gap = assess(ratings={"standards": 1}).gaps[0]
        >>> gap_text(gap), gap_text(gap, "sv")
        ('Standards rated 1/5', 'bedömd till 1,0/5')
        >>> wb = WorkbookAnswers()
        >>> wb.fill({"s04.know_lifetime_value": False, "s08.e_commerce": {"used": True}})
        >>> gaps = {g.item_id: g for g in assess(wb).gaps}
        >>> gap_text(gaps["s04.know_lifetime_value"], "nb")
        'kjenner ikke kundenes livstidsverdi'
        >>> gap_text(gaps["s08.e_commerce"], "nb")
        'Netthandel: IT-støtte ikke oppgitt'
    """
    lang = report_language(lang)
    if lang == "en":
        return gap.missing
    t = catalogue(lang)
    if gap.item_id is None:
        return t.text("finding.rated", score=score_text(gap.element_score, lang))
    item = workbook().item(gap.item_id)
    own = item.gap_in(lang)
    if own is not None and gap.kind not in _GRID_KINDS:
        return own
    return f"{item.text(lang)}: {t.text(f'finding.{gap.kind}')}"


def channel_gap_text(gap: ChannelGap, lang: str = "en") -> str:
    """A channel in use without integrated IT support, as a sentence in ``lang``.

    Examples:
        >>> from crmkit.strategy import ChannelGap
        >>> from crmkit.report._markdown import channel_gap_text
        >>> channel_gap_text(ChannelGap("s08.e_commerce", "E-commerce", None, None), "sv")
        'E-handel används utan integrerat IT-stöd (IT-stöd ej angivet)'
    """
    t = catalogue(lang)
    level = t.text(_LEVELS.get(gap.it_support, "md.level.unknown"))
    name = workbook().item(gap.item_id).text(report_language(lang))
    return t.text("md.channel_gap", channel=name, level=level)


def same_standard_reason(a: Assessment, lang: str = "en") -> str:
    """Why the same-standard-on-every-channel check passes or fails, in ``lang``.

    Examples:
        >>> from crmkit.strategy import assess
        >>> from crmkit.report._markdown import same_standard_reason
        >>> same_standard_reason(assess(ratings={"standards": 1}), "nb")
        'ingen kanal er merket som i bruk'
    """
    check = a.same_standard
    t = catalogue(lang)
    if check is None or check.channels_in_use == 0:
        return t.text("md.reason.no_channels")
    if check.integrated < check.channels_in_use:
        missing = check.channels_in_use - check.integrated
        return t.text("md.reason.not_integrated", missing=missing, total=check.channels_in_use)
    if check.consistent_answer is False:
        return t.text("md.reason.inconsistent")
    return t.text("md.reason.integrated")


def assessment_markdown(
    assessment: Assessment, *, lang: str = "en", top: int = 15, capabilities: int = 4
) -> str:
    """A Markdown report: scores per process and element, weakest process, top gaps, channels.

    Every text is in ``lang`` (``"en"``, ``"sv"`` or ``"nb"``; ``"no"`` is accepted), from the
    catalogues of :mod:`crmkit.report._i18n`.

    Args:
        assessment: the result of :func:`crmkit.strategy.assess`.
        lang: the report language.
        top: how many gaps to list.
        capabilities: how many crmkit capabilities to name per gap (the rest are counted).

    Examples:
        >>> from crmkit.strategy import assess
        >>> from crmkit.report._markdown import assessment_markdown
        >>> print(assessment_markdown(assess(ratings={"standards": 1}), lang="nb").splitlines()[0])
        # Vurdering av CRM-strategi
    """
    a = assessment
    lang, label_lang, t = page_languages(lang)

    def num(score: float | None) -> str:
        return score_text(score, lang)

    out = [f"# {t.text('md.title')}", ""]
    if a.company:
        out += [f"**{t.text('md.company')}:** {markdown_text(a.company)}", ""]
    out += [f"**{t.text('md.overall')}:** {num(a.overall)} / 5", ""]
    if a.weakest_process is not None:
        out += [f"**{t.text('md.weakest')}:** {_cell(process_name(a.weakest_process, lang))}", ""]
    if a.situation is not None:
        situation = t.text("md.situation_value", score=a.situation)
        out += [f"**{t.text('md.situation')}:** {situation}", ""]
    if a.completion is not None:
        out += [f"**{t.text('md.completion')}:** {a.completion:.0%}", ""]
    out += [
        f"## {t.text('md.process_scores')}",
        "",
        f"| {t.text('md.process')} | {t.text('md.score')} |",
        "|---|---|",
    ]
    for ps in a.processes:
        out.append(f"| {_cell(process_name(ps.process, lang))} | {num(ps.score)} |")
    out += [
        "",
        f"## {t.text('md.element_scores')}",
        "",
        f"| {t.text('md.process')} | {t.text('md.element')} | {t.text('md.score')} | "
        f"{t.text('md.based_on')} |",
        "|---|---|---|---|",
    ]
    for ps in a.processes:
        for es in ps.elements:
            indent = "\u2003" if es.element.parent else ""
            basis = {
                "workbook": t.text("md.basis_workbook", n=es.evidence),
                "rating": t.text("md.basis_rating"),
                "children": t.text("md.basis_children"),
            }.get(es.source or "", "—")
            out.append(
                f"| {ps.process.short} | {indent}{_cell(es.element.label.get(label_lang))} | "
                f"{num(es.score)} | {basis} |"
            )
    shown = min(top, len(a.gaps))
    out += ["", f"## {t.text('md.top_gaps', shown=shown, total=len(a.gaps))}", ""]
    if a.gaps:
        out += [
            f"| # | {t.text('md.process')} | {t.text('md.element')} | {t.text('md.missing')} | "
            f"{t.text('md.capabilities')} |",
            "|---|---|---|---|---|",
        ]
        for n, gap in enumerate(a.top_gaps(top), start=1):
            paths = [f"`{c.path}`" for c in gap.capabilities[:capabilities]]
            caps = ", ".join(paths + more_capabilities(gap, capabilities, lang)) or "—"
            out.append(
                f"| {n} | {gap.process.short} | {_cell(gap.element.label.get(label_lang))} | "
                f"{_cell(gap_text(gap, lang))} | {caps} |"
            )
    else:
        out.append(t.text("md.no_gaps"))
    if a.same_standard is not None:
        answer = t.text("md.yes" if a.same_standard.passes else "md.no")
        out += [
            "",
            f"## {t.text('md.channels')}",
            "",
            f"**{t.text('md.same_standard')}:** {answer} — {_cell(same_standard_reason(a, lang))}",
            "",
        ]
        out += [f"- {_cell(channel_gap_text(g, lang))}" for g in a.channel_gaps]
    missing = a.not_assessed()
    if missing:
        out += ["", f"## {t.text('md.not_assessed')}", "", t.text("md.not_assessed_intro"), ""]
        out += [f"- {_cell(e.label.get(label_lang))} (`{e.key}`)" for e in missing]
    return "\n".join(out).rstrip() + "\n"
