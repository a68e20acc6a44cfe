"""Maximum-likelihood estimation shared by the lifetime-value models.

Parameters are optimised on the log scale (so they stay positive without bounds). A model
that supplies its exact Hessian (``curvature``) is fitted by Newton's method with a
backtracking line search — a handful of steps from a good start — and its standard errors
come from that analytic Hessian at the optimum. Otherwise, or when Newton's method fails,
BFGS with the exact gradient runs first; when BFGS stops short, L-BFGS-B and then
Nelder-Mead continue from where it stopped, and the Hessian is either the analytic one or
central differences of the exact gradient. Standard errors are mapped back to the natural
scale with the delta method.

Examples:
    >>> import numpy as np
    >>> from crmkit.clv.estimation import maximise
    >>> def nll(theta):  # a toy problem: minimum at log(2), log(3)
    ...     p = np.exp(theta)
    ...     return float(((p - [2.0, 3.0]) ** 2).sum()), 2 * (p - [2.0, 3.0]) * p
    >>> est = maximise(nll, np.zeros(2), names=("a", "b"), customers=1.0, model="toy")
    >>> [round(v, 6) for v in est.params.values()]
    [2.0, 3.0]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from crmkit.errors import FitError
from crmkit.extras import require

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["Estimate", "maximise", "warm_start"]

Objective = Callable[["NDArray[np.float64]"], tuple[float, "NDArray[np.float64]"]]
Curvature = Callable[
    ["NDArray[np.float64]"], tuple[float, "NDArray[np.float64]", "NDArray[np.float64]"]
]

_MAX_NEWTON_STEPS = 100
_MAX_LOG_STEP = 3.0  # longest Newton step on the log scale (a factor of e^3 ≈ 20)
_FINAL_STEP = 1e-4  # a Newton step this short is the last one (its error is ~ its square)
#: Newton decrement (total log-likelihood units) below which a point is the optimum: the
#: log-likelihood is within 5e-8 of the maximum, the point within 3e-4 standard errors
_DECREMENT = 1e-7
_CONFIRM_STEPS = 30  # Newton steps that may continue from where another optimiser stopped


@attrs.frozen
class Estimate:
    """The result of a fit: parameters, standard errors and diagnostics.

    ``neg_log_likelihood`` is the *mean* negative log-likelihood per customer (the quantity
    lifetimes reports); ``log_likelihood`` is the total.

    Examples:
        >>> from crmkit.clv.estimation import Estimate
        >>> Estimate({"r": 1.0}, {"r": 0.1}, -5.0, 10.0, 12, True).params["r"]
        1.0
    """

    params: dict[str, float]
    standard_errors: dict[str, float]
    log_likelihood: float
    customers: float
    iterations: int
    converged: bool


@attrs.frozen
class _Point:
    x: Any
    value: float
    gradient: Any
    hessian: Any
    steps: int


def maximise(
    objective: Objective,
    start: NDArray[np.float64],
    *,
    names: Sequence[str],
    customers: float,
    model: str,
    shift: NDArray[np.float64] | None = None,
    tol: float = 1e-8,
    max_iterations: int = 2000,
    curvature: Curvature | None = None,
    max_log_error: float | None = None,
) -> Estimate:
    """Minimise ``objective`` (mean negative log-likelihood on log parameters, with gradient).

    Args:
        objective: ``log_params → (mean NLL, gradient)``.
        start: initial log parameters.
        names: parameter names, in order.
        customers: total weight (number of customers); the Hessian of the *total* NLL is the
            mean Hessian times this.
        model: model name for error messages.
        shift: added to the optimal log parameters to undo a time rescaling (for example
            ``log(max T)`` on the rate parameter).
        tol: gradient tolerance (largest absolute component, on the mean NLL).
        max_iterations: iteration cap per optimiser.
        curvature: ``log_params → (mean NLL, gradient, Hessian)``, the exact Hessian; when
            given, Newton's method is tried first and the standard errors use it.
        max_log_error: raise :class:`~crmkit.errors.FitError` when a parameter's standard
            error on the log scale exceeds this: the optimum lies on a flat ridge (Newton's
            method stops there at moderate values, where BFGS would wander off until a
            parameter runs away). ``None`` skips the check.

    Raises:
        FitError: no optimiser converged to a finite optimum; the message says what to try.

    Examples:
        >>> import numpy as np
        >>> from crmkit.clv.estimation import maximise
        >>> maximise(lambda t: (float("nan"), np.zeros(1)), np.zeros(1), names=("a",),
        ...          customers=1.0, model="toy")
        Traceback (most recent call last):
        ...
        crmkit.errors.FitError: toy did not converge: the log-likelihood is not finite at the \
