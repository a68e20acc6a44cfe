"""Lead scoring: one model object scores a record and frames of every engine alike."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping

import attrs
import hypothesis.strategies as st
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings

from crmkit.errors import ValidationError
from crmkit.frames import as_of, col
from crmkit.scoring import (
    Action,
    Criterion,
    Decay,
    LeadScoringModel,
    Threshold,
    engagement_summary,
)
from tests.engines import (
    IN_PROCESS,
    frame_rows,
    is_lazy_native,
    to_frame,
)
from tests.profiles import examples

AS_OF = dt.date(2025, 6, 30)

SCHEMA = {
    "employees": pl.Int64,
    "industry": pl.String,
    "interest_level": pl.String,
    "buying_stage": pl.Int64,
    "is_decision_maker": pl.Boolean,
    "email_opens": pl.Int64,
    "last_visit_at": pl.Date,
}


def model() -> LeadScoringModel:
    return LeadScoringModel(
        criteria=[
            Criterion("mid-size or larger", col("employees") >= 50, 15),
            Criterion("target industry", col("industry").is_in(["it", "telecom", "retail"]), 10),
            Criterion("very interested", col("interest_level") == "very_interested", 25),
            Criterion("not interested", col("interest_level") == "not_interested", -30),
            Criterion("evaluating suppliers", col("buying_stage").between(3, 6), 20),
            Criterion("decision maker", col("is_decision_maker") == True, 10),  # noqa: E712
            Criterion("tiny and cold", (col("employees") < 5) & ~(col("buying_stage") >= 3), -10),
            Criterion("opened e-mails", col("email_opens") >= 3, 12, "engagement"),
            Criterion(
                "visited site recently",
                col("last_visit_at") >= as_of(days=-90),
                20,
                "engagement",
                Decay("last_visit_at", half_life_days=30),
            ),
        ],
        thresholds=[
            Threshold(60, Action.PRIORITISE),
            Threshold(35, "route"),
            Threshold(10, "nurture"),
        ],
        engagement_cap=25,
    )


def test_score_of_one_lead_with_explanation() -> None:
    lead = {
        "employees": 120,
        "industry": "it",
        "interest_level": "very_interested",
        "buying_stage": 4,
        "is_decision_maker": False,
        "email_opens": 5,
        "last_visit_at": AS_OF - dt.timedelta(days=30),
    }
    result = model().score_one(lead, as_of=AS_OF)
    # fit: 15 + 10 + 25 + 20 = 70; engagement: 12 + 20 * 0.5 = 22 (under the cap of 25)
    assert result.fit == 70.0
    assert result.engagement == pytest.approx(22.0)
    assert result.score == pytest.approx(92.0)
    assert result.action == "prioritise"
    assert [(h.criterion, round(h.points, 6)) for h in result.hits] == [
        ("mid-size or larger", 15.0),
        ("target industry", 10.0),
        ("very interested", 25.0),
        ("evaluating suppliers", 20.0),
        ("opened e-mails", 12.0),
        ("visited site recently", 10.0),
    ]
    assert "visited site recently +10" in result.explain()


def test_negative_points_cap_and_default_action() -> None:
    lead = {
        "employees": 2,
        "industry": None,
        "interest_level": "not_interested",
        "buying_stage": 1,
        "is_decision_maker": True,
        "email_opens": 10,
        "last_visit_at": AS_OF,
    }
    result = model().score_one(lead, as_of=AS_OF)
    # fit: -30 + 10 - 10 = -30; engagement: 12 + 20 = 32 capped at 25
    assert result.fit == -30.0
    assert result.engagement == 25.0
    assert result.score == -5.0
    assert result.action == "disqualify"


def test_decay_halves_per_half_life() -> None:
    m = LeadScoringModel(
        [Criterion("visit", col("visits") > 0, 40, "engagement", Decay("visited_on", 10))]
    )
    scores = [
        m.score_one({"visits": 1, "visited_on": AS_OF - dt.timedelta(days=d)}, as_of=AS_OF).score
        for d in (0, 10, 20)
    ]
    assert scores == pytest.approx([40.0, 20.0, 10.0])
    # an empty date keeps full points
    assert m.score_one({"visits": 1, "visited_on": None}, as_of=AS_OF).score == 40.0


def test_missing_field_is_a_clear_error_on_records_and_frames() -> None:
    m = LeadScoringModel([Criterion("budget", col("budget") > 1000, 10)])
    with pytest.raises(ValidationError) as err:
        m.score_one({"employees": 3})
    assert err.value.paths == ["lead.budget"]
    with pytest.raises(ValidationError) as err:
        m.score(pl.DataFrame({"employees": [3]}))
    assert err.value.paths == ["leads.budget"]
    assert "is missing" in str(err.value)


def test_bad_model_definitions_are_refused() -> None:
    with pytest.raises(ValidationError, match="must be a rule"):
        Criterion("x", "employees > 5", 10)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="finite"):
        Criterion("x", col("a") > 1, float("nan"))
    with pytest.raises(ValidationError, match="used twice"):
        LeadScoringModel([Criterion("x", col("a") > 1, 1), Criterion("x", col("b") > 1, 1)])
    with pytest.raises(ValidationError, match="engagement criteria only"):
        Criterion("x", col("a") > 1, 1, decay=Decay("at", 7))
    with pytest.raises(ValidationError, match="greater than zero"):
        Decay("at", 0)


def test_lazy_frames_stay_lazy() -> None:
    frame = to_frame([_lead_row()], "duckdb", SCHEMA)
    out = model().score(frame, as_of=AS_OF)
    assert is_lazy_native(out)
    assert frame_rows(out)[0]["action"] in {"prioritise", "route", "nurture", "disqualify"}


def _lead_row() -> dict[str, object]:
    return {
        "employees": 60,
        "industry": "it",
        "interest_level": "evaluating",
        "buying_stage": 3,
        "is_decision_maker": True,
        "email_opens": 1,
        "last_visit_at": dt.date(2025, 5, 1),
    }


def test_numpy_backed_pandas_without_missing_dates() -> None:
    rows = [_lead_row(), {**_lead_row(), "employees": 3, "last_visit_at": dt.date(2025, 6, 20)}]
    want = [r.score for r in model().score(rows, as_of=AS_OF)]
    frame = to_frame(rows, "pandas-numpy", {**SCHEMA, "employees": pl.Int64})
    got = [r["lead_score"] for r in frame_rows(model().score(frame, as_of=AS_OF))]
    assert got == pytest.approx(want)


def test_numpy_backed_pandas_with_a_missing_date() -> None:
    # a missing visit date (NaT) neither fires the date rule nor decays: as on records
    rows = [_lead_row(), {**_lead_row(), "last_visit_at": None}]
    want = [r.score for r in model().score(rows, as_of=AS_OF)]
    frame = to_frame(rows, "pandas-numpy", SCHEMA)
    assert frame["last_visit_at"].isna().tolist() == [False, True]
    got = [r["lead_score"] for r in frame_rows(model().score(frame, as_of=AS_OF))]
    assert got == pytest.approx(want)
    assert want[0] != want[1]  # the missing date changes the score


leads = st.fixed_dictionaries(
    {
        "employees": st.none() | st.integers(0, 500),
        "industry": st.none() | st.sampled_from(["it", "telecom", "retail", "energy"]),
        "interest_level": st.sampled_from(["very_interested", "evaluating", "not_interested"]),
        "buying_stage": st.none() | st.integers(1, 8),
        "is_decision_maker": st.none() | st.booleans(),
        "email_opens": st.integers(0, 6),
        "last_visit_at": st.none()
        | st.dates(min_value=dt.date(2024, 12, 1), max_value=dt.date(2025, 8, 1)),
    }
)


@pytest.mark.parametrize("engine", IN_PROCESS)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(leads, min_size=1, max_size=25))
def test_records_and_frames_agree(engine: str, rows: list[dict[str, object]]) -> None:
    m = model()
    expected = m.score(rows, as_of=AS_OF)
    out = frame_rows(m.score(to_frame(rows, engine, SCHEMA), as_of=AS_OF, explain=True))
    # without explain the totals are added up directly: the same scores, no points columns
    plain = frame_rows(m.score(to_frame(rows, engine, SCHEMA), as_of=AS_OF))
    assert not any(k.startswith(("points:", "__")) for k in plain[0])
    assert sorted(r["lead_score"] for r in plain) == pytest.approx(
        sorted(r["lead_score"] for r in out), rel=1e-12, abs=1e-12
    )
    if engine == "duckdb":  # a relation has no row order; compare as multisets
        key = lambda r: tuple(str(r[k]) for k in SCHEMA)  # noqa: E731
        pairs = zip(sorted(rows, key=key), sorted(out, key=key), strict=True)
        by_row = {key(r): e for r, e in zip(rows, expected, strict=True)}
        checks = [(by_row[key(r)], o) for r, o in pairs]
    else:
        checks = list(zip(expected, out, strict=True))
    for want, got in checks:
        assert got["lead_score"] == pytest.approx(want.score, rel=1e-9, abs=1e-9)
        assert got["fit_score"] == pytest.approx(want.fit, rel=1e-9, abs=1e-9)
        assert got["engagement_score"] == pytest.approx(want.engagement, rel=1e-9, abs=1e-9)
        assert got["action"] == want.action
        hits = {h.criterion: h.points for h in want.hits}
        for criterion in m.criteria:
            points = got[f"points:{criterion.name}"]
            assert points == pytest.approx(hits.get(criterion.name, 0.0), rel=1e-9, abs=1e-9)
            assert not math.isnan(points)


@attrs.define
class LeadRow:
    employees: object
    industry: object
    interest_level: object
    buying_stage: object
    is_decision_maker: object
    email_opens: object
    last_visit_at: object


class Frozen(Mapping[str, object]):
    """A read-only mapping that is not a dict (read through the careful checks)."""

    def __init__(self, data: dict[str, object]) -> None:
        self._data = data

    def __getitem__(self, key: str) -> object:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(leads, min_size=1, max_size=25))
def test_compiled_records_engine_equals_scoring_one_lead_at_a_time(
    rows: list[dict[str, object]],
) -> None:
    # score() compiles every rule once; score_one() walks the rules: the same results
    m = model()
    want = [m.score_one(r, as_of=AS_OF) for r in rows]
    for kind in (dict, lambda r: LeadRow(**r), Frozen):
        assert m.score([kind(r) for r in rows], as_of=AS_OF) == want  # type: ignore[operator]


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(leads, min_size=1, max_size=25))
def test_records_engine_on_mixed_record_kinds_repeated_leads_and_iterators(
    rows: list[dict[str, object]],
) -> None:
    # dicts and attrs records in one input, every lead twice, as a list and as an iterator:
    # the results of scoring each lead on its own
    m = model()
    mixed = [LeadRow(**r) if i % 2 else r for i, r in enumerate(rows)] * 2
    want = [m.score_one(r, as_of=AS_OF) for r in mixed]
    assert m.score(mixed, as_of=AS_OF) == want
    assert m.score(iter(mixed), as_of=AS_OF) == want
    assert [r.explain() for r in m.score(mixed, as_of=AS_OF)] == [r.explain() for r in want]


def test_compiled_records_engine_reports_problems_like_score_one() -> None:
    m = model()
    good = _lead_row()
    for bad in (
        {k: v for k, v in good.items() if k != "employees"},  # missing field
        {**good, "employees": "many"},  # not comparable with a number
        {**good, "last_visit_at": "yesterday"},  # not a date
    ):
        with pytest.raises(ValidationError) as one:
            m.score_one(bad, as_of=AS_OF)
        with pytest.raises(ValidationError) as many:
            m.score([good] * 20 + [bad], as_of=AS_OF)
        assert [p.path for p in many.value.problems] == [
            "[20]." + p.path for p in one.value.problems
        ]
        assert [p.message for p in many.value.problems] == [p.message for p in one.value.problems]


EVENT_SCHEMA = {"lead_id": pl.String, "type": pl.String, "done_at": pl.Datetime("us", "UTC")}

events = st.lists(
    st.fixed_dictionaries(
        {
            "lead_id": st.none() | st.sampled_from(["l1", "l2", "l3", "l4"]),
            "type": st.sampled_from(["email", "web_visit", "webinar", "call"]),
            "done_at": st.none()
            | st.integers(0, 400).map(
                lambda h: dt.datetime(2025, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=h * 5)
            ),
        }
    ),
    min_size=1,
    max_size=30,
)


@pytest.mark.parametrize("engine", IN_PROCESS)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=events)
def test_engagement_summary_agrees_and_feeds_the_model(
    engine: str, rows: list[dict[str, object]]
) -> None:
    types = ["webinar", "web_visit"]
    want = engagement_summary(rows, types=types)
    got = {
        r.pop("lead_id"): r
        for r in frame_rows(engagement_summary(to_frame(rows, engine, EVENT_SCHEMA), types=types))
    }
    assert got == want
    m = LeadScoringModel(
        [
            Criterion("webinar", col("events:webinar") >= 1, 10, "engagement"),
            Criterion("active", col("events") >= 3, 5, "engagement",
                      Decay("last_event_at", half_life_days=14)),
        ]
    )  # fmt: skip
    scored = m.score([{"id": k, **v} for k, v in want.items()], as_of=dt.date(2025, 3, 31))
    assert all(0.0 <= s.score <= 15.0 for s in scored)


@pytest.mark.parametrize("engine", ["polars-lazy", "duckdb"])
def test_engagement_summary_without_types_on_lazy_frames(engine: str) -> None:
    # no per-type flags: nothing to add before grouping (lazy engines refuse an empty step)
    rows = [
        {"lead_id": "l1", "type": "email", "done_at": dt.datetime(2025, 1, 2, tzinfo=dt.UTC)},
        {"lead_id": "l1", "type": "call", "done_at": dt.datetime(2025, 1, 5, tzinfo=dt.UTC)},
        {"lead_id": "l2", "type": "email", "done_at": dt.datetime(2025, 1, 3, tzinfo=dt.UTC)},
    ]
    got = {
        r.pop("lead_id"): r
        for r in frame_rows(engagement_summary(to_frame(rows, engine, EVENT_SCHEMA), types=[]))
    }
    assert got == engagement_summary(rows, types=[])
    assert got["l1"]["events"] == 2


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {
                "a": st.integers(0, 3),
                "b": st.integers(0, 3),
                "seen": st.none() | st.dates(dt.date(2025, 5, 1), dt.date(2025, 7, 10)),
                "opened": st.none() | st.dates(dt.date(2025, 6, 1), dt.date(2025, 6, 30)),
            }
        ),
        min_size=1,
        max_size=40,
    )
)
def test_records_engine_with_two_decays_between_plain_criteria_and_caps(
    rows: list[dict[str, object]],
) -> None:
    # many leads share a criteria code and differ by the ages of two decaying criteria placed
    # between fit and plain engagement criteria: score() builds one result per distinct key
    # from shared parts; every result is the one score_one() gives (sums in criterion order)
    m = LeadScoringModel(
        [
            Criterion("fit a", col("a") >= 1, 7.3),
            Criterion("seen", col("b") >= 1, 11.1, "engagement", Decay("seen", 9.5)),
            Criterion("eng b", col("b") >= 2, 0.7, "engagement"),
            Criterion("fit b", col("b") == 3, 2.9),
            Criterion("opened", col("a") >= 2, 13.3, "engagement", Decay("opened", 3)),
            Criterion("eng a", col("a") == 3, 0.1, "engagement"),
        ],
        thresholds=[Threshold(20, "route"), Threshold(8, "nurture")],
        fit_cap=9.0,
        engagement_cap=24.0,
    )
    want = [m.score_one(r, as_of=AS_OF) for r in rows]
    got = m.score(rows * 2, as_of=AS_OF)
    assert got == want * 2
    assert [r.hits for r in got] == [r.hits for r in want * 2]
