"""Quantile scores 1–n with one tie rule that every engine computes exactly alike.

**Tie rule.** For a value ``v`` among ``count`` values, ``rank_min(v)`` is one plus the number
of values that are strictly worse (smaller, or larger when ``descending``), so tied values share
the lowest rank of their group. The score is::

    score = 1 + floor(n * (rank_min - 1) / count)

so scores run from 1 to ``n``, tied values always get the same score, the best ``~count/n``
values get ``n`` and, when all values are equal, every value gets 1. With ``count = 10`` and
``n = 5`` the ten distinct ranks 1..10 score 1,1,2,2,3,3,4,4,5,5. Only integer arithmetic is
involved, so pandas, Polars, PyArrow, DuckDB, Dask, PySpark and pure Python agree exactly.

Frames compute every score in one projection: narwhals' ``rank(method="min")`` per column and
the row count as a broadcast ``len()`` (a window ``count(*) over ()`` on SQL engines), so the
scored frame is read once and no join is needed. PySpark, where such a window is a
``SinglePartition`` exchange of every row, needs only each score's step values — the
``ceil(j * count / n)``-th worst value, ``j = 1..n-1`` — which it finds exactly with no
single-partition step: the rows per fine, order-preserving bucket of every score's values
(``floor(256·log2(1 + |v|))`` with the sign of ``v``), a group-by collected to the driver (a
few thousand rows at most), locate each step's bucket; the distinct values of those buckets
only, collected, give the step values; every row is then scored in one projection by
comparisons with them as literals (see :func:`with_quantile_scores`); the frame is computed
once for the jobs and the scores (a local checkpoint). Dask, which has no rank
operation, finds the same step values in one lazy graph over its partitions (NumPy
``int64`` / ``float64`` columns, :mod:`crmkit.frames._dask`: bucket counts, then the values of
the step buckets, then a ``searchsorted`` per partition); other columns take the ``cum_sum``
of the value counts in value order over its range-partitioned sort and join each value's rank
back.

The records engine sorts the values once, reads the ``n - 1`` values where the score steps up
(the ``ceil(j * count / n)``-th worst, ``j = 1..n-1``) and places every value among them by
bisection, which is the same rule: a value scores ``1 +`` the number of those thresholds that
are strictly worse than it. From :data:`_NUMPY_VALUES` values on, values that are all ``int``
(within int64) or all ``float`` (no NaN) are sorted and placed by numpy instead, with the
same comparisons, so the same scores.

Examples:
    >>> from crmkit.frames import quantile_scores
    >>> quantile_scores([10, 20, 20, 30, 40], 5)
    [1, 2, 2, 4, 5]
    >>> quantile_scores([3, 1, 2], 3, descending=True)
    [1, 3, 2]
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from functools import partial
from types import ModuleType
from typing import Any

import attrs

from crmkit.errors import ValidationError
from crmkit.extras import optional
from crmkit.frames._dask import dask_quantile_scores, dask_running_sum
from crmkit.frames._running_sum import (
    pandas_running_sum,
    polars_running_sum,
    spark_running_sum,
)
from crmkit.frames.expression import identifier_sql
from crmkit.frames.native import from_native, narwhals, spark_materialise, to_native

__all__ = [
    "QuantileScore",
    "exact_median",
    "quantile_score_expr",
    "quantile_scores",
    "scores_by_value_counts",
    "with_quantile_scores",
    "with_row_count",
    "with_running_sum",
]

_COUNT = "__crmkit_count"


def _check_n(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValidationError.single("n", n, "must be a whole number of 1 or more")


def quantile_scores(values: Sequence[Any], n: int, *, descending: bool = False) -> list[int]:
    """Score every value 1..``n`` by the module's tie rule (pure Python).

    Examples:
        >>> from crmkit.frames import quantile_scores
        >>> quantile_scores([5, 5, 5], 4)
        [1, 1, 1]
    """
    _check_n(n)
    count = len(values)
    if not count:
        return []
    # score = 1 + #{j in 1..n-1 : worse >= w_j} with w_j = ceil(j * count / n), where
    # worse = the number of strictly worse values. "worse >= w" holds exactly when the w-th
    # worst value is strictly worse than the value itself, so each value is placed among the
    # n - 1 threshold values by bisection.
    if count >= _NUMPY_VALUES:
        numpy = optional("numpy")  # (the ``stats`` extra)
        scores = None if numpy is None else _numpy_scores(numpy, values, n, descending)
        if scores is not None:
            return scores
    ordered = sorted(values, reverse=descending)
    thresholds = sorted(ordered[-(-j * count // n) - 1] for j in range(1, n))
    if descending:  # thresholds strictly greater than the value
        return list(map((n).__sub__, map(partial(bisect_right, thresholds), values)))
    return list(map((1).__add__, map(partial(bisect_left, thresholds), values)))


#: From this many values on, :func:`quantile_scores` uses numpy when it is installed.
_NUMPY_VALUES = 1000


def _numpy_scores(
    np: ModuleType, values: Sequence[Any], n: int, descending: bool
) -> list[int] | None:
    """:func:`quantile_scores` for all-``int`` (int64) or all-``float`` (no NaN) values by
    numpy's sort and ``searchsorted`` (``bisect``'s rule); ``None`` for any other values."""
    kinds = set(map(type, values))
    if kinds == {float}:
        array = np.array(values, dtype=np.float64)
        if np.isnan(array).any():  # (Python's sort leaves NaN where it finds it)
            return None
    elif kinds == {int}:
        try:
            array = np.array(values, dtype=np.int64)
        except OverflowError:
            return None
    else:
        return None
    count = len(array)
    ordered = np.sort(array)
    # the ceil(j * count / n)-th worst values: from the top of the ascending order if descending
    places = [-(-j * count // n) - 1 for j in range(1, n)]
    if descending:
        places = [count - 1 - place for place in places]
    thresholds = np.sort(ordered[places])
    if descending:
        scores: list[int] = (n - np.searchsorted(thresholds, array, side="right")).tolist()
    else:
        scores = (1 + np.searchsorted(thresholds, array, side="left")).tolist()
    return scores


@attrs.frozen
class QuantileScore:
    """Score ``column`` into ``name`` with ``n`` quantiles (``descending``: smaller is better).

    Examples:
        >>> from crmkit.frames import QuantileScore
        >>> QuantileScore("recency_days", "r_score", 5, descending=True).n
        5
    """

    column: str
    name: str
    n: int = attrs.field(default=5)
    descending: bool = False

    @n.validator
    def _valid_n(self, attribute: Any, value: int) -> None:
        _check_n(value)


#: Buckets per doubling of a value's magnitude in :func:`_value_bucket`.
_BUCKETS_PER_OCTAVE = 16


def _value_bucket(value: Any, per: int = _BUCKETS_PER_OCTAVE) -> Any:
    """A coarse, order-preserving Int64 bucket of a value (missing and NaN: missing).

    ``floor(16 * log2(1 + |v|))`` with the sign of ``v``: equal values share a bucket and a
    smaller value never lands in a larger bucket, whatever the data, so no boundaries have to be
    computed first (the logarithm of a double is monotone). Sixteen buckets per doubling
    (``per``) keep each bucket a small share of the distinct values for spreads met in
    practice.
    """
    nw = narwhals()
    x = value.cast(nw.Float64)
    return (
        nw.when(x > 0)
        .then((per * (x + 1).log(base=2)).floor())
        .when(x < 0)
        .then(-(per * (1 - x).log(base=2)).floor())
        .when(x == 0)
        .then(0)
        .cast(nw.Int64)
    )


def _step_values(frame: Any, specs: Sequence[QuantileScore]) -> list[list[Any]]:
    """Each spec's step values: the ranked keys (:func:`_rank_key`) where its score steps up.

    The tie rule gives ``score = 1 + #{j in 1..n-1 : worse >= w_j}`` with
    ``w_j = ceil(j * count / n)`` and ``worse`` the number of strictly worse values (module
    docstring), and ``worse >= w_j`` holds exactly when the ``w_j``-th worst present value is
    strictly worse than the value: these ``n - 1`` values (fewer when fewer values are present)
    are all a score needs; on PySpark they come from distributed value counts and only a few
    rows per spec reach the driver (:func:`_spark_step_values`).
    """
    return _spark_step_values(frame, specs)


_RANK, _ROWS, _SPEC, _BUCKET = "__crmkit_rank", "__crmkit_rows", "__crmkit_spec", "__crmkit_b"

#: Buckets per doubling of a value in :func:`_spark_step_values` (the boundary buckets' values
#: are collected, so buckets are finer than the running sum's).
_STEP_BUCKETS_PER_OCTAVE = 256


def _rank_by_counts(frame: Any, spec: QuantileScore, rank_name: str, count_name: str) -> Any:
    """Add ``rank_min`` and the row count from value counts on Dask.

    Dask, which has no ordered window per group, takes the ``cum_sum`` of the counts in value
    order: it sorts by sampled range partitions and carries partition totals forward, which is
    distributed too. Missing values get no rank (their score is missing) but count towards the
    row count, as with ``rank(method="min")`` and ``len()``.
    """
    nw = narwhals()
    key, c = f"__crmkit_key_{spec.name}", "__crmkit_c"
    frame = frame.with_columns(_rank_key(spec).alias(key))
    counts = frame.filter(~nw.col(key).is_null()).group_by(key).agg(nw.len().alias(c))
    first = nw.col(c).cum_sum().over(order_by=key) - nw.col(c) + 1
    ranks = counts.with_columns(first.alias(rank_name)).select(key, rank_name)
    frame = frame.with_columns(nw.len().cast(nw.Int64).alias(count_name))
    return frame.join(ranks, on=key, how="left").drop(key)


def _scores_by_ranks(frame: Any, specs: Sequence[QuantileScore]) -> Any:
    """:func:`with_quantile_scores` from value-count ranks joined back (:func:`_rank_by_counts`):
    Dask's general path (columns other than NumPy ``int64`` / ``float64``)."""
    nw = narwhals()
    for spec in specs:
        rank_name = f"__crmkit_rank_{spec.name}"
        frame = _rank_by_counts(frame, spec, rank_name, _COUNT)
        # (a missing rank scores missing: pandas cannot cast a missing value to int64)
        rank = nw.col(rank_name)
        score = _score(rank.fill_null(1), spec.n, nw.col(_COUNT))
        score = nw.when(~rank.is_null()).then(score).alias(spec.name)
        frame = frame.with_columns(score).drop(rank_name, _COUNT)
    return frame


