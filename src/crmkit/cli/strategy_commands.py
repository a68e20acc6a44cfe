"""The strategy subcommands of ``crmkit``: ``workbook template`` and ``assess``.

``crmkit workbook template --lang sv > wb.json`` prints an empty CRM strategy workbook as JSON;
fill in the ``answer`` fields and run ``crmkit assess wb.json --html report.html``.

Examples:
    >>> import argparse
    >>> from crmkit.cli.strategy_commands import add_parsers
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

from crmkit.cli.common import count
from crmkit.errors import ValidationError

__all__ = ["add_parsers", "run_assess", "run_workbook_template"]


def run_workbook_template(args: argparse.Namespace) -> int:
    """Print the empty workbook as JSON in ``args.lang``.

    Examples:
        >>> import argparse, io, contextlib
        >>> from crmkit.cli.strategy_commands import run_workbook_template
        >>> buf = io.StringIO()
        >>> with contextlib.redirect_stdout(buf):
        ...     code = run_workbook_template(argparse.Namespace(lang="sv"))
        >>> code, '"Situationsanalys"' in buf.getvalue()
        (0, True)
    """
    from crmkit.strategy import template

    print(json.dumps(template(args.lang), ensure_ascii=False, indent=2))
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


def run_assess(args: argparse.Namespace) -> int:
    """Assess a filled-in workbook; print a summary and write the requested reports.

    Examples:
        >>> import argparse, tempfile, pathlib
        >>> from crmkit.strategy import WorkbookAnswers
        >>> from crmkit.cli.strategy_commands import run_assess
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> wb = WorkbookAnswers(company="Acme")
        >>> wb.fill({i.id: True for i in wb.workbook.section("S04").items})
        >>> wb.save(folder / "wb.json")
        >>> run_assess(argparse.Namespace(workbook=folder / "wb.json", html=folder / "r.html",
        ...            markdown=None, lang="en", rate=[], top=3))  # doctest: +ELLIPSIS
        Assessment of Acme
        ...
        0
        >>> (folder / "r.html").read_text().startswith("<!DOCTYPE html>")
        True
    """
    from crmkit.adapters.files.output import write_output
    from crmkit.report import assessment_html, assessment_markdown, process_name, score_text
    from crmkit.strategy import WorkbookAnswers, assess

    answers = WorkbookAnswers.load(args.workbook)
    result = assess(answers, ratings=_ratings(args.rate or []))
    # the report files are written first, so a closed pipe on standard output cannot stop them
    written = []
    for option, render in (("html", assessment_html), ("markdown", assessment_markdown)):
        target = getattr(args, option)
        if target is not None:
            write_output(target, render(result, lang=args.lang), inputs=[args.workbook])
            written.append(f"{'HTML' if option == 'html' else 'Markdown'} report: {target}")
    print(f"Assessment of {result.company or args.workbook.name}")
    print(f"Situation analysis: {result.situation} yes")
    for ps in result.processes:
        print(f"  {ps.process.number} {process_name(ps.process):<26} {score_text(ps.score)}")
    print(f"Overall: {score_text(result.overall)}")
    if result.weakest_process is not None:
        print(f"Weakest process: {process_name(result.weakest_process)}")
    for n, gap in enumerate(result.top_gaps(args.top), start=1):
        caps = ", ".join(c.path for c in gap.capabilities) or "-"
        print(f"  gap {n}: [{gap.process.short}] {gap.missing} -> {caps}")
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
    tpl = wb_sub.add_parser("template", help="print an empty workbook as JSON")
    tpl.add_argument("--lang", choices=["sv", "en"], default="en", help="prompt language")
    tpl.set_defaults(handler=run_workbook_template)

    assess_p = subparsers.add_parser("assess", help="score a filled-in workbook (0-5)")
    assess_p.add_argument("workbook", type=Path, help="workbook JSON (from workbook template)")
    assess_p.add_argument("--html", type=Path, default=None, help="write an HTML report here")
    assess_p.add_argument("--markdown", type=Path, default=None, help="write Markdown here")
    assess_p.add_argument(
        "--lang", choices=["en", "sv", "no"], default="en", help="language of names in reports"
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
