"""Compiled validation: crmkit's one module that goes beyond attrs' public API.

attrs calls one Python function per validator and converter. For the common, valid values
those calls cost more than the checks themselves, so :func:`compile_validation` generates an
``__init__`` (and, for mutable classes, a ``__setattr__``) that first evaluates cheap inline
expressions declared with :func:`inline_check`. Each expression is a *sufficient* condition:
when it holds, the validator would accept the value (or the converter would return it
unchanged). When any expression does not hold, the generated code runs every validator in
attrs' order, exactly as attrs' own ``__init__`` would, so errors are unchanged.
:func:`construction_code` gives :mod:`crmkit.serde` the same construction as source, so that
``from_dict`` runs each check once instead of once while decoding and again in ``__init__``.

What it relies on beyond attrs' documented API (everything else is public: ``attrs.fields``,
``attrs.Attribute``, ``attrs.Factory``, ``attrs.validators.get_disabled``):

- **attrs' ``__init__`` semantics** (defaults, factories, converters, validators in field
  order, then ``__attrs_post_init__``), re-generated here; classes using features it does not
  reproduce (``__attrs_pre_init__``, ``attrs.Converter``, ``cache_hash``) are left unchanged.
- **attrs' ``define`` on_setattr pipeline**: a mutable class's ``__setattr__`` is replaced only
  when every field's hook is attrs' default ``convert``-then-``validate`` pipeline, found by
  reading the ``sa_attrs`` closure cell of attrs' generated ``__setattr__`` and comparing it
  with ``attr._make._DEFAULT_ON_SETATTR``. When either is missing (another attrs layout), the
  class keeps attrs' own ``__setattr__``.
- **attrs' internal names**: the parts of an ``attrs.validators.and_`` validator (its
  ``_validators`` tuple) to inline each of them, and the ``_attrs_cached_hash`` slot that
  marks a ``cache_hash=True`` class (left unchanged).
- **CPython object layout**: slots are filled on a layout-identical "shadow" subclass (plain
  ``object.__setattr__``), switching ``__class__`` to it for the stores and back before any
  validator runs; :func:`construction_code` builds objects with ``object.__new__`` without
  calling ``__init__``.

Each attrs-specific reliance degrades to attrs' own behaviour when it is not met (no
``_DEFAULT_ON_SETATTR``, no ``sa_attrs`` cell, another ``and_`` layout): the class keeps attrs'
``__setattr__``, or the validator is called instead of inlined. Correct, only slower.

Tested with attrs 24.2 (the oldest supported, ``make test-compat``) and 26.1 (the newest, the
constraints pin); ``pyproject.toml`` bounds attrs to ``>=24.2,<27``. The property tests
(tests/domain/test_compiled_validation.py, tests/serde/test_generated.py) check that compiled
classes accept and reject exactly what attrs' own code does, with both versions.

**Switch**: set the environment variable ``CRMKIT_COMPILED_VALIDATION=0`` (read once, when
this module is first imported) to turn all of this off: :func:`compile_validation` then returns
classes unchanged (attrs' own ``__init__``, ``__setattr__`` and validators run),
:func:`attrs_init` and :func:`construction_code` return ``None`` and :mod:`crmkit.serde` calls
the classes. Behaviour is the same either way; only speed differs.

Examples:
    >>> from crmkit.domain import Money
    >>> from crmkit.domain._compiled import ENABLED, attrs_init
    >>> (attrs_init(Money) is not None) == ENABLED
    True
"""

from __future__ import annotations

import os
import types
from collections.abc import Callable, Collection, Sequence
from typing import Any, NamedTuple, TypeVar

import attrs

from crmkit._codegen import define

__all__ = [
    "ENABLED",
    "ConstructionCode",
    "attrs_init",
    "compile_validation",
    "construction_code",
    "inline_check",
    "plain_maker",
]

#: Whether compiled validation is on (``CRMKIT_COMPILED_VALIDATION`` is not ``0``); read once.
ENABLED: bool = os.environ.get("CRMKIT_COMPILED_VALIDATION", "1").strip() != "0"

_F = TypeVar("_F")
_T = TypeVar("_T")
_C = TypeVar("_C", bound=type)

_INLINE: dict[Any, tuple[str, dict[str, Any]]] = {}
# class -> (attrs' own __init__, the generated __init__) for every class compile_validation changed
_COMPILED: dict[type, tuple[Any, Any]] = {}
_SHADOW_MIN_FIELDS = 2
_OBJ_SETATTR = object.__setattr__

_DISABLED = attrs.validators.get_disabled  # public: True inside attrs.validators.disabled()

_DEFAULT_ON_SETATTR: Any
try:  # attrs' default ``on_setattr`` pipeline of ``attrs.define`` (convert, then validate)
    from attr._make import _DEFAULT_ON_SETATTR  # private: see the module docstring
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
    filename = f"<crmkit compiled {name} {cls.__module__}.{cls.__qualname__}>"
    func = define(source, filename, globs)[name]
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
    if not ENABLED or not attrs.has(klass) or hasattr(klass, "__attrs_pre_init__"):
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
        "_disabled": _DISABLED,
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
        body.append("if not _disabled():")
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
        (a.__class__ is _p_c0_decimal) and ((a.__class__ is _p_c0_decimal and a.is_finite() and _p_v0_low <= a <= _p_v0_high and (not a or a.adjusted() >= -38))) and ((c.__class__ is str and c in _p_v1_codes))
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


def plain_maker(cls: type[_T]) -> Callable[..., _T]:
    """A function building ``cls`` from one positional value per field, as its ``__init__``
    does, for a compiled class with nothing to check or convert (result rows): the
    :func:`construction_code` build without the second class switch of the compiled
    ``__init__``. ``cls`` itself when it cannot be built that way (a validator, a converter,
    ``__attrs_post_init__``, not compiled).

    Examples:
        >>> from crmkit.segmentation import RFMRow
        >>> make = plain_maker(RFMRow)
        >>> make("a", 3, 2, 100, 5, 4, 3, "champions") == RFMRow("a", 3, 2, 100, 5, 4, 3,
        ...                                                      "champions")
        True
    """
    fields = attrs.fields(cls) if attrs.has(cls) else ()
    values = [f"v{index}" for index in range(len(fields))]
    globs: dict[str, Any] = {}
    made = construction_code(cls, values, "made", globs, "_p") if fields else None
    if (
        made is None
        or made.prepare
        or made.condition != "True"
        or len(made.build) != 2 + len(fields)
    ):
        return cls
    body = "".join(f"    {line}\n" for line in made.build)
    source = f"def make({', '.join(values)}):\n{body}    return made\n"
    maker: Callable[..., _T] = define(source, f"<crmkit maker {cls.__qualname__}>", globs)["make"]
    return maker


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
    globs: dict[str, Any] = {"_osa": _OBJ_SETATTR, "_disabled": _DISABLED}
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
            lines.append("if not _disabled():")
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