def _spark_keyed(frame: Any, specs: Sequence[QuantileScore]) -> tuple[Any, list[str]]:
    """The native PySpark frame of every spec's ranked key and its bucket, and the key names.

    Columns ``__crmkit_key_<i>`` (:func:`_rank_key`) and ``__crmkit_b_<i>`` (its
    :func:`_value_bucket` at :data:`_STEP_BUCKETS_PER_OCTAVE`; missing for a missing value).
    """
    keys = [f"__crmkit_key_{i}" for i in range(len(specs))]
    keyed = frame.select(
        *(_rank_key(s).alias(k) for s, k in zip(specs, keys, strict=True)),
        *(
            _value_bucket(_rank_key(s), _STEP_BUCKETS_PER_OCTAVE).alias(f"__crmkit_b_{i}")
            for i, s in enumerate(specs)
        ),
    )
    return to_native(keyed), keys


def _spark_bucket_rows(keyed: Any, keys: Sequence[str]) -> Any:
    """Rows per (spec, bucket) of every key of the native ``keyed`` (:func:`_spark_keyed`).

    Each row of ``keyed`` becomes one row per spec (``explode`` of an array of
    ``(spec, bucket)`` structs), so one group-by counts every spec's buckets over one
    computation of ``keyed``.
    """
    f: Any = optional("pyspark.sql.functions")  # (installed: the frame is a PySpark frame)
    pairs = [
        f.struct(f.lit(i).alias(_SPEC), f.col(f"__crmkit_b_{i}").alias(_BUCKET))
        for i in range(len(keys))
    ]
    return (
        keyed.select(f.explode(f.array(*pairs)).alias("__crmkit_e"))
        .select("__crmkit_e.*")
        .groupBy(_SPEC, _BUCKET)
        .agg(f.count(f.lit(1)).alias(_ROWS))
    )


