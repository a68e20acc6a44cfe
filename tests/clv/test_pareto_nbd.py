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


@pytest.mark.parametrize(
    "log_params",
    [
        [-0.6, -1.3, -0.5, -1.2],  # near the CDNOW optimum (time scaled to max T = 1): α < β
        [0.5, 1.0, -0.3, -1.0],  # α > β
        [0.0, 3.0, 0.0, -3.0],  # α ≫ β: |α − β| / (α + t) > 0.9, SciPy's hyp2f1 takes over
        [-3.0, -4.0, 1.0, 2.0],  # tiny r
    ],
)
def test_the_exact_gradient_matches_differences_of_the_likelihood(cdnow, log_params):
    from crmkit.clv.history import read_history
    from crmkit.clv.pareto_nbd import _objective

    history = read_history(cdnow, deduplicate=True)
    objective = _objective(history, float(history.T.max()), 0.0)
    theta = np.array(log_params)
    value, grad = objective(theta)
    # the value is lifetimes' log-likelihood (mean, negated)
    params = np.exp(theta) * [1, history.T.max(), 1, history.T.max()]
    theirs = ParetoNBDFitter._conditional_log_likelihood(
        tuple(params), cdnow["frequency"], cdnow["recency"], cdnow["T"]
    )
    shift = np.log(history.T.max()) * float(history.weights @ history.frequency)
    assert -value * history.customers - shift == pytest.approx(float(theirs.sum()), rel=1e-10)
    step = 1e-6
    numeric = [
        (objective(theta + step * e)[0] - objective(theta - step * e)[0]) / (2 * step)
        for e in np.eye(4)
    ]
    np.testing.assert_allclose(grad, numeric, atol=3e-8)


@pytest.mark.parametrize(
    ("log_params", "atol"),
    [
        ([-0.6, -1.3, -0.5, -1.2], 1e-8),  # near the CDNOW optimum: α < β
        ([0.5, 1.0, -0.3, -1.0], 1e-8),  # α > β
        ([0.0, 3.0, 0.0, -3.0], 1e-3),  # z > 0.9: SciPy's hyp2f1 and its differences
        ([-1.0, -1.0, 0.0, -1.0], 1e-8),  # α = β: z = 0
    ],
)
def test_the_exact_hessian_matches_differences_of_the_gradient(cdnow, log_params, atol):
    from crmkit.clv.history import read_history
    from crmkit.clv.pareto_nbd import _likelihood

    history = read_history(cdnow, deduplicate=True)
    objective, curvature = _likelihood(history, float(history.T.max()), 0.1)
    theta = np.array(log_params)
    value, grad, hess = curvature(theta)
    assert (value, grad.tolist()) == (objective(theta)[0], objective(theta)[1].tolist())
    np.testing.assert_array_equal(hess, hess.T)
    step = 1e-5
    numeric = np.array(
        [(objective(theta + step * e)[1] - objective(theta - step * e)[1]) / (2 * step)
         for e in np.eye(4)]
    )  # fmt: skip
    np.testing.assert_allclose(hess, numeric, atol=atol)


def test_the_fit_is_a_maximum_whatever_the_start(cdnow, fitted):
    other = ParetoNBD.fit(cdnow, initial_params={"r": 2.0, "alpha": 3.0, "s": 0.1, "beta": 50.0})
    for name in ("r", "alpha", "s", "beta"):
        assert getattr(other, name) == pytest.approx(getattr(fitted, name), rel=1e-4)
    x, tx, age = cdnow["frequency"], cdnow["recency"], cdnow["T"]
    best = float(fitted.log_likelihood_of(x, tx, age).sum())
    assert best == pytest.approx(fitted.log_likelihood, rel=1e-10)
    import attrs

    for name in ("r", "alpha", "s", "beta"):
        for factor in (0.99, 1.01):
            moved = attrs.evolve(fitted, **{name: getattr(fitted, name) * factor})
            assert float(moved.log_likelihood_of(x, tx, age).sum()) < best


