"""Maximum-likelihood estimation shared by the lifetime-value models.

Parameters are optimised on the log scale (so they stay positive without bounds). A model
that supplies its exact Hessian (``curvature``) is fitted by Newton's method with a
backtracking line search — a handful of steps from a good start — and its standard errors
come from that analytic Hessian at the optimum. Otherwise, or when Newton's method fails,
BFGS with the exact gradient runs first; when BFGS stops short, L-BFGS-B and then
Nelder-Mead continue from where it stopped, and the Hessian is either the analytic one or
central differences of the exact gradient. Standard errors are mapped back to the natural
scale with the delta method.

The module also holds the numerics every model shares under public names —
:func:`positive` (the parameter validator), :func:`penalty`, :func:`float_arrays`,
:func:`special_functions`, :func:`fast_dot`, :func:`across_one`, :func:`hyp2f1_complement`,
:data:`MAX_LOG_ERROR` — and :class:`ModelSummary`, the table of estimates, standard errors
and confidence intervals that every fitted model's ``summary()`` returns.

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
import statistics
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal

import attrs

from crmkit.display import ResultRow, Table
from crmkit.errors import FitError, ValidationError
from crmkit.extras import require
from crmkit.frames.to_frame import Backend, to_frame
from crmkit.progress import Progress, ProgressOption

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import ArrayLike, NDArray

__all__ = [
    "MAX_LOG_ERROR",
    "Estimate",
    "IntervalScale",
    "ModelSummary",
    "ParameterEstimate",
    "across_one",
    "approximate_inverse_hessian",
    "fast_dot",
    "float_arrays",
    "hyp2f1_complement",
    "maximise",
    "pattern_sample",
    "penalty",
    "positive",
    "special_functions",
    "warm_start",
]

#: a standard error of log(parameter) above this (a factor e^10) means the data leave the
#: parameter on a flat ridge: the fit raises FitError instead of returning it
MAX_LOG_ERROR = 10.0
#: half-width of the interval around a = 1 where 0/0-type predictions are interpolated
_REMOVABLE = 1e-3

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
#: λ² below which a point where no Newton step lowers the likelihood is the optimum: within
#: 0.01 standard errors of it (the likelihood's rounding and a central-difference Hessian can
#: stop the steps there on a nearly flat likelihood)
_RESOLVED_DECREMENT = 1e-4
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
    progress: ProgressOption = None,
    inverse_hessian: NDArray[np.float64] | None = None,
    hessian_from_gradient: bool | Callable[[Any], bool] = False,
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
        progress: progress of the fit (see :mod:`crmkit.progress`): the likelihood
            evaluations counted against ``max_iterations``, completed when the fit
            converges.
        inverse_hessian: BFGS's first estimate of the inverse Hessian of ``objective`` (for
            example from a sub-sample, :func:`approximate_inverse_hessian`); the identity
            by default. A good one saves most of BFGS's iterations from a good start.
        hessian_from_gradient: take the Hessian behind the standard errors (and the check
            that the optimum is curved) from central differences of ``objective``'s exact
            gradient rather than from ``curvature``, whose Hessian then only steers Newton's
            steps — for a curvature that is approximate in places (Pareto/NBD's far from 0).
            A function of the optimum's log parameters decides there.

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
    # every evaluation is reported: a fit takes tens of them, not thousands
    with Progress(progress, max_iterations, f"fitting {model}", calls=max_iterations) as counter:
        if counter.enabled:
            objective, curvature = _counted(counter, objective, curvature)
        return _maximise(
            np, objective, start, names, customers, model, shift, tol, max_iterations,
            curvature, max_log_error, inverse_hessian, hessian_from_gradient,
        )  # fmt: skip


def _counted(
    counter: Progress, objective: Objective, curvature: Curvature | None
) -> tuple[Objective, Curvature | None]:
    """``objective`` and ``curvature`` advancing ``counter`` by one at each evaluation (short
    of its total, which :meth:`~crmkit.progress.Progress.finish` reports at the end)."""

    def count() -> None:
        counter.update(min(counter.total - 1, counter.done + 1))

    def counted_objective(theta: Any) -> tuple[float, Any]:
        count()
        return objective(theta)

    if curvature is None:
        return counted_objective, None
    curve = curvature

    def counted_curvature(theta: Any) -> tuple[float, Any, Any]:
        count()
        return curve(theta)

    return counted_objective, counted_curvature


def _maximise(
    np: Any,
    objective: Objective,
    start: NDArray[np.float64],
    names: Sequence[str],
    customers: float,
    model: str,
    shift: NDArray[np.float64] | None,
    tol: float,
    max_iterations: int,
    curvature: Curvature | None,
    max_log_error: float | None,
    inverse_hessian: Any = None,
    hessian_from_gradient: bool | Callable[[Any], bool] = False,
) -> Estimate:
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
        result, iterations = _descend(
            np, objective, start, tol, max_iterations, model, inverse_hessian
        )
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
    if callable(hessian_from_gradient):
        hessian_from_gradient = hessian_from_gradient(log_params)
    if hessian_from_gradient:
        with np.errstate(all="ignore"):
            hessian = _hessian(np, objective, log_params)
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


#: distinct patterns above which a fit may start from the optimum of a sub-sample of them
SAMPLE_ABOVE = 100_000
SAMPLE_SIZE = 20_000


def pattern_sample(np: Any, size: int) -> Any:
    """A seeded random mask of ``SAMPLE_SIZE`` of ``size`` patterns, or ``None`` when ``size``
    is at most ``SAMPLE_ABOVE`` (fits then start from the full data).

    Sub-sampling patterns with their weights keeps the sub-sample's log-likelihood an unbiased
    estimate of the full one, so its optimum (:func:`warm_start`) is close to the full optimum;
    the seed makes fits repeat.

    Examples:
        >>> import numpy as np
        >>> from crmkit.clv.estimation import pattern_sample
        >>> pattern_sample(np, 1000) is None, int(pattern_sample(np, 200_000).sum())
        (True, 20000)
    """
    if size <= SAMPLE_ABOVE:
        return None
    keep = np.zeros(size, dtype=bool)
    keep[np.random.default_rng(0).choice(size, SAMPLE_SIZE, replace=False)] = True
    return keep


def approximate_inverse_hessian(objective: Objective, x: NDArray[np.float64]) -> Any:
    """The inverse of ``objective``'s Hessian at ``x`` (central differences of its gradient),
    or ``None`` when that is not finite and positive definite.

    Examples:
        >>> import numpy as np
        >>> from crmkit.clv.estimation import approximate_inverse_hessian
        >>> def f(t):
        ...     return float(t @ t), 2 * t
        >>> approximate_inverse_hessian(f, np.ones(2)).round(6).tolist()
        [[0.5, 0.0], [0.0, 0.5]]
    """
    np = require("numpy", "stats")
    with np.errstate(all="ignore"):
        hess = _hessian(np, objective, np.asarray(x, dtype=float))
    if not np.all(np.isfinite(hess)):
        return None
    try:
        inverse = np.linalg.inv(np.linalg.cholesky(hess))
    except np.linalg.LinAlgError:
        return None
    product = inverse.T @ inverse  # H⁻¹ = L⁻ᵀ L⁻¹
    return (product + product.T) / 2  # exactly symmetric, as BFGS requires


def _newton(np: Any, curvature: Curvature, x: Any, tol: float) -> _Point | None:
    """Newton's method with a positive-definite fix-up and Armijo backtracking.

    Returns the point where the largest gradient component is below ``tol`` and the Hessian is
    positive definite, or where the
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
        direction, modified = _descent_direction(np, hess, grad)
        if largest < tol:
            # a stationary point is an optimum only where the Hessian is positive definite;
            # a saddle or flat ridge is left to the descent and its confirmation
            return None if modified else _Point(x, float(value), grad, hess, steps)
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
            if finite and _progress(np, value, new_value, t * slope, largest, new_grad):
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
    infinity then runs off (and the caller raises). A point where no step along Newton's
    direction lowers the likelihood at working precision is the optimum when ``λ²`` is below
    ``_RESOLVED_DECREMENT`` (within 0.01 standard errors). If the steps cannot bring ``λ²``
    below ``_DECREMENT`` within ``_CONFIRM_STEPS`` otherwise, the fit raises
    :class:`~crmkit.errors.FitError` — never a point further short of the optimum with standard
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
            largest = float(np.max(np.abs(grad)))
            t = 1.0
            while t >= 1e-10:
                trial = x + t * direction
                new_value, new_grad = objective(trial)
                if np.isfinite(new_value) and _progress(
                    np, value, new_value, t * slope, largest, new_grad
                ):
                    break
                t *= 0.5
            else:
                # no descent along the Newton direction at working precision: the optimum if
                # the log-likelihood left to gain is below what the steps can resolve
                # (λ ≤ 0.01 standard errors from it), else a flat or broken likelihood
                if decrement <= _RESOLVED_DECREMENT:
                    return _Point(x, float(value), grad, hess, steps)
                break
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


