"""Demo section: more lifetime-value models and holdout validation.

The shifted-beta-geometric (sBG) model on Fader & Hardie's (2007) published survivor curve of
"regular" subscribers; the BG/BB model on the synthetic company's orders, each calendar quarter
one purchase opportunity; and a holdout validation of BG/NBD +
Gamma-Gamma: fitted on the orders up to a year before the end, checked customer by customer on
the last year.

Examples:
    >>> from pathlib import Path
    >>> from crmkit.cli._console import Console
    >>> from crmkit.cli._context import DemoContext
    >>> from crmkit.cli._sections.models import render
    >>> from crmkit.datasets import make_b2b
    >>> ctx = DemoContext(make_b2b(seed=7, n_accounts=300), Console(plain=True), Path("."), 7)
    >>> render(ctx)  # doctest: +ELLIPSIS
    <BLANKLINE>
    == More lifetime-value models: sBG, BG/BB, holdout validation ==
    sBG on Fader & Hardie (2007), regular customers ...: gamma 0.704, delta 1.182; ...
    ...
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import TYPE_CHECKING, Any

from crmkit.clv import (
    BetaGeo,
    BetaGeoBetaBinomial,
    GammaGamma,
    ShiftedBetaGeometric,
    calibration_holdout,
    validate_holdout,
)
from crmkit.errors import FitError, ValidationError

if TYPE_CHECKING:
    from crmkit.cli._context import DemoContext

__all__ = ["REGULAR_SURVIVORS", "quarterly_histories", "render"]

#: Fader & Hardie (2007), "How to project customer retention", regular customers: 1000 at the
#: start, then the survivors after each of seven years.
REGULAR_SURVIVORS: tuple[int, ...] = (1000, 631, 468, 382, 326, 289, 262, 241)


def _quarter(day: date) -> int:
    return day.year * 4 + (day.month - 1) // 3


def quarterly_histories(orders: Any, end: date) -> list[dict[str, int]]:
    """BG/BB histories with each calendar quarter as one purchase opportunity: for every
    customer whose first order is before ``end``'s quarter, the quarters after the first up to
    and including ``end``'s.

    Examples:
        >>> from datetime import date, datetime
        >>> from types import SimpleNamespace as O
        >>> orders = [O(account_id="a", ordered_at=datetime(2025, m, 1)) for m in (1, 2, 7)]
        >>> quarterly_histories(orders, date(2025, 12, 31))
        [{'frequency': 1, 'recency': 2, 'periods': 3}]
    """
    last = _quarter(end)
    quarters: dict[Any, set[int]] = defaultdict(set)
    for order in orders:
        quarters[order.account_id].add(_quarter(order.ordered_at))
    rows = []
    for bought in quarters.values():
        first = min(bought)
        if first >= last:
            continue
        later = [q - first for q in bought if first < q <= last]
        rows.append(
            {"frequency": len(later), "recency": max(later, default=0), "periods": last - first}
        )
    return rows


def render(ctx: DemoContext) -> None:
    """Print the sBG, BG/BB and holdout-validation summaries.

    Examples:
        >>> from crmkit.cli._sections.models import render
        >>> callable(render)
        True
    """
    console, data = ctx.console, ctx.data
    console.heading("More lifetime-value models: sBG, BG/BB, holdout validation")
    sbg = ShiftedBetaGeometric.fit_survivors(list(REGULAR_SURVIVORS))
    projected = [round(float(v)) for v in 1000 * sbg.survival([8, 9, 10, 11, 12])]
    console.text(
        f"sBG on Fader & Hardie (2007), regular customers {list(REGULAR_SURVIVORS)}: "
        f"gamma {sbg.gamma:.3f}, delta {sbg.delta:.3f}; projected survivors in years 8–12 "
        f"{projected}; retention rises "
        + " → ".join(f"{float(r):.0%}" for r in sbg.retention_rate([1, 2, 5, 12]))
        + f" (years 1, 2, 5, 12); discounted expected lifetime at 10 %: "
        f"{sbg.discounted_expected_lifetime(0.1):.2f} payments."
    )

    orders = list(data.purchases())
    end = data.observation_end
    last = end.year
    histories = quarterly_histories(orders, end)
    try:
        bgbb = BetaGeoBetaBinomial.fit(histories)
    except (FitError, ValidationError) as exc:
        console.text(f"BG/BB could not be fitted on the quarterly histories: {exc}")
    else:
        n = max(h["periods"] for h in histories)
        ahead = bgbb.conditional_expected_purchases(1, [0, n], [0, n], n)
        alive = bgbb.probability_alive([0, n], [0, n], n, 1)
        console.text(
            f"BG/BB with each calendar quarter as a purchase opportunity ({len(histories)} "
            f"customers, up to {n} quarters after their first): alpha {bgbb.alpha:.2f}, "
            f"beta {bgbb.beta:.2f}, gamma {bgbb.gamma:.2f}, delta {bgbb.delta:.2f}. Next "
            f"quarter, a customer who bought in all {n} quarters: P(alive) "
            f"{float(alive[1]):.0%}, P(buys) {float(ahead[1]):.0%}; one who never came back: "
            f"{float(alive[0]):.0%} and {float(ahead[0]):.0%}."
        )

    calibration_end = date(last - 1, 12, 31)
    split = calibration_holdout(
        orders,
        calibration_end=calibration_end,
        as_of=data.observation_end,
        amount="total",
        time_unit="weeks",
    )
    try:
        purchases = BetaGeo.fit(split, time_unit="weeks")
        spend = GammaGamma.fit(split)
    except (FitError, ValidationError) as exc:
        console.text(f"Holdout validation: the models could not be fitted: {exc}")
        return
    report = validate_holdout(split, purchases, spend)
    rows: list[list[Any]] = []
    for name, acc in (("purchases", report.purchases), (f"value {data.currency}", report.value)):
        if acc is not None:
            rows.append([name, acc.mae, acc.rmse, acc.correlation, acc.predicted_total,
                         acc.actual_total])  # fmt: skip
    console.table(
        f"Holdout validation of BG/NBD + Gamma-Gamma: fitted up to {calibration_end}, "
        f"{report.customers} customers checked on {last}",
        ["measure", "MAE", "RMSE", "correlation", "predicted total", "actual total"],
        rows,
    )
    console.table(
        "Mean purchases per customer by decile of predicted purchases (top 3)",
        ["decile", "customers", "predicted", "actual"],
        [[d.group, d.customers, d.predicted_purchases, d.actual_purchases]
         for d in report.deciles[:3]],
    )  # fmt: skip
