from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.errors import ValidationError
from crmkit.frames import (
    column_types,
    day_number,
    day_number_expr,
    day_numbers,
    from_native,
    in_utc,
    narwhals,
)
from crmkit.frames.day_number import EPOCH, numbered_by_ordinal

# (zones narwhals 2.29 misreads on pandas, e.g. America/New_York, have their own tests below)
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


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([dt.date(2024, 1, 1), dt.date(2024, 1, 2)], True),
        ([dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 1, 23, tzinfo=dt.UTC)], True),
        ([dt.date(2024, 1, 1), dt.datetime(2024, 1, 1, 23, tzinfo=dt.UTC)], True),
        ([dt.datetime(2024, 1, 1, 23, tzinfo=dt.timezone(dt.timedelta(hours=-2)))], False),
        ([dt.date(2024, 1, 1), dt.datetime(2024, 1, 1, 12, tzinfo=dt.timezone.min)], False),
        ([], True),
    ],
)
def test_values_numbered_by_ordinal_have_their_own_dates_day(
    values: list[dt.date], expected: bool
) -> None:
    assert numbered_by_ordinal(values) is expected
    ordinals = [v.toordinal() - EPOCH.toordinal() for v in values]
    assert (ordinals == [day_number(v) for v in values]) is (expected or not values)


# -- missing dates ---------------------------------------------------------------------------
#: Every engine a frame of dates may live in; each takes a pandas frame of the rows.
MISSING_ENGINES = ["pandas-numpy", "pandas-arrow", "polars", "pyarrow", "duckdb", "dask"]
optional_instants = st.lists(
    st.none()
    | st.datetimes(
        min_value=dt.datetime(1950, 1, 1),
        max_value=dt.datetime(2080, 1, 1),
        timezones=st.just(dt.UTC),
    ),
    min_size=1,
    max_size=12,
)


def _native(table: Any, engine: str) -> Any:
    import warnings

    import polars as pl

    if engine == "pandas-numpy":
        return table
    if engine == "pandas-arrow":
        return table.convert_dtypes(dtype_backend="pyarrow")
    if engine == "polars":
        return pl.from_pandas(table)
    if engine == "pyarrow":
        return pl.from_pandas(table).to_arrow()
    if engine == "duckdb":
        return _duckdb().from_arrow(pl.from_pandas(table).to_arrow())
    import dask
    import dask.dataframe as dd

    warnings.filterwarnings("ignore", message=".*narwhals-dask.*", category=FutureWarning)
    dask.config.set(scheduler="synchronous")
    return dd.from_pandas(table, npartitions=2)


def _missing(value: Any) -> bool:
    """None, NaN or pandas' NA (how each engine hands back a missing number)."""
    import pandas as pd

    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _day_numbers_on(native: Any, column: str = "at") -> list[list[int | None]]:
    """The day numbers of ``column`` on the engine's own path and the portable one."""
    from crmkit.frames import column_types

    nw = narwhals()
    frame = from_native(native)
    dtype = column_types(frame)[column]
    out = []
    for implementation in (frame.implementation, None):
        selected = frame.select(day_number_expr(nw.col(column), dtype, implementation).alias("n"))
        got = (selected.collect() if hasattr(selected, "collect") else selected)["n"].to_list()
        out.append([None if _missing(v) else int(v) for v in got])
    return out


@pytest.mark.parametrize("engine", MISSING_ENGINES)
@pytest.mark.parametrize("zone", ["UTC", "Europe/Stockholm", None])
@settings(max_examples=8, deadline=None)
@given(values=optional_instants)
def test_missing_datetimes_give_missing_day_numbers_on_every_engine(
    engine: str, zone: str | None, values: list[dt.datetime | None]
) -> None:
    import pandas as pd

    series = pd.Series(pd.to_datetime(values, utc=True))
    if zone is None:
        series = series.dt.tz_localize(None)
        expected = [None if v is None else day_number(v.replace(tzinfo=None)) for v in values]
    else:
        series = series.dt.tz_convert(zone)
        expected = [None if v is None else day_number(v) for v in values]
    native = _native(pd.DataFrame({"at": series}), engine)
    for got in _day_numbers_on(native):
        assert got == expected, engine


