"""One vocabulary across the analytics (docs page *Time and boundaries*): every old
parameter name still works for one release, gives the new name's result and warns with a
``DeprecationWarning`` naming the new one; missing ``as_of`` where it was defaulted warns and
keeps the old default. The warning points at the caller's line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from crmkit import strategy
from crmkit.clv import BetaGeo, calibration_holdout, summarise
from crmkit.domain import Money, RateTable
from crmkit.errors import ValidationError
from crmkit.frames import as_of, col
from crmkit.plot import (
    plot_cumulative_transactions,
    plot_history_alive,
    plot_incremental_transactions,
)
from crmkit.scoring import (
    Criterion,
    Decay,
    IcpDimension,
    IdealCustomerProfile,
    LeadScoringModel,
    Seller,
    cohort_retention,
    customers_per_stage,
    engagement_summary,
    false_key_customers,
    overdue_follow_ups,
    period_retention,
    profitability_ranking,
    route_leads,
    velocity,
)
from crmkit.segmentation import (
    abc_classes,
    concentration,
    customer_status,
    pareto_check,
    repurchase_buckets,
    rfm,
    segment_summary,
    segment_summary_in,
    status_counts,
)
from crmkit.strategy import analyse_customers
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
    (segment_summary, {"segment": "account_id"}, "value", "amount", "total"),
    (analyse_customers, {"as_of": AS_OF}, "at", "date_field", "ordered_at"),
    (analyse_customers, {"as_of": AS_OF}, "value", "amount", "total"),
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


def test_customers_per_stage_takes_customer() -> None:
    opportunities = [{"stage_key": "a", "buyer": "x"}, {"stage_key": "a", "buyer": "y"}]
    expected = customers_per_stage(opportunities, customer="buyer")
    assert expected == [("a", 2)]
    with pytest.warns(
        DeprecationWarning,
        match=r"customers_per_stage\(account=\.\.\.\) is deprecated; use customer=",
    ) as caught:
        assert customers_per_stage(opportunities, account="buyer") == expected  # type: ignore[call-arg]
    assert caught[0].filename == __file__


def test_profitability_ranking_takes_key() -> None:
    accounts = [{"code": "a", "profit": 1.0}, {"code": "b", "profit": 3.0}]
    expected = profitability_ranking(accounts, key="code")
    assert [r.customer for r in expected] == ["b", "a"]
    with pytest.warns(
        DeprecationWarning,
        match=r"profitability_ranking\(customer=\.\.\.\) is deprecated; use key=",
    ):
        assert profitability_ranking(accounts, customer="code") == expected  # type: ignore[call-arg]


RECORD_RENAMES: list[tuple[Callable[..., Any], list[Any], dict[str, Any], str, str, str]] = [
    (route_leads, [{"code": 1, "segment": "smb"}], {"sellers": [Seller("ann", {"smb"})]},
     "lead_id", "key", "code"),
    (false_key_customers, [{"id": "a", "profit": 0, "key": True}, {"id": "b", "profit": 1,
                                                                  "key": True}], {},
     "key", "key_account", "key"),
    (velocity, [{"stage_key": "won", "amount": 10.0, "created_at": dt.date(2025, 1, 1),
                 "won_on": dt.date(2025, 1, 11)}],
     {"pipeline": [{"key": "won", "order": 1, "is_closed": True, "is_won": True}]},
     "closed", "close_date", "won_on"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("function", "records", "kwargs", "old", "new", "value"),
    RECORD_RENAMES,
    ids=[f"{f.__name__}-{old}" for f, _, _, old, _, _ in RECORD_RENAMES],
)
def test_an_old_column_name_of_a_record_analytic_warns_and_gives_the_same_result(
    function: Callable[..., Any],
    records: list[Any],
    kwargs: dict[str, Any],
    old: str,
    new: str,
    value: str,
) -> None:
    expected = function(records, **kwargs, **{new: value})
    assert expected  # the renamed column was read: something came out
    with pytest.warns(
        DeprecationWarning, match=rf"{function.__name__}\({old}=\.\.\.\) is deprecated; use {new}="
    ) as caught:
        assert function(records, **kwargs, **{old: value}) == expected
    assert caught[0].filename == __file__


def test_segment_summary_in_takes_amount() -> None:
    deals = [{"segment": "A", "revenue": Money("100", "SEK")}]
    options: dict[str, Any] = {"currency": "SEK", "rates": RateTable(), "on": dt.date(2025, 1, 1)}
    expected = segment_summary_in(deals, amount="revenue", **options)
    assert expected[0].value_total == 100
    with pytest.warns(DeprecationWarning, match=r"segment_summary_in\(value=\.\.\.\)"):
        assert segment_summary_in(deals, value="revenue", **options) == expected


PLOT_MODEL = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="weeks")
PLOT_ORDERS = [{"account_id": "a", "day": dt.date(2025, 1, 6)},
               {"account_id": "a", "day": dt.date(2025, 1, 20)}]  # fmt: skip
PLOT_END = dt.date(2025, 3, 3)
TRANSACTION_PLOTS = [
    plot_cumulative_transactions,
    plot_incremental_transactions,
    plot_history_alive,
]


def _plot(function: Callable[..., Any], **kwargs: Any) -> list[list[float]]:
    """The y data of the plot's lines (what the plot drew)."""
    args = (PLOT_MODEL, PLOT_ORDERS) + (("a",) if function is plot_history_alive else ())
    return [[float(y) for y in line.get_ydata()] for line in function(*args, **kwargs).get_lines()]


