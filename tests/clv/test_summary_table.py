"""Fitted models read well: summary() tables, HTML, frames; load_model's registry; no private
helpers shared across clv modules."""

from __future__ import annotations

import ast
import math
import pathlib
import statistics
from typing import Any

import attrs
import pandas as pd
import pytest
from lifetimes import BetaGeoFitter

import crmkit.clv
from crmkit.clv import (
    BetaGeo,
    BetaGeoBetaBinomial,
    GammaGamma,
    ModifiedBetaGeo,
    ParetoNBD,
    ShiftedBetaGeometric,
    load_model,
)
from crmkit.clv.estimation import ModelSummary, positive
from crmkit.clv.persistence import PersistentModel, model_class
from crmkit.errors import ValidationError


@pytest.fixture(scope="module")
def fitted_models(cdnow: dict[str, Any]) -> list[PersistentModel]:
    bgbb = {
        "frequency": [0, 1, 2, 3, 1, 2],
        "recency": [0, 1, 3, 3, 2, 2],
        "periods": [3, 3, 3, 3, 3, 3],
        "count": [30, 10, 8, 12, 5, 6],
    }
    return [
        BetaGeo.fit(cdnow, time_unit="weeks"),
        ParetoNBD.fit(cdnow, time_unit="weeks"),
        ModifiedBetaGeo.fit(cdnow, time_unit="weeks"),
        GammaGamma.fit(cdnow),
        BetaGeoBetaBinomial.fit(bgbb, weights="count"),
        # Fader & Hardie (2007) "regular" cohort
        ShiftedBetaGeometric.fit_survivors([1000, 869, 743, 653, 593, 551, 517, 491]),
    ]


def test_beta_geo_summary_matches_lifetimes_summary(cdnow: dict[str, Any]) -> None:
    ours = BetaGeo.fit(cdnow, time_unit="weeks").summary().to_frame().set_index("parameter")
    theirs = BetaGeoFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"]).summary
    for name in ("r", "alpha", "a", "b"):
        assert ours.loc[name, "estimate"] == pytest.approx(theirs.loc[name, "coef"], rel=1e-5)
        assert ours.loc[name, "standard_error"] == pytest.approx(
            theirs.loc[name, "se(coef)"], rel=1e-4
        )
        for ends, column in (("lower", "lower 95% bound"), ("upper", "upper 95% bound")):
            assert ours.loc[name, ends] == pytest.approx(theirs.loc[name, column], rel=1e-4)


def test_every_fitted_model_has_the_same_summary(fitted_models: list[PersistentModel]) -> None:
    z = statistics.NormalDist().inv_cdf(0.975)
    for model in fitted_models:
        summary = model.summary()
        names = model.PARAMETERS
        assert summary.model == type(model).__name__
        assert [p.parameter for p in summary.parameters] == list(names)
        errors: dict[str, float] = getattr(model, "standard_errors")  # noqa: B009
        ll: float = getattr(model, "log_likelihood")  # noqa: B009
        n: float = getattr(model, "customers")  # noqa: B009
        for row in summary.parameters:
            assert row.estimate == getattr(model, row.parameter)
            assert row.standard_error == errors[row.parameter] > 0
            assert row.lower == pytest.approx(row.estimate - z * row.standard_error, rel=1e-12)
            assert row.upper == pytest.approx(row.estimate + z * row.standard_error, rel=1e-12)
        assert (summary.log_likelihood, summary.customers) == (ll, n)
        assert summary.aic == pytest.approx(2 * len(names) - 2 * ll)
        assert summary.bic == pytest.approx(len(names) * math.log(n) - 2 * ll)
        text = str(summary)
        lines = text.splitlines()
        assert lines[0].startswith(f"{type(model).__name__}: ")
        assert lines[1].split() == ["parameter", "estimate", "std.", "error", "lower", "95%",
                                    "upper", "95%"]  # fmt: skip
        assert [line.split()[0] for line in lines[2:-1]] == list(names)
        assert lines[-1].startswith("log-likelihood ")
        assert len({len(line) for line in lines[1:-1]}) == 1  # aligned columns
        html = model._repr_html_()
        assert html.startswith("<table>")
        assert html.endswith("</table>")
        assert html.count("<tr>") == 2 + len(names)  # header, rows, footer
        assert repr(summary) == text


