"""Expressions compiled once into a Python function of one record: the records engine.

:func:`bind_all` (and :meth:`Expr.bind <crmkit.frames.Expr.bind>`, :meth:`Expr.evaluate
<crmkit.frames.Expr.evaluate>`, :func:`~crmkit.frames.evaluate`) translate an expression tree
once into the source of one small Python function — field reads, missing-value tests,
comparisons and branches written out as straight-line code, constants and the as-of day
resolved in advance — and compile it. One function is made per record *kind* (mappings are
read by key, other objects by attribute), chosen once per record type.

The meaning of every step is :mod:`crmkit.frames.semantics`; the generated code spells it out
(the property tests in ``tests/frames`` hold it to a plain tree walker over the same
definitions and to the frames engines). There is no second evaluator to fall back on: a
missing field, values that cannot be compared or combined, or a non-date where a day is needed
raise the :class:`~crmkit.errors.ValidationError` naming the field from the compiled code
itself. The generated source is registered with :mod:`linecache`, so a traceback through it
shows its lines.

Each expression node writes itself through :class:`RecordSource` (``Expr._write``), so this
module does not import :mod:`crmkit.frames.expression`: the expression module depends on this
one, never the other way round. Other records engines (lead scoring) write their own function
around the expressions with :class:`RecordSource`.

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
import functools
import hashlib
import keyword
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from operator import attrgetter, itemgetter
from types import CodeType
from typing import Any, NamedTuple, Protocol, runtime_checkable

from crmkit._codegen import code
from crmkit.errors import ValidationError
from crmkit.frames import semantics as sem
from crmkit.frames.records import normalise_value, read_field

__all__ = ["Node", "RecordSource", "Value", "bind_all", "expected_types", "source"]

_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
#: Value types a record field is used as it is (every other value goes through
#: :func:`crmkit.frames.normalise_value`, which turns Money and enum members into values).
_PLAIN = frozenset({int, float, str, bool, type(None), Decimal, dt.date, dt.datetime})
_NONE = type(None)
#: Constant types no missing value (None, NaN) equals and that None cannot be ordered with.
_SELF_MISSING = frozenset({int, str, bool, float, Decimal})
#: Constants written into the source as literals (their ``repr`` reads back as the same value).
_LITERAL_TYPES = (int, str, bool)


@runtime_checkable
class Node(Protocol):
    """An expression node the records engine can compile (every :class:`~crmkit.frames.Expr`).

    Examples:
        >>> from crmkit.frames import col
        >>> from crmkit.frames.record_function import Node
        >>> isinstance(col("a") > 1, Node), isinstance("a", Node)
        (True, False)
    """

    def _write(self, source: RecordSource) -> Value: ...


class Value:
    """A value in the generated code: its source text and, when fixed, the value itself.

    ``test`` says the text is ``True`` / ``False`` already; ``day`` that it is a day number or
    ``None`` (so "missing" is ``is None``).

    Examples:
        >>> from crmkit.frames.record_function import Value
        >>> Value("v1").text
        'v1'
    """

    __slots__ = ("day", "known", "test", "text", "value")

    def __init__(
        self,
        text: str,
        known: bool = False,
        value: Any = None,
        *,
        test: bool = False,
        day: bool = False,
    ) -> None:
        self.text, self.known, self.value, self.test, self.day = text, known, value, test, day


class RecordSource:
    """Writes the statements of one record function (the argument is called ``row``).

    :meth:`value` and :meth:`test` write an expression and give the text holding its value;
    :meth:`emit`, :meth:`block` and :meth:`constant` let a caller write its own statements
    around them; :meth:`function` compiles the result.

    Examples:
        >>> from crmkit.frames import Context, col
        >>> from crmkit.frames.record_function import RecordSource
        >>> src = RecordSource(Context(), mapping=True)
        >>> big = src.test(col("n") > 10)
        >>> src.function(f"({big}, {src.value(col('n'))})")({"n": 12})
        (True, 12)
    """

    def __init__(self, ctx: sem.Context, *, mapping: bool) -> None:
        self.ctx = ctx
        self.mapping = mapping
        self.lines: list[str] = []
        self.depth = 1
        self.count = 0
        #: field name (or a derived value's key) → the local holding it, in the current block
        self.fields: dict[str, str] = {}
        #: a test's local → how :meth:`when` jumps on it directly (:class:`_Jump`)
        self.jumps: dict[str, _Jump] = {}
        self.names: dict[str, Any] = {
            "PLAIN": _PLAIN,
            "NEVER_NAN": sem.NEVER_NAN,
            "normalise": normalise_value,
            "all_plain": _PLAIN.issuperset,
            "normalise_all": _normalise_all,
            "read_field": read_field,
            "is_missing": sem.is_missing,
            "mix_numbers": sem.mix_numbers,
            "truth_of": sem.truth,
            "calendar_day": sem.calendar_day,
            "compare_error": sem.compare_error,
            "arithmetic_error": sem.arithmetic_error,
            "date": dt.date,
            "EPOCH": _EPOCH_ORDINAL,
            "Decimal": Decimal,
            "ctx": ctx,
        }

    # -- writing -----------------------------------------------------------------------------
    def emit(self, line: str) -> None:
        """Write one statement at the current indentation."""
        self.lines.append("    " * self.depth + line)

    @contextmanager
    def block(self) -> Iterator[None]:
        """Statements written inside are indented one level (after an ``if …:`` the caller
        emitted); what is computed inside is forgotten afterwards."""
        fields = dict(self.fields)
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1
            self.fields = fields

    def local(self) -> str:
        """A fresh local name."""
        self.count += 1
        return f"v{self.count}"

    def constant(self, value: Any) -> Value:
        """A fixed value: a literal when its ``repr`` reads back exactly, else a bound name."""
        if type(value) in _LITERAL_TYPES or (type(value) is float and math.isfinite(value)):
            return Value(repr(value), True, value)
        return Value(self.opaque(value), True, value)

    def opaque(self, value: Any) -> str:
        """A name the generated code reads ``value`` by."""
        name = f"k{len(self.names)}"
        self.names[name] = value
        return name

    def missing(self, v: Value) -> str:
        """The test "``v`` is missing" (:func:`crmkit.frames.semantics.is_missing`), computed
        once per value and block."""
        if v.known:
            return repr(sem.is_missing(v.value))
        key = f"missing {v.text}"
        if key not in self.fields:
            out = self.fields[key] = self.local()
            if v.day:
                self.emit(f"{out} = {v.text} is None")
            else:
                self.emit(f"{out} = {sem.MISSING.format(v=v.text)}")
        return self.fields[key]

    def truth(self, v: Value) -> str:
        """The text of ``v``'s truth (:func:`crmkit.frames.semantics.truth`)."""
        if v.test:  # compiled tests are True / False already
            return v.text
        if v.known:
            return repr(sem.truth(v.value))
        return f"truth_of({v.text})"

    def when(self, expr: Node, statement: str) -> None:
        """Write ``expr`` and the statement ``if <expr holds>: <statement>``.

        ``statement`` is one simple statement that cannot raise (such as ``code |= 4``).
        When ``expr`` is a comparison with a constant or a membership test, its test is
        jumped on directly (``if a >= 50: code |= 4`` inside the ``try`` that handles a
        missing value) instead of stored in a local and tested after: the same truth, one
        ``bool`` of the comparison either way.

        Examples:
            >>> from crmkit.frames import Context, col
            >>> from crmkit.frames.record_function import RecordSource
            >>> src = RecordSource(Context(), mapping=True)
            >>> src.emit("code = 0")
            >>> src.when(col("n") >= 10, "code |= 1")
            >>> print(src.text("code").splitlines()[8])
                    if v1 >= 10: code |= 1
            >>> src.function("code")({"n": 12}), src.function("code")({"n": None})
            (1, 0)
        """
        v = self.write(expr)
        unset: list[int] = []
        if v.test and not v.known and self._jump(v.text, statement, len(self.lines), unset):
            for index in sorted(unset, reverse=True):
                del self.lines[index]
            return
        self.emit(f"if {self.truth(v)}: {statement}")

    def _jump(self, local: str, statement: str, end: int, unset: list[int]) -> bool:
        """Rewrite the lines of the test in ``local`` (complete when ``end`` lines were
        written) to run ``statement`` where it holds; the lines to drop go to ``unset``.
        False (nothing rewritten) when the test cannot be jumped on."""
        jump = self.jumps.get(local)
        if jump is None or jump.end != end:
            return False
        for index, text, then in jump.lines:
            line = self.lines[index]
            indent = line[: len(line) - len(line.lstrip())]
            self.lines[index] = f"{indent}{text} {statement}" if then else f"{indent}{text}"
        unset.extend(jump.unset)
        if jump.inner is not None:  # the right side of & / |, inside its block
            inner, last, truth = jump.inner
            if inner and self._jump(inner, statement, last, unset):
                unset.append(last)
            else:
                line = self.lines[last]
                indent = line[: len(line) - len(line.lstrip())]
                self.lines[last] = f"{indent}if {truth}: {statement}"
        return True

    def value(self, expr: Node) -> str:
        """Write ``expr``; the text of its value."""
        return self.write(expr).text

    def test(self, expr: Node) -> str:
        """Write ``expr``; the text of whether it holds (``True`` / ``False``)."""
        return self.truth(self.write(expr))

    def write(self, expr: Node) -> Value:
        """Write ``expr`` (it writes itself through the methods below)."""
        if not isinstance(expr, Node):
            raise ValidationError.single("exprs", expr, "must be expressions built with col()")
        return expr._write(self)

    def function(self, result: str, name: str = "record_function") -> Callable[[Any], Any]:
        """Compile the statements written so far, returning ``result``, as ``name(row)``."""
        text = self.text(result, name)
        namespace = dict(self.names)
        exec(_code(text), namespace)
        function: Callable[[Any], Any] = namespace[name]
        return function

    def text(self, result: str, name: str = "record_function") -> str:
        """The source of :meth:`function`."""
        return "\n".join([f"def {name}(row):", *self.lines, f"    return {result}"])

    # -- nodes -------------------------------------------------------------------------------
    def column(self, name: str) -> Value:
        """A field of the record, read once per block and normalised like a frame column."""
        if name in self.fields:
            return Value(self.fields[name])
        out = self.local()
        self.fields[name] = out
        if self.mapping:
            self.emit("try:")
            self.emit(f"    {out} = row[{name!r}]")
            self.emit("except KeyError:")
        else:
            attribute = name.isidentifier() and not keyword.iskeyword(name)
            read = f"row.{name}" if attribute and not name.startswith("__") else (
                f"getattr(row, {name!r})")  # fmt: skip
            self.emit("try:")
            self.emit(f"    {out} = {read}")
            self.emit("except AttributeError:")
        # read_field raises the error naming the field (or reads what the record answers)
        self.emit(f"    {out} = read_field(row, {name!r})")
        self.emit(f"if {out}.__class__ not in PLAIN: {out} = normalise({out})")
        return Value(out)

    def read_fields(self, names: Sequence[str], *, sample: Sequence[Any] = ()) -> None:
        """Read several fields of the record in one C call (``itemgetter`` / ``attrgetter``),
        normalised as :meth:`column` reads each; later reads of these fields reuse them.

        A record without one of them is read field by field, as :meth:`column` does, so the
        error names the first missing field. With ``sample`` (records of the kind the
        function will read), the types their values have are tested first, one identity test
        per field (:func:`expected_types`); a record whose values have other types takes the
        general check of every value's type. Either way the same values are normalised.
        """
        names = [name for name in dict.fromkeys(names) if name not in self.fields]
        if len(names) < 2 or (not self.mapping and any("." in name for name in names)):
            for name in names:  # (attrgetter would follow a dotted name as a path)
                self.column(name)
            return
        getter = self.opaque(itemgetter(*names) if self.mapping else attrgetter(*names))
        reader = self.opaque(functools.partial(_read_each, names=tuple(names)))
        values = self.local()
        self.emit("try:")
        self.emit(f"    {values} = {getter}(row)")
        self.emit(f"except {'KeyError' if self.mapping else 'AttributeError'}:")
        self.emit(f"    {values} = {reader}(row)")
        outs = [self.local() for _ in names]
        unpack = f"{', '.join(outs)}, ="
        general = f"if not all_plain(map(type, {values})):"
        expected = expected_types(sample, names, mapping=self.mapping)
        if expected is None:
            self.emit(f"{general} {values} = normalise_all({values})")
            self.emit(f"{unpack} {values}")
        else:  # the sample's types first; only a record with others takes the general check
            self.emit(f"{unpack} {values}")
            guards = [
                self._type_guard(out, kinds) for out, kinds in zip(outs, expected, strict=True)
            ]
            self.emit(f"if not ({' and '.join(guards)}):")
            self.emit(f"    {general} {unpack} normalise_all({values})")
        self.fields.update(zip(names, outs, strict=True))

    def _type_guard(self, out: str, kinds: tuple[type, ...]) -> str:
        """The test "``out`` has one of these (plain) types", ``None`` tested last by identity."""
        tests = [f"type({out}) is {self.opaque(kind)}" for kind in kinds if kind is not _NONE]
        if _NONE in kinds:
            tests.append(f"{out} is None")
        return tests[0] if len(tests) == 1 else f"({' or '.join(tests)})"

    def as_of_day(self, resolve: Callable[[sem.Context], int]) -> Value:
        """The as-of day moved by an offset, resolved now (or, without an as-of date, when a
        record needs it, which raises the error)."""
        try:
            return self.constant(resolve(self.ctx))
        except ValidationError:
            out = self.local()
            self.emit(f"{out} = {self.opaque(resolve)}(ctx)")
            return Value(out, day=True)

    def day_constant(self, number: int | None) -> Value:
        """A fixed day number."""
        value = self.constant(number)
        value.day = True
        return value

    def calendar_day(self, operand: Node, where: str) -> Value:
        """The UTC calendar day of a date/datetime value (:func:`semantics.calendar_day`)."""
        a = self.write(operand)
        if a.known:  # a fixed value: its day now, or the error when a record needs it
            try:
                return self.day_constant(sem.calendar_day(a.value, where))
            except ValidationError:
                a = Value(self.opaque(a.value))
        key = f"day {a.text}"
        if key in self.fields:
            return Value(self.fields[key], day=True)
        out = self.fields[key] = self.local()
        self.emit(f"if {a.text} is None: {out} = None")
        self.emit(f"elif {a.text}.__class__ is date: {out} = {a.text}.toordinal() - EPOCH")
        self.emit(f"else: {out} = calendar_day({a.text}, {where!r})")
        return Value(out, day=True)

    def _operands(self, left: Value, right: Value) -> tuple[str, str, list[str]] | None:
        """Texts of both operands mixed like :func:`semantics.mix_numbers`, and the missing
        tests still to make; None when a fixed operand is missing (the result is fixed)."""
        tests = []
        for side in (left, right):
            if side.known:
                if sem.is_missing(side.value):
                    return None
            else:
                tests.append(self.missing(side))
        a, b = left.text, right.text
        if left.known and right.known:
            x, y = sem.mix_numbers(left.value, right.value)
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
        self.emit(f"{a2}, {b2} = mix_numbers({a}, {b})")
        return a2, b2, tests

    def compare(self, left_node: Node, op: str, right_node: Node, where: str) -> Value:
        """``left <op> right`` (:func:`semantics.compare`)."""
        left, right = self.write(left_node), self.write(right_node)
        out = self.local()
        if (
            right.known
            and not left.known
            and type(right.value) in _SELF_MISSING
            and not sem.is_missing(right.value)
            and op != "!="
        ):
            return self._compare_constant(left, op, right, where, out)
        operands = self._operands(left, right)
        if operands is None:  # a fixed missing operand: never true
            self.emit(f"{out} = False")
            return Value(out, test=True)
        a, b, tests = operands
        test = f"True if {a} {op} {b} else False"
        self.emit("try:")
        if tests:
            self.emit(f"    {out} = False if {' or '.join(tests)} else ({test})")
        else:
            self.emit(f"    {out} = {test}")
        self.emit("except TypeError:")
        self.emit(f"    raise compare_error({where!r}, {a}, {b}) from None")
        return Value(out, test=True)

    def _compare_constant(self, left: Value, op: str, right: Value, where: str, out: str) -> Value:
        """``value <op> constant`` without a missing test first: a missing value (None or
        NaN) is never equal to an int, str, float or Decimal constant, NaN is never ordered
        and a TypeError is the missing case when the value is missing (None cannot be
        ordered). A day number (``None`` or an ``int``) and an ``int`` constant: the missing
        day is tested first, as nothing else can stop the comparison."""
        a, b = left.text, right.text
        if left.day and type(right.value) is int:
            self.emit(f"{out} = False if {a} is None else ({a} {op} {b})")
            end = len(self.lines)
            self.jumps[out] = _Jump(
                ((end - 1, f"if {a} is not None and {a} {op} {b}:", True),), (), end
            )
            return Value(out, test=True)
        if isinstance(right.value, float):
            a = f"(float({a}) if isinstance({a}, Decimal) else {a})"
        elif isinstance(right.value, Decimal):
            b = f"(float({b}) if isinstance({left.text}, float) else {b})"
        self.emit("try:")
        self.emit(f"    {out} = True if {a} {op} {b} else False")
        self.emit("except TypeError:")
        self.emit(f"    if not is_missing({left.text}):")
        self.emit(f"        raise compare_error({where!r}, {a}, {b}) from None")
        self.emit(f"    {out} = False")
        end = len(self.lines)
        self.jumps[out] = _Jump(((end - 5, f"if {a} {op} {b}:", True),), (end - 1,), end)
        return Value(out, test=True)

    def is_in(self, operand: Node, values: tuple[Any, ...]) -> Value:
        """Membership in fixed values; false for a missing value."""
        a = self.write(operand)
        choices = self.opaque(values)
        try:
            container = self.opaque(frozenset(values))
        except TypeError:  # unhashable choices: look them up one by one
            container = choices
        out = self.local()
        if not a.known and container != choices and not any(map(sem.is_missing, values)):
            # no missing choice: a missing value (None, NaN) is in none of them
            self.emit("try:")
            self.emit(f"    {out} = {a.text} in {container}")
            self.emit("except TypeError:")  # an unhashable value: compared with each choice
            self.emit(f"    {out} = {a.text} in {choices}")
            end = len(self.lines)
            tests = (
                (end - 3, f"if {a.text} in {container}:", True),
                (end - 1, f"if {a.text} in {choices}:", True),
            )
            self.jumps[out] = _Jump(tests, (), end)
            return Value(out, test=True)
        missing = self.missing(a)
        self.emit("try:")
        self.emit(f"    {out} = False if {missing} else ({a.text} in {container})")
        self.emit("except TypeError:")  # an unhashable value: compared with each choice
        self.emit(f"    {out} = {a.text} in {choices}")
        return Value(out, test=True)

    def is_null(self, operand: Node) -> Value:
        """Whether the value is missing."""
        a = self.write(operand)
        out = self.local()
        self.emit(f"{out} = True if {self.missing(a)} else False")
        return Value(out, test=True)

    def both(self, left_node: Node, right_node: Node, *, every: bool) -> Value:
        """``left & right`` (``every``) or ``left | right``; the right side only when needed."""
        a = self.write(left_node)
        out = self.local()
        first = len(self.lines)
        self.emit(f"{out} = {self.truth(a)}")
        self.emit(f"if {'' if every else 'not '}{out}:")
        with self.block():
            b = self.write(right_node)
            self.emit(f"{out} = {self.truth(b)}")
        # for when(): "if a: <b, then the statement where b holds>" (&), or
        # "if a: statement / else: <b, then the statement where b holds>" (|)
        lines = (
            ((first + 1, f"if {self.truth(a)}:", False),)
            if every
            else ((first, f"if {self.truth(a)}:", True), (first + 1, "else:", False))
        )
        inner = (b.text if b.test and not b.known else "", len(self.lines) - 1, self.truth(b))
        self.jumps[out] = _Jump(lines, (first,) if every else (), len(self.lines), inner)
        return Value(out, test=True)

    def negate(self, operand: Node) -> Value:
        """``~operand``: a test on a missing value is false, so its negation is true."""
        a = self.write(operand)
        out = self.local()
        self.emit(f"{out} = not {self.truth(a)}")
        end = len(self.lines)
        self.jumps[out] = _Jump(((end - 1, f"if not {self.truth(a)}:", True),), (), end)
        return Value(out, test=True)

    def arithmetic(self, left_node: Node, op: str, right_node: Node, where: str) -> Value:
        """``left <op> right`` for ``+ - * /`` (:func:`semantics.arithmetic`)."""
        left, right = self.write(left_node), self.write(right_node)
        out = self.local()
        operands = self._operands(left, right)
        if operands is None:  # a fixed missing operand: always missing
            self.emit(f"{out} = None")
            return Value(out)
        a, b, tests = operands
        divide = f"None if {b} == 0 else {a} / {b}"
        result = divide if op == "/" else f"{a} {op} {b}"
        self.emit("try:")
        if tests:
            self.emit(f"    {out} = None if {' or '.join(tests)} else ({result})")
        else:
            self.emit(f"    {out} = {result}")
        self.emit("except TypeError:")
        self.emit(f"    raise arithmetic_error({where!r}, {a}, {b}, {op!r}) from None")
        return Value(out)

    def fill_null(self, operand: Node, replacement: Node) -> Value:
        """The value, or the replacement when it is missing."""
        a = self.write(operand)
        out = self.local()
        self.emit(f"{out} = {a.text}")
        self.emit(f"if {self.missing(a)}:")
        with self.block():
            b = self.write(replacement)
            self.emit(f"{out} = {b.text}")
        return Value(out)

    def conditional(self, branches: Sequence[tuple[Node, Node]], default: Node | None) -> Value:
        """The value of the first branch whose test holds, else the default (or missing)."""
        out, done = self.local(), self.local()
        self.emit(f"{out} = None")
        self.emit(f"{done} = False")
        for test, value in branches:  # flat: one "if not done" block per branch
            self.emit(f"if not {done}:")
            with self.block():
                t = self.write(test)
                self.emit(f"if {self.truth(t)}:")
                with self.block():
                    v = self.write(value)
                    self.emit(f"{out} = {v.text}")
                    self.emit(f"{done} = True")
        if default is not None:
            self.emit(f"if not {done}:")
            with self.block():
                d = self.write(default)
                self.emit(f"{out} = {d.text}")
        return Value(out)


