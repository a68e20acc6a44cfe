"""Checked by mypy --strict in ``test_overloads.py`` (never run): the analytics' overloads.

A frame in types the same frame type out (a narwhals frame: the native frame it wraps), records
in type a list of the analytic's rows. Each ``# type: ignore[...]`` marks a line mypy must
reject; ``--strict`` reports an ignore that is not needed, so a too-loose overload fails too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, assert_type

from crmkit.clv import (
    BetaGeo,
    CalibrationHoldout,
    CustomerSummary,
    CustomerValue,
    calibration_holdout,
    summarise,
    value_customers,
)
from crmkit.frames import col
from crmkit.scoring import (
    CohortCell,
    IdealCustomerProfile,
    LeadScore,
    LeadScoringModel,
    LostReason,
    LoyaltyRule,
    PipelineTotal,
    RankedCustomer,
    StageTime,
    WinProbabilityModel,
    cases_per_problem_type,
    cohort_retention,
    customers_per_stage,
    engagement_summary,
    false_key_customers,
    lost_reasons,
    neglected,
    profitability_ranking,
    time_in_stage,
    weighted_pipeline,
    win_back,
)
from crmkit.segmentation import (
    ABCRow,
    BucketRow,
    PortfolioRow,
    ProfitabilityRow,
    RFMRow,
    RuleSegments,
    Segment,
    SegmentRow,
    SegmentSummaryRow,
    StatusRow,
    TierRow,
    WalletRow,
    abc_classes,
    assign_segments,
    customer_portfolio,
    customer_status,
    go_to_market_tiers,
    profitability_matrix,
    propensity_bands,
    repurchase_buckets,
    rfm,
    segment_summary,
    share_of_wallet,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from datetime import date

    import dask.dataframe as dd
    import duckdb
    import narwhals as nw
    import polars as pl
    import pyspark.sql

    from crmkit.domain import Account, Order


def wants_frame(value: pl.DataFrame) -> None:
    """Accepts only a Polars frame."""


def wants_rows(value: list[SegmentRow]) -> None:
    """Accepts only segment rows."""


def segmentation(
    records: list[dict[str, Any]],
    accounts: list[Account],
    stream: Iterator[dict[str, object]],
    frame: pl.DataFrame,
    lazy: pl.LazyFrame,
    nw_frame: nw.DataFrame[pl.DataFrame],
    nw_lazy: nw.LazyFrame[pl.LazyFrame],
    relation: duckdb.DuckDBPyRelation,
    dask_frame: dd.DataFrame,
    spark_frame: pyspark.sql.DataFrame,
) -> None:
    rules = RuleSegments([Segment("big", col("n") > 10)], default="small")
    assert_type(assign_segments(records, rules), list[SegmentRow])
    assert_type(assign_segments(accounts, rules), list[SegmentRow])
    assert_type(assign_segments(stream, rules), list[SegmentRow])
    assert_type(assign_segments(frame, rules), pl.DataFrame)
    assert_type(assign_segments(lazy, rules), pl.LazyFrame)
    assert_type(assign_segments(nw_frame, rules), pl.DataFrame)
    assert_type(assign_segments(nw_lazy, rules), pl.LazyFrame)
    assert_type(assign_segments(relation, rules), duckdb.DuckDBPyRelation)
    # Dask's DataFrame answers any attribute (__getattr__ → Any), ``to_native`` included, so
    # mypy matches the narwhals overload and can only say Any (at run time: a Dask frame)
    assert_type(assign_segments(dask_frame, rules), Any)
    assert_type(assign_segments(spark_frame, rules), pyspark.sql.DataFrame)
    wants_frame(assign_segments(records, rules))  # type: ignore[arg-type]
    wants_rows(assign_segments(frame, rules))  # type: ignore[arg-type]
    assign_segments(42, rules)  # type: ignore[call-overload]

    assert_type(repurchase_buckets(records), list[BucketRow])
    assert_type(repurchase_buckets(frame), pl.DataFrame)
    assert_type(repurchase_buckets(nw_lazy), pl.LazyFrame)
    assert_type(abc_classes(records), list[ABCRow])
    assert_type(abc_classes(relation), duckdb.DuckDBPyRelation)
    assert_type(customer_portfolio(accounts, value_cutoff=1, cost_cutoff=1), list[PortfolioRow])
    assert_type(customer_portfolio(lazy, value_cutoff=1, cost_cutoff=1), pl.LazyFrame)
    assert_type(profitability_matrix(records), list[ProfitabilityRow])
    assert_type(profitability_matrix(spark_frame), pyspark.sql.DataFrame)
    assert_type(go_to_market_tiers(accounts), list[TierRow])
    assert_type(go_to_market_tiers(frame), pl.DataFrame)
    assert_type(propensity_bands(records), list[TierRow])
    assert_type(propensity_bands(dask_frame), Any)
    assert_type(share_of_wallet(records), list[WalletRow])
    assert_type(share_of_wallet(nw_frame), pl.DataFrame)


def scoring(
    records: list[dict[str, Any]],
    accounts: list[Account],
    frame: pl.DataFrame,
    lazy: pl.LazyFrame,
    nw_frame: nw.DataFrame[pl.DataFrame],
    relation: duckdb.DuckDBPyRelation,
    spark_frame: pyspark.sql.DataFrame,
    as_of: date,
) -> None:
    assert_type(engagement_summary(records), dict[Any, dict[str, Any]])
    assert_type(engagement_summary(lazy), pl.LazyFrame)
    # the filters hand back the records they were given
    assert_type(neglected(accounts, days=30, as_of=as_of), list[Account])
    assert_type(neglected(records, days=30, as_of=as_of), list[dict[str, Any]])
    assert_type(neglected(relation, days=30, as_of=as_of), duckdb.DuckDBPyRelation)
    assert_type(win_back(records, "price"), list[dict[str, Any]])
    assert_type(win_back(nw_frame, "price"), pl.DataFrame)
    assert_type(cases_per_problem_type(["billing", "login"]), dict[Any, int])
    assert_type(cases_per_problem_type(frame), pl.DataFrame)
    assert_type(weighted_pipeline(records), list[PipelineTotal])
    assert_type(weighted_pipeline(spark_frame), pyspark.sql.DataFrame)
    assert_type(lost_reasons(records), list[LostReason])
    assert_type(lost_reasons(lazy), pl.LazyFrame)
    assert_type(customers_per_stage(records), list[tuple[Any, int]])
    assert_type(customers_per_stage(frame), pl.DataFrame)
    assert_type(time_in_stage(records), list[StageTime])
    assert_type(time_in_stage(relation), duckdb.DuckDBPyRelation)
    assert_type(cohort_retention(records), list[CohortCell])
    assert_type(cohort_retention(frame), pl.DataFrame)
    wants_frame(cohort_retention(records))  # type: ignore[arg-type]


def scoring_models(
    records: list[dict[str, Any]],
    frame: pl.DataFrame,
    lazy: pl.LazyFrame,
    nw_lazy: nw.LazyFrame[pl.LazyFrame],
    relation: duckdb.DuckDBPyRelation,
    model: WinProbabilityModel,
    icp: IdealCustomerProfile,
) -> None:
    assert_type(LoyaltyRule().classify(records), list[bool])
    assert_type(LoyaltyRule().classify(lazy), pl.LazyFrame)
    assert_type(icp.score(records), list[float])
    assert_type(icp.score(relation), duckdb.DuckDBPyRelation)
    assert_type(model.predict(records), list[float])
    assert_type(model.predict(frame), pl.DataFrame)
    assert_type(model.predict(nw_lazy), pl.LazyFrame)


def transactions(
    records: list[dict[str, Any]],
    orders: list[Order],
    frame: pl.DataFrame,
    lazy: pl.LazyFrame,
    nw_frame: nw.DataFrame[pl.DataFrame],
    relation: duckdb.DuckDBPyRelation,
    spark_frame: pyspark.sql.DataFrame,
    as_of: date,
) -> None:
    assert_type(rfm(records, as_of=as_of), list[RFMRow])
    assert_type(rfm(orders, as_of=as_of), list[RFMRow])
    assert_type(rfm(frame, as_of=as_of), pl.DataFrame)
    assert_type(rfm(lazy, as_of=as_of), pl.LazyFrame)
    assert_type(rfm(nw_frame, as_of=as_of), pl.DataFrame)
    assert_type(rfm(relation, as_of=as_of), duckdb.DuckDBPyRelation)
    assert_type(rfm(spark_frame, as_of=as_of), pyspark.sql.DataFrame)
    wants_frame(rfm(records, as_of=as_of))  # type: ignore[arg-type]
    assert_type(customer_status(orders, as_of=as_of), list[StatusRow])
    assert_type(customer_status(lazy, as_of=as_of), pl.LazyFrame)
    assert_type(segment_summary(records), list[SegmentSummaryRow])
    assert_type(segment_summary(frame), pl.DataFrame)
    assert_type(summarise(orders, as_of=as_of), list[CustomerSummary])
    assert_type(summarise(relation, as_of=as_of), duckdb.DuckDBPyRelation)
    assert_type(
        calibration_holdout(records, calibration_end=as_of, as_of=as_of), list[CalibrationHoldout]
    )
    assert_type(calibration_holdout(lazy, calibration_end=as_of, as_of=as_of), pl.LazyFrame)


def lifetime_value(
    summaries: list[CustomerSummary], frame: pl.DataFrame, lazy: pl.LazyFrame, model: BetaGeo
) -> None:
    assert_type(value_customers(summaries, model), list[CustomerValue])
    assert_type(value_customers(frame, model), pl.DataFrame)
    assert_type(value_customers(lazy, model), pl.LazyFrame)


def scoring_accounts(
    records: list[dict[str, Any]],
    accounts: list[Account],
    frame: pl.DataFrame,
    nw_lazy: nw.LazyFrame[pl.LazyFrame],
    model: LeadScoringModel,
) -> None:
    assert_type(profitability_ranking(records), list[RankedCustomer])
    assert_type(profitability_ranking(frame), pl.DataFrame)
    assert_type(false_key_customers(accounts), list[Account])
    assert_type(false_key_customers(nw_lazy), pl.LazyFrame)
    assert_type(model.score(records), list[LeadScore])
    assert_type(model.score(frame), pl.DataFrame)
