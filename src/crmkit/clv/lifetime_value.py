"""Customer lifetime value from a purchase model and a spend model, per customer and segment.

:func:`customer_lifetime_value` follows lifetimes' ``customer_lifetime_value`` convention:
the horizon is counted in months, each month's expected purchases (the difference of the
cumulative conditional expectation) are valued at the Gamma-Gamma expected order value and
discounted by ``(1 + monthly_discount_rate) ** month``. A month is 30 days, 4.345 weeks or one
calendar month, as in lifetimes.

Examples:
    >>> from crmkit.clv import BetaGeo, GammaGamma, customer_lifetime_value
    >>> purchases = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="weeks")
    >>> spend = GammaGamma(p=6.25, q=3.74, v=15.44)
    >>> clv = customer_lifetime_value(purchases, spend, [2], [30.43], [38.86], [22.35])
    >>> round(float(clv[0]), 2)
    36.29
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, overload

import attrs

from crmkit.clv.history import calibration_part, read_history
from crmkit.clv.horizon import (
    PurchaseModel,
    SpendModel,
    check_horizon,
    customer_lifetime_value,
    horizon_purchases,
    units_per_month,
)
from crmkit.clv.patterns import predict_frame
from crmkit.display import ResultRow
from crmkit.extras import require
from crmkit.frames import (
    FrameT,
    Records,
    SupportsToNative,
    column_types,
    from_native,
    is_frame,
    is_lazy,
    narwhals,
    require_columns,
    to_native,
)

__all__ = [
    "CustomerValue",
    "PurchaseModel",
    "SegmentValue",
    "SpendModel",
    "customer_lifetime_value",
    "horizon_purchases",
    "value_by_segment",
    "value_customers",
]


@attrs.frozen
class CustomerValue(ResultRow):
    """One customer's predictions over a horizon.

    Examples:
        >>> from crmkit.clv import CustomerValue
        >>> CustomerValue("c1", 0.8, 1.5, 30.0, 41.2).lifetime_value
        41.2
    """

    customer_id: Any
    probability_alive: float
    expected_purchases: float
    expected_order_value: float | None
    lifetime_value: float | None


@attrs.frozen
class SegmentValue(ResultRow):
    """Lifetime value aggregated over the customers of one segment.

    Examples:
        >>> from crmkit.clv import SegmentValue
        >>> SegmentValue("A", 2, 1.8, 3.0, 100.0, 50.0).mean_lifetime_value
        50.0
    """

    segment: str
    customers: int
    expected_alive: float
    expected_purchases: float
    lifetime_value: float
    mean_lifetime_value: float


@overload
def value_customers(
    summary: SupportsToNative[FrameT],
    purchases: PurchaseModel,
    spend: SpendModel | None = ...,
    *,
    months: int = ...,
    monthly_discount_rate: float = ...,
    time_unit: str | None = ...,
    customer: str = ...,
) -> FrameT: ...
@overload
def value_customers(
    summary: FrameT,
    purchases: PurchaseModel,
    spend: SpendModel | None = ...,
    *,
    months: int = ...,
    monthly_discount_rate: float = ...,
    time_unit: str | None = ...,
    customer: str = ...,
) -> FrameT: ...
@overload
def value_customers(
    summary: Records,
    purchases: PurchaseModel,
    spend: SpendModel | None = ...,
    *,
    months: int = ...,
    monthly_discount_rate: float = ...,
    time_unit: str | None = ...,
    customer: str = ...,
) -> list[CustomerValue]: ...


def value_customers(
    summary: Any,
    purchases: PurchaseModel,
    spend: SpendModel | None = None,
    *,
    months: int = 12,
    monthly_discount_rate: float = 0.01,
    time_unit: str | None = None,
    customer: str = "customer_id",
) -> Any:
    """Probability alive, expected purchases, order value and CLV of every customer.

    ``expected_purchases`` covers the same ``months`` as the CLV. Without a ``spend`` model
    the order value and CLV are ``None``.

    Returns:
        For records, a list of :class:`CustomerValue`; for a frame, a frame of the same
        kind with the columns ``probability_alive``, ``expected_purchases`` (and
        ``expected_order_value``, ``lifetime_value``) added. A lazy frame (Polars
        ``LazyFrame``, DuckDB, Dask, PySpark) stays lazy and in its engine: it goes through
        :func:`crmkit.clv.predict_frame`, which collects only the distinct purchase patterns
        (small by construction), runs the models on them and joins the predictions back in the
        engine, in no particular row order. An eager frame is read into numpy whole and keeps
        its row order.

    Examples:
        >>> from crmkit.clv import BetaGeo, CustomerSummary, GammaGamma, value_customers
        >>> purchases = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="weeks")
        >>> rows = value_customers([CustomerSummary("c1", 2, 30.43, 38.86, 22.35)], purchases,
        ...                        GammaGamma(p=6.25, q=3.74, v=15.44))
        >>> round(rows[0].lifetime_value, 2)
        36.29
    """
    np = require("numpy", "stats")
    check_horizon(months, monthly_discount_rate)
    factor = units_per_month(purchases, time_unit)
    if is_frame(summary) and is_lazy(from_native(summary)):
        return predict_frame(
            calibration_part(summary), purchases, spend, months=months,
            monthly_discount_rate=monthly_discount_rate, time_unit=time_unit,
        )  # fmt: skip
    history = read_history(summary, monetary=spend is not None, customer=customer)
    x, tx, age = history.frequency, history.recency, history.T
    alive = purchases.probability_alive(x, tx, age)
    expected = purchases.conditional_expected_purchases(months * factor, x, tx, age)
    order_value = clv = None
    if spend is not None:
        assert history.monetary_value is not None
        order_value = spend.expected_order_value(x, history.monetary_value)
        clv = customer_lifetime_value(
            purchases, spend, x, tx, age, history.monetary_value, months=months,
            monthly_discount_rate=monthly_discount_rate, time_unit=time_unit,
        )  # fmt: skip
    if is_frame(summary):
        nw = narwhals()
        frame = from_native(summary)
        columns = {"probability_alive": alive, "expected_purchases": expected}
        if order_value is not None and clv is not None:
            columns |= {"expected_order_value": order_value, "lifetime_value": clv}
        backend = nw.get_native_namespace(frame)
        return to_native(
            frame.with_columns(
                *(nw.new_series(k, np.asarray(v), nw.Float64, backend=backend)
                  for k, v in columns.items())
            )
        )  # fmt: skip
    ids = history.customer_ids or [None] * history.size
    return [
        CustomerValue(
            ids[i],
            float(alive[i]),
            float(expected[i]),
            None if order_value is None else float(order_value[i]),
            None if clv is None else float(clv[i]),
        )
        for i in range(history.size)
    ]


def value_by_segment(
    values: Any,
    segment_of: Mapping[Any, str] | Callable[[Any], str],
    *,
    customer: str = "customer_id",
) -> list[SegmentValue]:
    """Aggregate per-customer predictions per segment (sorted by total lifetime value).

    Args:
        values: per-customer predictions from :func:`value_customers`: its
            :class:`CustomerValue` rows, or the frame it returns (any kind) with the
            customer column and ``probability_alive``, ``expected_purchases`` (and
            ``lifetime_value``). A lazy frame is collected — every customer comes to the
            driver, since ``segment_of`` is Python — so on Dask or Spark give it a sample or
            join the segments in the engine and group there.
        segment_of: a mapping or function from customer id to segment name; customers it
            does not know go to ``"(none)"``.
        customer: the frame's customer column (as in :func:`value_customers`).

    Returns:
        One :class:`SegmentValue` per segment, for records and frames alike: the result is a
        short table of segments, not one row per customer, so a frame does not come back as
        a frame (:func:`crmkit.frames.to_frame` makes one of the rows).

    Examples:
        >>> from crmkit.clv import CustomerValue, value_by_segment
        >>> rows = [CustomerValue("a", 0.9, 2.0, 10.0, 20.0),
        ...         CustomerValue("b", 0.5, 1.0, 10.0, 10.0),
        ...         CustomerValue("c", 0.1, 0.2, 10.0, 2.0)]
        >>> [(s.segment, s.customers, s.lifetime_value)
        ...  for s in value_by_segment(rows, {"a": "A", "b": "A", "c": "B"})]
        [('A', 2, 30.0), ('B', 1, 2.0)]
        >>> import polars as pl
        >>> frame = pl.DataFrame({"customer_id": ["a", "c"], "probability_alive": [0.9, 0.1],
        ...                       "expected_purchases": [2.0, 0.2], "lifetime_value": [20.0, 2.0]})
        >>> [(s.segment, s.lifetime_value) for s in value_by_segment(frame, {"a": "A"})]
        [('A', 20.0), ('(none)', 2.0)]
    """
    if is_frame(values):
        values = _frame_values(values, customer)
    lookup: Callable[[Any], str]
    if callable(segment_of):
        lookup = segment_of
    else:
        mapping = segment_of

        def lookup(cid: Any) -> str:
            return mapping.get(cid, "(none)")

    sums: dict[str, list[float]] = {}
    for row in values:
        acc = sums.setdefault(str(lookup(row.customer_id)), [0, 0.0, 0.0, 0.0])
        acc[0] += 1
        acc[1] += row.probability_alive
        acc[2] += row.expected_purchases
        acc[3] += row.lifetime_value or 0.0
    out = [
        SegmentValue(name, int(n), alive, purchases, clv, clv / n)
        for name, (n, alive, purchases, clv) in sums.items()
    ]
    return sorted(out, key=lambda s: (-s.lifetime_value, s.segment))


def _frame_values(values: Any, customer: str) -> list[CustomerValue]:
    """The rows of a :func:`value_customers` frame as :class:`CustomerValue`."""
    frame = from_native(values)
    if is_lazy(frame):
        frame = frame.collect()
    names = [customer, "probability_alive", "expected_purchases"]
    schema = column_types(frame)
    require_columns(frame, names, what="values", schema=schema)
    with_value = "lifetime_value" in schema
    rows = frame.select(*names, *(["lifetime_value"] if with_value else [])).rows()
    return [
        CustomerValue(row[0], row[1], row[2], None, row[3] if with_value else None) for row in rows
    ]
