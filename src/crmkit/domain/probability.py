"""Probability: a number in [0, 1], with conversions to and from percent.

Stages, opportunities and scoring models keep probabilities as plain floats in [0, 1];
:class:`Probability` is a ``float`` that checks its range and knows its percentage, so it can be
used anywhere a float is expected.

Examples:
    >>> from crmkit.domain import Probability
    >>> p = Probability.from_percent(75)
    >>> isinstance(p, float)
    True
    >>> p, p.percent
    (0.75, 75.0)
    >>> Probability(1.2)
    Traceback (most recent call last):
    ...
    crmkit.errors.ValidationError: probability: 1.2 must be between 0 and 1
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import attrs

from crmkit.domain.limits import parse_decimal
from crmkit.domain.validators import fail, inline_check
from crmkit.errors import ValidationError

__all__ = ["Probability", "probability_value", "to_probability"]


class Probability(float):
    """A probability: a float in [0, 1].

    ``Probability(value)`` accepts a number in [0, 1] (``int``, ``float``, ``Decimal`` or a
    numeric string) and raises ``ValidationError`` otherwise.

    Examples:
        >>> from crmkit.domain import Probability
        >>> Probability("0.2") + 0.1 > 0.29
        True
        >>> Probability(0.25).percent
        25.0
    """

    __slots__ = ()

    def __new__(cls, value: Any = 0.0, path: str = "probability") -> Probability:
        if isinstance(value, bool):
            raise ValidationError.single(path, value, "must be a number, not bool")
        if isinstance(value, str):  # plain ASCII numbers only, as everywhere in crmkit
            parsed = parse_decimal(value)
            if parsed is None:
                raise ValidationError.single(path, value, "must be a number")
            value = parsed
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            raise ValidationError.single(path, value, "must be a number") from None
        if math.isnan(number) or not 0.0 <= number <= 1.0:
            raise ValidationError.single(path, value, "must be between 0 and 1")
        return super().__new__(cls, number)

    @classmethod
    def from_percent(cls, percent: float | int | Decimal) -> Probability:
        """Build from a percentage in [0, 100].

        Examples:
            >>> from crmkit.domain import Probability
            >>> Probability.from_percent(10)
            0.1
        """
        if isinstance(percent, bool) or not isinstance(percent, int | float | Decimal):
            raise ValidationError.single("percent", percent, "must be a number")
        nan = percent.is_nan() if isinstance(percent, Decimal) else percent != percent
        if nan or not 0 <= percent <= 100:  # NaN; huge ints compare exactly
            raise ValidationError.single("percent", percent, "must be between 0 and 100")
        return cls(float(percent) / 100.0)

    @property
    def percent(self) -> float:
        """The probability in percent, rounded to 10 decimals against float noise.

        Examples:
            >>> from crmkit.domain import Probability
            >>> Probability(0.07).percent
            7.0
        """
        return round(float(self) * 100.0, 10)

    def as_decimal(self) -> Decimal:
        """The probability as a ``Decimal`` (for multiplying :class:`~crmkit.domain.Money`).

        Examples:
            >>> from crmkit.domain import Probability
            >>> Probability(0.1).as_decimal()
            Decimal('0.1')
        """
        return Decimal(repr(float(self)))


def to_probability(value: Any) -> Any:
    """Attrs converter: turn ``Probability``, ``Decimal`` and ints into a plain ``float``;
    anything else is left for :func:`probability_value` to name.

    Examples:
        >>> from crmkit.domain.probability import to_probability
        >>> to_probability(1), type(to_probability(1)).__name__
        (1.0, 'float')
    """
    kind = value.__class__
    if kind is float:  # fast path
        return value
    if kind is Probability:
        return float(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        try:
            return float(value)
        except (ValueError, OverflowError):  # a signalling NaN, an int beyond float range
            return value
    return value


def probability_value(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Attrs validator: a float in [0, 1] (``None`` is allowed by wrapping with ``optional``).

    Examples:
        >>> import attrs
        >>> from crmkit.domain.probability import probability_value
        >>> @attrs.frozen
        ... class A:
        ...     p: float = attrs.field(validator=probability_value)
        >>> A(-0.1)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: p: -0.1 must be between 0 and 1
    """
    if value.__class__ is float and 0.0 <= value <= 1.0:  # fast path (NaN fails it)
        return
    if isinstance(value, bool) or not isinstance(value, float | int):
        fail(attribute, value, f"must be a number, not {type(value).__name__}")
    if value != value or not 0.0 <= value <= 1.0:  # NaN; ints of any size compare exactly
        fail(attribute, value, "must be between 0 and 1")


inline_check(to_probability, "{v}.__class__ is float")
inline_check(probability_value, "({v}.__class__ is float and 0.0 <= {v} <= 1.0)")
