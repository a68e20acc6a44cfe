"""Line items, price books and quotes: exact totals, rounding, status changes, orders."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.domain import (
    LineItem,
    Money,
    Opportunity,
    OrderStatus,
    PriceBook,
    PriceBookEntry,
    Quote,
    QuoteStatus,
    default_pipeline,
    price_book_for,
)
from crmkit.errors import InvalidTransitionError, NotFoundError, ValidationError
from crmkit.serde import from_dict, from_json, to_dict, to_json
from crmkit.testing.strategies import line_items, price_books, quotes
from tests.domain.conftest import utc


@settings(max_examples=40, deadline=None)
@given(st.one_of(line_items(), price_books(), quotes()))
def test_every_type_round_trips_through_dict_and_json(value: Any) -> None:
    cls = type(value)
    assert from_dict(cls, to_dict(value)) == value
    assert from_json(cls, to_json(value)) == value


def test_line_rounding_is_half_even_per_line() -> None:
    # 3 × 0.125 = 0.375 → 0.38 (half-even on 0.375 rounds up: 7 is odd); tax 0.38 × 0.25 = 0.095 → 0.10
    line = LineItem("p", 3, Money("0.125", "EUR"), tax_rate="0.25")
    assert line.net == Money("0.38", "EUR")
    assert line.tax == Money("0.10", "EUR")
    assert line.total == Money("0.48", "EUR")
    # 0.125 → 0.12 (half-even keeps the even 2)
    assert LineItem("p", 1, Money("0.125", "EUR")).net == Money("0.12", "EUR")
    # zero-decimal currency
    assert LineItem("p", 1, Money("99.5", "JPY"), discount="0").net == Money("100", "JPY")


def test_line_fields_are_validated_with_their_path() -> None:
    for kwargs, path in [
        ({"quantity": 0}, "quantity"),
        ({"quantity": 1.5}, "quantity"),
        ({"unit_price": Money("-1", "SEK")}, "unit_price"),
        ({"discount": "1.01"}, "discount"),
        ({"discount": "0." + "3" * 40}, "discount"),
        ({"tax_rate": "-0.1"}, "tax_rate"),
        ({"tax_rate": 0.25}, "tax_rate"),
        ({"tax_rate": "1E-40"}, "tax_rate"),
        ({"tax_rate": "0.0000001"}, "tax_rate"),
        ({"tax_rate": "0E-50"}, "tax_rate"),
        ({"tax_rate": "0.2500000"}, "tax_rate"),
    ]:
        arguments: dict[str, Any] = {"quantity": 1, "unit_price": Money("1", "SEK")} | kwargs
        with pytest.raises(ValidationError) as info:
            LineItem("p", **arguments)
        assert info.value.paths == [path], kwargs


@settings(max_examples=60, deadline=None)
@given(quotes())
def test_quote_totals_are_sums_of_rounded_lines(quote: Quote) -> None:
    assert quote.net_total == sum((line.net for line in quote.lines), Money.zero(quote.currency))
    assert quote.total == quote.net_total + quote.tax_total
    assert quote.total.rounded() == quote.total  # exact, no stray digits
    for line in quote.lines:
        assert line.net == line.to_order_line().total


def test_price_book_prices_and_lines() -> None:
    book = PriceBook("Enterprise EUR", "EUR", segment="enterprise", entries=[
        PriceBookEntry("p-1", Money("100", "EUR")), PriceBookEntry("p-2", Money("40", "EUR"))])  # fmt: skip
    line = book.line("p-2", 5, discount=Decimal("0.1"), tax_rate="0.2", description="Seats")
    assert (line.unit_price, line.net, line.tax) == (
        Money("40", "EUR"),
        Money("180.00", "EUR"),
        Money("36.00", "EUR"),
    )
    with pytest.raises(NotFoundError):
        book.price("p-3")
    with pytest.raises(ValidationError) as info:
        PriceBook("x", "EUR", entries=[PriceBookEntry("p", Money("1", "EUR"))] * 2)
    assert info.value.paths == ["entries[1].product_id"]
    with pytest.raises(ValidationError) as info:
        PriceBook("x", "EURO")
    assert info.value.paths == ["currency"]


def _sent_quote(**fields: Any) -> Quote:
    quote = Quote("acc-1", "SEK", lines=[LineItem("p-1", 2, Money("500", "SEK"), tax_rate="0.25")],
                  opportunity_id="opp-1", contact_id="c-1", owner_id="u-1",
                  quote_number="Q-1001", created_at=utc(2025, 1, 1), **fields)  # fmt: skip
    quote.send(utc(2025, 1, 2))
    return quote


def test_accepted_quote_becomes_an_order() -> None:
    quote = _sent_quote(valid_until=date(2025, 1, 31))
    assert quote.status is QuoteStatus.SENT
    order = quote.accept(utc(2025, 1, 31, 23), order_number="SO-1")
    assert quote.status is QuoteStatus.ACCEPTED
    assert quote.decided_at == utc(2025, 1, 31, 23)
    assert quote.order_id == order.id
    assert order.status is OrderStatus.PLACED
    assert (order.account_id, order.contact_id, order.opportunity_id, order.owner_id) == (
        "acc-1",
        "c-1",
        "opp-1",
        "u-1",
    )
    assert order.total == quote.net_total == Money("1000.00", "SEK")
    assert quote.total == Money("1250.00", "SEK")
    assert order.ordered_at == utc(2025, 1, 31, 23)
    with pytest.raises(InvalidTransitionError):
        quote.accept(utc(2025, 2, 1))
    with pytest.raises(InvalidTransitionError):
        quote.reject(utc(2025, 2, 1))


def test_quote_status_rules() -> None:
    draft = Quote("acc-1", "SEK")
    with pytest.raises(ValidationError) as info:
        draft.send(utc(2025, 1, 1))
    assert info.value.paths == ["lines"]
    with pytest.raises(InvalidTransitionError) as info:
        draft.accept(utc(2025, 1, 1))
    assert info.value.paths == ["status"]
    expired = _sent_quote(valid_until=date(2025, 1, 10))
    with pytest.raises(InvalidTransitionError) as info:
        expired.accept(utc(2025, 1, 11))
    assert info.value.paths == ["valid_until"]
    assert expired.status is QuoteStatus.SENT
    with pytest.raises(ValidationError) as info:
        expired.reject(utc(2025, 1, 1))  # before it was sent
    assert info.value.paths == ["decided_at"]
    expired.reject(utc(2025, 1, 12))
    assert expired.status is QuoteStatus.REJECTED
    with pytest.raises(ValidationError) as info:
        Quote("a", "SEK", lines=[LineItem("p", 1, Money("1", "NOK"))])
    assert info.value.paths == ["lines[0].unit_price.currency"]
    with pytest.raises(ValidationError) as info:
        Quote("a", "SEK", order_id="o-1")
    assert info.value.paths == ["order_id"]


def test_revisions_keep_the_offer_history() -> None:
    first = _sent_quote()
    first.reject(utc(2025, 1, 5))
    second = first.revise(utc(2025, 1, 6), valid_until=date(2025, 2, 28))
    assert (second.revision, second.status, second.quote_number) == (2, QuoteStatus.DRAFT, "Q-1001")
    assert second.lines == first.lines
    assert second.id != first.id
    assert first.status is QuoteStatus.REJECTED  # the first offer stays as it was
    assert second.revise(utc(2025, 1, 7)).revision == 3


def test_price_book_for_a_currency_and_segment() -> None:
    general = PriceBook("List SEK", "SEK")
    smb_b = PriceBook("SMB b", "SEK", segment="smb")
    smb_a = PriceBook("SMB a", "SEK", segment="smb")
    retired = PriceBook("Old SMB", "SEK", segment="smb", active=False)
    euro = PriceBook("List EUR", "EUR")
    books = [euro, retired, smb_b, general, smb_a]
    assert price_book_for(books, "SEK", "smb") is smb_a
    assert price_book_for(books, "SEK", "enterprise") is general
    assert price_book_for(books, "SEK") is general
    assert price_book_for(books, "EUR", "smb") is euro
    with pytest.raises(NotFoundError):
        price_book_for([retired], "SEK", "smb")


def test_syncing_makes_the_net_total_the_opportunity_amount() -> None:
    pipe = default_pipeline()
    at = utc(2025, 1, 1)
    opp = Opportunity.open("Deal", account_id="acc-1", amount=Money("1", "SEK"),
                           close_date=date(2025, 6, 1), pipeline=pipe, at=at)  # fmt: skip
    quote = Quote("acc-1", "SEK", opportunity_id=opp.id, lines=[
        LineItem("p-1", 3, Money("100", "SEK"), discount="0.1", tax_rate="0.25"),
        LineItem("p-2", 1, Money("50", "SEK"))])  # fmt: skip
    quote.sync_to(opp, utc(2025, 1, 2))
    assert opp.amount == quote.net_total == Money("320.00", "SEK")
    assert opp.updated_at == utc(2025, 1, 2)
    other = Quote("acc-1", "SEK", opportunity_id="opp-x", lines=quote.lines)
    with pytest.raises(ValidationError) as info:
        other.sync_to(opp, at)
    assert info.value.paths == ["opportunity_id"]
    euro = Quote("acc-1", "EUR", opportunity_id=opp.id, lines=[LineItem("p", 1, Money("1", "EUR"))])
    with pytest.raises(ValidationError) as info:
        euro.sync_to(opp, at)
    assert info.value.paths == ["currency"]
    with pytest.raises(ValidationError) as info:
        Quote("acc-1", "SEK", opportunity_id=opp.id).sync_to(opp, at)
    assert info.value.paths == ["lines"]
    opp.close_won(pipeline=pipe, at=utc(2025, 2, 1))
    with pytest.raises(InvalidTransitionError):
        quote.sync_to(opp, utc(2025, 2, 2))
    assert opp.amount == Money("320.00", "SEK")


def test_every_valid_tax_rate_gives_a_tax() -> None:
    for rate in ("0", "0.250000", "0.08875", "0.000001", "1"):
        line = LineItem("p", 7, Money("0.0001", "CLF"), discount="0.333333", tax_rate=rate)
        assert line.total == line.net + line.tax
        assert line.tax.rounded() == line.tax
