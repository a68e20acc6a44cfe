"""The inline check of ``custom`` bags (``properties._plain_bag``) only passes bags that the
``custom_values`` validator accepts; the validator refuses exactly what it refused before."""

from __future__ import annotations

import math
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmkit.domain import Account
from crmkit.domain.properties import _plain_bag, custom_values
from crmkit.errors import ValidationError

keys = st.text(alphabet=st.sampled_from("aZ_9é \n-\x00"), max_size=4) | st.sampled_from(
    ["a" * 128, "a" * 129, "_", "9a", "a\n", 1, None, True]
)
values = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**64), max_value=2**64)
    | st.sampled_from([2**63 - 1, -(2**63) + 1, 2**63, -(2**63)])
    | st.floats()
    | st.text(alphabet=st.sampled_from("a\x00\ud800é "), max_size=4)
    | st.sampled_from(["x" * 100_000, "x" * 100_001, [1], {"a": 1}, b"x", 1j])
)
FIELD = attrs.fields(Account).custom


def _accepted(bag: dict[Any, Any]) -> bool:
    try:
        custom_values(None, FIELD, bag)
    except ValidationError:
        return False
    return True


@given(st.dictionaries(keys, values, max_size=4))
def test_the_inline_check_passes_only_what_the_validator_accepts(bag: dict[Any, Any]) -> None:
    if _plain_bag(bag):
        assert _accepted(bag)


def test_the_inline_check_passes_ordinary_bags() -> None:
    bag = {"fiscal_month": 7, "vip": True, "score": 0.5, "note": "Åsa", "none": None}
    assert _plain_bag(bag)
    assert _accepted(bag)
    assert Account("A", custom=bag).custom == bag


def test_bad_bags_are_still_refused_with_the_field_named() -> None:
    for bag, path in [
        ({"score": math.nan}, "custom.score"),
        ({"9a": 1}, "custom.9a"),
        ({"a\n": 1}, "custom.a\n"),
        ({"big": 2**63}, "custom.big"),
        ({"tags": [1]}, "custom.tags"),
    ]:
        assert not _plain_bag(bag)
        with pytest.raises(ValidationError) as caught:
            Account("A", custom=bag)
        assert caught.value.problems[0].path == path
