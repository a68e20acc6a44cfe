"""Customer surveys: instruments, satisfaction indices and survey statistics.

How a CRM team measures satisfaction and relationships (the performance-assessment process
of Payne & Frow): survey instruments with labelled scales and constructs (the seed-003
key-account survey and an NKI template ship ready-made), responses linked to accounts and
contacts, Qualtrics CSV import, item descriptives, Cronbach's alpha, correlations, factor
checks, OLS driver analysis, consistency checks of reported statistics, and NPS, CSAT and a
0–100 satisfaction index.

Pure Python except p-values, t intervals and regression, which use the ``stats`` extra
(NumPy, SciPy) imported when called.

Examples:
    >>> from crmkit.survey import cronbach_alpha, describe, key_account_survey, nps
    >>> round(describe(counts=[0, 2, 1, 6, 13, 25, 22], ddof=0).mean, 2)   # overall, 1–7
    5.8
    >>> nps([10, 9, 7, 3]).score
    25.0
    >>> inst = key_account_survey()
    >>> inst.construct("satisfaction").items
    ('q03', 'q04', 'q05', 'q06', 'q07')
"""

from crmkit.survey.consistency import (
    Finding,
    check_correlation_report,
    check_descriptives_report,
    check_rounding,
    check_scale_range,
    check_share_report,
    infer_ddof,
)
from crmkit.survey.correlation import (
    Correlation,
    CorrelationMatrix,
    correlation_from_summary,
    correlation_matrix,
    pearson,
)
from crmkit.survey.descriptives import (
    BoxShares,
    FrequencyTable,
    ItemDescriptives,
    box_shares,
    describe,
    grouped_shares,
    t_interval,
)
from crmkit.survey.factor import (
    LoadingCheck,
    LoadingStrength,
    check_factor_correlations,
    check_loadings,
    check_variance_explained,
    classify_loading,
    variance_explained,
)
from crmkit.survey.instrument import Construct, Instrument, Question, construct_scores
from crmkit.survey.item_table import ItemTable, as_item_table
from crmkit.survey.key_account_survey import COUNTIES, key_account_survey
from crmkit.survey.nki import nki_template
from crmkit.survey.qualtrics import QualtricsImport, RejectedRow, read_qualtrics_csv
from crmkit.survey.regression import (
    Coefficient,
    FitStatistics,
    OLSResult,
    coefficient_test,
    fit_statistics,
    ols,
)
from crmkit.survey.reliability import (
    Reliability,
    alpha_from_mean_correlation,
    cronbach_alpha,
    mean_correlation_from_alpha,
    reliability,
)
from crmkit.survey.response import Response, response_rate
from crmkit.survey.satisfaction import (
    NKI_QUESTIONS,
    NPSResult,
    csat,
    nki_index,
    nps,
    satisfaction_index,
)
from crmkit.survey.scale import Recode, Scale, ScaleType, recode
from crmkit.survey.simulation import simulate_responses

__all__ = [
    "COUNTIES",
    "NKI_QUESTIONS",
    "BoxShares",
    "Coefficient",
    "Construct",
    "Correlation",
    "CorrelationMatrix",
    "Finding",
    "FitStatistics",
    "FrequencyTable",
    "Instrument",
    "ItemDescriptives",
    "ItemTable",
    "LoadingCheck",
    "LoadingStrength",
    "NPSResult",
    "OLSResult",
    "QualtricsImport",
    "Question",
    "Recode",
    "RejectedRow",
    "Reliability",
    "Response",
    "Scale",
    "ScaleType",
    "alpha_from_mean_correlation",
    "as_item_table",
    "box_shares",
    "check_correlation_report",
    "check_descriptives_report",
    "check_factor_correlations",
    "check_loadings",
    "check_rounding",
    "check_scale_range",
    "check_share_report",
    "check_variance_explained",
    "classify_loading",
    "coefficient_test",
    "construct_scores",
    "correlation_from_summary",
    "correlation_matrix",
    "cronbach_alpha",
    "csat",
    "describe",
    "fit_statistics",
    "grouped_shares",
    "infer_ddof",
    "key_account_survey",
    "mean_correlation_from_alpha",
    "nki_index",
    "nki_template",
    "nps",
    "ols",
    "pearson",
    "read_qualtrics_csv",
    "recode",
    "reliability",
    "response_rate",
    "satisfaction_index",
    "simulate_responses",
    "t_interval",
    "variance_explained",
]
