"""Looking a value up by an integer cell code: ``table[sum(column_i * weight_i)]``.

Some rule sets read only a few small integer columns (an RFM segment map reads the R and F
scores, 1..n). Such a rule set has few *cells*; it can be evaluated once per cell in Python
and the frame only looks its cell up — one lookup per row instead of the rules' comparisons,
and a far smaller expression to build.

The cell code of a row is ``sum(value_i * weight_i)`` over the columns, a missing value
counting as 0, and the result is ``table[code]``. Engines with a replace operation get one
``replace_strict`` (Polars, pandas, PyArrow, Dask, PySpark) — on pandas with NumPy ``int64``
columns the codes are NumPy sums and the values one PyArrow ``take`` instead
(:func:`pandas_labels`), the same column in a fraction of the time; on DuckDB the lookup is a list
literal indexed by the code (``[...][code + 1]``), projected with DuckDB's relational API,
because narwhals' ``replace_strict`` there becomes a map extraction per row that costs as
much as the rest of the query.

Examples:
    >>> import polars as pl
    >>> from crmkit.frames import from_native, with_lookup
    >>> frame = from_native(pl.DataFrame({"r": [1, 2, None], "f": [2, 1, 1]}))
    >>> table = ["none", "f1", "f2", "r1", "r1f1", "r1f2", "r2", "r2f1", "r2f2"]
    >>> with_lookup(frame, {"r": 3, "f": 1}, table, "cell")["cell"].to_list()
    ['r1f2', 'r2f1', 'f1']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from crmkit.frames.expression import identifier_sql
from crmkit.frames.native import from_native, narwhals, to_native

__all__ = ["pandas_labels", "with_lookup"]


def _quote_text(value: str | None) -> str:
    return "NULL" if value is None else "'" + value.replace("'", "''") + "'"


def with_lookup(
    frame: Any, weights: Mapping[str, int], table: Sequence[str | None], name: str
) -> Any:
    """Add column ``name`` = ``table[sum(column * weight)]`` (missing values count as 0).

    ``frame`` is a narwhals frame whose ``weights`` columns are integers; every code a row
    can have must be an index of ``table`` (values ``None`` give a missing result). Lazy stays
    lazy.

    Examples:
        >>> import duckdb
        >>> from crmkit.frames import from_native, to_native, with_lookup
        >>> rel = duckdb.sql("select 0 as a union all select 2")
        >>> out = with_lookup(from_native(rel), {"a": 1}, ["zero", "one", None], "word")
        >>> sorted(to_native(out).fetchall())
        [(0, 'zero'), (2, None)]
    """
    nw = narwhals()
    if frame.implementation.is_duckdb():
        code = " + ".join(
            f"coalesce({identifier_sql(column, 'duckdb')}, 0) * {int(weight)}"
            for column, weight in weights.items()
        )
        values = ", ".join(_quote_text(value) for value in table)
        lookup = f"CAST(([{values}])[({code or '0'}) + 1] AS VARCHAR)"
        return from_native(
            to_native(frame).project(f"*, {lookup} AS {identifier_sql(name, 'duckdb')}")
        )
    if frame.implementation.is_pandas():
        looked_up = _pandas_lookup(to_native(frame), weights, table, name)
        if looked_up is not None:
            return from_native(looked_up)
    code_expr = sum(
        (nw.col(column).fill_null(0) * int(weight) for column, weight in weights.items()),
        start=nw.lit(0),
    )
    lookup_expr = code_expr.replace_strict(
        list(range(len(table))),
        list(table),
        default=nw.lit(None, dtype=nw.String),
        return_dtype=nw.String,
    )
    return frame.with_columns(lookup_expr.alias(name))


def _pandas_string_dtype() -> Any:
    """pandas' default string dtype: the dtype pandas gives a column of Python strings (the
    PyArrow-backed ``str`` dtype when that is pandas' default)."""
    import pandas as pd

    return pd.Series([""]).dtype


def pandas_labels(codes: Any, table: Sequence[str | None], index: Any) -> Any:
    """A pandas Series of ``table[code]`` for NumPy integer ``codes`` (each in range; a
    ``None`` entry gives a missing value), with
    ``index``: the column narwhals' ``when/then`` chain of ``lit(label)`` values gives on
    pandas, the same dtype (pandas' default string dtype) and values.

    narwhals builds that column by ``Series.where`` over each label in turn, and pandas turns
    the Python strings into its string dtype; on pandas' PyArrow-backed ``str`` dtype this is
    one PyArrow ``take`` from the few labels instead (about a tenth of the time at a million
    rows), otherwise a NumPy ``take`` of the labels as objects.

    Examples:
        >>> import numpy as np
        >>> import pandas as pd
        >>> from crmkit.frames.lookup import pandas_labels
        >>> pandas_labels(np.array([0, 2, 1]), ["A", "B", "C"], pd.RangeIndex(3)).tolist()
        ['A', 'C', 'B']
    """
    import numpy as np
    import pandas as pd

    dtype = _pandas_string_dtype()
    if getattr(dtype, "storage", None) == "pyarrow":
        import pyarrow as pa
        import pyarrow.compute as pc

        labels = pc.take(pa.array(list(table), type=pa.large_string()), pa.array(codes))
        return pd.Series(pd.array(labels, dtype=dtype), index=index, copy=False)
    return pd.Series(np.array(list(table), dtype=object)[codes], index=index, dtype=dtype)


def _pandas_lookup(
    native: Any, weights: Mapping[str, int], table: Sequence[str | None], name: str
) -> Any:
    """:func:`with_lookup` on a pandas frame by NumPy: the codes from NumPy ``int64`` columns
    and the values by :func:`pandas_labels`, when pandas' default string dtype is the
    PyArrow-backed one narwhals' ``replace_strict`` gives too; ``None`` otherwise (a column
    that is not a NumPy ``int64`` one, a code outside the table, another string dtype), and
    narwhals' ``replace_strict`` runs.
    """
    import numpy as np

    if getattr(_pandas_string_dtype(), "storage", None) != "pyarrow":
        return None
    codes = np.zeros(len(native), dtype=np.int64)
    for column, weight in weights.items():
        values = native[column]
        if values.dtype != np.int64:  # (int64 arithmetic, as narwhals' on these columns)
            return None
        codes += values.to_numpy() * np.int64(weight)
    if len(codes) and (int(codes.min()) < 0 or int(codes.max()) >= len(table)):
        return None
    return native.assign(**{name: pandas_labels(codes, table, native.index)})
