"""ABC / Pareto analysis: cumulative-share classes, the 80/20 check and top-N concentration.

:func:`abc_classes` sums ``amount`` per customer (so it takes transactions or one row per
customer alike), orders customers by value (largest first; ties by customer id, ascending)
and classes them by the cumulative share **before** each customer:

* class A while the customers ranked above hold less than ``cutoffs[0]`` (default 80 %) of the
  total — so A is the *smallest* group of top customers that reaches 80 %: the customer who
  crosses the line is an A customer;
* class B while they hold less than ``cutoffs[1]`` (default 95 %, i.e. the next 15 %);
* class C for the rest (the last 5 %).

A customer exactly at a boundary (the customers above hold exactly 80 %) falls in the lower
class. The boundaries are decided in exact arithmetic, identically on records and every frame
engine (:mod:`crmkit.frames.exact`; the docs page *Time and boundaries*,
``docs/concepts/time-and-boundaries.md``): values are counted in whole units (floats in
millionths), customers are ordered by that exact value (ties by customer id), and
``before < cutoff × total`` compares integers with the cut-off as the decimal it is written
as (at most six decimals), so a zero total puts everyone in C. ``share`` and
``cumulative_share`` are those exact ratios as floats. Values must not be missing or NaN;
negative values (refunds, credit notes) follow the ``negative`` option of every transaction
analytic (:mod:`crmkit.segmentation.transactions`): refused by default, netted within the
customer (``"net"``: a customer's total stops at zero, and a customer with refunds only is
left out) or left out with a count (``"drop"``).

:func:`pareto_check` tests "the top 20 % of customers hold 80 % of the value" (seed 003;
``customer_share=0.1, value_share=0.9`` for Schultz's 90/10) with the top group size
``ceil(customer_share × customers)`` computed exactly (7 % of 100 customers is 7), and the
held share compared exactly (shares adding up to exactly 80 % pass). :func:`concentration` gives seed 002's top-10 share and
the distribution within the top N. Both return numbers, so they compute the frame they are
given (only the per-customer totals' top rows and the total are brought back).

Examples:
    >>> from crmkit.segmentation import abc_classes, concentration
    >>> revenue = [200, 150, 100, 100, 100, 100, 50, 50, 50, 50, 25, 25]
    >>> customers = [{"account_id": f"c{i:02}", "total": v} for i, v in enumerate(revenue)]
    >>> [row.abc_class for row in abc_classes(customers)]
    ['A', 'A', 'A', 'A', 'A', 'A', 'A', 'B', 'B', 'B', 'C', 'C']
    >>> c = concentration(customers, top=10)
    >>> c.top_share, c.largest_share
    (0.95, 0.2)
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, overload

import attrs

from crmkit._deprecation import renamed
from crmkit.display import ResultRow
from crmkit.errors import ValidationError
from crmkit.frames import (
    FrameT,
    Records,
    SupportsToNative,
    collect,
    collect_like,
    field_reader,
    from_native,
    is_frame,
    is_lazy,
    lazy_plan,
    narwhals,
    per_key,
    require_columns,
    to_native,
    with_running_sum,
)
from crmkit.frames.exact import (
    MAX_FLOAT_AMOUNT,
    UNITS,
    amount_units,
    below_share,
    below_share_expr,
    exact_share,
    share_threshold,
    units_expr,
)
from crmkit.frames.expression import literal_sql
from crmkit.segmentation.transactions import (
    Negative,
    amount_error,
    check_negative,
    first_row,
    report_dropped,
)

__all__ = ["ABCRow", "Concentration", "ParetoCheck", "abc_classes", "concentration", "pareto_check"]


@attrs.frozen
class ABCRow(ResultRow):
    """One customer's value, share, cumulative share (including itself) and class.

    Examples:
        >>> from crmkit.segmentation import ABCRow
        >>> ABCRow("c1", 80, 0.8, 0.8, "A").abc_class
        'A'
    """

    customer_id: Any
    value: int | float | Decimal
    share: float | None
    cumulative_share: float | None
    abc_class: str


@attrs.frozen
class ParetoCheck(ResultRow):
    """Result of an 80/20-style check.

    Examples:
        >>> from crmkit.segmentation import ParetoCheck
        >>> ParetoCheck(10, 2, 0.2, 0.85, 0.8, True).passes
        True
    """

    customers: int
    top_customers: int
    customer_share: float
    top_value_share: float | None
    value_share: float
    passes: bool


@attrs.frozen
class Concentration(ResultRow):
    """Top-N concentration: the top N's total and share, the largest customer's share and
    each top customer's share (largest first).

    Examples:
        >>> from crmkit.segmentation import Concentration
        >>> Concentration(10, 1000, 950, 0.95, 0.2, [0.2]).top_share
        0.95
    """

    top: int
    total: float | int | Decimal
    top_total: float | int | Decimal
    top_share: float | None
    largest_share: float | None
    shares: list[float]


def _check_cutoffs(cutoffs: Sequence[Any], labels: Sequence[str]) -> list[Fraction]:
    values = list(cutoffs)
    if len(labels) != len(values) + 1:
        raise ValidationError.single(
            "labels", list(labels), f"must have one more entry than cutoffs ({len(values)})"
        )
    shares = [exact_share(c, f"cutoffs[{i}]") for i, c in enumerate(values)]
    if shares != sorted(shares):
        raise ValidationError.single(
            "cutoffs", values, "must be increasing cumulative shares between 0 and 1"
        )
    return shares


def _share(part: Any, total: Any) -> float | None:
    return float(part) / float(total) if total else None


def _ratio(part: int, total: int) -> float | None:
    """``part / total`` of exact integers, correctly rounded (the frames compute the same)."""
    return part / total if total else None


@overload
def abc_classes(
    data: SupportsToNative[FrameT],
    *,
    customer: str = ...,
    amount: str = ...,
    cutoffs: Sequence[float] = ...,
    labels: Sequence[str] = ...,
    negative: Negative = ...,
) -> FrameT: ...
@overload
def abc_classes(
    data: FrameT,
    *,
    customer: str = ...,
    amount: str = ...,
    cutoffs: Sequence[float] = ...,
    labels: Sequence[str] = ...,
    negative: Negative = ...,
) -> FrameT: ...
@overload
def abc_classes(
    data: Records,
    *,
    customer: str = ...,
    amount: str = ...,
    cutoffs: Sequence[float] = ...,
    labels: Sequence[str] = ...,
    negative: Negative = ...,
) -> list[ABCRow]: ...


@renamed(value="amount")
def abc_classes(
    data: Any,
    *,
    customer: str = "account_id",
    amount: str = "total",
    cutoffs: Sequence[float] = (0.8, 0.95),
    labels: Sequence[str] = ("A", "B", "C"),
    negative: Negative = "refuse",
) -> Any:
    """ABC classes by cumulative value share (default 80 / 15 / 5).

    Returns ``list[ABCRow]`` (largest first) for records, or the same kind of frame with
    ``customer_id, value, share, cumulative_share, abc_class``. Boundaries are exact on every
    engine (see the module docstring and the docs page *Time and boundaries*).

    Examples:
        >>> import polars as pl
        >>> from crmkit.segmentation import abc_classes
        >>> frame = pl.DataFrame({"account_id": ["x", "y", "z"], "total": [70, 20, 10]})
        >>> abc_classes(frame).sort("customer_id")["abc_class"].to_list()
        ['A', 'A', 'B']
        >>> [r.abc_class for r in abc_classes([{"account_id": k, "total": v} for k, v in
        ...                                    [("a", 0.7), ("b", 0.1), ("c", 0.2)]])]
        ['A', 'A', 'B']
    """
    shares = _check_cutoffs(cutoffs, labels)
    check_negative(negative)
    if is_frame(data):
        return _abc_frame(data, customer, amount, shares, list(labels), negative)
    stats = _totals(data, customer, amount, negative)
    ordered = sorted(stats.items(), key=lambda kv: (-kv[1][1], kv[0]))
    total = sum(units for _, (_, units) in ordered)
    out: list[ABCRow] = []
    running = 0
    for key, (summed, units) in ordered:
        before = running
        running += units
        label = labels[-1]
        for share, name in zip(shares, labels, strict=False):
            if below_share(before, total, share):
                label = name
                break
        out.append(ABCRow(key, summed, _ratio(units, total), _ratio(running, total), label))
    return out


def _totals(data: Any, customer: str, value: str, negative: Negative) -> dict[Any, list[Any]]:
    """Per customer ``[summed value, exact units]`` with the transactions module's checks."""
    read_customer = field_reader(customer)
    read_value = field_reader(value)
    totals: dict[Any, list[Any]] = {}
    bought: set[Any] = set()  # customers with a purchase (not only refunds)
    dropped = 0
    for index, row in enumerate(data):
        try:
            key = read_customer(row)
            amount = read_value(row)
        except ValidationError as error:
            raise error.prefixed(f"data[{index}]") from None
        if isinstance(amount, bool) or not isinstance(amount, int | float | Decimal):
            raise amount_error(amount, f"data[{index}].{value}")
        if not amount >= 0:
            if amount != amount or negative == "refuse":
                raise amount_error(amount, f"data[{index}].{value}")
            if negative == "drop":
                dropped += 1
                continue
        else:
            bought.add(key)
        try:
            units = amount_units(amount)
        except ValidationError as error:
            raise ValidationError.single(
                f"data[{index}].{value}", amount, error.problems[0].message
            ) from None
        entry = totals.get(key)
        if entry is None:
            totals[key] = [amount, units]
            continue
        previous = entry[0]
        if isinstance(previous, Decimal) != isinstance(amount, Decimal):
            entry[0] = float(previous) + float(amount)
        else:
            entry[0] = previous + amount
        entry[1] += units
    report_dropped(dropped, f"data.{value}", inside=__name__)
    if negative == "net":  # refunds net within the customer; a total stops at zero
        totals = {
            key: entry if entry[1] > 0 else [type(entry[0])(0), 0]
            for key, entry in totals.items()
            if key in bought
        }
    grand = sum(entry[1] for entry in totals.values())
    if grand >= _MAX_TOTAL_UNITS * UNITS:
        raise ValidationError.single(
            f"data.{value}", message="totals too much for exact boundaries (below 9.2e12)"
        )
    return totals


