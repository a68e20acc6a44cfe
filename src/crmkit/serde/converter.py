"""crmkit's one cattrs converter and the dict / JSON round trips of every public type.

Policy (the shapes live in :mod:`crmkit.domain`; the policy lives here):

- ``Money`` ↔ ``{"amount": "12.50", "currency": "SEK"}`` (the amount as a string, never a float);
- ``Decimal`` ↔ string; ``date`` ↔ ``"2025-03-31"``; ``datetime`` ↔ ISO 8601 with offset;
- enums ↔ their value; attrs classes ↔ dicts keyed by field name; tuples and sets ↔ lists;
- unknown keys are rejected; a bad payload raises one :class:`~crmkit.errors.ValidationError`
  that lists every problem with its field path.

Valid payloads take a fast path: one generated function per attrs class that checks and builds
nested objects inline, running each domain check once. Only when that fails does crmkit walk the
payload field by field to name every problem, so the error costs nothing on good data.

Examples:
    >>> from crmkit.domain import Money
    >>> from crmkit.serde import from_dict, to_dict
    >>> to_dict(Money("12.5", "SEK"))
    {'amount': '12.5', 'currency': 'SEK'}
    >>> from_dict(Money, {"amount": "12.50", "currency": "SEKK"})
    Traceback (most recent call last):
    ...
    crmkit.errors.ValidationError: money.currency: 'SEKK' is not an ISO 4217 currency code
"""

from __future__ import annotations

import enum
import functools
import json
import operator
import re
import types
import typing
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar, get_args, get_origin

import attrs
import cattrs

from crmkit._codegen import define
from crmkit.domain.limits import parse_decimal
from crmkit.domain.money import Money
from crmkit.domain.validators import attrs_init, construction_code
from crmkit.errors import Problem, ValidationError

__all__ = [
    "converter",
    "from_dict",
    "from_json",
    "read_json",
    "structure",
    "to_dict",
    "to_json",
]

T = TypeVar("T")

_SCALARS = (str, int, float, bool, type(None))


def _structure_decimal(value: Any, _: type) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (float, bool)):
        raise TypeError("is a float; give decimal numbers as strings")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        result = parse_decimal(value)
        if result is None:
            raise ValueError("is not a decimal number (ASCII digits, e.g. '0.25')")
        return result
    raise TypeError("is not a decimal number")


def _structure_date(value: Any, _: type) -> date:
    if isinstance(value, datetime):
        raise TypeError("is a datetime, not a date")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value)
    raise TypeError("is not an ISO date")


def _structure_datetime(value: Any, _: type) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    raise TypeError("is not an ISO datetime")


_TWO_DIGITS = tuple(f"{i:02d}" for i in range(100))


def _datetime_text(value: datetime) -> str:
    """``value.isoformat()``, built faster for the aware UTC datetimes crmkit stores.

    ``datetime.isoformat`` formats through a printf-style parser that costs about a
    microsecond; this concatenates ready-made two-digit strings (same text, tested).
    """
    if value.tzinfo is UTC and value.__class__ is datetime and value.year >= 1000:
        two = _TWO_DIGITS
        text = (
            f"{value.year}-{two[value.month]}-{two[value.day]}"
            f"T{two[value.hour]}:{two[value.minute]}:{two[value.second]}"
        )
        micro = value.microsecond
        return f"{text}.{micro:06d}+00:00" if micro else f"{text}+00:00"
    return value.isoformat()


def _structure_money(value: Any, _: type) -> Money:
    if isinstance(value, Money):
        return value
    if not isinstance(value, Mapping) or set(value) != {"amount", "currency"}:
        raise TypeError("must be an object with exactly 'amount' and 'currency'")
    amount = value["amount"]
    if isinstance(amount, float):
        raise TypeError("amount is a float")
    return Money(amount, value["currency"])


def _is_scalar_union(tp: Any) -> bool:
    if get_origin(tp) not in (typing.Union, types.UnionType):
        return False
    return all(arg in _SCALARS for arg in get_args(tp))


def _scalar_union_hook(tp: Any) -> Any:
    """A strict structure hook for unions of JSON scalars (``str | None``, custom values).

    The types are matched exactly (``True`` is not an ``int``; ``1`` is not a ``str``) and a
    float slot accepts an int; nothing is coerced.
    """
    allowed = frozenset(get_args(tp))
    accepts_float = float in allowed

    def structure_scalar(value: Any, _: Any) -> Any:
        kind = type(value)
        if kind in allowed or (accepts_float and kind is int):
            return value
        raise TypeError(f"must be {_describe(tp)}, not {kind.__name__}")

    return structure_scalar


def _strict(kind: type) -> Any:
    """A structure hook that accepts exactly ``kind`` (and int for float) and coerces nothing:
    cattrs' defaults would turn ``"5"`` into ``5`` and ``5.7`` into ``5`` silently."""

    def structure_exact(value: Any, _: Any) -> Any:
        if type(value) is kind:
            return value
        if kind is float and type(value) is int:
            return float(value)
        raise TypeError(
            f"must be {'a number' if kind is float else 'of type ' + kind.__name__}, not {type(value).__name__}"
        )

    return structure_exact


def _structure_any(value: Any, _: Any) -> Any:
    return value


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=False)
    conv.register_unstructure_hook(Decimal, str)
    conv.register_structure_hook(Decimal, _structure_decimal)
    conv.register_unstructure_hook(date, date.isoformat)
    conv.register_structure_hook(date, _structure_date)
    conv.register_unstructure_hook(datetime, _datetime_text)
    conv.register_structure_hook(datetime, _structure_datetime)
    conv.register_unstructure_hook(
        Money, lambda m: {"amount": str(m.amount), "currency": m.currency}
    )
    conv.register_structure_hook(Money, _structure_money)
    conv.register_structure_hook_factory(_is_scalar_union, _scalar_union_hook)
    for kind in (str, int, float, bool):
        conv.register_structure_hook(kind, _strict(kind))
    conv.register_structure_hook(Any, _structure_any)
    return conv


#: The converter crmkit uses everywhere (adapters, file formats, CLI).
converter: cattrs.Converter = _make_converter()


# --- generated code per attrs class --------------------------------------------------------------
#
# cattrs' generated functions call one Python hook per field (strict scalars, dates, Money ...).
# crmkit generates its own function per attrs class instead. JSON scalars, dates, datetimes,
# Money, lists and nested attrs classes are checked, converted and built inline, in one
# function body. Objects of classes compiled by :func:`crmkit.domain.validators.compile_validation`
# are built without calling ``__init__`` when the compiled ``__init__``'s inline checks hold for
# every value (:func:`~crmkit.domain.validators.construction_code`): the checks then run once,
# not once in crmkit.serde and again in ``__init__``; the validators without an inline check and
# ``__attrs_post_init__`` still run. When a check does not hold, the class is called as usual.
# Anything unusual calls the converter's hook for that type. Any failure raises, and
# :func:`structure` then names every problem with :func:`_diagnose`.

