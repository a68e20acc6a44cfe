"""Holdout validation: CDNOW calibration/holdout, fits on calibration_holdout output, errors."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import numpy as np
import pytest

from crmkit.clv import (
    BetaGeo,
    CalibrationHoldout,
    GammaGamma,
    ModifiedBetaGeo,
    ParetoNBD,
    calibration_holdout,
    calibration_part,
    validate_holdout,
)
from crmkit.errors import ValidationError

pl = pytest.importorskip("polars")

OPTIONS: dict[str, Any] = {
    "customer": "customer_id",
    "date_field": "date",
    "amount": "value",
    "time_unit": "weeks",
    "calibration_end": date(1997, 9, 30),
    "as_of": date(1998, 6, 30),
}


@pytest.fixture(scope="module")
def split(cdnow_transactions: Any) -> list[CalibrationHoldout]:
    records = [
        {"customer_id": int(c), "date": d.date(), "value": float(v)}
        for c, d, v in zip(
            cdnow_transactions["customer_id"], cdnow_transactions["date"],
            cdnow_transactions["value"], strict=True,
        )
    ]  # fmt: skip
    return calibration_holdout(records, **OPTIONS)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def split_frame(cdnow_transactions: Any) -> Any:
    return calibration_holdout(pl.from_pandas(cdnow_transactions).lazy(), **OPTIONS)


def test_models_fit_calibration_holdout_output_directly(split, split_frame):
    summaries = calibration_part(split)
    assert summaries[0].frequency == split[0].frequency_cal
    assert split[0].T_cal == summaries[0].T
    for model in (BetaGeo, ParetoNBD, ModifiedBetaGeo):
        direct = model.fit(split)
        assert direct == model.fit(summaries)
        assert model.fit(split_frame).r == pytest.approx(direct.r, rel=1e-6)
    spend = GammaGamma.fit([s for s in summaries if s.frequency > 0])
    assert GammaGamma.fit([r for r in split if r.frequency_cal > 0]) == spend


def test_metrics_are_the_per_customer_comparison(split):
    model = BetaGeo.fit(split, time_unit="weeks")
    spend = GammaGamma.fit([r for r in split if r.frequency_cal > 0])
    report = validate_holdout(split, model, spend)
    x = np.array([r.frequency_cal for r in split], dtype=float)
    tx = np.array([r.recency_cal for r in split])
    age = np.array([r.T_cal for r in split])
    actual = np.array([r.frequency_holdout for r in split], dtype=float)
    predicted = model.conditional_expected_purchases(split[0].duration_holdout, x, tx, age)
    assert report.customers == len(split) == 2357
    assert report.purchases.mae == pytest.approx(np.abs(predicted - actual).mean(), rel=1e-12)
    assert report.purchases.rmse == pytest.approx(
        math.sqrt(((predicted - actual) ** 2).mean()), rel=1e-12
    )
    assert report.purchases.correlation == pytest.approx(
        np.corrcoef(predicted, actual)[0, 1], rel=1e-12
    )
    assert report.purchases.actual_total == actual.sum()
    # BG/NBD tracks CDNOW's holdout closely: totals within 10 %, a clear positive correlation
    assert abs(report.purchases.bias) < 0.1 * report.purchases.actual_total
    assert report.purchases.correlation > 0.5
    # ten groups of (almost) equal size, ranked by predicted purchases
    assert [d.group for d in report.deciles] == list(range(1, 11))
    assert sum(d.customers for d in report.deciles) == 2357
    means = [d.predicted_purchases for d in report.deciles]
    assert means == sorted(means, reverse=True)
    assert report.deciles[0].actual_purchases > report.deciles[-1].actual_purchases
    # value: predicted purchases × expected order value against holdout purchases × mean value
    assert report.value is not None
    order = spend.expected_order_value(x, np.array([r.monetary_value_cal for r in split]))
    value_actual = actual * np.array([r.monetary_value_holdout for r in split])
    assert report.value.predicted_total == pytest.approx(float((predicted * order).sum()))
    assert report.value.actual_total == pytest.approx(float(value_actual.sum()))
    assert report.to_rows()[0]["predicted_value"] == report.deciles[0].predicted_value


def test_frames_and_records_validate_the_same(split, split_frame):
    model = BetaGeo.fit(split)
    by_records = validate_holdout(split, model)
    by_frame = validate_holdout(split_frame, model)
    assert by_frame.purchases.mae == pytest.approx(by_records.purchases.mae, rel=1e-12)
    assert by_frame.purchases.actual_total == by_records.purchases.actual_total
    assert by_records.value is None
    assert by_records.deciles[0].predicted_value is None


def test_fewer_customers_than_groups_and_constant_predictions():
    rows = [CalibrationHoldout("a", 0, 0.0, 10.0, None, 1, None, 5.0),
            CalibrationHoldout("b", 0, 0.0, 10.0, None, 0, None, 5.0)]  # fmt: skip
    report = validate_holdout(rows, BetaGeo(r=1.0, alpha=2.0, a=1.0, b=2.0))
    assert len(report.deciles) == 2
    assert math.isnan(report.purchases.correlation)  # identical histories: no spread


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"groups": 0}, "groups: 0 must be a whole number of 1 or more"),
        ({"spend": GammaGamma(p=6.25, q=3.74, v=15.44)},
         r"holdout\[0\].monetary_value_cal: is missing"),
    ],
)  # fmt: skip
def test_bad_arguments_get_a_clear_error(kwargs, message):
    rows = [{"frequency_cal": 1, "recency_cal": 2.0, "T_cal": 5.0, "frequency_holdout": 1,
             "duration_holdout": 4.0}]  # fmt: skip
    with pytest.raises(ValidationError, match=message):
        validate_holdout(rows, BetaGeo(r=1.0, alpha=2.0, a=1.0, b=2.0), **kwargs)


def test_bad_holdout_columns_get_a_clear_error():
    model = BetaGeo(r=1.0, alpha=2.0, a=1.0, b=2.0)
    bad = {"frequency_cal": [1], "recency_cal": [7.0], "T_cal": [5.0],
           "frequency_holdout": [1], "duration_holdout": [4.0]}  # fmt: skip
    with pytest.raises(ValidationError, match=r"holdout\[0\].recency: 7.0 is greater than T"):
        validate_holdout(bad, model)
    with pytest.raises(ValidationError, match="frequency_holdout"):
        validate_holdout({**bad, "recency_cal": [2.0], "frequency_holdout": [-1]}, model)
