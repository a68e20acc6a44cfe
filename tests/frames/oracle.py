"""The test oracle of the rule language: a plain tree walker over an expression.

It evaluates one record node by node with the definitions of :mod:`crmkit.frames.semantics`
— no code generation, no caching, no short cuts — so the records engine (the compiled record
functions) and the frames engines can be held to it.
"""

from __future__ import annotations

from typing import Any

from crmkit.frames import Context, Expr, read_field
from crmkit.frames import expression as ex
from crmkit.frames import semantics as sem


def _where(expr: Expr) -> str:
    return ", ".join(sorted(expr.columns())) or "value"


def walk(expr: Expr, row: Any, ctx: Context) -> Any:
    """The value of ``expr`` for ``row``, walking the tree."""
    if isinstance(expr, ex.Column):
        return read_field(row, expr.name)
    if isinstance(expr, ex.Constant):
        return expr.value
    if isinstance(expr, ex.DayLiteral):
        return expr.number
    if isinstance(expr, ex.AsOfDay):
        return expr.resolve(ctx)
    if isinstance(expr, ex.CalendarDay):
        where = expr.operand.name if isinstance(expr.operand, ex.Column) else ""
        return sem.calendar_day(walk(expr.operand, row, ctx), where)
    if isinstance(expr, ex.Compare):
        a, b = walk(expr.left, row, ctx), walk(expr.right, row, ctx)
        return sem.compare(a, expr.op, b, _where(expr))
    if isinstance(expr, ex.Arithmetic):
        a, b = walk(expr.left, row, ctx), walk(expr.right, row, ctx)
        return sem.arithmetic(a, expr.op, b, _where(expr))
    if isinstance(expr, ex.IsIn):
        value = walk(expr.operand, row, ctx)
        return False if sem.is_missing(value) else value in expr.values
    if isinstance(expr, ex.IsNull):
        return sem.is_missing(walk(expr.operand, row, ctx))
    if isinstance(expr, ex.And):
        return sem.truth(walk(expr.left, row, ctx)) and sem.truth(walk(expr.right, row, ctx))
    if isinstance(expr, ex.Or):
        return sem.truth(walk(expr.left, row, ctx)) or sem.truth(walk(expr.right, row, ctx))
    if isinstance(expr, ex.Not):
        return not sem.truth(walk(expr.operand, row, ctx))
    if isinstance(expr, ex.FillNull):
        value = walk(expr.operand, row, ctx)
        return walk(expr.value, row, ctx) if sem.is_missing(value) else value
    if isinstance(expr, ex.Conditional):
        for test, value in expr.branches:
            if sem.truth(walk(test, row, ctx)):
                return walk(value, row, ctx)
        return None if expr.default is None else walk(expr.default, row, ctx)
    raise TypeError(f"no oracle for {type(expr).__name__}")


def walk_all(exprs: list[Expr], row: Any, ctx: Context) -> tuple[Any, ...]:
    """The values of ``exprs`` for ``row``, as :func:`crmkit.frames.bind_all` gives them."""
    return tuple(walk(expr, row, ctx) for expr in exprs)
