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

import functools
import linecache
import math
import re
import types
from collections.abc import Callable, Collection, Sequence
from datetime import UTC as _UTC
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar

import attrs
from attr import _config as _attrs_config

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


# --- compiled validation: one generated __init__ that checks common values inline -------------
#
# attrs calls one Python function per validator and converter. For the common, valid values
# those calls cost more than the checks themselves, so :func:`compile_validation` generates an
# ``__init__`` (and, for mutable classes, a ``__setattr__``) that first evaluates cheap inline
# expressions declared with :func:`inline_check`. Each expression is a *sufficient* condition:
# when it holds, the validator would accept the value (or the converter would return it
# unchanged). When any expression does not hold, the generated code runs every validator in
# attrs' order, exactly as attrs' own ``__init__`` would, so errors are unchanged.
#
# Slots are filled through a "shadow": a layout-identical subclass whose ``__setattr__`` and
# ``__delattr__`` are object's own, so CPython stores each field with a plain slot write; the
# instance switches to the shadow for the assignments and back before validators run.
# :func:`construction_code` gives crmkit.serde the same construction as source, so that
# ``from_dict`` runs each check once instead of once while decoding and again in ``__init__``.

_F = TypeVar("_F")
_C = TypeVar("_C", bound=type)

_INLINE: dict[Any, tuple[str, dict[str, Any]]] = {}
# class -> (attrs' own __init__, the generated __init__) for every class compile_validation changed
_COMPILED: dict[type, tuple[Any, Any]] = {}
_SHADOW_MIN_FIELDS = 2
_OBJ_SETATTR = object.__setattr__

_DEFAULT_ON_SETATTR: Any
try:  # attrs' default ``on_setattr`` pipeline of ``attrs.define`` (convert, then validate)
    from attr._make import _DEFAULT_ON_SETATTR
except ImportError:  # pragma: no cover - another attrs layout: keep attrs' own __setattr__
    _DEFAULT_ON_SETATTR = None


def inline_check(func: _F, template: str, **names: Any) -> _F:
    """Declare a Python expression under which validator (or converter) ``func`` is a no-op.

    ``template`` uses ``{v}`` for the value and ``{name}`` for each object in ``names``. The
    expression must only be true when ``func`` would accept the value unchanged; it may be
    false for valid values too (the real ``func`` then decides). Used by
    :func:`compile_validation`.

    Examples:
        >>> import attrs
        >>> from crmkit.domain.validators import compile_validation, fail, inline_check
        >>> def even(_, attribute, value):
        ...     if type(value) is not int or value % 2:
        ...         fail(attribute, value, "must be an even int")
        >>> even = inline_check(even, "({v}.__class__ is int and not {v} % 2)")
        >>> @compile_validation
        ... @attrs.frozen
        ... class A:
        ...     n: int = attrs.field(validator=even)
        >>> A(4).n
        4
        >>> A(3)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: n: 3 must be an even int
    """
    _INLINE[func] = (template, names)
    return func


def _inline_expr(
    func: Any, var: str, globs: dict[str, Any], prefix: str, shared: dict[int, str] | None = None
) -> str | None:
    """The inline expression of ``func`` for the value in ``var`` (``None`` if it has none).

    Objects the expression needs go into ``globs`` under names starting with ``prefix``; with
    ``shared`` (object id -> name), an object already bound keeps its name, so equal checks of
    one value give equal text.
    """
    try:
        entry = _INLINE.get(func)
    except TypeError:  # pragma: no cover - unhashable validator object
        return None
    if entry is None:
        parts = getattr(func, "_validators", None)  # attrs' and_() / list of validators
        if type(func).__name__ != "_AndValidator" or not isinstance(parts, tuple):
            return None
        exprs = [_inline_expr(p, var, globs, f"{prefix}_{i}", shared) for i, p in enumerate(parts)]
        if any(e is None for e in exprs):
            return None
        return "(" + " and ".join(e for e in exprs if e is not None) + ")"
    template, names = entry
    mapping = {"v": var}
    for key, value in names.items():
        name = shared.get(id(value)) if shared is not None else None
        if name is None or globs.get(name) is not value:
            name = f"{prefix}_{key}"
            globs[name] = value
            if shared is not None:
                shared[id(value)] = name
        mapping[key] = name
    return "(" + template.format(**mapping) + ")"


