"""Maximum-likelihood estimation shared by the lifetime-value models.

Parameters are optimised on the log scale (so they stay positive without bounds) with
BFGS and the model's exact gradient; when BFGS stops short, L-BFGS-B and then Nelder-Mead
continue from where it stopped. Standard errors come from the Hessian of the total negative
log-likelihood at the optimum (central differences of the exact gradient), mapped back to
the natural scale with the delta method.

Examples:
    >>> import numpy as np
    >>> from crmkit.clv.estimation import maximise
    >>> def nll(theta):  # a normal mean/log-sd toy problem: minimum at log(2), log(3)
    ...     p = np.exp(theta)
    ...     return float(((p - [2.0, 3.0]) ** 2).sum()), 2 * (p - [2.0, 3.0]) * p
    >>> est = maximise(nll, np.zeros(2), names=("a", "b"), customers=1.0, model="toy")
    >>> [round(v, 6) for v in est.params.values()]
    [2.0, 3.0]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from crmkit.errors import FitError
from crmkit.extras import require

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["Estimate", "maximise"]

Objective = Callable[["NDArray[np.float64]"], tuple[float, "NDArray[np.float64]"]]


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
        tol: gradient tolerance of BFGS (on the mean NLL).
        max_iterations: iteration cap per optimiser.

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
    optimize = require("scipy.optimize", "stats")
    start = np.asarray(start, dtype=float)
    value0, _ = objective(start)
    if not np.isfinite(value0):
        raise FitError(_advice(model, "the log-likelihood is not finite at the start values"))
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
        if not _good(np, result, tol):
            polish = optimize.minimize(
                objective,
                result.x if np.all(np.isfinite(result.x)) else start,
                jac=True,
                method="L-BFGS-B",
                options={"gtol": tol, "ftol": 1e-15, "maxiter": max_iterations},
            )
            iterations += int(polish.nit)
            if _good(np, polish, tol * 100):
                result = polish
            else:
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
                result = simplex
    log_params = np.asarray(result.x, dtype=float)
    runaway = [n for n, v in zip(names, log_params.tolist(), strict=True) if abs(v) > 25]
    if runaway:
        raise FitError(
            _advice(
                model,
                f"{', '.join(runaway)} ran off towards 0 or infinity, so the data do not "
                "identify the model (for example too few repeat purchases)",
            )
        )
    hessian = _hessian(np, objective, log_params) * customers
    errors = _standard_errors(np, hessian, log_params, shift, names, model)
    if shift is not None:
        log_params = log_params + shift
    params = np.exp(log_params)
    if not np.all(np.isfinite(params)):
        raise FitError(_advice(model, "a parameter ran off to 0 or infinity"))
    return Estimate(
        params={n: float(v) for n, v in zip(names, params.tolist(), strict=True)},
        standard_errors=errors,
        log_likelihood=-float(result.fun) * customers,
        customers=float(customers),
        iterations=iterations,
        converged=True,
    )


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
    np: Any, hessian: Any, log_params: Any, shift: Any, names: Sequence[str], model: str
) -> dict[str, float]:
    params = np.exp(log_params if shift is None else log_params + shift)
    try:
        covariance = np.linalg.inv(hessian)
        variances = np.diag(covariance)
    except np.linalg.LinAlgError:
        variances = np.full(len(names), np.nan)
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
