"""The capability registry: which public crmkit analytic serves which Payne–Frow element.

The registry is data — the :data:`REGISTRY` table below. Each row names a public callable by
its dotted path (``"crmkit.clv:BetaGeo"``), the process and element it serves and, in a few
words, what it does. Analytics never import :mod:`crmkit.strategy`; the strategy layer knows
the analytics by these paths, and a test resolves every path to a real public callable. To
register a new analytic add a row to the table; one callable may serve several elements.

Assessment gaps point at the entries registered for the gap's element first, then at those of
the elements above it. Every leaf element has at least one entry of its own except those crmkit
has nothing for yet: :func:`uncovered_elements` lists them (outlets, employee value and
shareholder value), and a test keeps that list explicit.

Each capability also belongs to one of the three CRM types (:class:`~crmkit.strategy.CrmType`):
operational where it automates a sales, marketing or service process, collaborative where it
manages channels, touchpoints or records shared across the company, analytical otherwise
(reference: seed-000.md L309-L315; seed-001.md L115-L121). :data:`OPERATIONAL` and
:data:`COLLABORATIVE` list the paths of the first two; every other path is analytical.

Examples:
    >>> from crmkit.strategy.capabilities import capabilities, capabilities_for
    >>> [c.path for c in capabilities("PA")][:2]
    ['crmkit.strategy:loyal_percent', 'crmkit.scoring:loyal_share']
    >>> [c.path for c in capabilities_for("customer_segment_lifetime_value")][:2]
    ['crmkit.clv:customer_lifetime_value', 'crmkit.clv:value_by_segment']
    >>> "crmkit.strategy:channel_integration_gaps" in [
    ...     c.path for c in capabilities_for("integrated_channel_management")]
    True
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import attrs

from crmkit.errors import NotFoundError, ValidationError
from crmkit.strategy.crm_types import CrmType
from crmkit.strategy.framework import Element, Process, element, framework

__all__ = [
    "COLLABORATIVE",
    "OPERATIONAL",
    "REGISTRY",
    "Capability",
    "capabilities",
    "capabilities_for",
    "capabilities_of_type",
    "resolve",
    "uncovered_elements",
]

#: (dotted path, process, element key, what it does). Add rows here to register analytics.
#: Within an element the most direct capability comes first (gap lists show the first few).
REGISTRY: tuple[tuple[str, str, str, str], ...] = (
    # 1 strategy development ------------------------------------------------------------------
    ("crmkit.strategy:WorkbookAnswers", "SD", "business_vision",
     "the CRM strategy workbook: vision, strategy and customer analysis answers"),
    ("crmkit.survey:Instrument", "SD", "competitive_characteristics",
     "survey instruments for regular market research"),
    ("crmkit.segmentation:customer_status", "SD", "customer_choice",
     "active, passive or potential customer status from invoices (records and frames)"),
    ("crmkit.segmentation:status_counts", "SD", "customer_choice",
     "the volume block: active, passive and potential customer counts"),
    ("crmkit.segmentation:concentration", "SD", "customer_choice",
     "top-N revenue concentration: how dependent the business is on its largest customers"),
    ("crmkit.strategy:status_from_last_invoice", "SD", "customer_choice",
     "one customer's status from the last invoice date, for the workbook"),
    ("crmkit.strategy:KeyAccountSelection", "SD", "customer_choice",
     "weighted key-account selection over the eight selection criteria"),
    ("crmkit.scoring:false_key_customers", "SD", "customer_choice",
     "accounts flagged as key customers that make no profit"),
    ("crmkit.strategy:key_customer_tiers", "SD", "customer_choice",
     "A/B/C key-customer tiers from portfolio and own criteria (A gets a key account manager)"),
    ("crmkit.scoring:IdealCustomerProfile", "SD", "customer_characteristics",
     "a weighted ideal customer profile: need, buying behaviour, firmographics, challenges"),
    ("crmkit.strategy:analyse_customers", "SD", "customer_characteristics",
     "the workbook's customer-analysis figures computed from orders and accounts"),
    ("crmkit.segmentation:rfm", "SD", "segment_granularity",
     "recency-frequency-monetary scores and segments"),
    ("crmkit.segmentation:assign_segments", "SD", "segment_granularity",
     "assign rule-based segments to records or frames"),
    ("crmkit.segmentation:RuleSegments", "SD", "segment_granularity",
     "declarative, ordered segment rules that run on records and every frame engine"),
    ("crmkit.segmentation:segment_summary", "SD", "segment_granularity",
     "size, value and shares per segment"),
    ("crmkit.segmentation:segment_summary_in", "SD", "segment_granularity",
     "size, revenue and shares per segment in a reporting currency, with the rate date"),
    ("crmkit.segmentation:abc_classes", "SD", "segment_granularity",
     "ABC classes by cumulative revenue share"),
    ("crmkit.segmentation:pareto_check", "SD", "segment_granularity",
     "do the top 20 % of customers hold 80 % of the value?"),
    ("crmkit.segmentation:go_to_market_tiers", "SD", "segment_granularity",
     "go-to-market tiers"),
    ("crmkit.segmentation:propensity_bands", "SD", "segment_granularity",
     "propensity bands from a score"),
    ("crmkit.segmentation:customer_portfolio", "SD", "segment_granularity",
     "value × cost-to-serve portfolios with their service levels"),
    ("crmkit.strategy:portfolio_actions", "SD", "segment_granularity",
     "develop, retain, maintain or eliminate per customer-portfolio tier"),
    ("crmkit.strategy:readiness_check", "SD", "business_strategy",
     "Selnes & Hagen's CRM success factors as a readiness check"),
    ("crmkit.strategy:KamProgramme", "SD", "customer_strategy",
     "Ryals' seven-step key-account programme checklist with progress"),
    # 2 value creation ------------------------------------------------------------------------
    ("crmkit.scoring:next_best_offers", "VC", "value_proposition",
     "individual offers: the products a customer is most likely to buy next"),
    ("crmkit.scoring:cross_sell_matrix", "VC", "value_proposition",
     "customer × product matrix of what each customer has bought"),
    ("crmkit.domain:Agreement", "VC", "value_proposition",
     "support and service agreements with renewal terms"),
    ("crmkit.survey:construct_scores", "VC", "value_assessment",
     "customer-perceived value per survey construct"),
    ("crmkit.strategy:kamo_assessment", "VC", "value_assessment",
     "KAM orientation and relational capabilities → relationship quality"),
    ("crmkit.strategy:RelationshipFlower", "VC", "value_assessment",
     "the relationship flower: one key-account relationship rated on five petals"),
    ("crmkit.strategy:form_coverage", "VC", "value_assessment",
     "which of the four relationship forms a key-account relationship uses"),
    ("crmkit.scoring:acquisition_cost", "VC", "acquisition_economics",
     "acquisition cost from retention cost and the 'almost five times' ratio"),
    ("crmkit.strategy:acquisition_cost", "VC", "acquisition_economics",
     "acquisition cost for the workbook (exact for money amounts)"),
    ("crmkit.scoring:LeadScoringModel", "VC", "acquisition_economics",
     "lead scoring: fit and engagement points, decay, score bands and actions"),
    ("crmkit.scoring:engagement_summary", "VC", "acquisition_economics",
     "lead engagement per lead: events done, the last one and counts per type"),
    ("crmkit.scoring:score_bands", "VC", "acquisition_economics",
     "conversion rate and lift per lead-score band"),
    ("crmkit.scoring:prospect_priority", "VC", "acquisition_economics",
     "prospect priority from interest level and buying stage"),
    ("crmkit.scoring:inbound_share", "VC", "acquisition_economics",
     "share of leads (or activities, customers) that came inbound"),
    ("crmkit.scoring:inbound_share_trend", "VC", "acquisition_economics",
     "the inbound share per period: is the shift to inbound happening?"),
    ("crmkit.scoring:win_back", "VC", "acquisition_economics",
     "the win-back segment: deals or leads lost for a given reason"),
    ("crmkit.domain:Lead", "VC", "acquisition_economics",
     "leads with source channel, interest level, buying stage and conversion"),
    ("crmkit.segmentation:repurchase_buckets", "VC", "retention_economics",
     "repurchase-frequency buckets 1 / 2-5 / 6-10 / 11+"),
    ("crmkit.segmentation:share_of_wallet", "VC", "retention_economics",
     "share of wallet per customer, split at a threshold"),
    ("crmkit.scoring:cross_sell_rate", "VC", "retention_economics",
     "share of customers buying more than one product"),
    ("crmkit.scoring:retention_rate", "VC", "retention_economics",
     "customer retention rate (E - N) / S"),
    ("crmkit.scoring:period_retention", "VC", "retention_economics",
     "retention and churn from one period's buyers to the next"),
    ("crmkit.scoring:cohort_retention", "VC", "retention_economics",
     "cohort retention table by first-purchase period"),
    ("crmkit.scoring:LoyaltyRule", "VC", "retention_economics",
     "loyal = recommends ∧ repurchases often ∧ high share of wallet"),
    ("crmkit.strategy:repurchase_shares", "VC", "retention_economics",
     "repurchase-frequency buckets as shares of customers, for the workbook"),
    ("crmkit.strategy:share_of_wallet_split", "VC", "retention_economics",
     "share of customers above and below a share-of-wallet threshold, for the workbook"),
    ("crmkit.strategy:cross_sell_percent", "VC", "retention_economics",
     "cross-sell rate in percent, for the workbook"),
    ("crmkit.clv:customer_lifetime_value", "VC", "customer_segment_lifetime_value",
     "discounted expected value of each customer over a horizon"),
    ("crmkit.clv:value_by_segment", "VC", "customer_segment_lifetime_value",
     "lifetime value aggregated per customer segment"),
    ("crmkit.clv:BetaGeo", "VC", "customer_segment_lifetime_value",
     "BG/NBD repeat-purchase model"),
    ("crmkit.clv:ParetoNBD", "VC", "customer_segment_lifetime_value",
     "Pareto/NBD repeat-purchase model"),
    ("crmkit.clv:GammaGamma", "VC", "customer_segment_lifetime_value",
     "Gamma-Gamma spend-per-transaction model"),
    ("crmkit.clv:ModifiedBetaGeo", "VC", "customer_segment_lifetime_value",
     "MBG/NBD repeat-purchase model (dropout possible after the first purchase)"),
    ("crmkit.clv:BetaGeoBetaBinomial", "VC", "customer_segment_lifetime_value",
     "BG/BB model for discrete purchase opportunities"),
    ("crmkit.clv:ShiftedBetaGeometric", "VC", "customer_segment_lifetime_value",
     "shifted-beta-geometric contractual churn and discounted expected lifetime"),
    ("crmkit.clv:value_customers", "VC", "customer_segment_lifetime_value",
     "probability alive, expected purchases, order value and CLV per customer"),
    ("crmkit.clv:retention_lifetime_value", "VC", "customer_segment_lifetime_value",
     "infinite-horizon lifetime value from margin, retention and discount rate"),
    ("crmkit.clv:finite_retention_lifetime_value", "VC", "customer_segment_lifetime_value",
     "lifetime value over a finite number of periods"),
    ("crmkit.clv:summarise", "VC", "customer_segment_lifetime_value",
     "transactions → frequency, recency, T and monetary value per customer"),
    ("crmkit.clv:purchase_patterns", "VC", "customer_segment_lifetime_value",
     "the summary compressed to distinct purchase patterns inside the engine"),
    ("crmkit.clv:predict_frame", "VC", "customer_segment_lifetime_value",
     "lifetime-value predictions joined back to every customer inside the engine"),
    ("crmkit.clv:calibration_holdout", "VC", "customer_segment_lifetime_value",
     "calibration / holdout split to validate lifetime-value models"),
    ("crmkit.clv:validate_holdout", "VC", "customer_segment_lifetime_value",
     "compare a lifetime-value model's holdout predictions with what customers did"),
    ("crmkit.segmentation:profitability_matrix", "VC", "value_organisation_receives",
     "profitability × growth-potential cell per customer"),
    ("crmkit.strategy:profitability_shares", "VC", "value_organisation_receives",
     "profitability × growth-potential shares of the customer base, for the workbook"),
    ("crmkit.scoring:profitability_ranking", "VC", "value_organisation_receives",
     "customers ranked by profit with cumulative shares"),
    # 3 multichannel integration --------------------------------------------------------------
    ("crmkit.strategy:channel_integration_gaps", "MCI", "integrated_channel_management",
     "channels in use without integrated IT support"),
    ("crmkit.strategy:same_standard_on_every_channel", "MCI", "integrated_channel_management",
     "check that every channel in use meets the same (integrated) standard"),
    ("crmkit.adapters.inbound:InboundDesk", "MCI", "integrated_channel_management",
     "forms and social messages into one store as leads and cases, idempotently"),
    ("crmkit.domain:Interaction", "MCI", "integrated_channel_management",
     "one interaction log across every channel"),
    ("crmkit.domain:ChannelCatalogue", "MCI", "channel_categories",
     "catalogue of concrete channels mapped to the six channel categories"),
    ("crmkit.domain:KeyAccountRelationship", "MCI", "sales_force",
     "key-account relationship stages, transitions and frustration zones"),
    ("crmkit.strategy:FollowUpPlan", "MCI", "sales_force",
     "follow-up cadence per key account: next due and overdue contacts"),
    ("crmkit.strategy:ContactAssignment", "MCI", "sales_force",
     "two-contact model (key account manager + support) with handovers"),
    ("crmkit.strategy:recommend_structure", "MCI", "sales_force",
     "which sales-force structure(s) fit: geographic, product, market or customer size"),
    ("crmkit.strategy:stage_profile", "MCI", "sales_force",
     "what a key-account stage means: contacts, role, advice and breakdown risks"),
    ("crmkit.scoring:sales_velocity", "MCI", "sales_force",
     "sales velocity: open deals × win rate × deal size ÷ cycle length"),
    ("crmkit.scoring:velocity", "MCI", "sales_force",
     "sales velocity measured on opportunities"),
    ("crmkit.scoring:win_rate", "MCI", "sales_force",
     "won ÷ closed deals"),
    ("crmkit.scoring:stage_conversion", "MCI", "sales_force",
     "stage-to-stage conversion of the pipeline"),
    ("crmkit.scoring:time_in_stage", "MCI", "sales_force",
     "average time deals spend in each stage"),
    ("crmkit.scoring:customers_per_stage", "MCI", "sales_force",
     "distinct customers per pipeline stage"),
    ("crmkit.scoring:lost_reasons", "MCI", "sales_force",
     "lost reasons ranked by frequency"),
    ("crmkit.scoring:neglected", "MCI", "sales_force",
     "prospects and customers with no contact for too long"),
    ("crmkit.scoring:visits_per_salesperson", "MCI", "sales_force",
     "customer visits per salesperson per month"),
    ("crmkit.scoring:customers_per_salesperson", "MCI", "sales_force",
     "customers per salesperson"),
    ("crmkit.scoring:waiting_time", "MCI", "telephony",
     "waiting time in customer service"),
    ("crmkit.scoring:cases_per_agent_per_day", "MCI", "telephony",
     "cases handled per customer-service agent per day"),
    ("crmkit.adapters.outbound:MessageSender", "MCI", "direct_marketing",
     "outbound e-mail, SMS and webhooks, never without consent"),
    ("crmkit.adapters.outbound:check_consent", "MCI", "direct_marketing",
     "may this contact get this message now? (lawful basis and purpose)"),
    ("crmkit.scoring:EmailSequence", "MCI", "direct_marketing",
     "e-mail sequences that stop when the prospect replies"),
    ("crmkit.domain:Campaign", "MCI", "direct_marketing",
     "campaigns with channel, budget and members"),
    ("crmkit.adapters.inbound:lead_from_form", "MCI", "electronic_commerce",
     "a web interest form becomes a segmented lead"),
    ("crmkit.adapters.inbound:case_from_message", "MCI", "electronic_commerce",
     "a social-media message to customer service becomes a case"),
    ("crmkit.adapters.outbound:MessageSender", "MCI", "mobile_commerce",
     "SMS to contacts who have consented"),
    # 4 information management ----------------------------------------------------------------
    ("crmkit.adapters:open_store", "IM", "data_repository",
     "open a customer data store (memory, SQLite, PostgreSQL or a plugin) by URL"),
    ("crmkit.adapters.files:import_csv", "IM", "data_repository",
     "import CSV with every rejected row reported"),
    ("crmkit.adapters.files:import_jsonl", "IM", "data_repository",
     "import JSON Lines with every rejected row reported"),
    ("crmkit.adapters.formats:HubSpotCodec", "IM", "data_repository",
     "read HubSpot exports"),
    ("crmkit.adapters.formats:SalesforceCodec", "IM", "data_repository",
     "read Salesforce exports"),
    ("crmkit.survey:read_qualtrics_csv", "IM", "data_repository",
     "import survey responses from a Qualtrics export"),
    ("crmkit.domain:Account", "IM", "data_repository",
     "accounts with firmographics, addresses, owner, tier and contact roles"),
    ("crmkit.domain:Contact", "IM", "data_repository",
     "contacts with buying role, preferred channel and consent"),
    ("crmkit.domain:PropertySchema", "IM", "data_repository",
     "typed custom fields validated against a schema"),
    ("crmkit.strategy:maturity_level", "IM", "it_systems",
     "classify CRM maturity A1/A2/B/C/D"),
    ("crmkit.adapters:available_adapters", "IM", "it_systems",
     "the storage adapters installed, including third-party plugins"),
    ("crmkit.adapters.inbound:lead_from_form", "IM", "analysis_tools",
     "segment inbound leads automatically with data rules (segmentation.RuleSegments)"),
    ("crmkit.scoring:WinProbabilityModel", "IM", "analysis_tools",
     "explainable win-probability model"),
    ("crmkit.scoring:fit_opportunities", "IM", "analysis_tools",
     "fit a win-probability model on closed opportunities"),
    ("crmkit.domain:Opportunity", "IM", "front_office_applications",
     "opportunities moving through stages with history and probabilities"),
    ("crmkit.domain:Pipeline", "IM", "front_office_applications",
     "sales pipelines and their stages"),
    ("crmkit.scoring:fill_automated_probability", "IM", "front_office_applications",
     "set open opportunities' automated win probability"),
    ("crmkit.scoring:route_leads", "IM", "front_office_applications",
     "assign leads to sellers"),
    ("crmkit.scoring:overdue_follow_ups", "IM", "front_office_applications",
     "planned follow-ups that are overdue"),
    ("crmkit.domain:Case", "IM", "front_office_applications",
     "customer-service cases with origin channel and response times"),
    ("crmkit.domain:Order", "IM", "back_office_applications",
     "orders and order lines (order management)"),
    # 5 performance assessment ----------------------------------------------------------------
    ("crmkit.strategy:loyal_percent", "PA", "customer_value",
     "share of loyal customers (recommends ∧ repurchases often ∧ high share of wallet)"),
    ("crmkit.scoring:loyal_share", "PA", "customer_value",
     "share of loyal customers by a configurable loyalty rule"),
    ("crmkit.survey:nps", "PA", "customer_value",
     "Net Promoter Score"),
    ("crmkit.survey:csat", "PA", "customer_value",
     "customer satisfaction score"),
    ("crmkit.survey:satisfaction_index", "PA", "customer_value",
     "mean satisfaction rescaled to 0-100"),
    ("crmkit.survey:nki_index", "PA", "customer_value",
     "NKI customer satisfaction index"),
    ("crmkit.survey:ols", "PA", "customer_value",
     "regression of overall satisfaction on its drivers"),
    ("crmkit.survey:pearson", "PA", "customer_value",
     "correlation between a driver and customer value, with its p-value"),
    ("crmkit.survey:correlation_matrix", "PA", "customer_value",
     "correlations between customer-value drivers"),
    ("crmkit.scoring:retention_economics", "PA", "cost_reduction",
     "what keeping customers saves compared with winning new ones"),
    ("crmkit.strategy:MoneyLink", "PA", "cost_reduction",
     "tie a KPI to money: the effect of a change on the result"),
    ("crmkit.strategy:assess", "PA", "standards",
     "score the organisation 0–5 per element and process with a ranked gap list"),
    ("crmkit.survey:reliability", "PA", "standards",
     "scale reliability of a measurement instrument"),
    ("crmkit.survey:cronbach_alpha", "PA", "standards",
     "Cronbach's alpha"),
    ("crmkit.survey:check_loadings", "PA", "standards",
     "check factor loadings against the usual thresholds"),
    ("crmkit.survey:check_factor_correlations", "PA", "standards",
     "check that factors are distinct (discriminant validity)"),
    ("crmkit.survey:fit_statistics", "PA", "standards",
     "model fit statistics of a measurement model"),
    ("crmkit.survey:variance_explained", "PA", "standards",
     "variance explained by the factors of a measurement model"),
    ("crmkit.strategy:top_n_concentration", "PA", "metrics_and_kpis",
     "revenue share of the largest customers"),
    ("crmkit.strategy:KamScorecard", "PA", "metrics_and_kpis",
     "financial and non-financial key-account outcomes"),
    ("crmkit.domain:KPI", "PA", "metrics_and_kpis",
     "KPIs with target, actual, period and direction"),
    ("crmkit.scoring:recommend_kpis", "PA", "metrics_and_kpis",
     "the KPIs to track for a business goal"),
    ("crmkit.strategy:interview_kpis", "PA", "metrics_and_kpis",
     "the KPIs CRM managers steer by: presence, planning rate, sales calls, budget …"),
    ("crmkit.strategy:kpi_quality", "PA", "metrics_and_kpis",
     "check a KPI against the four quality criteria"),
    ("crmkit.strategy:goals_without_kpis", "PA", "metrics_and_kpis",
     "every goal needs a KPI: the goals that have none"),
    ("crmkit.strategy:sensitivity", "PA", "metrics_and_kpis",
     "how much the result moves when a KPI changes"),
    ("crmkit.scoring:prospecting_kpis", "PA", "metrics_and_kpis",
     "the prospecting quality parameters as KPIs"),
    ("crmkit.scoring:compare_periods", "PA", "metrics_and_kpis",
     "compare quality parameters across two periods"),
    ("crmkit.scoring:customer_care_kpis", "PA", "metrics_and_kpis",
     "customer-care figures as KPIs"),
    ("crmkit.scoring:cases_per_problem_type", "PA", "metrics_and_kpis",
     "cases per problem type"),
    ("crmkit.scoring:revenue_per_customer", "PA", "metrics_and_kpis",
     "revenue per customer"),
    ("crmkit.scoring:average_sales_per_customer", "PA", "metrics_and_kpis",
     "average sales per customer in a period"),
    ("crmkit.scoring:new_vs_existing", "PA", "metrics_and_kpis",
     "split between new and existing customers"),
    ("crmkit.scoring:percent_change", "PA", "metrics_and_kpis",
     "change in percent between two periods"),
    ("crmkit.report:assessment_html", "PA", "results_and_reporting",
     "standalone HTML assessment report with a radar chart"),
    ("crmkit.report:assessment_markdown", "PA", "results_and_reporting",
     "Markdown assessment report"),
    ("crmkit.report:radar_svg", "PA", "results_and_reporting",
     "SVG radar chart of the five process scores"),
    ("crmkit.report:client_report_html", "PA", "results_and_reporting",
     "client report of a strategy assessment in en/sv/nb, with roadmap and progress"),
    ("crmkit.strategy:compare_assessments", "PA", "results_and_reporting",
     "progress between a baseline and a follow-up assessment"),
    ("crmkit.scoring:weighted_pipeline", "PA", "results_and_reporting",
     "sales forecast: weighted pipeline of open deals"),
    ("crmkit.scoring:weighted_pipeline_in", "PA", "results_and_reporting",
     "weighted pipeline in a reporting currency, with the rate date"),
    ("crmkit.survey:grouped_shares", "PA", "results_and_reporting",
     "answer shares per group (segment, region …)"),
    ("crmkit.survey:describe", "PA", "results_and_reporting",
     "descriptive statistics of survey items"),
    ("crmkit.survey:box_shares", "PA", "results_and_reporting",
     "top-box and bottom-box shares"),
    ("crmkit.survey:response_rate", "PA", "performance_monitoring",
     "survey response rate"),
    ("crmkit.survey:key_account_survey", "PA", "performance_monitoring",
     "the key-account customer survey instrument"),
    ("crmkit.survey:nki_template", "PA", "performance_monitoring",
     "the NKI customer-satisfaction survey template"),
    ("crmkit.survey:Instrument", "PA", "performance_monitoring",
     "a survey instrument: questions, scales and constructs"),
)  # fmt: skip

#: Registry paths that automate a sales, marketing or service process (operational CRM:
#: collecting contact data, sending e-mails and follow-ups, forms flowing into the CRM,
#: reference: seed-001.md L120).
OPERATIONAL: frozenset[str] = frozenset({
    "crmkit.domain:Agreement", "crmkit.domain:Lead", "crmkit.domain:Campaign",
    "crmkit.domain:Opportunity", "crmkit.domain:Pipeline", "crmkit.domain:Case",
    "crmkit.domain:Order", "crmkit.strategy:FollowUpPlan", "crmkit.strategy:KamProgramme",
    "crmkit.scoring:neglected", "crmkit.scoring:EmailSequence",
    "crmkit.scoring:fill_automated_probability", "crmkit.scoring:overdue_follow_ups",
    "crmkit.adapters.outbound:MessageSender", "crmkit.adapters.outbound:check_consent",
    "crmkit.adapters.inbound:lead_from_form", "crmkit.adapters.inbound:case_from_message",
    "crmkit.adapters.files:import_csv", "crmkit.adapters.files:import_jsonl",
    "crmkit.adapters.formats:HubSpotCodec", "crmkit.adapters.formats:SalesforceCodec",
    "crmkit.survey:read_qualtrics_csv",
})  # fmt: skip

#: Registry paths that manage channels and touchpoints or records shared across departments
#: (collaborative CRM: shared leads, seller assignment, process position, win-back,
#: reference: seed-000.md L314-L315; seed-001.md L121).
COLLABORATIVE: frozenset[str] = frozenset({
    "crmkit.strategy:channel_integration_gaps", "crmkit.strategy:same_standard_on_every_channel",
    "crmkit.strategy:ContactAssignment", "crmkit.adapters.inbound:InboundDesk",
    "crmkit.domain:Interaction", "crmkit.domain:ChannelCatalogue",
    "crmkit.domain:KeyAccountRelationship", "crmkit.domain:Account", "crmkit.domain:Contact",
    "crmkit.domain:PropertySchema", "crmkit.scoring:route_leads", "crmkit.scoring:win_back",
    "crmkit.adapters:open_store", "crmkit.adapters:available_adapters",
    "crmkit.strategy:recommend_structure", "crmkit.strategy:stage_profile",
    "crmkit.strategy:form_coverage",
})  # fmt: skip


def _crm_type(path: str) -> CrmType:
    if path in OPERATIONAL:
        return CrmType.OPERATIONAL
    if path in COLLABORATIVE:
        return CrmType.COLLABORATIVE
    return CrmType.ANALYTICAL


@attrs.frozen
class Capability:
    """One registry entry: a public callable serving a Payne–Frow element.

    Examples:
        >>> from crmkit.strategy.capabilities import capabilities
        >>> cap = capabilities("MCI")[0]
        >>> cap.path, cap.element.key
        ('crmkit.strategy:channel_integration_gaps', 'integrated_channel_management')
        >>> cap.resolve().__name__
        'channel_integration_gaps'
    """

    path: str
    process: Process
    element_key: str
    description: str

    @property
    def crm_type(self) -> CrmType:
        """Analytical, operational or collaborative (see :data:`OPERATIONAL`).

        Examples:
            >>> from crmkit.strategy.capabilities import capabilities_for
            >>> [c.crm_type.value for c in capabilities_for("direct_marketing")][:2]
            ['operational', 'operational']
        """
        return _crm_type(self.path)

    @property
    def element(self) -> Element:
        """The framework element served."""
        return element(self.element_key)

    def resolve(self) -> Callable[..., Any]:
        """Import and return the callable (see :func:`resolve`)."""
        return resolve(self.path)


def _entries() -> list[Capability]:
    out = []
    for path, process, key, what in REGISTRY:
        p = Process.parse(process)
        if element(key).process is not p:
            raise ValidationError.single(
                f"registry.{path}", key, f"is not an element of the {p.value} process"
            )
        out.append(Capability(path, p, key, what))
    return out


def capabilities(process: Process | str | None = None) -> list[Capability]:
    """The registered capabilities, optionally of one process, in registry order.

    Examples:
        >>> from crmkit.strategy.capabilities import capabilities
        >>> {c.process.short for c in capabilities()} == {"SD", "VC", "MCI", "IM", "PA"}
        True
    """
    entries = _entries()
    if process is None:
        return entries
    p = Process.parse(process)
    return [c for c in entries if c.process is p]


def capabilities_of_type(crm_type: CrmType | str) -> list[Capability]:
    """The registered capabilities of one CRM type, in registry order.

    Examples:
        >>> from crmkit.strategy.capabilities import capabilities_of_type
        >>> [c.path for c in capabilities_of_type("collaborative")][:2]
        ['crmkit.strategy:form_coverage', 'crmkit.scoring:win_back']
    """
    t = CrmType.parse(crm_type)
    return [c for c in _entries() if c.crm_type is t]


def capabilities_for(element_key: str) -> list[Capability]:
    """Capabilities registered for ``element_key``, then for each element above it in the tree
    (nearest first; registry order within an element).

    Examples:
        >>> from crmkit.strategy.capabilities import capabilities_for
        >>> [c.path for c in capabilities_for("acquisition_economics")][:2]
        ['crmkit.scoring:acquisition_cost', 'crmkit.strategy:acquisition_cost']
        >>> capabilities_for("acquisition_economics")[-1].element.key
        'value_organisation_receives'
    """
    entries = _entries()
    out: list[Capability] = []
    current: str | None = element_key
    while current is not None:
        out.extend(c for c in entries if c.element_key == current)
        current = element(current).parent
    return out


def uncovered_elements() -> list[Element]:
    """Leaf elements with no capability registered on the element itself, in framework order.

    These are the parts of the framework crmkit has no analytic for yet; an assessment gap
    there lists only the capabilities of the elements above it (if any).

    Examples:
        >>> from crmkit.strategy.capabilities import uncovered_elements
        >>> [e.key for e in uncovered_elements()]
        ['outlets', 'employee_value', 'shareholder_value']
    """
    covered = {c.element_key for c in _entries()}
    return [e for info in framework() for e in info.walk() if e.is_leaf and e.key not in covered]


def resolve(path: str) -> Callable[..., Any]:
    """Import ``"package.module:name"`` and return the public callable it names.

    Examples:
        >>> from crmkit.strategy.capabilities import resolve
        >>> resolve("crmkit.strategy:assess").__name__
        'assess'
        >>> resolve("crmkit.strategy:_private")
        Traceback (most recent call last):
        ...
        crmkit.errors.NotFoundError: 'crmkit.strategy:_private' is not a public name
    """
    module_name, sep, attr = path.partition(":")
    if not sep or not module_name or not attr:
        raise ValidationError.single("path", path, "must look like 'crmkit.module:name'")
    if any(part.startswith("_") for part in attr.split(".")):
        raise NotFoundError(f"{path!r} is not a public name")
    try:
        obj: Any = importlib.import_module(module_name)
    except ImportError:
        raise NotFoundError(f"{path!r}: module {module_name!r} cannot be imported") from None
    public = getattr(obj, "__all__", None)
    first = attr.split(".")[0]
    if public is not None and first not in public:
        raise NotFoundError(f"{path!r}: {first!r} is not in {module_name}.__all__")
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise NotFoundError(f"{path!r}: {module_name} has no {attr!r}") from None
    if not callable(obj):
        raise NotFoundError(f"{path!r} is not callable")
    return obj  # type: ignore[no-any-return]
