"""The SQL store's trusted fast path: table rows built in one generated pass per entity
class, and entities read back from the documents crmkit wrote.

**Writes.** A crmkit entity validates every field when it is constructed and every
assignment afterwards (attrs' ``on_setattr`` hooks of ``attrs.define``, crmkit's compiled
``__setattr__``). What can change *without* a validator running is a mutable value changed in
place: a key put into ``custom`` or ``remote_data``, an item appended to a list. So before a
row is built, :func:`check_changes` runs the validator of every field whose value is not an
immutable, validated-on-assignment value (text, numbers other than floats, booleans,
``None``, ``Decimal``, dates and datetimes, enum members, :class:`~crmkit.domain.Money`):
dicts, lists, sets, floats and every other object are checked again, exactly as
:meth:`~crmkit.domain.AggregateRoot.revalidate` checks them, and refused with the same
:class:`~crmkit.errors.ValidationError`. Domain validators check one field each (cross-field
rules live in ``__attrs_post_init__``, which ``revalidate`` does not run either), so an entity
whose immutable fields were validated when set is refused exactly when ``revalidate`` refuses
it. Values put in with validation switched off on purpose (inside
``attrs.validators.disabled()``, or with ``object.__setattr__``) are not checked again.

:class:`RowWriter` then builds the driver's parameter tuple of each entity with one generated
function per aggregate and dialect: the typed columns straight from the entity, the document
serialised once (cattrs' generated ``to_dict``, then orjson when the ``json`` extra is
installed and its text is byte for byte what the standard library writes, see
:func:`document_text`), no intermediate row dicts. The values equal
:func:`~crmkit.adapters.sql.schema.entity_row`'s, converted as SQLAlchemy would bind them.

**Loads.** :func:`load_entity` reads a stored document with :func:`crmkit.serde.read_json`
and builds the entity with :func:`crmkit.serde.from_dict`, whose generated code checks each
value once with cheap inline checks; ``custom`` and ``remote_data`` (which would send it to
the slow path of calling the class with every validator) are held back, checked with their
own field validators and put on the built entity. Nothing is trusted blindly: a document
edited by hand in the database that breaks a rule is refused, and then the plain
``from_dict`` of the whole document raises the same error as before, naming the field.
:func:`load_entities` (a page: ``find``, ``iter_all``, the lookups) gives the same entities
and errors in one pass per document: orjson's parse straight into the generated structure
function, the strict path only for a document orjson could read otherwise or the build refuses.

Examples:
    >>> from crmkit.adapters.sql.rows import check_changes
    >>> from crmkit.domain import Account
    >>> account = Account("Acme")
    >>> check_changes(account)
    >>> account.custom["score"] = float("nan")  # in place: no validator ran
    >>> check_changes(account)
    Traceback (most recent call last):
    ...
    crmkit.errors.ValidationError: custom.score: nan must be a finite number, not NaN
"""

from __future__ import annotations

import enum
import functools
import hashlib
import json
import typing
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from crmkit._codegen import define
from crmkit.adapters.aggregate import Aggregate, _text, document_json, micros
from crmkit.adapters.sql.schema import COLUMNS, PARENT_COLUMN
from crmkit.domain._compiled import _inline_expr
from crmkit.domain.money import Money
from crmkit.errors import ValidationError

if TYPE_CHECKING:
    import sqlalchemy as sa

__all__ = [
    "RowWriter",
    "check_changes",
    "document_text",
    "iter_entities",
    "json_column_text",
    "load_entities",
    "load_entity",
]

# Values that cannot change in place and were validated when they were set.
_IMMUTABLE: set[type] = {str, int, bool, type(None), Decimal, datetime, date, Money}
# Classes found not to be in _IMMUTABLE (a cache of _immutable's answer False).
_MUTABLE: set[type] = {dict, list, set, float}
# Held back from from_dict (a non-empty one sends it to its slow path) and checked here.
_HELD = ("custom", "remote_data")


def _immutable(kind: type) -> bool:
    if kind in _IMMUTABLE:
        return True
    if issubclass(kind, enum.Enum):
        _IMMUTABLE.add(kind)  # a cache: enum members are immutable
        return True
    _MUTABLE.add(kind)
    return False


def _check_lines(cls: type, globs: dict[str, Any]) -> list[str]:
    """Source lines that check entity ``e`` of ``cls`` as :func:`check_changes` says (the
    names they need go into ``globs``). A validator whose inline check
    (:func:`~crmkit.domain.validators.inline_check`, a condition under which it accepts the
    value) holds is not called: an empty ``custom`` or ``remote_data`` costs one test."""
    globs.update(_IMM=_IMMUTABLE, _MUT=_MUTABLE, _imm=_immutable, _VE=ValidationError)
    lines = ["_p = None"]
    for index, field in enumerate(attrs.fields(cls)):
        if field.validator is None:
            continue
        globs[f"_val{index}"], globs[f"_attr{index}"] = field.validator, field
        inline = _inline_expr(field.validator, "_c", globs, f"_in{index}")
        if inline is None and _accepts_empty_list(field):
            inline = "(_c.__class__ is list and not _c)"
        accepted = f" and not {inline}" if inline is not None else ""
        lines += [
            f"_c = e.{field.name}",
            f"if _c.__class__ not in _IMM{accepted} and "
            "(_c.__class__ in _MUT or not _imm(_c.__class__)):",
            f"    try: _val{index}(e, _attr{index}, _c)",
            "    except _VE as _x: _p = [*(_p or ()), *_x.problems]",
        ]
    lines.append("if _p: raise _VE(_p)")
    return lines


