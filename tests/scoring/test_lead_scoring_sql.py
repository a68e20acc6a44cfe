"""Lead scoring on DuckDB and PySpark: the query's shape and bit-identical totals.

On these engines each criterion is a ``CASE`` on its test compiled as a condition (no
``COALESCE(…, FALSE)`` per comparison), and a group's leading criteria with whole points are
added up as integers and cast to a float once. The totals must still be, bit for bit, what the
records engine adds up: ``0.0 +`` each criterion's points in criterion order (decayed points
too), capped; these tests check that on random models against the per-criterion points the
same engine computes (``explain=True``), and against the records engine.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit.frames import as_of, col, from_native, to_native
from crmkit.scoring import Criterion, Decay, LeadScoringModel, Threshold
from tests.backends import spark_analyzed_plan
from tests.engines import rows_of, to_frame
from tests.scoring.test_lead_scoring import SCHEMA, leads

AS_OF = dt.date(2025, 6, 30)
KEYED = {"lead_id": pl.Int64, **SCHEMA}

_RULES = [
    col("employees") >= 50,
    col("industry").is_in(["it", "telecom"]),
    col("interest_level") == "very_interested",
    col("buying_stage").between(3, 6),
    col("is_decision_maker") == True,  # noqa: E712
    (col("employees") < 5) & ~(col("buying_stage") >= 3),
    col("email_opens") >= 3,
    col("last_visit_at") >= as_of(days=-90),
    (col("industry") == "energy") | col("buying_stage").is_null(),
]
_POINTS = st.sampled_from([15.0, -30.0, 2.5, -0.0, 0.0, 0.1, 1e6, -(2.0**40), 7.0])


@st.composite
def models(draw: Any) -> LeadScoringModel:
    criteria = []
    for i in range(draw(st.integers(1, 7))):
        group = draw(st.sampled_from(["fit", "engagement"]))
        decay = None
        if group == "engagement" and draw(st.booleans()):
            decay = Decay("last_visit_at", draw(st.sampled_from([7.0, 30.0])))
        rule = draw(st.sampled_from(_RULES))
        criteria.append(Criterion(f"c{i}", rule, draw(_POINTS), group, decay))
    return LeadScoringModel(
        criteria,
        thresholds=[Threshold(20, "route")],
        fit_cap=draw(st.none() | st.sampled_from([10.0, 1e7])),
        engagement_cap=draw(st.none() | st.sampled_from([5.0, 20.0])),
    )


def _same(a: float, b: float) -> bool:
    """Bit-identical floats (also the sign of a zero)."""
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def _capped(total: float, cap: float | None) -> float:
    return total if cap is None else min(total, cap)


def _check_totals(model: LeadScoringModel, native: Any, rows: list[dict[str, Any]]) -> None:
    plain = rows_of(model.score(native, as_of=AS_OF), "lead_id")
    explained = rows_of(model.score(native, as_of=AS_OF, explain=True), "lead_id")
    records = dict(zip((r["lead_id"] for r in rows), model.score(rows, as_of=AS_OF), strict=True))
    for got, shown in zip(plain, explained, strict=True):
        want = records[got["lead_id"]]
        for group, column, cap in (
            ("fit", "fit_score", model.fit_cap),
            ("engagement", "engagement_score", model.engagement_cap),
        ):
            total = 0.0
            for criterion in model.criteria:
                if criterion.group.value == group:
                    total += shown[f"points:{criterion.name}"]
            assert _same(got[column], _capped(total, cap)), (column, got, shown)
        assert got["lead_score"] == pytest.approx(want.score, rel=1e-12, abs=1e-12)
        assert got["action"] == want.action


_rows = st.lists(leads, min_size=1, max_size=15).map(
    lambda rows: [{"lead_id": i, **r} for i, r in enumerate(rows)]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=models(), rows=_rows)
def test_duckdb_totals_are_the_float_sums_in_criterion_order(
    model: LeadScoringModel, rows: list[dict[str, Any]]
) -> None:
    _check_totals(model, to_frame(rows, "duckdb", KEYED), rows)


def _benchmark_like() -> LeadScoringModel:
    return LeadScoringModel(
        [
            Criterion("mid-size", col("employees").between(50, 999), 15),
            Criterion("target", col("industry").is_in(["it", "telecom"]), 10),
            Criterion("not interested", col("interest_level") == "not_interested", -30),
            Criterion("decision maker", col("is_decision_maker") == True, 10),  # noqa: E712
            Criterion("opens", col("email_opens") >= 3, 5, "engagement"),
            Criterion(
                "cold", (col("email_opens") == 0) & ~(col("is_decision_maker") == True), -5,  # noqa: E712
                "engagement",
            ),
            Criterion("recent visit", col("last_visit_at") >= as_of(days=-90), 15, "engagement",
                      Decay("last_visit_at", 30)),
        ],
        engagement_cap=50,
    )  # fmt: skip


def _sample_rows() -> list[dict[str, Any]]:
    days = [None, dt.date(2025, 1, 5), dt.date(2025, 4, 1), dt.date(2025, 6, 29), AS_OF]
    return [
        {
            "lead_id": i,
            "employees": [None, 3, 60, 2000][i % 4],
            "industry": [None, "it", "energy"][i % 3],
            "interest_level": ["very_interested", "evaluating", "not_interested"][i % 3],
            "buying_stage": [None, 2, 4][i % 3],
            "is_decision_maker": [None, True, False][i % 3],
            "email_opens": i % 5,
            "last_visit_at": days[i % 5],
        }
        for i in range(30)
    ]


def test_duckdb_query_has_one_case_per_criterion_and_no_coalesce_per_test() -> None:
    rows = _sample_rows()
    model = _benchmark_like()
    native = to_frame(rows, "duckdb", KEYED)
    text = model.score(native, as_of=AS_OF).sql_query()  # written as SQL text
    built = to_native(model._score_compiled(from_native(native), AS_OF, False)).sql_query()
    for sql in (text, built):
        assert sql.count("CASE WHEN") >= len(model.criteria)
        assert sql.count("COALESCE") == 1  # the negated test only (NOT null is null)
        # the whole points of each group's leading criteria are added up as integers
        assert "THEN 15 ELSE 0 END" in sql
        assert "THEN 15.0" not in sql
        assert "THEN 5.0" not in sql
    # the visit date compared as a date; the narwhals-built relation reads its day number
    # once, as an age column; the text writes the age where it is used
    assert "\"last_visit_at\" >= '2025-04-01'::DATE" in built
    assert built.count("1970-01-01") == 1
    assert "(\"last_visit_at\" >= DATE '2025-04-01')" in text
    _check_totals(model, to_frame(rows, "duckdb", KEYED), rows)


@pytest.mark.spark
def test_spark_plan_has_no_coalesce_per_test_and_totals_are_bit_identical(
    spark: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = _sample_rows()
    model = _benchmark_like()
    native = to_frame(rows, "spark", KEYED)
    plan = spark_analyzed_plan(model.score(native, as_of=AS_OF), capsys)
    # the negated test only (the analyzed plan writes PySpark's coalesce as ifnull)
    assert plan.count("coalesce(") + plan.count("ifnull(") == 1
    assert "dayofyear" not in plan  # dates compared as dates; the age is a date difference
    _check_totals(model, native, rows)
    big = LeadScoringModel(
        [
            Criterion("a", col("employees") >= 50, 2.0**40),
            Criterion("b", col("email_opens") >= 1, -0.0),
            Criterion("c", col("email_opens") >= 2, 2.5),
            Criterion("d", col("email_opens") >= 3, 7),
        ]
    )
    _check_totals(big, native, rows)
