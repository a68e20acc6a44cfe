"""Customer portfolios: value × cost to serve (seed 003) and profitability × growth (seed 002).

**Customer portfolio management** (Thakur & Workman 2016, as used in seed 003 §2.13): the
customer's *value to the company* against the *cost to serve* places them in one of four
portfolios, each with its service level:

=================  ==================================  ==================================
value \\ cost        low cost to serve                   high cost to serve
=================  ==================================  ==================================
high value          **platinum** — superior service     **gold** — best service
low value           **silver** — good service           **bronze** — better service
=================  ==================================  ==================================

"High" means *at or above* the cut-off (``value >= value_cutoff``, ``cost >= cost_cutoff``).
The quadrant placement is reconstructed from the thesis' flattened table; check it against
Thakur & Workman before relying on it — the rule set is data, so a different placement is a
different :class:`~crmkit.segmentation.RuleSegments`. A missing value or cost leaves the
customer unclassified.

**Profitability × growth potential** (seed 002 customer analysis, read as a 2×2 partition):
``profitable_growth``, ``profitable`` (no growth potential), ``unprofitable_potential`` and
``unprofitable``; profitable means ``profit > 0``. Shares come from
:func:`~crmkit.segmentation.segment_summary`.

Examples:
    >>> from crmkit.segmentation import customer_portfolio
    >>> customers = [{"id": "a", "value": 900, "cost_to_serve": 10},
    ...              {"id": "b", "value": 900, "cost_to_serve": 80},
    ...              {"id": "c", "value": 100, "cost_to_serve": 10},
    ...              {"id": "d", "value": 100, "cost_to_serve": 80}]
    >>> [(r.portfolio, r.service_level) for r in customer_portfolio(
    ...     customers, value_cutoff=500, cost_cutoff=50)]
    [('platinum', 'superior'), ('gold', 'best'), ('silver', 'good'), ('bronze', 'better')]
"""

from __future__ import annotations

from typing import Any, overload

import attrs

from crmkit.display import ResultRow
from crmkit.frames import FrameT, Records, SupportsToNative, col, is_frame
from crmkit.segmentation.rules import RuleSegments, Segment, assign_segments

__all__ = [
    "PROFITABILITY_CELLS",
    "SERVICE_LEVELS",
    "PortfolioRow",
    "ProfitabilityRow",
    "customer_portfolio",
    "portfolio_segments",
    "profitability_matrix",
    "profitability_segments",
]

#: Portfolio → service level (seed 003 §2.13).
SERVICE_LEVELS = {"platinum": "superior", "gold": "best", "silver": "good", "bronze": "better"}
#: The four cells of the profitability × growth-potential matrix, in seed 002's order.
PROFITABILITY_CELLS = ("profitable_growth", "profitable", "unprofitable_potential", "unprofitable")


def portfolio_segments(
    *,
    value_cutoff: Any,
    cost_cutoff: Any,
    value: str = "value",
    cost_to_serve: str = "cost_to_serve",
) -> RuleSegments:
    """The CPM rule set; each segment carries its ``service_level`` attribute.

    Examples:
        >>> from crmkit.segmentation import portfolio_segments
        >>> rules = portfolio_segments(value_cutoff=10, cost_cutoff=5)
        >>> rules.segment_of({"value": 10, "cost_to_serve": 4})
        'platinum'
    """
    high_value = col(value) >= value_cutoff
    low_value = col(value) < value_cutoff
    high_cost = col(cost_to_serve) >= cost_cutoff
    low_cost = col(cost_to_serve) < cost_cutoff
    cells = {
        "platinum": high_value & low_cost,
        "gold": high_value & high_cost,
        "silver": low_value & low_cost,
        "bronze": low_value & high_cost,
    }
    return RuleSegments(
        [Segment(name, test, attributes={"service_level": SERVICE_LEVELS[name]})
         for name, test in cells.items()],
        default=None,
    )  # fmt: skip


@attrs.frozen
class PortfolioRow(ResultRow):
    """One customer's portfolio and service level.

    Examples:
        >>> from crmkit.segmentation import PortfolioRow
        >>> PortfolioRow("a", "gold", "best").service_level
        'best'
    """

    key: Any
    portfolio: str | None
    service_level: str | None


