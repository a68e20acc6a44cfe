"""Scoring plots: lead scores by action, the pipeline funnel, stage conversion, cohorts."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import polars as pl
import pytest

from crmkit.datasets import B2BDataset
from crmkit.errors import ValidationError
from crmkit.frames import col
from crmkit.plot import (
    plot_cohort_retention,
    plot_lead_scores,
    plot_pipeline_funnel,
    plot_stage_conversion,
)
from crmkit.scoring import (
    CohortCell,
    Criterion,
    LeadScore,
    LeadScoringModel,
    StageConversion,
    Threshold,
    cohort_retention,
    stage_change_rows,
    stage_conversion,
)

from .conftest import render

MODEL = LeadScoringModel(
    [
        Criterion("decider", col("buying_role") == "decider", 30),
        Criterion("searching", col("buying_stage").between(3, 5), 25),
        Criterion("large", col("employees") >= 50, 20),
    ],
    thresholds=[Threshold(60, "prioritise"), Threshold(40, "route"), Threshold(20, "nurture")],
)


@pytest.fixture(scope="module")
def conversions(company: B2BDataset) -> list[StageConversion]:
    pipe = company.pipeline("default")
    opportunities = [o for o in company.opportunities if o.pipeline_id == pipe.id]
    return stage_conversion(stage_change_rows(opportunities), pipeline=pipe)


def test_lead_scores_stack_each_action_band(company: B2BDataset) -> None:
    scores = MODEL.score(company.leads)
    ax = plot_lead_scores(scores, model=MODEL, bins=10)
    render(ax)
    by_action = Counter(s.action for s in scores)
    order = [a for a in ("prioritise", "route", "nurture", "disqualify") if a in by_action]
    labels = ax.get_legend_handles_labels()[1]
    assert labels[: len(order)] == order
    assert labels[len(order) :] == [
        "threshold 60 → prioritise",
        "threshold 40 → route",
        "threshold 20 → nurture",
    ]
    for action, bars in zip(order, ax.containers, strict=True):
        assert sum(p.get_height() for p in bars) == by_action[action]
    assert ax.get_xlabel() == "lead score"


def test_lead_scores_from_a_frame_match_records(company: B2BDataset) -> None:
    leads = company.leads
    frame = pl.DataFrame(
        {
            "buying_role": [getattr(lead.buying_role, "value", None) for lead in leads],
            "buying_stage": [getattr(lead.buying_stage, "value", None) for lead in leads],
            "employees": [lead.employees for lead in leads],
        }
    )
    from_frame = plot_lead_scores(MODEL.score(frame), bins=5)
    from_records = plot_lead_scores(MODEL.score(leads), bins=5)
    heights = [[p.get_height() for p in bars] for bars in from_frame.containers]
    assert heights == [[p.get_height() for p in bars] for bars in from_records.containers]


def test_lead_scores_put_unknown_actions_last() -> None:
    scores = [LeadScore(1.0, 1.0, 0.0, "call back", ()), LeadScore(9.0, 9.0, 0.0, "route", ())]
    ax = plot_lead_scores(scores, bins=2)
    assert ax.get_legend_handles_labels()[1] == ["route", "call back"]
    with pytest.raises(ValidationError, match=r"^model: "):
        plot_lead_scores(scores, model="rules")  # type: ignore[arg-type]


def test_pipeline_funnel_bars_are_the_deals_that_reached_each_stage(
    conversions: list[StageConversion],
) -> None:
    ax = plot_pipeline_funnel(conversions)
    render(ax)
    assert [p.get_width() for p in ax.patches] == [c.reached for c in conversions]
    # centred: each bar spans -reached/2 .. reached/2
    assert [p.get_x() for p in ax.patches] == [-c.reached / 2 for c in conversions]
    assert [t.get_text() for t in ax.get_yticklabels()] == [c.stage for c in conversions]
    top = conversions[0].reached
    assert [t.get_text() for t in ax.texts] == [
        f"{c.reached:,} ({c.reached / top:.0%})" for c in conversions
    ]


def test_stage_conversion_bars_are_the_rates(conversions: list[StageConversion]) -> None:
    ax = plot_stage_conversion(conversions)
    render(ax)
    assert [p.get_height() for p in ax.patches] == [c.rate for c in conversions]
    assert [t.get_text() for t in ax.texts] == [
        f"{c.advanced:,} / {c.reached:,}" for c in conversions
    ]
    assert ax.get_ylabel() == "conversion rate"


def test_stage_conversion_refuses_a_rate_outside_zero_to_one() -> None:
    with pytest.raises(ValidationError, match=r"^conversions\[1\]\.rate: 1\.5"):
        plot_stage_conversion([StageConversion("a", 2, 1, 0.5), StageConversion("b", 2, 3, 1.5)])


def test_cohort_retention_image_holds_the_rates(purchases: list[Any]) -> None:
    cells = cohort_retention(purchases, period="year")
    ax = plot_cohort_retention(cells)
    render(ax)
    grid = ax.get_images()[0].get_array()
    cohorts = sorted({c.cohort for c in cells})
    assert [t.get_text() for t in ax.get_yticklabels()] == cohorts
    for c in cells:
        assert grid[cohorts.index(c.cohort), c.offset] == pytest.approx(c.rate)
    assert np.all(grid[:, 0] == 1.0)  # everyone buys in their first period
    # the last cohort has lived through one period only: the rest is blank (masked)
    assert bool(grid.mask[-1, 1:].all())
    assert not bool(grid.mask[0].any())


def test_cohort_retention_monthly_fills_observed_gaps_with_zero() -> None:
    cells = [
        CohortCell("2024-11", 0, 2, 1.0),
        CohortCell("2024-11", 3, 1, 0.5),
        CohortCell("2025-01", 0, 1, 1.0),
    ]
    grid = plot_cohort_retention(cells).get_images()[0].get_array()
    assert grid.tolist() == [[1.0, 0.0, 0.0, 0.5], [1.0, 0.0, None, None]]


@pytest.mark.parametrize("label", ["Q1-2025", "2025-13", "25-01", ""])
def test_cohort_retention_refuses_unknown_cohort_labels(label: str) -> None:
    with pytest.raises(ValidationError, match=r"^cells.cohort: "):
        plot_cohort_retention([CohortCell(label, 0, 1, 1.0)])
