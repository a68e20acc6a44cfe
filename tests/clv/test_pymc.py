"""Fitted models to and from pymc-marketing, for every model both libraries have.

The conversions build pymc-marketing models without sampling (seconds). The test that lets
pymc-marketing fit (MAP) compiles the model with pytensor — about 25 s of CPU the first time
(70 s wall on a loaded machine), under a second from pytensor's cache afterwards — so it is
marked ``interop`` and runs in ``make test-interop`` (part of ``make test``).
"""

from __future__ import annotations

from typing import Any

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
    from_pymc_marketing_model,
    to_pymc_marketing_model,
)
from crmkit.errors import ValidationError

pymc_marketing = pytest.importorskip(
    "pymc_marketing", reason="pymc-marketing is the pymc extra (part of dev)"
)
pd = pytest.importorskip("pandas")


def _mean(values: Any) -> Any:
    """A pymc-marketing prediction at the one-draw posterior, as a numpy array."""
    return values.mean(("chain", "draw")).values


@pytest.fixture(scope="module")
def cdnow_frame(cdnow_summary: Any) -> Any:
    return cdnow_summary[["customer_id", "frequency", "recency", "T", "monetary_value"]]


@pytest.fixture(scope="module")
def repeat_frame(cdnow_frame: Any) -> Any:
    return cdnow_frame[cdnow_frame["frequency"] > 0].reset_index(drop=True)


@pytest.mark.parametrize("cls", [BetaGeo, ModifiedBetaGeo, ParetoNBD])
def test_purchase_models_predict_in_pymc_marketing_as_in_crmkit(cls, cdnow_frame):
    model = cls.fit(cdnow_frame, time_unit="weeks")
    pm_model = to_pymc_marketing_model(model, cdnow_frame)
    assert type(pm_model).__name__ == f"{cls.__name__}Model"
    f, r, T = (cdnow_frame[c].to_numpy() for c in ("frequency", "recency", "T"))
    expected = model.conditional_expected_purchases(10, f, r, T)
    np.testing.assert_allclose(_mean(pm_model.expected_purchases(future_t=10)), expected, rtol=1e-6)
    alive = _mean(pm_model.expected_probability_alive())
    np.testing.assert_allclose(alive, model.probability_alive(f, r, T), rtol=1e-6)
    again = from_pymc_marketing_model(pm_model, time_unit="weeks")
    assert again == model
    assert again.customers == len(cdnow_frame)
    assert again.standard_errors == {}  # one draw: no posterior spread


def test_gamma_gamma_predicts_in_pymc_marketing_as_in_crmkit(repeat_frame):
    model = GammaGamma.fit(repeat_frame)
    pm_model = to_pymc_marketing_model(model, repeat_frame)
    spend = _mean(pm_model.expected_customer_spend(pm_model.data))
    expected = model.expected_order_value(
        repeat_frame["frequency"].to_numpy(), repeat_frame["monetary_value"].to_numpy()
    )
    np.testing.assert_allclose(spend, expected, rtol=1e-6)
    assert from_pymc_marketing_model(pm_model) == model


def test_bg_bb_predicts_in_pymc_marketing_as_in_crmkit():
    donations = load_donations()
    model = BetaGeoBetaBinomial.fit(donations, weights="weights")
    frame = pd.DataFrame(
        {
            "customer_id": range(len(donations)),
            "frequency": donations["frequency"],
            "recency": donations["recency"],
            "T": donations["periods"],
        }
    )
    pm_model = to_pymc_marketing_model(model, frame)
    f, r, n = (frame[c].to_numpy() for c in ("frequency", "recency", "T"))
    np.testing.assert_allclose(
        _mean(pm_model.expected_purchases(future_t=5)),
        model.conditional_expected_purchases(5, f, r, n),
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        _mean(pm_model.expected_probability_alive(future_t=0)),
        model.probability_alive(f, r, n),
        rtol=1e-6,
    )
    assert from_pymc_marketing_model(pm_model) == model


def test_sbg_retention_in_pymc_marketing_is_crmkits_and_reads_back_one_cohort():
    model = ShiftedBetaGeometric(gamma=0.704, delta=1.182)
    frame = {
        "customer_id": [1, 2, 3, 4],
        "recency": [1, 3, 7, 7],
        "T": [7, 7, 7, 7],
        "cohort": ["2000", "2000", "2000", "2000"],
    }
    pm_model = to_pymc_marketing_model(model, frame)
    assert type(pm_model).__name__ == "ShiftedBetaGeoModel"
    rates = _mean(pm_model.expected_retention_rate(future_t=3))
    np.testing.assert_allclose(rates, model.retention_rate([10, 10]), rtol=1e-9)
    assert from_pymc_marketing_model(pm_model, time_unit="years").time_unit == "years"
    assert from_pymc_marketing_model(pm_model) == model
    assert from_pymc_marketing_model(pm_model, cohort="2000") == model
    with pytest.raises(ValidationError, match=r"cohort: '1999' is not one of \['2000'\]"):
        from_pymc_marketing_model(pm_model, cohort="1999")


