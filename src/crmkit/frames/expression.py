"""Expressions and rules: one definition, evaluated on records and compiled for dataframes.

An :class:`Expr` is a small, immutable tree — column references, literals, comparisons,
membership, ranges, ``&`` / ``|`` / ``~``, arithmetic, ``when/then/otherwise`` and calendar
days relative to an as-of date. The same tree is

* compiled once into a Python function of one record — the records engine,
  :mod:`crmkit.frames.record_function` — behind :meth:`Expr.evaluate`, :meth:`Expr.bind` and
  :func:`evaluate` over many records, and
* compiled to a narwhals expression with :meth:`Expr.compile` (or applied to a native frame
  with :func:`with_columns` / :func:`filter_rows`), so it runs on pandas, Polars, PyArrow,
  DuckDB, Dask or PySpark without leaving that engine; lazy frames stay lazy.

Segment rules (:mod:`crmkit.segmentation`) and lead-scoring criteria build on this module.

Semantics both engines share (defined once in :mod:`crmkit.frames.semantics`; the property
tests hold the records engine, a plain tree walker over those definitions and the frames
engines to the same values):

* **Missing values.** Any comparison, membership or range test on a missing value (``None`` /
  null / NaN) is *false*; ``~`` negates that, so ``~(col("x") > 5)`` is true for a missing
  ``x``. Test explicitly with :meth:`Expr.is_null`. Arithmetic with a missing value is missing.
  Division by zero is missing. ``when`` picks the first branch whose condition is true.
* **Field values.** Records are read with :func:`crmkit.frames.read_field`: mappings by key,
  objects by attribute; :class:`~crmkit.domain.Money` counts as its Decimal amount and an enum
  member as its value (the way a dataframe column holds them).
* **Dates.** Comparing a column with a ``date`` / ``datetime`` literal or with
  :func:`as_of` compares UTC calendar *days* (:mod:`crmkit.frames.day_number`), never times:
  ``col("last_invoiced_at") >= as_of(months=-12)`` is true for an invoice on any time of the
  day twelve calendar months before the as-of date (the boundary day is included).
  ``col("x").days_before_as_of()`` is the number of calendar days from the value's day to the
  as-of date.
* **Numbers.** Decimal and float mix as floats (what a frame holds); exact ties need exact
  values on both sides (integers or Decimals), which is what the tests use.

Examples:
    >>> import datetime as dt
    >>> import polars as pl
    >>> from crmkit.frames import Context, as_of, col, evaluate, filter_rows
    >>> rule = (col("employees") >= 50) & col("industry").is_in(["it", "retail"]) & (
    ...     col("last_order_at") >= as_of(months=-12))
    >>> for part in repr(rule).split(" & "):
    ...     print(part)
    (((col('employees') >= 50)
    col('industry').is_in(['it', 'retail']))
    (col('last_order_at').day() >= as_of(months=-12)))
    >>> rows = [
    ...     {"employees": 80, "industry": "it", "last_order_at": dt.date(2024, 1, 31)},
    ...     {"employees": 80, "industry": "it", "last_order_at": dt.date(2023, 12, 31)},
    ...     {"employees": 10, "industry": "it", "last_order_at": dt.date(2024, 6, 1)},
    ... ]
    >>> ctx = Context(as_of=dt.date(2024, 12, 31))
    >>> evaluate(rule, rows, ctx)
    [True, True, False]
    >>> filter_rows(pl.DataFrame(rows), rule, ctx).height
    2
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar, Literal

import attrs
from dateutil.relativedelta import relativedelta

from crmkit.errors import ValidationError
from crmkit.frames import semantics as sem
from crmkit.frames.day_number import date_of_day_number, day_number, day_number_expr
from crmkit.frames.native import from_native, is_frame, narwhals, to_native
from crmkit.frames.record_function import RecordSource, Value, bind_all
from crmkit.frames.semantics import Context, as_context

__all__ = [
    "AsOfDay",
    "Context",
    "Expr",
    "SqlDialect",
    "as_of",
    "col",
    "condition_sql",
    "day_column",
    "evaluate",
    "filter_rows",
    "identifier_sql",
    "lit",
    "literal_sql",
    "when",
    "with_columns",
]

Closed = Literal["both", "left", "right", "none"]


class Expr:
    """Base of every expression; build them with :func:`col`, :func:`lit`, :func:`when`,
    :func:`as_of` and the operators ``== != < <= > >= & | ~ + - * /``.

    Examples:
        >>> from crmkit.frames import col
        >>> expr = (col("revenue") - col("cost")) > 0
        >>> expr.evaluate({"revenue": 10, "cost": 4})
        True
        >>> sorted(expr.columns())
        ['cost', 'revenue']
    """

    #: the records engine's function for one as-of date (see :meth:`evaluate`)
    __slots__ = ("_bound",)
    #: Whether the expression's value is a day number (see :mod:`crmkit.frames.day_number`).
    is_day: ClassVar[bool] = False
    #: Whether the expression is a boolean test whose compiled form never holds null.
    is_test: ClassVar[bool] = False

    # -- evaluation --------------------------------------------------------------------------
    def evaluate(self, row: Any, context: Context | dt.date | None = None) -> Any:
        """The value of the expression for one record.

        Examples:
            >>> from crmkit.frames import col
            >>> col("n").between(1, 5).evaluate({"n": 5})
            True
        """
        return self._bound_for(as_context(context))(row)[0]

    def _bound_for(self, ctx: Context) -> Callable[[Any], tuple[Any, ...]]:
        """The compiled function of this expression, kept for the last as-of date used."""
        bound: tuple[Any, Callable[[Any], tuple[Any, ...]]] | None = getattr(self, "_bound", None)
        if bound is None or bound[0] != ctx.as_of:
            bound = (ctx.as_of, bind_all([self], ctx))
            object.__setattr__(self, "_bound", bound)
        return bound[1]

    def _write(self, source: RecordSource) -> Value:
        """Write the records engine's code for this node (see :class:`RecordSource`)."""
        raise NotImplementedError

    def bind(self, context: Context | dt.date | None = None) -> Callable[[Any], Any]:
        """The expression compiled once into a Python function of one record.

        Gives what :meth:`evaluate` gives (see :mod:`crmkit.frames.record_function`).

        Examples:
            >>> from crmkit.frames import col
            >>> big = (col("employees") >= 250).bind()
            >>> [big(r) for r in [{"employees": 300}, {"employees": None}]]
            [True, False]
        """
        values = bind_all([self], context)

        def value(row: Any) -> Any:
            return values(row)[0]

        return value

    def compile(self, context: Context | dt.date | None = None) -> Any:
        """The narwhals expression computing the same value on a frame.

        Examples:
            >>> import polars as pl
            >>> from crmkit.frames import col, from_native
            >>> frame = from_native(pl.DataFrame({"n": [1, 7]}))
            >>> frame.select((col("n") > 5).compile().alias("big"))["big"].to_list()
            [False, True]
        """
        return self._compile(as_context(context))

    def _compile(self, ctx: Context) -> Any:
        raise NotImplementedError

    def compile_condition(self, context: Context | dt.date | None = None) -> Any:
        """The narwhals expression of this test as a condition (``when``, a filter).

        It holds on the same rows as :meth:`compile` (with a missing value the test is false).
        On DuckDB and PySpark, whose conditions count null as false, the comparisons,
        memberships, ``&`` and ``|`` in it are left as SQL writes them (no ``COALESCE(…,
        FALSE)`` each), so the expression may be null where the test is false: use it only as
        a condition. On other engines (and without an engine in the context) it is the
        expression :meth:`compile` gives, made never null.

        Examples:
            >>> import duckdb
            >>> from crmkit.frames import Context, col, from_native, narwhals
            >>> rel = from_native(duckdb.sql("select 7 as n union all select null"))
            >>> ctx = Context(implementation=rel.implementation)
            >>> big = (col("n") > 5).compile_condition(ctx)
            >>> points = narwhals().when(big).then(10).otherwise(0).alias("points")
            >>> sorted(rel.select(points).to_native().fetchall())
            [(0,), (10,)]
        """
        return _condition(self, as_context(context))

    def _condition(self, ctx: Context) -> Any:
        """This test compiled for a SQL condition, where null counts as false (see
        :meth:`compile_condition`); by default the never-null test."""
        return _predicate(self, ctx)

    def columns(self) -> frozenset[str]:
        """The column (field) names the expression reads.

        Examples:
            >>> from crmkit.frames import col
            >>> sorted((col("a") + col("b")).columns())
            ['a', 'b']
        """
        return frozenset().union(*(child.columns() for child in self._children()))

    def uses_as_of(self) -> bool:
        """Whether the expression reads the as-of date (:func:`as_of`, ``days_before_as_of``).

        Examples:
            >>> from crmkit.frames import as_of, col
            >>> (col("a") > 1).uses_as_of(), (col("at") >= as_of(days=-30)).uses_as_of()
            (False, True)
        """
        return isinstance(self, AsOfDay) or any(c.uses_as_of() for c in self._children())

    def _children(self) -> tuple[Expr, ...]:
        return ()

    # -- builders ----------------------------------------------------------------------------
    def __eq__(self, other: object) -> Expr:  # type: ignore[override]
        return _compare(self, "==", other)

    def __ne__(self, other: object) -> Expr:  # type: ignore[override]
        return _compare(self, "!=", other)

    def __lt__(self, other: object) -> Expr:
        return _compare(self, "<", other)

    def __le__(self, other: object) -> Expr:
        return _compare(self, "<=", other)

    def __gt__(self, other: object) -> Expr:
        return _compare(self, ">", other)

    def __ge__(self, other: object) -> Expr:
        return _compare(self, ">=", other)

    __hash__ = object.__hash__

    def __and__(self, other: Expr) -> Expr:
        return And(self, _expr(other))

    def __or__(self, other: Expr) -> Expr:
        return Or(self, _expr(other))

    def __invert__(self) -> Expr:
        return Not(self)

    def __add__(self, other: object) -> Expr:
        return Arithmetic(self, "+", _expr(other))

    def __radd__(self, other: object) -> Expr:
        return Arithmetic(_expr(other), "+", self)

    def __sub__(self, other: object) -> Expr:
        return Arithmetic(self, "-", _expr(other))

    def __rsub__(self, other: object) -> Expr:
        return Arithmetic(_expr(other), "-", self)

    def __mul__(self, other: object) -> Expr:
        return Arithmetic(self, "*", _expr(other))

    def __rmul__(self, other: object) -> Expr:
        return Arithmetic(_expr(other), "*", self)

    def __truediv__(self, other: object) -> Expr:
        return Arithmetic(self, "/", _expr(other))

    def __bool__(self) -> bool:
        raise TypeError("an Expr has no truth value; combine rules with &, | and ~")

    def is_in(self, values: Iterable[Any]) -> Expr:
        """True when the value is one of ``values``.

        Examples:
            >>> from crmkit.frames import col
            >>> col("region").is_in(["north", "west"]).evaluate({"region": "west"})
            True
        """
        return IsIn(self, tuple(values))

    def between(self, low: Any, high: Any, closed: Closed = "both") -> Expr:
        """True when ``low <= value <= high`` (``closed`` says which ends are included).

        Examples:
            >>> from crmkit.frames import col
            >>> col("n").between(1, 5, closed="left").evaluate({"n": 5})
            False
        """
        if closed not in ("both", "left", "right", "none"):
            raise ValidationError.single(
                "closed", closed, "must be 'both', 'left', 'right' or 'none'"
            )
        lower: Expr = self >= low if closed in ("both", "left") else self > low
        upper: Expr = self <= high if closed in ("both", "right") else self < high
        return lower & upper

    def is_null(self) -> Expr:
        """True when the value is missing (``None``, null or NaN).

        Examples:
            >>> from crmkit.frames import col
            >>> col("email").is_null().evaluate({"email": None})
            True
        """
        return IsNull(self)

    def is_not_null(self) -> Expr:
        """True when the value is present.

        Examples:
            >>> from crmkit.frames import col
            >>> col("email").is_not_null().evaluate({"email": "a@b.se"})
            True
        """
        return Not(IsNull(self))

    def fill_null(self, value: Any) -> Expr:
        """The value, or ``value`` when it is missing.

        Examples:
            >>> from crmkit.frames import col
            >>> col("score").fill_null(0).evaluate({"score": None})
            0
        """
        return FillNull(self, _expr(value))

    def day(self) -> Expr:
        """The UTC calendar day of a date/datetime value as a day number.

        Examples:
            >>> import datetime as dt
            >>> from crmkit.frames import col
            >>> col("at").day().evaluate({"at": dt.date(1970, 1, 31)})
            30
        """
        return self if self.is_day else CalendarDay(self)

    def days_before_as_of(self) -> Expr:
        """Calendar days from the value's (UTC) day to the as-of date (0 on that day).

        Examples:
            >>> import datetime as dt
            >>> from crmkit.frames import col
            >>> col("at").days_before_as_of().evaluate(
            ...     {"at": dt.date(2024, 12, 1)}, dt.date(2024, 12, 31))
            30
        """
        return Arithmetic(AsOfDay(), "-", self.day())


