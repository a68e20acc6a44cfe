"""Plots of crmkit's analytics (extra ``plot``: matplotlib).

Every function takes what crmkit's analytics return (fitted :mod:`crmkit.clv` models and
summaries, RFM and ABC rows, lead scores, stage conversions, cohort cells), draws on ``ax=``
or on a new :class:`matplotlib.figure.Figure`, and returns the Axes. Nothing changes
matplotlib's global state (no pyplot, no style or backend switch); save with
``ax.figure.savefig("plot.png")``.

Examples:
    >>> from crmkit.plot import plot_rf_heatmap
    >>> from crmkit.segmentation import RFMRow
    >>> ax = plot_rf_heatmap([RFMRow("a", 3, 2, 100, 2, 1, 3, "champions")])
    >>> ax.get_title()
    'Customers by recency and frequency score'
"""

from crmkit.plot.lifetime_value import (
    plot_calibration_purchases_vs_holdout_purchases,
    plot_clv_distribution,
    plot_cumulative_transactions,
    plot_frequency_recency_matrix,
    plot_history_alive,
    plot_incremental_transactions,
    plot_period_transactions,
    plot_probability_alive_matrix,
    plot_value_by_segment,
)
from crmkit.plot.scoring import (
    plot_cohort_retention,
    plot_lead_scores,
    plot_pipeline_funnel,
    plot_stage_conversion,
)
from crmkit.plot.segmentation import plot_pareto_curve, plot_rf_heatmap, plot_rfm_segments

__all__ = [
    "plot_calibration_purchases_vs_holdout_purchases",
    "plot_clv_distribution",
    "plot_cohort_retention",
    "plot_cumulative_transactions",
    "plot_frequency_recency_matrix",
    "plot_history_alive",
    "plot_incremental_transactions",
    "plot_lead_scores",
    "plot_pareto_curve",
    "plot_period_transactions",
    "plot_pipeline_funnel",
    "plot_probability_alive_matrix",
    "plot_rf_heatmap",
    "plot_rfm_segments",
    "plot_stage_conversion",
    "plot_value_by_segment",
]
