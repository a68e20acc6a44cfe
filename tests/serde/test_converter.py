"""serde: round trips and errors that name every problem with its path."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmkit.domain import CURRENCY_MINOR_UNITS, KamStage, KeyAccountRelationship, Money
from crmkit.errors import ValidationError
from crmkit.serde import from_dict, from_json, structure, to_dict, to_json

money = st.builds(
    Money,
    st.decimals(
        allow_nan=False, allow_infinity=False, places=4, min_value=-(10**9), max_value=10**9
    ),
    st.sampled_from(sorted(CURRENCY_MINOR_UNITS)),
)


@given(money)
def test_money_round_trips_through_dict_and_json(value: Money) -> None:
    assert from_dict(Money, to_dict(value)) == value
    assert from_json(Money, to_json(value)) == value
    assert isinstance(to_dict(value)["amount"], str)


def test_money_payload_with_float_amount_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        from_dict(Money, {"amount": 12.5, "currency": "SEK"})
    assert info.value.paths == ["money.amount"]
    assert "float" in str(info.value)


def _positive(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value <= 0:
        raise ValidationError.single(attribute.name, value, "must be positive")


@attrs.frozen
class Line:
    price: Money
    quantity: int = attrs.field(validator=_positive)


@attrs.frozen
class Invoice:
    number: str
    issued: date
    sent_at: datetime
    lines: list[Line]
    tags: dict[str, str] = attrs.field(factory=dict)
    note: str | None = None


def test_nested_values_round_trip() -> None:
    invoice = Invoice(
        "F-1",
        date(2025, 3, 31),
        datetime(2025, 4, 1, 8, 30, tzinfo=UTC),
        [Line(Money("10.50", "SEK"), 2)],
        {"region": "Skåne"},
    )
    data = to_dict(invoice)
    assert data["issued"] == "2025-03-31"
    assert data["sent_at"] == "2025-04-01T08:30:00+00:00"
    assert data["lines"][0]["price"] == {"amount": "10.50", "currency": "SEK"}
    assert from_json(Invoice, to_json(invoice)) == invoice


def test_a_bad_payload_gets_one_error_listing_every_problem() -> None:
    payload = {
        "number": "F-1",
        "issued": "2025-02-30",
        "sent_at": "yesterday",
        "lines": [
            {"price": {"amount": "1", "currency": "SEK"}, "quantity": 1},
            {"price": {"amount": "1", "currency": "SEKK"}, "quantity": 0},
        ],
        "colour": "red",
    }
    with pytest.raises(ValidationError) as info:
        from_dict(Invoice, payload)
    assert set(info.value.paths) == {
        "invoice.colour",
        "invoice.issued",
        "invoice.sent_at",
        "invoice.lines[1].price.currency",
        "invoice.lines[1].quantity",
    }
    assert "invoice.lines[1].price.currency: 'SEKK' is not an ISO 4217 currency code" in str(
        info.value
    )


def test_missing_required_fields_are_named() -> None:
    with pytest.raises(ValidationError) as info:
        from_dict(Invoice, {"number": "F-2"})
    assert {"invoice.issued", "invoice.sent_at", "invoice.lines"} <= set(info.value.paths)
    assert "is required" in str(info.value)


def test_enum_errors_list_the_allowed_values_and_naive_datetimes_are_refused() -> None:
    rel = KeyAccountRelationship("acc", KamStage.DUET)
    data = to_dict(rel)
    data["stage"] = "platinum"
    with pytest.raises(ValidationError, match="'bow_tie', 'one_on_many', 'duet', 'diamond_team'"):
        from_dict(KeyAccountRelationship, data)
    data = to_dict(rel)
    data["history"] = [
        {"from_stage": None, "to_stage": "duet", "at": "2025-01-01T00:00:00", "reason": ""}
    ]
    with pytest.raises(ValidationError) as info:
        from_dict(KeyAccountRelationship, data)
    assert info.value.paths == ["key_account_relationship.history[0].at"]


def test_structure_accepts_any_annotation_and_a_custom_root() -> None:
    values = structure([{"amount": "1", "currency": "EUR"}], list[Money])
    assert values == [Money(Decimal(1), "EUR")]
    with pytest.raises(ValidationError) as info:
        structure([{"amount": "x", "currency": "EUR"}], list[Money], path="prices")
    assert info.value.paths == ["prices[0].amount"]


def test_invalid_json_is_a_validation_error() -> None:
    with pytest.raises(ValidationError, match="is not valid JSON"):
        from_json(Money, "{")
