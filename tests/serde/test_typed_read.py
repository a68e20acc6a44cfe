"""from_json's typed path (msgspec, crmkit.serde._typed) gives exactly what the strict path
gives: the same object for every text the strict path accepts, the same error for every text
it refuses."""

from __future__ import annotations

import importlib
import json
import sys
from datetime import UTC, date, datetime
from typing import Any

import attrs
import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit.domain import Money, Opportunity, StageChange
from crmkit.errors import ValidationError
from crmkit.serde import from_dict, from_json, read_json, to_dict, to_json
from crmkit.serde._typed import _msgspec, typed_reader
from crmkit.serde.converter import _MISSING
from crmkit.testing.strategies import STRATEGIES, hostile_json, hostile_text
from tests.serde.payloads import leaves, mutate

from .test_generated import EDGE_VALUES, _rebuilt_by_constructor

converter_module = importlib.import_module("crmkit.serde.converter")  # the module, not the object
CLASSES = sorted(STRATEGIES, key=lambda c: c.__name__)
objects = st.sampled_from(CLASSES).flatmap(lambda cls: STRATEGIES[cls])


def _strict(cls: type, text: str | bytes) -> Any:
    """from_json as it read every text before the typed path (the reference)."""
    return from_dict(cls, read_json(text))


def _outcome(read: Any, cls: type, text: str | bytes) -> tuple[Any, ...]:
    try:
        obj = read(cls, text)
    except ValidationError as exc:
        return ("error", [(p.path, repr(p.value), p.message) for p in exc.problems])
    # repr tells 1 from 1.0 and True, and names the classes; the object is also compared
    return ("object", type(obj), repr(obj), obj)


def _same(cls: type, text: str | bytes) -> tuple[Any, ...]:
    expected = _outcome(_strict, cls, text)
    assert _outcome(from_json, cls, text) == expected
    return expected


