"""Fitted models to and from pymc-marketing, for every model both libraries have.

pymc-marketing (the optional extra ``pymc``) fits the same lifetime-value models by Bayesian
inference. :func:`to_pymc_marketing_model` turns a crmkit fitted model into the matching
pymc-marketing model built on your data, with crmkit's point estimates as a posterior of one
draw (what pymc-marketing's own ``fit(method="map")`` gives), so its predictions, plots and
``save``/``load`` work on crmkit's estimates. :func:`from_pymc_marketing_model` reads a fitted
pymc-marketing model back as a crmkit model: the posterior mean of each parameter, and the
posterior standard deviation as its standard error when the posterior has more than one draw.

=======================  ==========================================
crmkit                   pymc-marketing
=======================  ==========================================
``BetaGeo``              ``BetaGeoModel``
``ParetoNBD``            ``ParetoNBDModel``
``GammaGamma``           ``GammaGammaModel``
``ModifiedBetaGeo``      ``ModifiedBetaGeoModel``
``BetaGeoBetaBinomial``  ``BetaGeoBetaBinomModel``
``ShiftedBetaGeometric`` ``ShiftedBetaGeoModel`` (gamma → alpha, delta → beta)
=======================  ==========================================

The parameters have the same names and meaning on both sides except the sBG model, whose
``gamma``/``delta`` are pymc-marketing's ``alpha``/``beta`` (one pair per cohort there: a
crmkit model gives every cohort the same pair, and reading one back takes one cohort).
Models with covariates have no crmkit counterpart.

pymc-marketing is imported only when one of these functions is called.

Examples:
    >>> from crmkit.clv import BetaGeo, to_pymc_marketing_model, from_pymc_marketing_model
    >>> model = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> data = {"customer_id": [1, 2], "frequency": [2, 0], "recency": [30.43, 0.0],
    ...         "T": [38.86, 38.86]}
    >>> pm_model = to_pymc_marketing_model(model, data)
    >>> type(pm_model).__name__
    'BetaGeoModel'
    >>> alive = pm_model.expected_probability_alive().mean(("chain", "draw"))
    >>> [round(v, 4) for v in alive.values.tolist()]
    [0.7266, 1.0]
    >>> from_pymc_marketing_model(pm_model) == model
    True
"""

from __future__ import annotations

import warnings
from typing import Any

from crmkit.clv.peers import to_pymc_marketing
from crmkit.clv.persistence import PersistentModel, model_class
from crmkit.clv.summary import TimeUnit
from crmkit.errors import ValidationError
from crmkit.extras import require

__all__ = ["PYMC_MARKETING_MODELS", "from_pymc_marketing_model", "to_pymc_marketing_model"]

#: crmkit model class → (pymc-marketing model class, crmkit parameter → pymc-marketing name).
PYMC_MARKETING_MODELS: dict[str, tuple[str, dict[str, str]]] = {
    "BetaGeo": ("BetaGeoModel", {"r": "r", "alpha": "alpha", "a": "a", "b": "b"}),
    "ParetoNBD": ("ParetoNBDModel", {"r": "r", "alpha": "alpha", "s": "s", "beta": "beta"}),
    "GammaGamma": ("GammaGammaModel", {"p": "p", "q": "q", "v": "v"}),
    "ModifiedBetaGeo": ("ModifiedBetaGeoModel", {"r": "r", "alpha": "alpha", "a": "a", "b": "b"}),
    "BetaGeoBetaBinomial": (
        "BetaGeoBetaBinomModel",
        {"alpha": "alpha", "beta": "beta", "gamma": "gamma", "delta": "delta"},
    ),
    "ShiftedBetaGeometric": ("ShiftedBetaGeoModel", {"gamma": "alpha", "delta": "beta"}),
}

#: The model whose parameters are one pair per cohort in pymc-marketing.
_COHORT_MODEL = "ShiftedBetaGeometric"


