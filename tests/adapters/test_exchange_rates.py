"""Stored exchange rates (crm_exchange_rates) convert exactly as the in-memory RateTable."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit.adapters import open_store
from crmkit.adapters.ports import ExchangeRates
from crmkit.adapters.sql import SqlStore
from crmkit.adapters.sql.rates import SqlRateTable
from crmkit.adapters.sql.schema import EXCHANGE_RATES_TABLE
from crmkit.domain import ExchangeRate, Money, RateTable
from crmkit.errors import ConflictError, ValidationError
from crmkit.testing.adapter_suite import sample_entity
from crmkit.testing.strategies import money, rate_tables
from tests.backends import pg_url, require_backend


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def sql_store(
    request: pytest.FixtureRequest, tmp_path: Path, pg_fresh_schema: str
) -> Iterator[Any]:
    if request.param == "sqlite":
        url, options = f"sqlite:///{tmp_path / 'fx.db'}", {}
    else:
        found = pg_url()
        require_backend("postgresql", found is not None, "set CRMKIT_PG_URL")
        assert found is not None
        url, options = found, {"schema": pg_fresh_schema}
    with open_store(url, **options) as store:
        assert isinstance(store, SqlStore)
        yield store


def _outcome(rates: ExchangeRates, amount: Money, to: str, on: date) -> Money | str:
    try:
        return rates.convert(amount, to, on=on)
    except ValidationError as error:
        return str(error)


def test_both_rate_tables_implement_the_port(sql_store: SqlStore) -> None:
    with sql_store.unit_of_work() as uow:
        assert isinstance(SqlRateTable(uow), ExchangeRates)
    assert isinstance(RateTable(), ExchangeRates)


def test_stored_conversion_equals_the_in_memory_table(sql_store: SqlStore) -> None:
    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(table=rate_tables(), data=st.data())
    def check(table: RateTable, data: st.DataObject) -> None:
        if table.rates:
            pick = data.draw(st.sampled_from(table.rates))
            base, quote = data.draw(
                st.sampled_from([(pick.base, pick.quote), (pick.quote, pick.base)])
            )
            on = pick.on + timedelta(days=data.draw(st.integers(-3, 400)))
        else:
            base, quote, on = "SEK", "EUR", date(2025, 1, 1)
        amount = data.draw(money(base))
        with sql_store.unit_of_work() as uow:
            stored = SqlRateTable(uow)
            assert stored.add_many(table.rates) == len(table.rates)
            assert set(stored.table().rates) == set(table.rates)
            expected = _outcome(table, amount, quote, on)
            assert _outcome(stored, amount, quote, on) == expected
            if isinstance(expected, Money):  # a total in the target currency, too
                pair = [amount, amount]
                assert stored.total(pair, quote, on=on) == table.total(pair, quote, on=on)
            uow.rollback()  # leave the table empty for the next example

    check()


def test_a_rate_is_stored_exactly(sql_store: SqlStore) -> None:
    tiny = ExchangeRate("JPY", "EUR", "0.006184937210000000000000001", date(2025, 1, 1))
    with sql_store.unit_of_work() as uow:
        SqlRateTable(uow).add_many([tiny])
    with sql_store.unit_of_work() as uow:
        (stored,) = SqlRateTable(uow).table().rates
    assert stored == tiny
    assert stored.rate == Decimal("0.006184937210000000000000001")


def test_a_repeated_pair_and_date_is_refused_and_the_unit_of_work_goes_on(
    sql_store: SqlStore,
) -> None:
    first = ExchangeRate("EUR", "SEK", "11.20", date(2025, 1, 1))
    again = ExchangeRate("EUR", "SEK", "11.30", date(2025, 1, 1))
    later = ExchangeRate("EUR", "SEK", "11.40", date(2025, 2, 1))
    with sql_store.unit_of_work() as uow:
        rates = SqlRateTable(uow)
        rates.add_many([first])
        account = uow.accounts.add(sample_entity("accounts"))
        with pytest.raises(ConflictError, match="EUR→SEK rate of 2025-01-01"):
            rates.add_many([later, again])
        with pytest.raises(ValidationError, match="repeats the EUR→SEK rate of 2025-01-01"):
            rates.add_many([first, again])
    with sql_store.unit_of_work() as uow:
        assert SqlRateTable(uow).table().rates == (first,)  # nothing of the refused batches
        assert uow.accounts.get(account.id) == account


def test_rates_roll_back_with_the_unit_of_work(sql_store: SqlStore) -> None:
    def crash() -> None:
        with sql_store.unit_of_work() as uow:
            SqlRateTable(uow).add_many([ExchangeRate("USD", "SEK", "10.5", date(2025, 1, 1))])
            raise RuntimeError("crash")

    with pytest.raises(RuntimeError):
        crash()
    with sql_store.unit_of_work() as uow:
        assert SqlRateTable(uow).table().rates == ()
    with sql_store.engine.connect() as conn:
        assert conn.exec_driver_sql(f"SELECT count(*) FROM {EXCHANGE_RATES_TABLE}").scalar() == 0
