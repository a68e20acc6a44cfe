"""Expressions compiled once into a Python function of one record: the fast records engine.

:meth:`Expr.evaluate <crmkit.frames.Expr.evaluate>` walks the expression tree for every
record, looking up operators, building contexts and re-reading the as-of date each time. For
many records, :func:`bind_all` (and :meth:`Expr.bind <crmkit.frames.Expr.bind>`) translate the
tree once into the source of one small Python function — field reads, missing-value tests,
comparisons and branches written out as straight-line code, constants and the as-of day
resolved in advance — and compile it. One function is made per record *kind* (mappings are
read by key, other objects by attribute), chosen once per record type.

The compiled function gives exactly what :meth:`Expr.evaluate` gives (the property tests in
``tests/frames`` hold the two to the same values). Whenever it meets something it was not
written for — a missing field, a value of an unexpected type — it hands the record to the
tree walker, which returns the value or raises the usual
:class:`~crmkit.errors.ValidationError` naming the field.

Examples:
    >>> import datetime as dt
    >>> from crmkit.frames import as_of, bind_all, col
    >>> rules = bind_all(
    ...     [col("employees") >= 50, col("last_order_at") >= as_of(months=-12)],
    ...     dt.date(2024, 12, 31),
    ... )
    >>> rules({"employees": 80, "last_order_at": dt.date(2023, 12, 31)})
    (True, True)
    >>> rules({"employees": None, "last_order_at": None})
    (False, False)
"""

from __future__ import annotations

import datetime as dt
import keyword
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from crmkit.errors import ValidationError
from crmkit.frames import expression as ex
from crmkit.frames.day_number import day_number
from crmkit.frames.records import normalise_value

__all__ = ["bind_all"]

_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
#: Value types a record field is used as it is (every other value goes through
#: :func:`crmkit.frames.normalise_value`, which turns Money and enum members into values).
_PLAIN = frozenset({int, float, str, bool, type(None), Decimal, dt.date, dt.datetime})


def _day(value: Any) -> int:
    if not isinstance(value, dt.date):
        raise TypeError("not a date")  # the tree walker names the field
    return day_number(value)


class _Value:
    """A value in the generated code: its source text and, when fixed, the value itself."""

    __slots__ = ("known", "text", "value")

    def __init__(self, text: str, known: bool = False, value: Any = None) -> None:
        self.text, self.known, self.value = text, known, value


