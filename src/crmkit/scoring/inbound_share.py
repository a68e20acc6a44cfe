"""The inbound share: how much of the prospecting comes to you rather than being sought out.

The prospecting thesis "Hvordan kan tjenesteytende B2B-bedrifter bruke digitale CRM-systemer
til å optimalisere prospektering i salgsprosessen?" (2023) wants a shift from outbound to
inbound over time, while saying both are needed (reference: seed-001.md L180-L206, F17 at
L598). :func:`inbound_share` counts leads (or activities, or customers) by their
:class:`~crmkit.domain.Direction` — inbound or outbound — and :func:`inbound_share_trend`
follows the share over periods. Items marked ``both`` (a channel used either way) cannot be
attributed; they are counted apart and left out of the share.

Examples:
    >>> from crmkit.scoring import inbound_share, inbound_share_trend
    >>> inbound_share(["inbound"] * 6 + ["outbound"] * 4).share
    0.6
    >>> trend = inbound_share_trend({"2023": ["inbound", "outbound", "outbound"],
    ...                              "2024": ["inbound", "inbound", "outbound"]})
    >>> [round(s.share, 4) for s in trend.shares], trend.shifting_inbound
    ([0.3333, 0.6667], True)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from crmkit.display import ResultRow
from crmkit.domain import Direction
from crmkit.errors import ValidationError
from crmkit.frames import collect, from_native, is_frame, narwhals, read_field, require_columns

__all__ = ["InboundShare", "InboundTrend", "inbound_share", "inbound_share_trend"]


@attrs.frozen
class InboundShare(ResultRow):
    """Inbound and outbound counts and the inbound share (``nan`` when neither occurs).

    Examples:
        >>> from crmkit.scoring import InboundShare
        >>> InboundShare(3, 1, 2).share
        0.75
    """

    inbound: int
    outbound: int
    unattributed: int = 0
    label: str = ""

    @property
    def share(self) -> float:
        """``inbound / (inbound + outbound)``."""
        total = self.inbound + self.outbound
        return self.inbound / total if total else math.nan


def _direction(value: Any, where: str) -> Direction | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    raw = getattr(value, "value", value)
    try:
        return Direction(raw)
    except ValueError:
        raise ValidationError.single(where, raw, "must be inbound, outbound or both") from None


def inbound_share(items: Any, *, direction: str = "direction", label: str = "") -> InboundShare:
    """Count inbound and outbound ``items``: directions (:class:`~crmkit.domain.Direction` or
    their values), or records (leads, activities, customers; mappings or objects) or a frame
    with a ``direction`` field. Missing directions are unattributed.

    Examples:
        >>> from crmkit.domain import Direction
        >>> from crmkit.scoring import inbound_share
        >>> inbound_share([{"direction": "inbound"}, {"direction": "both"}, {"direction": None}])
        InboundShare(inbound=1, outbound=0, unattributed=2, label='')
        >>> inbound_share(["sideways"])
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: items[0]: 'sideways' must be inbound, outbound or both
    """
    counts = {Direction.INBOUND: 0, Direction.OUTBOUND: 0}
    unattributed = 0
    if is_frame(items):
        nw = narwhals()
        frame = from_native(items)
        require_columns(frame, [direction], what="items")
        grouped = collect(frame.group_by(direction).agg(nw.len().alias("_n")))
        pairs: Iterable[tuple[Any, int]] = zip(
            grouped[direction].to_list(), grouped["_n"].to_list(), strict=True
        )
        for i, (value, n) in enumerate(pairs):
            d = _direction(value, f"items.{direction}[{i}]")
            if d in counts:
                counts[d] += int(n)
            else:
                unattributed += int(n)
    else:
        for i, item in enumerate(items):
            if isinstance(item, Direction | str) or item is None:
                d = _direction(item, f"items[{i}]")
            else:
                d = _direction(read_field(item, direction, what=f"items[{i}]"), f"items[{i}]")
            if d in counts:
                counts[d] += 1
            else:
                unattributed += 1
    return InboundShare(counts[Direction.INBOUND], counts[Direction.OUTBOUND], unattributed, label)


@attrs.frozen
class InboundTrend(ResultRow):
    """The inbound share per period, in the order given.

    Examples:
        >>> from crmkit.scoring import InboundShare, InboundTrend
        >>> InboundTrend((InboundShare(1, 1, 0, "a"), InboundShare(3, 1, 0, "b"))).change
        0.25
    """

    shares: tuple[InboundShare, ...]

    @property
    def change(self) -> float:
        """Last period's share minus the first's (``nan`` with fewer than two periods)."""
        if len(self.shares) < 2:
            return math.nan
        return round(self.shares[-1].share - self.shares[0].share, 10)

    @property
    def shifting_inbound(self) -> bool:
        """Whether the share rose from the first period to the last — the desired shift."""
        return self.change > 0


def inbound_share_trend(
    periods: Mapping[str, Any], *, direction: str = "direction"
) -> InboundTrend:
    """:func:`inbound_share` per period (period label → items), in the mapping's order.

    Examples:
        >>> from crmkit.scoring import inbound_share_trend
        >>> inbound_share_trend({"q1": ["outbound"], "q2": ["outbound"]}).shifting_inbound
        False
    """
    return InboundTrend(
        tuple(inbound_share(v, direction=direction, label=k) for k, v in periods.items())
    )
