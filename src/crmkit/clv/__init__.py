"""Customer lifetime value: BG/NBD, Pareto/NBD, MBG/NBD, BG/BB, sBG, Gamma-Gamma and CLV.

Transactions become per-customer histories with :func:`summarise` (records or frames, lazy
frames stay lazy); :class:`BetaGeo`, :class:`ParetoNBD`, :class:`ModifiedBetaGeo` and
:class:`GammaGamma` are fitted by maximum likelihood (extra ``stats``), as are
:class:`BetaGeoBetaBinomial` for discrete purchase opportunities and
:class:`ShiftedBetaGeometric` for subscription churn; :func:`value_customers` and
:func:`value_by_segment` turn them into lifetime values per customer and segment
(:func:`purchase_patterns` and :func:`predict_frame` do it at warehouse scale, in the frame's
engine), and
:func:`validate_holdout` checks them on a holdout period. Simple retention-based formulas
need no extra.

Examples:
    >>> from crmkit.clv import BetaGeo, GammaGamma, value_customers, CustomerSummary
    >>> purchases = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="weeks")
    >>> spend = GammaGamma(p=6.25, q=3.74, v=15.44)
    >>> [round(v.lifetime_value, 2) for v in value_customers(
    ...     [CustomerSummary("c1", 2, 30.43, 38.86, 22.35)], purchases, spend)]
    [36.29]
"""

from crmkit.clv.beta_geo import BetaGeo
from crmkit.clv.beta_geo_beta_binomial import BetaGeoBetaBinomial
from crmkit.clv.gamma_gamma import GammaGamma
from crmkit.clv.lifetime_value import (
    CustomerValue,
    SegmentValue,
    customer_lifetime_value,
    value_by_segment,
    value_customers,
)
from crmkit.clv.modified_beta_geo import ModifiedBetaGeo
from crmkit.clv.pareto_nbd import ParetoNBD
from crmkit.clv.patterns import predict_frame, purchase_patterns
from crmkit.clv.peers import (
    from_lifetimes,
    from_lifetimes_fitter,
    from_pymc_marketing,
    to_lifetimes,
    to_lifetimes_fitter,
    to_pymc_marketing,
)
from crmkit.clv.persistence import load_model
from crmkit.clv.pymc import from_pymc_marketing_model, to_pymc_marketing_model
from crmkit.clv.retention import finite_retention_lifetime_value, retention_lifetime_value
from crmkit.clv.shifted_beta_geometric import ShiftedBetaGeometric
from crmkit.clv.simulation import simulate_beta_geo
from crmkit.clv.summary import (
    CalibrationHoldout,
    Collapse,
    CustomerSummary,
    TimeUnit,
    calibration_holdout,
    summarise,
)
from crmkit.clv.validation import (
    Accuracy,
    Decile,
    HoldoutValidation,
    calibration_part,
    validate_holdout,
)

__all__ = [
    "Accuracy",
    "BetaGeo",
    "BetaGeoBetaBinomial",
    "CalibrationHoldout",
    "Collapse",
    "CustomerSummary",
    "CustomerValue",
    "Decile",
    "GammaGamma",
    "HoldoutValidation",
    "ModifiedBetaGeo",
    "ParetoNBD",
    "SegmentValue",
    "ShiftedBetaGeometric",
    "TimeUnit",
    "calibration_holdout",
    "calibration_part",
    "customer_lifetime_value",
    "finite_retention_lifetime_value",
    "from_lifetimes",
    "from_lifetimes_fitter",
    "from_pymc_marketing",
    "from_pymc_marketing_model",
    "load_model",
    "predict_frame",
    "purchase_patterns",
    "retention_lifetime_value",
    "simulate_beta_geo",
    "summarise",
    "to_lifetimes",
    "to_lifetimes_fitter",
    "to_pymc_marketing",
    "to_pymc_marketing_model",
    "validate_holdout",
    "value_by_segment",
    "value_customers",
]
