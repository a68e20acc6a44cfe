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

from collections.abc import Iterable
from typing import Any

from crmkit.errors import Problem, ValidationError

__all__ = ["column_names", "column_types", "in_utc", "require_columns"]


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


def in_utc(
    frame: Any, columns: Iterable[str], schema: dict[str, Any]
) -> tuple[Any, dict[str, Any]]:
    """A Dask frame whose ``columns`` in a zone narwhals misreads are converted to UTC.

    narwhals cannot convert such a column (:func:`column_types`) on Dask, so it is converted
    with Dask's own ``tz_convert`` — the same instants, now in UTC. Other frames and columns
    come back as they are. Use it where the converted columns are read but not handed back
    (aggregations): the caller's own columns are not changed. Returns the frame and its
    schema.

    Examples:
        >>> import pandas as pd
        >>> from crmkit.frames import column_types, from_native, in_utc
        >>> at = pd.to_datetime(["2024-01-01 22:00"]).tz_localize("America/New_York")
        >>> frame = from_native(pd.DataFrame({"at": at}))
        >>> in_utc(frame, ["at"], column_types(frame))[1]["at"].time_zone  # pandas: as it is
        'America/New_York'
    """
    from crmkit.frames.native import from_native, narwhals, to_native

    nw = narwhals()
    if not frame.implementation.is_dask():
        return frame, schema
    native_schema = dict(frame.collect_schema())
    convert = [
        name
        for name in columns
        if isinstance(native_schema.get(name), nw.Unknown)
        and isinstance(schema.get(name), nw.Datetime)
    ]
    if not convert:
        return frame, schema
    native = to_native(frame)
    native = native.assign(**{name: native[name].dt.tz_convert("UTC") for name in convert})
    out = dict(schema)
    for name in convert:
        out[name] = nw.Datetime(schema[name].time_unit, "UTC")
    return from_native(native), out


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
