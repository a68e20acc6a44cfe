"""The BG/BB model of discrete-time, non-contractual purchasing (Fader, Hardie & Shang 2010).

Customers have a fixed number of *transaction opportunities* — yearly fundraising drives,
annual conferences, weekly issues. While alive, a customer buys at each opportunity with
probability p ~ Beta(α, β); before each opportunity, a living customer drops out for good
with probability θ ~ Beta(γ, δ). A history is ``(frequency, recency, periods)``: the number
of opportunities with a purchase (after the first, which starts the history), the
opportunity of the last purchase (0 when none) and the number of opportunities observed.

The likelihood is a short sum of beta-function ratios (:mod:`crmkit.clv.discrete`), fitted
by maximum likelihood on the distinct patterns; lifetimes' ``load_donations()`` data
(11,104 donors, 6 opportunities) is the published example.

Examples:
    >>> from crmkit.clv import BetaGeoBetaBinomial
    >>> model = BetaGeoBetaBinomial(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
    >>> round(float(model.probability_alive(1, 1, 6)[0]), 4)  # one gift, in year 1
    0.0746
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from crmkit.clv._model import FittedModel
from crmkit.clv.discrete import (
    beta_mixture,
    flag,
    mixture_log_likelihood,
    read_columns,
    whole,
    whole_numbers,
)
from crmkit.clv.estimation import positive
from crmkit.clv.history import merge_patterns
from crmkit.clv.summary import TimeUnit
from crmkit.errors import Problem, ValidationError
from crmkit.extras import require
from crmkit.progress import ProgressOption

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import ArrayLike, NDArray

__all__ = ["BetaGeoBetaBinomial"]

_PARAMS = ("alpha", "beta", "gamma", "delta")


def _histories(
    frequency: ArrayLike, recency: ArrayLike, periods: ArrayLike, what: str = "data"
) -> list[NDArray[np.float64]]:
    """Broadcast and check ``(frequency, recency, periods)``."""
    np = require("numpy", "stats")
    x, tx, n = (
        np.atleast_1d(np.asarray(v, dtype=float))
        for v in np.broadcast_arrays(frequency, recency, periods)
    )
    problems: list[Problem] = []
    for name, values in (("frequency", x), ("recency", tx), ("periods", n)):
        flag(problems, ~np.isfinite(values), what, name, values, "is not a finite number")
    if problems:
        raise ValidationError(problems)
    whole(problems, x, what, "frequency", 0)
    whole(problems, tx, what, "recency", 0)
    whole(problems, n, what, "periods", 1)
    flag(
        problems,
        tx > n,
        what,
        "recency",
        tx,
        "is greater than periods; the last purchase cannot come after the last opportunity",
    )
    flag(
        problems,
        x > tx,
        what,
        "frequency",
        x,
        "is greater than recency; each purchase takes one opportunity up to the last one",
    )
    flag(problems, (x == 0) & (tx > 0), what, "recency", tx,
         "must be 0 when frequency is 0 (no purchase, so no last purchase)")  # fmt: skip
    if problems:
        raise ValidationError(problems)
    return [x, tx, n]


def _terms(x: Any, tx: Any, n: Any) -> tuple[Any, Any]:
    """Offsets and presence of the likelihood's terms (Fader, Hardie & Shang 2010).

    Term 0 (alive through the last opportunity): ``B(α + x, β + n − x) B(γ, δ + n)``; term
    ``1 + i`` for ``i < n − t_x`` (dropped out after opportunity ``t_x + i``):
    ``B(α + x, β + t_x − x + i) B(γ + 1, δ + t_x + i)``.
    """
    np = require("numpy", "stats")
    gaps = n - tx
    i = np.arange(int(gaps.max()) if gaps.shape[0] else 0)[None, :]
    rows = x.shape[0]
    present = np.concatenate((np.ones((rows, 1), dtype=bool), i < gaps[:, None]), axis=1)
    terms = present.shape[1]
    u1 = np.broadcast_to(x[:, None], (rows, terms))
    v1 = np.concatenate(((n - x)[:, None], (tx - x)[:, None] + i), axis=1)
    u2 = np.concatenate((np.zeros((rows, 1)), np.ones((rows, terms - 1))), axis=1)
    v2 = np.concatenate((n[:, None], tx[:, None] + i), axis=1)
    return np.stack([np.stack([u1, v1]), np.stack([u2, v2])]), present


@attrs.frozen
class BetaGeoBetaBinomial(FittedModel):
    """A BG/BB model: ``alpha``, ``beta`` (purchase probability), ``gamma``, ``delta`` (dropout).

    Examples:
        >>> from crmkit.clv import BetaGeoBetaBinomial
        >>> BetaGeoBetaBinomial(alpha=1.0, beta=1.0, gamma=1.0, delta=float("inf"))
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: BetaGeoBetaBinomial.delta: inf must be a positive number
    """

    alpha: float = attrs.field(validator=positive)
    beta: float = attrs.field(validator=positive)
    gamma: float = attrs.field(validator=positive)
    delta: float = attrs.field(validator=positive)
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
        weights: str | None = None,
        time_unit: TimeUnit | None = None,
        initial_params: dict[str, float] | None = None,
        progress: ProgressOption = None,
    ) -> BetaGeoBetaBinomial:
        """Fit by maximum likelihood to ``frequency``, ``recency``, ``periods`` histories.

        Args:
            data: records, a mapping of arrays or a frame with the three columns (whole
                numbers; see the module docstring).
            weights: field/column counting customers per row (the published data come as
                counts per pattern).
            time_unit: the spacing of the opportunities (metadata).
            initial_params: start values (natural scale).
            progress: ``True`` for a progress bar, or a callback ``(done, total)`` (see
                :mod:`crmkit.progress`); off by default.

        Raises:
            ValidationError: a missing column; a frequency above the recency or a recency
                above the periods; values that are not whole numbers.
            FitError: the optimiser did not converge.

        Examples:
            >>> from crmkit.clv import BetaGeoBetaBinomial
            >>> data = {"frequency": [0, 1, 2, 3, 1, 2], "recency": [0, 1, 3, 3, 2, 2],
            ...         "periods": [3, 3, 3, 3, 3, 3], "count": [30, 10, 8, 12, 5, 6]}
            >>> sorted(BetaGeoBetaBinomial.fit(data, weights="count").standard_errors)
            ['alpha', 'beta', 'delta', 'gamma']
        """
        np = require("numpy", "stats")
        columns = read_columns(data, ("frequency", "recency", "periods"), weights=weights)
        x, tx, n = _histories(columns["frequency"], columns["recency"], columns["periods"])
        (x, tx, n), w = merge_patterns([x, tx, n], columns.get("weights", np.ones_like(x)))
        offsets, present = _terms(x, tx, n)
        return cls._maximum_likelihood(
            beta_mixture(offsets, present, w), customers=float(w.sum()), model="BG/BB",
            initial_params=initial_params, time_unit=time_unit, progress=progress,
        )  # fmt: skip

    @property
    def _params(self) -> tuple[float, float, float, float]:
        return self.alpha, self.beta, self.gamma, self.delta

    def log_likelihood_of(
        self, frequency: ArrayLike, recency: ArrayLike, periods: ArrayLike
    ) -> Any:
        """Each history's log-likelihood under the model.

        Examples:
            >>> from crmkit.clv import BetaGeoBetaBinomial
            >>> m = BetaGeoBetaBinomial(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
            >>> round(float(m.log_likelihood_of(0, 0, 6)[0]), 4)
            -1.1673
        """
        x, tx, n = _histories(frequency, recency, periods)
        return mixture_log_likelihood(*_terms(x, tx, n), self._params)

    def probability_alive(
        self, frequency: ArrayLike, recency: ArrayLike, periods: ArrayLike, ahead: int = 0
    ) -> Any:
        """Probability that customers are alive at opportunity ``periods + ahead``.

        FHS (2010) eq. A10 (lifetimes' ``conditional_probability_alive``): ``ahead = 1``
        asks whether they will be there for the next opportunity.

        Examples:
            >>> from crmkit.clv import BetaGeoBetaBinomial
            >>> m = BetaGeoBetaBinomial(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
            >>> [round(v, 4) for v in m.probability_alive([0, 3], [0, 3], 6).tolist()]
            [0.1161, 0.1021]
        """
        np = require("numpy", "stats")
        sp = require("scipy.special", "stats")
        m = _ahead(ahead, "ahead")
        x, tx, n = _histories(frequency, recency, periods)
        al, be, ga, de = self._params
        alive = (
            sp.betaln(al + x, be + n - x) - sp.betaln(al, be)
            + sp.betaln(ga, de + n + m) - sp.betaln(ga, de)
        )  # fmt: skip
        return np.exp(alive - mixture_log_likelihood(*_terms(x, tx, n), self._params))

    def expected_purchases(self, periods: ArrayLike) -> Any:
        """Expected purchases of a new customer in the first ``periods`` opportunities.

        ``E[X(n)] = α/(α + β) · Σ_{t=1..n} B(γ, δ + t)/B(γ, δ)`` (FHS 2010's closed form, written as
        the finite sum, which has no singularity at γ = 1).

        Examples:
            >>> from crmkit.clv import BetaGeoBetaBinomial
            >>> m = BetaGeoBetaBinomial(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
            >>> [round(v, 4) for v in m.expected_purchases([1, 6]).tolist()]
            [0.4985, 2.2196]
        """
        np = require("numpy", "stats")
        n = whole_numbers(periods, "periods")
        al, be = self.alpha, self.beta
        return al / (al + be) * self._survival_sum(np.zeros_like(n), n)

    def conditional_expected_purchases(
        self, future: ArrayLike, frequency: ArrayLike, recency: ArrayLike, periods: ArrayLike
    ) -> Any:
        """Expected purchases in the next ``future`` opportunities of customers with these histories.

        ``E = B(α + x + 1, β + n − x)/B(α, β) · Σ_{t=n+1..n+future} B(γ, δ + t)/B(γ, δ) / L``
        (FHS 2010 eq. 13 as a finite sum; lifetimes'
        ``conditional_expected_number_of_purchases_up_to_time``).

        Examples:
            >>> from crmkit.clv import BetaGeoBetaBinomial
            >>> m = BetaGeoBetaBinomial(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
            >>> [round(v, 4) for v in m.conditional_expected_purchases(5, [0, 6], [0, 6], 6).tolist()]
            [0.0728, 3.7521]
        """
        np = require("numpy", "stats")
        sp = require("scipy.special", "stats")
        ahead = whole_numbers(future, "future", least=0)
        x, tx, n = _histories(frequency, recency, periods)
        ahead = np.broadcast_to(ahead, x.shape)
        # discrete histories repeat: compute once per distinct (x, tx, n, ahead) pattern
        keys = np.stack([v.ravel() for v in (x, tx, n, ahead)], axis=1)
        patterns, inverse = np.unique(keys, axis=0, return_inverse=True)
        px, ptx, pn, pahead = patterns.T
        al, be = self.alpha, self.beta
        log_l = mixture_log_likelihood(*_terms(px, ptx, pn), self._params)
        buy = sp.betaln(al + px + 1, be + pn - px) - sp.betaln(al, be)
        values = np.exp(buy - log_l) * self._survival_sum(pn, pn + pahead)
        return values[inverse.ravel()].reshape(x.shape)

    def _survival_sum(self, start: Any, stop: Any) -> Any:
        """``Σ_{t=start+1..stop} B(γ, δ + t)/B(γ, δ)`` per element."""
        np = require("numpy", "stats")
        sp = require("scipy.special", "stats")
        start, stop = np.broadcast_arrays(start, stop)
        width = int((stop - start).max()) if stop.size else 0
        t = start[..., None] + np.arange(1, width + 1)
        terms = np.exp(sp.betaln(self.gamma, self.delta + t) - sp.betaln(self.gamma, self.delta))
        return np.where(t <= stop[..., None], terms, 0.0).sum(axis=-1)


def _ahead(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError.single(name, value, "must be a whole number of zero or more")
    return value
