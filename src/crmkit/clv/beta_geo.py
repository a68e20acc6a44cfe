"""The BG/NBD model (Fader, Hardie & Lee 2005, "Counting your customers the easy way").

While alive, a customer buys at a Poisson rate λ ~ Gamma(r, α); after each repeat purchase
they drop out with probability p ~ Beta(a, b). The model is fitted by maximum likelihood on
``(frequency, recency, T)`` histories (see :func:`crmkit.clv.summarise`).

Numerics: log-gamma and log-sum-exp in the likelihood, an exact analytic gradient and
Hessian, parameters optimised on the log scale with time rescaled to max T = 1, terms that
depend only on the frequency computed once per distinct frequency, identical histories merged
into weights (zero-frequency customers with the same ``T`` become one row), and predictions
written so that nothing overflows for very frequent or very old customers (the Gauss
hypergeometric function of the conditional expectation is evaluated after an Euler
transformation that keeps it bounded).

Fitting: a loose BFGS fit — on a seeded random sub-sample of 20,000 patterns when there are
more than 100,000 distinct ones — starts Newton's method with the exact Hessian, which then
needs two or three steps on the full data; the standard errors come from the same Hessian.
On 1M customers with all-different histories that is about two full likelihood evaluations
instead of forty.

Examples:
    >>> from crmkit.clv import BetaGeo
    >>> model = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="weeks")
    >>> round(float(model.probability_alive(2, 30.43, 38.86)[0]), 4)
    0.7266
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from crmkit.clv._model import FittedModel
from crmkit.clv.estimation import (
    MAX_LOG_ERROR,
    fast_dot,
    float_arrays,
    hyp2f1_complement,
    maximise,
    pattern_sample,
    positive,
    special_functions,
    warm_start,
)
from crmkit.clv.history import History
from crmkit.clv.summary import TimeUnit
from crmkit.errors import FitError, ValidationError
from crmkit.extras import require
from crmkit.progress import ProgressOption

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

__all__ = ["BetaGeo"]

_PARAMS = ("r", "alpha", "a", "b")


@attrs.frozen
class BetaGeo(FittedModel):
    """A BG/NBD model with parameters ``r``, ``alpha``, ``a``, ``b`` and fit metadata.

    Build one from known parameters or with :meth:`fit`. Times (``t``, ``recency``, ``T``)
    are in the model's ``time_unit``.

    Examples:
        >>> from crmkit.clv import BetaGeo
        >>> BetaGeo(r=1.0, alpha=-2.0, a=1.0, b=1.0)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: BetaGeo.alpha: -2.0 must be a positive number
    """

    r: float = attrs.field(validator=positive)
    alpha: float = attrs.field(validator=positive)
    a: float = attrs.field(validator=positive)
    b: float = attrs.field(validator=positive)
    standard_errors: dict[str, float] = attrs.field(factory=dict, eq=False)
    log_likelihood: float | None = attrs.field(default=None, eq=False)
    customers: float | None = attrs.field(default=None, eq=False)
    time_unit: TimeUnit | None = None

    PARAMETERS: ClassVar[tuple[str, ...]] = _PARAMS

    # ------------------------------------------------------------------ fitting

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
    ) -> BetaGeo:
        """Fit by maximum likelihood to customer summaries (records, arrays or a frame).

        Args:
            data: see :func:`crmkit.clv.history.read_history`.
            time_unit: the unit ``recency``/``T`` are measured in (kept as metadata; used by
                :func:`crmkit.clv.customer_lifetime_value`).
            weights: field/column counting customers per row, for pre-aggregated patterns.
            initial_params: start values (natural scale, in the data's time unit).
            penalizer: L2 penalty on the parameters (time rescaled to max T = 1), lifetimes'
                ``penalizer_coef``; 0 gives the plain maximum-likelihood estimate (see
                :func:`~crmkit.clv.estimation.penalty`).
            progress: ``True`` for a progress bar, or a callback ``(done, total)`` (see
                :mod:`crmkit.progress`); off by default.

        Raises:
            ValidationError: bad histories (see :func:`~crmkit.clv.history.read_history`).
            FitError: the optimiser did not converge; the message says what to try.

        Examples:
            >>> from crmkit.clv import BetaGeo
            >>> model = BetaGeo.fit({"frequency": [0, 1, 4, 2, 0, 7], "recency":
            ...                      [0, 3, 20, 9, 0, 30], "T": [30, 31, 32, 30, 29, 33]})
            >>> sorted(model.standard_errors)
            ['a', 'alpha', 'b', 'r']
        """
        return cls._fit_histories(
            data, likelihood=_likelihood, model="BG/NBD", rates=(1,), time_unit=time_unit,
            weights=weights, initial_params=initial_params, penalizer=penalizer,
            progress=progress, start=_start, max_log_error=MAX_LOG_ERROR,
        )  # fmt: skip

    def log_likelihood_of(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> Any:  # noqa: N803
        """Each customer's log-likelihood under the model.

        Examples:
            >>> from crmkit.clv import BetaGeo
            >>> m = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426)
            >>> round(float(m.log_likelihood_of(0, 0, 38.86)[0]), 4)
            -0.5547
        """
        np, sp = special_functions()
        x, tx, age = float_arrays(frequency, recency, T)
        r, al, a, b = self.r, self.alpha, self.a, self.b
        a12 = (
            sp.gammaln(r + x) - sp.gammaln(r) + r * np.log(al)
            + sp.gammaln(a + b) + sp.gammaln(b + x) - sp.gammaln(b) - sp.gammaln(a + b + x)
        )  # fmt: skip
        a3 = -(r + x) * np.log(al + age)
        with np.errstate(divide="ignore", invalid="ignore"):
            a4 = np.log(a) - np.log(b + np.maximum(x, 1) - 1) - (r + x) * np.log(al + tx)
        a4 = np.where(x > 0, a4, -np.inf)
        return a12 + np.logaddexp(a3, a4)

    # ------------------------------------------------------------------ predictions

    def expected_purchases(self, t: ArrayLike) -> Any:
        """Expected repeat purchases of a new customer in ``t`` time units (FHL eq. 9).

        Examples:
            >>> from crmkit.clv import BetaGeo
            >>> m = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426)
            >>> round(float(m.expected_purchases(39)[0]), 4)
            1.1967
        """
        (t,) = float_arrays(t)
        r, al, b = self.r, self.alpha, self.b
        z = t / (al + t)

        def parts(a: float) -> tuple[float, float, float]:
            # 2F1(r, b; a+b-1; z) (1-z)^r, Euler-transformed:
            # 2F1(a+b-1-r, a-1; a+b-1; z) (1-z)^(a-1)
            return a + b - 1, a + b - 1 - r, a + b - 1

        return hyp2f1_complement(parts, z, self.a)

    def conditional_expected_purchases(
        self,
        t: ArrayLike,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,  # noqa: N803
    ) -> Any:
        """Expected repeat purchases in the next ``t`` units of customers with these histories.

        FHL (2005) eq. 10; lifetimes' ``conditional_expected_number_of_purchases_up_to_time``
        (``predict``).

        Examples:
            >>> from crmkit.clv import BetaGeo
            >>> m = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426)
            >>> round(float(m.conditional_expected_purchases(39, 2, 30.43, 38.86)[0]), 4)
            1.226
        """
        t, x, tx, age = float_arrays(t, frequency, recency, T)
        r, al, b = self.r, self.alpha, self.b
        z = t / (al + age + t)

        def parts(a: float) -> tuple[Any, Any, Any]:
            c = a + b + x - 1
            # 1 - 2F1(r+x, b+x; c; z) (1-z)^(r+x) after the Euler transformation
            return c, c - r - x, c

        return hyp2f1_complement(parts, z, self.a) * self.probability_alive(x, tx, age)

    def probability_alive(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> Any:  # noqa: N803
        """Probability that customers with these histories are still alive (Hardie note 021).

        Examples:
            >>> from crmkit.clv import BetaGeo
            >>> m = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426)
            >>> [round(v, 4) for v in m.probability_alive([0, 5], [0, 2.0], [38.86, 38.86]).tolist()]
            [1.0, 0.0004]
        """
        np, sp = special_functions()
        x, tx, age = float_arrays(frequency, recency, T)
        r, al, a, b = self.r, self.alpha, self.a, self.b
        log_odds_dead = (r + x) * (np.log(al + age) - np.log(al + tx)) + np.log(
            a / (b + np.maximum(x, 1) - 1)
        )
        return np.where(x > 0, sp.expit(-log_odds_dead), 1.0)

    def probability_of_purchases(self, n: int, t: ArrayLike) -> Any:
        """Probability that a new customer makes exactly ``n`` repeat purchases in ``t`` units.

        FHL (2005) eq. 8, with the finite sum written as a negative binomial tail.

        Examples:
            >>> from crmkit.clv import BetaGeo
            >>> m = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426)
            >>> round(float(m.probability_of_purchases(0, 39)[0]), 4)
            0.5738
        """
        np, sp = special_functions()
        stats = require("scipy.stats", "stats")
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValidationError.single("n", n, "must be a whole number of zero or more")
        (t,) = float_arrays(t)
        r, al, a, b = self.r, self.alpha, self.a, self.b
        log_first = (
            sp.betaln(a, b + n) - sp.betaln(a, b) + sp.gammaln(r + n) - sp.gammaln(r)
            - sp.gammaln(n + 1) + r * np.log(al / (al + t)) + sp.xlogy(n, t / (al + t))
        )  # fmt: skip
        first = np.exp(log_first)
        if n == 0:
            return first
        tail = stats.nbinom.sf(n - 1, r, al / (al + t))
        return first + np.exp(sp.betaln(a + 1, b + n - 1) - sp.betaln(a, b)) * tail


def start_values(np: Any, history: History, scale: float, penalizer: float) -> Any:
    """Start values for Newton's method: a loose BFGS fit, on a sub-sample when large.

    With many distinct patterns the BFGS fit runs on a random sub-sample of them (seeded,
    so fits repeat); sub-sampling patterns with their weights keeps the sub-sample's
    log-likelihood an unbiased estimate of the full one, so its optimum is close and
    Newton's method needs two or three steps on the full data.
    """
    sample = pattern_sample(np, history.size)
    if sample is not None:
        history = history.select(sample)
    objective, _ = _likelihood(history, scale, penalizer)
    return warm_start(objective, np.zeros(4))


def newton_start_values(np: Any, history: History, scale: float, penalizer: float) -> Any:
    """Log ``(r, α, a, b)`` near the BG/NBD optimum for another model's start (Pareto/NBD's):
    Newton's method with the exact Hessian from 0 to a loose gradient tolerance, a few cheap
    evaluations where :func:`start_values`' BFGS needs a few dozen; :func:`start_values`
    if that fails.

    Examples:
        >>> import numpy as np
        >>> from crmkit.clv.beta_geo import newton_start_values, start_values
        >>> from crmkit.clv.history import read_history
        >>> h = read_history({"frequency": [0, 2, 1, 4, 0], "recency": [0.0, 3.0, 1.0, 4.5, 0.0],
        ...                   "T": [5.0, 5.0, 4.0, 5.0, 3.0]})
        >>> [round(float(v), 3) for v in newton_start_values(np, h, 5.0, 0.0)[:2]]
        [1.058, 0.619]
        >>> [round(float(v), 3) for v in start_values(np, h, 5.0, 0.0)[:2]]
        [1.058, 0.619]
    """
    objective, curvature = _likelihood(history, scale, penalizer)
    try:
        estimate = maximise(
            objective, np.zeros(4), names=_PARAMS, customers=history.customers, model="BG/NBD",
            tol=1e-4, curvature=curvature,
        )  # fmt: skip
    except FitError:
        return start_values(np, history, scale, penalizer)
    return np.log([estimate.params[name] for name in _PARAMS])


def _start(history: History, scale: float, penalizer: float) -> tuple[Any, None]:
    """:func:`start_values`, without a first inverse Hessian for BFGS."""
    return start_values(require("numpy", "stats"), history, scale, penalizer), None


def _likelihood(history: History, scale: float, penalizer: float) -> tuple[Any, Any]:
    """Mean negative log-likelihood on log parameters: ``(objective, curvature)``.

    ``objective(θ)`` gives the value and exact gradient, ``curvature(θ)`` also the exact
    Hessian. Per customer, ``log L = F(x) + log(e^A3 + [x > 0] e^A4)`` with
    ``A3 = −(r + x) log(α + T)`` and ``A4 = log a − log(b + x − 1) − (r + x) log(α + t_x)``;
    ``F`` depends on the frequency only and is evaluated once per distinct frequency, and so
    are ``log(b + x − 1)`` and its powers (the rows are sorted by frequency — already so
    after :func:`~crmkit.clv.history.merge_patterns` — so per-frequency values are spread
    and summed by runs). Zero-frequency customers contribute ``−r log(α + T)`` only.
    With ``s4 = σ(A4 − A3)``, ``d = ∇A4 − ∇A3``, the mixture's Hessian is
    ``s3 ∇²A3 + s4 ∇²A4 + s3 s4 d dᵀ``; on the log scale ``H_θ = p pᵀ ∘ H + diag(p ∘ g)``.
    """
    np, sp = special_functions()
    x, w, tx, age = history.frequency, history.weights, history.recency, history.T
    if x.shape[0] > 1 and not bool(np.all(x[1:] >= x[:-1])):
        order = np.argsort(x, kind="stable")
        x, w, tx, age = x[order], w[order], tx[order], age[order]
    total = float(w.sum())
    bounds = np.flatnonzero(np.concatenate(([True], x[1:] != x[:-1])))
    xs = x[bounds]  # distinct frequencies, ascending
    nx = np.add.reduceat(w, bounds)  # customers per distinct frequency
    first_repeat = int(np.searchsorted(x, 0.5))
    w0, t0 = w[:first_repeat], age[:first_repeat] / scale
    wp, xp = w[first_repeat:], x[first_repeat:]
    txp, tp = tx[first_repeat:] / scale, age[first_repeat:] / scale
    repeat = xs > 0
    xu_m1 = xs[repeat] - 1.0
    starts = bounds[repeat] - first_repeat  # where each frequency's run of rows begins
    runs = np.diff(np.concatenate((starts, [xp.shape[0]])))

    dot = fast_dot(np)

    def by_frequency(values: Any) -> Any:
        return np.add.reduceat(values, starts) if starts.shape[0] else np.zeros(0)

    def evaluate(theta: Any, want_hessian: bool) -> tuple[float, Any, Any]:
        natural = np.exp(theta)
        if not np.all((natural > 0) & (natural < math.inf)):  # under/overflow: off the map
            return math.inf, np.zeros(4), (np.eye(4) if want_hessian else None)
        r, al, a, b = (float(v) for v in natural)
        params = np.array([r, al, a, b])
        # ---- terms in the frequency only
        ll = dot(nx, (sp.gammaln(r + xs) + sp.gammaln(b + xs) - sp.gammaln(a + b + xs)))
        ll += total * (-sp.gammaln(r) + r * math.log(al) + sp.gammaln(a + b) - sp.gammaln(b))
        psi_ab = sp.digamma(a + b)
        psi_abx = sp.digamma(a + b + xs)
        g = np.array(
            [
                dot(nx, sp.digamma(r + xs)) + total * (math.log(al) - sp.digamma(r)),
                total * r / al,
                total * psi_ab - dot(nx, psi_abx),
                total * (psi_ab - sp.digamma(b)) + dot(nx, (sp.digamma(b + xs) - psi_abx)),
            ]
        )
        # ---- zero frequency: -r log(α + T)
        shifted0 = al + t0
        l0 = np.log(shifted0)
        i0 = np.reciprocal(shifted0, out=shifted0)
        sum_l0 = dot(w0, l0)
        sum_i0 = dot(w0, i0)
        ll -= r * sum_l0
        g[0] -= sum_l0
        g[1] -= r * sum_i0
        # ---- repeat customers: log(e^A3 + e^A4) = A3 - log(s3)
        it = al + tp
        lt = np.log(it)
        np.reciprocal(it, out=it)
        ix = al + txp
        lx = np.log(ix)
        np.reciprocal(ix, out=ix)
        gap_d = np.subtract(lt, lx, out=lx)  # D = log(α+T) − log(α+t_x) ≥ 0
        cb = 1.0 / (b + xu_m1)
        # gap = A4 − A3 = log a − log(b + x − 1) + (r + x) D
        rx = xp + r
        gap = rx * gap_d
        gap += np.repeat(math.log(a) - np.log(b + xu_m1), runs)
        # the gap is clipped to ±700 so exp() neither overflows nor makes subnormals (~100×
        # slower); above 700, log(1 + e^gap) = gap to double precision, so the excess is added
        # back to the value below, and the weights s3 = 1e-304, s4 = 1 are exact to rounding
        excess = dot(wp, np.maximum(gap - 700.0, 0.0))
        np.clip(gap, -700.0, 700.0, out=gap)
        e = np.exp(gap, out=gap)
        s3 = e + 1.0
        np.reciprocal(s3, out=s3)  # σ(A3 − A4): weight of "alive at T"
        s4 = np.multiply(e, s3, out=e)  # σ(A4 − A3): weight of "dropped out after t_x"
        ws4 = wp * s4
        sum_lt = dot(wp, lt)
        ll += -(r * sum_lt + dot(wp, (xp * lt))) - dot(wp, np.log(s3)) + excess
        per_x_ws4 = by_frequency(ws4)
        sum_ws4 = float(per_x_ws4.sum())
        # ∂/∂α of A3, A4: −(r+x)/(α+T), −(r+x)/(α+t_x); mixed: s3 iT + s4 iX = iT + s4 (iX − iT)
        diff_i = np.subtract(ix, it, out=ix)  # iX − iT ≥ 0
        mixed_i = it + s4 * diff_i
        g[0] += -sum_lt + dot(ws4, gap_d)
        wrx = wp * rx
        g[1] -= dot(wrx, mixed_i)
        g[2] += sum_ws4 / a
        g[3] -= dot(cb, per_x_ws4)
        hess = None
        if want_hessian:
            hess = _frequency_hessian(np, sp, r, al, a, b, xs, nx, total)
            hess[0, 1] -= sum_i0
            hess[1, 1] += r * dot(w0, (i0 * i0))
            u = ws4 * s3  # w s3 s4
            ed = rx * diff_i  # −d_α = (r+x)(iX − iT)
            ud, ue = u * gap_d, u * ed
            per_x_u = by_frequency(u)
            per_x_ud = by_frequency(ud)
            per_x_ue = by_frequency(ue)
            sum_u = float(per_x_u.sum())
            # second derivatives of the mixture: s3 ∇²A3 + s4 ∇²A4 + s3 s4 d dᵀ with
            # d = (D, −ed, 1/a, −cb)
            h = np.zeros((4, 4))
            h[0, 0] = dot(ud, gap_d)
            h[0, 1] = -dot(wp, mixed_i) - dot(ud, ed)
            h[0, 2] = float(per_x_ud.sum()) / a
            h[0, 3] = -dot(cb, per_x_ud)
            # s3 iT² + s4 iX² = iT² + s4 (iX − iT)(iX + iT)
            mixed_i2 = diff_i + 2.0 * it
            mixed_i2 *= diff_i
            mixed_i2 *= s4
            mixed_i2 += it * it
            h[1, 1] = dot(wrx, mixed_i2) + dot(ue, ed)
            h[1, 2] = -float(per_x_ue.sum()) / a
            h[1, 3] = dot(cb, per_x_ue)
            h[2, 2] = (sum_u - sum_ws4) / a**2
            h[2, 3] = -dot(cb, per_x_u) / a
            h[3, 3] = dot((cb * cb), (per_x_ws4 + per_x_u))
            hess += h
        value = -ll / total + penalizer * dot(params, params)
        grad = -g * params / total + 2 * penalizer * params**2
        if hess is None:
            return value, grad, None
        hess = np.triu(hess) + np.triu(hess, 1).T
        h_theta = -(np.outer(params, params) * hess + np.diag(g * params)) / total
        h_theta += np.diag(4 * penalizer * params**2)
        return value, grad, h_theta

    def objective(theta: Any) -> tuple[float, Any]:
        value, grad, _ = evaluate(theta, False)
        if not (math.isfinite(value) and np.all(np.isfinite(grad))):
            return math.inf, np.zeros(4)  # overflow far out: make every optimiser back off
        return value, grad

    def curvature(theta: Any) -> tuple[float, Any, Any]:
        return evaluate(theta, True)  # non-finite values make Newton's line search back off

    return objective, curvature


def _frequency_hessian(
    np: Any, sp: Any, r: float, al: float, a: float, b: float, xs: Any, nx: Any, total: float
) -> Any:
    """Upper triangle of the Hessian (natural scale) of the terms in the frequency only."""
    dot = fast_dot(np)
    tri_ab = float(sp.polygamma(1, a + b))
    tri_abx = sp.polygamma(1, a + b + xs)
    h = np.zeros((4, 4))
    h[0, 0] = dot(nx, sp.polygamma(1, r + xs)) - total * float(sp.polygamma(1, r))
    h[0, 1] = total / al
    h[1, 1] = -total * r / al**2
    h[2, 2] = h[2, 3] = total * tri_ab - dot(nx, tri_abx)
    h[3, 3] = total * (tri_ab - float(sp.polygamma(1, b))) + dot(
        nx, sp.polygamma(1, b + xs) - tri_abx
    )
    return h