def _accepts_empty_list(field: attrs.Attribute[Any]) -> bool:
    """Whether ``field``'s validator accepts an empty list (asked once, when the checks are
    generated): domain validators check their own field's value only, so an empty list the
    validator accepted once it accepts on every entity, and costs one test instead of a
    call (``addresses``, ``contact_roles`` …)."""
    assert field.validator is not None  # only fields with a validator are checked
    try:
        field.validator(None, field, [])
    except Exception:  # refused (a list that must not be empty …), or it needs the entity
        return False
    return True


def _compile_function(name: str, params: str, body: list[str], globs: dict[str, Any]) -> Any:
    source = f"def {name}({params}):\n" + "".join(f"    {line}\n" for line in body)
    digest = hashlib.sha1(source.encode("utf-8"), usedforsecurity=False).hexdigest()[:12]
    return define(source, f"<crmkit sql {name} {digest}>", globs)[name]


_CHECKERS: dict[type, Callable[[Any], None]] = {}


def _checker(cls: type) -> Callable[[Any], None]:
    check = _CHECKERS.get(cls)
    if check is None:
        globs: dict[str, Any] = {}
        check = _CHECKERS[cls] = _compile_function("check", "e", _check_lines(cls, globs), globs)
    return check


def check_changes(entity: Any) -> None:
    """Refuse what changed in ``entity`` without a validator running: the validators of every
    field holding a mutable (or float) value run again, as
    :meth:`~crmkit.domain.AggregateRoot.revalidate` runs them; one ValidationError lists every
    problem. Fields holding immutable values were validated when they were set.

    Examples:
        >>> from crmkit.adapters.sql.rows import check_changes
        >>> from crmkit.domain import Account
        >>> account = Account("Acme")
        >>> account.addresses.append("Storgatan 1")  # in place: no validator ran
        >>> check_changes(account)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: addresses: 'Storgatan 1' must be of type Address, not str
    """
    _checker(type(entity))(entity)


@functools.cache
def _orjson_dumps() -> Callable[[Any], bytes] | None:
    """orjson's ``dumps`` (the ``json`` extra), refusing what the standard library refuses
    among the types it would otherwise write itself (datetimes, dataclasses)."""
    try:
        import orjson
    except ImportError:  # pragma: no cover - without the json extra
        return None
    option = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
    return functools.partial(orjson.dumps, option=option)


def _orjson_bytes(value: Any) -> bytes | None:
    """orjson's text of ``value``, or None where the standard library must decide (no orjson,
    or a value orjson refuses)."""
    dumps = _orjson_dumps()
    if dumps is None:
        return None
    try:
        return dumps(value)
    except TypeError:  # orjson.JSONEncodeError: the standard library decides
        return None


_DIGITS = frozenset(b"0123456789.")
_BEFORE_NUMBER = frozenset(b":,[-")


def _has_float(raw: bytes) -> bool:
    """Whether orjson's compact text ``raw`` may hold a float: every float orjson writes has a
    ``.``, ``e+`` or ``e-`` right after a digit, in a number token that starts the text or
    follows ``:``, ``,``, ``[`` or ``-``. Such text inside a string only sends the document to the standard
    library's writer."""
    for mark in (b".", b"e+", b"e-"):
        at = raw.find(mark)
        while at != -1:
            start = at - 1
            while start >= 0 and raw[start] in _DIGITS:
                start -= 1
            if start < at - 1 and (start < 0 or raw[start] in _BEFORE_NUMBER):
                return True
            at = raw.find(mark, at + 1)
    return False


def document_text(document: dict[str, Any]) -> str:
    """``document`` as the compact JSON text stores keep: exactly
    :func:`~crmkit.adapters.aggregate.document_json`'s text, written by orjson when the
    ``json`` extra is installed and the document holds no floats (orjson writes floats
    differently, ``1e-05`` as ``0.00001``; strings, integers, booleans and ``null`` are
    written identically), else by the standard library. For documents of checked entities
    (:func:`check_changes`): a document holding a NaN or an infinity, which the validators
    refuse, would be written by orjson as ``null`` instead of raising.

    Examples:
        >>> from crmkit.adapters.sql.rows import document_text
        >>> document_text({"name": "Åre", "n": [1, None, True]})
        '{"name":"Åre","n":[1,null,true]}'
        >>> document_text({"score": 1e-05})
        '{"score":1e-05}'
    """
    raw = _orjson_bytes(document)
    if raw is not None and not _has_float(raw):
        return raw.decode()
    return document_json(document)


