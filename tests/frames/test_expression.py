from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit.domain import Money
from crmkit.errors import ValidationError
from crmkit.frames import (
    Context,
    Expr,
    as_of,
    col,
    date_of_day_number,
    day_number,
    evaluate,
    filter_rows,
    lit,
    when,
    with_columns,
)
from tests.engines import FAST_ENGINES, rows_of

AS_OF = dt.date(2024, 12, 31)
COLUMNS = ["id", "n", "x", "tag", "at"]

EXPRESSIONS = {
    "compare": col("n") > 3,
    "not_null_compare": ~(col("x") >= 2.5),
    "membership": col("tag").is_in(["a", "b"]),
    "membership_with_missing": col("tag").is_in(["a", None]),  # a missing tag is in no set
    "membership_of_missing": col("x").is_in([None, float("nan")]),
    "range": col("n").between(2, 6, closed="left"),
    "and_or": ((col("n") >= 5) & (col("tag") == "a")) | col("x").is_null(),
    "arith": (col("n") * 2 + 1) - col("n"),
    "division": col("n") / (col("n") - 4),
    "fill": col("x").fill_null(-1.0),
    "relative": col("at") >= as_of(months=-12),
    "days": col("at").days_before_as_of(),
    "when": when(col("n") > 6).then("hi").when(col("tag").is_in(["c"])).then("c").otherwise("lo"),
    "when_missing_member": when(col("tag").is_in(["c", None])).then("c").otherwise("lo"),
}

rows_strategy = st.lists(
    st.fixed_dictionaries(
        {
            "n": st.integers(0, 9),
            "x": st.one_of(st.none(), st.sampled_from([0.5, 2.5, 4.0])),
            "tag": st.one_of(st.none(), st.sampled_from(["a", "b", "c"])),
            "at": st.datetimes(min_value=dt.datetime(2023, 6, 1), max_value=dt.datetime(2025, 1, 2),
                               timezones=st.just(dt.UTC)),
        }
    ),
    max_size=20,
).map(
    lambda rows: [{"id": i, **r} for i, r in enumerate(
        [{"n": 1, "x": 1.0, "tag": "a", "at": dt.datetime(2024, 1, 1, tzinfo=dt.UTC)}, *rows])]
)  # fmt: skip


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        return abs(float(a) - float(b)) < 1e-9
    return bool(a == b)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=rows_strategy)
def test_every_expression_means_the_same_on_records_and_frames(rows: list[dict[str, Any]]) -> None:
    ctx = Context(as_of=AS_OF)
    expected = {name: evaluate(expr, rows, ctx) for name, expr in EXPRESSIONS.items()}
    for engine, build in FAST_ENGINES.items():
        out = rows_of(with_columns(build(rows, COLUMNS), EXPRESSIONS, ctx), "id")
        out.sort(key=lambda r: r["id"])
        for name in EXPRESSIONS:
            got = [r[name] for r in out]
            assert all(_same(a, b) for a, b in zip(got, expected[name], strict=True)), (
                engine, name, got, expected[name])  # fmt: skip


def test_missing_values_make_tests_false_and_negation_true() -> None:
    row = {"x": None}
    assert (col("x") > 1).evaluate(row) is False
    assert (~(col("x") > 1)).evaluate(row) is True
    assert col("x").is_in([None]).evaluate(row) is False
    assert (col("x") + 1).evaluate(row) is None


def test_month_window_boundary_is_inclusive_and_uses_utc_days() -> None:
    rule = col("at") >= as_of(months=-12)
    on_boundary = dt.datetime(2023, 12, 31, 0, 0, tzinfo=dt.UTC)
    before = dt.datetime(2023, 12, 30, 23, 59, tzinfo=dt.UTC)
    # 00:30 on 31 Dec in UTC+2 is 30 Dec in UTC
    shifted = dt.datetime(2023, 12, 31, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert evaluate(rule, [{"at": on_boundary}, {"at": before}, {"at": shifted}], AS_OF) == [
        True, False, False]  # fmt: skip


def test_money_and_enums_are_read_like_frame_columns() -> None:
    import enum

    class Status(enum.Enum):
        EXISTING = "existing"

    row = {"turnover": Money("1500000", "SEK"), "status": Status.EXISTING}
    rule = (col("turnover") >= 1_000_000) & (col("status") == "existing")
    assert rule.evaluate(row) is True
    assert (col("turnover") * 2).evaluate(row) == Decimal("3000000")


def test_errors_name_the_record_and_field() -> None:
    with pytest.raises(ValidationError, match=r"\[1\]\.n: is missing"):
        evaluate(col("n") > 1, [{"n": 1}, {}])
    with pytest.raises(ValidationError, match="cannot be compared"):
        evaluate(col("n") > 1, [{"n": "x"}])
    with pytest.raises(TypeError, match="no truth value"):
        bool(col("n") > 1)


def test_filter_rows_keeps_lazy_frames_lazy() -> None:
    import polars as pl

    out = filter_rows(pl.LazyFrame({"n": [1, 5, 9]}), col("n") > 3)
    assert isinstance(out, pl.LazyFrame)
    assert out.collect()["n"].to_list() == [5, 9]
    with pytest.raises(ValidationError, match=r"frame\.m: is missing"):
        filter_rows(pl.LazyFrame({"n": [1]}), col("m") > 3)


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)))
def test_day_number_matches_the_frame_formula_and_round_trips(day: dt.date) -> None:
    import polars as pl

    from crmkit.frames import day_number_expr, from_native, narwhals

    nw = narwhals()
    frame = from_native(pl.DataFrame({"d": [day]}))
    assert frame.select(day_number_expr(nw.col("d")).alias("n"))["n"].to_list() == [
        day_number(day)]  # fmt: skip
    assert date_of_day_number(day_number(day)) == day


