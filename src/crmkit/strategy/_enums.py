"""The one place that reads a strategy enum member from its value, for the strategy modules."""

from __future__ import annotations

import enum
from typing import TypeVar

from crmkit.errors import ValidationError

__all__ = ["enum_member"]

M = TypeVar("M", bound=enum.Enum)


def enum_member(kind: type[M], value: M | str, field: str) -> M:
    """``value`` as a member of ``kind`` (a member, or a member's value); anything else is a
    :class:`~crmkit.errors.ValidationError` on ``field`` that lists the values.

    Examples:
        >>> from crmkit.strategy._enums import enum_member
        >>> from crmkit.strategy.work_system import Zone
        >>> enum_member(Zone, "outside", "zone")
        <Zone.OUTSIDE: 'outside'>
        >>> enum_member(Zone, "nowhere", "zone")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: zone: 'nowhere' must be one of inside, partly_inside, outside
    """
    try:
        return value if isinstance(value, kind) else kind(value)
    except ValueError:
        names = ", ".join(str(member.value) for member in kind)
        raise ValidationError.single(field, value, f"must be one of {names}") from None
