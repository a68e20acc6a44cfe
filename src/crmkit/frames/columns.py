"""Checking that a frame has the columns an analytic reads.

Examples:
    >>> import polars as pl
    >>> from crmkit.frames import from_native, require_columns
    >>> require_columns(from_native(pl.DataFrame({"a": [1]})), ["a", "b"], what="orders")
    Traceback (most recent call last):
    ...
    crmkit.errors.ValidationError: orders.b: is missing; the frame has columns 'a'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from crmkit.errors import Problem, ValidationError

__all__ = ["column_names", "require_columns"]


def column_names(frame: Any) -> list[str]:
    """The column names of a narwhals frame (lazy frames are not collected).

    Examples:
        >>> import polars as pl
        >>> from crmkit.frames import column_names, from_native
        >>> column_names(from_native(pl.LazyFrame({"x": [1], "y": [2]})))
        ['x', 'y']
    """
    return list(frame.collect_schema().names())


def require_columns(
    frame: Any, columns: Iterable[str], *, what: str = "frame", schema: Any = None
) -> None:
    """Raise :class:`~crmkit.errors.ValidationError` naming every missing column.

    ``schema`` is the frame's ``collect_schema()`` when the caller already has it (on lazy
    SQL engines each schema look-up binds a query, so an analytic asks once).

    Examples:
        >>> import polars as pl
        >>> from crmkit.frames import from_native, require_columns
        >>> require_columns(from_native(pl.DataFrame({"a": [1]})), ["a"])  # no error
    """
    present = list(schema.names()) if schema is not None else column_names(frame)
    have = set(present)
    listed = ", ".join(repr(c) for c in present) or "none"
    problems = [
        Problem(f"{what}.{name}", message=f"is missing; the frame has columns {listed}")
        for name in columns
        if name not in have
    ]
    if problems:
        raise ValidationError(problems)