#: The largest total (in units of the amounts) whose micro-units fit in 64 bits.
_MAX_TOTAL_UNITS = (2**63 - 1) // UNITS


def _frame_totals(
    data: Any, customer: str, value: str, negative: Negative, *, plan: bool = False
) -> Any:
    """Per-customer ``customer_id, value, units`` with the records engine's checks.

    ``plan=True``: an eager Polars frame is checked eagerly, then totalled as a lazy query
    (:func:`crmkit.frames.lazy_plan`; the caller hands the result back with ``collect_like``).
    """
    nw = narwhals()
    frame = from_native(data)
    schema = frame.collect_schema()  # (once: on SQL engines each look-up binds a query)
    require_columns(frame, [customer, value], what="data", schema=schema)
    dtype = schema[value]
    if not dtype.is_numeric():
        raise ValidationError.single(f"data.{value}", str(dtype), "must be a numeric column")
    column = nw.col(value)
    is_refund = (column < 0).fill_null(value=False)
    if not is_lazy(frame):  # the records engine's checks (lazy frames: see the docs)
        missing = column.is_null() | column.is_nan() if dtype.is_float() else column.is_null()
        found = frame.select(
            missing.any().alias("missing"),
            is_refund.sum().alias("negative"),
            column.cast(nw.Float64).max().alias("largest"),
            column.cast(nw.Float64).sum().alias("total"),
        ).row(0)
        if found[0]:
            index, _ = first_row(frame, missing, value)
            raise ValidationError.single(f"data[{index}].{value}", message="is missing or NaN")
        if found[1] and negative == "refuse":
            index, amount = first_row(frame, is_refund, value)
            raise amount_error(amount, f"data[{index}].{value}")
        if negative == "drop":
            report_dropped(int(found[1]), f"data.{value}", inside=__name__)
        if not dtype.is_integer() and (found[2] or 0) >= MAX_FLOAT_AMOUNT:
            raise ValidationError.single(
                f"data.{value}", found[2], f"is too large for exact boundaries (float amounts "
                f"below {MAX_FLOAT_AMOUNT:.4g}; give int or Decimal)",
            )  # fmt: skip
        if (found[3] or 0) >= _MAX_TOTAL_UNITS:
            raise ValidationError.single(
                f"data.{value}", message="totals too much for exact boundaries (below 9.2e12)"
            )
    if plan:
        frame = lazy_plan(frame)
    netted = negative == "net"

    def per_customer(rows: Any) -> Any:  # per customer: keeps Dask's partitions (per_key)
        if negative == "drop":
            rows = rows.filter(~is_refund)
        units = [units_expr(column, dtype).alias("__crmkit_units")]
        if netted:
            units.append((~is_refund).cast(nw.Int64).alias("__crmkit_bought"))
        sums = [column.sum().alias("value"), nw.col("__crmkit_units").sum().alias("units")]
        if netted:
            sums.append(nw.col("__crmkit_bought").sum())
        return rows.with_columns(*units).group_by(customer).agg(*sums)

    if not frame.implementation.is_dask():
        return _finish_totals(per_customer(frame), customer, netted)
    # Dask: each partition totalled first, then only those rows shuffled by customer and
    # combined (:func:`per_key`), every step on the pandas partitions
    combined = ["value", "units", *(["__crmkit_bought"] if netted else [])]

    def combine(rows: Any) -> Any:
        totals = rows.group_by(customer).agg(*(nw.col(name).sum() for name in combined))
        return _finish_totals(totals, customer, netted)

    return per_key(frame, [customer], per_customer, combine=combine)


