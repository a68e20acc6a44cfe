"""Compiled record functions (the records engine) give exactly what the tree-walking oracle
gives, and raise the typed errors themselves."""

from __future__ import annotations

import datetime as dt
import enum
import math
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit.domain import Money
from crmkit.errors import ValidationError
from crmkit.frames import Context, Expr, as_of, bind_all, col, day_number, evaluate, lit, when
from crmkit.frames.record_function import RecordSource, expected_types, source
from tests.frames.oracle import walk_all

AS_OF = dt.date(2024, 12, 31)


class Tier(enum.Enum):
    GOLD = "gold"
    SILVER = "silver"


@attrs.define
class Row:
    n: Any
    x: Any
    d: Any
    tag: Any
    at: Any


numbers = st.one_of(
    st.none(),
    st.integers(-5, 9),
    st.sampled_from([0.5, 2.5, -1.0, 0.0, math.nan]),
    st.sampled_from([Decimal("2.5"), Decimal("0"), Decimal("7")]),
)
records = st.fixed_dictionaries(
    {
        "n": numbers,
        "x": st.one_of(st.none(), st.sampled_from([0.5, 2.5, 4.0, math.nan])),
        "d": st.one_of(
            st.none(), st.sampled_from([Money("2.50", "SEK"), Money("0", "SEK"), Decimal("1.5")])
        ),
        "tag": st.one_of(st.none(), st.sampled_from(["a", "b", "gold"]), st.just(Tier.GOLD)),
        "at": st.one_of(
            st.none(),
            st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2025, 3, 1)),
            st.datetimes(
                min_value=dt.datetime(2023, 1, 1),
                max_value=dt.datetime(2025, 3, 1),
                timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=-5))]),
            ),
        ),
    }
)

constants = st.one_of(
    st.integers(-3, 8), st.sampled_from([2.5, 0.0, Decimal("2.5"), Decimal("0")]), st.none()
)
numeric_leaves = st.one_of(st.sampled_from([col("n"), col("x"), col("d")]), constants.map(lit))


def _numeric(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    return st.one_of(
        st.tuples(children, st.sampled_from("+-*/"), children).map(
            lambda t: {"+": t[0] + t[2], "-": t[0] - t[2], "*": t[0] * t[2], "/": t[0] / t[2]}[t[1]]
        ),
        st.tuples(children, constants).map(lambda t: t[0].fill_null(t[1])),
    )


numeric = st.recursive(numeric_leaves, _numeric, max_leaves=4)
ops = st.sampled_from(["==", "!=", "<", "<=", ">", ">="])


def _compare(left: Expr, op: str, right: Any) -> Expr:
    return {
        "==": left == right,
        "!=": left != right,
        "<": left < right,
        "<=": left <= right,
        ">": left > right,
        ">=": left >= right,
    }[op]


test_leaves = st.one_of(
    st.builds(_compare, numeric, ops, st.one_of(numeric, constants)),
    st.builds(
        lambda values: col("tag").is_in(values),
        st.lists(st.sampled_from(["a", "b", "gold", "silver", None]), max_size=3),
    ),
    st.builds(lambda e: e.is_null(), st.one_of(numeric, st.just(col("at")))),
    st.builds(lambda lo, hi: col("n").between(lo, hi), st.integers(-2, 4), st.integers(3, 9)),
    st.builds(
        lambda days, op: _compare(col("at"), op, as_of(days=-days)), st.integers(0, 400), ops
    ),
    st.builds(
        lambda day: col("at") >= day,
        st.dates(min_value=dt.date(2023, 6, 1), max_value=dt.date(2025, 1, 1)),
    ),
)


def _tests(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    return st.one_of(
        st.tuples(children, children).map(lambda t: t[0] & t[1]),
        st.tuples(children, children).map(lambda t: t[0] | t[1]),
        children.map(lambda t: ~t),
    )


tests = st.recursive(test_leaves, _tests, max_leaves=5)
values = st.one_of(
    tests,
    numeric,
    st.just(col("at").days_before_as_of()),
    st.builds(
        lambda t1, v1, t2, default: when(t1).then(v1).when(t2).then("second").otherwise(default),
        tests,
        numeric,
        tests,
        constants,
    ),
    st.builds(lambda t, v: when(t).then(v), tests, numeric),  # no default: missing
)


def _outcome(function: Any, row: Any) -> tuple[str, Any]:
    try:
        return "value", function(row)
    except ValidationError as error:
        return "error", str(error)
    except Exception as error:  # the walker raised something else: compare the kinds
        return "raised", type(error).__name__


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and bool(a == b)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exprs=st.lists(values, min_size=1, max_size=3), rows=st.lists(records, max_size=6))
def test_compiled_functions_equal_the_tree_walker(exprs: list[Expr], rows: list[Any]) -> None:
    ctx = Context(as_of=AS_OF)
    compiled = bind_all(exprs, ctx)
    for row in rows:
        for record in (row, Row(**row)):  # read by key and by attribute
            want = _outcome(lambda r: walk_all(exprs, r, ctx), record)
            got = _outcome(compiled, record)
            assert got[0] == want[0], (exprs, record, got, want)
            assert _same(got[1], want[1]) if got[0] == "value" else got == want, (
                exprs,
                record,
                got,
                want,
            )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exprs=st.lists(values, min_size=1, max_size=3), rows=st.lists(records, max_size=6))
