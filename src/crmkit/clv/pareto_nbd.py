"""The Pareto/NBD model (Schmittlein, Morrison & Colombo 1987; Fader & Hardie note 009).

While alive, a customer buys at a Poisson rate λ ~ Gamma(r, α); their lifetime is exponential
with rate μ ~ Gamma(s, β). Fitted by maximum likelihood on ``(frequency, recency, T)``.

Numerics: the likelihood's Gauss hypergeometric terms ``2F1(a, b; a + 1; z)`` are evaluated
after an Euler transformation, ``(1 − z)^(1 − b) 2F1(1, a + 1 − b; a + 1; z)``, whose series is
bounded by ``1 / (1 − z)`` — so very frequent customers cannot overflow it — and everything is
combined in log space (log-sum-exp, ``log(−expm1(·))`` for the difference of the two terms).
The gradient is taken by central differences of that stable likelihood (the hypergeometric
function has no closed-form derivative in its parameters); parameters are on the log scale
with time rescaled to max T = 1.

Examples:
    >>> from crmkit.clv import ParetoNBD
    >>> model = ParetoNBD(r=0.5533, alpha=10.5777, s=0.6062, beta=11.6665)
    >>> round(float(model.probability_alive(2, 30.43, 38.86)[0]), 4)
    0.8691
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import attrs

from crmkit.clv.beta_geo import _arrays, _modules, _positive
from crmkit.clv.estimation import maximise
from crmkit.clv.history import History, read_history
from crmkit.clv.persistence import model_from_dict, model_to_dict
from crmkit.clv.summary import TimeUnit
from crmkit.extras import require

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

__all__ = ["ParetoNBD"]

_PARAMS = ("r", "alpha", "s", "beta")


def _log_hyp2f1_a_plus_1(np: Any, sp: Any, a: Any, b: Any, z: Any) -> Any:
    """log 2F1(a, b; a + 1; z) for 0 ≤ z < 1, bounded for any size of ``a``."""
    return (1 - b) * np.log1p(-z) + np.log(sp.hyp2f1(1.0, a + 1 - b, a + 1, z))


def _log_a0(np: Any, sp: Any, params: Any, x: Any, tx: Any, age: Any) -> Any:
    """log A0 of Fader & Hardie's note 009, eqs. (19)/(20); −inf when ``recency == T``."""
    r, alpha, s, beta = params
    if alpha >= beta:
        big, second = alpha, s + 1
    else:
        big, second = beta, r + x
    gap = abs(alpha - beta)
    rsx = r + s + x
    l1 = _log_hyp2f1_a_plus_1(np, sp, rsx, second, gap / (big + tx)) - rsx * np.log(big + tx)
    l2 = _log_hyp2f1_a_plus_1(np, sp, rsx, second, gap / (big + age)) - rsx * np.log(big + age)
    with np.errstate(divide="ignore"):
        return l1 + np.log(-np.expm1(l2 - l1))


def _log_likelihood(np: Any, sp: Any, params: Any, x: Any, tx: Any, age: Any) -> Any:
    r, alpha, s, beta = params
    a1 = sp.gammaln(r + x) - sp.gammaln(r) + r * math.log(alpha) + s * math.log(beta)
    alive = -(r + x) * np.log(alpha + age) - s * np.log(beta + age)
    died = math.log(s) - np.log(r + s + x) + _log_a0(np, sp, params, x, tx, age)
    return a1 + np.logaddexp(alive, died)