start values. Try: check the data for extreme values, pass start values (initial_params) \
near a plausible solution, or measure time in a coarser unit (weeks instead of days).
    """
    np = require("numpy", "stats")
    start = np.asarray(start, dtype=float)
    point = None
    iterations = 0
    if curvature is not None:
        with np.errstate(all="ignore"):
            point = _newton(np, curvature, start, tol)
        if point is not None:
            log_params, value, hessian = point.x, point.value, point.hessian
            iterations = point.steps
    if point is None:
        value0, _ = objective(start)
        if not np.isfinite(value0):
            raise FitError(_advice(model, "the log-likelihood is not finite at the start values"))
        result, iterations = _descend(np, objective, start, tol, max_iterations, model)
        log_params, value = np.asarray(result.x, dtype=float), float(result.fun)
        polished = None
        if curvature is not None:
            with np.errstate(all="ignore"):
                polished = _newton(np, curvature, log_params, tol)
        if polished is not None:
            log_params, value = polished.x, polished.value
            iterations += polished.steps
            hessian = polished.hessian
        else:
            # BFGS, L-BFGS-B and Nelder-Mead stop on their own criteria, which on a flat
            # ridge can be far from the optimum: confirm it (or get there) with Newton steps
            confirmed = _confirm(np, objective, curvature, log_params, customers, model)
            log_params, value, hessian = confirmed.x, confirmed.value, confirmed.hessian
            iterations += confirmed.steps
    runaway = [n for n, v in zip(names, log_params.tolist(), strict=True) if abs(v) > 25]
    if runaway:
        raise FitError(
            _advice(
                model,
                f"{', '.join(runaway)} ran off towards 0 or infinity, so the data do not "
                "identify the model (for example too few repeat purchases)",
            )
        )
    limit = math.inf if max_log_error is None else max_log_error
    errors = _standard_errors(np, hessian * customers, log_params, shift, names, model, limit)
    if shift is not None:
        log_params = log_params + shift
    params = np.exp(log_params)
    if not np.all(np.isfinite(params)):
        raise FitError(_advice(model, "a parameter ran off to 0 or infinity"))
    return Estimate(
        params={n: float(v) for n, v in zip(names, params.tolist(), strict=True)},
        standard_errors=errors,
        log_likelihood=-float(value) * customers,
        customers=float(customers),
        iterations=iterations,
        converged=True,
    )


def warm_start(
    objective: Objective, start: NDArray[np.float64], *, tol: float = 1e-5
) -> NDArray[np.float64]:
    """An approximate optimum of ``objective`` (for example on a sub-sample), or ``start``.

    A cheap BFGS fit to a loose gradient tolerance whose result only starts the real fit
    (Newton's method converges in a few steps from there); on any failure ``start`` comes
    back unchanged.

    Examples:
        >>> import numpy as np
        >>> from crmkit.clv.estimation import warm_start
        >>> def nll(theta):
        ...     return float(((theta - 1.0) ** 2).sum()), 2 * (theta - 1.0)
        >>> warm_start(nll, np.zeros(2)).round(4).tolist()
        [1.0, 1.0]
    """
    np = require("numpy", "stats")
    optimize = require("scipy.optimize", "stats")
    start = np.asarray(start, dtype=float)
    with np.errstate(all="ignore"):
        if not np.isfinite(objective(start)[0]):
            return start
        result = optimize.minimize(
            objective, start, jac=True, method="BFGS", options={"gtol": tol, "maxiter": 500}
        )
    x = np.asarray(result.x, dtype=float)
    good = np.isfinite(result.fun) and np.all(np.isfinite(x)) and np.all(np.abs(x) < 25)
    return x if good else start


def _newton(np: Any, curvature: Curvature, x: Any, tol: float) -> _Point | None:
    """Newton's method with a positive-definite fix-up and Armijo backtracking.

    Returns the point where the largest gradient component is below ``tol``, or where the
    Newton step (with a positive-definite Hessian) is below ``_FINAL_STEP`` on the log
    scale — that step is taken without evaluating the objective again, since Newton's method
    converges quadratically: the error after it is of the order of its square. Returns
    ``None`` when it cannot get there (non-finite values, a failed line search, too many
    steps).
    """
    value, grad, hess = curvature(x)
    if not (np.isfinite(value) and np.all(np.isfinite(grad)) and np.all(np.isfinite(hess))):
        return None
    for steps in range(_MAX_NEWTON_STEPS):
        largest = float(np.max(np.abs(grad)))
        if largest < tol:
            return _Point(x, float(value), grad, hess, steps)
        direction, modified = _descent_direction(np, hess, grad)
        length = float(np.max(np.abs(direction)))
        slope = float(grad @ direction)
        if length < _FINAL_STEP and not modified:
            # the quadratic model's minimum: value + slope / 2, same Hessian to rounding
            return _Point(x + direction, float(value) + slope / 2, grad, hess, steps + 1)
        if length > _MAX_LOG_STEP:
            direction = direction * (_MAX_LOG_STEP / length)
            slope = float(grad @ direction)
        t = 1.0
        while True:
            trial = x + t * direction
            new_value, new_grad, new_hess = curvature(trial)
            finite = (
                np.isfinite(new_value)
                and np.all(np.isfinite(new_grad))
                and np.all(np.isfinite(new_hess))
            )
            if finite and (
                new_value <= value + 1e-4 * t * slope
                # at the optimum the change in value is below rounding: accept a step that
                # shrinks the gradient without raising the value beyond rounding
                or (
                    new_value - value <= 1e-12 * max(1.0, abs(value))
                    and float(np.max(np.abs(new_grad))) < largest
                )
            ):
                break
            t *= 0.5
            if t < 1e-10:
                return None
        x, value, grad, hess = trial, new_value, new_grad, new_hess
    return None


def _confirm(
    np: Any,
    objective: Objective,
    curvature: Curvature | None,
    x: Any,
    customers: float,
    model: str,
) -> _Point:
    """The optimum near ``x`` where a derivative-free or quasi-Newton optimiser stopped.

    The test is the Newton decrement ``λ² = gᵀH⁻¹g`` of the *total* negative log-likelihood
    (``H`` the exact or central-difference Hessian): ``λ²/2`` is the log-likelihood still
    to gain and ``λ`` the distance to the optimum in standard errors, so it does not depend
    on how the parameters are scaled. Above ``_DECREMENT`` Newton steps (on ``H + μI`` where
    ``H`` is not positive definite) continue from ``x``; a ridge that rises towards 0 or
    infinity then runs off (and the caller raises), and if the steps cannot bring ``λ²``
    below ``_DECREMENT`` within ``_CONFIRM_STEPS`` the fit raises
    :class:`~crmkit.errors.FitError` — never a point short of the optimum with standard
    errors computed there.
    """

    def hessian_at(point: Any) -> Any:
        if curvature is not None:
            return curvature(point)[2]
        return _hessian(np, objective, point)

    with np.errstate(all="ignore"):
        value, grad = objective(x)
        hess = hessian_at(x)
        decrement = math.inf
        for steps in range(_CONFIRM_STEPS + 1):
            if not (np.isfinite(value) and np.all(np.isfinite(grad)) and np.all(np.isfinite(hess))):
                if steps == 0:  # no curvature to test with: the standard errors report it
                    return _Point(x, float(value), grad, hess, 0)
                break
            direction, _ = _descent_direction(np, hess, grad)
            decrement = -float(grad @ direction) * customers
            if decrement <= _DECREMENT:
                # at the optimum (a Hessian that is not positive definite there is reported
                # by the standard errors as a flat likelihood)
                return _Point(x, float(value), grad, hess, steps)
            if steps == _CONFIRM_STEPS or float(np.max(np.abs(x))) > 25:
                break  # out of steps, or running off (the caller says which parameter)
            length = float(np.max(np.abs(direction)))
            if length > _MAX_LOG_STEP:
                direction = direction * (_MAX_LOG_STEP / length)
            slope = float(grad @ direction)
            t = 1.0
            while t >= 1e-10:
                trial = x + t * direction
                new_value, new_grad = objective(trial)
                if np.isfinite(new_value) and new_value <= value + 1e-4 * t * slope:
                    break
                t *= 0.5
            else:
                break  # no descent along the Newton direction: a flat or broken likelihood
            x, value, grad = trial, new_value, new_grad
            hess = hessian_at(x)
    if float(np.max(np.abs(x))) > 25:
        return _Point(x, float(value), grad, hess, _CONFIRM_STEPS)
    raise FitError(
        _advice(
            model,
            "the optimiser stopped short of the optimum and Newton steps could not reach it "
            f"(the log-likelihood can still rise by about {max(decrement, 0.0) / 2:.2g} "
            "along a flat ridge), so its standard errors would be unreliable",
        )
    )


def _descent_direction(np: Any, hess: Any, grad: Any) -> tuple[Any, bool]:
    """Newton direction ``−H⁻¹g``, with ``H + λI`` when ``H`` is not positive definite.

    Also says whether ``H`` had to be modified.
    """
    n = grad.shape[0]
    scale = max(float(np.max(np.abs(np.diag(hess)))), 1e-12)
    shift = 0.0
    for _ in range(40):
        try:
            factor = np.linalg.cholesky(hess + shift * np.eye(n))
        except np.linalg.LinAlgError:
            shift = max(shift * 10.0, scale * 1e-8)
            continue
        y = np.linalg.solve(factor, -grad)
        return np.linalg.solve(factor.T, y), shift > 0
    return -grad / scale, True


def _descend(
    np: Any, objective: Objective, start: Any, tol: float, max_iterations: int, model: str
) -> tuple[Any, int]:
    """BFGS, then L-BFGS-B, then Nelder-Mead: the first that reaches an optimum."""
    optimize = require("scipy.optimize", "stats")
    iterations = 0
    with np.errstate(all="ignore"):
        result = optimize.minimize(
            objective,
            start,
            jac=True,
            method="BFGS",
            options={"gtol": tol, "maxiter": max_iterations},
        )
        iterations += int(result.nit)
        if _good(np, result, tol):
            return result, iterations
        polish = optimize.minimize(
            objective,
            result.x if np.all(np.isfinite(result.x)) else start,
            jac=True,
            method="L-BFGS-B",
            options={"gtol": tol, "ftol": 1e-15, "maxiter": max_iterations},
        )
        iterations += int(polish.nit)
        if _good(np, polish, tol * 100):
            return polish, iterations
        simplex = optimize.minimize(
            lambda t: objective(t)[0],
            polish.x if np.all(np.isfinite(polish.x)) else start,
            method="Nelder-Mead",
            options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": max_iterations * 5},
        )
        iterations += int(simplex.nit)
    if not (simplex.success and np.isfinite(simplex.fun)):
        raise FitError(
            _advice(
                model,
                f"BFGS, L-BFGS-B and Nelder-Mead stopped after {iterations} "
                f"iterations ({result.message})",
            )
        )
    return simplex, iterations


def _good(np: Any, result: Any, tol: float) -> bool:
    if not np.isfinite(result.fun) or not np.all(np.isfinite(result.x)):
        return False
    if result.success:
        return True
    # BFGS often reports "precision loss" at an optimum it cannot improve: accept a tiny gradient.
    jac = getattr(result, "jac", None)
    return jac is not None and bool(np.max(np.abs(jac)) < max(tol * 1e3, 1e-6))


def _hessian(np: Any, objective: Objective, x: Any) -> Any:
    n = x.shape[0]
    h = np.empty((n, n))
    for j in range(n):
        step = 1e-5 * max(1.0, abs(float(x[j])))
        up, down = x.copy(), x.copy()
        up[j] += step
        down[j] -= step
        h[:, j] = (objective(up)[1] - objective(down)[1]) / (2 * step)
    return (h + h.T) / 2


def _standard_errors(
    np: Any,
    hessian: Any,
    log_params: Any,
    shift: Any,
    names: Sequence[str],
    model: str,
    limit: float = math.inf,
) -> dict[str, float]:
    params = np.exp(log_params if shift is None else log_params + shift)
    try:
        covariance = np.linalg.inv(hessian)
        variances = np.diag(covariance)
    except np.linalg.LinAlgError:
        variances = np.full(len(names), np.nan)
    if np.all(np.isfinite(variances)) and np.any(variances > limit**2):
        vague = [n for n, v in zip(names, variances.tolist(), strict=True) if v > limit**2]
        raise FitError(
            _advice(
                model,
                f"{', '.join(vague)} {'is' if len(vague) == 1 else 'are'} not identified by the "
                "data: the likelihood is flat along a ridge, so the standard error spans more "
                "than a factor of e^10 (for example too few customers or repeat purchases)",
            )
        )
    if not np.all(np.isfinite(variances)) or np.any(variances <= 0):
        raise FitError(
            _advice(
                model,
                "the likelihood is flat or not curved at the optimum (its Hessian is not "
                "positive definite), so the data do not identify every parameter; this happens "
                "with very few repeat purchases",
            )
        )
    errors = params * np.sqrt(variances)
    return {n: float(v) for n, v in zip(names, errors.tolist(), strict=True)}


def _advice(model: str, what: str) -> str:
    return (
        f"{model} did not converge: {what}. Try: check the data for extreme values, pass start "
        "values (initial_params) near a plausible solution, or measure time in a coarser unit "
        "(weeks instead of days)."
    )
