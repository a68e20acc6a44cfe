"""A mkdocs hook that renders the client-report screenshots of the strategy-assessment guide.

At build time it assesses a small, fixed workshop (:func:`sample_answers`), renders the Swedish
client report with :func:`crmkit.report.client_report_html` and photographs it in headless
Chromium (:func:`crmkit.report._pdf.html_to_png`): the cover and executive summary, and the
recommendations with the roadmap. The images become
``guides/strategy-assessment/report-*.png`` in the built site, so they always show what the
report looks like today, and nothing is committed. Configured in ``mkdocs.yml`` under
``hooks``.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

TARGET = "guides/strategy-assessment"
#: CSS that hides the sections above the recommendations (for the second screenshot)
_FROM_RECOMMENDATIONS = (
    "<style>.cover, .summary, .scores, .progress { display: none !important; }</style></head>"
)


def sample_answers() -> Any:
    """A fixed, partly filled-in workbook of an invented company."""
    from crmkit.strategy import WorkbookAnswers

    wb = WorkbookAnswers(
        company="Nordvik AB",
        date=dt.date(2026, 3, 2),
        participants=["Anna Berg", "Olof Lind", "Maria Sund"],
        lang="sv",
    )
    values: dict[str, Any] = {}
    for n, item in enumerate(wb.workbook.items):
        kind = item.answer_type.value
        if kind in ("yes_no", "check"):
            values[item.id] = n % 3 != 0
        elif kind == "channel_it" and n % 3 == 0:
            level = ("integrated", "stand_alone", "none")[n % 4 % 3]
            values[item.id] = {"used": True, "it_support": level}
    wb.fill(values)
    return wb


def render_screenshots() -> dict[str, bytes]:
    """name → PNG bytes of the two screenshots."""
    from crmkit.report import client_report_html
    from crmkit.report._pdf import html_to_png
    from crmkit.strategy import assess

    page = client_report_html(assess(sample_answers()), lang="sv", assessor="Eva Konsult")
    shots = {
        "report-summary.png": page,
        "report-roadmap.png": page.replace("</head>", _FROM_RECOMMENDATIONS, 1),
    }
    with tempfile.TemporaryDirectory(prefix="crmkit-shots-") as work:
        return {
            name: html_to_png(html, Path(work) / name, width=1000, height=1250).read_bytes()
            for name, html in shots.items()
        }


def on_files(files: Any, config: Any) -> Any:
    """mkdocs event: add the rendered screenshots to the site's files."""
    from mkdocs.structure.files import File

    for name, png in render_screenshots().items():
        files.append(File.generated(config, f"{TARGET}/{name}", content=png))
    return files
