"""Demo section: lifetime value of the synthetic company's customers.

Summarises the company's orders (cancelled ones left out) in weeks, fits BG/NBD and
Gamma-Gamma, compares the estimates with the true parameters the orders were simulated from,
and shows 12-month CLV per account tier and status.

Examples:
    >>> from pathlib import Path
    >>> from crmkit.cli._console import Console
    >>> from crmkit.cli._context import DemoContext
    >>> from crmkit.cli._sections.lifetime_value import render
    >>> from crmkit.datasets import make_b2b
    >>> ctx = DemoContext(data=make_b2b(seed=7, n_accounts=300), console=Console(plain=True),
    ...                   output_dir=Path("."), seed=7)
    >>> render(ctx)  # doctest: +ELLIPSIS
    <BLANKLINE>
    == Customer lifetime value (BG/NBD + Gamma-Gamma) ==
    ...
"""

from __future__ import annotations

from typing import Any

from crmkit.cli._context import DemoContext
from crmkit.clv import BetaGeo, GammaGamma, summarise, value_by_segment, value_customers
from crmkit.errors import FitError, ValidationError

__all__ = ["render"]


def _counted(order: Any) -> bool:
    status = getattr(order, "status", None)
    return bool(getattr(status, "counts_as_purchase", True))


def render(ctx: DemoContext) -> None:
    """Print fitted vs true parameters and CLV by tier and status.

    Examples:
        >>> from crmkit.cli._sections.lifetime_value import render
        >>> callable(render)
        True
    """
    console, data = ctx.console, ctx.data
    console.heading("Customer lifetime value (BG/NBD + Gamma-Gamma)")
    orders = [o for o in data.orders if _counted(o)]
    summary = summarise(orders, amount="total", time_unit="weeks", as_of=data.observation_end)
    repeaters = sum(1 for s in summary if s.frequency > 0)
    console.text(
        f"{len(orders)} orders of {len(summary)} customers summarised in weeks up to "
        f"{data.observation_end}; {repeaters} bought again."
    )
    try:
        purchases = BetaGeo.fit(summary, time_unit="weeks")
        spend = GammaGamma.fit(summary, time_unit="weeks")
    except (FitError, ValidationError) as exc:
        console.text(f"The models could not be fitted on this dataset: {exc}")
        return
    truth = data.truth
    rows: list[list[Any]] = []
    for name, fitted, true_value in (
        ("r", purchases.r, truth.r),
        ("alpha", purchases.alpha, truth.alpha),
        ("a", purchases.a, truth.a),
        ("b", purchases.b, truth.b),
        ("p", spend.p, truth.p),
        ("q", spend.q, truth.q),
        ("gamma", spend.v, truth.gamma),
    ):
        se = (purchases if name in "r alpha a b".split() else spend).standard_errors.get(
            "v" if name == "gamma" else name, float("nan")
        )
        rows.append([name, float(true_value), float(fitted), float(se)])
    console.table("Fitted vs true parameters", ["parameter", "true", "fitted", "std. error"], rows)
    values = value_customers(summary, purchases, spend, months=12)
    accounts = {a.id: a for a in data.accounts}
    for title, attr in (("tier", "tier"), ("status", "status")):

        def segment(cid: Any, attr: str = attr) -> str:
            value = getattr(accounts.get(cid), attr, None)
            return str(getattr(value, "value", value) or "(none)")

        segments = value_by_segment(values, segment)
        console.table(
            f"12-month CLV by account {title} ({data.currency}, 1 % monthly discount)",
            [title, "customers", "expected alive", "expected orders", "total CLV", "mean CLV"],
            [
                [
                    s.segment,
                    s.customers,
                    s.expected_alive,
                    s.expected_purchases,
                    s.lifetime_value,
                    s.mean_lifetime_value,
                ]
                for s in segments
            ],
        )
