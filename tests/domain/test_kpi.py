from __future__ import annotations

from datetime import date

import pytest

from crmkit.domain import KPI, KPIDirection, KPIPeriod
from crmkit.errors import ValidationError


def test_progress_towards_a_maximum() -> None:
    kpi = KPI("Conversion rate", target=0.25, actual=0.20)
    assert kpi.progress == pytest.approx(0.8)
    assert not kpi.is_met
    assert kpi.is_on_track(0.75)
    assert not kpi.is_on_track(0.9)
    kpi.record(0.3)
    assert kpi.is_met
    assert kpi.progress == pytest.approx(1.2)


def test_progress_towards_a_minimum() -> None:
    hours = KPI("Work hours", target=10, actual=20, direction=KPIDirection.MIN)
    assert hours.progress == 0.5
    assert not hours.is_met
    hours.record(8)
    assert hours.is_met
    assert hours.progress == 1.25
    with_baseline = KPI("Response time", target=4, actual=5, baseline=12,
                        direction=KPIDirection.MIN)  # fmt: skip
    assert with_baseline.progress == pytest.approx(0.875)
    assert KPI("Complaints", target=0, actual=0, direction=KPIDirection.MIN).progress == 1.0


def test_no_actual_means_no_progress() -> None:
    kpi = KPI("Deals", target=10)
    assert kpi.progress is None
    assert not kpi.is_met
    assert kpi.is_on_track(0.0)
    assert not kpi.is_on_track(0.1)


def test_period_elapsed_and_validation() -> None:
    q1 = KPIPeriod(date(2025, 1, 1), date(2025, 3, 31), "Q1")
    assert q1.fraction_elapsed(date(2024, 12, 1)) == 0.0
    assert q1.fraction_elapsed(date(2025, 3, 31)) == 1.0
    with pytest.raises(ValidationError):
        KPIPeriod(label="2025").fraction_elapsed(date(2025, 1, 1))
    with pytest.raises(ValidationError) as info:
        KPIPeriod(date(2025, 2, 1), date(2025, 1, 1))
    assert info.value.paths == ["end"]
    with pytest.raises(ValidationError) as info:
        KPI("x", target=1, baseline=1)
    assert info.value.paths == ["baseline"]
    with pytest.raises(ValidationError):
        KPI("x", target=1).is_on_track(1.5)