def test_the_text_table_reads_as_the_estimates(cdnow: dict[str, Any]) -> None:
    model = BetaGeo.fit(cdnow, time_unit="weeks")
    lines = str(model.summary()).splitlines()
    assert lines[0] == "BetaGeo: 2357 customers, time unit weeks"
    cells = lines[2].split()
    assert cells[0] == "r"
    assert [float(c) for c in cells[1:]] == pytest.approx(
        [model.r, model.standard_errors["r"], *(model.summary().parameters[0].lower,
                                                model.summary().parameters[0].upper)],
        rel=1e-5,
    )  # fmt: skip


def test_log_scale_intervals_are_positive_and_geometric(cdnow: dict[str, Any]) -> None:
    model = GammaGamma.fit(cdnow)
    natural = model.summary(confidence=0.99)
    logged = model.summary(confidence=0.99, scale="log")
    z = statistics.NormalDist().inv_cdf(0.995)
    for row, wald in zip(logged.parameters, natural.parameters, strict=True):
        assert 0 < row.lower < row.estimate < row.upper
        assert row.lower * row.upper == pytest.approx(row.estimate**2, rel=1e-12)
        assert math.log(row.upper / row.estimate) == pytest.approx(
            z * row.standard_error / row.estimate, rel=1e-12
        )
        assert row.standard_error == wald.standard_error
    assert "intervals on the log scale" in str(logged).splitlines()[0]


def test_the_confidence_level_sets_the_width_and_the_labels(cdnow: dict[str, Any]) -> None:
    model = BetaGeo.fit(cdnow)
    narrow, wide = model.summary(confidence=0.9), model.summary(confidence=0.999)
    for a, b in zip(narrow.parameters, wide.parameters, strict=True):
        assert b.lower < a.lower < a.estimate < a.upper < b.upper
    assert "lower 90%" in str(narrow)
    assert "upper 99.9%" in str(wide)
    assert "lower 90%" in narrow._repr_html_()


@pytest.mark.parametrize("confidence", [0, 1, 1.5, -0.1, 95, True, "0.95", math.nan])
def test_a_bad_confidence_is_named(confidence: Any) -> None:
    with pytest.raises(ValidationError, match=r"^confidence: .* between 0 and 1"):
        BetaGeo(r=1.0, alpha=1.0, a=1.0, b=1.0).summary(confidence=confidence)


def test_a_bad_scale_is_named() -> None:
    with pytest.raises(ValidationError, match=r"^scale: 'wald' is not 'natural' or 'log'"):
        GammaGamma(p=1.0, q=2.0, v=3.0).summary(scale="wald")  # type: ignore[arg-type]


def test_a_model_from_known_parameters_summarises_without_a_fit() -> None:
    summary = ParetoNBD(r=0.55, alpha=10.58, s=0.61, beta=11.67).summary()
    assert [p.estimate for p in summary.parameters] == [0.55, 10.58, 0.61, 11.67]
    assert all(math.isnan(p.standard_error) and math.isnan(p.lower) for p in summary.parameters)
    assert (summary.aic, summary.bic) == (None, None)
    assert str(summary).splitlines()[-1] == "not fitted: no log-likelihood"


def test_summary_frames_on_every_backend() -> None:
    summary = ModelSummary.of("Toy", {"a": 2.0, "b": 3.0}, {"a": 0.5, "b": 0.1}, -5.0, 10.0)
    assert summary.to_frame("polars")["parameter"].to_list() == ["a", "b"]
    assert summary.to_frame("pyarrow").column("upper").to_pylist() == pytest.approx(
        [2.0 + 0.5 * 1.959963984540054, 3.0 + 0.1 * 1.959963984540054]
    )
    assert isinstance(summary.to_frame(), pd.DataFrame)


