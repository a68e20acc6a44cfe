"""to_json's generated writers write exactly the standard library's text for to_dict's data
(or leave the object to the standard path, which then decides)."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit.domain import Account, Money, Opportunity, OpportunityContactRole, StageChange
from crmkit.errors import ValidationError
from crmkit.serde import from_json, to_dict, to_json
from crmkit.serde.converter import _json_writer
from crmkit.testing.strategies import STRATEGIES, hostile_entities, hostile_json, hostile_values

CLASSES = sorted(STRATEGIES, key=lambda c: c.__name__)
objects = st.sampled_from(CLASSES).flatmap(lambda cls: STRATEGIES[cls])


def _outcome(write: Any, obj: Any) -> tuple[Any, ...]:
    try:
        return ("text", write(obj))
    except Exception as exc:  # compared, not hidden: both writers must fail alike
        return ("error", type(exc), str(exc))


def _standard(obj: Any) -> str:
    """to_json as it was written before orjson: the standard library's text."""
    data = to_dict(obj)
    try:
        return json.dumps(data, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError, RecursionError) as exc:
        raise ValidationError.single("json", message=f"cannot be written ({exc})") from None


def _same_as_standard(obj: Any) -> None:
    assert _outcome(to_json, obj) == _outcome(_standard, obj)


def _opportunity(probability: float = 0.29, at: datetime | None = None) -> Opportunity:
    t0 = at or datetime(2025, 1, 1, tzinfo=UTC)
    return Opportunity(
        name='Fleet "renewal", phase 2: north\n',
        account_id="account-1",
        amount=Money("250000.00", "SEK"),
        close_date=date(2025, 6, 30),
        pipeline_id="default",
        stage_key="proposal",
        stage_probability=probability,
        stage_history=[
            StageChange(None, "a", t0, probability),
            StageChange("a", "b", t0 + timedelta(days=1, microseconds=7), 0.5, Money("5", "EUR")),
        ],
        contact_roles=[OpportunityContactRole(contact_id="c-1", role="champion")],
        created_at=t0,
        custom={"score": 0.25, "tier": "gold", "vip": True, "seats": 12, "none": None},
        remote_data={"nested": {"list": [1, 2.5, "x"]}, "tiny": 1e-05},
    )


def test_the_fast_writer_writes_the_standard_text() -> None:
    opp = _opportunity()
    write = _json_writer(Opportunity)
    assert write is not None
    assert write(opp) == _standard(opp)  # the fast path itself, not its fallback
    assert from_json(Opportunity, to_json(opp)) == opp
    assert to_json(opp, indent=2) == json.dumps(to_dict(opp), ensure_ascii=False, indent=2)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(objects)
def test_every_domain_object_is_written_as_the_standard_library_writes_it(obj: Any) -> None:
    _same_as_standard(obj)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(hostile_entities())
def test_hostile_entities_are_written_or_refused_alike(drawn: tuple[type, dict[str, Any]]) -> None:
    cls, kwargs = drawn
    try:
        entity = cls(**kwargs)
    except ValidationError:
        return
    _same_as_standard(entity)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["custom", "remote_data", "name", "stage_probability"]), hostile_values())
def test_values_set_around_validation_are_written_or_refused_alike(field: str, value: Any) -> None:
    """A value put in place without validation (a bag changed in place, validators disabled)
    is written exactly as the standard library writes it, or refused with its error."""
    opp = _opportunity()
    if field in {"custom", "remote_data"}:
        getattr(opp, field)["key"] = value
    else:
        object.__setattr__(opp, field, value)
    _same_as_standard(opp)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_json())
def test_remote_data_of_any_shape_is_written_alike(value: Any) -> None:
    opp = _opportunity()
    opp.remote_data["data"] = value
    _same_as_standard(opp)


@given(st.floats(min_value=0.0, max_value=1.0))
def test_probabilities_of_every_size_are_written_alike(probability: float) -> None:
    _same_as_standard(_opportunity(probability))


@given(
    st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
    )
)
def test_utc_datetimes_of_every_year_are_written_alike(at: datetime) -> None:
    _same_as_standard(_opportunity(at=at))


@given(st.text(st.characters(exclude_categories=()), max_size=20))
def test_any_text_is_written_alike(text: str) -> None:
    opp = _opportunity()
    opp.custom["text"] = text
    object.__setattr__(opp, "next_step", text)
    _same_as_standard(opp)


@pytest.mark.parametrize(
    "value",
    [math.nan, math.inf, 1e-5, 1e16, 2**64, 2**70, -(2**63) - 1, "\ud800", datetime(2025, 1, 1)],
)
def test_values_the_writer_leaves_to_the_standard_path_are_written_alike(value: Any) -> None:
    opp = _opportunity()
    opp.custom["odd"] = value
    _same_as_standard(opp)


def test_non_utc_datetimes_and_subclasses_are_written_alike() -> None:
    opp = _opportunity()
    object.__setattr__(
        opp, "created_at", datetime(2025, 1, 1, 2, tzinfo=timezone(timedelta(hours=2)))
    )
    object.__setattr__(opp, "closed_at", datetime(2025, 1, 1))
    object.__setattr__(opp, "is_won", 1)
    _same_as_standard(opp)


@attrs.frozen
class Node:
    name: str
    children: list[Node] = attrs.field(factory=list)


def test_recursive_classes_are_written_alike() -> None:
    tree = Node("a", [Node("b", [Node("c", [Node("d", [Node("e", [Node("f")])])])])])
    _same_as_standard(tree)
    _same_as_standard(Account("Acme"))
