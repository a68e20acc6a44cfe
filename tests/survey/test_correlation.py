"""Pearson correlation: seed-003 TV-4 (Vedlegg 6) and agreement with SciPy."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from crmkit.errors import ValidationError
from crmkit.survey import (
    check_correlation_report,
    correlation_from_summary,
    correlation_matrix,
    pearson,
)
from tests.survey.seed003 import RELASJON_SD, TV4_ROWS, TV4_TYPO


@pytest.mark.parametrize("row", TV4_ROWS, ids=[r[0] for r in TV4_ROWS])
def test_tv4_ci_p_and_covariance_from_r(row: tuple) -> None:  # type: ignore[type-arg]
    _, r, sd_x, ci, p, cov = row
    c = correlation_from_summary(r, 64, sd_x=sd_x, sd_y=RELASJON_SD)
    lo, hi = c.confidence_interval()
    # JMP prints 5–6 decimals, dropping trailing zeros: agree within 1e-6
    assert abs(lo - ci[0]) <= 1.5e-6
    assert abs(hi - ci[1]) <= 1.5e-6
    assert abs(c.covariance - cov) <= 1.5e-6
    if isinstance(p, str):
        assert c.p_value() < 0.0001
    else:
        assert round(c.p_value(), 4) == p
    assert (
        check_correlation_report(
            r, 64, ci=ci, p=p, covariance=cov, sd_x=sd_x, sd_y=RELASJON_SD, tolerance=1.5e-6
        )
        == []
    )


def test_tv4_typo_row_is_flagged_with_the_r_everything_else_implies() -> None:
    _, r, sd_x, ci, p, cov = TV4_TYPO
    findings = check_correlation_report(
        r, 64, ci=ci, p=p, covariance=cov, sd_x=sd_x, sd_y=RELASJON_SD
    )
    assert [f.code for f in findings] == ["correlation.r"]
    assert round(findings[0].expected, 5) == 0.34858  # type: ignore[arg-type]
    assert "CI" in findings[0].message
    assert "covariance" in findings[0].message
    # and the corrected r is consistent with all three
    assert (
        check_correlation_report(
            0.34858, 64, ci=ci, p=p, covariance=cov, sd_x=sd_x, sd_y=RELASJON_SD
        )
        == []
    )


def test_factor5_relationships_valuable_p() -> None:
    # L783-787: r = 0.32, p = 0.0090 (n = 64) — consistent at 2-decimal r
    p = correlation_from_summary(0.32, 64).p_value()
    assert 0.007 < p < 0.012


def test_constant_variable_gives_nan_r() -> None:
    c = pearson([1, 1, 1, 1], [1, 2, 3, 4])
    assert math.isnan(c.r)
    assert math.isnan(c.p_value())


@pytest.mark.parametrize(
    ("x", "y", "path"),
    [([1, 2], [1, 2], "n"), ([1, 2, 3], [1, 2], "y"), ([1, "a", 3, 4], [1, 2, 3, 4], "x[1]")],
)
def test_bad_input(x: list[object], y: list[object], path: str) -> None:
    with pytest.raises(ValidationError) as info:
        pearson(x, y)  # type: ignore[arg-type]
    assert info.value.problems[0].path == path


def test_summary_rejects_r_outside_range() -> None:
    with pytest.raises(ValidationError, match="between -1 and 1"):
        correlation_from_summary(-1.01, 30)


def test_correlation_matrix_uses_pairwise_complete_answers() -> None:
    m = correlation_matrix({"a": [1, 2, 3, 4, None], "b": [2, 4, 5, 9, 1], "c": [4, 3, 2, 1, 0]})
    assert m["a", "a"] == 1.0
    assert m["a", "b"] == m["b", "a"]
    assert math.isclose(m["b", "c"], scipy.stats.pearsonr([2, 4, 5, 9, 1], [4, 3, 2, 1, 0])[0])


pairs = st.lists(st.tuples(st.integers(1, 7), st.integers(1, 5)), min_size=5, max_size=60)


@settings(max_examples=60, deadline=None)
@given(pairs)
def test_pearson_matches_scipy(data: list[tuple[int, int]]) -> None:
    x = [a for a, _ in data]
    y = [b for _, b in data]
    assume(len(set(x)) > 1 and len(set(y)) > 1)
    c = pearson(x, y)
    ref = scipy.stats.pearsonr(x, y)
    assert math.isclose(c.r, ref.statistic, rel_tol=1e-9, abs_tol=1e-12)
    assert math.isclose(c.p_value(), ref.pvalue, rel_tol=1e-6, abs_tol=1e-12)
    assert math.isclose(c.covariance, float(np.cov(x, y)[0, 1]), rel_tol=1e-9, abs_tol=1e-12)
    if abs(c.r) < 1:
        lo, hi = c.confidence_interval(0.95)
        ref_ci = ref.confidence_interval(0.95)
        assert math.isclose(lo, ref_ci.low, abs_tol=1e-9)
        assert math.isclose(hi, ref_ci.high, abs_tol=1e-9)