def _compile(source: str, globs: dict[str, Any], name: str, cls: type) -> Any:
    namespace: dict[str, Any] = {}
    filename = f"<crmkit compiled {name} {cls.__module__}.{cls.__qualname__}>"
    code = compile(source, filename, "exec")
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(code, globs, namespace)
    func = namespace[name]
    if isinstance(func, types.FunctionType):
        func.__module__ = cls.__module__
        func.__qualname__ = f"{cls.__qualname__}.{name}"
    return func


def compile_validation(cls: _C) -> _C:
    """Give an attrs class a generated ``__init__`` (and ``__setattr__`` for mutable classes)
    that checks common values inline (see :func:`inline_check`) and falls back to attrs'
    validators, in attrs' order, whenever an inline check does not hold.

    Behaviour is attrs' own: same signature, defaults, factories, converters, validators,
    ``__attrs_post_init__``; only faster on valid data. Classes using attrs features it does
    not handle (``__attrs_pre_init__``, ``attrs.Converter``) are returned unchanged.

    Examples:
        >>> import attrs
        >>> from crmkit.domain.validators import compile_validation, non_empty
        >>> @compile_validation
        ... @attrs.define
        ... class Tag:
        ...     name: str = attrs.field(validator=non_empty)
        >>> tag = Tag("vip")
        >>> tag.name = " "
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: name: ' ' must not be empty
    """
    klass: Any = cls  # attrs.has() would narrow ``cls`` away from _C
    if not attrs.has(klass) or hasattr(klass, "__attrs_pre_init__"):
        return cls
    fields = attrs.fields(klass)
    if any(isinstance(f.converter, attrs.Converter) for f in fields):
        return cls
    if any(not f.init and f.default is attrs.NOTHING for f in fields):
        return cls
    if hasattr(klass, "_attrs_cached_hash") or "_attrs_cached_hash" in getattr(
        klass, "__slots__", ()
    ):  # cache_hash=True: attrs' __init__ also resets the hash cache
        return cls
    globs: dict[str, Any] = {
        "NOTHING": attrs.NOTHING,
        "_osa": _OBJ_SETATTR,
        "_config": _attrs_config,
    }
    positional: list[str] = []
    keyword: list[str] = []
    # Assigning a slot through ``object.__setattr__`` (what attrs' __init__ does for frozen
    # classes and for classes with on_setattr hooks) costs a call per field. From two fields on
    # it is cheaper to switch the instance to its shadow (plain __setattr__/__delattr__), store
    # the fields as ordinary attributes, and switch back (measured: StageChange 1.2 -> 0.9 µs).
    shadow = len(fields) >= _SHADOW_MIN_FIELDS
    if shadow:
        globs["_cls"] = cls
        globs["_shadow"] = _shadow_of(cls)
        body = ["_osa(self, '__class__', _shadow)", "try:"]
        indent = "    "
    else:
        body = ["_setattr = _osa.__get__(self)"]
        indent = ""
    inline: list[str] = []
    every: list[str] = []
    rest: list[str] = []
    checks_start = len(body)
    for index, field in enumerate(fields):
        prefix = f"_f{index}"
        local = (field.alias or field.name) if field.init else f"_l{index}"
        default = field.default
        is_factory = isinstance(default, attrs.Factory)  # type: ignore[arg-type]
        if is_factory:
            globs[f"{prefix}_factory"] = default.factory
            make = f"{prefix}_factory({'self' if default.takes_self else ''})"
        if field.init:
            if default is attrs.NOTHING:
                param = local
            elif is_factory:
                param = f"{local}=NOTHING"
                body.append(f"if {local} is NOTHING: {local} = {make}")
            else:
                globs[f"{prefix}_default"] = default
                param = f"{local}={prefix}_default"
            (keyword if field.kw_only else positional).append(param)
        elif is_factory:
            body.append(f"{local} = {make}")
        else:
            globs[f"{prefix}_default"] = default
            body.append(f"{local} = {prefix}_default")
        if field.converter is not None:
            globs[f"{prefix}_conv"] = field.converter
            same = _inline_expr(field.converter, local, globs, f"{prefix}_c")
            convert = f"{local} = {prefix}_conv({local})"
            body.append(f"if not {same}: {convert}" if same else convert)
        if shadow:
            body.append(f"self.{field.name} = {local}")
        else:
            body.append(f"_setattr({field.name!r}, {local})")
        if field.validator is not None:
            globs[f"{prefix}_val"] = field.validator
            globs[f"{prefix}_attr"] = field
            call = f"{prefix}_val(self, {prefix}_attr, {local})"
            every.append(call)
            expr = _inline_expr(field.validator, local, globs, f"{prefix}_v")
            if expr is None:
                rest.append(call)
            else:
                inline.append(expr)
    if shadow:
        body[checks_start:] = [indent + line for line in body[checks_start:]]
        body += ["finally:", "    self.__class__ = _cls"]
    if every:
        body.append("if _config._run_validators is True:")
        if inline:
            body += [
                "    try:",
                f"        _ok = {' and '.join(inline)}",
                "    except Exception:",
                "        _ok = False",
                "    if _ok:",
                *[f"        {line}" for line in rest or ["pass"]],
                "    else:",
                *[f"        {line}" for line in every],
            ]
        else:
            body += [f"    {line}" for line in every]
    if hasattr(cls, "__attrs_post_init__"):
        body.append("self.__attrs_post_init__()")
    params = ", ".join(["self", *positional, *(["*", *keyword] if keyword else [])])
    source = f"def __init__({params}):\n" + "".join(f"    {line}\n" for line in body)
    init = _compile(source, globs, "__init__", cls)
    original = cls.__dict__["__init__"]
    init.__annotations__ = dict(getattr(original, "__annotations__", {}))
    init.__doc__ = original.__doc__
    type.__setattr__(cls, "__init__", init)
    _COMPILED[cls] = (original, init)
    _compile_setattr(cls)
    return cls


