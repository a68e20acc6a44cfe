"""Every scoring analytic on Dask and PySpark, checked like the in-process engines.

The property tests of this folder compare each frame analytic with the records engine on many
drawn examples for the in-process engines; Dask (a local cluster of 2 worker processes) and PySpark
(``local[2]``) plan and schedule every query, so they run the same checks on one drawn
example each (derandomised: the same example every run).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tests.scoring.test_lead_scoring as lead_scoring
import tests.scoring.test_loyalty_retention as loyalty
import tests.scoring.test_pipeline as pipeline
import tests.scoring.test_prospecting as prospecting
import tests.scoring.test_win_probability as win_probability
from tests.engines import DISTRIBUTED, matrix_params

ENGINES = matrix_params(tuple(sorted(DISTRIBUTED)))
FEW = settings(
    max_examples=1,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


def check(property_test: Any, engine: str, **drawn: Any) -> None:
    """Run a property test's body (``.hypothesis.inner_test``) on ``engine`` with ``drawn``."""
    property_test.hypothesis.inner_test(engine=engine, **drawn)


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
@FEW
@given(rows=st.lists(lead_scoring.leads, min_size=3, max_size=12))
def test_lead_scoring(engine: str, rows: list[dict[str, object]]) -> None:
    check(lead_scoring.test_records_and_frames_agree, engine, rows=rows)


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
@FEW
@given(rows=lead_scoring.events)
def test_engagement_summary(engine: str, rows: list[dict[str, object]]) -> None:
    check(lead_scoring.test_engagement_summary_agrees_and_feeds_the_model, engine, rows=rows)


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
@FEW
@given(rows=loyalty.customers)
def test_loyalty_and_profitability(engine: str, rows: list[dict[str, object]]) -> None:
    check(loyalty.test_customer_metrics_agree, engine, rows=rows)


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
@FEW
@given(rows=loyalty.orders)
def test_retention_and_cross_sell(engine: str, rows: list[dict[str, object]]) -> None:
    check(loyalty.test_order_metrics_agree, engine, rows=rows)


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
@FEW
@given(opps=pipeline.opportunities)
def test_pipeline_metrics(engine: str, opps: list[dict[str, object]]) -> None:
    check(pipeline.test_records_and_frames_agree, engine, opps=opps)


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
@FEW
@given(raw=pipeline.changes)
def test_stage_changes(engine: str, raw: list[tuple[int, str, int]]) -> None:
    check(pipeline.test_stage_changes_agree, engine, raw=raw)


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
@FEW
@given(data=prospecting.rows)
def test_prospecting(engine: str, data: list[dict[str, object]]) -> None:
    check(prospecting.test_records_and_frames_agree, engine, data=data)


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
@FEW
@given(history=win_probability.training, deals=win_probability.open_deals)
def test_win_probability(engine: str, history: Any, deals: Any) -> None:
    check(win_probability.test_records_and_frames_agree, engine, history=history, deals=deals)
