"""The import/export-format port: how one raw row of a file becomes an entity and back.

A :class:`RecordCodec` knows one file layout of one aggregate type. crmkit ships
:class:`CrmkitCsvCodec` (the flat layout of :mod:`~crmkit.adapters.files.layout`),
:class:`CrmkitJsonCodec` (one :func:`crmkit.serde.to_dict` object per JSON line) and the
HubSpot and Salesforce codecs in :mod:`crmkit.adapters.formats`. Codecs that need to turn
another system's ids into crmkit ids (a HubSpot contact's company) get a :class:`References`
from the importer, which looks them up in the store.

Examples:
    >>> from crmkit.adapters.files.codec import CrmkitJsonCodec
    >>> from crmkit.domain import Money
    >>> codec = CrmkitJsonCodec(Money)
    >>> codec.decode({"amount": "5", "currency": "SEK"}).amount
    Decimal('5')
    >>> codec.decode({"amount": "5", "currency": "XYZ"})
    Traceback (most recent call last):
    ...
    crmkit.errors.ValidationError: currency: 'XYZ' is not an ISO 4217 currency code
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Generic, Protocol, TypeVar

from crmkit.adapters.files.layout import CsvLayout
from crmkit.errors import Problem, ValidationError

__all__ = [
    "CrmkitCsvCodec",
    "CrmkitJsonCodec",
    "NoReferences",
    "RecordCodec",
    "References",
    "relative_problems",
]

E = TypeVar("E")


class References(Protocol):
    """Translates ids between crmkit and the system a file came from.

    Examples:
        >>> from crmkit.adapters.files.codec import NoReferences
        >>> NoReferences().local_id("accounts", "hs-1") is None
        True
    """

    def local_id(self, aggregate: str, remote_id: str) -> str | None:
        """The crmkit id of the ``aggregate`` entity whose remote id is ``remote_id``."""
        ...

    def remote_id(self, aggregate: str, local_id: str) -> str | None:
        """The remote id of the ``aggregate`` entity with crmkit id ``local_id``."""
        ...


class NoReferences:
    """A :class:`References` that knows no ids (files read without a store).

    Examples:
        >>> from crmkit.adapters.files.codec import NoReferences
        >>> NoReferences().remote_id("accounts", "01H") is None
        True
    """

    def local_id(self, aggregate: str, remote_id: str) -> str | None:
        """Always ``None``."""
        return None

    def remote_id(self, aggregate: str, local_id: str) -> str | None:
        """Always ``None``."""
        return None


class RecordCodec(Protocol[E]):
    """One file layout of one aggregate type: raw rows ↔ entities.

    ``decode`` raises :class:`~crmkit.errors.ValidationError` whose problem paths name the
    file's columns; the importer turns each problem into a reject.

    Examples:
        >>> from crmkit.adapters.files.codec import CrmkitJsonCodec, RecordCodec
        >>> from crmkit.domain import Money
        >>> codec: RecordCodec[Money] = CrmkitJsonCodec(Money)
        >>> codec.encode(codec.decode({"amount": "1", "currency": "EUR"}))
        {'amount': '1', 'currency': 'EUR'}
    """

    @property
    def record_type(self) -> type[E]:
        """The entity class this codec reads and writes."""
        ...

    def columns(self) -> list[str]:
        """The columns written on export, in order."""
        ...

    def numeric_columns(self) -> frozenset[str]:
        """Columns holding numbers (plain numbers there are not neutralised on export)."""
        ...

    def check_header(self, header: Sequence[str]) -> None:
        """Raise :class:`~crmkit.errors.ValidationError` if a file with ``header`` cannot
        be read with this codec (before any row is imported)."""
        ...

    def decode(self, raw: Mapping[str, Any], references: References | None = None) -> E:
        """Build an entity from one raw row."""
        ...

    def encode(self, entity: E, references: References | None = None) -> dict[str, Any]:
        """One raw row for ``entity``."""
        ...


def _root(cls: type) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()


def relative_problems(error: ValidationError, cls: type) -> list[Problem]:
    """The problems of a serde error with the root name (``account.``) taken off the paths,
    so they name CSV columns and JSON keys.

    Examples:
        >>> from crmkit.adapters.files.codec import relative_problems
        >>> from crmkit.domain import Money
        >>> from crmkit.errors import ValidationError
        >>> err = ValidationError.single("money.currency", "X", "is bad")
        >>> relative_problems(err, Money)[0].path
        'currency'
    """
    root = _root(cls)
    out: list[Problem] = []
    for problem in error.problems:
        path = problem.path
        if path == root:
            path = ""
        elif path.startswith(root + "."):
            path = path[len(root) + 1 :]
        out.append(
            Problem(path, problem.value, problem.message)
            if problem.has_value
            else Problem(path, message=problem.message)
        )
    return out


def _structure(cls: type[E], data: dict[str, Any]) -> E:
    """:func:`crmkit.serde.from_dict`, its problems' paths made relative to ``cls``."""
    from crmkit.serde import from_dict

    try:
        return from_dict(cls, data)
    except ValidationError as exc:
        raise ValidationError(relative_problems(exc, cls)) from None


