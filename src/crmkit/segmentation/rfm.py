"""RFM: recency, frequency and monetary value per customer, scored 1–n and segmented.

:func:`rfm` turns transactions (orders, invoices) into one row per customer as of an explicit
date:

* ``recency_days`` — calendar days from the customer's last purchase (its UTC day) to the
  as-of date; 0 when they bought that day. *This is RFM recency: "days since last purchase".
  Lifetime-value models (lifetimes, BG/NBD) use "recency" for the customer's age at their last
  purchase (time from first to last purchase) — a different number; see ``crmkit.clv``.*
* ``frequency`` — the number of transactions up to the as-of date (not "repeat purchases" as
  in lifetimes).
* ``monetary`` — the sum of their amounts (Money counts as its Decimal amount).
* ``r_score``, ``f_score``, ``m_score`` — quantile scores 1..n (default 5) with the tie rule
  of :mod:`crmkit.frames.quantile`: ``score = 1 + floor(n * (rank_min - 1) / count)``; tied
  values share a score; a lower recency is better, so the most recent buyers get ``n``.
* ``segment`` — from the :class:`RFMSpec`'s segment map, a :class:`~crmkit.segmentation.
  RuleSegments` over the score columns (:data:`DEFAULT_RFM_SEGMENTS` for five bins).

Input rules (columns, Money, naive/aware datetimes, negative amounts, lazy frames, empty
input) are those of :mod:`crmkit.segmentation.transactions`; days follow the time rule of the
docs page *Time and boundaries* (``docs/concepts/time-and-boundaries.md``): an aware datetime
counts by its UTC calendar day on every engine, DuckDB ``TIMESTAMPTZ`` and PySpark included. Records give a list of
:class:`RFMRow` in order of each customer's first transaction; a frame gives the same kind of
frame with the columns ``customer_id, recency_days, frequency, monetary, r_score, f_score,
m_score, segment`` (row order unspecified; lazy frames stay lazy).

Examples:
    >>> import datetime as dt
    >>> from crmkit.segmentation import rfm
    >>> orders = [  # customer, day of December 2024 (or None: 2023-06-01), amount
    ...     {"account_id": c, "ordered_at": dt.date(2024, 12, d) if d else dt.date(2023, 6, 1),
    ...      "total": m}
    ...     for c, d, m in [("a", 30, 500), ("a", 20, 700), ("a", 10, 100), ("b", 29, 90),
    ...                     ("c", 1, 50), ("c", 2, 50), ("d", None, 900), ("d", None, 900),
    ...                     ("d", None, 900), ("d", None, 900), ("e", None, 10)]
    ... ]
    >>> for row in rfm(orders, as_of=dt.date(2024, 12, 31)):
    ...     print(row.customer_id, row.recency_days, row.frequency, row.monetary, row.cell,
    ...           row.segment)
    a 1 3 1300 544 champions
    b 2 1 90 412 promising
    c 29 2 100 333 needs_attention
    d 579 4 3600 155 cannot_lose
    e 579 1 10 111 lost
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Any, overload

import attrs

from crmkit._deprecation import renamed
from crmkit.display import ResultRow
from crmkit.domain.validators import compile_validation, plain_maker
from crmkit.errors import ValidationError
from crmkit.frames import (
    Context,
    FrameT,
    QuantileScore,
    Records,
    SupportsToNative,
    col,
    collect_like,
    day_number,
    from_native,
    is_frame,
    narwhals,
    quantile_score_expr,
    quantile_scores,
    scores_by_value_counts,
    to_native,
    with_lookup,
    with_quantile_scores,
    with_row_count,
)
from crmkit.segmentation.rules import RuleSegments, Segment
from crmkit.segmentation.transactions import (
    Negative,
    aggregate_columns,
    aggregate_frame,
    check_as_of,
    check_negative,
)

__all__ = ["DEFAULT_RFM_SEGMENTS", "RFMRow", "RFMSpec", "rfm"]

_r = col("r_score")
_f = col("f_score")

#: The default segment map for five bins, on R and F scores (the widely used 5×5 R/F grid,
#: with "hibernating" split into "hibernating" (R = 2) and "lost" (R = 1)). Every one of the
#: 25 (R, F) cells has exactly one segment.
DEFAULT_RFM_SEGMENTS = RuleSegments(
    [
        Segment("champions", (_r == 5) & (_f >= 4), "bought recently, buy often, spend most"),
        Segment("loyal", _r.between(3, 4) & (_f >= 4), "buy often; fairly recent"),
        Segment("potential_loyalists", (_r >= 4) & _f.between(2, 3), "recent, average frequency"),
        Segment("new_customers", (_r == 5) & (_f == 1), "bought most recently, once"),
        Segment("promising", (_r == 4) & (_f == 1), "recent first-time buyers"),
        Segment("needs_attention", (_r == 3) & (_f == 3), "average recency and frequency"),
        Segment("about_to_sleep", (_r == 3) & (_f <= 2), "below average; will be lost soon"),
        Segment("cannot_lose", (_r <= 2) & (_f == 5), "bought very often, long ago"),
        Segment("at_risk", (_r <= 2) & _f.between(3, 4), "bought often, long ago"),
        Segment("hibernating", (_r == 2) & (_f <= 2), "rare, long-ago buyers"),
        Segment("lost", (_r == 1) & (_f <= 2), "rarest, longest-ago buyers"),
    ],
    default="other",
)

_SCORE_COLUMNS = frozenset({"r_score", "f_score", "m_score"})
_COUNT = "__crmkit_count"
_ROW_COLUMNS = frozenset({"recency_days", "frequency", "monetary", "r_score", "f_score", "m_score"})


def _default_segments(spec: RFMSpec) -> RuleSegments | None:
    return DEFAULT_RFM_SEGMENTS if spec.bins == 5 else None


@attrs.frozen
class RFMSpec:
    """How to score and segment: the number of bins and the segment map.

    Args:
        bins: quantile bins per dimension (scores 1..bins); default 5.
        segments: a :class:`RuleSegments` over the columns ``recency_days``, ``frequency``,
            ``monetary``, ``r_score``, ``f_score``, ``m_score``. Defaults to
            :data:`DEFAULT_RFM_SEGMENTS` for 5 bins and to no segments otherwise.

    Examples:
        >>> from crmkit.frames import col
        >>> from crmkit.segmentation import RFMSpec, RuleSegments, Segment
        >>> spec = RFMSpec(bins=3, segments=RuleSegments(
        ...     [Segment("best", (col("r_score") == 3) & (col("m_score") == 3))], default="rest"))
        >>> spec.segments.names
        ['best', 'rest']
    """

    bins: int = attrs.field(default=5)
    segments: RuleSegments | None = attrs.field(
        default=attrs.Factory(_default_segments, takes_self=True)
    )

    @bins.validator
    def _check_bins(self, attribute: Any, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValidationError.single("bins", value, "must be a whole number of 1 or more")

    @segments.validator
    def _check_segments(self, attribute: Any, value: RuleSegments | None) -> None:
        if value is None:
            return
        unknown = sorted(value.columns() - _ROW_COLUMNS)
        if unknown:
            raise ValidationError.single(
                "segments", unknown, f"are not RFM columns; use {sorted(_ROW_COLUMNS)}"
            )


@compile_validation  # (a faster ``__init__``: a run builds one row per customer)
@attrs.frozen
class RFMRow(ResultRow):
    """One customer's RFM values, scores and segment.

    Examples:
        >>> from crmkit.segmentation import RFMRow
        >>> RFMRow("a", 3, 2, 100, 5, 4, 3, "champions").cell
        '543'
    """

    customer_id: Any
    recency_days: int
    frequency: int
    monetary: int | float | Decimal
    r_score: int
    f_score: int
    m_score: int
    segment: str | None

    @property
    def cell(self) -> str:
        """The R, F and M scores written together (``"543"``)."""
        return f"{self.r_score}{self.f_score}{self.m_score}"


@overload
def rfm(
    data: SupportsToNative[FrameT],
    *,
    as_of: dt.date,
    spec: RFMSpec | None = ...,
    customer: str = ...,
    date_field: str = ...,
    amount: str = ...,
    negative: Negative = ...,
) -> FrameT: ...
@overload
def rfm(
    data: FrameT,
    *,
    as_of: dt.date,
    spec: RFMSpec | None = ...,
    customer: str = ...,
    date_field: str = ...,
    amount: str = ...,
    negative: Negative = ...,
) -> FrameT: ...
@overload
def rfm(
    data: Records,
    *,
    as_of: dt.date,
    spec: RFMSpec | None = ...,
    customer: str = ...,
    date_field: str = ...,
    amount: str = ...,
    negative: Negative = ...,
) -> list[RFMRow]: ...


@renamed(at="date_field")
def rfm(
    data: Any,
    *,
    as_of: dt.date,
    spec: RFMSpec | None = None,
    customer: str = "account_id",
    date_field: str = "ordered_at",
    amount: str = "total",
    negative: Negative = "refuse",
) -> Any:
    """RFM values, scores and segments per customer, from transactions as of ``as_of``.

    Args:
        data: transactions — an iterable of records (attrs objects or dicts) or a dataframe.
        as_of: the analysis date; later transactions are ignored.
        spec: bins and segment map (default :class:`RFMSpec()`).
        customer: the customer-id field.
        date_field: the transaction date/datetime field.
        amount: the amount field (Money, int, float or Decimal; numeric column in frames).
        negative: what a negative amount (a refund or credit note) means: ``"refuse"`` it
            (the default, an error naming the row), ``"net"`` it within its customer (not a
            purchase; off the customer's monetary value, which stops at zero) or ``"drop"``
            it (with a :class:`~crmkit.errors.DroppedRowsWarning` giving the count); see
            :mod:`crmkit.segmentation.transactions`.

    Returns:
        ``list[RFMRow]`` for records; the same kind of frame for a frame.

    Examples:
        >>> import datetime as dt
        >>> import polars as pl
        >>> from crmkit.segmentation import rfm
        >>> frame = pl.LazyFrame({"account_id": ["a", "b"], "total": [10, 20],
        ...                       "ordered_at": [dt.date(2024, 1, 1), dt.date(2024, 6, 1)]})
        >>> out = rfm(frame, as_of=dt.date(2024, 12, 31))
        >>> type(out).__name__
        'LazyFrame'
        >>> out.sort("customer_id").collect()["r_score"].to_list()
        [1, 3]
    """
    as_of = check_as_of(as_of)
    spec = spec or RFMSpec()
    check_negative(negative)
    run = _rfm_frame if is_frame(data) else _rfm_rows
    return run(
        data, as_of, spec, customer=customer, at=date_field, amount=amount, negative=negative
    )


def _rfm_rows(
    data: Any,
    as_of: dt.date,
    spec: RFMSpec,
    *,
    customer: str,
    at: str,
    amount: str,
    negative: Negative,
) -> list[RFMRow]:
    keys, last_days, frequency, monetary = aggregate_columns(
        data, customer=customer, at=at, amount=amount, as_of=as_of, negative=negative,
        inside=__name__, days=True,
    )  # fmt: skip
    if not keys:
        return []
    recency = list(map(day_number(as_of).__sub__, last_days))
    del last_days
    n = spec.bins
    r_scores = quantile_scores(recency, n, descending=True)
    f_scores = quantile_scores(frequency, n)
    m_scores = quantile_scores(monetary, n)
    segments = _record_segments(spec, as_of, recency, frequency, monetary, r_scores, f_scores,
                                m_scores)  # fmt: skip
    return list(map(_row_maker(), keys, recency, frequency, monetary, r_scores, f_scores,
                    m_scores, segments))  # fmt: skip


@functools.cache
def _row_maker() -> Callable[..., RFMRow]:
    """:class:`RFMRow`'s maker (:func:`crmkit.domain.validators.plain_maker`), made once."""
    return plain_maker(RFMRow)


def _record_segments(
    spec: RFMSpec,
    as_of: dt.date,
    recency: list[int],
    frequency: list[int],
    monetary: list[Any],
    r_scores: list[int],
    f_scores: list[int],
    m_scores: list[int],
) -> list[Any]:
    """The segment of every customer; a map over scores only is evaluated once per cell."""
    if spec.segments is None:
        return [None] * len(r_scores)
    ctx = Context(as_of=as_of)
    scores = {"r_score": r_scores, "f_score": f_scores, "m_score": m_scores}
    cells = _segment_cells(spec, ctx)
    if cells is not None:  # the frames' lookup table: each customer's cell code, looked up
        weights, table = cells
        codes: Any = None
        for name, weight in weights.items():
            part = map(weight.__mul__, scores[name])
            codes = part if codes is None else map(int.__add__, codes, part)
        return list(map(table.__getitem__, codes))
    expression = spec.segments.expression()
    if spec.segments.columns() <= _SCORE_COLUMNS:
        triples = list(zip(r_scores, f_scores, m_scores, strict=True))
        segment_of = {
            cell: expression.evaluate(dict(zip(scores, cell, strict=True)), ctx)
            for cell in set(triples)
        }
        return list(map(segment_of.__getitem__, triples))
    names = ("recency_days", "frequency", "monetary", "r_score", "f_score", "m_score")
    return [
        expression.evaluate(dict(zip(names, values, strict=True)), ctx)
        for values in zip(recency, frequency, monetary, r_scores, f_scores, m_scores, strict=True)
    ]


def _rfm_frame(
    data: Any,
    as_of: dt.date,
    spec: RFMSpec,
    *,
    customer: str,
    at: str,
    amount: str,
    negative: Negative,
) -> Any:
    nw = narwhals()
    frame = from_native(data)
    # an eager Polars frame is checked eagerly, then planned and run as one lazy query
    grouped = aggregate_frame(
        frame, customer=customer, at=at, amount=amount, as_of=as_of, plan=True,
        negative=negative, inside=__name__,
    )  # fmt: skip
    recency = (nw.lit(day_number(as_of)) - nw.col("last_day")).cast(nw.Int64)
    n = spec.bins
    values = [
        nw.col("customer_id"),
        recency.alias("recency_days"),
        nw.col("frequency"),
        nw.col("monetary"),
    ]
    if scores_by_value_counts(grouped) or grouped.implementation.is_duckdb():
        # PySpark: each score's step values from value counts (small jobs), then the three
        # scores in one projection; Dask: value-count ranks joined back; neither has a
        # single-partition step; DuckDB:
        # the ranks and the row count as windows of one projection (one window step)
        scored = with_quantile_scores(
            grouped.select(*values),
            [
                QuantileScore("recency_days", "r_score", n, descending=True),
                QuantileScore("frequency", "f_score", n),
                QuantileScore("monetary", "m_score", n),
            ],
        )
    else:
        # the values and the three scores in one projection over the per-customer frame:
        # ranks over the whole frame and its row count, no join
        counted = with_row_count(grouped, _COUNT)
        count = nw.col(_COUNT)
        scored = counted.select(
            *values,
            quantile_score_expr(recency, n, descending=True, count=count).alias("r_score"),
            quantile_score_expr(nw.col("frequency"), n, count=count).alias("f_score"),
            quantile_score_expr(nw.col("monetary"), n, count=count).alias("m_score"),
        )
    columns = ["customer_id", "recency_days", "frequency", "monetary", "r_score", "f_score",
               "m_score"]  # fmt: skip
    cells = _segment_cells(spec, Context(as_of=as_of))
    if cells is not None:  # a map over scores only: look each row's score cell up
        weights, table = cells
        # the lookup appends ``segment`` after the score columns: already the output order
        result = with_lookup(scored, weights, table, "segment")
    else:
        result = scored.select(*columns, _segment_expr(spec, Context(as_of=as_of)).alias("segment"))
    native = to_native(collect_like(result, frame))
    if spec.segments is None and (
        frame.implementation.is_pandas_like() or frame.implementation.is_dask()
    ):
        # no segment map: a missing segment is None, as on records and in every other engine
        # (pandas would hold a string column's missing value as NaN)
        native = native.assign(segment=None)
    return native


#: Above this many score cells a segment map is compiled rule by rule instead of by cell.
_MAX_CELLS = 4096


def _segment_cells(spec: RFMSpec, ctx: Context) -> tuple[dict[str, int], list[Any]] | None:
    """The segment map as a lookup table over score cells, or ``None`` to compile it.

    A map that reads only scores (the default map reads R and F) has at most ``(n + 1) ** k``
    cells — each score 1..n or missing (0). The map is evaluated once per cell in Python,
    with the records engine's semantics, and the frame looks up its cell code
    (``r * (n + 1) + f`` …, :func:`crmkit.frames.with_lookup`): one lookup per row instead of
    the map's comparisons, and a far smaller expression to build.
    """
    segments = spec.segments
    if segments is None:
        return None
    used = sorted(segments.columns())
    base = spec.bins + 1
    if not used or not set(used) <= _SCORE_COLUMNS or base ** len(used) > _MAX_CELLS:
        return None
    expression = segments.expression()
    weights = {name: base**place for place, name in enumerate(used)}
    table: list[Any] = [None] * base ** len(used)
    for cell in itertools.product(range(base), repeat=len(used)):
        values = {name: score or None for name, score in zip(used, cell, strict=True)}
        table[sum(score * weights[name] for name, score in zip(used, cell, strict=True))] = (
            expression.evaluate(values, ctx)
        )
    return weights, table


def _segment_expr(spec: RFMSpec, ctx: Context) -> Any:
    """The segment map compiled rule by rule (or a missing value without a map)."""
    if spec.segments is None:
        nw = narwhals()
        return nw.lit(None, dtype=nw.String)
    return spec.segments.expression().compile(ctx)
