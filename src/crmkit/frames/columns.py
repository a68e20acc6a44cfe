"""Checking that a frame has the columns an analytic reads.

Examples:
    >>> import polars as pl
    >>> from crmkit.frames import from_native, require_columns
    >>> require_columns(from_native(pl.DataFrame({"a": [1]})), ["a", "b"], what="orders")
    Traceback (most recent call last):
    ...
    crmkit.errors.ValidationError: orders.b: is missing; the frame has columns 'a'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from crmkit.errors import Problem, ValidationError

__all__ = ["column_names", "column_types", "dates_from_objects", "in_utc", "require_columns"]


def column_names(frame: Any) -> list[str]:
    """The column names of a narwhals frame (lazy frames are not collected).

    Examples:
        >>> import polars as pl
        >>> from crmkit.frames import column_names, from_native
        >>> column_names(from_native(pl.LazyFrame({"x": [1], "y": [2]})))
        ['x', 'y']
    """
    return list(frame.collect_schema().names())


def column_types(frame: Any) -> dict[str, Any]:
    """Column name → narwhals dtype of a narwhals frame, with pandas time zones read right.

    narwhals 2.29 reads the dtype of a pandas (or Dask) datetime column whose time-zone name
    holds a character other than letters and ``/`` — ``America/New_York``,
    ``Etc/GMT+1`` — as ``Unknown``. Such columns are read here from the native dtype
    instead, as ``Datetime(unit, zone)``, so analytics treat them as the datetimes they are.

    Examples:
        >>> import pandas as pd
        >>> from crmkit.frames import column_types, from_native
        >>> at = pd.to_datetime(["2024-01-01 09:00"]).tz_localize("America/New_York")
        >>> column_types(from_native(pd.DataFrame({"at": at})))["at"].time_zone
        'America/New_York'
    """
    from crmkit.frames.native import narwhals, to_native

    nw = narwhals()
    schema = dict(frame.collect_schema())
    unknown = [name for name, dtype in schema.items() if isinstance(dtype, nw.Unknown)]
    implementation = frame.implementation
    if unknown and (implementation.is_pandas_like() or implementation.is_dask()):
        native_types = to_native(frame).dtypes
        for name in unknown:
            native = native_types[name]
            zone, unit = getattr(native, "tz", None), getattr(native, "unit", None)
            if zone is not None and unit in ("s", "ms", "us", "ns"):
                schema[name] = nw.Datetime(unit, str(zone))
    return schema


def _kind_of(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return "aware" if value.tzinfo is not None else "naive"
    return "date" if isinstance(value, dt.date) else "other"


def dates_from_objects(
    frame: Any, columns: Iterable[str], schema: dict[str, Any]
) -> tuple[Any, dict[str, Any]]:
    """``frame`` with its pandas ``object`` columns of Python dates read as datetime columns.

    A pandas column built from ``datetime.date`` values (or ``datetime`` values that pandas
    did not convert) has the ``object`` dtype, which no dataframe expression can compare or
    take days of. When every value of such a column among ``columns`` is a ``date``, or every
    one a naive ``datetime``, or every one an aware ``datetime``, the column is converted to a
    ``datetime64`` column holding the same days (aware values in UTC; missing values stay
    missing); otherwise it is left as it is, and the analytic's type check names it. Only eager
    pandas frames are converted: checking the values of a lazy frame (Dask) would force a
    computation (convert such a column with ``dask.dataframe.to_datetime``). Like
    :func:`in_utc`, the caller's own frame is not changed. Returns the frame and its schema.

    Examples:
        >>> import datetime as dt
        >>> import pandas as pd
        >>> from crmkit.frames import column_types, dates_from_objects, from_native
        >>> frame = from_native(pd.DataFrame({"at": [dt.date(2024, 1, 5), None]}))
        >>> converted, schema = dates_from_objects(frame, ["at"], column_types(frame))
        >>> str(schema["at"]).startswith("Datetime"), str(converted["at"][0])
        (True, '2024-01-05 00:00:00')
    """
    from crmkit.frames.native import from_native, narwhals, to_native

    nw = narwhals()
    if not frame.implementation.is_pandas() or not isinstance(frame, nw.DataFrame):
        return frame, schema
    objects = [name for name in columns if isinstance(schema.get(name), nw.Object)]
    if not objects:
        return frame, schema
    native = to_native(frame)
    pandas = nw.get_native_namespace(frame)
    converted = {}
    for name in objects:
        column = native[name]
        kinds = {_kind_of(value) for value in column[column.notna()]}
        if len(kinds) > 1 or "other" in kinds:
            continue
        converted[name] = pandas.to_datetime(column, utc=kinds == {"aware"})
    if not converted:
        return frame, schema
    frame = from_native(native.assign(**converted))
    return frame, column_types(frame)


def in_utc(
    frame: Any, columns: Iterable[str], schema: dict[str, Any]
) -> tuple[Any, dict[str, Any]]:
    """``frame`` with its ``columns`` in a time zone other than UTC converted to UTC.

    The one place where aware datetime columns are brought to UTC before an analytic filters,
    groups or takes calendar days of them (the time rule: instants count by their UTC
    calendar day). Where the engine stores the zone in the data type (pandas, Polars,
    PyArrow, Dask) the column is converted to the same instants in UTC — Dask columns in a
    zone narwhals misreads (:func:`column_types`) with Dask's own ``tz_convert``. DuckDB and
    PySpark keep the zone in the session and compare instants whatever it is; their columns
    come back as they are (:func:`crmkit.frames.day_number_expr` numbers them in UTC). Use it
    where the converted columns are read but not handed back (aggregations): the caller's own
    columns are not changed. Returns the frame and its schema.

    Examples:
        >>> import pandas as pd
        >>> from crmkit.frames import column_types, from_native, in_utc
        >>> at = pd.to_datetime(["2024-01-01 22:00"]).tz_localize("America/New_York")
        >>> frame = from_native(pd.DataFrame({"at": at}))
        >>> converted, schema = in_utc(frame, ["at"], column_types(frame))
        >>> schema["at"].time_zone, str(converted["at"][0])
        ('UTC', '2024-01-02 03:00:00+00:00')
    """
    from crmkit.frames.day_number import UTC_ZONES
    from crmkit.frames.native import from_native, narwhals, to_native

    nw = narwhals()
    implementation = frame.implementation
    if implementation.is_spark_like():
        return frame, schema
    convert = [
        name
        for name in columns
        if isinstance(schema.get(name), nw.Datetime)
        and schema[name].time_zone is not None
        and schema[name].time_zone not in UTC_ZONES
    ]
    if not convert:
        return frame, schema
    out = dict(schema)
    if implementation.is_duckdb():
        return _duckdb_in_utc(frame, convert, out)
    for name in convert:
        out[name] = nw.Datetime(schema[name].time_unit, "UTC")
    if implementation.is_dask():
        native_schema = dict(frame.collect_schema())
        misread = [name for name in convert if isinstance(native_schema.get(name), nw.Unknown)]
        if misread:
            native = to_native(frame)
            native = native.assign(**{name: native[name].dt.tz_convert("UTC") for name in misread})
            frame = from_native(native)
        convert = [name for name in convert if name not in misread]
    if convert:
        if implementation.is_pandas_like():  # a cast converts the instants (any zone name)
            exprs = [nw.col(name).cast(out[name]) for name in convert]
        else:
            exprs = [nw.col(name).dt.convert_time_zone("UTC") for name in convert]
        frame = frame.with_columns(*exprs)
    return frame, out


def _duckdb_in_utc(frame: Any, convert: list[str], schema: dict[str, Any]) -> tuple[Any, Any]:
    """A DuckDB relation whose ``TIMESTAMPTZ`` columns ``convert`` hold their UTC wall clock.

    DuckDB reads a ``TIMESTAMPTZ`` in the connection's time zone (calendar functions, casts to
    ``DATE``, even the difference of two instants), so a connection in another zone than UTC
    would shift days. ``timezone('UTC', column)`` gives the plain ``TIMESTAMP`` of the UTC wall
    clock, which every later step reads as it is.
    """
    from crmkit.frames.expression import identifier_sql
    from crmkit.frames.native import from_native, narwhals, to_native

    nw = narwhals()
    relation = to_native(frame)

    def quoted(name: str) -> str:
        return identifier_sql(name, "duckdb")

    columns = [
        f"timezone('UTC', {quoted(name)}) AS {quoted(name)}" if name in convert else quoted(name)
        for name in schema
    ]
    for name in convert:
        schema[name] = nw.Datetime(schema[name].time_unit)
    return from_native(relation.project(", ".join(columns))), schema


def require_columns(
    frame: Any, columns: Iterable[str], *, what: str = "frame", schema: Any = None
) -> None:
    """Raise :class:`~crmkit.errors.ValidationError` naming every missing column.

    ``schema`` is the frame's ``collect_schema()`` (or :func:`column_types`) when the caller
    already has it (on lazy
    SQL engines each schema look-up binds a query, so an analytic asks once).

    Examples:
        >>> import polars as pl
        >>> from crmkit.frames import from_native, require_columns
        >>> require_columns(from_native(pl.DataFrame({"a": [1]})), ["a"])  # no error
    """
    present = list(schema) if schema is not None else column_names(frame)
    have = set(present)
    listed = ", ".join(repr(c) for c in present) or "none"
    problems = [
        Problem(f"{what}.{name}", message=f"is missing; the frame has columns {listed}")
        for name in columns
        if name not in have
    ]
    if problems:
        raise ValidationError(problems)