@pytest.mark.parametrize("function", TRANSACTION_PLOTS, ids=lambda f: f.__name__)
@pytest.mark.parametrize(("old", "new", "value"), [("at", "date_field", "day"),
                                                   ("observation_end", "as_of", PLOT_END)])  # fmt: skip
def test_the_transaction_plots_take_date_field_and_as_of(
    function: Callable[..., Any], old: str, new: str, value: Any
) -> None:
    given = {"date_field": "day", "as_of": PLOT_END}
    expected = _plot(function, **given)
    del given[new]
    with pytest.warns(
        DeprecationWarning, match=rf"{function.__name__}\({old}=\.\.\.\) is deprecated; use {new}="
    ) as caught:
        assert _plot(function, **given, **{old: value}) == expected
    assert caught[0].filename == __file__


@pytest.mark.parametrize("function", TRANSACTION_PLOTS, ids=lambda f: f.__name__)
def test_a_transaction_plot_without_as_of_warns_and_ends_at_the_last_purchase(
    function: Callable[..., Any],
) -> None:
    with pytest.warns(DeprecationWarning, match=rf"{function.__name__}\(\) without as_of"):
        old = _plot(function, date_field="day")
    assert old == _plot(function, date_field="day", as_of=dt.date(2025, 1, 20))


# #17 item 5: one input shape per function, one meaning per name


def test_the_workbook_figures_have_names_of_their_own() -> None:
    day = dt.date(2024, 6, 1)
    with pytest.warns(
        DeprecationWarning,
        match=r"customer_status\(\) is deprecated; use status_from_last_invoice\(\)",
    ) as caught:
        old = strategy.customer_status(day, AS_OF)
    assert old is strategy.status_from_last_invoice(day, AS_OF)
    assert caught[0].filename == __file__
    pairs = [(True, True), (False, True)]
    with pytest.warns(
        DeprecationWarning,
        match=r"profitability_matrix\(\) is deprecated; use profitability_shares\(\)",
    ):
        assert strategy.profitability_matrix(pairs) == strategy.profitability_shares(pairs)


def test_flags_and_counts_have_functions_of_their_own() -> None:
    flags = [(True, True, True), (True, False, True)]
    with pytest.warns(DeprecationWarning, match=r"use loyal_percent_of_flags\(\)") as caught:
        assert strategy.loyal_percent(flags) == strategy.loyal_percent_of_flags(flags) == 50.0
    assert caught[0].filename == __file__
    with pytest.warns(DeprecationWarning, match=r"use cross_sell_percent_of_counts\(\)"):
        assert strategy.cross_sell_percent([1, 2]) == strategy.cross_sell_percent_of_counts([1, 2])
    purchases = [{"account_id": "a", "product_id": p} for p in ("p1", "p2")]
    expected = strategy.cross_sell_percent(purchases)
    with pytest.warns(DeprecationWarning, match=r"cross_sell_percent\(distinct_products=\.\.\.\)"):
        assert strategy.cross_sell_percent(distinct_products=purchases) == expected  # type: ignore[call-arg]


def test_an_ideal_customer_profile_scores_and_its_old_fit_warns() -> None:
    icp = IdealCustomerProfile([IcpDimension("need", col("x") > 1, weight=3),
                                IcpDimension("size", col("y") > 1)])  # fmt: skip
    prospects = [{"x": 2, "y": 0}, {"x": 0, "y": 2}]
    assert icp.score(prospects) == [icp.score_one(p) for p in prospects] == [0.75, 0.25]
    with pytest.warns(
        DeprecationWarning, match=r"IdealCustomerProfile.fit\(\) is deprecated; use score_one\(\)"
    ) as caught:
        assert icp.fit(prospects[0]) == 0.75
    assert caught[0].filename == __file__
    with pytest.warns(DeprecationWarning, match=r"use score\(\)"):
        assert icp.fit(prospects) == [0.75, 0.25]