class _Jump(NamedTuple):
    """How :meth:`RecordSource.when` jumps on a test directly: the lines (by index) that
    become ``text`` (followed by the statement when the bool says so); the lines dropped (that
    store ``False`` or the left side's truth in the local); the number of lines written when
    the test was complete (a later line might read the local); for ``&`` / ``|``, the right
    side's local (empty when it cannot be jumped on), the index of the line storing its
    truth, and that truth."""

    lines: tuple[tuple[int, str, bool], ...]
    unset: tuple[int, ...]
    end: int
    inner: tuple[str, int, str] | None = None


def _read_each(row: Any, *, names: tuple[str, ...]) -> tuple[Any, ...]:
    """The fields of a record one by one, as :meth:`RecordSource.column` reads each (the
    error names the first missing field)."""
    mapping = isinstance(row, Mapping)
    out = []
    for name in names:
        try:
            value = row[name] if mapping else getattr(row, name)
        except (KeyError, AttributeError):
            value = read_field(row, name)
        out.append(value)
    return tuple(out)


def expected_types(
    sample: Sequence[Any], names: Sequence[str], *, mapping: bool
) -> list[tuple[type, ...]] | None:
    """Per field, the value types the ``sample`` records have, most frequent first (``None``'s
    type last): what :meth:`RecordSource.read_fields` tests first. ``None`` when there is
    nothing to go by: no sample, a record without one of the fields (or whose field raises
    when read: the function reading it raises the error), a value of a type that is not used
    as it is, or more than three types in one field.

    Examples:
        >>> from crmkit.frames.record_function import expected_types
        >>> rows = [{"n": 1, "s": "a"}, {"n": None, "s": "b"}, {"n": 2.5, "s": "c"}]
        >>> expected_types(rows, ["n", "s"], mapping=True)
        [(<class 'int'>, <class 'float'>, <class 'NoneType'>), (<class 'str'>,)]
        >>> expected_types([{"n": 1}], ["n", "s"], mapping=True) is None
        True
    """
    if not sample:
        return None
    counts: list[dict[type, int]] = [{} for _ in names]
    for row in sample:
        for seen, name in zip(counts, names, strict=True):
            try:
                kind = type(row[name] if mapping else getattr(row, name))
            except Exception:  # (a hint only: the record function reads it and raises)
                return None
            seen[kind] = seen.get(kind, 0) + 1
    out = []
    for seen in counts:
        if not _PLAIN.issuperset(seen) or len(seen) > 3:
            return None
        out.append(tuple(sorted(seen, key=lambda kind: (kind is _NONE, -seen[kind]))))
    return out