def _spark_value_rows(keyed: Any, keys: Sequence[str], buckets: Sequence[Sequence[int]]) -> Any:
    """Rows per (spec, bucket, distinct value) of every key within its ``buckets``.

    As :func:`_spark_bucket_rows`, with each spec's key in its own column (its own type: a
    Decimal or a wide integer stays exact) and only the rows in the chosen buckets kept.
    """
    f: Any = optional("pyspark.sql.functions")  # (installed: the frame is a PySpark frame)
    schema = keyed.schema
    entries = [
        f.struct(
            f.lit(i).alias(_SPEC),
            f.col(f"__crmkit_b_{i}").alias(_BUCKET),
            *(
                (f.col(key) if j == i else f.lit(None).cast(schema[key].dataType)).alias(key)
                for j, key in enumerate(keys)
            ),
        )
        for i in range(len(keys))
    ]
    spec, bucket = f.col(_SPEC), f.col(_BUCKET)
    wanted = f.lit(False)
    for i, chosen in enumerate(buckets):
        if chosen:
            wanted = wanted | ((spec == i) & bucket.isin(*chosen))
    return (
        keyed.select(f.explode(f.array(*entries)).alias("__crmkit_e"))
        .select("__crmkit_e.*")
        .filter(wanted)
        .groupBy(_SPEC, _BUCKET, *keys)
        .agg(f.count(f.lit(1)).alias(_ROWS))
    )


