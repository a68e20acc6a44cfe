"""Prospecting: ideal-customer-profile fit, interest- and stage-aware priority, and judging
prospecting results by score band.

* :class:`IdealCustomerProfile` — seed 001 L468: prospects are matched on **need**,
  **buying behaviour**, **firmographics** (demographic characteristics) and **challenges**.
  Each dimension is a rule (:func:`crmkit.frames.col` expressions) with a weight; the fit is
  the weighted share of dimensions the prospect matches, a number in [0, 1].
* :func:`prospect_priority` — seed 001 L502–504 and L278: the very interested come first,
  then those evaluating, the not interested last; within a level, buying stage 4 (searching
  suppliers, "the best odds") first, then stages 3, 5, 6, 2, 7, 1, 8.
* :func:`score_bands` — seed 001 L559: the scoring model "can also be used to evaluate the
  results of prospecting": conversion rate per score band against actual outcomes and lift
  over the base rate.

Examples:
    >>> from crmkit.frames import col
    >>> from crmkit.scoring import IcpDimension, IdealCustomerProfile
    >>> icp = IdealCustomerProfile([
    ...     IcpDimension("firmographics", col("employees").between(20, 500), weight=2),
    ...     IcpDimension("need", col("needs_crm") == True),  # noqa: E712
    ... ])
    >>> round(icp.score_one({"employees": 50, "needs_crm": False}), 4)
    0.6667
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, overload

import attrs

from crmkit._deprecation import warn_deprecated
from crmkit.display import ResultRow
from crmkit.errors import ValidationError
from crmkit.frames import (
    Context,
    Expr,
    FrameT,
    Records,
    SupportsToNative,
    collect,
    column_types,
    from_native,
    is_frame,
    narwhals,
    read_field,
    to_native,
)

__all__ = [
    "DEFAULT_STAGE_ORDER",
    "ICP_DIMENSIONS",
    "BandResult",
    "IcpDimension",
    "IdealCustomerProfile",
    "prospect_priority",
    "score_bands",
]

#: Seed 001's four ICP dimensions (line 468).
ICP_DIMENSIONS = ("need", "buying_behaviour", "firmographics", "challenges")


def _weight(_: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValidationError.single(attribute.name, value, "must be a number greater than zero")


def _rule(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, Expr):
        raise ValidationError.single(attribute.name, value, "must be a rule built with col()")


@attrs.frozen
class IcpDimension:
    """One ICP dimension: a name (one of :data:`ICP_DIMENSIONS` or your own), the rule a
    matching prospect satisfies and its weight.

    Examples:
        >>> from crmkit.frames import col
        >>> from crmkit.scoring import IcpDimension
        >>> IcpDimension("challenges", col("pain").is_in(["churn", "manual work"])).weight
        1.0
    """

    name: str
    rule: Expr = attrs.field(validator=_rule)
    weight: float = attrs.field(default=1.0, converter=float, validator=_weight)


@attrs.frozen
class IdealCustomerProfile:
    """A weighted ideal customer profile: :meth:`score_one` gives one prospect's fit, a number
    in [0, 1]; :meth:`score` the fit of every prospect of records (a list) or a frame (a
    column), as :class:`LeadScoringModel` scores leads. A profile is written, not estimated, so
    it has no ``fit`` (the old ``fit`` is deprecated).

    Examples:
        >>> import polars as pl
        >>> from crmkit.frames import col
        >>> from crmkit.scoring import IcpDimension, IdealCustomerProfile
        >>> icp = IdealCustomerProfile([IcpDimension("firmographics", col("employees") > 10)])
        >>> icp.score(pl.DataFrame({"employees": [5, 50]}))["icp_fit"].to_list()
        [0.0, 1.0]
    """

    dimensions: tuple[IcpDimension, ...] = attrs.field(converter=tuple)

    def __attrs_post_init__(self) -> None:
        if not self.dimensions:
            raise ValidationError.single("dimensions", [], "must hold at least one dimension")
        names = [d.name for d in self.dimensions]
        if len(set(names)) != len(names):
            raise ValidationError.single("dimensions", names, "must have distinct names")

    @property
    def total_weight(self) -> float:
        """The sum of the weights."""
        return sum(d.weight for d in self.dimensions)

    def matches(self, prospect: Any, *, as_of: date | None = None) -> list[str]:
        """The dimensions one prospect matches.

        Examples:
            >>> from crmkit.frames import col
            >>> from crmkit.scoring import IcpDimension, IdealCustomerProfile
            >>> IdealCustomerProfile([IcpDimension("need", col("x") > 1)]).matches({"x": 3})
            ['need']
        """
        ctx = Context(as_of=as_of)
        out = []
        for d in self.dimensions:
            try:
                hit = d.rule.evaluate(prospect, ctx)
            except ValidationError as error:
                raise error.prefixed("prospect") from None
            if hit:
                out.append(d.name)
        return out

    def score_one(self, prospect: Any, *, as_of: date | None = None) -> float:
        """The fit of one prospect (a record): the weighted share of dimensions it matches.

        Examples:
            >>> from crmkit.frames import col
            >>> from crmkit.scoring import IcpDimension, IdealCustomerProfile
            >>> icp = IdealCustomerProfile([IcpDimension("need", col("x") > 1, weight=3),
            ...                             IcpDimension("size", col("y") > 1)])
            >>> icp.score_one({"x": 2, "y": 0})
            0.75
        """
        matched = set(self.matches(prospect, as_of=as_of))
        return sum(d.weight for d in self.dimensions if d.name in matched) / self.total_weight

    @overload
    def score(
        self, prospects: SupportsToNative[FrameT], *, as_of: date | None = ..., column: str = ...
    ) -> FrameT: ...
    @overload
    def score(
        self, prospects: FrameT, *, as_of: date | None = ..., column: str = ...
    ) -> FrameT: ...
    @overload
    def score(
        self, prospects: Records, *, as_of: date | None = ..., column: str = ...
    ) -> list[float]: ...

    def score(self, prospects: Any, *, as_of: date | None = None, column: str = "icp_fit") -> Any:
        """The fit of every prospect: records give a list of floats (in order), a frame gives
        the same frame type with the fit in ``column``.

        Examples:
            >>> from crmkit.frames import col
            >>> from crmkit.scoring import IcpDimension, IdealCustomerProfile
            >>> icp = IdealCustomerProfile([IcpDimension("need", col("x") > 1)])
            >>> icp.score([{"x": 0}, {"x": 2}])
            [0.0, 1.0]
        """
        if not is_frame(prospects):
            return [self.score_one(p, as_of=as_of) for p in prospects]
        nw = narwhals()
        frame = from_native(prospects)
        ctx = Context(as_of=as_of, schema=column_types(frame), implementation=frame.implementation)
        parts = [
            nw.when(d.rule.compile(ctx).fill_null(False))
            .then(nw.lit(d.weight))
            .otherwise(nw.lit(0.0))
            for d in self.dimensions
        ]
        fit = (nw.sum_horizontal(*parts) / self.total_weight).cast(nw.Float64())
        return to_native(frame.with_columns(fit.alias(column)))

    def fit(self, prospects: Any, *, as_of: date | None = None, column: str = "icp_fit") -> Any:
        """Deprecated: :meth:`score_one` for one record, :meth:`score` for records or a frame
        (``fit`` guessed the shape; it goes in the next release).

        Examples:
            >>> import warnings
            >>> from crmkit.frames import col
            >>> from crmkit.scoring import IcpDimension, IdealCustomerProfile
            >>> icp = IdealCustomerProfile([IcpDimension("need", col("x") > 1)])
            >>> with warnings.catch_warnings():
            ...     warnings.simplefilter("ignore", DeprecationWarning)
            ...     icp.fit({"x": 2})
            1.0
        """
        one = not is_frame(prospects) and not (
            isinstance(prospects, Sequence) and not isinstance(prospects, str | bytes)
        )
        warn_deprecated(
            "IdealCustomerProfile.fit() is deprecated; use "
            + ("score_one()" if one else "score()")
            + " (fit goes in the next release)",
            inside=__name__,
        )
        if one:
            return self.score_one(prospects, as_of=as_of)
        return self.score(prospects, as_of=as_of, column=column)


_INTEREST_RANK = {"very_interested": 0, "evaluating": 1, "not_interested": 2}
#: The default buying-stage order, best first. Biong et al.'s eight-stage buying process as
#: the prospecting thesis reads it (reference: seed-001.md L161-L166): prospects in stage 4
#: (searching for suppliers) give the best chance; reaching stage 1 (problem identification)
#: through inbound content "can also pay off greatly" because the customer skips stages; 3 is
#: still searching; 5 and 6 are quotes and supplier choice; 2, then post-purchase 7 and 8.
#: The source ranks only stage 4 first and stage 1 as a big-gain opportunity; the rest of the
#: order is crmkit's reading. Pass ``stage_order=`` to :func:`prospect_priority` to change it.
DEFAULT_STAGE_ORDER: tuple[int, ...] = (4, 1, 3, 5, 6, 2, 7, 8)


def prospect_priority(
    interest_level: Any,
    buying_stage: Any,
    *,
    stage_order: Sequence[int] = DEFAULT_STAGE_ORDER,
) -> int:
    """A sort key (lower = sooner) from interest level and buying stage (1–8); unknown
    values sort after known ones.

    Interest level decides first; within a level, stages follow ``stage_order`` (best first,
    each of 1–8 once). The default, :data:`DEFAULT_STAGE_ORDER`, puts stage 4 first and the
    inbound opportunity of stage 1 second, as the prospecting thesis says.

    Examples:
        >>> from crmkit.scoring import prospect_priority
        >>> leads = [("evaluating", 4), ("very_interested", 1), ("very_interested", 4),
        ...          ("very_interested", 3)]
        >>> sorted(leads, key=lambda lead: prospect_priority(*lead))
        [('very_interested', 4), ('very_interested', 1), ('very_interested', 3), ('evaluating', 4)]
        >>> sorted(leads, key=lambda lead: prospect_priority(
        ...     *lead, stage_order=(4, 3, 5, 6, 2, 7, 1, 8)))[:3]
        [('very_interested', 4), ('very_interested', 3), ('very_interested', 1)]
    """
    order = list(stage_order)
    if any(isinstance(x, bool) or not isinstance(x, int) for x in order) or sorted(order) != list(
        range(1, 9)
    ):
        raise ValidationError.single(
            "stage_order", tuple(order), "must list each buying stage 1–8 exactly once"
        )
    stage_rank = {s: i for i, s in enumerate(order)}
    interest = getattr(interest_level, "value", interest_level)
    stage = getattr(buying_stage, "value", buying_stage)
    if stage is not None and (isinstance(stage, bool) or stage not in stage_rank):
        raise ValidationError.single("buying_stage", stage, "must be a buying stage 1–8")
    if interest is not None and interest not in _INTEREST_RANK:
        raise ValidationError.single(
            "interest_level", interest, f"must be one of {sorted(_INTEREST_RANK)}"
        )
    i = _INTEREST_RANK.get(interest, 3)
    s = stage_rank.get(stage, 8) if stage is not None else 8
    return i * 10 + s


@attrs.frozen
class BandResult(ResultRow):
    """Conversion in one score band and its lift over the base rate.

    Examples:
        >>> from crmkit.scoring import BandResult
        >>> BandResult("60+", 10, 6, 0.6, 2.0).lift
        2.0
    """

    band: str
    leads: int
    converted: int
    conversion_rate: float
    lift: float


def _band_label(low: float, high: float | None) -> str:
    def show(x: float) -> str:
        return f"{x:g}"

    return f"{show(low)}+" if high is None else f"{show(low)}–{show(high)}"


def score_bands(
    leads: Any,
    *,
    edges: Sequence[float],
    score: str = "lead_score",
    converted: str = "converted",
) -> list[BandResult]:
    """Conversion rate and lift per score band ``[edges[i], edges[i+1])`` (last band open).

    Scores below the first edge form a band of their own. Lift is the band's rate divided by
    the overall conversion rate; a useful model has lift rising with the score.

    Examples:
        >>> from crmkit.scoring import score_bands
        >>> rows = [{"lead_score": s, "converted": c} for s, c in
        ...         [(10, False), (20, False), (45, True), (50, False), (80, True), (90, True)]]
        >>> [(b.band, b.conversion_rate, b.lift) for b in score_bands(rows, edges=[0, 40, 70])]
        [('0–40', 0.0, 0.0), ('40–70', 0.5, 1.0), ('70+', 1.0, 2.0)]
    """
    cuts = [float(e) for e in edges]
    if not cuts or cuts != sorted(set(cuts)):
        raise ValidationError.single("edges", list(edges), "must be increasing and not empty")
    bounds: list[tuple[float | None, float | None]] = [(None, cuts[0])]
    bounds += [(cuts[i], cuts[i + 1]) for i in range(len(cuts) - 1)] + [(cuts[-1], None)]
    counts = [[0, 0] for _ in bounds]
    if is_frame(leads):
        nw = narwhals()
        frame = from_native(leads)
        s = nw.col(score)
        won = nw.col(converted).cast(nw.Int64())
        aggs = []
        for i, (low, high) in enumerate(bounds):
            inside = nw.lit(True)
            if low is not None:
                inside = inside & (s >= low)
            if high is not None:
                inside = inside & (s < high)
            inside = inside & ~s.is_null()
            aggs.append(inside.cast(nw.Int64()).sum().alias(f"n{i}"))
            aggs.append((inside.cast(nw.Int64()) * won).sum().alias(f"c{i}"))
        out = frame.select(*aggs)
        out = collect(out)
        for i in range(len(bounds)):
            counts[i] = [int(out[f"n{i}"][0] or 0), int(out[f"c{i}"][0] or 0)]
    else:
        for j, lead in enumerate(leads):
            value = read_field(
                lead, score, what=f"leads[{j}]", paths=True, custom=True, floats=True
            )
            hit = read_field(
                lead, converted, what=f"leads[{j}]", paths=True, custom=True, floats=True
            )
            if not isinstance(hit, bool):
                raise ValidationError.single(
                    f"leads[{j}].{converted}", hit, "must be True or False"
                )
            if value is None:
                continue
            for i, (low, high) in enumerate(bounds):
                if (low is None or value >= low) and (high is None or value < high):
                    counts[i][0] += 1
                    counts[i][1] += int(hit)
                    break
    total = sum(n for n, _ in counts)
    wins = sum(c for _, c in counts)
    base = wins / total if total else float("nan")
    results = []
    for (low, high), (n, c) in zip(bounds, counts, strict=True):
        if low is None:
            if n == 0:
                continue
            label = f"<{high:g}"
        else:
            label = _band_label(low, high)
        rate = c / n if n else float("nan")
        lift = rate / base if n and base else float("nan")
        results.append(BandResult(label, n, c, rate, lift))
    return results
