"""Expressions lowered to NumPy on the columns of a pandas frame (the fast pandas path).

:meth:`~crmkit.frames.Expr.compile` turns an expression into narwhals, which runs every step
on pandas as a Series operation (index alignment, a new Series, null checks). On a pandas
``DataFrame`` the same tree can instead be evaluated on the columns' NumPy arrays: each column
is read once (``to_numpy``), tests are boolean masks, missing values are masks beside the
values, and only the leaves NumPy cannot hold exactly as pandas does (text, nullable and
Arrow-backed columns) are pandas operations on the column, the very ones narwhals runs.

The values are those of the narwhals path, with the same missing-value rules
(:mod:`crmkit.frames.semantics`): a comparison, membership or range test on a missing value
is false, ``~`` negates that, arithmetic with a missing value is missing and so is a division
by zero, ``fill_null`` and ``when`` as in :mod:`crmkit.frames.expression`, and calendar days
are the UTC day numbers of :mod:`crmkit.frames.day_number`. Whatever this module does not
cover (a column kind, a literal, an expression shape) makes :func:`lower_tests` /
:func:`lower_numbers` give ``None``; the caller then runs the narwhals path, which also gives
that path's own errors for values it rejects.

Examples:
    >>> import datetime as dt
    >>> import pandas as pd
    >>> from crmkit.frames import Context, as_of, col
    >>> from crmkit.frames.numpy_lowering import lower_tests
    >>> frame = pd.DataFrame({"n": [1.0, None, 9.0], "tier": ["A", "B", None],
    ...                       "at": pd.to_datetime(["2024-12-30", "2024-01-01", None])})
    >>> ctx = Context(as_of=dt.date(2024, 12, 31))
    >>> [t.tolist() for t in lower_tests(frame, [
    ...     col("n") > 5, ~(col("n") > 5), col("tier") != "A",
    ...     col("at") >= as_of(days=-7)], ctx)]
    [[False, False, True], [True, True, False], [False, True, False], [True, False, False]]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from crmkit.frames import expression as ex
from crmkit.frames import semantics as sem

__all__ = ["lower_numbers", "lower_tests"]

#: ``b <op'> a`` for ``a <op> b`` (a literal on the left of a column).
_MIRRORED = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
#: NumPy dtype kinds read as numbers (bool only where NumPy and pandas agree on it).
_NUMBERS = "iuf"


class _UnsupportedError(Exception):
    """The lowering does not cover this expression or column; use the narwhals path."""


class _Array:
    """Values in a NumPy array, with a mask of missing ones (``None``: none are missing)."""

    __slots__ = ("missing", "series", "values")

    def __init__(self, values: Any, missing: Any, series: Any = None) -> None:
        self.values = values
        self.missing = missing
        self.series = series  # the pandas column these values were read from, if any


class _Scalar:
    """A literal (after :func:`crmkit.frames.semantics.frame_literal`)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class _Series:
    """A column NumPy does not hold as pandas does (text, nullable, Arrow-backed …)."""

    __slots__ = ("series",)

    def __init__(self, series: Any) -> None:
        self.series = series


_Value = _Array | _Scalar | _Series


def _is_number(value: _Value, *, bool_ok: bool = True) -> bool:
    if isinstance(value, _Array):
        kinds = _NUMBERS + ("b" if bool_ok else "")
        return bool(value.values.dtype.kind in kinds)
    if isinstance(value, _Scalar):
        if isinstance(value.value, bool):
            return bool_ok
        return isinstance(value.value, int | float)
    return False


def _raw(value: _Value) -> Any:
    """The array or literal of a number (:func:`_is_number` said it is one)."""
    if isinstance(value, _Array):
        return value.values
    if isinstance(value, _Scalar):
        return value.value
    raise _UnsupportedError("not a number")


def _either(a: Any, b: Any) -> Any:
    """The union of two missing masks (``None`` = none missing)."""
    if a is None:
        return b
    if b is None:
        return a
    return a | b


def _series_test(result: Any) -> Any:
    """A pandas boolean result as a NumPy mask, a missing result false (``fill_null(False)``)."""
    if isinstance(result.dtype, np.dtype) and result.dtype.kind == "b":
        return result.to_numpy()
    return result.to_numpy(dtype=bool, na_value=False)