@functools.cache
def _serde() -> tuple[Callable[[type[Any], Any], Any], Callable[[str], Any]]:
    """:func:`crmkit.serde.from_dict` and :func:`crmkit.serde.read_json` (imported on first
    use, as the stores import serialisation)."""
    from crmkit.serde import from_dict, read_json

    return from_dict, read_json


_FIELDS: dict[type, dict[str, Any]] = {}


def _fields(cls: type) -> dict[str, Any]:
    found = _FIELDS.get(cls)
    if found is None:
        found = _FIELDS[cls] = attrs.fields_dict(cls)
    return found


def load_entity(agg: Aggregate, document: str) -> Any:
    """Build ``agg``'s entity from a stored document (JSON text), checking every value once;
    a document that breaks a rule raises :func:`crmkit.serde.from_dict`'s error naming the
    field, as :meth:`~crmkit.adapters.aggregate.Aggregate.from_document` would.

    Examples:
        >>> from crmkit.adapters.aggregate import aggregate_for
        >>> from crmkit.adapters.sql.rows import load_entity
        >>> from crmkit.domain import Account
        >>> agg = aggregate_for("accounts")
        >>> acme = Account("Acme", custom={"tier": 1})
        >>> load_entity(agg, agg.to_json(acme)) == acme
        True
        >>> load_entity(agg, agg.to_json(acme).replace('"tier":1', '"tier":[1]'))
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: account.custom.tier: [1] must be str | int | float | bool | None, not list
    """
    try:
        data = _serde()[1](document)
    except ValidationError:  # not strict JSON (a repeated key …): read as before
        return agg.from_document(document)
    return _build(agg, document, data)


def load_entities(agg: Aggregate, documents: Sequence[str]) -> list[Any]:
    """:func:`load_entity` of each document (a page of them), in order; the first document that
    breaks a rule raises the error :func:`load_entity` raises for it.

    Each document is parsed by orjson (the ``json`` extra) and built at once by the class's
    generated structure function (:func:`crmkit.serde.from_dict`'s, looked up once per page),
    so no page of parsed documents is held alive. Where orjson's reading could differ from the
    standard library's (an integer of 19 digits or more, which orjson reads as a float; a
    text it refuses) or the build fails, the document goes to :func:`load_entity`, which
    decides and names the problem exactly as before. A key written twice is read as
    :func:`load_entity` reads it: the last one wins.

    Examples:
        >>> from crmkit.adapters.aggregate import aggregate_for
        >>> from crmkit.adapters.sql.rows import load_entities
        >>> from crmkit.domain import Account
        >>> agg = aggregate_for("accounts")
        >>> documents = [agg.to_json(Account(name)) for name in ("Acme", "Bolt")]
        >>> [account.name for account in load_entities(agg, documents)]
        ['Acme', 'Bolt']
    """
    return list(iter_entities(agg, documents))


def iter_entities(agg: Aggregate, documents: Sequence[str]) -> Iterator[Any]:
    """The entities of :func:`load_entities`, each built when it is asked for: a caller that
    drops each entity before asking for the next keeps no page of them alive. A document that
    breaks a rule raises :func:`load_entity`'s error when its turn comes.

    Examples:
        >>> from crmkit.adapters.aggregate import aggregate_for
        >>> from crmkit.adapters.sql.rows import iter_entities
        >>> from crmkit.domain import Account
        >>> agg = aggregate_for("accounts")
        >>> documents = [agg.to_json(Account("Acme")), '{"name": " "}']
        >>> loaded = iter_entities(agg, documents)
        >>> next(loaded).name
        'Acme'
        >>> next(loaded)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: account.name: ' ' must not be empty
    """
    fast = _fast_loads()
    if fast is None:  # pragma: no cover - without the json extra
        for document in documents:
            yield load_entity(agg, document)
        return
    loads, refused = fast
    cls = agg.entity
    hook = _structure_hook(cls)
    long_integers = _has_long_integer(documents)
    for document in documents:
        if document.__class__ is not str or (long_integers and _has_long_integer((document,))):
            yield load_entity(agg, document)
            continue
        try:
            data = loads(document)
        except refused:  # not JSON orjson reads: load_entity decides
            yield load_entity(agg, document)
            continue
        if data.__class__ is dict:
            remote = data.get("remote_data")
            if remote.__class__ is not dict or not remote:  # else _build holds it back
                try:
                    entity = hook(data, cls)
                except Exception:  # refused: load_entity raises the error naming the field
                    entity = load_entity(agg, document)
                yield entity
                continue
        yield _build(agg, document, data)


@functools.cache
def _fast_loads() -> tuple[Callable[[str], Any], type[Exception]] | None:
    """orjson's ``loads`` and error class (the ``json`` extra), or None without it."""
    try:
        import orjson
    except ImportError:  # pragma: no cover - without the json extra
        return None
    return orjson.loads, orjson.JSONDecodeError