_EXACT = {str: "str", int: "int", bool: "bool"}
_MISSING = object()
_INLINE_DEPTH = 4  # nested attrs classes deeper than this call their own generated function


class _RefusedError(TypeError):
    """Raised by generated structure code; :func:`structure` diagnoses the payload."""


def _refuse(*_: Any) -> Any:
    raise _RefusedError


def _passes_through(tp: Any) -> bool:
    """Whether generated structure code only checks a value of ``tp`` (never converts it)."""
    return tp in _EXACT or tp is Any or _is_scalar_union(tp)


def _optional_arg(tp: Any) -> Any:
    """``X`` for ``X | None`` (one non-None option), else ``None``."""
    if get_origin(tp) in (typing.Union, types.UnionType):
        args = get_args(tp)
        options = [a for a in args if a is not type(None)]
        if len(options) == 1 and len(args) == 2:
            return options[0]
    return None


_encode_text = json.encoder.encode_basestring  # the function json.dumps writes strings with


_encode_ascii = json.encoder.encode_basestring_ascii  # the same with ensure_ascii (default)


def _standard_text(value: Any) -> str:
    """``value`` as :func:`json.dumps` writes it for :func:`to_json` (any plain data)."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def _scalars_text(
    value: Any, encode: Callable[[str], str] = _encode_text, colon: str = ": ", comma: str = ", "
) -> str:
    """A ``dict[str, scalar]`` as :func:`json.dumps` writes it (strings by ``encode``, items
    separated as ``colon`` and ``comma`` say); raises on anything unusual."""
    items = []
    for key, item in value.items():
        if key.__class__ is not str:
            raise _RefusedError
        kind = item.__class__
        if kind is str:
            text = encode(item)
        elif item is None:
            text = "null"
        elif kind is bool:
            text = "true" if item else "false"
        elif kind is int or (kind is float and item - item == 0.0):
            text = repr(item)
        else:
            raise _RefusedError
        items.append(f"{encode(key)}{colon}{text}")
    return "{" + comma.join(items) + "}"


class _Style(typing.NamedTuple):
    """How generated JSON text writers write: ``json.dumps``' separators and ``ensure_ascii``."""

    compact: bool = False  # separators (",", ":") instead of (", ", ": ")
    ascii: bool = False  # ensure_ascii=True

    @property
    def colon(self) -> str:
        return ":" if self.compact else ": "

    @property
    def comma(self) -> str:
        return "," if self.compact else ", "

    def dumps(self, value: Any) -> str:
        """``value`` as :func:`json.dumps` writes it in this style (never NaN)."""
        return json.dumps(
            value, ensure_ascii=self.ascii, allow_nan=False, separators=(self.comma, self.colon)
        )

    def scalars(self, value: Any) -> str:
        """:func:`_scalars_text` in this style."""
        encode = _encode_ascii if self.ascii else _encode_text
        return _scalars_text(value, encode, self.colon, self.comma)


_PLAIN = _Style()  # to_json's style


