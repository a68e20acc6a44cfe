"""The running sum of :func:`crmkit.frames.with_running_sum` on pandas and Polars.

**Polars.** narwhals computes ``cum_sum().over(order_by=keys)`` as a window over one
partition ordered by the row encoding of the keys, and the total as a one-row frame crossed
with the frame. Here the frame is sorted by the keys (missing values first, as narwhals orders
them) and the running sum and the total are a plain ``cum_sum()`` and ``sum()`` in one
``with_columns``, as a Polars user writes it: the same sums, the rows in ``keys`` order (the
order of a group-by's rows, which ``with_running_sum`` is given, is unspecified anyway).

**pandas.** narwhals computes ``cum_sum().over(order_by=keys)`` on pandas by sorting the whole frame
(``sort_values`` on every key: pandas factorizes each key and lexsorts the codes, then takes
every column in the new order), summing, and scattering the sums back through the row index;
the total joins as a one-row frame crossed with it. Here the rows are ordered by one stable
``argsort`` of the first key, only the rows in runs of equal first values are ordered by the
other keys (a ``sort_values`` of those few rows, missing values first as narwhals sorts), the
values are summed in that order with ``cumsum`` and the sums put back in place, and the total
is the column's ``sum()`` as a constant column. The order is the same total order, the
additions the same in the same order, so the columns are identical (the tests compare them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["pandas_running_sum", "polars_running_sum"]

#: The value dtypes summed here (others, nullable and Arrow-backed ones too, go to narwhals).
_VALUE_DTYPES = ("int64", "float64")


def pandas_running_sum(
    native: Any, value: str, keys: Sequence[str], name: str, total: str | None
) -> Any:
    """``native`` (a pandas DataFrame) with the running sum of ``value`` in ``keys`` order as
    ``name`` (and the sum of all rows as ``total``), or ``None`` when the value or the first
    key is not a NumPy ``int64`` / ``float64`` column without missing values (the caller then
    uses narwhals' ``cum_sum``).

    Examples:
        >>> import pandas as pd
        >>> from crmkit.frames._running_sum import pandas_running_sum
        >>> frame = pd.DataFrame({"k": ["a", "b", "c"], "u": [5, 1, 3]})
        >>> pandas_running_sum(frame, "u", ["u", "k"], "run", "all")["run"].tolist()
        [9, 1, 4]
    """
    import numpy as np

    column, lead = native[value], native[keys[0]]
    if str(column.dtype) not in _VALUE_DTYPES or str(lead.dtype) not in _VALUE_DTYPES:
        return None
    values, first = column.to_numpy(), lead.to_numpy()
    if (column.dtype.kind == "f" and np.isnan(values).any()) or (
        lead.dtype.kind == "f" and np.isnan(first).any()
    ):
        return None
    order = np.argsort(first, kind="stable")
    if len(keys) > 1 and len(order) > 1:
        ranked = first[order]
        tied = ranked[1:] == ranked[:-1]
        if tied.any():
            # the rows in runs of one first value keep their run's places, ordered by all keys
            in_run = np.zeros(len(order), dtype=bool)
            in_run[1:] |= tied
            in_run[:-1] |= tied
            places = np.flatnonzero(in_run)
            rows = order[places]
            within = native[list(keys)].iloc[rows].reset_index(drop=True)
            order[places] = rows[within.sort_values(list(keys), na_position="first").index]
    running = np.empty_like(values)
    running[order] = np.cumsum(values[order])
    columns: dict[str, Any] = {name: running}
    if total is not None:
        columns[total] = column.sum()
    return native.assign(**columns)


def polars_running_sum(
    native: Any, value: str, keys: Sequence[str], name: str, total: str | None
) -> Any:
    """``native`` (a Polars DataFrame or LazyFrame) sorted by ``keys`` (missing values first)
    with the running sum of ``value`` as ``name`` (and the sum of all rows as ``total``).

    Examples:
        >>> import polars as pl
        >>> from crmkit.frames._running_sum import polars_running_sum
        >>> frame = pl.DataFrame({"k": ["a", "b", "c"], "u": [5, 1, 3]})
        >>> polars_running_sum(frame, "u", ["u", "k"], "run", "all").rows()
        [('b', 1, 1, 9), ('c', 3, 4, 9), ('a', 5, 9, 9)]
    """
    import polars as pl

    out = native.sort(list(keys), nulls_last=False).with_columns(
        pl.col(value).cum_sum().alias(name)
    )
    if total is None:
        return out
    # the total joins as a column: a broadcast ``sum()`` would let Polars divide by it through
    # its reciprocal, one ulp off the exact share
    return out.join(native.select(pl.col(value).sum().alias(total)), how="cross")
