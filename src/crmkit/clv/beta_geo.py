"""The BG/NBD model (Fader, Hardie & Lee 2005, "Counting your customers the easy way").

While alive, a customer buys at a Poisson rate λ ~ Gamma(r, α); after each repeat purchase
they drop out with probability p ~ Beta(a, b). The model is fitted by maximum likelihood on
``(frequency, recency, T)`` histories (see :func:`crmkit.clv.summarise`).

Numerics: log-gamma and log-sum-exp in the likelihood, an exact analytic gradient, parameters
optimised on the log scale with time rescaled to max T = 1, terms that depend only on the
frequency computed once per distinct frequency, identical histories merged into weights, and
predictions written so that nothing overflows for very frequent or very old customers (the
Gauss hypergeometric function of the conditional expectation is evaluated after an Euler
transformation that keeps it bounded).

Examples:
    >>> from crmkit.clv import BetaGeo
    >>> model = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="weeks")
    >>> round(float(model.probability_alive(2, 30.43, 38.86)[0]), 4)
    0.7266
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import attrs

from crmkit.clv.estimation import maximise
from crmkit.clv.history import History, read_history
from crmkit.clv.persistence import model_from_dict, model_to_dict
from crmkit.clv.summary import TimeUnit
from crmkit.errors import ValidationError
from crmkit.extras import require

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import ArrayLike, NDArray

__all__ = ["BetaGeo"]

_PARAMS = ("r", "alpha", "a", "b")


def _positive(instance: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < math.inf:
        raise ValidationError.single(
            f"{type(instance).__name__}.{attribute.name}", value, "must be a positive number"
        )


def _modules() -> tuple[Any, Any]:
    return require("numpy", "stats"), require("scipy.special", "stats")


def _arrays(*values: ArrayLike) -> list[NDArray[np.float64]]:
    np = require("numpy", "stats")
    return [np.atleast_1d(np.asarray(v, dtype=float)) for v in np.broadcast_arrays(*values)]


@attrs.frozen
class BetaGeo:
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

    r: float = attrs.field(validator=_positive)
    alpha: float = attrs.field(validator=_positive)
    a: float = attrs.field(validator=_positive)
    b: float = attrs.field(validator=_positive)
    standard_errors: dict[str, float] = attrs.field(factory=dict, eq=False)
    log_likelihood: float | None = attrs.field(default=None, eq=False)
    customers: float | None = attrs.field(default=None, eq=False)
    time_unit: TimeUnit | None = None

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
    ) -> BetaGeo:
        """Fit by maximum likelihood to customer summaries (records, arrays or a frame).

        Args:
            data: see :func:`crmkit.clv.history.read_history`.
            time_unit: the unit ``recency``/``T`` are measured in (kept as metadata; used by
                :func:`crmkit.clv.customer_lifetime_value`).
            weights: field/column counting customers per row, for pre-aggregated patterns.
            initial_params: start values (natural scale, in the data's time unit).
            penalizer: L2 penalty on the parameters (time rescaled to max T = 1), lifetimes'
                ``penalizer_coef``; 0 gives the plain maximum-likelihood estimate.

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
        np = require("numpy", "stats")
        history = read_history(data, weights=weights, deduplicate=True)
        scale = float(history.T.max()) or 1.0
        objective = _objective(history, scale, penalizer)
        start = np.zeros(4)
        if initial_params is not None:
            start = np.log([initial_params[n] for n in _PARAMS])
            start[1] -= math.log(scale)
        shift = np.array([0.0, math.log(scale), 0.0, 0.0])
        est = maximise(
            objective, start, names=_PARAMS, customers=history.customers, model="BG/NBD",
            shift=shift,
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

    def log_likelihood_of(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> Any:  # noqa: N803
        """Each customer's log-likelihood under the model.

        Examples:
            >>> from crmkit.clv import BetaGeo
            >>> m = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426)
            >>> round(float(m.log_likelihood_of(0, 0, 38.86)[0]), 4)
            -0.5547
        """
        np, sp = _modules()
        x, tx, age = _arrays(frequency, recency, T)
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
        np, sp = _modules()
        (t,) = _arrays(t)
        r, al, a, b = self.r, self.alpha, self.a, self.b
        z = t / (al + t)
        # 2F1(r, b; a+b-1; z) (1-z)^r, Euler-transformed: 2F1(a+b-1-r, a-1; a+b-1; z) (1-z)^(a-1)
        log_term = np.log(sp.hyp2f1(a + b - 1 - r, a - 1, a + b - 1, z)) + (a - 1) * np.log1p(-z)
        return (a + b - 1) / (a - 1) * -np.expm1(log_term)

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
        np, sp = _modules()
        t, x, tx, age = _arrays(t, frequency, recency, T)
        r, al, a, b = self.r, self.alpha, self.a, self.b
        z = t / (al + age + t)
        c = a + b + x - 1
        # 1 - 2F1(r+x, b+x; c; z) (1-z)^(r+x) after the Euler transformation
        # 2F1(A, B; C; z) = (1-z)^(C-A-B) 2F1(C-A, C-B; C; z): bounded for any frequency.
        log_term = np.log(sp.hyp2f1(c - r - x, a - 1, c, z)) + (a - 1) * np.log1p(-z)
        numerator = (a + b + x - 1) / (a - 1) * -np.expm1(log_term)
        return numerator * self.probability_alive(x, tx, age)

    def probability_alive(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> Any:  # noqa: N803
        """Probability that customers with these histories are still alive (Hardie note 021).

        Examples:
            >>> from crmkit.clv import BetaGeo
            >>> m = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426)
            >>> [round(v, 4) for v in m.probability_alive([0, 5], [0, 2.0], [38.86, 38.86]).tolist()]
            [1.0, 0.0004]
        """
        np, sp = _modules()
        x, tx, age = _arrays(frequency, recency, T)
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
        np, sp = _modules()
        stats = require("scipy.stats", "stats")
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValidationError.single("n", n, "must be a whole number of zero or more")
        (t,) = _arrays(t)
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

    # ------------------------------------------------------------------ serialisation

    def to_dict(self) -> dict[str, Any]:
        """The model as a JSON-ready document.

        Examples:
            >>> from crmkit.clv import BetaGeo
            >>> BetaGeo(r=1.0, alpha=2.0, a=3.0, b=4.0).to_dict()["model"]
            'BetaGeo'
        """
        return model_to_dict(self, _PARAMS)

    def to_json(self) -> str:
        """The model as JSON text (parameters and metadata; never pickle).

        Examples:
            >>> from crmkit.clv import BetaGeo
            >>> BetaGeo(r=1.0, alpha=2.0, a=3.0, b=4.0).to_json()[:19]
            '{"model": "BetaGeo"'
        """
        import json

        return json.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, data: Any) -> BetaGeo:
        """Rebuild a model from :meth:`to_dict`'s document.

        Examples:
            >>> from crmkit.clv import BetaGeo
            >>> m = BetaGeo(r=1.0, alpha=2.0, a=3.0, b=4.0)
            >>> BetaGeo.from_dict(m.to_dict()) == m
            True
        """
        return model_from_dict(cls, data, _PARAMS)

    @classmethod
    def from_json(cls, text: str) -> BetaGeo:
        """Rebuild a model from :meth:`to_json`'s text.

        Examples:
            >>> from crmkit.clv import BetaGeo
            >>> BetaGeo.from_json(BetaGeo(r=1.0, alpha=2.0, a=3.0, b=4.0).to_json()).b
            4.0
        """
        import json

        return cls.from_dict(json.loads(text))


def _objective(history: History, scale: float, penalizer: float) -> Any:
    """Mean negative log-likelihood and its exact gradient on log parameters."""
    np, sp = _modules()
    x, w = history.frequency, history.weights
    tx, age = history.recency / scale, history.T / scale
    total = float(w.sum())
    xs, inverse = np.unique(x, return_inverse=True)
    nx = np.bincount(inverse.ravel(), weights=w, minlength=xs.shape[0])
    pos = x > 0
    w0, t0 = w[~pos], age[~pos]
    wp, xp, txp, tp = w[pos], x[pos], tx[pos], age[pos]
    xm1 = xp - 1

    def objective(theta: Any) -> tuple[float, Any]:
        r, al, a, b = np.exp(theta)
        # terms that depend on the frequency only: once per distinct frequency
        ll = float(nx @ (sp.gammaln(r + xs) + sp.gammaln(b + xs) - sp.gammaln(a + b + xs)))
        ll += total * (-sp.gammaln(r) + r * math.log(al) + sp.gammaln(a + b) - sp.gammaln(b))
        l0 = np.log(al + t0)
        ll -= r * float(w0 @ l0)
        lt, ltx = np.log(al + tp), np.log(al + txp)
        rx = r + xp
        a3 = -rx * lt
        a4 = math.log(a) - np.log(b + xm1) - rx * ltx
        # log(e^a3 + e^a4) = a3 + softplus(a4 - a3); the difference is floored at -700 so no
        # subnormal floats appear (they are ~100x slower and change nothing at 1e-304)
        gap = np.maximum(a4 - a3, -700.0)
        mix = a3 + np.logaddexp(0.0, gap)
        ll += float(wp @ mix)
        s4 = sp.expit(gap)  # weight of the "dropped out after the last purchase" branch
        s3 = 1.0 - s4
        ws4 = wp * s4
        d_r = (
            float(nx @ sp.digamma(r + xs)) + total * (math.log(al) - sp.digamma(r))
            - float(w0 @ l0) - float(wp @ (s3 * lt + s4 * ltx))
        )  # fmt: skip
        d_al = (
            total * r / al - r * float(w0 @ (1.0 / (al + t0)))
            - float((wp * rx) @ (s3 / (al + tp) + s4 / (al + txp)))
        )  # fmt: skip
        psi_ab = sp.digamma(a + b)
        d_a = total * psi_ab - float(nx @ sp.digamma(a + b + xs)) + float(ws4.sum()) / a
        d_b = (
            total * (psi_ab - sp.digamma(b))
            + float(nx @ (sp.digamma(b + xs) - sp.digamma(a + b + xs)))
            - float(ws4 @ (1.0 / (b + xm1)))
        )  # fmt: skip
        params = np.array([r, al, a, b])
        grad = -np.array([d_r, d_al, d_a, d_b]) * params / total + 2 * penalizer * params**2
        value = -ll / total + penalizer * float(params @ params)
        return value, grad

    return objective
