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
from typing import TYPE_CHECKING, Any, Protocol

import attrs

from crmkit.clv.history import calibration_part, read_history
from crmkit.display import ResultRow
from crmkit.errors import ValidationError
from crmkit.extras import require
from crmkit.frames import (
    column_types,
    from_native,
    is_frame,
    is_lazy,
    narwhals,
    require_columns,
    to_native,
)

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

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

#: Model time units per month, as lifetimes counts them.
UNITS_PER_MONTH = {"days": 30.0, "weeks": 4.345, "months": 1.0}


class PurchaseModel(Protocol):
    """What CLV needs of a purchase model (:class:`~crmkit.clv.BetaGeo`,
    :class:`~crmkit.clv.ParetoNBD`)."""

    @property
    def time_unit(self) -> Any:
        """The unit the model's times are in (``None`` when unknown)."""

    def conditional_expected_purchases(
        self,
        t: ArrayLike,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,  # noqa: N803
    ) -> Any: ...

    def probability_alive(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> Any: ...  # noqa: N803


class SpendModel(Protocol):
    """What CLV needs of a spend model (:class:`~crmkit.clv.GammaGamma`)."""

    def expected_order_value(self, frequency: ArrayLike, monetary_value: ArrayLike) -> Any: ...


def _units_per_month(purchases: PurchaseModel, time_unit: str | None) -> float:
    unit = time_unit or getattr(purchases, "time_unit", None)
    if unit not in UNITS_PER_MONTH:
        raise ValidationError.single(
            "time_unit",
            unit,
            "is needed to count months: pass time_unit='days'|'weeks'|'months' or fit the model "
            "with time_unit",
        )
    return UNITS_PER_MONTH[unit]


def _check_horizon(months: int, rate: float) -> None:
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise ValidationError.single("months", months, "must be a whole number of 1 or more")
    if not rate > -1:
        raise ValidationError.single("monthly_discount_rate", rate, "must be greater than -1")


def customer_lifetime_value(
    purchases: PurchaseModel,
    spend: SpendModel,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,  # noqa: N803
    monetary_value: ArrayLike,
    *,
    months: int = 12,
    monthly_discount_rate: float = 0.01,
    time_unit: str | None = None,
) -> Any:
    """Discounted expected value of each customer's purchases over the next ``months``.

    Args:
        purchases: a fitted BG/NBD or Pareto/NBD model.
        spend: a fitted Gamma-Gamma model.
        frequency, recency, T, monetary_value: the customers' histories.
        months: the horizon in months.
        monthly_discount_rate: discount rate per month (0.01 ≈ 12.7 % a year).
        time_unit: the unit ``recency``/``T`` are in; defaults to the model's ``time_unit``.

    Returns:
        A numpy array with one value per customer (same currency as ``monetary_value``);
        ``+inf`` (with a :class:`~crmkit.errors.CrmkitWarning`) for customers whose expected
        order value does not exist under the spend model (Gamma-Gamma with ``p·x + q ≤ 1``).

    Examples:
        >>> from crmkit.clv import BetaGeo, GammaGamma, customer_lifetime_value
        >>> purchases = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> spend = GammaGamma(p=6.25, q=3.74, v=15.44)
        >>> customer_lifetime_value(purchases, spend, [0], [0], [38.86], [0])
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: time_unit: None is needed to count months: pass \
time_unit='days'|'weeks'|'months' or fit the model with time_unit
    """
    np = require("numpy", "stats")
    order_value = spend.expected_order_value(frequency, monetary_value)
    _, discounted = horizon_purchases(
        purchases, frequency, recency, T, months=months,
        monthly_discount_rate=monthly_discount_rate, time_unit=time_unit,
    )  # fmt: skip
    # an order value of +inf (a spend model without a mean) times no purchases is 0
    with np.errstate(invalid="ignore"):
        return np.where(discounted > 0, order_value * discounted, 0.0)


def horizon_purchases(
    purchases: PurchaseModel,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,  # noqa: N803
    *,
    months: int = 12,
    monthly_discount_rate: float = 0.01,
    time_unit: str | None = None,
) -> tuple[Any, Any]:
    """Expected purchases over the next ``months``, plain and discounted month by month.

    The discounted count is the sum over months of each month's expected purchases (the
    difference of the cumulative conditional expectation, never below zero) divided by
    ``(1 + monthly_discount_rate) ** month``; :func:`customer_lifetime_value` is the expected
    order value times it. Both depend only on ``(frequency, recency, T)``, which is what lets
    :func:`crmkit.clv.predict_frame` compute them once per purchase pattern.

    Returns:
        ``(expected_purchases, discounted_purchases)``, numpy arrays with one value per
        customer.

    Examples:
        >>> from crmkit.clv import BetaGeo
        >>> from crmkit.clv.lifetime_value import horizon_purchases
        >>> model = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="weeks")
        >>> expected, discounted = horizon_purchases(model, [2], [30.43], [38.86], months=12)
        >>> round(float(expected[0]), 4), round(float(discounted[0]), 4)
        (1.5622, 1.4714)
    """
    np = require("numpy", "stats")
    _check_horizon(months, monthly_discount_rate)
    factor = _units_per_month(purchases, time_unit)
    start = purchases.conditional_expected_purchases(0.0, frequency, recency, T)
    discounted = np.zeros_like(start, dtype=float)
    previous = start
    for month in range(1, months + 1):
        cumulative = purchases.conditional_expected_purchases(month * factor, frequency, recency, T)
        increment = cumulative - previous
        discounted = discounted + np.where(increment > 0, increment, 0.0) / (
            1 + monthly_discount_rate
        ) ** ((month * factor) / factor)
        previous = cumulative
    return previous, discounted


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
    _check_horizon(months, monthly_discount_rate)
    factor = _units_per_month(purchases, time_unit)
    if is_frame(summary) and is_lazy(from_native(summary)):
        from crmkit.clv.patterns import predict_frame  # patterns imports this module

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
