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
the total joins as a one-row frame crossed with it. Here the rows are ordered by one
``argsort``: of the keys packed into one ``int64`` when every key is a NumPy integer column
and their spans multiply to below ``2**63`` (ABC's micro-unit totals and integer customer
ids), otherwise a stable ``argsort`` of the first key with the rows in runs of equal first
values ordered by the other keys (a ``sort_values`` of those rows, missing values first as
narwhals sorts); the values are summed in that order with ``cumsum`` and the sums put back in
place, and the total is the column's ``sum()`` as a constant column. The order is the same total order, the
additions the same in the same order, so the columns are identical (the tests compare them).

**PySpark** (integer values). A window over the whole frame is a ``SinglePartition`` exchange.
Here the rows get an order-preserving bucket of their first key (``floor(16·log2(1 + |k|))``
with the sign of ``k``); one small job collects each bucket's total (a group-by: a few hundred
rows); each bucket's offset (the sum of the buckets before it) and the grand total become
literals (an array of offsets indexed by the bucket); the running sum is that offset plus a
window partitioned by the bucket, ordered by the keys. Integer sums are exact in any order, so
the values are those of a running sum over the whole frame in key order. The frame is computed
once, when the function is called (:func:`crmkit.frames.native.spark_materialise`): the job of the buckets' totals
and the result read it, instead of each computing it (for ABC, the per-customer group-by over
every transaction) again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from crmkit.frames.native import spark_materialise

__all__ = ["pandas_running_sum", "polars_running_sum", "spark_running_sum"]

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
    order = _integer_key_order(native, keys)
    if order is None:
        order = _first_key_order(native, first, keys)
    running = np.empty_like(values)
    running[order] = np.cumsum(values[order])
    columns: dict[str, Any] = {name: running}
    if total is not None:
        columns[total] = column.sum()
    return native.assign(**columns)


def _first_key_order(native: Any, first: Any, keys: Sequence[str]) -> Any:
    """The rows' order by ``keys``: a stable ``argsort`` of the first key, the rows in runs of
    one first value ordered by all keys (``sort_values``, missing values first)."""
    import numpy as np

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
    return order


def _integer_key_order(native: Any, keys: Sequence[str]) -> Any:
    """The rows' order by ``keys`` when every key is a NumPy integer column and the keys'
    spans multiply to below ``2**63``: the keys packed into one ``int64`` (each key's offset
    from its least value, weighted by the spans of the keys after it) and sorted once, instead
    of a stable sort of the first key and ``sort_values`` over the runs of tied first values.
    The packed order is the keys' lexicographic order; equal packed values (rows equal on
    every key, which the keys should not allow) are ordered stably, as
    :func:`_first_key_order` orders them. ``None`` when the keys do not qualify.
    """
    import numpy as np

    arrays = []
    for key in keys:
        column = native[key]
        if not isinstance(column.dtype, np.dtype) or column.dtype.kind not in "iu":
            return None
        arrays.append(column.to_numpy())
    if not arrays or not len(arrays[0]):
        return None
    spans = [int(a.max()) - int(a.min()) + 1 for a in arrays]
    weights, weight = [], 1
    for span in reversed(spans):
        weights.append(weight)
        weight *= span
    if weight >= 1 << 63:
        return None
    packed = np.zeros(len(arrays[0]), dtype=np.int64)
    for array, weight_of in zip(arrays, reversed(weights), strict=True):
        # array - least lies in [0, span), below 2**63: exact in 64 bits, wrapping or not
        wide = np.int64 if array.dtype.kind == "i" else np.uint64
        offset = (array.astype(wide, copy=False) - wide(array.min())).astype(np.int64, copy=False)
        packed += offset * np.int64(weight_of)
    order = np.argsort(packed)
    ranked = packed[order]
    if len(ranked) > 1 and (ranked[1:] == ranked[:-1]).any():
        order = np.argsort(packed, kind="stable")
    return order


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


