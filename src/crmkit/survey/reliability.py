"""Internal consistency of a construct: Cronbach's alpha (raw and standardised) and alpha if
an item is deleted.

Rows with a missing answer are dropped (listwise deletion), as JMP does. A constant item
makes the standardised alpha undefined: it is NaN and a :class:`~crmkit.errors.CrmkitWarning`
says which item; the raw alpha is NaN (with a warning) only when the total score is constant.

Examples:
    >>> from crmkit.survey import cronbach_alpha
    >>> round(cronbach_alpha({"a": [1, 2, 3, 4], "b": [2, 2, 3, 5], "c": [1, 3, 3, 4]}), 4)
    0.9474
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import attrs

from crmkit.errors import CrmkitWarning, ValidationError
from crmkit.survey._number import is_whole
from crmkit.survey.item_table import ItemData, as_item_table

__all__ = [
    "Reliability",
    "alpha_from_mean_correlation",
    "cronbach_alpha",
    "mean_correlation_from_alpha",
    "reliability",
]


def _variance(values: Sequence[float]) -> float:
    n = len(values)
    mean = math.fsum(values) / n
    return math.fsum((v - mean) ** 2 for v in values) / (n - 1)


def _corr(x: Sequence[float], y: Sequence[float]) -> float:
    n = len(x)
    mx, my = math.fsum(x) / n, math.fsum(y) / n
    sxy = math.fsum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    sxx = math.fsum((a - mx) ** 2 for a in x)
    syy = math.fsum((b - my) ** 2 for b in y)
    if sxx == 0 or syy == 0:
        return math.nan
    return sxy / math.sqrt(sxx * syy)


def _raw_alpha(columns: list[list[float]]) -> float:
    k = len(columns)
    totals = [math.fsum(row) for row in zip(*columns, strict=True)]
    total_var = _variance(totals)
    if total_var == 0:
        return math.nan
    return k / (k - 1) * (1 - math.fsum(_variance(c) for c in columns) / total_var)


def _mean_r(columns: list[list[float]]) -> float:
    k = len(columns)
    rs = [_corr(columns[i], columns[j]) for i in range(k) for j in range(i + 1, k)]
    return math.fsum(rs) / len(rs)


@attrs.frozen
class Reliability:
    """Cronbach's alpha of a construct with the statistics behind it.

    Attributes:
        alpha: raw alpha from item and total-score variances.
        standardised_alpha: alpha from the mean inter-item correlation
            ``k·r̄ / (1 + (k−1)·r̄)``.
        mean_inter_item_r: r̄, the mean of the off-diagonal item correlations.
        k: number of items; n: respondents used (complete rows).
        alpha_if_deleted: raw alpha of the construct without each item (NaN when only one
            item would remain).
        item_total_r: corrected item-total correlation (item vs the sum of the other items).

    Examples:
        >>> from crmkit.survey import reliability
        >>> r = reliability({"a": [1, 2, 3, 4], "b": [2, 2, 3, 5], "c": [1, 3, 3, 4]})
        >>> r.k, r.n, round(r.standardised_alpha, 4)
        (3, 4, 0.9493)
        >>> {k: round(v, 3) for k, v in r.alpha_if_deleted.items()}
        {'a': 0.853, 'b': 0.96, 'c': 0.952}
    """

    alpha: float
    standardised_alpha: float
    mean_inter_item_r: float
    k: int
    n: int
    alpha_if_deleted: dict[str, float]
    item_total_r: dict[str, float]

    def meets(self, threshold: float = 0.7) -> bool:
        """Whether alpha reaches ``threshold`` (0.7 is the usual rule; seed 003 keeps a
        construct at 0.53 "with caution").

        Examples:
            >>> from crmkit.survey import reliability
            >>> reliability({"a": [1, 2, 3], "b": [1, 2, 4]}).meets()
            True
        """
        return not math.isnan(self.alpha) and self.alpha >= threshold


def reliability(data: ItemData, items: Sequence[str] | None = None) -> Reliability:
    """Cronbach's alpha (raw and standardised), alpha if item deleted and item-total
    correlations for the items of one construct.

    Args:
        data: an :class:`~crmkit.survey.ItemTable`, a mapping ``{item: answers}``, a
            dataframe, or respondent records (then ``items`` is required).
        items: the construct's items (default: every column).

    Raises:
        ValidationError: fewer than two items (an empty or one-item construct), or fewer than
            two complete rows.

    Examples:
        >>> from crmkit.survey import reliability
        >>> reliability({"only": [1, 2, 3]})
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: items: ['only'] a construct needs at least two items for alpha
    """
    table = as_item_table(data, items)
    names = table.items
    if len(names) < 2:
        raise ValidationError.single(
            "items", names, "a construct needs at least two items for alpha"
        )
    cols_map = table.listwise()
    columns = [cols_map[name] for name in names]
    n = len(columns[0])
    if n < 2:
        raise ValidationError.single(
            "data", n, "complete rows are too few; alpha needs at least two respondents"
        )
    k = len(names)
    constant = [name for name, col in zip(names, columns, strict=True) if _variance(col) == 0]
    alpha = _raw_alpha(columns)
    if math.isnan(alpha):
        warnings.warn(
            "the total score is constant, so Cronbach's alpha is undefined (NaN)",
            CrmkitWarning,
            stacklevel=2,
        )
    if constant:
        warnings.warn(
            f"item {constant[0]!r} has the same answer from every respondent; its correlations "
            "and the standardised alpha are undefined (NaN)",
            CrmkitWarning,
            stacklevel=2,
        )
        mean_r = math.nan
        std_alpha = math.nan
    else:
        mean_r = _mean_r(columns)
        std_alpha = alpha_from_mean_correlation(mean_r, k)
        if math.isnan(std_alpha):
            warnings.warn(
                "the mean inter-item correlation is -1/(k-1), so the standardised alpha is "
                "undefined (NaN)",
                CrmkitWarning,
                stacklevel=2,
            )
    if_deleted: dict[str, float] = {}
    item_total: dict[str, float] = {}
    for i, name in enumerate(names):
        rest = columns[:i] + columns[i + 1 :]
        if_deleted[name] = _raw_alpha(rest) if len(rest) >= 2 else math.nan
        rest_total = [math.fsum(row) for row in zip(*rest, strict=True)]
        item_total[name] = _corr(columns[i], rest_total)
    return Reliability(
        alpha=alpha,
        standardised_alpha=std_alpha,
        mean_inter_item_r=mean_r,
        k=k,
        n=n,
        alpha_if_deleted=if_deleted,
        item_total_r=item_total,
    )


def cronbach_alpha(
    data: ItemData, items: Sequence[str] | None = None, *, standardised: bool = False
) -> float:
    """Cronbach's alpha of the items (raw by default); see :func:`reliability`.

    Examples:
        >>> from crmkit.survey import cronbach_alpha
        >>> cols = {"a": [1, 2, 3, 4], "b": [2, 2, 3, 5], "c": [1, 3, 3, 4]}
        >>> round(cronbach_alpha(cols, standardised=True), 4)
        0.9493
    """
    result = reliability(data, items)
    return result.standardised_alpha if standardised else result.alpha


def _item_count(k: float) -> int:
    """``k`` as a number of items: a whole number of at least 2."""
    if not is_whole(k) or k < 2:
        raise ValidationError.single("k", k, "must be a whole number of at least 2")
    return int(k)


def alpha_from_mean_correlation(mean_r: float, k: int) -> float:
    """Standardised alpha ``k·r̄ / (1 + (k−1)·r̄)`` of ``k`` items with mean correlation r̄
    (NaN when r̄ = −1/(k−1), where the formula is undefined).

    Examples:
        >>> from crmkit.survey import alpha_from_mean_correlation
        >>> round(alpha_from_mean_correlation(0.745, 5), 4)
        0.9359
    """
    k = _item_count(k)
    denominator = 1 + (k - 1) * mean_r
    if denominator == 0:
        return math.nan
    return k * mean_r / denominator


def mean_correlation_from_alpha(alpha: float, k: int) -> float:
    """The mean inter-item correlation r̄ = α / (k − (k−1)·α) that a standardised alpha
    implies (seed 003, TV-9).

    Examples:
        >>> from crmkit.survey import mean_correlation_from_alpha
        >>> round(mean_correlation_from_alpha(0.9358, 5), 3)
        0.745
    """
    k = _item_count(k)
    return alpha / (k - (k - 1) * alpha)
