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
input) are those of :mod:`crmkit.segmentation.transactions`. Records give a list of
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
from decimal import Decimal
from typing import Any

import attrs

from crmkit.errors import ValidationError
from crmkit.frames import (
    Context,
    QuantileScore,
    col,
    day_number,
    from_native,
    is_frame,
    narwhals,
    quantile_scores,
    to_native,
    with_quantile_scores,
)
from crmkit.segmentation.rules import RuleSegments, Segment
from crmkit.segmentation.transactions import aggregate_frame, aggregate_records, check_as_of

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


@attrs.frozen
class RFMRow:
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


def rfm(
    data: Any,
    *,
    as_of: dt.date,
    spec: RFMSpec | None = None,
    customer: str = "account_id",
    at: str = "ordered_at",
    amount: str = "total",
) -> Any:
    """RFM values, scores and segments per customer, from transactions as of ``as_of``.

    Args:
        data: transactions — an iterable of records (attrs objects or dicts) or a dataframe.
        as_of: the analysis date; later transactions are ignored.
        spec: bins and segment map (default :class:`RFMSpec()`).
        customer: the customer-id field.
        at: the transaction date/datetime field.
        amount: the amount field (Money, int, float or Decimal; numeric column in frames).

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
    if is_frame(data):
        return _rfm_frame(data, as_of, spec, customer=customer, at=at, amount=amount)
    return _rfm_records(data, as_of, spec, customer=customer, at=at, amount=amount)


def _rfm_records(
    data: Any, as_of: dt.date, spec: RFMSpec, *, customer: str, at: str, amount: str
) -> list[RFMRow]:
    stats = aggregate_records(data, customer=customer, at=at, amount=amount, as_of=as_of)
    if not stats:
        return []
    as_of_day = day_number(as_of)
    keys = list(stats)
    recency = [as_of_day - day_number(stats[k][0]) for k in keys]
    frequency = [stats[k][1] for k in keys]
    monetary = [stats[k][2] for k in keys]
    n = spec.bins
    r_scores = quantile_scores(recency, n, descending=True)
    f_scores = quantile_scores(frequency, n)
    m_scores = quantile_scores(monetary, n)
    segments = spec.segments
    expression = segments.expression() if segments is not None else None
    only_scores = segments is not None and segments.columns() <= _SCORE_COLUMNS
    ctx = Context(as_of=as_of)
    cache: dict[tuple[int, int, int], Any] = {}
    out: list[RFMRow] = []
    for i, key in enumerate(keys):
        segment: Any = None
        if expression is not None:
            cell = (r_scores[i], f_scores[i], m_scores[i])
            if only_scores and cell in cache:
                segment = cache[cell]
            else:
                values = {
                    "recency_days": recency[i],
                    "frequency": frequency[i],
                    "monetary": monetary[i],
                    "r_score": r_scores[i],
                    "f_score": f_scores[i],
                    "m_score": m_scores[i],
                }
                segment = expression.evaluate(values, ctx)
                cache[cell] = segment
        out.append(RFMRow(key, recency[i], frequency[i], monetary[i], r_scores[i],
                          f_scores[i], m_scores[i], segment))  # fmt: skip
    return out


def _rfm_frame(
    data: Any, as_of: dt.date, spec: RFMSpec, *, customer: str, at: str, amount: str
) -> Any:
    nw = narwhals()
    frame = from_native(data)
    grouped = aggregate_frame(frame, customer=customer, at=at, amount=amount, as_of=as_of)
    grouped = grouped.with_columns(
        (nw.lit(day_number(as_of)) - nw.col("last_day")).cast(nw.Int64).alias("recency_days")
    )
    n = spec.bins
    scored = with_quantile_scores(
        grouped,
        [
            QuantileScore("recency_days", "r_score", n, descending=True),
            QuantileScore("frequency", "f_score", n),
            QuantileScore("monetary", "m_score", n),
        ],
    )
    ctx = Context(as_of=as_of)
    if spec.segments is not None:
        segment = spec.segments.expression().compile(ctx)
    else:
        segment = nw.lit(None, dtype=nw.String)
    scored = scored.with_columns(segment.alias("segment"))
    columns = ["customer_id", "recency_days", "frequency", "monetary", "r_score", "f_score",
               "m_score", "segment"]  # fmt: skip
    return to_native(scored.select(columns))
