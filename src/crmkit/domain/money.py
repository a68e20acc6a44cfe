"""Money: a :class:`~decimal.Decimal` amount in an ISO 4217 currency.

Floats are refused (``0.1 + 0.2`` is not a price); arithmetic across currencies raises;
:meth:`Money.rounded` rounds half-even to the currency's minor unit (2 decimals for SEK and
EUR, 0 for JPY, 3 for KWD ...).

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

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

import attrs

from crmkit.domain.validators import compile_validation, fail, inline_check
from crmkit.errors import ValidationError

__all__ = ["CURRENCY_MINOR_UNITS", "Money", "minor_unit"]

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
    """Accept Decimal, int and numeric strings; leave anything else for the validator."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            return value
    return value


def _check_amount(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, float):
        fail(attribute, value, "is a float; give the amount as a Decimal, int or string")
    if not isinstance(value, Decimal):
        fail(attribute, value, "is not a decimal amount")
    if not value.is_finite():
        fail(attribute, value, "must be a finite amount")


def _check_currency(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or value not in CURRENCY_MINOR_UNITS:
        fail(attribute, value, "is not an ISO 4217 currency code")


inline_check(_to_decimal, "{v}.__class__ is {decimal}", decimal=Decimal)
inline_check(_check_amount, "({v}.__class__ is {decimal} and {v}.is_finite())", decimal=Decimal)
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
        return Money(self.amount + self._same(other).amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.amount - self._same(other).amount, self.currency)

    def __mul__(self, factor: int | Decimal) -> Money:
        if isinstance(factor, (float, bool)):
            raise ValidationError.single(
                "factor", factor, "must be an int or Decimal; floats are refused"
            )
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __truediv__(self, divisor: int | Decimal) -> Money:
        if isinstance(divisor, (float, bool)):
            raise ValidationError.single(
                "divisor", divisor, "must be an int or Decimal; floats are refused"
            )
        if divisor == 0:
            raise ValidationError.single("divisor", divisor, "must not be zero")
        return Money(self.amount / Decimal(divisor), self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

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
        """Round half-even to the currency's minor unit.

        Examples:
            >>> from crmkit.domain import Money
            >>> Money("10.125", "EUR").rounded().amount
            Decimal('10.12')
            >>> Money("99.5", "JPY").rounded().amount
            Decimal('100')
        """
        quantum = Decimal(1).scaleb(-minor_unit(self.currency))
        return Money(self.amount.quantize(quantum, rounding=ROUND_HALF_EVEN), self.currency)

    def __str__(self) -> str:
        return f"{self.rounded().amount} {self.currency}"
