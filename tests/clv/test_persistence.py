"""Models round-trip through JSON (never pickle); bad documents are rejected clearly."""

from __future__ import annotations

import json
import math

import pytest

from crmkit.clv import BetaGeo, GammaGamma, ParetoNBD, load_model
from crmkit.errors import ValidationError


def test_fitted_model_round_trips_with_its_metadata(cdnow, tmp_path):
    model = BetaGeo.fit(cdnow, time_unit="weeks")
    path = tmp_path / "bgnbd.json"
    path.write_text(model.to_json())
    back = load_model(path.read_text())
    assert back == model
    assert back.standard_errors == model.standard_errors
    assert back.log_likelihood == model.log_likelihood
    assert back.time_unit == "weeks"
    assert json.loads(path.read_text())["params"]["r"] == model.r


@pytest.mark.parametrize(
    "model",
    [GammaGamma(p=1.0, q=2.0, v=3.0), ParetoNBD(r=1.0, alpha=2.0, s=3.0, beta=4.0)],
)
def test_every_model_round_trips(model):
    assert load_model(model.to_dict()) == model


def test_nan_standard_errors_become_null_and_back():
    model = BetaGeo(r=1.0, alpha=1.0, a=1.0, b=1.0, standard_errors={"r": math.nan})
    doc = model.to_dict()
    assert doc["standard_errors"] == {"r": None}
    assert math.isnan(BetaGeo.from_dict(doc).standard_errors["r"])


def test_bad_documents_list_every_problem():
    with pytest.raises(ValidationError) as err:
        BetaGeo.from_dict({"model": "BetaGeo", "format": 2, "params": {"r": 1, "alpha": "x",
                           "a": 1, "b": 1, "z": 3}, "extra": 1, "time_unit": "years"})  # fmt: skip
    assert set(err.value.paths) == {
        "BetaGeo.format", "BetaGeo.extra", "BetaGeo.params.z", "BetaGeo.params.alpha",
        "BetaGeo.time_unit",
    }  # fmt: skip
