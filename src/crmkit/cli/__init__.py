"""The ``crmkit`` command.

Subcommands: ``demo`` (the synthetic-company walk-through), ``version``, and the strategy
commands ``workbook`` and ``assess``.

Examples:
    >>> from crmkit.cli import main
    >>> main(["version"])
    crmkit 0.1.0
    0
"""

from __future__ import annotations

import argparse
import importlib.util
from collections.abc import Sequence
from pathlib import Path

from crmkit import __version__
from crmkit.errors import CrmkitError

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``crmkit`` command.

    Examples:
        >>> from crmkit.cli import build_parser
        >>> build_parser().parse_args(["demo", "--accounts", "50"]).accounts
        50
    """
    parser = argparse.ArgumentParser(
        prog="crmkit", description="CRM domain modelling: demo, strategy workbook, assessment."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="build a synthetic CRM and show every capability")
    demo.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    demo.add_argument("--accounts", type=int, default=2000, help="number of accounts")
    demo.add_argument(
        "--output", type=Path, default=Path("demo-output"), help="folder for files it writes"
    )
    demo.add_argument("--only", action="append", default=[], help="run only this section")
    demo.add_argument("--plain", action="store_true", help="plain text instead of rich tables")

    sub.add_parser("version", help="print crmkit's version")

    if importlib.util.find_spec("crmkit.cli.strategy_commands") is not None:
        from crmkit.cli import strategy_commands

        strategy_commands.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``crmkit`` command; returns the exit status (errors print a clear message).

    Examples:
        >>> from crmkit.cli import main
        >>> main(["demo", "--only", "nope", "--plain"])
        crmkit: unknown demo section 'nope'; sections: dataset, storage, segments, leads, lifetime_value, survey, assessment
        2
    """
    args = build_parser().parse_args(argv)
    try:
        if args.command == "version":
            print(f"crmkit {__version__}")
            return 0
        if args.command == "demo":
            from crmkit.cli.demo import run_demo

            run_demo(
                seed=args.seed,
                n_accounts=args.accounts,
                output_dir=args.output,
                only=args.only,
                plain=args.plain,
            )
            return 0
        handler = getattr(args, "handler", None)
        if handler is None:  # pragma: no cover - argparse requires a command
            return 2
        result: int = handler(args)
        return result
    except CrmkitError as exc:
        print(f"crmkit: {exc}")
        return 2
