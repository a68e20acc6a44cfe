"""KPI catalogues: the seeds' worked examples as tests."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from crmkit.domain import KPI, KPIDirection
from crmkit.errors import ValidationError
from crmkit.scoring import (
    CUSTOMER_CARE_KPIS,
    QUALITY_PARAMETERS,
    Goal,
    ProspectingPeriod,
    average_sales_per_customer,
    cases_per_agent_per_day,
    cases_per_problem_type,
    compare_periods,
    customer_care_kpis,
    customers_per_salesperson,
    new_vs_existing,
    percent_change,
    prospecting_kpis,
    recommend_kpis,
    revenue_per_customer,
    visits_per_salesperson,
    waiting_time,
)
from tests.engines import FRAME_ENGINES, frame_rows, matrix_params, to_frame

# seed-001.md §5.4 (synthetic worked example): manual vs CRM-supported prospecting
MANUAL = ProspectingPeriod("manual", qualified_prospects=100, new_customers=5,
                           revenue=500_000, hours=200, other_cost=0)  # fmt: skip
CRM = ProspectingPeriod("crm", qualified_prospects=100, new_customers=10,
                        revenue=1_200_000, hours=120, other_cost=12_500)  # fmt: skip


def test_seed_001_quality_parameters_period_comparison() -> None:
    changes = {c.name: c for c in compare_periods(MANUAL, CRM, hourly_rate=1000)}
    assert (changes["conversion_rate"].before, changes["conversion_rate"].after) == (0.05, 0.10)
    assert (changes["value_per_customer"].before, changes["value_per_customer"].after) == (
        100_000.0,
        120_000.0,
    )
    assert (changes["hours_per_new_customer"].before, changes["hours_per_new_customer"].after) == (
        40.0,
        12.0,
    )
    # at NOK 1,000/h: 200 h × 1000 / 5 = 40,000 → (120 h × 1000 + 12,500) / 10 = 13,250
    assert (changes["cost_per_new_customer"].before, changes["cost_per_new_customer"].after) == (
        40_000.0,
        13_250.0,
    )
    assert all(c.improved for c in changes.values())
    # directions: 2 maximise, 2 minimise
    assert [s.direction for s in QUALITY_PARAMETERS] == ["max", "max", "min", "min"]
    # cost depends on the hourly rate: at 0 only the CRM's other cost is left
    free_hours = {c.name: c for c in compare_periods(MANUAL, CRM, hourly_rate=0)}
    assert free_hours["cost_per_new_customer"].after == 1_250.0
    assert free_hours["cost_per_new_customer"].improved is False


def test_prospecting_kpis_are_domain_kpi_objects() -> None:
    targets = {"conversion_rate": 0.08, "value_per_customer": 150_000,
               "hours_per_new_customer": 20, "cost_per_new_customer": 10_000}  # fmt: skip
    kpis = prospecting_kpis(CRM, hourly_rate=1000, targets=targets, baseline=MANUAL)
    assert all(isinstance(k, KPI) for k in kpis)
    assert [(k.direction, k.is_met) for k in kpis] == [
        (KPIDirection.MAX, True),
        (KPIDirection.MAX, False),
        (KPIDirection.MIN, True),
        (KPIDirection.MIN, False),
    ]
    hours = kpis[2]
    assert (hours.baseline, hours.actual, hours.target) == (40.0, 12.0, 20.0)
    assert hours.progress == pytest.approx((12 - 40) / (20 - 40))
    with pytest.raises(ValidationError) as err:
        prospecting_kpis(CRM, hourly_rate=1000, targets={"leads": 3})
    assert err.value.paths == ["targets.leads"]


def test_seed_004_kpis_item_9() -> None:
    # K1: 96 visits by 4 salespeople in March → 24 per salesperson per month
    assert visits_per_salesperson(96, 4) == 24.0
    # K2/K3: 2,000,000 SEK over 250 customers → 8,000 SEK per customer
    assert revenue_per_customer(2_000_000, 250) == 8_000.0
    assert average_sales_per_customer(2_000_000, 250) == 8_000.0
    # K4: 250 customers over 5 salespeople → 50
    assert customers_per_salesperson(250, 5) == 50.0
    # K5: cases per problem type
    cases = ["billing", "billing", "delivery", "login", "billing"]
    assert cases_per_problem_type(cases) == {"billing": 3, "delivery": 1, "login": 1}
    # K6: 3 agents, 180 cases, 5 days → 12 per agent per day; 13.2 is +10 %
    assert cases_per_agent_per_day(180, agents=3, days=5) == 12.0
    assert percent_change(12, 13.2) == pytest.approx(10.0)
    # K7: waits 30, 90, 120, 0 s → mean 60, median 60
    wait = waiting_time([30, 90, 120, 0])
    assert (wait.mean, wait.median) == (60.0, 60.0)
    # K8: 40 new and 160 existing → 20 % / 80 %
    assert new_vs_existing(40, 160) == (0.2, 0.8)


def test_seed_004_goal_to_kpi_item_10() -> None:
    assert [k.key for k in recommend_kpis("grow_existing")] == ["average_sales_per_customer"]
    assert [k.key for k in recommend_kpis(Goal.NEW_CUSTOMERS)] == ["customers_per_salesperson"]
    assert [k.key for k in recommend_kpis("both")] == [
        "average_sales_per_customer",
        "customers_per_salesperson",
    ]
    with pytest.raises(ValidationError, match="not a known goal"):
        recommend_kpis("be famous")


def test_customer_care_kpi_objects() -> None:
    kpis = customer_care_kpis(
        {"waiting_time": 60.0, "cases_per_agent_per_day": 12.0},
        period="2025-03",
        targets={"waiting_time": 45.0, "cases_per_agent_per_day": 10.0},
    )
    assert [k.name for k in kpis] == ["Cases per agent per day", "Waiting time in customer service"]
    assert [k.is_met for k in kpis] == [True, False]
    assert kpis[1].progress == pytest.approx(45 / 60)
    assert len(CUSTOMER_CARE_KPIS) == 8
    with pytest.raises(ValidationError) as err:
        customer_care_kpis({"waiting_time": 60.0}, period="2025-03", targets={})
    assert err.value.paths == ["targets.waiting_time"]


def test_bad_counts() -> None:
    with pytest.raises(ValidationError, match="salespeople"):
        visits_per_salesperson(10, 0)
    with pytest.raises(ValidationError, match="cannot exceed"):
        ProspectingPeriod("x", 10, 11, 0, 0)
    with pytest.raises(ValidationError, match="zero or more"):
        waiting_time([-1])


@pytest.mark.parametrize("engine", matrix_params(FRAME_ENGINES), indirect=True)
def test_case_kpis_on_frames(engine: str) -> None:
    t0 = dt.datetime(2025, 3, 1, 9, tzinfo=dt.UTC)
    cases = [
        {"problem_type": p, "opened_at": t0, "first_response_at": None if w is None else t0 + dt.timedelta(seconds=w)}
        for p, w in [("billing", 30), ("billing", 90), ("delivery", 120), ("login", 0), ("billing", None)]
    ]  # fmt: skip
    schema = {"problem_type": pl.String, "opened_at": pl.Datetime("us", "UTC"),
              "first_response_at": pl.Datetime("us", "UTC")}  # fmt: skip
    got = frame_rows(cases_per_problem_type(to_frame(cases, engine, schema)))
    assert [(r["problem_type"], r["cases"]) for r in got] == list(
        cases_per_problem_type(cases).items()
    )
    assert waiting_time(to_frame(cases, engine, schema)) == waiting_time(cases)
    assert waiting_time(cases).count == 4