class _Lowering:
    """Evaluates expression trees on one pandas frame; every column is read once."""

    def __init__(self, frame: Any, ctx: sem.Context) -> None:
        columns = frame.columns
        if not columns.is_unique or not all(isinstance(c, str) for c in columns):
            raise _UnsupportedError("column names")
        self.frame = frame
        self.ctx = ctx
        self.rows = len(frame)
        self.read: dict[str, _Value] = {}
        self.days: dict[str, _Array] = {}

    # -- leaves ---------------------------------------------------------------------------
    def column(self, name: str) -> _Value:
        known = self.read.get(name)
        if known is not None:
            return known
        series = self.frame[name]
        dtype = series.dtype
        value: _Value
        if isinstance(dtype, np.dtype) and dtype.kind in _NUMBERS + "b":
            values = series.to_numpy()
            value = _Array(values, np.isnan(values) if dtype.kind == "f" else None, series)
        else:
            value = _Series(series)
        self.read[name] = value
        return value

    def day(self, expr: ex.CalendarDay) -> _Array:
        """The UTC day numbers of a datetime column (pandas' ``datetime64``, naive or zoned)."""
        operand = expr.operand
        if not isinstance(operand, ex.Column):
            raise _UnsupportedError("day of a computed value")
        known = self.days.get(operand.name)
        if known is not None:
            return known
        series = self.frame[operand.name]
        dtype = series.dtype
        if isinstance(dtype, pd.DatetimeTZDtype):
            instants = series.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()
        elif isinstance(dtype, np.dtype) and dtype.kind == "M":
            instants = series.to_numpy()
        else:
            raise _UnsupportedError("day of a column that is not datetime64")
        # a cast to days floors the instant (also before 1970), as the narwhals path does
        numbers = instants.astype("datetime64[D]").view("int64")
        missing = np.isnat(instants)
        lowered = _Array(numbers, missing if missing.any() else None)
        self.days[operand.name] = lowered
        return lowered

    # -- values ---------------------------------------------------------------------------
    def value(self, expr: ex.Expr) -> _Value:
        if isinstance(expr, ex.Column):
            return self.column(expr.name)
        if isinstance(expr, ex.Constant):
            literal = sem.frame_literal(expr.value)
            if isinstance(literal, float) and literal != literal:
                raise _UnsupportedError("NaN literal")
            if not isinstance(literal, bool | int | float | str):
                raise _UnsupportedError("literal")
            return _Scalar(literal)
        if isinstance(expr, ex.DayLiteral):
            return _Scalar(expr.number)
        if isinstance(expr, ex.AsOfDay):
            return _Scalar(expr.resolve(self.ctx))
        if isinstance(expr, ex.CalendarDay):
            return self.day(expr)
        if isinstance(expr, ex.Arithmetic):
            return self.arithmetic(expr)
        if isinstance(expr, ex.FillNull):
            return self.fill_null(expr)
        if isinstance(expr, ex.Conditional):
            return self.conditional(expr)
        if expr.is_test:
            return _Array(self.test(expr), None)
        raise _UnsupportedError(type(expr).__name__)

    def numbers(self, expr: ex.Expr) -> _Array:
        """``expr`` as an array of numbers (a literal broadcast to every row)."""
        value = self.value(expr)
        if not _is_number(value, bool_ok=False):
            raise _UnsupportedError("not a number")
        if isinstance(value, _Scalar):
            return _Array(np.full(self.rows, value.value), None)
        assert isinstance(value, _Array)
        return value

    def arithmetic(self, expr: ex.Arithmetic) -> _Array:
        left, right = self.value(expr.left), self.value(expr.right)
        if not (_is_number(left, bool_ok=False) and _is_number(right, bool_ok=False)):
            raise _UnsupportedError("arithmetic on values that are not numbers")
        if isinstance(left, _Scalar) and isinstance(right, _Scalar):  # broadcast, as narwhals
            left = _Array(np.full(self.rows, left.value), None)
        a, b = _raw(left), _raw(right)
        missing = _either(
            left.missing if isinstance(left, _Array) else None,
            right.missing if isinstance(right, _Array) else None,
        )
        with np.errstate(all="ignore"):
            values = sem.OPERATORS[expr.op](a, b)
            if expr.op == "/":  # division by zero is missing
                zero = np.asarray(b == 0)
                if zero.ndim == 0:
                    zero = np.full(self.rows, bool(zero))
                missing = _either(missing, zero)
        if np.ndim(values) == 0:
            values = np.full(self.rows, values)
        if values.dtype.kind == "f":  # a float result's NaN (inf - inf, 0 * inf …) is missing
            missing = _either(missing, np.isnan(values))
        return _Array(values, missing)

    def fill_null(self, expr: ex.FillNull) -> _Array:
        operand = self.numbers(expr.operand)
        if operand.missing is None or not operand.missing.any():
            return operand
        fill = self.value(expr.value)
        if not _is_number(fill, bool_ok=False):
            raise _UnsupportedError("fill_null with a value that is not a number")
        if isinstance(fill, _Scalar):
            return _Array(np.where(operand.missing, fill.value, operand.values), None)
        assert isinstance(fill, _Array)
        values = np.where(operand.missing, fill.values, operand.values)
        return _Array(values, None if fill.missing is None else operand.missing & fill.missing)

    def conditional(self, expr: ex.Conditional) -> _Array:
        if expr.default is None:
            values: Any = np.full(self.rows, np.nan)
            missing: Any = np.ones(self.rows, dtype=bool)
        else:
            default = self.numbers(expr.default)
            values, missing = default.values, default.missing
            if missing is None:
                missing = np.zeros(self.rows, dtype=bool)
        for test, branch in reversed(expr.branches):  # the first branch that holds wins
            fired = self.test(test)
            lowered = self.numbers(branch)
            values = np.where(fired, lowered.values, values)
            branch_missing = lowered.missing if lowered.missing is not None else False
            missing = np.where(fired, branch_missing, missing)
        return _Array(values, missing)

    # -- tests ----------------------------------------------------------------------------
    def test(self, expr: ex.Expr) -> Any:
        """``expr`` as a boolean mask that is never missing (a missing value is false)."""
        if isinstance(expr, ex.Compare):
            return self.compare(expr)
        if isinstance(expr, ex.IsIn):
            return self.is_in(expr)
        if isinstance(expr, ex.IsNull):
            return self.is_null(expr)
        if isinstance(expr, ex._Junction):
            left, right = self.test(expr.left), self.test(expr.right)
            return left & right if expr.every else left | right
        if isinstance(expr, ex.Not):
            return ~self.test(expr.operand)
        if expr.is_test:
            raise _UnsupportedError(type(expr).__name__)
        value = self.value(expr)  # a value used as a test: only a column of booleans
        if isinstance(value, _Array) and value.values.dtype.kind == "b":
            return value.values.copy()  # (never the frame's own array)
        if isinstance(value, _Series) and pd.api.types.is_bool_dtype(value.series.dtype):
            return _series_test(value.series)
        raise _UnsupportedError("a value that is not a test used as one")

    def compare(self, expr: ex.Compare) -> Any:
        left, right = self.value(expr.left), self.value(expr.right)
        op = expr.op
        if isinstance(left, _Scalar) and not isinstance(right, _Scalar):
            left, right, op = right, left, _MIRRORED[op]
        if isinstance(left, _Scalar):
            raise _UnsupportedError("a comparison of two literals")
        if isinstance(left, _Array) and _is_number(right):
            a, b = left.values, _raw(right)
            with np.errstate(all="ignore"):
                out = np.asarray(sem.COMPARISONS[op](a, b))
            if out.dtype.kind != "b" or out.shape != (self.rows,):
                raise _UnsupportedError("comparison result")
            missing = _either(left.missing, right.missing if isinstance(right, _Array) else None)
            return out & ~missing if missing is not None else out
        series = left.series if isinstance(left, _Array | _Series) else None
        if series is None or not isinstance(right, _Scalar):
            raise _UnsupportedError("comparison of these values")
        try:  # the pandas operation narwhals runs, on the column
            result = sem.COMPARISONS[op](series, right.value)
        except (TypeError, ValueError) as error:
            raise _UnsupportedError("pandas comparison") from error
        out = _series_test(result)
        if op == "!=":  # pandas: a missing value is unequal to everything; here false
            out = out & ~series.isna().to_numpy()
        return out

    def is_in(self, expr: ex.IsIn) -> Any:
        values = expr.frame_values()  # (a missing value among them matches nothing)
        if not values:
            return np.zeros(self.rows, dtype=bool)
        operand = self.value(expr.operand)
        if isinstance(operand, _Scalar):
            raise _UnsupportedError("is_in on a literal")
        if isinstance(operand, _Array) and operand.series is None:
            result = pd.Series(operand.values).isin(values).to_numpy()
            return result & ~operand.missing if operand.missing is not None else result
        assert isinstance(operand, _Array | _Series)
        try:
            return _series_test(operand.series.isin(values))
        except (TypeError, ValueError) as error:
            raise _UnsupportedError("pandas isin") from error

    def is_null(self, expr: ex.IsNull) -> Any:
        operand = self.value(expr.operand)
        if isinstance(operand, _Scalar):
            raise _UnsupportedError("is_null on a literal")
        if isinstance(operand, _Series):
            return operand.series.isna().to_numpy()
        if operand.missing is None:
            return np.zeros(self.rows, dtype=bool)
        return operand.missing.copy()