class _Codegen:
    """Builds the source of one generated function; ``ref``/``var`` make unique names.

    ``shortcuts`` (a class attribute; tests turn it off to compare with the code before
    them): the root class's fields fetched by one ``itemgetter`` call when all are present,
    an empty list built without its loop, and validator calls skipped for values they
    provably accept (:func:`_guarded_calls`)."""

    shortcuts = True

    def __init__(self, root: type, style: _Style | None = None) -> None:
        style = _PLAIN if style is None else style
        self.style = style
        self.globs: dict[str, Any] = {
            "_refuse": _refuse,
            "_text": _encode_ascii if style.ascii else _encode_text,
            "_standard": style.dumps if style != _PLAIN else _standard_text,
            "_scalars": (  # bound once: no property look-ups per call
                functools.partial(
                    _scalars_text,
                    encode=_encode_ascii if style.ascii else _encode_text,
                    colon=style.colon,
                    comma=style.comma,
                )
                if style != _PLAIN
                else _scalars_text
            ),
            "_NOTHING": attrs.NOTHING,
            "_disabled": attrs.validators.get_disabled,
            "_datetime_from": datetime.fromisoformat,
            "_date_from": date.fromisoformat,
            "_datetime_text": _datetime_text,
            "_date_text": date.isoformat,
            "_TWO_DIGITS": _TWO_DIGITS,
            "_UTC": UTC,
            "_datetime": datetime,
        }
        self.lines: list[str] = []
        self.stack: list[type] = [root]  # attrs classes being inlined (recursion guard)
        self._n = 0
        self.writers: dict[type, str] = {}  # JSON text writers: class -> function name
        self.functions: list[str] = []  # their sources

    def ref(self, value: Any) -> str:
        self._n += 1
        name = f"_g{self._n}"
        self.globs[name] = value
        return name

    def var(self) -> str:
        self._n += 1
        return f"_x{self._n}"

    def _inlines(self, tp: Any) -> bool:
        return (
            isinstance(tp, type)
            and _generated(tp)
            and tp not in self.stack
            and len(self.stack) < _INLINE_DEPTH
            and _generated_fields(tp) is not None
        )

    # structure ----------------------------------------------------------------------------------

    def structure(self, tp: Any, src: str, dst: str, indent: str) -> None:
        """Emit lines that set ``dst`` from the raw value in ``src`` (raising on bad data)."""
        out = self.lines.append
        if _is_scalar_union(tp):  # exact types; a float slot keeps an int as it is
            allowed = self.ref(frozenset(get_args(tp)))
            check = f"{src}.__class__ not in {allowed}"
            if float in get_args(tp):
                check += f" and {src}.__class__ is not int"
            out(f"{indent}if {check}: _refuse()")
            if dst != src:
                out(f"{indent}{dst} = {src}")
            return
        if self.structure_optional(tp, src, dst, indent):
            return
        if tp in _EXACT:
            out(f"{indent}if {src}.__class__ is not {_EXACT[tp]}: _refuse()")
            if dst != src:
                out(f"{indent}{dst} = {src}")
        elif tp is float:
            out(f"{indent}if {src}.__class__ is float: {dst} = {src}")
            out(f"{indent}elif {src}.__class__ is int: {dst} = float({src})")
            out(f"{indent}else: _refuse()")
        elif tp is Any:
            if dst != src:
                out(f"{indent}{dst} = {src}")
        elif tp is datetime or tp is date:
            parse = "_datetime_from" if tp is datetime else "_date_from"
            hook = self.ref(converter.get_structure_hook(tp))
            out(f"{indent}if {src}.__class__ is str: {dst} = {parse}({src})")
            out(f"{indent}else: {dst} = {hook}({src}, {self.ref(tp)})")
        elif tp is Money:
            money, hook = self.ref(Money), self.ref(_structure_money)
            amount, currency = self.var(), self.var()
            out(
                f"{indent}if {src}.__class__ is dict and len({src}) == 2 and "
                f"({amount} := {src}.get('amount')).__class__ is str and "
                f"({currency} := {src}.get('currency')) is not None:"
            )
            self.construct(
                Money, [amount, currency], [amount, currency], dst, indent + "    ", [], {"amount"}
            )
            out(f"{indent}else: {dst} = {hook}({src}, {money})")
        elif (members := _text_members(tp)) is not None:  # a text enum: its member by value
            table, hook = self.ref(members), self.ref(converter.get_structure_hook(tp))
            out(f"{indent}if {src}.__class__ is str and {src} in {table}: {dst} = {table}[{src}]")
            out(f"{indent}else: {dst} = {hook}({src}, {self.ref(tp)})")
        elif self._inlines(tp):
            self.structure_attrs(tp, src, dst, indent)
        elif get_origin(tp) is list and len(get_args(tp)) == 1:
            (item,) = get_args(tp)
            fallback = self.ref(converter.get_structure_hook(tp))
            out(
                f"{indent}if {src}.__class__ is not list: {dst} = {fallback}({src}, {self.ref(tp)})"
            )
            if self.shortcuts:  # most lists of a stored entity are empty
                out(f"{indent}elif not {src}: {dst} = []")
            out(f"{indent}else:")
            each = self.var()
            if item in _EXACT:
                out(f"{indent}    for {each} in {src}:")
                out(f"{indent}        if {each}.__class__ is not {_EXACT[item]}: _refuse()")
                out(f"{indent}    {dst} = list({src})")
            else:
                append, built = self.var(), self.var()
                out(f"{indent}    {dst} = []")
                out(f"{indent}    {append} = {dst}.append")
                out(f"{indent}    for {each} in {src}:")
                self.structure(item, each, built, indent + "        ")
                out(f"{indent}        {append}({built})")
        elif (
            get_origin(tp) is dict
            and len(get_args(tp)) == 2
            and get_args(tp)[0] is str
            and (get_args(tp)[1] is Any or _is_scalar_union(get_args(tp)[1]))
        ):
            value_type = get_args(tp)[1]
            fallback = self.ref(converter.get_structure_hook(tp))
            key, item = self.var(), self.var()
            out(
                f"{indent}if {src}.__class__ is not dict: {dst} = {fallback}({src}, {self.ref(tp)})"
            )
            out(f"{indent}elif not {src}: {dst} = {{}}")
            out(f"{indent}else:")
            if value_type is Any:
                out(f"{indent}    for {key} in {src}:")
                out(f"{indent}        if {key}.__class__ is not str: _refuse()")
            else:
                allowed = self.ref(frozenset(get_args(value_type)))
                out(f"{indent}    for {key}, {item} in {src}.items():")
                out(f"{indent}        if {key}.__class__ is not str or (")
                out(f"{indent}            {item}.__class__ not in {allowed}")
                if float in get_args(value_type):
                    out(f"{indent}            and {item}.__class__ is not int")
                out(f"{indent}        ): _refuse()")
            out(f"{indent}    {dst} = dict({src})")
        elif tp in self.stack:  # a recursive class: its function exists once this one does
            out(f"{indent}{dst} = {self.ref(converter.structure)}({src}, {self.ref(tp)})")
        else:
            hook = self.ref(converter.get_structure_hook(tp))
            out(f"{indent}{dst} = {hook}({src}, {self.ref(tp)})")

    def structure_optional(self, tp: Any, src: str, dst: str, indent: str) -> bool:
        """Emit the lines of an ``X | None`` type (``None`` kept, else ``X``'s lines); ``False``
        when ``tp`` is not optional (nothing emitted)."""
        inner = _optional_arg(tp)
        if inner is None:
            return False
        out = self.lines.append
        out(f"{indent}if {src} is None:")
        out(f"{indent}    {dst} = None")
        out(f"{indent}else:")
        self.structure(inner, src, dst, indent + "    ")
        return True

    def default(
        self, field: attrs.Attribute[Any], value: str, indent: str, unset: list[str] | None
    ) -> None:
        """Emit the line setting ``value`` to ``field``'s default. ``unset`` is ``None`` when
        the class is built by calling it (then its factories run here unless they take
        ``self``); a default left to ``__init__`` (a ``takes_self`` factory) is set to
        ``_NOTHING`` and its variable added to ``unset``."""
        default: Any = field.default
        if not isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            self.lines.append(f"{indent}{value} = {self.ref(default)}")
        elif unset is not None and not default.takes_self:
            self.lines.append(f"{indent}{value} = {self.ref(default.factory)}()")
        else:  # attrs' __init__ runs the factory
            self.lines.append(f"{indent}{value} = _NOTHING")
            if unset is not None:
                unset.append(value)

    def structure_attrs(self, cls: type, src: str, dst: str, indent: str) -> None:
        """Emit lines that build an instance of attrs class ``cls`` from the dict in ``src``."""
        fields = _generated_fields(cls)
        assert fields is not None  # checked by the caller
        out = self.lines.append
        self.stack.append(cls)
        compiled = attrs_init(cls) is not None
        out(f"{indent}if {src}.__class__ is not dict: _refuse()")
        missing = self.var()
        optional = [f for f in fields if f.default is not attrs.NOTHING]
        # checked-only types keep the raw variable; others convert into a new one
        raws = [self.var() for _ in fields]
        values = [
            raw if _passes_through(f.type) else self.var()
            for f, raw in zip(fields, raws, strict=True)
        ]
        unset: list[str] = []  # fields left to a takes_self factory of __init__
        root = len(self.stack) == 2 and self.stack[0] is cls  # the function's own class
        every = self.shortcuts and root and optional and len(fields) > 1
        if every:  # the root class: one itemgetter call when every field is present
            names = self.ref(operator.itemgetter(*(f.name for f in fields)))
            out(f"{indent}try:")
            out(f"{indent}    ({', '.join(raws)},) = {names}({src})")
            out(f"{indent}except KeyError:")
            indent += "    "
        if optional:
            out(f"{indent}{missing} = 0")
        for field, raw, value in zip(fields, raws, values, strict=True):
            if field.default is attrs.NOTHING:
                out(f"{indent}{raw} = {src}[{field.name!r}]")
                self.structure(field.type, raw, value, indent)
                continue
            out(f"{indent}if {field.name!r} in {src}:")
            out(f"{indent}    {raw} = {src}[{field.name!r}]")
            self.structure(field.type, raw, value, indent + "    ")
            out(f"{indent}else:")
            self.default(field, value, indent + "    ", unset if compiled else None)
            out(f"{indent}    {missing} += 1")
        total = f"len({src}) + {missing}" if optional else f"len({src})"
        out(f"{indent}if {total} != {len(fields)}: _refuse()")
        if every:  # every field present: no defaults, the same checks in the same order
            indent = indent[:-4]
            out(f"{indent}else:")
            out(f"{indent}    if len({src}) != {len(fields)}: _refuse()")
            for field, raw, value in zip(fields, raws, values, strict=True):
                self.structure(field.type, raw, value, indent + "    ")
        # positional where attrs' __init__ takes the field positionally (cheaper to call)
        args = [f"{f.name}={v}" if f.kw_only else v for f, v in zip(fields, values, strict=True)]
        args.sort(key=lambda arg: "=" in arg)  # stable: positional in field order, then keywords
        self.construct(cls, values, args, dst, indent, unset if compiled else None)
        self.stack.pop()

    def construct(
        self,
        cls: type,
        values: list[str],
        args: list[str],
        dst: str,
        indent: str,
        unset: list[str] | None,
        convert: Collection[str] = (),
    ) -> None:
        """Emit lines that set ``dst`` to ``cls(*args)``: built directly when the compiled
        ``__init__``'s inline checks hold (``unset``: values an ``__init__`` factory must
        fill, which rule that out), else by calling the class."""
        out = self.lines.append
        call = f"{self.ref(cls)}({', '.join(args)})"
        code = None
        if unset is not None:
            prefix = self.var()
            code = construction_code(cls, values, dst, self.globs, prefix, convert)
        if code is None or unset is None:
            out(f"{indent}{dst} = {call}")
            return
        if self.shortcuts:
            code = code._replace(build=_guarded_calls(cls, values, dst, prefix, code.build))
        ok = self.var()
        guards = [f"{value} is not _NOTHING" for value in unset]
        out(f"{indent}try:")
        self.lines += [f"{indent}    {line}" for line in code.prepare]
        out(f"{indent}    {ok} = _trusted and {' and '.join([*guards, f'({code.condition})'])}")
        out(f"{indent}except Exception:")
        out(f"{indent}    {ok} = False")
        out(f"{indent}if {ok}:")
        self.lines += [f"{indent}    {line}" for line in code.build]
        out(f"{indent}else:")
        out(f"{indent}    {dst} = {call}")

    # unstructure --------------------------------------------------------------------------------

    def _bind(self, src: str) -> tuple[str, str]:
        """``src`` for its first and later uses in one expression (a walrus when needed)."""
        if src.isidentifier():
            return src, src
        name = self.var()
        return f"({name} := {src})", name

    def unstructure(self, tp: Any, src: str) -> str:
        """An expression giving the plain data of the value in ``src`` (typed ``tp``)."""
        inner = _optional_arg(tp)
        if inner is not None:
            first, later = self._bind(src)
            value = self.unstructure(inner, later)
            return src if value == later else f"(None if {first} is None else {value})"
        if tp in _EXACT or tp is float or tp is Any:
            return src
        if tp is datetime:  # _datetime_text inlined for UTC, else called
            first, later = self._bind(src)
            two = "_TWO_DIGITS"
            return (
                f"(f'{{{later}.year}}-{{{two}[{later}.month]}}-{{{two}[{later}.day]}}"
                f"T{{{two}[{later}.hour]}}:{{{two}[{later}.minute]}}:{{{two}[{later}.second]}}"
                f"+00:00' if {first}.tzinfo is _UTC and {later}.__class__ is _datetime "
                f"and not {later}.microsecond and {later}.year >= 1000 "
                f"else _datetime_text({later}))"
            )
        if tp is date:
            return f"_date_text({src})"
        if tp is Decimal:
            return f"str({src})"
        if tp is Money:
            first, later = self._bind(src)
            return f"{{'amount': str({first}.amount), 'currency': {later}.currency}}"
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            return f"{src}.value"
        if self._inlines(tp):
            first, later = self._bind(src)
            fields = _generated_fields(tp)
            assert fields is not None
            self.stack.append(tp)
            items = []
            for index, field in enumerate(fields):
                where = f"{first if index == 0 else later}.{field.name}"
                items.append(f"{field.name!r}: {self.unstructure(field.type, where)}")
            self.stack.pop()
            return "{" + ", ".join(items) + "}"
        origin, args = get_origin(tp), get_args(tp)
        if origin is list and len(args) == 1:
            if args[0] in _EXACT or args[0] is float:
                return f"list({src})"
            each = self.var()
            return f"[{self.unstructure(args[0], each)} for {each} in {src}]"
        if origin is dict and len(args) == 2 and args[0] is str and _is_scalar_union(args[1]):
            return f"dict({src})"
        if origin is dict:
            first, later = self._bind(src)
            hook = self.ref(converter.get_unstructure_hook(tp))
            return f"({hook}({later}) if {first} else {{}})"
        if tp in self.stack:  # a recursive class
            return f"{self.ref(converter.unstructure)}({src}, {self.ref(tp)})"
        hook = self.ref(converter.get_unstructure_hook(tp))
        return f"{hook}({src})"

    def writer(self, cls: type, replace: str | None = None) -> str:
        """The name of a generated function giving the JSON text of an object of ``cls``
        (emitted into ``self.functions`` on first use; a recursive class calls itself). With
        ``replace`` (a field holding an ``int``), the function takes that field's value as a
        second argument instead of reading it from the object."""
        if replace is not None:
            name = f"_write_with_{replace}"
        elif (found := self.writers.get(cls)) is not None:
            return found
        else:
            name = self.writers[cls] = f"_write{len(self.writers)}"
        fields = _generated_fields(cls)
        assert fields is not None  # checked by the caller
        lines = [f"def {name}(obj{'' if replace is None else ', _replaced'}):"]
        items = []
        colon, comma = self.style.colon, self.style.comma
        for index, field in enumerate(fields):
            src = "_replaced" if field.name == replace else f"obj.{field.name}"
            value = self.text(int if field.name == replace else field.type, src)
            lines.append(f"    _v{index} = {value}")
            items.append(f"{_encode_text(field.name)}{colon}{{_v{index}}}")  # identifiers
        lines.append(f"    return f'{{{{{comma.join(items)}}}}}'")
        self.functions.append("\n".join(lines) + "\n")
        return name

    def text(self, tp: Any, src: str) -> str:
        """An expression giving the JSON text that :func:`json.dumps` writes for the plain data
        of the value in ``src`` (typed ``tp``), as :func:`to_json` writes it; a value the text
        would not be exact for (another type, NaN, a key that is not a string) raises."""
        inner = _optional_arg(tp)
        if inner is not None:
            first, later = self._bind(src)
            return f"('null' if {first} is None else {self.text(inner, later)})"
        first, later = self._bind(src)
        if tp is str:
            return f"(_text({later}) if {first}.__class__ is str else _refuse())"
        if tp is bool:
            return f"('true' if {first} is True else 'false' if {later} is False else _refuse())"
        if tp is int:
            return f"({later}.__repr__() if {first}.__class__ is int else _refuse())"
        if tp is float:  # json writes repr() of a finite float and refuses NaN and infinities
            return (
                f"({later}.__repr__() if {first}.__class__ is float and {later} - {later} == 0.0 "
                f"or {later}.__class__ is int else _refuse())"
            )
        if tp is Any or _is_scalar_union(tp):
            return f"(_text({later}) if {first}.__class__ is str else _standard({later}))"
        if tp is datetime:  # as unstructure writes it, quoted (no character to escape)
            plain = self.unstructure(tp, later)
            return (
                f"(_text({plain}) if {first}.__class__ is not _datetime else '\"' + {plain} + '\"')"
            )
        if tp is date or tp is Decimal:
            return f"_text({self.unstructure(tp, src)})"
        if tp is Money:
            currency = self.text(str, f"{later}.currency")
            colon, comma = self.style.colon, self.style.comma
            return (
                f"('{{\"amount\"{colon}' + _text(str({first}.amount)) + '{comma}\"currency\"{colon}' "
                f"+ {currency} + '}}')"
            )
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            return self.text(Any, f"{src}.value")
        if isinstance(tp, type) and _generated(tp) and _generated_fields(tp) is not None:
            return f"{self.writer(tp)}({src})"
        origin, args = get_origin(tp), get_args(tp)
        if origin is list and len(args) == 1:
            each = self.var()
            items = f"[{self.text(args[0], each)} for {each} in {src}]"
            return f"('[' + {self.style.comma!r}.join({items}) + ']')"
        if origin is dict and len(args) == 2 and args[0] is str and _is_scalar_union(args[1]):
            return f"(_scalars({later}) if {first} else '{{}}')"
        if origin is dict:  # an empty dict is '{}' whatever its type
            hook = self.ref(converter.get_unstructure_hook(tp))
            return f"(_standard({hook}({later})) if {first} else '{{}}')"
        return f"_standard({self.unstructure(tp, src)})"


