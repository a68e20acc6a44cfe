"""Calendar days as integers: the one date arithmetic both engines do exactly alike.

A *day number* is the count of days from 1970-01-01 to the UTC calendar day of a value: a
``date`` is taken as it is, a naive ``datetime`` by its own calendar day, and an aware
``datetime`` by its calendar day in UTC. Recency, activity windows and date rules compare day
numbers, so the records engine and every dataframe engine agree to the day.

On frames the day number is computed from ``dt.year()`` and ``dt.ordinal_day()`` with integer
arithmetic, which every narwhals backend (pandas, Polars, PyArrow, DuckDB, Dask, PySpark)
supports; a column in another time zone is converted to UTC first where the backend stores the
zone in the data type. DuckDB (``TIMESTAMPTZ``) and PySpark keep the zone in the connection /
session instead: there an aware value is numbered from its seconds since the epoch, which do
not depend on the session's zone, so any session zone gives the UTC day.

Calendar periods (months, quarters, years) are read from the day number too
(:func:`with_year_month`, :func:`utc_date`), so every analytic and engine counts an instant in
the same UTC calendar day, month and year. The rule is stated once in the docs page
*Time and boundaries* (``docs/concepts/time-and-boundaries.md``).

Examples:
    >>> import datetime as dt
    >>> from crmkit.frames import day_number
    >>> day_number(dt.date(1970, 1, 2))
    1
    >>> day_number(dt.datetime(2024, 1, 1, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-2))))
    19724
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from operator import attrgetter
from typing import Any

from crmkit.errors import ValidationError
from crmkit.frames.native import narwhals

__all__ = [
    "EPOCH",
    "UTC_ZONES",
    "date_of_day_number",
    "day_number",
    "day_number_expr",
    "day_numbers",
    "numbered_by_ordinal",
    "seconds_between_expr",
    "utc_date",
    "with_year_month",
]

#: Day number 0.
EPOCH = dt.date(1970, 1, 1)
_EPOCH_ORDINAL = EPOCH.toordinal()
#: Time-zone names that need no conversion to reach UTC.
UTC_ZONES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Zulu", "Zulu", "GMT", "Etc/GMT"})
# Leap days in the years 1..1969, so that 1970-01-01 is day 0.
_LEAPS_BEFORE_1970 = 1969 // 4 - 1969 // 100 + 1969 // 400


def day_number(value: dt.date) -> int:
    """The day number of a ``date`` or ``datetime`` (aware datetimes by their UTC day).

    Examples:
        >>> import datetime as dt
        >>> from crmkit.frames import day_number
        >>> day_number(dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc))
        19723
    """
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None and value.tzinfo is not dt.UTC:
            value = value.astimezone(dt.UTC)
        return value.toordinal() - _EPOCH_ORDINAL
    if isinstance(value, dt.date):
        return value.toordinal() - _EPOCH_ORDINAL
    raise ValidationError.single("", value, "is not a date or datetime")


def day_numbers(values: Iterable[dt.date]) -> list[int]:
    """The day numbers of many ``date`` / ``datetime`` values (see :func:`day_number`).

    Dates, naive datetimes and datetimes in :data:`datetime.UTC` need no conversion, so they
    are numbered in one pass over their ordinals; other time zones go value by value.

    Examples:
        >>> import datetime as dt
        >>> from crmkit.frames import day_numbers
        >>> day_numbers([dt.date(1970, 1, 3), dt.datetime(1970, 1, 2, 23, 0, tzinfo=dt.UTC)])
        [2, 1]
    """
    values = list(values)
    if numbered_by_ordinal(values):
        try:
            return [o - _EPOCH_ORDINAL for o in map(dt.date.toordinal, values)]
        except TypeError:  # not a date: day_number names the value
            pass
    return [day_number(value) for value in values]


def numbered_by_ordinal(values: Collection[Any]) -> bool:
    """Whether every value's day number is its own date's ordinal less the epoch's: true for
    dates, naive datetimes and datetimes in :data:`datetime.UTC`, which need no conversion
    (:func:`day_numbers` numbers them in one pass; the latest of them has the latest day).

    Examples:
        >>> import datetime as dt
        >>> from crmkit.frames.day_number import numbered_by_ordinal
        >>> numbered_by_ordinal([dt.date(2024, 1, 1), dt.datetime(2024, 1, 1, tzinfo=dt.UTC)])
        True
        >>> numbered_by_ordinal([dt.datetime(2024, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=1)))])
        False
    """
    try:
        zones = set(map(attrgetter("tzinfo"), values))  # (datetimes: their zones read in C)
    except AttributeError:  # a date (it has no zone), or not a date at all
        if set(map(type, values)) <= {dt.date}:
            return True
        zones = {getattr(value, "tzinfo", None) for value in values}
    return zones <= {None, dt.UTC}


def utc_date(value: dt.date) -> dt.date:
    """The UTC calendar day of a ``date`` or ``datetime`` (the date of :func:`day_number`).

    Examples:
        >>> import datetime as dt
        >>> from crmkit.frames import utc_date
        >>> tokyo = dt.timezone(dt.timedelta(hours=9))
        >>> utc_date(dt.datetime(2024, 1, 1, 5, 0, tzinfo=tokyo))
        datetime.date(2023, 12, 31)
        >>> utc_date(dt.date(2024, 1, 1))
        datetime.date(2024, 1, 1)
    """
    return date_of_day_number(day_number(value))


def date_of_day_number(number: int) -> dt.date:
    """The calendar date of a day number (inverse of :func:`day_number`).

    Examples:
        >>> from crmkit.frames import date_of_day_number
        >>> date_of_day_number(19723)
        datetime.date(2024, 1, 1)
    """
    return dt.date.fromordinal(int(number) + _EPOCH_ORDINAL)


def day_number_expr(expr: Any, dtype: Any = None, implementation: Any = None) -> Any:
    """Compile the day number of a narwhals date/datetime expression of ``dtype``.

    ``dtype`` (from ``frame.collect_schema()``) decides whether a time-zone conversion to UTC
    is needed; leave it ``None`` for naive datetimes and dates. ``implementation`` (the
    frame's ``implementation``) is optional: on Polars and PyArrow, whose dates are stored as
    days since 1970-01-01, the day number is then the date cast to an integer, which is much
    cheaper than calendar arithmetic on time-zone-aware values; on DuckDB it is the date
    minus 1970-01-01 (a datetime cast to a date first), and so is a date on PySpark; other
    engines (and ``None``) use the portable year / day-of-year formula on the value itself.
    All give the same numbers, and a missing date gives a missing day number on every engine
    (numpy-backed pandas holds it as NaN in a float column).

    Examples:
        >>> import datetime as dt
        >>> import polars as pl
        >>> from crmkit.frames import day_number_expr, narwhals
        >>> nw = narwhals()
        >>> frame = nw.from_native(pl.DataFrame({"d": [dt.date(2024, 1, 1)]}))
        >>> frame.select(day_number_expr(nw.col("d")).alias("n"))["n"].to_list()
        [19723]
        >>> frame.select(day_number_expr(nw.col("d"), nw.Date, frame.implementation).alias(
        ...     "n"))["n"].to_list()
        [19723]
    """
    nw = narwhals()
    zone = getattr(dtype, "time_zone", None)
    if zone is not None and implementation is not None and implementation.is_spark_like():
        # Spark reads a timestamp in the session's *current* zone, which may differ from the
        # zone its schema reports: count every instant from the epoch
        return _epoch_day(expr, zone, implementation)
    if zone is not None and zone not in UTC_ZONES:
        if _zone_in_session(implementation):
            return _epoch_day(expr, zone, implementation)
        expr = _in_utc(expr, dtype, implementation)
    if dtype is not None and _stores_dates_as_days(implementation):
        if dtype != nw.Date:
            expr = expr.dt.date()
        return expr.cast(nw.Int32).cast(nw.Int64)
    if dtype == nw.Date and implementation is not None and _subtracts_dates_to_days(implementation):
        # PySpark: a DATE minus another is an interval of days, which casts to their number
        # (as DuckDB's integer below) -- the year / day-of-year formula's numbers, cheaper
        return (expr - nw.lit(EPOCH)).cast(nw.Int64)
    if dtype is not None and implementation is not None and implementation.is_duckdb():
        # a DATE minus 1970-01-01 is the day number (an integer) on DuckDB; a datetime is cast
        # to DATE first, in the session's time zone
        if dtype != nw.Date:
            expr = expr.dt.date()
        return (expr - nw.lit(EPOCH)).cast(nw.Int64)
    if dtype == nw.Datetime and implementation is not None and implementation.is_pandas():
        # pandas: the instant since the epoch in its own unit, floored to days (a missing
        # value stays missing) — the numbers of the formula below in a fraction of its time
        unit = "ms" if dtype.time_unit == "s" else dtype.time_unit
        return expr.dt.timestamp(unit) // _UNITS_PER_DAY[unit]
    year = expr.dt.year()
    ordinal = expr.dt.ordinal_day()
    # numpy-backed pandas (and Dask) hold a missing year as NaN, which no integer cast takes:
    # count a stand-in day and blank it out again at the end (the result is then a float
    # column with NaN where the date is missing, pandas' own way of holding a missing number)
    guard = _holds_missing_as_nan(implementation)
    if guard:
        year, ordinal = year.fill_null(1970), ordinal.fill_null(1)
    year = year.cast(nw.Int64)
    before = year - 1
    leaps = (
        _floor_div(before, 4) - _floor_div(before, 100) + _floor_div(before, 400)
        - _LEAPS_BEFORE_1970
    )  # fmt: skip
    number = (year - 1970) * 365 + leaps + ordinal.cast(nw.Int64) - 1
    return nw.when(~expr.is_null()).then(number) if guard else number


_SECONDS_PER_DAY = 86_400
#: A day in each unit of ``dt.timestamp``.
_UNITS_PER_DAY = {"ms": 86_400_000, "us": 86_400_000_000, "ns": 86_400_000_000_000}


def seconds_between_expr(start: Any, end: Any, implementation: Any) -> Any:
    """The seconds from datetime ``start`` to ``end`` as a Float64 narwhals expression.

    ``(end - start).dt.total_seconds()``; PySpark, which has no duration type in narwhals,
    subtracts the two instants' seconds since the epoch (a timestamp cast to a double), which
    keeps the fraction of a second like Python's ``timedelta.total_seconds``.

    Examples:
        >>> import datetime as dt
        >>> import polars as pl
        >>> from crmkit.frames import from_native, narwhals, seconds_between_expr
        >>> nw = narwhals()
        >>> t = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        >>> frame = from_native(pl.DataFrame({"a": [t], "b": [t + dt.timedelta(minutes=2)]}))
        >>> frame.select(seconds_between_expr(nw.col("a"), nw.col("b"),
        ...              frame.implementation).alias("s"))["s"].to_list()
        [120.0]
    """
    nw = narwhals()
    if implementation.is_spark_like():
        return end.cast(nw.Float64) - start.cast(nw.Float64)
    return (end - start).dt.total_seconds().cast(nw.Float64)


def _zone_in_session(implementation: Any) -> bool:
    """Whether the engine keeps the time zone in the session, not in the data type."""
    if implementation is None:
        return False
    return bool(implementation.is_duckdb() or implementation.is_spark_like())


def _epoch_day(expr: Any, zone: str, implementation: Any) -> Any:
    """The day number of an aware datetime from its seconds since the epoch (exact integers).

    Used where the zone lives in the session, whose calendar functions read the session's
    zone: PySpark casts a timestamp to its seconds since the epoch, which do not depend on
    it. DuckDB reads even the difference of two ``TIMESTAMPTZ`` values in the connection's
    calendar, so a DuckDB column in another zone is converted by
    :func:`crmkit.frames.in_utc` (every analytic does) and one that was not is an error, never
    a shifted day.
    """
    nw = narwhals()
    if implementation.is_duckdb():
        raise ValidationError.single(
            "time_zone",
            zone,
            "is the DuckDB connection's time zone; DuckDB reads TIMESTAMPTZ values in it, so "
            "convert the columns with crmkit.frames.in_utc first or SET TimeZone='UTC'",
        )
    return _floor_div(expr.cast(nw.Int64), _SECONDS_PER_DAY)


def with_year_month(frame: Any, day: str, year: str, month: str) -> Any:
    """``frame`` (narwhals) with the calendar ``year`` and ``month`` (1-12) of its day-number
    column ``day``, as Int64 columns (missing where the day is missing).

    Civil-from-days integer arithmetic (Howard Hinnant's algorithm) on the day number, so the
    year and month are those of the UTC day on every engine, whatever zone or session the
    values came from (day numbers come from :func:`day_number_expr`). Each step is its own
    column: the formula reads its intermediate values several times, and one nested
    expression would repeat them all (too big a plan for SQL engines such as Spark).

    Examples:
        >>> import polars as pl
        >>> from crmkit.frames import from_native, with_year_month
        >>> frame = from_native(pl.DataFrame({"n": [0, 19783, -1, None]}))
        >>> with_year_month(frame, "n", "y", "m").rows()
        [(0, 1970, 1), (19783, 2024, 3), (-1, 1969, 12), (None, None, None)]
    """
    nw = narwhals()
    c = nw.col
    z, era, doe, yoe, doy, mp = (f"__crmkit_ym_{name}" for name in
                                 ("z", "era", "doe", "yoe", "doy", "mp"))  # fmt: skip
    steps = [
        (z, c(day).fill_null(0).cast(nw.Int64) + 719468),
        (era, _floor_div(c(z), 146097)),
        (doe, c(z) - c(era) * 146097),  # day of the 400-year era, 0..146096
        (yoe, _floor_div(c(doe) - _floor_div(c(doe), 1460) + _floor_div(c(doe), 36524)
                         - _floor_div(c(doe), 146096), 365)),
        (doy, c(doe) - (c(yoe) * 365 + _floor_div(c(yoe), 4) - _floor_div(c(yoe), 100))),
        (mp, _floor_div(c(doy) * 5 + 2, 153)),  # month counted from March, 0..11
    ]  # fmt: skip
    for name, expr in steps:
        frame = frame.with_columns(expr.alias(name))
    present = ~c(day).is_null()
    march_to_december = c(mp) < 10
    frame = frame.with_columns(
        nw.when(present)
        .then(
            (c(yoe) + c(era) * 400 + nw.when(march_to_december).then(0).otherwise(1)).cast(nw.Int64)
        )
        .alias(year),
        nw.when(present)
        .then(nw.when(march_to_december).then(c(mp) + 3).otherwise(c(mp) - 9).cast(nw.Int64))
        .alias(month),
    )
    return frame.drop(z, era, doe, yoe, doy, mp)


def _in_utc(expr: Any, dtype: Any, implementation: Any) -> Any:
    """``expr`` (a datetime in a time zone other than UTC) converted to UTC.

    On pandas-like engines this is a cast to a UTC datetime type (pandas converts the
    instants): narwhals' own ``convert_time_zone`` re-reads the column's dtype and fails on
    zones whose name it cannot parse (see :func:`crmkit.frames.column_types`).
    """
    nw = narwhals()
    if implementation is not None and implementation.is_pandas_like():
        return expr.cast(nw.Datetime(getattr(dtype, "time_unit", "us"), "UTC"))
    return expr.dt.convert_time_zone("UTC")


def _holds_missing_as_nan(implementation: Any) -> bool:
    """Whether a missing year may come back as a float NaN (numpy-backed pandas, Dask).

    Unknown engines (``None``) are treated as if they might."""
    if implementation is None:
        return True
    return bool(implementation.is_pandas_like() or implementation.is_dask())


def _subtracts_dates_to_days(implementation: Any) -> bool:
    """Whether a DATE minus a DATE is an interval of whole days that casts to an integer."""
    return bool(implementation.is_pyspark() or implementation.is_pyspark_connect())


def _stores_dates_as_days(implementation: Any) -> bool:
    """Whether the engine's Date type is an int32 of days since 1970-01-01 that casts to int."""
    if implementation is None:
        return False
    return bool(implementation.is_polars() or implementation.is_pyarrow())


def _floor_div(expr: Any, divisor: int) -> Any:
    """``floor(expr / divisor)`` for a year-sized integer expression, as Int64.

    Exact (a year and the divisor are far below 2**52) and a plain ``floor(a / b)`` on SQL
    engines, where narwhals' ``//`` compiles to a sign-correcting ``CASE`` expression.
    """
    return (expr / divisor).floor().cast(narwhals().Int64)