def attrs_init(cls: type) -> Any:
    """The ``__init__`` attrs generated for ``cls`` before :func:`compile_validation` replaced it
    (``None`` if ``cls`` was not compiled). It runs every validator through attrs' own code;
    crmkit's tests compare it with the compiled ``__init__``.

    Examples:
        >>> from crmkit.domain import Money
        >>> from crmkit.domain.validators import attrs_init
        >>> money = object.__new__(Money)
        >>> attrs_init(Money)(money, "5", "SEK")
        >>> money == Money("5", "SEK")
        True
        >>> attrs_init(int) is None
        True
    """
    entry = _COMPILED.get(cls)
    if entry is None or cls.__dict__.get("__init__") is not entry[1]:
        return None
    return entry[0]


def _slot_setter(cls: type, name: str) -> Any:
    """``__set__`` of the slot descriptor that ``object.__setattr__(obj, name, ...)`` uses."""
    for klass in cls.__mro__:
        found = klass.__dict__.get(name)
        if found is not None:
            return found.__set__ if type(found) is types.MemberDescriptorType else None
    return None


_SHADOWS: dict[type, type] = {}


def _shadow_of(cls: type) -> type:
    """A layout-identical subclass of ``cls`` with the plain ``object.__setattr__``."""
    shadow = _SHADOWS.get(cls)
    if shadow is None:
        shadow = _SHADOWS[cls] = type(
            cls.__name__,
            (cls,),
            {
                "__slots__": (),
                # both, so that the type's tp_setattro is the plain C one (fast slot stores)
                "__setattr__": _OBJ_SETATTR,
                "__delattr__": object.__delattr__,
                "__module__": cls.__module__,
                "__qualname__": cls.__qualname__,
            },
        )
    return shadow


