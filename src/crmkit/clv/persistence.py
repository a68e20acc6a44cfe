"""Fitted models as JSON documents (parameters and metadata) — never pickle.

A document looks like ``{"model": "BetaGeo", "format": 1, "params": {...},
"standard_errors": {...}, "log_likelihood": ..., "customers": ..., "time_unit": ...}``;
:func:`load_model` reads any of them back into the right class: every subclass of
:class:`PersistentModel` registers itself under its class name when it is defined, so the
lookup needs no list of models (and no import of them).

:class:`PersistentModel` also gives every fitted model its readable form: ``summary()`` (a
:class:`~crmkit.clv.estimation.ModelSummary` of estimates, standard errors, confidence
intervals, log-likelihood, AIC/BIC and the number of customers) and ``_repr_html_`` (that
table in Jupyter).

Examples:
    >>> from crmkit.clv import BetaGeo, load_model
    >>> model = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="weeks")
    >>> load_model(model.to_json()) == model
    True
"""

from __future__ import annotations

import json
import math
from typing import Any, ClassVar, Self, TypeVar, overload

from crmkit.clv.estimation import IntervalScale, ModelSummary
from crmkit.errors import Problem, ValidationError

__all__ = [
    "FORMAT",
    "PersistentModel",
    "load_model",
    "model_class",
    "model_from_dict",
    "model_to_dict",
]

FORMAT = 1
_META = ("standard_errors", "log_likelihood", "customers", "time_unit")
_TIME_UNITS = (None, "days", "weeks", "months")

M = TypeVar("M")
P = TypeVar("P", bound="PersistentModel")

#: every PersistentModel subclass by class name (filled by ``__init_subclass__``)
_MODELS: dict[str, type[PersistentModel]] = {}


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


def model_to_dict(model: Any, params: tuple[str, ...]) -> dict[str, Any]:
    """The JSON-ready document of a fitted model (non-finite numbers become ``null``).

    Examples:
        >>> from crmkit.clv import GammaGamma
        >>> GammaGamma(p=6.25, q=3.74, v=15.44).to_dict()["params"]
        {'p': 6.25, 'q': 3.74, 'v': 15.44}
    """
    document: dict[str, Any] = _clean(
        {
            "model": type(model).__name__,
            "format": FORMAT,
            "params": {name: getattr(model, name) for name in params},
            **{name: getattr(model, name) for name in _META},
        }
    )
    return document


def model_from_dict(cls: type[M], data: Any, params: tuple[str, ...]) -> M:
    """Rebuild a model of class ``cls`` from its document, checking every field.

    Examples:
        >>> from crmkit.clv import GammaGamma
        >>> GammaGamma.from_dict({"model": "GammaGamma", "format": 1,
        ...                       "params": {"p": 1.0, "q": -2.0, "v": 1.0}})
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: GammaGamma.params.q: -2.0 must be a positive number
    """
    name = cls.__name__
    if not isinstance(data, dict):
        raise ValidationError.single(name, data, "is not a model document (a JSON object)")
    problems: list[Problem] = []
    if data.get("model") != name:
        problems.append(Problem(f"{name}.model", data.get("model"), f"is not {name!r}"))
    if data.get("format") != FORMAT:
        problems.append(Problem(f"{name}.format", data.get("format"), f"is not {FORMAT}"))
    unknown = set(data) - {"model", "format", "params", *_META}
    problems.extend(Problem(f"{name}.{k}", message="is not a known field") for k in sorted(unknown))
    raw = data.get("params")
    values: dict[str, float] = {}
    if not isinstance(raw, dict):
        problems.append(Problem(f"{name}.params", raw, "is not an object of parameters"))
    else:
        for k in sorted(set(raw) - set(params)):
            problems.append(Problem(f"{name}.params.{k}", message="is not a parameter"))
        for p in params:
            v = raw.get(p)
            if isinstance(v, bool) or not isinstance(v, int | float) or not v > 0:
                problems.append(Problem(f"{name}.params.{p}", v, "must be a positive number"))
            else:
                values[p] = float(v)
    if data.get("time_unit") not in _TIME_UNITS:
        problems.append(
            Problem(f"{name}.time_unit", data.get("time_unit"), "is not days, weeks or months")
        )
    errors = data.get("standard_errors") or {}
    if not isinstance(errors, dict):
        problems.append(Problem(f"{name}.standard_errors", errors, "is not an object"))
        errors = {}
    if problems:
        raise ValidationError(problems)
    build: Any = cls
    return build(  # type: ignore[no-any-return]
        **values,
        standard_errors={k: (math.nan if v is None else float(v)) for k, v in errors.items()},
        log_likelihood=data.get("log_likelihood"),
        customers=data.get("customers"),
        time_unit=data.get("time_unit"),
    )