@attrs.frozen
class ParetoNBD:
    """A Pareto/NBD model with parameters ``r``, ``alpha``, ``s``, ``beta`` and fit metadata.

    Examples:
        >>> from crmkit.clv import ParetoNBD
        >>> ParetoNBD(r=1.0, alpha=1.0, s=1.0, beta=1.0).to_dict()["params"]["s"]
        1.0
    """

    r: float = attrs.field(validator=_positive)
    alpha: float = attrs.field(validator=_positive)
    s: float = attrs.field(validator=_positive)
    beta: float = attrs.field(validator=_positive)
    standard_errors: dict[str, float] = attrs.field(factory=dict, eq=False)
    log_likelihood: float | None = attrs.field(default=None, eq=False)
    customers: float | None = attrs.field(default=None, eq=False)
    time_unit: TimeUnit | None = None

    @classmethod
    def fit(
        cls,
        data: Any,
        *,
        time_unit: TimeUnit | None = None,
        weights: str | None = None,
        initial_params: dict[str, float] | None = None,
        penalizer: float = 0.0,
    ) -> ParetoNBD:
        """Fit by maximum likelihood (see :meth:`crmkit.clv.BetaGeo.fit` for the arguments).

        Examples:
            >>> from crmkit.clv import BetaGeo, ParetoNBD, simulate_beta_geo
            >>> data = simulate_beta_geo(BetaGeo(r=0.5, alpha=5.0, a=0.5, b=3.0), [40.0] * 300,
            ...                          seed=3)
            >>> model = ParetoNBD.fit(data, time_unit="weeks")
            >>> model.customers
            300.0
        """
        np = require("numpy", "stats")
        history = read_history(data, weights=weights, deduplicate=True)
        scale = float(history.T.max()) or 1.0
        objective = _objective(history, scale, penalizer)
        start = np.zeros(4)
        if initial_params is not None:
            start = np.log([initial_params[n] for n in _PARAMS])
            start[[1, 3]] -= math.log(scale)
        shift = np.array([0.0, math.log(scale), 0.0, math.log(scale)])
        est = maximise(
            objective, start, names=_PARAMS, customers=history.customers,
            model="Pareto/NBD", shift=shift, tol=1e-7,
        )  # fmt: skip
        # undo the time rescaling's Jacobian so the log-likelihood is in the data's unit
        ll = est.log_likelihood - math.log(scale) * float(history.weights @ history.frequency)
        return cls(
            **est.params,
            standard_errors=est.standard_errors,
            log_likelihood=ll,
            customers=est.customers,
            time_unit=time_unit,
        )

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
        np, sp = _modules()
        x, tx, age = _arrays(frequency, recency, T)
        return np.atleast_1d(_log_likelihood(np, sp, self._params(), x, tx, age))

    def probability_alive(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> Any:  # noqa: N803
        """Probability that customers with these histories are still alive (note 009, §5.1).

        Examples:
            >>> from crmkit.clv import ParetoNBD
            >>> m = ParetoNBD(r=0.5533, alpha=10.5777, s=0.6062, beta=11.6665)
            >>> [round(v, 4) for v in m.probability_alive([0, 5], [0, 2.0], [38.86, 38.86]).tolist()]
            [0.2951, 0.0024]
        """
        np, sp = _modules()
        x, tx, age = _arrays(frequency, recency, T)
        r, alpha, s, beta = self._params()
        log_odds_dead = (
            math.log(s) - np.log(r + s + x) + (r + x) * np.log(alpha + age)
            + s * np.log(beta + age) + _log_a0(np, sp, self._params(), x, tx, age)
        )  # fmt: skip
        return np.atleast_1d(sp.expit(-log_odds_dead))

    def expected_purchases(self, t: ArrayLike) -> Any:
        """Expected repeat purchases of a new customer in ``t`` time units (note 009, eq. 27).

        Examples:
            >>> from crmkit.clv import ParetoNBD
            >>> m = ParetoNBD(r=0.5533, alpha=10.5777, s=0.6062, beta=11.6665)
            >>> round(float(m.expected_purchases(39)[0]), 4)
            1.2134
        """
        np, _ = _modules()
        (t,) = _arrays(t)
        r, alpha, s, beta = self._params()
        shrink = -np.expm1((s - 1) * np.log(beta / (beta + t)))
        return r * beta / alpha / (s - 1) * shrink

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
        np, sp = _modules()
        t, x, tx, age = _arrays(t, frequency, recency, T)
        r, alpha, s, beta = self._params()
        ll = _log_likelihood(np, sp, self._params(), x, tx, age)
        first = (
            sp.gammaln(r + x) - sp.gammaln(r) + r * math.log(alpha) + s * math.log(beta)
            - (r + x) * np.log(alpha + age) - s * np.log(beta + age)
        )  # fmt: skip
        second = np.log(r + x) + np.log(beta + age) - np.log(alpha + age)
        with np.errstate(divide="ignore"):
            third = np.log(-np.expm1((s - 1) * np.log((beta + age) / (beta + age + t))) / (s - 1))
        return np.atleast_1d(np.exp(first + second + third - ll))

    def to_dict(self) -> dict[str, Any]:
        """The model as a JSON-ready document.

        Examples:
            >>> from crmkit.clv import ParetoNBD
            >>> ParetoNBD(r=1.0, alpha=2.0, s=3.0, beta=4.0).to_dict()["model"]
            'ParetoNBD'
        """
        return model_to_dict(self, _PARAMS)

    def to_json(self) -> str:
        """The model as JSON text.

        Examples:
            >>> from crmkit.clv import ParetoNBD
            >>> ParetoNBD.from_json(ParetoNBD(r=1.0, alpha=2.0, s=3.0, beta=4.0).to_json()).s
            3.0
        """
        import json

        return json.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, data: Any) -> ParetoNBD:
        """Rebuild a model from :meth:`to_dict`'s document.

        Examples:
            >>> from crmkit.clv import ParetoNBD
            >>> m = ParetoNBD(r=1.0, alpha=2.0, s=3.0, beta=4.0)
            >>> ParetoNBD.from_dict(m.to_dict()) == m
            True
        """
        return model_from_dict(cls, data, _PARAMS)

    @classmethod
    def from_json(cls, text: str) -> ParetoNBD:
        """Rebuild a model from JSON text.

        Examples:
            >>> from crmkit.clv import ParetoNBD
            >>> ParetoNBD.from_json('{"model": "ParetoNBD", "format": 1, "params": '
            ...                     '{"r": 1, "alpha": 2, "s": 3, "beta": 4}}').beta
            4.0
        """
        import json

        return cls.from_dict(json.loads(text))


def _objective(history: History, scale: float, penalizer: float) -> Any:
    """Mean negative log-likelihood on log parameters, gradient by central differences."""
    np, sp = _modules()
    x, w = history.frequency, history.weights
    tx, age = history.recency / scale, history.T / scale
    total = float(w.sum())

    def value(theta: Any) -> float:
        params = np.exp(theta)
        with np.errstate(all="ignore"):
            ll = float(w @ _log_likelihood(np, sp, tuple(params.tolist()), x, tx, age))
        return -ll / total + penalizer * float(params @ params)

    def objective(theta: Any) -> tuple[float, Any]:
        grad = np.empty(4)
        for i in range(4):
            step = 1e-6
            up, down = theta.copy(), theta.copy()
            up[i] += step
            down[i] -= step
            grad[i] = (value(up) - value(down)) / (2 * step)
        return value(theta), grad

    return objective
