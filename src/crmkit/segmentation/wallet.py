"""Share of wallet (seed 002 "kundandel"): our spend ÷ the customer's total category spend.

Customers are split at ``threshold`` (default 50 %) into ``"above"`` and ``"below"``. **The
boundary is explicit:** the source asks for "more than 50 %" and "less than 50 %", so a
customer at exactly 50 % is in neither; ``boundary`` decides — ``"below"`` (default, the
">50 / ≤50" reading), ``"above"`` (a "≥ 50 %" rule) or ``None`` (the strict reading: exactly
at the threshold is unclassified).

Input checks: the total spend must be more than zero and our spend between zero and the total;
records and eager frames raise :class:`~crmkit.errors.ValidationError`, while on lazy frames
(which are not computed here) a zero total gives a missing share and no class.

Examples:
    >>> from crmkit.segmentation import share_of_wallet, segment_summary
    >>> customers = [{"id": "A", "our_spend": 80, "total_spend": 100},
    ...              {"id": "B", "our_spend": 30, "total_spend": 100},
    ...              {"id": "C", "our_spend": 50, "total_spend": 100},
    ...              {"id": "D", "our_spend": 0, "total_spend": 40}]
    >>> [(r.key, r.share, r.wallet_class) for r in share_of_wallet(customers, boundary=None)]
    [('A', 0.8, 'above'), ('B', 0.3, 'below'), ('C', 0.5, None), ('D', 0.0, 'below')]
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal, overload

import attrs

from crmkit.display import ResultRow
from crmkit.errors import Problem, ValidationError
from crmkit.frames import (
    Expr,
    FrameT,
    Records,
    SupportsToNative,
    col,
    from_native,
    is_frame,
    is_lazy,
    narwhals,
    read_field,
    require_columns,
)
from crmkit.segmentation.rules import RuleSegments, Segment, assign_segments

__all__ = ["WalletRow", "share_of_wallet", "wallet_segments"]

Boundary = Literal["above", "below"] | None


@attrs.frozen
class WalletRow(ResultRow):
    """One customer's share of wallet and class (``None``: unclassified).

    Examples:
        >>> from crmkit.segmentation import WalletRow
        >>> WalletRow("A", 0.8, "above").wallet_class
        'above'
    """

    key: Any
    share: float | None
    wallet_class: str | None


def wallet_segments(
    *, ours: str, total: str, threshold: float = 0.5, boundary: Boundary = "below"
) -> RuleSegments:
    """The rule set that classes the share ``ours / total`` against ``threshold``.

    Examples:
        >>> from crmkit.segmentation.wallet import wallet_segments
        >>> rules = wallet_segments(ours="o", total="t", boundary="above")
        >>> rules.segment_of({"o": 50, "t": 100})
        'above'
    """
    if boundary not in ("above", "below", None):
        raise ValidationError.single("boundary", boundary, "must be 'above', 'below' or None")
    if not 0 < threshold < 1:
        raise ValidationError.single("threshold", threshold, "must be a share between 0 and 1")
    share = _share(ours, total)
    above = share >= threshold if boundary == "above" else share > threshold
    below = share <= threshold if boundary == "below" else share < threshold
    return RuleSegments([Segment("above", above), Segment("below", below)], default=None)


def _share(ours: str, total: str) -> Expr:
    return col(ours) / col(total)


def _check_record(row: Any, index: int, ours: str, total: str) -> tuple[Any, Any]:
    try:
        mine = read_field(row, ours)
        whole = read_field(row, total)
    except ValidationError as error:
        raise error.prefixed(f"data[{index}]") from None
    problems = []
    for name, value in ((ours, mine), (total, whole)):
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            problems.append(Problem(f"data[{index}].{name}", value, "is not a number"))
    if problems:
        raise ValidationError(problems)
    if not whole > 0:
        raise ValidationError.single(
            f"data[{index}].{total}",
            whole,
            "must be more than zero (a share of nothing is undefined)",
        )
    if not 0 <= mine <= whole:
        raise ValidationError.single(
            f"data[{index}].{ours}", mine, f"must be between 0 and the total spend ({whole})"
        )
    return mine, whole


@overload
def share_of_wallet(
    data: SupportsToNative[FrameT],
    *,
    ours: str = ...,
    total: str = ...,
    threshold: float = ...,
    boundary: Boundary = ...,
    key: str = ...,
) -> FrameT: ...
@overload
def share_of_wallet(
    data: FrameT,
    *,
    ours: str = ...,
    total: str = ...,
    threshold: float = ...,
    boundary: Boundary = ...,
    key: str = ...,
) -> FrameT: ...
@overload
def share_of_wallet(
    data: Records,
    *,
    ours: str = ...,
    total: str = ...,
    threshold: float = ...,
    boundary: Boundary = ...,
    key: str = ...,
) -> list[WalletRow]: ...


def share_of_wallet(
    data: Any,
    *,
    ours: str = "our_spend",
    total: str = "total_spend",
    threshold: float = 0.5,
    boundary: Boundary = "below",
    key: str = "id",
) -> Any:
    """Share of wallet and its class per customer.

    Returns ``list[WalletRow]`` or the same kind of frame plus ``share_of_wallet`` and
    ``wallet_class``.

    Examples:
        >>> import pandas as pd
        >>> from crmkit.segmentation import share_of_wallet
        >>> frame = pd.DataFrame({"our_spend": [50, 60], "total_spend": [100, 100]})
        >>> share_of_wallet(frame)["wallet_class"].tolist()
        ['below', 'above']
    """
    rules = wallet_segments(ours=ours, total=total, threshold=threshold, boundary=boundary)
    if is_frame(data):
        nw = narwhals()
        frame = from_native(data)
        require_columns(frame, [ours, total], what="data")
        if not is_lazy(frame):
            bad = frame.select(
                (nw.col(total) <= 0).any().alias("total"),
                ((nw.col(ours) < 0) | (nw.col(ours) > nw.col(total))).any().alias("ours"),
            ).row(0)
            if bad[0]:
                raise ValidationError.single(
                    f"data.{total}", message="has values of zero or less; shares are undefined"
                )
            if bad[1]:
                raise ValidationError.single(
                    f"data.{ours}", message="has values below 0 or above the total spend"
                )
        out = assign_segments(data, rules, column="wallet_class")
        return _with_share(out, ours, total)
    segment = rules.expression()
    rows: list[WalletRow] = []
    for index, row in enumerate(data):
        mine, whole = _check_record(row, index, ours, total)
        values = {ours: mine, total: whole}
        rows.append(
            WalletRow(read_field(row, key), float(mine) / float(whole), segment.evaluate(values))
        )
    return rows


def _with_share(native: Any, ours: str, total: str) -> Any:
    from crmkit.frames import with_columns

    return with_columns(native, {"share_of_wallet": _share(ours, total)}, what="data")