class ConstructionCode(NamedTuple):
    """Source lines from :func:`construction_code`.

    Attributes:
        prepare: statements to run first (converters without an inline check); they may raise.
        condition: an expression; when true, ``build`` gives what ``__init__`` would.
        build: statements that build the object.

    Examples:
        >>> from crmkit.domain import OpportunityContactRole
        >>> from crmkit.domain.validators import construction_code
        >>> construction_code(OpportunityContactRole, ["c", "r", "p"], "o", {}, "_p").prepare
        []
    """

    prepare: list[str]
    condition: str
    build: list[str]


def construction_code(
    cls: type,
    values: Sequence[str],
    target: str,
    globs: dict[str, Any],
    prefix: str,
    convert: Collection[str] = (),
) -> ConstructionCode | None:
    """Source for building a compiled class from field values without calling ``__init__``.

    ``values`` holds one Python expression per attrs field (in field order; usually local
    variables) with the value that would be passed to ``__init__`` (defaults already applied).
    Run ``prepare``; when ``condition`` is then true, the compiled ``__init__`` would store every
    value as it stands after its converters and its inline checks accept them all (see
    :func:`inline_check`), and ``build`` creates the object in ``target`` exactly as that
    ``__init__`` does on this path: slots assigned, the validators without an inline check run
    once, then ``__attrs_post_init__``. When ``condition`` is false (or ``prepare`` or
    ``condition`` raise), call the class with the original values instead. Returns ``None``
    when ``cls`` cannot be built this way (not compiled, not slotted, a custom ``__new__``).
    Names are added to ``globs`` with ``prefix``. Fields named in ``convert`` have their
    converter called in ``prepare`` even when it has an inline check (for values known to need
    converting, such as Money amounts read as strings). ``condition`` does not look at
    ``attrs.validators.get_disabled()``: check that before using ``build``.
    :mod:`crmkit.serde` uses this so that ``from_dict`` checks each value once, not twice.

    Examples:
        >>> from decimal import Decimal
        >>> from crmkit.domain import Money
        >>> from crmkit.domain.validators import construction_code
        >>> globs = {}
        >>> code = construction_code(Money, ["a", "c"], "m", globs, "_p")
        >>> print(code.condition)
        (a.__class__ is _p_c0_decimal) and ((a.__class__ is _p_c0_decimal and a.is_finite() and _p_v0_low <= a <= _p_v0_high and a.adjusted() >= -38)) and ((c.__class__ is str and c in _p_v1_codes))
        >>> print("\\n".join(code.build))
        m = _p_new(_p_shadow)
        m.amount = a
        m.currency = c
        m.__class__ = _p_cls
        >>> scope = {"a": Decimal("5"), "c": "SEK"}
        >>> eval(code.condition, globs, scope)
        True
        >>> exec("\\n".join(code.build), globs, scope)
        >>> scope["m"] == Money("5", "SEK")
        True
    """
    klass: Any = cls
    if attrs_init(cls) is None or klass.__new__ is not object.__new__:
        return None
    fields = attrs.fields(klass)
    if len(values) != len(fields):
        raise ValueError(f"{cls.__name__} has {len(fields)} fields, not {len(values)} values")
    shared: dict[int, str] = {}
    prepare: list[str] = []
    same: list[str] = []
    checks: list[str] = []
    calls: list[str] = []
    stored: list[str] = []
    for index, (field, value) in enumerate(zip(fields, values, strict=True)):
        if _slot_setter(cls, field.name) is None:
            return None
        if field.converter is not None:
            expr = None
            if field.name not in convert:
                expr = _inline_expr(field.converter, value, globs, f"{prefix}_c{index}", shared)
            if expr is None:  # convert as __init__ does; the original value stays for fallback
                globs[f"{prefix}_conv{index}"] = field.converter
                converted = f"{prefix}_cv{index}"
                prepare.append(f"{converted} = {prefix}_conv{index}({value})")
                value = converted
            else:
                same.append(expr)
        stored.append(value)
        if field.validator is not None:
            expr = _inline_expr(field.validator, value, globs, f"{prefix}_v{index}", shared)
            if expr is None:
                globs[f"{prefix}_val{index}"] = field.validator
                globs[f"{prefix}_attr{index}"] = field
                calls.append(f"{prefix}_val{index}({target}, {prefix}_attr{index}, {value})")
            else:
                checks.append(expr)
    globs[f"{prefix}_new"] = object.__new__
    globs[f"{prefix}_cls"] = cls
    # Plain attribute stores on the shadow class, then one class switch: cheaper than a
    # descriptor call per slot from two fields on.
    globs[f"{prefix}_shadow"] = _shadow_of(cls)
    build = [f"{target} = {prefix}_new({prefix}_shadow)"]
    build += [f"{target}.{f.name} = {v}" for f, v in zip(fields, stored, strict=True)]
    build.append(f"{target}.__class__ = {prefix}_cls")
    build += calls
    if hasattr(cls, "__attrs_post_init__"):
        build.append(f"{target}.__attrs_post_init__()")
    condition = " and ".join(dict.fromkeys(same + checks)) or "True"
    return ConstructionCode(prepare, condition, build)