def test_a_fit_started_from_a_sub_sample_reaches_the_same_optimum(monkeypatch):
    from crmkit.clv import BetaGeo, estimation, simulate_beta_geo

    rng = np.random.default_rng(5)
    data = simulate_beta_geo(
        BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426), rng.uniform(1.0, 78.0, 4000), seed=6
    )
    direct = ParetoNBD.fit(data)
    monkeypatch.setattr(estimation, "SAMPLE_ABOVE", 2000)
    monkeypatch.setattr(estimation, "SAMPLE_SIZE", 1000)
    assert estimation.pattern_sample(np, 4000) is not None  # the sub-sample path runs
    sampled = ParetoNBD.fit(data)
    for name in ("r", "alpha", "s", "beta"):
        assert getattr(sampled, name) == pytest.approx(getattr(direct, name), rel=1e-4)
        assert sampled.standard_errors[name] == pytest.approx(
            direct.standard_errors[name], rel=1e-3
        )
    assert sampled.log_likelihood == pytest.approx(direct.log_likelihood, abs=1e-6)


@pytest.mark.parametrize("rows", [50, 200_000])  # all rows at once / blocks per frequency
def test_the_series_by_frequency_matches_scipy(rows):
    import scipy.special as sp

    from crmkit.clv._pareto_series import series_by_group

    rng = np.random.default_rng(5)
    b = 10 ** rng.uniform(-1.5, 2.0, 12)
    c = b + 10 ** rng.uniform(-1.0, 1.5, 12)
    sizes = rng.multinomial(rows - 12, np.full(12, 1 / 12)) + 1
    starts = np.concatenate([[0], np.cumsum(sizes)])
    z = rng.uniform(0.0, 0.9, rows)
    z[::7] = 0.0
    expected = sp.hyp2f1(1.0, np.repeat(b, sizes), np.repeat(c, sizes), z)
    values = [series_by_group(np, b, c, z, starts, order) for order in (0, 1, 2)]
    for got in values:
        np.testing.assert_allclose(got[0], expected, rtol=1e-13)
    # the value and gradient are the same with or without the second derivatives
    np.testing.assert_array_equal(values[1], values[2][:4])


@pytest.mark.parametrize("smallest_b", [0.05, 1e-4])  # re-expanded per bin / direct series
def test_the_series_by_bin_of_z_matches_scipy(smallest_b):
    import scipy.special as sp

    from crmkit.clv._pareto_series import values_by_level

    rng = np.random.default_rng(7)
    b = np.concatenate([[smallest_b], 10 ** rng.uniform(-1.0, 2.0, 11)])
    c = b + 10 ** rng.uniform(-1.0, 1.5, 12)
    group = rng.integers(0, 12, 5_000)
    z = rng.uniform(0.0, 0.9, 5_000)
    z[:4] = [0.0, 0.9, 0.45, 0.05625]  # the ends and a bin's edge
    expected = sp.hyp2f1(1.0, b[group], c[group], z)
    np.testing.assert_allclose(values_by_level(np, b, c, group, z), expected, rtol=1e-13)


def test_predictions_for_both_orders_of_alpha_and_beta_match_mpmath():
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 40
    x = np.array([0.0, 0.0, 1.0, 4.0, 30.0, 7.0])
    tx = np.array([0.0, 0.0, 5.0, 20.0, 38.0, 38.86])
    age = np.array([38.86, 2.0, 38.86, 38.86, 38.86, 38.86])
    for r, alpha, s, beta in [(0.55, 10.6, 0.61, 11.7), (0.55, 11.7, 0.61, 10.6)]:
        model = ParetoNBD(r=r, alpha=alpha, s=s, beta=beta)
        alive = model.probability_alive(x, tx, age)
        expected = model.conditional_expected_purchases(10.0, x, tx, age)
        for i in range(x.shape[0]):
            r_, a_, s_, b_ = (mpmath.mpf(v) for v in (r, alpha, s, beta))
            xi, ti, Ti = (mpmath.mpf(float(v)) for v in (x[i], tx[i], age[i]))
            big, small = max(a_, b_), min(a_, b_)
            second = s_ + 1 if a_ >= b_ else r_ + xi

            a = r_ + s_ + xi
            a0_terms = [
                mpmath.hyp2f1(a, second, a + 1, (big - small) / (big + t)) / (big + t) ** a
                for t in (ti, Ti)
            ]
            a0 = a0_terms[0] - a0_terms[1]
            odds = s_ / (r_ + s_ + xi) * a0 * (a_ + Ti) ** (r_ + xi) * (b_ + Ti) ** s_
            p = 1 / (1 + odds)
            assert float(alive[i]) == pytest.approx(float(p), rel=1e-12)
            rate = (r_ + xi) / (a_ + Ti) * (b_ + Ti) / (s_ - 1)
            purchases = p * rate * (1 - ((b_ + Ti) / (b_ + Ti + 10)) ** (s_ - 1))
            assert float(expected[i]) == pytest.approx(float(purchases), rel=1e-12)


