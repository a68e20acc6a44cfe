"""The parts of a lead-scoring criteria code, the records engine's unit of work.

The records engine (:meth:`crmkit.scoring.LeadScoringModel.score` on records) gives each lead
an integer whose bit ``i`` says criterion ``i`` fired. What such a code gives before decay — the
capped fit total, the engagement total, the hits in criterion order — is worked out once per
distinct code by :class:`CriteriaCodes`, and each half of it once per distinct half: the fit
criteria's bits and the engagement criteria's bits. Each group's total is the sum of its
criteria's points in criterion order, which is how the one-lead-at-a-time path adds them up,
so the split changes no float: a code's parts are its fit part and its engagement part put
side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crmkit.scoring.lead_scoring import CriterionHit

__all__ = ["CodeParts", "CriteriaCodes", "OneDecay", "capped"]

#: The parts of a criteria code in which one decaying criterion fired: the engagement points
#: before it summed in order, the points after it, its position among the code's hits and the
#: decaying criterion.
OneDecay = tuple[float, tuple[float, ...], int, int]
#: A criteria code's parts that do not depend on decay: the capped fit total, the engagement
#: total, the hits, each engagement criterion as ``(position among the hits, criterion)``, and
#: the :data:`OneDecay` parts when exactly one decaying criterion fired (else ``None``).
CodeParts = tuple[
    float, float, tuple["CriterionHit", ...], tuple[tuple[int, int], ...], OneDecay | None
]
#: One group's part of a code: its total (capped for the fit group), the criteria that fired
#: in order, their hits, and for the engagement group the one decaying criterion that fired
#: as (points before it, points after it, its index among the group's fired criteria, the
#: criterion), or ``None``.
_GroupPart = tuple[
    float,
    tuple[int, ...],
    tuple["CriterionHit", ...],
    tuple[float, tuple[float, ...], int, int] | None,
]


class CriteriaCodes:
    """The :data:`CodeParts` of criteria codes, each group's part computed once.

    ``hits`` are the criteria's own hits (their points are what a criterion gives before
    decay), ``fit`` says which criteria are fit criteria, ``decay_slots`` which decay (``-1``
    for those that do not) and ``fit_cap`` caps the fit total.

    Examples:
        >>> from crmkit.scoring.lead_scoring import CriterionHit
        >>> hits = (CriterionHit("a", "fit", 10.0), CriterionHit("b", "engagement", 5.0),
        ...         CriterionHit("c", "fit", 1.5))
        >>> codes = CriteriaCodes(hits, (True, False, True), (-1, -1, -1), fit_cap=None)
        >>> fit, engagement, fired, engaged, one = codes.parts(0b111)
        >>> fit, engagement, [hit.criterion for hit in fired], engaged, one
        (11.5, 5.0, ['a', 'b', 'c'], ((1, 1),), None)
    """

    def __init__(
        self,
        hits: Sequence[CriterionHit],
        fit: Sequence[bool],
        decay_slots: Sequence[int],
        *,
        fit_cap: float | None,
    ) -> None:
        self._hits = tuple(hits)
        self._points = tuple(hit.points for hit in hits)
        self._slots = tuple(decay_slots)
        self._fit_cap = fit_cap
        self._fit_mask = sum(1 << i for i, is_fit in enumerate(fit) if is_fit)
        self._engagement_mask = ((1 << len(self._hits)) - 1) & ~self._fit_mask
        lowest_engagement = self._engagement_mask & -self._engagement_mask
        #: every fit criterion comes before every engagement criterion: a code's hits are its
        #: fit hits followed by its engagement hits
        self._ordered = not self._engagement_mask or self._fit_mask < lowest_engagement
        self._fit_parts: dict[int, _GroupPart] = {}
        self._engagement_parts: dict[int, _GroupPart] = {}

    def parts(self, code: int) -> CodeParts:
        """What the criteria that fired (bit ``i`` of ``code``: criterion ``i``) give before
        decay, added up in criterion order within each group.

        Examples:
            >>> from crmkit.scoring.lead_scoring import CriterionHit
            >>> hits = (CriterionHit("web", "engagement", 4.0), CriterionHit("size", "fit", 7.0),
            ...         CriterionHit("visit", "engagement", 10.0))
            >>> codes = CriteriaCodes(hits, (False, True, False), (-1, -1, 0), fit_cap=5.0)
            >>> codes.parts(0b111)[:2], codes.parts(0b111)[3:]
            ((5.0, 14.0), (((0, 0), (2, 2)), (4.0, (), 2, 2)))
        """
        fit_part = self._fit_parts.get(code & self._fit_mask)
        if fit_part is None:
            fit_part = self._group(code & self._fit_mask, fit=True)
        engagement_part = self._engagement_parts.get(code & self._engagement_mask)
        if engagement_part is None:
            engagement_part = self._group(code & self._engagement_mask, fit=False)
        fit, fit_fired, fit_hits, _ = fit_part
        engagement, engaged_fired, engaged_hits, one_of_group = engagement_part
        if self._ordered:
            offset = len(fit_fired)
            hits = fit_hits + engaged_hits
            engaged = tuple(enumerate(engaged_fired, offset))
            position = None if one_of_group is None else offset + one_of_group[2]
        else:
            fired = sorted(fit_fired + engaged_fired)
            hits = tuple(map(self._hits.__getitem__, fired))
            engaged = tuple((fired.index(i), i) for i in engaged_fired)
            position = None if one_of_group is None else fired.index(one_of_group[3])
        one: OneDecay | None = None
        if one_of_group is not None and position is not None:
            before, after, _, decaying = one_of_group
            one = before, after, position, decaying
        return fit, engagement, hits, engaged, one

    def _group(self, code: int, *, fit: bool) -> _GroupPart:
        """One group's part of a code holding only that group's bits (then kept)."""
        points = self._points
        total = 0.0
        fired: list[int] = []
        rest = code
        while rest:  # the criteria that fired, lowest bit (first criterion) first
            i = (rest & -rest).bit_length() - 1
            rest &= rest - 1
            total += points[i]
            fired.append(i)
        one = None
        if fit:
            total = capped(total, self._fit_cap)
        else:
            found = [j for j, i in enumerate(fired) if self._slots[i] >= 0]
            if len(found) == 1:
                (at,) = found
                before = 0.0
                for i in fired[:at]:  # the additions one lead at a time makes, in order
                    before += points[i]
                after = tuple(points[i] for i in fired[at + 1 :])
                one = before, after, at, fired[at]
        part = total, tuple(fired), tuple(map(self._hits.__getitem__, fired)), one
        (self._fit_parts if fit else self._engagement_parts)[code] = part
        return part


def capped(total: float, cap: float | None) -> float:
    """``total``, or ``cap`` (as a float) when ``total`` is above it.

    Examples:
        >>> capped(12.5, 10), capped(7.0, 10), capped(7.0, None)
        (10.0, 7.0, 7.0)
    """
    if cap is not None and total > cap:
        return float(cap)
    return total
