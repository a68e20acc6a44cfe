from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings

from crmkit.domain import LineItem, Money, Opportunity, Quote, default_pipeline
from crmkit.errors import InvalidTransitionError, ValidationError
from crmkit.serde import from_json, to_json
from crmkit.testing.strategies import opportunities

AT = datetime(2025, 1, 10, tzinfo=UTC)


def _deal(**fields: object) -> Opportunity:
    return Opportunity.open(
        "Fleet",
        account_id="acc-1",
        amount=Money("1", "SEK"),
        close_date=date(2025, 6, 30),
        pipeline=default_pipeline(),
        at=AT,
        **fields,  # type: ignore[arg-type]
    )


def test_the_amount_is_the_net_total_of_the_line_items() -> None:
    deal = _deal()
    deal.set_line_items(
        [
            LineItem("p-1", 3, Money("19.99", "SEK"), discount="0.15", tax_rate="0.25"),
            LineItem("p-2", 2, Money("0.005", "SEK")),
        ]
    )
    # 3 x 19.99 x 0.85 = 50.9745 -> 50.97; 2 x 0.005 = 0.010 -> 0.01 (each rounded, then added)
    assert deal.amount == Money("50.98", "SEK")
    assert (
        deal.expected_revenue == (Money("50.98", "SEK") * deal.probability.as_decimal()).rounded()
    )
    deal.set_line_items([])  # no lines: the amount stays and is entered by hand again
    assert deal.amount == Money("50.98", "SEK")
    assert deal.line_items == []


def test_a_stored_amount_that_disagrees_with_the_lines_is_refused() -> None:
    lines = [LineItem("p-1", 2, Money("100", "SEK"))]
    assert _deal_with(lines, "200").amount == Money("200", "SEK")
    with pytest.raises(
        ValidationError, match=r"amount: .* must equal the line items' net total 200.00 SEK"
    ):
        _deal_with(lines, "150")
    with pytest.raises(ValidationError, match=r"line_items\[0\].unit_price.currency: 'EUR'"):
        _deal_with([LineItem("p-1", 2, Money("100", "EUR"))], "200")
    with pytest.raises(ValidationError, match=r"line_items\[0\]: 'p-1' must be a LineItem"):
        _deal_with(["p-1"], "200")  # type: ignore[list-item]


def _deal_with(lines: list[LineItem], amount: str) -> Opportunity:
    return Opportunity(
        "D", "a", Money(amount, "SEK"), date(2025, 1, 1), "default", "x", 0.1, line_items=lines
    )


def test_a_closed_deal_keeps_its_lines() -> None:
    pipe = default_pipeline()
    deal = _deal()
    deal.close_won(pipeline=pipe, at=AT)
    with pytest.raises(InvalidTransitionError, match="closed"):
        deal.set_line_items([LineItem("p", 1, Money("5", "SEK"))])


def test_quote_sync_copies_the_lines_and_the_net_total() -> None:
    deal = _deal()
    quote = Quote(
        "acc-1",
        "SEK",
        opportunity_id=deal.id,
        lines=[LineItem("p", 4, Money("300", "SEK"), discount="0.05", tax_rate="0.25")],
    )
    quote.sync_to(deal, AT)
    assert deal.line_items == quote.lines
    assert deal.amount == quote.net_total == Money("1140", "SEK")


@settings(max_examples=60, deadline=None)
@given(opportunities())
def test_line_items_round_trip_and_always_add_up(deal: Opportunity) -> None:
    assert from_json(Opportunity, to_json(deal)) == deal
    if deal.line_items:
        assert deal.amount == sum(
            (line.net for line in deal.line_items), Money.zero(deal.amount.currency)
        )
