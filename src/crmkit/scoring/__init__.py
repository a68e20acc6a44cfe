"""Lead scoring, win probability, pipeline analytics, loyalty, retention and KPI catalogues.

Every model and metric runs on an iterable of records and on a dataframe (through
:mod:`crmkit.frames`); the two engines give the same answers.

Examples:
    >>> from crmkit.scoring import WinProbabilityModel
    >>> model = WinProbabilityModel.fit([{"stage_key": "a", "team": "t", "won": w}
    ...                                  for w in (True, False)])
    >>> model.predict_one({"stage_key": "a", "team": "t"})
    0.5
"""

from typing import Any

from crmkit.scoring.cross_sell import (
    CrossSellMatrix,
    Offer,
    cross_sell_matrix,
    cross_sell_rate,
    next_best_offers,
)
from crmkit.scoring.currency import PipelineTotalIn, weighted_pipeline_in
from crmkit.scoring.engagement import engagement_summary
from crmkit.scoring.follow_up import EmailSequence, SequenceStep, neglected, overdue_follow_ups
from crmkit.scoring.inbound_share import (
    InboundShare,
    InboundTrend,
    inbound_share,
    inbound_share_trend,
)
from crmkit.scoring.kpi_catalogue import (
    CUSTOMER_CARE_KPIS,
    QUALITY_PARAMETERS,
    Goal,
    KpiChange,
    KpiSpec,
    ProspectingPeriod,
    WaitingTime,
    average_sales_per_customer,
    cases_per_agent_per_day,
    cases_per_problem_type,
    compare_periods,
    customer_care_kpis,
    customers_per_salesperson,
    new_vs_existing,
    percent_change,
    prospecting_kpis,
    recommend_kpis,
    revenue_per_customer,
    visits_per_salesperson,
    waiting_time,
)
from crmkit.scoring.lead_scoring import (
    Action,
    Criterion,
    CriterionGroup,
    CriterionHit,
    Decay,
    LeadScore,
    LeadScoringModel,
    Threshold,
    criteria_table,
)
from crmkit.scoring.loyalty import LoyaltyRule, loyal_share
from crmkit.scoring.pipeline import (
    LostReason,
    PipelineTotal,
    StageConversion,
    StageInfo,
    StageTime,
    Velocity,
    customers_per_stage,
    lost_reasons,
    sales_velocity,
    stage_change_rows,
    stage_conversion,
    stage_table,
    time_in_stage,
    velocity,
    weighted_pipeline,
    win_back,
    win_rate,
)
from crmkit.scoring.profitability import (
    ACQUISITION_TO_RETENTION,
    RankedCustomer,
    RetentionEconomics,
    acquisition_cost,
    false_key_customers,
    profitability_ranking,
    retention_economics,
)
from crmkit.scoring.prospecting import (
    DEFAULT_STAGE_ORDER,
    ICP_DIMENSIONS,
    BandResult,
    IcpDimension,
    IdealCustomerProfile,
    prospect_priority,
    score_bands,
)
from crmkit.scoring.retention import (
    CohortCell,
    PeriodRetention,
    cohort_retention,
    period_retention,
    retention_rate,
)
from crmkit.scoring.routing import Assignment, Seller, route_leads
from crmkit.scoring.win_probability import (
    FieldContribution,
    WinProbability,
    WinProbabilityModel,
    closed_opportunity_rows,
    fill_automated_probability,
    fit_opportunities,
)

__all__ = [
    "ACQUISITION_TO_RETENTION",
    "CUSTOMER_CARE_KPIS",
    "DEFAULT_STAGE_ORDER",
    "ICP_DIMENSIONS",
    "QUALITY_PARAMETERS",
    "Action",
    "Assignment",
    "BandResult",
    "CohortCell",
    "Criterion",
    "CriterionGroup",
    "CriterionHit",
    "CrossSellMatrix",
    "Decay",
    "EmailSequence",
    "FieldContribution",
    "Goal",
    "IcpDimension",
    "IdealCustomerProfile",
    "InboundShare",
    "InboundTrend",
    "KpiChange",
    "KpiSpec",
    "LeadScore",
    "LeadScoringModel",
    "LostReason",
    "LoyaltyRule",
    "Offer",
    "PeriodRetention",
    "PipelineTotal",
    "PipelineTotalIn",
    "ProspectingPeriod",
    "RankedCustomer",
    "RetentionEconomics",
    "Seller",
    "SequenceStep",
    "StageConversion",
    "StageInfo",
    "StageTime",
    "Threshold",
    "Velocity",
    "WaitingTime",
    "WinProbability",
    "WinProbabilityModel",
    "acquisition_cost",
    "average_sales_per_customer",
    "cases_per_agent_per_day",
    "cases_per_problem_type",
    "closed_opportunity_rows",
    "cohort_retention",
    "compare_periods",
    "criteria_table",
    "cross_sell_matrix",
    "cross_sell_rate",
    "customer_care_kpis",
    "customers_per_salesperson",
    "customers_per_stage",
    "engagement_summary",
    "false_key_customers",
    "fill_automated_probability",
    "fit_opportunities",
    "inbound_share",
    "inbound_share_trend",
    "lost_reasons",
    "loyal_share",
    "neglected",
    "new_vs_existing",
    "next_best_offers",
    "overdue_follow_ups",
    "percent_change",
    "period_retention",
    "profitability_ranking",
    "prospect_priority",
    "prospecting_kpis",
    "recommend_kpis",
    "retention_economics",
    "retention_rate",
    "revenue_per_customer",
    "route_leads",
    "sales_velocity",
    "score_bands",
    "stage_change_rows",
    "stage_conversion",
    "stage_table",
    "time_in_stage",
    "velocity",
    "visits_per_salesperson",
    "waiting_time",
    "weighted_pipeline",
    "weighted_pipeline_in",
    "win_back",
    "win_rate",
]

#: Names scoring used to re-export from its sibling :mod:`crmkit.survey`, which owns them.
_MOVED_TO_SURVEY = frozenset({"csat", "nps", "satisfaction_index"})


def __getattr__(name: str) -> Any:
    """Resolve the satisfaction measures scoring used to re-export, from :mod:`crmkit.survey`.

    Scoring does not import its sibling analytics package (docs/architecture.md, layers); the
    old names keep working, imported only when asked for, with a :class:`DeprecationWarning`.

    Examples:
        >>> import warnings
        >>> import crmkit.scoring
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     crmkit.scoring.nps([10, 9, 3]).score, caught[0].category.__name__
        (33.33333333333333, 'DeprecationWarning')
    """
    if name in _MOVED_TO_SURVEY:
        import importlib
        import warnings

        warnings.warn(
            f"crmkit.scoring.{name} is deprecated; import it from crmkit.survey",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(importlib.import_module("crmkit.survey"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
