"""Lifetime value at warehouse scale: purchase patterns in the engine, predictions joined back.

The buy-till-you-die models read a customer only through their purchase *pattern*
``(frequency, recency, T)``, and millions of customers share a few thousand patterns when
time is counted in whole weeks or months. So on a frame — Polars (lazy), DuckDB, Dask,
PySpark — the work splits cleanly:

* :func:`crmkit.clv.summarise` runs in the engine (one row per customer, lazy stays lazy);
* :func:`purchase_patterns` compresses the summary to its distinct patterns with a count of
  customers, in the engine; the fitters (:class:`~crmkit.clv.BetaGeo`,
  :class:`~crmkit.clv.ParetoNBD`, :class:`~crmkit.clv.GammaGamma`, …) take those rows with
  ``weights="customers"`` — or the summary itself, which they compress the same way — so
  only the patterns come back to the driver;
* :func:`predict_frame` computes probability alive, expected purchases and the discounted
  purchase count once per pattern (in numpy, on the driver: small by construction) and joins
  them back to the customers *in the engine*; the expected order value and the lifetime value
  are column expressions there. Scoring 100 million customers never materialises them in
  Python.

Examples:
    >>> import polars as pl
    >>> from crmkit.clv import BetaGeo, GammaGamma, predict_frame, purchase_patterns
    >>> summary = pl.LazyFrame({"customer_id": ["a", "b", "c"], "frequency": [2, 0, 2],
    ...                         "recency": [30.0, 0.0, 30.0], "T": [38.0, 20.0, 38.0],
    ...                         "monetary_value": [22.5, 0.0, 22.5]})
    >>> purchase_patterns(summary).sort("frequency").collect().rows()
    [(0, 0.0, 20.0, 1), (2, 30.0, 38.0, 2)]
    >>> purchases = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="weeks")
    >>> spend = GammaGamma(p=6.25, q=3.74, v=15.44)
    >>> scored = predict_frame(summary, purchases, spend)
    >>> type(scored).__name__
    'LazyFrame'
    >>> [round(v, 2) for v in scored.sort("customer_id").collect()["lifetime_value"]]
    [37.25, 13.66, 37.25]
"""

from __future__ import annotations

import warnings
from typing import Any

from crmkit.clv.gamma_gamma import GammaGamma
from crmkit.clv.history import pattern_groups, read_history
from crmkit.clv.horizon import PurchaseModel, SpendModel, horizon_purchases
from crmkit.errors import CrmkitWarning, ValidationError
from crmkit.extras import require
from crmkit.frames import (
    column_names,
    from_native,
    is_frame,
    is_lazy,
    narwhals,
    require_columns,
    to_native,
)
from crmkit.frames.expression import identifier_sql

__all__ = ["PATTERN", "predict_frame", "purchase_patterns"]

#: The columns that make a purchase pattern: all the purchase models read of a customer.
PATTERN = ("frequency", "recency", "T")

_PREDICTED = ("probability_alive", "expected_purchases", "__discounted")


def _frame(summary: Any, what: str) -> Any:
    if not is_frame(summary):
        raise ValidationError.single(
            what, type(summary).__name__, "is not a dataframe; use value_customers for records"
        )
    return from_native(summary)


def purchase_patterns(
    summary: Any,
    *,
    monetary: bool = False,
    weights: str | None = None,
    count: str = "customers",
) -> Any:
    """The distinct purchase patterns of a customer summary, with how many customers have each.

    The grouping runs on the summary's engine (lazy stays lazy); the result is what the
    fitters need, so ``BetaGeo.fit(patterns, weights="customers")`` equals fitting the
    summary itself.

    Args:
        summary: a frame from :func:`crmkit.clv.summarise` (any engine).
        monetary: also group by ``monetary_value`` (the patterns Gamma-Gamma reads).
        weights: a column already counting customers per row (patterns of patterns add up).
        count: the name of the count column.

    Returns:
        A frame of the same kind with ``frequency``, ``recency``, ``T`` (and
        ``monetary_value``) and ``count``, one row per distinct pattern, in no particular order.

    Examples:
        >>> import duckdb
        >>> from crmkit.clv import purchase_patterns
        >>> rel = duckdb.sql("select * from (values (1, 2e0, 5e0), (1, 2e0, 5e0), (0, 0e0, 5e0))"
        ...                  " t(frequency, recency, T)")
        >>> sorted(purchase_patterns(rel).fetchall())
        [(0, 0.0, 5.0, 1), (1, 2.0, 5.0, 2)]
    """
    frame = _frame(summary, "summary")
    names = [*PATTERN, *(["monetary_value"] if monetary else [])]
    require_columns(frame, names + ([weights] if weights else []), what="summary")
    return to_native(pattern_groups(frame, names, weights, count))


