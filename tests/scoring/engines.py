"""Test helpers: the same rows as a pandas, Polars (eager and lazy) or DuckDB frame, and
frame results back as plain rows, so records and frames engines can be compared."""

from __future__ import annotations

from typing import Any

import duckdb
import narwhals as nw
import pandas as pd
import polars as pl

#: pandas runs with Arrow-backed dtypes (nullable ints and dates); numpy-backed pandas is
#: exercised separately in the tests that need it.
ENGINES = ["pandas", "polars", "polars-lazy", "duckdb"]


def to_frame(rows: list[dict[str, Any]], engine: str, schema: dict[str, Any]) -> Any:
    """``rows`` as a native frame of ``engine``; ``schema`` is a Polars schema."""
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    if engine == "polars":
        return frame
    if engine == "polars-lazy":
        return frame.lazy()
    if engine == "pandas":
        return frame.to_pandas(use_pyarrow_extension_array=True)
    if engine == "pandas-numpy":
        return frame.to_pandas()
    if engine == "duckdb":
        con = duckdb.connect()
        table = frame.to_arrow()
        return con.from_arrow(table)
    raise AssertionError(engine)


def rows_of(native: Any) -> list[dict[str, Any]]:
    """A native frame's rows as dicts, in frame order (lazy frames are collected)."""
    frame = nw.from_native(native)
    if isinstance(frame, nw.LazyFrame):
        frame = frame.collect()
    return frame.rows(named=True)


def is_lazy_native(native: Any) -> bool:
    """Whether the native result is still lazy."""
    return isinstance(nw.from_native(native), nw.LazyFrame)


__all__ = ["ENGINES", "is_lazy_native", "pd", "rows_of", "to_frame"]
