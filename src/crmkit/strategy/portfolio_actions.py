"""What to do with each customer-portfolio tier: develop, retain, maintain or eliminate.

Customer portfolio management (Thakur & Workman, as used in Botn-Langøy, Buarø & Hoem (2019),
"Key Account Management – Smart Media"; reference: seed-003.md L237-L240) places each customer
in a portfolio — platinum, gold, silver or bronze, see
:func:`crmkit.segmentation.customer_portfolio` — and "suggests which customers to develop,
retain, maintain and which to eliminate from the database". The thesis lists the four actions
and the four tiers in the same order; :data:`PORTFOLIO_ACTIONS` pairs them in that order:
platinum (high value, low cost to serve) → develop, gold (high value, high cost) → retain,
silver (low value, low cost) → maintain, bronze (low value, high cost) → eliminate. The
pairing is crmkit's reading of the parallel lists; pass your own mapping to
:func:`portfolio_action` to change it.

Examples:
    >>> from crmkit.segmentation import PortfolioRow
    >>> from crmkit.strategy.portfolio_actions import portfolio_action, portfolio_actions
    >>> portfolio_action("bronze").value
    'eliminate'
    >>> rows = [PortfolioRow("a", "platinum", "superior"), PortfolioRow("b", None, None)]
    >>> {k: (a.value if a else None) for k, a in portfolio_actions(rows).items()}
    {'a': 'develop', 'b': None}
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Any

from crmkit.errors import ValidationError
from crmkit.segmentation import PortfolioRow

__all__ = ["PORTFOLIO_ACTIONS", "PortfolioAction", "portfolio_action", "portfolio_actions"]


class PortfolioAction(enum.Enum):
    """The four actions, in the source's order (utvikle, beholde, opprettholde, eliminere).

    Examples:
        >>> from crmkit.strategy.portfolio_actions import PortfolioAction
        >>> [a.value for a in PortfolioAction]
        ['develop', 'retain', 'maintain', 'eliminate']
    """

    DEVELOP = "develop"
    RETAIN = "retain"
    MAINTAIN = "maintain"
    ELIMINATE = "eliminate"


#: Portfolio tier → action, pairing the source's two lists in order (reference:
#: seed-003.md L240, L246-L249).
PORTFOLIO_ACTIONS: Mapping[str, PortfolioAction] = {
    "platinum": PortfolioAction.DEVELOP,
    "gold": PortfolioAction.RETAIN,
    "silver": PortfolioAction.MAINTAIN,
    "bronze": PortfolioAction.ELIMINATE,
}


def portfolio_action(
    portfolio: str, mapping: Mapping[str, PortfolioAction] = PORTFOLIO_ACTIONS
) -> PortfolioAction:
    """The action for one portfolio tier.

    Examples:
        >>> from crmkit.strategy.portfolio_actions import portfolio_action
        >>> portfolio_action("tin")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: portfolio: 'tin' must be one of platinum, gold, silver, bronze
    """
    try:
        return mapping[portfolio]
    except (KeyError, TypeError):
        names = ", ".join(mapping)
        raise ValidationError.single("portfolio", portfolio, f"must be one of {names}") from None


def portfolio_actions(
    rows: Iterable[PortfolioRow], mapping: Mapping[str, PortfolioAction] = PORTFOLIO_ACTIONS
) -> dict[Any, PortfolioAction | None]:
    """The action per customer of :func:`crmkit.segmentation.customer_portfolio` rows; an
    unclassified customer (no portfolio) gets ``None``.

    Examples:
        >>> from crmkit.segmentation import PortfolioRow
        >>> from crmkit.strategy.portfolio_actions import portfolio_actions
        >>> portfolio_actions([PortfolioRow("g", "gold", "best")])["g"].value
        'retain'
    """
    return {
        r.key: None if r.portfolio is None else portfolio_action(r.portfolio, mapping) for r in rows
    }
