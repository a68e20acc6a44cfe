"""Private modules by convention: ``crmkit.report`` is public through its ``__init__`` only."""

from __future__ import annotations

import pkgutil
import re
from pathlib import Path

import crmkit.errors
import crmkit.report
from crmkit.strategy import assess

ROOT = Path(__file__).resolve().parents[2]


def test_every_report_module_is_named_private() -> None:
    names = {info.name for info in pkgutil.iter_modules(crmkit.report.__path__)}
    assert names == {"_client", "_html", "_i18n", "_markdown", "_pdf", "_radar"}


def test_the_package_exports_every_name_the_guides_use() -> None:
    assert {"html_to_pdf", "EFFORT", "ChromiumError", "Recommendation"} <= set(
        crmkit.report.__all__
    )
    assert crmkit.report.ChromiumError is crmkit.errors.ChromiumError
    assert crmkit.report.EFFORT["standards"] == 1
    assert [
        r.element.key for r in crmkit.report.recommendations(assess(ratings={"standards": 1}))
    ] == ["standards"]


def test_no_page_names_a_report_or_cli_module_that_is_private() -> None:
    # the architecture page (for contributors) and maintainers' notes in HTML comments (how a
    # page is generated) may name one; pages for users name the public surface only
    docs = sorted((ROOT / "docs").rglob("*.md"))
    pages = [ROOT / "README.md", *(p for p in docs if p.name != "architecture.md")]
    pattern = re.compile(r"crmkit\.(?:report|cli)\._\w+")
    comment = re.compile(r"<!--.*?-->", flags=re.DOTALL)
    found = [
        f"{page.relative_to(ROOT)}: {match}"
        for page in pages
        for match in pattern.findall(comment.sub("", page.read_text(encoding="utf-8")))
    ]
    assert found == []