class _Probe:
    """An entity no validator may look at: every attribute access raises."""

    __slots__ = ()

    def __getattribute__(self, name: str) -> Any:
        raise _RefusedError(name)


@functools.cache
def _accepts(validator: Any, field: attrs.Attribute[Any], empty: bool) -> bool:
    """Whether ``validator`` accepts an empty list (``empty``) or ``None`` for ``field``
    without looking at the entity it validates: asked once, with a probe entity on which any
    attribute access raises. Such a validator depends on the value alone, so it accepts that
    value on every entity and generated code need not call it (see :func:`_guarded_calls`)."""
    value: Any = [] if empty else None
    try:
        validator(_Probe(), field, value)
    except Exception:  # refused, or it needs the entity
        return False
    return value is None or (value.__class__ is list and not value)  # left as it was


def _guarded_calls(
    cls: type, values: Sequence[str], target: str, prefix: str, build: list[str]
) -> list[str]:
    """``build`` (from :func:`~crmkit.domain.validators.construction_code`) with each call of a
    validator without an inline check skipped for the values it provably accepts: an empty
    list where it accepts an empty list, ``None`` where it accepts ``None`` (:func:`_accepts`).
    A call is skipped only when it would have returned without raising, so the entity built
    and every error (named by :func:`_diagnose` after any failure) stay the same. Only
    crmkit's own classes are probed: their validators keep no state, while a user's class may
    have validators with effects (logging, counting) that must run on every entity."""
    if not cls.__module__.startswith("crmkit."):
        return build
    fields = attrs.fields(cls)
    result = list(build)
    for index, (field, value) in enumerate(zip(fields, values, strict=True)):
        line = f"{prefix}_val{index}({target}, {prefix}_attr{index}, {value})"
        if field.validator is None or line not in result:
            continue
        skip = []
        try:
            if _accepts(field.validator, field, True):
                skip.append(f"({value}.__class__ is list and not {value})")
            if _accepts(field.validator, field, False):
                skip.append(f"{value} is None")
        except TypeError:  # an unhashable validator: always called
            continue
        if skip:
            result[result.index(line)] = f"if not ({' or '.join(skip)}): {line}"
    return result


