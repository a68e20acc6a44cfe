"""Reading fields of plain-Python records (attrs objects, dataclasses, dicts).

The records engine of every analytic reads a field the same way: a mapping by key, any other
object by attribute. Values are normalised so that they compare like the columns of a
dataframe: :class:`~crmkit.domain.Money` becomes its :class:`~decimal.Decimal` amount and an
:class:`enum.Enum` member becomes its value.

Examples:
    >>> from crmkit.domain import Money
    >>> from crmkit.frames import field_reader
    >>> read = field_reader("total")
    >>> read({"total": Money("12.50", "SEK")})
    Decimal('12.50')
"""

from __future__ import annotations

import contextlib
import enum
import gc
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from crmkit.domain import Money
from crmkit.errors import ValidationError

__all__ = ["field_reader", "normalise_value", "paused_gc", "read_field"]


def normalise_value(value: Any) -> Any:
    """The value as a dataframe column would hold it: Money → amount, Enum → value.

    Examples:
        >>> import enum
        >>> from crmkit.frames import normalise_value
        >>> class Status(enum.Enum):
        ...     ACTIVE = "active"
        >>> normalise_value(Status.ACTIVE)
        'active'
    """
    if isinstance(value, Money):
        return value.amount
    if isinstance(value, enum.Enum):
        return value.value
    return value


def read_field(row: Any, name: str) -> Any:
    """Read field ``name`` of one record, normalised with :func:`normalise_value`.

    Raises :class:`~crmkit.errors.ValidationError` when the record has no such field.

    Examples:
        >>> from crmkit.frames import read_field
        >>> read_field({"employees": 12}, "employees")
        12
        >>> read_field({"employees": 12}, "industry")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: industry: is missing from the record
    """
    try:
        value = row[name] if isinstance(row, Mapping) else getattr(row, name)
    except (KeyError, AttributeError):
        raise ValidationError.single(name, message="is missing from the record") from None
    return normalise_value(value)


def field_reader(name: str) -> Callable[[Any], Any]:
    """A fast reader of field ``name`` for many records (see :func:`read_field`).

    Examples:
        >>> from crmkit.frames import field_reader
        >>> [field_reader("id")(r) for r in [{"id": "a"}, {"id": "b"}]]
        ['a', 'b']
    """

    def read(row: Any) -> Any:
        try:
            value = row[name] if isinstance(row, Mapping) else getattr(row, name)
        except (KeyError, AttributeError):
            raise ValidationError.single(name, message="is missing from the record") from None
        if isinstance(value, Money | enum.Enum):
            return normalise_value(value)
        return value

    return read


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a records engine builds many objects.

    Building 100k result objects next to a million input records makes the collector walk
    the whole heap again and again (a third of the time of RFM on 1M dicts); the objects
    built hold no reference cycles, so nothing is lost by collecting later. The previous
    state is restored on exit (also on error); nested use is fine.

    Examples:
        >>> import gc
        >>> from crmkit.frames import paused_gc
        >>> with paused_gc():
        ...     gc.isenabled()
        False
        >>> gc.isenabled()
        True
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