def _normalise_all(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """Each value as :meth:`RecordSource.column` normalises it."""
    return tuple(v if v.__class__ in _PLAIN else normalise_value(v) for v in values)


@functools.lru_cache(maxsize=512)
def _code(text: str) -> CodeType:
    """The compiled source, registered with linecache under a name made from its digest."""
    digest = hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:12]
    return code(text, f"<crmkit record function {digest}>")


def source(exprs: Sequence[Node], ctx: sem.Context, *, mapping: bool) -> tuple[str, dict[str, Any]]:
    """The Python source of the record function of ``exprs`` and the names it uses.

    Examples:
        >>> from crmkit.frames import Context, col
        >>> from crmkit.frames.record_function import source
        >>> text, _ = source([col("n") > 1], Context(), mapping=True)
        >>> print(text.splitlines()[2])
                v1 = row['n']
    """
    writer = RecordSource(ctx, mapping=mapping)
    results = [writer.value(expr) for expr in exprs]
    return writer.text(f"({', '.join(results)},)"), writer.names


def _compile(exprs: Sequence[Node], ctx: sem.Context, mapping: bool) -> Callable[[Any], Any]:
    writer = RecordSource(ctx, mapping=mapping)
    results = [writer.value(expr) for expr in exprs]
    return writer.function(f"({', '.join(results)},)")


