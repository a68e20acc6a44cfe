"""Cronbach's alpha and construct scores: seed-003 TV-7, TV-9 and agreement with NumPy."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from crmkit.errors import CrmkitWarning, ValidationError
from crmkit.survey import (
    alpha_from_mean_correlation,
    construct_scores,
    cronbach_alpha,
    mean_correlation_from_alpha,
    reliability,
)

#: TV-9: JMP alphas of the six factors with their number of items and the implied r̄.
TV9 = [(0.9358, 5, 0.745), (0.7781, 4, 0.467), (0.7769, 2, 0.635), (0.8199, 3, 0.603),
       (0.7270, 3, 0.470), (0.5285, 2, 0.359)]  # fmt: skip


@pytest.mark.parametrize(("alpha", "k", "rbar"), TV9)
def test_tv9_implied_mean_inter_item_correlation(alpha: float, k: int, rbar: float) -> None:
    assert round(mean_correlation_from_alpha(alpha, k), 3) == rbar
    assert math.isclose(
        alpha_from_mean_correlation(mean_correlation_from_alpha(alpha, k), k), alpha
    )


def test_tv9_reliability_thresholds() -> None:
    # F6 (0.5285) fails the usual 0.7 rule but passes the thesis's "with caution" 0.5
    data = {"a": [1, 2, 3, 4, 5, 2], "b": [2, 1, 4, 3, 5, 4]}
    r = reliability(data)
    assert r.meets(0.5) is (r.alpha >= 0.5)
    assert reliability({"a": [1, 2, 3], "b": [1, 2, 3]}).meets(0.7)


def test_tv7_factor_score_is_unweighted_item_mean() -> None:
    # RELASJON mean 4.078125 vs mean of the rounded item means 4.15, 4.16, 3.92
    assert abs((4.15 + 4.16 + 3.92) / 3 - 4.078125) < 0.002
    cols = {"q09": [4, 5, 3, 4], "q10": [4, 4, 4, 5], "q11": [3, 5, 4, 4]}
    scores = construct_scores(cols, ["q09", "q10", "q11"])
    item_means = [sum(v) / 4 for v in cols.values()]
    assert math.isclose(sum(scores) / 4, sum(item_means) / 3)  # type: ignore[arg-type]


def test_construct_scores_missing_rules_and_reverse() -> None:
    cols = {"a": [5, None, None], "b": [1, 2, None], "c": [3, 4, 5]}
    assert construct_scores(cols, ["a", "b", "c"]) == [3.0, None, None]
    assert construct_scores(cols, ["a", "b", "c"], missing="pairwise") == [3.0, 3.0, None]
    assert construct_scores(cols, ["a", "b", "c"], missing="pairwise", min_items=1) == [
        3.0,
        3.0,
        5.0,
    ]
    assert construct_scores(cols, ["a", "b", "c"], reverse={"b": (1, 5)}) == [13 / 3, None, None]


def test_construct_scores_bad_input() -> None:
    with pytest.raises(ValidationError):
        construct_scores({"a": [1]}, [])
    with pytest.raises(ValidationError, match="listwise"):
        construct_scores({"a": [1]}, ["a"], missing="mean")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="not a column"):
        construct_scores({"a": [1]}, ["a", "zz"])
    with pytest.raises(ValidationError, match="not one of"):
        construct_scores({"a": [1], "b": [2]}, ["a"], reverse={"b": (1, 5)})


def test_empty_or_one_item_construct_is_an_error() -> None:
    with pytest.raises(ValidationError, match="at least two items"):
        cronbach_alpha({"a": [1, 2, 3]})
    with pytest.raises(ValidationError, match="at least two respondents"):
        cronbach_alpha({"a": [1, None], "b": [None, 2]})


def test_constant_item_gives_documented_nan_with_warning() -> None:
    data = {"a": [1, 2, 3, 4], "b": [3, 3, 3, 3], "c": [2, 2, 4, 5]}
    with pytest.warns(CrmkitWarning, match="'b'"):
        r = reliability(data)
    assert math.isnan(r.standardised_alpha)
    assert not math.isnan(r.alpha)  # raw alpha still defined


def test_undefined_standardised_alpha_is_nan_with_warning() -> None:
    # two items correlating exactly −1: r̄ = −1/(k−1)
    with pytest.warns(CrmkitWarning, match="undefined"):
        r = reliability({"a": [1, 2, 3], "b": [3, 2, 1]})
    assert math.isnan(r.standardised_alpha)


def test_constant_total_gives_nan_alpha_with_warning() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = reliability({"a": [1, 1, 1], "b": [2, 2, 2]})
    assert math.isnan(r.alpha)
    assert any(issubclass(w.category, CrmkitWarning) for w in caught)


def test_listwise_deletion_and_frames() -> None:
    import pandas as pd
    import polars as pl

    cols = {"a": [1, 2, 3, 4, None], "b": [2, 2, 3, 5, 1], "c": [1, 3, 3, 4, 2]}
    r = reliability(cols)
    assert r.n == 4
    assert math.isclose(reliability(pd.DataFrame(cols)).alpha, r.alpha)
    assert math.isclose(reliability(pl.DataFrame(cols).lazy()).alpha, r.alpha)
    rows = [{"a": a, "b": b, "c": c} for a, b, c in zip(*cols.values(), strict=True)]
    assert math.isclose(reliability(rows, ["a", "b", "c"]).alpha, r.alpha)


def _np_alpha(x: np.ndarray) -> float:
    cov = np.cov(x, rowvar=False)
    k = x.shape[1]
    return float(k / (k - 1) * (1 - np.trace(cov) / cov.sum()))


matrices = st.integers(2, 6).flatmap(
    lambda k: st.lists(st.lists(st.integers(1, 5), min_size=k, max_size=k), min_size=3, max_size=40)
)


@settings(max_examples=60, deadline=None)
@given(matrices)
def test_alpha_matches_covariance_formula(rows: list[list[int]]) -> None:
    x = np.asarray(rows, dtype=float)
    assume(x.sum(axis=1).var() > 0)
    assume(all(x[:, j].var() > 0 for j in range(x.shape[1])))
    k = x.shape[1]
    corr = np.corrcoef(x, rowvar=False)
    rbar = corr[np.triu_indices(k, 1)].mean()
    assume(abs(1 + (k - 1) * rbar) > 1e-3)
    cols = {f"i{j}": x[:, j].tolist() for j in range(k)}
    r = reliability(cols)
    assert math.isclose(r.alpha, _np_alpha(x), rel_tol=1e-9, abs_tol=1e-9)
    assert math.isclose(
        r.standardised_alpha, k * rbar / (1 + (k - 1) * rbar), rel_tol=1e-9, abs_tol=1e-9
    )
    if k >= 3:
        for j in range(k):
            rest = np.delete(x, j, axis=1)
            if rest.sum(axis=1).var() > 0:
                assert math.isclose(
                    r.alpha_if_deleted[f"i{j}"], _np_alpha(rest), rel_tol=1e-9, abs_tol=1e-9
                )
