"""OLS driver analysis: which items drive overall satisfaction.

:func:`ols` fits ``y = b0 + b1·x1 + … + e`` by least squares (extra ``stats``: NumPy and
SciPy, imported when called) and reports what JMP's "Fit Least Squares" does: estimates,
standard errors, t and two-sided p per term, R², adjusted R², RMSE and the ANOVA F test.
Rows with a missing answer are dropped (listwise), so n can be lower than the sample.

Examples:
    >>> from crmkit.survey import fit_statistics
    >>> fit = fit_statistics(ss_model=73.697038, ss_error=13.036295, n=60, predictors=4)
    >>> round(fit.r2, 6), round(fit.adjusted_r2, 6), round(fit.rmse, 6), round(fit.f, 4)
    (0.849697, 0.838766, 0.486851, 77.7318)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from crmkit.errors import FitError, ValidationError
from crmkit.extras import require
from crmkit.survey._number import finite_number, is_missing, is_whole

__all__ = ["Coefficient", "FitStatistics", "OLSResult", "coefficient_test", "fit_statistics", "ols"]


@attrs.frozen
class Coefficient:
    """One regression term: estimate, standard error, t = estimate/SE and two-sided p.

    Examples:
        >>> from crmkit.survey import coefficient_test
        >>> c = coefficient_test(0.2460096, 0.062037, df=55, name="05 follow-up after")
        >>> round(c.t, 3), round(c.p, 4)
        (3.966, 0.0002)
    """

    name: str
    estimate: float
    std_error: float
    t: float
    p: float
    df: int


def coefficient_test(estimate: float, std_error: float, df: int, name: str = "") -> Coefficient:
    """t test of one coefficient: ``t = estimate / std_error`` and its two-sided p with
    ``df`` residual degrees of freedom (extra ``stats``).

    Raises:
        ValidationError: a non-positive standard error or ``df < 1``.

    Examples:
        >>> from crmkit.survey import coefficient_test
        >>> round(coefficient_test(-0.037668, 0.351805, df=55).p, 4)
        0.9151
    """
    if not std_error > 0:
        raise ValidationError.single("std_error", std_error, "must be above 0")
    if not is_whole(df) or df < 1:
        raise ValidationError.single("df", df, "must be a whole number of at least 1")
    df = int(df)
    stats = require("scipy.stats", "stats")
    t = estimate / std_error
    p = float(2 * stats.t.sf(abs(t), df))
    return Coefficient(name=name, estimate=estimate, std_error=std_error, t=t, p=p, df=df)


@attrs.frozen
class FitStatistics:
    """Summary of fit and ANOVA of a regression with an intercept.

    Examples:
        >>> from crmkit.survey import fit_statistics
        >>> fit = fit_statistics(ss_model=8.0, ss_error=2.0, n=12, predictors=1)
        >>> fit.r2, fit.df_error, fit.f
        (0.8, 10, 40.0)
    """

    n: int
    predictors: int
    ss_model: float
    ss_error: float
    ss_total: float
    df_model: int
    df_error: int
    ms_model: float
    ms_error: float
    r2: float
    adjusted_r2: float
    rmse: float
    f: float
    f_p: float


def fit_statistics(ss_model: float, ss_error: float, n: int, predictors: int) -> FitStatistics:
    """R², adjusted R², RMSE and the F test from the sums of squares (extra ``stats`` for
    the F p-value). Use it to check a published ANOVA table (seed 003, TV-5).

    Raises:
        ValidationError: negative sums of squares, or too few rows for the predictors.

    Examples:
        >>> from crmkit.survey import fit_statistics
        >>> fit_statistics(ss_model=1.0, ss_error=1.0, n=3, predictors=2)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: n: 3 must exceed predictors + 1 (3)
    """
    if not is_whole(predictors) or predictors < 1:
        raise ValidationError.single("predictors", predictors, "must be a whole number >= 1")
    if not is_whole(n) or n <= predictors + 1:
        raise ValidationError.single("n", n, f"must exceed predictors + 1 ({predictors + 1})")
    n, predictors = int(n), int(predictors)
    if not ss_model >= 0:
        raise ValidationError.single("ss_model", ss_model, "must be zero or more")
    if not ss_error >= 0:
        raise ValidationError.single("ss_error", ss_error, "must be zero or more")
    df_model, df_error = predictors, n - predictors - 1
    ss_total = ss_model + ss_error
    ms_model, ms_error = ss_model / df_model, ss_error / df_error
    r2 = ss_model / ss_total if ss_total > 0 else math.nan
    adjusted = 1 - (1 - r2) * (n - 1) / df_error
    if ms_error > 0:
        f = ms_model / ms_error
        stats = require("scipy.stats", "stats")
        f_p = float(stats.f.sf(f, df_model, df_error))
    else:
        f, f_p = math.inf, 0.0
    return FitStatistics(
        n=n,
        predictors=predictors,
        ss_model=ss_model,
        ss_error=ss_error,
        ss_total=ss_total,
        df_model=df_model,
        df_error=df_error,
        ms_model=ms_model,
        ms_error=ms_error,
        r2=r2,
        adjusted_r2=adjusted,
        rmse=math.sqrt(ms_error),
        f=f,
        f_p=f_p,
    )


def _least_squares(np: Any, x: Any, y: Any) -> tuple[Any, Any, float, float, float]:
    """Least squares of ``y`` on an intercept and the columns of ``x`` (rows complete).

    Returns ``(coefficients, variance factors, SS model, SS error, mean y)``; the variance
    factors are the diagonal of ``(XᵀX)⁻¹`` (intercept first), so the standard errors are
    ``√(MSE · factor)``.
    """
    n, k = x.shape
    eps = float(np.finfo(float).eps)
    # centre in two passes (the second removes the rounding error of the first mean)
    mean_x = x.mean(axis=0)
    centred = x - mean_x
    drift = centred.mean(axis=0)
    mean_x, centred = mean_x + drift, centred - drift
    mean_y = float(y.mean())
    y_c = y - mean_y
    drift_y = float(y_c.mean())
    mean_y, y_c = mean_y + drift_y, y_c - drift_y
    norms = np.linalg.norm(centred, axis=0)
    # a column whose spread is at the rounding level of its values is constant: it is the
    # intercept again (statsmodels' relative tolerance, applied per column)
    magnitude = np.sqrt(n) * np.max(np.abs(x), axis=0)
    constant = norms <= max(n, k + 1) * eps * magnitude
    if constant.any():
        rank = k + 1 - int(constant.sum())
        raise FitError(
            f"the predictors are collinear (design matrix rank {rank} < {k + 1}): "
            f"{int(constant.sum())} predictor(s) constant on the complete rows; drop or "
            "combine predictors"
        )
    scaled = centred / norms
    u, singular, vt = np.linalg.svd(scaled, full_matrices=False)
    tolerance = float(singular.max()) * max(n, k + 1) * eps
    rank = int((singular > tolerance).sum())
    if rank < k:
        raise FitError(
            "the predictors are collinear (design matrix rank "
            f"{rank + 1} < {k + 1}); drop or combine predictors"
        )
    projected = u.T @ y_c
    slopes = (vt.T @ (projected / singular)) / norms
    fitted = u @ projected
    residuals = y_c - fitted
    # (XᵀX)⁻¹ of the centred, scaled columns is V S⁻² Vᵀ; the intercept's factor is
    # 1/n + mᵀ (XcᵀXc)⁻¹ m with m the column means
    whitened = vt / singular[:, None]  # S⁻¹ Vᵀ
    slope_factors = (whitened**2).sum(axis=0) / norms**2
    intercept_factor = 1.0 / n + float(((whitened @ (mean_x / norms)) ** 2).sum())
    intercept = mean_y - float(mean_x @ slopes)
    coefficients = np.concatenate(([intercept], slopes))
    factors = np.concatenate(([intercept_factor], slope_factors))
    return coefficients, factors, float(fitted @ fitted), float(residuals @ residuals), mean_y


@attrs.frozen
class OLSResult:
    """A fitted OLS driver model.

    Attributes:
        response: name of the dependent item.
        coefficients: intercept first, then one per predictor, in the given order.
        fit: :class:`FitStatistics` (R², adjusted R², RMSE, ANOVA F).
        mean_response: mean of the response on the rows used.

    Examples:
        >>> from crmkit.survey import ols
        >>> res = ols([1, 3, 5, 7.5], {"x": [0, 1, 2, 3]}, response="y")
        >>> round(res["x"].estimate, 6), res.fit.n
        (2.15, 4)
    """

    response: str
    coefficients: tuple[Coefficient, ...]
    fit: FitStatistics
    mean_response: float

    def __getitem__(self, name: str) -> Coefficient:
        for coef in self.coefficients:
            if coef.name == name:
                return coef
        raise ValidationError.single("term", name, "is not a term of the model")

    def drivers(self, alpha: float = 0.05) -> list[Coefficient]:
        """Predictors significant at ``alpha``, strongest (largest |t|) first.

        Examples:
            >>> from crmkit.survey import ols
            >>> res = ols([1, 3, 5, 7.5, 9], {"x": [0, 1, 2, 3, 4], "z": [1, 0, 1, 1, 0]})
            >>> [c.name for c in res.drivers()]
            ['x']
        """
        chosen = [c for c in self.coefficients[1:] if c.p < alpha]
        return sorted(chosen, key=lambda c: -abs(c.t))


def ols(
    y: Sequence[float | int | None],
    predictors: Mapping[str, Sequence[float | int | None]],
    *,
    response: str = "y",
) -> OLSResult:
    """Fit an OLS regression with intercept (extra ``stats``); rows with any missing value
    are dropped.

    Raises:
        ValidationError: columns of different lengths, non-numbers, no predictors, or too
            few complete rows.
        FitError: collinear predictors (the design matrix is rank deficient), including a
            predictor that is constant up to rounding.

    The fit is numerically stable for badly conditioned designs (for example predictors
    with large offsets, such as years or account numbers): predictors are centred — exactly
    equivalent with an intercept — and scaled to unit length, and the least-squares problem
    is solved by the singular value decomposition, with the rank decided by statsmodels' and
    NumPy's tolerance (singular values below ``max(n, k) · ε`` of the largest are zero).
    Standard errors come from the same decomposition, never from inverting ``XᵀX`` (which
    squares the condition number).

    Examples:
        >>> from crmkit.survey import ols
        >>> res = ols([2, 4, None, 8, 11], {"x": [1, 2, 3, 4, 5]})
        >>> res.fit.n, round(res.fit.r2, 4)
        (4, 0.9928)
    """
    names = list(predictors)
    if not names:
        raise ValidationError.single("predictors", {}, "must name at least one predictor")
    if "(Intercept)" in names:
        raise ValidationError.single("predictors", "(Intercept)", "is a reserved term name")
    ys = list(y)
    columns = {name: list(col) for name, col in predictors.items()}
    for name, col in columns.items():
        if len(col) != len(ys):
            raise ValidationError.single(
                f"predictors.{name}", len(col), f"values given but y has {len(ys)}"
            )
    rows: list[list[float]] = []
    targets: list[float] = []
    for i, target in enumerate(ys):
        cells = [target] + [columns[name][i] for name in names]
        if any(is_missing(c) for c in cells):
            continue
        numbers = [
            finite_number(c, f"{'y' if label == 'y' else f'predictors.{label}'}[{i}]",
                          "is not a finite number")
            for label, c in zip(["y", *names], cells, strict=True)
        ]  # fmt: skip
        targets.append(numbers[0])
        rows.append([1.0, *numbers[1:]])
    k = len(names)
    n = len(rows)
    if n <= k + 1:
        raise ValidationError.single(
            "y", n, f"complete rows are too few for {k} predictor(s); need more than {k + 1}"
        )
    np = require("numpy", "stats")
    solved = _least_squares(np, np.asarray(rows, dtype=float)[:, 1:], np.asarray(targets))
    beta, variance_factors, ss_model, ss_error, mean_y = solved
    fit = fit_statistics(ss_model, ss_error, n, k)
    standard_errors = np.sqrt(fit.ms_error * variance_factors)
    stats = require("scipy.stats", "stats")
    coefficients = []
    for j, name in enumerate(["(Intercept)", *names]):
        se = float(standard_errors[j])
        est = float(beta[j])
        if se > 0:
            t = est / se
            p = float(2 * stats.t.sf(abs(t), fit.df_error))
        else:
            t, p = math.copysign(math.inf, est) if est else math.nan, 0.0 if est else math.nan
        coefficients.append(
            Coefficient(name=name, estimate=est, std_error=se, t=t, p=p, df=fit.df_error)
        )
    return OLSResult(
        response=response, coefficients=tuple(coefficients), fit=fit, mean_response=mean_y
    )
