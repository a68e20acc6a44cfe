"""The Pareto/NBD model (Schmittlein, Morrison & Colombo 1987; Fader & Hardie note 009).

While alive, a customer buys at a Poisson rate λ ~ Gamma(r, α); their lifetime is exponential
with rate μ ~ Gamma(s, β). Fitted by maximum likelihood on ``(frequency, recency, T)``.

Numerics: the likelihood's Gauss hypergeometric terms ``2F1(a, b; a + 1; z)`` are evaluated
after an Euler transformation, ``(1 − z)^(1 − b) 2F1(1, a + 1 − b; a + 1; z)``, whose series is
bounded by ``1 / (1 − z)`` — so very frequent customers cannot overflow it — and everything is
combined in log space (log-sum-exp, ``log(−expm1(·))`` for the difference of the two terms).
The fit is Newton's method with the exact gradient and Hessian (a handful of likelihood
evaluations from the start): the hypergeometric function's first and second derivatives in
its parameters come from summing its series alongside it (see ``_hyp2f1_one``); parameters
are on the log scale with time rescaled to max T = 1. Predictions evaluate ``l(t_x)`` once
for all customers without repeat purchases, sort the others by frequency once for both
series, sum each series re-expanded about the centre of its range of ``z``
(:func:`crmkit.clv._pareto_series.values_in_groups`; by bins of ``z`` where that range is
wide, :func:`crmkit.clv._pareto_series.values_by_level`), and write P(alive) so that the alive
term's logarithms cancel (:func:`_alive`).

Examples:
    >>> from crmkit.clv import ParetoNBD
    >>> model = ParetoNBD(r=0.5533, alpha=10.5777, s=0.6062, beta=11.6665)
    >>> round(float(model.probability_alive(2, 30.43, 38.86)[0]), 4)
    0.8691
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from crmkit.clv._model import FittedModel
from crmkit.clv._pareto_series import groups as series_groups
from crmkit.clv._pareto_series import series_by_group, values_by_level, values_in_groups
from crmkit.clv.beta_geo import newton_start_values
from crmkit.clv.beta_geo import start_values as beta_geo_start
from crmkit.clv.estimation import (
    MAX_LOG_ERROR,
    approximate_inverse_hessian,
    fast_dot,
    float_arrays,
    pattern_sample,
    positive,
    special_functions,
    warm_start,
)
from crmkit.clv.history import History
from crmkit.clv.summary import TimeUnit
from crmkit.extras import require
from crmkit.progress import ProgressOption

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

__all__ = ["ParetoNBD"]

_PARAMS = ("r", "alpha", "s", "beta")


def _expm1_over(np: Any, eps: float, u: Any) -> Any:
    """``(e^(eps·u) − 1) / eps``, and its limit ``u`` at ``eps = 0`` (the valid ``s = 1``).

    ``expm1`` keeps the relative accuracy for any small ``eps``, so only the exact 0/0 needs
    the limit.

    Examples:
        >>> import numpy as np
        >>> from crmkit.clv.pareto_nbd import _expm1_over
        >>> float(_expm1_over(np, 0.0, np.array(2.0))), float(_expm1_over(np, 1e-300, np.array(2.0)))
        (2.0, 2.0)
    """
    if eps == 0:
        return np.asarray(u, dtype=float)
    return np.expm1(eps * u) / eps


#: above this z the series of 2F1(1, B; C; z) is slow, and SciPy's ``hyp2f1`` — fine below —
#: returns NaN, inf or a few correct digits once B is large too (about B > 140: large s or x)
_SERIES_BELOW = 0.9
_SCIPY_UP_TO = 50.0  # B up to which SciPy's hyp2f1(1, B; C; z > 0.9) is used (with margin)


def _hyp2f1(np: Any, sp: Any, B: Any, C: Any, z: Any) -> Any:  # noqa: N803
    """``2F1(1, B; C; z)`` for ``C > B > 0`` and ``0 ≤ z < 1``, to double precision everywhere.

    SciPy's ``hyp2f1`` where it is reliable (``z ≤ 0.9``, or small ``B``); Gauss's continued
    fraction (:func:`_hyp2f1_fraction`) for large ``B`` near ``z = 1``, and wherever SciPy's
    value is not finite.

    Examples:
        >>> import numpy as np, scipy.special as sp
        >>> from crmkit.clv.pareto_nbd import _hyp2f1
        >>> float(_hyp2f1(np, sp, 1001.0, 1001.5, 0.9995)[0]) > 0, float(sp.hyp2f1(1, 1001.0, 1001.5, 0.9995))
        (True, nan)
    """
    B, C, z = (np.atleast_1d(np.asarray(v, dtype=float)) for v in np.broadcast_arrays(B, C, z))  # noqa: N806
    hard = (z > _SERIES_BELOW) & (B > _SCIPY_UP_TO)
    if not hard.any():
        out = np.asarray(sp.hyp2f1(1.0, B, C, z), dtype=float)
    else:  # SciPy is also slow there (it iterates before giving up): do not call it at all
        out = np.empty(z.shape)
        easy = ~hard
        out[easy] = sp.hyp2f1(1.0, B[easy], C[easy], z[easy])
    bad = hard | ~np.isfinite(out)
    if bad.any():
        out[bad] = _hyp2f1_fraction(np, B[bad], C[bad], z[bad])
    return out


_FRACTION_TERMS = 50_000  # far more than z = 1 − 1e-7 needs with B in the thousands
_FRACTION_BLOCK = 16  # terms between convergence checks


def _hyp2f1_fraction(np: Any, B: Any, C: Any, z: Any) -> Any:  # noqa: N803
    """``2F1(1, B; C; z)`` by Gauss's continued fraction, evaluated by the modified Lentz method.

    ``2F1(B, 1; C; z) / 2F1(B, 0; C − 1; z)`` (the denominator is 1) is
    ``1 / (1 − k₁z / (1 − k₂z / (1 − …)))`` with, for ``c = C − 1``,
    ``k₂ₙ₊₁ = (B + n)(c + n) / ((c + 2n)(c + 2n + 1))`` and
    ``k₂ₙ = n (c − B + n) / ((c + 2n − 1)(c + 2n))``. Every partial numerator is negative and
    every term positive, so it converges for all ``0 ≤ z < 1`` without cancellation — in a
    few dozen terms when ``B`` is large, where the series needs ~``1 / (1 − z)``. Rows are
    iterated together until each has converged to rounding; a row that has not after
    ``_FRACTION_TERMS`` terms is NaN.
    """
    c = np.asarray(C, dtype=float) - 1.0
    B, z = np.asarray(B, dtype=float), np.asarray(z, dtype=float)  # noqa: N806
    result = np.full(c.shape, np.nan)
    value, lentz_c, lentz_d = np.ones(c.shape), np.ones(c.shape), np.zeros(c.shape)
    active = np.arange(c.shape[0])
    m = 0
    while m < _FRACTION_TERMS and active.shape[0]:
        # a block of terms on the same rows (a Python loop per term is the cost here), then
        # the rows that have converged to rounding leave; the last terms of a converged row
        # multiply it by 1 ± 1e-16
        for _ in range(_FRACTION_BLOCK):
            m += 1
            n = m // 2
            if m % 2:
                k = (B + n) * (c + n) / ((c + 2 * n) * (c + 2 * n + 1))
            else:
                k = n * (c - B + n) / ((c + 2 * n - 1) * (c + 2 * n))
            numerator = -k * z
            lentz_d = 1.0 / np.maximum(1.0 + numerator * lentz_d, 1e-300)
            lentz_c = np.maximum(1.0 + numerator / lentz_c, 1e-300)
            delta = lentz_c * lentz_d
            value *= delta
        done = np.abs(delta - 1.0) <= 4e-16
        if done.any():
            result[active[done]] = 1.0 / value[done]
            keep = ~done
            active, B, c, z = active[keep], B[keep], c[keep], z[keep]  # noqa: N806
            value, lentz_c, lentz_d = value[keep], lentz_c[keep], lentz_d[keep]
    return result


def _log_term(np: Any, sp: Any, params: Any, x: Any, t: Any) -> Any:
    """``l(t) = log 2F1(r+s+x, b; r+s+x+1; z) − (r+s+x) log(max(α, β) + t)``, ``z = |α − β| /
    (max(α, β) + t)`` and ``b = s + 1`` when ``α ≥ β``, else ``r + x`` (so ``A0 = e^l(t_x) −
    e^l(T)``, note 009 eqs. 19/20)."""
    r, alpha, s, beta = params
    x, t = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(t, dtype=float))
    second = s + 1 if alpha >= beta else r + x
    rsx = r + s + x
    shifted = max(alpha, beta) + t
    z = abs(alpha - beta) / shifted
    # log 2F1(a, b; a + 1; z) = (1 − b) log(1 − z) + log 2F1(1, a + 1 − b; a + 1; z), bounded
    log_f = np.log(_hyp2f1_by_frequency(np, sp, params, x, z))
    return (1 - second) * np.log1p(-z) + log_f - rsx * np.log(shifted)


def _frequency_groups(np: Any, x: Any) -> tuple[Any, Any]:
    """The frequencies ``freqs`` of :func:`_hyp2f1_by_frequency`'s groups and each row's
    group: whole numbers below 2048 are their own group numbers (16-bit, no search).

    Examples:
        >>> import numpy as np
        >>> from crmkit.clv.pareto_nbd import _frequency_groups
        >>> [v.tolist() for v in _frequency_groups(np, np.array([2.0, 0.0]))]
        [[0.0, 1.0, 2.0], [2, 0]]
        >>> [v.tolist() for v in _frequency_groups(np, np.array([2.5, 0.0]))]
        [[0.0, 2.5], [1, 0]]
    """
    if x.shape[0] and float(x.min()) >= 0 and float(x.max()) < 2048:
        group = x.astype(np.int16)
        if np.array_equal(group, x):
            return np.arange(float(group.max()) + 1.0), group
    freqs, group = np.unique(x, return_inverse=True)
    return freqs, group.ravel()


def _hyp2f1_by_frequency(
    np: Any, sp: Any, params: Any, x: Any, z: Any, groups: tuple[Any, Any] | None = None
) -> Any:
    """``2F1(1, B; C; z)`` of :func:`_log_term` (``C = r+s+x+1``; ``B = r+x`` when ``α ≥ β``,
    else ``s+1``): summed per frequency and bin of ``z``
    (:func:`crmkit.clv._pareto_series.values_by_level`) for ``z ≤ 0.9``, :func:`_hyp2f1`
    above. ``groups`` is :func:`_frequency_groups` of ``x`` if known.

    Examples:
        >>> import numpy as np, scipy.special as sp
        >>> from crmkit.clv.pareto_nbd import _hyp2f1_by_frequency
        >>> x, z = np.array([3.0, 0.0, 3.0]), np.array([0.5, 0.2, 0.95])
        >>> got = _hyp2f1_by_frequency(np, sp, (0.5, 2.0, 0.7, 1.0), x, z)
        >>> bool(np.all(np.abs(got / sp.hyp2f1(1.0, 0.5 + x, 2.2 + x, z) - 1) < 1e-14))
        True
    """
    r, alpha, s, beta = params
    shape = np.broadcast(x, z).shape
    x, z = (np.broadcast_to(v, shape).ravel() for v in (x, z))
    if not x.shape[0]:
        return np.empty(shape)
    freqs, group = _frequency_groups(np, x) if groups is None else groups
    fast = float(z.max()) <= _SERIES_BELOW
    series = None if fast else z <= _SERIES_BELOW
    z_series = z if series is None else np.where(series, z, 0.0)
    big_b = r + freqs if alpha >= beta else np.full(freqs.shape, s + 1.0)
    out = values_by_level(np, big_b, r + s + freqs + 1.0, group, z_series)
    if series is not None:
        slow = ~series
        rows_b = r + x[slow] if alpha >= beta else np.full(int(slow.sum()), s + 1.0)
        out[slow] = _hyp2f1(np, sp, rows_b, r + s + x[slow] + 1.0, z[slow])
    return out.reshape(shape)


def _log_a0(np: Any, sp: Any, params: Any, x: Any, tx: Any, age: Any) -> Any:
    """log A0 of Fader & Hardie's note 009, eqs. (19)/(20); −inf when ``recency == T``.

    ``l(t_x)`` is computed once for all the customers without repeat purchases (frequency
    and recency 0, usually most of them) and broadcast: the same value, one hypergeometric
    evaluation instead of one per customer.
    """
    l2 = _log_term(np, sp, params, x, age)
    none = (x == 0) & (tx == 0)
    if x.shape[0] > 1 and none.any():
        l1 = np.empty(x.shape)
        l1[none] = _log_term(np, sp, params, np.zeros(1), np.zeros(1))[0]
        some = ~none
        l1[some] = _log_term(np, sp, params, x[some], tx[some])
    else:
        l1 = _log_term(np, sp, params, x, tx)
    # A0 = 0 exactly where recency == T (the two terms may be summed in different blocks of
    # the series, so differ by rounding)
    same = np.broadcast_to(tx == age, l2.shape)
    if same.any():
        l2 = np.where(same, np.broadcast_to(l1, l2.shape), l2)
    with np.errstate(divide="ignore"):
        return l1 + np.log(-np.expm1(l2 - l1))


#: rows per step of the per-customer arithmetic in :func:`_alive` (a dozen temporaries
#: of this size stay in the processor's cache, several times faster than passes over 1M rows)
_CHUNK = 16384


#: above this ``d`` (:func:`_alive`) the odds are combined in log space (``e^d`` overflows near 710)
_LINEAR_UP_TO = 600.0


def _alive(np: Any, sp: Any, params: Any, x: Any, tx: Any, age: Any, finish: Any = None) -> Any:
    """``P(alive) = 1 / (1 + odds)`` given each history, ``odds = e^(died − alive)`` of
    eq. 18, or ``finish(rows, p_alive)`` of it for each slice of rows.

    ``died − alive = log s − log(r+s+x) + log A0 + (r+x) log(α+T) + s log(β+T)`` with
    ``A0 = e^l(t_x) − e^l(T)`` (:func:`_log_term`). Written out, the logarithms of ``α + T``
    and ``β + T`` cancel against those in ``l(T)``, so that
    ``odds = s / (r+s+x) · F_T · (1 − z_T)^[α < β] · (e^d − 1)`` with ``F_t = 2F1(1, B; C;
    z_t)`` and ``d = l(t_x) − l(T) = (r+x) log((α+T)/(α+t_x)) + s log((β+T)/(β+t_x)) +
    log(F_tx / F_T) − [α < β] log((α+T)(β+t_x) / ((α+t_x)(β+T)))``: four logarithms and
    exponentials per customer instead of a dozen, each ratio's logarithm by ``log1p`` of a
    difference (accurate when ``t_x`` is near ``T``); ``d = 0`` where ``t_x = T``. The
    hypergeometric values are computed for all rows at once (``F_tx`` once for all the
    customers without repeat purchases, who share it), the rest a slice of rows at a time.
    """
    r, alpha, s, beta = params
    shape = x.shape
    x, tx, age = (v.ravel() for v in (x, tx, age))
    f_age, f_tx = _alive_series(np, sp, params, x, tx, age)
    out = np.empty(x.shape)
    for lo in range(0, x.shape[0], _CHUNK):
        rows = slice(lo, lo + _CHUNK)
        xc, txc, agec, f2 = x[rows], tx[rows], age[rows], f_age[rows]
        ahead = agec - txc
        log_alpha = np.log1p(ahead / (alpha + txc))
        log_beta = np.log1p(ahead / (beta + txc))
        d = (r + xc) * log_alpha + s * log_beta + np.log(f_tx[rows] / f2)
        if alpha < beta:
            d -= log_alpha - log_beta
            f2 = f2 * ((alpha + agec) / (beta + agec))
        d[ahead == 0] = 0.0
        factor = s / (r + s + xc) * f2
        alive = 1.0 / (1.0 + factor * np.expm1(np.minimum(d, _LINEAR_UP_TO)))
        far = d > _LINEAR_UP_TO
        if far.any():  # e^d would overflow: P(alive) = expit(−log odds), log(e^d − 1) = d
            alive[far] = sp.expit(-(np.log(factor[far]) + d[far]))
        out[rows] = alive if finish is None else finish(rows, alive)
    return out.reshape(shape)


def _alive_series(np: Any, sp: Any, params: Any, x: Any, tx: Any, age: Any) -> tuple[Any, Any]:
    """``F_T`` and ``F_tx`` of :func:`_alive` (``2F1(1, B; C; z_t)``, :func:`_log_term`),
    each row's, in the rows' order.

    The customers without repeat purchases (frequency and recency 0) share ``F_tx``, and
    their ``F_T`` is one group's (frequency 0): summed in their own order. The others are
    sorted by frequency once, and both their series are summed on that order
    (:func:`_hyp2f1_grouped`): one sort and one gather and scatter per series of the rows
    with repeat purchases, instead of a sort by frequency and bin of ``z`` of all rows for
    each series.

    Examples:
        >>> import numpy as np, scipy.special as sp
        >>> from crmkit.clv.pareto_nbd import _alive_series
        >>> x, tx, age = np.array([0.0, 3.0, 1.0]), np.array([0.0, 4.0, 2.0]), np.array([5.0, 6.0, 7.0])
        >>> f_age, f_tx = _alive_series(np, sp, (0.5, 2.0, 0.7, 1.0), x, tx, age)
        >>> want = sp.hyp2f1(1.0, 0.5 + x, 2.2 + x, 1.0 / (2.0 + age))
        >>> bool(np.all(np.abs(f_age / want - 1) < 1e-14))
        True
        >>> bool(np.all(np.abs(f_tx / sp.hyp2f1(1.0, 0.5 + x, 2.2 + x, 1.0 / (2.0 + tx)) - 1) < 1e-14))
        True
    """
    _, alpha, _, beta = params
    big, gap = max(alpha, beta), abs(alpha - beta)
    without = (x == 0) & (tx == 0)
    none, some = np.flatnonzero(without), np.flatnonzero(~without)
    # 2F1 at t_x: one value for the customers without repeat purchases
    f_none = _hyp2f1_by_frequency(np, sp, params, np.zeros(1), np.full(1, gap / big))
    f_tx = np.full(x.shape, f_none[0])
    f_age = np.empty(x.shape)
    if none.shape[0]:  # frequency 0's series, the rows in their order
        f_age[none] = _hyp2f1_grouped(
            np, sp, params, np.zeros(1), np.array([0, none.shape[0]]), gap / (big + age[none])
        )
    if some.shape[0]:
        freqs, group = _frequency_groups(np, x[some])
        by_group = np.argsort(group, kind="stable")
        rows = some[by_group]
        starts = np.zeros(freqs.shape[0] + 1, dtype=np.intp)
        np.cumsum(np.bincount(group, minlength=freqs.shape[0]), out=starts[1:])
        for f, t in ((f_age, age), (f_tx, tx)):
            f[rows] = _hyp2f1_grouped(np, sp, params, freqs, starts, gap / (big + t[rows]))
    return f_age, f_tx


def _hyp2f1_grouped(np: Any, sp: Any, params: Any, freqs: Any, starts: Any, z: Any) -> Any:
    """``2F1(1, B; C; z)`` of :func:`_log_term` for rows sorted by frequency (``freqs[g]`` on
    rows ``starts[g]:starts[g + 1]``): one expansion for all rows
    (:func:`crmkit.clv._pareto_series.values_in_groups`) when ``z ≤ 0.9`` spans a range it
    covers in few terms, else :func:`_hyp2f1_by_frequency` (by bins of ``z``).

    Examples:
        >>> import numpy as np, scipy.special as sp
        >>> from crmkit.clv.pareto_nbd import _hyp2f1_grouped
        >>> z = np.array([0.3, 0.1, 0.95])
        >>> got = _hyp2f1_grouped(np, sp, (0.5, 2.0, 0.7, 1.0), np.array([0.0, 3.0]),
        ...                       np.array([0, 1, 3]), z)
        >>> x = np.array([0.0, 3.0, 3.0])
        >>> bool(np.all(np.abs(got / sp.hyp2f1(1.0, 0.5 + x, 2.2 + x, z) - 1) < 1e-14))
        True
    """
    r, alpha, s, beta = params
    if z.shape[0] and float(z.max()) <= _SERIES_BELOW:
        big_b = r + freqs if alpha >= beta else np.full(freqs.shape, s + 1.0)
        out = values_in_groups(np, big_b, r + s + freqs + 1.0, starts, z)
        if out is not None:
            return out
    group = np.repeat(np.arange(freqs.shape[0]), np.diff(starts))
    return _hyp2f1_by_frequency(np, sp, params, freqs[group], z, (freqs, group))


def _log_likelihood(np: Any, sp: Any, params: Any, x: Any, tx: Any, age: Any) -> Any:
    r, alpha, s, beta = params
    a1 = sp.gammaln(r + x) - sp.gammaln(r) + r * math.log(alpha) + s * math.log(beta)
    alive = -(r + x) * np.log(alpha + age) - s * np.log(beta + age)
    died = math.log(s) - np.log(r + s + x) + _log_a0(np, sp, params, x, tx, age)
    return a1 + np.logaddexp(alive, died)


@attrs.frozen
class ParetoNBD(FittedModel):
    """A Pareto/NBD model with parameters ``r``, ``alpha``, ``s``, ``beta`` and fit metadata.

    Examples:
        >>> from crmkit.clv import ParetoNBD
        >>> ParetoNBD(r=1.0, alpha=1.0, s=1.0, beta=1.0).to_dict()["params"]["s"]
        1.0
    """

    r: float = attrs.field(validator=positive)
    alpha: float = attrs.field(validator=positive)
    s: float = attrs.field(validator=positive)
    beta: float = attrs.field(validator=positive)
    standard_errors: dict[str, float] = attrs.field(factory=dict, eq=False)
    log_likelihood: float | None = attrs.field(default=None, eq=False)
    customers: float | None = attrs.field(default=None, eq=False)
    time_unit: TimeUnit | None = None

    PARAMETERS: ClassVar[tuple[str, ...]] = _PARAMS

    @classmethod
    def fit(
        cls,
        data: Any,
        *,
        time_unit: TimeUnit | None = None,
        weights: str | None = None,
        initial_params: dict[str, float] | None = None,
        penalizer: float = 0.0,
        progress: ProgressOption = None,
    ) -> ParetoNBD:
        """Fit by maximum likelihood (see :meth:`crmkit.clv.BetaGeo.fit` for the arguments).

        ``penalizer`` is lifetimes' ``penalizer_coef`` (see
        :func:`~crmkit.clv.estimation.penalty`).

        Args:
            progress: ``True`` for a progress bar, or a callback ``(done, total)`` (see
                :mod:`crmkit.progress`); off by default.

        Examples:
            >>> from crmkit.clv import BetaGeo, ParetoNBD, simulate_beta_geo
            >>> data = simulate_beta_geo(BetaGeo(r=0.5, alpha=5.0, a=0.5, b=3.0), [40.0] * 300,
            ...                          seed=3)
            >>> model = ParetoNBD.fit(data, time_unit="weeks")
            >>> model.customers
            300.0
        """
        return cls._fit_histories(
            data, likelihood=_likelihood, model="Pareto/NBD", rates=(1, 3), time_unit=time_unit,
            weights=weights, initial_params=initial_params, penalizer=penalizer,
            progress=progress, start=cls._start, tol=1e-7, max_log_error=MAX_LOG_ERROR,
            hessian_from_gradient=_series_hessian_inexact,
        )  # fmt: skip

    @staticmethod
    def _start(history: History, scale: float, penalizer: float) -> tuple[Any, Any]:
        """Log start values and, on many distinct patterns, BFGS's first inverse Hessian."""
        np = require("numpy", "stats")
        # the BG/NBD purchase process (r, α) is a close start and, with β = α and s = 1,
        # keeps the hypergeometric argument |α − β| / (max + t) small while BFGS runs
        sample = pattern_sample(np, history.size)
        if sample is None:
            r_bg, alpha_bg, _, _ = newton_start_values(np, history, scale, penalizer)
            return np.array([r_bg, alpha_bg, 0.0, alpha_bg]), None
        r_bg, alpha_bg, _, _ = beta_geo_start(np, history, scale, penalizer)
        start = np.array([r_bg, alpha_bg, 0.0, alpha_bg])
        # many distinct patterns: the optimum of a seeded sub-sample's likelihood (an
        # unbiased estimate of the full one) is close, so BFGS on all of them needs a
        # few iterations instead of dozens
        sub = _objective(history.select(sample), scale, penalizer)
        start = warm_start(sub, start)
        return start, approximate_inverse_hessian(sub, start)

    def _params(self) -> tuple[float, float, float, float]:
        return self.r, self.alpha, self.s, self.beta

    def log_likelihood_of(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> Any:  # noqa: N803
        """Each customer's log-likelihood under the model (note 009, eq. 18).

        Examples:
            >>> from crmkit.clv import ParetoNBD
            >>> m = ParetoNBD(r=0.5533, alpha=10.5777, s=0.6062, beta=11.6665)
            >>> round(float(m.log_likelihood_of(0, 0, 38.86)[0]), 4)
            -0.5212
        """
        np, sp = special_functions()
        x, tx, age = float_arrays(frequency, recency, T)
        return np.atleast_1d(_log_likelihood(np, sp, self._params(), x, tx, age))

    def probability_alive(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> Any:  # noqa: N803
        """Probability that customers with these histories are still alive (note 009, §5.1).

        Examples:
            >>> from crmkit.clv import ParetoNBD
            >>> m = ParetoNBD(r=0.5533, alpha=10.5777, s=0.6062, beta=11.6665)
            >>> [round(v, 4) for v in m.probability_alive([0, 5], [0, 2.0], [38.86, 38.86]).tolist()]
            [0.2951, 0.0024]
        """
        np, sp = special_functions()
        x, tx, age = float_arrays(frequency, recency, T)
        return _alive(np, sp, self._params(), x, tx, age)

    def expected_purchases(self, t: ArrayLike) -> Any:
        """Expected repeat purchases of a new customer in ``t`` time units (note 009, eq. 27).

        Examples:
            >>> from crmkit.clv import ParetoNBD
            >>> m = ParetoNBD(r=0.5533, alpha=10.5777, s=0.6062, beta=11.6665)
            >>> round(float(m.expected_purchases(39)[0]), 4)
            1.2134
        """
        np, _ = special_functions()
        (t,) = float_arrays(t)
        r, alpha, s, beta = self._params()
        return r * beta / alpha * _expm1_over(np, 1 - s, np.log1p(t / beta))

    def conditional_expected_purchases(
        self,
        t: ArrayLike,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,  # noqa: N803
    ) -> Any:
        """Expected repeat purchases in the next ``t`` units of customers with these histories
        (note 009, eq. 41; lifetimes' ``predict``).

        Examples:
            >>> from crmkit.clv import ParetoNBD
            >>> m = ParetoNBD(r=0.5533, alpha=10.5777, s=0.6062, beta=11.6665)
            >>> round(float(m.conditional_expected_purchases(39, 2, 30.43, 38.86)[0]), 4)
            1.4551
        """
        np, sp = special_functions()
        t, x, tx, age = float_arrays(t, frequency, recency, T)
        r, alpha, s, beta = self._params()
        shape = x.shape
        t, x, tx, age = (v.ravel() for v in (t, x, tx, age))

        def finish(rows: slice, alive: Any) -> Any:
            # P(alive) · E[purchases in t | alive]: eq. 41 with the likelihood's alive term
            # divided out (exp(alive − log L) = P(alive))
            after = beta + age[rows]
            rate = (r + x[rows]) / (alpha + age[rows]) * after
            return alive * rate * _expm1_over(np, 1 - s, np.log1p(t[rows] / after))

        return _alive(np, sp, self._params(), x, tx, age, finish).reshape(shape)


def _hyp2f1_one(
    np: Any,
    sp: Any,
    B: Any,  # noqa: N803
    C: Any,  # noqa: N803
    z: Any,
    starts: Any,
    second: bool = False,
) -> tuple[Any, ...]:
    """``F = 2F1(1, B; C; z)`` and its derivatives in ``B``, ``C`` and ``z``, for ``C > B > 0``
    and ``0 ≤ z < 1``: ``(F, F_B, F_C, F_z)``, and with ``second`` also
    ``(F_BB, F_BC, F_CC, F_Bz, F_Cz, F_zz)``; rows grouped by ``(B[g], C[g])``, group ``g``
    holding rows ``starts[g]:starts[g + 1]`` of ``z``.

    With ``t_n = (B)_n / (C)_n z^n`` (so ``t_n ≤ z^n``), ``S_n = Σ_{k<n} 1/(B+k)``,
    ``U_n = Σ_{k<n} 1/(C+k)`` and ``S'_n``, ``U'_n`` the sums of their squares: ``F = Σ t_n``,
    ``∂F/∂B = Σ t_n S_n``, ``∂F/∂C = −Σ t_n U_n``, ``∂F/∂z = Σ n t_n / z``,
    ``∂²F/∂B² = Σ t_n (S_n² − S'_n)``, ``∂²F/∂B∂C = −Σ t_n S_n U_n``,
    ``∂²F/∂C² = Σ t_n (U_n² + U'_n)``, ``∂²F/∂B∂z = Σ n t_n S_n / z``,
    ``∂²F/∂C∂z = −Σ n t_n U_n / z`` and ``∂²F/∂z² = Σ n (n − 1) t_n / z²``: per group, each
    is a polynomial in ``z`` summed with as many terms as the block's largest ``z`` needs
    for double precision (:func:`crmkit.clv._pareto_series.series_by_group`). For
    ``z > 0.9`` (slow series) :func:`_hyp2f1` gives ``F`` and the derivatives come from its
    central differences.

    Examples:
        >>> import numpy as np, scipy.special as sp
        >>> from crmkit.clv.pareto_nbd import _hyp2f1_one
        >>> f, _, _, _ = _hyp2f1_one(np, sp, np.array([1.6]), np.array([4.2]), np.array([0.3, 0.95]),
        ...                          np.array([0, 2]))
        >>> bool(np.all(np.abs(f / sp.hyp2f1(1.0, 1.6, 4.2, [0.3, 0.95]) - 1) < 1e-14))
        True
    """
    series = z <= _SERIES_BELOW
    if series.all():
        return tuple(series_by_group(np, B, C, z, starts, 2 if second else 1))
    result = series_by_group(np, B, C, np.where(series, z, 0.0), starts, 2 if second else 1)
    slow = ~series
    counts = np.diff(starts)
    rows_b, rows_c = np.repeat(B, counts)[slow], np.repeat(C, counts)[slow]
    for out, value in zip(
        result, _hyp2f1_differences(np, sp, rows_b, rows_c, z[slow], second), strict=True
    ):
        out[slow] = value
    return tuple(result)


def _hyp2f1_differences(np: Any, sp: Any, b: Any, c: Any, z: Any, second: bool) -> list[Any]:
    """The outputs of :func:`_hyp2f1_one` from central differences of :func:`_hyp2f1` (one
    vectorised evaluation): steps of 1e-6 for the first derivatives, 1e-4 (so that rounding
    stays below the truncation error, ~1e-8) for the second."""
    hb, hc, hz = 1e-6 * np.maximum(b, 1.0), 1e-6 * np.maximum(c, 1.0), 1e-6 * (1.0 - z)
    points: list[tuple[float, float, float]] = [
        (0.0, 0.0, 0.0), (1.0, 0.0, 0.0), (-1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, -1.0, 0.0),
        (0.0, 0.0, 1.0), (0.0, 0.0, -1.0),
    ]  # fmt: skip
    wide = 100.0  # the second differences' steps, in units of the first's
    if second:
        points += [(i * wide, 0, 0) for i in (1, -1)] + [(0, i * wide, 0) for i in (1, -1)]
        points += [(0, 0, i * wide) for i in (1, -1)]
        for u, v in ((0, 1), (0, 2), (1, 2)):
            for su, sv in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
                step = [0.0, 0.0, 0.0]
                step[u], step[v] = su * wide, sv * wide
                points.append((step[0], step[1], step[2]))
    values = _hyp2f1(
        np, sp,
        np.concatenate([b + i * hb for i, _, _ in points]),
        np.concatenate([c + j * hc for _, j, _ in points]),
        np.concatenate([z + k * hz for _, _, k in points]),
    ).reshape(len(points), -1)  # fmt: skip
    at = dict(zip(points, values, strict=True))
    f = at[0.0, 0.0, 0.0]
    out = [
        f,
        (at[1.0, 0.0, 0.0] - at[-1.0, 0.0, 0.0]) / (2 * hb),
        (at[0.0, 1.0, 0.0] - at[0.0, -1.0, 0.0]) / (2 * hc),
        (at[0.0, 0.0, 1.0] - at[0.0, 0.0, -1.0]) / (2 * hz),
    ]
    if not second:
        return out
    steps = (wide * hb, wide * hc, wide * hz)

    def unit(axis: int, sign: float) -> tuple[float, float, float]:
        point = [0.0, 0.0, 0.0]
        point[axis] = sign * wide
        return (point[0], point[1], point[2])

    def pure(axis: int) -> Any:
        return (at[unit(axis, 1)] - 2 * f + at[unit(axis, -1)]) / steps[axis] ** 2

    def mixed(u: int, v: int) -> Any:
        def corner(su: float, sv: float) -> Any:
            point = [0.0, 0.0, 0.0]
            point[u], point[v] = su * wide, sv * wide
            return at[(point[0], point[1], point[2])]

        return (corner(1, 1) - corner(1, -1) - corner(-1, 1) + corner(-1, -1)) / (
            4 * steps[u] * steps[v]
        )

    return [*out, pure(0), mixed(0, 1), pure(1), mixed(0, 2), mixed(1, 2), pure(2)]


def _series_hessian_inexact(theta: Any) -> bool:
    """Whether :func:`_likelihood`'s Hessian at log parameters ``theta`` may come in part from
    central differences of :func:`_hyp2f1` (some ``z > 0.9``, where it can be far off on a
    ridge): then the standard errors and the check that the optimum is curved use central
    differences of the exact gradient instead (8 more gradient evaluations).

    Otherwise every customer's series is summed, with its derivatives, to double precision
    (``z = |α − β| / (max(α, β) + t) ≤ 1 − min(α, β) / max(α, β)``), and the Hessian agrees
    with those differences to about 1e-10.

    Examples:
        >>> from crmkit.clv.pareto_nbd import _series_hessian_inexact
        >>> _series_hessian_inexact([0.0, 0.0, 0.0, 1.0]), _series_hessian_inexact([0, 0, 9, 9])
        (False, True)
    """
    return bool(-math.expm1(-abs(float(theta[1]) - float(theta[3]))) > _SERIES_BELOW)


_PAIRS = [(k, m) for k in range(4) for m in range(k, 4)]  # the Hessian's upper triangle
_PAIR_FIRST, _PAIR_SECOND = [k for k, _ in _PAIRS], [m for _, m in _PAIRS]
#: rows per block of the Hessian's (pairs × rows) arrays (a few MB each)
_PAIR_ROWS = 2**15


def _total(*terms: Any) -> Any:
    """The sum of the terms that are not None (None if all are): :func:`_likelihood` leaves
    out the products with a derivative that is identically 0.

    Examples:
        >>> from crmkit.clv.pareto_nbd import _total
        >>> _total(None, 2.0, 3.0), _total(None, None)
        (5.0, None)
    """
    out = None
    for term in terms:
        if term is not None:
            out = term if out is None else out + term
    return out


def _objective(history: History, scale: float, penalizer: float) -> Any:
    """The mean negative log-likelihood with its exact gradient (see :func:`_likelihood`).

    Examples:
        >>> from crmkit.clv.history import read_history
        >>> from crmkit.clv.pareto_nbd import _objective
        >>> h = read_history({"frequency": [0, 2], "recency": [0.0, 3.0], "T": [5.0, 5.0]})
        >>> value, gradient = _objective(h, 5.0, 0.0)([0.0, 0.0, 0.0, 0.0])
        >>> round(value, 6), gradient.shape
        (1.120851, (4,))
    """
    return _likelihood(history, scale, penalizer)[0]


def _likelihood(history: History, scale: float, penalizer: float) -> tuple[Any, Any]:
    """Mean negative log-likelihood on log parameters: ``(objective, curvature)``.

    ``objective(θ)`` gives the value and exact gradient, ``curvature(θ)`` also the exact
    Hessian (Newton's method needs a few of them from a good start, where BFGS needs dozens
    of gradients).

    Per customer ``log L = A1 + log(e^alive + e^died)`` (note 009 eq. 18):
    ``A1 = log Γ(r+x) − log Γ(r) + r log α + s log β``,
    ``alive = −(r+x) log(α+T) − s log(β+T)``, ``died = log s − log(r+s+x) + log A0`` with
    ``A0 = e^l(t_x) − e^l(T)`` and ``l(t) = (1−b) log(1−z) + log 2F1(1, B; C; z) −
    (r+s+x) log(m+t)``, ``z = |α−β| / (m+t)``, ``m = max(α, β)``, ``C = r+s+x+1`` and
    ``(b, B) = (s+1, r+x)`` when ``α ≥ β``, else ``(r+x, s+1)``. Every piece is
    differentiated analytically, twice; the hypergeometric function's derivatives in its
    parameters come from its series (:func:`_hyp2f1_one`). Derivatives are taken in the
    natural parameters ``p`` and mapped to ``θ = log p``:
    ``∂²/∂θ_k∂θ_l = p_k p_l ∂²/∂p_k∂p_l + [k = l] p_k ∂/∂p_k``.
    """
    np, sp = special_functions()
    # customers sorted by frequency, then T: the hypergeometric series is summed per frequency
    # (see _hyp2f1_one), fastest with the largest z = |α − β| / (max(α, β) + t) first in each
    order = np.lexsort((history.T, history.frequency))
    x, w = history.frequency[order], history.weights[order]
    tx, age = history.recency[order] / scale, history.T[order] / scale
    total = float(w.sum())
    # the distinct (frequency, recency) pairs, sorted, and each customer's
    by_tx = np.lexsort((tx, x))
    x_sorted, tx_sorted = x[by_tx], tx[by_tx]
    new_pair = np.ones(x.shape, dtype=bool)
    new_pair[1:] = (x_sorted[1:] != x_sorted[:-1]) | (tx_sorted[1:] != tx_sorted[:-1])
    x_at_tx, tx_at_tx = x_sorted[new_pair], tx_sorted[new_pair]
    at_tx = np.empty(x.shape, dtype=np.intp)
    at_tx[by_tx] = np.cumsum(new_pair) - 1
    freqs, starts = series_groups(np, x)
    w_freq = np.add.reduceat(w, starts[:-1]) if x.shape[0] else np.zeros(0)
    # l(t) is evaluated once for the times of both, the distinct (frequency, recency) pairs and
    # the customers' T, sorted by frequency then time (one series, one pass of the per-row
    # arithmetic): ``at_pair`` and ``at_age`` are where each customer's t_x and T are in it
    x_both = np.concatenate([x_at_tx, x])
    t_both = np.concatenate([tx_at_tx, age])
    by_time = np.lexsort((t_both, x_both))
    x_both, t_both = x_both[by_time], t_both[by_time]
    position = np.empty(by_time.shape, dtype=np.intp)
    position[by_time] = np.arange(by_time.shape[0])
    at_pair, at_age = position[: x_at_tx.shape[0]][at_tx], position[x_at_tx.shape[0] :]
    starts_both = series_groups(np, x_both)[1]  # the same frequencies
    recency_is_t = np.flatnonzero(tx == age)

    dot = fast_dot(np)
    # ∂(r+s+x)/∂p_k ∂(r+s+x)/∂p_m for the upper triangle's pairs (r and s: 1, α and β: 0)
    pair_a = np.array([float(k in (0, 2) and m in (0, 2)) for k, m in _PAIRS])

    def evaluate(theta: Any, want_hessian: bool) -> tuple[float, Any, Any]:
        natural = np.exp(theta)
        if not np.all((natural > 0) & (natural < math.inf)):  # under/overflow: off the map
            return math.inf, np.zeros(4), np.zeros((4, 4))
        r, al, s, be = (float(v) for v in natural)
        rx = r + x
        a = rx + s
        if al >= be:
            big, gap = al, al - be
            d_b, d_bb, d_big, d_gap = (0, 0, 1, 0), (1, 0, 0, 0), (0, 1, 0, 0), (0, 1, 0, -1)
        else:
            big, gap = be, be - al
            d_b, d_bb, d_big, d_gap = (1, 0, 0, 0), (0, 0, 1, 0), (0, 0, 0, 1), (0, -1, 0, 1)
        d_a = (1, 0, 1, 0)  # ∂(r+s+x) and ∂C

        # the series' B per frequency group (and its C = r + s + x + 1 below)
        big_b = r + freqs if al >= be else np.full(freqs.shape, s + 1.0)

        def log_term(
            freq: Any, t: Any, rows: Any
        ) -> tuple[Any, list[Any], dict[tuple[int, int], Any]]:
            """l(t), its gradient and (if wanted) Hessian for customers with ``freq``, sorted
            by it (frequency ``freqs[g]`` on rows ``rows[g]:rows[g + 1]``)."""
            a = r + s + freq
            b = s + 1.0 if al >= be else r + freq
            shifted = big + t
            z = gap / shifted
            log_shifted = np.log(shifted)
            log_1mz = np.log1p(-z)
            hyp = _hyp2f1_one(np, sp, big_b, r + s + freqs + 1.0, z, rows, want_hessian)
            f, f_b, f_c, f_z = hyp[:4]
            one_b, one_z = 1.0 - b, 1.0 - z
            # ∂z/∂p_k, None where it is 0 (two of the four): the terms it multiplies are left out
            dzs = [
                None if not (d_gap[k] or d_big[k]) else (d_gap[k] - z * d_big[k]) / shifted
                for k in range(4)
            ]
            dlogf, dl = [], []
            for k in range(4):
                dz = dzs[k]
                logf = _total(
                    f_b if d_bb[k] else None,
                    f_c if d_a[k] else None,
                    None if dz is None else f_z * dz,
                )
                logf = logf / f
                part = logf if dz is None else logf - one_b * dz / one_z
                if d_b[k]:
                    part = part - log_1mz
                if d_a[k]:
                    part = part - log_shifted
                if d_big[k]:
                    part = part - a / shifted
                dlogf.append(logf)
                dl.append(part)
            hessian: dict[tuple[int, int], Any] = {}
            if want_hessian:
                f_bb, f_bc, f_cc, f_bz, f_cz, f_zz = hyp[4:]
                over = [None if dz is None else dz / shifted for dz in dzs]
                d_log_1mz = [None if dz is None else dz / one_z for dz in dzs]  # −∂log(1−z)
                for k, m in _PAIRS:
                    zk, zm = dzs[k], dzs[m]
                    # −∂²z/∂p_k∂p_m = (∂z_m ∂big_k + ∂z_k ∂big_m) / shifted
                    minus_zkm = _total(over[m] if d_big[k] else None, over[k] if d_big[m] else None)
                    bc = d_bb[k] * d_a[m] + d_bb[m] * d_a[k]
                    second_f = _total(
                        None if zk is None or zm is None else f_zz * zk * zm,
                        None if minus_zkm is None else -(f_z * minus_zkm),
                        f_bz * zm if d_bb[k] and zm is not None else None,
                        f_bz * zk if d_bb[m] and zk is not None else None,
                        f_cz * zm if d_a[k] and zm is not None else None,
                        f_cz * zk if d_a[m] and zk is not None else None,
                        f_bb if d_bb[k] and d_bb[m] else None,
                        (f_bc if bc == 1 else bc * f_bc) if bc else None,
                        f_cc if d_a[k] and d_a[m] else None,
                    )
                    part = -dlogf[k] * dlogf[m]
                    if second_f is not None:
                        part = part + second_f / f
                    # (1 − b) ∂²log(1 − z) = (1 − b) (−∂²z/(1 − z) − ∂z_k ∂z_m/(1 − z)²)
                    curve = _total(
                        None if minus_zkm is None else minus_zkm / one_z,
                        None if zk is None or zm is None else -(zk * zm) / one_z**2,
                    )
                    if curve is not None:
                        part = part + one_b * curve
                    if d_b[k] and d_log_1mz[m] is not None:
                        part = part + d_log_1mz[m]
                    if d_b[m] and d_log_1mz[k] is not None:
                        part = part + d_log_1mz[k]
                    cross = d_a[k] * d_big[m] + d_a[m] * d_big[k]
                    if cross:
                        part = part - cross / shifted
                    if d_big[k] and d_big[m]:
                        part = part + a / shifted**2
                    hessian[k, m] = part
            return (1.0 - b) * log_1mz + np.log(f) - a * log_shifted, dl, hessian

        # l(t_x) once per distinct (frequency, recency): every zero-frequency customer shares
        # recency 0, and it is their z = |α−β|/max(α,β) that needs the longest series
        l_both, dl_both, h_both = log_term(x_both, t_both, starts_both)
        l1, dl1 = l_both[at_pair], [d[at_pair] for d in dl_both]
        l2, dl2 = l_both[at_age], [d[at_age] for d in dl_both]
        # where recency == T, A0 = 0 exactly (l(t_x) and l(T) are summed in different blocks
        # of the series, so they may differ by rounding)
        l2[recency_is_t] = l1[recency_is_t]
        with np.errstate(divide="ignore", invalid="ignore"):
            q = np.exp(l2 - l1)  # A0 = e^l1 (1 − q), q ≤ 1
            log_a0 = l1 + np.log(-np.expm1(l2 - l1))  # −inf when recency == T
            d_log_a0 = [(u - q * v) / (1.0 - q) for u, v in zip(dl1, dl2, strict=True)]
        died = math.log(s) - np.log(a) + log_a0
        d_died = [-1.0 / a + d_log_a0[0], d_log_a0[1], 1.0 / s - 1.0 / a + d_log_a0[2], d_log_a0[3]]
        l_al, l_be = np.log(al + age), np.log(be + age)
        alive = -rx * l_al - s * l_be
        d_alive = [-l_al, -rx / (al + age), -l_be, -s / (be + age)]
        p_died = sp.expit(died - alive)
        # A1's terms in r + x once per frequency, weighted by the frequency's total weight
        first = total * (r * math.log(al) + s * math.log(be) - float(sp.gammaln(r)))
        ll = dot(w_freq, sp.gammaln(r + freqs)) + first + dot(w, np.logaddexp(alive, died))
        d_first = [
            dot(w_freq, sp.digamma(r + freqs)) + total * (math.log(al) - sp.digamma(r)),
            total * r / al,
            total * math.log(be),
            total * s / be,
        ]
        grad = np.empty(4)
        for k in range(4):
            mixed = d_alive[k] + np.where(p_died > 0, p_died * (d_died[k] - d_alive[k]), 0.0)
            grad[k] = d_first[k] + dot(w, mixed)
        params = np.array([r, al, s, be])
        value = -ll / total + penalizer * float(params @ params)
        gradient = -grad * params / total + 2 * penalizer * params**2
        if not want_hessian:
            return value, gradient, None
        hess = np.zeros((4, 4))
        # A1's second derivatives
        hess[0, 0] = dot(w_freq, sp.polygamma(1, r + freqs)) - total * float(sp.polygamma(1, r))
        hess[0, 1] = total / al
        hess[1, 1] = -total * r / al**2
        hess[2, 3] = total / be
        hess[3, 3] = -total * s / be**2
        # the upper triangle's ten second derivatives of a block of rows at once, as an array
        # (pairs, rows), and their sums weighted by the rows' weights
        pair_k, pair_m = _PAIR_FIRST, _PAIR_SECOND
        upper = np.zeros(len(_PAIRS))
        with np.errstate(divide="ignore", invalid="ignore"):
            spread = q / (1.0 - q) ** 2
            keep = p_died > 0
            g_gap = np.array(dl1) - np.array(dl2)
            g_mix = np.array(d_died) - np.array(d_alive)
            for lo in range(0, x.shape[0], _PAIR_ROWS):
                rows = slice(lo, lo + _PAIR_ROWS)
                age_c, q_c, p_c, gap_c = age[rows], q[rows], p_died[rows], g_gap[:, rows]
                h_alive = np.zeros((len(_PAIRS), age_c.shape[0]))
                h_alive[_PAIRS.index((0, 1))] = -1.0 / (al + age_c)
                h_alive[_PAIRS.index((1, 1))] = rx[rows] / (al + age_c) ** 2
                h_alive[_PAIRS.index((2, 3))] = -1.0 / (be + age_c)
                h_alive[_PAIRS.index((3, 3))] = s / (be + age_c) ** 2
                # log A0 = log(e^l1 − e^l2): (H1 − q H2)/(1 − q) − q/(1 − q)² (g1 − g2)(g1 − g2)ᵀ
                h_pairs1 = np.array([h_both[pair][at_pair[rows]] for pair in _PAIRS])
                h_pairs2 = np.array([h_both[pair][at_age[rows]] for pair in _PAIRS])
                h_died = (h_pairs1 - q_c * h_pairs2) / (1.0 - q_c) - spread[rows] * gap_c[
                    pair_k
                ] * gap_c[pair_m]
                h_died += pair_a[:, None] / a[rows] ** 2  # −log(r+s+x)
                h_died[_PAIRS.index((2, 2))] -= 1.0 / s**2  # log s
                # log(e^alive + e^died): the mixture of the two Hessians plus the spread of
                # their gradients
                mix_c = g_mix[:, rows]
                mix = h_alive + np.where(
                    keep[rows],
                    p_c * (h_died - h_alive) + p_c * (1.0 - p_c) * mix_c[pair_k] * mix_c[pair_m],
                    0.0,
                )
                upper += mix @ w[rows]
        for i, (k, m) in enumerate(_PAIRS):
            hess[k, m] += float(upper[i])
        hess = hess + np.triu(hess, 1).T
        theta_hess = hess * np.outer(params, params) + np.diag(grad * params)
        return value, gradient, -theta_hess / total + np.diag(4 * penalizer * params**2)

    def finite(value: float, *arrays: Any) -> bool:
        return math.isfinite(value) and all(bool(np.all(np.isfinite(v))) for v in arrays)

    def objective(theta: Any) -> tuple[float, Any]:
        with np.errstate(all="ignore"):
            value, grad, _ = evaluate(theta, False)
        if not finite(value, grad):
            # far out (for example s, β → ∞ along a ridge) the terms overflow: report an
            # infinite value so every optimiser backs off instead of wandering on NaN
            return math.inf, np.zeros(4)
        return value, grad

    def curvature(theta: Any) -> tuple[float, Any, Any]:
        with np.errstate(all="ignore"):
            value, grad, hess = evaluate(theta, True)
        if not finite(value, grad, hess):
            return math.inf, np.zeros(4), np.zeros((4, 4))
        return value, grad, hess

    return objective, curvature
