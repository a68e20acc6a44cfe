from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.errors import ValidationError
from crmkit.frames import day_number, day_number_expr, day_numbers, from_native, narwhals

# (narwhals 2.29 reads a pandas zone with "_" in its name, e.g. America/New_York, as Unknown)
ZONES = ["UTC", "Europe/Stockholm", "America/Chicago", None]
instants = st.lists(
    st.datetimes(
        min_value=dt.datetime(1900, 1, 1),
        max_value=dt.datetime(2100, 1, 1),
        timezones=st.just(dt.UTC),
    ),
    min_size=1,
    max_size=20,
)


@pytest.mark.parametrize("zone", ZONES)
@settings(max_examples=15, deadline=None)
@given(values=instants)
def test_engine_day_numbers_equal_python_day_numbers_in_any_zone(
    zone: str | None, values: list[dt.datetime]
) -> None:
    import pandas as pd
    import polars as pl

    series = pd.Series(pd.to_datetime(values, utc=True))
    if zone is None:  # naive datetimes count by their own calendar day
        series = series.dt.tz_localize(None)
        expected = [day_number(v.replace(tzinfo=None)) for v in values]
    else:
        series = series.dt.tz_convert(zone)
        expected = [day_number(v) for v in values]
    nw = narwhals()
    table = pd.DataFrame({"at": series})
    duck = _duckdb()
    natives = (pl.from_pandas(table), pl.from_pandas(table).to_arrow(), table,
               duck.from_arrow(pl.from_pandas(table).to_arrow()))  # fmt: skip
    for native in natives:
        frame = from_native(native)
        dtype = frame.collect_schema()["at"]
        for implementation in (frame.implementation, None):  # engine-specific and portable
            selected = frame.select(day_number_expr(nw.col("at"), dtype, implementation).alias("n"))
            got = (selected.collect() if hasattr(selected, "collect") else selected)["n"]
            assert got.to_list() == expected, (type(native), implementation)


_CONNECTION: list[object] = []


def _duckdb() -> Any:
    """One DuckDB connection in UTC (DuckDB keeps the time zone in the session)."""
    import duckdb

    if not _CONNECTION:
        connection = duckdb.connect()
        connection.execute("SET TimeZone='UTC'")
        _CONNECTION.append(connection)
    return _CONNECTION[0]


def test_day_numbers_of_many_values_match_one_by_one() -> None:
    stockholm = dt.timezone(dt.timedelta(hours=1))
    values = [dt.date(1969, 12, 31), dt.datetime(2024, 1, 1, 0, 30, tzinfo=stockholm)]
    assert day_numbers(values) == [day_number(v) for v in values] == [-1, 19722]
    utc = [dt.datetime(2024, 1, 1, 23, 59, tzinfo=dt.UTC), dt.datetime(2024, 1, 2)]
    assert day_numbers(utc) == [19723, 19724]
    with pytest.raises(ValidationError, match="is not a date or datetime"):
        day_numbers([dt.date(2024, 1, 1), "2024-01-02"])  # type: ignore[list-item]
