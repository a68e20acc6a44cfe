"""What the rule language means, written once: missing values, numbers, truth and errors.

The records engine (:mod:`crmkit.frames.record_function`) writes these rules out as Python
source, the frames compiler (:mod:`crmkit.frames.expression`) as narwhals expressions; both
follow the definitions here. The few source templates the records engine inlines for speed sit
next to the function they spell out (the tests hold each template to its function).

* **Missing values** (:func:`is_missing`): ``None`` or a float NaN. A comparison, membership
  or range test on a missing value is false (:func:`compare`); ``~`` negates that.
  Arithmetic with a missing value is missing, and so is a division by zero
  (:func:`arithmetic`).
* **Numbers** (:func:`mix_numbers`): a Decimal meets a float as a float, the way a frame
  column holds both.
* **Truth** (:func:`truth`): ``when`` / ``&`` / ``|`` / ``~`` read a missing value as false.
* **Errors**: values that cannot be compared or combined, and a non-date where a calendar
  day is needed, are a :class:`~crmkit.errors.ValidationError` naming the field and value.

Examples:
    >>> from decimal import Decimal
    >>> from crmkit.frames.semantics import arithmetic, compare, is_missing
    >>> is_missing(float("nan")), is_missing(Decimal("NaN"))
    (True, False)
    >>> compare(None, ">", 1, "n"), compare(Decimal("0.5"), "==", 0.5, "n")
    (False, True)
    >>> arithmetic(1, "/", 0, "n") is None
    True
    >>> compare("x", "<", 1, "n")
    Traceback (most recent call last):
    ...
    crmkit.errors.ValidationError: n: 'x' cannot be compared with 1 (str vs int)
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from crmkit.errors import ValidationError
from crmkit.frames.day_number import day_number

__all__ = [
    "COMPARISONS",
    "MISSING",
    "NEVER_NAN",
    "OPERATORS",
    "Context",
    "arithmetic",
    "arithmetic_error",
    "as_context",
    "calendar_day",
    "compare",
    "compare_error",
    "frame_literal",
    "is_missing",
    "mix_numbers",
    "truth",
]


@attrs.frozen
class Context:
    """What an expression needs besides the row: the as-of date, and a frame's schema.

    Args:
        as_of: the date that relative dates (:func:`~crmkit.frames.as_of`,
            ``days_before_as_of``) refer to.
        schema: column name → narwhals dtype; filled in by :func:`~crmkit.frames.with_columns`
            and :func:`~crmkit.frames.filter_rows` so that time-zone-aware columns are
            converted to UTC.
        implementation: the frame's narwhals ``Implementation`` (filled in likewise), so
            calendar days compile to the cheapest exact form on that engine.

    Examples:
        >>> import datetime as dt
        >>> from crmkit.frames import Context
        >>> Context(as_of=dt.date(2024, 12, 31)).as_of_day
        20088
    """

    as_of: dt.date | None = None
    schema: Mapping[str, Any] = attrs.field(factory=dict)
    implementation: Any = None

    @property
    def as_of_day(self) -> int:
        """The day number of the as-of date; an error when no as-of date was given."""
        if self.as_of is None:
            raise ValidationError.single(
                "as_of", None, "is required: the rule uses dates relative to an as-of date"
            )
        return day_number(self.as_of)


def as_context(context: Context | dt.date | None) -> Context:
    """A :class:`Context` from a context, an as-of date or nothing.

    Examples:
        >>> import datetime as dt
        >>> from crmkit.frames.semantics import as_context
        >>> as_context(dt.date(2024, 1, 1)).as_of
        datetime.date(2024, 1, 1)
    """
    if context is None:
        return Context()
    if isinstance(context, Context):
        return context
    return Context(as_of=context)


def is_missing(value: Any) -> bool:
    """Whether ``value`` is missing: ``None`` or a float NaN (a Decimal NaN is a value).

    Examples:
        >>> from crmkit.frames.semantics import is_missing
        >>> is_missing(None), is_missing(float("nan")), is_missing(0)
        (True, True, False)
    """
    return value is None or (isinstance(value, float) and value != value)


#: Classes whose values are never missing unless ``None`` (exact classes, not subclasses).
NEVER_NAN: frozenset[type] = frozenset({int, str, bool, dt.date, dt.datetime})
#: :func:`is_missing` written out for the records engine (``{v}`` is a local name): one set
#: look-up for the common classes, the function for anything else.
MISSING = (
    "{v} is None or ({v}.__class__ not in NEVER_NAN"
    " and ({v} != {v} if {v}.__class__ is float else is_missing({v})))"
)


def truth(value: Any) -> bool:
    """Whether a value counts as true in ``when`` / ``&`` / ``|`` / ``~`` (missing is false).

    Examples:
        >>> from crmkit.frames.semantics import truth
        >>> truth(1), truth(None), truth(float("nan"))
        (True, False, False)
    """
    return value is not None and bool(value) and not is_missing(value)


def mix_numbers(a: Any, b: Any) -> tuple[Any, Any]:
    """Mix Decimal and float as floats, the way a dataframe would; anything else as it is.

    Examples:
        >>> from decimal import Decimal
        >>> from crmkit.frames.semantics import mix_numbers
        >>> mix_numbers(Decimal("0.5"), 1.0), mix_numbers(Decimal("0.5"), 1)
        ((0.5, 1.0), (Decimal('0.5'), 1))
    """
    if isinstance(a, Decimal) and isinstance(b, float):
        return float(a), b
    if isinstance(b, Decimal) and isinstance(a, float):
        return a, float(b)
    return a, b


#: The comparison operators of the rule language.
COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
#: Every binary operator: the comparisons and ``+ - * /``.
OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    **COMPARISONS,
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
}


def compare_error(where: str, a: Any, b: Any) -> ValidationError:
    """The error for values that cannot be compared (``where`` names the columns).

    Examples:
        >>> from crmkit.frames.semantics import compare_error
        >>> str(compare_error("n", "x", 1))
        "n: 'x' cannot be compared with 1 (str vs int)"
    """
    return ValidationError.single(
        where, a, f"cannot be compared with {b!r} ({type(a).__name__} vs {type(b).__name__})"
    )


def arithmetic_error(where: str, a: Any, b: Any, op: str) -> ValidationError:
    """The error for values that cannot be combined by ``op``.

    Examples:
        >>> from crmkit.frames.semantics import arithmetic_error
        >>> str(arithmetic_error("n", "x", 1, "-"))
        "n: 'x' cannot be combined with 1 by -"
    """
    return ValidationError.single(where, a, f"cannot be combined with {b!r} by {op}")


def compare(a: Any, op: str, b: Any, where: str) -> bool:
    """``a <op> b`` in the rule language: false when a side is missing.

    Examples:
        >>> from crmkit.frames.semantics import compare
        >>> compare(2, ">=", 2, "n"), compare(float("nan"), "!=", 1, "n")
        (True, False)
    """
    if is_missing(a) or is_missing(b):
        return False
    a, b = mix_numbers(a, b)
    try:
        return bool(COMPARISONS[op](a, b))
    except TypeError:
        raise compare_error(where, a, b) from None


def arithmetic(a: Any, op: str, b: Any, where: str) -> Any:
    """``a <op> b`` for ``+ - * /``: missing when a side is missing or on division by zero.

    Examples:
        >>> from crmkit.frames.semantics import arithmetic
        >>> arithmetic(3, "-", 1, "n"), arithmetic(None, "+", 1, "n")
        (2, None)
    """
    if is_missing(a) or is_missing(b):
        return None
    a, b = mix_numbers(a, b)
    if op == "/" and b == 0:
        return None
    try:
        return OPERATORS[op](a, b)
    except TypeError:
        raise arithmetic_error(where, a, b, op) from None


def calendar_day(value: Any, where: str) -> int | None:
    """The UTC calendar day of a date/datetime as a day number; ``None`` stays missing.

    Examples:
        >>> import datetime as dt
        >>> from crmkit.frames.semantics import calendar_day
        >>> calendar_day(dt.date(1970, 1, 3), "at"), calendar_day(None, "at")
        (2, None)
        >>> calendar_day("soon", "at")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: at: 'soon' is not a date or datetime
    """
    if value is None:
        return None
    if not isinstance(value, dt.date):
        raise ValidationError.single(where, value, "is not a date or datetime")
    return day_number(value)


def frame_literal(value: Any) -> Any:
    """A constant as a frame holds it: an integral Decimal as ``int``, another as ``float``.

    Examples:
        >>> from decimal import Decimal
        >>> from crmkit.frames.semantics import frame_literal
        >>> frame_literal(Decimal("3")), frame_literal(Decimal("2.5")), frame_literal("a")
        (3, 2.5, 'a')
    """
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
