"""Readable renderings of crmkit results: Markdown and standalone HTML with SVG charts.

Examples:
    >>> from crmkit.strategy import assess
    >>> from crmkit.report import assessment_markdown
    >>> "Weakest process" in assessment_markdown(assess(ratings={"value_creation": 1}))
    True
"""

from crmkit.report.html import assessment_html
from crmkit.report.markdown import (
    assessment_markdown,
    more_capabilities,
    process_name,
    score_text,
)
from crmkit.report.radar import RADAR_FILL, RADAR_STROKE, radar_svg

__all__ = [
    "RADAR_FILL",
    "RADAR_STROKE",
    "assessment_html",
    "assessment_markdown",
    "more_capabilities",
    "process_name",
    "radar_svg",
    "score_text",
]
