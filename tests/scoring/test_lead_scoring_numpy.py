"""Lead scoring on pandas in NumPy: the same frame, bit for bit, as the narwhals expressions.

Random models (fit and engagement criteria with whole, fractional, negative and -0.0 points,
decays on naive and zoned datetime columns, caps, thresholds with equal minimums) on random
pandas frames with missing values: :meth:`LeadScoringModel.score` (the NumPy lowering) gives
exactly the frame of the narwhals path (every score, points column, action, dtype and the
index), with and without ``explain``; what the lowering does not cover is scored by the
narwhals path and still agrees with the records engine.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit.frames import as_of, col, from_native, to_native
from crmkit.scoring import Criterion, Decay, LeadScoringModel, Threshold

AS_OF = dt.date(2025, 6, 30)

RULES = [
    col("employees") >= 50,
    col("employees").between(5, 200, closed="right"),
    col("industry").is_in(["it", "retail"]),
    col("industry") == "public",
    col("industry") != "it",
    col("budget") > 1000.5,
    col("budget").is_null(),
    col("decision_maker"),
    (col("decision_maker") == True) & ~(col("employees") < 5),  # noqa: E712
    col("visited") >= as_of(days=-90),
    col("visited_zoned") >= as_of(months=-3),
    (col("budget") / col("employees")).fill_null(0) >= 20,
]
DECAYS = ["visited", "visited_zoned"]

_points = st.one_of(
    st.integers(-40, 40).map(float),
    st.sampled_from([0.5, -2.25, 1e-3, -0.0, 33.3, 1e9]),
)
criteria = st.lists(
    st.tuples(
        st.integers(0, len(RULES) - 1),
        _points,
        st.sampled_from(["fit", "engagement"]),
        st.one_of(st.none(), st.tuples(st.sampled_from(DECAYS), st.sampled_from([7.0, 30.0]))),
    ),
    min_size=1,
    max_size=10,
)
models = st.builds(
    lambda picked, caps, mins: LeadScoringModel(
        criteria=[
            Criterion(
                f"c{i}",
                RULES[rule],
                points,
                group,
                Decay(*decay) if decay is not None and group == "engagement" else None,
            )
            for i, (rule, points, group, decay) in enumerate(picked)
        ],
        thresholds=[Threshold(m, f"a{j}") for j, m in enumerate(mins)],
        fit_cap=caps[0],
        engagement_cap=caps[1],
    ),
    criteria,
    st.tuples(st.none() | st.sampled_from([10, 25.5]), st.none() | st.sampled_from([10, 40])),
    st.lists(st.sampled_from([-5.0, 0.0, 10.0, 10.0, 35.5, 60.0]), max_size=4),
)

_instants = st.none() | st.datetimes(
    min_value=dt.datetime(2024, 12, 1), max_value=dt.datetime(2025, 8, 1)
)
rows = st.lists(
    st.fixed_dictionaries(
        {
            "employees": st.integers(0, 500),
            "industry": st.none() | st.sampled_from(["it", "retail", "public", "energy"]),
            "budget": st.none() | st.sampled_from([0.0, 500.0, 1000.5, 25_000.0]),
            "decision_maker": st.booleans(),
            "visited": _instants,
            "visited_zoned": _instants,
        }
    ),
    min_size=1,
    max_size=20,
)


def _frame(leads: list[dict[str, Any]], index_from: int = 0, text: str = "str") -> pd.DataFrame:
    data = {name: [lead[name] for lead in leads] for name in leads[0]}
    zoned = pd.to_datetime(pd.Series(data["visited_zoned"], dtype=object))
    frame = pd.DataFrame(
        {
            "employees": pd.Series(data["employees"], dtype="int64"),
            "industry": pd.Series(data["industry"], dtype=text),
            "budget": pd.Series(data["budget"], dtype="float64"),
            "decision_maker": pd.Series(data["decision_maker"], dtype="bool"),
            "visited": pd.to_datetime(pd.Series(data["visited"], dtype=object)).astype(
                "datetime64[ms]"
            ),
            "visited_zoned": zoned.astype("datetime64[us]")
            .dt.tz_localize("UTC")
            .dt.tz_convert("America/New_York"),
        }
    )
    frame.index = pd.RangeIndex(index_from, index_from + len(leads))
    return frame


def _compiled(model: LeadScoringModel, frame: pd.DataFrame, explain: bool) -> Any:
    return to_native(model._score_compiled(from_native(frame), AS_OF, explain))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    model=models,
    leads=rows,
    index_from=st.sampled_from([0, 7]),
    # pandas' str; Arrow-backed text with pd.NA (Dask's partitions): the narwhals path gives
    # Arrow-backed scores there, and so does the NumPy path; objects
    text=st.sampled_from(["str", "string[pyarrow]", "object"]),
)
def test_numpy_scores_are_the_narwhals_scores(
    model: LeadScoringModel, leads: list[dict[str, Any]], index_from: int, text: str
) -> None:
    frame = _frame(leads, index_from, text)
    for explain in (False, True):
        assert model._score_pandas(frame, AS_OF, explain) is not None  # covered
        got = model.score(frame, as_of=AS_OF, explain=explain)
        pd.testing.assert_frame_equal(got, _compiled(model, frame, explain), check_exact=True)
    pd.testing.assert_frame_equal(frame, _frame(leads, index_from, text))  # input left as it was


def test_an_empty_frame_and_a_model_without_thresholds_or_criteria_of_a_group() -> None:
    model = LeadScoringModel([Criterion("big", col("employees") >= 50, 20)])
    for frame in (_frame([_lead()]).iloc[:0], _frame([_lead(), _lead(employees=80)])):
        got = model.score(frame, as_of=AS_OF)
        pd.testing.assert_frame_equal(got, _compiled(model, frame, False), check_exact=True)
    assert got["fit_score"].tolist() == [0.0, 20.0]
    assert got["action"].tolist() == ["disqualify", "disqualify"]


def _lead(**changed: Any) -> dict[str, Any]:
    lead = {"employees": 10, "industry": "it", "budget": None, "decision_maker": True,
            "visited": dt.datetime(2025, 6, 1), "visited_zoned": None}  # fmt: skip
    return {**lead, **changed}


def test_a_rule_the_lowering_does_not_cover_is_scored_by_narwhals() -> None:
    rule = col("industry").fill_null("none") == "none"  # text fill_null: not lowered
    model = LeadScoringModel(
        [Criterion("rule", rule, 10), Criterion("big", col("employees") >= 50, 20)],
        thresholds=[Threshold(25, "route")],
    )
    leads = [_lead(), _lead(industry=None, employees=80), _lead(industry="retail")]
    frame = _frame(leads)
    assert model._score_pandas(frame, AS_OF, False) is None
    got = model.score(frame, as_of=AS_OF)
    pd.testing.assert_frame_equal(got, _compiled(model, frame, False), check_exact=True)
    want = model.score(leads, as_of=AS_OF)
    assert got["lead_score"].tolist() == [w.score for w in want]
    assert got["action"].tolist() == [w.action for w in want]


def test_a_missing_member_of_is_in_matches_nothing_as_on_records() -> None:
    model = LeadScoringModel([Criterion("rule", col("industry").is_in(["it", None]), 10)])
    leads = [_lead(), _lead(industry=None), _lead(industry="retail")]
    frame = _frame(leads)
    assert model._score_pandas(frame, AS_OF, False) is not None  # lowered to NumPy
    got = model.score(frame, as_of=AS_OF)
    pd.testing.assert_frame_equal(got, _compiled(model, frame, False), check_exact=True)
    assert got["lead_score"].tolist() == [w.score for w in model.score(leads, as_of=AS_OF)]
    assert got["lead_score"].tolist() == [10.0, 0.0, 0.0]


def test_a_frame_holding_a_points_column_already_goes_the_narwhals_way() -> None:
    model = LeadScoringModel([Criterion("big", col("employees") >= 50, 20)])
    frame = _frame([_lead(), _lead(employees=80)]).assign(**{"points:big": [1.0, 2.0]})
    assert model._score_pandas(frame, AS_OF, True) is None
    assert model._score_pandas(frame, AS_OF, False) is not None
    errors = []
    for score in (lambda: model.score(frame, as_of=AS_OF, explain=True),
                  lambda: _compiled(model, frame, True)):  # fmt: skip
        with pytest.raises(Exception) as raised:  # noqa: PT011 (the narwhals path's own error)
            score()
        errors.append((type(raised.value), str(raised.value)))
    assert errors[0] == errors[1]