# -- generated expression trees: records engine == tree-walking oracle == every fast frame ----
_TREE_COLUMNS = ["id", "n", "x", "tag", "at"]
_int_or_none = st.one_of(st.none(), st.integers(-3, 9))
_tree_rows = st.lists(
    st.fixed_dictionaries(
        {
            "n": _int_or_none,
            "x": st.one_of(st.none(), st.sampled_from([0.5, 2.5, -1.0, 4.0])),
            "tag": st.one_of(st.none(), st.sampled_from(["a", "b", "c"])),
            "at": st.one_of(
                st.none(),
                st.datetimes(min_value=dt.datetime(2023, 6, 1), max_value=dt.datetime(2025, 1, 2),
                             timezones=st.just(dt.UTC)),
            ),
        }
    ),
    max_size=12,
).map(
    lambda rows: [{"id": i, **r} for i, r in enumerate(
        [{"n": 1, "x": 1.0, "tag": "a", "at": dt.datetime(2024, 1, 1, tzinfo=dt.UTC)}, *rows])]
)  # fmt: skip
_number_literals = st.one_of(
    st.integers(-3, 8), st.sampled_from([2.5, 0.0, -1.5, Decimal("2"), Decimal("1.5")])
)
_numbers = st.recursive(
    st.one_of(st.sampled_from([col("n"), col("x")]), _number_literals.map(lit)),
    lambda inner: st.one_of(
        st.builds(lambda a, op, b: {"+": a + b, "-": a - b, "*": a * b, "/": a / b}[op],
                  inner, st.sampled_from("+-*/"), inner),
        st.builds(lambda a, v: a.fill_null(v), inner, _number_literals),
    ),
    max_leaves=4,
)  # fmt: skip
_OPS = ["==", "!=", "<", "<=", ">", ">="]


def _compared(a: Any, op: str, b: Any) -> Any:
    return {"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


_tests_leaves = st.one_of(
    st.builds(_compared, _numbers, st.sampled_from(_OPS), st.one_of(_numbers, _number_literals)),
    st.builds(lambda v: col("tag").is_in(v), st.lists(st.sampled_from(["a", "b", "z"]), max_size=3)),
    st.builds(lambda op, v: _compared(col("tag"), op, v), st.sampled_from(["==", "!="]),
              st.sampled_from(["a", "c"])),
    st.builds(lambda e: e.is_null(), st.one_of(_numbers, st.just(col("tag")), st.just(col("at")))),
    st.builds(lambda days, op: _compared(col("at"), op, as_of(days=-days)),
              st.integers(0, 400), st.sampled_from(_OPS)),
    st.builds(lambda day, op: _compared(col("at"), op, day),
              st.dates(min_value=dt.date(2023, 6, 1), max_value=dt.date(2025, 1, 1)),
              st.sampled_from(_OPS)),
)  # fmt: skip


def junctions(leaves: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    """Tests built from ``leaves`` with ``&``, ``|`` and ``~`` (up to five leaves)."""
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.builds(lambda a, b: a & b, inner, inner),
            st.builds(lambda a, b: a | b, inner, inner),
            inner.map(lambda a: ~a),
        ),
        max_leaves=5,
    )


_tree_tests = junctions(_tests_leaves)
_trees = st.one_of(
    _tree_tests,
    _numbers,
    st.just(col("at").days_before_as_of()),
    st.builds(lambda t, v, d: when(t).then(v).otherwise(d), _tree_tests, _numbers, _numbers),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees=st.lists(_trees, min_size=1, max_size=4), rows=_tree_rows)
def test_generated_expression_trees_mean_the_same_everywhere(
    trees: list[Any], rows: list[dict[str, Any]]
) -> None:
    from tests.frames.oracle import walk

    ctx = Context(as_of=AS_OF)
    named = {f"e{i}": tree for i, tree in enumerate(trees)}
    for tree in named.values():
        records = evaluate(tree, rows, ctx)  # the records engine
        oracle = [walk(tree, row, ctx) for row in rows]
        assert all(_same(a, b) for a, b in zip(records, oracle, strict=True)), (
            tree, records, oracle)  # fmt: skip
    for engine, build in FAST_ENGINES.items():
        out = rows_of(with_columns(build(rows, _TREE_COLUMNS), named, ctx), "id")
        out.sort(key=lambda r: r["id"])
        for name, tree in named.items():
            got = [r[name] for r in out]
            want = [walk(tree, row, ctx) for row in rows]
            assert all(_same(a, b) for a, b in zip(got, want, strict=True)), (
                engine, tree, got, want)  # fmt: skip
