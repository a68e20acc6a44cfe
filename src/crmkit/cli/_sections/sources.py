"""Demo section: concepts of the source documents applied to the synthetic company.

The three CRM types of crmkit's capabilities, the relationship flower of one key account,
what to do with each customer-portfolio tier, the KPIs the interviewed CRM managers steer by
(one of them measured on the company's interactions), and the inbound share of the company's
interactions year by year.

Examples:
    >>> from pathlib import Path
    >>> from crmkit.cli._console import Console
    >>> from crmkit.cli._context import DemoContext
    >>> from crmkit.cli._sections.sources import render
    >>> from crmkit.datasets import make_b2b
    >>> render(DemoContext(make_b2b(seed=1, n_accounts=80), Console(plain=True), Path(".")))
    ... # doctest: +ELLIPSIS
    <BLANKLINE>
    == From the sources: CRM types, key accounts, interview KPIs, inbound share ==
    CRM types of crmkit's ... registered capabilities
    ...
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from crmkit.cli._sections.segments import portfolio_rows
from crmkit.scoring import inbound_share_trend
from crmkit.strategy import (
    INTERVIEW_KPIS,
    CrmType,
    Petal,
    RelationshipFlower,
    capabilities,
    capabilities_of_type,
    portfolio_actions,
)

if TYPE_CHECKING:
    from crmkit.cli._context import DemoContext

__all__ = ["EXAMPLE_PETAL_RATINGS", "render"]

#: Illustrative 1–5 ratings a key account manager might give (the synthetic data holds none).
EXAMPLE_PETAL_RATINGS: Mapping[Petal | str, float] = {
    Petal.LOGISTICS: 4,
    Petal.COMPETENCE: 3,
    Petal.SOCIAL_COMPETENCE: 5,
    Petal.PRODUCT_SERVICE: 4,
    Petal.ECONOMICS: 2,
}

#: Example weekly target for the interviews' "sales calls per week" KPI.
_CALLS_TARGET = 20


def _crm_types(ctx: DemoContext) -> None:
    total = len(capabilities())
    rows = []
    for crm_type in CrmType:
        entries = capabilities_of_type(crm_type)
        rows.append([crm_type.label.en, len(entries),
                     ", ".join(c.path.split(":")[1] for c in entries[:3])])  # fmt: skip
    ctx.console.table(
        f"CRM types of crmkit's {total} registered capabilities",
        ["CRM type", "capabilities", "e.g."],
        rows,
    )


def _flower(ctx: DemoContext) -> None:
    data = ctx.data
    revenue: Counter[str] = Counter()
    for order in data.purchases():
        revenue[order.account_id] += int(order.total.amount.to_integral_value())
    keys = [a for a in data.accounts if a.is_key_account]
    if not keys:
        ctx.console.text("Relationship flower: the company has no key accounts.")
        return
    account = max(keys, key=lambda a: (revenue.get(a.id, 0), a.name))
    flower = RelationshipFlower(account.id, EXAMPLE_PETAL_RATINGS)
    ctx.console.table(
        f"Relationship flower of key account {account.name} (example ratings 1–5; "
        f"mean {flower.mean:g}, mutual trust at the centre)",
        ["petal", "rating", "measured by"],
        [[p.label.en, flower.rating(p), p.attributes[0]] for p in Petal],
    )
    ctx.console.text(
        "Work first on: " + ", ".join(p.label.en.lower() for p in flower.weakest()) + "."
    )


def _portfolio_actions(ctx: DemoContext) -> None:
    rows = portfolio_rows(ctx.data, list(ctx.data.purchases()))
    actions = portfolio_actions(rows)
    counts = Counter(
        (r.portfolio, a.value if a is not None else "-")
        for r in rows
        for a in [actions[r.key]]
        if r.portfolio is not None
    )
    order = ["platinum", "gold", "silver", "bronze"]
    ctx.console.table(
        "Portfolio actions by tier (revenue × support cases, median cut-offs)",
        ["portfolio", "action", "customers"],
        [[p, a, n] for (p, a), n in sorted(counts.items(), key=lambda kv: order.index(kv[0][0]))],
    )


def _interview_kpis(ctx: DemoContext) -> None:
    data = ctx.data
    by_respondent: dict[str, list[str]] = {}
    for k in INTERVIEW_KPIS:
        by_respondent.setdefault(k.respondent, []).append(f"{k.spec.key} ({k.crm_type.value})")
    ctx.console.table(
        "KPIs the interviewed CRM managers steer by (with the CRM type that measures each)",
        ["respondent", "KPIs"],
        [[who.replace("_", " "), ", ".join(keys)] for who, keys in by_respondent.items()],
    )
    end = data.observation_end
    start = end - timedelta(weeks=52)
    calls = sum(
        1
        for i in data.interactions
        if i.type.value == "call"
        and getattr(i.direction, "value", None) == "outbound"
        and i.done_at is not None
        and start < i.done_at.date() <= end
    )
    weekly = Decimal(calls) / 52
    kpi = next(k for k in INTERVIEW_KPIS if k.spec.key == "sales_calls_per_week").kpi(
        target=_CALLS_TARGET, actual=float(round(weekly, 1)), period=f"52 weeks to {end}"
    )
    ctx.console.text(
        f"{kpi.name} (outbound calls, whole company, 52 weeks to {end}): {kpi.actual:g} against "
        f"an example "
        f"target of {kpi.target:g} ({'met' if kpi.is_met else 'not met'}; "
        f"progress {kpi.progress:.0%})."
    )


def _inbound(ctx: DemoContext) -> None:
    data = ctx.data
    years: dict[str, list[Any]] = {}
    for i in sorted(data.interactions, key=lambda i: i.done_at or i.created_at):
        when = i.done_at
        if when is not None and data.start.year <= when.year <= data.observation_end.year:
            years.setdefault(str(when.year), []).append(i)
    trend = inbound_share_trend(years)
    ctx.console.table(
        "Inbound share of the company's interactions",
        ["year", "inbound", "outbound", "unattributed", "inbound share"],
        [[s.label, s.inbound, s.outbound, s.unattributed, f"{s.share:.1%}"]
         for s in trend.shares],
    )  # fmt: skip
    ctx.console.text(
        f"Change first to last year: {100 * trend.change:+.1f} points "
        f"({'shifting inbound' if trend.shifting_inbound else 'not shifting inbound'})."
    )


def render(ctx: DemoContext) -> None:
    """Print the source-concept tables of ``ctx.data``.

    Examples:
        >>> from crmkit.cli._sections.sources import render
        >>> callable(render)
        True
    """
    ctx.console.heading("From the sources: CRM types, key accounts, interview KPIs, inbound share")
    _crm_types(ctx)
    _flower(ctx)
    _portfolio_actions(ctx)
    _interview_kpis(ctx)
    _inbound(ctx)