def _expr(value: Any) -> Expr:
    if isinstance(value, Expr):
        return value
    if isinstance(value, dt.date):
        return DayLiteral(day_number(value), value)
    return Constant(value)


def _compare(left: Expr, op: str, right: object) -> Expr:
    other = _expr(right)
    if other.is_day and not left.is_day:
        left = CalendarDay(left)
    elif left.is_day and not other.is_day and isinstance(other, Column):
        other = CalendarDay(other)
    return Compare(left, op, other)


def _predicate(expr: Expr, ctx: Context) -> Any:
    """Compile ``expr`` as a test that is never null (null counts as false)."""
    compiled = expr._compile(ctx)
    return compiled if expr.is_test else compiled.fill_null(False)


def _null_is_false(ctx: Context) -> bool:
    """Whether the context's engine is a SQL engine (DuckDB, PySpark and the engines narwhals
    drives like it), where a ``CASE WHEN`` / ``WHERE`` condition that is null does not hold."""
    engine = ctx.implementation
    return engine is not None and (engine.is_duckdb() or engine.is_spark_like())


def _condition(expr: Expr, ctx: Context) -> Any:
    """Compile ``expr`` as the condition of a ``when`` or a filter: on a SQL engine a null may
    stand for false there (:meth:`Expr._condition`), elsewhere it is :func:`_predicate`."""
    return expr._condition(ctx) if _null_is_false(ctx) else _predicate(expr, ctx)


