"""Plots of customer segmentation: RFM segments, the R×F heat map and the Pareto curve.

They draw the rows :func:`crmkit.segmentation.rfm` and :func:`crmkit.segmentation.abc_classes`
return (records, or the frames they return for frames); segment sizes and value shares come
from :func:`crmkit.segmentation.segment_summary`.

Examples:
    >>> from crmkit.plot import plot_pareto_curve
    >>> from crmkit.segmentation import ABCRow
    >>> ax = plot_pareto_curve([ABCRow("a", 80, 0.8, 0.8, "A"), ABCRow("b", 20, 0.2, 1.0, "B")])
    >>> [float(y) for y in ax.get_lines()[0].get_ydata()]
    [0.0, 0.8, 1.0]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crmkit.errors import ValidationError
from crmkit.extras import require
from crmkit.plot._axes import annotate_cells, new_axes, numbers, read_rows, texts, whole_numbers
from crmkit.segmentation import segment_summary

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_pareto_curve", "plot_rf_heatmap", "plot_rfm_segments"]

_NO_SEGMENT = "(no segment)"
#: RFM scores are quantile numbers 1..n; a larger score is a data error, not a plot
_MAX_SCORE = 100


def _percent(value: float, _: float) -> str:
    return f"{value:.0%}"


def plot_rfm_segments(rows: Any, *, ax: Axes | None = None) -> Axes:
    """Each RFM segment's share of the customers next to its share of the monetary value.

    ``rows`` are :func:`crmkit.segmentation.rfm` results (``segment`` and ``monetary``);
    segments are listed by value share, largest first; customers without a segment are
    grouped as ``(no segment)``.

    Examples:
        >>> from crmkit.plot import plot_rfm_segments
        >>> from crmkit.segmentation import RFMRow
        >>> rows = [RFMRow("a", 3, 9, 900, 5, 5, 5, "champions"),
        ...         RFMRow("b", 200, 1, 50, 1, 1, 1, "lost"),
        ...         RFMRow("c", 150, 1, 50, 1, 1, 1, "lost")]
        >>> ax = plot_rfm_segments(rows)
        >>> customers, value = ax.containers
        >>> [round(float(p.get_width()), 3) for p in customers]
        [0.333, 0.667]
        >>> [float(p.get_width()) for p in value]
        [0.9, 0.1]
        >>> [t.get_text() for t in ax.get_yticklabels()]
        ['champions', 'lost']
    """
    data = read_rows(rows, "rows")
    data = [
        {"segment": name, "monetary": value}
        for name, value in zip(
            texts(data, "segment", "rows", missing=_NO_SEGMENT),
            numbers(data, "monetary", "rows"),
            strict=True,
        )
    ]
    summary = read_rows(segment_summary(data, segment="segment", amount="monetary"), "summary")
    names = texts(summary, "segment", "summary", missing=_NO_SEGMENT)
    size = numbers(summary, "size_share", "summary")
    value = numbers(summary, "value_share", "summary")
    order = sorted(range(len(names)), key=lambda i: (-value[i], -size[i], names[i]))
    np = require("numpy", "stats")
    y = np.arange(len(order))
    ax = new_axes(ax)
    ax.barh(y - 0.2, [size[i] for i in order], height=0.4, label="share of customers")
    ax.barh(y + 0.2, [value[i] for i in order], height=0.4, label="share of value")
    ax.set_yticks(y, [names[i] for i in order])
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(_percent)
    ax.set_title("RFM segments: share of customers and of value")
    ax.set_xlabel("share")
    ax.legend()
    return ax


def plot_rf_heatmap(rows: Any, *, value: str | None = None, ax: Axes | None = None) -> Axes:
    """Heat map of customers by recency score (x) and frequency score (y).

    Cells count customers, or with ``value="monetary"`` show their mean monetary value
    (empty cells stay blank). Rows are :func:`crmkit.segmentation.rfm` results.

    Examples:
        >>> from crmkit.plot import plot_rf_heatmap
        >>> from crmkit.segmentation import RFMRow
        >>> rows = [RFMRow("a", 3, 9, 900, 3, 2, 3, None), RFMRow("b", 9, 1, 50, 1, 1, 1, None),
        ...         RFMRow("c", 5, 1, 70, 1, 1, 2, None)]
        >>> ax = plot_rf_heatmap(rows)
        >>> ax.get_images()[0].get_array().tolist()
        [[2.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
        >>> ax = plot_rf_heatmap(rows, value="monetary")
        >>> float(ax.get_images()[0].get_array()[0, 0])
        60.0
    """
    if value not in (None, "monetary"):
        raise ValidationError.single("value", value, "must be None (counts) or 'monetary'")
    data = read_rows(rows, "rows")
    r = whole_numbers(data, "r_score", "rows", 1, _MAX_SCORE)
    f = whole_numbers(data, "f_score", "rows", 1, _MAX_SCORE)
    np = require("numpy", "stats")
    counts = np.zeros((max(f), max(r)))
    totals = np.zeros_like(counts)
    money = numbers(data, "monetary", "rows") if value == "monetary" else [0.0] * len(data)
    for ri, fi, m in zip(r, f, money, strict=True):
        counts[fi - 1, ri - 1] += 1
        totals[fi - 1, ri - 1] += m
    if value == "monetary":
        with np.errstate(invalid="ignore", divide="ignore"):
            grid = np.where(counts > 0, totals / np.maximum(counts, 1), np.nan)
        label, title, fmt = "mean monetary value", "Mean monetary value", "{:,.0f}"
    else:
        grid = counts
        label, title, fmt = "customers", "Customers", "{:.0f}"
    ax = new_axes(ax)
    image = ax.imshow(grid, origin="lower", aspect="auto", interpolation="nearest")
    ax.figure.colorbar(image, ax=ax, label=label)
    annotate_cells(ax, grid, fmt)
    ax.set_xticks(range(grid.shape[1]), [str(i + 1) for i in range(grid.shape[1])])
    ax.set_yticks(range(grid.shape[0]), [str(i + 1) for i in range(grid.shape[0])])
    ax.set_title(f"{title} by recency and frequency score")
    ax.set_xlabel("recency score (higher = bought more recently)")
    ax.set_ylabel("frequency score")
    return ax


def plot_pareto_curve(rows: Any, *, ax: Axes | None = None) -> Axes:
    """The Pareto (concentration) curve: cumulative share of value against share of customers.

    ``rows`` are :func:`crmkit.segmentation.abc_classes` results. The curve starts at
    ``(0, 0)``; each ABC class is shaded with its share of customers and value in the legend,
    and the diagonal shows equal value per customer.

    Examples:
        >>> from crmkit.plot import plot_pareto_curve
        >>> from crmkit.segmentation import ABCRow
        >>> rows = [ABCRow("a", 70, 0.7, 0.7, "A"), ABCRow("b", 20, 0.2, 0.9, "B"),
        ...         ABCRow("c", 10, 0.1, 1.0, "C")]
        >>> ax = plot_pareto_curve(rows)
        >>> [round(float(x), 3) for x in ax.get_lines()[0].get_xdata()]
        [0.0, 0.333, 0.667, 1.0]
        >>> ax.get_legend_handles_labels()[1][1]
        'A: 33% of customers, 70% of value'
    """
    data = read_rows(rows, "rows")
    cumulative = numbers(data, "cumulative_share", "rows")
    classes = texts(data, "abc_class", "rows")
    order = sorted(range(len(data)), key=lambda i: cumulative[i])
    n = len(order)
    x = [0.0] + [(k + 1) / n for k in range(n)]
    y = [0.0] + [cumulative[i] for i in order]
    ax = new_axes(ax)
    ax.plot(x, y, label="cumulative share of value")
    spans: dict[str, list[int]] = {}
    for k, i in enumerate(order):
        spans.setdefault(classes[i], []).append(k)
    for name, ks in spans.items():
        lo, hi = min(ks), max(ks) + 1
        share = y[hi] - y[lo]
        ax.axvspan(
            x[lo],
            x[hi],
            alpha=0.15,
            color=f"C{len(ax.patches) % 10 + 1}",
            label=f"{name}: {(hi - lo) / n:.0%} of customers, {share:.0%} of value",
        )
    ax.plot([0.0, 1.0], [0.0, 1.0], color="grey", linestyle=":", label="equal value")
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(0.0, 1.02)
    ax.set_title("Pareto curve: share of value by share of customers")
    ax.set_xlabel("share of customers (largest first)")
    ax.set_ylabel("cumulative share of value")
    ax.legend(loc="lower right")
    return ax
