"""One vocabulary across the analytics (docs page *Time and boundaries*): every old
parameter name still works for one release, gives the new name's result and warns with a
``DeprecationWarning`` naming the new one; missing ``as_of`` where it was defaulted warns and
keeps the old default. The warning points at the caller's line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from crmkit.clv import calibration_holdout, summarise
from crmkit.errors import ValidationError
from crmkit.frames import as_of, col
from crmkit.scoring import (
    Criterion,
    Decay,
    LeadScoringModel,
    cohort_retention,
    engagement_summary,
    overdue_follow_ups,
    period_retention,
)
from crmkit.segmentation import (
    abc_classes,
    concentration,
    customer_status,
    pareto_check,
    repurchase_buckets,
    rfm,
    status_counts,
)
from crmkit.strategy.follow_up import Cadence, FollowUpPlan

AS_OF = dt.date(2024, 12, 31)
ORDERS: list[dict[str, Any]] = [
    {"account_id": "a", "ordered_at": dt.date(2024, 1, 1), "total": 10},
    {"account_id": "a", "ordered_at": dt.date(2024, 3, 1), "total": 30},
    {"account_id": "b", "ordered_at": dt.date(2024, 2, 1), "total": 5},
]
EVENTS = [{"lead_id": "x", "type": "email", "done_at": dt.date(2024, 5, 1)}]
YEAR_2024 = (dt.date(2024, 1, 1), dt.date(2024, 12, 31))

# function, the call's other arguments, old name → new name, the value passed
RENAMES: list[tuple[Callable[..., Any], dict[str, Any], str, str, Any]] = [
    (summarise, {"as_of": AS_OF}, "value", "amount", "total"),
    (summarise, {"as_of": AS_OF}, "at", "date_field", "ordered_at"),
    (summarise, {}, "observation_end", "as_of", AS_OF),
    (calibration_holdout, {"as_of": AS_OF, "calibration_end": dt.date(2024, 2, 15)}, "value",
     "amount", "total"),
    (calibration_holdout, {"calibration_end": dt.date(2024, 2, 15)}, "observation_end", "as_of",
     AS_OF),
    (calibration_holdout, {"as_of": AS_OF, "calibration_end": dt.date(2024, 2, 15)}, "at",
     "date_field", "ordered_at"),
    (abc_classes, {}, "value", "amount", "total"),
    (pareto_check, {}, "value", "amount", "total"),
    (concentration, {}, "value", "amount", "total"),
    (rfm, {"as_of": AS_OF}, "at", "date_field", "ordered_at"),
    (customer_status, {"as_of": AS_OF}, "at", "date_field", "ordered_at"),
    (status_counts, {"as_of": AS_OF}, "at", "date_field", "ordered_at"),
    (repurchase_buckets, {"as_of": AS_OF}, "at", "date_field", "ordered_at"),
    (cohort_retention, {}, "at", "date_field", "ordered_at"),
    (period_retention, {"previous": YEAR_2024, "current": (dt.date(2025, 1, 1),
                                                          dt.date(2025, 12, 31))},
     "at", "date_field", "ordered_at"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("function", "kwargs", "old", "new", "value"),
    RENAMES,
    ids=[f"{f.__name__}-{old}" for f, _, old, _, _ in RENAMES],
)
def test_an_old_name_warns_naming_the_new_one_and_gives_the_same_result(
    function: Callable[..., Any], kwargs: dict[str, Any], old: str, new: str, value: Any
) -> None:
    expected = function(ORDERS, **kwargs, **{new: value})
    with pytest.warns(
        DeprecationWarning, match=rf"\({old}=\.\.\.\) is deprecated; use {new}="
    ) as caught:
        result = function(ORDERS, **kwargs, **{old: value})
    assert result == expected
    assert caught[0].filename == __file__  # the warning points at the caller's line


def test_engagement_summary_takes_date_field() -> None:
    expected = engagement_summary(EVENTS, date_field="done_at")
    with pytest.warns(DeprecationWarning, match=r"engagement_summary\(at=\.\.\.\)"):
        assert engagement_summary(EVENTS, at="done_at") == expected  # type: ignore[call-arg]


def test_the_old_and_the_new_name_together_are_refused() -> None:
    with pytest.raises(ValidationError, match=r"observation_end: .* is the old name of as_of"):
        summarise(ORDERS, as_of=AS_OF, observation_end=AS_OF)  # type: ignore[call-arg]


def test_summarise_without_as_of_keeps_the_old_default_with_a_warning() -> None:
    last = max(row["ordered_at"] for row in ORDERS)
    with pytest.warns(DeprecationWarning, match=r"summarise\(\) without as_of") as caught:
        result = summarise(ORDERS, amount="total")
    assert result == summarise(ORDERS, amount="total", as_of=last)
    assert caught[0].filename == __file__


DATED = LeadScoringModel(
    [Criterion("recent", col("seen_at") >= as_of(days=-30), 10),
     Criterion("visits", col("visits") > 0, 5, "engagement", Decay("seen_at", 14))]
)  # fmt: skip
LEAD = {"seen_at": dt.date(2024, 12, 20), "visits": 2}


def test_a_lead_model_on_dates_needs_as_of_and_warns_without_it() -> None:
    today = dt.datetime.now(dt.UTC).date()
    with pytest.warns(DeprecationWarning, match=r"LeadScoringModel.score_one\(\) without as_of"):
        old = DATED.score_one(LEAD)
    assert old == DATED.score_one(LEAD, as_of=today)
    with pytest.warns(DeprecationWarning, match=r"LeadScoringModel.score\(\) without as_of"):
        assert DATED.score([LEAD]) == DATED.score([LEAD], as_of=today)


def test_a_lead_model_without_dates_does_not_need_as_of(recwarn: pytest.WarningsRecorder) -> None:
    model = LeadScoringModel([Criterion("visits", col("visits") > 0, 5)])
    assert not model.uses_as_of()
    assert model.score_one(LEAD).score == 5.0
    assert not [w for w in recwarn if issubclass(w.category, DeprecationWarning)]


def test_overdue_follow_ups_takes_the_as_of_date() -> None:
    planned = [
        {"status": "planned", "planned_at": dt.datetime(2025, 1, 4, 23, 30, tzinfo=dt.UTC)},
        {"status": "planned", "planned_at": dt.datetime(2025, 1, 5, 9, 0, tzinfo=dt.UTC)},
    ]
    assert overdue_follow_ups(planned, as_of=dt.date(2025, 1, 5)) == planned[:1]
    with pytest.raises(ValidationError, match=r"as_of: .* must be a date"):
        overdue_follow_ups(planned, as_of="2025-01-05")  # type: ignore[arg-type]


def test_next_due_takes_as_of_and_the_old_today() -> None:
    plan = FollowUpPlan()
    plan.schedule("new", Cadence.MONTHLY)
    day = dt.date(2025, 3, 1)
    assert plan.next_due("new", as_of=day) == day
    with pytest.warns(DeprecationWarning, match=r"next_due\(today=\.\.\.\) is deprecated"):
        assert plan.next_due("new", today=day) == day  # type: ignore[call-arg]
    with pytest.warns(DeprecationWarning, match=r"next_due\(\) without as_of"):
        assert plan.next_due("new") == dt.date.today()
