"""Customer lifetime value in a reporting currency (see :mod:`crmkit.segmentation.currency`).

The orders are converted to the reporting currency at one date, summarised
(:func:`~crmkit.clv.summarise`) and valued (:func:`~crmkit.clv.value_customers`), so the
monetary values the spend model sees — and the lifetime values — are in that currency.

Examples:
    >>> from datetime import UTC, date, datetime
    >>> from crmkit.clv import BetaGeo, GammaGamma
    >>> from crmkit.clv.currency import value_customers_in
    >>> from crmkit.domain import ExchangeRate, Money, Order, OrderLine, RateTable
    >>> rates = RateTable([ExchangeRate("EUR", "SEK", "11.5", date(2025, 1, 1))])
    >>> orders = [Order("c1", datetime(2025, m, 3, tzinfo=UTC),
    ...                 [OrderLine("p", 1, Money(price, code))])
    ...           for m, price, code in [(1, "100", "EUR"), (3, "1150", "SEK"), (5, "2300", "SEK")]]
    >>> (row,) = value_customers_in(
    ...     orders, BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="weeks"),
    ...     GammaGamma(p=6.25, q=3.74, v=15.44), currency="SEK", rates=rates,
    ...     on=date(2025, 6, 30), summary={"as_of": date(2025, 6, 30), "amount": "total"})
    >>> row.customer_id, row.currency, row.rate_date
    ('c1', 'SEK', datetime.date(2025, 1, 1))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import attrs

from crmkit.clv.lifetime_value import (
    CustomerValue,
    PurchaseModel,
    SpendModel,
    value_customers,
)
from crmkit.clv.summary import summarise
from crmkit.segmentation.currency import RatesLike, convert_records

__all__ = ["CustomerValueIn", "value_customers_in"]


@attrs.frozen
class CustomerValueIn(CustomerValue):
    """A :class:`~crmkit.clv.CustomerValue` whose order value and lifetime value are in a
    reporting currency, with the rate date.

    Attributes:
        currency: the reporting currency.
        rate_date: the date of the oldest rate used (``None``: nothing was converted).

    Examples:
        >>> from crmkit.clv.currency import CustomerValueIn
        >>> CustomerValueIn("c1", 0.5, 1.0, 10.0, 20.0, "EUR", None).currency
        'EUR'
    """

    currency: str
    rate_date: date | None


def value_customers_in(
    orders: Iterable[Any],
    purchases: PurchaseModel,
    spend: SpendModel | None = None,
    *,
    currency: str,
    rates: RatesLike,
    on: date,
    summary: Mapping[str, Any] | None = None,
    **options: Any,
) -> list[CustomerValueIn]:
    """Lifetime values from ``orders`` in several currencies: every order's ``amount`` field
    (``summary["amount"]``, default ``"total"``) converted to ``currency`` at ``on``, then
    :func:`~crmkit.clv.summarise` (with ``summary`` as its options) and
    :func:`~crmkit.clv.value_customers` (with ``options``: ``months``,
    ``monthly_discount_rate``, ``time_unit``).

    Raises:
        ValidationError: an amount is not Money, or a rate is missing.

    Examples:
        >>> from datetime import UTC, date, datetime
        >>> from crmkit.clv import BetaGeo
        >>> from crmkit.clv.currency import value_customers_in
        >>> from crmkit.domain import Money, Order, OrderLine, RateTable
        >>> model = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="weeks")
        >>> order = Order("c1", datetime(2025, 1, 3, tzinfo=UTC), [OrderLine("p", 1, Money("5", "USD"))])
        >>> value_customers_in([order], model, currency="EUR", rates=RateTable(),
        ...                    on=date(2025, 1, 31), summary={"as_of": date(2025, 1, 31)})
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: on: datetime.date(2025, 1, 31) has no USD→EUR rate on or before it
    """
    settings = {"amount": "total", **(summary or {})}
    done = convert_records(orders, field=settings["amount"], currency=currency, rates=rates, on=on)
    summaries = summarise(done.records, **settings)
    rows: list[CustomerValue] = value_customers(summaries, purchases, spend, **options)
    return [
        CustomerValueIn(
            **attrs.asdict(row, recurse=False), currency=currency, rate_date=done.rate_date
        )
        for row in rows
    ]
