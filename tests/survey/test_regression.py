"""OLS driver analysis: seed-003 TV-5 (Vedlegg 5) and agreement with statsmodels."""

from __future__ import annotations

import math

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.errors import FitError, ValidationError
from crmkit.survey import coefficient_test, fit_statistics, ols

#: Vedlegg 5: term, estimate, SE, printed t, printed p (df = 55)
TV5_TERMS = [
    ("Intercept", -0.037668, 0.351805, -0.11, 0.9151),
    ("03 forstå behov", 0.0277037, 0.089341, 0.31, 0.7577),
    ("04 oppfølging underveis", 0.3422768, 0.100964, 3.39, 0.0013),
    ("05 oppfølging i etterkant", 0.2460096, 0.062037, 3.97, 0.0002),
    ("06 service og support", 0.3109561, 0.102926, 3.02, 0.0038),
]


def test_tv5_fit_identities() -> None:
    fit = fit_statistics(ss_model=73.697038, ss_error=13.036295, n=60, predictors=4)
    assert round(fit.r2, 6) == 0.849697
    assert round(fit.adjusted_r2, 6) == 0.838766
    assert round(fit.rmse, 6) == 0.486851
    assert round(fit.ms_model, 4) == 18.4243
    assert round(fit.ms_error, 4) == 0.2370
    assert round(fit.ss_total, 6) == 86.733333
    assert (fit.df_model, fit.df_error) == (4, 55)
    assert round(fit.f, 4) == 77.7318
    assert fit.f_p < 0.0001
    assert 1e-22 < fit.f_p < 1e-21


@pytest.mark.parametrize("term", TV5_TERMS, ids=[t[0] for t in TV5_TERMS])
def test_tv5_coefficient_tests(term: tuple[str, float, float, float, float]) -> None:
    name, est, se, t, p = term
    c = coefficient_test(est, se, df=55, name=name)
    assert round(c.t, 2) == t
    assert round(c.p, 4) == p


def test_tv5_drivers_are_04_05_06() -> None:
    rng = np.random.default_rng(5)
    n = 60
    x = {k: rng.integers(3, 8, n).astype(float) for k in ("03", "04", "05", "06")}
    y = 0.34 * x["04"] + 0.25 * x["05"] + 0.31 * x["06"] + rng.normal(0, 0.3, n)
    res = ols(y.tolist(), {k: v.tolist() for k, v in x.items()}, response="07")
    assert {c.name for c in res.drivers()} == {"04", "05", "06"}


def test_ols_drops_incomplete_rows_listwise() -> None:
    res = ols(
        [1.0, 2.0, None, 4.1, 5.2, 5.9], {"a": [1, 2, 3, None, 5, 6], "b": [0, 1, 0, 1, 1, 0]}
    )
    assert res.fit.n == 4


def test_ols_errors() -> None:
    with pytest.raises(ValidationError, match="too few"):
        ols([1, 2], {"x": [1, 2]})
    with pytest.raises(FitError, match="collinear"):
        ols([1, 2, 3, 4, 5], {"x": [1, 2, 3, 4, 5], "z": [2, 4, 6, 8, 10]})
    with pytest.raises(ValidationError) as info:
        ols([1, 2, 3, 4], {"x": [1, 2, "c", 4]})
    assert info.value.problems[0].path == "predictors.x[2]"
    with pytest.raises(ValidationError):
        ols([1, 2, 3], {})
    with pytest.raises(ValidationError):
        fit_statistics(ss_model=-1, ss_error=1, n=10, predictors=1)
    with pytest.raises(ValidationError):
        coefficient_test(1.0, 0.0, df=10)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 4), st.integers(12, 60))
def test_ols_matches_statsmodels(seed: int, k: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 8, size=(n, k)).astype(float)
    y = x @ rng.normal(0, 1, k) + rng.normal(0, 1, n)
    if np.linalg.matrix_rank(np.column_stack([np.ones(n), x])) < k + 1:
        return
    names = [f"x{j}" for j in range(k)]
    res = ols(y.tolist(), {nm: x[:, j].tolist() for j, nm in enumerate(names)})
    ref = sm.OLS(y, sm.add_constant(x, has_constant="add")).fit()
    for j, coef in enumerate(res.coefficients):
        assert math.isclose(coef.estimate, ref.params[j], rel_tol=1e-7, abs_tol=1e-9)
        assert math.isclose(coef.std_error, ref.bse[j], rel_tol=1e-7, abs_tol=1e-9)
        assert math.isclose(coef.p, ref.pvalues[j], rel_tol=1e-6, abs_tol=1e-12)
    assert math.isclose(res.fit.r2, ref.rsquared, rel_tol=1e-9, abs_tol=1e-12)
    assert math.isclose(res.fit.adjusted_r2, ref.rsquared_adj, rel_tol=1e-9, abs_tol=1e-12)
    assert math.isclose(res.fit.f, ref.fvalue, rel_tol=1e-7)
    assert math.isclose(res.fit.f_p, ref.f_pvalue, rel_tol=1e-6, abs_tol=1e-300)
    assert math.isclose(res.fit.rmse, math.sqrt(ref.mse_resid), rel_tol=1e-9)
