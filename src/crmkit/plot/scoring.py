"""Plots of scoring and sales analytics: lead scores, the pipeline funnel, cohort retention.

They draw the results of :meth:`crmkit.scoring.LeadScoringModel.score`,
:func:`crmkit.scoring.stage_conversion` and :func:`crmkit.scoring.cohort_retention`
(records, or the frames they return for frames).

Examples:
    >>> from crmkit.plot import plot_stage_conversion
    >>> from crmkit.scoring import StageConversion
    >>> ax = plot_stage_conversion([StageConversion("qualify", 10, 4, 0.4)])
    >>> [float(p.get_height()) for p in ax.patches]
    [0.4]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crmkit.errors import ValidationError
from crmkit.extras import require
from crmkit.frames import is_frame
from crmkit.plot._axes import (
    annotate_cells,
    check_count,
    new_axes,
    numbers,
    read_rows,
    texts,
    whole_numbers,
)
from crmkit.scoring import Action, LeadScoringModel

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "plot_cohort_retention",
    "plot_lead_scores",
    "plot_pipeline_funnel",
    "plot_stage_conversion",
]

_ACTION_ORDER = [a.value for a in Action]
#: bounds that keep a plot proportionate to what can be seen
_MAX_BINS = 10_000
_MAX_OFFSET = 10_000


def plot_lead_scores(
    scores: Any,
    *,
    model: LeadScoringModel | None = None,
    bins: int = 20,
    ax: Axes | None = None,
) -> Axes:
    """Stacked histogram of lead scores, one colour per action band.

    ``scores`` are :class:`~crmkit.scoring.LeadScore` results (or a scored frame with
    ``lead_score`` and ``action``). Actions are stacked in the order prioritise, route,
    nurture, disqualify (others after them, alphabetically). With ``model`` its thresholds are
    drawn as dashed lines.

    Examples:
        >>> from crmkit.plot import plot_lead_scores
        >>> from crmkit.scoring import LeadScore, LeadScoringModel, Threshold
        >>> scores = [LeadScore(s, s, 0.0, a, ()) for s, a in
        ...           [(70.0, "prioritise"), (65.0, "prioritise"), (5.0, "disqualify")]]
        >>> model = LeadScoringModel([], thresholds=[Threshold(60, "prioritise")])
        >>> ax = plot_lead_scores(scores, model=model, bins=2)
        >>> [[float(p.get_height()) for p in bars] for bars in ax.containers]
        [[0.0, 2.0], [1.0, 0.0]]
        >>> ax.get_legend_handles_labels()[1]
        ['prioritise', 'disqualify', 'threshold 60 → prioritise']
    """
    check_count("bins", bins, 1, _MAX_BINS)
    if model is not None and not isinstance(model, LeadScoringModel):
        raise ValidationError.single("model", model, "must be a LeadScoringModel or None")
    field = "lead_score" if is_frame(scores) else "score"
    rows = read_rows(scores, "scores")
    values = numbers(rows, field, "scores")
    actions = texts(rows, "action", "scores")
    present = set(actions)
    order = [a for a in _ACTION_ORDER if a in present] + sorted(present - set(_ACTION_ORDER))
    groups = [[v for v, a in zip(values, actions, strict=True) if a == name] for name in order]
    ax = new_axes(ax)
    ax.hist(groups, bins=bins, range=(min(values), max(values)), stacked=True, label=order)
    if model is not None:
        for threshold in model.thresholds:
            ax.axvline(
                threshold.min_score,
                color="black",
                linestyle="--",
                label=f"threshold {threshold.min_score:g} → {threshold.action}",
            )
    ax.set_title("Lead scores by action")
    ax.set_xlabel("lead score")
    ax.set_ylabel("leads")
    ax.legend()
    return ax


def _conversions(conversions: Any) -> tuple[list[str], list[float], list[float], list[float]]:
    rows = read_rows(conversions, "conversions")
    return (
        texts(rows, "stage", "conversions"),
        numbers(rows, "reached", "conversions"),
        numbers(rows, "advanced", "conversions"),
        numbers(rows, "rate", "conversions"),
    )


def plot_pipeline_funnel(conversions: Any, *, ax: Axes | None = None) -> Axes:
    """The pipeline funnel: deals that reached each open stage, in stage order.

    ``conversions`` are :func:`crmkit.scoring.stage_conversion` rows. Bars are centred, widest
    at the top, and labelled with the count and the share of the first stage.

    Examples:
        >>> from crmkit.plot import plot_pipeline_funnel
        >>> from crmkit.scoring import StageConversion
        >>> rows = [StageConversion("qualify", 10, 4, 0.4), StageConversion("propose", 4, 1, 0.25)]
        >>> ax = plot_pipeline_funnel(rows)
        >>> [(float(p.get_x()), float(p.get_width())) for p in ax.patches]
        [(-5.0, 10.0), (-2.0, 4.0)]
        >>> [t.get_text() for t in ax.texts]
        ['10 (100%)', '4 (40%)']
    """
    stages, reached, _, _ = _conversions(conversions)
    top = reached[0] or 1.0
    y = list(range(len(stages)))
    ax = new_axes(ax)
    ax.barh(y, reached, left=[-r / 2 for r in reached])
    for i, r in enumerate(reached):
        ax.text(0.0, i, f"{r:,.0f} ({r / top:.0%})", ha="center", va="center")
    ax.set_yticks(y, stages)
    ax.invert_yaxis()
    ax.set_xticks([])
    ax.set_title("Pipeline funnel: deals that reached each stage")
    ax.set_ylabel("stage")
    return ax


def plot_stage_conversion(conversions: Any, *, ax: Axes | None = None) -> Axes:
    """Bars of the stage-to-stage conversion rate (share of deals that went further).

    ``conversions`` are :func:`crmkit.scoring.stage_conversion` rows; each bar is labelled
    ``advanced / reached``.

    Examples:
        >>> from crmkit.plot import plot_stage_conversion
        >>> from crmkit.scoring import StageConversion
        >>> rows = [StageConversion("qualify", 10, 4, 0.4), StageConversion("propose", 4, 1, 0.25)]
        >>> ax = plot_stage_conversion(rows)
        >>> [t.get_text() for t in ax.texts]
        ['4 / 10', '1 / 4']
    """
    stages, reached, advanced, rate = _conversions(conversions)
    bad = [i for i, v in enumerate(rate) if not 0.0 <= v <= 1.0]
    if bad:
        raise ValidationError.single(
            f"conversions[{bad[0]}].rate", rate[bad[0]], "must be between 0 and 1"
        )
    x = list(range(len(stages)))
    ax = new_axes(ax)
    bars = ax.bar(x, rate)
    ax.bar_label(
        bars, labels=[f"{a:,.0f} / {r:,.0f}" for a, r in zip(advanced, reached, strict=True)]
    )
    ax.set_xticks(x, stages, rotation=30, ha="right")
    ax.set_ylim(0.0, 1.1)
    ax.set_title("Stage conversion: share of deals that went further")
    ax.set_xlabel("stage")
    ax.set_ylabel("conversion rate")
    return ax


def _cohort_index(label: str, path: str) -> int:
    """Month (``YYYY-MM``) or year (``YYYY``) cohort label → period number."""
    parts = label.split("-")
    if len(parts) in (1, 2) and all(p.isdigit() for p in parts) and len(parts[0]) == 4:
        year = int(parts[0])
        if len(parts) == 1:
            return year
        month = int(parts[1])
        if 1 <= month <= 12:
            return year * 12 + month - 1
    raise ValidationError.single(path, label, "must be a cohort label YYYY-MM or YYYY")


def plot_cohort_retention(cells: Any, *, ax: Axes | None = None) -> Axes:
    """Heat map of cohort retention: cohorts (rows) by periods since the first purchase.

    ``cells`` are :func:`crmkit.scoring.cohort_retention` results. A period a cohort has
    lived through without buyers shows 0; periods after the last one observed stay blank.

    Examples:
        >>> from crmkit.plot import plot_cohort_retention
        >>> from crmkit.scoring import CohortCell
        >>> cells = [CohortCell("2025-01", 0, 4, 1.0), CohortCell("2025-01", 2, 1, 0.25),
        ...          CohortCell("2025-02", 0, 2, 1.0)]
        >>> ax = plot_cohort_retention(cells)
        >>> ax.get_images()[0].get_array().tolist()
        [[1.0, 0.0, 0.25], [1.0, 0.0, None]]
    """
    rows = read_rows(cells, "cells")
    cohorts = texts(rows, "cohort", "cells")
    offsets = whole_numbers(rows, "offset", "cells", 0, _MAX_OFFSET)
    rates = numbers(rows, "rate", "cells")
    index = {c: _cohort_index(c, "cells.cohort") for c in sorted(set(cohorts))}
    names = sorted(index, key=index.__getitem__)
    last = max(index[c] + o for c, o in zip(cohorts, offsets, strict=True))
    np = require("numpy", "stats")
    grid = np.full((len(names), max(offsets) + 1), np.nan)
    for row, name in enumerate(names):
        grid[row, : last - index[name] + 1] = 0.0
    for c, o, r in zip(cohorts, offsets, rates, strict=True):
        grid[names.index(c), o] = r
    masked = np.ma.masked_invalid(grid)
    ax = new_axes(ax)
    image = ax.imshow(masked, aspect="auto", interpolation="nearest", vmin=0.0, vmax=1.0)
    ax.figure.colorbar(image, ax=ax, label="share of the cohort buying")
    annotate_cells(ax, grid, "{:.0%}")
    ax.set_yticks(range(len(names)), names)
    ax.set_title("Cohort retention")
    ax.set_xlabel("periods since the first purchase")
    ax.set_ylabel("cohort (first purchase)")
    return ax
