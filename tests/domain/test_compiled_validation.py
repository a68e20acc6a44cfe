"""The compiled ``__init__`` / ``__setattr__`` of every domain class accept and reject exactly
what attrs' own code with the original validators accepts and rejects, with the same error
paths and messages (compile_validation is a speed-up, never a behaviour change).

With ``CRMKIT_COMPILED_VALIDATION=0`` nothing is compiled and both sides are attrs' own code;
:func:`test_the_switch_turns_compiled_validation_off` runs this file and the serde tests in that
mode in a subprocess."""

from __future__ import annotations

import copy
import inspect
import math
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import crmkit.domain
from crmkit.domain import (
    Account,
    AccountStatus,
    Contact,
    LeadConversion,
    Money,
    Probability,
    PropertyDefinition,
    PropertySchema,
    PropertyType,
)
from crmkit.domain._compiled import _COMPILED, ENABLED, plain_maker
from crmkit.domain.aggregate import AggregateRoot
from crmkit.domain.limits import DEPTH_MAX, ID_MAX, INT_MAX, KEY_MAX, REMOTE_ID_MAX, TEXT_MAX
from crmkit.domain.validators import attrs_init, compile_validation, non_empty
from crmkit.errors import ValidationError
from crmkit.segmentation import RFMRow
from crmkit.testing.strategies import STRATEGIES, accounts, contacts, ids, utc_datetimes


class _Text(str):
    """A str subclass: validators accept it, the inline fast checks must not wave it through."""


class _Int(int):
    """An int subclass."""


class _Sentinel:
    def __repr__(self) -> str:
        return "<sentinel>"


SENTINEL = _Sentinel()
_DEEP: Any = "deep"
for _ in range(DEPTH_MAX + 1):
    _DEEP = [_DEEP]
EDGE_VALUES: list[Any] = [
    None,
    "",
    " ",
    "\t\n",
    "x",
    " x ",
    "SEK",
    "anna@example.se",
    "not an e-mail",
    _Text("x"),
    _Text(" "),
    0,
    -1,
    1,
    7,
    10**20,
    _Int(3),
    True,
    False,
    0.0,
    -0.0,
    0.5,
    1.0,
    1.5,
    -0.5,
    1e300,
    math.nan,
    math.inf,
    -math.inf,
    Decimal("1.5"),
    Decimal("-1"),
    Decimal("NaN"),
    Decimal("Infinity"),
    Probability(0.3),
    datetime(2025, 1, 1),  # naive
    datetime(2025, 1, 1, tzinfo=UTC),
    datetime(2025, 1, 1, 12, tzinfo=timezone(timedelta(hours=2))),
    datetime(2014, 1, 1, tzinfo=UTC),
    datetime(2040, 1, 1, tzinfo=UTC),
    date(2025, 1, 1),
    Money("10", "SEK"),
    Money("-5", "EUR"),
    [],
    ["x"],
    [None],
    {},
    {"segment": "SMB"},
    {"bad key": 1},
    {"tags": ["a"]},
    (),
    ("a", "a"),
    AccountStatus.EXISTING,
    PropertyType.ENUM,
    SENTINEL,
]
# the storage limits of crmkit.domain.limits (issue #11): both paths must agree on them
LIMIT_VALUES: list[Any] = [
    "a\x00b",
    "\x00",
    "\ud800",
    "Åsa\udfff",
    "Åsa Öberg",
    "x" * ID_MAX,
    "x" * (ID_MAX + 1),
    "k" * (KEY_MAX + 1),
    "r" * (REMOTE_ID_MAX + 1),
    "t" * (TEXT_MAX + 1),
    "anna@example.se\n",
    "a" * 250 + "@example.se",
    INT_MAX,
    -INT_MAX,
    INT_MAX + 1,
    -INT_MAX - 1,
    10**400,
    5e-324,
    Decimal("sNaN"),
    Decimal("1e30"),
    Decimal("1e-40"),
    Decimal("9" * 25),
    {"score": math.nan},
    {"score": math.inf},
    {"big": 2**63},
    {"a\n": 1},
    {"note": "x\x00"},
    {"raw": {1, 2}},
    {"raw": (1, 2)},
    {"raw": _DEEP},
    {1: "not a string key"},
    datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))),
    datetime(9999, 12, 31, 23, tzinfo=timezone(-timedelta(hours=2))),
]
EDGE_VALUES += LIMIT_VALUES


