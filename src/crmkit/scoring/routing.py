"""Lead routing: assign each lead to a seller by segment, free capacity and experience.

Seed 001 (L528): a lead arrives, is stored and systematised, then "assigned to a seller based
on segmentation, capacity and experience with similar customers". :func:`route_leads` does
that deterministically and explains every choice:

1. eligible sellers cover the lead's segment and have free capacity;
2. among them the one with the most experience with the segment (won customers in it) wins;
   ties go to the most free capacity, then to the seller id;
3. each assignment uses one unit of the seller's capacity; a lead nobody can take is
   reported unassigned with the reason.

Examples:
    >>> from crmkit.scoring import Seller, route_leads
    >>> sellers = [Seller("ann", {"smb"}, capacity=2, experience={"smb": 5}),
    ...            Seller("bo", {"smb", "enterprise"}, capacity=5, experience={"smb": 1})]
    >>> [(a.lead_id, a.seller_id) for a in route_leads(
    ...     [{"id": "l1", "segment": "smb"}, {"id": "l2", "segment": "enterprise"}], sellers)]
    [('l1', 'ann'), ('l2', 'bo')]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from crmkit._deprecation import renamed
from crmkit.display import ResultRow
from crmkit.errors import ValidationError
from crmkit.frames import read_field

__all__ = ["Assignment", "Seller", "route_leads"]


def _segments(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset({value})
    return frozenset(value)


def _experience(value: Mapping[str, int] | None) -> dict[str, int]:
    return dict(value or {})


@attrs.frozen
class Seller:
    """A seller who can take leads.

    Args:
        id: the seller (an owner id).
        segments: the segments the seller covers.
        capacity: how many more leads the seller can take now.
        experience: won customers per segment (experience with similar customers).

    Examples:
        >>> from crmkit.scoring import Seller
        >>> Seller("ann", ["smb"], capacity=-1)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: seller.ann.capacity: -1 must be zero or more
    """

    id: str
    segments: frozenset[str] = attrs.field(converter=_segments)
    capacity: int = 0
    experience: dict[str, int] = attrs.field(factory=dict, converter=_experience)

    def __attrs_post_init__(self) -> None:
        if (
            isinstance(self.capacity, bool)
            or not isinstance(self.capacity, int)
            or (self.capacity < 0)
        ):
            raise ValidationError.single(
                f"seller.{self.id}.capacity", self.capacity, "must be zero or more"
            )


@attrs.frozen
class Assignment(ResultRow):
    """Which seller got a lead (``None`` when nobody could) and why.

    Examples:
        >>> from crmkit.scoring import Assignment
        >>> Assignment("l1", None, "no seller covers segment 'public'").seller_id is None
        True
    """

    lead_id: Any
    seller_id: str | None
    reason: str


@renamed(lead_id="key")
def route_leads(
    leads: Iterable[Any],
    sellers: Sequence[Seller],
    *,
    segment: str = "segment",
    key: str = "id",
) -> list[Assignment]:
    """Assign leads in the order given (put the best-scored first) — see the module text.
    ``segment`` and ``key`` are the leads' segment and id fields.

    Examples:
        >>> from crmkit.scoring import Seller, route_leads
        >>> [a.reason for a in route_leads([{"id": 1, "segment": "smb"}] * 2,
        ...                                [Seller("ann", {"smb"}, capacity=1)])]
        ["segment 'smb', experience 0, free capacity 1", "every seller covering 'smb' is at capacity"]
    """
    ids = [s.id for s in sellers]
    if len(set(ids)) != len(ids):
        raise ValidationError.single("sellers", ids, "must have distinct ids")
    free = {s.id: s.capacity for s in sellers}
    out: list[Assignment] = []
    for i, lead in enumerate(leads):
        who = read_field(lead, key, what=f"leads[{i}]", paths=True, custom=True, floats=True)
        seg = read_field(lead, segment, what=f"leads[{i}]", paths=True, custom=True, floats=True)
        covering = [s for s in sellers if seg in s.segments]
        if not covering:
            out.append(Assignment(who, None, f"no seller covers segment {seg!r}"))
            continue
        eligible = [s for s in covering if free[s.id] > 0]
        if not eligible:
            out.append(Assignment(who, None, f"every seller covering {seg!r} is at capacity"))
            continue
        best = min(eligible, key=lambda s: (-s.experience.get(seg, 0), -free[s.id], s.id))
        reason = (
            f"segment {seg!r}, experience {best.experience.get(seg, 0)}, "
            f"free capacity {free[best.id]}"
        )
        free[best.id] -= 1
        out.append(Assignment(who, best.id, reason))
    return out
