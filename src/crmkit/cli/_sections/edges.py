"""Demo section: numerical edges — the UTC-day rule and exact ABC boundaries.

An order placed at 01:30 on New Year's Day in Oslo (UTC+2) is 23:30 on New Year's Eve in UTC,
so on a report as of 31 December it counts as bought that day (every engine counts aware
times by their UTC calendar day). A customer whose cumulative revenue share is exactly 80 %
is an A customer, although ``0.7 + 0.1`` in floating point is ``0.7999999999999999``: ABC
boundaries are decided in exact arithmetic.

Examples:
    >>> from pathlib import Path
    >>> from crmkit.cli._console import Console
    >>> from crmkit.cli._context import DemoContext
    >>> from crmkit.cli._sections.edges import render
    >>> render(DemoContext(None, Console(plain=True), Path(".")))  # doctest: +ELLIPSIS
    <BLANKLINE>
    == Numerical edges ==
    UTC-day rule: ... recency 0 days ...
    Exact boundaries: ... class A ...
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import TYPE_CHECKING

from crmkit.segmentation import abc_classes, rfm

if TYPE_CHECKING:
    from crmkit.cli._context import DemoContext

__all__ = ["render"]


def render(ctx: DemoContext) -> None:
    """Print one line per rule.

    Examples:
        >>> from crmkit.cli._sections.edges import render
        >>> callable(render)
        True
    """
    console = ctx.console
    console.heading("Numerical edges")
    oslo = timezone(timedelta(hours=2))
    placed = datetime(2026, 1, 1, 1, 30, tzinfo=oslo)
    as_of = date(2025, 12, 31)
    rows = rfm(
        [
            {"account_id": "late-night", "ordered_at": placed, "total": 100},
            {"account_id": "summer", "ordered_at": datetime(2025, 6, 1, tzinfo=UTC), "total": 50},
        ],
        as_of=as_of,
    )
    late = next(r for r in rows if r.customer_id == "late-night")
    console.text(
        f"UTC-day rule: an order at {placed.isoformat()} is {placed.astimezone(UTC):%Y-%m-%d %H:%M} "
        f"UTC, so RFM as of {as_of} gives recency {late.recency_days} days (bought that day)."
    )
    values = {"a": 0.7, "b": 0.1, "c": 0.08, "d": 0.07, "e": 0.05}
    abc = abc_classes([{"account_id": k, "total": v} for k, v in values.items()])
    b = next(r for r in abc if r.customer_id == "b")
    console.text(
        f"Exact boundaries: revenue shares {list(values.values())}; customer b brings the "
        f"cumulative share to exactly {b.cumulative_share:g} (0.7 + 0.1 = {0.7 + 0.1!r} in "
        f"floating point) and is class {b.abc_class} (A up to and including 80 %)."
    )