class _Source:
    """Writes the statements of one record function."""

    def __init__(self, ctx: ex.Context, mapping: bool) -> None:
        self.ctx = ctx
        self.mapping = mapping
        self.lines: list[str] = []
        self.depth = 1
        self.count = 0
        #: field name (or a derived value's key) → the local holding it, in the current block
        self.fields: dict[str, str] = {}
        self.names: dict[str, Any] = {
            "PLAIN": _PLAIN,
            "normalise": normalise_value,
            "numbers": ex._numbers,
            "truth": ex._truth,
            "day_of": _day,
            "date": dt.date,
            "EPOCH": _EPOCH_ORDINAL,
            "Decimal": Decimal,
            "ctx": ctx,
        }

    # -- writing -----------------------------------------------------------------------------
    def emit(self, line: str) -> None:
        self.lines.append("    " * self.depth + line)

    def enter(self) -> dict[str, str]:
        """Open a conditional block; what is computed inside it is forgotten on :meth:`leave`."""
        self.depth += 1
        return dict(self.fields)

    def leave(self, fields: dict[str, str]) -> None:
        self.depth -= 1
        self.fields = fields

    def local(self) -> str:
        self.count += 1
        return f"v{self.count}"

    def constant(self, value: Any) -> _Value:
        name = f"k{len(self.names)}"
        self.names[name] = value
        return _Value(name, True, value)

    def opaque(self, value: Any) -> str:
        name = f"k{len(self.names)}"
        self.names[name] = value
        return name

    def missing(self, v: _Value) -> str:
        """The test "``v`` is missing", computed once per value and block."""
        key = f"missing {v.text}"
        if key not in self.fields:
            out = self.fields[key] = self.local()
            # the tree walker's _is_missing: None or a float NaN (the one value != itself)
            self.emit(
                f"{out} = {v.text} is None or ({v.text} != {v.text} and isinstance({v.text}, float))"
            )
        return self.fields[key]

    @staticmethod
    def truth(v: _Value, expr: ex.Expr) -> str:
        if type(expr) in _TESTS:  # compiled tests are True / False already
            return v.text
        if v.known:
            return repr(ex._truth(v.value))
        return f"truth({v.text})"

    # -- nodes -------------------------------------------------------------------------------
    def value(self, expr: ex.Expr) -> _Value:
        kind = type(expr)
        write = _WRITERS.get(kind)
        if write is None and isinstance(expr, ex.Column):
            write = _Source.column
        if write is None:  # an expression kind this compiler does not know: walk it
            out = self.local()
            self.emit(f"{out} = {self.opaque(expr)}._eval(row, ctx)")
            return _Value(out)
        return write(self, expr)

    def column(self, expr: ex.Column) -> _Value:
        name = expr.name
        if name in self.fields:  # read once per block
            return _Value(self.fields[name])
        out = self.local()
        self.fields[name] = out
        if self.mapping:
            self.emit(f"{out} = row[{name!r}]")
        elif name.isidentifier() and not keyword.iskeyword(name) and not name.startswith("__"):
            self.emit(f"{out} = row.{name}")
        else:
            self.emit(f"{out} = getattr(row, {name!r})")
        self.emit(f"if {out}.__class__ not in PLAIN: {out} = normalise({out})")
        return _Value(out)

    def constant_node(self, expr: ex.Constant) -> _Value:
        return self.constant(expr.value)

    def day_literal(self, expr: ex.DayLiteral) -> _Value:
        return self.constant(expr.number)

    def as_of_day(self, expr: ex.AsOfDay) -> _Value:
        try:
            return self.constant(expr.resolve(self.ctx))
        except ValidationError:  # no as-of date: raise when (and if) a record needs it
            out = self.local()
            self.emit(f"{out} = {self.opaque(expr)}.resolve(ctx)")
            return _Value(out)

    def calendar_day(self, expr: ex.CalendarDay) -> _Value:
        a = self.value(expr.operand)
        key = f"day {a.text}"
        if key in self.fields:
            return _Value(self.fields[key])
        out = self.fields[key] = self.local()
        self.emit(f"if {a.text} is None: {out} = None")
        self.emit(f"elif {a.text}.__class__ is date: {out} = {a.text}.toordinal() - EPOCH")
        self.emit(f"else: {out} = day_of({a.text})")
        return _Value(out)

    def _operands(self, left: _Value, right: _Value) -> tuple[str, str, list[str]] | None:
        """Texts of both operands mixed like the tree walker's _numbers, and the missing
        tests still to make; None when a fixed operand is missing (the result is fixed)."""
        tests = []
        for side in (left, right):
            if side.known:
                if ex._is_missing(side.value):
                    return None
            else:
                tests.append(self.missing(side))
        a, b = left.text, right.text
        if left.known and right.known:
            x, y = ex._numbers(left.value, right.value)
            return self.constant(x).text, self.constant(y).text, tests
        if right.known or left.known:
            fixed, other = (right, left) if right.known else (left, right)
            value = fixed.value
            if isinstance(value, float):
                mixed = (
                    f"(float({other.text}) if isinstance({other.text}, Decimal) else {other.text})"
                )
                a, b = (mixed, b) if fixed is right else (a, mixed)
            elif isinstance(value, Decimal):
                mixed = (
                    f"(float({fixed.text}) if isinstance({other.text}, float) else {fixed.text})"
                )
                a, b = (a, mixed) if fixed is right else (mixed, b)
            return a, b, tests
        a2, b2 = self.local(), self.local()
        self.emit(f"{a2}, {b2} = numbers({a}, {b})")
        return a2, b2, tests

    def compare(self, expr: ex.Compare) -> _Value:
        left, right = self.value(expr.left), self.value(expr.right)
        out = self.local()
        operands = self._operands(left, right)
        if operands is None:  # a fixed missing operand: never true
            self.emit(f"{out} = False")
            return _Value(out)
        a, b, tests = operands
        test = f"True if {a} {expr.op} {b} else False"
        if tests:
            self.emit(f"{out} = False if {' or '.join(tests)} else ({test})")
        else:
            self.emit(f"{out} = {test}")
        return _Value(out)

    def is_in(self, expr: ex.IsIn) -> _Value:
        a = self.value(expr.operand)
        try:
            container = self.opaque(frozenset(expr.values))
        except TypeError:  # unhashable choices: look them up as the tree walker does
            container = self.opaque(expr.values)
        out = self.local()
        self.emit(f"{out} = False if {self.missing(a)} else ({a.text} in {container})")
        return _Value(out)

    def is_null(self, expr: ex.IsNull) -> _Value:
        a = self.value(expr.operand)
        out = self.local()
        self.emit(f"{out} = True if {self.missing(a)} else False")
        return _Value(out)

    def both(self, expr: ex.And | ex.Or) -> _Value:
        a = self.value(expr.left)
        out = self.local()
        self.emit(f"{out} = {self.truth(a, expr.left)}")
        self.emit(f"if {'' if isinstance(expr, ex.And) else 'not '}{out}:")
        scope = self.enter()
        b = self.value(expr.right)
        self.emit(f"{out} = {self.truth(b, expr.right)}")
        self.leave(scope)
        return _Value(out)

    def negate(self, expr: ex.Not) -> _Value:
        a = self.value(expr.operand)
        out = self.local()
        self.emit(f"{out} = not {self.truth(a, expr.operand)}")
        return _Value(out)

    def arithmetic(self, expr: ex.Arithmetic) -> _Value:
        left, right = self.value(expr.left), self.value(expr.right)
        out = self.local()
        operands = self._operands(left, right)
        if operands is None:  # a fixed missing operand: always missing
            self.emit(f"{out} = None")
            return _Value(out)
        a, b, tests = operands
        divide = f"None if {b} == 0 else {a} / {b}"
        result = divide if expr.op == "/" else f"{a} {expr.op} {b}"
        if tests:
            self.emit(f"{out} = None if {' or '.join(tests)} else ({result})")
        else:
            self.emit(f"{out} = {result}")
        return _Value(out)

    def fill_null(self, expr: ex.FillNull) -> _Value:
        a = self.value(expr.operand)
        out = self.local()
        self.emit(f"{out} = {a.text}")
        self.emit(f"if {self.missing(a)}:")
        scope = self.enter()
        b = self.value(expr.value)
        self.emit(f"{out} = {b.text}")
        self.leave(scope)
        return _Value(out)

    def conditional(self, expr: ex.Conditional) -> _Value:
        out, done = self.local(), self.local()
        self.emit(f"{out} = None")
        self.emit(f"{done} = False")
        for test, value in expr.branches:  # flat: one "if not done" block per branch
            self.emit(f"if not {done}:")
            outer = self.enter()
            t = self.value(test)
            self.emit(f"if {self.truth(t, test)}:")
            inner = self.enter()
            v = self.value(value)
            self.emit(f"{out} = {v.text}")
            self.emit(f"{done} = True")
            self.leave(inner)
            self.leave(outer)
        if expr.default is not None:
            self.emit(f"if not {done}:")
            scope = self.enter()
            d = self.value(expr.default)
            self.emit(f"{out} = {d.text}")
            self.leave(scope)
        return _Value(out)


