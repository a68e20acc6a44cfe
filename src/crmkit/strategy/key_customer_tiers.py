"""The key-customer A/B/C rule: portfolio category plus the company's own criteria.

Not to be confused with :func:`crmkit.segmentation.abc_classes`, which ranks customers into
A/B/C by their cumulative *revenue* share (Pareto). This module is the thesis's rule from
Botn-Langøy, Buarø & Hoem (2019), "Key Account Management – Smart Media" (reference:
seed-003.md L252, L300, L303): segment the customer base with the customer-portfolio matrix
*and* the company's own key-customer criteria, and categorise customers as A, B and C. A
customers get a key account manager; the others keep the relationship the project manager (or
another contact) set up.

The thesis does not say how B and C differ. crmkit's rule (:func:`key_customer_tier`): A when
the customer is in a high-value portfolio (platinum or gold) *and* meets the own criteria; B
when exactly one of the two holds; C when neither does. The own criteria are usually the
weighted key-account selection (:class:`crmkit.strategy.KeyAccountSelection`).

Examples:
    >>> from crmkit.segmentation import PortfolioRow
    >>> from crmkit.strategy import KeyAccountSelection
    >>> from crmkit.strategy.key_customer_tiers import key_customer_tiers
    >>> rows = [PortfolioRow("a", "platinum", "superior"), PortfolioRow("b", "gold", "best"),
    ...         PortfolioRow("c", "bronze", "better")]
    >>> sel = KeyAccountSelection(threshold=0.25)
    >>> picks = sel.rank({"a": {"profit_contribution": 1, "sales_potential": 1},
    ...                   "b": {}, "c": {}})
    >>> {k: t.value for k, t in key_customer_tiers(rows, picks).items()}
    {'a': 'A', 'b': 'B', 'c': 'C'}
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

from crmkit.errors import ValidationError
from crmkit.segmentation import PortfolioRow
from crmkit.strategy.key_account_selection import SelectionResult

__all__ = ["HIGH_VALUE_PORTFOLIOS", "KeyCustomerTier", "key_customer_tier", "key_customer_tiers"]

#: The portfolios of high value to the company (reference: seed-003.md L246-L249).
HIGH_VALUE_PORTFOLIOS: frozenset[str] = frozenset({"platinum", "gold"})


class KeyCustomerTier(enum.Enum):
    """A, B or C customer; A customers are key accounts with a key account manager.

    Examples:
        >>> from crmkit.strategy.key_customer_tiers import KeyCustomerTier
        >>> KeyCustomerTier.A.contact, KeyCustomerTier.C.contact
        ('key_account_manager', 'project_manager')
    """

    A = "A"
    B = "B"
    C = "C"

    @property
    def contact(self) -> str:
        """Who looks after the customer: a key account manager for A, else the project manager
        (reference: seed-003.md L303)."""
        return "key_account_manager" if self is KeyCustomerTier.A else "project_manager"


def key_customer_tier(portfolio: str | None, meets_criteria: bool) -> KeyCustomerTier:
    """The tier from the portfolio (``None``: unclassified) and the own-criteria verdict.

    Examples:
        >>> from crmkit.strategy.key_customer_tiers import key_customer_tier
        >>> key_customer_tier("gold", True).value, key_customer_tier("silver", True).value
        ('A', 'B')
        >>> key_customer_tier("gold", "yes")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: meets_criteria: 'yes' must be True or False
    """
    if not isinstance(meets_criteria, bool):
        raise ValidationError.single("meets_criteria", meets_criteria, "must be True or False")
    if portfolio is not None and portfolio not in {"platinum", "gold", "silver", "bronze"}:
        raise ValidationError.single(
            "portfolio", portfolio, "must be one of platinum, gold, silver, bronze"
        )
    high = portfolio in HIGH_VALUE_PORTFOLIOS
    if high and meets_criteria:
        return KeyCustomerTier.A
    if high or meets_criteria:
        return KeyCustomerTier.B
    return KeyCustomerTier.C


def key_customer_tiers(
    portfolios: Iterable[PortfolioRow], selections: Iterable[SelectionResult]
) -> dict[Any, KeyCustomerTier]:
    """The tier of every customer in ``portfolios``, joining the selection results by id; a
    customer without a selection result does not meet the own criteria.

    Examples:
        >>> from crmkit.segmentation import PortfolioRow
        >>> from crmkit.strategy.key_customer_tiers import key_customer_tiers
        >>> key_customer_tiers([PortfolioRow("x", None, None)], [])["x"].value
        'C'
    """
    selected = {s.account_id: s.selected for s in selections}
    return {r.key: key_customer_tier(r.portfolio, selected.get(r.key, False)) for r in portfolios}
