"""Lead scoring on PySpark and DuckDB as SQL text (a ``selectExpr`` / ``project`` per step).

A PySpark frame or DuckDB relation is scored by a projection written as SQL text in the
engine's dialect (``crmkit.frames.expression.condition_sql`` for the tests) instead of an
engine call per narwhals expression node. These tests hold it, on both engines, to the
narwhals expressions it replaces (every score bit for bit, sign of zero included, every action,
the column order and types), hold the conditions' text to the records engine, and check that
what the text does not cover (a rule with arithmetic, an action with a quote, a decay on a
timestamp) is scored as before.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit.frames import Context, col, column_types, evaluate, from_native, to_native
from crmkit.frames.expression import (
    condition_sql,
    identifier_sql,
    literal_sql,
)
from crmkit.scoring import Criterion, Decay, LeadScoringModel, Threshold
from tests.engines import to_frame
from tests.frames.test_sql_conditions import SCHEMA as DAY_SCHEMA
from tests.frames.test_sql_conditions import _day_tests
from tests.scoring.test_lead_scoring_sql import KEYED, _benchmark_like, _sample_rows, models

AS_OF = dt.date(2025, 6, 30)
DAY_AS_OF = dt.date(2025, 1, 1)


def test_literals_are_written_with_the_type_pyspark_gives_them() -> None:
    assert literal_sql(True, "spark") == "TRUE"
    assert literal_sql(2**31 - 1, "spark") == "2147483647"
    assert literal_sql(2**31, "spark") == "2147483648L"
    assert literal_sql(2**63, "spark") is None
    assert literal_sql(-0.0, "spark") == "-0.0D"
    assert literal_sql(1e-300, "spark") == "1e-300D"
    assert literal_sql(float("nan"), "spark") is None
    assert literal_sql(float("inf"), "spark") is None
    assert literal_sql("it's", "spark") is None
    assert literal_sql("a\\b", "spark") is None
    assert literal_sql("a\nb", "spark") is None
    assert literal_sql(dt.date(2025, 1, 1), "spark") is None
    assert literal_sql(None, "spark") is None


def test_duckdb_literals_are_written_with_the_type_duckdb_gives_them() -> None:
    assert literal_sql(False, "duckdb") == "FALSE"
    assert literal_sql(2**31 - 1, "duckdb") == "2147483647"
    assert literal_sql(-(2**63), "duckdb") == f"CAST({-(2**63)} AS BIGINT)"
    assert literal_sql(2**63, "duckdb") is None
    assert literal_sql(0.1, "duckdb") == "CAST('0.1' AS DOUBLE)"
    assert literal_sql(float("-inf"), "duckdb") is None
    assert literal_sql("it's", "duckdb") is None
    assert literal_sql(dt.date(2025, 1, 1), "duckdb") is None


@pytest.mark.parametrize(
    "value",
    [0.1, -0.0, 0.0, 1e-300, 5e-324, 1.7976931348623157e308, 0.30000000000000004,
     -0.023104906018664842, 2.0**53 + 2, 123456789.12345679, -(2.0**40)],
)  # fmt: skip
def test_duckdb_reads_a_double_literal_as_the_same_double(value: float) -> None:
    import duckdb

    con = duckdb.connect()
    text = literal_sql(value, "duckdb")
    (got, kind), *_ = con.sql(f"SELECT {text}, typeof({text})").fetchall()
    assert kind == "DOUBLE"
    assert _exact(got, value), (text, got)
    # (a decimal literal is a DECIMAL: made a double, digits beyond 15-16 may not survive)
    (plain,), *_ = con.sql(f"SELECT typeof({value!r})").fetchall()
    assert plain != "DOUBLE" or "e" in repr(value)


def test_conditions_not_covered_are_none() -> None:
    for dialect in ("spark", "duckdb"):
        assert condition_sql(col("n") + 1 > 2, dialect=dialect) is None
        assert condition_sql(col("tag").is_in([]), dialect=dialect) is None
        assert condition_sql(col("tag") == "it's", dialect=dialect) is None
        assert condition_sql(col("tag").fill_null("a") == "a", dialect=dialect) is None
    assert condition_sql(col("`odd`") >= 1, dialect="spark") == "(```odd``` >= 1)"
    assert condition_sql(col('"odd"') >= 1, dialect="duckdb") == '("""odd""" >= 1)'
    assert identifier_sql("a`b", "duckdb") == '"a`b"'


def _exact(a: Any, b: Any) -> bool:
    """Equal values, floats bit for bit (also the sign of a zero)."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    return type(a) is type(b) and a == b


def _rows_and_types(native: Any) -> tuple[list[tuple[Any, ...]], list[Any]]:
    """The rows (by lead) and the column names and types of a PySpark frame / DuckDB relation."""
    if hasattr(native, "selectExpr"):  # PySpark
        rows, types = [tuple(r) for r in native.collect()], list(native.dtypes)
    else:
        rows = [tuple(r.values()) for r in native.to_arrow_table().to_pylist()]
        types = list(zip(native.columns, (str(t) for t in native.dtypes), strict=True))
    lead = [name for name, _ in types].index("lead_id")
    return sorted(rows, key=lambda r: r[lead]), types


