"""Typed JSON reading through msgspec: :func:`crmkit.serde.from_json`'s fast path when msgspec
is installed (it is optional: without it ``from_json`` reads every text the strict way).

msgspec parses the text straight into generated "mirror" ``msgspec.Struct`` types of the
attrs class (the same field names; dates and datetimes kept as text and read by
``fromisoformat`` as ``from_dict`` reads them, Money as two texts, text enums as text, a left
out field with a default as ``msgspec.UNSET``): JSON syntax, the JSON type of every field,
unknown fields and missing required fields are checked in C. One generated Python function then
builds the attrs objects from the mirror, running each domain check once (the construction
:func:`crmkit.serde.from_dict`'s generated code uses). Whatever msgspec refuses, or the build
raises for, is read again the strict way (``from_dict(cls, read_json(text))``), which decides
and names every problem exactly as before. So are the texts where msgspec alone would read
differently from ``read_json``:

- a key written twice in one object: msgspec keeps the last, ``read_json`` refuses it. Outside
  strings a JSON text has one ``:`` per key; msgspec's re-encoding of the mirror has one per key
  it kept (left out fields are not written) plus the ``:`` inside strings, which the text holds
  as they are unless escaped as ``\\u003a``, so equal counts (and no such escape) mean no key
  was dropped;
- untyped data (``Any``, ``remote_data``) nested more than 100 levels: the strict readers
  decide where their recursion limit lies.

Like ``read_json``, msgspec reads integers beyond 64 bits as ``int`` and refuses ``NaN``,
``Infinity``, ``1e400``, lone surrogates and bytes that are not UTF-8 (the strict path then
names the problem). tests/serde/test_typed_read.py compares both paths on valid objects of every
domain type and on hostile texts.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, get_args, get_origin

import attrs

from crmkit.domain.money import Money
from crmkit.domain.validators import attrs_init
from crmkit.serde.converter import (
    _EXACT,
    _MISSING,
    _Codegen,
    _compile,
    _generated,
    _generated_fields,
    _is_scalar_union,
    _optional_arg,
    _text_members,
    converter,
)

__all__ = ["typed_reader"]


class _UnsupportedError(Exception):
    """A type the mirror cannot express: the class keeps the strict path only."""


@functools.cache
def _msgspec() -> Any:
    try:
        import msgspec
    except ImportError:  # pragma: no cover - exercised when msgspec is not installed
        return None
    return msgspec


class _MirrorCodegen(_Codegen):
    """Builds mirror Struct types and the function turning a mirror value into crmkit's."""

    def __init__(self, root: type, msgspec: Any) -> None:
        super().__init__(root)
        self.msgspec = msgspec
        self.globs["_UNSET"] = msgspec.UNSET
        self.globs["_shallow"] = _shallow
        self.mirrors: dict[Any, Any] = {}  # Money, or (class, *stack): its mirror

    # mirror types -------------------------------------------------------------------------------

    def mirror(self, tp: Any) -> Any:
        """The msgspec type a value of ``tp`` is read as."""
        if _is_scalar_union(tp):
            kinds = set(get_args(tp))
            if float in kinds:  # crmkit keeps an int in a float slot; msgspec would convert it
                kinds.add(int)
            return functools.reduce(lambda a, b: a | b, sorted(kinds, key=_order))
        inner = _optional_arg(tp)
        if inner is not None:
            return self.mirror(inner) | None
        if tp in _EXACT or tp is float or tp is Any:
            return tp
        if tp is datetime or tp is date:
            return str
        if tp is Money:
            return self.mirror_money()
        if _text_members(tp) is not None:
            return str
        if self._inlines(tp):
            return self.mirror_attrs(tp)
        origin, args = get_origin(tp), get_args(tp)
        if origin is list and len(args) == 1:
            return list[self.mirror(args[0])]  # type: ignore[misc]
        if (
            origin is dict
            and len(args) == 2
            and args[0] is str
            and (args[1] is Any or _is_scalar_union(args[1]))
        ):
            return dict[str, self.mirror(args[1])]  # type: ignore[misc]
        return Any  # the converter's hook decides, as in the generated structure function

    def mirror_money(self) -> Any:
        found = self.mirrors.get(Money)
        if found is None:
            found = self.mirrors[Money] = self.msgspec.defstruct(
                "Money", [("amount", str), ("currency", str)], forbid_unknown_fields=True, gc=False
            )
        return found

    def mirror_attrs(self, cls: type) -> Any:
        """The mirror Struct of ``cls`` where it stands now: which nested classes it inlines
        depends on the classes around it, as in :meth:`structure_attrs`."""
        where = (cls, *self.stack)
        found = self.mirrors.get(where)
        if found is not None:
            return found
        fields = _generated_fields(cls)
        assert fields is not None
        self.stack.append(cls)
        spec: list[tuple[Any, ...]] = []
        for field in fields:
            kind = self.mirror(field.type)
            if field.default is attrs.NOTHING:
                spec.append((field.name, kind))
            else:
                spec.append((field.name, kind | self.msgspec.UnsetType, self.msgspec.UNSET))
        self.stack.pop()
        try:
            found = self.msgspec.defstruct(
                cls.__name__, spec, kw_only=True, forbid_unknown_fields=True, gc=False
            )
        except TypeError as exc:  # pragma: no cover - a union msgspec cannot read
            raise _UnsupportedError from exc
        self.mirrors[where] = found
        return found

    # building from the mirror -------------------------------------------------------------------

    def structure(self, tp: Any, src: str, dst: str, indent: str) -> None:
        """Emit lines that set ``dst`` from the mirror value in ``src`` (its type is checked)."""
        out = self.lines.append
        if _kept(tp):
            if dst != src:
                out(f"{indent}{dst} = {src}")
            return
        if tp is Any:
            out(f"{indent}{dst} = _shallow({src})")
            return
        if self.structure_optional(tp, src, dst, indent):
            return
        if tp is datetime:
            out(f"{indent}{dst} = _datetime_from({src})")
        elif tp is date:
            out(f"{indent}{dst} = _date_from({src})")
        elif tp is Money:
            amount, currency = self.var(), self.var()
            out(f"{indent}{amount} = {src}.amount")
            out(f"{indent}{currency} = {src}.currency")
            self.construct(
                Money, [amount, currency], [amount, currency], dst, indent, [], {"amount"}
            )
        elif (members := _text_members(tp)) is not None:
            out(f"{indent}{dst} = {self.ref(members)}[{src}]")
        elif self._inlines(tp):
            self.structure_attrs(tp, src, dst, indent)
        elif get_origin(tp) is list and len(get_args(tp)) == 1:
            (item,) = get_args(tp)
            if _kept(item):
                out(f"{indent}{dst} = {src}")  # msgspec made a new list of checked items
            elif item is Any:
                out(f"{indent}{dst} = _shallow({src})")
            else:
                each, append, built = self.var(), self.var(), self.var()
                out(f"{indent}{dst} = []")
                out(f"{indent}{append} = {dst}.append")
                out(f"{indent}for {each} in {src}:")
                self.structure(item, each, built, indent + "    ")
                out(f"{indent}    {append}({built})")
        elif get_origin(tp) is dict and self.mirror(tp) is not Any:
            # msgspec made a new dict of checked values
            out(
                f"{indent}{dst} = {src}"
                if _kept(get_args(tp)[1])
                else f"{indent}{dst} = _shallow({src})"
            )
        elif tp in self.stack:  # a recursive class: its data is read untyped
            structure = self.ref(converter.structure)
            out(f"{indent}{dst} = {structure}(_shallow({src}), {self.ref(tp)})")
        else:  # read untyped; the converter's hook decides, as in from_dict's generated code
            hook = self.ref(converter.get_structure_hook(tp))
            out(f"{indent}{dst} = {hook}(_shallow({src}), {self.ref(tp)})")

    def structure_attrs(self, cls: type, src: str, dst: str, indent: str) -> None:
        fields = _generated_fields(cls)
        assert fields is not None
        out = self.lines.append
        self.stack.append(cls)
        compiled = attrs_init(cls) is not None
        values: list[str] = []
        unset: list[str] = []
        for field in fields:
            raw = self.var()
            value = raw if _kept(field.type) else self.var()
            values.append(value)
            out(f"{indent}{raw} = {src}.{field.name}")
            if field.default is attrs.NOTHING:
                self.structure(field.type, raw, value, indent)
                continue
            out(f"{indent}if {raw} is _UNSET:")
            self.default(field, value, indent + "    ", unset if compiled else None)
            if value != raw:
                out(f"{indent}else:")
                self.structure(field.type, raw, value, indent + "    ")
        args = [f"{f.name}={v}" if f.kw_only else v for f, v in zip(fields, values, strict=True)]
        args.sort(key=lambda arg: "=" in arg)
        self.construct(cls, values, args, dst, indent, unset if compiled else None)
        self.stack.pop()


