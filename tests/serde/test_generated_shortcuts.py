"""The shortcuts of crmkit.serde's generated structure functions (the root's fields fetched by
one ``itemgetter`` call, validator calls skipped for values they provably accept) build the same
objects and refuse the same payloads as the generated code without them, and ``from_dict``
names the same problems for every payload either way."""

from __future__ import annotations

import functools
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit.domain import Account
from crmkit.domain.validators import compile_validation
from crmkit.errors import ValidationError
from crmkit.serde import from_dict, to_dict
from crmkit.serde.converter import _accepts, _Codegen, _compile, converter
from tests.serde.payloads import leaves, mutate
from tests.serde.test_generated import CLASSES, EDGE_VALUES, _agree, objects


class _Previous(_Codegen):
    shortcuts = False


@functools.cache
def _previous(cls: type) -> Any:
    """``cls``'s structure function as generated before the shortcuts."""
    gen = _Previous(cls)
    gen.lines += ["def structure(data, _=None):", "    _trusted = not _disabled()"]
    gen.structure_attrs(cls, "data", "result", "    ")
    gen.lines.append("    return result")
    return _compile("\n".join(gen.lines) + "\n", gen.globs, "structure", cls)


def _outcome(function: Any, cls: type, payload: Any) -> tuple[str, Any]:
    try:
        return "built", function(payload, cls)
    except Exception:  # refused: from_dict then diagnoses the payload
        return "refused", None


def _same(cls: type, payload: Any, fresh: frozenset[str] = frozenset()) -> None:
    """Both functions build equal objects from ``payload`` or both refuse it; ``fresh`` names
    fields whose defaults differ per call (a new id, the current time) when left out."""
    new = _outcome(converter.get_structure_hook(cls), cls, payload)
    old = _outcome(_previous(cls), cls, payload)
    assert new[0] == old[0]
    if new[0] == "built":
        assert type(new[1]) is type(old[1])
        new_data, old_data = to_dict(new[1]), to_dict(old[1])
        if fresh:
            for key in fresh:
                new_data.pop(key, None)
                old_data.pop(key, None)
        else:
            assert new[1] == old[1]
        assert new_data == old_data
    _agree(cls, payload)  # and from_dict's result or named problems are the diagnosed ones


def test_the_previous_code_has_no_shortcuts() -> None:
    gen = _Previous(Account)
    gen.lines += ["def structure(data, _=None):", "    _trusted = not _disabled()"]
    gen.structure_attrs(Account, "data", "result", "    ")
    source = "\n".join(gen.lines)
    assert "except KeyError" not in source
    assert "if not (" not in source


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(objects)
def test_valid_payloads_build_the_same_objects(obj: Any) -> None:
    _same(type(obj), to_dict(obj))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(objects, st.data())
def test_damaged_payloads_are_refused_alike(obj: Any, data: st.DataObject) -> None:
    payload = to_dict(obj)
    path = data.draw(st.sampled_from(leaves(payload)), label="path")
    how = data.draw(st.sampled_from(["replace", "replace", "delete", "extra"]), label="how")
    value = data.draw(st.sampled_from(EDGE_VALUES), label="value")
    fresh: frozenset[str] = frozenset()
    if how == "delete" and path and isinstance(payload, dict):
        # a left-out field takes its default: a new id or the current time may differ
        fresh = frozenset({str(path[0]), "id", "created_at", "updated_at"})
    _same(type(obj), mutate(payload, path, how, value), fresh)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_every_field_left_out_or_added_alone(cls: type) -> None:
    """The itemgetter path when every key is there, the per-key path when one is missing or an
    unknown one replaces it (same length), for every class with a strategy."""
    from crmkit.testing.strategies import STRATEGIES

    payload = to_dict(STRATEGIES[cls].example())
    if not isinstance(payload, dict):
        return
    _same(cls, payload)
    for key in list(payload):
        left_out = {k: v for k, v in payload.items() if k != key}
        fresh = frozenset({key, "id", "created_at", "updated_at"})
        _same(cls, left_out, fresh)
        _same(cls, {**left_out, "unexpected": payload[key]}, fresh)


def test_empty_lists_and_none_skip_the_validator_calls_they_pass() -> None:
    account = Account("Acme", custom={"vip": True})
    built = from_dict(Account, to_dict(account))
    assert built == account
    # a non-empty list still runs its validator: two primary contacts are refused
    payload = to_dict(account) | {
        "contact_roles": [
            {"contact_id": "c1", "role": "", "is_primary": True},
            {"contact_id": "c2", "role": "", "is_primary": True},
        ]
    }
    with pytest.raises(ValidationError, match="at most one primary contact"):
        from_dict(Account, payload)
    # None skips the optional validator; a value still runs it
    assert from_dict(Account, to_dict(account) | {"employees": None}).employees is None
    with pytest.raises(ValidationError, match="employees"):
        from_dict(Account, to_dict(account) | {"employees": -1})


def _field(validator: Any) -> attrs.Attribute[Any]:
    @attrs.define
    class Holder:
        value: Any = attrs.field(validator=validator)

    return attrs.fields(Holder).value


def test_accepts_only_what_the_validator_passes_without_the_entity() -> None:
    def any_list(_: Any, __: Any, value: Any) -> None:
        if not isinstance(value, list):
            raise ValueError("a list")

    def not_empty(_: Any, __: Any, value: Any) -> None:
        if not value:
            raise ValueError("empty")

    def reads_the_entity(instance: Any, _: Any, value: Any) -> None:
        if instance.other and not value:
            raise ValueError("needs the entity")

    def fills_it(_: Any, __: Any, value: Any) -> None:
        if isinstance(value, list):
            value.append(1)

    assert _accepts(any_list, _field(any_list), True)
    assert not _accepts(any_list, _field(any_list), False)
    assert not _accepts(not_empty, _field(not_empty), True)
    assert not _accepts(not_empty, _field(not_empty), False)
    assert not _accepts(reads_the_entity, _field(reads_the_entity), True)
    assert not _accepts(fills_it, _field(fills_it), True)
    deep = attrs.validators.deep_iterable(attrs.validators.instance_of(int))
    assert _accepts(deep, _field(deep), True)
    optional = attrs.validators.optional(attrs.validators.instance_of(int))
    assert _accepts(optional, _field(optional), False)


@compile_validation
@attrs.frozen
class _Audited:
    """A user's compiled class whose validator has an effect: it records the values it sees."""

    name: str
    tags: list[str] = attrs.field(
        factory=list, validator=lambda _, __, value: _SEEN.append(list(value))
    )


_SEEN: list[list[str]] = []


def test_a_user_class_runs_its_validators_on_every_entity() -> None:
    expected = _Audited("a")
    _SEEN.clear()
    for _ in range(3):
        assert from_dict(_Audited, {"name": "a", "tags": []}) == expected
    assert _SEEN == [[], [], []]