def _text_members(tp: Any) -> dict[str, enum.Enum] | None:
    """``{value: member}`` of an enum whose values are all text (``tp(value)`` gives that
    member, as the converter's enum hook does), else ``None``."""
    if not (isinstance(tp, type) and issubclass(tp, enum.Enum)):
        return None
    members = {member.value: member for member in tp}
    if not members or any(value.__class__ is not str for value in members):
        return None
    return members


def _generated_fields(cls: type) -> tuple[attrs.Attribute[Any], ...] | None:
    """The fields of ``cls`` if crmkit can generate its functions, else ``None``."""
    fields: tuple[attrs.Attribute[Any], ...] = attrs.fields(attrs.resolve_types(cls))
    for field in fields:
        if not field.init or (field.alias or field.name) != field.name or field.type is None:
            return None
    return fields


def _compile(source: str, globs: dict[str, Any], name: str | None, cls: type) -> Any:
    """The function ``name`` defined by ``source`` (every definition when ``name`` is None)."""
    filename = f"<crmkit serde {name or 'write'} {cls.__module__}.{cls.__qualname__}>"
    namespace = define(source, filename, globs)
    return namespace if name is None else namespace[name]


def _structure_factory(cls: Any) -> Any:
    if _generated_fields(cls) is None:
        return _default_structure_factory(cls)
    gen = _Codegen(cls)
    gen.lines += ["def structure(data, _=None):", "    _trusted = not _disabled()"]
    gen.structure_attrs(cls, "data", "result", "    ")
    gen.lines.append("    return result")
    structure = _compile("\n".join(gen.lines) + "\n", gen.globs, "structure", cls)
    _STRUCTURE[cls] = structure  # from_json reads cls through msgspec while this is its hook
    return structure


def _unstructure_source(cls: Any, gen: _Codegen) -> str:
    fields = _generated_fields(cls)
    assert fields is not None  # checked by the caller
    items = []
    for index, field in enumerate(fields):
        local = f"_a{index}"
        gen.lines.append(f"    {local} = obj.{field.name}")
        items.append(f"{field.name!r}: {gen.unstructure(field.type, local)}")
    body = "\n".join(gen.lines)
    return f"def unstructure(obj):\n{body}\n    return {{{', '.join(items)}}}\n"


