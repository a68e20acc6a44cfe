"""The horizon of lifetime value: expected purchases over the next months, discounted.

What a purchase model and a spend model must offer (:class:`PurchaseModel`,
:class:`SpendModel`), the purchases they predict over a horizon and the discounted value of a
customer (:func:`customer_lifetime_value`). :mod:`crmkit.clv.lifetime_value` builds its per-
customer rows from these, and :func:`crmkit.clv.predict_frame` computes them once per purchase
pattern.

Examples:
    >>> from crmkit.clv import BetaGeo
    >>> from crmkit.clv.horizon import horizon_purchases
    >>> model = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="weeks")
    >>> round(float(horizon_purchases(model, [2], [30.43], [38.86], months=12)[0][0]), 4)
    1.5622
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from crmkit.errors import ValidationError
from crmkit.extras import require

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

__all__ = [
    "UNITS_PER_MONTH",
    "PurchaseModel",
    "SpendModel",
    "check_horizon",
    "customer_lifetime_value",
    "horizon_purchases",
    "units_per_month",
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


def units_per_month(purchases: PurchaseModel, time_unit: str | None) -> float:
    """Model time units in a month: ``time_unit``, or else the model's own.

    Examples:
        >>> from crmkit.clv import BetaGeo
        >>> from crmkit.clv.horizon import units_per_month
        >>> units_per_month(BetaGeo(r=1.0, alpha=1.0, a=1.0, b=1.0, time_unit="weeks"), None)
        4.345
    """
    unit = time_unit or getattr(purchases, "time_unit", None)
    if unit not in UNITS_PER_MONTH:
        raise ValidationError.single(
            "time_unit",
            unit,
            "is needed to count months: pass time_unit='days'|'weeks'|'months' or fit the model "
            "with time_unit",
        )
    return UNITS_PER_MONTH[unit]


def check_horizon(months: int, rate: float) -> None:
    """Refuse a horizon that is not a whole number of months ≥ 1 or a rate of −1 or less.

    Examples:
        >>> from crmkit.clv.horizon import check_horizon
        >>> check_horizon(0, 0.01)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: months: 0 must be a whole number of 1 or more
    """
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
        >>> from crmkit.clv.horizon import horizon_purchases
        >>> model = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="weeks")
        >>> expected, discounted = horizon_purchases(model, [2], [30.43], [38.86], months=12)
        >>> round(float(expected[0]), 4), round(float(discounted[0]), 4)
        (1.5622, 1.4714)
    """
    np = require("numpy", "stats")
    check_horizon(months, monthly_discount_rate)
    factor = units_per_month(purchases, time_unit)
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