def _finish_totals(totals: Any, customer: str, netted: bool) -> Any:
    """``customer_id, value, units`` from the per-customer sums; ``netted``: refunds net
    within the customer, a total stops at zero, customers with refunds only are left out."""
    nw = narwhals()
    if not netted:
        return totals.select(nw.col(customer).alias("customer_id"), "value", "units")
    positive = nw.col("units") > 0
    return totals.filter(nw.col("__crmkit_bought") > 0).select(
        nw.col(customer).alias("customer_id"),
        nw.when(positive)
        .then(nw.col("value"))
        .otherwise(nw.col("value") - nw.col("value"))
        .alias("value"),
        nw.when(positive)
        .then(nw.col("units"))
        .otherwise(nw.col("units") - nw.col("units"))
        .alias("units"),
    )


def _abc_frame(
    data: Any,
    customer: str,
    value: str,
    cutoffs: list[Fraction],
    labels: list[str],
    negative: Negative,
) -> Any:
    nw = narwhals()
    # an eager Polars frame is checked eagerly, then planned and run as one lazy query
    totals = _frame_totals(data, customer, value, negative, plan=True)
    frame = with_running_sum(
        totals.with_columns((-nw.col("units")).alias("__crmkit_neg")),
        "units",
        ["__crmkit_neg", "customer_id"],
        "__crmkit_running",
        total="__crmkit_total",
    )
    if frame.implementation.is_pyspark():  # one SQL projection, not ~3,000 py4j calls
        projected = _spark_abc_projection(to_native(frame), cutoffs, labels)
        if projected is not None:
            return projected
    running = nw.col("__crmkit_running").cast(nw.Int64)
    before = running - nw.col("units")
    units = nw.col("units").cast(nw.Float64)
    if is_lazy(frame):  # each row compares with the total, exactly (DuckDB, Polars: in 128 bits)
        total = nw.col("__crmkit_total").cast(nw.Int64)
        # (two products in Int128: fewer narwhals nodes to build and fewer steps to run than
        # the divmod form, and exact for any Int64 values; tests/frames/test_exact_thresholds)
        wide = frame.implementation.is_duckdb() or frame.implementation.is_polars()
        below = [below_share_expr(before, total, cutoff, wide=wide) for cutoff in cutoffs]
        exact_total = total.cast(nw.Float64)
        share = nw.when(total != 0).then(units / exact_total)
        running_share = nw.when(total != 0).then(running.cast(nw.Float64) / exact_total)
    else:  # eager (pandas, PyArrow): the total is known, each boundary one integer
        grand = int(frame.item(0, "__crmkit_total")) if len(frame) else 0
        below = [before < share_threshold(grand, cutoff) for cutoff in cutoffs]
        share = running_share = nw.lit(None, dtype=nw.Float64)
        if grand:
            share = units / float(grand)
            running_share = running.cast(nw.Float64) / float(grand)
    columns = [
        "customer_id",
        "value",
        share.alias("share"),
        running_share.alias("cumulative_share"),
    ]
    if not is_lazy(frame) and frame.implementation.is_pandas():
        labelled = _pandas_abc_labels(frame, [share_threshold(grand, c) for c in cutoffs], labels)
        if labelled is not None:
            return labelled(to_native(frame.select(*columns)))
    label = nw.lit(labels[-1])
    if below:  # (no cutoffs: one class, nothing to test)
        chain: Any = nw
        for test, name in zip(below, labels, strict=False):
            chain = chain.when(test).then(nw.lit(name))
        label = chain.otherwise(label)
    out = frame.select(*columns, label.alias("abc_class"))
    return to_native(collect_like(out, from_native(data)))


