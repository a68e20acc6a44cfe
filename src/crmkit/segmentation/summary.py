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
    Agg,
    Aggregation,
    FrameT,
    Records,
    Share,
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
    spec = _spec(segment, amount, list(averages))
    if is_frame(data):
        return _summary_frame(data, spec, segment, amount, list(averages))
    fields = spec.fields
    columns: dict[Any, tuple[list[Any], ...]] = {}
    for index, row in enumerate(data):
        try:
            name = read_field(row, segment)
            group = columns.get(name)
            if group is None:  # one list per field (a spec without fields: one to count rows)
                group = columns[name] = tuple([] for _ in fields) or ([],)
            if not fields:
                group[0].append(None)
            for column, c in zip(group, fields, strict=False):
                column.append(_number(read_field(row, c), f"data[{index}].{c}"))
        except ValidationError as error:
            raise (
                error if error.paths[0].startswith("data[") else error.prefixed(f"data[{index}]")
            ) from None
    groups = spec.columns(columns)
    rank = {name: i for i, name in enumerate(order or ())}
    ordered = sorted(
        groups,
        key=lambda s: (s is None, rank.get(s, len(rank)), str(s) if s is not None else ""),
    )
    out: list[SegmentSummaryRow] = []
    for name in ordered:
        g = groups[name]
        out.append(
            SegmentSummaryRow(
                name,
                g["size"],
                g["size_share"],
                g.get("value_total"),
                g.get("value_share"),
                g.get("value_mean"),
                {c: g[f"mean_{c}"] for c in averages},
            )
        )
    return out


def _spec(segment: str, amount: str | None, averages: list[str]) -> Aggregation:
    """The summary as one aggregation: size, the amount's total and mean, the averages."""
    aggs = [Agg("size", "len")]
    shares = [Share("size_share", "size")]
    if amount is not None:
        aggs += [Agg("value_total", "sum", amount), Agg("value_mean", "mean", amount)]
        shares.append(Share("value_share", "value_total"))
    aggs += [Agg(f"mean_{c}", "mean", c) for c in dict.fromkeys(averages)]
    return Aggregation((segment,), tuple(aggs), tuple(shares))


def _summary_frame(
    data: Any, spec: Aggregation, segment: str, value: str | None, averages: list[str]
) -> Any:
    nw = narwhals()
    frame = from_native(data)
    require_columns(frame, [segment] + ([value] if value else []) + averages, what="data")
    columns = [nw.col(segment).alias("segment"), "size", "size_share"]
    if value is not None:
        columns += ["value_total", "value_share", "value_mean"]
    columns += [f"mean_{c}" for c in averages]
    return to_native(spec.frame(frame).select(*columns))
