"""Lifetime-value models at the edges of their parameter space (issue #20).

Each test compares with an independent reference: lifetimes where it is defined, otherwise
mpmath evaluating the model's defining integral or limit in arbitrary precision.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.clv import (
    BetaGeo,
    GammaGamma,
    ParetoNBD,
    customer_lifetime_value,
    simulate_beta_geo,
)
from crmkit.errors import CrmkitWarning

mpmath = pytest.importorskip("mpmath")
lifetimes = pytest.importorskip("lifetimes")


# ---------------------------------------------------------------- Gamma-Gamma, q ≤ 1

positive = st.floats(0.05, 50.0)


@settings(max_examples=200, deadline=None)
@given(p=positive, q=st.floats(0.01, 5.0), v=positive, x=st.integers(0, 30),
       m=st.floats(0.01, 1e4))  # fmt: skip
def test_gamma_gamma_order_value_is_never_a_finite_negative(p, q, v, x, m):
    model = GammaGamma(p=p, q=q, v=v)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = float(model.expected_order_value(x, m)[0])
    if p * x + q > 1:
        # where the conditional mean exists it is the exact posterior mean (40 digits) ...
        with mpmath.workdps(40):
            pp, qq, vv, mm = (mpmath.mpf(t) for t in (p, q, v, m))
            exact = float(pp * (vv + x * mm) / (pp * x + qq - 1))
        assert value > 0
        assert value == pytest.approx(exact, rel=1e-12)
        # ... and lifetimes' value where lifetimes' own formula is defined and stable
        if abs(q - 1) > 1e-2:
            theirs = lifetimes.GammaGammaFitter()
            theirs.params_ = {"p": p, "q": q, "v": v}
            expected = float(np.asarray(theirs.conditional_expected_average_profit(x, m)))
            assert value == pytest.approx(expected, rel=1e-9)
        assert not caught
    else:
        assert value == math.inf
        assert any(w.category is CrmkitWarning for w in caught)


def test_gamma_gamma_heavy_tail_gives_infinite_not_negative_clv():
    purchases = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="weeks")
    spend = GammaGamma(p=0.4, q=0.5, v=10.0)  # p·x + q ≤ 1 for x ≤ 1
    with pytest.warns(CrmkitWarning, match="does not exist"):
        order = spend.expected_order_value([0, 1, 2, 5], [0.0, 20.0, 20.0, 20.0])
    assert order[:2].tolist() == [math.inf, math.inf]
    assert np.all(order[2:] > 0)
    assert np.all(np.isfinite(order[2:]))
    with pytest.warns(CrmkitWarning):
        clv = customer_lifetime_value(
            purchases, spend, [0, 1, 2, 5], [0, 10.0, 20.0, 30.0], [38.0] * 4,
            [0.0, 20.0, 20.0, 20.0],
        )  # fmt: skip
    assert clv[:2].tolist() == [math.inf, math.inf]
    assert np.all(np.isfinite(clv[2:]))
    assert np.all(clv[2:] > 0)
    assert not np.any(np.isnan(clv))


def test_gamma_gamma_at_q_equal_one_for_repeat_customers_is_finite():
    # q = 1 used to divide by zero even where p·x + q > 1 (the mean exists)
    spend = GammaGamma(p=2.0, q=1.0, v=10.0)
    value = spend.expected_order_value([3], [30.0])
    assert value[0] == pytest.approx(2.0 * (10.0 + 90.0) / 6.0)


# ---------------------------------------------------------------- removable 0/0: a = 1, s = 1


def _bg_expected_reference(r, alpha, a, b, t):
    """FHL eq. 9 in 60 digits at a = 1 + 1e-40 (the limit, to far below double precision)."""
    with mpmath.workdps(80):
        a = mpmath.mpf(a) if a != 1 else 1 + mpmath.mpf("1e-40")
        z = mpmath.mpf(t) / (alpha + t)
        return float((a + b - 1) / (a - 1) * (1 - mpmath.hyp2f1(r, b, a + b - 1, z) * (1 - z) ** r))


def _bg_conditional_reference(r, alpha, a, b, t, x, tx, big_t):
    with mpmath.workdps(80):
        a = mpmath.mpf(a) if a != 1 else 1 + mpmath.mpf("1e-40")
        z = mpmath.mpf(t) / (alpha + big_t + t)
        hyp = mpmath.hyp2f1(r + x, b + x, a + b + x - 1, z) * (1 - z) ** (r + x)
        numerator = (a + b + x - 1) / (a - 1) * (1 - hyp)
        odds = a / (b + x - 1) * ((alpha + big_t) / (alpha + tx)) ** (r + x) if x > 0 else 0
        return float(numerator / (1 + odds))


@pytest.mark.parametrize("a", [1.0, 1 + 1e-12, 1 - 1e-9, 1 + 4e-4, 1 - 2.5e-3, 0.7, 1.6])
def test_beta_geo_predictions_at_and_near_a_equal_one(a):
    model = BetaGeo(r=0.5, alpha=5.0, a=a, b=2.0)
    for t in (1.0, 10.0, 300.0):
        got = float(model.expected_purchases(t)[0])
        assert got == pytest.approx(_bg_expected_reference(0.5, 5.0, a, 2.0, t), rel=1e-10)
    for x, tx in ((0, 0.0), (2, 5.0), (40, 19.0)):
        got = float(model.conditional_expected_purchases(10.0, x, tx, 20.0)[0])
        ref = _bg_conditional_reference(0.5, 5.0, a, 2.0, 10.0, x, tx, 20.0)
        assert got == pytest.approx(ref, rel=1e-9)


def test_beta_geo_predictions_are_continuous_through_a_equal_one():
    grid = 1.0 + np.linspace(-4e-3, 4e-3, 81)
    values = [float(BetaGeo(r=0.3, alpha=2.0, a=a, b=1.5).expected_purchases(52.0)[0])
              for a in grid]  # fmt: skip
    steps = np.diff(values)
    # smooth and monotone in a (more dropout, fewer purchases): no jump at the seams ±1e-3
    assert np.all(steps < 0)
    assert np.max(np.abs(np.diff(steps))) < 1e-6 * abs(values[0])


def _pareto_reference(r, alpha, s, beta, x, tx, big_t, t=None):
    """Pareto/NBD log-likelihood, P(alive) and E[Y(t) | history] from the defining integral
    ``L = Γ(r+x)/Γ(r) α^r β^s [(α+T)^−(r+x) (β+T)^−s + s ∫ (α+τ)^−(r+x) (β+τ)^−(s+1) dτ]``
    in 40 digits (no hypergeometric function involved)."""
    with mpmath.workdps(40):
        r, alpha, s, beta = (mpmath.mpf(v) for v in (r, alpha, s, beta))
        tx, big_t = mpmath.mpf(tx), mpmath.mpf(big_t)
        front = mpmath.loggamma(r + x) - mpmath.loggamma(r) + r * mpmath.log(alpha)
        front += s * mpmath.log(beta)
        alive = (alpha + big_t) ** -(r + x) * (beta + big_t) ** -s
        died = 0
        if big_t > tx:
            # breakpoints evenly spaced in log(α + τ), where the integrand is smooth
            ends = [(alpha + tx) * ((alpha + big_t) / (alpha + tx)) ** (k / 40) - alpha
                    for k in range(41)]  # fmt: skip
            died = s * mpmath.quad(lambda u: (alpha + u) ** -(r + x) * (beta + u) ** -(s + 1), ends)
        log_l = front + mpmath.log(alive + died)
        p_alive = alive / (alive + died)
        expected = None
        if t is not None:
            if s == 1:
                growth = mpmath.log((beta + big_t + t) / (beta + big_t))
            else:
                growth = (1 - ((beta + big_t) / (beta + big_t + t)) ** (s - 1)) / (s - 1)
            expected = p_alive * (r + x) * (beta + big_t) / (alpha + big_t) * growth
        return float(log_l), float(p_alive), None if expected is None else float(expected)


@pytest.mark.parametrize("s", [1.0, 1 + 1e-13, 1 - 1e-8, 0.6, 2.5])
def test_pareto_nbd_predictions_at_and_near_s_equal_one(s):
    model = ParetoNBD(r=0.55, alpha=10.0, s=s, beta=12.0)
    with mpmath.workdps(40):
        ss = mpmath.mpf(s)
        for t in (1.0, 39.0, 500.0):
            if s == 1:
                ref = 0.55 * 12.0 / 10.0 * mpmath.log(1 + mpmath.mpf(t) / 12)
            else:
                ref = 0.55 * 12.0 / 10.0 / (ss - 1) * (1 - (12 / (12 + mpmath.mpf(t))) ** (ss - 1))
            assert float(model.expected_purchases(t)[0]) == pytest.approx(float(ref), rel=1e-12)
    for x, tx in ((0, 0.0), (2, 30.43), (12, 35.0)):
        _, _, ref = _pareto_reference(0.55, 10.0, s, 12.0, x, tx, 38.86, t=39.0)
        got = float(model.conditional_expected_purchases(39.0, x, tx, 38.86)[0])
        assert got == pytest.approx(ref, rel=1e-9)


# ---------------------------------------------------------------- Pareto/NBD, large s and β


def _large_cases(seed: int, count: int):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        s = 10 ** rng.uniform(0.5, 5.0)
        beta = s * 10 ** rng.uniform(-0.5, 2.0)  # mean lifetime β/s from 0.3 to 100 units
        r, alpha = 10 ** rng.uniform(-1.3, 0.7), 10 ** rng.uniform(-1.0, 1.5)
        big_t = rng.uniform(5.0, 80.0)
        x = int(rng.integers(0, 40))
        tx = 0.0 if x == 0 else float(rng.uniform(0.0, big_t))
        yield r, alpha, s, beta, x, tx, big_t


@pytest.mark.parametrize("seed", range(3))
def test_pareto_nbd_with_large_s_and_beta_matches_arbitrary_precision(seed):
    for r, alpha, s, beta, x, tx, big_t in _large_cases(seed, 12):
        model = ParetoNBD(r=r, alpha=alpha, s=s, beta=beta)
        log_l, p_alive, expected = _pareto_reference(r, alpha, s, beta, x, tx, big_t, t=26.0)
        got_l = float(model.log_likelihood_of(x, tx, big_t)[0])
        got_p = float(model.probability_alive(x, tx, big_t)[0])
        got_e = float(model.conditional_expected_purchases(26.0, x, tx, big_t)[0])
        case = (r, alpha, s, beta, x, tx, big_t)
        assert got_l == pytest.approx(log_l, rel=1e-9, abs=1e-9), case
        assert got_p == pytest.approx(p_alive, rel=1e-8, abs=1e-12), case
        assert got_e == pytest.approx(expected, rel=1e-8, abs=1e-12), case


def test_pareto_nbd_hypergeometric_matches_mpmath_where_scipy_fails():
    from scipy.special import hyp2f1 as scipy_hyp2f1

    from crmkit.clv.pareto_nbd import _hyp2f1

    rng = np.random.default_rng(11)
    b = 10 ** rng.uniform(2.0, 5.0, 60)
    c = b + 10 ** rng.uniform(-1.3, 1.5, 60)
    z = 1 - 10 ** rng.uniform(-6.0, -1.0, 60)
    ours = _hyp2f1(np, __import__("scipy.special").special, b, c, z)
    with mpmath.workdps(30):
        ref = np.array([float(mpmath.hyp2f1(1, bi, ci, zi, maxterms=10**6))
                        for bi, ci, zi in zip(b, c, z, strict=True)])  # fmt: skip
    np.testing.assert_allclose(ours, ref, rtol=1e-10)
    assert not np.all(np.isfinite(scipy_hyp2f1(1.0, b, c, z)))  # the reason for the fraction


# ---------------------------------------------------------------- fits on likelihood ridges


def _small_panel(seed: int):
    """Small simulated panels (20–120 customers): many have Pareto/NBD likelihood ridges."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(20, 120))
    truth = BetaGeo(
        r=rng.uniform(0.2, 2), alpha=rng.uniform(1, 20), a=rng.uniform(0.2, 3),
        b=rng.uniform(0.5, 10),
    )  # fmt: skip
    return simulate_beta_geo(truth, list(rng.uniform(10, 60, n)), seed=int(rng.integers(1e9)))


