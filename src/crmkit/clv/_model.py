"""The fit every lifetime-value model shares: start values, maximisation, the fitted instance.

:class:`FittedModel` is the base class of crmkit's fitted models (a
:class:`~crmkit.clv.persistence.PersistentModel`, so also their JSON form and ``summary()``).
A model's ``fit`` reads and checks its own data and builds its likelihood; the rest is one
definition here: :meth:`FittedModel._maximum_likelihood` turns ``initial_params`` into log
start values, runs :func:`~crmkit.clv.estimation.maximise` and builds the instance with its
standard errors, log-likelihood and number of customers, and
:meth:`FittedModel._fit_histories` is the whole fit of the models of
``(frequency, recency, T)`` histories (BG/NBD, MBG/NBD, Pareto/NBD), time rescaled to
max ``T = 1``.

Examples:
    >>> from crmkit.clv import BetaGeo, GammaGamma
    >>> from crmkit.clv._model import FittedModel
    >>> issubclass(BetaGeo, FittedModel), issubclass(GammaGamma, FittedModel)
    (True, True)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Self

from crmkit.clv.estimation import Objective, fast_dot, maximise, penalty
from crmkit.clv.history import History, read_history
from crmkit.clv.persistence import PersistentModel
from crmkit.extras import require

if TYPE_CHECKING:
    from crmkit.clv.summary import TimeUnit
    from crmkit.progress import ProgressOption

__all__ = ["FittedModel", "Likelihood", "StartValues"]

#: ``(history, scale, penalizer) → (objective, curvature or None)`` on log parameters, time
#: divided by ``scale``
Likelihood = Callable[[History, float, float], tuple[Objective, Any]]
#: ``(history, scale, penalizer) → (log start values, BFGS's first inverse Hessian or None)``
StartValues = Callable[[History, float, float], tuple[Any, Any]]


class FittedModel(PersistentModel):
    """Base of the fitted models: the steps of a maximum-likelihood fit they all share.

    Examples:
        >>> from crmkit.clv import ShiftedBetaGeometric
        >>> from crmkit.clv._model import FittedModel
        >>> issubclass(ShiftedBetaGeometric, FittedModel)
        True
    """

    __slots__ = ()

    @classmethod
    def _maximum_likelihood(
        cls,
        objective: Objective,
        *,
        customers: float,
        model: str,
        initial_params: dict[str, float] | None,
        time_unit: TimeUnit | None,
        progress: ProgressOption,
        start: Any = None,
        rates: Sequence[int] = (),
        scale: float = 1.0,
        jacobian: float = 0.0,
        **options: Any,
    ) -> Self:
        """Maximise ``objective`` and build the fitted model.

        Args:
            objective: the mean negative log-likelihood on log parameters (in the order of
                ``PARAMETERS``), with its gradient.
            customers: the number of customers (total weight).
            model: the model's name in error messages.
            initial_params: the caller's start values (natural scale, data's time unit);
                ``None`` starts from ``start``, or from 1 for every parameter.
            time_unit: kept as metadata.
            progress: see :mod:`crmkit.progress`.
            start: log start values for when ``initial_params`` is ``None``.
            rates: positions of the parameters measured in time units (α, β), whose log is
                shifted by ``log(scale)`` when time is divided by ``scale``.
            scale: what the likelihood divides time by.
            jacobian: subtracted from the maximised log-likelihood (the time rescaling's
                Jacobian), so that it is the data's in their own unit.
            options: passed on to :func:`~crmkit.clv.estimation.maximise`.
        """
        np = require("numpy", "stats")
        names = cls.PARAMETERS
        shift = None
        if rates:
            shift = np.zeros(len(names))
            shift[list(rates)] = math.log(scale)
        if initial_params is not None:
            start = np.log([initial_params[n] for n in names])
            if shift is not None:
                start -= shift
        elif start is None:
            start = np.zeros(len(names))
        est = maximise(
            objective, start, names=names, customers=customers, model=model, shift=shift,
            progress=progress, **options,
        )  # fmt: skip
        build: Any = cls  # an attrs subclass: its constructor takes the fields
        return build(  # type: ignore[no-any-return]
            **est.params,
            standard_errors=est.standard_errors,
            log_likelihood=est.log_likelihood - jacobian,
            customers=est.customers,
            time_unit=time_unit,
        )

    @classmethod
    def _fit_histories(
        cls,
        data: Any,
        *,
        likelihood: Likelihood,
        model: str,
        rates: Sequence[int],
        time_unit: TimeUnit | None,
        weights: str | None,
        initial_params: dict[str, float] | None,
        penalizer: float,
        progress: ProgressOption,
        start: StartValues | None = None,
        **options: Any,
    ) -> Self:
        """The fit of a model of ``(frequency, recency, T)`` histories, time rescaled.

        Reads the histories (identical ones merged), divides time by the largest ``T``,
        starts from ``initial_params`` or ``start``'s values, maximises and reports the
        log-likelihood in the data's time unit.

        Args:
            likelihood: builds the objective (and the exact Hessian, or ``None``).
            start: the model's own start values (and a first inverse Hessian for BFGS) when
                ``initial_params`` is ``None``; 1 for every parameter without it.
            options: passed on to :func:`~crmkit.clv.estimation.maximise`.
        """
        np = require("numpy", "stats")
        penalizer = penalty(penalizer)
        history = read_history(data, weights=weights, deduplicate=True)
        scale = float(history.T.max()) or 1.0
        objective, curvature = likelihood(history, scale, penalizer)
        first = inverse_hessian = None
        if initial_params is None and start is not None:
            first, inverse_hessian = start(history, scale, penalizer)
        # the time rescaling's Jacobian: each purchase's density is in 1/scale time units
        jacobian = math.log(scale) * fast_dot(np)(history.weights, history.frequency)
        return cls._maximum_likelihood(
            objective, customers=history.customers, model=model, initial_params=initial_params,
            time_unit=time_unit, progress=progress, start=first, rates=rates, scale=scale,
            jacobian=jacobian, curvature=curvature, inverse_hessian=inverse_hessian, **options,
        )  # fmt: skip
