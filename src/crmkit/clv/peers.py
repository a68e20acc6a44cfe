"""Converting summaries to and from the input frames of lifetimes and pymc-marketing.

lifetimes reads a pandas frame indexed by customer with ``frequency``, ``recency``, ``T``
(and ``monetary_value``); pymc-marketing's CLV models read a frame with a ``customer_id``
column and the same four columns. Both use the same definitions as
:func:`crmkit.clv.summarise`.

Fitted models convert both ways too: :func:`to_lifetimes_fitter` gives lifetimes' fitter
with crmkit's estimates (for its plots and utilities) and :func:`from_lifetimes_fitter`
reads one back, for every model both libraries have (BG/NBD, Pareto/NBD, Gamma-Gamma,
MBG/NBD, BG/BB).

Examples:
    >>> from crmkit.clv import CustomerSummary, to_pymc_marketing
    >>> to_pymc_marketing([CustomerSummary("c1", 1, 2.0, 5.0, 9.5)]).columns.tolist()
    ['customer_id', 'frequency', 'recency', 'T', 'monetary_value']
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from crmkit.clv.history import read_history
from crmkit.clv.persistence import model_class
from crmkit.clv.summary import CustomerSummary, TimeUnit
from crmkit.errors import MissingDependencyError, ValidationError
from crmkit.extras import require
from crmkit.frames import column_names, from_native, is_frame

__all__ = [
    "from_lifetimes",
    "from_lifetimes_fitter",
    "from_pymc_marketing",
    "to_lifetimes",
    "to_lifetimes_fitter",
    "to_pymc_marketing",
]

#: crmkit model class ↔ lifetimes fitter class (the parameter names are the same).
LIFETIMES_FITTERS = {
    "BetaGeo": "BetaGeoFitter",
    "ParetoNBD": "ParetoNBDFitter",
    "GammaGamma": "GammaGammaFitter",
    "ModifiedBetaGeo": "ModifiedBetaGeoFitter",
    "BetaGeoBetaBinomial": "BetaGeoBetaBinomFitter",
}


def _has_monetary(summary: Any) -> bool:
    if is_frame(summary):
        return "monetary_value" in column_names(from_native(summary))
    if isinstance(summary, Mapping):
        return "monetary_value" in summary
    first = next(iter(summary), None)
    if isinstance(first, Mapping):
        return first.get("monetary_value") is not None
    return getattr(first, "monetary_value", None) is not None


def _columns(summary: Any, customer: str) -> dict[str, Any]:
    history = read_history(summary, monetary=_has_monetary(summary), customer=customer)
    columns: dict[str, Any] = {
        "frequency": history.frequency.astype(int),
        "recency": history.recency,
        "T": history.T,
    }
    if history.monetary_value is not None:
        columns["monetary_value"] = history.monetary_value
    ids = history.customer_ids or list(range(history.size))
    return {"customer_id": ids, **columns}


def to_lifetimes(summary: Any, *, customer: str = "customer_id") -> Any:
    """A pandas frame for lifetimes' fitters: customer index, lifetimes' column names.

    Examples:
        >>> from crmkit.clv import CustomerSummary, to_lifetimes
        >>> df = to_lifetimes([CustomerSummary("c1", 1, 2.0, 5.0)])
        >>> df.index.name, df.columns.tolist()
        ('customer_id', ['frequency', 'recency', 'T'])
    """
    pd = require("pandas", "frames")
    columns = _columns(summary, customer)
    return pd.DataFrame(columns).set_index("customer_id")


def to_pymc_marketing(summary: Any, *, customer: str = "customer_id") -> Any:
    """A pandas frame for pymc-marketing's CLV models (``customer_id`` column).

    Examples:
        >>> from crmkit.clv import CustomerSummary, to_pymc_marketing
        >>> to_pymc_marketing([CustomerSummary("c1", 1, 2.0, 5.0)])["customer_id"].tolist()
        ['c1']
    """
    pd = require("pandas", "frames")
    return pd.DataFrame(_columns(summary, customer))


def _rows(frame: Any, ids: list[Any]) -> list[CustomerSummary]:
    has_value = "monetary_value" in frame.columns
    rows = []
    for cid, rec in zip(ids, frame.to_dict("records"), strict=True):
        rows.append(
            CustomerSummary(
                cid,
                int(rec["frequency"]),
                float(rec["recency"]),
                float(rec["T"]),
                float(rec["monetary_value"]) if has_value else None,
            )
        )
    read_history(rows)  # the same checks as every other input
    return rows


def from_lifetimes(frame: Any) -> list[CustomerSummary]:
    """Summaries from a lifetimes frame (customer ids from the index).

    Examples:
        >>> import pandas as pd
        >>> from crmkit.clv import from_lifetimes
        >>> df = pd.DataFrame({"frequency": [2], "recency": [30.43], "T": [38.86]},
        ...                   index=pd.Index([1], name="ID"))
        >>> from_lifetimes(df)
        [CustomerSummary(customer_id=1, frequency=2, recency=30.43, T=38.86, monetary_value=None)]
    """
    return _rows(frame, frame.index.tolist())


def from_pymc_marketing(frame: Any) -> list[CustomerSummary]:
    """Summaries from a pymc-marketing frame (``customer_id`` column).

    Examples:
        >>> import pandas as pd
        >>> from crmkit.clv import from_pymc_marketing
        >>> df = pd.DataFrame({"customer_id": ["a"], "frequency": [0], "recency": [0.0],
        ...                    "T": [5.0]})
        >>> from_pymc_marketing(df)[0].T
        5.0
    """
    return _rows(frame, frame["customer_id"].tolist())


def _lifetimes() -> Any:
    try:
        return importlib.import_module("lifetimes")
    except ImportError:
        raise MissingDependencyError(
            "lifetimes is required for this conversion; install it with pip install lifetimes"
        ) from None


def to_lifetimes_fitter(model: Any) -> Any:
    """lifetimes' fitter for ``model``, carrying its parameters and standard errors.

    The fitter predicts like the model (its ``params_`` are the model's estimates); it holds
    no data, so lifetimes functions that read the fitted data need it passed in.

    Raises:
        ValidationError: lifetimes has no such model (the sBG model).

    Examples:
        >>> from crmkit.clv import BetaGeo, to_lifetimes_fitter
        >>> fitter = to_lifetimes_fitter(BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426))
        >>> alive = fitter.conditional_probability_alive(2, 30.43, 38.86)
        >>> type(fitter).__name__, [round(v, 4) for v in alive.tolist()]
        ('BetaGeoFitter', [0.7266])
    """
    pd = require("pandas", "frames")
    kind = type(model).__name__
    if kind not in LIFETIMES_FITTERS:
        raise ValidationError.single(
            "model", kind, f"has no lifetimes counterpart (one of {', '.join(LIFETIMES_FITTERS)})"
        )
    fitter = getattr(_lifetimes(), LIFETIMES_FITTERS[kind])()
    names = list(model.PARAMETERS)
    fitter.params_ = pd.Series([getattr(model, n) for n in names], index=names)
    if model.standard_errors:
        fitter.standard_errors_ = pd.Series(
            [model.standard_errors.get(n, float("nan")) for n in names], index=names
        )
    return fitter


def from_lifetimes_fitter(fitter: Any, *, time_unit: TimeUnit | None = None) -> Any:
    """The crmkit model of a fitted lifetimes fitter (parameters and standard errors).

    Raises:
        ValidationError: not a fitter crmkit has a model for, or not fitted yet.

    Examples:
        >>> from lifetimes import GammaGammaFitter
        >>> from crmkit.clv import from_lifetimes_fitter
        >>> from_lifetimes_fitter(GammaGammaFitter())
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: fitter: 'GammaGammaFitter' is not fitted (it has no params_)
    """
    kinds = {v: k for k, v in LIFETIMES_FITTERS.items()}
    kind = type(fitter).__name__
    if kind not in kinds:
        raise ValidationError.single("fitter", kind, f"is not one of lifetimes' {', '.join(kinds)}")
    params = getattr(fitter, "params_", None)
    if params is None:
        raise ValidationError.single("fitter", kind, "is not fitted (it has no params_)")
    cls = model_class(kinds[kind])
    errors = getattr(fitter, "standard_errors_", None)
    return cls(
        **{n: float(params[n]) for n in cls.PARAMETERS},
        standard_errors={} if errors is None else {n: float(errors[n]) for n in cls.PARAMETERS},
        time_unit=time_unit,
    )
