"""Checked by mypy --strict in ``test_overloads.py`` (never run): the analytics' overloads.

A frame in types the same frame type out (a narwhals frame: the native frame it wraps), records
in type a list of the analytic's rows. Each ``# type: ignore[...]`` marks a line mypy must
reject; ``--strict`` reports an ignore that is not needed, so a too-loose overload fails too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, assert_type

from crmkit.frames import col
from crmkit.segmentation import (
    ABCRow,
    BucketRow,
    PortfolioRow,
    ProfitabilityRow,
    RuleSegments,
    Segment,
    SegmentRow,
    TierRow,
    WalletRow,
    abc_classes,
    assign_segments,
    customer_portfolio,
    go_to_market_tiers,
    profitability_matrix,
    propensity_bands,
    repurchase_buckets,
    share_of_wallet,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    import dask.dataframe as dd
    import duckdb
    import narwhals as nw
    import polars as pl
    import pyspark.sql

    from crmkit.domain import Account


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
