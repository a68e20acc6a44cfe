"""Demo section: a key-account customer survey of the synthetic company.

Simulates answers to the key-account survey of Botn-Langøy, Buarø & Hoem (2019) for the company's key accounts (or,
when it has few, its first accounts), then prints item descriptives, construct scores with
Cronbach's alpha, the satisfaction drivers and the headline CSAT / satisfaction index figures with an NKI
survey (NKI index and NPS) simulated for the same accounts.

Examples:
    >>> from pathlib import Path
    >>> from types import SimpleNamespace
    >>> from crmkit.cli._console import Console
    >>> from crmkit.cli._context import DemoContext
    >>> from crmkit.cli._sections.survey import render
    >>> accounts = [SimpleNamespace(id=f"A{i}", is_key_account=i < 30) for i in range(80)]
    >>> ctx = DemoContext(data=SimpleNamespace(accounts=accounts),
    ...                   console=Console(plain=True), output_dir=Path("."), seed=1)
    >>> render(ctx)  # doctest: +ELLIPSIS
    <BLANKLINE>
    == Customer survey (key-account instrument of Botn-Langøy, Buarø & Hoem 2019) ==
    ...
"""

from __future__ import annotations

from typing import Any

from crmkit.cli._context import DemoContext
from crmkit.survey import (
    box_shares,
    csat,
    key_account_survey,
    nki_index,
    nki_template,
    nps,
    reliability,
    satisfaction_index,
    simulate_responses,
)

__all__ = ["render"]

_ITEMS = ("q03", "q04", "q05", "q06", "q07", "q09", "q10", "q11", "q12")
_MIN_RESPONDENTS = 40


def _account_ids(data: Any) -> list[str]:
    accounts = list(getattr(data, "accounts", None) or [])
    key = [a for a in accounts if getattr(a, "is_key_account", False)]
    chosen = key if len(key) >= _MIN_RESPONDENTS else accounts[: max(_MIN_RESPONDENTS, len(key))]
    ids = [str(getattr(a, "id", a)) for a in chosen]
    if not ids:
        ids = [f"account-{i:03d}" for i in range(_MIN_RESPONDENTS)]
    return ids


def render(ctx: DemoContext) -> None:
    """Print the survey summary for ``ctx.data`` (synthetic answers seeded with ctx.seed).

    Examples:
        >>> from crmkit.cli._sections.survey import render
        >>> callable(render)
        True
    """
    console = ctx.console
    inst = key_account_survey(supplier="our company")
    accounts = _account_ids(ctx.data)
    responses = simulate_responses(inst, accounts, seed=ctx.seed)
    console.heading("Customer survey (key-account instrument of Botn-Langøy, Buarø & Hoem 2019)")
    console.text(
        f"{len(responses)} synthetic respondents, one per account; answers are simulated "
        f"(seed {ctx.seed}). Satisfaction on 1–7, agreement on 1–5."
    )
    rows = []
    for key in _ITEMS:
        q = inst.question(key)
        d = inst.describe(responses, key)
        assert q.scale.minimum is not None
        assert q.scale.maximum is not None
        values = [r.answers.get(key) for r in responses]
        shares = box_shares(
            [v for v in values if not isinstance(v, str)], scale=(q.scale.minimum, q.scale.maximum)
        )
        text = q.text_in("en")
        rows.append(
            [key, text if len(text) <= 48 else text[:47] + "…", d.n, d.mean, d.sd,
             f"{100 * shares.top:.0f}%"]
        )  # fmt: skip
    console.table(
        "Item descriptives (sample SD)", ["item", "question", "n", "mean", "SD", "top-2"], rows
    )

    construct_rows = []
    for c in inst.constructs:
        if c.key == "customer_size":
            continue
        scores = [s for s in inst.construct_scores(responses, c.key) if s is not None]
        rel = reliability(inst.item_table(responses, c.items))
        construct_rows.append(
            [c.name_in("en"), len(c.items), len(scores), sum(scores) / len(scores), rel.alpha,
             "ok" if rel.meets(0.7) else "weak"]
        )  # fmt: skip
    console.table(
        "Constructs (mean of items, listwise) and Cronbach's alpha",
        ["construct", "items", "n", "score", "alpha", "≥ 0.70"],
        construct_rows,
    )

    overall = [v for r in responses if isinstance(v := r.answers.get("q07"), int)]
    nki_survey = nki_template("our company")
    nki_responses = simulate_responses(nki_survey, accounts, seed=ctx.seed + 1)
    recommend = [v for r in nki_responses if isinstance(v := r.answers.get("recommend"), int)]
    console.table(
        "Headline satisfaction",
        ["measure", "value"],
        [
            ["CSAT, overall satisfaction q07 (% answering 6–7 of 7)", csat(overall, scale=(1, 7))],
            ["Satisfaction index, q07 (0–100)", satisfaction_index(overall, scale=(1, 7))],
            ["NKI, customer satisfaction index survey (0–100)",
             nki_index([r.answers for r in nki_responses])],
            ["NPS, 'would recommend' 0–10 (−100…100)", nps(recommend).score],
        ],
    )  # fmt: skip
    try:
        table = inst.item_table(responses, ["q07", "q03", "q04", "q05", "q06"])
        from crmkit.survey import ols

        fit = ols(
            table.columns["q07"],
            {k: table.columns[k] for k in ("q03", "q04", "q05", "q06")},
            response="q07",
        )
    except ImportError:
        console.text("(install crmkit[stats] to see the driver regression)")
        return
    console.table(
        f"What drives overall satisfaction (OLS, n = {fit.fit.n}, R² = {fit.fit.r2:.2f})",
        ["term", "estimate", "SE", "t", "p"],
        [[c.name, c.estimate, c.std_error, c.t, f"{c.p:.4f}"] for c in fit.coefficients],
    )
