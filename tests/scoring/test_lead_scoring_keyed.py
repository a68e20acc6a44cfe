"""The records engine's keyed path (one result per distinct key) against one lead at a time,
on random models: criteria over ints, strings, booleans and dates (missing values, wrong
types), decays on several criteria, caps and thresholds."""

from __future__ import annotations

import datetime as dt
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, event, given, settings

from crmkit.errors import ValidationError
from crmkit.frames import Expr, as_of, col
from crmkit.scoring import Criterion, Decay, LeadScore, LeadScoringModel, Threshold
from tests.profiles import examples

AS_OF = dt.date(2025, 6, 30)

#: rules over the fields a, b (ints), s (a string), f (a boolean), d and e (dates)
RULES: list[Expr] = [
    col("a") >= 2,
    col("a") < 1,
    col("a").between(1, 3),
    col("b") == 0,
    col("b").is_in([1, 3]),
    (col("a") >= 1) & ~(col("b") >= 2),
    (col("a") == 3) | (col("s") == "x"),
    col("s").is_in(["x", "y"]),
    col("s") != "y",
    col("f") == True,  # noqa: E712
    col("d") >= as_of(days=-20),
    col("e") >= as_of(days=-10),
    col("d").is_null(),
]

ints = st.none() | st.integers(-1, 4)
dates = st.none() | st.dates(min_value=dt.date(2025, 5, 20), max_value=dt.date(2025, 7, 5))
wrong = st.sampled_from(["many", 1.5, dt.date(2025, 1, 1)])
leads = st.fixed_dictionaries(
    {
        "a": ints,
        "b": ints,
        "s": st.none() | st.sampled_from(["x", "y", "z"]),
        "f": st.none() | st.booleans(),
        "d": dates,
        "e": dates,
    }
)


@st.composite
def models(draw: st.DrawFn) -> LeadScoringModel:
    chosen = draw(st.lists(st.integers(0, len(RULES) - 1), min_size=1, max_size=8, unique=True))
    criteria = []
    for n, i in enumerate(chosen):
        points = draw(st.sampled_from([-7.5, -3.0, 0.1, 1.0, 2.9, 5.0, 11.1, 13.3]))
        engagement = draw(st.booleans())
        decay = None
        if engagement and draw(st.booleans()):
            decay = Decay(draw(st.sampled_from(["d", "e"])), draw(st.sampled_from([3, 9.5, 30])))
        group = "engagement" if engagement else "fit"
        criteria.append(Criterion(f"c{n}", RULES[i], points, group, decay))
    caps = st.none() | st.sampled_from([4.0, 9.0, 24.0])
    thresholds = draw(st.lists(st.sampled_from([-2.0, 5.0, 8.0, 20.0]), max_size=3, unique=True))
    return LeadScoringModel(
        criteria,
        thresholds=[Threshold(t, f"act{t}") for t in thresholds],
        fit_cap=draw(caps),
        engagement_cap=draw(caps),
    )


def one_at_a_time(m: LeadScoringModel, rows: list[dict[str, Any]]) -> list[LeadScore] | Exception:
    """Each lead scored on its own, or the error of the first lead that cannot be scored."""
    out = []
    for i, row in enumerate(rows):
        try:
            out.append(m.score_one(row, as_of=AS_OF))
        except ValidationError as error:
            return error.prefixed(f"[{i}]")
    return out


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(m=models(), rows=st.lists(leads, min_size=1, max_size=30), data=st.data())
def test_keyed_records_engine_equals_one_lead_at_a_time(
    m: LeadScoringModel, rows: list[dict[str, Any]], data: st.DataObject
) -> None:
    half = len(rows)
    rows = rows * 2  # every key more than once: results are shared
    at = -1
    if data.draw(st.booleans()):  # a value of the wrong type somewhere (an error, or not read)
        at = data.draw(st.integers(0, len(rows) - 1))
        field = data.draw(st.sampled_from(sorted(m.fields())))
        rows[at] = {**rows[at], field: data.draw(wrong)}
    want = one_at_a_time(m, rows)
    if isinstance(want, ValidationError):
        event("an error")
        with pytest.raises(ValidationError) as got:
            m.score(rows, as_of=AS_OF)
        assert [(p.path, p.message) for p in got.value.problems] == [
            (p.path, p.message) for p in want.problems
        ]
        return
    assert isinstance(want, list)
    event("scored")
    got_rows = m.score(rows, as_of=AS_OF)
    assert got_rows == want
    assert [r.hits for r in got_rows] == [r.hits for r in want]
    assert [r.explain() for r in got_rows] == [r.explain() for r in want]
    # equal leads share one immutable result
    same = [i for i in range(half) if at not in (i, i + half)]
    assert all(got_rows[i] is got_rows[i + half] for i in same)
