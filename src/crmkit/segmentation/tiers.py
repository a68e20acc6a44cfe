"""Threshold tiers: go-to-market tiers by company size and purchase-propensity bands.

**Go-to-market tiers** (seed 000 §3.5): the company's go-to-market model classes customers by
size into **four** segments that set how much interaction each gets — small companies are
handled by phone only, large ones by a dedicated Major Account Manager. The source does not
give the middle two tiers or any thresholds, so :data:`DEFAULT_GTM_TIERS` is a *library
default* (employee bands after the EU SME size classes, plus a "major" tier): small < 50,
medium 50–249, large 250–999, major ≥ 1000, each with a coverage model. Pass your own
:class:`Tier` list to change names, thresholds or coverage.

**Purchase-propensity bands** (seed 000: customers "classified in segments by the probability
that they will buy"): :data:`DEFAULT_PROPENSITY_BANDS` cuts a probability in [0, 1] at 0.25,
0.5 and 0.75.

A tier holds values from its ``minimum`` (inclusive) up to the next tier's minimum; values
below the first minimum or missing are unclassified.

Examples:
    >>> from crmkit.segmentation import go_to_market_tiers
    >>> accounts = [{"id": "a", "employees": 12}, {"id": "b", "employees": 250},
    ...             {"id": "c", "employees": 5000}]
    >>> [(r.tier, r.coverage) for r in go_to_market_tiers(accounts)]  # doctest: +NORMALIZE_WHITESPACE
    [('small', 'telesales: phone and web only'),
     ('large', 'field sales: named account manager'),
     ('major', 'dedicated major account manager')]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, overload

import attrs

from crmkit.display import ResultRow
from crmkit.errors import ValidationError
from crmkit.frames import FrameT, Records, SupportsToNative, col, is_frame
from crmkit.segmentation.rules import RuleSegments, Segment, assign_segments

__all__ = [
    "DEFAULT_GTM_TIERS",
    "DEFAULT_PROPENSITY_BANDS",
    "Tier",
    "TierRow",
    "go_to_market_tiers",
    "propensity_bands",
    "tier_segments",
]


@attrs.frozen
class Tier:
    """A tier from ``minimum`` (inclusive) up, with the way customers in it are covered.

    Examples:
        >>> from crmkit.segmentation import Tier
        >>> Tier("major", 1000, "dedicated major account manager").minimum
        1000
    """

    name: str
    minimum: float
    coverage: str = ""


#: Library default (the source gives only "four tiers", small = phone, large = major account
#: manager): employee bands small < 50 ≤ medium < 250 ≤ large < 1000 ≤ major.
DEFAULT_GTM_TIERS = (
    Tier("small", 0, "telesales: phone and web only"),
    Tier("medium", 50, "inside sales: phone, web meetings, occasional visits"),
    Tier("large", 250, "field sales: named account manager"),
    Tier("major", 1000, "dedicated major account manager"),
)

#: Library default bands of a purchase probability in [0, 1].
DEFAULT_PROPENSITY_BANDS = (
    Tier("low", 0.0, "nurture by marketing automation"),
    Tier("medium", 0.25, "periodic contact"),
    Tier("high", 0.5, "sales follow-up"),
    Tier("very_high", 0.75, "immediate sales contact"),
)


def tier_segments(tiers: Sequence[Tier], column: str) -> RuleSegments:
    """The rule set for ``tiers`` on ``column``; segments carry a ``coverage`` attribute.

    Examples:
        >>> from crmkit.segmentation import DEFAULT_GTM_TIERS, tier_segments
        >>> tier_segments(DEFAULT_GTM_TIERS, "employees").segment_of({"employees": 49})
        'small'
    """
    ordered = list(tiers)
    minimums = [t.minimum for t in ordered]
    if not ordered or minimums != sorted(minimums) or len(set(minimums)) != len(minimums):
        raise ValidationError.single(
            "tiers", minimums, "must be a non-empty list with strictly increasing minimums"
        )
    return RuleSegments(
        [Segment(t.name, col(column) >= t.minimum, attributes={"coverage": t.coverage})
         for t in reversed(ordered)],
        default=None,
    )  # fmt: skip


@attrs.frozen
class TierRow(ResultRow):
    """One customer's tier and its coverage model (``None``: unclassified).

    Examples:
        >>> from crmkit.segmentation import TierRow
        >>> TierRow("a", "small", "telesales").tier
        'small'
    """

    key: Any
    tier: str | None
    coverage: str | None


def _tiers(data: Any, tiers: Sequence[Tier], column: str, key: str, names: tuple[str, str]) -> Any:
    rules = tier_segments(tiers, column)
    if is_frame(data):
        out = assign_segments(data, rules, column=names[0], attributes=["coverage"])
        if names[1] != "coverage":
            out = _rename(out, "coverage", names[1])
        return out
    rows = assign_segments(data, rules, key=key, attributes=["coverage"])
    return [TierRow(r.key, r.segment, r.attributes["coverage"]) for r in rows]


def _rename(native: Any, old: str, new: str) -> Any:
    from crmkit.frames import from_native, to_native

    return to_native(from_native(native).rename({old: new}))


@overload
def go_to_market_tiers(
    data: SupportsToNative[FrameT], *, size: str = ..., tiers: Sequence[Tier] = ..., key: str = ...
) -> FrameT: ...
@overload
def go_to_market_tiers(
    data: FrameT, *, size: str = ..., tiers: Sequence[Tier] = ..., key: str = ...
) -> FrameT: ...
@overload
def go_to_market_tiers(
    data: Records, *, size: str = ..., tiers: Sequence[Tier] = ..., key: str = ...
) -> list[TierRow]: ...


def go_to_market_tiers(
    data: Any,
    *,
    size: str = "employees",
    tiers: Sequence[Tier] = DEFAULT_GTM_TIERS,
    key: str = "id",
) -> Any:
    """Go-to-market tier per account (records → ``list[TierRow]``; frame → plus ``tier``
    and ``coverage``).

    Examples:
        >>> import pandas as pd
        >>> from crmkit.segmentation import go_to_market_tiers
        >>> go_to_market_tiers(pd.DataFrame({"employees": [10, 100]}))["tier"].tolist()
        ['small', 'medium']
    """
    return _tiers(data, tiers, size, key, ("tier", "coverage"))


@overload
def propensity_bands(
    data: SupportsToNative[FrameT],
    *,
    probability: str = ...,
    bands: Sequence[Tier] = ...,
    key: str = ...,
) -> FrameT: ...
@overload
def propensity_bands(
    data: FrameT, *, probability: str = ..., bands: Sequence[Tier] = ..., key: str = ...
) -> FrameT: ...
@overload
def propensity_bands(
    data: Records, *, probability: str = ..., bands: Sequence[Tier] = ..., key: str = ...
) -> list[TierRow]: ...


def propensity_bands(
    data: Any,
    *,
    probability: str = "purchase_probability",
    bands: Sequence[Tier] = DEFAULT_PROPENSITY_BANDS,
    key: str = "id",
) -> Any:
    """Purchase-propensity band per customer (records → ``list[TierRow]``; frame → plus
    ``propensity_band`` and ``action``).

    Examples:
        >>> from crmkit.segmentation import propensity_bands
        >>> [r.tier for r in propensity_bands([{"id": 1, "purchase_probability": 0.5}])]
        ['high']
    """
    return _tiers(data, bands, probability, key, ("propensity_band", "action"))
