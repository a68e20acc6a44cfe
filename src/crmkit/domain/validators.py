"""Field validators for the domain types.

Each validator raises :class:`crmkit.errors.ValidationError` whose problem path is the
field's name; :mod:`crmkit.serde` prefixes the entity and parent paths
(``opportunity.amount.currency``). Validators look at one field only; rules across fields live
in the classes' ``__attrs_post_init__``.

Examples:
    >>> import attrs
    >>> from crmkit.domain.validators import non_negative
    >>> @attrs.frozen
    ... class Size:
    ...     employees: int = attrs.field(validator=non_negative)
    >>> Size(-1)
    Traceback (most recent call last):
    ...
    crmkit.errors.ValidationError: employees: -1 must be zero or more
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from datetime import UTC as _UTC
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs

from crmkit.errors import ValidationError

__all__ = [
    "aware_datetime",
    "between",
    "date_value",
    "email",
    "fail",
    "in_range",
    "instance_of",
    "non_empty",
    "non_negative",
    "one_of",
    "optional",
    "optional_aware_datetime",
    "optional_non_empty",
    "optional_str",
    "optional_to_utc",
    "positive",
    "to_utc",
]

Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def fail(attribute: attrs.Attribute[Any], value: Any, message: str) -> None:
    """Raise the ValidationError for ``attribute`` holding ``value``.

    Examples:
        >>> import attrs
        >>> from crmkit.domain.validators import fail
        >>> @attrs.frozen
        ... class A:
        ...     x: int = attrs.field(validator=lambda i, a, v: fail(a, v, "is odd") if v % 2 else None)
        >>> A(3)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: x: 3 is odd
    """
    raise ValidationError.single(attribute.name, value, message)


def instance_of(*types: type) -> Validator:
    """The value must be an instance of one of ``types`` (``bool`` is never an ``int`` here).

    Examples:
        >>> import attrs
        >>> from crmkit.domain.validators import instance_of
        >>> @attrs.frozen
        ... class A:
        ...     n: int = attrs.field(validator=instance_of(int))
        >>> A(True)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: n: True must be of type int, not bool
    """
    names = " or ".join(t.__name__ for t in types)
    allows_bool = bool in types

    exact = frozenset(types)

    def check(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value.__class__ in exact:  # fast path: exactly one of the types
            return
        if not isinstance(value, types) or (isinstance(value, bool) and not allows_bool):
            fail(attribute, value, f"must be of type {names}, not {type(value).__name__}")

    return check


def non_empty(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """The value must be a string with at least one non-blank character.

    Examples:
        >>> import attrs
        >>> from crmkit.domain.validators import non_empty
        >>> @attrs.frozen
        ... class A:
        ...     name: str = attrs.field(validator=non_empty)
        >>> A("  ")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: name: '  ' must not be empty
    """
    if not isinstance(value, str):
        fail(attribute, value, f"must be a string, not {type(value).__name__}")
    if not value.strip():
        fail(attribute, value, "must not be empty")


def _number(attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        fail(attribute, value, f"must be a number, not {type(value).__name__}")
    if isinstance(value, float | Decimal) and value != value:  # NaN
        fail(attribute, value, "must be a number, not NaN")


def non_negative(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """The value must be a number that is zero or more.

    Examples:
        >>> import attrs
        >>> from crmkit.domain.validators import non_negative
        >>> @attrs.frozen
        ... class A:
        ...     n: int = attrs.field(validator=non_negative)
        >>> A(0).n
        0
    """
    _number(attribute, value)
    if value < 0:
        fail(attribute, value, "must be zero or more")


def positive(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """The value must be a number greater than zero.

    Examples:
        >>> import attrs
        >>> from crmkit.domain.validators import positive
        >>> @attrs.frozen
        ... class A:
        ...     n: int = attrs.field(validator=positive)
        >>> A(0)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: n: 0 must be greater than zero
    """
    _number(attribute, value)
    if value <= 0:
        fail(attribute, value, "must be greater than zero")


def in_range(low: float, high: float) -> Validator:
    """The value must be a number with ``low <= value <= high``.

    Examples:
        >>> import attrs
        >>> from crmkit.domain.validators import in_range
        >>> @attrs.frozen
        ... class A:
        ...     p: float = attrs.field(validator=in_range(0, 1))
        >>> A(1.5)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: p: 1.5 must be between 0 and 1
    """

    def check(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        _number(attribute, value)
        if not low <= value <= high:
            fail(attribute, value, f"must be between {low:g} and {high:g}")

    return check


between = in_range


def one_of(options: Collection[Any]) -> Validator:
    """The value must be one of ``options``.

    Examples:
        >>> import attrs
        >>> from crmkit.domain.validators import one_of
        >>> @attrs.frozen
        ... class A:
        ...     c: str = attrs.field(validator=one_of({"a", "b"}))
        >>> A("z")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: c: 'z' must be one of 'a', 'b'
    """
    listed = ", ".join(repr(o) for o in sorted(options, key=str))

    def check(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value not in options:
            fail(attribute, value, f"must be one of {listed}")

    return check


def email(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """The value must look like an e-mail address (``name@domain.tld``).

    Examples:
        >>> import attrs
        >>> from crmkit.domain.validators import email
        >>> @attrs.frozen
        ... class A:
        ...     e: str = attrs.field(validator=email)
        >>> A("anna@example.se").e
        'anna@example.se'
    """
    if not isinstance(value, str) or not _EMAIL.match(value):
        fail(attribute, value, "is not an e-mail address")


def aware_datetime(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """The value must be a timezone-aware :class:`datetime` (events are aware, in UTC).

    Examples:
        >>> import attrs
        >>> from datetime import datetime
        >>> from crmkit.domain.validators import aware_datetime
        >>> @attrs.frozen
        ... class A:
        ...     at: datetime = attrs.field(validator=aware_datetime)
        >>> A(datetime(2024, 1, 1))
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: at: datetime.datetime(2024, 1, 1, 0, 0) must be timezone-aware
    """
    if value.__class__ is datetime and value.tzinfo is _UTC:  # fast path
        return
    if not isinstance(value, datetime):
        fail(attribute, value, f"must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        fail(attribute, value, "must be timezone-aware")


def optional_aware_datetime(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Like :func:`aware_datetime` but ``None`` is allowed.

    Examples:
        >>> import attrs
        >>> from datetime import datetime
        >>> from crmkit.domain.validators import optional_aware_datetime
        >>> @attrs.frozen
        ... class A:
        ...     at: datetime | None = attrs.field(default=None, validator=optional_aware_datetime)
        >>> A().at is None
        True
    """
    if value is not None:
        aware_datetime(instance, attribute, value)