def _property_definitions() -> st.SearchStrategy[PropertyDefinition]:
    plain = st.builds(
        PropertyDefinition,
        st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True),
        st.sampled_from([t for t in PropertyType if t is not PropertyType.ENUM]),
        st.booleans(),
    )
    enum = st.builds(
        PropertyDefinition,
        st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True),
        st.just(PropertyType.ENUM),
        st.booleans(),
        st.lists(st.sampled_from(["SMB", "MID", "LARGE"]), min_size=1, unique=True).map(tuple),
    )
    return plain | enum


def _property_schemas() -> st.SearchStrategy[PropertySchema]:
    definitions = st.lists(_property_definitions(), max_size=3, unique_by=lambda d: d.name)
    return st.builds(PropertySchema, st.sampled_from(["account", "contact", "lead"]), definitions)


def _conversions() -> st.SearchStrategy[LeadConversion]:
    return st.builds(
        LeadConversion,
        ids(),
        accounts(),
        contacts(),
        st.none() | STRATEGIES[next(c for c in STRATEGIES if c.__name__ == "Opportunity")],
        st.booleans(),
        st.booleans(),
        utc_datetimes(),
    )


def _checked(cls: type) -> bool:
    """Whether ``cls`` is compiled (with the switch off: a domain class that would be)."""
    if ENABLED:
        return cls in _COMPILED
    return attrs.has(cls) and cls.__module__.startswith("crmkit.domain")


#: Every attrs class crmkit.domain exports, compiled or not.
DOMAIN_CLASSES = sorted(
    {v for v in vars(crmkit.domain).values() if isinstance(v, type) and attrs.has(v)},
    key=lambda c: c.__qualname__,
)


def _collect(value: Any, found: dict[type, list[Any]]) -> None:
    """Every compiled attrs object inside ``value`` (itself included), by class."""
    if attrs.has(type(value)):
        if _checked(type(value)):
            found.setdefault(type(value), []).append(value)
        for field in attrs.fields(type(value)):
            _collect(getattr(value, field.name), found)
    elif isinstance(value, list | tuple):
        for item in value:
            _collect(item, found)
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, found)


EXTRA: dict[type, st.SearchStrategy[Any]] = {
    PropertyDefinition: _property_definitions(),
    PropertySchema: _property_schemas(),
    LeadConversion: _conversions(),
    AggregateRoot: st.builds(
        AggregateRoot, id=ids(), created_at=utc_datetimes(), remote_id=st.none() | ids()
    ),
}
SOURCES = st.one_of(*STRATEGIES.values(), *EXTRA.values())


@st.composite
def compiled_objects(draw: st.DrawFn) -> Any:
    """A valid object of a compiled class: one drawn from the strategies or nested in one."""
    found: dict[type, list[Any]] = {}
    _collect(draw(SOURCES), found)
    cls = draw(st.sampled_from(sorted(found, key=lambda c: c.__qualname__)))
    return draw(st.sampled_from(found[cls]))


def _kwargs(obj: Any) -> dict[str, Any]:
    return {(f.alias or f.name): getattr(obj, f.name) for f in attrs.fields(type(obj)) if f.init}


def _state(obj: Any, fresh: frozenset[str] = frozenset()) -> list[tuple[str, str, str]]:
    """Field name, value type and repr (NaN-safe, type-exact); ``fresh`` fields (a factory
    made them: a new id, the current time) only by type."""
    return [
        (
            f.name,
            type(getattr(obj, f.name)).__qualname__,
            "<fresh>" if f.name in fresh else repr(getattr(obj, f.name)),
        )
        for f in attrs.fields(type(obj))
    ]


def _fresh(cls: type, kwargs: dict[str, Any]) -> frozenset[str]:
    """Fields left to a factory, and fields whose default depends on them (updated_at)."""
    left = {
        f.name
        for f in attrs.fields(cls)
        if f.init and (f.alias or f.name) not in kwargs and isinstance(f.default, attrs.Factory)  # type: ignore[arg-type]
    }
    return frozenset(left | ({"updated_at"} if "created_at" in left else set()))


def _outcome(build: Any, fresh: frozenset[str] = frozenset()) -> tuple[Any, ...]:
    try:
        obj = build()
    except ValidationError as exc:
        return ("ValidationError", [(p.path, repr(p.value), p.message) for p in exc.problems])
    except Exception as exc:  # the same exception type and text, whatever it is
        return (type(exc).__name__, str(exc))
    return ("ok", type(obj).__qualname__, _state(obj, fresh))