class PersistentModel:
    """Mixin giving a fitted model ``to_dict`` / ``to_json`` / ``from_dict`` / ``from_json``.

    A model class sets :attr:`PARAMETERS` to the names of its parameters; the metadata fields
    (standard errors, log-likelihood, customers, time unit) are written for every model.

    Examples:
        >>> from crmkit.clv import GammaGamma
        >>> model = GammaGamma(p=1.0, q=2.0, v=3.0)
        >>> model.to_dict()["model"], GammaGamma.from_json(model.to_json()) == model
        ('GammaGamma', True)
    """

    __slots__ = ()

    #: The model's parameter names, in the order of its constructor.
    PARAMETERS: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Register the model class for :func:`load_model` under its class name.

        attrs rebuilds a slotted class, so the class registered last — the finished one —
        is the one kept.
        """
        super().__init_subclass__(**kwargs)
        if cls.PARAMETERS:
            _MODELS[cls.__name__] = cls

    def summary(
        self, *, confidence: float = 0.95, scale: IntervalScale = "natural"
    ) -> ModelSummary:
        """Estimates, standard errors, confidence intervals, log-likelihood, AIC/BIC and n.

        Args:
            confidence: the intervals' confidence level, strictly between 0 and 1.
            scale: ``"natural"`` for Wald intervals ``estimate ± z·SE`` (lifetimes'
                ``summary``), ``"log"`` for Wald intervals on the log scale,
                ``estimate · exp(± z·SE / estimate)``: always positive, and the scale the
                fit works on (see :class:`~crmkit.clv.estimation.ModelSummary`).

        A model built from known parameters has no standard errors (NaN) and no
        log-likelihood.

        Raises:
            ValidationError: a bad ``confidence`` or ``scale``.

        Examples:
            >>> from crmkit.clv import GammaGamma
            >>> print(GammaGamma(p=6.25, q=3.74, v=15.44).summary())
            GammaGamma
            parameter  estimate  std. error  lower 95%  upper 95%
            p              6.25         nan        nan        nan
            q              3.74         nan        nan        nan
            v             15.44         nan        nan        nan
            not fitted: no log-likelihood
        """
        return ModelSummary.of(
            type(self).__name__,
            {name: getattr(self, name) for name in self.PARAMETERS},
            dict(getattr(self, "standard_errors", None) or {}),
            getattr(self, "log_likelihood", None),
            getattr(self, "customers", None),
            confidence=confidence,
            scale=scale,
            time_unit=getattr(self, "time_unit", None),
        )

    def _repr_html_(self) -> str:
        """The :meth:`summary` table as HTML (Jupyter shows it)."""
        return self.summary()._repr_html_()

    def to_dict(self) -> dict[str, Any]:
        """The model as a JSON-ready document.

        Examples:
            >>> from crmkit.clv import BetaGeo
            >>> BetaGeo(r=1.0, alpha=2.0, a=3.0, b=4.0).to_dict()["model"]
            'BetaGeo'
        """
        return model_to_dict(self, self.PARAMETERS)

    def to_json(self) -> str:
        """The model as JSON text (parameters and metadata; never pickle).

        Examples:
            >>> from crmkit.clv import BetaGeo
            >>> BetaGeo(r=1.0, alpha=2.0, a=3.0, b=4.0).to_json()[:19]
            '{"model": "BetaGeo"'
        """
        return json.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        """Rebuild a model from :meth:`to_dict`'s document, checking every field.

        Examples:
            >>> from crmkit.clv import ParetoNBD
            >>> m = ParetoNBD(r=1.0, alpha=2.0, s=3.0, beta=4.0)
            >>> ParetoNBD.from_dict(m.to_dict()) == m
            True
        """
        return model_from_dict(cls, data, cls.PARAMETERS)

    @classmethod
    def from_json(cls, text: str) -> Self:
        """Rebuild a model from :meth:`to_json`'s text.

        Examples:
            >>> from crmkit.clv import GammaGamma
            >>> GammaGamma.from_json('{"model": "GammaGamma", "format": 1, '
            ...                      '"params": {"p": 1, "q": 2, "v": 3}}').q
            2.0
        """
        return cls.from_dict(json.loads(text))


def model_class(name: Any) -> Any:
    """The fitted-model class called ``name`` (``"BetaGeo"``, ``"GammaGamma"``, ...).

    Every subclass of :class:`PersistentModel` with parameters is known by its class name
    once its module is imported (:mod:`crmkit.clv` imports all of crmkit's models). Typed
    ``Any`` so that callers may pass the model's own constructor arguments.

    Raises:
        ValidationError: no model class has that name.

    Examples:
        >>> from crmkit.clv.persistence import model_class
        >>> model_class("ParetoNBD").PARAMETERS
        ('r', 'alpha', 's', 'beta')
    """
    if not isinstance(name, str) or name not in _MODELS:
        raise ValidationError.single("model", name, f"is not one of {', '.join(sorted(_MODELS))}")
    return _MODELS[name]


@overload
def load_model(text: str | dict[str, Any]) -> PersistentModel: ...
@overload
def load_model(text: str | dict[str, Any], kind: type[P]) -> P: ...
def load_model(
    text: str | dict[str, Any], kind: type[PersistentModel] | None = None
) -> PersistentModel:
    """Read a model document (JSON text or a parsed dict) back into its model class.

    With ``kind`` (a model class) the document must be a model of that class, and the
    result is typed as one.

    Raises:
        ValidationError: not a model document, an unknown model, a bad field, or a model of
            another class than ``kind``.

    Examples:
        >>> from crmkit.clv import BetaGeo, GammaGamma, load_model
        >>> text = GammaGamma(p=6.25, q=3.74, v=15.44).to_json()
        >>> load_model(text, GammaGamma).mean_order_value > 0
        True
        >>> load_model(text, BetaGeo)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: model: 'GammaGamma' is not a BetaGeo document
        >>> load_model('{"model": "Nope", "format": 1}')
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: model: 'Nope' is not one of BetaGeo, BetaGeoBetaBinomial, ...

        >>> from crmkit.clv import load_model
        >>> load_model('{"model": "Nope", "format": 1}')
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: model: 'Nope' is not one of BetaGeo, BetaGeoBetaBinomial, ...
    """
    data = json.loads(text) if isinstance(text, str) else text
    name = data.get("model") if isinstance(data, dict) else None
    cls: type[PersistentModel] = model_class(name)
    if kind is not None and not issubclass(cls, kind):
        raise ValidationError.single("model", name, f"is not a {kind.__name__} document")
    return cls.from_dict(data)
