"""Choosing and using KPIs the way the ComputerSweden CRM compendium advises.

The compendium (Danielsson et al., ComputerSweden, c. 2011; reference: seed-002-004.md
L527-L537) says what makes a good KPI — it carries a lot of information, is easy to
understand, is ideally easy to compile and sits at the right level of detail
(:data:`KPI_QUALITY_CRITERIA`); gives two complementary approaches to choosing KPIs — pick
important ones and improve them over time, or define KPIs that contribute directly to profit
(:class:`KpiApproach`, combinable); says that goals come first and each goal needs KPIs
(:func:`goals_without_kpis`); and asks to tie KPIs to money: how a change in a KPI affects the
result (:class:`MoneyLink`, :func:`sensitivity`).

Examples:
    >>> from crmkit.strategy.kpi_method import goals_without_kpis, sensitivity
    >>> goals_without_kpis({"more satisfied customers": ["waiting_time"], "more sales": []})
    ['more sales']
    >>> result = lambda k: k["customers"] * k["average_sales"]
    >>> sensitivity(result, {"customers": 100, "average_sales": 5000})
    {'customers': 5000.0, 'average_sales': 5000.0}
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Iterable, Mapping

import attrs

from crmkit.errors import ValidationError

__all__ = [
    "KPI_QUALITY_CRITERIA",
    "KpiApproach",
    "KpiQuality",
    "MoneyLink",
    "goals_without_kpis",
    "kpi_quality",
    "sensitivity",
]

#: What makes a good KPI (reference: seed-002-004.md L530; compendium L154).
KPI_QUALITY_CRITERIA: tuple[str, ...] = (
    "informative",
    "understandable",
    "easy_to_compile",
    "right_level_of_detail",
)


class KpiApproach(enum.Enum):
    """The two ways to choose KPIs; they can be combined (reference: seed-002-004.md
    L531-L533).

    Examples:
        >>> from crmkit.strategy.kpi_method import KpiApproach
        >>> KpiApproach.PROFIT_CONTRIBUTION.description
        'Define KPIs that contribute directly to profit'
    """

    IMPROVE_OVER_TIME = "improve_over_time"
    PROFIT_CONTRIBUTION = "profit_contribution"

    @property
    def description(self) -> str:
        """The approach in a sentence."""
        if self is KpiApproach.IMPROVE_OVER_TIME:
            return "Choose important KPIs and improve them over time"
        return "Define KPIs that contribute directly to profit"


@attrs.frozen
class KpiQuality:
    """Which quality criteria a KPI meets.

    Examples:
        >>> from crmkit.strategy.kpi_method import kpi_quality
        >>> q = kpi_quality("profit", {"informative": True, "understandable": True,
        ...                            "easy_to_compile": True, "right_level_of_detail": False})
        >>> q.good, q.missing
        (False, ('right_level_of_detail',))
    """

    kpi: str
    met: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def good(self) -> bool:
        """All four criteria are met."""
        return not self.missing


def kpi_quality(kpi: str, assessment: Mapping[str, bool]) -> KpiQuality:
    """Check one KPI against the four criteria; a criterion not assessed counts as not met.

    Examples:
        >>> from crmkit.strategy.kpi_method import kpi_quality
        >>> kpi_quality("x", {"pretty": True})
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: assessment.pretty: 'pretty' is not a KPI quality criterion
    """
    for key, value in assessment.items():
        if key not in KPI_QUALITY_CRITERIA:
            raise ValidationError.single(f"assessment.{key}", key, "is not a KPI quality criterion")
        if not isinstance(value, bool):
            raise ValidationError.single(f"assessment.{key}", value, "must be True or False")
    met = tuple(c for c in KPI_QUALITY_CRITERIA if assessment.get(c, False))
    return KpiQuality(kpi, met, tuple(c for c in KPI_QUALITY_CRITERIA if c not in met))


def goals_without_kpis(goal_kpis: Mapping[str, Iterable[object]]) -> list[str]:
    """The goals with no KPI attached, in the order given: every goal needs a KPI (reference:
    seed-002-004.md L535, L542; compendium L206, L277-L279).

    Examples:
        >>> from crmkit.strategy.kpi_method import goals_without_kpis
        >>> goals_without_kpis({"increased sales": ["new_customer_share", "revenue_per_customer"]})
        []
    """
    return [goal for goal, kpis in goal_kpis.items() if not list(kpis)]


@attrs.frozen
class MoneyLink:
    """What one unit of a KPI is worth on the result (reference: seed-002-004.md L534, L536).

    Examples:
        >>> from crmkit.strategy.kpi_method import MoneyLink
        >>> MoneyLink("cases_per_agent_per_day", 350.0).effect(4)
        1400.0
    """

    kpi: str
    value_per_unit: float = attrs.field()

    @value_per_unit.validator
    def _finite(self, attribute: attrs.Attribute[float], value: float) -> None:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise ValidationError.single("value_per_unit", value, "must be a finite number")

    def effect(self, change: float) -> float:
        """The effect on the result of a change of ``change`` units in the KPI."""
        if isinstance(change, bool) or not isinstance(change, int | float):
            raise ValidationError.single("change", change, "must be a number")
        return float(change * self.value_per_unit)


def sensitivity(
    result: Callable[[Mapping[str, float]], float],
    kpis: Mapping[str, float],
    *,
    step: float = 0.01,
) -> dict[str, float]:
    """How much the result moves when each KPI alone rises by ``step`` (a share, default 1 %):
    ``result(kpis with kpi × (1 + step)) − result(kpis)``, rounded to six decimals.

    Examples:
        >>> from crmkit.strategy.kpi_method import sensitivity
        >>> margin = lambda k: k["revenue"] - k["cost"]
        >>> sensitivity(margin, {"revenue": 1000.0, "cost": 800.0}, step=0.1)
        {'revenue': 100.0, 'cost': -80.0}
        >>> sensitivity(margin, {"revenue": 1000.0, "cost": 800.0}, step=0)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: step: 0 must be greater than zero
    """
    if isinstance(step, bool) or not isinstance(step, int | float) or not step > 0:
        raise ValidationError.single("step", step, "must be greater than zero")
    for key, value in kpis.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationError.single(f"kpis.{key}", value, "must be a number")
    base = float(result(dict(kpis)))
    return {
        key: round(float(result({**kpis, key: value * (1 + step)})) - base, 6)
        for key, value in kpis.items()
    }
