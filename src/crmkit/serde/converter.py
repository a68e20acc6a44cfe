"""crmkit's one cattrs converter and the dict / JSON round trips of every public type.

Policy (the shapes live in :mod:`crmkit.domain`; the policy lives here):

- ``Money`` ↔ ``{"amount": "12.50", "currency": "SEK"}`` (the amount as a string, never a float);
- ``Decimal`` ↔ string; ``date`` ↔ ``"2025-03-31"``; ``datetime`` ↔ ISO 8601 with offset;
- enums ↔ their value; attrs classes ↔ dicts keyed by field name; tuples and sets ↔ lists;
- unknown keys are rejected; a bad payload raises one :class:`~crmkit.errors.ValidationError`
  that lists every problem with its field path.

Valid payloads take cattrs' generated fast path. Only when that fails does crmkit walk the
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
import json
import linecache
import re
import types
import typing
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar, get_args, get_origin

import attrs
import cattrs

from crmkit.domain.money import Money
from crmkit.errors import Problem, ValidationError

__all__ = ["converter", "from_dict", "from_json", "structure", "to_dict", "to_json"]

T = TypeVar("T")

_SCALARS = (str, int, float, bool, type(None))


def _structure_decimal(value: Any, _: type) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (float, bool)):
        raise TypeError("is a float; give decimal numbers as strings")
    if isinstance(value, int | str):
        try:
            result = Decimal(value)
        except InvalidOperation:
            raise ValueError("is not a decimal number") from None
        if not result.is_finite():
            raise ValueError("is not a finite decimal number")
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
    conv.register_unstructure_hook(datetime, datetime.isoformat)
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
# crmkit generates its own function per attrs class instead: JSON scalars, dates, datetimes,
# Money and lists of them are checked and converted inline, nested classes call their own
# generated function, and the object is built once through the class's ``__init__`` (whose
# validators still run). Anything unusual calls the converter's hook for that type. Any failure
# raises, and :func:`structure` then names every problem with :func:`_diagnose`.

_EXACT = {str: "str", int: "int", bool: "bool"}
_MISSING = object()


class _RefusedError(TypeError):
    """Raised by generated structure code; :func:`structure` diagnoses the payload."""


def _refuse(*_: Any) -> Any:
    raise _RefusedError


def _optional_arg(tp: Any) -> Any:
    """``X`` for ``X | None`` (one non-None option), else ``None``."""
    if get_origin(tp) in (typing.Union, types.UnionType):
        args = get_args(tp)
        options = [a for a in args if a is not type(None)]
        if len(options) == 1 and len(args) == 2:
            return options[0]
    return None


class _Codegen:
    """Builds the source of one generated function; ``name`` makes unique global names."""

    def __init__(self) -> None:
        self.globs: dict[str, Any] = {"_refuse": _refuse, "_MISSING": _MISSING}
        self.lines: list[str] = []
        self._n = 0

    def ref(self, value: Any) -> str:
        self._n += 1
        name = f"_g{self._n}"
        self.globs[name] = value
        return name

    def var(self) -> str:
        self._n += 1
        return f"_x{self._n}"

    def structure(self, tp: Any, src: str, dst: str, indent: str) -> None:
        """Emit lines that set ``dst`` from the raw value in ``src`` (raising on bad data)."""
        out = self.lines.append
        if _is_scalar_union(tp):  # exact types; a float slot keeps an int as it is
            allowed = self.ref(frozenset(get_args(tp)))
            check = f"{src}.__class__ not in {allowed}"
            if float in get_args(tp):
                check += f" and {src}.__class__ is not int"
            out(f"{indent}if {check}: _refuse()")
            out(f"{indent}{dst} = {src}")
            return
        inner = _optional_arg(tp)
        if inner is not None:
            out(f"{indent}if {src} is None:")
            out(f"{indent}    {dst} = None")
            out(f"{indent}else:")
            self.structure(inner, src, dst, indent + "    ")
            return
        if tp in _EXACT:
            out(f"{indent}if {src}.__class__ is not {_EXACT[tp]}: _refuse()")
            out(f"{indent}{dst} = {src}")
        elif tp is float:
            out(f"{indent}if {src}.__class__ is float: {dst} = {src}")
            out(f"{indent}elif {src}.__class__ is int: {dst} = float({src})")
            out(f"{indent}else: _refuse()")
        elif tp is Any:
            out(f"{indent}{dst} = {src}")
        elif tp is datetime or tp is date:
            kind = self.ref(tp)
            out(f"{indent}if {src}.__class__ is str: {dst} = {kind}.fromisoformat({src})")
            out(
                f"{indent}else: {dst} = {self.ref(converter.get_structure_hook(tp))}({src}, {kind})"
            )
        elif tp is Money:
            money, hook = self.ref(Money), self.ref(_structure_money)
            amount, currency = self.var(), self.var()
            out(
                f"{indent}if {src}.__class__ is dict and len({src}) == 2 and "
                f"({amount} := {src}.get('amount')).__class__ is str and "
                f"({currency} := {src}.get('currency')) is not None:"
            )
            out(f"{indent}    {dst} = {money}({amount}, {currency})")
            out(f"{indent}else: {dst} = {hook}({src}, {money})")
        elif get_origin(tp) is list and len(get_args(tp)) == 1:
            (item,) = get_args(tp)
            fallback = self.ref(converter.get_structure_hook(tp))
            out(
                f"{indent}if {src}.__class__ is not list: {dst} = {fallback}({src}, {self.ref(tp)})"
            )
            if item in _EXACT:
                out(f"{indent}else:")
                out(f"{indent}    for _i in {src}:")
                out(f"{indent}        if _i.__class__ is not {_EXACT[item]}: _refuse()")
                out(f"{indent}    {dst} = list({src})")
            else:
                hook, item_ref = self.ref(converter.get_structure_hook(item)), self.ref(item)
                out(f"{indent}else: {dst} = [{hook}(_i, {item_ref}) for _i in {src}]")
        elif (
            get_origin(tp) is dict
            and len(get_args(tp)) == 2
            and get_args(tp)[0] is str
            and (get_args(tp)[1] is Any or _is_scalar_union(get_args(tp)[1]))
        ):
            value_type = get_args(tp)[1]
            fallback = self.ref(converter.get_structure_hook(tp))
            out(
                f"{indent}if {src}.__class__ is not dict: {dst} = {fallback}({src}, {self.ref(tp)})"
            )
            out(f"{indent}elif not {src}: {dst} = {{}}")
            out(f"{indent}else:")
            if value_type is Any:
                out(f"{indent}    for _k in {src}:")
                out(f"{indent}        if _k.__class__ is not str: _refuse()")
            else:
                allowed = self.ref(frozenset(get_args(value_type)))
                out(f"{indent}    for _k, _v in {src}.items():")
                out(f"{indent}        if _k.__class__ is not str or (")
                out(f"{indent}            _v.__class__ not in {allowed}")
                if float in get_args(value_type):
                    out(f"{indent}            and _v.__class__ is not int")
                out(f"{indent}        ): _refuse()")
            out(f"{indent}    {dst} = dict({src})")
        else:
            hook = self.ref(converter.get_structure_hook(tp))
            out(f"{indent}{dst} = {hook}({src}, {self.ref(tp)})")

    def unstructure(self, tp: Any, src: str) -> str:
        """An expression giving the plain data of the value in ``src`` (typed ``tp``)."""
        inner = _optional_arg(tp)
        if inner is not None:
            value = self.unstructure(inner, src)
            return src if value == src else f"(None if {src} is None else {value})"
        if tp in _EXACT or tp is float:
            return src
        if tp is datetime or tp is date:
            return f"{src}.isoformat()"
        if tp is Decimal:
            return f"str({src})"
        if tp is Money:
            return f"{{'amount': str({src}.amount), 'currency': {src}.currency}}"
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            return f"{src}.value"
        origin, args = get_origin(tp), get_args(tp)
        if origin is list and len(args) == 1:
            if args[0] in _EXACT or args[0] is float:
                return f"list({src})"
            item = self.unstructure(args[0], "_i")
            return f"[{item} for _i in {src}]"
        if origin is dict and len(args) == 2 and args[0] is str and _is_scalar_union(args[1]):
            return f"dict({src})"
        if origin is dict:
            hook = self.ref(converter.get_unstructure_hook(tp))
            return f"({hook}({src}) if {src} else {{}})"
        hook = self.ref(converter.get_unstructure_hook(tp))
        return f"{hook}({src})"


def _generated_fields(cls: type) -> tuple[attrs.Attribute[Any], ...] | None:
    """The fields of ``cls`` if crmkit can generate its functions, else ``None``."""
    fields: tuple[attrs.Attribute[Any], ...] = attrs.fields(attrs.resolve_types(cls))
    for field in fields:
        if not field.init or (field.alias or field.name) != field.name or field.type is None:
            return None
    return fields


def _compile(source: str, globs: dict[str, Any], name: str, cls: type) -> Any:
    filename = f"<crmkit serde {name} {cls.__module__}.{cls.__qualname__}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace: dict[str, Any] = {}
    exec(compile(source, filename, "exec"), globs, namespace)
    return namespace[name]


def _structure_factory(cls: Any) -> Any:
    fields = _generated_fields(cls)
    if fields is None:
        return _default_structure_factory(cls)
    gen = _Codegen()
    out = gen.lines.append
    # Unknown keys: every required field is read (a missing one raises KeyError), so the
    # payload has extra keys exactly when len(data) exceeds the fields found.
    out("def structure(data, _=None):")
    out("    if data.__class__ is not dict: _refuse()")
    out("    _missing = 0")
    args = []
    for index, field in enumerate(fields):
        raw, value = f"_r{index}", f"_v{index}"
        if field.default is attrs.NOTHING:
            out(f"    {raw} = data[{field.name!r}]")
            gen.structure(field.type, raw, value, "    ")
        else:
            default = (
                attrs.NOTHING if isinstance(field.default, attrs.Factory) else field.default  # type: ignore[arg-type]
            )
            out(f"    if {field.name!r} in data:")
            out(f"        {raw} = data[{field.name!r}]")
            gen.structure(field.type, raw, value, "        ")
            out("    else:")
            out(f"        {value} = {gen.ref(default)}")
            out("        _missing += 1")
        # positional where attrs' __init__ takes the field positionally (cheaper to call)
        args.append(f"{field.name}={value}" if field.kw_only else value)
    args.sort(key=lambda arg: "=" in arg)  # stable: positional in field order, then keywords
    out(f"    if len(data) + _missing != {len(fields)}: _refuse()")
    out(f"    return {gen.ref(cls)}({', '.join(args)})")
    return _compile("\n".join(gen.lines) + "\n", gen.globs, "structure", cls)


def _unstructure_factory(cls: Any) -> Any:
    fields = _generated_fields(cls)
    if fields is None:
        return _default_unstructure_factory(cls)
    gen = _Codegen()
    items = []
    for index, field in enumerate(fields):
        local = f"_a{index}"
        gen.lines.append(f"    {local} = obj.{field.name}")
        items.append(f"{field.name!r}: {gen.unstructure(field.type, local)}")
    body = "\n".join(gen.lines)
    source = f"def unstructure(obj):\n{body}\n    return {{{', '.join(items)}}}\n"
    return _compile(source, gen.globs, "unstructure", cls)


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
    result: T = structure(data, cls)
    return result


def to_json(obj: Any, *, indent: int | None = None) -> str:
    """Serialise a crmkit object to a JSON string.

    Examples:
        >>> from crmkit.domain import Money
        >>> from crmkit.serde import to_json
        >>> to_json(Money("12.50", "SEK"))
        '{"amount": "12.50", "currency": "SEK"}'
    """
    return json.dumps(to_dict(obj), ensure_ascii=False, indent=indent)


def from_json(cls: type[T], text: str | bytes) -> T:
    """Build a ``cls`` from a JSON string made by :func:`to_json`.

    Examples:
        >>> from crmkit.domain import Money
        >>> from crmkit.serde import from_json
        >>> from_json(Money, '{"amount": "3", "currency": "EUR"}').currency
        'EUR'
        >>> from_json(Money, '{"amount": ')
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: json: is not valid JSON (Expecting value: line 1 column 12 (char 11))
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError.single("json", message=f"is not valid JSON ({exc})") from None
    return from_dict(cls, data)


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
