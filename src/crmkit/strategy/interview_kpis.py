"""The KPIs the CRM managers of "Big data och CRM:s roll för konkurrenskraft i B2B-företag"
steer by, as a catalogue.

The thesis's interviews name the KPIs each manager uses (reference: seed-000.md L424-L445):
the sales region manager steers on presence, planning rate, competence and activity; the
training manager on sales delivered, interactions with the right customers, the business-area
mix, money per business area and time on the right customers; the webshop manager on a weekly
mailing, campaigns and a number of sales calls per week; the key-account manager on the budget,
reviewed in weekly KPI meetings. Each entry says which Payne–Frow process it monitors and which
CRM type measures it, and :meth:`InterviewKpi.kpi` turns it into a :class:`crmkit.domain.KPI`
with a target.

Examples:
    >>> from crmkit.strategy.interview_kpis import interview_kpis
    >>> [k.spec.key for k in interview_kpis(respondent="sales_region_manager")]
    ['presence', 'planning_rate', 'competence', 'activity']
    >>> kpi = interview_kpis(key="sales_calls_per_week")[0].kpi(target=20, actual=15)
    >>> kpi.name, kpi.progress
    ('Sales calls per week', 0.75)
"""

from __future__ import annotations

import attrs

from crmkit.domain import KPI, KPIDirection, KPIPeriod
from crmkit.errors import ValidationError
from crmkit.scoring import KpiSpec
from crmkit.strategy.crm_types import CrmType
from crmkit.strategy.framework import Process

__all__ = ["INTERVIEW_KPIS", "InterviewKpi", "interview_kpis"]


@attrs.frozen
class InterviewKpi:
    """A KPI named in the interviews, with its Swedish term, respondent, process and CRM type.

    Examples:
        >>> from crmkit.strategy.interview_kpis import INTERVIEW_KPIS
        >>> INTERVIEW_KPIS[0].sv, INTERVIEW_KPIS[0].process.short
        ('närvaro', 'MCI')
    """

    spec: KpiSpec
    sv: str
    respondent: str
    process: Process
    crm_type: CrmType

    def kpi(self, *, target: float, actual: float | None = None, period: str = "") -> KPI:
        """This KPI with a ``target`` (and optionally an ``actual`` and a period label).

        Examples:
            >>> from crmkit.strategy.interview_kpis import interview_kpis
            >>> interview_kpis(key="budget")[0].kpi(target=100, actual=100).is_met
            True
        """
        direction = KPIDirection.MAX if self.spec.direction == "max" else KPIDirection.MIN
        return KPI(
            name=self.spec.name,
            target=target,
            actual=actual,
            period=KPIPeriod(label=period) if period else KPIPeriod(),
            direction=direction,
            unit=self.spec.unit,
        )


_MCI, _VC, _PA = (
    Process.MULTICHANNEL_INTEGRATION,
    Process.VALUE_CREATION,
    Process.PERFORMANCE_ASSESSMENT,
)
_A, _O, _C = CrmType.ANALYTICAL, CrmType.OPERATIONAL, CrmType.COLLABORATIVE


def _k(key: str, name: str, unit: str, ref: str, sv: str, who: str, p: Process, t: CrmType
       ) -> InterviewKpi:  # fmt: skip
    return InterviewKpi(KpiSpec(key, name, "max", unit, ref), sv, who, p, t)


#: The interview KPIs (reference: seed-000.md L429-L444).
INTERVIEW_KPIS: tuple[InterviewKpi, ...] = (
    _k("presence", "Presence at customers", "visits", "seed-000.md L429", "närvaro",
       "sales_region_manager", _MCI, _C),
    _k("planning_rate", "Planning rate", "ratio", "seed-000.md L430", "inplaneringsgrad",
       "sales_region_manager", _MCI, _O),
    _k("competence", "Competence", "score", "seed-000.md L431", "kompetens",
       "sales_region_manager", _PA, _A),
    _k("activity", "Activity level", "activities", "seed-000.md L432", "aktivitet",
       "sales_region_manager", _MCI, _O),
    _k("sales_delivered", "Sales delivered", "currency", "seed-000.md L433",
       "levererar försäljning", "training_manager", _PA, _A),
    _k("right_interactions", "Interactions with the right customers", "interactions",
       "seed-000.md L434", "rätt antal interaktioner med rätt kund", "training_manager", _MCI, _C),
    _k("business_area_mix", "Sales of the right business areas", "ratio", "seed-000.md L435",
       "säljer in rätt typ av affärsområden", "training_manager", _VC, _A),
    _k("money_per_business_area", "Money on the right business area", "currency",
       "seed-000.md L436", "rätt mängd pengar på rätt affärsområde", "training_manager", _VC, _A),
    _k("time_on_right_customers", "Time on the right customers", "hours", "seed-000.md L437",
       "tid på rätt kunder", "training_manager", _MCI, _A),
    _k("weekly_mailing", "E-mail send-out once a week", "mailings", "seed-000.md L438",
       "mailutskick en gång i veckan", "webshop_manager", _MCI, _O),
    _k("campaigns_created", "Campaigns created", "campaigns", "seed-000.md L439",
       "skapa kampanjer", "webshop_manager", _MCI, _O),
    _k("sales_calls_per_week", "Sales calls per week", "calls", "seed-000.md L440",
       "visst antal säljsamtal per vecka", "webshop_manager", _MCI, _O),
    _k("budget", "Budget kept", "ratio", "seed-000.md L444", "hållit budget",
       "key_account_manager", _PA, _A),
)  # fmt: skip


def interview_kpis(
    *,
    key: str | None = None,
    respondent: str | None = None,
    process: Process | str | None = None,
    crm_type: CrmType | str | None = None,
) -> list[InterviewKpi]:
    """The catalogue entries matching every filter given, in catalogue order.

    Examples:
        >>> from crmkit.strategy.interview_kpis import interview_kpis
        >>> len(interview_kpis()), len(interview_kpis(crm_type="operational"))
        (13, 5)
        >>> interview_kpis(key="happiness")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: key: 'happiness' is not an interview KPI
    """
    out = list(INTERVIEW_KPIS)
    if key is not None:
        out = [k for k in out if k.spec.key == key]
        if not out:
            raise ValidationError.single("key", key, "is not an interview KPI")
    if respondent is not None:
        out = [k for k in out if k.respondent == respondent]
    if process is not None:
        p = Process.parse(process)
        out = [k for k in out if k.process is p]
    if crm_type is not None:
        t = CrmType.parse(crm_type)
        out = [k for k in out if k.crm_type is t]
    return out