def _unstructure_factory(cls: Any) -> Any:
    if _generated_fields(cls) is None:
        return _default_unstructure_factory(cls)
    gen = _Codegen(cls)
    return _compile(_unstructure_source(cls, gen), gen.globs, "unstructure", cls)


@functools.cache
def _json_writer(cls: type) -> Callable[[Any], str] | None:
    """A generated function writing an object of ``cls`` as :func:`to_json` does, or ``None``
    for a class without generated functions.

    The function writes the text :func:`json.dumps` writes for :func:`to_dict`'s data, without
    building the data: JSON strings through the function ``json.dumps`` uses, numbers by
    ``repr``, dates and datetimes as :func:`to_dict` writes them, nested classes inline; data
    of no declared type (``Any``) through :func:`json.dumps` itself. It raises on anything it
    could not write exactly (:func:`to_json` then takes the standard path).
    """
    if not _generated(cls) or _generated_fields(cls) is None:
        return None
    gen = _Codegen(cls)
    root = gen.writer(cls)
    # the functions call each other: they are defined in the namespace they run in
    functions = _compile("\n".join(gen.functions), gen.globs, None, cls)
    gen.globs.update(functions)
    return functions[root]  # type: ignore[no-any-return]


@functools.cache
def json_text_writer(
    tp: Any, *, compact: bool = False, ascii: bool = False, replace: str | None = None
) -> Callable[..., str]:
    """A generated function writing a value of type ``tp`` (an attrs class, ``list[...]``,
    ``dict[str, ...]`` …) as :func:`json.dumps` writes :func:`to_dict`'s data for it, without
    building the data: with ``separators=(",", ":")`` when ``compact``, with
    ``ensure_ascii=True`` when ``ascii`` (else as :func:`to_json` writes, never ``NaN``).
    It raises on anything it could not write exactly (another type, NaN …); the caller then
    takes the standard path, which decides. With ``replace``, ``tp`` is an attrs class and the
    function takes the ``int`` to write for that field as its second argument.

    Examples:
        >>> from crmkit.domain import Money
        >>> from crmkit.serde.converter import json_text_writer
        >>> json_text_writer(list[Money], compact=True)([Money("1.50", "SEK")])
        '[{"amount":"1.50","currency":"SEK"}]'
        >>> json_text_writer(dict[str, str], ascii=True)({"city": "Malmö"})
        '{"city": "Malm\\\\u00f6"}'
    """
    gen = _Codegen(tp if isinstance(tp, type) else object, _Style(compact, ascii))
    if replace is not None:
        if not _generated(tp) or _generated_fields(tp) is None:
            raise TypeError(f"{tp!r} has no generated functions")
        root = gen.writer(tp, replace)
    else:
        root = "_value"
        gen.functions.append(f"def _value(value):\n    return {gen.text(tp, 'value')}\n")
    style = ("compact " if compact else "") + ("ascii " if ascii else "")
    label = f"{tp.__module__}.{tp.__qualname__}" if isinstance(tp, type) else repr(tp)
    filename = f"<crmkit serde {style}text {label} {replace or ''}>"
    functions = define("\n".join(gen.functions), filename, gen.globs)
    gen.globs.update(functions)
    return functions[root]  # type: ignore[no-any-return]


def _generated(tp: Any) -> bool:
    return attrs.has(tp) and tp is not Money


_default_structure_factory = converter.gen_structure_attrs_fromdict  # cattrs' own, for
_default_unstructure_factory = converter.gen_unstructure_attrs_fromdict  # unusual classes
converter.register_structure_hook_factory(_generated, _structure_factory)
converter.register_unstructure_hook_factory(_generated, _unstructure_factory)


def _root_name(cls: type) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()


def to_dict(obj: Any) -> Any:
    """Turn a crmkit object into plain JSON-compatible Python data.

    Examples:
        >>> from datetime import date
        >>> from crmkit.serde import to_dict
        >>> to_dict(date(2025, 3, 31))
        '2025-03-31'
    """
    return converter.unstructure(obj, unstructure_as=type(obj))


def structure(data: Any, cls: Any, *, path: str | None = None) -> Any:
    """Build a value of type ``cls`` (any annotation: a class, ``list[Account]`` ...) from data.

    ``path`` names the root in error messages (default: the class name in snake case).

    Examples:
        >>> from crmkit.domain import Money
        >>> from crmkit.serde import structure
        >>> [m.amount for m in structure([{"amount": "1", "currency": "SEK"}], list[Money])]
        [Decimal('1')]
    """
    try:
        return converter.structure(data, cls)
    except Exception:
        root = path if path is not None else (_root_name(cls) if isinstance(cls, type) else "")
        problems = _diagnose(data, cls, root)
        if not problems:  # pragma: no cover - the fast path failed, so something is wrong
            problems = [Problem(root, data, "could not be read")]
        raise ValidationError(problems) from None


def from_dict(cls: type[T], data: Any) -> T:
    """Build a ``cls`` from a dict made by :func:`to_dict` (or by hand).

    Raises:
        ValidationError: every problem in ``data``, each with its field path.

    Examples:
        >>> from crmkit.domain import Money
        >>> from crmkit.serde import from_dict
        >>> from_dict(Money, {"amount": "10.00", "currency": "NOK"}).amount
        Decimal('10.00')
        >>> from_dict(Money, {"amount": "10", "currency": "NOK", "rate": 1})
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: money.rate: is not a field of Money
    """
    try:  # structure() inlined: from_dict is the hot entry point
        result: T = converter.structure(data, cls)
    except Exception:
        problems = _diagnose(data, cls, _root_name(cls))
        if not problems:  # pragma: no cover - the fast path failed, so something is wrong
            problems = [Problem(_root_name(cls), data, "could not be read")]
        raise ValidationError(problems) from None
    return result


def to_json(obj: Any, *, indent: int | None = None) -> str:
    """Serialise a crmkit object to a JSON string (strict JSON: never ``NaN`` or ``Infinity``).

    Raises:
        ValidationError: the object holds a value JSON cannot express (only possible when a
            mutable field such as ``custom`` was changed in place, bypassing validation).

    Examples:
        >>> from crmkit.domain import Account, Money
        >>> from crmkit.serde import to_json
        >>> to_json(Money("12.50", "SEK"))
        '{"amount": "12.50", "currency": "SEK"}'
        >>> account = Account("Acme")
        >>> account.custom["score"] = float("nan")  # in place: no validator runs
        >>> to_json(account)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: json: cannot be written (Out of range float values are not JSON compliant)
    """
    if indent is None and (write := _json_writer(obj.__class__)) is not None:
        try:  # the same text, written directly; anything unusual takes the standard path
            return write(obj)
        except Exception:  # the standard path below decides and names the problem
            pass
    data = to_dict(obj)
    try:
        return json.dumps(data, ensure_ascii=False, indent=indent, allow_nan=False)
    except (TypeError, ValueError, RecursionError) as exc:
        raise ValidationError.single("json", message=f"cannot be written ({exc})") from None


