"""The MBG/NBD model (Batislam, Denizel & Filiztekin 2007; lifetimes' ``ModifiedBetaGeoFitter``).

Like BG/NBD (:class:`~crmkit.clv.BetaGeo`) — purchases at a Poisson rate λ ~ Gamma(r, α),
dropout with probability p ~ Beta(a, b) — except that a customer may also drop out right
after the *first* purchase, so customers without a repeat purchase are not all assumed
alive: their probability of being alive falls with their age, which fixes BG/NBD's best-known
oddity.

Fitted by maximum likelihood on ``(frequency, recency, T)`` histories
(:func:`crmkit.clv.summarise`), with the exact gradient, time rescaled to max T = 1 and
identical histories merged; the shared fitter (:mod:`crmkit.clv.estimation`) gives the
standard errors.

Examples:
    >>> from crmkit.clv import ModifiedBetaGeo
    >>> model = ModifiedBetaGeo(r=0.525, alpha=6.183, a=0.891, b=1.614, time_unit="weeks")
    >>> [round(v, 4) for v in model.probability_alive([0, 2], [0, 30.43], 38.86).tolist()]
    [0.3897, 0.7062]
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from crmkit.clv._model import FittedModel
from crmkit.clv.estimation import (
    float_arrays,
    hyp2f1_complement,
    positive,
    special_functions,
)
from crmkit.clv.summary import TimeUnit
from crmkit.extras import require
from crmkit.progress import ProgressOption

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

__all__ = ["ModifiedBetaGeo"]

_PARAMS = ("r", "alpha", "a", "b")


@attrs.frozen
class ModifiedBetaGeo(FittedModel):
    """An MBG/NBD model with parameters ``r``, ``alpha``, ``a``, ``b`` and fit metadata.

    Times (``t``, ``recency``, ``T``) are in the model's ``time_unit``.

    Examples:
        >>> from crmkit.clv import ModifiedBetaGeo
        >>> ModifiedBetaGeo(r=1.0, alpha=1.0, a=True, b=1.0)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: ModifiedBetaGeo.a: True must be a positive number
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
    ) -> ModifiedBetaGeo:
        """Fit by maximum likelihood to customer summaries (records, arrays or a frame).

        Args:
            data: see :func:`crmkit.clv.history.read_history`.
            time_unit: the unit ``recency``/``T`` are measured in (metadata).
            weights: field/column counting customers per row, for pre-aggregated patterns.
            initial_params: start values (natural scale, in the data's time unit).
            penalizer: L2 penalty on the parameters (time rescaled to max T = 1), lifetimes'
                ``penalizer_coef`` (see :func:`~crmkit.clv.estimation.penalty`).
            progress: ``True`` for a progress bar, or a callback ``(done, total)`` (see
                :mod:`crmkit.progress`); off by default.

        Raises:
            ValidationError: bad histories (see :func:`~crmkit.clv.history.read_history`).
            FitError: the optimiser did not converge; the message says what to try.

        Examples:
            >>> from crmkit.clv import BetaGeo, ModifiedBetaGeo, simulate_beta_geo
            >>> truth = BetaGeo(r=0.25, alpha=4.0, a=0.8, b=2.5)
            >>> history = simulate_beta_geo(truth, [39.0] * 500, seed=1)
            >>> model = ModifiedBetaGeo.fit(history, time_unit="weeks")
            >>> sorted(model.standard_errors), round(model.r, 2)
            (['a', 'alpha', 'b', 'r'], 0.33)
        """
        return cls._fit_histories(
            data, likelihood=_likelihood, model="MBG/NBD", rates=(1,), time_unit=time_unit,
            weights=weights, initial_params=initial_params, penalizer=penalizer,
            progress=progress,
        )  # fmt: skip

    def log_likelihood_of(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> Any:  # noqa: N803
        """Each customer's log-likelihood under the model.

        Examples:
            >>> from crmkit.clv import ModifiedBetaGeo
            >>> m = ModifiedBetaGeo(r=0.525, alpha=6.183, a=0.891, b=1.614)
            >>> round(float(m.log_likelihood_of(0, 0, 38.86)[0]), 4)
            -0.5398
        """
        np, sp = special_functions()
        x, tx, age = float_arrays(frequency, recency, T)
        r, al, a, b = self.r, self.alpha, self.a, self.b
        a1 = sp.gammaln(r + x) - sp.gammaln(r) + r * np.log(al)
        a2 = sp.gammaln(a + b) + sp.gammaln(b + x + 1) - sp.gammaln(b) - sp.gammaln(a + b + x + 1)
        a3 = -(r + x) * np.log(al + age)
        return a1 + a2 + a3 + np.logaddexp(0.0, _log_odds_dead(self, x, tx, age))

    def probability_alive(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> Any:  # noqa: N803
        """Probability that customers with these histories are still alive.

        Unlike BG/NBD, below 1 also for customers without a repeat purchase.

        Examples:
            >>> from crmkit.clv import ModifiedBetaGeo
            >>> m = ModifiedBetaGeo(r=0.525, alpha=6.183, a=0.891, b=1.614)
            >>> round(float(m.probability_alive(0, 0, 1.0)[0]), 4)
            0.6261
        """
        _, sp = special_functions()
        x, tx, age = float_arrays(frequency, recency, T)
        return sp.expit(-_log_odds_dead(self, x, tx, age))

    def expected_purchases(self, t: ArrayLike) -> Any:
        """Expected repeat purchases of a new customer in ``t`` time units.

        ``b/(a − 1) · [1 − ₂F₁(r, b + 1; a + b; z)(1 − z)^r]`` with ``z = t/(α + t)``,
        evaluated after an Euler transformation and across the removable point ``a = 1``.

        Examples:
            >>> from crmkit.clv import ModifiedBetaGeo
            >>> m = ModifiedBetaGeo(r=0.525, alpha=6.183, a=0.891, b=1.614)
            >>> round(float(m.expected_purchases(39)[0]), 4)
            1.183
        """
        (t,) = float_arrays(t)
        r, al, b = self.r, self.alpha, self.b
        z = t / (al + t)

        def parts(a: float) -> tuple[float, float, float]:
            # 2F1(r, b+1; a+b; z)(1−z)^r = 2F1(a+b−r, a−1; a+b; z)(1−z)^(a−1)
            return b, a + b - r, a + b

        return hyp2f1_complement(parts, z, self.a)

    def conditional_expected_purchases(
        self,
        t: ArrayLike,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,  # noqa: N803
    ) -> Any:
        """Expected repeat purchases in the next ``t`` units of customers with these histories.

        lifetimes' ``conditional_expected_number_of_purchases_up_to_time``, with the
        hypergeometric term Euler-transformed so it stays bounded for frequent customers.

        Examples:
            >>> from crmkit.clv import ModifiedBetaGeo
            >>> m = ModifiedBetaGeo(r=0.525, alpha=6.183, a=0.891, b=1.614)
            >>> round(float(m.conditional_expected_purchases(39, 2, 30.43, 38.86)[0]), 4)
            1.263
        """
        t, x, tx, age = float_arrays(t, frequency, recency, T)
        r, al, b = self.r, self.alpha, self.b
        z = t / (al + age + t)

        def parts(a: float) -> tuple[Any, float, Any]:
            c = a + b + x
            # 2F1(r+x, b+x+1; c; z)(1−z)^(r+x) = 2F1(a+b−r, a−1; c; z)(1−z)^(a−1)
            return c, a + b - r, c

        return hyp2f1_complement(parts, z, self.a) * self.probability_alive(x, tx, age)


def _log_odds_dead(model: ModifiedBetaGeo, x: Any, tx: Any, age: Any) -> Any:
    """``log(a/(b + x)) + (r + x)(log(α + T) − log(α + t_x))``: odds of having dropped out."""
    np = require("numpy", "stats")
    r, al, a, b = model.r, model.alpha, model.a, model.b
    return np.log(a / (b + x)) + (r + x) * (np.log(al + age) - np.log(al + tx))


def _likelihood(history: Any, scale: float, penalizer: float) -> tuple[Any, None]:
    """Mean negative log-likelihood and its exact gradient on log parameters (no Hessian).

    ``log L = A1 + A2 + A3 + log(1 + e^A4)`` with ``A1 = log Γ(r + x) − log Γ(r) + r log α``,
    ``A2 = log B(a, b + x + 1) − log B(a, b)``, ``A3 = −(r + x) log(α + T)`` and
    ``A4 = log a − log(b + x) + (r + x)(log(α + T) − log(α + t_x))``.
    """
    np, sp = special_functions()
    x, w = history.frequency, history.weights
    tx, age = history.recency / scale, history.T / scale
    total = float(w.sum())

    def objective(theta: Any) -> tuple[float, Any]:
        params = np.exp(theta)
        if not np.all((params > 0) & np.isfinite(params)):
            return math.inf, np.zeros(4)
        r, al, a, b = (float(v) for v in params)
        lt, lx = np.log(al + age), np.log(al + tx)
        a4 = math.log(a) - np.log(b + x) + (r + x) * (lt - lx)
        s = sp.expit(a4)
        ll = (
            sp.gammaln(r + x) - sp.gammaln(r) + r * math.log(al)
            + sp.gammaln(a + b) + sp.gammaln(b + x + 1) - sp.gammaln(b)
            - sp.gammaln(a + b + x + 1) - (r + x) * lt + np.logaddexp(0.0, a4)
        )  # fmt: skip
        psi_ab, psi_abx = sp.digamma(a + b), sp.digamma(a + b + x + 1)
        it, ix = 1.0 / (al + age), 1.0 / (al + tx)
        g = np.array(
            [
                w @ (sp.digamma(r + x) - sp.digamma(r) + math.log(al) - lt + s * (lt - lx)),
                w @ (r / al - (r + x) * it + s * (r + x) * (it - ix)),
                w @ (psi_ab - psi_abx + s / a),
                w @ (psi_ab + sp.digamma(b + x + 1) - sp.digamma(b) - psi_abx - s / (b + x)),
            ]
        )
        value = -float(w @ ll) / total + penalizer * float(params @ params)
        grad = -g * params / total + 2 * penalizer * params**2
        if not (math.isfinite(value) and np.all(np.isfinite(grad))):
            return math.inf, np.zeros(4)
        return value, grad

    return objective, None