def _structure_hook(cls: type) -> Callable[[Any, type], Any]:
    """The structure function :func:`crmkit.serde.from_dict` calls for ``cls`` (cattrs'
    ``get_structure_hook``; a hook registered since is used from the next page on)."""
    from crmkit.serde import converter

    hook: Callable[[Any, type], Any] = converter.get_structure_hook(cls)
    return hook


_ZEROS = bytes.maketrans(b"123456789", b"000000000")
_LONG = b"0" * 19


def _has_long_integer(documents: Iterable[str]) -> bool:
    """Whether one of ``documents`` holds 19 digits in a row: an integer orjson may read as a
    float where the standard library reads an int (or a long number inside a string, which
    only sends its document the slower way)."""
    try:
        text = "\n".join(documents).encode("utf-8", "surrogatepass")
    except TypeError:  # a document that is not text: load_entity decides
        return True
    return _LONG in text.translate(_ZEROS)


def _build(agg: Aggregate, document: str, data: Any) -> Any:
    """The entity of ``document``, read as ``data`` (see :func:`load_entity`)."""
    from_dict = _serde()[0]
    if data.__class__ is not dict:
        return agg.from_document(document)
    held = {}
    for name in _HELD:
        value = data.get(name)
        if value.__class__ is dict and value:
            held[name] = value
            data[name] = {}
    if not held:
        return from_dict(agg.entity, data)
    fields = _fields(agg.entity)
    try:
        entity = from_dict(agg.entity, data)
        for name, value in held.items():
            field = fields[name]
            if field.validator is not None:
                field.validator(entity, field, value)
            object.__setattr__(entity, name, value)
    except ValidationError:
        data.update(held)
        return from_dict(agg.entity, data)  # the error of the whole document, as before
    return entity


def _json_text(value: Any) -> str | None:
    if value is None:
        return None
    if not value and isinstance(value, dict | list):
        return "{}" if isinstance(value, dict) else "[]"
    return json.dumps(value)


def _spaced(raw: bytes) -> str | None:
    """orjson's compact text ``raw`` with the standard library's separators, when that is
    byte for byte ``json.dumps``' text (else ``None``): ASCII without backslashes (so no
    escapes, and every ``"`` opens or closes a string) or DEL (``json.dumps`` escapes it), no
    float (a ``.``, ``+`` or ``e-`` outside strings), no string holding a comma or starting
    with a colon. Then every ``":`` ends a key and every comma separates items."""
    if not raw.isascii() or b"\\" in raw or b"\x7f" in raw:
        return None
    inside = b'"' + b'"'.join(raw.split(b'"')[1::2])
    if b"," in inside or b'":' in inside or _has_float(raw):
        return None
    return raw.replace(b'":', b'": ').replace(b",", b", ").decode()


def json_column_text(value: Any) -> str | None:
    """A JSON column's value as SQLAlchemy binds it (``json.dumps`` with its default
    separators, ASCII only): written by orjson when the ``json`` extra is installed and its
    text, separators spaced, is byte for byte the standard library's (plain ASCII text
    without escapes or floats, and no string holding a comma or starting with a colon); else
    by the standard library. For plain JSON values (the columns hold parts of documents and
    validated ``custom`` bags).

    Examples:
        >>> from crmkit.adapters.sql.rows import json_column_text
        >>> json_column_text({"tier": "A", "n": [1, None, True], "at": "12:30"})
        '{"tier": "A", "n": [1, null, true], "at": "12:30"}'
        >>> json_column_text({"city": "Malmö", "note": "a, b", "score": 1e-05})
        '{"city": "Malm\\\\u00f6", "note": "a, b", "score": 1e-05}'
    """
    if value is None:
        return None
    if not value and value.__class__ in (dict, list):
        return "{}" if value.__class__ is dict else "[]"
    raw = _orjson_bytes(value)
    text = None if raw is None else _spaced(raw)
    return json.dumps(value) if text is None else text


def _sqlite_timestamp(value: Any) -> str | None:
    # SQLAlchemy's SQLite DateTime storage format; the values are already in UTC.
    return None if value is None else value.replace(tzinfo=None).isoformat(" ", "microseconds")


def _sqlite_utc(value: Any) -> str | None:
    """``_sqlite_timestamp(_utc(value))``: a UTC datetime's text without building a naive copy
    (its ``isoformat`` ends in ``+00:00``)."""
    if value.__class__ is datetime and value.tzinfo is UTC:
        text: str = value.isoformat(" ", "microseconds")
        return text[:-6]
    from crmkit.adapters.sql.schema import _utc

    return _sqlite_timestamp(_utc(value))