def _date_column(expr: Expr, ctx: Context) -> str | None:
    """The name of the ``DATE`` column whose calendar day ``expr`` is, else ``None``."""
    if not (isinstance(expr, CalendarDay) and type(expr.operand) is Column):
        return None
    return expr.operand.name if ctx.schema.get(expr.operand.name) == narwhals().Date else None


def _fixed_date(expr: Expr, ctx: Context) -> dt.date | None:
    """The date of a fixed day (a date literal, :func:`as_of`), else ``None`` (also for a day
    outside the years 1-9999 of ``datetime.date``)."""
    if isinstance(expr, DayLiteral):
        number = expr.number
    elif isinstance(expr, AsOfDay):
        number = expr.resolve(ctx)
    else:
        return None
    try:
        return date_of_day_number(number)
    except (ValueError, OverflowError):
        return None


def _where(expr: Expr) -> str:
    """The columns an error about ``expr``'s values names."""
    return ", ".join(sorted(expr.columns())) or "value"


@attrs.frozen(eq=False, repr=False)
class Column(Expr):
    """The value of a field (records) or column (frames); build with :func:`col`.

    Examples:
        >>> from crmkit.frames import col
        >>> col("tier").evaluate({"tier": "A"})
        'A'
    """

    name: str

    def _write(self, source: RecordSource) -> Value:
        return source.column(self.name)

    def _compile(self, ctx: Context) -> Any:
        return narwhals().col(self.name)

    def columns(self) -> frozenset[str]:
        return frozenset({self.name})

    def __repr__(self) -> str:
        return f"col({self.name!r})"


