"""Build the same rows as every dataframe engine, and read results back as plain dicts."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import narwhals as nw

warnings.filterwarnings("ignore", message=".*narwhals-dask.*", category=FutureWarning)

try:  # tiny test frames: the synchronous scheduler avoids thread start-up per compute
    import dask

    dask.config.set(scheduler="synchronous")
except ImportError:  # pragma: no cover
    pass


def _columns(rows: list[dict[str, Any]], columns: list[str]) -> dict[str, list[Any]]:
    return {c: [r[c] for r in rows] for c in columns}


def pandas_frame(rows: list[dict[str, Any]], columns: list[str]) -> Any:
    import pandas as pd

    return pd.DataFrame(_columns(rows, columns), columns=columns)


def polars_frame(rows: list[dict[str, Any]], columns: list[str]) -> Any:
    import polars as pl

    return pl.DataFrame(_columns(rows, columns), strict=False)


def polars_lazy(rows: list[dict[str, Any]], columns: list[str]) -> Any:
    return polars_frame(rows, columns).lazy()


def arrow_table(rows: list[dict[str, Any]], columns: list[str]) -> Any:
    return polars_frame(rows, columns).to_arrow()


_DUCKDB: Any = None


def duckdb_relation(rows: list[dict[str, Any]], columns: list[str]) -> Any:
    global _DUCKDB
    import duckdb

    if _DUCKDB is None:
        _DUCKDB = duckdb.connect()
        _DUCKDB.execute("SET TimeZone='UTC'")
    return _DUCKDB.from_arrow(arrow_table(rows, columns))


def dask_frame(rows: list[dict[str, Any]], columns: list[str]) -> Any:
    import dask.dataframe as dd

    return dd.from_pandas(pandas_frame(rows, columns), npartitions=2)


#: Engine name → builder. Every builder gets the same rows.
ENGINES: dict[str, Callable[[list[dict[str, Any]], list[str]], Any]] = {
    "pandas": pandas_frame,
    "polars": polars_frame,
    "polars-lazy": polars_lazy,
    "pyarrow": arrow_table,
    "duckdb": duckdb_relation,
    "dask": dask_frame,
}

LAZY = {"polars-lazy", "duckdb", "dask"}
#: Dask builds and optimises a task graph per operation (seconds per query on a shared machine),
#: so property tests run it on fewer examples than the in-process engines.
FAST_ENGINES = {k: v for k, v in ENGINES.items() if k != "dask"}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # numpy scalars
        return value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def rows_of(native: Any, sort_by: str = "customer_id") -> list[dict[str, Any]]:
    """A native result frame as a list of dicts with plain Python values, sorted."""
    frame = nw.from_native(native)
    if isinstance(frame, nw.LazyFrame):
        frame = frame.collect()
    out = [{k: _plain(v) for k, v in row.items()} for row in frame.rows(named=True)]
    return sorted(out, key=lambda r: (r[sort_by] is None, str(r[sort_by])))
