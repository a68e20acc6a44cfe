"""``Order.total`` and ``OrderLine.total`` computed on Decimals give exactly what the Money
steps give (the amount digit for digit, or the same error)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from crmkit.domain import Money, Order, OrderLine
from crmkit.domain.money import MAX_AMOUNT
from tests.profiles import examples

AT = datetime(2025, 1, 1, tzinfo=UTC)
CURRENCIES = ["SEK", "JPY", "KWD", "CLF"]  # minor units 2, 0, 3, 4

amounts = st.one_of(
    st.decimals(min_value=0, max_value=MAX_AMOUNT, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=0, max_value=1000, places=4),
    st.sampled_from(
        ["0", "-0", "-0.00", "0E-30", "1E-38", "1E-30", "0.005", "9999999999999999.9999"]
    ).map(Decimal),
)
quantities = st.one_of(
    st.integers(min_value=1, max_value=1000),
    st.integers(min_value=1, max_value=2**63 - 1),  # quantities are 64-bit integers
    st.sampled_from([10**16, 2**63 - 1]),
)
discounts = st.one_of(
    st.decimals(min_value=0, max_value=1, places=6),
    st.decimals(min_value=0, max_value=1, allow_nan=False, allow_infinity=False),
    st.sampled_from(["0", "1", "1.000", "0E-5", "0.5"]).map(Decimal),
)


def _outcome(compute: Any) -> tuple[Any, ...]:
    """The Money's amount (its exact digits and sign) and currency, or the error."""
    try:
        money = compute()
    except Exception as error:
        return ("error", type(error), str(error))
    return ("ok", repr(money.amount), money.currency)


def _reference(order: Order) -> Money:
    """``Order.total`` as the Money steps compute it (the code before the Decimal path)."""
    currency = order.currency
    lines = iter(order.lines)
    total = _line(next(lines))
    if total.currency != currency or (total.amount.is_signed() and not total.amount):
        total = Money.zero(currency) + total
    for line in lines:
        total = total + _line(line)
    return total


def _line(line: Any) -> Money:
    """``OrderLine.total`` as the Money steps compute it (anything else's ``total``)."""
    total: Money = line._total() if isinstance(line, OrderLine) else line.total
    return total


@st.composite
def orders(draw: st.DrawFn) -> Order:
    currency = draw(st.sampled_from(CURRENCIES))
    lines = [
        OrderLine("p", draw(quantities), Money(draw(amounts), currency), discount=draw(discounts))
        for _ in range(draw(st.integers(min_value=1, max_value=4)))
    ]
    order = Order("a-1", AT, lines)
    extra = draw(st.sampled_from([None, "other currency", "not a line"]))
    if extra == "other currency":  # changed in place: no validator ran
        other = "EUR" if currency != "EUR" else "SEK"
        order.lines.append(OrderLine("p", 1, Money("1", other)))
    elif extra == "not a line":
        order.lines.append("p-9")  # type: ignore[arg-type]
    return order


@settings(max_examples=examples(400), deadline=None)
@given(orders())
@example(Order("a", AT, [OrderLine("p", 3, Money("-0", "SEK"))]))
@example(Order("a", AT, [OrderLine("p", 10**16, Money("1", "SEK"))]))
@example(Order("a", AT, [OrderLine("p", 1, Money("0.005", "SEK"), discount="0.5")]))
@example(Order("a", AT, [OrderLine("p", 1, Money("9999999999999999.9999", "SEK"))] * 2))
def test_order_total_equals_the_money_steps(order: Order) -> None:
    assert _outcome(lambda: order.total) == _outcome(lambda: _reference(order))
    for line in order.lines:
        if isinstance(line, OrderLine):
            assert _outcome(lambda line=line: line.total) == _outcome(line._total)


def test_order_total_examples() -> None:
    order = Order(
        "a",
        AT,
        [
            OrderLine("p-1", 3, Money("250", "SEK")),
            OrderLine("p-2", 1, Money("1200", "SEK"), discount="0.1"),
        ],
    )
    assert repr(order.total.amount) == "Decimal('1830.00')"
    assert repr(Order("a", AT, [OrderLine("p", 2, Money("-0", "JPY"))]).total.amount) == (
        "Decimal('0')"
    )