def _sqlite_date(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def _decimal_text(value: Any) -> str | None:
    return None if value is None else str(value)


# What SQLAlchemy's column types would bind, by type name, per driver; other values go to
# the driver as they are (psycopg adapts Decimal, date and aware datetime itself).
DRIVER_VALUE: dict[str, dict[str, Callable[[Any], Any]]] = {
    "sqlite": {
        "JSON": _json_text,
        "DateTime": _sqlite_timestamp,
        "Date": _sqlite_date,
        "Numeric": _decimal_text,
    },
    "postgresql": {"JSON": _json_text, "JSONB": _json_text},
}


def _name_text(*parts: Any) -> str | None:
    """The lower-cased text that name search matches (as ``Aggregate.index`` builds it)."""
    return " ".join(_text(p) or "" for p in parts if p is not None).lower() or None


class RowWriter:
    """The driver's parameter tuples of one aggregate's table, built by one generated
    function per entity (see the module docstring); :attr:`statement` inserts them (SQLite's
    prepared ``INSERT``, PostgreSQL's ``COPY … FROM STDIN``).

    Examples:
        >>> from crmkit.adapters.aggregate import aggregate_for
        >>> from crmkit.adapters.sql import SqlStore
        >>> from crmkit.adapters.sql.rows import RowWriter
        >>> from crmkit.domain import Product, Money
        >>> table = SqlStore("sqlite://").table("products")
        >>> writer = RowWriter(aggregate_for("products"), table, "sqlite")
        >>> row = writer.rows([Product("P1", "Widget", price=Money("10", "SEK"))], 1)[0]
        >>> dict(zip(writer.names, row))["price"], writer.statement.split(" (")[0]
        ('10', 'INSERT INTO "crm_products"')
    """

    def __init__(self, agg: Aggregate, table: sa.Table, dialect: str) -> None:
        self.names = tuple(c.name for c in table.columns)
        columns = ", ".join(f'"{name}"' for name in self.names)
        kinds = {c.name: type(c.type).__name__ for c in table.columns}
        if dialect == "sqlite":
            marks = ", ".join("?" * len(self.names))
            self.statement = f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})'
        else:
            self.statement = f'COPY "{table.name}" ({columns}) FROM STDIN'
        # UPDATE … SET <the columns that changed> WHERE id = … AND version = …
        self._table_name = table.name
        self._id_at = self.names.index("id")
        self.document_at = self.names.index("document")
        plain = "?" if dialect == "sqlite" else "%s"
        cast = {"JSON": "%s::json", "JSONB": "%s::jsonb"} if dialect != "sqlite" else {}
        self._marks = tuple(cast.get(kinds[name], plain) for name in self.names)
        self._where = f'WHERE "id" = {plain} AND "version" = {plain}'
        self._updates: dict[tuple[int, ...], str] = {}
        binds = DRIVER_VALUE["sqlite" if dialect == "sqlite" else "postgresql"]
        self._row = _row_function(agg, self.names, {n: binds.get(k) for n, k in kinds.items()})

    def rows(self, entities: Iterable[Any], version: int) -> list[tuple[Any, ...]]:
        """The parameter tuples of ``entities`` stored at ``version`` (the entities are not
        changed); refuses what :func:`check_changes` refuses.

        Examples:
            >>> from crmkit.adapters.aggregate import aggregate_for
            >>> from crmkit.adapters.sql import SqlStore
            >>> from crmkit.adapters.sql.rows import RowWriter
            >>> table = SqlStore("sqlite://").table("accounts")
            >>> RowWriter(aggregate_for("accounts"), table, "sqlite").rows(["Acme"], 1)
            Traceback (most recent call last):
            ...
            crmkit.errors.ValidationError: accounts: 'str' is not an Account
        """
        row = self._row
        return [row(entity, version) for entity in entities]

    def updates(
        self, entities: Iterable[Any], versions: Iterable[int], stored: Iterable[Sequence[Any]]
    ) -> tuple[list[tuple[str, list[tuple[Any, ...]]]], list[str]]:
        """``UPDATE`` statements and their parameter tuples storing each entity at its version
        in ``versions`` over the version just before it, setting only the columns whose value
        differs from the entity's ``stored`` row (its columns in :attr:`names` order, as the
        driver reads them; equal means the same value of the same class, text, integer,
        boolean, ``None`` or datetime: decimals, floats and parsed JSON are always set, as are
        the version and the document); and the new documents, in order. Rows that set the same
        columns share a statement. Refuses what :func:`check_changes` refuses; the entities
        are not changed.

        Examples:
            >>> from crmkit.adapters.aggregate import aggregate_for
            >>> from crmkit.adapters.sql import SqlStore
            >>> from crmkit.adapters.sql.rows import RowWriter
            >>> from crmkit.domain import Account
            >>> table = SqlStore("sqlite://").table("accounts")
            >>> writer = RowWriter(aggregate_for("accounts"), table, "sqlite")
            >>> acme = Account("Acme", id="a-1")
            >>> stored = writer.rows([acme], 3)[0]
            >>> acme.tier = "A"
            >>> [(statement, params)], documents = writer.updates([acme], [4], [stored])
            >>> statement.split(" WHERE")[0]
            'UPDATE "crm_accounts" SET "version" = ?, "segment" = ?, "tier" = ?, "document" = ?'
            >>> params[0][1:], '"tier":"A"' in documents[0]
            (('A', 'A', '{...}', 'a-1', 3), True)
        """
        row, at, document_at = self._row, self._id_at, self.document_at
        groups: dict[tuple[int, ...], list[tuple[Any, ...]]] = {}
        documents = []
        for entity, version, old in zip(entities, versions, stored, strict=True):
            values = row(entity, version)
            changed = tuple(
                index
                for index, (value, before) in enumerate(zip(values, old, strict=True))
                if index != at
                and (
                    value.__class__ is not before.__class__
                    or value.__class__ not in _SAME
                    or value != before
                )
            )
            params = (*[values[index] for index in changed], values[at], version - 1)
            groups.setdefault(changed, []).append(params)
            documents.append(values[document_at])
        return [(self._update(columns), params) for columns, params in groups.items()], documents

    def _update(self, columns: tuple[int, ...]) -> str:
        """The ``UPDATE`` setting the columns at ``columns`` (made once per set of columns)."""
        statement = self._updates.get(columns)
        if statement is None:
            assigned = ", ".join(f'"{self.names[i]}" = {self._marks[i]}' for i in columns)
            statement = f'UPDATE "{self._table_name}" SET {assigned} {self._where}'
            self._updates[columns] = statement
        return statement


