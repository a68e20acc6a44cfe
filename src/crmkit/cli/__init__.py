"""The ``crmkit`` command.

Subcommands: ``demo`` (the synthetic-company walk-through), ``version``, the data commands
``dataset``, ``import``, ``export``, ``rfm`` and ``segment``, the model commands ``clv fit``,
``clv predict`` and ``score leads`` (model files: :mod:`crmkit.cli.model_commands`) and the
strategy commands ``workbook`` and ``assess``. Data commands use the SQLite store ``crm.db`` in
the current folder unless ``--store URL`` names another. The public modules are this package,
:mod:`crmkit.cli.guard`, :mod:`crmkit.cli.model_commands` and :mod:`crmkit.cli.lead_model`;
the others are internal (named ``_*.py``).

Errors are messages, not tracebacks: every user error prints ``crmkit: <what and where>`` to
standard error and exits with 2 (see :mod:`crmkit.cli.guard`); ``--debug`` (or
``CRMKIT_DEBUG=1``) shows the traceback.

Examples:
    >>> from crmkit.cli import main
    >>> main(["version"])
    crmkit 0.1.0
    0
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn, cast

from crmkit import __version__
from crmkit.cli.guard import USER_ERROR, run_guarded

__all__ = ["build_parser", "main"]


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors read ``crmkit: <command>: <problem>``."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix("crmkit").strip()
        where = f"{command}: " if command else ""
        self.exit(USER_ERROR, f"crmkit: {where}{message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``crmkit`` command.

    Examples:
        >>> from crmkit.cli import build_parser
        >>> build_parser().parse_args(["demo", "--accounts", "50"]).accounts
        50
    """
    from crmkit.cli import _data_commands, _strategy_commands, model_commands
    from crmkit.cli._demo import SECTIONS

    parser = _Parser(
        prog="crmkit",
        description="CRM domain modelling from the shell: import and export HubSpot, "
        "Salesforce and crmkit files, segment customers, fit and apply lifetime-value and "
        "lead-scoring models, assess a CRM strategy, and a demo of everything.",
        epilog="Data commands use the SQLite store crm.db in the current folder unless --store "
        "names another. Errors print 'crmkit: ...' and exit with 2.",
    )
    parser.add_argument("--version", action="version", version=f"crmkit {__version__}")
    parser.add_argument(
        "--debug",
        action="store_true",
        help="show the traceback of an error (also: environment variable CRMKIT_DEBUG=1)",
    )
    sub = cast(
        "argparse._SubParsersAction[argparse.ArgumentParser]",
        parser.add_subparsers(dest="command", required=True, metavar="COMMAND"),
    )

    demo = sub.add_parser(
        "demo",
        help="build a synthetic CRM and show every capability",
        description="Build a synthetic B2B company and run each demo section on it.",
    )
    demo.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    demo.add_argument("--accounts", type=int, default=2000, help="number of accounts")
    demo.add_argument(
        "--output", type=Path, default=Path("demo-output"), help="folder for files it writes"
    )
    demo.add_argument(
        "--only",
        action="append",
        default=[],
        choices=SECTIONS,
        metavar="SECTION",
        help=f"run only this section (repeatable): {', '.join(SECTIONS)}",
    )
    demo.add_argument("--plain", action="store_true", help="plain text instead of rich tables")

    sub.add_parser("version", help="print crmkit's version", description="Print the version.")

    _data_commands.add_parsers(sub)
    model_commands.add_parsers(sub)
    _strategy_commands.add_parsers(sub)
    return parser


def _run(args: argparse.Namespace) -> int:
    if args.command == "version":
        print(f"crmkit {__version__}")
        return 0
    if args.command == "demo":
        from crmkit.cli._demo import run_demo

        run_demo(
            seed=args.seed,
            n_accounts=args.accounts,
            output_dir=args.output,
            only=args.only,
            plain=args.plain,
        )
        return 0
    result: int = args.handler(args)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``crmkit`` command; returns the exit status (0 success, 2 a user error with a
    ``crmkit: ...`` message on standard error, 1 a bug in crmkit).

    Examples:
        >>> import contextlib, io
        >>> from crmkit.cli import main
        >>> err = io.StringIO()
        >>> with contextlib.redirect_stderr(err):
        ...     code = main(["assess", "no-such-workbook.json"])
        >>> code, err.getvalue()
        (2, 'crmkit: no-such-workbook.json: file not found\\n')
    """
    words = list(sys.argv[1:] if argv is None else argv)
    return run_guarded(lambda: _parse_and_run(words), debug="--debug" in words)


def _parse_and_run(argv: list[str]) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error (already printed)
        return exc.code if isinstance(exc.code, int) else USER_ERROR
    return _run(args)
