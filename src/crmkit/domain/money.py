"""Money: a :class:`~decimal.Decimal` amount in an ISO 4217 currency.

Floats are refused (``0.1 + 0.2`` is not a price); arithmetic across currencies raises;
:meth:`Money.rounded` rounds half-even to the currency's minor unit (2 decimals for SEK and
EUR, 0 for JPY, 3 for KWD ...).

Amounts are finite and bounded: at most :data:`MAX_AMOUNT` (9 999 999 999 999 999.9999) in
magnitude, what a ``NUMERIC(20, 4)`` column of a SQL store holds, and no smaller than 10**-38
unless zero (:data:`MIN_ADJUSTED`), so every amount formats, rounds and stores without
surprises. Amounts given as text follow
:func:`crmkit.domain.limits.parse_decimal` (ASCII digits only; ``"1_000"``, ``"١٢"`` and
``"NaN"`` are refused). Arithmetic runs in crmkit's own decimal context, :data:`CONTEXT`
(38 significant digits, half-even), never in the caller's thread context, so a program that
changes ``decimal.getcontext()`` gets the same results.

Examples:
    >>> from decimal import Decimal
    >>> from crmkit.domain import Money
    >>> price = Money("12.50", "SEK")
    >>> (price * 3).amount
    Decimal('37.50')
    >>> price + Money("1", "EUR")
    Traceback (most recent call last):
    ...
    crmkit.errors.ValidationError: currency: 'EUR' cannot be combined with SEK
"""

from __future__ import annotations

from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DecimalException,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)
from typing import Any

import attrs

from crmkit.domain.limits import parse_decimal
from crmkit.domain.validators import compile_validation, fail, inline_check
from crmkit.errors import ValidationError

__all__ = ["CONTEXT", "CURRENCY_MINOR_UNITS", "MAX_AMOUNT", "MIN_ADJUSTED", "Money", "minor_unit"]

#: The decimal context of all Money arithmetic and rounding: 38 significant digits, half-even
#: rounding, invalid operations raise. Used through its methods; no thread's context changes.
CONTEXT = Context(
    prec=38, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow]
)
#: Largest magnitude of an amount: below 10**16 even after rounding to four decimals, what a
#: ``NUMERIC(20, 4)`` column holds; far beyond any real price or turnover.
MAX_AMOUNT = Decimal("9999999999999999.9999")
#: ``-MAX_AMOUNT``, negated once here: negating under a caller's narrow decimal context overflows.
_MIN_AMOUNT = Decimal("-9999999999999999.9999")
#: Smallest ``amount.adjusted()`` (zero included: ``Decimal("0E-40")`` is refused).
MIN_ADJUSTED = -38

#: ISO 4217 active currency codes and their minor units (number of decimals).
CURRENCY_MINOR_UNITS: dict[str, int] = {
    **dict.fromkeys(
        (
            "AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP "
            "BYN BZD CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL "
            "GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP "
            "LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR "
            "NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP "
            "STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD UYU UZS VES WST XCD XCG YER ZAR "
            "ZMW ZWG"
        ).split(),
        2,
    ),
    **dict.fromkeys(
        ("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF").split(),
        0,
    ),
    **dict.fromkeys(
        ("BHD IQD JOD KWD LYD OMR TND").split(),
        3,
    ),
    **dict.fromkeys(
        ("CLF UYW").split(),
        4,
    ),
}


def minor_unit(currency: str) -> int:
    """Number of decimals of ``currency``'s minor unit.

    Examples:
        >>> from crmkit.domain.money import minor_unit
        >>> minor_unit("SEK"), minor_unit("JPY"), minor_unit("KWD")
        (2, 0, 3)
    """
    try:
        return CURRENCY_MINOR_UNITS[currency]
    except KeyError:
        raise ValidationError.single(
            "currency", currency, "is not an ISO 4217 currency code"
        ) from None