# Classes whose equal values store the same column value (a decimal or a float may not:
# 1.5 == 1.50, 0.0 == -0.0); a driver value of another class is always written again.
_SAME = frozenset({str, int, bool, type(None), datetime})


# Generated row functions by aggregate (held, so its id stays its own), columns and binds: a
# unit of work's repository builds its RowWriter once, and compiling one takes milliseconds.
_ROW_FUNCTIONS: dict[tuple[Any, ...], tuple[Aggregate, Callable[[Any, int], tuple[Any, ...]]]] = {}


def _row_function(
    agg: Aggregate, names: tuple[str, ...], binds: dict[str, Callable[[Any], Any] | None]
) -> Callable[[Any, int], tuple[Any, ...]]:
    """:func:`_generate`'s function for ``agg``, ``names`` and ``binds``, compiled once."""
    key = (id(agg), names, tuple(binds.items()))
    found = _ROW_FUNCTIONS.get(key)
    if found is None or found[0] is not agg:
        found = _ROW_FUNCTIONS[key] = (agg, _generate(agg, names, binds))
    return found[1]


def _field_types(cls: type) -> dict[str, Any]:
    """The resolved annotations of ``cls`` (empty when one cannot be resolved)."""
    try:
        return typing.get_type_hints(cls)
    except Exception:  # a forward reference that does not resolve: no fast paths
        return {}


class _Fast:
    """Column expressions of a generated row function with a fast path for the values that
    are exactly of the class the column's function would return unchanged (a ``str`` for a
    text column, an ``int`` for an integer one, a UTC ``datetime`` for a timestamp); every
    other value goes to the function as before, so each expression equals the function's
    result for every value (``tests/adapters/test_sql_row_fast_paths.py``)."""

    def __init__(self, cls: type, globs: dict[str, Any], body: list[str]) -> None:
        self._types = _field_types(cls)
        self._globs = globs
        self._body = body
        self._count = 0
        self._done: dict[str, list[tuple[str, str]]] = {}
        globs.update(_dt=datetime, _UTC=UTC, _EPOCH=_EPOCH, _US=timedelta(microseconds=1))
        globs["_TWO_DIGITS"] = tuple(f"{i:02d}" for i in range(100))

    def local(self, expr: str) -> str:
        """A new local variable holding ``expr`` (evaluated once, before the row)."""
        name = f"_w{self._count}"
        self._count += 1
        self._body.append(f"{name} = {expr}")
        return name

    def text(self, expr: str, attr_name: str | None) -> str:
        """``_text(expr)`` (a filter column): texts and ``None`` as they are, members of the
        field's declared enum from a table."""
        w = self.local(expr)
        slow = f"_t({w})"
        kind = self._types.get(attr_name) if attr_name is not None else None
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            n = self._count
            self._globs[f"_E{n}"] = kind
            self._globs[f"_ET{n}"] = {member: _text(member) for member in kind}
            slow = f"(_ET{n}[{w}] if {w}.__class__ is _E{n} else _t({w}))"
        return f"({w} if {w} is None or {w}.__class__ is str else {slow})"

    def name(self, expr: str) -> str:
        """``_name_text(expr)`` of one name part."""
        w = self.local(expr)
        return f"(({w}.lower() or None) if {w}.__class__ is str else _name({w}))"

    def micros(self, expr: str) -> str:
        """``micros(expr)``: a UTC datetime's microseconds in one exact division."""
        w = self.local(expr)
        value = f"(({w} - _EPOCH) // _US if {w}.__class__ is _dt and {w}.tzinfo is _UTC else _micros({w}))"
        return self._once("micros", w, value)

    def sqlite_utc(self, expr: str) -> str:
        """``_sqlite_utc(expr)``: a UTC datetime's ``isoformat`` without ``+00:00``."""
        w = self.local(expr)
        # the text isoformat writes, from ready-made two-digit strings (a third of its CPU)
        two = "_TWO_DIGITS"
        fast = (
            f'f"{{{w}.year}}-{{{two}[{w}.month]}}-{{{two}[{w}.day]}} '
            f'{{{two}[{w}.hour]}}:{{{two}[{w}.minute]}}:{{{two}[{w}.second]}}." + '
            f'("000000" if not {w}.microsecond else f"{{{w}.microsecond:06d}}")'
        )
        value = (
            f"({fast} if {w}.__class__ is _dt and {w}.tzinfo is _UTC and {w}.year >= 1000 "
            f"else _sqlite_utc({w}))"
        )
        return self._once("sqlite_utc", w, value)

    def _once(self, kind: str, w: str, value: str) -> str:
        """A local holding ``value``, a function ``kind`` of local ``w``, or the local holding
        it for an earlier column whose value is the very same object (``created_at``,
        ``updated_at`` and an order's ``ordered_at`` often are one datetime): the function of
        one object is computed once per row."""
        done = self._done.setdefault(kind, [])
        reuse = "".join(f"{text} if {w} is {other} else " for other, text in done)
        text = self.local(f"{reuse}{value}")
        done.append((w, text))
        return text

    def convert(self, function: str, w: str, kind: str) -> str:
        """``function(w)`` of a typed column of ``kind`` (see ``schema._CONVERT``), ``w`` a
        local variable."""
        same = _UNCHANGED.get(kind)
        try:
            keeps_none = _convert(kind)(None) is None
        except Exception:  # a conversion that refuses None: no fast path
            keeps_none = False
        if same is None and not keeps_none:
            return f"{function}({w})"
        tests = ([f"{w} is None"] if keeps_none else []) + (
            [f"{w}.__class__ is {same}"] if same is not None else []
        )
        return f"({w} if {' or '.join(tests)} else {function}({w}))"


