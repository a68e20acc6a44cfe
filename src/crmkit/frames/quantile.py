"""Quantile scores 1–n with one tie rule that every engine computes exactly alike.

**Tie rule.** For a value ``v`` among ``count`` values, ``rank_min(v)`` is one plus the number
of values that are strictly worse (smaller, or larger when ``descending``), so tied values share
the lowest rank of their group. The score is::

    score = 1 + floor(n * (rank_min - 1) / count)

so scores run from 1 to ``n``, tied values always get the same score, the best ``~count/n``
values get ``n`` and, when all values are equal, every value gets 1. With ``count = 10`` and
``n = 5`` the ten distinct ranks 1..10 score 1,1,2,2,3,3,4,4,5,5. Only integer arithmetic is
involved, so pandas, Polars, PyArrow, DuckDB, Dask, PySpark and pure Python agree exactly.

Frames use narwhals' ``rank(method="min")``; a backend without a rank operation (Dask) gets the
same numbers from a join on value counts (``cum_sum`` of the counts of each distinct value in
value order), so nothing is collected.

Examples:
    >>> from crmkit.frames import quantile_scores
    >>> quantile_scores([10, 20, 20, 30, 40], 5)
    [1, 2, 2, 4, 5]
    >>> quantile_scores([3, 1, 2], 3, descending=True)
    [1, 3, 2]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from crmkit.errors import ValidationError
from crmkit.frames.native import narwhals

__all__ = ["QuantileScore", "quantile_scores", "with_quantile_scores"]

_COUNT = "__crmkit_count"
_NOTHING = object()


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
    ordered = sorted(values, reverse=descending)
    # rank_min of each distinct value: 1 + the number of strictly worse values before it
    rank_of: dict[Any, int] = {}
    previous: Any = _NOTHING
    for position, value in enumerate(ordered):
        if value != previous:
            rank_of[value] = position + 1
            previous = value
    scores: list[int] = [1 + (n * (rank_of[value] - 1)) // count for value in values]
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


def with_quantile_scores(frame: Any, specs: Sequence[QuantileScore]) -> Any:
    """Add one integer score column per spec to a narwhals frame (lazy stays lazy).

    Examples:
        >>> import polars as pl
        >>> from crmkit.frames import QuantileScore, from_native, with_quantile_scores
        >>> frame = from_native(pl.DataFrame({"m": [10, 20, 20, 30, 40]}))
        >>> with_quantile_scores(frame, [QuantileScore("m", "m_score", 5)])["m_score"].to_list()
        [1, 2, 2, 4, 5]
    """
    nw = narwhals()
    frame = frame.join(frame.select(nw.len().alias(_COUNT)), how="cross")
    for spec in specs:
        rank_name = f"__crmkit_rank_{spec.name}"
        try:
            frame = frame.with_columns(
                nw.col(spec.column).rank(method="min", descending=spec.descending).alias(rank_name)
            )
        except NotImplementedError:
            frame = _rank_by_counts(frame, spec, rank_name)
        rank = nw.col(rank_name).cast(nw.Int64)
        score = 1 + (spec.n * (rank - 1)) // nw.col(_COUNT).cast(nw.Int64)
        frame = frame.with_columns(score.cast(nw.Int64).alias(spec.name)).drop(rank_name)
    return frame.drop(_COUNT)
