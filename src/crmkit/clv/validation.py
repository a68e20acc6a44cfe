"""Holdout validation of lifetime-value models: predicted against actual, per customer.

Split transactions with :func:`crmkit.clv.calibration_holdout`, fit the models on the
calibration period (the models' ``fit`` reads the calibration columns of that output
directly), then :func:`validate_holdout` compares each customer's predicted purchases — and,
with a spend model, value — in the holdout period with what they actually did: mean absolute
error, root-mean-square error, correlation and totals, and a table by decile of predicted
purchases (the usual "calibration plot").

Examples:
    >>> from crmkit.clv import BetaGeo, CalibrationHoldout, validate_holdout
    >>> rows = [CalibrationHoldout("a", 2, 30.0, 39.0, None, 1, None, 39.0),
    ...         CalibrationHoldout("b", 0, 0.0, 39.0, None, 0, None, 39.0)]
    >>> model = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="weeks")
    >>> report = validate_holdout(rows, model)
    >>> report.customers, round(report.purchases.mae, 3)
    (2, 0.203)
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import attrs

from crmkit.clv.discrete import read_columns
from crmkit.clv.history import calibration_part, read_history
from crmkit.display import ResultRow
from crmkit.errors import ValidationError
from crmkit.extras import require

if TYPE_CHECKING:
    from crmkit.clv.lifetime_value import PurchaseModel, SpendModel

__all__ = ["Accuracy", "Decile", "HoldoutValidation", "calibration_part", "validate_holdout"]


@attrs.frozen
class Accuracy(ResultRow):
    """How close per-customer predictions came to what customers did.

    ``correlation`` is Pearson's, ``nan`` when either side is constant.

    Examples:
        >>> from crmkit.clv import Accuracy
        >>> Accuracy(mae=0.5, rmse=0.7, correlation=0.6, predicted_total=10.0,
        ...          actual_total=12.0).bias
        -2.0
    """

    mae: float
    rmse: float
    correlation: float
    predicted_total: float
    actual_total: float

    @property
    def bias(self) -> float:
        """Predicted minus actual total (negative: the model under-predicts).

        Examples:
            >>> from crmkit.clv import Accuracy
            >>> Accuracy(0.0, 0.0, 1.0, 3.0, 2.5).bias
            0.5
        """
        return self.predicted_total - self.actual_total


@attrs.frozen
class Decile(ResultRow):
    """One group of customers ranked by predicted purchases (group 1 the highest).

    Means per customer of the group; the values are ``None`` without a spend model.

    Examples:
        >>> from crmkit.clv import Decile
        >>> Decile(1, 10, 2.5, 2.1, None, None).customers
        10
    """

    group: int
    customers: int
    predicted_purchases: float
    actual_purchases: float
    predicted_value: float | None
    actual_value: float | None


@attrs.frozen
class HoldoutValidation:
    """The result of :func:`validate_holdout`.

    Examples:
        >>> from crmkit.clv import BetaGeo, CalibrationHoldout, validate_holdout
        >>> rows = [CalibrationHoldout("a", 1, 5.0, 9.0, None, 2, None, 9.0)]
        >>> model = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> validate_holdout(rows, model).to_rows()[0]["actual_purchases"]
        2.0
    """

    customers: int
    purchases: Accuracy
    value: Accuracy | None
    deciles: tuple[Decile, ...]

    def to_rows(self) -> list[dict[str, Any]]:
        """The decile table as a list of dicts (for a frame or a report).

        Examples:
            >>> from crmkit.clv import BetaGeo, CalibrationHoldout, validate_holdout
            >>> rows = [CalibrationHoldout("a", 1, 5.0, 9.0, None, 2, None, 9.0)]
            >>> model = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426)
            >>> sorted(validate_holdout(rows, model).to_rows()[0])[:3]
            ['actual_purchases', 'actual_value', 'customers']
        """
        return [attrs.asdict(d) for d in self.deciles]


def validate_holdout(
    data: Any,
    purchases: PurchaseModel,
    spend: SpendModel | None = None,
    *,
    groups: int = 10,
) -> HoldoutValidation:
    """Compare a model's holdout-period predictions with what each customer did.

    Args:
        data: :func:`~crmkit.clv.calibration_holdout` output — records or a frame with
            ``frequency_cal``, ``recency_cal``, ``T_cal``, ``frequency_holdout`` and
            ``duration_holdout`` (and ``monetary_value_cal``, ``monetary_value_holdout``
            for value).
        purchases: a fitted purchase model (:class:`~crmkit.clv.BetaGeo`,
            :class:`~crmkit.clv.ParetoNBD`, :class:`~crmkit.clv.ModifiedBetaGeo`) in the
            summary's time unit.
        spend: a spend model (:class:`~crmkit.clv.GammaGamma`); with it, predicted value
            (predicted purchases × expected order value) is compared with actual holdout
            value (holdout purchases × their mean value).
        groups: how many groups of customers, ranked by predicted purchases (10: deciles).

    Raises:
        ValidationError: missing columns, bad histories, ``groups`` not a positive whole
            number, a spend model without value columns.

    Examples:
        >>> from crmkit.clv import BetaGeo, validate_holdout
        >>> model = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> validate_holdout([{"frequency_cal": 1}], model)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: holdout[0].recency_cal: is missing
    """
    np = require("numpy", "stats")
    if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1:
        raise ValidationError.single("groups", groups, "must be a whole number of 1 or more")
    names = ["frequency_cal", "recency_cal", "T_cal", "frequency_holdout", "duration_holdout"]
    if spend is not None:
        names += ["monetary_value_cal", "monetary_value_holdout"]
    columns = read_columns(data, names, what="holdout")
    history = read_history(
        {k: columns[f"{k}_cal"] for k in ("frequency", "recency", "T")}
        | ({"monetary_value": columns["monetary_value_cal"]} if spend is not None else {}),
        monetary=spend is not None,
        what="holdout",
    )
    actual = columns["frequency_holdout"]
    if bool(np.any((actual < 0) | (actual != np.floor(actual)))) or bool(
        np.any(columns["duration_holdout"] <= 0)
    ):
        raise ValidationError.single(
            "holdout", message="has a negative or fractional frequency_holdout or a "
            "duration_holdout that is not positive",
        )  # fmt: skip
    predicted = np.asarray(
        purchases.conditional_expected_purchases(
            columns["duration_holdout"], history.frequency, history.recency, history.T
        ),
        dtype=float,
    )
    value_pred = value_actual = None
    value = None
    if spend is not None and history.monetary_value is not None:
        order = np.asarray(
            spend.expected_order_value(history.frequency, history.monetary_value), dtype=float
        )
        value_pred = predicted * order
        value_actual = actual * columns["monetary_value_holdout"]
        value = _accuracy(np, value_pred, value_actual)
    ranked = np.argsort(-predicted, kind="stable")
    deciles = []
    for i, chunk in enumerate(np.array_split(ranked, min(groups, ranked.shape[0]))):
        deciles.append(
            Decile(
                i + 1,
                int(chunk.shape[0]),
                float(predicted[chunk].mean()),
                float(actual[chunk].mean()),
                None if value_pred is None else float(value_pred[chunk].mean()),
                None if value_actual is None else float(value_actual[chunk].mean()),
            )
        )
    return HoldoutValidation(
        customers=int(predicted.shape[0]),
        purchases=_accuracy(np, predicted, actual),
        value=value,
        deciles=tuple(deciles),
    )


def _accuracy(np: Any, predicted: Any, actual: Any) -> Accuracy:
    error = predicted - actual
    correlation = math.nan
    if predicted.shape[0] > 1 and float(predicted.std()) > 0 and float(actual.std()) > 0:
        correlation = float(np.corrcoef(predicted, actual)[0, 1])
    return Accuracy(
        mae=float(np.abs(error).mean()),
        rmse=float(np.sqrt((error**2).mean())),
        correlation=correlation,
        predicted_total=float(predicted.sum()),
        actual_total=float(actual.sum()),
    )