def _reads_columns(expr: ex.Expr) -> ex.Expr:
    """``expr``, if it reads a column (one of literals alone is one value on narwhals)."""
    if not expr.columns():
        raise _UnsupportedError("an expression of literals alone")
    return expr


def _lowered(frame: Any, ctx: sem.Context, run: Callable[[_Lowering], Any]) -> Any:
    if not isinstance(frame, pd.DataFrame):
        return None
    try:
        return run(_Lowering(frame, ctx))
    except (_UnsupportedError, OverflowError):
        return None


def lower_tests(frame: Any, tests: Sequence[ex.Expr], ctx: sem.Context) -> list[Any] | None:
    """Each test (or column of booleans) as a NumPy boolean array over ``frame``'s rows.

    A missing value makes a test false, as on the narwhals path (``fill_null(False)``).
    ``None`` when an expression or column is not covered (then compile with narwhals).

    Examples:
        >>> import pandas as pd
        >>> from crmkit.frames import Context, col
        >>> from crmkit.frames.numpy_lowering import lower_tests
        >>> frame = pd.DataFrame({"n": [1, 7], "s": ["a", "b"]})
        >>> [t.tolist() for t in lower_tests(frame, [col("n").between(5, 9)], Context())]
        [[False, True]]
        >>> lower_tests(frame, [col("s") + 1 > 0], Context()) is None  # text arithmetic
        True
    """

    def run(lowering: _Lowering) -> list[Any]:
        return [lowering.test(_reads_columns(t)) for t in tests]

    result: list[Any] | None = _lowered(frame, ctx, run)
    return result


def lower_numbers(frame: Any, exprs: Sequence[ex.Expr], ctx: sem.Context) -> list[Any] | None:
    """Each numeric expression as a float64 NumPy array over ``frame``'s rows (NaN = missing).

    ``None`` when an expression or column is not covered (then compile with narwhals).

    Examples:
        >>> import datetime as dt
        >>> import pandas as pd
        >>> from crmkit.frames import Context, col
        >>> from crmkit.frames.numpy_lowering import lower_numbers
        >>> frame = pd.DataFrame({"at": pd.to_datetime(["2024-12-01", None])})
        >>> ctx = Context(as_of=dt.date(2024, 12, 31))
        >>> lower_numbers(frame, [col("at").days_before_as_of()], ctx)[0].tolist()
        [30.0, nan]
    """

    def run(lowering: _Lowering) -> list[Any]:
        out = []
        for expr in exprs:
            lowered = lowering.numbers(_reads_columns(expr))
            values = lowered.values.astype("float64")
            if lowered.missing is not None:
                values[lowered.missing] = np.nan
            out.append(values)
        return out

    result: list[Any] | None = _lowered(frame, ctx, run)
    return result