def bind_all(
    exprs: Iterable[Node],
    context: sem.Context | dt.date | None = None,
    *,
    fallback: bool = True,
) -> Callable[[Any], tuple[Any, ...]]:
    """One compiled function giving the values of all ``exprs`` for a record, as a tuple.

    Equivalent to ``tuple(e.evaluate(record, context) for e in exprs)``. A record without a
    field an expression reads, or with values the rule language cannot compare or combine,
    raises :class:`~crmkit.errors.ValidationError` naming the field. ``fallback`` is accepted
    for compatibility and has no effect (the compiled code raises the typed error itself).

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
    del fallback  # the compiled code is the only evaluator
    ctx = sem.as_context(context)
    items = tuple(exprs)
    for item in items:
        if not isinstance(item, Node):
            raise ValidationError.single("exprs", item, "must be expressions built with col()")
    made: dict[bool, Callable[[Any], Any]] = {}
    by_type: dict[type, Callable[[Any], Any]] = {}

    def function_for(row: Any) -> Callable[[Any], Any]:
        mapping = isinstance(row, Mapping)
        if mapping not in made:
            made[mapping] = _compile(items, ctx, mapping)
        by_type[row.__class__] = made[mapping]
        return made[mapping]

    def values(row: Any) -> tuple[Any, ...]:
        fast = by_type.get(row.__class__) or function_for(row)
        result: tuple[Any, ...] = fast(row)
        return result

    return values
