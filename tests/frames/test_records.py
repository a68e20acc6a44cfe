"""Reading records (fields, dotted paths, custom properties) and the paused collector."""

from __future__ import annotations

import enum
import gc
from decimal import Decimal

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.domain import Lead, Money
from crmkit.errors import ValidationError
from crmkit.frames import field_reader, paused_gc, read_field


def _fail_inside_nested_pauses() -> None:
    with paused_gc():
        assert not gc.isenabled()
        with paused_gc():  # nested: the inner exit does not switch it back on
            pass
        assert not gc.isenabled()
        raise RuntimeError("boom")


def test_paused_gc_restores_the_collector_even_on_error() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError, match="boom"):
        _fail_inside_nested_pauses()
    assert gc.isenabled()


def test_paused_gc_leaves_a_disabled_collector_disabled() -> None:
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


# -- reading fields --------------------------------------------------------------------------


class Size(enum.Enum):
    SMALL = "small"


@attrs.define
class Account:
    name: str
    turnover: Money | None = None
    size: Size = Size.SMALL
    custom: dict[str, object] = attrs.field(factory=dict)


@attrs.define
class Opportunity:
    account: Account | None
    amount: Money


def test_dotted_paths_custom_properties_and_floats_on_objects_and_dicts() -> None:
    opp = Opportunity(
        Account("Acme", Money("1200.50", "SEK"), custom={"segment": "smb"}), Money("10", "SEK")
    )
    as_dict = {"account": attrs.asdict(opp.account, recurse=False), "amount": opp.amount}
    for record in (opp, as_dict):
        assert read_field(record, "amount") == Decimal("10")
        assert read_field(record, "account.turnover", paths=True) == Decimal("1200.50")
        assert read_field(record, "account.turnover", paths=True, floats=True) == 1200.5
        assert read_field(record, "account.size", paths=True) == "small"
        assert read_field(record, "account.segment", paths=True, custom=True) == "smb"
        with pytest.raises(ValidationError, match=r"^opp\.account\.segment: is missing"):
            read_field(record, "account.segment", paths=True, what="opp")  # custom not asked
    # without paths a dotted name is one field name (a flat frame column)
    assert read_field({"account.size": 3}, "account.size") == 3
    # a missing object on the way reads as missing
    assert read_field(Opportunity(None, Money("1", "SEK")), "account.name", paths=True) is None


def test_custom_properties_never_shadow_fields() -> None:
    lead = Lead("Acme", employees=40, custom={"employees": 999, "reason": "demo"})
    assert read_field(lead, "employees", custom=True) == 40
    assert read_field(lead, "reason", custom=True) == "demo"
    with pytest.raises(ValidationError, match=r"^leads\[2\]\.budget: is missing"):
        read_field(lead, "budget", custom=True, what="leads[2]")


values = st.one_of(
    st.none(),
    st.integers(-(10**6), 10**6),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, max_value=10**6),
    st.builds(Money, st.decimals(min_value=0, max_value=10**6, places=2), st.just("SEK")),
    st.just(Size.SMALL),
    st.text(max_size=5),
)


@settings(max_examples=60, deadline=None)
@given(value=values, paths=st.booleans(), custom=st.booleans(), floats=st.booleans())
def test_the_fast_reader_reads_what_read_field_reads(
    value: object, paths: bool, custom: bool, floats: bool
) -> None:
    record = {"x": value, "custom": {"y": value}}
    options = {"paths": paths, "custom": custom, "floats": floats}
    assert field_reader("x", **options)(record) == read_field(record, "x", **options)
    if custom:
        assert read_field(record, "y", **options) == read_field(record, "x", **options)
    got = read_field(record, "x", **options)
    if floats and isinstance(value, Money | Decimal):
        assert isinstance(got, float)
    elif isinstance(value, Money):
        assert got == value.amount