def _progress(
    np: Any, value: float, new_value: float, slope: float, largest: float, new_grad: Any
) -> bool:
    """Whether a line-search step from ``value`` to ``new_value`` is progress: Armijo's
    sufficient decrease (``slope`` the directional derivative times the step), or — next to
    the optimum, where the change in value is below rounding — a step that shrinks the largest
    gradient component below ``largest`` without raising the value beyond rounding."""
    return bool(
        new_value <= value + 1e-4 * slope
        or (
            new_value - value <= 1e-12 * max(1.0, abs(value))
            and float(np.max(np.abs(new_grad))) < largest
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
    np: Any,
    objective: Objective,
    start: Any,
    tol: float,
    max_iterations: int,
    model: str,
    inverse_hessian: Any = None,
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
            options={"gtol": tol, "maxiter": max_iterations}
            | ({} if inverse_hessian is None else {"hess_inv0": inverse_hessian}),
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


# ---------------------------------------------------------------------- shared numerics


def positive(instance: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    """attrs validator of a model parameter: a positive finite number (not a ``bool``).

    Examples:
        >>> import attrs
        >>> from crmkit.clv.estimation import positive
        >>> @attrs.frozen
        ... class Model:
        ...     r: float = attrs.field(validator=positive)
        >>> Model(r=0.0)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: Model.r: 0.0 must be a positive number
    """
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < math.inf:
        raise ValidationError.single(
            f"{type(instance).__name__}.{attribute.name}", value, "must be a positive number"
        )


def penalty(penalizer: Any) -> float:
    """A fit's ``penalizer`` checked: a finite number of zero or more, as a ``float``.

    The penalizer (lifetimes' ``penalizer_coef``) adds ``penalizer · Σ θ²`` to the mean
    negative log-likelihood per customer, ``θ`` the natural-scale parameters with time
    rescaled so that the largest ``T`` is 1: it shrinks the parameters towards 0 and keeps
    a fit on scarce data away from a flat ridge. ``0`` gives the plain maximum-likelihood
    estimate; the reported log-likelihood is that of the data at the penalised optimum.

    Raises:
        ValidationError: the value is negative, not finite or not a number.

    Examples:
        >>> from crmkit.clv.estimation import penalty
        >>> penalty(0), penalty(0.1)
        (0.0, 0.1)
        >>> penalty(-1)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: penalizer: -1 must be a number of zero or more
    """
    if (
        isinstance(penalizer, bool)
        or not isinstance(penalizer, int | float)
        or not 0 <= penalizer < math.inf
    ):
        raise ValidationError.single("penalizer", penalizer, "must be a number of zero or more")
    return float(penalizer)


def special_functions() -> tuple[Any, Any]:
    """``(numpy, scipy.special)``, or :class:`~crmkit.errors.MissingDependencyError`.

    Examples:
        >>> from crmkit.clv.estimation import special_functions
        >>> np, sp = special_functions()
        >>> float(sp.gammaln(np.float64(4.0)).round(6))
        1.791759
    """
    return require("numpy", "stats"), require("scipy.special", "stats")


def float_arrays(*values: ArrayLike) -> list[NDArray[np.float64]]:
    """The values as float arrays of one broadcast shape, at least one-dimensional.

    Raises:
        ValidationError: the values are not numbers or do not broadcast to one shape.

    Examples:
        >>> from crmkit.clv.estimation import float_arrays
        >>> [a.tolist() for a in float_arrays(2, [1, 3])]
        [[2.0, 2.0], [1.0, 3.0]]
        >>> float_arrays([1, 2], [1, 2, 3])
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: history: ([1, 2], [1, 2, 3]) is not numbers of one \
shape (shape mismatch: objects cannot be broadcast to a single shape.  Mismatch is between \
arg 0 with shape (2,) and arg 1 with shape (3,).)
    """
    np = require("numpy", "stats")
    try:
        return [np.atleast_1d(np.asarray(v, dtype=float)) for v in np.broadcast_arrays(*values)]
    except (TypeError, ValueError) as exc:
        raise ValidationError.single(
            "history", values, f"is not numbers of one shape ({exc})"
        ) from None


def fast_dot(np: Any) -> Callable[[Any, Any], float]:
    """``u · v`` as a float; long vectors by ``einsum``.

    BLAS ``ddot`` (``@``) starts threads for long vectors, which on a busy machine is often
    10-50× slower than this single-threaded loop.

    Examples:
        >>> import numpy as np
        >>> from crmkit.clv.estimation import fast_dot
        >>> dot = fast_dot(np)
        >>> dot(np.ones(5000), np.full(5000, 2.0)), dot(np.ones(3), np.ones(3))
        (10000.0, 3.0)
    """

    def dot(u: Any, v: Any) -> float:
        if u.shape[0] < 4096:  # short: BLAS stays single-threaded and has less overhead
            return float(u @ v)
        return float(np.einsum("i,i->", u, v))

    return dot


def across_one(value_at: Callable[[float], Any], a: float) -> Any:
    """``value_at(a)`` for a prediction of the form ``g(a) / (a − 1)`` with ``g(1) = 0``.

    ``a = 1`` is a valid parameter value where the formula is ``0/0`` (the limit exists), and
    near it the division amplifies rounding (a relative error of about ``1e-16 / |a − 1|``).
    Within ``1e-3`` of 1 the value is the cubic through the four points ``1 ± 1e-3`` and
    ``1 ± 2e-3`` instead: smooth in ``a``, exact at the limit to about ``1e-12`` and free of
    the cancellation.

    Examples:
        >>> import math
        >>> from crmkit.clv.estimation import across_one
        >>> round(across_one(lambda a: math.log(a) / (a - 1), 1.0), 9)  # the limit is 1
        1.0
    """
    if abs(a - 1.0) >= _REMOVABLE:
        return value_at(a)
    nodes = [1.0 + k * _REMOVABLE for k in (-2.0, -1.0, 1.0, 2.0)]
    total: Any = 0.0
    for i, node in enumerate(nodes):
        weight = math.prod((a - other) / (node - other) for other in nodes if other != node)
        total = total + weight * value_at(nodes[i])
    return total


def hyp2f1_complement(parts: Callable[[float], tuple[Any, Any, Any]], z: Any, a: float) -> Any:
    """``k / (a − 1) · (1 − ₂F₁(A, a − 1; C; z) (1 − z)^(a − 1))`` with ``(k, A, C) = parts(a)``.

    The BG/NBD family's predictions ``k / (a − 1) · (1 − ₂F₁(·) (1 − z)^(r + x))`` after the
    Euler transformation ``₂F₁(A', B'; C; z) = (1 − z)^(C − A' − B') ₂F₁(C − A', C − B'; C; z)``,
    which keeps the series bounded for any frequency; evaluated across the removable point
    ``a = 1`` by :func:`across_one` (``parts`` is called at the interpolation nodes there).

    Examples:
        >>> import numpy as np
        >>> from crmkit.clv.estimation import hyp2f1_complement
        >>> # k = 1, 2F1(1, 1; 2; z) = −log(1 − z)/z: 1 − 2 log 2 · 0.5 at z = 0.5
        >>> [round(v, 6) for v in hyp2f1_complement(lambda a: (1.0, 1.0, 2.0), np.array([0.5]),
        ...                                         2.0).tolist()]
        [0.306853]
    """
    np, sp = special_functions()

    def at(a: float) -> Any:
        k, upper, lower = parts(a)
        log_term = np.log(sp.hyp2f1(upper, a - 1, lower, z)) + (a - 1) * np.log1p(-z)
        return k / (a - 1) * -np.expm1(log_term)

    return across_one(at, a)


# ---------------------------------------------------------------------- summaries

#: ``"natural"``: Wald intervals ``estimate ± z·SE``; ``"log"``: Wald intervals on
#: ``log(parameter)``, ``estimate · exp(± z·SE / estimate)`` (always positive).
IntervalScale = Literal["natural", "log"]
_SCALES = ("natural", "log")


@attrs.frozen
class ParameterEstimate(ResultRow):
    """One row of a :class:`ModelSummary`: a parameter's estimate, standard error and interval.

    Examples:
        >>> from crmkit.clv.estimation import ParameterEstimate
        >>> ParameterEstimate("r", 0.25, 0.01, 0.23, 0.27).upper
        0.27
    """

    parameter: str
    estimate: float
    standard_error: float
    lower: float
    upper: float


def _total(value: float | None) -> str:
    """A count or a log-likelihood-sized number: whole, or to one decimal (never ``e+06``)."""
    if value is None:
        return ""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


@attrs.frozen(repr=False)
class ModelSummary:
    """A fitted model's estimates, standard errors, confidence intervals and fit statistics.

    Every fitted model's ``summary()`` returns one (see
    :meth:`crmkit.clv.persistence.PersistentModel.summary`). It prints as an aligned text
    table, shows as an HTML table in Jupyter and becomes a dataframe with :meth:`to_frame`.

    The standard errors come from the inverse Hessian of the log-likelihood at the optimum
    (on the log-parameter scale, mapped back with the delta method). The intervals are Wald
    intervals with ``z`` the normal quantile of ``(1 + confidence) / 2``: ``estimate ± z·SE``
    on the natural scale (what lifetimes' ``summary`` reports; the lower bound can be
    negative for a poorly determined parameter), or with ``scale="log"`` on the log scale,
    ``estimate · exp(± z·SE / estimate)`` — always positive and the scale the fit works on.
    ``AIC = 2k − 2 log L`` and ``BIC = k log n − 2 log L`` with ``k`` parameters and ``n``
    the number of customers the model was fitted to.

    Examples:
        >>> from crmkit.clv.estimation import ModelSummary
        >>> table = ModelSummary.of("Toy", {"a": 2.0}, {"a": 0.5}, -10.0, 100.0)
        >>> print(table)
        Toy: 100 customers
        parameter  estimate  std. error  lower 95%  upper 95%
        a                 2         0.5    1.02002    2.97998
        log-likelihood -10, AIC 22, BIC 24.6
        >>> table.to_frame()["lower"].tolist() == [table.parameters[0].lower]
        True
    """

    model: str
    parameters: tuple[ParameterEstimate, ...]
    log_likelihood: float | None = None
    customers: float | None = None
    confidence: float = 0.95
    scale: IntervalScale = "natural"
    time_unit: str | None = None

    @classmethod
    def of(
        cls,
        model: str,
        params: dict[str, float],
        standard_errors: dict[str, float],
        log_likelihood: float | None = None,
        customers: float | None = None,
        *,
        confidence: float = 0.95,
        scale: IntervalScale = "natural",
        time_unit: str | None = None,
    ) -> ModelSummary:
        """The summary of parameters ``params`` with ``standard_errors`` (NaN where missing).

        Raises:
            ValidationError: ``confidence`` is not a number strictly between 0 and 1, or
                ``scale`` is not ``"natural"`` or ``"log"``.

        Examples:
            >>> from crmkit.clv.estimation import ModelSummary
            >>> s = ModelSummary.of("Toy", {"a": 2.0}, {"a": 0.5}, scale="log")
            >>> [round(v, 4) for v in (s.parameters[0].lower, s.parameters[0].upper)]
            [1.2253, 3.2646]
            >>> ModelSummary.of("Toy", {"a": 2.0}, {}, confidence=95)
            Traceback (most recent call last):
            ...
            crmkit.errors.ValidationError: confidence: 95 must be a number between 0 and 1 \
(for example 0.95)
        """
        if (
            isinstance(confidence, bool)
            or not isinstance(confidence, int | float)
            or not 0 < confidence < 1
        ):
            raise ValidationError.single(
                "confidence", confidence, "must be a number between 0 and 1 (for example 0.95)"
            )
        if scale not in _SCALES:
            raise ValidationError.single("scale", scale, "is not 'natural' or 'log'")
        z = statistics.NormalDist().inv_cdf((1 + confidence) / 2)
        rows = []
        for name, estimate in params.items():
            error = float(standard_errors.get(name, math.nan))
            if scale == "natural":
                lower, upper = estimate - z * error, estimate + z * error
            else:
                factor = math.exp(z * error / estimate) if math.isfinite(error) else math.nan
                lower, upper = estimate / factor, estimate * factor
            rows.append(ParameterEstimate(name, float(estimate), error, lower, upper))
        return cls(
            model, tuple(rows), log_likelihood, customers, float(confidence), scale, time_unit
        )

    @property
    def aic(self) -> float | None:
        """Akaike's information criterion ``2k − 2 log L`` (``None`` without a fit).

        Examples:
            >>> from crmkit.clv.estimation import ModelSummary
            >>> ModelSummary.of("Toy", {"a": 2.0, "b": 1.0}, {}, -10.0, 50.0).aic
            24.0
        """
        if self.log_likelihood is None:
            return None
        return 2 * len(self.parameters) - 2 * self.log_likelihood

    @property
    def bic(self) -> float | None:
        """The Bayesian information criterion ``k log n − 2 log L``, ``n`` the customers.

        Examples:
            >>> from crmkit.clv.estimation import ModelSummary
            >>> round(ModelSummary.of("Toy", {"a": 2.0}, {}, -10.0, 100.0).bic, 4)
            24.6052
        """
        if self.log_likelihood is None or not self.customers:
            return None
        return len(self.parameters) * math.log(self.customers) - 2 * self.log_likelihood

    def _title(self) -> str:
        facts = []
        if self.customers is not None:
            facts.append(f"{_total(self.customers)} customers")
        if self.time_unit is not None:
            facts.append(f"time unit {self.time_unit}")
        if self.scale == "log":
            facts.append("intervals on the log scale")
        return f"{self.model}: {', '.join(facts)}" if facts else self.model

    def _header(self) -> list[str]:
        level = f"{100 * self.confidence:g}%"
        return ["parameter", "estimate", "std. error", f"lower {level}", f"upper {level}"]

    def _statistics(self) -> str:
        if self.log_likelihood is None:
            return "not fitted: no log-likelihood"
        parts = [f"log-likelihood {_total(self.log_likelihood)}", f"AIC {_total(self.aic)}"]
        if self.bic is not None:
            parts.append(f"BIC {_total(self.bic)}")
        return ", ".join(parts)

    def _table(self) -> Table:
        rows = [
            [p.parameter, p.estimate, p.standard_error, p.lower, p.upper] for p in self.parameters
        ]
        return Table(
            self._header(), rows, self._title(), footer=self._statistics(), row_headers=True
        )

    def __str__(self) -> str:
        """The aligned text table."""
        return str(self._table())

    __repr__ = __str__

    def _repr_html_(self) -> str:
        """The table as HTML (Jupyter shows it)."""
        return self._table()._repr_html_()

    def to_frame(self, backend: Backend = "pandas") -> Any:
        """The parameter rows as a dataframe (see :func:`crmkit.frames.to_frame`).

        Examples:
            >>> from crmkit.clv.estimation import ModelSummary
            >>> frame = ModelSummary.of("Toy", {"a": 2.0}, {"a": 0.5}).to_frame("polars")
            >>> frame.columns
            ['parameter', 'estimate', 'standard_error', 'lower', 'upper']
        """
        return to_frame(self.parameters, backend=backend)
