"""Readable renderings of crmkit results: Markdown and standalone HTML with SVG charts.

The client report (:func:`client_report_html`, prioritised by :func:`recommendations` and
:func:`roadmap` with the effort table :data:`EFFORT`) is the strategy assessment as a
deliverable in English, Swedish or Norwegian, printable to PDF with :func:`html_to_pdf` (which
raises :class:`~crmkit.errors.ChromiumError` without a browser); it needs
``pip install 'crmkit[report]'``. This package is the public surface: its modules are internal
(named ``_*.py``).

Examples:
    >>> from crmkit.strategy import assess
    >>> from crmkit.report import assessment_markdown
    >>> "Weakest process" in assessment_markdown(assess(ratings={"value_creation": 1}))
    True
"""

from crmkit.errors import ChromiumError
from crmkit.report._client import (
    EFFORT,
    Recommendation,
    client_report_html,
    recommendations,
    roadmap,
)
from crmkit.report._html import assessment_html
from crmkit.report._markdown import (
    assessment_markdown,
    more_capabilities,
    process_name,
    score_text,
)
from crmkit.report._pdf import html_to_pdf
from crmkit.report._radar import RADAR_FILL, RADAR_STROKE, radar_svg

__all__ = [
    "EFFORT",
    "RADAR_FILL",
    "RADAR_STROKE",
    "ChromiumError",
    "Recommendation",
    "assessment_html",
    "assessment_markdown",
    "client_report_html",
    "html_to_pdf",
    "more_capabilities",
    "process_name",
    "radar_svg",
    "recommendations",
    "roadmap",
    "score_text",
]