# Column kinds whose conversion returns a value of this class unchanged.
_UNCHANGED = {"text": "str", "ref": "str", "int": "int", "float": "float", "bool": "bool"}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _convert(kind: str) -> Callable[[Any], Any]:
    from crmkit.adapters.sql.schema import _CONVERT

    return _CONVERT[kind]


def _generate(
    agg: Aggregate, names: tuple[str, ...], binds: dict[str, Callable[[Any], Any] | None]
) -> Callable[[Any, int], tuple[Any, ...]]:
    """Compile ``row(entity, version)`` for ``agg``: what ``entity_row`` computes, as the
    driver's values, in table column order.

    The function writes the document and the JSON columns as text straight from the entity
    (:func:`crmkit.serde.converter.json_text_writer`: no ``to_dict`` data in between); a value
    those writers cannot write exactly makes it build that row as before (``to_dict``, then
    :func:`document_text` and :func:`json_column_text`), so every row is the same either way.
    """
    slow = _source(agg, names, binds, text=False)
    assert slow is not None  # without text writers there is always a function
    row: Callable[[Any, int], tuple[Any, ...]] = _compile_function("row", "e, version", *slow)
    fast = _source(agg, names, binds, text=True)
    if fast is None:
        return row
    fast[1]["_slow"] = row
    text_row: Callable[[Any, int], tuple[Any, ...]] = _compile_function("row", "e, version", *fast)
    return text_row


def _text_writer(tp: Any, **style: Any) -> Callable[..., str] | None:
    """:func:`crmkit.serde.converter.json_text_writer` of ``tp``, or None where there is none."""
    from crmkit.serde.converter import json_text_writer

    try:
        return json_text_writer(tp, **style)
    except Exception:  # a type without generated functions: the row is built as before
        return None