_WRITERS: dict[type, Callable[[_Source, Any], _Value]] = {
    ex.Column: _Source.column,
    ex.DayColumn: _Source.column,
    ex.Constant: _Source.constant_node,
    ex.DayLiteral: _Source.day_literal,
    ex.AsOfDay: _Source.as_of_day,
    ex.CalendarDay: _Source.calendar_day,
    ex.Compare: _Source.compare,
    ex.IsIn: _Source.is_in,
    ex.IsNull: _Source.is_null,
    ex.And: _Source.both,
    ex.Or: _Source.both,
    ex.Not: _Source.negate,
    ex.Arithmetic: _Source.arithmetic,
    ex.FillNull: _Source.fill_null,
    ex.Conditional: _Source.conditional,
}
#: Node kinds whose compiled value is always True or False.
_TESTS = frozenset({ex.Compare, ex.IsIn, ex.IsNull, ex.And, ex.Or, ex.Not})


def source(
    exprs: Sequence[ex.Expr], ctx: ex.Context, *, mapping: bool
) -> tuple[str, dict[str, Any]]:
    """The Python source of the record function of ``exprs`` and the names it uses.

    Examples:
        >>> from crmkit.frames import Context, col
        >>> from crmkit.frames.record_function import source
        >>> text, _ = source([col("n") > 1], Context(), mapping=True)
        >>> print(text.splitlines()[1])
            v1 = row['n']
    """
    writer = _Source(ctx, mapping)
    results = [writer.value(expr).text for expr in exprs]
    lines = [*writer.lines, f"    return ({', '.join(results)},)"]
    return "def record_function(row):\n" + "\n".join(lines), writer.names


