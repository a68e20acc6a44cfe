"""Tests compiled as SQL conditions (``Expr.compile_condition``) on DuckDB and PySpark.

A condition (``when``, a filter) counts null as false there, so the comparisons, memberships,
``&`` and ``|`` of a test are compiled without ``COALESCE(…, FALSE)`` each, and the day of a
``DATE`` column against a fixed day is the column against that date. These tests hold both to
the records engine: the same rows hold, with missing values, negations and either side of a
date comparison; and the compiled test (``compile``) still gives true/false, never null.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit.frames import (
    Context,
    as_of,
    col,
    column_types,
    evaluate,
    filter_rows,
    from_native,
    lit,
    narwhals,
    to_native,
    with_columns,
)
from tests.backends import spark_analyzed_plan
from tests.engines import rows_of, to_frame
from tests.frames.test_expression import _tree_rows, _tree_tests, junctions

AS_OF = dt.date(2025, 1, 1)
SCHEMA = {"id": pl.Int64, "n": pl.Int64, "tag": pl.String, "day": pl.Date}
_OPS = ["==", "!=", "<", "<=", ">", ">="]


def _compared(a: Any, op: str, b: Any) -> Any:
    return {"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


_day_rows = st.lists(
    st.fixed_dictionaries(
        {
            "n": st.none() | st.integers(-2, 6),
            "tag": st.none() | st.sampled_from(["a", "b", "c"]),
            "day": st.none()
            | st.dates(min_value=dt.date(2024, 9, 1), max_value=dt.date(2025, 3, 1)),
        }
    ),
    max_size=12,
).map(
    lambda rows: [{"id": i, **r} for i, r in enumerate([{"n": 1, "tag": "a", "day": AS_OF}, *rows])]
)
_days = st.dates(min_value=dt.date(2024, 9, 1), max_value=dt.date(2025, 3, 1))
_day_leaves = st.one_of(
    st.builds(lambda k, op: _compared(col("day"), op, as_of(days=-k)),
              st.integers(-10, 120), st.sampled_from(_OPS)),
    st.builds(lambda d, op: _compared(col("day"), op, d), _days, st.sampled_from(_OPS)),
    # the date on the left: the column's day is the right-hand side
    st.builds(lambda d, op: _compared(lit(d), op, col("day")), _days, st.sampled_from(_OPS)),
    st.builds(lambda k, op: _compared(as_of(days=-k), op, col("day")),
              st.integers(0, 90), st.sampled_from(_OPS)),
    st.builds(lambda v, op: _compared(col("n"), op, v), st.integers(-1, 5), st.sampled_from(_OPS)),
    st.builds(lambda v: col("tag").is_in(v), st.lists(st.sampled_from(["a", "b", "z"]), max_size=3)),
    st.just(col("day").is_null()),
)  # fmt: skip
_day_tests = junctions(_day_leaves)


def _held(native: Any, test: Any, ctx: Context) -> tuple[list[int], list[int], list[Any]]:
    """The ids for which ``test`` holds as a ``when`` condition and as a filter, and the
    values of the compiled test (by id)."""
    frame = from_native(native)
    ctx = Context(as_of=ctx.as_of, schema=column_types(frame), implementation=frame.implementation)
    nw = narwhals()
    flag = nw.when(test.compile_condition(ctx)).then(nw.lit(1)).otherwise(nw.lit(0))
    flagged = rows_of(to_native(frame.select("id", flag.alias("hit"))), "id")
    if test.columns():
        kept = rows_of(filter_rows(native, test, ctx), "id")
    else:  # (narwhals filters by no constant-only expression, whatever crmkit compiles)
        kept = [r for r in flagged if r["hit"] == 1]
    values = rows_of(with_columns(native, {"t": test}, ctx), "id")
    return (
        sorted(r["id"] for r in flagged if r["hit"] == 1),
        sorted(r["id"] for r in kept),
        [r["t"] for r in sorted(values, key=lambda r: r["id"])],
    )


def _check(native: Any, test: Any, rows: list[dict[str, Any]], ctx: Context) -> None:
    truth = evaluate(test, rows, ctx)
    want = sorted(r["id"] for r, t in zip(rows, truth, strict=True) if t)
    flagged, kept, values = _held(native, test, ctx)
    assert flagged == want, (test, flagged, want)
    assert kept == want, (test, kept, want)
    assert values == truth, (test, values, truth)  # the compiled test: true/false, never null


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(test=_day_tests, rows=_day_rows)
def test_duckdb_conditions_on_date_columns_hold_where_the_records_engine_says(
    test: Any, rows: list[dict[str, Any]]
) -> None:
    _check(to_frame(rows, "duckdb", SCHEMA), test, rows, Context(as_of=AS_OF))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(test=_tree_tests, rows=_tree_rows)
def test_duckdb_conditions_of_generated_trees_hold_where_the_records_engine_says(
    test: Any, rows: list[dict[str, Any]]
) -> None:
    columns = ["id", "n", "x", "tag", "at"]
    ctx = Context(as_of=dt.date(2024, 12, 31))
    _check(to_frame(rows, "duckdb", columns), test, rows, ctx)


def test_duckdb_condition_has_no_coalesce_but_under_a_negation() -> None:
    rows = [{"id": 0, "n": 1, "tag": "a", "day": AS_OF}]
    frame = from_native(to_frame(rows, "duckdb", SCHEMA))
    ctx = Context(as_of=AS_OF, schema=column_types(frame), implementation=frame.implementation)
    test = ((col("n") >= 2) & col("tag").is_in(["a", "b"])) | (col("day") >= as_of(days=-30))
    nw = narwhals()
    sql = to_native(
        frame.select(nw.when(test.compile_condition(ctx)).then(1).otherwise(0).alias("hit"))
    ).sql_query()
    assert "COALESCE" not in sql
    assert "'2024-12-02'::DATE" in sql  # the date itself, not the column's day numbers
    assert "1970-01-01" not in sql
    negated = (~(col("n") >= 2)).compile_condition(ctx)
    sql = to_native(frame.select(nw.when(negated).then(1).otherwise(0).alias("hit"))).sql_query()
    assert sql.count("COALESCE") == 1  # NOT null is null: the negated test stays never null


def test_engines_without_sql_conditions_get_the_never_null_test() -> None:
    rows = [
        {"id": 0, "n": None, "tag": "a", "day": None},
        {"id": 1, "n": 3, "tag": None, "day": AS_OF},
    ]
    frame = from_native(to_frame(rows, "polars", SCHEMA))
    ctx = Context(as_of=AS_OF, schema=column_types(frame), implementation=frame.implementation)
    test = (col("n") >= 2) | (col("day") >= as_of(days=-1))
    got = frame.select(test.compile_condition(ctx).alias("t"))["t"].to_list()
    assert got == [False, True]


_SPARK_TESTS = [
    col("day") >= as_of(days=-30),
    lit(dt.date(2024, 12, 20)) > col("day"),
    ~(col("day") == dt.date(2024, 12, 25)),
    (col("day") != as_of()) & col("tag").is_in(["a", "b"]),
    (col("n") > 2) | ~(col("tag") == "a"),
    col("day").is_null() | (col("n") <= 0),
]


@pytest.mark.spark
def test_spark_conditions_hold_where_the_records_engine_says(
    spark: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    days = [None, dt.date(2024, 11, 30), dt.date(2024, 12, 2), dt.date(2024, 12, 25), AS_OF]
    rows = [
        {"id": i, "n": [None, 0, 3][i % 3], "tag": [None, "a", "b", "c"][i % 4], "day": days[i % 5]}
        for i in range(20)
    ]
    native = to_frame(rows, "spark", SCHEMA)
    for test in _SPARK_TESTS:
        _check(native, test, rows, Context(as_of=AS_OF))
    frame = from_native(native)
    ctx = Context(as_of=AS_OF, schema=column_types(frame), implementation=frame.implementation)
    test = (col("n") >= 2) & (col("day") >= as_of(days=-30))
    plan = spark_analyzed_plan(to_native(frame.filter(test.compile_condition(ctx))), capsys)
    assert "coalesce(" not in plan
    assert "ifnull(" not in plan  # (how the analyzed plan writes a two-argument coalesce)
    assert "dayofyear" not in plan  # the date compared as a date, not as day numbers
    age = frame.select("id", col("day").days_before_as_of().compile(ctx).alias("age"))
    assert "dayofyear" not in spark_analyzed_plan(to_native(age), capsys)  # a date minus a date
    got = [r["age"] for r in sorted(rows_of(to_native(age), "id"), key=lambda r: r["id"])]
    assert got == [None if r["day"] is None else (AS_OF - r["day"]).days for r in rows]