@attrs.frozen(eq=False, repr=False)
class Constant(Expr):
    """A constant; build with :func:`lit` (plain values in rules are wrapped automatically).

    Examples:
        >>> from crmkit.frames import lit
        >>> lit(3).evaluate({})
        3
    """

    value: Any

    def _write(self, source: RecordSource) -> Value:
        return source.constant(self.value)

    def _compile(self, ctx: Context) -> Any:
        return narwhals().lit(sem.frame_literal(self.value))

    def __repr__(self) -> str:
        return repr(self.value)


@attrs.frozen(eq=False, repr=False)
class DayLiteral(Expr):
    """A fixed date as a day number (what a ``date`` in a comparison becomes).

    Examples:
        >>> import datetime as dt
        >>> from crmkit.frames import col
        >>> (col("signed_on") >= dt.date(2024, 1, 1)).evaluate({"signed_on": dt.date(2024, 2, 1)})
        True
    """

    number: int
    shown: dt.date
    is_day: ClassVar[bool] = True

    def _write(self, source: RecordSource) -> Value:
        return source.day_constant(self.number)

    def _compile(self, ctx: Context) -> Any:
        return narwhals().lit(self.number)

    def __repr__(self) -> str:
        return repr(self.shown)


@attrs.frozen(eq=False, repr=False)
class AsOfDay(Expr):
    """The as-of date moved by a calendar offset, as a day number; build with :func:`as_of`.

    Examples:
        >>> import datetime as dt
        >>> from crmkit.frames import as_of, date_of_day_number
        >>> date_of_day_number(as_of(months=-12).evaluate({}, dt.date(2024, 2, 29)))
        datetime.date(2023, 2, 28)
    """

    years: int = 0
    months: int = 0
    days: int = 0
    is_day: ClassVar[bool] = True

    def resolve(self, ctx: Context) -> int:
        """The day number this offset denotes for the context's as-of date."""
        base = ctx.as_of_day
        if not (self.years or self.months or self.days):
            return base
        assert ctx.as_of is not None
        shifted = ctx.as_of + relativedelta(years=self.years, months=self.months, days=self.days)
        return day_number(shifted)

    def _write(self, source: RecordSource) -> Value:
        return source.as_of_day(self.resolve)

    def _compile(self, ctx: Context) -> Any:
        return narwhals().lit(self.resolve(ctx))

    def __repr__(self) -> str:
        parts = [f"{k}={v}" for k, v in (("years", self.years), ("months", self.months),
                                          ("days", self.days)) if v]  # fmt: skip
        return f"as_of({', '.join(parts)})"


@attrs.frozen(eq=False, repr=False)
class _Unary(Expr):
    """An expression over one operand."""

    operand: Expr

    def _children(self) -> tuple[Expr, ...]:
        return (self.operand,)


@attrs.frozen(eq=False, repr=False)
class CalendarDay(_Unary):
    """The UTC calendar day of a date/datetime expression as a day number.

    Examples:
        >>> import datetime as dt
        >>> from crmkit.frames import col
        >>> col("at").day()
        col('at').day()
    """

    is_day: ClassVar[bool] = True

    def _write(self, source: RecordSource) -> Value:
        where = self.operand.name if isinstance(self.operand, Column) else ""
        return source.calendar_day(self.operand, where)

    def _compile(self, ctx: Context) -> Any:
        dtype = None
        if isinstance(self.operand, Column):
            dtype = ctx.schema.get(self.operand.name)
        return day_number_expr(self.operand._compile(ctx), dtype, ctx.implementation)

    def __repr__(self) -> str:
        return f"{self.operand!r}.day()"


@attrs.frozen(eq=False, repr=False)
class Compare(Expr):
    """``left <op> right``; false when either side is missing.

    Examples:
        >>> from crmkit.frames import col
        >>> (col("n") > 1).evaluate({"n": None})
        False
    """

    left: Expr
    op: str
    right: Expr
    is_test: ClassVar[bool] = True

    def _children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)

    def _write(self, source: RecordSource) -> Value:
        return source.compare(self.left, self.op, self.right, _where(self))

    def _compile(self, ctx: Context) -> Any:
        a, b = self._sides(ctx)
        out = sem.OPERATORS[self.op](a, b).fill_null(False)
        if self.op == "!=":  # pandas: a missing value is unequal to everything; here false
            return out & ~a.is_null() & ~b.is_null()
        return out

    def _condition(self, ctx: Context) -> Any:
        # SQL: a comparison with a null side (either one; `!=` too) is null, which a condition
        # counts as false -- what the COALESCE(…, FALSE) of `_compile` makes it
        return sem.OPERATORS[self.op](*self._sides(ctx))

    def _sides(self, ctx: Context) -> tuple[Any, Any]:
        """The two sides compiled. On DuckDB and PySpark, the calendar day of a ``DATE``
        column against a fixed day (a date, :func:`as_of`) is the column against that day's
        date: day numbers count days in date order, so every operator gives the same truth
        (and null for a missing date), without computing the column's day numbers."""
        if _null_is_false(ctx):
            nw = narwhals()
            for day, fixed, swap in ((self.left, self.right, False), (self.right, self.left, True)):
                name = _date_column(day, ctx)
                on = _fixed_date(fixed, ctx) if name is not None else None
                if on is not None:
                    column, date = nw.col(name), nw.lit(on)
                    return (date, column) if swap else (column, date)
        return self.left._compile(ctx), self.right._compile(ctx)

    def __repr__(self) -> str:
        return f"({self.left!r} {self.op} {self.right!r})"