def _compile(exprs: Sequence[ex.Expr], ctx: ex.Context, mapping: bool) -> Callable[[Any], Any]:
    text, names = source(exprs, ctx, mapping=mapping)
    code = compile(text, "<crmkit record function>", "exec")
    exec(code, names)
    function: Callable[[Any], Any] = names["record_function"]
    return function


def bind_all(
    exprs: Iterable[ex.Expr],
    context: ex.Context | dt.date | None = None,
    *,
    fallback: bool = True,
) -> Callable[[Any], tuple[Any, ...]]:
    """One compiled function giving the values of all ``exprs`` for a record, as a tuple.

    Equivalent to ``tuple(e.evaluate(record, context) for e in exprs)``, many times faster on
    many records. With ``fallback=False`` a record the compiled code cannot handle raises
    whatever Python raised (a ``KeyError`` for a missing field …) instead of being handed to
    :meth:`Expr.evaluate <crmkit.frames.Expr.evaluate>`; callers that have their own careful
    path use this.

    Examples:
        >>> from crmkit.frames import bind_all, col
        >>> values = bind_all([col("a") + col("b"), col("a").is_in([1, 2])])
        >>> values({"a": 1, "b": 2}), values({"a": None, "b": 2})
        ((3, True), (None, False))
        >>> values({"b": 2})
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: a: is missing from the record
    """
    ctx = ex._context(context)
    items = tuple(exprs)
    for item in items:
        if not isinstance(item, ex.Expr):
            raise ValidationError.single("exprs", item, "must be expressions built with col()")
    made: dict[bool, Callable[[Any], Any]] = {}
    by_type: dict[type, Callable[[Any], Any]] = {}

    def function_for(row: Any) -> Callable[[Any], Any]:
        mapping = isinstance(row, Mapping)
        if mapping not in made:
            made[mapping] = _compile(items, ctx, mapping)
        by_type[row.__class__] = made[mapping]
        return made[mapping]

    def walk(row: Any) -> tuple[Any, ...]:
        return tuple(item._eval(row, ctx) for item in items)

    if not fallback:

        def strict(row: Any) -> tuple[Any, ...]:
            fast = by_type.get(row.__class__) or function_for(row)
            result: tuple[Any, ...] = fast(row)
            return result

        return strict

    def values(row: Any) -> tuple[Any, ...]:
        fast = by_type.get(row.__class__) or function_for(row)
        try:
            result: tuple[Any, ...] = fast(row)
        except Exception:  # not written for this record: the tree walker decides
            return walk(row)
        return result

    return values