def _source(
    agg: Aggregate,
    names: tuple[str, ...],
    binds: dict[str, Callable[[Any], Any] | None],
    *,
    text: bool,
) -> tuple[list[str], dict[str, Any]] | None:
    """The body and globals of ``row(entity, version)`` (see :func:`_generate`): with
    ``text``, the body writing the document and JSON columns as text, falling back to
    ``_slow`` (None when some column needs ``to_dict``'s data)."""
    from crmkit.adapters.sql.schema import _CONVERT, _utc
    from crmkit.serde import to_dict

    cls = agg.entity
    present = set(attrs.fields_dict(cls)) | {n for n in dir(cls) if not n.startswith("__")}
    globs: dict[str, Any] = {
        "_cls": cls,
        "_require": agg.require,
        "_to_dict": to_dict,
        "_text_of": document_text,
        "_t": _text,
        "_name": _name_text,
        "_micros": micros,
        "_utc": _utc,
        "_sqlite_utc": _sqlite_utc,
    }
    types = _field_types(cls)

    def attr(name: str) -> str:
        return f"e.{name}" if name in present else f"getattr(e, {name!r}, None)"

    prelude = [
        "if e.__class__ is not _cls and not isinstance(e, _cls): _require(e)",
        *_check_lines(cls, globs),
    ]
    body = [] if text else ["doc = _to_dict(e)", "doc['version'] = version"]
    fast = _Fast(cls, globs, body)
    # each column's expression, written when the column is in the table (see _Fast)
    exprs: dict[str, str | Callable[[], str]] = {}
    # columns whose expression is already the driver's value (no bind around it)
    bound: set[str] = set()

    def json_text(name: str, field: str, expr: str) -> bool:
        """Write JSON column ``name`` (field ``field``'s value ``expr``) as text; False when
        that is not possible here."""
        writer = _text_writer(types.get(field), ascii=True) if field in types else None
        if writer is None or binds.get(name) is not _json_text:
            return False
        globs[f"_json_{name}"] = writer
        w = fast.local(expr)
        exprs[name] = f"(None if {w} is None else _json_{name}({w}))"
        bound.add(name)
        return True

    # Aggregate.index
    for key in ("owner_id", "account_id", "status", "stage", "segment"):
        if key in agg.fields:
            field = agg.fields[key]
            exprs[key] = functools.partial(fast.text, attr(field), field)
        else:
            exprs[key] = "None"
    parts = ", ".join(attr(n) for n in agg.name_fields)
    exprs["name"] = f"_name({parts})" if agg.name_fields else "None"
    if len(agg.name_fields) == 1:
        exprs["name"] = functools.partial(fast.name, parts)
    exprs["remote_id"] = "e.remote_id"
    exprs["created_us"] = functools.partial(fast.micros, "e.created_at")
    exprs["updated_us"] = functools.partial(fast.micros, "e.updated_at")
    exprs["custom"] = "e.custom or {}"
    custom_type = types.get("custom")
    if text and _scalar_bag(custom_type):  # the raw bag's text is its to_dict data's
        json_text("custom", "custom", "e.custom or {}")
    # entity_row
    exprs["id"] = "e.id"
    exprs["version"] = "version"
    exprs["created_at"] = "_utc(e.created_at)"
    exprs["updated_at"] = "_utc(e.updated_at)"
    # columns whose value is _utc(<expression>): SQLite's text is written in one step
    utc_of = {"created_at": "e.created_at", "updated_at": "e.updated_at"}
    exprs["remote_data"] = "doc.get('remote_data') or {}"
    if (
        text
        and "remote_data" in names
        and not json_text("remote_data", "remote_data", "e.remote_data or {}")
    ):
        return None
    for index, spec in enumerate(COLUMNS.get(agg.name, ())):
        if spec.kind == "json":
            exprs[spec.column] = f"doc.get({spec.attr!r})"
            if text and spec.column in names and spec.attr in types:
                if not json_text(spec.column, spec.attr, attr(spec.attr)):
                    return None
            elif text:
                exprs[spec.column] = "None"  # not a field: not in the document
            continue
        local = f"_v{index}"
        body.append(f"{local} = {attr(spec.attr)}")
        if spec.kind == "money":
            exprs[spec.column] = f"(None if {local} is None else {local}.amount)"
            if spec.currency is not None:
                exprs[spec.currency] = f"(None if {local} is None else {local}.currency)"
            continue
        globs[f"_conv{index}"] = _CONVERT[spec.kind]
        exprs[spec.column] = fast.convert(f"_conv{index}", local, spec.kind)
        if _CONVERT[spec.kind] is _utc:
            utc_of[spec.column] = local
    if agg.name == "accounts":
        exprs[PARENT_COLUMN] = "e.parent_id"
    exprs["document"] = "_text_of(doc)"
    if text:
        document = _text_writer(cls, compact=True, replace="version")
        if document is None:
            return None
        globs["_document"] = document
        exprs["document"] = "_document(e, version)"
        bound.add("document")
    values = []
    for name in names:
        written = exprs.get(name, "None")
        expr = written if isinstance(written, str) else written()
        bind = binds.get(name)
        if name in bound:
            pass
        elif bind is _sqlite_timestamp and name in utc_of:
            expr = fast.sqlite_utc(utc_of[name])
        elif bind is not None and expr != "None":
            # the same text as the bind's, written faster (see json_column_text)
            globs[f"_bind_{name}"] = json_column_text if bind is _json_text else bind
            expr = f"_bind_{name}({expr})"
        values.append(expr)
    body.append("return (" + ", ".join(values) + ",)")
    if not text:
        return prelude + body, globs
    return (
        [
            *prelude,
            "try:",
            *(f"    {line}" for line in body),
            "except Exception:  # a value the text writers leave to to_dict",
            "    return _slow(e, version)",
        ],
        globs,
    )


def _scalar_bag(tp: Any) -> bool:
    """Whether ``tp`` is ``dict[str, <a union of JSON scalars>]`` (``custom``'s type)."""
    from crmkit.serde.converter import _is_scalar_union

    args = typing.get_args(tp)
    return (
        typing.get_origin(tp) is dict
        and len(args) == 2
        and args[0] is str
        and (_is_scalar_union(args[1]))
    )
