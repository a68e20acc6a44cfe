"""Readable renderings of crmkit results: Markdown and standalone HTML with SVG charts.

The client report (:func:`client_report_html`, :mod:`crmkit.report.client`) is the strategy
assessment as a deliverable in English, Swedish or Norwegian, printable to PDF with
:func:`crmkit.report.pdf.html_to_pdf`; it needs ``pip install 'crmkit[report]'``.

Examples:
    >>> from crmkit.strategy import assess
    >>> from crmkit.report import assessment_markdown
    >>> "Weakest process" in assessment_markdown(assess(ratings={"value_creation": 1}))
    True
"""

from crmkit.report.client import client_report_html, recommendations, roadmap
from crmkit.report.html import assessment_html
from crmkit.report.markdown import (
    assessment_markdown,
    more_capabilities,
    process_name,
    score_text,
)
from crmkit.report.pdf import html_to_pdf
from crmkit.report.radar import RADAR_FILL, RADAR_STROKE, radar_svg

__all__ = [
    "RADAR_FILL",
    "RADAR_STROKE",
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
