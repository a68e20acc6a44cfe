"""Segmentation plots: RFM segments, the R×F heat map and the Pareto curve."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import polars as pl
import pytest

from crmkit.datasets import B2BDataset
from crmkit.errors import ValidationError
from crmkit.plot import plot_pareto_curve, plot_rf_heatmap, plot_rfm_segments
from crmkit.segmentation import ABCRow, RFMRow, abc_classes, rfm, segment_summary

from .conftest import render


@pytest.fixture(scope="module")
def rfm_rows(company: B2BDataset, purchases: list[Any]) -> list[RFMRow]:
    return rfm(purchases, as_of=company.observation_end)


def test_rfm_segments_bars_are_the_segment_summary_shares(rfm_rows: list[RFMRow]) -> None:
    ax = plot_rfm_segments(rfm_rows)
    render(ax)
    customers, value = ax.containers
    summary = {
        s.segment: s for s in segment_summary(rfm_rows, segment="segment", amount="monetary")
    }
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert sorted(labels) == sorted(str(k) for k in summary)
    for label, c, v in zip(labels, customers, value, strict=True):
        assert c.get_width() == pytest.approx(summary[label].size_share)
        assert v.get_width() == pytest.approx(summary[label].value_share)
    widths = [v.get_width() for v in value]
    assert widths == sorted(widths, reverse=True)  # largest value share first
    assert sum(c.get_width() for c in customers) == pytest.approx(1.0)
    assert ax.get_legend_handles_labels()[1] == ["share of customers", "share of value"]


def test_rfm_segments_from_a_frame_match_records(
    company: B2BDataset, purchases: list[Any], rfm_rows: list[RFMRow]
) -> None:
    frame = pl.DataFrame(
        {
            "account_id": [p.account_id for p in purchases],
            "ordered_at": [p.ordered_at for p in purchases],
            "total": [float(p.total.amount) for p in purchases],
        }
    )
    from_frame = plot_rfm_segments(rfm(frame, as_of=company.observation_end))
    from_records = plot_rfm_segments(rfm_rows)
    for a, b in zip(from_frame.containers, from_records.containers, strict=True):
        assert [p.get_width() for p in a] == pytest.approx([p.get_width() for p in b])


def test_rfm_segments_group_customers_without_a_segment() -> None:
    rows = [RFMRow("a", 1, 1, 10, 1, 1, 1, None), RFMRow("b", 1, 1, 30, 1, 1, 1, "x")]
    ax = plot_rfm_segments(rows)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["x", "(no segment)"]
    assert [p.get_width() for p in ax.containers[1]] == [0.75, 0.25]


def test_rf_heatmap_counts_every_customer_in_its_cell(rfm_rows: list[RFMRow]) -> None:
    ax = plot_rf_heatmap(rfm_rows)
    render(ax)
    grid = np.asarray(ax.get_images()[0].get_array())
    counts = Counter((r.f_score, r.r_score) for r in rfm_rows)
    assert grid.sum() == len(rfm_rows)
    for (f, r), n in counts.items():
        assert grid[f - 1, r - 1] == n
    assert ax.get_xlabel().startswith("recency score")
    assert ax.get_ylabel() == "frequency score"
    # small grids are annotated with their values
    assert sorted(int(t.get_text()) for t in ax.texts) == sorted(grid.ravel().astype(int))


def test_rf_heatmap_monetary_means_leave_empty_cells_blank() -> None:
    rows = [
        RFMRow("a", 1, 5, 100, 2, 2, 1, None),
        RFMRow("b", 1, 5, 300, 2, 2, 1, None),
        RFMRow("c", 9, 1, 10, 1, 1, 1, None),
    ]
    ax = plot_rf_heatmap(rows, value="monetary")
    grid = np.asarray(ax.get_images()[0].get_array(), dtype=float)
    assert grid[0, 0] == 10.0
    assert grid[1, 1] == 200.0
    assert np.isnan(grid[0, 1])
    assert np.isnan(grid[1, 0])
    assert sorted(t.get_text() for t in ax.texts) == ["10", "200"]
    assert ax.get_title() == "Mean monetary value by recency and frequency score"
    with pytest.raises(ValidationError, match=r"^value: 'total'"):
        plot_rf_heatmap(rows, value="total")


def test_pareto_curve_follows_the_cumulative_shares(purchases: list[Any]) -> None:
    rows = abc_classes(purchases)
    ax = plot_pareto_curve(rows)
    render(ax)
    curve = ax.get_lines()[0]
    shares = sorted(r.cumulative_share for r in rows)
    assert list(curve.get_ydata()) == pytest.approx([0.0, *shares])
    assert curve.get_xdata()[-1] == 1.0
    assert curve.get_ydata()[-1] == pytest.approx(1.0)
    labels = ax.get_legend_handles_labels()[1]
    a_rows = [r for r in rows if r.abc_class == "A"]
    a_share = a_rows[-1].cumulative_share if a_rows else 0.0
    assert labels[1] == (f"A: {len(a_rows) / len(rows):.0%} of customers, {a_share:.0%} of value")
    assert labels[-1] == "equal value"


def test_pareto_curve_sorts_rows_given_in_any_order() -> None:
    rows = [ABCRow("c", 10, 0.1, 1.0, "C"), ABCRow("a", 70, 0.7, 0.7, "A")]
    assert list(plot_pareto_curve(rows).get_lines()[0].get_ydata()) == [0.0, 0.7, 1.0]


def test_pareto_curve_of_a_zero_total_names_the_row() -> None:
    with pytest.raises(ValidationError, match=r"^rows\[0\]\.cumulative_share: None"):
        plot_pareto_curve([ABCRow("a", 0, None, None, "A")])
