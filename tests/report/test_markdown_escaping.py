"""The Markdown report shows what users typed as text: no HTML, links, emphasis, table cells
or new blocks can be smuggled in through a company name (issue #11)."""

from __future__ import annotations

import pytest

from crmkit.report import assessment_markdown
from crmkit.report._markdown import markdown_text
from crmkit.strategy import WorkbookAnswers, assess

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "Acme | injected | cells",
    "[click](javascript:alert(1))",
    "![pixel](http://e.vil/p.png)",
    "**bold** _it_ ~~gone~~ `code`",
    "Acme\n# New heading\n- list item",
    "Acme\r\n\r\n<div>",
    "&lt;already escaped&gt; &amp;",
    "back\\slash\\",
]


def _report(company: str) -> str:
    wb = WorkbookAnswers(company=company)
    wb.fill({"s04.market_leader": True})
    return assessment_markdown(assess(wb))


@pytest.mark.parametrize("company", HOSTILE)
def test_company_line_is_one_literal_line(company: str) -> None:
    md = _report(company)
    line = next(line for line in md.splitlines() if line.startswith("**Company:**"))
    assert line == f"**Company:** {markdown_text(company)}"
    assert "<" not in line
    assert "\n" not in markdown_text(company)
    # no other line of the report starts with what the user typed
    assert not any(
        line.startswith(("# New heading", "- list item", "<div>")) for line in md.splitlines()
    )


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_text_has_no_unescaped_markdown_syntax(text: str) -> None:
    out = markdown_text(text)
    i = 0
    while i < len(out):
        if out[i] == "\\":
            assert i + 1 < len(out), out
            assert out[i + 1] in "\\`*_[]|~", out
            i += 2
            continue
        assert out[i] not in "`*_[]|~<>", out
        i += 1


def test_table_rows_keep_their_cell_count() -> None:
    md = assessment_markdown(assess(ratings={"value_creation": 2}))
    rows = [r for r in md.splitlines() if r.startswith("| ") and "Process | Element" not in r]
    for row in rows:
        body = row.replace("\\|", "")
        assert body.count("|") in (3, 5, 6), row


def test_plain_text_is_unchanged() -> None:
    for text in (
        "Acme AB",
        "E-commerce (No IT support)",
        "Åhléns och Co",
        "3.5 / 5",
        "customers' lifetime value",
    ):
        assert markdown_text(text) == text