@overload
def customer_portfolio(
    data: SupportsToNative[FrameT],
    *,
    value_cutoff: Any,
    cost_cutoff: Any,
    value: str = ...,
    cost_to_serve: str = ...,
    key: str = ...,
) -> FrameT: ...
@overload
def customer_portfolio(
    data: FrameT,
    *,
    value_cutoff: Any,
    cost_cutoff: Any,
    value: str = ...,
    cost_to_serve: str = ...,
    key: str = ...,
) -> FrameT: ...
@overload
def customer_portfolio(
    data: Records,
    *,
    value_cutoff: Any,
    cost_cutoff: Any,
    value: str = ...,
    cost_to_serve: str = ...,
    key: str = ...,
) -> list[PortfolioRow]: ...


def customer_portfolio(
    data: Any,
    *,
    value_cutoff: Any,
    cost_cutoff: Any,
    value: str = "value",
    cost_to_serve: str = "cost_to_serve",
    key: str = "id",
) -> Any:
    """Platinum / gold / silver / bronze per customer (records → rows; frame → frame plus
    ``portfolio`` and ``service_level``).

    Examples:
        >>> import polars as pl
        >>> from crmkit.segmentation import customer_portfolio
        >>> frame = pl.DataFrame({"value": [900, 100], "cost_to_serve": [80, 10]})
        >>> customer_portfolio(frame, value_cutoff=500, cost_cutoff=50)["portfolio"].to_list()
        ['gold', 'silver']
    """
    rules = portfolio_segments(
        value_cutoff=value_cutoff, cost_cutoff=cost_cutoff, value=value,
        cost_to_serve=cost_to_serve,
    )  # fmt: skip
    rows = assign_segments(data, rules, key=key, column="portfolio", attributes=["service_level"])
    if is_frame(data):
        return rows
    return [PortfolioRow(r.key, r.segment, r.attributes["service_level"]) for r in rows]


def profitability_segments(
    *, profit: str = "profit", growth: str = "growth_potential"
) -> RuleSegments:
    """The 2×2 profitability × growth-potential rule set.

    Examples:
        >>> from crmkit.segmentation import profitability_segments
        >>> profitability_segments().segment_of({"profit": -5, "growth_potential": True})
        'unprofitable_potential'
    """
    profitable = col(profit) > 0
    unprofitable = col(profit) <= 0
    has_growth = col(growth) == True  # noqa: E712 - builds a rule
    no_growth = col(growth) == False  # noqa: E712 - builds a rule
    return RuleSegments(
        [
            Segment("profitable_growth", profitable & has_growth),
            Segment("profitable", profitable & no_growth),
            Segment("unprofitable_potential", unprofitable & has_growth),
            Segment("unprofitable", unprofitable & no_growth),
        ],
        default=None,
    )


@attrs.frozen
class ProfitabilityRow(ResultRow):
    """One customer's cell of the profitability × growth-potential matrix.

    Examples:
        >>> from crmkit.segmentation import ProfitabilityRow
        >>> ProfitabilityRow("a", "profitable").cell
        'profitable'
    """

    key: Any
    cell: str | None


@overload
def profitability_matrix(
    data: SupportsToNative[FrameT], *, profit: str = ..., growth: str = ..., key: str = ...
) -> FrameT: ...
@overload
def profitability_matrix(
    data: FrameT, *, profit: str = ..., growth: str = ..., key: str = ...
) -> FrameT: ...
@overload
def profitability_matrix(
    data: Records, *, profit: str = ..., growth: str = ..., key: str = ...
) -> list[ProfitabilityRow]: ...


def profitability_matrix(
    data: Any, *, profit: str = "profit", growth: str = "growth_potential", key: str = "id"
) -> Any:
    """The profitability × growth cell per customer (records → rows; frame → plus ``cell``).

    Examples:
        >>> from crmkit.segmentation import profitability_matrix
        >>> profitability_matrix([{"id": 1, "profit": 10, "growth_potential": False}])
        [ProfitabilityRow(key=1, cell='profitable')]
    """
    rules = profitability_segments(profit=profit, growth=growth)
    rows = assign_segments(data, rules, key=key, column="cell")
    if is_frame(data):
        return rows
    return [ProfitabilityRow(r.key, r.segment) for r in rows]