def _to_decimal(value: Any) -> Any:
    """Accept Decimal, int and plain ASCII numeric strings; leave anything else for the
    validator."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, str):
        parsed = parse_decimal(value)
        return value if parsed is None else parsed
    return value


def _check_amount(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, float):
        fail(attribute, value, "is a float; give the amount as a Decimal, int or string")
    if isinstance(value, str):
        fail(attribute, value, "is not a decimal amount (ASCII digits, e.g. '1250.50')")
    if not isinstance(value, Decimal):
        fail(attribute, value, "is not a decimal amount")
    if not value.is_finite():
        fail(attribute, value, "must be a finite amount")
    if not _MIN_AMOUNT <= value <= MAX_AMOUNT:
        fail(attribute, value, f"is out of range: amounts lie within ±{MAX_AMOUNT}")
    if value and value.adjusted() < MIN_ADJUSTED:
        fail(attribute, value, f"is too small: amounts below 1E{MIN_ADJUSTED} must be zero")


def _check_currency(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or value not in CURRENCY_MINOR_UNITS:
        fail(attribute, value, "is not an ISO 4217 currency code")


inline_check(_to_decimal, "{v}.__class__ is {decimal}", decimal=Decimal)
inline_check(
    _check_amount,
    "({v}.__class__ is {decimal} and {v}.is_finite() and {low} <= {v} <= {high}"
    f" and (not {{v}} or {{v}}.adjusted() >= {MIN_ADJUSTED}))",
    decimal=Decimal,
    low=_MIN_AMOUNT,
    high=MAX_AMOUNT,
)
inline_check(
    _check_currency, "({v}.__class__ is str and {v} in {codes})", codes=CURRENCY_MINOR_UNITS
)


@compile_validation
@attrs.frozen(order=False)
class Money:
    """An amount of money: a :class:`~decimal.Decimal` and an ISO 4217 currency code.

    Attributes:
        amount: the amount; a ``Decimal``, an ``int`` or a numeric string. Floats are refused.
        currency: the ISO 4217 code, upper case (``"SEK"``, ``"NOK"``, ``"EUR"``).

    Examples:
        >>> from crmkit.domain import Money
        >>> Money("100", "NOK") - Money("25.5", "NOK")
        Money(amount=Decimal('74.5'), currency='NOK')
        >>> Money("1.005", "SEK").rounded().amount
        Decimal('1.00')
        >>> Money(0.1, "SEK")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: amount: 0.1 is a float; give the amount as a Decimal, int or string
        >>> sum([Money("1.50", "SEK"), Money("2", "SEK")])
        Money(amount=Decimal('3.50'), currency='SEK')
        >>> Money("1", "SEK") * "3"
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: factor: '3' must be an int or Decimal, not str
        >>> Money("1e30", "SEK")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: amount: Decimal('1E+30') is out of range: amounts lie within ±9999999999999999.9999
    """

    amount: Decimal = attrs.field(converter=_to_decimal, validator=_check_amount)
    currency: str = attrs.field(validator=_check_currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Zero in ``currency``.

        Examples:
            >>> from crmkit.domain import Money
            >>> Money.zero("EUR").amount
            Decimal('0')
        """
        return cls(Decimal(0), currency)

    def _same(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise ValidationError.single(
                "amount", other, "must be Money; crmkit does not mix Money and plain numbers"
            )
        if other.currency != self.currency:
            raise ValidationError.single(
                "currency", other.currency, f"cannot be combined with {self.currency}"
            )
        return other

    def __add__(self, other: Money) -> Money:
        return _result(CONTEXT.add, self.amount, self._same(other).amount, self.currency)

    def __radd__(self, other: object) -> Money:
        """``0 + money`` is ``money``, so that ``sum()`` of Money works."""
        if other.__class__ is int and other == 0:
            return self
        return _result(CONTEXT.add, self._same(other).amount, self.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        return _result(CONTEXT.subtract, self.amount, self._same(other).amount, self.currency)

    def __mul__(self, factor: int | Decimal) -> Money:
        return _result(CONTEXT.multiply, self.amount, _factor("factor", factor), self.currency)

    __rmul__ = __mul__

    def __truediv__(self, divisor: int | Decimal) -> Money:
        number = _factor("divisor", divisor)
        if not number:
            raise ValidationError.single("divisor", divisor, "must not be zero")
        return _result(CONTEXT.divide, self.amount, number, self.currency)

    def __neg__(self) -> Money:
        return Money(CONTEXT.minus(self.amount), self.currency)

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same(other).amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._same(other).amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._same(other).amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._same(other).amount

    def __bool__(self) -> bool:
        return bool(self.amount)

    def rounded(self) -> Money:
        """Round half-even to the currency's minor unit (in crmkit's :data:`CONTEXT`).

        Raises:
            ValidationError: the rounding carries past the largest amount (only amounts within
                half a minor unit of 10**16 do).

        Examples:
            >>> from crmkit.domain import Money
            >>> Money("10.125", "EUR").rounded().amount
            Decimal('10.12')
            >>> Money("99.5", "JPY").rounded().amount
            Decimal('100')
        """
        quantum = _QUANTUM[minor_unit(self.currency)]
        return Money(self.amount.quantize(quantum, context=CONTEXT), self.currency)

    def __str__(self) -> str:
        try:
            amount = self.rounded().amount
        except ValidationError:  # rounding would carry past the largest amount: show it as is
            amount = self.amount
        return f"{amount} {self.currency}"


_QUANTUM = {places: Decimal(1).scaleb(-places) for places in set(CURRENCY_MINOR_UNITS.values())}


def _factor(name: str, value: Any) -> Decimal:
    """A multiplier or divisor of Money as a Decimal: an int (not bool) or a finite Decimal."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, float):
        raise ValidationError.single(name, value, "must be an int or Decimal; floats are refused")
    raise ValidationError.single(
        name, value, f"must be an int or Decimal, not {type(value).__name__}"
    )


def _result(operation: Any, left: Decimal, right: Decimal, currency: str) -> Money:
    """``Money(operation(left, right), currency)``; decimal signals become ValidationError."""
    try:
        amount = operation(left, right)
    except DecimalException as exc:
        raise ValidationError.single(
            "amount", left, f"cannot be computed with {right!r} ({type(exc).__name__})"
        ) from None
    return Money(amount, currency)