def test_evaluate_is_the_compiled_function(exprs: list[Expr], rows: list[Any]) -> None:
    # Expr.evaluate and evaluate() run the records engine: the same outcome as the oracle
    ctx = Context(as_of=AS_OF)
    for row in rows:
        want = _outcome(lambda r: walk_all(exprs, r, ctx), row)
        got = _outcome(lambda r: tuple(e.evaluate(r, ctx) for e in exprs), row)
        assert got[0] == want[0], (exprs, row, got, want)
        assert _same(got[1], want[1]) if got[0] == "value" else got == want, (exprs, row, got)
        for expr in exprs:
            listed = _outcome(lambda r, e=expr: evaluate(e, [r], ctx)[0], row)
            alone = _outcome(lambda r, e=expr: walk_all([e], r, ctx)[0], row)
            assert listed[0] == alone[0], (expr, row, listed, alone)


def test_missing_fields_and_bad_values_raise_what_the_walker_raises() -> None:
    rule = bind_all([col("n") > 1, col("at").day()])
    with pytest.raises(ValidationError, match=r"^n: is missing from the record"):
        rule({"at": None})
    with pytest.raises(ValidationError, match=r"at: 'x' is not a date or datetime"):
        rule({"n": 1, "at": "x"})
    with pytest.raises(ValidationError, match="cannot be compared"):
        rule({"n": "many", "at": None})
    with pytest.raises(ValidationError, match="as_of: None is required"):
        bind_all([col("at") >= as_of(days=-1)])({"at": dt.date(2024, 1, 1)})


def test_evaluate_compiles_long_inputs_and_names_the_record() -> None:
    rows = [{"n": i} for i in range(40)] + [{"m": 1}]
    with pytest.raises(ValidationError, match=r"^\[40\]\.n: is missing"):
        evaluate(col("n") >= 20, rows)
    assert evaluate(col("n") >= 20, rows[:40]) == [i >= 20 for i in range(40)]


def test_the_as_of_day_and_constants_are_resolved_once() -> None:
    text, _ = source([col("at") >= as_of(months=-12)], Context(as_of=AS_OF), mapping=True)
    assert "resolve" not in text
    assert "relativedelta" not in text
    assert f">= {day_number(dt.date(2023, 12, 31))})" in text  # fixed in advance


