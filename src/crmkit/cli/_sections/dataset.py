"""Demo section: what the synthetic company's CRM holds.

Examples:
    >>> from pathlib import Path
    >>> from crmkit.cli._console import Console
    >>> from crmkit.cli._context import DemoContext
    >>> from crmkit.cli._sections.dataset import render
    >>> from crmkit.datasets import make_b2b
    >>> ctx = DemoContext(make_b2b(seed=1, n_accounts=30), Console(plain=True), Path("."), 1)
    >>> render(ctx)  # doctest: +ELLIPSIS
    <BLANKLINE>
    == The synthetic company ==
    make_b2b(seed=1, n_accounts=30): a Nordic B2B supplier, 2022-01-01 – 2025-12-31, ...
    Entity counts
    entity                     count
    -------------------------  -----
    accounts                      30
    ...
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import TYPE_CHECKING

from crmkit.datasets import B2BDataset

if TYPE_CHECKING:
    from crmkit.cli._context import DemoContext

__all__ = ["render"]


def _share(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f} %" if whole else "–"


def _amount(value: Decimal) -> int:
    return int(value.to_integral_value())


def render(ctx: DemoContext) -> None:
    """Print the dataset summary: entity counts, accounts by status / tier / region, the
    pipeline by stage and orders per year.

    Examples:
        >>> from pathlib import Path
        >>> from crmkit.cli._console import Console
        >>> from crmkit.cli._context import DemoContext
        >>> from crmkit.cli._sections.dataset import render
        >>> from crmkit.datasets import make_b2b
        >>> render(DemoContext(make_b2b(seed=2, n_accounts=20), Console(plain=True),
        ...                    Path(".")))  # doctest: +ELLIPSIS
        <BLANKLINE>
        == The synthetic company ==
        ...
    """
    data: B2BDataset = ctx.data
    out = ctx.console
    out.heading("The synthetic company")
    out.text(
        f"make_b2b(seed={data.seed}, n_accounts={len(data.accounts)}): a Nordic B2B supplier, "
        f"{data.start} – {data.observation_end}, amounts in {data.currency}."
    )
    out.table("Entity counts", ["entity", "count"], [list(row) for row in data.summary()])

    accounts = data.accounts
    total = len(accounts)
    by_status = Counter(a.status.value for a in accounts)
    by_tier = Counter(a.tier or "–" for a in accounts)
    key_accounts = sum(a.is_key_account for a in accounts)
    out.table(
        "Accounts by status and tier",
        ["group", "accounts", "share"],
        [[f"status: {k}", v, _share(v, total)] for k, v in sorted(by_status.items())]
        + [[f"tier: {k}", v, _share(v, total)] for k, v in sorted(by_tier.items())]
        + [["key accounts (duet / diamond team)", key_accounts, _share(key_accounts, total)]],
    )
    by_region = Counter(a.region or "–" for a in accounts).most_common(8)
    out.table(
        "Accounts by region (top 8)",
        ["region", "accounts", "share"],
        [[region, count, _share(count, total)] for region, count in by_region],
    )

    for pipe in data.pipelines:
        opps = [o for o in data.opportunities if o.pipeline_id == pipe.id]
        rows = []
        for stage in pipe.stages:
            at_stage = [o for o in opps if o.stage_key == stage.key]
            amount = sum((o.amount.amount for o in at_stage), Decimal(0))
            weighted = sum((o.expected_revenue.amount for o in at_stage), Decimal(0))
            rows.append(
                [
                    stage.name,
                    f"{stage.probability:.0%}",
                    len(at_stage),
                    _amount(amount),
                    _amount(weighted),
                ]
            )
        won = sum(o.is_won for o in opps)
        lost = sum(o.is_lost for o in opps)
        out.table(
            f"Pipeline '{pipe.name}' by stage (win rate {_share(won, won + lost)})",
            [
                "stage",
                "default p",
                "opportunities",
                f"amount {data.currency}",
                f"weighted {data.currency}",
            ],
            rows,
        )

    years: dict[int, list[Decimal]] = {}
    for order in data.purchases():
        years.setdefault(order.ordered_at.year, []).append(order.total.amount)
    out.table(
        "Orders per year (cancelled orders excluded)",
        ["year", "orders", "buying accounts", f"revenue {data.currency}", "average order"],
        [
            [
                year,
                len(values),
                len({o.account_id for o in data.purchases() if o.ordered_at.year == year}),
                _amount(sum(values, Decimal(0))),
                _amount(sum(values, Decimal(0)) / len(values)),
            ]
            for year, values in sorted(years.items())
        ],
    )
    truth = data.truth
    out.text(
        f"Repeat purchases follow BG/NBD with r={truth.r}, alpha={truth.alpha} (weeks), "
        f"a={truth.a}, b={truth.b}; order values Gamma-Gamma with p={truth.p}, q={truth.q}, "
        f"gamma={truth.gamma:g} (mean order {truth.mean_order_value:,.0f} {data.currency})."
    )
