"""MBG/NBD: agreement with lifetimes' ModifiedBetaGeoFitter on CDNOW, numerics, errors."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from lifetimes import ModifiedBetaGeoFitter

from crmkit.clv import BetaGeo, ModifiedBetaGeo, load_model
from crmkit.errors import ValidationError

pl = pytest.importorskip("polars")


@pytest.fixture(scope="module")
def fitted(cdnow: dict[str, Any]) -> ModifiedBetaGeo:
    return ModifiedBetaGeo.fit(cdnow, time_unit="weeks")


@pytest.fixture(scope="module")
def theirs(cdnow: dict[str, Any]) -> Any:
    return ModifiedBetaGeoFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])


def test_estimates_and_standard_errors_match_lifetimes(fitted, theirs, cdnow):
    for name in ("r", "alpha", "a", "b"):
        assert getattr(fitted, name) == pytest.approx(theirs.params_[name], rel=1e-5)
        assert fitted.standard_errors[name] == pytest.approx(
            theirs.standard_errors_[name], rel=1e-3
        )
    # lifetimes reports the mean NLL with time rescaled; the total, in weeks, is the sum below
    assert fitted.log_likelihood == pytest.approx(
        float(fitted.log_likelihood_of(cdnow["frequency"], cdnow["recency"], cdnow["T"]).sum()),
        rel=1e-10,
    )
    assert fitted.customers == 2357


def test_predictions_agree_with_lifetimes(cdnow, theirs):
    x, tx, age = cdnow["frequency"], cdnow["recency"], cdnow["T"]
    mine = ModifiedBetaGeo(**{k: float(v) for k, v in theirs.params_.items()})
    assert mine.probability_alive(x, tx, age) == pytest.approx(
        theirs.conditional_probability_alive(x, tx, age), rel=1e-9
    )
    for t in (1.0, 39.0, 78.0):
        assert mine.conditional_expected_purchases(t, x, tx, age) == pytest.approx(
            theirs.conditional_expected_number_of_purchases_up_to_time(t, x, tx, age), rel=1e-8
        )
    t = np.array([1.0, 10.0, 39.0, 78.0])
    assert mine.expected_purchases(t) == pytest.approx(
        theirs.expected_number_of_purchases_up_to_time(t), rel=1e-9
    )


def test_customers_without_repeats_are_not_all_alive(fitted):
    # BG/NBD says 1.0 for every customer without a repeat purchase; MBG/NBD decays with age
    bg = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426)
    ages = np.array([1.0, 10.0, 40.0])
    assert bg.probability_alive(0, 0, ages).tolist() == [1.0, 1.0, 1.0]
    alive = fitted.probability_alive(0, 0, ages)
    assert np.all(np.diff(alive) < 0)
    assert np.all((alive > 0) & (alive < 1))


def test_records_frames_and_lazy_frames_fit_the_same(cdnow_summary, fitted):
    rows = cdnow_summary[["frequency", "recency", "T"]].to_dict("records")
    for data in (rows, pl.from_pandas(cdnow_summary).lazy()):
        again = ModifiedBetaGeo.fit(data)
        assert again.r == pytest.approx(fitted.r, rel=1e-6)


def test_no_nan_or_overflow_near_a_equal_one_or_for_frequent_customers():
    for a in (1.0, 1.0 + 1e-9, 0.9995, 1.0005):
        m = ModifiedBetaGeo(r=0.5, alpha=6.0, a=a, b=1.6)
        values = m.conditional_expected_purchases(39, [0, 5, 300], [0, 30, 38], 39)
        assert np.all(np.isfinite(values))
        assert np.all(values >= 0)
        assert np.isfinite(m.expected_purchases(1e6)).all()
    # smooth in a across the removable point
    near = [ModifiedBetaGeo(0.5, 6.0, a, 1.6).expected_purchases(39)[0]
            for a in (0.998, 1.0, 1.002)]  # fmt: skip
    assert near[0] > near[1] > near[2]


def test_round_trips_through_json(fitted):
    assert load_model(fitted.to_json()) == fitted


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"frequency": [1], "recency": [5.0], "T": [3.0]}, r"summary\[0\].recency: 5.0 is greater"),
        ({"frequency": [1], "recency": [1.0]}, "summary.T: is missing"),
    ],
)
def test_bad_input_gets_a_clear_error(data, message):
    with pytest.raises(ValidationError, match=message):
        ModifiedBetaGeo.fit(data)
    with pytest.raises(ValidationError, match="penalizer: -1 must be a number of zero or more"):
        ModifiedBetaGeo.fit({"frequency": [1], "recency": [1.0], "T": [3.0]}, penalizer=-1)


def test_lifetime_value_works_with_mbg_nbd(cdnow_summary, fitted):
    from crmkit.clv import GammaGamma, from_pymc_marketing, value_customers

    rows = from_pymc_marketing(cdnow_summary)
    spend = GammaGamma.fit(rows)
    values = value_customers(rows, fitted, spend, months=12)
    assert len(values) == 2357
    assert all(math.isfinite(v.lifetime_value) and v.lifetime_value >= 0 for v in values)
    # a customer with no repeat purchase in 39 weeks: alive with probability below 1
    lapsed = next(v for v, r in zip(values, rows, strict=True) if r.frequency == 0)
    assert 0 < lapsed.probability_alive < 1
