"""Checks of a factor analysis: loading strength, Heywood cases, cross-loadings, variance
explained and the factor correlation matrix (convergent and divergent validity).

crmkit does not extract factors; it checks a loading matrix and factor correlations that a
tool (JMP, SPSS, R, factor_analyzer) produced, with the rules seed 003 uses: a loading of at
least 0.70 is strong, at least 0.50 acceptable, below that weak; a loading above 1 is a
Heywood case; factor correlations approaching 0.8 need review.

Examples:
    >>> from crmkit.survey import variance_explained
    >>> round(variance_explained([0.86004, 0.89174, 0.76965, 0.93325, 0.94445]), 3)
    0.778
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence

import attrs

from crmkit.errors import ValidationError
from crmkit.survey.consistency import Finding
from crmkit.survey.correlation import CorrelationMatrix

__all__ = [
    "LoadingCheck",
    "LoadingStrength",
    "check_factor_correlations",
    "check_loadings",
    "check_variance_explained",
    "classify_loading",
    "variance_explained",
]

STRONG = 0.70
ACCEPTABLE = 0.50


class LoadingStrength(enum.Enum):
    """How well an item loads on its factor.

    Examples:
        >>> from crmkit.survey import LoadingStrength
        >>> LoadingStrength("strong") is LoadingStrength.STRONG
        True
    """

    STRONG = "strong"
    ACCEPTABLE = "acceptable"
    WEAK = "weak"


def classify_loading(
    loading: float, *, strong: float = STRONG, acceptable: float = ACCEPTABLE
) -> LoadingStrength:
    """Classify ``|loading|``: ≥ ``strong`` strong, ≥ ``acceptable`` acceptable, else weak.

    Examples:
        >>> from crmkit.survey import classify_loading
        >>> [classify_loading(x).value for x in (0.86, 0.53, 0.46, -0.75)]
        ['strong', 'acceptable', 'weak', 'strong']
    """
    if not 0 < acceptable <= strong:
        raise ValidationError.single(
            "acceptable", acceptable, f"must be above 0 and at most strong ({strong})"
        )
    size = abs(loading)
    if size >= strong:
        return LoadingStrength.STRONG
    if size >= acceptable:
        return LoadingStrength.ACCEPTABLE
    return LoadingStrength.WEAK


@attrs.frozen
class LoadingCheck:
    """The check of one item: its loading on the assigned factor and what is wrong with it.

    Attributes:
        heywood: ``|loading| > 1`` (an improper solution).
        highest_factor: the factor the item loads highest on (by absolute value).
        cross_loading: the item loads higher on another factor than the assigned one.
        negative: the assigned loading is negative (reverse-code or drop the item).

    Examples:
        >>> from crmkit.survey import check_loadings
        >>> checks = check_loadings({"q": [0.2, 1.03]}, ["F1", "F2"], {"q": "F2"})
        >>> checks[0].strength.value, checks[0].heywood
        ('strong', True)
    """

    item: str
    factor: str
    loading: float
    strength: LoadingStrength
    heywood: bool
    highest_factor: str
    cross_loading: bool
    negative: bool

    def findings(self) -> list[Finding]:
        """The problems of this item as :class:`~crmkit.survey.Finding` objects.

        Examples:
            >>> from crmkit.survey import check_loadings
            >>> c = check_loadings({"q": [0.54, 0.34]}, ["F3", "F5"], {"q": "F5"})[0]
            >>> [f.code for f in c.findings()]
            ['loading.weak', 'loading.cross']
        """
        out: list[Finding] = []
        subject = f"{self.item} on {self.factor}"
        if self.heywood:
            out.append(
                Finding(
                    "loading.heywood",
                    subject,
                    f"loading {self.loading:g} is above 1 (Heywood case): the solution is improper",
                    reported=self.loading,
                )
            )
        if self.strength is LoadingStrength.WEAK:
            out.append(
                Finding(
                    "loading.weak",
                    subject,
                    f"loading {self.loading:g} is weak (below the acceptable threshold)",
                    reported=self.loading,
                )
            )
        if self.negative:
            out.append(
                Finding(
                    "loading.negative",
                    subject,
                    f"loading {self.loading:g} is negative: reverse-code or drop the item",
                    reported=self.loading,
                )
            )
        if self.cross_loading:
            out.append(
                Finding(
                    "loading.cross",
                    subject,
                    f"loads highest on {self.highest_factor}, not on the assigned {self.factor}",
                    reported=self.factor,
                    expected=self.highest_factor,
                )
            )
        return out


def check_loadings(
    loadings: Mapping[str, Sequence[float]],
    factors: Sequence[str],
    assignment: Mapping[str, str] | None = None,
    *,
    strong: float = STRONG,
    acceptable: float = ACCEPTABLE,
) -> list[LoadingCheck]:
    """Check every item of a (rotated) loading matrix.

    Args:
        loadings: per item, its loadings on ``factors`` in order.
        factors: factor names (the matrix columns).
        assignment: the factor each item was assigned to; items not in it are skipped.
            Default: each item's highest-loading factor.

    Raises:
        ValidationError: a row of the wrong length, or an assignment to an unknown
            factor or item.

    Examples:
        >>> from crmkit.survey import check_loadings
        >>> [c.strength.value for c in check_loadings({"a": [0.9, 0.1], "b": [0.2, 0.55]},
        ...                                            ["F1", "F2"])]
        ['strong', 'acceptable']
    """
    names = list(factors)
    if not names:
        raise ValidationError.single("factors", names, "must name at least one factor")
    problems = []
    for item, row in loadings.items():
        if len(row) != len(names):
            problems.append(
                ValidationError.single(
                    f"loadings.{item}", list(row), f"must have {len(names)} loadings"
                )
            )
    if assignment is not None:
        for item, factor in assignment.items():
            if item not in loadings:
                problems.append(
                    ValidationError.single(f"assignment.{item}", item, "is not in loadings")
                )
            if factor not in names:
                problems.append(
                    ValidationError.single(f"assignment.{item}", factor, "is not a factor")
                )
    if problems:
        raise ValidationError.collect(problems)
    checks = []
    for item, row in loadings.items():
        values = [float(v) for v in row]
        best = max(range(len(values)), key=lambda j: abs(values[j]))
        if assignment is None:
            factor = names[best]
        elif item in assignment:
            factor = assignment[item]
        else:
            continue
        loading = values[names.index(factor)]
        checks.append(
            LoadingCheck(
                item=item,
                factor=factor,
                loading=loading,
                strength=classify_loading(loading, strong=strong, acceptable=acceptable),
                heywood=abs(loading) > 1,
                highest_factor=names[best],
                cross_loading=abs(values[best]) > abs(loading),
                negative=loading < 0,
            )
        )
    return checks


def variance_explained(loadings: Sequence[float]) -> float:
    """Share of the items' variance a factor explains: ``Σλ² / k`` over its k items.

    Examples:
        >>> from crmkit.survey import variance_explained
        >>> variance_explained([1.0, 0.0])
        0.5
    """
    values = [float(v) for v in loadings]
    if not values:
        raise ValidationError.single("loadings", [], "must hold at least one loading")
    return math.fsum(v * v for v in values) / len(values)


def check_variance_explained(
    loadings: Sequence[float], reported: float, *, tolerance: float = 0.01, subject: str = "factor"
) -> list[Finding]:
    """Check a reported share of variance explained (0–1) against ``Σλ²/k``.

    Examples:
        >>> from crmkit.survey import check_variance_explained
        >>> check_variance_explained([0.86004, 0.89174, 0.76965, 0.93325, 0.94445], 0.77)
        []
        >>> print(check_variance_explained([1.02985, 0.59374], 0.64, subject="F3")[0])
        F3: reported 64.0% variance explained but the loadings give 70.7%
    """
    computed = variance_explained(loadings)
    if abs(computed - reported) <= tolerance + 1e-12:
        return []
    return [
        Finding(
            "factor.variance_explained",
            subject,
            f"reported {100 * reported:.1f}% variance explained but the loadings give "
            f"{100 * computed:.1f}%",
            reported=reported,
            expected=computed,
        )
    ]


def check_factor_correlations(
    matrix: CorrelationMatrix | Mapping[str, Sequence[float]],
    *,
    threshold: float = 0.8,
    tolerance: float = 1e-9,
) -> list[Finding]:
    """Check a factor (or item) correlation matrix for divergent validity.

    Flags cells that differ from their mirror cell (asymmetry, beyond ``tolerance``), a
    diagonal that is not 1, values outside [−1, 1], and pairs with ``|r| ≥ threshold``
    (distinct factors that correlate that highly may measure the same thing).

    Args:
        matrix: a :class:`~crmkit.survey.CorrelationMatrix` or ``{label: row}``.

    Examples:
        >>> from crmkit.survey import check_factor_correlations
        >>> m = {"A": [1, 0.22, 0.30], "B": [0.21, 1, 0.5], "C": [0.29, 0.5, 1]}
        >>> [str(f) for f in check_factor_correlations(m, tolerance=0.005)]
        ['A–B: not symmetric: 0.22 above the diagonal, 0.21 below', 'A–C: not symmetric: 0.3 above the diagonal, 0.29 below']
    """
    if not isinstance(matrix, CorrelationMatrix):
        matrix = CorrelationMatrix.from_rows(list(matrix), list(matrix.values()))
    labels, values = matrix.labels, matrix.values
    findings: list[Finding] = []
    k = len(labels)
    for i in range(k):
        if abs(values[i][i] - 1) > tolerance:
            findings.append(
                Finding(
                    "correlation.diagonal",
                    labels[i],
                    f"diagonal is {values[i][i]:g}, not 1",
                    reported=values[i][i],
                    expected=1.0,
                )
            )
        for j in range(i + 1, k):
            upper, lower = values[i][j], values[j][i]
            subject = f"{labels[i]}–{labels[j]}"
            if abs(upper - lower) > tolerance:
                findings.append(
                    Finding(
                        "correlation.asymmetric",
                        subject,
                        f"not symmetric: {upper:g} above the diagonal, {lower:g} below",
                        reported=(upper, lower),
                    )
                )
            for v in {upper, lower}:
                if not -1 <= v <= 1:
                    findings.append(
                        Finding(
                            "correlation.range",
                            subject,
                            f"{v:g} is not a correlation (outside −1…1)",
                            reported=v,
                        )
                    )
            if max(abs(upper), abs(lower)) >= threshold:
                findings.append(
                    Finding(
                        "correlation.high",
                        subject,
                        f"|r| = {max(abs(upper), abs(lower)):g} reaches {threshold:g}: the "
                        "factors may not be distinct (divergent validity)",
                        reported=upper,
                    )
                )
    return findings
