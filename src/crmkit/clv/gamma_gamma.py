"""The Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"; Hardie note 025).

Each customer's purchase values vary around their own mean; the mean ν-scale varies across
customers as Gamma(q, γ) and each value is Gamma(p, ν). Fitted on the customers with at least
one repeat purchase (``frequency > 0``) from their ``frequency`` and mean repeat purchase
value ``monetary_value``; predicts each customer's expected average order value, shrinking
the observed mean towards the population mean the fewer purchases there are.

Examples:
    >>> from crmkit.clv import GammaGamma
    >>> spend = GammaGamma(p=6.25, q=3.74, v=15.44)
    >>> round(float(spend.expected_order_value(2, 22.35)[0]), 2)
    24.66
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from crmkit.clv._model import FittedModel
from crmkit.clv.estimation import penalty, positive
from crmkit.clv.history import History, merge_patterns, read_history
from crmkit.clv.summary import TimeUnit
from crmkit.errors import CrmkitWarning, ValidationError
from crmkit.extras import require
from crmkit.frames import is_frame
from crmkit.progress import ProgressOption

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

__all__ = ["GammaGamma"]

_PARAMS = ("p", "q", "v")


@attrs.frozen
class GammaGamma(FittedModel):
    """A Gamma-Gamma spend model with parameters ``p``, ``q``, ``v`` (γ) and fit metadata.

    Examples:
        >>> from crmkit.clv import GammaGamma
        >>> round(GammaGamma(p=6.25, q=3.74, v=15.44).mean_order_value, 2)
        35.22
    """

    p: float = attrs.field(validator=positive)
    q: float = attrs.field(validator=positive)
    v: float = attrs.field(validator=positive)
    standard_errors: dict[str, float] = attrs.field(factory=dict, eq=False)
    log_likelihood: float | None = attrs.field(default=None, eq=False)
    customers: float | None = attrs.field(default=None, eq=False)
    time_unit: TimeUnit | None = None

    PARAMETERS: ClassVar[tuple[str, ...]] = _PARAMS

    @property
    def mean_order_value(self) -> float:
        """The population mean order value ``p γ / (q − 1)`` (infinite when ``q ≤ 1``).

        Examples:
            >>> from crmkit.clv import GammaGamma
            >>> GammaGamma(p=1.0, q=3.0, v=10.0).mean_order_value
            5.0
        """
        return self.p * self.v / (self.q - 1) if self.q > 1 else math.inf

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
    ) -> GammaGamma:
        """Fit by maximum likelihood to the repeat customers of ``data``.

        Rows with ``frequency == 0`` are ignored (they have no repeat purchase value).

        Args:
            data: see :func:`crmkit.clv.history.read_history` (with ``monetary_value``).
            time_unit: kept as metadata.
            weights: field/column counting customers per row, for pre-aggregated patterns.
            initial_params: start values (natural scale).
            penalizer: L2 penalty on the parameters, lifetimes' ``penalizer_coef``; 0 gives
                the plain maximum-likelihood estimate (see
                :func:`~crmkit.clv.estimation.penalty`).
            progress: ``True`` for a progress bar, or a callback ``(done, total)`` (see
                :mod:`crmkit.progress`); off by default.

        Raises:
            ValidationError: bad histories, a repeat customer with a non-positive
                ``monetary_value``, or no repeat customer at all.
            FitError: the optimiser did not converge.

        Examples:
            >>> from crmkit.clv import GammaGamma
            >>> spend = GammaGamma.fit({"frequency": [1, 2, 5, 1, 3, 0], "recency": [1] * 5
            ...                         + [0], "T": [9] * 6, "monetary_value":
            ...                         [10.0, 12.0, 30.0, 8.0, 20.0, 0.0]})
            >>> spend.customers
            5.0
        """
        penalizer = penalty(penalizer)
        # a frame is grouped to its distinct patterns on its engine: only those are collected
        history = read_history(data, monetary=True, weights=weights, deduplicate=is_frame(data))
        history = history.select(history.frequency > 0)
        if history.size == 0:
            raise ValidationError.single(
                "summary.frequency", message="has no repeat customer (frequency > 0) to fit"
            )
        history = _merge(history)
        return cls._maximum_likelihood(
            _objective(history, penalizer), customers=history.customers, model="Gamma-Gamma",
            initial_params=initial_params or None, time_unit=time_unit, progress=progress,
        )  # fmt: skip

    def expected_order_value(self, frequency: ArrayLike, monetary_value: ArrayLike) -> Any:
        """Expected average value of a customer's future orders (lifetimes'
        ``conditional_expected_average_profit``); the population mean when ``frequency`` is 0.

        The mean exists only where ``p · frequency + q > 1``; elsewhere (a fitted ``q ≤ 1``:
        heavy-tailed spend) the value is ``+inf`` and a
        :class:`~crmkit.errors.CrmkitWarning` says so — never a finite negative number.

        Examples:
            >>> from crmkit.clv import GammaGamma
            >>> spend = GammaGamma(p=6.25, q=3.74, v=15.44)
            >>> [round(v, 2) for v in spend.expected_order_value([0, 10], [0.0, 50.0]).tolist()]
            [35.22, 49.38]
            >>> import warnings
            >>> with warnings.catch_warnings(record=True) as caught:
            ...     warnings.simplefilter("always")
            ...     heavy = GammaGamma(p=2.0, q=0.5, v=10.0).expected_order_value([0, 1], [0, 5.0])
            >>> heavy.tolist(), caught[0].category.__name__
            ([inf, 20.0], 'CrmkitWarning')
        """
        np = require("numpy", "stats")
        x, m = (np.asarray(a, dtype=float) for a in np.broadcast_arrays(frequency, monetary_value))
        p, q, v = self.p, self.q, self.v
        # E[value | x, m] = p (γ + x m) / (p x + q − 1): the posterior mean of ν⁻¹ exists only
        # for p x + q > 1 (the spread-out Gamma(q) prior has a heavy right tail); below that
        # the mean order value is +∞, never the negative number the formula gives there
        denominator = p * x + q - 1
        exists = denominator > 0
        if not bool(np.all(exists)):
            warnings.warn(
                f"GammaGamma: the expected order value does not exist (is +inf) for customers "
                f"with p·frequency + q ≤ 1 (p = {p:g}, q = {q:g}): the fitted spend "
                "distribution is too heavy-tailed to have a mean",
                CrmkitWarning,
                stacklevel=2,
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = p * (v + x * m) / denominator
        return np.atleast_1d(np.where(exists, mean, math.inf))


def _merge(history: History) -> History:
    np = require("numpy", "stats")
    assert history.monetary_value is not None
    keys, w = merge_patterns([history.frequency, history.monetary_value], history.weights)
    zeros = np.zeros(w.shape[0])
    return History(keys[0], zeros, zeros, w, keys[1])


def _objective(history: History, penalizer: float) -> Any:
    """Mean negative log-likelihood and exact gradient (log parameters)."""
    np = require("numpy", "stats")
    sp = require("scipy.special", "stats")
    x, w = history.frequency, history.weights
    m = history.monetary_value
    assert m is not None
    total = float(w.sum())
    log_m, log_x = np.log(m), np.log(x)
    xm = x * m

    def objective(theta: Any) -> tuple[float, Any]:
        p, q, v = np.exp(theta)
        px = p * x
        log_xmv = np.log(xm + v)
        terms = (
            sp.gammaln(px + q) - sp.gammaln(px) - sp.gammaln(q) + q * math.log(v)
            + (px - 1) * log_m + px * log_x - (px + q) * log_xmv
        )  # fmt: skip
        ll = float(w @ terms)
        psi_pxq = sp.digamma(px + q)
        d_p = float((w * x) @ (psi_pxq - sp.digamma(px) + log_m + log_x - log_xmv))
        d_q = float(w @ (psi_pxq - sp.digamma(q) + math.log(v) - log_xmv))
        d_v = total * q / v - float(w @ ((px + q) / (xm + v)))
        params = np.array([p, q, v])
        grad = -np.array([d_p, d_q, d_v]) * params / total + 2 * penalizer * params**2
        return -ll / total + penalizer * float(params @ params), grad

    return objective
