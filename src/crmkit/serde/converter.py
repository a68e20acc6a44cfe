"""crmkit's one cattrs converter and the dict / JSON round trips of every public type.

Policy (the shapes live in :mod:`crmkit.domain`; the policy lives here):

- ``Money`` ↔ ``{"amount": "12.50", "currency": "SEK"}`` (the amount as a string, never a float);
- ``Decimal`` ↔ string; ``date`` ↔ ``"2025-03-31"``; ``datetime`` ↔ ISO 8601 with offset;
- enums ↔ their value; attrs classes ↔ dicts keyed by field name; tuples and sets ↔ lists;
- unknown keys are rejected; a bad payload raises one :class:`~crmkit.errors.ValidationError`
  that lists every problem with its field path.

Valid payloads take cattrs' generated fast path. Only when that fails does crmkit walk the
payload field by field to name every problem, so the error costs nothing on good data.

Example:
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


def _root_name(cls: type) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()


def to_dict(obj: Any) -> Any:
    """Turn a crmkit object into plain JSON-compatible Python data.

    Example:
        >>> from datetime import date
        >>> from crmkit.serde import to_dict
        >>> to_dict(date(2025, 3, 31))
        '2025-03-31'
    """
    return converter.unstructure(obj, unstructure_as=type(obj))


def structure(data: Any, cls: Any, *, path: str | None = None) -> Any:
    """Build a value of type ``cls`` (any annotation: a class, ``list[Account]`` ...) from data.

    ``path`` names the root in error messages (default: the class name in snake case).

    Example:
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

    Example:
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

    Example:
        >>> from crmkit.domain import Money
        >>> from crmkit.serde import to_json
        >>> to_json(Money("12.50", "SEK"))
        '{"amount": "12.50", "currency": "SEK"}'
    """
    return json.dumps(to_dict(obj), ensure_ascii=False, indent=indent)


def from_json(cls: type[T], text: str | bytes) -> T:
    """Build a ``cls`` from a JSON string made by :func:`to_json`.

    Example:
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