def _pymc_marketing() -> Any:
    require("pymc_marketing", "pymc")
    return require("pymc_marketing.clv", "pymc")


def _frame(kind: str, data: Any) -> Any:
    """pymc-marketing's input frame: crmkit summaries converted, an sBG frame as given."""
    pd = require("pandas", "frames")
    if kind == "BetaGeoBetaBinomial":
        # opportunities are whole numbers, and pymc-marketing's discrete model wants integers
        frame = to_pymc_marketing(data)
        for column in ("recency", "T"):
            fractional = frame[column][frame[column] % 1 != 0]
            if len(fractional):
                raise ValidationError.single(
                    f"data.{column}",
                    float(fractional.iloc[0]),
                    "is not a whole number of opportunities",
                )
        return frame.astype({"recency": "int64", "T": "int64"})
    if kind != _COHORT_MODEL:
        return to_pymc_marketing(data)
    frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
    missing = [c for c in ("customer_id", "recency", "T", "cohort") if c not in frame.columns]
    if missing:
        raise ValidationError.single(
            "data", list(frame.columns), f"lacks the sBG columns {missing} pymc-marketing reads"
        )
    return frame


def to_pymc_marketing_model(model: PersistentModel, data: Any) -> Any:
    """The pymc-marketing model of ``model``, built on ``data``, with ``model``'s estimates.

    The model gets flat priors (``HalfFlat``) on its parameters and a posterior of one chain
    and one draw holding crmkit's estimates, so every pymc-marketing prediction
    (``expected_purchases``, ``expected_probability_alive``, ...) is the prediction at those
    estimates; the data are attached as pymc-marketing's ``fit_data`` group, so
    ``save``/``load`` work too.

    Args:
        model: a fitted (or hand-built) crmkit model (see :data:`PYMC_MARKETING_MODELS`).
        data: the customers: customer summaries in any form
            :func:`~crmkit.clv.to_pymc_marketing` reads (records, a mapping of arrays, a
            frame); for the sBG model a frame (or mapping) with pymc-marketing's
            ``customer_id``, ``recency``, ``T`` and ``cohort`` columns.

    Raises:
        ValidationError: pymc-marketing has no such model, or the sBG data lack a column.
        MissingDependencyError: pymc-marketing is not installed (``pip install 'crmkit[pymc]'``).

    Examples:
        >>> from crmkit.clv import GammaGamma, to_pymc_marketing_model
        >>> data = {"customer_id": ["a", "b"], "frequency": [2, 4], "recency": [5.0, 9.0],
        ...         "T": [10.0, 10.0], "monetary_value": [20.0, 35.0]}
        >>> spend = to_pymc_marketing_model(GammaGamma(p=6.25, q=3.74, v=15.44), data)
        >>> spend.expected_customer_spend(spend.data).mean(("chain", "draw")).values.round(2).tolist()
        [22.74, 35.02]
    """
    kind = type(model).__name__
    if kind not in PYMC_MARKETING_MODELS:
        raise ValidationError.single(
            "model",
            kind,
            f"has no pymc-marketing counterpart (one of {', '.join(PYMC_MARKETING_MODELS)})",
        )
    np = require("numpy", "stats")
    clv = _pymc_marketing()
    az = require("arviz", "pymc")
    prior = require("pymc_extras.prior", "pymc").Prior
    name, names = PYMC_MARKETING_MODELS[kind]
    frame = _frame(kind, data)
    if kind == _COHORT_MODEL:
        cohorts = list(dict.fromkeys(frame["cohort"].tolist()))
        config = {target: prior("HalfFlat", dims="cohort") for target in names.values()}
        shape: tuple[int, ...] = (1, 1, len(cohorts))
        dims: dict[str, list[str]] = {target: ["cohort"] for target in names.values()}
        coords: dict[str, Any] = {"cohort": cohorts}
    else:
        config = {target: prior("HalfFlat") for target in names.values()}
        shape, dims, coords = (1, 1), {}, {}
    pm_model = getattr(clv, name)(model_config=config)
    pm_model.build_model(frame)
    posterior = {
        target: np.full(shape, float(getattr(model, source))) for source, target in names.items()
    }
    with warnings.catch_warnings():
        # arviz announces its refactor; pymc-marketing's own fit_data group is not in the
        # InferenceData scheme (pymc-marketing silences the same warning)
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", UserWarning)
        pm_model.fit_result = az.from_dict(posterior=posterior, coords=coords, dims=dims)
        pm_model.idata.add_groups(fit_data=frame.to_xarray())
    pm_model.set_idata_attrs(pm_model.idata)
    return pm_model