def _check_same(model: LeadScoringModel, native: Any) -> None:
    """The SQL-text path gives what the narwhals expressions give (bit for bit, same types)."""
    got = model.score(native, as_of=AS_OF)
    before = to_native(model._score_compiled(from_native(native), AS_OF, False))
    new, new_types = _rows_and_types(got)
    old, old_types = _rows_and_types(before)
    assert new_types == old_types
    assert len(new) == len(old)
    for a, b in zip(new, old, strict=True):
        assert all(_exact(x, y) for x, y in zip(a, b, strict=True)), (a, b)


@pytest.fixture(scope="module", params=["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def engine(request: pytest.FixtureRequest) -> str:
    """Each engine scored by SQL text: DuckDB, and PySpark (its session started once)."""
    if request.param == "spark":
        request.getfixturevalue("spark")
    return str(request.param)


_more = st.sampled_from([Threshold(20, "route"), Threshold(-5.5, "watch"), Threshold(1e6, "top")])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=models(), thresholds=st.lists(_more, max_size=3, unique_by=lambda t: t.min_score))
def test_sql_text_scores_equal_the_narwhals_expressions(
    engine: str, model: LeadScoringModel, thresholds: list[Threshold]
) -> None:
    if thresholds:
        model = LeadScoringModel(
            model.criteria,
            thresholds=sorted(thresholds, key=lambda t: -t.min_score),
            fit_cap=model.fit_cap,
            engagement_cap=model.engagement_cap,
        )
    _check_same(model, to_frame(_sample_rows(), engine, KEYED))


def test_sql_text_covers_the_benchmark_like_model_and_falls_back_otherwise(engine: str) -> None:
    native = to_frame(_sample_rows(), engine, KEYED)
    model = _benchmark_like()
    frame = from_native(native)
    ctx = Context(as_of=AS_OF, schema=column_types(frame), implementation=frame.implementation)
    dialect: Any = engine
    assert all(condition_sql(c.rule, ctx, dialect) is not None for c in model.criteria)
    assert model._score_sql(frame, AS_OF) is not None
    # a membership in values of another kind than the column's: SQL's IN would cast them (and
    # could hold), the narwhals expressions refuse such a list; so it is not covered
    for odd_list in (col("employees").is_in(["60"]), col("industry").is_in([5])):
        assert condition_sql(odd_list, ctx, dialect) is None
    assert condition_sql(col("employees").is_in([60, 2.5]), ctx, dialect) is not None
    _check_same(model, native)
    # not covered: arithmetic in a rule, a quote in an action, a decay on a timestamp
    odd = LeadScoringModel(
        [
            Criterion("sum", col("employees") + col("email_opens") > 10, 5),
            Criterion("opens", col("email_opens") >= 3, 2.5, "engagement"),
        ],
        thresholds=[Threshold(5, "don't wait")],
    )
    assert odd._score_sql(frame, AS_OF) is None
    _check_same(odd, native)
    rows = _sample_rows()
    stamped = to_frame(
        [
            {**r, "last_visit_at": None if r["last_visit_at"] is None else dt.datetime.combine(
                r["last_visit_at"], dt.time(12), dt.UTC)}
            for r in rows
        ],
        engine,
        {**KEYED, "last_visit_at": pl.Datetime("us", "UTC")},
    )  # fmt: skip
    decaying = LeadScoringModel(
        [Criterion("visit", col("email_opens") >= 0, 10, "engagement", Decay("last_visit_at", 7))]
    )
    assert decaying._score_sql(from_native(stamped), AS_OF) is None
    _check_same(decaying, stamped)
    # not covered: a column the scores would replace (in any case: both engines match names
    # regardless of case)
    clash = to_frame([{**r, "Action": "x"} for r in rows], engine, {**KEYED, "Action": pl.String})
    assert model._score_sql(from_native(clash), AS_OF) is None


_day_rows = [
    {
        "id": i,
        "n": [None, 0, 3, -1][i % 4],
        "tag": [None, "a", "b", "c"][i % 4],
        "day": [None, dt.date(2024, 11, 30), dt.date(2024, 12, 2), dt.date(2024, 12, 25),
                DAY_AS_OF][i % 5],
    }
    for i in range(40)
]  # fmt: skip


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(test=_day_tests)
def test_condition_sql_holds_where_the_records_engine_says(engine: str, test: Any) -> None:
    native = to_frame(_day_rows, engine, DAY_SCHEMA)
    frame = from_native(native)
    ctx = Context(as_of=DAY_AS_OF, schema=column_types(frame), implementation=frame.implementation)
    dialect: Any = engine
    text = condition_sql(test, ctx, dialect)
    if text is None:  # (an empty membership, or only constants)
        return
    truth = evaluate(test, _day_rows, Context(as_of=DAY_AS_OF))
    want = sorted(r["id"] for r, t in zip(_day_rows, truth, strict=True) if t)
    case = f"id, CASE WHEN {text} THEN 1 ELSE 0 END AS hit"
    if engine == "spark":
        kept = [r["id"] for r in native.filter(text).collect()]
        hits = [tuple(r) for r in native.selectExpr(*case.split(", ", 1)).collect()]
    else:
        kept = [r[0] for r in native.filter(text).project("id").fetchall()]
        hits = native.project(case).fetchall()
    assert sorted(kept) == want, (test, text)
    assert sorted(i for i, hit in hits if hit == 1) == want
