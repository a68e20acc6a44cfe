"""An inline SVG radar (spider) chart of the five Payne–Frow process scores.

The chart is plain SVG text with no external assets, so it can be embedded in an HTML page or
saved as a file. Unassessed processes are drawn at 0 and labelled "n/a".

Examples:
    >>> from crmkit.report._radar import radar_svg
    >>> svg = radar_svg({"Strategy": 4.0, "Value": 2.5, "Channels": 3.0, "Information": 1.0,
    ...                  "Performance": None})
    >>> svg.startswith("<svg") and 'class="radar-area"' in svg
    True
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from html import escape

from crmkit.errors import ValidationError

__all__ = ["RADAR_FILL", "RADAR_STROKE", "radar_svg"]

#: Fill colour of the score polygon (tests look for it in the rendered page).
RADAR_FILL = "#1f77b4"
#: Outline colour of the score polygon.
RADAR_STROKE = "#0b3c68"


def _point(cx: float, cy: float, r: float, i: int, n: int) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * i / n
    return cx + r * math.cos(angle), cy + r * math.sin(angle)


def radar_svg(
    scores: Mapping[str, float | None],
    *,
    maximum: float = 5.0,
    size: int = 400,
    title: str = "Process scores (0–5)",
    not_assessed: str = "n/a",
    scale: bool = False,
    decimal_comma: bool = False,
) -> str:
    """Draw ``scores`` (label → value 0–``maximum`` or ``None``) as an SVG radar chart.

    ``not_assessed`` labels a ``None`` score (pass it translated for another language);
    ``scale=True`` numbers the rings 1 … ``maximum`` along the first axis;
    ``decimal_comma=True`` writes scores as Swedish and Norwegian do (``2,5``).

    Examples:
        >>> from crmkit.report._radar import radar_svg
        >>> radar_svg({"a": 1, "b": 2})
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: scores: 2 a radar chart needs at least 3 axes
    """
    n = len(scores)
    if n < 3:
        raise ValidationError.single("scores", n, "a radar chart needs at least 3 axes")
    for label, value in scores.items():
        if value is not None and not 0 <= value <= maximum:
            raise ValidationError.single(f"scores.{label}", value, f"must be 0–{maximum:g}")
    width = int(size * 2)
    cx, cy = width / 2, size / 2
    radius = size / 2 - 50
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="radar" width="{width}" height="{size}" '
        f'viewBox="0 0 {width} {size}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{width}" height="{size}" fill="#ffffff"/>',
    ]
    for ring in range(1, int(maximum) + 1):
        pts = " ".join(
            f"{x:.1f},{y:.1f}"
            for x, y in (_point(cx, cy, radius * ring / maximum, i, n) for i in range(n))
        )
        parts.append(f'<polygon points="{pts}" fill="none" stroke="#d0d0d0" stroke-width="1"/>')
        if scale:
            sx, sy = _point(cx, cy, radius * ring / maximum, 0, n)
            parts.append(
                f'<text class="radar-scale" x="{sx + 4:.1f}" y="{sy + 4:.1f}" '
                f'font-family="sans-serif" font-size="10" fill="#777">{ring}</text>'
            )
    for i, (label, value) in enumerate(scores.items()):
        x, y = _point(cx, cy, radius, i, n)
        parts.append(
            f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="#b0b0b0"/>'
        )
        lx, ly = _point(cx, cy, radius + 18, i, n)
        ly += 5 if ly > cy else 0
        anchor = "middle" if abs(lx - cx) < 5 else ("start" if lx > cx else "end")
        shown = not_assessed if value is None else f"{value:.1f}"
        if decimal_comma and value is not None:
            shown = shown.replace(".", ",")
        parts.append(
            f'<text x="{lx:.1f}" y="{ly:.1f}" font-family="sans-serif" font-size="13" '
            f'text-anchor="{anchor}" fill="#222">{escape(label)} ({shown})</text>'
        )
    pts = " ".join(
        f"{x:.1f},{y:.1f}"
        for x, y in (
            _point(cx, cy, radius * (v or 0.0) / maximum, i, n)
            for i, v in enumerate(scores.values())
        )
    )
    parts.append(
        f'<polygon class="radar-area" points="{pts}" fill="{RADAR_FILL}" fill-opacity="1" '
        f'stroke="{RADAR_STROKE}" stroke-width="2"/>'
    )
    parts.append("</svg>")
    return "\n".join(parts)