def from_json(cls: type[T], text: str | bytes | bytearray) -> T:
    """Build a ``cls`` from a JSON string made by :func:`to_json` (or UTF-8 bytes).

    Strict JSON only: ``NaN``, ``Infinity`` and numbers beyond the float range (``1e400``) are
    refused, as are bytes that are not UTF-8 and nesting too deep to read; every problem is a
    :class:`~crmkit.errors.ValidationError` (path ``json``), never a raw Python exception.

    ``from_json(cls, text)`` is ``from_dict(cls, read_json(text))``. For an attrs class, when
    msgspec (the ``json`` extra) is installed, msgspec first reads the text into the class's
    fields and the domain checks run once on them (:mod:`crmkit.serde._typed`); anything that
    path does not read exactly as ``read_json`` and ``from_dict`` would (a refused value, a
    repeated key …) is read again that way, so the result and every error are the same.

    Examples:
        >>> from crmkit.domain import Money
        >>> from crmkit.serde import from_json
        >>> from_json(Money, '{"amount": "3", "currency": "EUR"}').currency
        'EUR'
        >>> from_json(Money, '{"amount": ')
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: json: is not valid JSON (Expecting value: line 1 column 12 (char 11))
        >>> from_json(Money, '{"amount": NaN, "currency": "EUR"}')
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: json: is not valid JSON (NaN is not a JSON number)
        >>> from_json(Money, b'{"amount": "3", "currency": "\\xff"}')
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: json: is not valid UTF-8 (byte 0xff at position 29)
    """
    if text.__class__ in _TYPED_TEXTS:  # msgspec's typed reading, when it reads as below
        try:
            read = _TYPED[cls]
        except KeyError:
            read = _typed_reader(cls)
        except TypeError:  # an unhashable annotation
            read = None
        if read is not None and converter.get_structure_hook(cls) is _STRUCTURE.get(cls):
            result = read(text)
            if result is not _MISSING:
                return result  # type: ignore[no-any-return]
    return from_dict(cls, read_json(text))


_TYPED_TEXTS = (str, bytes, bytearray)
_TYPED: dict[Any, Any] = {}  # class -> its msgspec reader (crmkit.serde._typed) or None
_STRUCTURE: dict[Any, Any] = {}  # class -> its generated structure function (from_dict's)


def _typed_reader(cls: Any) -> Any:
    """``cls``'s typed reader (:mod:`crmkit.serde._typed`, msgspec), or ``None``; cached."""
    from crmkit.serde._typed import typed_reader

    try:
        read = typed_reader(cls)
        _TYPED[cls] = read
    except TypeError:  # an unhashable annotation: no reader
        return None
    return read


@functools.cache
def _fast_reader() -> tuple[Callable[[bytes], Any], Callable[[Any], bytes], type[Exception]] | None:
    """orjson's ``loads``, ``dumps`` and error class when the ``json`` extra is installed (imported
    on first use, so ``import crmkit`` stays free of it), else ``None``."""
    try:  # the json extra: a faster reader; the standard library's json decides when in doubt
        import orjson
    except ImportError:  # pragma: no cover - exercised when the extra is not installed
        return None
    return orjson.loads, orjson.dumps, orjson.JSONDecodeError


_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_INTEGER = b"0" * 19  # orjson reads integers beyond 64 bits as floats; json keeps them


def _read_fast(raw: bytes) -> Any:
    """``raw`` parsed by orjson when that gives exactly what :func:`read_json`'s strict reader
    gives, else ``_MISSING`` (the standard library then reads it and names the problem).

    orjson refuses everything the strict reader refuses except two things, checked here: it
    keeps the last of a repeated key, and it reads very long integers as floats. Outside
    strings a valid JSON text has one ``:`` per key; orjson writes the parsed value back with
    one ``:`` per key it kept plus the ``:`` inside strings, which the text holds as they are
    unless escaped as ``\\u003a`` (then the standard reader decides). So equal counts of ``:``
    mean no key was dropped.
    """
    fast = _fast_reader()
    if fast is None:
        return _MISSING
    fast_loads, fast_dumps, fast_error = fast
    try:
        data = fast_loads(raw)
    except fast_error:
        return _MISSING
    return data if _read_exactly(raw, data, fast_dumps) else _MISSING


def _read_exactly(raw: bytes, data: Any, fast_dumps: Callable[[Any], bytes]) -> bool:
    """Whether ``data``, orjson's reading of ``raw``, is what the strict reader reads (see
    :func:`_read_fast`). ``raw`` may also be several JSON texts joined by newlines and ``data``
    the list of their readings: every check below adds up over the texts (a newline is no
    digit, no ``:`` and no part of ``\\u003``)."""
    if b"\\u003" in raw or _LONG_INTEGER in raw.translate(_DIGITS_AS_ZERO):
        return False
    try:
        written = fast_dumps(data)
    except TypeError:  # orjson.JSONEncodeError: it writes fewer nesting levels than it reads
        return False
    return raw.count(b":") == written.count(b":")


class _NumberError(ValueError):
    """A JSON number or object that strict JSON (and crmkit) does not allow."""


def _refuse_constant(name: str) -> Any:
    raise _NumberError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    number = float(text)
    if number - number != 0:  # inf (NaN cannot be written as a JSON number)
        raise _NumberError(f"{text} is beyond the range of finite numbers")
    return number


def unique_keys(pairs: list[tuple[str, Any]], refuse: Callable[[str], Exception]) -> dict[str, Any]:
    """A JSON object read from its ``(key, value)`` pairs (a ``json.loads``
    ``object_pairs_hook``), raising ``refuse(key)`` for the first key written twice (JSON
    readers disagree on which value wins, so crmkit takes neither).

    Examples:
        >>> from crmkit.serde.converter import unique_keys
        >>> unique_keys([("a", 1), ("b", 2)], ValueError)
        {'a': 1, 'b': 2}
        >>> unique_keys([("a", 1), ("a", 2)], ValueError)
        Traceback (most recent call last):
        ...
        ValueError: a
    """
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise refuse(key)
            seen.add(key)
    return result


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    return unique_keys(
        pairs, lambda key: _NumberError(f"the key {key!r} appears twice in one object")
    )