# ---------------------------------------------------------------- load_model by subclassing


def test_every_crmkit_model_is_registered_by_subclassing() -> None:
    for cls in (BetaGeo, BetaGeoBetaBinomial, GammaGamma, ModifiedBetaGeo, ParetoNBD,
                ShiftedBetaGeometric):  # fmt: skip
        assert model_class(cls.__name__) is cls


def test_a_new_model_subclass_loads_without_registering_it_anywhere() -> None:
    @attrs.frozen
    class Toy(PersistentModel):
        k: float = attrs.field(validator=positive)
        standard_errors: dict[str, float] = attrs.field(factory=dict, eq=False)
        log_likelihood: float | None = attrs.field(default=None, eq=False)
        customers: float | None = attrs.field(default=None, eq=False)
        time_unit: str | None = None

        PARAMETERS = ("k",)

    toy = Toy(k=2.5, standard_errors={"k": 0.5}, log_likelihood=-3.0, customers=4.0)
    again = load_model(toy.to_json(), Toy)
    assert again == toy
    assert type(again) is Toy
    assert again.summary().parameters[0].upper == pytest.approx(2.5 + 0.5 * 1.959963984540054)


def test_load_model_with_a_kind_refuses_another_model() -> None:
    text = GammaGamma(p=6.25, q=3.74, v=15.44).to_json()
    assert isinstance(load_model(text, GammaGamma), GammaGamma)
    assert isinstance(load_model(text, PersistentModel), GammaGamma)
    with pytest.raises(ValidationError, match=r"^model: 'GammaGamma' is not a BetaGeo document"):
        load_model(text, BetaGeo)


def test_unknown_and_non_text_model_names_are_validation_errors() -> None:
    with pytest.raises(ValidationError, match=r"^model: \['BetaGeo'\] is not one of BetaGeo, "):
        load_model({"model": ["BetaGeo"], "format": 1})


# ---------------------------------------------------------------- no shared private helpers


def test_no_clv_module_imports_a_private_name_from_another() -> None:
    package = pathlib.Path(crmkit.clv.__file__).parent
    offenders = []
    for path in sorted(package.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("crmkit."):
                private = [a.name for a in node.names if a.name.startswith("_")]
                offenders.extend(f"{path.name}: {node.module}.{n}" for n in private)
    assert offenders == []


# ---------------------------------------------------------------- penalizer


@pytest.mark.parametrize("cls", [BetaGeo, ParetoNBD, ModifiedBetaGeo, GammaGamma])
@pytest.mark.parametrize("bad", [-0.1, math.inf, math.nan, True, "0.1"])
def test_every_penalised_fit_refuses_a_bad_penalizer(
    cls: Any, bad: Any, cdnow: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError, match=r"^penalizer: .* must be a number of zero or more"):
        cls.fit(cdnow, penalizer=bad)


def test_a_penalizer_shrinks_the_estimates_and_is_documented_in_the_summary(
    cdnow: dict[str, Any],
) -> None:
    plain, shrunk = GammaGamma.fit(cdnow), GammaGamma.fit(cdnow, penalizer=0.01)
    squares = [sum(getattr(m, n) ** 2 for n in m.PARAMETERS) for m in (plain, shrunk)]
    assert squares[1] < squares[0]
    assert shrunk.summary().log_likelihood == shrunk.log_likelihood < plain.log_likelihood


def test_no_clv_module_imports_crmkit_inside_a_function() -> None:
    # an import inside a function hides an import cycle; type-only imports are fine
    package = pathlib.Path(crmkit.clv.__file__).parent
    offenders = []
    for path in sorted(package.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("crmkit"):
                    offenders.append(f"{path.name}:{node.lineno} {node.module}")
    assert offenders == []
