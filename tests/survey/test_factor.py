"""Factor checks: seed-003 TV-8 (variance explained), TV-10 (factor correlations) and the
Heywood cases and cross-loading in the rotated loading matrix (§3.4)."""

from __future__ import annotations

import pytest

from crmkit.errors import ValidationError
from crmkit.survey import (
    CorrelationMatrix,
    LoadingStrength,
    check_factor_correlations,
    check_loadings,
    check_rounding,
    check_variance_explained,
    variance_explained,
)
from tests.survey.seed003 import (
    ASSIGNMENT,
    FACTOR_CORR,
    FACTOR_LABELS,
    FACTORS,
    PROSE_CORR,
    ROTATED,
)


def _loadings_of(factor: str) -> list[float]:
    j = FACTORS.index(factor)
    return [ROTATED[item][j] for item, f in ASSIGNMENT.items() if f == factor]


def test_tv8_f1_variance_explained_reproduces_77_percent() -> None:
    f1 = _loadings_of("F1")
    assert f1 == [0.86004, 0.89174, 0.76965, 0.93325, 0.94445]
    assert round(sum(v * v for v in f1), 4) == 3.8902
    assert round(variance_explained(f1), 3) == 0.778
    assert check_variance_explained(f1, 0.77) == []


@pytest.mark.parametrize(
    ("factor", "computed", "reported"),
    [("F2", 0.536, 0.52), ("F3", 0.707, 0.64), ("F4", 0.590, 0.64), ("F5", 0.419, 0.49),
     ("F6", 0.603, 0.44)],
)  # fmt: skip
def test_tv8_other_factors_are_flagged(factor: str, computed: float, reported: float) -> None:
    loadings = _loadings_of(factor)
    assert round(variance_explained(loadings), 3) == computed
    (finding,) = check_variance_explained(loadings, reported, subject=factor)
    assert finding.code == "factor.variance_explained"


def test_heywood_cases_in_rotated_matrix() -> None:
    checks = check_loadings(ROTATED, FACTORS, ASSIGNMENT)
    heywood = sorted(c.item for c in checks if c.heywood)
    assert heywood == [
        "Digitalisering: Har kompetanse",
        "Driftsresultat",
        "Relasjoner: Verdifullt for kunden",
    ]


def test_digitalisation_value_loads_highest_on_f3_not_f5() -> None:
    checks = {c.item: c for c in check_loadings(ROTATED, FACTORS, ASSIGNMENT)}
    c = checks["Digitalisering: Ser verdien"]
    assert (c.factor, c.highest_factor, c.cross_loading) == ("F5", "F3", True)
    assert c.strength is LoadingStrength.WEAK
    assert [f.code for f in c.findings()] == ["loading.weak", "loading.cross"]
    # the only cross-loaded assigned item
    assert [i for i, ch in checks.items() if ch.cross_loading] == ["Digitalisering: Ser verdien"]


def test_loading_strength_classes_match_the_prose() -> None:
    checks = {c.item: c.strength for c in check_loadings(ROTATED, FACTORS, ASSIGNMENT)}
    assert checks["Tilfredshet: Totalt sett"] is LoadingStrength.STRONG  # 0.94
    assert checks["Leverandør: Verdi av totalleverandør"] is LoadingStrength.ACCEPTABLE  # 0.53
    assert checks["Relasjoner: Fast kontaktperson"] is LoadingStrength.WEAK  # 0.46 "borderline"
    assert checks["Antall ansatte"] is LoadingStrength.WEAK  # 0.44


def test_section_3_9_item_2_table_loadings_disagree_with_rotated_matrix() -> None:
    # table prints 0.54 for var 19 and 0.50 for var 11; the rotated matrix has 0.59374, 0.45398
    (f19,) = check_rounding(0.59374, 0.54, decimals=2, subject="var 19 on F3")
    (f11,) = check_rounding(0.45398, 0.50, decimals=2, subject="var 11 on F4")
    assert "rounds to 0.59" in f19.message
    assert "rounds to 0.45" in f11.message


def test_unassigned_default_uses_highest_loading() -> None:
    checks = check_loadings({"x": [0.1, -0.8]}, ["A", "B"])
    assert (checks[0].factor, checks[0].negative) == ("B", True)
    assert [f.code for f in checks[0].findings()] == ["loading.negative"]


def test_bad_loading_input() -> None:
    with pytest.raises(ValidationError):
        check_loadings({"x": [0.1]}, ["A", "B"])
    with pytest.raises(ValidationError):
        check_loadings({"x": [0.1, 0.2]}, ["A", "B"], {"x": "C"})
    with pytest.raises(ValidationError):
        variance_explained([])


def test_tv10_exact_matrix_is_valid() -> None:
    m = CorrelationMatrix.from_rows(FACTOR_LABELS, FACTOR_CORR)
    assert check_factor_correlations(m) == []
    off = [abs(FACTOR_CORR[i][j]) for i in range(6) for j in range(6) if i != j]
    assert max(off) == 0.4960 == m["Relasjon", "Videre samarbeid"]


def test_tv10_prose_matrix_is_asymmetric() -> None:
    findings = check_factor_correlations(
        dict(zip(FACTOR_LABELS, PROSE_CORR, strict=True)), tolerance=0.005
    )
    assert [f.code for f in findings] == ["correlation.asymmetric"] * 3
    assert {f.subject for f in findings} == {
        "Tilfredshet–Videre samarbeid",
        "Tilfredshet–Verdi av nye tjenester",
        "Videre samarbeid–Kompetanse",
    }
    # and which of each pair is the wrongly rounded (truncated) one
    assert check_rounding(0.2154, 0.22, decimals=2) == []
    assert "truncated" in check_rounding(0.2154, 0.21, decimals=2)[0].message
    assert "truncated" in check_rounding(0.2977, 0.29, decimals=2)[0].message
    assert "truncated" in check_rounding(-0.1571, -0.15, decimals=2)[0].message


def test_high_factor_correlation_is_flagged() -> None:
    findings = check_factor_correlations({"A": [1, 0.85], "B": [0.85, 1]})
    assert [f.code for f in findings] == ["correlation.high"]
    findings = check_factor_correlations({"A": [0.9, 1.2], "B": [1.2, 1]})
    assert {f.code for f in findings} == {
        "correlation.diagonal",
        "correlation.range",
        "correlation.high",
    }