def read_json(text: str | bytes | bytearray) -> Any:
    """Parse strict JSON text (or UTF-8 bytes) into plain Python data.

    Raises:
        ValidationError: invalid UTF-8, invalid JSON, ``NaN``/``Infinity``, numbers beyond
            the float range, a key repeated in one object (JSON readers disagree on which one
            wins, so crmkit takes neither), or nesting deeper than Python can read (path
            ``json``).

    Examples:
        >>> from crmkit.serde.converter import read_json
        >>> read_json(b'{"a": [1, 2.5, null]}')
        {'a': [1, 2.5, None]}
        >>> read_json("[1e400]")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: json: is not valid JSON (1e400 is beyond the range of finite numbers)
    """
    raw = b""
    if _fast_reader() is not None:  # without the json extra the standard reader reads everything
        if isinstance(text, str):  # a lone surrogate makes bytes orjson refuses: json decides
            raw = text.encode("utf-8", "surrogatepass")
        elif isinstance(text, bytes | bytearray):
            raw = bytes(text)
    if raw:
        data = _read_fast(raw)
        if data is not _MISSING:
            return data
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValidationError.single(
                "json",
                message=f"is not valid UTF-8 (byte 0x{exc.object[exc.start]:02x} at position "
                f"{exc.start})",
            ) from None
    if not isinstance(text, str):
        raise ValidationError.single(
            "json", text, f"must be text or bytes, not {type(text).__name__}"
        )
    try:
        return json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
            object_pairs_hook=_unique_keys,
        )
    except json.JSONDecodeError as exc:
        raise ValidationError.single("json", message=f"is not valid JSON ({exc})") from None
    except RecursionError:
        raise ValidationError.single("json", message="is nested too deeply to read") from None
    except ValueError as exc:  # _NumberError, or an int beyond Python's digit limit
        raise ValidationError.single("json", message=f"is not valid JSON ({exc})") from None


def read_json_all(texts: Sequence[str | bytes | bytearray]) -> list[Any]:
    """Parse each of ``texts`` as :func:`read_json` does; faster for many small texts (a page of
    stored documents): the checks that keep orjson's reading exact run once over all of them.

    Raises:
        ValidationError: the error :func:`read_json` raises for the first text it refuses.

    Examples:
        >>> from crmkit.serde.converter import read_json_all
        >>> read_json_all(['{"a": 1}', b'[2.5]'])
        [{'a': 1}, [2.5]]
        >>> read_json_all(['{"a": 1}', '{"a": 1, "a": 2}'])
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: json: is not valid JSON (the key 'a' appears twice in one object)
    """
    fast = _fast_reader()
    if fast is not None and len(texts) > 1:
        raws: list[bytes] = []
        for text in texts:
            if isinstance(text, str):  # as read_json encodes it
                raws.append(text.encode("utf-8", "surrogatepass"))
            elif isinstance(text, bytes | bytearray):
                raws.append(bytes(text))
        if len(raws) == len(texts):  # else one is neither: read_json names it
            fast_loads, fast_dumps, fast_error = fast
            try:
                data = [fast_loads(raw) for raw in raws]
            except fast_error:  # one of them is not JSON orjson reads: read_json decides
                pass
            else:
                if _read_exactly(b"\n".join(raws), data, fast_dumps):
                    return data
    return [read_json(text) for text in texts]


# --- diagnosis: name every problem of a payload that the fast path refused -------------------


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _describe(tp: Any) -> str:
    if isinstance(tp, type):
        return tp.__name__
    return str(tp).replace("typing.", "")


def _leaf_problem(value: Any, tp: Any, path: str, exc: BaseException) -> Problem:
    if isinstance(exc, ValidationError):
        return exc.prefixed(path).problems[0]
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        options = ", ".join(repr(m.value) for m in tp)
        return Problem(path, value, f"is not one of {options}")
    reason = str(exc) if isinstance(exc, TypeError | ValueError) and str(exc) else ""
    if reason.startswith(("is ", "must ", "amount ")):
        return Problem(path, value, reason)
    return Problem(path, value, f"is not a valid {_describe(tp)}")


def _diagnose(value: Any, tp: Any, path: str) -> list[Problem]:
    if attrs.has(tp):
        return _diagnose_attrs(value, tp, path)
    origin = get_origin(tp)
    args = get_args(tp)
    if origin in (typing.Union, types.UnionType) and not _is_scalar_union(tp):
        if value is None and type(None) in args:
            return []
        options = [a for a in args if a is not type(None)]
        if len(options) == 1:
            return _diagnose(value, options[0], path)
    elif origin in (list, tuple, set, frozenset) or (
        origin is not None and origin.__name__ in {"Sequence", "MutableSequence"}
    ):
        if not isinstance(value, list | tuple | set | frozenset):
            return [Problem(path, value, "must be a list")]
        item_type = args[0] if args else Any
        problems: list[Problem] = []
        for i, item in enumerate(value):
            try:
                converter.structure(item, item_type)
            except Exception:
                problems.extend(_diagnose(item, item_type, f"{path}[{i}]"))
        return problems
    elif origin is dict or (origin is not None and origin.__name__ == "Mapping"):
        if not isinstance(value, Mapping):
            return [Problem(path, value, "must be an object")]
        value_type = args[1] if len(args) == 2 else Any
        problems = []
        for key, item in value.items():
            if not isinstance(key, str):
                problems.append(Problem(path, key, "has a key that is not a string"))
                continue
            try:
                converter.structure(item, value_type)
            except Exception:
                problems.extend(_diagnose(item, value_type, _join(path, key)))
        return problems
    try:
        converter.structure(value, tp)
    except Exception as exc:
        return [_leaf_problem(value, tp, path, exc)]
    return []


def _diagnose_attrs(value: Any, cls: type, path: str) -> list[Problem]:
    if not isinstance(value, Mapping):
        return [Problem(path, value, f"must be an object with the fields of {cls.__name__}")]
    fields = attrs.fields(attrs.resolve_types(cls))
    known = {f.name for f in fields}
    problems = [
        Problem(_join(path, str(key)), message=f"is not a field of {cls.__name__}")
        for key in value
        if key not in known
    ]
    kwargs: dict[str, Any] = {}
    for field in fields:
        if not field.init:
            continue
        where = _join(path, field.name)
        if field.name not in value:
            if field.default is attrs.NOTHING:
                problems.append(Problem(where, message="is required"))
            continue
        raw = value[field.name]
        try:
            item = converter.structure(raw, field.type)
        except Exception:
            problems.extend(_diagnose(raw, field.type, where))
            continue
        try:
            if field.converter is not None and callable(field.converter):
                item = field.converter(item)
            if field.validator is not None:
                field.validator(None, field, item)
        except ValidationError as exc:
            problems.extend(p.prefixed(path) for p in exc.problems)
            continue
        kwargs[field.alias or field.name] = item
    if problems:
        return problems
    try:
        cls(**kwargs)
    except ValidationError as exc:
        return [p.prefixed(path) for p in exc.problems]
    except (TypeError, ValueError) as exc:
        return [Problem(path, message=str(exc))]
    return []
