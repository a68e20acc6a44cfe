"""Field validators for the domain types.

Each validator raises :class:`crmkit.errors.ValidationError` whose problem path is the
field's name; :mod:`crmkit.serde` prefixes the entity and parent paths
(``opportunity.amount.currency``). Validators look at one field only; rules across fields live
in the classes' ``__attrs_post_init__``. :func:`compile_validation`, :func:`inline_check`,
:func:`construction_code` and :func:`plain_maker` come from :mod:`crmkit.domain._compiled`, the one module that goes
beyond attrs' public API (``CRMKIT_COMPILED_VALIDATION=0`` turns it off).

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

import functools
import math
import re
from collections.abc import Callable, Collection
from datetime import UTC as _UTC
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs

from crmkit.domain._compiled import (
    _INLINE,
    ConstructionCode,
    attrs_init,
    compile_validation,
    construction_code,
    inline_check,
    plain_maker,
)
from crmkit.domain.limits import (
    _SURROGATE_SEARCH,
    EMAIL_MAX,
    ID_MAX,
    INT_MAX,
    TEXT_MAX,
    int_problem,
    json_problems,
    number_problem,
    text_problem,
)
from crmkit.errors import ValidationError

__all__ = [
    "ConstructionCode",
    "attrs_init",
    "aware_datetime",
    "between",
    "compile_validation",
    "construction_code",
    "date_value",
    "email",
    "fail",
    "finite",
    "identifier",
    "in_range",
    "inline_check",
    "instance_of",
    "json_object",
    "non_empty",
    "non_empty_text",
    "non_negative",
    "one_of",
    "optional",
    "optional_aware_datetime",
    "optional_identifier",
    "optional_non_empty",
    "optional_non_empty_text",
    "optional_str",
    "optional_text",
    "optional_to_utc",
    "plain_maker",
    "positive",
    "text",
    "to_utc",
]

Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]

# Inline (compiled) forms of the storage rules; see inline_check and crmkit.domain.limits.
_INT = f"({{v}}.__class__ is int and -{INT_MAX} <= {{v}} <= {INT_MAX})"
_FLOAT = "({v}.__class__ is float and -{inf} < {v} < {inf})"
_NUMBER = f"({_INT} or {_FLOAT})"


def _clean_str(max_length: int, *, blank: bool = True) -> str:
    """Inline check: an exact str of at most ``max_length`` characters, no NUL, no lone
    surrogates (and, unless ``blank``, not empty or whitespace only); one expression."""
    size = f"len({{v}}) <= {max_length}" if blank else f"0 < len({{v}}) <= {max_length}"
    non_blank = "" if blank else " and not {v}.isspace()"
    return (
        f"({{v}}.__class__ is str and {size}{non_blank}"
        " and '\\x00' not in {v} and ({v}.isascii() or {surrogate}({v}) is None))"
    )


_EMAIL = re.compile(
    r"\A[^@\s\x00\ud800-\udfff]+@[^@\s\x00\ud800-\udfff]+\.[^@\s\x00\ud800-\udfff]+\Z"
)


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


def _value_rules(attribute: attrs.Attribute[Any], value: Any, max_length: int = TEXT_MAX) -> None:
    """The storage rules of crmkit.domain.limits for a value whose type is already right:
    clean text of at most ``max_length`` characters, ints within ±INT_MAX, finite numbers."""
    if isinstance(value, str):
        message = text_problem(value, max_length)
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        message = int_problem(value)
    elif isinstance(value, float | Decimal):
        message = number_problem(value)
    else:
        return
    if message is not None:
        fail(attribute, value, message)


def instance_of(*types: type) -> Validator:
    """The value must be an instance of one of ``types`` (``bool`` is never an ``int`` here).

    Values of the JSON types also follow the storage rules of :mod:`crmkit.domain.limits`:
    text is at most :data:`~crmkit.domain.limits.TEXT_MAX` characters without NUL or lone
    surrogates, ints lie within ±(2**63 − 1), floats and Decimals are finite.

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
        >>> A(2**64)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: n: 18446744073709551616 must be between -9223372036854775807 and 9223372036854775807
    """
    names = " or ".join(t.__name__ for t in types)
    allows_bool = bool in types

    exact = frozenset(types)
    plain = exact - {str, int, float, Decimal}  # instances of these need no further check

    def check(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value.__class__ in plain:  # fast path: exactly one of the types
            return
        if not isinstance(value, types) or (isinstance(value, bool) and not allows_bool):
            fail(attribute, value, f"must be of type {names}, not {type(value).__name__}")
        _value_rules(attribute, value)

    parts = ["{v}.__class__ in {plain}"] if plain else []
    if str in exact:
        parts.append(_clean_str(TEXT_MAX))
    if int in exact:
        parts.append(_INT)
    if float in exact:
        parts.append(_FLOAT)
    return inline_check(
        check,
        " or ".join(parts) or "False",
        plain=plain,
        surrogate=_SURROGATE_SEARCH,
        inf=math.inf,
    )


def _text(attribute: attrs.Attribute[Any], value: Any, max_length: int, *, blank: bool) -> None:
    """The slow path of the text validators (``value`` is not ``None``)."""
    if not isinstance(value, str):
        fail(attribute, value, f"must be a string, not {type(value).__name__}")
    if not blank and not value.strip():
        fail(attribute, value, "must not be empty")
    message = text_problem(value, max_length)
    if message is not None:
        fail(attribute, value, message)


def non_empty(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """The value must be a string with at least one non-blank character (and at most
    :data:`~crmkit.domain.limits.TEXT_MAX` characters, no NUL, no lone surrogates).

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
        >>> A("Acme\\x00")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: name: 'Acme\\x00' must not contain the NUL character
    """
    if (  # fast path: plain ASCII text
        value.__class__ is str
        and value
        and not value.isspace()
        and value.isascii()
        and len(value) <= TEXT_MAX
        and "\x00" not in value
    ):
        return
    _text(attribute, value, TEXT_MAX, blank=False)


@functools.cache
def text(max_length: int = TEXT_MAX) -> Validator:
    """A string (possibly empty) of at most ``max_length`` characters, without NUL or lone
    surrogates.

    Examples:
        >>> import attrs
        >>> from crmkit.domain.validators import text
        >>> @attrs.frozen
        ... class A:
        ...     note: str = attrs.field(default="", validator=text(5))
        >>> A("").note, A("short").note
        ('', 'short')
        >>> A("longer")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: note: 'longer' must be at most 5 characters long (it has 6)
    """

    def check(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        _text(attribute, value, max_length, blank=True)

    return inline_check(check, _clean_str(max_length), surrogate=_SURROGATE_SEARCH)


@functools.cache
def optional_text(max_length: int = TEXT_MAX) -> Validator:
    """``None`` or :func:`text` of at most ``max_length`` characters.

    Examples:
        >>> import attrs
        >>> from crmkit.domain.validators import optional_text
        >>> @attrs.frozen
        ... class A:
        ...     tier: str | None = attrs.field(default=None, validator=optional_text(3))
        >>> A().tier is None, A("").tier
        (True, '')
    """

    def check(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None:
            _text(attribute, value, max_length, blank=True)

    return inline_check(
        check, "{v} is None or " + _clean_str(max_length), surrogate=_SURROGATE_SEARCH
    )


@functools.cache
def non_empty_text(max_length: int) -> Validator:
    """Like :func:`non_empty`, with at most ``max_length`` characters.

    Examples:
        >>> import attrs
        >>> from crmkit.domain.validators import non_empty_text
        >>> @attrs.frozen
        ... class A:
        ...     key: str = attrs.field(validator=non_empty_text(4))
        >>> A("lead").key
        'lead'
        >>> A("")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: key: '' must not be empty
    """

    def check(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        _text(attribute, value, max_length, blank=False)

    return inline_check(check, _clean_str(max_length, blank=False), surrogate=_SURROGATE_SEARCH)


@functools.cache
def optional_non_empty_text(max_length: int) -> Validator:
    """``None`` or :func:`non_empty_text` of at most ``max_length`` characters.

    Examples:
        >>> import attrs
        >>> from crmkit.domain.validators import optional_non_empty_text
        >>> @attrs.frozen
        ... class A:
        ...     remote_id: str | None = attrs.field(default=None,
        ...                                         validator=optional_non_empty_text(8))
        >>> A().remote_id is None, A("0061x").remote_id
        (True, '0061x')
    """

    def check(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None:
            _text(attribute, value, max_length, blank=False)

    return inline_check(
        check,
        "{v} is None or " + _clean_str(max_length, blank=False),
        surrogate=_SURROGATE_SEARCH,
    )


def _number(attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        fail(attribute, value, f"must be a number, not {type(value).__name__}")
    _value_rules(attribute, value)


def finite(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """The value must be a finite number: an int within ±(2**63 − 1), a float or a Decimal
    that is neither NaN nor infinite (``bool`` is not a number here).

    Examples:
        >>> import attrs
        >>> from crmkit.domain.validators import finite
        >>> @attrs.frozen
        ... class A:
        ...     x: float = attrs.field(validator=finite)
        >>> A(float("inf"))
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: x: inf must be a finite number, not infinity
    """
    _number(attribute, value)


def json_object(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """A dict of plain, storable JSON: string keys; values ``None``, bools, ints within
    ±(2**63 − 1), finite floats, clean text, lists and dicts, nested at most
    :data:`~crmkit.domain.limits.DEPTH_MAX` levels. Every problem is named with its path.

    Examples:
        >>> import attrs
        >>> from crmkit.domain.validators import json_object
        >>> @attrs.frozen
        ... class A:
        ...     raw: dict = attrs.field(factory=dict, validator=json_object)
        >>> A({"Name": "Acme", "tags": ["a", "b"], "score": 1.5}).raw["score"]
        1.5
        >>> A({"tags": ("a", "b"), "at": object()})
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: raw.tags: ('a', 'b') is of type tuple; only dict, list, str, int, float, bool and None are JSON
        raw.at: <object object at ...> is of type object; only dict, list, str, int, float, bool and None are JSON
    """
    if value.__class__ is dict and not value:  # fast path: nothing from a remote system
        return
    if not isinstance(value, dict):
        fail(attribute, value, f"must be a dict, not {type(value).__name__}")
    problems = json_problems(value, attribute.name)
    if problems:
        raise ValidationError(problems)


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

    if math.isfinite(low) and math.isfinite(high) and -INT_MAX <= low <= high <= INT_MAX:
        template = "(({v}.__class__ is int or {v}.__class__ is float) and {low} <= {v} <= {high})"
    else:  # the bounds alone do not keep the value finite and within the int range
        template = f"({_NUMBER} and {{low}} <= {{v}} <= {{high}})"
    return inline_check(check, template, low=low, high=high, inf=math.inf)


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

    return inline_check(check, "{v} in {options}", options=options)


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
    if len(value) > EMAIL_MAX:
        fail(attribute, value, f"must be at most {EMAIL_MAX} characters long")


_EMAIL_MATCH = _EMAIL.match


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
    try:
        value.astimezone(_UTC)
    except OverflowError:
        fail(attribute, value, "is outside the range of datetimes in UTC (years 1 to 9999)")


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

    inner = _INLINE.get(validator)
    if inner is not None:
        inline_check(check, f"{{v}} is None or {inner[0]}", **inner[1])
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
    if value.__class__ is date:  # fast path
        return
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
        try:
            return value.astimezone(_UTC)
        except OverflowError:  # year 1 or 9999 shifted out of range: the validator names it
            return value
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
    if value is not None:
        _text(attribute, value, TEXT_MAX, blank=False)


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
    if value is None:
        return
    if not isinstance(value, str):
        fail(attribute, value, f"must be of type str, not {type(value).__name__}")
    message = text_problem(value)
    if message is not None:
        fail(attribute, value, message)


# Inline checks of the validators and converters above (see compile_validation).
_UTC_DATETIME = "({v}.__class__ is {datetime} and {v}.tzinfo is {utc})"
_TEXT = _clean_str(TEXT_MAX)
_NON_BLANK_TEXT = _clean_str(TEXT_MAX, blank=False)
inline_check(non_empty, _NON_BLANK_TEXT, surrogate=_SURROGATE_SEARCH)
inline_check(optional_non_empty, "{v} is None or " + _NON_BLANK_TEXT, surrogate=_SURROGATE_SEARCH)
inline_check(optional_str, "{v} is None or " + _TEXT, surrogate=_SURROGATE_SEARCH)
inline_check(finite, _NUMBER, inf=math.inf)
inline_check(non_negative, f"({_NUMBER} and {{v}} >= 0)", inf=math.inf)
inline_check(positive, f"({_NUMBER} and {{v}} > 0)", inf=math.inf)
inline_check(json_object, "({v}.__class__ is dict and not {v})")
inline_check(
    email,
    f"({{v}}.__class__ is str and len({{v}}) <= {EMAIL_MAX} and {{match}}({{v}}) is not None)",
    match=_EMAIL_MATCH,
)
inline_check(date_value, "{v}.__class__ is {date}", date=date)
inline_check(aware_datetime, _UTC_DATETIME, datetime=datetime, utc=_UTC)
inline_check(
    optional_aware_datetime, "{v} is None or " + _UTC_DATETIME, datetime=datetime, utc=_UTC
)
inline_check(to_utc, _UTC_DATETIME, datetime=datetime, utc=_UTC)
inline_check(optional_to_utc, "{v} is None or " + _UTC_DATETIME, datetime=datetime, utc=_UTC)

#: An id or id reference (``id``, ``account_id`` …): non-blank text of at most
#: :data:`~crmkit.domain.limits.ID_MAX` (64) characters.
identifier: Validator = non_empty_text(ID_MAX)
#: ``None`` or an :data:`identifier`.
optional_identifier: Validator = optional_non_empty_text(ID_MAX)