@attrs.frozen(eq=False, repr=False)
class IsIn(_Unary):
    """Membership in a fixed set of values; false for a missing value.

    Examples:
        >>> from crmkit.frames import col
        >>> col("tier").is_in(["A", "B"]).evaluate({"tier": "C"})
        False
    """

    values: tuple[Any, ...]
    is_test: ClassVar[bool] = True

    def _write(self, source: RecordSource) -> Value:
        return source.is_in(self.operand, self.values)

    def frame_values(self) -> list[Any]:
        """The values as frame literals, without missing ones (``None``, NaN).

        A missing value is in no set, and no present value equals a missing one, so a missing
        value among the values matches nothing: leaving it out keeps pandas' ``isin`` (which
        matches a missing value with a missing one) in step with the records engine and SQL.

        Examples:
            >>> from crmkit.frames import col
            >>> col("tier").is_in(["A", None]).frame_values()
            ['A']
        """
        return [sem.frame_literal(v) for v in self.values if not sem.is_missing(v)]

    def _compile(self, ctx: Context) -> Any:
        values = self.frame_values()
        operand = self.operand._compile(ctx)
        if not values:  # in no value (an empty value set has no type on Arrow engines)
            return operand.is_null() & narwhals().lit(False)
        return operand.is_in(values).fill_null(False)

    def _condition(self, ctx: Context) -> Any:
        # SQL: membership of a null is null (or false), false as a condition
        values = self.frame_values()
        if not values:
            return self._compile(ctx)
        return self.operand._compile(ctx).is_in(values)

    def __repr__(self) -> str:
        return f"{self.operand!r}.is_in({list(self.values)!r})"


@attrs.frozen(eq=False, repr=False)
class IsNull(_Unary):
    """True when the value is missing.

    Examples:
        >>> from crmkit.frames import col
        >>> col("x").is_null().evaluate({"x": float("nan")})
        True
    """

    is_test: ClassVar[bool] = True

    def _write(self, source: RecordSource) -> Value:
        return source.is_null(self.operand)

    def _compile(self, ctx: Context) -> Any:
        return self.operand._compile(ctx).is_null()

    def __repr__(self) -> str:
        return f"{self.operand!r}.is_null()"


@attrs.frozen(eq=False, repr=False)
class _Junction(Expr):
    """Two tests joined: both hold (``every``) or at least one does."""

    left: Expr
    right: Expr
    is_test: ClassVar[bool] = True
    every: ClassVar[bool]
    symbol: ClassVar[str]

    def _children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)

    def _write(self, source: RecordSource) -> Value:
        return source.both(self.left, self.right, every=self.every)

    def _compile(self, ctx: Context) -> Any:
        left, right = _predicate(self.left, ctx), _predicate(self.right, ctx)
        return left & right if self.every else left | right

    def _condition(self, ctx: Context) -> Any:
        # SQL's AND is true only when both sides are true and OR when either is, so null
        # sides (false as conditions) give the truth of the never-null sides; `~` is not
        # passed through (NOT null is null: its operand stays never null, `Not._compile`)
        left, right = self.left._condition(ctx), self.right._condition(ctx)
        return left & right if self.every else left | right

    def __repr__(self) -> str:
        return f"({self.left!r} {self.symbol} {self.right!r})"


@attrs.frozen(eq=False, repr=False)
class And(_Junction):
    """Both tests hold.

    Examples:
        >>> from crmkit.frames import col
        >>> ((col("a") > 0) & (col("b") > 0)).evaluate({"a": 1, "b": 0})
        False
    """

    every: ClassVar[bool] = True
    symbol: ClassVar[str] = "&"


@attrs.frozen(eq=False, repr=False)
class Or(_Junction):
    """At least one test holds.

    Examples:
        >>> from crmkit.frames import col
        >>> ((col("a") > 0) | (col("b") > 0)).evaluate({"a": 1, "b": 0})
        True
    """

    every: ClassVar[bool] = False
    symbol: ClassVar[str] = "|"


@attrs.frozen(eq=False, repr=False)
class Not(_Unary):
    """The test does not hold (a test on a missing value is false, so its negation is true).

    Examples:
        >>> from crmkit.frames import col
        >>> (~(col("a") > 0)).evaluate({"a": None})
        True
    """

    is_test: ClassVar[bool] = True

    def _write(self, source: RecordSource) -> Value:
        return source.negate(self.operand)

    def _compile(self, ctx: Context) -> Any:
        return ~_predicate(self.operand, ctx)

    def __repr__(self) -> str:
        return f"~{self.operand!r}"


@attrs.frozen(eq=False, repr=False)
class Arithmetic(Expr):
    """``left <op> right`` for ``+ - * /``; missing when a side is missing or on division by 0.

    Examples:
        >>> from crmkit.frames import col
        >>> (col("won") / col("total")).evaluate({"won": 1, "total": 0}) is None
        True
    """

    left: Expr
    op: str
    right: Expr

    def _children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)

    def _write(self, source: RecordSource) -> Value:
        return source.arithmetic(self.left, self.op, self.right, _where(self))

    def _compile(self, ctx: Context) -> Any:
        nw = narwhals()
        a = self.left._compile(ctx)
        b = self.right._compile(ctx)
        if self.op == "/":
            return nw.when(b != 0).then(a / b)
        return sem.OPERATORS[self.op](a, b)

    def __repr__(self) -> str:
        return f"({self.left!r} {self.op} {self.right!r})"


