"""Survey statistics at their numerical edges (issue #20), checked against SciPy and
statsmodels: badly conditioned OLS designs, NumPy scalars as answers, Pearson with n = 3."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import scipy.stats
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.errors import FitError, ValidationError
from crmkit.survey import (
    FrequencyTable,
    ItemTable,
    Response,
    Scale,
    correlation_matrix,
    cronbach_alpha,
    describe,
    ols,
    pearson,
    recode,
    response_rate,
)

# ---------------------------------------------------------------- OLS with large offsets


def _design(seed: int, n: int, k: int, offsets: list[float]):
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, rng.uniform(0.5, 3.0, k), (n, k))
    y = x @ rng.normal(0.0, 1.0, k) + rng.normal(0.0, 1.0, n)
    shifted = x + np.asarray(offsets)
    # the values as stored: shifting back is exact (Sterbenz), so this is the same data
    return shifted, shifted - np.asarray(offsets), y


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    k=st.integers(1, 4),
    n=st.integers(8, 80),
    exponents=st.lists(st.integers(0, 12), min_size=4, max_size=4),
)
def test_ols_with_large_offsets_matches_statsmodels_on_the_same_data(seed, k, n, exponents):
    offsets = [10.0**e for e in exponents[:k]]
    shifted, centred, y = _design(seed, n, k, offsets)
    res = ols(y.tolist(), {f"x{j}": shifted[:, j].tolist() for j in range(k)})
    # statsmodels on the shifted-back (well-conditioned) copy of exactly the same data:
    # slopes, their standard errors and every fit statistic are shift-invariant
    ref = sm.OLS(y, sm.add_constant(centred, has_constant="add")).fit()
    for j in range(k):
        coef = res.coefficients[j + 1]
        assert coef.estimate == pytest.approx(ref.params[j + 1], rel=1e-6, abs=1e-9)
        assert coef.std_error == pytest.approx(ref.bse[j + 1], rel=1e-6)
        assert coef.p == pytest.approx(ref.pvalues[j + 1], rel=1e-5, abs=1e-12)
    assert res.fit.r2 == pytest.approx(ref.rsquared, rel=1e-8, abs=1e-12)
    assert res.fit.rmse == pytest.approx(math.sqrt(ref.mse_resid), rel=1e-8)
    assert res.fit.f == pytest.approx(ref.fvalue, rel=1e-6)
    # the intercept moves with the offsets: b0' = b0 − Σ b_j o_j, var(b0') = cᵀ Σ c
    c = np.concatenate(([1.0], -np.asarray(offsets)))
    cov = np.asarray(ref.cov_params())
    intercept = float(ref.params @ c)
    se0 = math.sqrt(float(c @ cov @ c))
    assert res.coefficients[0].estimate == pytest.approx(
        intercept, rel=1e-6, abs=1e-9 * max(offsets) * float(np.abs(ref.params[1:]).max())
    )
    assert res.coefficients[0].std_error == pytest.approx(se0, rel=1e-6)


def test_ols_moderate_offsets_agree_with_statsmodels_directly():
    shifted, _, y = _design(3, 50, 3, [1e3, 2e4, 5e2])
    res = ols(y.tolist(), {f"x{j}": shifted[:, j].tolist() for j in range(3)})
    ref = sm.OLS(y, sm.add_constant(shifted, has_constant="add")).fit()
    np.testing.assert_allclose([c.estimate for c in res.coefficients], ref.params, rtol=1e-8)
    np.testing.assert_allclose([c.std_error for c in res.coefficients], ref.bse, rtol=1e-8)


def test_ols_full_rank_design_with_huge_offset_is_not_called_collinear():
    # a year-like predictor 2·10^9 apart from a small one: full rank, conditioned ~1e10
    shifted, centred, y = _design(5, 30, 2, [2e9, 0.0])
    res = ols(y.tolist(), {"a": shifted[:, 0].tolist(), "b": shifted[:, 1].tolist()})
    ref = sm.OLS(y, sm.add_constant(centred)).fit()
    assert res["a"].std_error == pytest.approx(ref.bse[1], rel=1e-7)


def test_ols_still_refuses_truly_collinear_designs():
    with pytest.raises(FitError, match="collinear"):
        ols([1, 2, 3, 4, 5], {"x": [1, 2, 3, 4, 5], "z": [2, 4, 6, 8, 10]})
    big = 1e12
    with pytest.raises(FitError, match="collinear"):  # constant predictor (the intercept again)
        ols([1.0, 2.0, 3.0, 5.0], {"x": [1.0, 2.0, 3.0, 4.0], "c": [big] * 4})
    xs = [big + v for v in (1.0, 2.0, 4.0, 8.0, 16.0)]
    with pytest.raises(FitError, match="collinear"):  # an exact linear combination at an offset
        ols([1, 3, 2, 5, 4], {"x": xs, "z": [2 * v for v in xs], "w": [0, 1, 0, 1, 1]})


# ---------------------------------------------------------------- NumPy scalars as answers

NUMPY_NUMBERS = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint64,
                 np.float16, np.float32, np.float64, np.longdouble]  # fmt: skip


@pytest.mark.parametrize("kind", NUMPY_NUMBERS)
def test_survey_functions_accept_every_numpy_number(kind):
    a = np.array([1, 2, 3, 4, 5, 3, 2], dtype=kind)
    b = np.array([2, 2, 4, 5, 4, 3, 1], dtype=kind)
    plain_a, plain_b = [int(v) for v in a], [int(v) for v in b]
    assert describe(a).mean == describe(plain_a).mean
    assert FrequencyTable.from_scores(a) == FrequencyTable.from_scores(plain_a)
    assert pearson(a, b).r == pearson(plain_a, plain_b).r
    assert ols(list(b), {"x": list(a)})["x"].estimate == pytest.approx(
        ols(plain_b, {"x": plain_a})["x"].estimate, rel=1e-12
    )
    table = ItemTable.from_columns({"p": list(a), "q": list(b)})
    assert table.columns == ItemTable.from_columns({"p": plain_a, "q": plain_b}).columns
    assert correlation_matrix({"p": list(a), "q": list(b)})["p", "q"] == pytest.approx(
        pearson(plain_a, plain_b).r
    )
    assert Response("r1", {"q": a[0]}).answers["q"] == 1
    assert Scale.likert(7).contains(a[2])
    assert recode(list(a[:2]), offset=1) == [2, 3]
    if np.issubdtype(kind, np.integer):  # counts are whole numbers, as with Python's 3.0
        assert describe(counts=[kind(3), kind(4)]).n == 7
    else:
        with pytest.raises(ValidationError, match="whole number"):
            describe(counts=[kind(3), kind(4)])


def test_numpy_integers_as_counts_and_sizes():
    assert response_rate(np.int64(5), np.int32(8)) == 0.625
    numpy_alpha = cronbach_alpha({"a": np.array([1, 2, 3, 4]), "b": np.array([2, 2, 4, 4])})
    assert numpy_alpha == cronbach_alpha({"a": [1, 2, 3, 4], "b": [2, 2, 4, 4]})
    assert FrequencyTable.from_counts({np.int64(1): np.int64(2)}).n == 2


@pytest.mark.parametrize("nan", [np.float16("nan"), np.float32("nan"), np.float64("nan")])
def test_numpy_nan_is_missing_exactly_where_python_nan_is(nan):
    assert describe([1, 2, nan, 4]).n == describe([1, 2, math.nan, 4]).n == 3
    assert pearson([1, 2, nan, 4, 5], [2, 1, 3, 5, 4]).n == 4
    assert ItemTable.from_columns({"a": [1, nan]}).columns["a"] == (1.0, None)
    assert ols([1, 2, 3, nan, 5, 7], {"x": [1, 2, 3, 4, 6, 8]}).fit.n == 5
    assert Scale.likert(5).contains(nan) == Scale.likert(5).contains(math.nan)


@pytest.mark.parametrize(
    "bad", [True, np.bool_(True), "3", complex(1, 0), np.complex128(1), math.inf, np.float32("inf")]
)
def test_non_numbers_and_infinities_are_still_refused(bad):
    with pytest.raises(ValidationError):
        describe([1, 2, bad])
    with pytest.raises(ValidationError):
        pearson([1, 2, 3, bad], [1, 2, 3, 4])
    with pytest.raises(ValidationError):
        ItemTable.from_columns({"a": [1, bad]})
    with pytest.raises(ValidationError):
        ols([1, 2, 3, 4], {"x": [1, 2, 3, bad]})


def test_fractions_are_numbers_too():
    assert describe([Fraction(1, 2), Fraction(3, 2)]).mean == 1.0


# ---------------------------------------------------------------- Pearson confidence interval


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # SciPy's own inf − inf at n = 3
@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(-5, 5), st.integers(-5, 5)), min_size=3, max_size=8))
def test_pearson_confidence_interval_matches_scipy_for_small_n(pairs):
    x, y = [a for a, _ in pairs], [b for _, b in pairs]
    if len(set(x)) < 2 or len(set(y)) < 2:
        return
    ours = pearson(x, y)
    ref = scipy.stats.pearsonr(x, y).confidence_interval(0.95)
    lo, hi = ours.confidence_interval(0.95)
    assert lo == pytest.approx(ref.low, abs=1e-9)
    assert hi == pytest.approx(ref.high, abs=1e-9)


def test_pearson_interval_for_three_pairs_is_the_whole_range():
    assert pearson([1, 2, 3], [1, 3, 2]).confidence_interval() == (-1.0, 1.0)
    assert pearson([1, 2, 3], [2, 4, 6]).confidence_interval() == (-1.0, 1.0)
