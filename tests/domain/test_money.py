from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.domain import Money
from crmkit.errors import ValidationError


def test_arithmetic_keeps_currency_and_exact_decimals() -> None:
    total = Money("0.10", "SEK") + Money("0.20", "SEK")
    assert total == Money(Decimal("0.30"), "SEK")
    assert (Money("100", "NOK") - Money("25.5", "NOK")).amount == Decimal("74.5")
    assert (Money("12.50", "SEK") * 3).amount == Decimal("37.50")
    assert (Money("10", "EUR") / 4).amount == Decimal("2.5")


def test_rounding_is_half_even_to_the_minor_unit() -> None:
    assert Money("1.005", "SEK").rounded().amount == Decimal("1.00")
    assert Money("1.015", "SEK").rounded().amount == Decimal("1.02")
    assert Money("99.5", "JPY").rounded().amount == Decimal("100")
    assert Money("1.0005", "KWD").rounded().amount == Decimal("1.000")
    assert str(Money("1234.5", "SEK")) == "1234.50 SEK"


@pytest.mark.parametrize(
    ("build", "path"),
    [
        (lambda: Money(0.1, "SEK"), "amount"),
        (lambda: Money("abc", "SEK"), "amount"),
        (lambda: Money("NaN", "SEK"), "amount"),
        (lambda: Money("1", "SEKK"), "currency"),
        (lambda: Money("1", "SEK") + Money("1", "EUR"), "currency"),
        (lambda: Money("1", "SEK") * 0.5, "factor"),
        (lambda: Money("1", "SEK") / 0, "divisor"),
        (lambda: Money("1", "SEK") < Money("1", "NOK"), "currency"),
    ],
)
def test_refusals_name_the_field(build: object, path: str) -> None:
    with pytest.raises(ValidationError) as info:
        build()  # type: ignore[operator]
    assert info.value.paths == [path]


@settings(max_examples=50)
@given(
    a=st.decimals(
        allow_nan=False, allow_infinity=False, places=2, min_value=-(10**9), max_value=10**9
    ),
    b=st.decimals(
        allow_nan=False, allow_infinity=False, places=2, min_value=-(10**9), max_value=10**9
    ),
)
def test_addition_matches_decimal_addition(a: Decimal, b: Decimal) -> None:
    assert (Money(a, "SEK") + Money(b, "SEK")).amount == a + b
    assert (Money(a, "SEK") - Money(a, "SEK")).amount == 0