@attrs.frozen(eq=False, repr=False)
class FillNull(Expr):
    """The value, or a replacement when it is missing.

    Examples:
        >>> from crmkit.frames import col
        >>> col("x").fill_null(1).evaluate({"x": 3})
        3
    """

    operand: Expr
    value: Expr

    def _children(self) -> tuple[Expr, ...]:
        return (self.operand, self.value)

    def _write(self, source: RecordSource) -> Value:
        return source.fill_null(self.operand, self.value)

    def _compile(self, ctx: Context) -> Any:
        nw = narwhals()
        return nw.coalesce(self.operand._compile(ctx), self.value._compile(ctx))

    def __repr__(self) -> str:
        return f"{self.operand!r}.fill_null({self.value!r})"


@attrs.frozen(eq=False, repr=False)
class Conditional(Expr):
    """The value of the first branch whose test holds, else the default (``None`` = missing).

    Build with :func:`when`.

    Examples:
        >>> from crmkit.frames import col, when
        >>> size = when(col("n") >= 250).then("large").when(col("n") >= 50).then(
        ...     "medium").otherwise("small")
        >>> [size.evaluate({"n": n}) for n in (10, 50, 300)]
        ['small', 'medium', 'large']
    """

    branches: tuple[tuple[Expr, Expr], ...]
    default: Expr | None = None

    def _children(self) -> tuple[Expr, ...]:
        out: list[Expr] = []
        for test, value in self.branches:
            out += [test, value]
        if self.default is not None:
            out.append(self.default)
        return tuple(out)

    def when(self, test: Expr) -> _When:
        """Add another branch (checked after the earlier ones)."""
        return _When(self.branches, _expr(test))

    def otherwise(self, value: Any) -> Conditional:
        """Set the value used when no branch holds."""
        return Conditional(self.branches, _expr(value))

    def _write(self, source: RecordSource) -> Value:
        return source.conditional(self.branches, self.default)

    def _compile(self, ctx: Context) -> Any:
        nw = narwhals()
        chain: Any = nw
        for test, value in self.branches:
            chain = chain.when(_condition(test, ctx)).then(value._compile(ctx))
        if self.default is None:
            return chain
        return chain.otherwise(self.default._compile(ctx))

    def __repr__(self) -> str:
        text = "".join(
            f"{'when' if i == 0 else '.when'}({t!r}).then({v!r})"
            for i, (t, v) in enumerate(self.branches)
        )
        return text + (f".otherwise({self.default!r})" if self.default is not None else "")


@attrs.frozen
class _When:
    branches: tuple[tuple[Expr, Expr], ...]
    test: Expr

    def then(self, value: Any) -> Conditional:
        return Conditional((*self.branches, (self.test, _expr(value))))


def col(name: str) -> Expr:
    """Refer to field / column ``name``.

    Examples:
        >>> from crmkit.frames import col
        >>> (col("employees") >= 250).evaluate({"employees": 300})
        True
    """
    if not isinstance(name, str) or not name:
        raise ValidationError.single("name", name, "must be a non-empty column name")
    return Column(name)


@attrs.frozen(eq=False, repr=False)
class DayColumn(Column):
    """A column that already holds day numbers; build with :func:`day_column`.

    Examples:
        >>> from crmkit.frames import as_of, day_column
        >>> import datetime as dt
        >>> rule = day_column("last_day") >= as_of(days=-30)
        >>> rule.evaluate({"last_day": 20080}, dt.date(2024, 12, 31))
        True
    """

    is_day: ClassVar[bool] = True

    def __repr__(self) -> str:
        return f"day_column({self.name!r})"


def day_column(name: str) -> Expr:
    """Refer to a column of day numbers (see :mod:`crmkit.frames.day_number`).

    Compared with dates or :func:`as_of`, it is used as it is rather than converted.

    Examples:
        >>> import datetime as dt
        >>> from crmkit.frames import day_column
        >>> (day_column("d") == dt.date(1970, 1, 2)).evaluate({"d": 1})
        True
    """
    if not isinstance(name, str) or not name:
        raise ValidationError.single("name", name, "must be a non-empty column name")
    return DayColumn(name)


def lit(value: Any) -> Expr:
    """A constant expression (dates become day numbers, see :mod:`crmkit.frames.day_number`).

    Examples:
        >>> from crmkit.frames import lit
        >>> (lit(2) * 3).evaluate({})
        6
    """
    return _expr(value)


def when(test: Expr) -> _When:
    """Start a ``when(test).then(value)[.when(...).then(...)].otherwise(default)`` chain.

    Examples:
        >>> from crmkit.frames import col, when
        >>> points = when(col("title").is_in(["CEO", "CFO"])).then(20).otherwise(0)
        >>> points.evaluate({"title": "CFO"})
        20
    """
    return _When((), _expr(test))


def as_of(*, years: int = 0, months: int = 0, days: int = 0) -> Expr:
    """The as-of date shifted by calendar ``years``, ``months`` and ``days`` (negative = back).

    Month arithmetic is python-dateutil's ``relativedelta`` (2024-03-31 minus one month is
    2024-02-29). Compared with a date/datetime column, the comparison is by UTC calendar day.

    Examples:
        >>> import datetime as dt
        >>> from crmkit.frames import as_of, col
        >>> rule = col("last_invoiced_at") >= as_of(months=-12)
        >>> rule.evaluate({"last_invoiced_at": dt.date(2023, 12, 31)}, dt.date(2024, 12, 31))
        True
    """
    return AsOfDay(years=years, months=months, days=days)


