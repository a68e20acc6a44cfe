"""Reading fields of plain-Python records (attrs objects, dataclasses, dicts).

The records engine of every analytic reads a field the same way: a mapping by key, any other
object by attribute. Values are normalised so that they compare like the columns of a
dataframe: :class:`~crmkit.domain.Money` becomes its :class:`~decimal.Decimal` amount and an
:class:`enum.Enum` member becomes its value. A field the record does not have is a
:class:`~crmkit.errors.ValidationError` naming it, never a silent ``None``.

Three options widen what a field name may mean (all off by default; analytics that read
fields named by the user, such as :mod:`crmkit.scoring`, switch them on):

* ``paths`` — a dotted name (``"account.employees"``) steps into nested records; a missing
  (``None``) object on the way gives ``None``;
* ``custom`` — a name the record has no field for is looked up in the record's ``custom``
  property bag (:attr:`crmkit.domain.Lead.custom` …), at every step of a path;
* ``floats`` — Money amounts and Decimals read as ``float``, the way a float column holds
  them.

Examples:
    >>> from crmkit.domain import Money
    >>> from crmkit.frames import field_reader, read_field
    >>> read = field_reader("total")
    >>> read({"total": Money("12.50", "SEK")})
    Decimal('12.50')
    >>> lead = {"account": {"turnover": Money("9.5", "SEK"), "custom": {"segment": "smb"}}}
    >>> read_field(lead, "account.turnover", paths=True, floats=True)
    9.5
    >>> read_field(lead, "account.segment", paths=True, custom=True)
    'smb'
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import gc
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from crmkit.domain import Money
from crmkit.errors import ValidationError

__all__ = ["field_reader", "normalise_value", "paused_gc", "read_field"]

_MISSING: Any = object()


def normalise_value(value: Any, *, floats: bool = False) -> Any:
    """The value as a dataframe column would hold it: Money → amount, Enum → value.

    With ``floats=True`` a Money amount or a Decimal becomes a ``float``. pandas' ``NaT``
    (and NumPy's ``datetime64("NaT")``), which a record takes from a datetime column, is a
    missing value, ``None`` — as it is in the column.

    Examples:
        >>> import enum
        >>> from decimal import Decimal
        >>> from crmkit.frames import normalise_value
        >>> class Status(enum.Enum):
        ...     ACTIVE = "active"
        >>> normalise_value(Status.ACTIVE)
        'active'
        >>> normalise_value(Decimal("2.5"), floats=True)
        2.5
        >>> import pandas as pd
        >>> normalise_value(pd.NaT) is None
        True
    """
    if isinstance(value, Money):
        return float(value.amount) if floats else value.amount
    if isinstance(value, enum.Enum):
        return value.value
    if floats and isinstance(value, Decimal):
        return float(value)
    if _is_not_a_time(value):
        return None
    return value


def _is_not_a_time(value: Any) -> bool:
    """``NaT`` of pandas or NumPy: a datetime-like value that is not equal to itself."""
    if isinstance(value, dt.datetime) or type(value).__name__ == "datetime64":
        return bool(value != value)
    return False


def _step(obj: Any, name: str, custom: bool) -> Any:
    """Field ``name`` of ``obj``, else (``custom``) its custom property, else ``_MISSING``."""
    if isinstance(obj, Mapping):
        if name in obj:
            return obj[name]
        if custom:
            bag = obj.get("custom")
            if isinstance(bag, Mapping) and name in bag:
                return bag[name]
        return _MISSING
    value = getattr(obj, name, _MISSING)
    if value is _MISSING and custom:
        bag = getattr(obj, "custom", None)
        if isinstance(bag, Mapping) and name in bag:
            return bag[name]
    return value


def _missing(name: str, what: str) -> ValidationError:
    error = ValidationError.single(name, message="is missing from the record")
    return error.prefixed(what) if what else error


def read_field(
    row: Any,
    name: str,
    *,
    paths: bool = False,
    custom: bool = False,
    floats: bool = False,
    what: str = "",
) -> Any:
    """Read field ``name`` of one record, normalised with :func:`normalise_value`.

    Args:
        row: a mapping (read by key) or any other object (read by attribute).
        name: the field; with ``paths=True`` a dotted path into nested records.
        paths: step into nested records along a dotted ``name``; a ``None`` on the way
            gives ``None``.
        custom: fall back to the record's ``custom`` property bag for a name it has no
            field for.
        floats: read Money amounts and Decimals as ``float``.
        what: a prefix for the error path (``"leads[3]"`` → ``leads[3].budget``).

    Raises :class:`~crmkit.errors.ValidationError` when the record has no such field.

    Examples:
        >>> from crmkit.frames import read_field
        >>> read_field({"employees": 12}, "employees")
        12
        >>> read_field({"employees": 12}, "industry")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: industry: is missing from the record
        >>> read_field({"account": None}, "account.employees", paths=True)
        >>> read_field({"custom": {"segment": "smb"}}, "segment", custom=True)
        'smb'
        >>> read_field({}, "budget", custom=True, what="lead")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: lead.budget: is missing from the record
    """
    if not (paths or custom):
        try:
            value = row[name] if isinstance(row, Mapping) else getattr(row, name)
        except (KeyError, AttributeError):
            raise _missing(name, what) from None
        return normalise_value(value, floats=floats)
    value = row
    for step in name.split(".") if paths else (name,):
        if value is None:
            return None
        value = _step(value, step, custom)
        if value is _MISSING:
            raise _missing(name, what)
    return normalise_value(value, floats=floats)


def field_reader(
    name: str, *, paths: bool = False, custom: bool = False, floats: bool = False
) -> Callable[[Any], Any]:
    """A fast reader of field ``name`` for many records (see :func:`read_field`).

    The options are bound once, so reading a million records does no option checks.

    Examples:
        >>> from crmkit.frames import field_reader
        >>> [field_reader("id")(r) for r in [{"id": "a"}, {"id": "b"}]]
        ['a', 'b']
        >>> field_reader("account.size", paths=True)({"account": {"size": 3}})
        3
    """
    if paths or custom:

        def read_option(row: Any) -> Any:
            return read_field(row, name, paths=paths, custom=custom, floats=floats)

        return read_option
    if floats:

        def read_float(row: Any) -> Any:
            try:
                value = row[name] if isinstance(row, Mapping) else getattr(row, name)
            except (KeyError, AttributeError):
                raise _missing(name, "") from None
            if isinstance(value, Money | enum.Enum | Decimal):
                return normalise_value(value, floats=True)
            return value

        return read_float

    def read(row: Any) -> Any:
        try:
            value = row[name] if isinstance(row, Mapping) else getattr(row, name)
        except (KeyError, AttributeError):
            raise _missing(name, "") from None
        if isinstance(value, Money | enum.Enum):
            return normalise_value(value)
        return value

    return read


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a block of the caller's code (opt-in).

    The collector is process-wide state, so crmkit itself never switches it: no library
    call pauses it behind its caller's back. An application that runs a records engine over
    a large input may opt in around the call: building 100k result objects next to a
    million input records makes the collector walk the input again and again (on 1M
    transaction dicts, RFM takes about a quarter more CPU time with the collector on). The
    results hold no reference cycles, so nothing is lost by collecting later. The previous
    state is restored on exit (also on error); nested use is fine.

    Examples:
        >>> import gc
        >>> from crmkit.frames import paused_gc
        >>> import datetime as dt
        >>> from crmkit.segmentation import rfm
        >>> orders = [{"account_id": 1, "ordered_at": dt.date(2024, 5, 1), "total": 10}]
        >>> with paused_gc():  # the application's choice, for a large input
        ...     rows = rfm(orders, as_of=dt.date(2024, 6, 1))
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
