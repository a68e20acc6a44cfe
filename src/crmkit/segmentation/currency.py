"""Reports in a reporting currency: amounts converted at one date through a rate table.

Money never adds across currencies; a report over deals or orders in SEK, NOK and EUR is made
in one *reporting currency* by converting every amount first, explicitly, at the rate in force
on a date (:meth:`RateTable.convert <crmkit.domain.RateTable.convert>`: the latest rate dated
on or before it, rounded half-even to the reporting currency's minor unit, per amount, before
anything is added). :func:`convert_records` does that for any records and keeps the *rate
date* — the date of the oldest rate used, so a report never looks fresher than its rates —
which the report functions show in every row:

* revenue per segment: :func:`segment_summary_in` (here);
* weighted pipeline: :func:`crmkit.scoring.weighted_pipeline_in`;
* customer lifetime value: :func:`crmkit.clv.currency.value_customers_in`.

Each converts and then runs the one existing analytic (``segment_summary``,
``weighted_pipeline``, ``value_customers``) on the converted records. Records only: a frame
holds plain numbers without their currency, so it is converted before it is built.

Examples:
    >>> from datetime import date
    >>> from crmkit.domain import ExchangeRate, Money, RateTable
    >>> from crmkit.segmentation import segment_summary_in
    >>> rates = RateTable([ExchangeRate("EUR", "SEK", "11.50", date(2025, 1, 31))])
    >>> deals = [{"segment": "A", "revenue": Money("100", "EUR")},
    ...          {"segment": "A", "revenue": Money("350", "SEK")}]
    >>> (row,) = segment_summary_in(deals, amount="revenue", currency="SEK", rates=rates,
    ...                             on=date(2025, 2, 15))
    >>> row.value_total, row.currency, row.rate_date
    (Decimal('1500.00'), 'SEK', datetime.date(2025, 1, 31))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

import attrs

from crmkit._deprecation import renamed
from crmkit.domain.exchange_rate import ExchangeRate
from crmkit.domain.money import Money
from crmkit.errors import ValidationError
from crmkit.frames import is_frame
from crmkit.segmentation.summary import SegmentSummaryRow, segment_summary

__all__ = [
    "ConvertedRecord",
    "ConvertedRecords",
    "RatesLike",
    "SegmentSummaryIn",
    "convert_records",
    "segment_summary_in",
]


@runtime_checkable
class RatesLike(Protocol):
    """What the reports use of a rate table: the ``ExchangeRates`` port of
    :mod:`crmkit.adapters.ports` (an in-memory :class:`~crmkit.domain.RateTable` or the SQL
    store's ``SqlRateTable``); the analytics sit below the ports, so they name only these two
    methods.

    Examples:
        >>> from crmkit.domain import RateTable
        >>> from crmkit.segmentation.currency import RatesLike
        >>> isinstance(RateTable(), RatesLike)
        True
    """

    def rate(self, from_currency: str, to_currency: str, *, on: date) -> ExchangeRate: ...

    def convert(self, money: Money, to: str, *, on: date) -> Money: ...


class ConvertedRecord:
    """A record seen with one field converted: reading ``field`` gives the converted value,
    every other attribute is the record's own.

    Examples:
        >>> from crmkit.segmentation.currency import ConvertedRecord
        >>> class Deal:
        ...     name, amount = "Fleet", 5
        >>> seen = ConvertedRecord(Deal(), "amount", 50)
        >>> seen.amount, seen.name
        (50, 'Fleet')
    """

    __slots__ = ("_field", "_record", "_value")

    def __init__(self, record: Any, field: str, value: Any) -> None:
        self._record = record
        self._field = field
        self._value = value

    def __getattr__(self, name: str) -> Any:
        if name == self._field:
            return self._value
        return getattr(self._record, name)

    def __repr__(self) -> str:
        return f"ConvertedRecord({self._record!r}, {self._field}={self._value!r})"


@attrs.frozen
class ConvertedRecords:
    """Records with one money field converted to ``currency``, and the rate date.

    Attributes:
        records: the converted records (dicts stay dicts; other records are seen through
            :class:`ConvertedRecord`).
        currency: the reporting currency.
        on: the date the rates are taken at.
        rate_date: the date of the oldest rate used (``None`` when every amount already was
            in ``currency``, or there were no amounts).

    Examples:
        >>> from datetime import date
        >>> from crmkit.segmentation.currency import ConvertedRecords
        >>> ConvertedRecords([], "EUR", date(2025, 1, 1), None).currency
        'EUR'
    """

    records: list[Any]
    currency: str
    on: date
    rate_date: date | None


def convert_records(
    records: Iterable[Any],
    *,
    field: str,
    currency: str,
    rates: RatesLike,
    on: date,
    as_number: bool = False,
) -> ConvertedRecords:
    """Convert the :class:`~crmkit.domain.Money` in ``field`` of every record to ``currency``
    at the rates in force on ``on`` (each amount rounded half-even to the currency's minor
    unit). ``as_number=True`` puts the converted ``Decimal`` amount in the field instead of
    Money (for analytics that read plain numbers). A missing amount (``None``) stays missing.

    Raises:
        ValidationError: a record's field is not Money, ``rates`` is not a RateTable, the
            records are a frame, or a rate is missing (the error names the pair and date).

    Examples:
        >>> from datetime import date
        >>> from crmkit.domain import ExchangeRate, Money, RateTable
        >>> from crmkit.segmentation.currency import convert_records
        >>> rates = RateTable([ExchangeRate("EUR", "NOK", "11.75", date(2025, 1, 2))])
        >>> done = convert_records([{"amount": Money("10", "EUR")}], field="amount",
        ...                        currency="NOK", rates=rates, on=date(2025, 3, 1))
        >>> done.records, done.rate_date
        ([{'amount': Money(amount=Decimal('117.50'), currency='NOK')}], datetime.date(2025, 1, 2))
    """
    if is_frame(records):
        raise ValidationError.single(
            "records",
            type(records).__name__,
            "must be records (convert a frame's amounts before building it)",
        )
    if not (callable(getattr(rates, "rate", None)) and callable(getattr(rates, "convert", None))):
        raise ValidationError.single(
            "rates", rates, "must be a rate table (a RateTable or an ExchangeRates port)"
        )
    oldest: date | None = None
    converted: list[Any] = []
    for index, record in enumerate(records):
        money = record.get(field) if isinstance(record, Mapping) else getattr(record, field, None)
        value: Money | Decimal | None = None
        if money is not None:
            if not isinstance(money, Money):
                raise ValidationError.single(
                    f"records[{index}].{field}", money, "must be Money to be converted"
                )
            if money.currency != currency:
                used = rates.rate(money.currency, currency, on=on).on
                oldest = used if oldest is None or used < oldest else oldest
            value = rates.convert(money, currency, on=on)
            if as_number:
                value = value.amount
        if isinstance(record, Mapping):
            converted.append({**record, field: value})
        else:
            converted.append(ConvertedRecord(record, field, value))
    return ConvertedRecords(converted, currency, on, oldest)


@attrs.frozen
class SegmentSummaryIn(SegmentSummaryRow):
    """A :class:`~crmkit.segmentation.SegmentSummaryRow` whose value is in a reporting
    currency, with the rate date.

    Attributes:
        currency: the reporting currency of ``value_total`` and ``value_mean``.
        rate_date: the date of the oldest rate used (``None``: nothing was converted).

    Examples:
        >>> from datetime import date
        >>> from crmkit.segmentation import SegmentSummaryIn
        >>> SegmentSummaryIn("A", 1, 1.0, currency="EUR", rate_date=date(2025, 1, 1)).currency
        'EUR'
    """

    currency: str = ""
    rate_date: date | None = None


@renamed(value="amount")
def segment_summary_in(
    data: Iterable[Any],
    *,
    amount: str,
    currency: str,
    rates: RatesLike,
    on: date,
    **options: Any,
) -> list[SegmentSummaryIn]:
    """:func:`~crmkit.segmentation.segment_summary` with the Money in ``amount`` converted to
    ``currency`` at ``on`` first (revenue per segment in a reporting currency); totals are
    exact decimals in ``currency``. ``options`` go to ``segment_summary`` (``segment``,
    ``averages``, ``order``).

    Examples:
        >>> from datetime import date
        >>> from crmkit.domain import Money, RateTable
        >>> from crmkit.segmentation import segment_summary_in
        >>> rows = segment_summary_in([{"segment": "B", "total": Money("5", "SEK")}],
        ...                           amount="total", currency="SEK", rates=RateTable(),
        ...                           on=date(2025, 1, 1))
        >>> rows[0].value_total, rows[0].rate_date
        (Decimal('5'), None)
    """
    done = convert_records(
        data, field=amount, currency=currency, rates=rates, on=on, as_number=True
    )
    rows = segment_summary(done.records, amount=amount, **options)
    return [
        SegmentSummaryIn(
            **attrs.asdict(row, recurse=False), currency=currency, rate_date=done.rate_date
        )
        for row in rows
    ]
