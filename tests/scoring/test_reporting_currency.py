"""Reports in a reporting currency equal a hand computation (issue 14)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from crmkit.clv import BetaGeo, GammaGamma, value_customers
from crmkit.clv.currency import value_customers_in
from crmkit.clv.summary import summarise
from crmkit.domain import ExchangeRate, Money, Opportunity, Order, OrderLine, RateTable
from crmkit.errors import ValidationError
from crmkit.scoring import weighted_pipeline, weighted_pipeline_in
from crmkit.segmentation import segment_summary_in

ON = date(2025, 3, 15)
RATES = RateTable(
    [
        ExchangeRate("EUR", "SEK", "11.5", date(2025, 1, 31)),
        ExchangeRate("EUR", "NOK", "11.75", date(2025, 2, 28)),
        ExchangeRate("EUR", "SEK", "99", date(2025, 4, 1)),  # after ON: not used
    ]
)


def _deal(amount: str, currency: str, stage: str, probability: float) -> Opportunity:
    return Opportunity(
        "D", "acc", Money(amount, currency), date(2025, 6, 30), "default", stage, probability
    )


def test_weighted_pipeline_in_eur_from_sek_and_nok_equals_a_hand_computation() -> None:
    deals = [
        _deal("1000", "SEK", "proposal", 0.5),  # 1000 / 11.5 = 86.956… -> 86.96
        _deal("500", "NOK", "proposal", 0.25),  # 500 / 11.75 = 42.553… -> 42.55
        _deal("100", "EUR", "qualify", 0.1),
    ]
    with pytest.raises(ValidationError, match="mixes currencies; convert first"):
        weighted_pipeline(deals)
    rows = weighted_pipeline_in(deals, currency="EUR", rates=RATES, on=ON)
    by_key = {row.key: row for row in rows}
    assert by_key["proposal"].count == 2
    assert by_key["proposal"].amount == pytest.approx(86.96 + 42.55)
    assert by_key["proposal"].weighted_amount == pytest.approx(86.96 * 0.5 + 42.55 * 0.25)
    assert by_key["qualify"].weighted_amount == pytest.approx(10.0)
    assert {(row.currency, row.rate_date) for row in rows} == {("EUR", date(2025, 1, 31))}


def test_revenue_per_segment_in_eur_equals_a_hand_computation() -> None:
    at = datetime(2025, 2, 1, tzinfo=UTC)
    orders = [
        Order("a", at, [OrderLine("p", 2, Money("115", "SEK"))]),  # 230 / 11.5 = 20.00
        Order("a", at, [OrderLine("p", 1, Money("117.50", "NOK"))]),  # / 11.75 = 10.00
        Order("b", at, [OrderLine("p", 1, Money("99.99", "SEK"))]),  # 8.6947… -> 8.69
    ]
    rows = segment_summary_in(
        orders, segment="account_id", amount="total", currency="EUR", rates=RATES, on=ON
    )
    assert {row.segment: row.value_total for row in rows} == {
        "a": Decimal("30.00"),
        "b": Decimal("8.69"),
    }
    assert rows[0].value_share == pytest.approx(30.00 / 38.69)
    assert {(row.currency, row.rate_date) for row in rows} == {("EUR", date(2025, 1, 31))}


def test_lifetime_value_in_eur_equals_the_hand_converted_orders() -> None:
    purchases = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="weeks")
    spend = GammaGamma(p=6.25, q=3.74, v=15.44)
    orders = [
        Order("c1", datetime(2025, 1, 6, tzinfo=UTC), [OrderLine("p", 1, Money("100", "EUR"))]),
        Order("c1", datetime(2025, 2, 3, tzinfo=UTC), [OrderLine("p", 1, Money("575", "SEK"))]),
        Order("c1", datetime(2025, 3, 3, tzinfo=UTC), [OrderLine("p", 1, Money("47", "NOK"))]),
        Order("c2", datetime(2025, 1, 13, tzinfo=UTC), [OrderLine("p", 1, Money("20", "EUR"))]),
        Order("c2", datetime(2025, 3, 10, tzinfo=UTC), [OrderLine("p", 1, Money("10", "EUR"))]),
    ]
    # by hand, in EUR: 100; 575 / 11.5 = 50.00; 47 / 11.75 = 4.00; 20; 10
    by_hand = [
        {"account_id": o.account_id, "ordered_at": o.ordered_at, "total": Decimal(euros)}
        for o, euros in zip(orders, ["100", "50.00", "4.00", "20", "10"], strict=True)
    ]
    options = {"as_of": ON, "amount": "total"}
    expected = value_customers(summarise(by_hand, **options), purchases, spend)
    got = value_customers_in(
        orders, purchases, spend, currency="EUR", rates=RATES, on=ON, summary=options
    )
    assert [(r.customer_id, r.lifetime_value) for r in got] == [
        (r.customer_id, r.lifetime_value) for r in expected
    ]
    assert {(r.currency, r.rate_date) for r in got} == {("EUR", date(2025, 1, 31))}


def test_a_missing_pair_is_refused_not_guessed() -> None:
    at = datetime(2025, 2, 1, tzinfo=UTC)
    orders = [Order("a", at, [OrderLine("p", 1, Money("1", "NOK"))])]
    with pytest.raises(ValidationError, match="has no NOK→SEK rate"):
        segment_summary_in(
            orders, segment="account_id", amount="total", currency="SEK", rates=RATES, on=ON
        )


def test_the_stored_rate_table_gives_the_same_report() -> None:
    from crmkit.adapters.sql import SqlStore
    from crmkit.adapters.sql.rates import SqlRateTable

    deals = [_deal("1000", "SEK", "proposal", 0.5), _deal("500", "NOK", "proposal", 0.25)]
    with SqlStore("sqlite://") as store, store.unit_of_work() as uow:
        stored = SqlRateTable(uow)
        stored.add_many(RATES.rates)
        got = weighted_pipeline_in(deals, currency="EUR", rates=stored, on=ON)
    assert got == weighted_pipeline_in(deals, currency="EUR", rates=RATES, on=ON)
    with pytest.raises(ValidationError, match="rates: 'EUR' must be a rate table"):
        weighted_pipeline_in(deals, currency="EUR", rates="EUR", on=ON)  # type: ignore[arg-type]
