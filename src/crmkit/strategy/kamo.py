"""KAMO (key-account management orientation) and the KAM outcome scorecard (seed 003).

Gounaris & Tzempelikos' chain: KAM orientation (customer-need priority, top-management
involvement, tailoring) → relational capabilities (information sharing, conflict resolution)
→ relationship quality → financial and non-financial results. :func:`kamo_assessment` takes
1–7 ratings of the five dimensions; relationship quality is the mean of the orientation score
and the capability score (a documented crmkit rule — the source gives no formula).

Examples:
    >>> from crmkit.strategy.kamo import kamo_assessment
    >>> k = kamo_assessment(customer_need_priority=6, top_management_involvement=4,
    ...                     tailoring=5, information_sharing=3, conflict_resolution=5)
    >>> k.orientation, k.relational_capabilities, k.relationship_quality
    (5.0, 4.0, 4.5)
    >>> k.weakest
    'information_sharing'
"""

from __future__ import annotations

from collections.abc import Mapping
from statistics import fmean

import attrs

from crmkit.errors import Problem, ValidationError

__all__ = [
    "FINANCIAL_OUTCOMES",
    "NON_FINANCIAL_OUTCOMES",
    "KamScorecard",
    "KamoResult",
    "kamo_assessment",
]

_ORIENTATION = ("customer_need_priority", "top_management_involvement", "tailoring")
_CAPABILITIES = ("information_sharing", "conflict_resolution")


@attrs.frozen
class KamoResult:
    """Scores on the 1–7 scale of the ratings.

    Examples:
        >>> from crmkit.strategy.kamo import kamo_assessment
        >>> kamo_assessment(7, 7, 7, 7, 7).relationship_quality
        7.0
    """

    ratings: dict[str, float]
    orientation: float
    relational_capabilities: float
    relationship_quality: float

    @property
    def weakest(self) -> str:
        """The lowest-rated dimension (ties: model order)."""
        return min(self.ratings, key=lambda k: self.ratings[k])


def kamo_assessment(
    customer_need_priority: float,
    top_management_involvement: float,
    tailoring: float,
    information_sharing: float,
    conflict_resolution: float,
    *,
    scale: tuple[float, float] = (1, 7),
) -> KamoResult:
    """Assess KAM orientation and relational capabilities; ratings on ``scale`` (1–7)."""
    ratings = {
        "customer_need_priority": customer_need_priority,
        "top_management_involvement": top_management_involvement,
        "tailoring": tailoring,
        "information_sharing": information_sharing,
        "conflict_resolution": conflict_resolution,
    }
    lo, hi = scale
    problems = [
        Problem(k, v, f"must be between {lo:g} and {hi:g}")
        for k, v in ratings.items()
        if isinstance(v, bool) or not isinstance(v, int | float) or not lo <= v <= hi
    ]
    if problems:
        raise ValidationError(problems)
    clean = {k: float(v) for k, v in ratings.items()}
    orientation = round(fmean(clean[k] for k in _ORIENTATION), 4)
    capability = round(fmean(clean[k] for k in _CAPABILITIES), 4)
    return KamoResult(clean, orientation, capability, round((orientation + capability) / 2, 4))


#: Financial outcomes of KAM (seed 003 L507): these follow from the non-financial ones.
FINANCIAL_OUTCOMES: tuple[str, ...] = ("sales", "profit", "market_share", "roi")
#: Non-financial outcomes (L511).
NON_FINANCIAL_OUTCOMES: tuple[str, ...] = (
    "reference_value",
    "knowledge_development",
    "internal_communication",
    "process_efficiency",
)


@attrs.frozen
class KamScorecard:
    """KAM outcomes: change per outcome (e.g. +0.12 for +12 %) against a target.

    Examples:
        >>> from crmkit.strategy.kamo import KamScorecard
        >>> card = KamScorecard(actual={"sales": 0.12, "reference_value": 0.3},
        ...                     target={"sales": 0.10, "reference_value": 0.5})
        >>> card.met(), card.missed()
        (['sales'], ['reference_value'])
        >>> card.financial(), card.non_financial()
        ({'sales': 0.12}, {'reference_value': 0.3})
    """

    actual: Mapping[str, float]
    target: Mapping[str, float] = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        known = set(FINANCIAL_OUTCOMES) | set(NON_FINANCIAL_OUTCOMES)
        bad = [
            Problem(f"{part}.{k}", k, "is not a KAM outcome")
            for part, values in (("actual", self.actual), ("target", self.target))
            for k in values
            if k not in known
        ]
        if bad:
            raise ValidationError(bad)

    def financial(self) -> dict[str, float]:
        """The financial outcomes reported."""
        return {k: v for k, v in self.actual.items() if k in FINANCIAL_OUTCOMES}

    def non_financial(self) -> dict[str, float]:
        """The non-financial outcomes reported."""
        return {k: v for k, v in self.actual.items() if k in NON_FINANCIAL_OUTCOMES}

    def met(self) -> list[str]:
        """Outcomes at or above target."""
        return [k for k, t in self.target.items() if self.actual.get(k, float("-inf")) >= t]

    def missed(self) -> list[str]:
        """Outcomes with a target that are below it (or not reported)."""
        return [k for k, t in self.target.items() if self.actual.get(k, float("-inf")) < t]