def _compile_setattr(cls: type) -> None:
    current = cls.__dict__.get("__setattr__")
    code = getattr(current, "__code__", None)
    if code is None or "sa_attrs" not in code.co_freevars or _DEFAULT_ON_SETATTR is None:
        return
    cell = current.__closure__[code.co_freevars.index("sa_attrs")]  # type: ignore[union-attr]
    hooks: dict[str, tuple[attrs.Attribute[Any], Any]] = cell.cell_contents
    if any(hook is not _DEFAULT_ON_SETATTR for _, hook in hooks.values()):
        return
    # one source with a setter per field, compiled once per class (import time)
    globs: dict[str, Any] = {"_osa": _OBJ_SETATTR, "_config": _attrs_config}
    source: list[str] = []
    for index, (name, (field, _)) in enumerate(hooks.items()):
        lines = []
        if field.converter is not None:
            globs[f"_conv{index}"] = field.converter
            same = _inline_expr(field.converter, "value", globs, f"_c{index}")
            convert = f"value = _conv{index}(value)"
            lines.append(f"if not {same}: {convert}" if same else convert)
        if field.validator is not None:
            globs[f"_val{index}"], globs[f"_attr{index}"] = field.validator, field
            expr = _inline_expr(field.validator, "value", globs, f"_v{index}")
            call = f"_val{index}(self, _attr{index}, value)"
            lines.append("if _config._run_validators is True:")
            if expr is None:
                lines.append(f"    {call}")
            else:
                lines += [
                    "    try:",
                    f"        _ok = {expr}",
                    "    except Exception:",
                    "        _ok = False",
                    "    if not _ok:",
                    f"        {call}",
                ]
        lines.append(f"_osa(self, {name!r}, value)")
        body = "".join(f"    {line}\n" for line in lines)
        source.append(f"def set_{index}(self, value):\n{body}")
    names = list(hooks)
    source.append(f"setters = {{{', '.join(f'{n!r}: set_{i}' for i, n in enumerate(names))}}}\n")
    setters: dict[str, Any] = _compile("\n".join(source), globs, "setters", cls)

    def __setattr__(self: Any, name: str, value: Any) -> None:  # noqa: N807 - the dunder itself
        setter = setters.get(name)
        if setter is None:
            _OBJ_SETATTR(self, name, value)
        else:
            setter(self, value)

    __setattr__.__qualname__ = f"{cls.__qualname__}.__setattr__"
    __setattr__.__doc__ = current.__doc__
    type.__setattr__(cls, "__setattr__", __setattr__)


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
