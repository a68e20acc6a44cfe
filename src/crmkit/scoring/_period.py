"""Calendar periods of the pipeline and retention analytics: a period's number and label.

One definition for both engines. :func:`period_index` and :func:`period_of_index` are plain
arithmetic, so they take Python integers (records) and narwhals expressions (frames) alike;
:func:`period_label` (records) and :func:`period_label_expr` (frames) write the same label —
``"2025-03"``, ``"2025-Q1"`` or ``"2025"`` — from a year and a month.

Examples:
    >>> from crmkit.scoring._period import period_index, period_label, period_of_index
    >>> index = period_index(2025, 3, "month")
    >>> period_of_index(index, "month"), period_label(2025, 3, "quarter")
    ((2025, 3), '2025-Q1')
"""

from __future__ import annotations

from typing import Any

from crmkit.frames import narwhals

__all__ = ["period_index", "period_label", "period_label_expr", "period_of_index"]


def period_index(year: Any, month: Any, period: str) -> Any:
    """The period's number — months since year 0 for ``"month"``, else the year.

    Examples:
        >>> from crmkit.scoring._period import period_index
        >>> period_index(2025, 1, "month") - period_index(2024, 12, "month")
        1
    """
    return year * 12 + month - 1 if period == "month" else year


def period_of_index(index: Any, period: str) -> tuple[Any, Any]:
    """The year and month (1 for ``"year"``) of a :func:`period_index`.

    Examples:
        >>> from crmkit.scoring._period import period_of_index
        >>> period_of_index(24299, "month"), period_of_index(2025, "year")
        ((2024, 12), (2025, 1))
    """
    if period != "month":
        return index, 1
    year = index // 12
    return year, index - year * 12 + 1


def period_label(year: int, month: int, period: str) -> str:
    """The label of the ``period`` (month, quarter or year) holding ``year``-``month``.

    Examples:
        >>> from crmkit.scoring._period import period_label
        >>> [period_label(2025, 11, p) for p in ("month", "quarter", "year")]
        ['2025-11', '2025-Q4', '2025']
    """
    if period == "month":
        return f"{year:04d}-{month:02d}"
    if period == "quarter":
        return f"{year:04d}-Q{(month - 1) // 3 + 1}"
    return f"{year:04d}"


def period_label_expr(year: Any, month: Any, period: str) -> Any:
    """:func:`period_label` as a narwhals expression of integer ``year`` and ``month``
    expressions.

    Examples:
        >>> import polars as pl
        >>> from crmkit.frames import from_native, narwhals
        >>> from crmkit.scoring._period import period_label_expr
        >>> nw = narwhals()
        >>> frame = from_native(pl.DataFrame({"y": [2025], "m": [3]}))
        >>> frame.select(period_label_expr(nw.col("y"), nw.col("m"), "month"))["y"].to_list()
        ['2025-03']
    """
    nw = narwhals()
    text = year.cast(nw.String())
    if period == "year":
        return text
    if period == "quarter":
        quarter = ((month - 1) // 3 + 1).cast(nw.Int64()).cast(nw.String())
        return nw.concat_str([text, nw.lit("-Q"), quarter])
    padded = nw.when(month < 10).then(nw.lit("0")).otherwise(nw.lit(""))
    return nw.concat_str([text, nw.lit("-"), padded, month.cast(nw.Int64()).cast(nw.String())])