def optional(validator: Validator) -> Validator:
    """Allow ``None`` in front of another validator.

    Examples:
        >>> import attrs
        >>> from crmkit.domain.validators import optional, non_negative
        >>> @attrs.frozen
        ... class A:
        ...     n: int | None = attrs.field(default=None, validator=optional(non_negative))
        >>> A(None).n is None
        True
    """

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None:
            validator(instance, attribute, value)

    return check


def date_value(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """The value must be a calendar :class:`date` (not a datetime).

    Examples:
        >>> import attrs
        >>> from datetime import date
        >>> from crmkit.domain.validators import date_value
        >>> @attrs.frozen
        ... class A:
        ...     d: date = attrs.field(validator=date_value)
        >>> A(date(2024, 5, 1)).d.year
        2024
    """
    if isinstance(value, datetime) or not isinstance(value, date):
        fail(attribute, value, f"must be a date, not {type(value).__name__}")


def to_utc(value: datetime) -> datetime:
    """Normalise an aware datetime to UTC (naive values are returned unchanged so that the
    validator can name them).

    Examples:
        >>> from datetime import datetime, timezone, timedelta
        >>> from crmkit.domain.validators import to_utc
        >>> to_utc(datetime(2024, 1, 1, 12, tzinfo=timezone(timedelta(hours=1)))).hour
        11
    """
    if value.__class__ is datetime and value.tzinfo is _UTC:  # fast path: already UTC
        return value
    if isinstance(value, datetime) and value.tzinfo is not None:
        offset = value.utcoffset()
        if offset == timedelta(0) and value.tzinfo is _UTC:
            return value
        return value.astimezone(_UTC)
    return value


def optional_to_utc(value: datetime | None) -> datetime | None:
    """:func:`to_utc` that lets ``None`` through.

    Examples:
        >>> from crmkit.domain.validators import optional_to_utc
        >>> optional_to_utc(None) is None
        True
    """
    return None if value is None else to_utc(value)


def optional_non_empty(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """``None`` or a non-blank string (one call; the hot path of optional ids and keys).

    Examples:
        >>> import attrs
        >>> from crmkit.domain.validators import optional_non_empty
        >>> @attrs.frozen
        ... class A:
        ...     owner_id: str | None = attrs.field(default=None, validator=optional_non_empty)
        >>> A(None).owner_id is None, A("u-1").owner_id
        (True, 'u-1')
        >>> A(" ")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: owner_id: ' ' must not be empty
    """
    if value is None:
        return
    if value.__class__ is not str and not isinstance(value, str):
        fail(attribute, value, f"must be a string, not {type(value).__name__}")
    if not value or value.isspace():
        fail(attribute, value, "must not be empty")


def optional_str(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """``None`` or a string (possibly empty).

    Examples:
        >>> import attrs
        >>> from crmkit.domain.validators import optional_str
        >>> @attrs.frozen
        ... class A:
        ...     title: str | None = attrs.field(default=None, validator=optional_str)
        >>> A(3)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: title: 3 must be of type str, not int
    """
    if value is not None and value.__class__ is not str and not isinstance(value, str):
        fail(attribute, value, f"must be of type str, not {type(value).__name__}")