def _through_attrs(cls: type, kwargs: dict[str, Any]) -> Any:
    obj = object.__new__(cls)
    (attrs_init(cls) or cls.__init__)(obj, **kwargs)  # switch off: attrs' own __init__
    return obj


def _both(cls: type, kwargs: dict[str, Any]) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    fresh = _fresh(cls, kwargs)
    compiled = _outcome(lambda: cls(**copy.deepcopy(kwargs)), fresh)
    original = _outcome(lambda: _through_attrs(cls, copy.deepcopy(kwargs)), fresh)
    return compiled, original


def test_every_compiled_domain_class_is_covered() -> None:
    covered = set(STRATEGIES) | set(EXTRA)
    nested = {"StageChange", "OpportunityContactRole", "AccountContactRole", "OrderLine"}
    nested |= {"Stage", "KPIPeriod"}
    names = {cls.__name__ for cls in _COMPILED if cls.__module__.startswith("crmkit.domain")}
    assert ("Opportunity" in names) == ENABLED
    assert names <= {c.__name__ for c in covered} | nested
    assert all(attrs_init(cls) is not None for cls in _COMPILED)
    assert bool(_COMPILED) == ENABLED  # CRMKIT_COMPILED_VALIDATION=0 compiles nothing


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(compiled_objects(), st.data())
def test_compiled_init_matches_attrs_on_one_edge_value(obj: Any, data: st.DataObject) -> None:
    cls = type(obj)
    kwargs = _kwargs(obj)
    compiled, original = _both(cls, kwargs)
    assert compiled == original
    assert compiled[0] == "ok"  # the strategies only make valid objects
    name = data.draw(st.sampled_from(sorted(kwargs)), label="field")
    # an edge value, or a valid value of the same field from another object, or left out
    mutated = dict(kwargs)
    choice = data.draw(st.integers(0, 9), label="how")
    if choice == 0:
        del mutated[name]
    else:
        mutated[name] = data.draw(st.sampled_from(EDGE_VALUES), label="value")
    compiled, original = _both(cls, mutated)
    assert compiled == original, (cls.__name__, name, mutated.get(name, "<left out>"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(compiled_objects(), st.data())
def test_compiled_setattr_matches_attrs_pipeline(obj: Any, data: st.DataObject) -> None:
    cls = type(obj)
    fields = [f for f in attrs.fields(cls) if f.init]
    field = data.draw(st.sampled_from(fields), label="field")
    value = data.draw(st.sampled_from(EDGE_VALUES), label="value")

    def compiled() -> Any:
        target = copy.copy(obj)
        setattr(target, field.name, copy.deepcopy(value))
        return target

    def original() -> Any:
        # attrs' own rules: frozen classes refuse; define() converts, then validates, then sets
        target = copy.copy(obj)
        if _is_frozen(cls):
            raise attrs.exceptions.FrozenInstanceError()
        new = copy.deepcopy(value)
        if field.converter is not None:
            new = field.converter(new)  # type: ignore[operator]
        if field.validator is not None:
            field.validator(target, field, new)
        object.__setattr__(target, field.name, new)
        return target

    assert _outcome(compiled) == _outcome(original)


def _is_frozen(cls: type) -> bool:
    return any(
        getattr(klass.__dict__.get("__setattr__"), "__name__", "") == "_frozen_setattrs"
        for klass in cls.__mro__
    )


@given(st.sampled_from(EDGE_VALUES))
def test_str_subclasses_and_blank_strings_get_the_validators_verdict(value: Any) -> None:
    @compile_validation
    @attrs.frozen
    class Tag:
        name: str = attrs.field(validator=non_empty)

    compiled, original = _both(Tag, {"name": value})
    assert compiled == original


def test_edge_values_are_rejected_with_the_field_path() -> None:
    created = datetime(2025, 1, 1, tzinfo=UTC)
    base = {"name": "Nordvind AB", "created_at": created}
    for field, value, message in [
        ("name", " ", "must not be empty"),
        ("employees", True, "must be"),
        ("employees", math.nan, "must be of type int, not float"),
        ("employees", -1, "must be zero or more"),
        ("created_at", datetime(2025, 1, 1), "must be timezone-aware"),
    ]:
        compiled, original = _both(Account, {**base, field: value})
        assert compiled == original
        assert compiled[0] == "ValidationError"
        assert compiled[1][0][0] == field
        assert message in compiled[1][0][2]


def test_contact_and_money_agree_on_conversions() -> None:
    # converters run the same way: int amounts become Decimal, aware datetimes become UTC
    compiled, original = _both(Money, {"amount": 5, "currency": "SEK"})
    assert compiled == original
    assert compiled[0] == "ok"
    local = datetime(2025, 1, 1, 12, tzinfo=timezone(timedelta(hours=2)))
    compiled, original = _both(
        Contact, {"first_name": "Anna", "last_name": "Lind", "created_at": local}
    )
    assert compiled == original
    assert compiled[0] == "ok"
    assert ("created_at", "datetime", repr(datetime(2025, 1, 1, 10, tzinfo=UTC))) in compiled[2]


@pytest.mark.parametrize("cls", DOMAIN_CLASSES, ids=str)
def test_compiled_signature_is_attrs_signature(cls: type) -> None:
    original = attrs_init(cls)
    assert (original is not None) == (ENABLED and cls in _COMPILED)
    assert inspect.signature(cls.__init__) == inspect.signature(original or cls.__init__)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(compiled_objects())
def test_compiled_init_matches_attrs_on_every_field_at_the_storage_limits(obj: Any) -> None:
    """Every field of the object, every value at or past a storage limit: one verdict."""
    cls = type(obj)
    kwargs = _kwargs(obj)
    for name in kwargs:
        for value in LIMIT_VALUES:
            compiled, original = _both(cls, {**kwargs, name: value})
            assert compiled == original, (cls.__name__, name, value)


@pytest.mark.slow  # this file and tests/serde again, in a subprocess
def test_the_switch_turns_compiled_validation_off() -> None:
    """``CRMKIT_COMPILED_VALIDATION=0``: attrs' own code everywhere, the same verdicts."""
    if not ENABLED:  # the subprocess below: nothing compiled, nothing built past __init__
        from crmkit.domain.validators import construction_code

        assert not _COMPILED
        assert attrs_init(Money) is None
        assert construction_code(Money, ["a", "c"], "m", {}, "_p") is None
        assert plain_maker(RFMRow) is RFMRow
        with pytest.raises(ValidationError):
            Money("5", "sek")
        return
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "CRMKIT_COMPILED_VALIDATION": "0"}
    # the property tests "compiled matches attrs" compare attrs' own code with itself when
    # nothing is compiled (_through_attrs falls back to cls.__init__), so they are left out
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "-x"]
    command += ["-k", "not matches_attrs"]
    tests = ["tests/domain/test_compiled_validation.py", "tests/serde"]
    run = subprocess.run(
        [*command, *tests], cwd=root, env=env, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout
    assert " failed" not in run.stdout
    assert " 3 deselected" in run.stdout  # only the three self-comparisons


def test_a_class_level_on_setattr_other_than_attrs_default_keeps_its_hooks() -> None:
    """Only attrs' default convert-then-validate pipeline is compiled; others stay attrs'."""

    @compile_validation
    @attrs.define(on_setattr=attrs.setters.validate)
    class Tag:
        name: str = attrs.field(converter=str.strip, validator=non_empty)

    tag = Tag(" vip ")
    assert tag.name == "vip"  # __init__ converts
    tag.name = " x "  # validate only: no conversion on assignment
    assert tag.name == " x "
    with pytest.raises(ValidationError) as info:
        tag.name = " "
    assert info.value.paths == ["name"]


def test_plain_maker_builds_what_the_class_builds_and_leaves_checked_classes_alone() -> None:
    """A result row (nothing to check) gets a maker whose objects equal, hash and refuse
    assignment as the class's own; a class with a validator, a converter or
    ``__attrs_post_init__`` gets the class itself (its checks must run)."""
    make = plain_maker(RFMRow)
    if ENABLED:
        assert make is not RFMRow
    row = make("acme", 3, 2, 99.5, 5, 4, 3, None)
    same = RFMRow("acme", 3, 2, 99.5, 5, 4, 3, None)
    assert type(row) is RFMRow
    assert row == same
    assert hash(row) == hash(same)
    assert repr(row) == repr(same)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        row.r_score = 1  # type: ignore[misc]
    assert plain_maker(Money) is Money  # (validators and a converter)
    assert plain_maker(Account) is Account  # (__attrs_post_init__)
