"""Reading a field of a record the same way a dataframe column would hold it.

Scoring models name the fields they read (``"interest_level"``, ``"account.employees"``).
On records those names are looked up on attrs objects or dicts, with dotted paths into nested
objects and a fall-back into an entity's ``custom`` property bag; enum members read as their
value and :class:`~crmkit.domain.Money` as its amount, so a record reads exactly like the
corresponding frame column. A field that does not exist is an error naming the field, never a
silent ``None``.

Examples:
    >>> from crmkit.scoring.fields import field_value
    >>> field_value({"account": {"employees": 40}}, "account.employees")
    40
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from crmkit.errors import ValidationError

__all__ = ["field_value", "has_field", "plain_value"]

_MISSING = object()


def plain_value(value: Any) -> Any:
    """The plain value a frame column would hold: enum → value, Money → amount as float.

    Examples:
        >>> from crmkit.domain import Money
        >>> from crmkit.scoring.fields import plain_value
        >>> plain_value(Money("12.50", "SEK"))
        12.5
    """
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return float(value)
    amount = getattr(value, "amount", None)
    if isinstance(amount, Decimal) and hasattr(value, "currency"):
        return float(amount)
    return value


def _step(obj: Any, name: str) -> Any:
    if isinstance(obj, Mapping):
        if name in obj:
            return obj[name]
        custom = obj.get("custom")
        if isinstance(custom, Mapping) and name in custom:
            return custom[name]
        return _MISSING
    value = getattr(obj, name, _MISSING)
    if value is _MISSING:
        custom = getattr(obj, "custom", None)
        if isinstance(custom, Mapping) and name in custom:
            return custom[name]
    return value


def _lookup(record: Any, path: str) -> Any:
    obj = record
    for name in path.split("."):
        if obj is None:
            return None
        obj = _step(obj, name)
        if obj is _MISSING:
            return _MISSING
    return obj


def has_field(record: Any, path: str) -> bool:
    """Whether ``record`` has the (dotted) field ``path``.

    Examples:
        >>> from crmkit.scoring.fields import has_field
        >>> has_field({"a": 1}, "a"), has_field({"a": 1}, "b")
        (True, False)
    """
    return _lookup(record, path) is not _MISSING


def field_value(record: Any, path: str, *, what: str = "record") -> Any:
    """The plain value of field ``path`` on ``record`` (dict or object, dotted paths allowed).

    A missing intermediate object (``None``) gives ``None``; a field that does not exist raises
    :class:`~crmkit.errors.ValidationError` naming it.

    Examples:
        >>> from crmkit.scoring.fields import field_value
        >>> field_value({"custom": {"segment": "smb"}}, "segment")
        'smb'
        >>> field_value({"a": 1}, "budget", what="lead")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: lead.budget: is missing; a criterion reads this field
    """
    value = _lookup(record, path)
    if value is _MISSING:
        raise ValidationError.single(
            f"{what}.{path}", message="is missing; a criterion reads this field"
        )
    return plain_value(value)