@pytest.mark.parametrize("engine", MISSING_ENGINES)
def test_missing_dates_give_missing_day_numbers_on_every_engine(engine: str) -> None:
    import pandas as pd
    import polars as pl

    values = [dt.date(2024, 2, 29), None, dt.date(1969, 12, 31), None]
    expected = [19782, None, -1, None]
    if engine in ("pandas-numpy", "dask"):  # numpy-backed pandas holds dates as datetime64
        table = pd.DataFrame({"at": pd.to_datetime(values)})
    else:
        table = pl.DataFrame({"at": values}, schema={"at": pl.Date}).to_pandas(
            use_pyarrow_extension_array=True
        )
    assert table["at"].isna().tolist() == [False, True, False, True]
    for got in _day_numbers_on(_native(table, engine)):
        assert got == expected


def test_rules_on_missing_dates_agree_with_records_on_numpy_backed_pandas() -> None:
    import pandas as pd

    from crmkit.frames import as_of, col, evaluate, with_columns

    rows = [{"at": dt.datetime(2024, 12, 1, 8)}, {"at": None}]
    rules = {
        "recent": col("at") >= as_of(days=-60),
        "old": ~(col("at") >= as_of(days=-60)),
        "age": col("at").days_before_as_of(),
        "unknown": col("at").day().is_null(),
    }
    frame = pd.DataFrame({"at": pd.to_datetime([r["at"] for r in rows])})
    out = with_columns(frame, rules, dt.date(2024, 12, 31))
    for name, rule in rules.items():
        want = evaluate(rule, rows, dt.date(2024, 12, 31))
        got = [None if _missing(v) else v for v in out[name].tolist()]
        assert got == want, name
    assert out["age"].tolist()[0] == 30


@pytest.mark.parametrize("engine", ["pandas-numpy", "pandas-arrow", "polars", "pyarrow", "duckdb"])
@pytest.mark.parametrize("zone", ["America/New_York", "America/Port_of_Spain", "Etc/GMT+5"])
def test_zones_narwhals_misreads_on_pandas_are_read_and_converted(engine: str, zone: str) -> None:
    # narwhals 2.29 reads datetime64[..., America/New_York] (any zone name with "_", "+", a
    # digit …) as Unknown; column_types reads the pandas dtype and the day is the UTC day
    import pandas as pd

    values = [dt.datetime(2024, 12, 31, 1, 30, tzinfo=dt.UTC), None, dt.datetime(2024, 3, 2, 4)]
    series = pd.Series(pd.to_datetime(values, utc=True)).dt.tz_convert(zone)
    native = _native(pd.DataFrame({"at": series}), engine)
    frame = from_native(native)
    dtype = column_types(frame)["at"]
    assert dtype.time_zone == ("UTC" if engine == "duckdb" else zone)  # DuckDB: the session's
    selected = frame.select(
        day_number_expr(narwhals().col("at"), dtype, frame.implementation).alias("n")
    )
    got = (selected.collect() if hasattr(selected, "collect") else selected)["n"].to_list()
    assert [None if _missing(v) else int(v) for v in got] == [20088, None, 19784]


def test_in_utc_converts_dask_columns_narwhals_cannot_convert() -> None:
    import pandas as pd

    at = pd.Series(pd.to_datetime(["2024-12-31 01:30"], utc=True)).dt.tz_convert("America/New_York")
    frame = from_native(_native(pd.DataFrame({"at": at, "n": [1]}), "dask"))
    converted, schema = in_utc(frame, ["at"], column_types(frame))
    assert schema["at"].time_zone == "UTC"
    assert str(converted.collect()["at"][0]) == "2024-12-31 01:30:00+00:00"
    day = converted.select(day_number_expr(narwhals().col("at"), schema["at"]).alias("n"))
    assert day.collect()["n"].to_list() == [20088]


def test_rules_on_a_pandas_column_in_such_a_zone_keep_the_column_as_it_is() -> None:
    import pandas as pd

    from crmkit.frames import as_of, col, with_columns

    at = pd.Series(pd.to_datetime(["2024-12-31 01:30", None], utc=True)).dt.tz_convert(
        "America/New_York"
    )
    rules = {"today": col("at") >= as_of(), "age": col("at").days_before_as_of()}
    out = with_columns(pd.DataFrame({"at": at}), rules, dt.date(2024, 12, 31))
    assert out["today"].tolist() == [True, False]  # 20:30 in New York is the 31st in UTC
    assert [None if _missing(v) else v for v in out["age"].tolist()] == [0, None]
    assert str(out["at"].dtype).endswith("America/New_York]")  # the caller's column as it was
