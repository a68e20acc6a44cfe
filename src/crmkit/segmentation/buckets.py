"""Repurchase-frequency buckets (seed 002): how many customers bought 1, 2–5, 6–10, 11+ times.

A :class:`Bucket` is an inclusive range of purchase counts. The default
:data:`DEFAULT_REPURCHASE_BUCKETS` is 1 / 2–5 / 6–10 / 11+. **The source's gap:** seed 002
asks for "more than 11" as the last bucket, so read literally a customer with exactly 11
purchases falls in no bucket; crmkit's default reads it as "11 or more". The literal reading is
:data:`SOURCE_REPURCHASE_BUCKETS` (last bucket 12+), which leaves 11 unclassified (bucket
``None``). A customer with no purchases has no bucket: they are a prospect.

:func:`repurchase_buckets` counts transactions per customer (or reads a per-customer count
column with ``purchases=``) and buckets them with a rule set built by :func:`bucket_segments`,
so the same definition runs on records and frames. Shares per bucket come from
:func:`crmkit.segmentation.segment_summary`.

Examples:
    >>> from crmkit.segmentation import (SOURCE_REPURCHASE_BUCKETS, repurchase_buckets,
    ...                                  segment_summary)
    >>> counts = [{"id": i, "purchases": n} for i, n in enumerate([1, 1, 3, 5, 7, 10, 11, 15])]
    >>> rows = repurchase_buckets(counts, purchases="purchases", key="id")
    >>> order = ["1", "2-5", "6-10", "11+", "12+"]
    >>> [(s.segment, s.size_share) for s in segment_summary(rows, segment="bucket", order=order)]
    [('1', 0.25), ('2-5', 0.25), ('6-10', 0.25), ('11+', 0.25)]
    >>> literal = repurchase_buckets(counts, purchases="purchases", key="id",
    ...                              buckets=SOURCE_REPURCHASE_BUCKETS)
    >>> [(s.segment, s.size_share)
    ...  for s in segment_summary(literal, segment="bucket", order=order)]
    [('1', 0.25), ('2-5', 0.25), ('6-10', 0.25), ('12+', 0.125), (None, 0.125)]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, overload

import attrs

from crmkit._deprecation import renamed
from crmkit.display import ResultRow
from crmkit.errors import ValidationError
from crmkit.frames import (
    Expr,
    FrameT,
    Records,
    SupportsToNative,
    col,
    from_native,
    is_frame,
    narwhals,
    to_native,
)
from crmkit.segmentation.rules import RuleSegments, Segment, assign_segments
from crmkit.segmentation.transactions import aggregate_frame, aggregate_records

__all__ = [
    "DEFAULT_REPURCHASE_BUCKETS",
    "SOURCE_REPURCHASE_BUCKETS",
    "Bucket",
    "BucketRow",
    "bucket_segments",
    "repurchase_buckets",
]


@attrs.frozen
class Bucket:
    """Purchase counts from ``low`` to ``high`` inclusive (``high=None``: no upper end).

    Examples:
        >>> from crmkit.segmentation import Bucket
        >>> Bucket("2-5", 2, 5).label
        '2-5'
    """

    label: str
    low: int
    high: int | None = None

    def __attrs_post_init__(self) -> None:
        if self.high is not None and self.high < self.low:
            raise ValidationError.single(
                f"bucket.{self.label}.high", self.high, f"is below low ({self.low})"
            )

    def test(self, column: str) -> Expr:
        """The rule "count is in this bucket" on ``column``."""
        if self.high is None:
            return col(column) >= self.low
        return col(column).between(self.low, self.high)


#: 1 / 2–5 / 6–10 / 11+ (seed 002, with "more than 11" read as "11 or more").
DEFAULT_REPURCHASE_BUCKETS = (
    Bucket("1", 1, 1),
    Bucket("2-5", 2, 5),
    Bucket("6-10", 6, 10),
    Bucket("11+", 11, None),
)
#: The source read literally: "more than 11" → 12+; exactly 11 purchases is unclassified.
SOURCE_REPURCHASE_BUCKETS = (
    Bucket("1", 1, 1),
    Bucket("2-5", 2, 5),
    Bucket("6-10", 6, 10),
    Bucket("12+", 12, None),
)


def bucket_segments(buckets: Sequence[Bucket], column: str) -> RuleSegments:
    """The rule set that puts ``column``'s count into ``buckets`` (no match → ``None``).

    Examples:
        >>> from crmkit.segmentation import DEFAULT_REPURCHASE_BUCKETS, bucket_segments
        >>> bucket_segments(DEFAULT_REPURCHASE_BUCKETS, "n").segment_of({"n": 11})
        '11+'
    """
    return RuleSegments([Segment(b.label, b.test(column)) for b in buckets], default=None)


@attrs.frozen
class BucketRow(ResultRow):
    """One customer's purchase count and bucket (``None``: in no bucket).

    Examples:
        >>> from crmkit.segmentation import BucketRow
        >>> BucketRow("c1", 3, "2-5").bucket
        '2-5'
    """

    customer_id: Any
    purchases: int
    bucket: str | None


@overload
def repurchase_buckets(
    data: SupportsToNative[FrameT],
    *,
    buckets: Sequence[Bucket] = ...,
    as_of: dt.date | None = ...,
    customer: str = ...,
    date_field: str = ...,
    purchases: str | None = ...,
    key: str = ...,
) -> FrameT: ...
@overload
def repurchase_buckets(
    data: FrameT,
    *,
    buckets: Sequence[Bucket] = ...,
    as_of: dt.date | None = ...,
    customer: str = ...,
    date_field: str = ...,
    purchases: str | None = ...,
    key: str = ...,
) -> FrameT: ...
@overload
def repurchase_buckets(
    data: Records,
    *,
    buckets: Sequence[Bucket] = ...,
    as_of: dt.date | None = ...,
    customer: str = ...,
    date_field: str = ...,
    purchases: str | None = ...,
    key: str = ...,
) -> list[BucketRow]: ...


@renamed(at="date_field")
def repurchase_buckets(
    data: Any,
    *,
    buckets: Sequence[Bucket] = DEFAULT_REPURCHASE_BUCKETS,
    as_of: dt.date | None = None,
    customer: str = "account_id",
    date_field: str = "ordered_at",
    purchases: str | None = None,
    key: str = "id",
) -> Any:
    """Bucket customers by their number of purchases.

    Args:
        data: transactions, or — with ``purchases`` — one row per customer with a count.
        buckets: the buckets (default 1 / 2–5 / 6–10 / 11+).
        as_of: ignore transactions after this date (transactions only).
        customer: the customer-id field of transactions.
        date_field: the date field of transactions.
        purchases: a per-customer count column; when given, ``data`` is not aggregated.
        key: the customer-id field when ``purchases`` is given.

    Returns:
        ``list[BucketRow]`` or a frame with ``customer_id, purchases, bucket``.

    Examples:
        >>> import datetime as dt
        >>> import polars as pl
        >>> from crmkit.segmentation import repurchase_buckets
        >>> orders = pl.DataFrame({"account_id": ["a", "a", "b"],
        ...                        "ordered_at": [dt.date(2024, 1, d) for d in (1, 2, 3)]})
        >>> repurchase_buckets(orders).sort("customer_id")["bucket"].to_list()
        ['2-5', '1']
    """
    rules = bucket_segments(buckets, "purchases")
    if is_frame(data):
        nw = narwhals()
        if purchases is None:
            counts = aggregate_frame(
                data, customer=customer, at=date_field, amount=None, as_of=as_of
            )
            counts = counts.select("customer_id", nw.col("frequency").alias("purchases"))
        else:
            counts = from_native(data).select(
                nw.col(key).alias("customer_id"), nw.col(purchases).alias("purchases")
            )
        return assign_segments(to_native(counts), rules, column="bucket")
    if purchases is None:
        stats = aggregate_records(data, customer=customer, at=date_field, amount=None, as_of=as_of)
        pairs = [(k, v[1]) for k, v in stats.items()]
    else:
        from crmkit.frames import read_field

        pairs = []
        for index, row in enumerate(data):
            try:
                pairs.append((read_field(row, key), read_field(row, purchases)))
            except ValidationError as error:
                raise error.prefixed(f"data[{index}]") from None
    segment = rules.expression()
    return [BucketRow(k, n, segment.evaluate({"purchases": n})) for k, n in pairs]
