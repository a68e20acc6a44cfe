"""Fitted models to and from lifetimes' fitters, for every model both libraries have."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import pytest
from lifetimes.datasets import load_donations

from crmkit.clv import (
    BetaGeo,
    BetaGeoBetaBinomial,
    GammaGamma,
    ModifiedBetaGeo,
    ParetoNBD,
    ShiftedBetaGeometric,
    from_lifetimes_fitter,
    to_lifetimes_fitter,
)
from crmkit.errors import ValidationError


@pytest.fixture(scope="module")
def cdnow_models(cdnow: dict[str, Any]) -> list[Any]:
    repeat = {k: v[cdnow["frequency"] > 0] for k, v in cdnow.items()}
    return [
        BetaGeo.fit(cdnow),
        ParetoNBD.fit(cdnow),
        ModifiedBetaGeo.fit(cdnow),
        GammaGamma.fit(repeat),
    ]


def test_each_model_round_trips_through_its_lifetimes_fitter(cdnow_models):
    donations = BetaGeoBetaBinomial.fit(load_donations(), weights="weights")
    for model in [*cdnow_models, donations]:
        fitter = to_lifetimes_fitter(model)
        again = from_lifetimes_fitter(fitter, time_unit="weeks")
        assert again == attrs.evolve(model, time_unit="weeks")
        assert again.standard_errors == model.standard_errors


def test_the_fitter_predicts_like_the_model(cdnow, cdnow_models):
    x, tx, age = cdnow["frequency"], cdnow["recency"], cdnow["T"]
    for model in cdnow_models[:3]:
        fitter = to_lifetimes_fitter(model)
        assert fitter.conditional_expected_number_of_purchases_up_to_time(
            10, x, tx, age
        ) == pytest.approx(model.conditional_expected_purchases(10, x, tx, age), rel=1e-8)
    spend = cdnow_models[3]
    mv = cdnow["monetary_value"]
    assert np.asarray(
        to_lifetimes_fitter(spend).conditional_expected_average_profit(x, mv)
    ) == pytest.approx(spend.expected_order_value(x, mv), rel=1e-10)


def test_a_fitted_lifetimes_fitter_becomes_a_crmkit_model(cdnow):
    from lifetimes import BetaGeoFitter, ParetoNBDFitter

    data = (cdnow["frequency"], cdnow["recency"], cdnow["T"])
    theirs = BetaGeoFitter().fit(*data)
    model = from_lifetimes_fitter(theirs, time_unit="weeks")
    assert isinstance(model, BetaGeo)
    assert model.time_unit == "weeks"
    assert model.b == pytest.approx(theirs.params_["b"])
    assert model.standard_errors["b"] == pytest.approx(theirs.standard_errors_["b"])
    # lifetimes' Pareto/NBD fitter keeps no standard errors: the model has none either
    pareto = from_lifetimes_fitter(ParetoNBDFitter().fit(*data))
    assert isinstance(pareto, ParetoNBD)
    assert pareto.standard_errors == {}


def test_models_without_a_counterpart_get_a_clear_error():
    with pytest.raises(ValidationError, match="model: 'ShiftedBetaGeometric' has no lifetimes"):
        to_lifetimes_fitter(ShiftedBetaGeometric(gamma=1.0, delta=1.0))
    with pytest.raises(ValidationError, match="fitter: 'dict' is not one of lifetimes'"):
        from_lifetimes_fitter({})
