"""docs/reference/cli.md is generated from the argument parsers and must be current."""

from __future__ import annotations

from pathlib import Path

from crmkit.cli._reference import commands, render_reference

PAGE = Path(__file__).resolve().parents[2] / "docs" / "reference" / "cli.md"


def test_committed_cli_reference_is_current() -> None:
    assert PAGE.read_text(encoding="utf-8") == render_reference(), (
        "docs/reference/cli.md is stale; regenerate it with "
        "`python -m crmkit.cli._reference docs/reference/cli.md`"
    )


def test_reference_covers_every_command_and_its_choices() -> None:
    names = [name for name, _ in commands()]
    for command in (
        "crmkit import",
        "crmkit export",
        "crmkit rfm",
        "crmkit segment",
        "crmkit clv fit",
        "crmkit clv predict",
        "crmkit score leads",
        "crmkit dataset",
        "crmkit demo",
        "crmkit assess",
        "crmkit workbook template",
    ):
        assert command in names
    page = render_reference()
    assert "{crmkit,hubspot,salesforce}" in page
    assert "{rfm,abc,status}" in page
    demo_help = dict(commands())["crmkit demo"]
    for section in (
        "dataset",
        "storage",
        "segments",
        "leads",
        "lifetime_value",
        "survey",
        "assessment",
    ):
        assert section in demo_help