def _posterior(pm_model: Any, kind: str) -> Any:
    idata = getattr(pm_model, "idata", None)
    if idata is None or "posterior" not in idata:
        raise ValidationError.single("model", kind, "is not fitted (it has no posterior)")
    return idata.posterior


def from_pymc_marketing_model(
    pm_model: Any, *, cohort: Any = None, time_unit: TimeUnit | None = None
) -> Any:
    """The crmkit model of a fitted pymc-marketing model: posterior means as estimates.

    The standard errors are the posterior standard deviations when the posterior has more
    than one draw (an MCMC or variational fit); a MAP fit (one draw) gives none.

    Args:
        pm_model: a fitted pymc-marketing model (see :data:`PYMC_MARKETING_MODELS`).
        cohort: for ``ShiftedBetaGeoModel``, the cohort whose parameters to read (needed
            when it has more than one).
        time_unit: the unit of the data's ``recency``/``T`` (kept as metadata).

    Raises:
        ValidationError: not a pymc-marketing model crmkit has, not fitted, fitted with
            covariates, or an sBG model with several cohorts and no (or an unknown)
            ``cohort``.

    Examples:
        >>> from crmkit.clv import from_pymc_marketing_model
        >>> from_pymc_marketing_model("BetaGeoModel")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: model: 'str' is not one of pymc-marketing's BetaGeoModel, \
ParetoNBDModel, GammaGammaModel, ModifiedBetaGeoModel, BetaGeoBetaBinomModel, ShiftedBetaGeoModel
    """
    kinds = {name: crmkit for crmkit, (name, _) in PYMC_MARKETING_MODELS.items()}
    kind = type(pm_model).__name__
    if kind not in kinds:
        raise ValidationError.single(
            "model", kind, f"is not one of pymc-marketing's {', '.join(kinds)}"
        )
    posterior = _posterior(pm_model, kind)
    crmkit_kind = kinds[kind]
    names = PYMC_MARKETING_MODELS[crmkit_kind][1]
    covariates = [
        t for t in names.values() if t not in posterior or "customer_id" in posterior[t].dims
    ]
    if covariates:
        raise ValidationError.single(
            "model", kind, f"was fitted with covariates ({', '.join(covariates)} vary by customer)"
        )
    values: dict[str, float] = {}
    errors: dict[str, float] = {}
    draws = int(posterior.sizes.get("chain", 1)) * int(posterior.sizes.get("draw", 1))
    for source, target in names.items():
        samples = posterior[target]
        if "cohort" in samples.dims:
            labels = samples["cohort"].values.tolist()
            if cohort is None and len(labels) != 1:
                raise ValidationError.single(
                    "cohort", cohort, f"must name one of the model's cohorts {labels}"
                )
            if cohort is not None and cohort not in labels:
                raise ValidationError.single("cohort", cohort, f"is not one of {labels}")
            samples = samples.sel(cohort=labels[0] if cohort is None else cohort)
        values[source] = float(samples.mean(("chain", "draw")))
        if draws > 1:
            errors[source] = float(samples.std(("chain", "draw")))
    customers = getattr(pm_model, "data", None)
    return model_class(crmkit_kind)(
        **values,
        standard_errors=errors,
        customers=None if customers is None else float(len(customers)),
        time_unit=time_unit,
    )