def _kept(tp: Any) -> bool:
    """Whether the mirror value of ``tp`` is crmkit's value as it stands (checked by msgspec)."""
    if _is_scalar_union(tp) or tp in _EXACT or tp is float:
        return True
    inner = _optional_arg(tp)
    return inner is not None and _kept(inner)


def _order(kind: Any) -> int:
    return [str, int, float, bool, type(None)].index(kind)


_MAX_DEPTH = 100  # nesting of untyped (Any) data read here; deeper data takes the strict path


def _shallow(value: Any, depth: int = _MAX_DEPTH) -> Any:
    """``value`` (untyped JSON data) if it nests at most ``depth`` levels, else raise: deep
    data goes to the strict path, whose readers decide where their recursion limit lies."""
    kind = value.__class__
    if kind is dict:
        if depth <= 0:
            raise RecursionError
        for item in value.values():
            if item.__class__ is dict or item.__class__ is list:
                _shallow(item, depth - 1)
    elif kind is list:
        if depth <= 0:
            raise RecursionError
        for item in value:
            if item.__class__ is dict or item.__class__ is list:
                _shallow(item, depth - 1)
    return value


Reader = Callable[[str | bytes | bytearray], Any]


@functools.cache
def typed_reader(cls: type) -> Reader | None:
    """A function reading a JSON text into a ``cls`` through msgspec as
    :func:`~crmkit.serde.from_json` does, returning ``crmkit.serde.converter._MISSING`` wherever
    the strict path must decide; ``None`` when msgspec is not installed or ``cls`` has no mirror
    (the strict path then reads every text).

    Examples:
        >>> from crmkit.domain import Account
        >>> from crmkit.serde.converter import _MISSING
        >>> read = typed_reader(Account)
        >>> read('{"name": "Acme", "id": "a-1"}').name
        'Acme'
        >>> read('{"name": "Acme", "name": "Bolt"}') is _MISSING  # from_json refuses it
        True
    """
    msgspec = _msgspec()
    if msgspec is None or not _generated(cls):
        return None
    try:
        if _generated_fields(cls) is None:
            return None
        gen = _MirrorCodegen(cls, msgspec)
        mirror = gen.mirror_attrs(cls)
        gen.lines += ["def build(data):", "    _trusted = not _disabled()"]
        gen.structure_attrs(cls, "data", "result", "    ")
        gen.lines.append("    return result")
        build = _compile("\n".join(gen.lines) + "\n", gen.globs, "build", cls)
        decode = msgspec.json.Decoder(mirror).decode
        encode = msgspec.json.Encoder().encode
    except Exception:  # a type msgspec cannot mirror: the strict path reads it
        return None

    def read(text: str | bytes | bytearray) -> Any:
        try:
            data = decode(text)
            # msgspec keeps the last of a repeated key: its re-encoding then has fewer ':'
            # than the text (see the module docstring); an escaped ':' could hide one
            if isinstance(text, str):
                refused = "\\u003" in text or text.count(":") != encode(data).count(b":")
            else:
                refused = b"\\u003" in text or text.count(b":") != encode(data).count(b":")
            return _MISSING if refused else build(data)
        except Exception:  # the strict path decides and names the problem
            return _MISSING

    return read