def _spark_step_values(frame: Any, specs: Sequence[QuantileScore]) -> list[list[Any]]:
    """:func:`_step_values` on PySpark: two small jobs, no single-partition step.

    1. The rows per fine, order-preserving bucket of every key (:func:`_spark_bucket_rows`: one
       group-by over one computation of the frame) — a few thousand rows at most — give the
       row count and, for each step position ``w_j``, its bucket and its position within it.
    2. The rows per distinct value within those buckets only (:func:`_spark_value_rows`), put
       in Spark's value order on the driver, give the value at each position: exact, with the
       column's own values (Decimals and wide integers stay exact).
    """
    keyed, keys = _spark_keyed(frame, specs)
    per_bucket: list[dict[Any, int]] = [{} for _ in specs]
    for row in _spark_bucket_rows(keyed, keys).collect():
        per_bucket[row[_SPEC]][row[_BUCKET]] = row[_ROWS]
    wanted: list[list[tuple[int, int]]] = []  # per spec: (bucket, position within it) per step
    for spec, counts in zip(specs, per_bucket, strict=True):
        count = sum(counts.values())
        positions = [-(-j * count // spec.n) for j in range(1, spec.n)]
        places = []
        before = 0
        for bucket in sorted(b for b in counts if b is not None):
            rows = counts[bucket]
            places += [(bucket, w - before) for w in positions if before < w <= before + rows]
            before += rows
        wanted.append(places)
    buckets = [sorted({bucket for bucket, _ in places}) for places in wanted]
    values: list[dict[int, list[tuple[Any, int]]]] = [{} for _ in specs]
    if any(buckets):
        for row in _spark_value_rows(keyed, keys, buckets).collect():
            i = row[_SPEC]
            values[i].setdefault(row[_BUCKET], []).append((row[keys[i]], row[_ROWS]))
    thresholds = []
    for places, found in zip(wanted, values, strict=True):
        steps = []
        for bucket, position in places:
            seen = 0
            for value, rows in sorted(found.get(bucket, []), key=_spark_order):
                seen += rows
                if seen >= position:
                    steps.append(value)
                    break
        thresholds.append(steps)
    return thresholds


def _spark_order(row: tuple[Any, int]) -> tuple[bool, Any]:
    """Spark's order of a value on the driver: NaN after every number (and equal to NaN)."""
    value = row[0]
    nan = value != value
    return (nan, 0 if nan else value)


def _score_by_steps(spec: QuantileScore, steps: Sequence[Any]) -> Any:
    """``spec``'s score from its step values (:func:`_step_values`) as one expression.

    ``1 +`` the number of step values strictly below the ranked key (each a literal), missing
    where the value is: comparisons only, so it sits in one projection with other columns.
    """
    nw = narwhals()
    key = _rank_key(spec)
    score = nw.lit(1)
    for step in steps:
        score = score + nw.when(key > nw.lit(step)).then(1).otherwise(0)
    return nw.when(~key.is_null()).then(score.cast(nw.Int64))


def _rank_key(spec: QuantileScore) -> Any:
    """The value ranked for ``spec``: negated when ``descending`` (smaller is better)."""
    value = narwhals().col(spec.column)
    return -value if spec.descending else value


def with_running_sum(
    frame: Any, value: str, order_by: Sequence[str], name: str, *, total: str | None = None
) -> Any:
    """Add the running sum of ``value`` in the order of ``order_by`` as column ``name``.

    ``total`` also adds the sum over all rows as a column of that name.

    The first ``order_by`` column must be numeric and the columns together must order the rows
    totally (a unique key last). Usually ``cum_sum().over(order_by=...)``. On PySpark, where a
    window over the whole frame is a ``SinglePartition`` exchange, the rows get the
    order-preserving bucket of their first ``order_by`` value (as in :func:`with_quantile_scores`)
    and a window partitioned by bucket gives the sum within one, so no step moves every row
    into one partition; the sum in earlier buckets comes, for integer values, from the buckets'
    totals collected in one small job and put in as literals
    (:func:`crmkit.frames._running_sum.spark_running_sum`), otherwise from a small table of the
    buckets' totals crossed with itself and joined back. On Dask, integer values (NumPy ``int64``, first key too) are summed the same
    way in one lazy graph (:func:`crmkit.frames._dask.dask_running_sum`: rows split among the
    partitions by bucket, each bucket's offset from the buckets' totals), other values by
    narwhals' ``cum_sum`` over Dask's range-partitioned sort.

    Examples:
        >>> import polars as pl
        >>> from crmkit.frames import from_native, with_running_sum
        >>> frame = from_native(pl.DataFrame({"k": ["a", "b", "c"], "u": [5, 1, 3]}))
        >>> with_running_sum(frame, "u", ["u", "k"], "run").sort("u")["run"].to_list()
        [1, 4, 9]
    """
    nw = narwhals()
    keys = list(order_by)
    implementation = frame.implementation
    if implementation.is_duckdb():
        return from_native(to_native(frame).project(_duckdb_running_sum(value, keys, name, total)))
    if implementation.is_pandas():  # one NumPy sort instead of narwhals' sort of every column
        summed = pandas_running_sum(to_native(frame), value, keys, name, total)
        if summed is not None:
            return from_native(summed)
    if implementation.is_polars():  # a sort and a plain cum_sum, not a window over one group
        return from_native(polars_running_sum(to_native(frame), value, keys, name, total))
    if implementation.is_dask():  # integers: bucketed running sums, in one lazy graph
        summed = dask_running_sum(frame, value, keys, name, total)
        if summed is not None:
            return summed
    if not (implementation.is_pyspark() or implementation.is_pyspark_connect()):
        return _window_running_sum(frame, value, keys, name, total)
    if implementation.is_pyspark():  # integers: bucket offsets as literals, one small job
        summed = spark_running_sum(to_native(frame), value, keys, name, total)
        if summed is not None:
            return from_native(summed)
    bucket, subtotal, before = "__crmkit_rb", "__crmkit_rt", "__crmkit_ro"
    frame = frame.with_columns(_value_bucket(nw.col(keys[0])).alias(bucket))
    totals = frame.group_by(bucket).agg(nw.col(value).sum().alias(subtotal))
    others = totals.rename({bucket: "__crmkit_rb2", subtotal: "__crmkit_rt2"})
    offsets = (
        totals.select(bucket)
        .join(others, how="cross")
        .with_columns(
            nw.when(nw.col("__crmkit_rb2") < nw.col(bucket))
            .then(nw.col("__crmkit_rt2"))
            .otherwise(0)
            .alias(before)
        )
        .group_by(bucket)
        .agg(nw.col(before).sum(), nw.col("__crmkit_rt2").sum().alias(total or "__crmkit_ra"))
    )
    within = nw.col(value).cum_sum().over(bucket, order_by=keys)
    return (
        frame.join(offsets, on=bucket, how="left")
        .with_columns((nw.col(before) + within).alias(name))
        .drop(bucket, before, *([] if total else ["__crmkit_ra"]))
    )


def _window_running_sum(
    frame: Any, value: str, keys: Sequence[str], name: str, total: str | None
) -> Any:
    """:func:`with_running_sum` as narwhals' ``cum_sum().over(order_by=…)`` (on Dask over its
    range-partitioned sort) and the total crossed in."""
    nw = narwhals()
    # the running sum first: Dask aligns it to the rows by index, which a join renumbers
    out = frame.with_columns(nw.col(value).cum_sum().over(order_by=list(keys)).alias(name))
    if total is not None:
        out = out.join(frame.select(nw.col(value).sum().alias(total)), how="cross")
    return out


#: A column name quoted for DuckDB's SQL text.
_quote = partial(identifier_sql, dialect="duckdb")


def _duckdb_running_sum(value: str, keys: Sequence[str], name: str, total: str | None) -> str:
    """The projection of :func:`with_running_sum` on DuckDB: both windows in one ``SELECT``.

    The running sum is narwhals' ``cum_sum().over(order_by=…)`` as DuckDB SQL (missing where
    the value is); the total a ``sum() over ()`` in the same projection. narwhals' plan crosses
    the frame with its own total, and DuckDB (which inlines every step of the plan) then
    computes the frame — a group-by over every transaction for ABC — twice.
    """
    v = _quote(value)
    order = ", ".join(f"{_quote(key)} ASC NULLS FIRST" for key in keys)
    running = (
        f"CASE WHEN {v} IS NOT NULL THEN sum({v}) OVER (ORDER BY {order} "
        f"ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) END AS {_quote(name)}"
    )
    whole = f", coalesce(sum({v}) OVER (), 0) AS {_quote(total)}" if total is not None else ""
    return f"*, {running}{whole}"


def _duckdb_scores(frame: Any, specs: Sequence[QuantileScore]) -> Any:
    """:func:`with_quantile_scores` on DuckDB: the ranks and the row count in one projection.

    narwhals broadcasts ``len()`` as a window ``partition by 1``, and a count added by
    :func:`with_row_count` in a projection of its own is a second window step over every row;
    in one projection with the ranks, DuckDB computes ``count(*) over ()`` in the window step of
    a rank. The ranks are narwhals' own (``rank() over (order by … nulls last)``, missing where
    the value is), the scores the same :func:`_score` expression over them.
    """
    nw = narwhals()
    names = list(frame.columns)
    ranks = [f"__crmkit_rank_{i}" for i in range(len(specs))]
    windows = [
        f"CASE WHEN {_quote(s.column)} IS NOT NULL THEN rank() OVER (ORDER BY {_quote(s.column)} "
        f"{'DESC' if s.descending else 'ASC'} NULLS LAST) END AS {_quote(rank)}"
        for s, rank in zip(specs, ranks, strict=True)
    ]
    counted = f"count(*) OVER () AS {_quote(_COUNT)}"
    ranked = from_native(to_native(frame).project(", ".join(["*", *windows, counted])))
    return ranked.select(
        *names,
        *(
            _score(nw.col(rank), s.n, nw.col(_COUNT)).alias(s.name)
            for s, rank in zip(specs, ranks, strict=True)
        ),
    )


def _score(rank: Any, n: int, count: Any) -> Any:
    """``1 + floor(n * (rank_min - 1) / count)`` as an Int64 expression.

    The floor of the float quotient is the integer quotient exactly while ``n * count`` stays
    below 2**52 (the rounding error of the division is then smaller than the distance to the
    next integer), and it compiles to a plain ``floor(a / b)`` on SQL engines, where narwhals'
    ``//`` needs a sign-correcting ``CASE`` expression.
    """
    nw = narwhals()
    return 1 + ((n * (rank.cast(nw.Int64) - 1)) / count).floor().cast(nw.Int64)


def with_row_count(frame: Any, name: str) -> Any:
    """Add the frame's row count as an Int64 column ``name`` (lazy stays lazy).

    Usually a broadcast ``len()``. On DuckDB, where narwhals broadcasts with a window
    ``partition by 1`` (hash-partitioning every row into one group), the column is a plain
    ``count(*) over ()`` projected with DuckDB's relational API, which is measurably cheaper.

    Examples:
        >>> import duckdb
        >>> from crmkit.frames import from_native, to_native, with_row_count
        >>> rel = duckdb.sql("select 1 as a union all select 2")
        >>> sorted(to_native(with_row_count(from_native(rel), "n")).fetchall())
        [(1, 2), (2, 2)]
    """
    nw = narwhals()
    if frame.implementation.is_duckdb():
        return from_native(to_native(frame).project(f"*, count(*) over () AS {_quote(name)}"))
    return frame.with_columns(nw.len().cast(nw.Int64).alias(name))


def quantile_score_expr(expr: Any, n: int, *, descending: bool = False, count: Any = None) -> Any:
    """The narwhals expression scoring ``expr`` 1..``n`` over the whole frame (the tie rule).

    A ``rank(method="min")`` of ``expr`` and the frame's row count as a broadcast ``len()``,
    so it can sit in one ``select`` / ``with_columns`` with other columns (on SQL engines:
    ``rank() over (order by …)`` and ``count(*) over ()``). Engines without a rank operation
    (Dask) raise ``NotImplementedError`` when the expression is used; :func:`with_quantile_scores`
    handles them. ``count`` is an expression for the row count when the frame already has one
    (a column added by :func:`with_row_count`); by default a broadcast ``len()``.

    Examples:
        >>> import polars as pl
        >>> from crmkit.frames import from_native, narwhals, quantile_score_expr
        >>> nw = narwhals()
        >>> frame = from_native(pl.DataFrame({"days": [3, 1, 2, 2]}))
        >>> frame.select(quantile_score_expr(nw.col("days") * 2, 4, descending=True).alias(
        ...     "r"))["r"].to_list()
        [1, 4, 2, 2]
    """
    _check_n(n)
    nw = narwhals()
    if count is None:
        count = nw.len().cast(nw.Int64)
    return _score(expr.rank(method="min", descending=descending), n, count)


def scores_by_value_counts(frame: Any) -> bool:
    """Whether ``frame``'s backend computes quantile scores from value counts, not a rank.

    PySpark plans a window over the whole frame (``rank() over (order by …)``, ``count(*) over
    ()``) as a ``SinglePartition`` exchange that moves every row into one task, and Dask has no
    rank operation; both score from value counts (exactly, see :func:`with_quantile_scores`).

    Examples:
        >>> import polars as pl
        >>> from crmkit.frames import from_native, scores_by_value_counts
        >>> scores_by_value_counts(from_native(pl.DataFrame({"m": [1]})))
        False
    """
    implementation = frame.implementation
    return bool(
        implementation.is_pyspark()
        or implementation.is_pyspark_connect()
        or implementation.is_dask()
    )


def exact_median(frame: Any, column: str) -> float | None:
    """The exact median of ``column`` over a narwhals frame (missing values left out).

    Engines that rank from value counts (:func:`scores_by_value_counts`: Dask, whose median is
    approximate on more than one partition, and PySpark) take it from the value counts: each
    distinct value's rows (a group-by) and their running total in value order locate the one or
    two middle values, so no step moves every row into one partition. Other engines use their
    own exact ``median``. Only the row count and the one or two middle values come back to the
    driver (a scalar result, small by construction); ``None`` when no value is present.

    Examples:
        >>> import polars as pl
        >>> from crmkit.frames import exact_median, from_native
        >>> exact_median(from_native(pl.DataFrame({"s": [30.0, 90.0, 120.0, 0.0]})), "s")
        60.0
    """
    nw = narwhals()
    present = frame.filter(~nw.col(column).is_null())
    if not scores_by_value_counts(frame):
        out = present.select(nw.col(column).median().alias("m"))
        value = (out.collect() if isinstance(out, nw.LazyFrame) else out).item(0, 0)
        return None if value is None else float(value)
    counts = present.group_by(column).agg(nw.len().alias(_COUNT))
    rows = counts.select(nw.col(_COUNT).sum()).collect().item(0, 0)
    if not rows:
        return None
    lower, upper = (rows - 1) // 2, rows // 2  # 0-based positions of the middle values
    running = nw.col(_COUNT).cum_sum().over(order_by=column)
    middle = (
        counts.with_columns(running.alias("__crmkit_through"))
        .select(
            nw.when(nw.col("__crmkit_through") > lower).then(nw.col(column)).min().alias("lo"),
            nw.when(nw.col("__crmkit_through") > upper).then(nw.col(column)).min().alias("hi"),
        )
        .collect()
    )
    return (float(middle.item(0, "lo")) + float(middle.item(0, "hi"))) / 2


def with_quantile_scores(frame: Any, specs: Sequence[QuantileScore]) -> Any:
    """Add one integer score column per spec to a narwhals frame (lazy stays lazy).

    All scores are computed in one ``with_columns``: a ``rank(method="min")`` per spec over the
    whole frame and the row count as a broadcast ``len()``. On PySpark
    (:func:`scores_by_value_counts`) the same exact scores come from each spec's step values
    instead, so no step moves all rows into one partition: the distinct values that hold a step
    position are found from value counts (module docstring) and collected — at most ``n - 1``
    values per spec, in two small jobs for all specs, which run when this function is called —
    and every score is then one expression in one ``with_columns``: ``1 +`` the number of step
    values strictly worse than the row's value, each step a literal (no join, no window). The
    frame is computed once, when this function is called, and kept in the executors' storage
    (``localCheckpoint``, :func:`crmkit.frames.native.spark_materialise`; freed when the
    result is garbage collected): the step jobs and the scores read the same rows, so a float
    sum is the same value in both. On Dask, which has no rank operation, NumPy ``int64`` / ``float64``
    columns are scored from step values too, found in the same lazy graph as the scores
    (:func:`crmkit.frames._dask.dask_quantile_scores`: the frame's graph runs once, nothing is
    computed when this function is called); other columns get each value's ``rank_min`` as the
    ``cum_sum`` of the value counts over Dask's range-partitioned sort, joined back.

    Examples:
        >>> import polars as pl
        >>> from crmkit.frames import QuantileScore, from_native, with_quantile_scores
        >>> frame = from_native(pl.DataFrame({"m": [10, 20, 20, 30, 40]}))
        >>> with_quantile_scores(frame, [QuantileScore("m", "m_score", 5)])["m_score"].to_list()
        [1, 2, 2, 4, 5]
    """
    nw = narwhals()
    if not specs:
        return frame
    if frame.implementation.is_duckdb():
        return _duckdb_scores(frame, specs)
    if not scores_by_value_counts(frame):
        try:
            return frame.with_columns(
                *(
                    quantile_score_expr(nw.col(s.column), s.n, descending=s.descending).alias(
                        s.name
                    )
                    for s in specs
                )
            )
        except NotImplementedError:  # no rank operation: ranks from value counts
            pass
    # PySpark: each score's step values (a few rows, from value counts), then every score in
    # one projection of comparisons with them as literals: no join back, no window
    if frame.implementation.is_dask():
        scored = dask_quantile_scores(frame, specs)  # step values, in one lazy graph
        return _scores_by_ranks(frame, specs) if scored is None else scored
    # the frame (for RFM, the group-by over every transaction) computed once, now: the two
    # step jobs and the scores read it
    frame = from_native(spark_materialise(to_native(frame)))
    thresholds = _step_values(frame, specs)
    return frame.with_columns(
        *(
            _score_by_steps(spec, steps).alias(spec.name)
            for spec, steps in zip(specs, thresholds, strict=True)
        )
    )