def evaluate(
    expr: Expr, records: Iterable[Any], context: Context | dt.date | None = None
) -> list[Any]:
    """Evaluate ``expr`` on every record; errors name the record's position.

    The expression is compiled once into a Python function of a record (:meth:`Expr.bind`).

    Examples:
        >>> from crmkit.frames import col, evaluate
        >>> evaluate(col("n") * 2, [{"n": 1}, {"n": 2}])
        [2, 4]
        >>> evaluate(col("n") > 1, [{"n": 1}, {"m": 2}])
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: [1].n: is missing from the record
    """
    values = expr._bound_for(as_context(context))
    out: list[Any] = []
    append = out.append
    for index, row in enumerate(records):
        try:
            append(values(row)[0])
        except ValidationError as error:
            raise error.prefixed(f"[{index}]") from None
    return out


def _frame_context(
    frame: Any, ctx: Context, exprs: Sequence[Expr], what: str
) -> tuple[Context, Any]:
    """The compile context of ``exprs`` on ``frame`` and the frame to compute them on.

    The frame to compute on is ``frame`` itself, or a copy whose pandas ``object`` columns
    of dates read as datetime columns (:func:`crmkit.frames.dates_from_objects`); the
    callers hand back the caller's own columns.
    """
    from crmkit.frames.columns import column_types, dates_from_objects, require_columns

    needed = sorted(frozenset().union(*(e.columns() for e in exprs)))
    schema = column_types(frame)
    require_columns(frame, needed, what=what, schema=schema)
    source, schema = dates_from_objects(frame, needed, schema)
    return Context(as_of=ctx.as_of, schema=schema, implementation=frame.implementation), source


def with_columns(
    frame: Any,
    named: Mapping[str, Expr],
    context: Context | dt.date | None = None,
    *,
    what: str = "frame",
) -> Any:
    """Add one column per named expression to a native frame; returns the same kind of frame.

    Lazy frames stay lazy: nothing is computed here.

    Examples:
        >>> import duckdb
        >>> from crmkit.frames import col, with_columns
        >>> rel = duckdb.sql("select 10 as n union all select 300")
        >>> out = with_columns(rel, {"large": col("n") >= 250})
        >>> type(out).__name__, sorted(out.fetchall())
        ('DuckDBPyRelation', [(10, False), (300, True)])
    """
    ctx = as_context(context)
    nw_frame = from_native(frame)
    ctx, source = _frame_context(nw_frame, ctx, list(named.values()), what)
    compiled = [expr._compile(ctx).alias(name) for name, expr in named.items()]
    if source is nw_frame:
        return to_native(nw_frame.with_columns(*compiled))
    added = source.select(*compiled)  # on converted columns; the caller's stay as they are
    return to_native(nw_frame.with_columns(*(added[name] for name in named)))


def filter_rows(
    data: Any, test: Expr, context: Context | dt.date | None = None, *, what: str = "frame"
) -> Any:
    """Keep the records (list) or frame rows (same kind of frame) for which ``test`` holds.

    Examples:
        >>> import pandas as pd
        >>> from crmkit.frames import col, filter_rows
        >>> filter_rows([{"n": 1}, {"n": 7}], col("n") > 5)
        [{'n': 7}]
        >>> filter_rows(pd.DataFrame({"n": [1, 7]}), col("n") > 5)["n"].tolist()
        [7]
    """
    ctx = as_context(context)
    if is_frame(data):
        nw_frame = from_native(data)
        ctx, source = _frame_context(nw_frame, ctx, [test], what)
        if source is nw_frame:
            return to_native(nw_frame.filter(_condition(test, ctx)))
        keep = source.select(_predicate(test, ctx).alias("__crmkit_keep"))["__crmkit_keep"]
        return to_native(nw_frame.filter(keep))
    rows = list(data)
    keep = evaluate(test, rows, ctx)
    return [row for row, ok in zip(rows, keep, strict=True) if sem.truth(ok)]


SqlDialect = Literal["spark", "duckdb"]
"""The SQL dialects :func:`condition_sql` and :func:`literal_sql` write: Spark SQL, DuckDB."""


def condition_sql(
    expr: Expr, context: Context | dt.date | None = None, dialect: SqlDialect = "spark"
) -> str | None:
    """SQL text of the test ``expr`` as a condition in ``dialect``, or ``None`` when not
    covered.

    The text holds on the rows :meth:`Expr.compile_condition` holds on for that engine (null
    counts as false: comparisons, memberships, ``&`` and ``|`` as SQL writes them, a negated
    test as ``NOT COALESCE(test, FALSE)``, a ``DATE`` column against a fixed day as a date).
    Covered: columns; ``bool``, ``int``, finite ``float`` and plain ``str`` constants
    (:func:`literal_sql`); comparisons, non-empty ``is_in``, ``is_null``, ``&``, ``|`` and
    ``~`` of those. It lets a caller build a whole projection as SQL text (one PySpark
    ``selectExpr``, one DuckDB ``project``) instead of an engine call per expression node.
    The dialects differ only in identifier quoting and literals.

    Examples:
        >>> from crmkit.frames import col
        >>> from crmkit.frames.expression import condition_sql
        >>> print(condition_sql((col("n") >= 0.5) & col("tier").is_in(["A"]), dialect="duckdb"))
        (("n" >= CAST('0.5' AS DOUBLE)) AND ("tier" IN ('A')))
        >>> condition_sql(col("n") + 1 > 2, dialect="duckdb") is None
        True
    """
    return _sql_condition(expr, as_context(context), dialect)


