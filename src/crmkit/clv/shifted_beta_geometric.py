"""The shifted-beta-geometric (sBG) model of contractual churn (Fader & Hardie 2007).

In a subscription business, each customer renews at the end of every period until they
cancel; a customer cancels at the end of a period with probability θ, constant over time,
and θ varies across customers as Beta(γ, δ). The probability of cancelling in period ``t``
is ``P(T = t) = B(γ + 1, δ + t − 1) / B(γ, δ)`` and the share still subscribed after ``t``
periods is ``S(t) = B(γ, δ + t) / B(γ, δ)``. Retention rates rise over time — not because
customers change, but because the ones likely to cancel leave first.

Fit it to one cohort's survivor counts (:meth:`ShiftedBetaGeometric.fit_survivors`) or to
per-customer records (:meth:`ShiftedBetaGeometric.fit`: the periods each customer was
observed and whether they cancelled). Fader & Hardie's discounted expected (residual)
lifetimes turn it into customer value.

Examples:
    >>> from crmkit.clv import ShiftedBetaGeometric
    >>> model = ShiftedBetaGeometric.fit_survivors([1000, 631, 468, 382, 326, 289, 262, 241])
    >>> round(model.gamma, 3), round(model.delta, 3)
    (0.704, 1.182)
    >>> [round(v) for v in (1000 * model.survival([8, 9, 10])).tolist()]
    [220, 204, 191]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from crmkit.clv._model import FittedModel
from crmkit.clv.discrete import beta_mixture, flag, read_columns, whole, whole_numbers
from crmkit.clv.estimation import positive
from crmkit.clv.history import merge_patterns
from crmkit.clv.summary import TimeUnit
from crmkit.errors import FitError, Problem, ValidationError
from crmkit.extras import require
from crmkit.progress import ProgressOption

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import ArrayLike, NDArray

__all__ = ["ShiftedBetaGeometric"]

_PARAMS = ("gamma", "delta")


def _identified(t: Any, churned: Any, w: Any) -> None:
    """Raise :class:`~crmkit.errors.FitError` for data that cannot identify ``gamma`` and
    ``delta`` whatever the optimiser does: nobody churned (the churn rate's estimate is 0), or
    nobody was observed past the first period (which identifies one churn probability, not
    the two parameters of its distribution)."""
    if not float((w * churned).sum()) > 0:
        raise FitError(
            "sBG cannot be fitted: no customer churned, so the data say nothing about how "
            "fast customers leave (the churn rate's estimate would be 0). Try: fit when the "
            "cohort has lost customers, or over a longer span of periods."
        )
    if not bool((t > 1).any()):
        raise FitError(
            "sBG cannot be fitted: every customer was observed for the first period only, "
            "which gives one churn probability, not the spread of churn rates the model "
            "estimates. Try: fit when customers have been observed for two periods or more."
        )


@attrs.frozen
class ShiftedBetaGeometric(FittedModel):
    """An sBG model: churn probability θ ~ Beta(``gamma``, ``delta``), and fit metadata.

    Periods are counted from the start of the subscription: period 1 is the first paid
    period, and a customer "survives" period ``t`` by renewing at its end.

    Examples:
        >>> from crmkit.clv import ShiftedBetaGeometric
        >>> ShiftedBetaGeometric(gamma=0.0, delta=1.0)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: ShiftedBetaGeometric.gamma: 0.0 must be a positive number
    """

    gamma: float = attrs.field(validator=positive)
    delta: float = attrs.field(validator=positive)
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
        weights: str | None = None,
        time_unit: TimeUnit | None = None,
        initial_params: dict[str, float] | None = None,
        progress: ProgressOption = None,
    ) -> ShiftedBetaGeometric:
        """Fit by maximum likelihood to per-customer durations.

        Args:
            data: records, a mapping of arrays or a frame with ``periods`` (whole number ≥ 1:
                the period in which the customer cancelled, or the number of periods they
                have been subscribed so far) and ``churned`` (true when they cancelled).
            weights: field/column counting customers per row, for pre-aggregated data.
            time_unit: the length of a period (metadata).
            initial_params: start values for ``gamma`` and ``delta``.
            progress: ``True`` for a progress bar, or a callback ``(done, total)`` (see
                :mod:`crmkit.progress`); off by default.

        Raises:
            ValidationError: a missing column, a period that is not a whole number ≥ 1, a
                ``churned`` value that is not true/false.
            FitError: the optimiser did not converge (for example nobody churned).

        Examples:
            >>> from crmkit.clv import ShiftedBetaGeometric
            >>> rows = [{"periods": 1, "churned": True}, {"periods": 3, "churned": True},
            ...         {"periods": 4, "churned": False}, {"periods": 2, "churned": True},
            ...         {"periods": 4, "churned": False}, {"periods": 1, "churned": True}]
            >>> sorted(ShiftedBetaGeometric.fit(rows).standard_errors)
            ['delta', 'gamma']
        """
        np = require("numpy", "stats")
        columns = read_columns(data, ("periods", "churned"), weights=weights)
        t, churned = columns["periods"], columns["churned"]
        problems: list[Problem] = []
        whole(problems, t, "data", "periods", 1)
        flag(problems, (churned != 0) & (churned != 1), "data", "churned", churned,
             "must be true or false")  # fmt: skip
        if problems:
            raise ValidationError(problems)
        w = columns.get("weights", np.ones_like(t))
        return cls._fit(t, churned, w, time_unit, initial_params, progress)

    @classmethod
    def fit_survivors(
        cls,
        survivors: Sequence[float],
        *,
        time_unit: TimeUnit | None = None,
        initial_params: dict[str, float] | None = None,
        progress: ProgressOption = None,
    ) -> ShiftedBetaGeometric:
        """Fit to one cohort's customers still subscribed at the start and after each period.

        ``survivors[0]`` is the cohort size and ``survivors[t]`` the number still subscribed
        after ``t`` periods (Fader & Hardie 2007's data layout).

        Args:
            progress: ``True`` for a progress bar, or a callback ``(done, total)`` (see
                :mod:`crmkit.progress`); off by default.

        Raises:
            ValidationError: fewer than two counts, a negative or rising count.

        Examples:
            >>> from crmkit.clv import ShiftedBetaGeometric
            >>> ShiftedBetaGeometric.fit_survivors([100, 120])
            Traceback (most recent call last):
            ...
            crmkit.errors.ValidationError: survivors[1]: 120.0 must not exceed the count \
before it (customers only leave a cohort)
        """
        np = require("numpy", "stats")
        try:
            counts = np.asarray(survivors, dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValidationError.single(
                "survivors", survivors, f"is not a list of numbers ({exc})"
            ) from None
        if counts.ndim != 1 or counts.shape[0] < 2:
            raise ValidationError.single(
                "survivors", survivors, "needs the cohort size and at least one later count"
            )
        problems = [
            Problem(f"survivors[{i}]", float(c), "must be a finite number of zero or more")
            for i, c in enumerate(counts.tolist())
            if not (math.isfinite(c) and c >= 0)
        ]
        problems += [
            Problem(f"survivors[{i}]", float(counts[i]),
                    "must not exceed the count before it (customers only leave a cohort)")
            for i in range(1, counts.shape[0]) if counts[i] > counts[i - 1]
        ]  # fmt: skip
        if counts[0] <= 0:
            problems.append(Problem("survivors[0]", float(counts[0]), "must be positive"))
        if problems:
            raise ValidationError(problems)
        horizon = counts.shape[0] - 1
        lost = counts[:-1] - counts[1:]
        t = np.concatenate((np.arange(1.0, horizon + 1), [float(horizon)]))
        churned = np.concatenate((np.ones(horizon), [0.0]))
        w = np.concatenate((lost, counts[-1:]))
        keep = w > 0
        return cls._fit(t[keep], churned[keep], w[keep], time_unit, initial_params, progress)

    @classmethod
    def _fit(
        cls,
        t: NDArray[np.float64],
        churned: NDArray[np.float64],
        w: NDArray[np.float64],
        time_unit: TimeUnit | None,
        initial_params: dict[str, float] | None,
        progress: ProgressOption = None,
    ) -> ShiftedBetaGeometric:
        np = require("numpy", "stats")
        (t, churned), w = merge_patterns([t, churned], w)
        _identified(t, churned, w)
        # P(T = t) = B(γ + 1, δ + t − 1)/B(γ, δ); S(t) = B(γ, δ + t)/B(γ, δ)
        offsets = np.stack([np.stack([churned, np.where(churned > 0, t - 1, t)])])[..., None]
        return cls._maximum_likelihood(
            beta_mixture(offsets, np.ones((t.shape[0], 1), dtype=bool), w),
            customers=float(w.sum()), model="sBG", initial_params=initial_params,
            time_unit=time_unit, progress=progress,
        )  # fmt: skip

    # ------------------------------------------------------------------ predictions

    def churn_probability(self, t: ArrayLike) -> Any:
        """Probability that a new customer cancels in period ``t`` (``P(T = t)``).

        Args:
            t: the period (a whole number from 1), or an array of them.

        Examples:
            >>> from crmkit.clv import ShiftedBetaGeometric
            >>> m = ShiftedBetaGeometric(gamma=0.704, delta=1.182)
            >>> [round(v, 4) for v in m.churn_probability([1, 2]).tolist()]
            [0.3733, 0.1529]
        """
        np = require("numpy", "stats")
        return np.exp(self._log_churn(whole_numbers(t, "t", 1)))

    def survival(self, t: ArrayLike) -> Any:
        """Share of a cohort still subscribed after ``t`` periods (``S(t)``, ``S(0) = 1``).

        Examples:
            >>> from crmkit.clv import ShiftedBetaGeometric
            >>> m = ShiftedBetaGeometric(gamma=0.704, delta=1.182)
            >>> [round(v, 4) for v in m.survival([0, 1, 7]).tolist()]
            [1.0, 0.6267, 0.2391]
        """
        np = require("numpy", "stats")
        return np.exp(self._log_survival(whole_numbers(t, "t", 0)))

    def retention_rate(self, t: ArrayLike) -> Any:
        """The retention rate of period ``t``: ``S(t) / S(t − 1) = (δ + t − 1)/(γ + δ + t − 1)``.

        Examples:
            >>> from crmkit.clv import ShiftedBetaGeometric
            >>> m = ShiftedBetaGeometric(gamma=0.704, delta=1.182)
            >>> [round(v, 3) for v in m.retention_rate([1, 2, 10]).tolist()]
            [0.627, 0.756, 0.935]
        """
        t = whole_numbers(t, "t", 1)
        return (self.delta + t - 1) / (self.gamma + self.delta + t - 1)

    def discounted_expected_lifetime(self, discount_rate: float) -> float:
        """Discounted expected lifetime of a new customer, in periods (Fader & Hardie 2010).

        ``DEL = Σ_{t≥1} S(t − 1) / (1 + d)^(t − 1) = ₂F₁(1, δ; γ + δ; 1/(1 + d))``: the
        number of payments a customer makes, each discounted to the first one. Times the
        payment per period, it is the customer's lifetime value at acquisition.

        Examples:
            >>> from crmkit.clv import ShiftedBetaGeometric
            >>> m = ShiftedBetaGeometric(gamma=0.704, delta=1.182)
            >>> round(m.discounted_expected_lifetime(0.1), 3)
            3.695
        """
        sp = require("scipy.special", "stats")
        z = _discount(discount_rate)
        return float(sp.hyp2f1(1.0, self.delta, self.gamma + self.delta, z))

    def discounted_expected_residual_lifetime(
        self, discount_rate: float, renewals: ArrayLike = 0
    ) -> Any:
        """Discounted expected residual lifetime of a customer who has renewed ``renewals`` times.

        Fader & Hardie (2010): for a customer at the end of period ``n = renewals + 1``,
        ``DERL = (δ + n − 1)/(γ + δ + n − 1) · ₂F₁(1, δ + n; γ + δ + n; 1/(1 + d))`` — the
        future payments, discounted to the end of period ``n``, that the customer is expected
        to make (the first one one period from now).

        Examples:
            >>> from crmkit.clv import ShiftedBetaGeometric
            >>> m = ShiftedBetaGeometric(gamma=0.704, delta=1.182)
            >>> derl = m.discounted_expected_residual_lifetime(0.1, [0, 4])
            >>> [round(v, 3) for v in derl.tolist()]
            [2.965, 5.894]
        """
        sp = require("scipy.special", "stats")
        z = _discount(discount_rate)
        n = whole_numbers(renewals, "renewals", 0) + 1
        g, d = self.gamma, self.delta
        ratio = (d + n - 1) / (g + d + n - 1)
        return ratio * sp.hyp2f1(1.0, d + n, g + d + n, z)

    def log_likelihood_of(self, periods: ArrayLike, churned: ArrayLike) -> Any:
        """Each customer's log-likelihood: ``log P(T = t)`` if churned, else ``log S(t)``.

        Examples:
            >>> from crmkit.clv import ShiftedBetaGeometric
            >>> m = ShiftedBetaGeometric(gamma=1.0, delta=1.0)
            >>> [round(v, 4) for v in m.log_likelihood_of([1, 1], [True, False]).tolist()]
            [-0.6931, -0.6931]
        """
        np = require("numpy", "stats")
        t = whole_numbers(periods, "periods", 1)
        gone = np.broadcast_to(np.asarray(churned, dtype=bool), t.shape)
        return np.where(gone, self._log_churn(t), self._log_survival(t))

    def _log_churn(self, t: Any) -> Any:
        """``log P(T = t) = log B(γ + 1, δ + t − 1) − log B(γ, δ)``."""
        sp = require("scipy.special", "stats")
        g, d = self.gamma, self.delta
        return sp.betaln(g + 1, d + t - 1) - sp.betaln(g, d)

    def _log_survival(self, t: Any) -> Any:
        """``log S(t) = log B(γ, δ + t) − log B(γ, δ)``."""
        sp = require("scipy.special", "stats")
        g, d = self.gamma, self.delta
        return sp.betaln(g, d + t) - sp.betaln(g, d)


def _discount(rate: float) -> float:
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 < rate < math.inf:
        raise ValidationError.single(
            "discount_rate", rate, "must be a positive number (the discount rate per period)"
        )
    return 1.0 / (1.0 + rate)