def test_sbg_with_several_cohorts_needs_one_named():
    model = ShiftedBetaGeometric(gamma=0.7, delta=1.2)
    frame = {"customer_id": [1, 2], "recency": [2, 3], "T": [3, 3], "cohort": ["a", "b"]}
    pm_model = to_pymc_marketing_model(model, frame)
    with pytest.raises(ValidationError, match=r"cohort: None must name one of the model's"):
        from_pymc_marketing_model(pm_model)
    assert from_pymc_marketing_model(pm_model, cohort="b") == model


def test_posterior_spread_becomes_the_standard_errors():
    model = BetaGeo(r=0.25, alpha=4.0, a=0.8, b=2.5)
    data = {"customer_id": [1], "frequency": [1], "recency": [3.0], "T": [9.0]}
    pm_model = to_pymc_marketing_model(model, data)
    draws = {"r": [0.2, 0.3], "alpha": [4.0, 4.0], "a": [0.7, 0.9], "b": [2.0, 3.0]}
    pm_model.idata.posterior = pm_model.idata.posterior.isel(draw=[0, 0]).assign(
        {k: (("chain", "draw"), [v]) for k, v in draws.items()}
    )
    again = from_pymc_marketing_model(pm_model)
    assert again == model
    assert again.standard_errors == pytest.approx({"r": 0.05, "alpha": 0.0, "a": 0.1, "b": 0.5})


def test_conversions_refuse_what_they_cannot_convert():
    data = {"customer_id": [1], "frequency": [1], "recency": [3.0], "T": [9.0]}
    with pytest.raises(ValidationError, match="model: 'int' has no pymc-marketing counterpart"):
        to_pymc_marketing_model(3, data)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=r"lacks the sBG columns \['cohort'\]"):
        to_pymc_marketing_model(ShiftedBetaGeometric(gamma=1.0, delta=1.0), data)
    with pytest.raises(ValidationError, match=r"data\.recency: 3\.5 is not a whole number"):
        to_pymc_marketing_model(
            BetaGeoBetaBinomial(alpha=1.0, beta=1.0, gamma=1.0, delta=1.0),
            {**data, "recency": [3.5]},
        )
    unfitted = pymc_marketing.clv.BetaGeoModel()
    with pytest.raises(ValidationError, match="'BetaGeoModel' is not fitted"):
        from_pymc_marketing_model(unfitted)
    with pytest.raises(ValidationError, match="is not one of pymc-marketing's BetaGeoModel"):
        from_pymc_marketing_model(BetaGeo(r=1.0, alpha=1.0, a=1.0, b=1.0))


def test_a_pymc_marketing_model_with_covariates_is_refused():
    frame = pd.DataFrame(
        {
            "customer_id": [1, 2, 3, 4],
            "frequency": [1, 0, 3, 2],
            "recency": [3.0, 0.0, 8.0, 5.0],
            "T": [9.0, 9.0, 9.0, 9.0],
            "x": [0.1, 0.5, 0.2, 0.9],
        }
    )
    pm_model = to_pymc_marketing_model(BetaGeo(r=0.25, alpha=4.0, a=0.8, b=2.5), frame)
    # pretend it was fitted with a purchase covariate: alpha then varies by customer
    posterior = pm_model.idata.posterior
    pm_model.idata.posterior = posterior.assign(
        alpha=(("chain", "draw", "customer_id"), np.full((1, 1, 4), 4.0))
    )
    with pytest.raises(ValidationError, match=r"fitted with covariates \(alpha vary by customer"):
        from_pymc_marketing_model(pm_model)


@pytest.mark.interop
def test_a_pymc_marketing_map_fit_reads_back_as_crmkits_maximum_likelihood(cdnow_frame):
    from pymc_extras.prior import Prior

    flat = {name: Prior("HalfFlat") for name in ("r", "alpha", "a", "b")}
    pm_model = pymc_marketing.clv.BetaGeoModel(model_config=flat)
    pm_model.fit(cdnow_frame, method="map", progressbar=False)
    ours = BetaGeo.fit(cdnow_frame)
    theirs = from_pymc_marketing_model(pm_model, time_unit="weeks")
    # flat priors: the MAP is the maximum-likelihood estimate
    for name in BetaGeo.PARAMETERS:
        assert getattr(theirs, name) == pytest.approx(getattr(ours, name), rel=2e-3)
    f, r, T = (cdnow_frame[c].to_numpy() for c in ("frequency", "recency", "T"))
    np.testing.assert_allclose(
        theirs.conditional_expected_purchases(10, f, r, T),
        _mean(pm_model.expected_purchases(future_t=10)),
        rtol=1e-9,
    )
