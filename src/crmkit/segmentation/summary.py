"""Segment summary: size, share of customers, value total, value share and averages.

:func:`segment_summary` works on any segmented data — RFM rows, ABC rows, status rows, rule
segments, or a frame with a segment column. Missing values are left out of sums and averages
(as dataframes do); shares are of the non-missing total and missing when that total is 0. Rows
without a segment form a group of their own (segment ``None``). Records give rows in order of
the segment names (or of ``order``; ``None`` last); frames come back as the same kind of frame (lazy stays
lazy; row order unspecified).

Examples:
    >>> from crmkit.segmentation import segment_summary
    >>> rows = [{"segment": "A", "revenue": 80}, {"segment": "A", "revenue": 10},
    ...         {"segment": "B", "revenue": 10}]
    >>> for s in segment_summary(rows, amount="revenue"):
    ...     print(s.segment, s.size, s.size_share, s.value_total, s.value_share, s.value_mean)
    A 2 0.6666666666666666 90 0.9 45.0
    B 1 0.3333333333333333 10 0.1 10.0
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, overload

import attrs

from crmkit._deprecation import renamed
from crmkit.display import ResultRow
from crmkit.errors import ValidationError
from crmkit.frames import (
    FrameT,
    Records,
    SupportsToNative,
    from_native,
    is_frame,
    narwhals,
    read_field,
    require_columns,
    to_native,
)

__all__ = ["SegmentSummaryRow", "segment_summary"]


@attrs.frozen
class SegmentSummaryRow(ResultRow):
    """Summary of one segment; ``means`` holds the averages of the extra columns.

    Examples:
        >>> from crmkit.segmentation import SegmentSummaryRow
        >>> SegmentSummaryRow("A", 2, 0.5).size
        2
    """

    segment: Any
    size: int
    size_share: float
    value_total: int | float | Decimal | None = None
    value_share: float | None = None
    value_mean: float | None = None
    means: dict[str, float | None] = attrs.field(factory=dict)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _number(value: Any, path: str) -> Any:
    if _missing(value):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValidationError.single(path, value, "is not a number")
    return value


def _mean(values: list[Any]) -> float | None:
    return float(sum(values, start=0)) / len(values) if values else None


@overload
def segment_summary(
    data: SupportsToNative[FrameT],
    *,
    segment: str = ...,
    amount: str | None = ...,
    averages: Sequence[str] = ...,
    order: Sequence[Any] | None = ...,
) -> FrameT: ...
@overload
def segment_summary(
    data: FrameT,
    *,
    segment: str = ...,
    amount: str | None = ...,
    averages: Sequence[str] = ...,
    order: Sequence[Any] | None = ...,
) -> FrameT: ...
@overload
def segment_summary(
    data: Records,
    *,
    segment: str = ...,
    amount: str | None = ...,
    averages: Sequence[str] = ...,
    order: Sequence[Any] | None = ...,
) -> list[SegmentSummaryRow]: ...


@renamed(value="amount")
def segment_summary(
    data: Any,
    *,
    segment: str = "segment",
    amount: str | None = None,
    averages: Sequence[str] = (),
    order: Sequence[Any] | None = None,
) -> Any:
    """Size, shares and averages per segment.

    Args:
        data: segmented records or a frame.
        segment: the segment field/column.
        amount: an amount field (revenue, monetary …) to total, share and average.
        averages: more numeric fields to average per segment (``means`` / ``mean_<name>``).
        order: segment names to list first, in this order (records; e.g. bucket order).

    Examples:
        >>> import polars as pl
        >>> from crmkit.segmentation import segment_summary
        >>> frame = pl.DataFrame({"segment": ["A", "A", "B"], "revenue": [80, 10, 10]})
        >>> segment_summary(frame, amount="revenue").sort("segment")["value_share"].to_list()
        [0.9, 0.1]
    """
    if is_frame(data):
        return _summary_frame(data, segment, amount, list(averages))
    groups: dict[Any, list[Any]] = {}
    columns = ([amount] if amount is not None else []) + list(averages)
    for index, row in enumerate(data):
        try:
            name = read_field(row, segment)
            numbers = [_number(read_field(row, c), f"data[{index}].{c}") for c in columns]
        except ValidationError as error:
            raise (
                error if error.paths[0].startswith("data[") else error.prefixed(f"data[{index}]")
            ) from None
        groups.setdefault(name, []).append(numbers)
    size_total = sum(len(g) for g in groups.values())
    grand: Any = None
    if amount is not None:
        grand = sum((n[0] for g in groups.values() for n in g if n[0] is not None), start=0)
    rank = {name: i for i, name in enumerate(order or ())}
    ordered = sorted(
        groups,
        key=lambda s: (s is None, rank.get(s, len(rank)), str(s) if s is not None else ""),
    )
    out: list[SegmentSummaryRow] = []
    for name in ordered:
        rows = groups[name]
        total: Any = None
        share = mean = None
        offset = 0
        if amount is not None:
            offset = 1
            present = [n[0] for n in rows if n[0] is not None]
            total = sum(present, start=0)
            share = float(total) / float(grand) if grand else None
            mean = _mean(present)
        means = {
            c: _mean([n[offset + i] for n in rows if n[offset + i] is not None])
            for i, c in enumerate(averages)
        }
        out.append(
            SegmentSummaryRow(name, len(rows), len(rows) / size_total, total, share, mean, means)
        )
    return out


def _summary_frame(data: Any, segment: str, value: str | None, averages: list[str]) -> Any:
    nw = narwhals()
    frame = from_native(data)
    require_columns(frame, [segment] + ([value] if value else []) + averages, what="data")
    aggs = [nw.len().alias("size")]
    if value is not None:
        aggs += [nw.col(value).sum().alias("value_total"), nw.col(value).mean().alias("value_mean")]
    aggs += [nw.col(c).mean().alias(f"mean_{c}") for c in averages]
    grouped = frame.group_by(segment).agg(*aggs).with_columns(nw.col("size").cast(nw.Int64))
    totals = [nw.col("size").sum().alias("__crmkit_size")]
    if value is not None:
        totals.append(nw.col("value_total").sum().alias("__crmkit_value"))
    grouped = grouped.join(grouped.select(*totals), how="cross")
    size_total = nw.col("__crmkit_size")
    columns = [
        nw.col(segment).alias("segment"),
        "size",
        (nw.col("size") / size_total).alias("size_share"),
    ]
    if value is not None:
        grand = nw.col("__crmkit_value")
        columns += [
            "value_total",
            nw.when(grand != 0).then(nw.col("value_total") / grand).alias("value_share"),
            "value_mean",
        ]
    columns += [f"mean_{c}" for c in averages]
    return to_native(grouped.select(*columns))