#: Buckets per doubling of the first key in :func:`spark_running_sum` (as
#: :data:`crmkit.frames.quantile._BUCKETS_PER_OCTAVE`).
_SPARK_PER_OCTAVE = 16
#: The most buckets between the first and the last in :func:`spark_running_sum`'s offset array.
_SPARK_MAX_SPAN = 1 << 16


def spark_running_sum(
    native: Any, value: str, keys: Sequence[str], name: str, total: str | None
) -> Any:
    """``native`` (a PySpark DataFrame) with the running sum of ``value`` in ``keys`` order as
    ``name`` (and the sum of all rows as ``total``), or ``None`` when ``value`` is not an
    integer column or the first key not a number, or when a first key is missing or NaN or a
    value missing (the caller then takes the general path). Runs one small job (the buckets'
    totals, over ``native`` computed once:
    :func:`crmkit.frames.native.spark_materialise`); the result is planned
    without a single-partition exchange (module docstring).

    Example (``spark`` a ``SparkSession``; a test runs these lines with the suite's session,
    ``tests/segmentation/test_spark_running_sum.py``)::

        frame = spark.createDataFrame([("a", 5), ("b", 1), ("c", 3)], ["k", "u"])
        out = spark_running_sum(frame, "u", ["u", "k"], "run", "all")
        sorted((r.u, r.run, r.all) for r in out.collect())  # [(1, 1, 9), (3, 4, 9), (5, 9, 9)]
    """
    from crmkit.extras import optional

    # (installed: the frame is a PySpark frame)
    f: Any = optional("pyspark.sql.functions")
    types: Any = optional("pyspark.sql.types")
    window: Any = optional("pyspark.sql.window")
    integral = (types.ByteType, types.ShortType, types.IntegerType, types.LongType)
    schema = native.schema
    if not isinstance(schema[value].dataType, integral) or not isinstance(
        schema[keys[0]].dataType, types.NumericType
    ):
        return None
    bucket, subtotal, missing = "__crmkit_rb", "__crmkit_rt", "__crmkit_rm"
    native = spark_materialise(native)  # (read by the totals' job and by the result)
    x = f.col(keys[0]).cast("double")
    per = float(_SPARK_PER_OCTAVE)
    bucketed = native.withColumn(
        bucket,
        f.when(x > 0, f.floor(f.log2(x + 1) * per))
        .when(x < 0, -f.floor(f.log2(1 - x) * per))
        .when(x == 0, f.lit(0))
        .cast("long"),
    )
    rows = (
        bucketed.groupBy(bucket)
        .agg(
            f.sum(value).alias(subtotal),
            f.sum(f.when(f.col(value).isNull(), 1).otherwise(0)).alias(missing),
        )
        .collect()
    )
    if any(row[bucket] is None or row[missing] for row in rows):
        return None
    totals = sorted((int(row[bucket]), int(row[subtotal])) for row in rows)
    grand = sum(t for _, t in totals)
    if totals and (
        totals[-1][0] - totals[0][0] >= _SPARK_MAX_SPAN or not -(1 << 63) <= grand < 1 << 63
    ):
        return None
    first = totals[0][0] if totals else 0
    offsets = [0] * ((totals[-1][0] - first + 1) if totals else 1)
    before = 0
    for index, subtotal_of in totals:
        offsets[index - first] = before
        before += subtotal_of
    # one SQL expression (parsed by the JVM once), not a py4j call or two per bucket
    literals = ", ".join(f"CAST({o} AS BIGINT)" for o in offsets)
    offset = f.expr(f"element_at(array({literals}), CAST(`{bucket}` - ({first}) + 1 AS INT))")
    spec = (
        window.Window.partitionBy(bucket)
        .orderBy(*(f.col(k).asc_nulls_first() for k in keys))
        .rowsBetween(window.Window.unboundedPreceding, window.Window.currentRow)
    )
    columns = [f.col(c) for c in native.columns]
    if total is not None:
        columns.append(f.lit(grand).cast("long").alias(total))
    columns.append((offset + f.sum(value).over(spec)).alias(name))
    return bucketed.select(*columns)
