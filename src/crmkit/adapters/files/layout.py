"""The flat CSV layout of an aggregate: which columns it has and how cells become values.

crmkit writes one CSV row per record from the dictionary that :func:`crmkit.serde.to_dict`
makes, and reads a row back into the dictionary that :func:`crmkit.serde.from_dict` accepts.
The layout is derived from the record's attrs class, so the header is known before the first
row is written (exports stream) and every cell is typed on the way in:

* a nested value object becomes dotted columns: ``amount.amount``, ``amount.currency``;
  an optional one (``turnover: Money | None``) is ``None`` when all its columns are empty;
* lists, dicts, sets and other containers (``custom``, ``remote_data``, ``stage_history``,
  ``lines``) are one cell holding JSON;
* whole numbers, floats and booleans (``true``/``false``) are parsed, decimals are checked;
  numbers follow :mod:`~crmkit.adapters.files.conventions` (ASCII digits, a decimal point,
  no digit grouping, no ``1_000``, at most 38 digits, whole numbers within 64 bits); dates,
  datetimes, enums and decimals stay text and the serde converter parses them (ISO 8601,
  enum values);
* ``id`` and ``remote_id`` come first, then the entity's own fields in declaration order,
  then ``version``, ``created_at``, ``updated_at``, ``custom`` and ``remote_data``;
* an empty cell means "not given": ``None`` for an optional field, otherwise the field's
  default applies (or the converter reports it as missing).

Examples:
    >>> import attrs
    >>> from crmkit.domain import Money
    >>> from crmkit.adapters.files.layout import CsvLayout
    >>> @attrs.define
    ... class Deal:
    ...     name: str
    ...     amount: Money
    ...     tags: list[str] = attrs.Factory(list)
    ...     seats: int | None = None
    >>> layout = CsvLayout.for_type(Deal, namespace=globals())
    >>> layout.columns
    ['name', 'amount.amount', 'amount.currency', 'tags', 'seats']
    >>> row = layout.flatten({"name": "Big", "amount": {"amount": "10.00", "currency": "SEK"},
    ...                       "tags": ["a"], "seats": None})
    >>> row
    {'name': 'Big', 'amount.amount': '10.00', 'amount.currency': 'SEK', 'tags': '["a"]', 'seats': ''}
    >>> layout.unflatten(row)
    {'name': 'Big', 'amount': {'amount': '10.00', 'currency': 'SEK'}, 'tags': ['a'], 'seats': None}
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import types
import typing
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from crmkit.adapters.files.conventions import NumberFormat, load_json
from crmkit.errors import Problem, ValidationError

__all__ = ["Column", "ColumnKind", "CsvLayout"]


class ColumnKind(enum.Enum):
    """How a cell's text is turned into a value.

    Examples:
        >>> from crmkit.adapters.files.layout import ColumnKind
        >>> ColumnKind.INTEGER.is_numeric, ColumnKind.TEXT.is_numeric
        (True, False)
    """

    TEXT = "text"
    INTEGER = "integer"
    FLOAT = "float"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    JSON = "json"

    @property
    def is_numeric(self) -> bool:
        """Whether the column holds numbers (a plain number is not neutralised on export).

        Examples:
            >>> from crmkit.adapters.files.layout import ColumnKind
            >>> ColumnKind.DECIMAL.is_numeric
            True
        """
        return self in (ColumnKind.INTEGER, ColumnKind.FLOAT, ColumnKind.DECIMAL)


@attrs.frozen
class Column:
    """One CSV column: its dotted ``name``, the ``path`` into the record dict, its ``kind``
    and whether the field may be ``None``.

    Examples:
        >>> from crmkit.adapters.files.layout import Column, ColumnKind
        >>> Column("amount.currency", ("amount", "currency"), ColumnKind.TEXT, False).name
        'amount.currency'
    """

    name: str
    path: tuple[str, ...]
    kind: ColumnKind
    optional: bool


@attrs.frozen
class _Group:
    """A nested value object: its key, whether it is optional and its members."""

    key: str
    optional: bool
    members: tuple[_Group | Column, ...]


#: crmkit's own files write numbers with a decimal point, no grouping (exponents allowed).
_NUMBERS = NumberFormat()

_TRUE = frozenset({"true", "1", "yes", "y", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "f"})


def _split_optional(tp: Any) -> tuple[Any, bool]:
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        optional = len(args) < len(typing.get_args(tp))
        if len(args) == 1:
            return args[0], optional
        return tp, optional
    return tp, False


def _scalar_kind(tp: Any) -> ColumnKind:
    if tp is bool:
        return ColumnKind.BOOLEAN
    if tp is int:
        return ColumnKind.INTEGER
    if tp is float:
        return ColumnKind.FLOAT
    if tp is Decimal:
        return ColumnKind.DECIMAL
    if tp is str or tp in (dt.date, dt.datetime, dt.time, dt.timedelta):
        return ColumnKind.TEXT
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        values = [member.value for member in tp]
        if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            return ColumnKind.INTEGER
        return ColumnKind.TEXT
    return ColumnKind.JSON


def _members(
    cls: type, prefix: tuple[str, ...], depth: int, namespace: Mapping[str, Any] | None
) -> tuple[_Group | Column, ...]:
    try:
        hints = typing.get_type_hints(cls, localns=dict(namespace) if namespace else None)
    except NameError as exc:
        raise ValidationError.single(
            "record_type",
            cls.__name__,
            f"has an annotation crmkit cannot resolve ({exc}); pass namespace=",
        ) from None
    out: list[_Group | Column] = []
    for field in attrs.fields(cls):
        if not field.init:
            continue
        key = field.alias or field.name
        tp, optional = _split_optional(hints.get(field.name, Any))
        path = (*prefix, key)
        if isinstance(tp, type) and attrs.has(tp) and depth < 4:
            out.append(_Group(key, optional, _members(tp, path, depth + 1, namespace)))
        else:
            out.append(Column(".".join(path), path, _scalar_kind(tp), optional))
    return tuple(out)


#: Bookkeeping fields of every aggregate root, written after the entity's own fields
#: (``id`` and ``remote_id`` lead the row so a reader sees the keys first).
_LEADING = ("id", "remote_id")
_TRAILING = ("version", "created_at", "updated_at", "custom", "remote_data")


def _ordered(members: tuple[_Group | Column, ...]) -> tuple[_Group | Column, ...]:
    def key(member: _Group | Column) -> str:
        return member.path[-1] if isinstance(member, Column) else member.key

    lead = [m for name in _LEADING for m in members if key(m) == name]
    trail = [m for name in _TRAILING for m in members if key(m) == name]
    middle = [m for m in members if key(m) not in _LEADING and key(m) not in _TRAILING]
    return (*lead, *middle, *trail)


def _walk(members: tuple[_Group | Column, ...]) -> list[Column]:
    out: list[Column] = []
    for member in members:
        if isinstance(member, Column):
            out.append(member)
        else:
            out.extend(_walk(member.members))
    return out


def _cell(value: Any, kind: ColumnKind) -> str:
    if value is None:
        return ""
    if kind is ColumnKind.JSON:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return str(value)


class CsvLayout:
    """The columns of one aggregate type and the conversion between rows and record dicts.

    Build it with :meth:`for_type`; ``columns`` is the header, :meth:`flatten` turns a
    ``to_dict`` dictionary into a row of strings and :meth:`unflatten` turns a row back,
    raising one :class:`~crmkit.errors.ValidationError` that names every bad column.

    Examples:
        >>> import attrs
        >>> from crmkit.adapters.files.layout import CsvLayout
        >>> @attrs.define
        ... class Item:
        ...     qty: int
        >>> CsvLayout.for_type(Item, namespace=globals()).unflatten({"qty": "x"})
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: qty: 'x' is not a whole number
    """

    def __init__(self, cls: type, members: tuple[_Group | Column, ...]) -> None:
        self.cls = cls
        self._members = members
        self._columns = _walk(members)
        self.columns: list[str] = [c.name for c in self._columns]
        self.kinds: dict[str, ColumnKind] = {c.name: c.kind for c in self._columns}

    @classmethod
    def for_type(
        cls, record_type: type, *, namespace: Mapping[str, Any] | None = None
    ) -> CsvLayout:
        """The layout of the attrs class ``record_type``.

        ``namespace`` resolves string annotations of classes defined in a local scope.

        Examples:
            >>> import attrs
            >>> from crmkit.adapters.files.layout import CsvLayout
            >>> @attrs.define
            ... class Tag:
            ...     label: str
            ...     weight: float = 1.0
            >>> CsvLayout.for_type(Tag, namespace=globals()).columns
            ['label', 'weight']
        """
        if not (isinstance(record_type, type) and attrs.has(record_type)):
            raise ValidationError.single(
                "record_type", record_type, "is not an attrs class crmkit can lay out as CSV"
            )
        return cls(record_type, _ordered(_members(record_type, (), 0, namespace)))

    def flatten(self, record: Mapping[str, Any]) -> dict[str, str]:
        """Turn a ``to_dict`` dictionary into one CSV row (column name → text).

        Examples:
            >>> import attrs
            >>> from crmkit.adapters.files.layout import CsvLayout
            >>> @attrs.define
            ... class Flag:
            ...     on: bool
            >>> CsvLayout.for_type(Flag, namespace=globals()).flatten({"on": True})
            {'on': 'true'}
        """
        row: dict[str, str] = {}
        for column in self._columns:
            value: Any = record
            for key in column.path:
                value = value.get(key) if isinstance(value, Mapping) else None
            row[column.name] = _cell(value, column.kind)
        return row

    def unflatten(self, row: Mapping[str, str | None]) -> dict[str, Any]:
        """Turn one CSV row back into a dictionary for ``from_dict``.

        Columns the layout does not know are ignored here (the reader reports them).

        Examples:
            >>> import attrs
            >>> from crmkit.adapters.files.layout import CsvLayout
            >>> @attrs.define
            ... class Flag:
            ...     on: bool
            ...     note: str | None = None
            >>> CsvLayout.for_type(Flag, namespace=globals()).unflatten({"on": "yes", "note": ""})
            {'on': True, 'note': None}
        """
        problems: list[Problem] = []
        result = self._build(self._members, row, problems)
        if problems:
            raise ValidationError(problems)
        return result

    def _build(
        self,
        members: tuple[_Group | Column, ...],
        row: Mapping[str, str | None],
        problems: list[Problem],
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for member in members:
            if isinstance(member, Column):
                text = row.get(member.name)
                if text is None or text == "":
                    if member.optional:
                        out[member.path[-1]] = None
                    continue
                try:
                    out[member.path[-1]] = self._parse(text, member.kind)
                except ValueError as exc:
                    problems.append(Problem(member.name, text, str(exc)))
                continue
            names = [c.name for c in _walk(member.members)]
            if all(not row.get(name) for name in names):
                if member.optional:
                    out[member.key] = None
                continue
            out[member.key] = self._build(member.members, row, problems)
        return out

    @staticmethod
    def _parse(text: str, kind: ColumnKind) -> Any:
        if kind is ColumnKind.TEXT:
            return text
        if kind is ColumnKind.DECIMAL:
            _NUMBERS.parse_decimal(text)  # the rules of crmkit.adapters.files.conventions
            return text.strip()
        if kind is ColumnKind.INTEGER:
            return _NUMBERS.parse_integer(text)
        if kind is ColumnKind.FLOAT:
            return _NUMBERS.parse_float(text)
        if kind is ColumnKind.BOOLEAN:
            lowered = text.strip().lower()
            if lowered in _TRUE:
                return True
            if lowered in _FALSE:
                return False
            raise ValueError("is not true or false")
        return load_json(text)
