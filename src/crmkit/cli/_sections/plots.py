"""Demo section: plots of the synthetic company's analytics, written as PNG files.

RFM segments, the recency × frequency heat map, the Pareto curve with the ABC classes, the
BG/NBD probability-alive matrix, the lead scores by action and the pipeline funnel — each drawn
by :mod:`crmkit.plot` and saved in the output folder. The plots need the ``plot`` extra
(matplotlib); without it the section prints one line saying so.

Examples:
    >>> import tempfile
    >>> from pathlib import Path
    >>> from crmkit.cli._console import Console
    >>> from crmkit.cli._context import DemoContext
    >>> from crmkit.cli._sections.plots import render
    >>> from crmkit.datasets import make_b2b
    >>> out = Path(tempfile.mkdtemp())
    >>> render(DemoContext(make_b2b(seed=3, n_accounts=150), Console(plain=True), out, 3))
    ... # doctest: +ELLIPSIS
    <BLANKLINE>
    == Plots ==
    Plots written to ...
    >>> sorted(p.name for p in out.glob("*.png"))[:3]
    ['lead-scores.png', 'pareto-curve.png', 'pipeline-funnel.png']
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from crmkit.adapters.files import atomic_output
from crmkit.clv import BetaGeo, summarise
from crmkit.errors import FitError, MissingDependencyError, ValidationError
from crmkit.scoring import stage_change_rows, stage_conversion
from crmkit.segmentation import abc_classes, rfm

if TYPE_CHECKING:
    from crmkit.cli._context import DemoContext

__all__ = ["render"]


def _plots(data: Any) -> list[tuple[str, str, Callable[[], Any]]]:
    """(file name, what it shows, function drawing it) for each plot."""
    from crmkit import plot
    from crmkit.cli._sections.leads import demo_model, lead_rows

    orders = list(data.purchases())
    rfm_rows = rfm(orders, as_of=data.observation_end)
    pipe = data.pipeline("default")
    opps = [o for o in data.opportunities if o.pipeline_id == pipe.id]
    leads = lead_rows(data)
    model = demo_model()

    def alive() -> Any:
        summary = summarise(orders, time_unit="weeks", as_of=data.observation_end)
        fitted = BetaGeo.fit(summary, time_unit="weeks")
        return plot.plot_probability_alive_matrix(fitted, summary=summary)

    return [
        ("rfm-segments.png", "RFM segments: share of customers and of revenue",
         lambda: plot.plot_rfm_segments(rfm_rows)),
        ("rf-heatmap.png", "customers by recency × frequency score",
         lambda: plot.plot_rf_heatmap(rfm_rows)),
        ("pareto-curve.png", "Pareto curve with the ABC classes",
         lambda: plot.plot_pareto_curve(abc_classes(orders))),
        ("probability-alive.png", "BG/NBD probability alive by frequency and recency",
         alive),
        ("lead-scores.png", "open leads' scores by action, with the thresholds",
         lambda: plot.plot_lead_scores(model.score(leads, as_of=data.observation_end),
                                       model=model)),
        ("pipeline-funnel.png", f"deals that reached each stage of '{pipe.name}'",
         lambda: plot.plot_pipeline_funnel(
             stage_conversion(stage_change_rows(opps), pipeline=pipe))),
    ]  # fmt: skip


def render(ctx: DemoContext) -> None:
    """Draw each plot into ``ctx.output_dir`` and list the files.

    Examples:
        >>> from crmkit.cli._sections.plots import render
        >>> callable(render)
        True
    """
    console = ctx.console
    console.heading("Plots")
    ctx.output_dir.mkdir(parents=True, exist_ok=True)
    rows: list[list[Any]] = []
    try:
        for name, what, draw in _plots(ctx.data):
            try:
                ax = draw()
            except (FitError, ValidationError) as exc:
                rows.append([name, f"not drawn: {exc}"])
                continue
            path = ctx.output_dir / name
            with atomic_output(path, binary=True) as out:
                ax.figure.savefig(out, format="png", dpi=100, bbox_inches="tight")
            rows.append([name, what])
    except MissingDependencyError as exc:
        console.text(f"Plots skipped: {exc}")
        return
    console.text(f"Plots written to {ctx.output_dir}/ (crmkit.plot, matplotlib):")
    console.table("Plot files", ["file", "shows"], rows)
