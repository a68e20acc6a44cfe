"""The records engine's fast paths against the plain ones, on random inputs.

* :meth:`RecordSource.when` (jump on a test directly: the lead key of lead scoring) against
  storing the test (:meth:`RecordSource.test`) and then testing it;
* the :class:`LeadScore` maker of the keyed path (built through
  ``crmkit.domain.validators.construction_code``) against the class's own ``__init__``;
* a lead key with one decaying criterion whose age is kept in the key's integer (negative,
  zero, large and missing ages) against scoring one lead at a time;
* the lead key that tests the value types of sampled leads first, on other leads whose
  values have other types, against scoring one lead at a time.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import attrs
import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

from crmkit.domain import Money
from crmkit.errors import ValidationError
from crmkit.frames import Context, Expr, as_of, col
from crmkit.frames.record_function import RecordSource, expected_types
from crmkit.scoring import Criterion, CriterionHit, Decay, LeadScore, LeadScoringModel, Threshold
from crmkit.scoring.lead_scoring import _lead_score_maker, _spread_sample
from tests.profiles import examples

AS_OF = dt.date(2025, 6, 30)

#: leaves over a (int / float / Decimal), s (a string), f (a boolean), d (a date)
LEAVES: list[Expr] = [
    col("a") >= 2,
    col("a") < 1.5,
    col("a") == 3,
    col("a") != 0,
    col("a") <= Decimal("2.5"),
    col("a").between(1, 3),
    col("a").is_in([1, 3]),
    col("a").is_null(),
    col("s").is_in(["x", "y"]),
    col("s") == "x",
    col("s") > "x",
    col("f") == True,  # noqa: E712
    col("d") >= as_of(days=-20),
    col("a") + 1 > col("a") * 2,
]

rules = st.recursive(
    st.sampled_from(LEAVES),
    lambda inner: st.one_of(
        st.tuples(inner, inner).map(lambda p: p[0] & p[1]),
        st.tuples(inner, inner).map(lambda p: p[0] | p[1]),
        inner.map(lambda r: ~r),
    ),
    max_leaves=4,
)
values = st.one_of(
    st.none(),
    st.integers(-1, 4),
    st.sampled_from([1.5, float("nan"), Decimal("2.5"), "x", "y", "z", True, False]),
    st.sampled_from([dt.date(2025, 6, 1), dt.date(2024, 1, 1), [1], {"x": 1}]),
)
records = st.fixed_dictionaries({"a": values, "s": values, "f": values, "d": values})


def outcome(function: Any, row: Any) -> Any:
    try:
        return ("value", function(row))
    except ValidationError as error:
        return ("error", [(p.path, p.message) for p in error.problems])


@settings(max_examples=examples(200), deadline=None)
@given(rule=rules, rows=st.lists(records, min_size=1, max_size=8), mapping=st.booleans())
def test_when_jumps_like_a_stored_test(
    rule: Expr, rows: list[dict[str, Any]], mapping: bool
) -> None:
    ctx = Context(as_of=AS_OF)
    direct = RecordSource(ctx, mapping=mapping)
    direct.emit("code = 0")
    direct.when(rule, "code += 1")  # (+= : a statement run twice would show)
    stored = RecordSource(ctx, mapping=mapping)
    fired = stored.test(rule)
    jumped, tested = direct.function("code"), stored.function(f"1 if {fired} else 0")
    for row in rows:
        record = row if mapping else SimpleNamespace(**row)
        assert outcome(jumped, record) == outcome(tested, record)


def test_when_falls_back_to_a_stored_test() -> None:
    """A test that is not jumped on (a plain column) is stored and tested as before."""
    src = RecordSource(Context(), mapping=True)
    src.emit("code = 0")
    src.when(col("flag"), "code |= 1")
    function = src.function("code")
    assert [function({"flag": v}) for v in (True, 1, 0, None, "")] == [1, 1, 0, 0, 0]
    assert src.text("code").splitlines()[-2].strip().startswith("if truth_of(")


hits = st.builds(
    CriterionHit,
    st.sampled_from(["big", "visit"]),
    st.sampled_from(["fit", "engagement"]),
    st.floats(-100, 100, allow_nan=False),
)
numbers = st.floats(allow_nan=True, allow_infinity=True)


@settings(max_examples=examples(200), deadline=None)
@given(
    score=numbers,
    fit=numbers,
    engagement=numbers,
    action=st.text(max_size=5),
    hit_tuple=st.lists(hits, max_size=4).map(tuple),
)
def test_lead_score_maker_builds_what_the_class_builds(
    score: float, fit: float, engagement: float, action: str, hit_tuple: tuple[CriterionHit, ...]
) -> None:
    made = _lead_score_maker()(score, fit, engagement, action, hit_tuple)
    built = LeadScore(score, fit, engagement, action, hit_tuple)
    assert type(made) is LeadScore
    assert repr(made) == repr(built)  # (NaN is not equal to itself)
    assert made.hits is hit_tuple
    assert made.action is action
    if score == score and fit == fit and engagement == engagement:
        assert made == built
        assert hash(made) == hash(built)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        made.score = 1.0  # type: ignore[misc]


def test_one_decay_ages_in_the_key_equal_one_lead_at_a_time() -> None:
    """Ages far in the past, zero, in the future (negative) and missing (a tuple key)."""
    model = LeadScoringModel(
        [
            Criterion("big", col("n") >= 2, 10),
            Criterion("seen", col("n") >= 1, 7.5, "engagement", Decay("at", 9.5)),
            Criterion("clicked", col("c") == True, 3.3, "engagement"),  # noqa: E712
        ],
        thresholds=[Threshold(15, "route")],
        engagement_cap=9.0,
    )
    days = [None, dt.date(1, 1, 1), dt.date(9999, 12, 31), AS_OF, AS_OF - dt.timedelta(days=3)]
    rows = [
        {"n": n, "c": c, "at": at}
        for n in (0, 1, 2)
        for c in (True, False)
        for at in [*days, dt.datetime(2025, 6, 20, 23, 59, tzinfo=dt.UTC)]
    ]
    rows += rows  # equal leads share one result
    got = model.score(rows, as_of=AS_OF)
    want = [model.score_one(row, as_of=AS_OF) for row in rows]
    assert got == want
    assert [r.explain() for r in got] == [r.explain() for r in want]
    assert all(a is b for a, b in zip(got[: len(got) // 2], got[len(got) // 2 :], strict=True))


def test_keys_beyond_64_bits_are_scored_as_the_others() -> None:
    """60 criteria and an age above them: integer keys beyond 64 bits, with the same
    numbers, bit for bit, as one lead at a time."""
    criteria = [Criterion(f"n>={k}", col("n") >= k, k % 7 - 2.5) for k in range(59)]
    criteria.append(Criterion("seen", col("n") >= 1, 7.5, "engagement", Decay("at", 9.5)))
    model = LeadScoringModel(criteria, thresholds=[Threshold(5, "route")], fit_cap=40.0)
    days = [None, dt.date(1, 1, 1), dt.date(9999, 12, 31), AS_OF - dt.timedelta(days=3)]
    rows = [{"n": n, "at": at} for n in (0, 1, 30, 58, 70) for at in days] * 2
    assert (1 << len(criteria)) * 3_000_000 > 2**63  # (ages up to ≈ 3 million days)
    got = model.score(rows, as_of=AS_OF)
    want = [model.score_one(row, as_of=AS_OF) for row in rows]
    assert [repr(r) for r in got] == [repr(r) for r in want]
    half = len(rows) // 2
    assert all(a is b for a, b in zip(got[:half], got[half:], strict=True))


def test_results_of_int_and_tuple_keys_are_the_same_bit_for_bit() -> None:
    """The keyed results of integer keys (the age above the criteria's bits) and of the same
    keys as tuples ``(code, age)`` (the path of several decays or a missing age): equal reprs,
    so the same floats, signs of zero included, and equal to one lead at a time."""
    model = LeadScoringModel(
        [
            Criterion("neg", col("n") >= 2, -3.0),
            Criterion("pos", col("n") >= 3, 3.0),
            Criterion("e1", col("n") >= 1, 0.1, "engagement"),
            Criterion("seen", col("n") >= 0, 7.3, "engagement", Decay("at", 9.5)),
            Criterion("e2", col("n") >= 2, 0.7, "engagement"),
            Criterion("e3", col("n") >= 4, -0.1, "engagement"),
        ],
        thresholds=[Threshold(5, "route"), Threshold(0, "nurture")],
        engagement_cap=7.9,
    )
    rows = [
        {"n": n, "at": None if d is None else AS_OF - dt.timedelta(days=d)}
        for n in range(-1, 6)
        for d in [None, *range(-2, 40, 3)]
    ]
    keys = list(map(model._keyer(Context(as_of=AS_OF), mapping=True), rows))
    bits = len(model.criteria)
    as_tuples = [
        (key & ((1 << bits) - 1), key >> bits) if type(key) is int and key >> bits else key
        for key in keys
    ]
    assert sum(type(key) is tuple for key in keys) < sum(type(k) is tuple for k in as_tuples)
    want = [repr(model.score_one(row, as_of=AS_OF)) for row in rows]
    assert [repr(r) for r in model._results(keys)] == want
    assert [repr(r) for r in model._results(as_tuples)] == want
    assert [repr(r) for r in model.score(rows, as_of=AS_OF)] == want


def test_criteria_codes_of_interleaved_groups_equal_one_lead_at_a_time() -> None:
    """Fit and engagement criteria taking turns (a code's hits are not its fit hits followed
    by its engagement hits), a decaying criterion between two fit ones, a fit cap: the keyed
    results equal one lead at a time, reprs and explanations included."""
    model = LeadScoringModel(
        [
            Criterion("e0", col("n") >= 1, 0.1, "engagement"),
            Criterion("f1", col("n") >= 2, 2.9),
            Criterion("seen", col("n") >= 0, 7.3, "engagement", Decay("at", 9.5)),
            Criterion("f3", col("c") == True, 11.1),  # noqa: E712
            Criterion("e4", col("c") == False, -0.7, "engagement"),  # noqa: E712
            Criterion("f5", col("n") >= 3, 13.3),
        ],
        thresholds=[Threshold(20, "route"), Threshold(5, "nurture")],
        fit_cap=20.0,
    )
    days = [None, AS_OF, AS_OF - dt.timedelta(days=4), AS_OF - dt.timedelta(days=40)]
    rows = [
        {"n": n, "c": c, "at": at} for n in range(-1, 5) for c in (True, False, None) for at in days
    ]
    got = model.score(rows, as_of=AS_OF)
    want = [model.score_one(row, as_of=AS_OF) for row in rows]
    assert [repr(r) for r in got] == [repr(r) for r in want]
    assert [r.explain() for r in got] == [r.explain() for r in want]
    assert max(r.fit for r in got) == 20.0  # (the cap was reached)
    assert {len(r.hits) for r in got} >= {0, 3, 5}


class Stage(enum.Enum):
    LATE = 5


class Tier(enum.Enum):
    GOLD = "gold"


def test_leads_after_the_sampled_ones_may_hold_other_types() -> None:
    """The key tests the value types of 100 sampled leads first (here the first 100, as the
    list is short); later leads with an enum
    member, a Money amount, a Decimal, a float or a bool where the first ones held ints, or a
    datetime where they held dates, are read as one lead at a time reads them (an enum
    member read as it is would silently not equal its value: no error, a wrong score)."""
    model = LeadScoringModel(
        [
            Criterion("late", col("stage") >= 5, 10),
            Criterion("rich", col("budget") >= 100, 5),
            Criterion("gold", col("tier") == "gold", 4),
            Criterion("seen", col("stage") >= 1, 7.5, "engagement", Decay("at", 9.5)),
        ],
        thresholds=[Threshold(12, "route")],
    )
    first = [
        {
            "stage": k % 7,
            "budget": 50 * (k % 4),
            "tier": "gold" if k % 3 else "silver",
            "at": AS_OF - dt.timedelta(days=k % 30),
        }
        for k in range(100)
    ]
    assert expected_types(first, sorted(model.fields()), mapping=True) == [
        (dt.date,),
        (int,),
        (int,),
        (str,),
    ]  # (the sample the key is written for: these types are tested first)
    later = [
        {"stage": Stage.LATE, "budget": Money("150", "SEK"), "tier": Tier.GOLD, "at": AS_OF},
        {"stage": Decimal("5"), "budget": 99.5, "tier": Tier.GOLD, "at": None},
        {
            "stage": 5.0,
            "budget": True,
            "tier": None,
            "at": dt.datetime(2025, 6, 20, 23, 59, tzinfo=dt.UTC),
        },
        {"stage": True, "budget": Decimal("100"), "tier": "gold", "at": AS_OF - dt.timedelta(2)},
    ]
    rows = first + later + first[:3]
    got = model._score_keyed(rows, Context(as_of=AS_OF))  # (not the per-lead fallback)
    assert got is not None
    want = [model.score_one(row, as_of=AS_OF) for row in rows]
    assert [r.score for r in want[100:102]] == [26.5, 21.5]  # ("gold" from the enum members)
    assert [repr(r) for r in got] == [repr(r) for r in want]
    assert [r.explain() for r in got[100:104]] == [r.explain() for r in want[100:104]]


def test_the_sample_of_types_is_spread_over_the_list() -> None:
    """A list sorted by a field (missing values first) shows the sample both ends."""
    rows: list[Any] = [{"n": None}] * 500 + [{"n": 1}] * 500 + [SimpleNamespace(n=2)]
    sample = _spread_sample(rows, dict, 100)
    assert len(sample) == 100
    assert sample[0] is rows[0]
    assert {row["n"] for row in sample} == {None, 1}
    assert _spread_sample(rows, SimpleNamespace, 100) == [rows[-1]]
    assert _spread_sample(rows[:7], dict, 100) == rows[:7]
    assert _spread_sample([], dict, 100) == []
