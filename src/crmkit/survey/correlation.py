"""Pearson correlation with its two-sided p-value, Fisher-z confidence interval and
covariance, and correlation matrices.

r, the covariance and the Fisher-z interval are pure Python; the p-value uses the t
distribution from SciPy (extra ``stats``), imported when asked for.

Examples:
    >>> from crmkit.survey import correlation_from_summary
    >>> c = correlation_from_summary(0.345141, 64, sd_x=1.446122, sd_y=0.652609)
    >>> [round(v, 6) for v in c.confidence_interval()]      # Vedlegg 6, seed 003
    [0.10854, 0.544736]
    >>> round(c.covariance, 6)
    0.325728
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from statistics import NormalDist

import attrs

from crmkit.display import ResultRow
from crmkit.errors import ValidationError
from crmkit.survey._number import finite_number, is_missing, is_whole
from crmkit.survey.item_table import ItemData, as_item_table

__all__ = [
    "Correlation",
    "CorrelationMatrix",
    "correlation_from_summary",
    "correlation_matrix",
    "pearson",
]


@attrs.frozen
class Correlation(ResultRow):
    """A Pearson correlation of ``n`` pairs, with the SDs (``ddof=1``) when known.

    Examples:
        >>> from crmkit.survey import pearson
        >>> c = pearson([1, 2, 3, 4], [1, 3, 2, 4])
        >>> c.r, c.n, round(c.covariance, 4)
        (0.8, 4, 1.3333)
    """

    r: float
    n: int
    sd_x: float | None = None
    sd_y: float | None = None

    @property
    def covariance(self) -> float:
        """Sample covariance ``r · sd_x · sd_y`` (NaN when the SDs are unknown)."""
        if self.sd_x is None or self.sd_y is None:
            return math.nan
        return self.r * self.sd_x * self.sd_y

    @property
    def df(self) -> int:
        """Degrees of freedom of the t test, ``n − 2``."""
        return self.n - 2

    @property
    def t(self) -> float:
        """t statistic ``r · √((n−2)/(1−r²))`` (±inf when |r| = 1).

        Examples:
            >>> from crmkit.survey import correlation_from_summary
            >>> round(correlation_from_summary(0.5, 27).t, 4)
            2.8868
        """
        if abs(self.r) >= 1:
            return math.copysign(math.inf, self.r)
        return self.r * math.sqrt(self.df / (1 - self.r**2))

    def p_value(self) -> float:
        """Two-sided p-value of H0: ρ = 0 from the t distribution with n − 2 df
        (extra ``stats``).

        Examples:
            >>> from crmkit.survey import correlation_from_summary
            >>> round(correlation_from_summary(0.305211, 64).p_value(), 4)
            0.0142
        """
        if math.isnan(self.r) or self.n < 3:
            return math.nan
        from crmkit.extras import require

        stats = require("scipy.stats", "stats")
        return float(2 * stats.t.sf(abs(self.t), self.df))

    def confidence_interval(self, level: float = 0.95) -> tuple[float, float]:
        """Fisher-z interval ``tanh(atanh(r) ± z/√(n−3))``.

        With ``n = 3`` the standard error of ``atanh(r)`` is infinite, so the interval is
        the whole range ``(−1, 1)`` (as SciPy's ``pearsonr(...).confidence_interval()``);
        it is NaN when r is undefined or ``n < 3``.

        Examples:
            >>> from crmkit.survey import correlation_from_summary
            >>> [round(v, 6) for v in correlation_from_summary(0.473827, 64).confidence_interval()]
            [0.258076, 0.644563]
            >>> correlation_from_summary(0.5, 3).confidence_interval()
            (-1.0, 1.0)
        """
        if not 0 < level < 1:
            raise ValidationError.single("level", level, "must be between 0 and 1")
        if math.isnan(self.r) or self.n < 3:
            return (math.nan, math.nan)
        if self.n == 3:
            return (-1.0, 1.0)
        if abs(self.r) >= 1:
            return (self.r, self.r)
        z = NormalDist().inv_cdf(0.5 + level / 2)
        centre = math.atanh(self.r)
        half = z / math.sqrt(self.n - 3)
        return (math.tanh(centre - half), math.tanh(centre + half))


def _check_n(n: int) -> None:
    if not is_whole(n) or n < 3:
        raise ValidationError.single("n", n, "must be a whole number of at least 3")


def correlation_from_summary(
    r: float, n: int, *, sd_x: float | None = None, sd_y: float | None = None
) -> Correlation:
    """A :class:`Correlation` from a published r and n (and SDs, for the covariance).

    Raises:
        ValidationError: r outside [−1, 1], n < 3, or a negative SD.

    Examples:
        >>> from crmkit.survey import correlation_from_summary
        >>> correlation_from_summary(1.2, 10)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: r: 1.2 must be between -1 and 1
    """
    if not -1 <= r <= 1:
        raise ValidationError.single("r", r, "must be between -1 and 1")
    _check_n(n)
    for name, sd in (("sd_x", sd_x), ("sd_y", sd_y)):
        if sd is not None and not sd >= 0:
            raise ValidationError.single(name, sd, "must be zero or more")
    return Correlation(r=float(r), n=int(n), sd_x=sd_x, sd_y=sd_y)


def _pairs(
    x: Iterable[float | int | None], y: Iterable[float | int | None]
) -> tuple[list[float], list[float]]:
    xs, ys = list(x), list(y)
    if len(xs) != len(ys):
        raise ValidationError.single("y", len(ys), f"values given but x has {len(xs)}")
    px: list[float] = []
    py: list[float] = []
    for i, (a, b) in enumerate(zip(xs, ys, strict=True)):
        if is_missing(a) or is_missing(b):
            continue
        px.append(finite_number(a, f"x[{i}]", "is not a finite number"))
        py.append(finite_number(b, f"y[{i}]", "is not a finite number"))
    return px, py


def pearson(x: Iterable[float | int | None], y: Iterable[float | int | None]) -> Correlation:
    """Pearson correlation of the pairs where both answers are present.

    A constant variable gives ``r = NaN`` (the correlation is undefined) rather than an
    error, so a correlation matrix can still be filled.

    Raises:
        ValidationError: different lengths, a non-number, or fewer than 3 complete pairs.

    Examples:
        >>> from crmkit.survey import pearson
        >>> c = pearson([1, 2, 3, None, 5], [2, 4, 5, 1, 9])
        >>> c.n, round(c.r, 4)
        (4, 0.9945)
    """
    px, py = _pairs(x, y)
    _check_n(len(px))
    n = len(px)
    mx, my = math.fsum(px) / n, math.fsum(py) / n
    sxx = math.fsum((a - mx) ** 2 for a in px)
    syy = math.fsum((b - my) ** 2 for b in py)
    sxy = math.fsum((a - mx) * (b - my) for a, b in zip(px, py, strict=True))
    sd_x, sd_y = math.sqrt(sxx / (n - 1)), math.sqrt(syy / (n - 1))
    r = sxy / math.sqrt(sxx * syy) if sxx > 0 and syy > 0 else math.nan
    if not math.isnan(r):
        r = max(-1.0, min(1.0, r))
    return Correlation(r=r, n=n, sd_x=sd_x, sd_y=sd_y)


@attrs.frozen
class CorrelationMatrix:
    """A labelled square matrix of correlations (``values[i][j]`` is row i, column j).

    Examples:
        >>> from crmkit.survey import CorrelationMatrix
        >>> m = CorrelationMatrix(("a", "b"), ((1.0, 0.5), (0.5, 1.0)))
        >>> m["a", "b"]
        0.5
    """

    labels: tuple[str, ...]
    values: tuple[tuple[float, ...], ...]

    def __attrs_post_init__(self) -> None:
        k = len(self.labels)
        if len(self.values) != k or any(len(row) != k for row in self.values):
            raise ValidationError.single(
                "values", [len(r) for r in self.values], f"must be a {k}×{k} matrix"
            )

    def __getitem__(self, key: tuple[str, str]) -> float:
        row, col = key
        try:
            return self.values[self.labels.index(row)][self.labels.index(col)]
        except ValueError:
            raise ValidationError.single("label", key, "is not a label of the matrix") from None

    @classmethod
    def from_rows(cls, labels: Sequence[str], rows: Sequence[Sequence[float]]) -> CorrelationMatrix:
        """Build from labels and nested rows.

        Examples:
            >>> from crmkit.survey import CorrelationMatrix
            >>> CorrelationMatrix.from_rows(["x", "y"], [[1, 0.2], [0.2, 1]]).labels
            ('x', 'y')
        """
        return cls(tuple(labels), tuple(tuple(float(v) for v in row) for row in rows))


def correlation_matrix(data: ItemData, items: Sequence[str] | None = None) -> CorrelationMatrix:
    """Pearson correlations between items, each pair on its complete answers (pairwise).

    Examples:
        >>> from crmkit.survey import correlation_matrix
        >>> m = correlation_matrix({"a": [1, 2, 3], "b": [1, 2, 4], "c": [3, 2, 1]})
        >>> round(m["a", "b"], 4), m["a", "c"]
        (0.982, -1.0)
    """
    table = as_item_table(data, items)
    names = table.items
    k = len(names)
    grid = [[1.0] * k for _ in range(k)]
    for i in range(k):
        for j in range(i + 1, k):
            r = pearson(table.columns[names[i]], table.columns[names[j]]).r
            grid[i][j] = grid[j][i] = r
    return CorrelationMatrix.from_rows(names, grid)
