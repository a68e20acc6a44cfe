"""Pareto/NBD: CDNOW estimates match lifetimes; predictions agree; no overflow."""

from __future__ import annotations

import numpy as np
import pytest
from lifetimes import ParetoNBDFitter

from crmkit.clv import ParetoNBD


@pytest.fixture(scope="module")
def fitted(cdnow):
    return ParetoNBD.fit(cdnow, time_unit="weeks")


def test_cdnow_matches_lifetimes_and_the_published_estimates(fitted):
    # lifetimes 0.11.3 (Nelder-Mead, tol 1e-4) on CDNOW: r 0.5533, α 10.5777, s 0.6062,
    # β 11.6665; Fader & Hardie (2005 note 009): 0.55, 10.58, 0.61, 11.67, LL −9595.0
    lifetimes_estimates = {"r": 0.5533, "alpha": 10.5777, "s": 0.6062, "beta": 11.6665}
    for name, value in lifetimes_estimates.items():
        assert getattr(fitted, name) == pytest.approx(value, rel=2e-3)
    assert fitted.log_likelihood == pytest.approx(-9595.0, abs=0.05)


def test_predictions_agree_with_lifetimes_to_1e_6(cdnow, fitted):
    theirs = ParetoNBDFitter()
    import pandas as pd

    theirs.params_ = pd.Series(
        {"r": fitted.r, "alpha": fitted.alpha, "s": fitted.s, "beta": fitted.beta}
    )
    x, tx, age = cdnow["frequency"], cdnow["recency"], cdnow["T"]
    np.testing.assert_allclose(
        fitted.probability_alive(x, tx, age), theirs.conditional_probability_alive(x, tx, age),
        rtol=1e-6,
    )  # fmt: skip
    for t in (1.0, 39.0, 52.0):
        np.testing.assert_allclose(
            fitted.conditional_expected_purchases(t, x, tx, age),
            theirs.conditional_expected_number_of_purchases_up_to_time(t, x, tx, age),
            rtol=1e-6,
        )
        np.testing.assert_allclose(
            fitted.expected_purchases(t), theirs.expected_number_of_purchases_up_to_time(t),
            rtol=1e-6,
        )  # fmt: skip
    np.testing.assert_allclose(
        fitted.log_likelihood_of(x, tx, age),
        ParetoNBDFitter._conditional_log_likelihood(
            (fitted.r, fitted.alpha, fitted.s, fitted.beta), x, tx, age
        ),
        rtol=1e-8,
    )


def test_no_floating_point_errors_for_very_frequent_customers():
    model = ParetoNBD(r=0.5533, alpha=10.5777, s=0.6062, beta=1.0)
    x = np.array([300.0, 2000.0, 10_000.0, 50.0])
    tx = np.array([30.0, 38.0, 20.0, 38.8])
    age = np.full(4, 38.86)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        alive = model.probability_alive(x, tx, age)
        expected = model.conditional_expected_purchases(10.0, x, tx, age)
        ll = model.log_likelihood_of(x, tx, age)
    assert np.all(np.isfinite(alive))
    assert np.all(np.isfinite(expected))
    assert np.all(np.isfinite(ll))
    assert alive[3] > 0.99
    assert alive[2] < 1e-12
    # lifetimes gets the same numbers here, but only through overflow warnings (exp → inf)
    import pandas as pd

    theirs = ParetoNBDFitter()
    theirs.params_ = pd.Series({"r": 0.5533, "alpha": 10.5777, "s": 0.6062, "beta": 1.0})
    with np.errstate(all="ignore"):
        np.testing.assert_allclose(alive, theirs.conditional_probability_alive(x, tx, age),
                                   rtol=1e-6)  # fmt: skip
