"""Demo section: the synthetic company's top-scored open leads with their explanations, and
its pipeline forecast (weighted pipeline, win rate, lost reasons, learned win probability).

Examples:
    >>> from pathlib import Path
    >>> from crmkit.cli._console import Console
    >>> from crmkit.cli._context import DemoContext
    >>> from crmkit.cli._sections.leads import render
    >>> from crmkit.datasets import make_b2b
    >>> ctx = DemoContext(make_b2b(seed=1, n_accounts=60), Console(plain=True), Path("."))
    >>> render(ctx)  # doctest: +ELLIPSIS
    <BLANKLINE>
    == Lead scoring ...
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from crmkit.cli._context import DemoContext
from crmkit.frames import as_of, col
from crmkit.scoring import (
    Criterion,
    Decay,
    LeadScoringModel,
    Threshold,
    fit_opportunities,
    lost_reasons,
    weighted_pipeline,
    win_rate,
)

__all__ = ["demo_model", "lead_rows", "render"]

_OPEN_LEADS = {"new", "working", "nurturing", "qualified"}


def demo_model() -> LeadScoringModel:
    """The lead-scoring model the demo uses (fit from seed 001's prospect properties,
    engagement from the lead's logged interactions).

    Examples:
        >>> from crmkit.cli._sections.leads import demo_model
        >>> len(demo_model().criteria)
        10
    """
    c = Criterion
    return LeadScoringModel(
        criteria=[
            c("very interested", col("interest_level") == "very_interested", 25),
            c("not interested", col("interest_level") == "not_interested", -30),
            c("searching suppliers (stage 3–4)", col("buying_stage").between(3, 4), 20),
            c("choosing supplier (stage 5–6)", col("buying_stage").between(5, 6), 10),
            c("decision maker", col("buying_role") == "decider", 10),
            c("50+ employees", col("employees") >= 50, 10),
            c("inbound", col("direction") == "inbound", 5),
            c("touches ≥ 2", col("touches") >= 2, 10, "engagement"),
            c("recent touch", col("last_touch_at") >= as_of(days=-180), 15, "engagement",
              Decay("last_touch_at", half_life_days=60)),
            c("overdue follow-up", col("next_follow_up_at") < as_of(), -5, "engagement"),
        ],
        thresholds=[Threshold(60, "prioritise"), Threshold(35, "route"), Threshold(10, "nurture")],
        engagement_cap=30,
    )  # fmt: skip


def lead_rows(data: Any) -> list[dict[str, Any]]:
    """The open leads of the synthetic company as rows for :func:`demo_model` (touches and
    last touch from their logged interactions).

    Examples:
        >>> from crmkit.cli._sections.leads import lead_rows
        >>> from crmkit.datasets import make_b2b
        >>> sorted(lead_rows(make_b2b(seed=1, n_accounts=30))[0])[:3]
        ['buying_role', 'buying_stage', 'company']
    """
    touches: dict[str, int] = defaultdict(int)
    last: dict[str, datetime] = {}
    for interaction in data.interactions:
        if interaction.lead_id is None or interaction.done_at is None:
            continue
        touches[interaction.lead_id] += 1
        previous = last.get(interaction.lead_id)
        if previous is None or interaction.done_at > previous:
            last[interaction.lead_id] = interaction.done_at
    rows = []
    for lead in data.leads:
        if getattr(lead.status, "value", lead.status) not in _OPEN_LEADS:
            continue
        rows.append(
            {
                "id": lead.id,
                "company": lead.company_name,
                "interest_level": getattr(lead.interest_level, "value", lead.interest_level),
                "buying_stage": getattr(lead.buying_stage, "value", lead.buying_stage),
                "buying_role": getattr(lead.buying_role, "value", lead.buying_role),
                "employees": lead.employees,
                "direction": getattr(lead.direction, "value", lead.direction),
                "touches": touches.get(lead.id, 0),
                "last_touch_at": last.get(lead.id),
                "next_follow_up_at": lead.next_follow_up_at,
            }
        )
    return rows


def render(ctx: DemoContext) -> None:
    """Print the lead and pipeline tables of ``ctx.data``.

    Examples:
        >>> from crmkit.cli._sections.leads import render
        >>> callable(render)
        True
    """
    data = ctx.data
    console = ctx.console
    day = data.observation_end
    model = demo_model()
    rows = lead_rows(data)
    console.heading(f"Lead scoring ({len(rows)} open leads, as of {day})")
    scored = sorted(
        zip(rows, model.score(rows, as_of=day), strict=True),
        key=lambda pair: (-pair[1].score, pair[0]["company"]),
    )
    console.table(
        "Top-scored open leads",
        ["company", "score", "fit", "engagement", "action", "why"],
        [
            [row["company"], s.score, s.fit, s.engagement, s.action,
             ", ".join(f"{h.criterion} {h.points:+.0f}" for h in s.hits)]
            for row, s in scored[:6]
        ],
    )  # fmt: skip
    actions: dict[str, int] = defaultdict(int)
    for _, s in scored:
        actions[s.action] += 1
    console.text(
        "Actions: "
        + ", ".join(f"{a} {actions[a]}" for a in sorted(actions, key=lambda a: -actions[a]))
    )

    pipe = data.pipeline("default")
    opps = [o for o in data.opportunities if o.pipeline_id == pipe.id]
    console.heading(f"Pipeline forecast ({pipe.name}, {len(opps)} opportunities)")
    model_wp = fit_opportunities(opps, pipeline=pipe)
    open_opps = [o for o in opps if not o.is_closed]
    by_category = weighted_pipeline(open_opps, pipeline=pipe, by="forecast_category")
    learned: dict[str, float] = defaultdict(float)
    for opp in open_opps:
        learned[opp.stage_key] += float(opp.amount.amount) * model_wp.predict_one(opp)
    console.table(
        "Open pipeline by forecast category (stage-default / manual probabilities)",
        ["category", "deals", "amount", "weighted"],
        [[t.key, t.count, t.amount, t.weighted_amount] for t in by_category],
    )
    by_stage = weighted_pipeline(open_opps, pipeline=pipe, by="stage_key")
    order = {s.key: s.order for s in pipe.stages}
    console.table(
        "Open pipeline by stage: stage probability vs learned win probability (naive Bayes)",
        ["stage", "deals", "amount", "weighted (stage)", "weighted (learned)"],
        [
            [t.key, t.count, t.amount, t.weighted_amount, learned[t.key or ""]]
            for t in sorted(by_stage, key=lambda t: order.get(t.key or "", 0))
        ],
    )
    reasons = lost_reasons(opps, pipeline=pipe)[:3]
    console.text(
        f"Win rate {100 * win_rate(opps, pipeline=pipe):.1f} % over "
        f"{model_wp.n_won + model_wp.n_lost} closed deals; top lost reasons: "
        + ", ".join(f"{r.reason} ({r.count})" for r in reasons)
    )
    if open_opps:
        example = max(open_opps, key=lambda o: float(o.amount.amount))
        why = model_wp.explain(example)
        names = {u.id: u.name for u in data.users}
        parts = ", ".join(
            f"{c.field}={names.get(c.value, c.value)} ×{c.ratio:.2f}"
            for c in why.contributions
            if c.used
        )
        console.text(
            f"Largest open deal '{example.name}' ({example.stage_key}): learned win probability "
            f"{why.percent:.1f} % (prior {100 * why.prior:.1f} %; {parts})"
        )