def _spark_abc_projection(native: Any, cutoffs: list[Fraction], labels: list[str]) -> Any:
    """:func:`_abc_frame`'s last projection on a PySpark frame as Spark SQL text (one
    ``selectExpr``), or ``None`` when a label is not a plain literal (the narwhals chain then
    runs).

    The same columns and values as the chain: each share a double division guarded by
    ``total != 0``, and each boundary ``before·q < p·total`` in ``DECIMAL(38, 0)`` — exact,
    as ``p, q <= 10**6`` keep both products of 64-bit values below ``10**25`` — in place of the
    divmod form of :func:`~crmkit.frames.exact.below_share_expr`, which gives the same verdict
    for non-negative values (tests compare both on boundary cases). Building the chain through
    narwhals takes thousands of py4j calls (about a second of driver and JVM time per call of
    ``abc_classes``); the text is parsed once.
    """
    texts = [literal_sql(label, "spark") for label in labels]
    if any(text is None for text in texts):
        return None
    total = "CAST(`__crmkit_total` AS BIGINT)"
    running = "CAST(`__crmkit_running` AS BIGINT)"
    before = f"CAST(({running} - `units`) AS DECIMAL(38, 0))"
    exact_total = f"CAST({total} AS DECIMAL(38, 0))"
    tests = [
        f"WHEN {before} * {c.denominator} < {exact_total} * {c.numerator} THEN {text}"
        for c, text in zip(cutoffs, texts, strict=False)
    ]
    label = f"CASE {' '.join(tests)} ELSE {texts[-1]} END" if tests else texts[-1]
    return native.selectExpr(
        "customer_id",
        "value",
        f"CASE WHEN {total} != 0 THEN CAST(`units` AS DOUBLE) / CAST({total} AS DOUBLE) END"
        " AS share",
        f"CASE WHEN {total} != 0 THEN CAST({running} AS DOUBLE) / CAST({total} AS DOUBLE) END"
        " AS cumulative_share",
        f"{label} AS abc_class",
    )


