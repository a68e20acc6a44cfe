"""The weighted pipeline in a reporting currency (see :mod:`crmkit.segmentation.currency`).

Examples:
    >>> from datetime import date
    >>> from crmkit.domain import ExchangeRate, Money, Opportunity, RateTable
    >>> from crmkit.scoring import weighted_pipeline_in
    >>> rates = RateTable([ExchangeRate("EUR", "SEK", "11.5", date(2025, 1, 1))])
    >>> deals = [Opportunity("A", "acc", Money("100", "EUR"), date(2025, 6, 1), "default",
    ...                      "proposal", 0.5),
    ...          Opportunity("B", "acc", Money("850", "SEK"), date(2025, 6, 1), "default",
    ...                      "proposal", 0.5)]
    >>> (row,) = weighted_pipeline_in(deals, currency="SEK", rates=rates, on=date(2025, 3, 31))
    >>> row.amount, row.weighted_amount, row.currency, row.rate_date
    (2000.0, 1000.0, 'SEK', datetime.date(2025, 1, 1))
"""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs

from crmkit.scoring.pipeline import PipelineTotal, weighted_pipeline
from crmkit.segmentation.currency import RatesLike, convert_records

__all__ = ["PipelineTotalIn", "weighted_pipeline_in"]


@attrs.frozen
class PipelineTotalIn(PipelineTotal):
    """A :class:`~crmkit.scoring.PipelineTotal` in a reporting currency, with the rate date.

    Attributes:
        currency: the reporting currency of ``amount`` and ``weighted_amount``.
        rate_date: the date of the oldest rate used (``None``: nothing was converted).

    Examples:
        >>> from crmkit.scoring import PipelineTotalIn
        >>> PipelineTotalIn("proposal", 1, 10.0, 5.0, "EUR", None).currency
        'EUR'
    """

    currency: str
    rate_date: date | None


def weighted_pipeline_in(
    opportunities: Any,
    *,
    currency: str,
    rates: RatesLike,
    on: date,
    amount: str = "amount",
    **options: Any,
) -> list[PipelineTotalIn]:
    """:func:`~crmkit.scoring.weighted_pipeline` of opportunities in several currencies, each
    amount converted to ``currency`` at the rate in force on ``on`` first (rounded half-even
    per amount). ``options`` go to ``weighted_pipeline`` (``pipeline``, ``by``, ``period``
    …); without the conversion, mixed currencies stay refused.

    Raises:
        ValidationError: an amount is not Money, or a rate is missing.

    Examples:
        >>> from datetime import date
        >>> from crmkit.domain import RateTable
        >>> from crmkit.scoring import weighted_pipeline_in
        >>> weighted_pipeline_in([], currency="EUR", rates=RateTable(), on=date(2025, 1, 1))
        []
    """
    done = convert_records(opportunities, field=amount, currency=currency, rates=rates, on=on)
    rows = weighted_pipeline(done.records, amount=amount, **options)
    return [
        PipelineTotalIn(
            row.key, row.count, row.amount, row.weighted_amount, currency, done.rate_date
        )
        for row in rows
    ]