def predict_frame(
    summary: Any,
    purchases: PurchaseModel,
    spend: SpendModel | None = None,
    *,
    months: int = 12,
    monthly_discount_rate: float = 0.01,
    time_unit: str | None = None,
) -> Any:
    """Per-customer predictions on a summary frame, computed per pattern, joined in the engine.

    The same numbers as :func:`crmkit.clv.value_customers` — ``probability_alive``,
    ``expected_purchases`` over ``months`` (and, with a ``spend`` model,
    ``expected_order_value`` and ``lifetime_value``) — added to every row of ``summary``, but
    only the distinct ``(frequency, recency, T)`` patterns are collected: the models run once
    per pattern on the driver and the results go back to the engine as a join on the pattern
    (a broadcast of a small table). A :class:`~crmkit.clv.GammaGamma` spend model becomes a
    column expression on ``monetary_value``; another spend model adds ``monetary_value`` to
    the pattern.

    Args:
        summary: a frame from :func:`crmkit.clv.summarise` (any engine), with ``frequency``,
            ``recency``, ``T`` (and ``monetary_value`` when ``spend`` is given).
        purchases: a fitted purchase model (BG/NBD, Pareto/NBD, MBG/NBD).
        spend: a fitted spend model, or ``None`` for no order value and lifetime value.
        months, monthly_discount_rate, time_unit: as in
            :func:`crmkit.clv.customer_lifetime_value`.

    Returns:
        A frame of the same kind as ``summary`` (lazy stays lazy; an eager frame keeps its
        row order) with the prediction columns added.

    Raises:
        ValidationError: ``summary`` is not a frame, misses a column, or holds invalid
            histories (see :func:`crmkit.clv.history.read_history`; with a spend model also
            a missing, non-finite or, for a repeat customer, non-positive
            ``monetary_value``, found per pattern from its smallest and largest value). The
            path's index is the pattern's, not the customer's.

    Examples:
        >>> import pandas as pd
        >>> from crmkit.clv import BetaGeo, predict_frame
        >>> purchases = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="weeks")
        >>> summary = pd.DataFrame({"customer_id": ["a", "b"], "frequency": [2, 0],
        ...                         "recency": [30.43, 0.0], "T": [38.86, 20.0]})
        >>> predict_frame(summary, purchases).round(4)
          customer_id  frequency  recency      T  probability_alive  expected_purchases
        0           a          2    30.43  38.86             0.7266              1.5622
        1           b          0     0.00  20.00             1.0000              0.4119
    """
    nw = narwhals()
    np = require("numpy", "stats")
    frame = _frame(summary, "summary")
    closed_form = spend is None or isinstance(spend, GammaGamma)
    keys = [*PATTERN, *([] if closed_form else ["monetary_value"])]
    require_columns(frame, keys + ([] if spend is None else ["monetary_value"]), what="summary")
    checked = spend is not None and closed_form
    if checked:  # the spend model reads monetary_value per customer: check it per pattern
        patterns = _patterns_with_spend_bounds(frame, keys)
    else:
        patterns = pattern_groups(frame, keys, None, "__customers")
    if is_lazy(patterns):
        patterns = patterns.collect()  # small by construction: one row per distinct pattern
    columns = {k: patterns[k].to_numpy() for k in keys}
    if checked:
        columns["monetary_value"] = _worst_spend(np, patterns)
    history = read_history(columns, monetary=spend is not None)
    x, tx, age = history.frequency, history.recency, history.T
    expected, discounted = horizon_purchases(
        purchases, x, tx, age, months=months, monthly_discount_rate=monthly_discount_rate,
        time_unit=time_unit,
    )  # fmt: skip
    table: dict[str, Any] = {k: patterns[k].to_numpy() for k in keys}
    table |= {
        "probability_alive": np.asarray(purchases.probability_alive(x, tx, age), dtype=float),
        "expected_purchases": np.asarray(expected, dtype=float),
    }
    if spend is not None:
        table["__discounted"] = np.asarray(discounted, dtype=float)
        if not closed_form:
            assert history.monetary_value is not None
            table["expected_order_value"] = np.asarray(
                spend.expected_order_value(x, history.monetary_value), dtype=float
            )
    original = column_names(frame)
    joined = _join_patterns(frame, table, keys)
    if spend is not None:
        if closed_form:
            assert isinstance(spend, GammaGamma)
            joined = joined.with_columns(_order_value(nw, spend).alias("expected_order_value"))
        worth = nw.col("expected_order_value") * nw.col("__discounted")
        joined = joined.with_columns(
            nw.when(nw.col("__discounted") > 0).then(worth).otherwise(nw.lit(0.0))
            .alias("lifetime_value")
        )  # fmt: skip
    added = ["probability_alive", "expected_purchases"]
    if spend is not None:
        added += ["expected_order_value", "lifetime_value"]
    return to_native(joined.select(*original, *added))