def test_many_segments_compile_without_deep_nesting() -> None:
    chain = when(col("n") == 0).then("s0")
    for i in range(1, 150):
        chain = chain.when(col("n") == i).then(f"s{i}")
    rule = chain.otherwise("other")
    assert evaluate(rule, [{"n": i} for i in (0, 75, 149, 500)] * 5)[:4] == [
        "s0",
        "s75",
        "s149",
        "other",
    ]


@pytest.mark.parametrize(
    ("expr", "record", "want"),
    [
        (col("d") == 0.1, {"d": Decimal("0.1")}, True),  # Decimal meets float as a float
        (col("x") == Decimal("0.1"), {"x": 0.1}, True),
        (col("d") + 2.5, {"d": Money("1.5", "SEK")}, 4.0),
        (Decimal("0.5") * col("x"), {"x": 3.0}, 1.5),
        (col("d") / col("x"), {"d": Decimal("3"), "x": 1.5}, 2.0),
        (col("d") / 0, {"d": Decimal("3")}, None),
        (col("tag") == "gold", {"tag": Tier.GOLD}, True),  # enum members read as values
        (col("x").is_null(), {"x": math.nan}, True),
        (~(col("x") > 1), {"x": math.nan}, True),
    ],
)
def test_numbers_money_enums_and_nan_read_like_frame_columns(
    expr: Expr, record: dict[str, Any], want: Any
) -> None:
    got = bind_all([expr])(record)[0]
    assert got == want
    assert type(got) is type(want)
    assert expr.evaluate(record) == want


def _read_all(sample: list[Any], mapping: bool) -> Any:
    src = RecordSource(Context(as_of=AS_OF), mapping=mapping)
    names = ["at", "d", "n", "tag", "x"]
    src.read_fields(names, sample=sample)
    return src.function(f"({', '.join(src.value(col(name)) for name in names)},)")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sample=st.lists(records, max_size=5),
    rows=st.lists(records, min_size=1, max_size=6),
    objects=st.booleans(),
)
def test_fields_read_after_a_sample_of_types_are_the_fields_read_without(
    sample: list[dict[str, Any]], rows: list[dict[str, Any]], objects: bool
) -> None:
    """The types a sample's values have are tested first; values of any other type (Money,
    enum members, NaN, another plain type) are normalised as without a sample."""
    if objects:
        sample = [Row(**r) for r in sample]
        rows = [Row(**r) for r in rows]
    plain, sampled = _read_all([], not objects), _read_all(sample, not objects)
    for row in rows:
        assert _same(sampled(row), plain(row))


def test_expected_types_give_up_on_what_is_not_used_as_it_is() -> None:
    rows = [{"n": 1, "tag": "a"}, {"n": None, "tag": "b"}, {"n": 2, "tag": "c"}]
    assert expected_types(rows, ["n", "tag"], mapping=True) == [(int, type(None)), (str,)]
    assert expected_types([Row(1, 2.5, None, "a", None)], ["n", "x"], mapping=False) == [
        (int,),
        (float,),
    ]
    assert expected_types([], ["n"], mapping=True) is None  # nothing to go by
    assert expected_types([{"tag": Tier.GOLD}], ["tag"], mapping=True) is None  # an enum
    assert expected_types([{"tag": "a"}], ["n"], mapping=True) is None  # a missing field
    many = [{"n": v} for v in (1, 2.5, "x", Decimal(1))]  # more than three types
    assert expected_types(many, ["n"], mapping=True) is None
    # a money amount read after a sample of Decimals is still the amount
    function = _read_all([{"at": None, "d": Decimal(1), "n": 1, "tag": "a", "x": 0.5}], True)
    got = function({"at": None, "d": Money("2.50", "SEK"), "n": 1, "tag": Tier.GOLD, "x": 0.5})
    assert got == (None, Decimal("2.50"), 1, "gold", 0.5)


def test_a_sample_whose_field_raises_when_read_is_no_hint() -> None:
    class Broken:
        @property
        def n(self) -> int:
            raise ValidationError.single("n", None, "cannot be read")

    assert expected_types([Broken()], ["n"], mapping=False) is None
