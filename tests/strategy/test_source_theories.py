"""Theories, KPI method and constants carried from the source documents, with their counts.

Every count and figure below comes from the reference extracts; each test names its lines.
"""

from __future__ import annotations

import math

import pytest

from crmkit.domain import KPIDirection
from crmkit.errors import NotFoundError, ValidationError
from crmkit.scoring import ACQUISITION_TO_RETENTION
from crmkit.strategy import (
    CROSSWALK,
    HYPOTHESES,
    INTERVIEW_KPIS,
    KPI_QUALITY_CRITERIA,
    LITERATURE_ARTICLES,
    LITERATURE_COUNTS,
    SOURCE_CONSTANTS,
    BigDataV,
    Construct,
    CriticalArea,
    CrmAspect,
    CrmType,
    EnvironmentFactor,
    InformationOperation,
    InfrastructureType,
    KpiApproach,
    MoneyLink,
    Process,
    StrategyLevel,
    ValueDimension,
    ValueDirection,
    WorkSystemElement,
    Zone,
    directions_of,
    elements_in,
    goals_without_kpis,
    interview_kpis,
    is_big_data,
    kpi_quality,
    literature_percent,
    paths,
    sensitivity,
    source_constant,
)


def test_alter_work_system_counts() -> None:
    # reference: seed-000.md L805-L807 — 9 elements = 4 inside + 2 partly + 3 outside;
    # 3 infrastructure types; 3 strategy levels; 6 environment factors; 5 information operations
    assert len(WorkSystemElement) == 9
    assert [len(elements_in(z)) for z in Zone] == [4, 2, 3]
    assert (len(InfrastructureType), len(StrategyLevel)) == (3, 3)
    assert (len(EnvironmentFactor), len(InformationOperation)) == (6, 5)
    wst_names = [t.name for t in CROSSWALK if t.theory == "alter_wst"]
    assert wst_names == [e.label.en for e in WorkSystemElement]


def test_elia_value_directions_and_big_data_vs() -> None:
    # reference: seed-000.md L257, L808, L810 — 11 directions (2, 3, 1, 4, 1); 4 Vs + veracity
    assert len(ValueDirection) == 11
    assert [len(directions_of(d)) for d in ValueDimension] == [2, 3, 1, 4, 1]
    elia = [t.name for t in CROSSWALK if t.theory == "elia_value"]
    assert elia == [f"{d.value.capitalize()} value" for d in ValueDimension]
    assert len(BigDataV) == 5
    assert [v for v in BigDataV if v.is_most_essential] == [BigDataV.VALUE]
    assert not is_big_data(volume=10, capacity=10)
    # reference: seed-000.md L816-L830 — 21/9/8/8 of 49 articles, printed 42/18/16/16 %
    assert [literature_percent(d) for d in LITERATURE_COUNTS] == [42, 18, 16, 16]
    assert sum(LITERATURE_COUNTS.values()) == 46
    assert LITERATURE_ARTICLES == 49
    with pytest.raises(ValidationError):
        is_big_data(volume=-1, capacity=10)


def test_zerbino_aspects_and_areas() -> None:
    # reference: seed-000.md L269-L286 — five aspects; the areas swap process for project
    assert len(CrmAspect) == len(CriticalArea) == 5
    assert {a.aspect for a in CriticalArea} - {None} == set(CrmAspect) - {CrmAspect.PROCESS}
    zerbino = [t.name.split()[0].lower() for t in CROSSWALK if t.theory == "zerbino_areas"]
    assert zerbino == [a.value for a in CriticalArea]


def test_taylor_hunter_loyalty_model() -> None:
    # reference: seed-000.md L348-L358 — 6 constructs, 6 hypotheses, all supported
    assert len(Construct) == len(HYPOTHESES) == 6
    assert all(h.supported for h in HYPOTHESES)
    assert [h.id for h in HYPOTHESES if not h.causal] == ["H4"]
    assert paths("subjective_disconfirmation", "word_of_mouth") == []
    assert paths(Construct.QUALITY, Construct.SATISFACTION) == [
        [Construct.QUALITY, Construct.SATISFACTION]
    ]
    with pytest.raises(ValidationError):
        paths("trust", "loyalty")


def test_interview_kpi_catalogue() -> None:
    # reference: seed-000.md L429-L444 — the interview KPIs the brief names are all there
    keys = [k.spec.key for k in INTERVIEW_KPIS]
    for wanted in ("presence", "planning_rate", "competence", "activity",
                   "sales_calls_per_week", "budget"):  # fmt: skip
        assert wanted in keys
    assert len(keys) == len(set(keys)) == 13
    assert {k.process for k in INTERVIEW_KPIS} <= set(Process)
    assert {k.crm_type for k in INTERVIEW_KPIS} == set(CrmType)
    calls = interview_kpis(key="sales_calls_per_week")[0]
    kpi = calls.kpi(target=20, actual=25, period="week 12")
    assert kpi.direction is KPIDirection.MAX
    assert kpi.is_met
    assert kpi.period.label == "week 12"
    assert len(interview_kpis(respondent="key_account_manager")) == 1


def test_kpi_method() -> None:
    # reference: seed-002-004.md L530-L536 — four quality criteria, two approaches, goals need
    # KPIs, KPIs tied to money
    assert len(KPI_QUALITY_CRITERIA) == 4
    assert len(KpiApproach) == 2
    assert kpi_quality("revenue per customer", dict.fromkeys(KPI_QUALITY_CRITERIA, True)).good
    # "profit/loss alone is too coarse" (compendium L154): wrong level of detail
    coarse = kpi_quality("profit", {"informative": True, "understandable": True})
    assert coarse.missing == ("easy_to_compile", "right_level_of_detail")
    goals = {"more satisfied customers": ["waiting_time"], "increased sales": [], "brand": ()}
    assert goals_without_kpis(goals) == ["increased sales", "brand"]
    assert MoneyLink("visits_per_salesperson", 2500.0).effect(-2) == -5000.0
    with pytest.raises(ValidationError):
        MoneyLink("x", math.inf)
    result = {"customers": 100.0, "average_sales": 5000.0}
    effects = sensitivity(lambda k: k["customers"] * k["average_sales"], result)
    assert effects == {"customers": 5000.0, "average_sales": 5000.0}
    with pytest.raises(ValidationError):
        sensitivity(lambda k: 0.0, {"x": "1"})  # type: ignore[dict-item]


def test_source_constants_are_cited() -> None:
    # reference: seed-000.md L833-L834; seed-003.md L984-L986
    assert (
        source_constant("win_back_cost_ratio").low,
        source_constant("win_back_cost_ratio").high,
    ) == (50.0, 100.0)
    assert source_constant("retention_easier_than_acquisition").value == 8.0
    assert (source_constant("cross_sell_response_ratio").low,
            source_constant("cross_sell_response_ratio").high) == (2.0, 5.0)  # fmt: skip
    assert source_constant("crm_failure_rate").value == 0.6
    assert source_constant("acquisition_to_retention_cost").value == ACQUISITION_TO_RETENTION
    for c in SOURCE_CONSTANTS:
        assert c.reference.startswith("seed-")
        assert "seed" not in c.source  # user-facing: authors and titles only
        assert c.kind in {"citation", "statement"}
        assert c.low <= c.high
    with pytest.raises(NotFoundError):
        source_constant("nope")
