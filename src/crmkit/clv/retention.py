"""Simple retention-based lifetime value in pure Python (no extra needed).

For a customer who brings ``margin`` per period, stays from one period to the next with
probability ``retention`` and whose future is discounted at ``discount_rate`` per period, the
expected lifetime value of the periods *after* the current one is

    ``margin × retention / (1 + discount_rate − retention)``  (infinite horizon)

and ``Σ_{t=1..periods} margin × retention**t / (1 + discount_rate)**t`` over a finite
horizon (Gupta & Lehmann's formula and its finite version). Money margins give Money back.

Examples:
    >>> from crmkit.clv import retention_lifetime_value
    >>> round(retention_lifetime_value(100.0, retention=0.8, discount_rate=0.1), 2)
    266.67
"""

from __future__ import annotations

from decimal import Decimal
from typing import TypeVar

from crmkit.domain import Money
from crmkit.errors import Problem, ValidationError

__all__ = ["finite_retention_lifetime_value", "retention_lifetime_value"]

V = TypeVar("V", float, Money)


def _check(retention: float, discount_rate: float, infinite: bool) -> None:
    problems = []
    if not 0 <= retention <= 1 or (infinite and retention == 1 and discount_rate <= 0):
        problems.append(
            Problem(
                "retention",
                retention,
                "must be a probability between 0 and 1 (below 1 when nothing is discounted)",
            )
        )
    if not discount_rate > -1:
        problems.append(Problem("discount_rate", discount_rate, "must be greater than -1"))
    if problems:
        raise ValidationError(problems)


def _scale(margin: V, factor: float) -> V:
    if isinstance(margin, Money):
        return margin * Decimal(repr(factor))
    return margin * factor


def retention_lifetime_value(margin: V, *, retention: float, discount_rate: float) -> V:
    """Infinite-horizon lifetime value ``m r / (1 + d − r)``.

    Examples:
        >>> from crmkit.clv import retention_lifetime_value
        >>> from crmkit.domain import Money
        >>> retention_lifetime_value(Money("100", "SEK"), retention=0.5, discount_rate=0.0)
        Money(amount=Decimal('100.0'), currency='SEK')
    """
    _check(retention, discount_rate, infinite=True)
    return _scale(margin, retention / (1 + discount_rate - retention))


def finite_retention_lifetime_value(
    margin: V, *, retention: float, discount_rate: float, periods: int
) -> V:
    """Lifetime value over ``periods`` future periods, ``Σ m (r / (1 + d))**t``.

    Examples:
        >>> from crmkit.clv import finite_retention_lifetime_value
        >>> finite_retention_lifetime_value(100.0, retention=0.5, discount_rate=0.0, periods=2)
        75.0
    """
    _check(retention, discount_rate, infinite=False)
    if isinstance(periods, bool) or not isinstance(periods, int) or periods < 0:
        raise ValidationError.single("periods", periods, "must be a whole number of 0 or more")
    ratio = retention / (1 + discount_rate)
    factor = sum(ratio**t for t in range(1, periods + 1))
    return _scale(margin, factor)
