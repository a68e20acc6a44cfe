"""Dated exchange rates and a rate table that converts :class:`~crmkit.domain.Money` at a date.

Money never mixes currencies by itself (``Money("1", "SEK") + Money("1", "EUR")`` raises);
converting is explicit: :meth:`RateTable.convert` multiplies by the rate in force on the date
(the latest rate dated on or before it) and rounds half-even to the target currency's minor
unit. A pair without a direct rate uses the inverse of the reverse pair (1 / rate, 38
significant digits); there is no triangulation through a third currency.
:meth:`RateTable.rate` returns the :class:`ExchangeRate` used, whose ``on`` is the rate date to
show in a report.

Examples:
    >>> from datetime import date
    >>> from crmkit.domain import ExchangeRate, Money, RateTable
    >>> rates = RateTable([ExchangeRate("EUR", "SEK", "11.20", date(2025, 1, 1)),
    ...                    ExchangeRate("EUR", "SEK", "11.50", date(2025, 2, 1))])
    >>> rates.convert(Money("100", "EUR"), "SEK", on=date(2025, 1, 15))
    Money(amount=Decimal('1120.00'), currency='SEK')
    >>> rates.rate("SEK", "EUR", on=date(2025, 3, 1)).on
    datetime.date(2025, 2, 1)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, DecimalException
from typing import Any

import attrs

from crmkit.domain.limits import KEY_MAX
from crmkit.domain.money import (
    CONTEXT,
    CURRENCY_MINOR_UNITS,
    Money,
    _check_currency,
    _to_decimal,
    minor_unit,
)
from crmkit.domain.validators import (
    compile_validation,
    date_value,
    fail,
    optional_non_empty_text,
)
from crmkit.errors import ValidationError

__all__ = ["ExchangeRate", "RateTable"]


_LOWEST, _HIGHEST = Decimal("1E-12"), Decimal("1E+12")


def _rate(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, Decimal):
        fail(attribute, value, "must be a Decimal, int or numeric string (floats are refused)")
    if not (value.is_finite() and value > 0):
        fail(attribute, value, "must be greater than zero")
    if not _LOWEST <= value <= _HIGHEST:  # symmetric, so every inverse is a valid rate too
        fail(attribute, value, "must lie between 1E-12 and 1E+12")


@compile_validation
@attrs.frozen
class ExchangeRate:
    """One unit of ``base`` is worth ``rate`` units of ``quote`` on ``on`` (and after, until a
    newer rate of the pair).

    Attributes:
        base: the ISO 4217 currency converted from.
        quote: the ISO 4217 currency converted to (not ``base``).
        rate: units of ``quote`` per unit of ``base`` (a ``Decimal``, int or numeric string,
            greater than zero; floats are refused).
        on: the date the rate applies from.
        source: where it came from (``"ecb"``, ``"riksbank"`` ...).

    Examples:
        >>> from datetime import date
        >>> from crmkit.domain import ExchangeRate
        >>> ExchangeRate("EUR", "SEK", 11.2, date(2025, 1, 1))
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: rate: 11.2 must be a Decimal, int or numeric string (floats are refused)
        >>> ExchangeRate("EUR", "EUR", "1", date(2025, 1, 1))
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: quote: 'EUR' must differ from base
    """

    base: str = attrs.field(validator=_check_currency)
    quote: str = attrs.field(validator=_check_currency)
    rate: Decimal = attrs.field(converter=_to_decimal, validator=_rate)
    on: date = attrs.field(validator=date_value)
    source: str | None = attrs.field(default=None, validator=optional_non_empty_text(KEY_MAX))

    def __attrs_post_init__(self) -> None:
        if self.quote == self.base:
            raise ValidationError.single("quote", self.quote, "must differ from base")

    def inverse(self) -> ExchangeRate:
        """The same rate seen from ``quote`` to ``base`` (1 / rate, 38 significant digits).

        Examples:
            >>> from datetime import date
            >>> from crmkit.domain import ExchangeRate
            >>> ExchangeRate("EUR", "SEK", "10", date(2025, 1, 1)).inverse().rate
            Decimal('0.1')
        """
        return ExchangeRate(
            self.quote, self.base, CONTEXT.divide(Decimal(1), self.rate), self.on, self.source
        )


def _rates(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, tuple):
        fail(attribute, value, "must be a list of ExchangeRate")
    seen: set[tuple[str, str, date]] = set()
    for index, rate in enumerate(value):
        if not isinstance(rate, ExchangeRate):
            raise ValidationError.single(
                f"{attribute.name}[{index}]", rate, "must be an ExchangeRate"
            )
        key = (rate.base, rate.quote, rate.on)
        if key in seen:
            raise ValidationError.single(
                f"{attribute.name}[{index}]",
                rate,
                f"repeats the {rate.base}→{rate.quote} rate of {rate.on.isoformat()}",
            )
        seen.add(key)


def _as_tuple(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


@compile_validation
@attrs.frozen
class RateTable:
    """Dated exchange rates, at most one per pair and date; converts Money at a date.

    Attributes:
        rates: the exchange rates (a list or tuple; kept as a tuple).

    Examples:
        >>> from datetime import date
        >>> from crmkit.domain import ExchangeRate, Money, RateTable
        >>> rates = RateTable([ExchangeRate("EUR", "NOK", "11.6", date(2025, 1, 1))])
        >>> rates.convert(Money("100", "NOK"), "EUR", on=date(2025, 1, 2))
        Money(amount=Decimal('8.62'), currency='EUR')
        >>> rates.convert(Money("100", "NOK"), "EUR", on=date(2024, 12, 31))
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: on: datetime.date(2024, 12, 31) has no NOK→EUR rate on or before it
    """

    rates: tuple[ExchangeRate, ...] = attrs.field(default=(), converter=_as_tuple, validator=_rates)

    def with_rates(self, rates: Iterable[ExchangeRate]) -> RateTable:
        """A table with ``rates`` added (a repeated pair and date is refused).

        Examples:
            >>> from datetime import date
            >>> from crmkit.domain import ExchangeRate, RateTable
            >>> table = RateTable().with_rates([ExchangeRate("USD", "SEK", "10.5", date(2025, 1, 1))])
            >>> len(table.rates)
            1
        """
        return RateTable((*self.rates, *rates))

    def rate(self, from_currency: str, to_currency: str, *, on: date) -> ExchangeRate:
        """The rate from ``from_currency`` to ``to_currency`` in force on ``on``: the latest
        dated on or before it, direct or inverted (a direct rate wins on the same date).

        Raises:
            ValidationError: a currency is not ISO 4217, the two are equal, or no rate of the
                pair is dated on or before ``on``.

        Examples:
            >>> from datetime import date
            >>> from crmkit.domain import ExchangeRate, RateTable
            >>> table = RateTable([ExchangeRate("USD", "SEK", "10", date(2025, 1, 1))])
            >>> table.rate("SEK", "USD", on=date(2025, 5, 1)).rate
            Decimal('0.1')
        """
        for name, code in (("from_currency", from_currency), ("to_currency", to_currency)):
            if not isinstance(code, str) or code not in CURRENCY_MINOR_UNITS:
                raise ValidationError.single(name, code, "is not an ISO 4217 currency code")
        if to_currency == from_currency:
            raise ValidationError.single(
                "to_currency", to_currency, "must differ from from_currency"
            )
        if not isinstance(on, date) or isinstance(on, datetime):
            raise ValidationError.single("on", on, "must be a date")
        best: tuple[date, int, ExchangeRate] | None = None
        for rate in self.rates:
            if rate.on > on:
                continue
            if (rate.base, rate.quote) == (from_currency, to_currency):
                candidate = (rate.on, 1, rate)
            elif (rate.base, rate.quote) == (to_currency, from_currency):
                candidate = (rate.on, 0, rate)
            else:
                continue
            if best is None or candidate[:2] > best[:2]:
                best = candidate
        if best is None:
            raise ValidationError.single(
                "on", on, f"has no {from_currency}→{to_currency} rate on or before it"
            )
        return best[2] if best[1] else best[2].inverse()

    def convert(self, money: Money, to: str, *, on: date) -> Money:
        """``money`` in currency ``to`` at the rate in force on ``on``, rounded half-even to
        ``to``'s minor unit; ``money`` itself when it is already in ``to``.

        Raises:
            ValidationError: ``money`` is not Money, or there is no rate (see :meth:`rate`).

        Examples:
            >>> from datetime import date
            >>> from crmkit.domain import ExchangeRate, Money, RateTable
            >>> table = RateTable([ExchangeRate("USD", "JPY", "150.4", date(2025, 1, 1))])
            >>> table.convert(Money("9.99", "USD"), "JPY", on=date(2025, 1, 1))
            Money(amount=Decimal('1502'), currency='JPY')
        """
        if not isinstance(money, Money):
            raise ValidationError.single("money", money, "must be Money")
        if money.currency == to:
            return money
        rate = self.rate(money.currency, to, on=on)
        try:  # round before building Money: an exact product may have 50 decimals
            amount = CONTEXT.multiply(money.amount, rate.rate).quantize(
                Decimal(1).scaleb(-minor_unit(to)), context=CONTEXT
            )
        except DecimalException:  # pragma: no cover - bounded amounts and rates cannot overflow
            raise ValidationError.single("money", money, "cannot be converted") from None
        return Money(amount, to)

    def total(self, amounts: Iterable[Money], to: str, *, on: date) -> Money:
        """The sum of ``amounts`` (any currencies), each converted to ``to`` at ``on`` and
        rounded before adding, e.g. a weighted pipeline in a reporting currency.

        Examples:
            >>> from datetime import date
            >>> from crmkit.domain import ExchangeRate, Money, RateTable
            >>> rates = RateTable([ExchangeRate("EUR", "SEK", "11", date(2025, 1, 1))])
            >>> rates.total([Money("10", "EUR"), Money("5", "SEK")], "SEK", on=date(2025, 6, 1))
            Money(amount=Decimal('115.00'), currency='SEK')
        """
        return sum((self.convert(m, to, on=on) for m in amounts), Money(0, to).rounded())