_SQL_COMPARISONS = {"==": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def identifier_sql(name: str, dialect: SqlDialect = "spark") -> str:
    """A column name quoted for ``dialect`` (backticks on Spark, double quotes on DuckDB).

    Examples:
        >>> from crmkit.frames.expression import identifier_sql
        >>> print(identifier_sql("a`b"), identifier_sql('a"b', "duckdb"))
        `a``b` "a""b"
    """
    quote = "`" if dialect == "spark" else '"'
    return quote + name.replace(quote, quote + quote) + quote


def literal_sql(value: Any, dialect: SqlDialect = "spark") -> str | None:
    """SQL text of a constant in ``dialect`` with the type the engine's own literal gives it
    (``pyspark.sql.functions.lit``, ``duckdb.ConstantExpression``): ``bool`` BOOLEAN, ``int``
    INT or BIGINT, ``float`` DOUBLE written exactly, ``str`` a string; ``None`` for another
    value (or a non-finite float, an integer outside 64 bits, or text with a quote, backslash
    or control character).

    A float is written as its ``repr`` (the shortest text that reads back as the same
    double): ``0.1D`` on Spark and ``CAST('0.1' AS DOUBLE)`` on DuckDB, where a decimal
    literal is a ``DECIMAL`` (read inexactly beyond 15-16 digits when made a double).

    Examples:
        >>> from crmkit.frames.expression import literal_sql
        >>> literal_sql(0.1), literal_sql(2**40), literal_sql("a")
        ('0.1D', '1099511627776L', "'a'")
        >>> literal_sql(0.1, "duckdb"), literal_sql(2**40, "duckdb"), literal_sql(3, "duckdb")
        ("CAST('0.1' AS DOUBLE)", 'CAST(1099511627776 AS BIGINT)', '3')
    """
    value = sem.frame_literal(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        if -(2**31) <= value < 2**31:
            return str(value)
        if not -(2**63) <= value < 2**63:
            return None
        return f"{value}L" if dialect == "spark" else f"CAST({value} AS BIGINT)"
    if isinstance(value, float):
        if value != value or abs(value) == float("inf"):
            return None
        # repr is the shortest text that reads back as the same double
        return f"{value!r}D" if dialect == "spark" else f"CAST('{value!r}' AS DOUBLE)"
    if isinstance(value, str):
        if "'" in value or "\\" in value or not value.isprintable():
            return None
        return f"'{value}'"
    return None


def _sql_value(expr: Expr, dialect: SqlDialect) -> str | None:
    if type(expr) is Column:
        return identifier_sql(expr.name, dialect)
    if type(expr) is Constant:
        return literal_sql(expr.value, dialect)
    return None


def _of_column_type(values: list[Any], operand: Expr, ctx: Context) -> bool:
    """Whether ``values`` are of the kind of the operand column's type in the context's
    schema (text, booleans, numbers); true for a column the schema does not name."""
    dtype = ctx.schema.get(operand.name) if isinstance(operand, Column) else None
    if dtype is None:
        return True
    nw = narwhals()
    if dtype == nw.String:
        return all(isinstance(v, str) for v in values)
    if dtype == nw.Boolean:
        return all(isinstance(v, bool) for v in values)
    if dtype.is_numeric():
        return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    return False


def _sql_condition(expr: Expr, ctx: Context, dialect: SqlDialect) -> str | None:
    if type(expr) is Compare:
        op = _SQL_COMPARISONS.get(expr.op)
        if op is None:
            return None
        for day, fixed, swap in ((expr.left, expr.right, False), (expr.right, expr.left, True)):
            name = _date_column(day, ctx)
            on = _fixed_date(fixed, ctx) if name is not None else None
            if name is not None and on is not None:
                column = identifier_sql(name, dialect)
                date = f"DATE '{on.isoformat()}'"
                a, b = (date, column) if swap else (column, date)
                return f"({a} {op} {b})"
        left, right = _sql_value(expr.left, dialect), _sql_value(expr.right, dialect)
        if left is None or right is None:
            return None
        return f"({left} {op} {right})"
    if type(expr) is IsIn:
        operand = _sql_value(expr.operand, dialect)
        kept = expr.frame_values()
        values = [literal_sql(v, dialect) for v in kept]
        if operand is None or not values or None in values:
            return None
        if not _of_column_type(kept, expr.operand, ctx):
            return None  # (SQL's IN would cast them; the narwhals path refuses such a list)
        return f"({operand} IN ({', '.join(v for v in values if v is not None)}))"
    if type(expr) is IsNull:
        operand = _sql_value(expr.operand, dialect)
        return None if operand is None else f"({operand} IS NULL)"
    if type(expr) in (And, Or):
        assert isinstance(expr, _Junction)
        left = _sql_condition(expr.left, ctx, dialect)
        right = _sql_condition(expr.right, ctx, dialect)
        if left is None or right is None:
            return None
        return f"({left} {'AND' if expr.every else 'OR'} {right})"
    if type(expr) is Not:
        # the never-null test holds where the condition does (`compile_condition`)
        operand = _sql_condition(expr.operand, ctx, dialect) if expr.operand.is_test else None
        return None if operand is None else f"(NOT COALESCE({operand}, FALSE))"
    return None