def test_predictions_for_fractional_and_unsorted_frequencies_agree_with_lifetimes():
    import pandas as pd

    params = {"r": 0.55, "alpha": 10.6, "s": 0.61, "beta": 11.7}
    model = ParetoNBD(**params)
    theirs = ParetoNBDFitter()
    theirs.params_ = pd.Series(params)
    x = np.array([3.0, 0.5, 0.0, 3.0, 2.5, 0.0])
    tx = np.array([20.0, 10.0, 0.0, 38.0, 38.86, 0.0])
    age = np.full(6, 38.86)
    np.testing.assert_allclose(
        model.probability_alive(x, tx, age), theirs.conditional_probability_alive(x, tx, age),
        rtol=1e-9,
    )  # fmt: skip


def test_the_series_in_groups_matches_scipy():
    import scipy.special as sp

    from crmkit.clv._pareto_series import GROUP_TERMS, values_in_groups

    rng = np.random.default_rng(11)
    b = np.concatenate([[0.05], 10 ** rng.uniform(-1.0, 2.0, 11)])
    c = b + 10 ** rng.uniform(-1.0, 1.5, 12)
    sizes = rng.multinomial(5_000, np.full(12, 1 / 12))
    sizes[3] = 0  # a frequency without customers
    starts = np.concatenate([[0], np.cumsum(sizes)])
    z = rng.uniform(0.12, 0.56, starts[-1])
    z[:2] = [0.12, 0.56]
    expected = sp.hyp2f1(1.0, np.repeat(b, sizes), np.repeat(c, sizes), z)
    np.testing.assert_allclose(values_in_groups(np, b, c, starts, z), expected, rtol=1e-13)
    # a range that needs more than GROUP_TERMS terms is left to the bins of z
    assert GROUP_TERMS < 100
    assert values_in_groups(np, b, c, starts, rng.uniform(0.0, 0.9, starts[-1])) is None


@pytest.mark.parametrize(
    ("params", "share_without_repeats"),
    [
        ((0.5, 10.0, 0.76, 22.8), 0.6),  # α < β, most customers without repeat purchases
        ((0.5, 22.8, 0.76, 10.0), 0.6),  # α > β
        ((0.5, 10.0, 0.76, 22.8), 0.1),  # few customers without repeat purchases
        ((0.5, 200.0, 0.76, 2.0), 0.6),  # z above 0.9: SciPy and the continued fraction
        ((0.5, 10.0, 0.76, 10.5), 0.6),  # a narrow range of z
    ],
)
def test_the_prediction_series_match_the_series_by_bin(params, share_without_repeats):
    from crmkit.clv.estimation import special_functions
    from crmkit.clv.pareto_nbd import _alive_series, _hyp2f1_by_frequency

    np_, sp = special_functions()
    rng = np.random.default_rng(3)
    n = 20_000
    age = rng.uniform(0.0, 78.0, n)
    x = np.where(rng.uniform(size=n) < share_without_repeats, 0.0, rng.integers(1, 40, n))
    tx = np.where(x > 0, age * rng.uniform(size=n), 0.0)
    tx[:50] = age[:50]  # recency == T
    tx[50:60] = rng.uniform(0.0, 5.0, 10)  # frequency 0 with a recency
    x[50:60] = 0.0
    r, alpha, s, beta = params
    big, gap = max(alpha, beta), abs(alpha - beta)
    f_age, f_tx = _alive_series(np_, sp, params, x, tx, age)
    np.testing.assert_allclose(
        f_age, _hyp2f1_by_frequency(np_, sp, params, x, gap / (big + age)), rtol=1e-13
    )
    np.testing.assert_allclose(
        f_tx, _hyp2f1_by_frequency(np_, sp, params, x, gap / (big + tx)), rtol=1e-13
    )
    model = ParetoNBD(r=r, alpha=alpha, s=s, beta=beta)
    order = rng.permutation(n)  # the rows' order does not matter
    alive = model.probability_alive(x, tx, age)
    np.testing.assert_array_equal(
        model.probability_alive(x[order], tx[order], age[order]), alive[order]
    )