def _newton_decrement(model, data):
    """λ² = gᵀH⁻¹g of the total negative log-likelihood at the fitted parameters, from the
    exact gradient and its central differences (independent of the fitter's own state)."""
    from crmkit.clv.history import read_history
    from crmkit.clv.pareto_nbd import _objective

    history = read_history(data, deduplicate=True)
    scale = float(history.T.max())
    objective = _objective(history, scale, 0.0)
    theta = np.log([model.r, model.alpha / scale, model.s, model.beta / scale])
    grad = objective(theta)[1]
    hess = np.empty((4, 4))
    for j in range(4):
        step = 1e-5 * max(1.0, abs(theta[j]))
        up, down = theta.copy(), theta.copy()
        up[j] += step
        down[j] -= step
        hess[:, j] = (objective(up)[1] - objective(down)[1]) / (2 * step)
    hess = (hess + hess.T) / 2
    return float(grad @ np.linalg.solve(hess, grad)) * history.customers, hess


@pytest.mark.parametrize("seed", [1, 7, 11, 19, 23])
def test_pareto_nbd_fit_returns_only_a_confirmed_optimum(seed):
    from crmkit.errors import FitError

    data = _small_panel(seed)
    reason = ""
    try:
        model = ParetoNBD.fit(data)
    except FitError as error:
        reason = str(error)
    if reason:  # a ridge is reported, with the reason
        assert reason.startswith("Pareto/NBD did not converge")
        return
    decrement, hess = _newton_decrement(model, data)
    assert decrement < 1e-6  # within ~1e-3 standard errors of the optimum
    assert np.all(np.linalg.eigvalsh(hess) > 0)
    assert all(math.isfinite(v) and v > 0 for v in model.standard_errors.values())
