"""Maximum-likelihood machinery: Newton's method with an exact Hessian, and its fallbacks."""

from __future__ import annotations

import numpy as np
import pytest

from crmkit.clv.estimation import _confirm, maximise, warm_start
from crmkit.errors import FitError


def _rosenbrock(theta):
    x, y = theta
    value = (1 - x) ** 2 + 100 * (y - x * x) ** 2
    grad = np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])
    hess = np.array([[2 - 400 * (y - 3 * x * x), -400 * x], [-400 * x, 200.0]])
    return float(value), grad, hess


def _objective(theta):
    value, grad, _ = _rosenbrock(theta)
    return value, grad


def test_newton_with_the_exact_hessian_finds_the_minimum_and_its_curvature():
    # a curved valley where the Hessian is not positive definite at the start
    est = maximise(_objective, np.array([-1.2, 1.0]), names=("x", "y"), customers=1.0,
                   model="toy", curvature=_rosenbrock)  # fmt: skip
    # parameters are exp(θ): the minimum θ = (1, 1) is e, e
    assert est.params["x"] == pytest.approx(np.e, rel=1e-8)
    assert est.params["y"] == pytest.approx(np.e, rel=1e-8)
    # standard errors from the inverse Hessian at the optimum (delta method to exp scale)
    # (the Hessian is the one before Newton's last, shorter than 1e-4 step: ~1e-5 off here)
    covariance = np.linalg.inv(_rosenbrock(np.ones(2))[2])
    assert est.standard_errors["x"] == pytest.approx(np.e * np.sqrt(covariance[0, 0]), rel=1e-4)


def test_without_a_hessian_the_same_minimum_is_found():
    est = maximise(_objective, np.array([-1.2, 1.0]), names=("x", "y"), customers=1.0,
                   model="toy")  # fmt: skip
    assert est.params["x"] == pytest.approx(np.e, rel=1e-6)


def test_a_hessian_that_is_not_finite_falls_back_to_bfgs():
    def broken(theta):
        value, grad, hess = _rosenbrock(theta)
        return value, grad, hess * np.nan

    with pytest.raises(FitError, match="not curved at the optimum"):
        # BFGS reaches the minimum, but the standard errors need a finite Hessian
        maximise(_objective, np.array([-1.2, 1.0]), names=("x", "y"), customers=1.0,
                 model="toy", curvature=broken)  # fmt: skip


def test_newton_that_cannot_start_hands_over_to_bfgs_and_polishes_after():
    # the exact Hessian is only available near the optimum (not finite at the start): BFGS
    # gets there, then Newton's method polishes and supplies the curvature
    calls = {"finite": 0}

    def local(theta):
        value, grad, hess = _rosenbrock(theta)
        if np.max(np.abs(theta - 1.0)) > 0.1:
            return value, grad, hess * np.nan
        calls["finite"] += 1
        return value, grad, hess

    est = maximise(_objective, np.array([-1.2, 1.0]), names=("x", "y"), customers=1.0,
                   model="toy", curvature=local)  # fmt: skip
    assert est.params["x"] == pytest.approx(np.e, rel=1e-8)
    assert calls["finite"] >= 1
    covariance = np.linalg.inv(_rosenbrock(np.ones(2))[2])
    assert est.standard_errors["y"] == pytest.approx(np.e * np.sqrt(covariance[1, 1]), rel=1e-4)


def test_warm_start_returns_the_start_when_the_objective_is_not_finite():
    start = np.array([0.5, 0.5])
    assert warm_start(lambda t: (float("nan"), np.zeros(2)), start).tolist() == [0.5, 0.5]
    assert warm_start(_objective, np.array([-1.2, 1.0]), tol=1e-8).round(5).tolist() == [
        1.0, 1.0,
    ]  # fmt: skip


def test_a_parameter_on_a_flat_ridge_is_named_in_the_error():
    def ridge(theta):
        # y barely matters: its standard error on the log scale is about 1e4
        value = float((theta[0] - 1.0) ** 2 + 1e-8 * theta[1] ** 2)
        grad = np.array([2 * (theta[0] - 1.0), 2e-8 * theta[1]])
        return value, grad, np.diag([2.0, 2e-8])

    with pytest.raises(FitError, match=r"y is not identified by the data.*Try:"):
        maximise(lambda t: ridge(t)[:2], np.array([0.0, 0.5]), names=("x", "y"), customers=1.0,
                 model="toy", curvature=ridge, max_log_error=10.0)  # fmt: skip
    # without the limit the same fit returns (with its huge standard error)
    est = maximise(lambda t: ridge(t)[:2], np.array([0.0, 0.5]), names=("x", "y"),
                   customers=1.0, model="toy", curvature=ridge)  # fmt: skip
    assert est.standard_errors["y"] > 1e3


def _stuck_at(start, bump):
    """½|θ|² (minimum at 0, Hessian I) plus ``bump`` everywhere but at ``start``: no step
    from ``start`` lowers it, as when rounding stops Newton's steps on a flat likelihood."""
    start = np.array(start, dtype=float)

    def objective(theta):
        value = 0.5 * float(theta @ theta)
        return value + (0.0 if np.array_equal(theta, start) else bump), np.array(theta)

    def curvature(theta):
        value, grad = objective(theta)
        return value, grad, np.eye(2)

    return objective, curvature, start


def test_a_point_no_step_can_improve_within_a_hundredth_of_a_standard_error_is_the_optimum():
    # λ² = |θ|² = 1e-6 (0.001 standard errors from the optimum) where no step descends
    objective, curvature, start = _stuck_at([6e-4, 8e-4], bump=1e-3)
    point = _confirm(np, objective, curvature, start, 1.0, "toy")
    assert np.array_equal(point.x, start)
    assert point.steps == 0


def test_a_point_no_step_can_improve_far_from_the_optimum_raises():
    # λ² = 1: a whole standard error away, yet no step descends: a broken likelihood
    objective, curvature, start = _stuck_at([0.6, 0.8], bump=10.0)
    with pytest.raises(FitError, match="stopped short of the optimum"):
        _confirm(np, objective, curvature, start, 1.0, "toy")