def _styles(data: Any) -> list[str]:
    """``data`` as JSON text in the styles crmkit and others write."""
    return [
        json.dumps(data, ensure_ascii=False),
        json.dumps(data, ensure_ascii=True),
        json.dumps(data, separators=(",", ":")),
        json.dumps(data, indent=2),
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(objects)
def test_typed_path_reads_every_valid_object_as_the_strict_path(obj: Any) -> None:
    cls = type(obj)
    read = typed_reader(cls)
    for text in [to_json(obj), *_styles(to_dict(obj))]:
        for item in (text, text.encode("utf-8", "surrogatepass")):
            expected = _same(cls, item)
            assert expected[3] == obj
            if read is not None:  # the typed path itself read it (no fallback)
                built = read(item)
                assert built is not _MISSING
                assert built == obj
                assert repr(built) == expected[2]
                _rebuilt_by_constructor(built)


def test_every_domain_class_with_a_strategy_has_a_typed_reader() -> None:
    missing = [cls.__name__ for cls in CLASSES if typed_reader(cls) is None]
    assert missing == ["Money"]  # not generated: the converter's Money hook reads it


def _json_value(value: Any) -> bool:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return False
    return True


_HOSTILE = st.one_of(
    st.sampled_from([v for v in EDGE_VALUES if _json_value(v)]),
    hostile_json().filter(_json_value),
    hostile_text(12),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(objects, st.data())
def test_typed_path_agrees_with_the_strict_path_on_mutated_payloads(
    obj: Any, data: st.DataObject
) -> None:
    payload = to_dict(obj)
    path = data.draw(st.sampled_from(leaves(payload)), label="path")
    how = data.draw(st.sampled_from(["replace", "replace", "replace", "extra"]))
    value = data.draw(_HOSTILE, label="value")
    text = json.dumps(mutate(payload, path, how, value), ensure_ascii=False)
    _same(type(obj), text)
    _same(type(obj), text.encode("utf-8", "surrogatepass"))


def _opportunity() -> Opportunity:
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    return Opportunity(
        name="Deal: north, phase 2",
        account_id="acc-1",
        amount=Money("10", "SEK"),
        close_date=date(2025, 6, 30),
        pipeline_id="default",
        stage_key="proposal",
        stage_probability=0.5,
        stage_history=[StageChange(None, "a", t0, 0.1), StageChange("a", "b", t0, 0.2)],
        created_at=t0,
        custom={"tier": 1, "note": "a:b"},
        remote_data={"x": [1, {"y": None}]},
    )


def _replaced(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


OPP = _opportunity()
BASE = to_json(OPP)
HOSTILE_TEXTS = [
    # repeated keys: at the root, in a nested object, in a custom bag, in untyped data
    _replaced(BASE, '"name": ', '"name": "Other", "name": '),
    _replaced(BASE, '"to_stage": "a"', '"to_stage": "a", "to_stage": "a"'),
    _replaced(BASE, '"tier": 1', '"tier": 1, "tier": 2'),
    _replaced(BASE, '"y": null', '"y": null, "y": 1'),
    # a repeated key beside a ':' written as an escape
    _replaced(BASE, '"name": ', '"next_step": "\\u003a", "name": "x", "name": '),
    # not strict JSON
    _replaced(BASE, '"tier": 1', '"tier": NaN'),
    _replaced(BASE, '"tier": 1', '"tier": Infinity'),
    _replaced(BASE, '"tier": 1', '"tier": 1e400'),
    _replaced(BASE, '"tier": 1', '"tier": 1e-400'),
    _replaced(BASE, '"tier": 1', '"tier": 123456789012345678901234567890'),
    _replaced(BASE, '"version": 0', '"version": 123456789012345678901234567890'),
    _replaced(BASE, '"version": 0', '"version": 1.0'),
    _replaced(BASE, '"version": 0', '"version": true'),
    _replaced(BASE, '"stage_probability": 0.5', '"stage_probability": 1'),
    _replaced(BASE, '"stage_probability": 0.5', '"stage_probability": 1' + "0" * 400),
    _replaced(BASE, '"stage_probability": 0.5', '"stage_probability": "0.5"'),
    _replaced(BASE, '"tier": 1', '"tier": [1]'),
    _replaced(BASE, '"x": [1', '"x": [' + "[" * 300 + "]" * 300),
    _replaced(BASE, '"x": [1', '"x": [' + "[" * 40 + "]" * 40),
    # strings
    _replaced(BASE, '"a:b"', '"\\ud800"'),
    _replaced(BASE, '"a:b"', '"\\ud83d\\ude00 \\u00e9 \\/"'),
    _replaced(BASE, '"a:b"', '"\x01"'),
    _replaced(BASE, '"name": "Deal', '"name": "\\u0000Deal'),
    # domain rules
    _replaced(BASE, '"SEK"', '"SEKK"'),
    _replaced(BASE, '"amount": "10"', '"amount": 10'),
    _replaced(BASE, '"amount": "10"', '"amount": 10.5'),
    _replaced(BASE, '"amount": "10"', '"amount": "1_000"'),
    _replaced(BASE, '"amount": "10"', '"amount": "NaN"'),
    _replaced(BASE, '"2025-01-01T00:00:00+00:00"', '"2025-01-01T00:00:00"'),
    _replaced(BASE, '"2025-01-01T00:00:00+00:00"', '"2025-01-01T00:00:00Z"'),
    _replaced(BASE, '"2025-01-01T00:00:00+00:00"', '"2025-01-01T02:00:00+02:00"'),
    _replaced(BASE, '"2025-01-01T00:00:00+00:00"', '"2025-01-01t00:00:00.1234567+00:00"'),
    _replaced(BASE, '"2025-06-30"', '"2025-06-31"'),
    _replaced(BASE, '"name": "Deal', '"nmae": "Deal'),
    _replaced(BASE, '"name": "Deal: north, phase 2", ', ""),
    _replaced(BASE, '"to_stage": "b"', '"to_stage": " "'),
    # not JSON at all
    BASE[:-1],
    BASE + " x",
    "\ufeff" + BASE,
    "",
    "[]",
    "null",
]


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_typed_path_agrees_with_the_strict_path_on_hostile_texts(text: str) -> None:
    _same(Opportunity, text)
    _same(Opportunity, text.encode("utf-8", "surrogatepass"))


def test_a_repeated_key_is_refused_as_before() -> None:
    with pytest.raises(ValidationError, match="the key 'name' appears twice in one object"):
        from_json(Opportunity, HOSTILE_TEXTS[0])


def test_bytes_that_are_not_utf8_and_other_inputs_take_the_strict_path() -> None:
    for text in [BASE.encode()[:-2] + b"\xff}", b"\xed\xa0\x80" + BASE.encode()]:
        _same(Opportunity, text)
    for text in [memoryview(BASE.encode()), 5]:
        with pytest.raises(ValidationError, match="must be text or bytes"):
            from_json(Opportunity, text)  # type: ignore[arg-type]
    assert from_json(Opportunity, bytearray(BASE.encode())) == OPP


def test_the_typed_path_is_in_use() -> None:  # the dev install holds msgspec
    read = typed_reader(Opportunity)
    assert read is not None
    assert read(BASE) == OPP
    assert read(HOSTILE_TEXTS[0]) is _MISSING  # a repeated key: the strict path decides


def test_disabled_validators_build_as_from_dict_does() -> None:
    text = _replaced(BASE, '"stage_probability": 0.5', '"stage_probability": 0.7')
    with attrs.validators.disabled():
        assert from_json(Opportunity, text) == _strict(Opportunity, text)


def test_a_structure_hook_registered_later_is_used_as_from_dict_uses_it() -> None:
    @attrs.define
    class Tag:
        name: str

    assert from_json(Tag, '{"name": "vip"}') == Tag("vip")
    converter_module.converter.register_structure_hook(Tag, lambda data, _: Tag("hooked"))
    assert from_json(Tag, '{"name": "vip"}') == Tag("hooked")


def test_without_msgspec_from_json_reads_through_the_strict_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "msgspec", None)  # import msgspec raises ImportError
    monkeypatch.setattr(converter_module, "_TYPED", {})
    _msgspec.cache_clear()
    typed_reader.cache_clear()
    try:
        assert typed_reader(Opportunity) is None
        assert from_json(Opportunity, BASE) == OPP
        for text in HOSTILE_TEXTS[:3]:
            with pytest.raises(ValidationError):
                from_json(Opportunity, text)
    finally:
        _msgspec.cache_clear()
        typed_reader.cache_clear()
    assert msgspec is not None


@attrs.define
class _Leaf:
    n: int
    at: datetime | None = None


@attrs.define
class _Level3:
    leaf: _Leaf


@attrs.define
class _Level2:
    level3: _Level3
    leaf: _Leaf


@attrs.define
class _Level1:
    level2: _Level2
    leaf: _Leaf


@attrs.define
class _Root:
    level1: _Level1
    leaf: _Leaf
    nodes: list[_Node] = attrs.Factory(list)


@attrs.define
class _Node:
    name: str
    children: list[_Node] = attrs.Factory(list)


def test_classes_nested_deeper_than_inlining_and_recursive_classes_are_read_typed() -> None:
    leaf = {"n": 1, "at": "2025-01-01T00:00:00+00:00"}
    data = {
        "level1": {"level2": {"level3": {"leaf": leaf}, "leaf": leaf}, "leaf": leaf},
        "leaf": {"n": 2},
        "nodes": [{"name": "a", "children": [{"name": "b", "children": []}]}],
    }
    text = json.dumps(data)
    read = typed_reader(_Root)
    assert read is not None
    built = read(text)
    assert built is not _MISSING  # the typed path read it
    assert built == from_dict(_Root, data)
    assert built.level1.level2.level3.leaf.at == datetime(2025, 1, 1, tzinfo=UTC)
    for bad in ['"n": 1', '"name": "b"']:
        _same(_Root, text.replace(bad, bad.replace(":", ": [") + "]", 1))
