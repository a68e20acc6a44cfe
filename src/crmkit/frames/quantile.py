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
scored frame is read once and no join is needed. A backend without a rank operation (Dask) gets
the same numbers from a join on value counts (``cum_sum`` of the counts of each distinct value
in value order), so nothing is collected.

The records engine sorts the values once, reads the ``n - 1`` values where the score steps up
(the ``ceil(j * count / n)``-th worst, ``j = 1..n-1``) and places every value among them by
bisection, which is the same rule: a value scores ``1 +`` the number of those thresholds that
are strictly worse than it.

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
from typing import Any

import attrs

from crmkit.errors import ValidationError
from crmkit.frames.native import from_native, narwhals, to_native

__all__ = [
    "QuantileScore",
    "quantile_score_expr",
    "quantile_scores",
    "with_quantile_scores",
    "with_row_count",
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
    ordered = sorted(values, reverse=descending)
    thresholds = sorted(ordered[-(-j * count // n) - 1] for j in range(1, n))
    if descending:  # thresholds strictly greater than the value
        return list(map((n).__sub__, map(partial(bisect_right, thresholds), values)))
    return list(map((1).__add__, map(partial(bisect_left, thresholds), values)))


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


def _rank_by_counts(frame: Any, spec: QuantileScore, rank_name: str) -> Any:
    """``rank_min`` from a join on value counts, for backends without a rank operation."""
    nw = narwhals()
    key = f"__crmkit_key_{spec.name}"
    value = nw.col(spec.column)
    frame = frame.with_columns((-value if spec.descending else value).alias(key))
    counts = frame.group_by(key).agg(nw.len().alias("__crmkit_c"))
    counts = counts.with_columns(
        (nw.col("__crmkit_c").cum_sum().over(order_by=key) - nw.col("__crmkit_c") + 1).alias(
            rank_name
        )
    ).select(key, rank_name)
    return frame.join(counts, on=key, how="left").drop(key)


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
        quoted = '"' + name.replace('"', '""') + '"'
        return from_native(to_native(frame).project(f"*, count(*) over () AS {quoted}"))
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


def with_quantile_scores(frame: Any, specs: Sequence[QuantileScore]) -> Any:
    """Add one integer score column per spec to a narwhals frame (lazy stays lazy).

    All scores are computed in one ``with_columns``: a ``rank(method="min")`` per spec over the
    whole frame and the row count as a broadcast ``len()``.

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
    try:
        return frame.with_columns(
            *(
                quantile_score_expr(nw.col(s.column), s.n, descending=s.descending).alias(s.name)
                for s in specs
            )
        )
    except NotImplementedError:  # no rank operation (Dask): ranks from value counts
        pass
    frame = frame.with_columns(nw.len().cast(nw.Int64).alias(_COUNT))
    for spec in specs:
        rank_name = f"__crmkit_rank_{spec.name}"
        frame = _rank_by_counts(frame, spec, rank_name)
        score = _score(nw.col(rank_name), spec.n, nw.col(_COUNT))
        frame = frame.with_columns(score.alias(spec.name)).drop(rank_name)
    return frame.drop(_COUNT)
