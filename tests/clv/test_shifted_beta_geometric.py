"""sBG: Fader & Hardie (2007) published fits, predictions against direct sums, errors."""

from __future__ import annotations

import numpy as np
import pytest

from crmkit.clv import ShiftedBetaGeometric, load_model
from crmkit.errors import FitError, ValidationError

pl = pytest.importorskip("polars")

# Fader & Hardie (2007), "How to project customer retention": survivors, years 0–7
REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241]
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491]


def _records(survivors: list[int]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for t in range(1, len(survivors)):
        rows += [{"periods": t, "churned": True}] * (survivors[t - 1] - survivors[t])
    rows += [{"periods": len(survivors) - 1, "churned": False}] * survivors[-1]
    return rows


@pytest.mark.parametrize(
    ("survivors", "published"),
    [(REGULAR, (0.704, 1.182)), (HIGH_END, (0.668, 3.806))],
    ids=["regular", "high-end"],
)
def test_survivor_counts_give_the_published_estimates(survivors, published):
    model = ShiftedBetaGeometric.fit_survivors(survivors, time_unit="months")
    assert (round(model.gamma, 3), round(model.delta, 3)) == published
    assert model.customers == 1000
    # the fitted curve reproduces the calibration data closely
    assert np.abs(1000 * model.survival(range(8)) - survivors).max() < 20
    assert set(model.standard_errors) == {"gamma", "delta"}
    assert all(0 < v < 1 for v in model.standard_errors.values())


def test_per_customer_records_and_frames_fit_the_same_as_counts():
    counts = ShiftedBetaGeometric.fit_survivors(REGULAR)
    rows = _records(REGULAR)
    for data in (rows, pl.DataFrame(rows), pl.DataFrame(rows).lazy()):
        model = ShiftedBetaGeometric.fit(data)
        assert model.gamma == pytest.approx(counts.gamma, rel=1e-6)
        assert model.delta == pytest.approx(counts.delta, rel=1e-6)
        assert model.log_likelihood == pytest.approx(counts.log_likelihood, rel=1e-9)


def test_log_likelihood_is_the_sum_of_the_customers_log_likelihoods():
    model = ShiftedBetaGeometric.fit_survivors(REGULAR)
    rows = _records(REGULAR)
    each = model.log_likelihood_of([r["periods"] for r in rows], [r["churned"] for r in rows])
    assert float(each.sum()) == pytest.approx(model.log_likelihood, rel=1e-9)


def test_predictions_agree_with_their_definitions():
    m = ShiftedBetaGeometric(gamma=0.704, delta=1.182)
    t = np.arange(1, 40)
    survival = m.survival(t)
    # P(T = t) = S(t − 1) − S(t); r_t = S(t) / S(t − 1)
    assert m.churn_probability(t) == pytest.approx(m.survival(t - 1) - survival, rel=1e-10)
    assert m.retention_rate(t) == pytest.approx(survival / m.survival(t - 1), rel=1e-10)
    # DEL and DERL against their defining sums (10,000 terms: the tail is below 1e-9 at d=0.1)
    d = 0.1
    tt = np.arange(0, 10_000)
    direct_del = float((m.survival(tt) * np.exp(-tt * np.log1p(d))).sum())
    assert m.discounted_expected_lifetime(d) == pytest.approx(direct_del, rel=1e-8)
    for renewals in (0, 3, 10):
        n = renewals + 1
        future = np.arange(n, n + 10_000)
        direct = (
            m.survival(future) / m.survival(n - 1) * np.exp(-(future - n) * np.log1p(d))
        ).sum()
        assert m.discounted_expected_residual_lifetime(d, renewals)[0] == pytest.approx(
            direct, rel=1e-8
        )


def test_retention_rises_over_time_because_of_heterogeneity():
    m = ShiftedBetaGeometric.fit_survivors(REGULAR)
    rates = m.retention_rate(range(1, 13))
    assert np.all(np.diff(rates) > 0)


def test_round_trips_through_json_and_load_model():
    model = ShiftedBetaGeometric.fit_survivors(HIGH_END, time_unit="months")
    again = load_model(model.to_json())
    assert again == model
    assert again.standard_errors == pytest.approx(model.standard_errors)


@pytest.mark.parametrize(
    ("survivors", "message"),
    [
        ([1000], "needs the cohort size and at least one later count"),
        ([1000, 1200], r"survivors\[1\]: 1200.0 must not exceed the count before it"),
        ([1000, -1], r"survivors\[1\]: -1.0 must be a finite number of zero or more"),
        ([0, 0], r"survivors\[0\]: 0.0 must be positive"),
        (["many", 3], "is not a list of numbers"),
    ],
)
def test_bad_survivor_counts_get_a_clear_error(survivors, message):
    with pytest.raises(ValidationError, match=message):
        ShiftedBetaGeometric.fit_survivors(survivors)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([{"periods": 0, "churned": True}], r"data\[0\].periods: 0.0 must be a whole number"),
        ([{"periods": 1.5, "churned": True}], r"data\[0\].periods: 1.5 must be a whole number"),
        ([{"periods": 2, "churned": 3}], r"data\[0\].churned: 3.0 must be true or false"),
        ([{"periods": 2}], r"data\[0\].churned: is missing"),
        ([], "is empty"),
        ({"periods": [1, 2], "churned": [True]}, "has columns of different lengths"),
        ({"periods": [float("nan")], "churned": [True]}, "is not a finite number"),
    ],
)
def test_bad_records_get_a_clear_error(rows, message):
    with pytest.raises(ValidationError, match=message):
        ShiftedBetaGeometric.fit(rows)


def test_bad_prediction_arguments_get_a_clear_error():
    m = ShiftedBetaGeometric(gamma=1.0, delta=1.0)
    with pytest.raises(ValidationError, match=r"t\[1\]: 0.5 must be a whole number of 1"):
        m.churn_probability([1, 0.5])
    with pytest.raises(ValidationError, match="discount_rate: 0 must be a positive number"):
        m.discounted_expected_lifetime(0)
    with pytest.raises(ValidationError, match="renewals"):
        m.discounted_expected_residual_lifetime(0.1, -1)


def test_nobody_churning_cannot_be_fitted():
    with pytest.raises(FitError, match="no customer churned"):
        ShiftedBetaGeometric.fit_survivors([100, 100, 100])
    with pytest.raises(FitError, match="no customer churned"):
        ShiftedBetaGeometric.fit([{"periods": 2, "churned": False}, {"periods": 5, "churned": 0}])


def test_one_period_of_data_cannot_be_fitted():
    # one churn probability cannot give the two parameters of its distribution
    with pytest.raises(FitError, match="first period only"):
        ShiftedBetaGeometric.fit_survivors([100, 60])
    rows = [{"periods": 1, "churned": True}] * 3 + [{"periods": 1, "churned": False}]
    with pytest.raises(FitError, match="first period only"):
        ShiftedBetaGeometric.fit(rows)


def test_one_churn_after_the_first_period_is_enough_to_try():
    rows = [{"periods": 2, "churned": True}] + [{"periods": 4, "churned": False}] * 3
    rows += [{"periods": 1, "churned": True}] * 2
    model = ShiftedBetaGeometric.fit(rows)
    assert 0 < float(model.churn_probability(1)[0]) < 1
