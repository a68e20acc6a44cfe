"""Dated exchange rates and conversion of Money at a date."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.domain import ExchangeRate, Money, RateTable, minor_unit
from crmkit.errors import ValidationError
from crmkit.serde import from_dict, from_json, to_dict, to_json
from crmkit.testing.strategies import exchange_rates, money, rate_tables

RATES = RateTable([
    ExchangeRate("EUR", "SEK", "11.20", date(2025, 1, 1), "ecb"),
    ExchangeRate("EUR", "SEK", "11.50", date(2025, 2, 1), "ecb"),
    ExchangeRate("SEK", "EUR", "0.1", date(2025, 3, 1)),
    ExchangeRate("USD", "JPY", "150.123", date(2025, 1, 1)),
])  # fmt: skip


@settings(max_examples=40, deadline=None)
@given(st.one_of(exchange_rates(), rate_tables()))
def test_every_type_round_trips_through_dict_and_json(value: Any) -> None:
    cls = type(value)
    assert from_dict(cls, to_dict(value)) == value
    assert from_json(cls, to_json(value)) == value


def test_the_rate_in_force_is_the_latest_on_or_before_the_date() -> None:
    assert RATES.rate("EUR", "SEK", on=date(2025, 1, 31)).rate == Decimal("11.20")
    assert RATES.rate("EUR", "SEK", on=date(2025, 2, 1)).rate == Decimal("11.50")
    inverse = RATES.rate("SEK", "EUR", on=date(2025, 2, 15))
    assert (inverse.base, inverse.quote, inverse.on) == ("SEK", "EUR", date(2025, 2, 1))
    assert inverse.rate * Decimal("11.50") == pytest.approx(Decimal(1), abs=Decimal("1e-30"))
    # a direct rate of 1 March beats the inverse of an older one
    assert RATES.rate("SEK", "EUR", on=date(2025, 3, 1)).rate == Decimal("0.1")
    assert RATES.rate("EUR", "SEK", on=date(2025, 3, 1)).rate == Decimal(10)


def test_convert_rounds_to_the_target_minor_unit() -> None:
    assert RATES.convert(Money("10.01", "USD"), "JPY", on=date(2025, 1, 2)) == Money("1503", "JPY")
    assert RATES.convert(Money("1", "EUR"), "SEK", on=date(2025, 2, 2)) == Money("11.50", "SEK")
    same = Money("3.333", "SEK")
    assert RATES.convert(same, "SEK", on=date(2020, 1, 1)) is same
    total = RATES.total([Money("1", "EUR"), Money("10", "SEK")], "SEK", on=date(2025, 1, 2))
    assert total == Money("21.20", "SEK")


def test_cross_currency_arithmetic_stays_refused() -> None:
    with pytest.raises(ValidationError) as info:
        _ = Money("1", "EUR") + Money("1", "SEK")
    assert info.value.paths == ["currency"]
    converted = RATES.convert(Money("1", "EUR"), "SEK", on=date(2025, 1, 2))
    assert converted + Money("1", "SEK") == Money("12.20", "SEK")


def test_errors_name_the_field() -> None:
    cases: list[tuple[Any, str]] = [
        (lambda: ExchangeRate("EUR", "SEK", "0", date(2025, 1, 1)), "rate"),
        (lambda: ExchangeRate("EUR", "SEK", "-1", date(2025, 1, 1)), "rate"),
        (lambda: ExchangeRate("EUR", "SEK", "NaN", date(2025, 1, 1)), "rate"),
        (lambda: ExchangeRate("EUR", "SEK", "1e20", date(2025, 1, 1)), "rate"),
        (lambda: ExchangeRate("EUR", "XXX", "1", date(2025, 1, 1)), "quote"),
        (lambda: ExchangeRate("EUR", "SEK", "1", datetime(2025, 1, 1)), "on"),
        (lambda: RateTable([RATES.rates[0], RATES.rates[0]]), "rates[1]"),
        (lambda: RateTable(["EUR"]), "rates[0]"),
        (lambda: RATES.rate("EUR", "NOK", on=date(2025, 5, 1)), "on"),
        (lambda: RATES.rate("EUR", "SEK", on=date(2024, 12, 31)), "on"),
        (lambda: RATES.rate("EUR", "SEK", on=datetime(2025, 5, 1)), "on"),  # type: ignore[arg-type]
        (lambda: RATES.rate("EUR", "EUR", on=date(2025, 5, 1)), "to_currency"),
        (lambda: RATES.rate("EURO", "SEK", on=date(2025, 5, 1)), "from_currency"),
        (lambda: RATES.convert(Money("1", "EUR"), "XYZ", on=date(2025, 5, 1)), "to_currency"),
        (lambda: RATES.convert(1, "SEK", on=date(2025, 5, 1)), "money"),  # type: ignore[arg-type]
    ]
    for build, path in cases:
        with pytest.raises(ValidationError) as info:
            build()
        assert info.value.paths == [path]


@settings(max_examples=100, deadline=None)
@given(exchange_rates(), money(min_value=0, max_value=10**6))
def test_converting_there_and_back_stays_within_rounding(rate: ExchangeRate, amount: Money) -> None:
    table = RateTable([rate])
    start = Money(amount.amount, rate.base).rounded()
    there = table.convert(start, rate.quote, on=rate.on)
    back = table.convert(there, rate.base, on=rate.on)
    assert there.currency == rate.quote
    assert back.currency == rate.base
    # the error is at most half a minor unit of the target, carried back, plus half a unit
    unit_quote = Decimal(1).scaleb(-minor_unit(rate.quote))
    unit_base = Decimal(1).scaleb(-minor_unit(rate.base))
    bound = unit_quote / 2 / rate.rate + unit_base / 2 + Decimal("1e-20")
    assert abs(back.amount - start.amount) <= bound


def test_tiny_products_and_extreme_rates_convert() -> None:
    tiny = RateTable([ExchangeRate("AED", "AFN", "0.1001", date(2015, 1, 1))])
    assert tiny.convert(Money("0.00", "AFN"), "AED", on=date(2015, 1, 1)) == Money("0", "AED")
    assert tiny.convert(Money("1E-38", "AED"), "AFN", on=date(2015, 1, 1)) == Money("0", "AFN")
    for edge in ("1E-12", "1E+12", "3E-12", "7E+11"):
        rate = ExchangeRate("USD", "SEK", edge, date(2025, 1, 1))
        assert rate.inverse().inverse().rate == pytest.approx(rate.rate, rel=Decimal("1e-30"))
    with pytest.raises(ValidationError) as info:
        ExchangeRate("USD", "SEK", "1.1E+12", date(2025, 1, 1))
    assert info.value.paths == ["rate"]