def _patterns_with_spend_bounds(frame: Any, keys: list[str]) -> Any:
    """The distinct patterns of ``keys`` with the smallest and largest ``monetary_value`` of
    their customers and how many miss it (or hold NaN), so a Gamma-Gamma spend model's input is checked
    per pattern (no customer is collected)."""
    nw = narwhals()
    spend = nw.col("monetary_value").cast(nw.Float64)
    return (
        frame.with_columns(
            spend.alias("__spend"),
            # missing or NaN (which some engines' min and max skip)
            nw.when(spend.is_null())
            .then(1)
            .when(spend.is_nan())
            .then(1)
            .otherwise(0)
            .cast(nw.Int64)
            .alias("__spend_missing"),
        )
        .group_by(*keys)
        .agg(
            nw.len().alias("__customers"),
            nw.col("__spend").min().alias("__spend_min"),
            nw.col("__spend").max().alias("__spend_max"),
            nw.col("__spend_missing").sum(),
        )
    )


def _worst_spend(np: Any, patterns: Any) -> Any:
    """Per pattern, the ``monetary_value`` that fails :func:`~crmkit.clv.history.read_history`'s
    check if any does: NaN when a customer misses it (or holds NaN), the largest when it is not finite (NaN or
    infinite), else the smallest (which must be positive for repeat customers)."""
    low = np.asarray(patterns["__spend_min"].to_numpy(), dtype=float)
    high = np.asarray(patterns["__spend_max"].to_numpy(), dtype=float)
    missing = np.asarray(patterns["__spend_missing"].to_numpy(), dtype=float) > 0
    return np.where(missing, np.nan, np.where(np.isfinite(high), low, high))


def _order_value(nw: Any, spend: GammaGamma) -> Any:
    """Gamma-Gamma's expected order value as a column expression (see
    :meth:`~crmkit.clv.GammaGamma.expected_order_value`; ``+inf`` where no mean exists)."""
    p, q, v = spend.p, spend.q, spend.v
    if q <= 1:
        warnings.warn(
            f"GammaGamma: the expected order value does not exist (is +inf) for customers "
            f"with p·frequency + q ≤ 1 (p = {p:g}, q = {q:g}): the fitted spend "
            "distribution is too heavy-tailed to have a mean",
            CrmkitWarning,
            stacklevel=3,
        )
    x = nw.col("frequency").cast(nw.Float64)
    m = nw.col("monetary_value").cast(nw.Float64)
    denominator = x * p + (q - 1)
    return (
        nw.when(denominator > 0).then((x * m + v) * p / denominator).otherwise(nw.lit(float("inf")))
    )


def _join_patterns(frame: Any, table: dict[str, Any], keys: list[str]) -> Any:
    """``frame`` left-joined on ``keys`` with ``table`` (numpy columns), in ``frame``'s engine.

    The table becomes a frame of the same engine: a Polars ``LazyFrame``, a one-partition
    Dask frame, a PySpark frame on the summary's own session, a DuckDB scan of an Arrow table
    inside a query on the summary's own connection, or an eager frame of the summary's
    library (whose row order the join keeps).
    """
    nw = narwhals()
    pa = require("pyarrow", "frames")
    arrow = pa.table(table)
    native = to_native(frame)
    impl = frame.implementation
    if impl.is_duckdb():
        return _duckdb_join(native, arrow, keys)
    if is_lazy(frame):
        if impl.is_polars():
            small = nw.from_arrow(arrow, backend="polars").lazy()
        elif impl.is_dask():
            small = nw.from_arrow(arrow, backend="pandas").lazy(backend="dask")
        elif impl.is_pyspark():
            small = nw.from_arrow(arrow, backend="pyarrow").lazy(
                backend="pyspark", session=native.sparkSession
            )
        else:
            small = nw.from_arrow(arrow, backend="pyarrow").lazy(backend=impl)
        return frame.join(small, on=keys, how="left")
    small = nw.from_arrow(arrow, backend=impl)
    joined = frame.with_row_index("__row").join(small, on=keys, how="left")
    return joined.sort("__row").drop("__row")


def _duckdb_join(relation: Any, __crmkit_patterns: Any, keys: list[str]) -> Any:
    """The join as one query on ``relation``'s own connection.

    DuckDB cannot join relations of two connections, and a relation does not name its
    connection; a query on the relation can read a local Arrow table by its variable name
    (DuckDB's replacement scan), so the table never leaves this function's frame.
    """
    using = ", ".join(identifier_sql(k, "duckdb") for k in keys)
    query = f"select * from __crmkit_summary left join __crmkit_patterns using ({using})"
    return from_native(relation.query("__crmkit_summary", query))
