"""CRM maturity levels A1/A2/B/C/D (seed 001 L338–358) and Selnes & Hagen's success factors
(seed 001 L254–262) as a readiness check.

Classification rules of the source: no CRM → D; has CRM but uses it little → C; offers CRM help
as a service → A1; A2 vs B is a judgement on how long, how integrated and how broadly CRM is
used — crmkit makes that explicit: A2 needs at least 3 years of use, CRM integrated in the
company and CRM as a substantial part of customer acquisition (all three), otherwise B.

Examples:
    >>> from crmkit.strategy.maturity import MaturityLevel, maturity_level, readiness_check
    >>> maturity_level(uses_crm=True, usage="active", years_of_use=5, integrated=True,
    ...                strategic_use=True)
    <MaturityLevel.A2: 'A2'>
    >>> r = readiness_check({"customer_strategy_priority": True, "training_culture": True})
    >>> r.met, r.total, r.missing[0]
    (2, 7, 'customer_satisfaction_focus')
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

import attrs

from crmkit.errors import Problem, ValidationError
from crmkit.strategy.framework import Label

__all__ = [
    "SUCCESS_FACTORS",
    "MaturityLevel",
    "Readiness",
    "SuccessFactor",
    "maturity_level",
    "readiness_check",
]


class MaturityLevel(enum.Enum):
    """The five respondent groups of seed 001, read as a maturity scale (A1 highest).

    Examples:
        >>> from crmkit.strategy.maturity import MaturityLevel
        >>> MaturityLevel.C.description
        'uses CRM to some extent but does not prioritise it'
        >>> MaturityLevel.B.rank > MaturityLevel.C.rank
        True
    """

    A1 = "A1"
    A2 = "A2"
    B = "B"
    C = "C"
    D = "D"

    @property
    def description(self) -> str:
        """What the level means."""
        return _DESCRIPTIONS[self]

    @property
    def rank(self) -> int:
        """5 for A1 down to 1 for D."""
        return 5 - list(MaturityLevel).index(self)


_DESCRIPTIONS = {
    MaturityLevel.A1: "expert: CRM is the core business (e.g. a CRM consultancy)",
    MaturityLevel.A2: "expert: highly competent, CRM a substantial part of customer acquisition",
    MaturityLevel.B: "active user with CRM well integrated in sales and marketing",
    MaturityLevel.C: "uses CRM to some extent but does not prioritise it",
    MaturityLevel.D: "no CRM; spreadsheets or similar",
}


def maturity_level(
    *,
    uses_crm: bool,
    usage: str = "active",
    offers_crm_services: bool = False,
    years_of_use: float = 0,
    integrated: bool = False,
    strategic_use: bool = False,
    a2_min_years: float = 3,
) -> MaturityLevel:
    """Classify by seed 001's rules (see the module docstring).

    Args:
        uses_crm: whether the organisation has a CRM system at all.
        usage: ``"little"`` (sporadic, only as much as it must) or ``"active"``.
        offers_crm_services: CRM help is part of what it sells.
        years_of_use: how long it has worked with CRM.
        integrated: CRM is integrated in the company.
        strategic_use: CRM is a substantial part of the customer-acquisition strategy.
        a2_min_years: the years of use A2 needs (crmkit's default, not the source's).

    Examples:
        >>> from crmkit.strategy.maturity import maturity_level
        >>> [maturity_level(uses_crm=False).value, maturity_level(uses_crm=True, usage="little").value,
        ...  maturity_level(uses_crm=True, offers_crm_services=True).value]
        ['D', 'C', 'A1']
    """
    if usage not in ("little", "active"):
        raise ValidationError.single("usage", usage, "must be 'little' or 'active'")
    if years_of_use < 0:
        raise ValidationError.single("years_of_use", years_of_use, "must be zero or more")
    if offers_crm_services:
        return MaturityLevel.A1
    if not uses_crm:
        return MaturityLevel.D
    if usage == "little":
        return MaturityLevel.C
    if years_of_use >= a2_min_years and integrated and strategic_use:
        return MaturityLevel.A2
    return MaturityLevel.B


@attrs.frozen
class SuccessFactor:
    """One of Selnes & Hagen's CRM success factors.

    Examples:
        >>> from crmkit.strategy.maturity import SUCCESS_FACTORS
        >>> len(SUCCESS_FACTORS), SUCCESS_FACTORS[0].label.no
        (7, 'Prioriterer kundestrategi')
    """

    key: str
    label: Label


SUCCESS_FACTORS: tuple[SuccessFactor, ...] = (
    SuccessFactor("customer_strategy_priority", Label(
        "Prioritises customer strategy", "Prioriterar kundstrategi", "Prioriterer kundestrategi")),
    SuccessFactor("customer_satisfaction_focus", Label(
        "Customer satisfaction and needs at the centre", "Kundnöjdhet och kundbehov i centrum",
        "Kundetilfredshet og kundebehov i sentrum")),
    SuccessFactor("market_oriented_segmentation", Label(
        "Market-oriented, segments accordingly", "Marknadsorienterad, segmenterar därefter",
        "Markedsorientert, segmenterer deretter")),
    SuccessFactor("invests_in_market_data", Label(
        "Invests in market data and CRM analysis", "Investerar i marknadsdata och CRM-analys",
        "Investerer i markedsdata og CRM-analyse")),
    SuccessFactor("comprehensive_implementation", Label(
        "Comprehensive implementation", "Omfattande implementering", "Omfattende implementering")),
    SuccessFactor("training_culture", Label(
        "Good training culture", "God utbildningskultur", "God opplæringskultur")),
    SuccessFactor("customer_centric_organisation", Label(
        "Customer strategy and customer-centric organisation in focus",
        "Kundstrategi och kundcentrerad organisation i fokus",
        "Kundestrategi og kundesentrert organisasjon i fokus")),
)  # fmt: skip


@attrs.frozen
class Readiness:
    """How many success factors are in place and which are missing.

    Examples:
        >>> from crmkit.strategy.maturity import readiness_check, SUCCESS_FACTORS
        >>> readiness_check({f.key: True for f in SUCCESS_FACTORS}).ready
        True
    """

    met: int
    total: int
    missing: list[str]

    @property
    def share(self) -> float:
        """``met / total``."""
        return self.met / self.total

    @property
    def ready(self) -> bool:
        """All success factors are in place."""
        return not self.missing


def readiness_check(factors: Mapping[str, bool]) -> Readiness:
    """Check Selnes & Hagen's factors; factors not given count as not in place."""
    keys = [f.key for f in SUCCESS_FACTORS]
    bad = [Problem(k, k, "is not a success factor") for k in factors if k not in keys]
    if bad:
        raise ValidationError(bad)
    missing = [k for k in keys if not factors.get(k, False)]
    return Readiness(len(keys) - len(missing), len(keys), missing)
