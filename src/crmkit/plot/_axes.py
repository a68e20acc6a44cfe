"""What every plot shares: matplotlib loaded lazily, the Axes to draw on, reading input rows.

Plots never touch matplotlib's global state: without ``ax=`` they draw on a new
:class:`matplotlib.figure.Figure` created directly (no pyplot, no backend switch), so they run
in scripts, servers and notebooks alike and the caller decides where the figure goes
(``ax.figure.savefig("plot.png")``).

Examples:
    >>> from crmkit.plot._axes import new_axes
    >>> ax = new_axes(None)
    >>> type(ax.figure).__name__
    'Figure'
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from crmkit.errors import Problem, ValidationError
from crmkit.extras import require
from crmkit.frames import collect, from_native, is_frame, read_field

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "annotate_cells",
    "check_count",
    "new_axes",
    "numbers",
    "read_rows",
    "texts",
    "whole_numbers",
]

#: Figure size (inches) of a plot drawn without ``ax=``.
FIGSIZE = (7.0, 4.5)


def new_axes(ax: Axes | None, *, figsize: tuple[float, float] = FIGSIZE) -> Axes:
    """``ax`` itself, or the Axes of a new Figure (made without pyplot) when ``ax`` is None.

    Raises :class:`~crmkit.errors.ValidationError` when ``ax`` is not a matplotlib Axes, and
    :class:`~crmkit.errors.MissingDependencyError` without the ``plot`` extra.

    Examples:
        >>> from crmkit.plot._axes import new_axes
        >>> ax = new_axes(None)
        >>> new_axes(ax) is ax
        True
        >>> new_axes("left")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: ax: 'left' must be a matplotlib Axes or None
    """
    figure_module = require("matplotlib.figure", "plot")
    axes_module = require("matplotlib.axes", "plot")
    if ax is not None:
        if not isinstance(ax, axes_module.Axes):
            raise ValidationError.single("ax", ax, "must be a matplotlib Axes or None")
        return cast("Axes", ax)
    figure = figure_module.Figure(figsize=figsize, layout="constrained")
    created: Axes = figure.add_subplot()
    return created


def read_rows(data: Any, what: str) -> list[Any]:
    """The rows of ``data``: records as a list, a dataframe (eager or lazy) as dicts.

    Empty input raises :class:`~crmkit.errors.ValidationError` (there is nothing to plot).

    Examples:
        >>> from crmkit.plot._axes import read_rows
        >>> read_rows(({"a": 1},), "rows")
        [{'a': 1}]
        >>> read_rows([], "rows")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: rows: [] must not be empty: there is nothing to plot
    """
    if is_frame(data):
        rows: list[Any] = list(collect(from_native(data)).iter_rows(named=True))
    elif isinstance(data, str | bytes) or not isinstance(data, Iterable):
        raise ValidationError.single(what, data, "must be a list of rows or a dataframe")
    else:
        rows = list(data)
    if not rows:
        raise ValidationError.single(what, [], "must not be empty: there is nothing to plot")
    return rows


def numbers(rows: list[Any], field: str, what: str) -> list[float]:
    """Field ``field`` of every row as a finite float; bad values name their row.

    Examples:
        >>> from crmkit.plot._axes import numbers
        >>> numbers([{"v": 1}, {"v": 2.5}], "v", "rows")
        [1.0, 2.5]
        >>> numbers([{"v": 1}, {"v": None}, {"v": "x"}], "v", "rows")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: rows[1].v: None must be a finite number
        rows[2].v: 'x' must be a finite number
    """
    out: list[float] = []
    problems: list[Problem] = []
    for i, row in enumerate(rows):
        value = read_field(row, field, floats=True, what=f"{what}[{i}]")
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float | Decimal)
            or not math.isfinite(value)
        ):
            problems.append(Problem(f"{what}[{i}].{field}", value, "must be a finite number"))
            continue
        out.append(float(value))
    if problems:
        raise ValidationError(problems[:10])
    return out


def texts(rows: list[Any], field: str, what: str, *, missing: str | None = None) -> list[str]:
    """Field ``field`` of every row as a label; ``None`` becomes ``missing`` when given.

    Examples:
        >>> from crmkit.plot._axes import texts
        >>> texts([{"s": "a"}, {"s": None}], "s", "rows", missing="(none)")
        ['a', '(none)']
        >>> texts([{"s": None}], "s", "rows")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: rows[0].s: None must be set
    """
    out: list[str] = []
    for i, row in enumerate(rows):
        value = read_field(row, field, what=f"{what}[{i}]")
        if value is None:
            if missing is None:
                raise ValidationError.single(f"{what}[{i}].{field}", None, "must be set")
            value = missing
        out.append(str(getattr(value, "value", value)))
    return out


def check_count(name: str, value: Any, minimum: int, maximum: int | None = None) -> int:
    """``value`` if it is a whole number of at least ``minimum`` (and at most ``maximum``).

    The upper bounds keep a plot's work and memory proportionate to what can be seen.

    Examples:
        >>> from crmkit.plot._axes import check_count
        >>> check_count("bins", 10, 1)
        10
        >>> check_count("bins", 0, 1)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: bins: 0 must be a whole number of at least 1
        >>> check_count("bins", 10**9, 1, 10_000)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: bins: 1000000000 must be a whole number between 1 and 10000
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < minimum
        or (maximum is not None and value > maximum)
    ):
        wanted = f"of at least {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        raise ValidationError.single(name, value, f"must be a whole number {wanted}")
    return value


def whole_numbers(rows: list[Any], field: str, what: str, minimum: int, maximum: int) -> list[int]:
    """Field ``field`` of every row as a whole number in ``[minimum, maximum]``.

    Examples:
        >>> from crmkit.plot._axes import whole_numbers
        >>> whole_numbers([{"s": 1}, {"s": 2.0}], "s", "rows", 1, 5)
        [1, 2]
        >>> whole_numbers([{"s": 2.5}, {"s": 9}], "s", "rows", 1, 5)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: rows[0].s: 2.5 must be a whole number between 1 and 5
        rows[1].s: 9 must be a whole number between 1 and 5
    """
    out: list[int] = []
    problems: list[Problem] = []
    for i, value in enumerate(numbers(rows, field, what)):
        if not (value.is_integer() and minimum <= value <= maximum):
            shown = int(value) if value.is_integer() else value
            problems.append(
                Problem(
                    f"{what}[{i}].{field}",
                    shown,
                    f"must be a whole number between {minimum} and {maximum}",
                )
            )
            continue
        out.append(int(value))
    if problems:
        raise ValidationError(problems[:10])
    return out


def annotate_cells(ax: Axes, grid: Any, fmt: str) -> None:
    """Write each finite cell of a heat map ``grid`` into it with format ``fmt``.

    Only grids of at most 20 × 20 cells are written (more would not be legible).

    Examples:
        >>> import numpy as np
        >>> from crmkit.plot._axes import new_axes
        >>> from crmkit.plot._axes import annotate_cells
        >>> ax = new_axes(None)
        >>> annotate_cells(ax, np.array([[1.0, np.nan]]), "{:.0f}")
        >>> [t.get_text() for t in ax.texts]
        ['1']
    """
    np = require("numpy", "stats")
    rows, cols = grid.shape
    if rows > 20 or cols > 20:
        return
    top = np.nanmax(grid) if np.isfinite(grid).any() else 0.0
    for i in range(rows):
        for j in range(cols):
            value = grid[i, j]
            if np.isfinite(value):
                colour = "black" if value > 0.6 * top else "white"
                ax.text(j, i, fmt.format(value), ha="center", va="center", color=colour)