class CrmkitJsonCodec(Generic[E]):
    """crmkit's own JSON layout: the :func:`crmkit.serde.to_dict` dictionary of the entity.

    Examples:
        >>> from crmkit.adapters.files.codec import CrmkitJsonCodec
        >>> from crmkit.domain import Money
        >>> CrmkitJsonCodec(Money).columns()
        ['amount', 'currency']
    """

    def __init__(self, record_type: type[E]) -> None:
        self._type = record_type
        self._layout = CsvLayout.for_type(record_type)

    @property
    def record_type(self) -> type[E]:
        """The entity class."""
        return self._type

    def columns(self) -> list[str]:
        """The top-level keys (for information; JSON Lines has no header)."""
        seen: dict[str, None] = {}
        for name in self._layout.columns:
            seen.setdefault(name.split(".", 1)[0], None)
        return list(seen)

    def numeric_columns(self) -> frozenset[str]:
        """None: JSON keeps its own types."""
        return frozenset()

    def check_header(self, header: Sequence[str]) -> None:
        """JSON Lines has no header; nothing to check."""

    def decode(self, raw: Mapping[str, Any], references: References | None = None) -> E:
        """Build the entity with :func:`crmkit.serde.from_dict`.

        Examples:
            >>> from crmkit.adapters.files.codec import CrmkitJsonCodec
            >>> from crmkit.domain import Money
            >>> CrmkitJsonCodec(Money).decode({"amount": "2", "currency": "NOK"}).currency
            'NOK'
        """
        return _structure(self._type, dict(raw))

    def encode(self, entity: E, references: References | None = None) -> dict[str, Any]:
        """The :func:`crmkit.serde.to_dict` dictionary.

        Examples:
            >>> from crmkit.adapters.files.codec import CrmkitJsonCodec
            >>> from crmkit.domain import Money
            >>> CrmkitJsonCodec(Money).encode(Money("1.50", "SEK"))
            {'amount': '1.50', 'currency': 'SEK'}
        """
        from crmkit.serde import to_dict

        result: dict[str, Any] = to_dict(entity)
        return result


class CrmkitCsvCodec(Generic[E]):
    """crmkit's own CSV layout: dotted columns for value objects, JSON cells for containers
    (see :mod:`crmkit.adapters.files.layout`).

    Examples:
        >>> from crmkit.adapters.files.codec import CrmkitCsvCodec
        >>> from crmkit.domain import Money
        >>> codec = CrmkitCsvCodec(Money)
        >>> codec.encode(Money("-3.10", "EUR")), sorted(codec.numeric_columns())
        ({'amount': '-3.10', 'currency': 'EUR'}, ['amount'])
    """

    def __init__(self, record_type: type[E]) -> None:
        self._type = record_type
        self.layout = CsvLayout.for_type(record_type)

    @property
    def record_type(self) -> type[E]:
        """The entity class."""
        return self._type

    def columns(self) -> list[str]:
        """The CSV header, in field order."""
        return list(self.layout.columns)

    def numeric_columns(self) -> frozenset[str]:
        """Columns of whole numbers, floats and decimals (money amounts included)."""
        return frozenset(name for name, kind in self.layout.kinds.items() if kind.is_numeric)

    def check_header(self, header: Sequence[str]) -> None:
        """Refuse a header with columns the layout does not know (likely the wrong file).

        Examples:
            >>> from crmkit.adapters.files.codec import CrmkitCsvCodec
            >>> from crmkit.domain import Money
            >>> CrmkitCsvCodec(Money).check_header(["amount", "currency", "rate"])
            Traceback (most recent call last):
            ...
            crmkit.errors.ValidationError: header: 'rate' is not a column of Money
        """
        known = set(self.layout.columns)
        problems = [
            Problem("header", name, f"is not a column of {self._type.__name__}")
            for name in header
            if name not in known
        ]
        if problems:
            raise ValidationError(problems)

    def decode(self, raw: Mapping[str, Any], references: References | None = None) -> E:
        """Parse the cells (:meth:`CsvLayout.unflatten`) and build the entity.

        Examples:
            >>> from crmkit.adapters.files.codec import CrmkitCsvCodec
            >>> from crmkit.domain import Money
            >>> CrmkitCsvCodec(Money).decode({"amount": "7.25", "currency": "SEK"}).amount
            Decimal('7.25')
        """
        return _structure(self._type, self.layout.unflatten(raw))

    def encode(self, entity: E, references: References | None = None) -> dict[str, Any]:
        """One flat row of text cells.

        Examples:
            >>> from crmkit.adapters.files.codec import CrmkitCsvCodec
            >>> from crmkit.domain import Money
            >>> CrmkitCsvCodec(Money).encode(Money("10", "JPY"))
            {'amount': '10', 'currency': 'JPY'}
        """
        from crmkit.serde import to_dict

        return dict(self.layout.flatten(to_dict(entity)))
