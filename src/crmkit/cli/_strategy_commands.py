"""The strategy subcommands of ``crmkit``: ``workbook template`` and ``assess``.

``crmkit workbook template --lang sv > wb.json`` prints an empty CRM strategy workbook as JSON;
``crmkit workbook template --format xlsx --lang nb --output wb.xlsx`` writes it as a
spreadsheet. Fill it in and run ``crmkit assess wb.xlsx --lang sv --html report.html --pdf
report.pdf`` for the client report; ``--baseline earlier.xlsx`` adds the progress since an
earlier assessment and ``--unanswered skip`` leaves unanswered questions out of the scores.
What the commands print follows ``--lang`` (sv, nb, en), from the client report's translation
catalogues (:mod:`crmkit.report._i18n`).

Examples:
    >>> import argparse
    >>> from crmkit.cli._strategy_commands import add_parsers
    >>> parser = argparse.ArgumentParser(prog="crmkit")
    >>> add_parsers(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["assess", "wb.json", "--html", "r.html"])
    >>> args.workbook.name, args.html.name
    ('wb.json', 'r.html')
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from crmkit.cli._common import count
from crmkit.errors import ValidationError

__all__ = ["add_parsers", "run_assess", "run_workbook_template"]


def run_workbook_template(args: argparse.Namespace) -> int:
    """Print the empty workbook as JSON in ``args.lang``, or write it as .xlsx to
    ``args.output`` (``--format xlsx``).

    Examples:
        >>> import argparse, io, contextlib
        >>> from crmkit.cli._strategy_commands import run_workbook_template
        >>> buf = io.StringIO()
        >>> with contextlib.redirect_stdout(buf):
        ...     code = run_workbook_template(argparse.Namespace(lang="sv"))
        >>> code, '"Situationsanalys"' in buf.getvalue()
        (0, True)
    """
    from crmkit.report._i18n import catalogue
    from crmkit.strategy import template

    t = catalogue(args.lang)
    fmt = getattr(args, "format", "json")
    output = getattr(args, "output", None)
    if fmt == "xlsx":
        from crmkit.strategy.xlsx import write_workbook_xlsx

        if output is None:
            raise ValidationError.single("--output", None, "is needed for --format xlsx")
        write_workbook_xlsx(output, lang=args.lang)
        print(t.text("cli.workbook", path=output))
        return 0
    text = json.dumps(template(args.lang), ensure_ascii=False, indent=2)
    if output is not None:
        from crmkit.adapters.files.output import write_output

        write_output(output, text + "\n")
        print(t.text("cli.workbook", path=output))
    else:
        print(text)
    return 0


def _ratings(pairs: list[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        try:
            if not sep:
                raise ValueError
            out[key.strip()] = float(value)
        except ValueError:
            raise ValidationError.single(
                "--rate", pair, "must look like element_or_process=score, e.g. standards=2"
            ) from None
    return out


def _load(path: Path) -> tuple[Any, dict[str, float], str]:
    """Answers, ratings and assessor of a JSON or .xlsx workbook."""
    from crmkit.strategy import WorkbookAnswers

    if path.suffix.lower() == ".xlsx":
        from crmkit.strategy.xlsx import read_workbook_xlsx

        filled = read_workbook_xlsx(path)
        return filled.answers, dict(filled.ratings), filled.assessor
    return WorkbookAnswers.load(path), {}, ""


def run_assess(args: argparse.Namespace) -> int:
    """Assess a filled-in workbook; print a summary in ``args.lang`` and write the requested
    reports.

    Examples:
        >>> import argparse, tempfile, pathlib
        >>> from crmkit.strategy import WorkbookAnswers
        >>> from crmkit.cli._strategy_commands import run_assess
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> wb = WorkbookAnswers(company="Acme")
        >>> wb.fill({i.id: True for i in wb.workbook.section("S04").items})
        >>> wb.save(folder / "wb.json")
        >>> run_assess(argparse.Namespace(workbook=folder / "wb.json", html=folder / "r.html",
        ...            markdown=None, lang="en", rate=[], top=3, pdf=None, baseline=None,
        ...            unanswered="zero", assessor="", progress_json=None))
        ... # doctest: +ELLIPSIS
        Assessment of Acme
        ...
        0
        >>> (folder / "r.html").read_text().startswith("<!DOCTYPE html>")
        True
        >>> run_assess(argparse.Namespace(workbook=folder / "wb.json", html=None, top=1,
        ...            markdown=None, lang="nb", rate=[], pdf=None, baseline=None,
        ...            unanswered="zero", assessor="", progress_json=None))
        ... # doctest: +ELLIPSIS
        Vurdering av Acme
        Situasjonsanalyse: 16/16 ja
        ...
        Samlet: ...
        0
    """
    from crmkit.adapters.files.output import write_output
    from crmkit.report import assessment_markdown, client_report_html, process_name, score_text
    from crmkit.report._i18n import catalogue, label_language
    from crmkit.report._markdown import gap_text
    from crmkit.strategy import ScoringRule, assess, compare_assessments

    rule = ScoringRule(unanswered=getattr(args, "unanswered", "zero"))
    answers, ratings, assessor = _load(args.workbook)
    result = assess(answers, ratings={**ratings, **_ratings(args.rate or [])}, rule=rule)
    baseline = None
    inputs = [args.workbook]
    if getattr(args, "baseline", None) is not None:
        before, before_ratings, _ = _load(args.baseline)
        baseline = assess(before, ratings=before_ratings, rule=rule)
        inputs.append(args.baseline)
    assessor = getattr(args, "assessor", "") or assessor
    lang = args.lang
    t = catalogue(lang)
    # the report files are written first, so a closed pipe on standard output cannot stop them
    written = []
    page = None
    if args.html is not None or getattr(args, "pdf", None) is not None:
        page = client_report_html(result, lang=args.lang, assessor=assessor, baseline=baseline)
    if args.html is not None and page is not None:
        write_output(args.html, page, inputs=inputs)
        written.append(t.text("cli.html", path=args.html))
    if getattr(args, "pdf", None) is not None and page is not None:
        from crmkit.report import html_to_pdf

        written.append(t.text("cli.pdf", path=html_to_pdf(page, args.pdf)))
    if args.markdown is not None:
        write_output(args.markdown, assessment_markdown(result, lang=lang), inputs=inputs)
        written.append(t.text("cli.markdown", path=args.markdown))
    if getattr(args, "progress_json", None) is not None:
        if baseline is None:
            raise ValidationError.single("--progress-json", None, "needs --baseline")
        data = compare_assessments(baseline, result).to_dict()
        write_output(args.progress_json, json.dumps(data, indent=2), inputs=inputs)
        written.append(t.text("cli.progress", path=args.progress_json))
    print(t.text("cli.assessment_of", company=result.company or args.workbook.name))
    situation = t.text("md.situation_value", score=result.situation)
    print(f"{t.text('md.situation')}: {situation}")
    names = [(ps, process_name(ps.process, lang)) for ps in result.processes]
    width = max(len(name) for _, name in names)
    for ps, name in names:
        print(f"  {ps.process.number} {name:<{width}} {score_text(ps.score, lang)}")
    print(t.text("cli.overall", score=score_text(result.overall, lang)))
    if result.weakest_process is not None:
        print(f"{t.text('md.weakest')}: {process_name(result.weakest_process, lang)}")
    for n, gap in enumerate(result.top_gaps(args.top), start=1):
        line = t.text(
            "cli.gap",
            n=n,
            area=gap.element.label.get(label_language(lang)),
            missing=gap_text(gap, lang),
            capabilities=", ".join(c.path for c in gap.capabilities) or "-",
        )
        print(f"  {line}")
    for line in written:
        print(line)
    return 0


def add_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``workbook`` and ``assess`` to the ``crmkit`` command's sub-parsers.

    Each parser sets ``handler`` (a function taking the parsed args, returning the exit code).
    """
    wb = subparsers.add_parser(
        "workbook", help="the CRM strategy workbook (Pyramid's Ramverk för CRM-strategi)"
    )
    wb_sub = wb.add_subparsers(dest="workbook_command", required=True, metavar="{template}")
    tpl = wb_sub.add_parser("template", help="an empty workbook as JSON or a spreadsheet")
    tpl.add_argument("--lang", choices=["sv", "nb", "en"], default="en", help="language")
    tpl.add_argument(
        "--format", choices=["json", "xlsx"], default="json", help="JSON (default) or xlsx"
    )
    tpl.add_argument(
        "--output", type=Path, default=None, help="write here (needed for xlsx; JSON: stdout)"
    )
    tpl.set_defaults(handler=run_workbook_template)

    assess_p = subparsers.add_parser("assess", help="score a filled-in workbook (0-5)")
    assess_p.add_argument(
        "workbook", type=Path, help="filled-in workbook, .json or .xlsx (from workbook template)"
    )
    assess_p.add_argument(
        "--html", type=Path, default=None, help="write the client report (HTML) here"
    )
    assess_p.add_argument(
        "--pdf", type=Path, default=None, help="print the client report to PDF (Chromium)"
    )
    assess_p.add_argument("--markdown", type=Path, default=None, help="write Markdown here")
    assess_p.add_argument(
        "--lang", choices=["en", "sv", "nb", "no"], default="en", help="report language"
    )
    assess_p.add_argument(
        "--unanswered",
        choices=["zero", "skip"],
        default="zero",
        help="unanswered questions count as no (zero, default) or are left out (skip)",
    )
    assess_p.add_argument("--assessor", default="", help="who assessed (the report's cover)")
    assess_p.add_argument(
        "--baseline", type=Path, default=None, help="an earlier workbook of the same company"
    )
    assess_p.add_argument(
        "--progress-json", type=Path, default=None, help="write the comparison with --baseline"
    )
    assess_p.add_argument(
        "--rate",
        action="append",
        default=[],
        metavar="KEY=SCORE",
        help="direct rating 0-5 of an element or process (repeatable), e.g. standards=2",
    )
    assess_p.add_argument("--top", type=count, default=10, help="gaps to print (default 10)")
    assess_p.set_defaults(handler=run_assess)
