"""Demo section: RFM segments, ABC classes, customer status, go-to-market tiers and portfolios
of the synthetic company.

Examples:
    >>> from pathlib import Path
    >>> from crmkit.cli._console import Console
    >>> from crmkit.cli._context import DemoContext
    >>> from crmkit.cli._sections.segments import render
    >>> from crmkit.datasets import make_b2b
    >>> ctx = DemoContext(make_b2b(seed=1, n_accounts=40), Console(plain=True), Path("."))
    >>> render(ctx)  # doctest: +ELLIPSIS
    <BLANKLINE>
    == Segmentation ...
"""

from __future__ import annotations

from collections import Counter
from statistics import median
from typing import Any

from crmkit.cli._context import DemoContext
from crmkit.segmentation import (
    PortfolioRow,
    abc_classes,
    concentration,
    customer_portfolio,
    go_to_market_tiers,
    pareto_check,
    rfm,
    segment_summary,
    status_counts,
)

__all__ = ["portfolio_rows", "render"]


def _pct(share: float | None) -> str:
    return "-" if share is None else f"{100 * share:.1f} %"


def portfolio_rows(data: Any, orders: list[Any]) -> list[PortfolioRow]:
    """The customer portfolio of the synthetic company: revenue × cost to serve (its support
    cases), cut at the medians.

    Examples:
        >>> from crmkit.cli._sections.segments import portfolio_rows
        >>> from crmkit.datasets import make_b2b
        >>> data = make_b2b(seed=1, n_accounts=40)
        >>> {r.portfolio for r in portfolio_rows(data, list(data.purchases()))} <= {
        ...     "platinum", "gold", "silver", "bronze"}
        True
    """
    revenue: dict[str, Any] = {r.customer_id: r.value for r in abc_classes(orders)}
    cases = Counter(c.account_id for c in data.cases if getattr(c, "account_id", None))
    customers: list[dict[str, Any]] = [
        {"id": key, "value": float(value), "cost_to_serve": cases.get(key, 0)}
        for key, value in revenue.items()
    ]
    if not customers:
        return []
    value_cut = median(float(c["value"]) for c in customers)
    cost_cut = median(float(c["cost_to_serve"]) for c in customers)
    return list(customer_portfolio(customers, value_cutoff=value_cut, cost_cutoff=cost_cut))


def render(ctx: DemoContext) -> None:
    """Print the segment tables of ``ctx.data``.

    Examples:
        >>> from crmkit.cli._sections.segments import render
        >>> callable(render)
        True
    """
    data = ctx.data
    console = ctx.console
    as_of = data.observation_end
    orders = [o for o in data.orders if getattr(o.status, "value", o.status) != "cancelled"]
    console.heading(f"Segmentation (as of {as_of}, {len(orders)} orders)")

    rows = rfm(orders, as_of=as_of)
    summary = segment_summary(
        [{"segment": r.segment, "monetary": r.monetary, "recency_days": r.recency_days,
          "frequency": r.frequency} for r in rows],
        amount="monetary", averages=["recency_days", "frequency"],
    )  # fmt: skip
    summary.sort(key=lambda s: -s.size)
    console.table(
        "RFM segments (5 quantile bins)",
        ["segment", "customers", "share", "revenue share", "avg recency (days)", "avg orders"],
        [[s.segment, s.size, _pct(s.size_share), _pct(s.value_share),
          round(s.means["recency_days"] or 0), round(s.means["frequency"] or 0, 1)]
         for s in summary],
    )  # fmt: skip

    abc = abc_classes(orders)
    counts = Counter(r.abc_class for r in abc)
    check = pareto_check(orders)
    top = concentration(orders, top=10)
    console.table(
        "ABC classes (80 / 15 / 5 % of revenue)",
        ["class", "customers"],
        [[label, counts.get(label, 0)] for label in ("A", "B", "C")],
    )
    console.text(
        f"Top 20 % of customers hold {_pct(check.top_value_share)} of revenue "
        f"(80/20 check {'passes' if check.passes else 'fails'}); top 10 hold "
        f"{_pct(top.top_share)}, the largest customer {_pct(top.largest_share)}."
    )

    volume = status_counts(orders, accounts=data.accounts, as_of=as_of)
    console.table(
        "Customer status (12-month activity window)",
        ["active", "passive", "total", "potential"],
        [[volume.active, volume.passive, volume.total, volume.potential]],
    )

    tiers = Counter(r.tier for r in go_to_market_tiers(data.accounts))
    console.table(
        "Go-to-market tiers by employees (library default thresholds)",
        ["tier", "accounts"],
        [[t, tiers.get(t, 0)] for t in ("small", "medium", "large", "major")],
    )

    rows_portfolio = portfolio_rows(data, orders)
    if rows_portfolio:
        portfolio = Counter((r.portfolio, r.service_level) for r in rows_portfolio)
        console.table(
            "Customer portfolio: revenue × cost to serve (support cases), median cut-offs",
            ["portfolio", "service level", "customers"],
            [[p, s, n] for (p, s), n in sorted(portfolio.items(), key=lambda kv: -kv[1])],
        )
