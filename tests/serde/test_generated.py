"""crmkit.serde's generated functions: objects built without ``__init__`` are exactly what the
constructor builds, and from_dict accepts a payload exactly when the diagnostic path finds no
problem (which then names every problem)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit.domain import Money, Opportunity, StageChange
from crmkit.domain._compiled import _COMPILED, _SHADOWS, ENABLED, attrs_init
from crmkit.errors import ValidationError
from crmkit.serde import from_dict, to_dict
from crmkit.serde.converter import _datetime_text, _diagnose, _root_name
from crmkit.testing.strategies import STRATEGIES
from tests.serde.payloads import leaves, mutate

CLASSES = sorted(STRATEGIES, key=lambda c: c.__name__)
objects = st.sampled_from(CLASSES).flatmap(lambda cls: STRATEGIES[cls])

EDGE_VALUES: list[Any] = [
    None,
    "",
    " ",
    "x",
    "SEK",
    "SEKK",
    "2025-01-01",
    "2025-01-01T00:00:00",
    "2025-01-01T00:00:00+00:00",
    "2025-01-01T12:00:00+02:00",
    "2025-01-01T00:00:00Z",
    "2025-13-01",
    "not a date",
    "12.50",
    "1e400",
    "NaN",
    0,
    -1,
    1,
    2**70,
    True,
    False,
    0.0,
    0.5,
    1.0,
    1.5,
    -0.5,
    math.nan,
    math.inf,
    [],
    ["x"],
    [None],
    [{}],
    {},
    {"k": "v"},
    {"bad key": 1},
    {"amount": "1", "currency": "SEK"},
    {"amount": 1.5, "currency": "SEK"},
    {"amount": "x", "currency": "SEK"},
    {"amount": "1", "currency": "SEKK"},
    {"amount": "1", "currency": "SEK", "rate": 1},
]


def _walk(value: Any) -> list[Any]:
    """Every attrs object inside ``value`` (itself included)."""
    found = []
    if attrs.has(type(value)):
        found.append(value)
        for field in attrs.fields(type(value)):
            found += _walk(getattr(value, field.name))
    elif isinstance(value, list | tuple):
        for item in value:
            found += _walk(item)
    elif isinstance(value, dict):
        for item in value.values():
            found += _walk(item)
    return found


def _rebuilt_by_constructor(obj: Any) -> None:
    """Every object inside ``obj`` is what attrs' own ``__init__`` (original validators) makes
    of its field values; none is left with a helper class."""
    shadows = set(_SHADOWS.values())
    for item in _walk(obj):
        cls = type(item)
        assert cls not in shadows
        kwargs = {(f.alias or f.name): getattr(item, f.name) for f in attrs.fields(cls) if f.init}
        init = attrs_init(cls)
        if init is None:
            rebuilt = cls(**kwargs)
        else:
            rebuilt = object.__new__(cls)
            init(rebuilt, **kwargs)
        assert rebuilt == item
        assert [type(getattr(rebuilt, f.name)) for f in attrs.fields(cls)] == [
            type(getattr(item, f.name)) for f in attrs.fields(cls)
        ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(objects)
def test_from_dict_builds_what_the_constructor_builds(obj: Any) -> None:
    data = to_dict(obj)
    built = from_dict(type(obj), data)
    assert built == obj
    assert type(built) is type(obj)
    _rebuilt_by_constructor(built)
    assert to_dict(built) == data


def _texts(problems: Any) -> list[tuple[str, str, str]]:
    return [(p.path, repr(p.value), p.message) for p in problems]


def _agree(cls: type, payload: Any) -> None:
    root = _root_name(cls)
    problems = _diagnose(payload, cls, root)
    if problems:  # refused, with exactly the diagnosed problems
        with pytest.raises(ValidationError) as info:
            from_dict(cls, payload)
        assert _texts(info.value.problems) == _texts(problems)
        assert all(p.message != "could not be read" for p in info.value.problems)
        return
    _rebuilt_by_constructor(from_dict(cls, payload))  # accepted: what the constructor accepts


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(objects, st.data())
def test_from_dict_and_diagnosis_agree_on_mutated_payloads(obj: Any, data: st.DataObject) -> None:
    payload = to_dict(obj)
    path = data.draw(st.sampled_from(leaves(payload)), label="path")
    how = data.draw(st.sampled_from(["replace", "replace", "replace", "delete", "extra"]))
    value = data.draw(st.sampled_from(EDGE_VALUES), label="value")
    _agree(type(obj), mutate(payload, path, how, value))


def _history_payload() -> dict[str, Any]:
    opp = Opportunity(
        "Deal",
        "acc-1",
        Money("10", "SEK"),
        date(2025, 1, 1),
        "default",
        "proposal",
        0.5,
        stage_history=[
            StageChange(None, "a", datetime(2025, 1, 1, tzinfo=UTC), 0.1),
            StageChange("a", "b", datetime(2025, 1, 2, tzinfo=UTC), 0.2, Money("5", "SEK")),
        ],
        created_at=datetime(2025, 1, 1, tzinfo=UTC),
    )
    payload: dict[str, Any] = to_dict(opp)
    return payload


@pytest.mark.parametrize(
    ("where", "value", "path", "message"),
    [
        ((0, "to_stage"), " ", "opportunity.stage_history[0].to_stage", "must not be empty"),
        ((1, "probability"), 1.5, "opportunity.stage_history[1].probability", "between 0 and 1"),
        ((1, "probability"), math.nan, "opportunity.stage_history[1].probability", "between"),
        ((0, "at"), "2025-01-01T00:00:00", "opportunity.stage_history[0].at", "timezone-aware"),
        (
            (1, "amount"),
            {"amount": "1", "currency": "SEKK"},
            "opportunity.stage_history[1].amount.currency",
            "ISO 4217",
        ),
        ((1, "at"), "2024-12-31T00:00:00+00:00", "opportunity.stage_history[1].at", "before"),
    ],
)
def test_nested_inline_errors_keep_their_paths(
    where: tuple[int, str], value: Any, path: str, message: str
) -> None:
    payload = _history_payload()
    payload["stage_history"][where[0]][where[1]] = value
    with pytest.raises(ValidationError) as info:
        from_dict(Opportunity, payload)
    assert info.value.paths == [path]
    assert message in str(info.value)


def test_non_utc_offsets_are_converted_like_the_constructor_does() -> None:
    payload = _history_payload()
    payload["stage_history"][1]["at"] = "2025-01-02T02:00:00+02:00"
    opp = from_dict(Opportunity, payload)
    assert opp.stage_history[1].at == datetime(2025, 1, 2, tzinfo=UTC)
    assert opp.stage_history[1].at.tzinfo is UTC
    _rebuilt_by_constructor(opp)


def test_int_probability_and_left_out_defaults_take_the_constructor_path() -> None:
    payload = _history_payload()
    payload["stage_history"][0]["probability"] = 0
    del payload["updated_at"]  # a takes_self default: __init__ fills it
    del payload["stage_history"][1]["amount"]
    opp = from_dict(Opportunity, payload)
    assert opp.stage_history[0].probability == 0.0
    assert type(opp.stage_history[0].probability) is float
    assert opp.updated_at == opp.created_at
    assert opp.stage_history[1].amount is None
    _rebuilt_by_constructor(opp)


def test_unknown_key_with_a_left_out_field_is_still_refused() -> None:
    payload = _history_payload()
    del payload["next_step"]
    payload["nextstep"] = "call"
    with pytest.raises(ValidationError) as info:
        from_dict(Opportunity, payload)
    assert info.value.paths == ["opportunity.nextstep"]


def test_disabled_validators_build_through_the_class() -> None:
    payload = _history_payload()
    payload["name"] = " "
    with attrs.validators.disabled():
        opp = from_dict(Opportunity, payload)
    assert opp.name == " "  # as Opportunity(" ", ...) gives with validators disabled
    with pytest.raises(ValidationError):
        from_dict(Opportunity, payload)


def test_every_compiled_class_with_a_strategy_round_trips() -> None:
    compiled = {cls for cls in STRATEGIES if cls in _COMPILED}
    assert (Opportunity in compiled) == ENABLED  # CRMKIT_COMPILED_VALIDATION=0: none is
    assert (Money in compiled) == ENABLED


aware = st.datetimes(
    min_value=datetime(1, 1, 1, 0, 0), max_value=datetime(9999, 12, 30)
) | st.datetimes(
    min_value=datetime(2, 1, 1),
    max_value=datetime(9998, 12, 31),
    timezones=st.sampled_from(
        [UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30))]
    ),
)


@given(aware)
def test_datetime_text_is_isoformat(value: datetime) -> None:
    assert _datetime_text(value) == value.isoformat()
    assert to_dict(value) == value.isoformat()


@given(
    st.datetimes(
        min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31), timezones=st.just(UTC)
    )
)
def test_generated_unstructure_writes_isoformat(value: datetime) -> None:
    change = StageChange(None, "a", value, 0.5)
    assert to_dict(change)["at"] == value.isoformat()
    assert from_dict(StageChange, to_dict(change)) == change


@attrs.frozen
class Node:
    """A recursive class: generated code refers to its own function at run time."""

    name: str
    children: list[Node] = attrs.field(factory=list)
    parent_hint: Node | None = None


def test_recursive_classes_round_trip_and_name_nested_problems() -> None:
    tree = Node("a", [Node("b", [Node("c")]), Node("d", parent_hint=Node("x"))])
    data = to_dict(tree)
    assert data["children"][0]["children"][0] == {"name": "c", "children": [], "parent_hint": None}
    assert from_dict(Node, data) == tree
    data["children"][0]["children"][0]["name"] = 5
    with pytest.raises(ValidationError) as info:
        from_dict(Node, data)
    assert info.value.paths == ["node.children[0].children[0].name"]
