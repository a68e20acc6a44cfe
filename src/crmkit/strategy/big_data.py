"""Big data as the CRM thesis defines it: the five Vs, Elia et al.'s value dimensions and
directions, and the capacity test.

"Big data och CRM:s roll för konkurrenskraft i B2B-företag" (reference: seed-000.md
L324-L337) describes big data by Hashem et al.'s four Vs — volume, variety, velocity, value
("the most essential") — plus Jin et al.'s fifth, veracity; and as data that exceeds the
organisation's capacity to store or analyse it for fast, correct decisions. It measures the
value of big data with Elia et al.'s (2020) framework of five value dimensions and eleven value
directions (reference: seed-000.md L227-L259), counted 2 + 3 + 1 + 4 + 1.

Examples:
    >>> from crmkit.strategy.big_data import ValueDimension, directions_of, is_big_data
    >>> [len(directions_of(d)) for d in ValueDimension]
    [2, 3, 1, 4, 1]
    >>> is_big_data(volume=12.0, capacity=10.0)
    True
"""

from __future__ import annotations

import enum
import math

from crmkit.errors import ValidationError
from crmkit.strategy._enums import enum_member

__all__ = [
    "LITERATURE_ARTICLES",
    "LITERATURE_COUNTS",
    "BigDataV",
    "ValueDimension",
    "ValueDirection",
    "directions_of",
    "is_big_data",
    "literature_percent",
]


class BigDataV(enum.Enum):
    """The five Vs (reference: seed-000.md L324-L330).

    Examples:
        >>> from crmkit.strategy.big_data import BigDataV
        >>> [v.value for v in BigDataV], BigDataV.VALUE.is_most_essential
        (['volume', 'variety', 'velocity', 'value', 'veracity'], True)
    """

    VOLUME = "volume"
    VARIETY = "variety"
    VELOCITY = "velocity"
    VALUE = "value"
    VERACITY = "veracity"

    @property
    def is_most_essential(self) -> bool:
        """Value is "the most essential" V."""
        return self is BigDataV.VALUE


class ValueDimension(enum.Enum):
    """Elia et al.'s five value dimensions (reference: seed-000.md L237-L254).

    Examples:
        >>> from crmkit.strategy.big_data import ValueDimension
        >>> ValueDimension.STRATEGIC.value
        'strategic'
    """

    INFORMATIONAL = "informational"
    TRANSACTIONAL = "transactional"
    TRANSFORMATIONAL = "transformational"
    STRATEGIC = "strategic"
    INFRASTRUCTURAL = "infrastructural"


class ValueDirection(enum.Enum):
    """Elia et al.'s eleven value directions, each in one dimension (reference: seed-000.md
    L238-L254). IT infrastructure improvement means *optimising* IT management costs; the
    thesis once says "maximise", a slip (reference: seed-000.md L257-L259).

    Examples:
        >>> from crmkit.strategy.big_data import ValueDirection
        >>> len(ValueDirection), ValueDirection.CUSTOMER_LOYALTY.dimension.value
        (11, 'strategic')
    """

    DECISION_SUPPORT = "decision_support"
    KNOWLEDGE_DISCOVERY = "knowledge_discovery"
    REVENUE_GROWTH = "revenue_growth"
    PRODUCTIVITY = "productivity"
    COST_EFFICIENCY = "cost_efficiency"
    ORGANISATIONAL_BENEFITS = "organisational_benefits"
    MARKET_POSITIONING = "market_positioning"
    MARKET_RESPONSIVENESS = "market_responsiveness"
    CUSTOMER_LOYALTY = "customer_loyalty"
    COMPETENCE_DEVELOPMENT = "competence_development"
    IT_INFRASTRUCTURE = "it_infrastructure"

    @property
    def dimension(self) -> ValueDimension:
        """The dimension the direction belongs to."""
        return _DIMENSION[self]


_D, _V = ValueDirection, ValueDimension
_DIMENSION = {
    _D.DECISION_SUPPORT: _V.INFORMATIONAL,
    _D.KNOWLEDGE_DISCOVERY: _V.INFORMATIONAL,
    _D.REVENUE_GROWTH: _V.TRANSACTIONAL,
    _D.PRODUCTIVITY: _V.TRANSACTIONAL,
    _D.COST_EFFICIENCY: _V.TRANSACTIONAL,
    _D.ORGANISATIONAL_BENEFITS: _V.TRANSFORMATIONAL,
    _D.MARKET_POSITIONING: _V.STRATEGIC,
    _D.MARKET_RESPONSIVENESS: _V.STRATEGIC,
    _D.CUSTOMER_LOYALTY: _V.STRATEGIC,
    _D.COMPETENCE_DEVELOPMENT: _V.STRATEGIC,
    _D.IT_INFRASTRUCTURE: _V.INFRASTRUCTURAL,
}


def directions_of(dimension: ValueDimension | str) -> list[ValueDirection]:
    """The value directions of one dimension, in order.

    Examples:
        >>> from crmkit.strategy.big_data import directions_of
        >>> [d.value for d in directions_of("informational")]
        ['decision_support', 'knowledge_discovery']
    """
    dim = enum_member(ValueDimension, dimension, "dimension")
    return [d for d in ValueDirection if d.dimension is dim]


def is_big_data(*, volume: float, capacity: float) -> bool:
    """Whether data exceed the organisation's capacity to store or analyse them (reference:
    seed-000.md L333-L334): ``volume > capacity``, both in the same unit.

    Examples:
        >>> from crmkit.strategy.big_data import is_big_data
        >>> is_big_data(volume=5, capacity=10)
        False
        >>> is_big_data(volume=5, capacity=0)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: capacity: 0 must be greater than zero
    """
    for name, value in (("volume", volume), ("capacity", capacity)):
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            raise ValidationError.single(name, value, "must be a number")
    if volume < 0:
        raise ValidationError.single("volume", volume, "must be zero or more")
    if capacity <= 0:
        raise ValidationError.single("capacity", capacity, "must be greater than zero")
    return volume > capacity


#: Articles with a substantial contribution on big-data value in Elia et al.'s review
#: (reference: seed-000.md L816-L830).
LITERATURE_ARTICLES = 49
#: How many of them address each of the four most frequent value directions.
LITERATURE_COUNTS: dict[ValueDirection, int] = {
    ValueDirection.DECISION_SUPPORT: 21,
    ValueDirection.COMPETENCE_DEVELOPMENT: 9,
    ValueDirection.CUSTOMER_LOYALTY: 8,
    ValueDirection.KNOWLEDGE_DISCOVERY: 8,
}


def literature_percent(direction: ValueDirection | str) -> int:
    """The share of the reviewed articles that address ``direction``, in whole percent as the
    thesis prints it — truncated, not rounded (21 of 49 is 42.86 %, printed 42 %).

    Examples:
        >>> from crmkit.strategy.big_data import literature_percent
        >>> literature_percent("decision_support"), literature_percent("customer_loyalty")
        (42, 16)
        >>> literature_percent("productivity")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: direction: 'productivity' has no count in the review
    """
    try:
        d = direction if isinstance(direction, ValueDirection) else ValueDirection(direction)
        count = LITERATURE_COUNTS[d]
    except (ValueError, KeyError):
        raise ValidationError.single("direction", direction, "has no count in the review") from None
    return count * 100 // LITERATURE_ARTICLES
