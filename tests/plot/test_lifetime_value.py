"""Lifetime-value plots: each one rendered to PNG and its drawn data checked against the model."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import numpy as np
import polars as pl
import pytest
from matplotlib.figure import Figure

from crmkit.clv import (
    BetaGeo,
    GammaGamma,
    ParetoNBD,
    calibration_holdout,
    summarise,
    value_by_segment,
    value_customers,
)
from crmkit.datasets import B2BDataset
from crmkit.errors import ValidationError
from crmkit.plot import (
    plot_calibration_purchases_vs_holdout_purchases,
    plot_clv_distribution,
    plot_cumulative_transactions,
    plot_frequency_recency_matrix,
    plot_history_alive,
    plot_incremental_transactions,
    plot_period_transactions,
    plot_probability_alive_matrix,
    plot_value_by_segment,
)

from .conftest import render

CDNOW = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="weeks")


def _image(ax: Any) -> Any:
    (image,) = ax.get_images()
    return np.asarray(image.get_array(), dtype=float)


# ------------------------------------------------------------------ matrices


def test_frequency_recency_matrix_cells_are_the_models_conditional_expectations(
    model: BetaGeo, summary: list[Any]
) -> None:
    ax = plot_frequency_recency_matrix(model, t=13, summary=summary)
    render(ax)
    grid = _image(ax)
    top_f = max(r.frequency for r in summary)
    top_t = int(max(r.T for r in summary))
    assert grid.shape == (top_f + 1, top_t + 1)
    for f, r in [(0, 0), (1, 10), (3, top_t), (top_f, top_t // 2)]:
        expected = float(model.conditional_expected_purchases(13, f, r, float(top_t))[0])
        assert grid[f, r] == pytest.approx(expected, rel=1e-12)
    assert ax.get_title() == "Expected purchases in the next 13 weeks by frequency and recency"
    assert "recency" in ax.get_xlabel()
    assert "frequency" in ax.get_ylabel()
    # the colour bar is a second Axes on the same figure
    assert len(ax.figure.axes) == 2


def test_frequency_recency_matrix_explicit_ranges_need_no_summary() -> None:
    ax = plot_frequency_recency_matrix(CDNOW, max_frequency=3, max_recency=5)
    assert _image(ax).shape == (4, 6)


def test_probability_alive_matrix_cells_are_the_models_probabilities(model: BetaGeo) -> None:
    ax = plot_probability_alive_matrix(model, max_frequency=12, max_recency=150)
    render(ax)
    grid = _image(ax)
    assert grid.shape == (13, 151)
    assert np.all(grid[0] == 1.0)  # no repeat purchase: alive by BG/NBD's assumption
    for f, r in [(1, 0), (5, 75), (12, 150)]:
        expected = float(model.probability_alive(f, r, 150.0)[0])
        assert grid[f, r] == pytest.approx(expected, rel=1e-12)
    # a more recent last purchase means more likely alive
    assert np.all(np.diff(grid[5]) > 0)
    assert ax.get_title() == "Probability a customer is alive, by frequency and recency"


def test_probability_alive_matrix_works_with_pareto_nbd() -> None:
    pareto = ParetoNBD(r=0.553, alpha=10.58, s=0.606, beta=11.67, time_unit="weeks")
    grid = _image(plot_probability_alive_matrix(pareto, max_frequency=4, max_recency=39))
    assert float(grid[4, 39]) == pytest.approx(float(pareto.probability_alive(4, 39, 39)[0]))


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({}, "summary"),
        ({"max_frequency": 0, "max_recency": 5}, "max_frequency"),
        ({"max_frequency": 2, "max_recency": 0.5}, "max_recency"),
        ({"max_frequency": 2, "max_recency": float("nan")}, "max_recency"),
        ({"max_frequency": 2, "max_recency": 1e9}, "max_recency"),
        ({"max_frequency": True, "max_recency": 5}, "max_frequency"),
    ],
)
def test_matrix_ranges_are_validated(kwargs: dict[str, Any], path: str) -> None:
    with pytest.raises(ValidationError) as info:
        plot_probability_alive_matrix(CDNOW, **kwargs)
    assert info.value.problems[0].path == path


@pytest.mark.parametrize("t", [0, -1.0, float("nan"), "4", True])
def test_frequency_recency_matrix_refuses_a_bad_horizon(t: Any) -> None:
    with pytest.raises(ValidationError, match=r"^t: "):
        plot_frequency_recency_matrix(CDNOW, t=t, max_frequency=2, max_recency=5)


# ------------------------------------------------------------------ period transactions


def test_period_transactions_bars_are_actual_counts_and_expected_counts(
    model: BetaGeo, summary: list[Any]
) -> None:
    ax = plot_period_transactions(model, summary, max_frequency=5)
    render(ax)
    actual, expected = ax.containers
    counts = Counter(min(r.frequency, 5) for r in summary)
    assert [p.get_height() for p in actual] == [float(counts[n]) for n in range(6)]
    ages = np.array([r.T for r in summary])
    for n in range(5):
        assert expected[n].get_height() == pytest.approx(
            float(model.probability_of_purchases(n, ages).sum()), rel=1e-12
        )
    assert sum(p.get_height() for p in expected) == pytest.approx(len(summary))
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1", "2", "3", "4", "5+"]
    assert ax.get_legend_handles_labels()[1] == ["actual", "model"]


def test_period_transactions_needs_a_model_with_count_probabilities(summary: list[Any]) -> None:
    pareto = ParetoNBD(r=0.553, alpha=10.58, s=0.606, beta=11.67, time_unit="weeks")
    with pytest.raises(ValidationError, match="probability_of_purchases") as info:
        plot_period_transactions(pareto, summary)  # type: ignore[arg-type]
    assert info.value.problems[0].path == "model"


# ------------------------------------------------------------------ calibration / holdout


def test_calibration_vs_holdout_lines_are_group_means(
    company: B2BDataset, purchases: list[Any]
) -> None:
    rows = calibration_holdout(
        purchases,
        calibration_end=dt.date(2024, 12, 31),
        as_of=company.observation_end,
        time_unit="weeks",
    )
    fitted = BetaGeo.fit(
        [{"frequency": r.frequency_cal, "recency": r.recency_cal, "T": r.T_cal} for r in rows],
        time_unit="weeks",
    )
    ax = plot_calibration_purchases_vs_holdout_purchases(fitted, rows, n=5)
    render(ax)
    actual, predicted = ax.get_lines()
    groups = sorted({r.frequency_cal for r in rows})[:5]
    assert list(actual.get_xdata()) == groups
    for k, x in enumerate(groups):
        members = [r for r in rows if r.frequency_cal == x]
        assert actual.get_ydata()[k] == pytest.approx(
            sum(r.frequency_holdout for r in members) / len(members)
        )
        prediction = fitted.conditional_expected_purchases(
            [r.duration_holdout for r in members],
            [r.frequency_cal for r in members],
            [r.recency_cal for r in members],
            [r.T_cal for r in members],
        )
        assert predicted.get_ydata()[k] == pytest.approx(float(np.mean(prediction)))
    assert ax.get_xlabel() == "purchases in the calibration period"


def test_calibration_vs_holdout_by_time_since_last_purchase() -> None:
    from crmkit.clv import CalibrationHoldout

    rows = [
        CalibrationHoldout("a", 1, 10.0, 30.0, None, 1, None, 8.0),  # 20 since the last
        CalibrationHoldout("b", 2, 28.5, 30.0, None, 3, None, 8.0),  # 1.5 → 1
        CalibrationHoldout("c", 3, 29.0, 30.0, None, 1, None, 8.0),  # 1
    ]
    ax = plot_calibration_purchases_vs_holdout_purchases(CDNOW, rows, by="time_since_last_purchase")
    actual, _ = ax.get_lines()
    assert list(actual.get_xdata()) == [1, 20]
    assert list(actual.get_ydata()) == [2.0, 1.0]
    assert ax.get_xlabel() == "weeks since the last purchase in the calibration period"
    with pytest.raises(ValidationError, match=r"^by: "):
        plot_calibration_purchases_vs_holdout_purchases(CDNOW, rows, by="recency")  # type: ignore[arg-type]


# ------------------------------------------------------------------ transactions over time


def test_cumulative_transactions_agree_with_the_summary_and_the_model(
    company: B2BDataset, purchases: list[Any], summary: list[Any], model: BetaGeo
) -> None:
    ax = plot_cumulative_transactions(
        model,
        purchases,
        as_of=company.observation_end,
        calibration_end=dt.date(2024, 12, 31),
    )
    render(ax)
    actual, expected, cut = ax.get_lines()
    # the actual line ends at all repeat purchase periods: the summary's total frequency
    assert actual.get_ydata()[-1] == sum(r.frequency for r in summary)
    assert np.all(np.diff(actual.get_ydata()) >= 0)
    # the model's line ends at Σ E[X(T)] over the customers' ages T at observation end
    ages = np.array([r.T for r in summary])
    assert expected.get_ydata()[-1] == pytest.approx(float(model.expected_purchases(ages).sum()))
    # one point per week from the first purchase week to the observation end
    assert len(actual.get_xdata()) == int(max(ages)) + 1
    first = min(p.ordered_at.date() for p in purchases)
    monday = first - dt.timedelta(days=first.weekday())
    assert ax.get_xlabel() == f"weeks since {monday.isoformat()}"
    assert cut.get_xdata()[0] == (dt.date(2024, 12, 30) - monday).days // 7
    assert ax.get_legend_handles_labels()[1] == ["actual", "model", "calibration end"]


def test_incremental_transactions_are_the_differences_of_the_cumulative(
    company: B2BDataset, purchases: list[Any], model: BetaGeo
) -> None:
    end = company.observation_end
    cumulative = plot_cumulative_transactions(model, purchases, as_of=end)
    ax = plot_incremental_transactions(model, purchases, as_of=end)
    render(ax)
    for inc, cum in zip(ax.get_lines()[:2], cumulative.get_lines()[:2], strict=True):
        assert np.cumsum(inc.get_ydata()) == pytest.approx(cum.get_ydata())
    assert ax.get_title() == "Tracking repeat transactions per period"


MARCH_15 = dt.date(2025, 3, 15)


def test_transactions_over_time_in_days_and_months() -> None:
    orders = [
        {"account_id": "a", "ordered_at": dt.date(2025, 1, 31)},
        {"account_id": "a", "ordered_at": dt.date(2025, 2, 1)},
        {"account_id": "a", "ordered_at": dt.date(2025, 2, 2)},
        {"account_id": "b", "ordered_at": MARCH_15},
    ]
    days = plot_cumulative_transactions(CDNOW, orders, time_unit="days", as_of=MARCH_15)
    assert days.get_lines()[0].get_ydata()[-1] == 2.0
    assert days.get_xlabel() == "days since 2025-01-31"
    months = plot_incremental_transactions(CDNOW, orders, time_unit="months", as_of=MARCH_15)
    # February holds two purchases but one purchase period
    assert list(months.get_lines()[0].get_ydata()) == [0.0, 1.0, 0.0]
    assert months.get_xlabel() == "months since 2025-01-01"


# ------------------------------------------------------------------ history alive


def test_history_alive_ends_at_the_summarys_probability_alive(
    company: B2BDataset, purchases: list[Any], summary: list[Any], model: BetaGeo
) -> None:
    row = max(summary, key=lambda r: r.frequency)
    ax = plot_history_alive(model, purchases, row.customer_id, as_of=company.observation_end)
    render(ax)
    alive = ax.get_lines()[0].get_ydata()
    assert len(alive) == int(row.T) + 1
    assert alive[-1] == pytest.approx(
        float(model.probability_alive(row.frequency, row.recency, row.T)[0])
    )
    # at every purchase period the history is re-evaluated: check one in the middle
    own = [p for p in purchases if p.account_id == row.customer_id]
    partial = summarise(own, time_unit="weeks", as_of=own[len(own) // 2].ordered_at)[0]
    assert alive[int(partial.T)] == pytest.approx(
        float(model.probability_alive(partial.frequency, partial.recency, partial.T)[0])
    )
    purchase_lines = ax.get_lines()[1:]
    assert len(purchase_lines) == row.frequency + 1
    assert ax.get_title() == f"History of probability alive: customer {row.customer_id}"


def test_history_alive_for_an_unknown_customer_names_it(purchases: list[Any]) -> None:
    with pytest.raises(ValidationError) as info:
        plot_history_alive(CDNOW, purchases, "nobody", as_of=dt.date(2025, 1, 1))
    assert str(info.value) == "customer_id: 'nobody' has no transactions"


def test_time_unit_must_come_from_the_model_or_the_call() -> None:
    orders = [{"account_id": "a", "ordered_at": dt.date(2025, 1, 6)}]
    unitless = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426)
    with pytest.raises(ValidationError, match=r"^time_unit: None"):
        plot_cumulative_transactions(unitless, orders, as_of=dt.date(2025, 1, 6))
    ax = plot_cumulative_transactions(
        unitless, orders, time_unit="weeks", as_of=dt.date(2025, 1, 6)
    )
    assert ax.get_xlabel() == "weeks since 2025-01-06"


# ------------------------------------------------------------------ values


def test_clv_distribution_counts_every_customer(
    summary: list[Any], model: BetaGeo, spend: GammaGamma
) -> None:
    values = value_customers(summary, model, spend, months=12)
    ax = plot_clv_distribution(values, bins=15)
    render(ax)
    heights = [p.get_height() for p in ax.patches]
    assert len(heights) == 15
    assert sum(heights) == len(values)
    mean = sum(v.lifetime_value for v in values) / len(values)
    (line,) = ax.get_lines()
    assert line.get_xdata()[0] == pytest.approx(mean)
    assert ax.get_xlabel() == "lifetime value"


def test_clv_distribution_without_a_spend_model_names_the_row(
    summary: list[Any], model: BetaGeo
) -> None:
    values = value_customers(summary, model)  # no spend model: lifetime_value is None
    with pytest.raises(ValidationError, match=r"^values\[0\]\.lifetime_value: None"):
        plot_clv_distribution(values)


def test_clv_distribution_reads_a_frame(
    summary: list[Any], model: BetaGeo, spend: GammaGamma
) -> None:
    values = value_customers(summary, model, spend)
    frame = pl.DataFrame({"lifetime_value": [v.lifetime_value for v in values]})
    from_frame = [p.get_height() for p in plot_clv_distribution(frame).patches]
    from_records = [p.get_height() for p in plot_clv_distribution(values).patches]
    assert from_frame == from_records


@pytest.mark.parametrize(
    "metric", ["lifetime_value", "mean_lifetime_value", "expected_purchases", "expected_alive"]
)
def test_value_by_segment_bars_are_the_segment_values(
    company: B2BDataset, summary: list[Any], model: BetaGeo, spend: GammaGamma, metric: str
) -> None:
    industry = {a.id: a.industry or "unknown" for a in company.accounts}
    segments = value_by_segment(value_customers(summary, model, spend), industry)
    ax = plot_value_by_segment(segments, metric=metric)
    render(ax)
    assert [p.get_width() for p in ax.patches] == [getattr(s, metric) for s in segments]
    assert [t.get_text() for t in ax.get_yticklabels()] == [s.segment for s in segments]
    assert [t.get_text() for t in ax.texts] == [f"{s.customers:,} customers" for s in segments]


def test_value_by_segment_refuses_an_unknown_metric() -> None:
    with pytest.raises(ValidationError, match=r"^metric: 'revenue'"):
        plot_value_by_segment([], metric="revenue")


def test_plots_draw_on_the_given_axes() -> None:
    figure = Figure()
    left, right = figure.subplots(1, 2)
    assert plot_probability_alive_matrix(CDNOW, max_frequency=2, max_recency=5, ax=left) is left
    assert plot_frequency_recency_matrix(CDNOW, max_frequency=2, max_recency=5, ax=right) is right
    assert left.get_images()
    assert right.get_images()
    render(left)


def test_model_plots_read_frames_like_records(
    company: B2BDataset, purchases: list[Any], summary: list[Any], model: BetaGeo
) -> None:
    orders = pl.DataFrame(
        {
            "account_id": [p.account_id for p in purchases],
            "ordered_at": [p.ordered_at for p in purchases],
            "total": [float(p.total.amount) for p in purchases],
        }
    )
    frame_summary = summarise(
        orders, amount="total", time_unit="weeks", as_of=company.observation_end
    )
    assert isinstance(frame_summary, pl.DataFrame)
    by_frame = plot_period_transactions(model, frame_summary)
    by_records = plot_period_transactions(model, summary)
    for a, b in zip(by_frame.containers, by_records.containers, strict=True):
        assert [p.get_height() for p in a] == pytest.approx([p.get_height() for p in b])
    lines = [
        plot_cumulative_transactions(model, data, as_of=company.observation_end).get_lines()
        for data in (orders, purchases)
    ]
    for a, b in zip(*lines, strict=True):
        assert list(a.get_ydata()) == pytest.approx(list(b.get_ydata()))