def _pandas_abc_labels(frame: Any, thresholds: list[int], labels: list[str]) -> Any:
    """On a pandas frame with NumPy ``int64`` running sums and units: a function adding the
    ``abc_class`` column to the selected columns, the first label whose threshold the units
    before the customer are below (the ``when/then`` chain's rule and column, by NumPy and
    :func:`crmkit.frames.lookup.pandas_labels`); ``None`` otherwise (the chain then runs)."""
    import numpy as np

    from crmkit.frames.lookup import pandas_labels

    native = to_native(frame)
    running, units = native["__crmkit_running"], native["units"]
    if running.dtype != np.int64 or units.dtype != np.int64:
        return None
    before = running.to_numpy() - units.to_numpy()
    tests = thresholds[: len(labels)]
    codes = np.full(len(before), len(labels) - 1, dtype=np.intp)
    for place in reversed(range(len(tests))):  # the first test that holds wins
        codes[before < tests[place]] = place

    def add(selected: Any) -> Any:
        return selected.assign(abc_class=pandas_labels(codes, labels, selected.index))

    return add


def _top_values(
    data: Any, customer: str, value: str, top: int, negative: Negative
) -> tuple[list[Any], Any, int]:
    """The ``top`` largest per-customer totals, the grand total and the customer count."""
    if is_frame(data):
        nw = narwhals()
        totals = _frame_totals(data, customer, value, negative)
        summary = collect(
            totals.select(nw.col("value").sum().alias("total"), nw.len().alias("n"))
        ).row(0)
        largest = collect(totals.sort("value", descending=True).head(top).select("value"))
        return [v for (v,) in largest.iter_rows()], summary[0] or 0, int(summary[1])
    stats = _totals(data, customer, value, negative)
    values = sorted((entry[0] for entry in stats.values()), reverse=True)
    return values[:top], sum(values, start=0), len(values)


