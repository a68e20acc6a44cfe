"""Customer segmentation on records and dataframes: RFM, ABC, status, portfolios and rules.

Every function takes an iterable of records (attrs objects or dicts) or a dataframe (pandas,
Polars, PyArrow, DuckDB, Dask, PySpark via :mod:`crmkit.frames`). Records give lists of attrs
result rows; frames come back as the same kind of frame and lazy frames stay lazy.
Specifications (RFM specs, rule sets, cut-offs) are data evaluated by both engines.

Examples:
    >>> import datetime as dt
    >>> from crmkit.segmentation import customer_status, rfm
    >>> orders = [{"account_id": "a", "ordered_at": dt.date(2024, 11, 15), "total": 10}]
    >>> rfm(orders, as_of=dt.date(2024, 12, 31))[0].recency_days
    46
    >>> customer_status(orders, as_of=dt.date(2024, 12, 31))[0].status
    'active'
"""

from crmkit.segmentation.buckets import (
    DEFAULT_REPURCHASE_BUCKETS,
    SOURCE_REPURCHASE_BUCKETS,
    Bucket,
    BucketRow,
    bucket_segments,
    repurchase_buckets,
)
from crmkit.segmentation.currency import (
    ConvertedRecord,
    ConvertedRecords,
    SegmentSummaryIn,
    convert_records,
    segment_summary_in,
)
from crmkit.segmentation.pareto import (
    ABCRow,
    Concentration,
    ParetoCheck,
    abc_classes,
    concentration,
    pareto_check,
)
from crmkit.segmentation.portfolio import (
    PROFITABILITY_CELLS,
    SERVICE_LEVELS,
    PortfolioRow,
    ProfitabilityRow,
    customer_portfolio,
    portfolio_segments,
    profitability_matrix,
    profitability_segments,
)
from crmkit.segmentation.rfm import DEFAULT_RFM_SEGMENTS, RFMRow, RFMSpec, rfm
from crmkit.segmentation.rules import RuleSegments, Segment, SegmentRow, assign_segments
from crmkit.segmentation.status import StatusCounts, StatusRow, customer_status, status_counts
from crmkit.segmentation.summary import SegmentSummaryRow, segment_summary
from crmkit.segmentation.tiers import (
    DEFAULT_GTM_TIERS,
    DEFAULT_PROPENSITY_BANDS,
    Tier,
    TierRow,
    go_to_market_tiers,
    propensity_bands,
    tier_segments,
)
from crmkit.segmentation.wallet import WalletRow, share_of_wallet, wallet_segments

__all__ = [
    "DEFAULT_GTM_TIERS",
    "DEFAULT_PROPENSITY_BANDS",
    "DEFAULT_REPURCHASE_BUCKETS",
    "DEFAULT_RFM_SEGMENTS",
    "PROFITABILITY_CELLS",
    "SERVICE_LEVELS",
    "SOURCE_REPURCHASE_BUCKETS",
    "ABCRow",
    "Bucket",
    "BucketRow",
    "Concentration",
    "ConvertedRecord",
    "ConvertedRecords",
    "ParetoCheck",
    "PortfolioRow",
    "ProfitabilityRow",
    "RFMRow",
    "RFMSpec",
    "RuleSegments",
    "Segment",
    "SegmentRow",
    "SegmentSummaryIn",
    "SegmentSummaryRow",
    "StatusCounts",
    "StatusRow",
    "Tier",
    "TierRow",
    "WalletRow",
    "abc_classes",
    "assign_segments",
    "bucket_segments",
    "concentration",
    "convert_records",
    "customer_portfolio",
    "customer_status",
    "go_to_market_tiers",
    "pareto_check",
    "portfolio_segments",
    "profitability_matrix",
    "profitability_segments",
    "propensity_bands",
    "repurchase_buckets",
    "rfm",
    "segment_summary",
    "segment_summary_in",
    "share_of_wallet",
    "status_counts",
    "tier_segments",
    "wallet_segments",
]