def _top_units(
    data: Any, customer: str, value: str, share: Fraction, negative: Negative
) -> tuple[int, int, int, int]:
    """The top group's size ``ceil(share × customers)``, the exact units it holds, the units
    in all and the customer count (the input is read once).

    Customers are ranked by their exact units on both engines, so the top group is the same.
    """
    if is_frame(data):
        nw = narwhals()
        totals = _frame_totals(data, customer, value, negative)
        summary = collect(
            totals.select(nw.col("units").sum().alias("total"), nw.len().alias("n"))
        ).row(0)
        count = int(summary[1])
        top = -(-share.numerator * count // share.denominator)  # ceil, exact
        largest = 0
        if top > 0:
            head = collect(totals.sort("units", descending=True).head(top).select("units"))
            largest = sum(int(v) for (v,) in head.iter_rows())
        return top, largest, int(summary[0] or 0), count
    units = sorted(
        (entry[1] for entry in _totals(data, customer, value, negative).values()), reverse=True
    )
    top = -(-share.numerator * len(units) // share.denominator)
    return top, sum(units[:top]), sum(units), len(units)


@renamed(value="amount")
def pareto_check(
    data: Any,
    *,
    customer: str = "account_id",
    amount: str = "total",
    customer_share: float = 0.2,
    value_share: float = 0.8,
    negative: Negative = "refuse",
) -> ParetoCheck:
    """Do the top ``customer_share`` of customers hold at least ``value_share`` of the value?

    The top group's size and the comparison are exact (see the module docstring): 7 % of 100
    customers is 7, and a top group holding exactly ``value_share`` passes.

    Examples:
        >>> from crmkit.segmentation import pareto_check
        >>> rows = [{"account_id": i, "total": v} for i, v in enumerate([80] + [5] * 4)]
        >>> check = pareto_check(rows)
        >>> check.top_customers, check.top_value_share, check.passes
        (1, 0.8, True)
    """
    customers = exact_share(customer_share, "customer_share")
    held_share = exact_share(value_share, "value_share")
    check_negative(negative)
    k, top, total, count = _top_units(data, customer, amount, customers, negative)
    return ParetoCheck(
        customers=count,
        top_customers=k,
        customer_share=customer_share,
        top_value_share=_ratio(top, total),
        value_share=value_share,
        passes=total > 0 and not below_share(top, total, held_share),
    )


@renamed(value="amount")
def concentration(
    data: Any,
    *,
    customer: str = "account_id",
    amount: str = "total",
    top: int = 10,
    negative: Negative = "refuse",
) -> Concentration:
    """The share of value held by the ``top`` largest customers (seed 002: top 10).

    Examples:
        >>> from crmkit.segmentation import concentration
        >>> concentration([{"account_id": "a", "total": 3}, {"account_id": "b", "total": 1}],
        ...               top=1).top_share
        0.75
    """
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise ValidationError.single("top", top, "must be a whole number of 1 or more")
    check_negative(negative)
    values, total, _ = _top_values(data, customer, amount, top, negative)
    top_total = sum(values, start=0)
    shares = [s for s in (_share(v, total) for v in values) if s is not None]
    return Concentration(
        top=top,
        total=total,
        top_total=top_total,
        top_share=_share(top_total, total),
        largest_share=shares[0] if shares else None,
        shares=shares,
    )
