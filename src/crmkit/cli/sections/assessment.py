"""Demo section: a Payne–Frow assessment of the synthetic company.

Workbook answers are derived from the data where the data can answer them: the volume block,
repurchase buckets, top-10 concentration and cross-sell rate from orders; which channel
categories are used from the channels that interactions, opportunities (sales, S08) and cases
(service, S09) name — integrated when at least 90 % of a channel's records are linked to an
account, stand-alone otherwise; situation-analysis questions the CRM itself
answers (customers mapped, purchases known, data in one place, a contact centre when there
are cases). Nothing the data cannot tell is invented: those items stay unanswered and the
assessment skips them. Writes ``assessment.html`` to the output folder.

Examples:
    >>> from crmkit.cli.sections.assessment import answers_from_data
    >>> answers_from_data(None).overall_completion()
    0.0
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from crmkit.cli.context import DemoContext
from crmkit.domain import ChannelCategory, default_catalogue
from crmkit.report import assessment_html, process_name, score_text
from crmkit.strategy import (
    ScoringRule,
    WorkbookAnswers,
    assess,
    cross_sell_rate,
    repurchase_shares,
    top_n_concentration,
    volume_block,
    workbook,
    workbook_answers,
)

__all__ = ["answers_from_data", "render"]


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _records(data: Any, name: str) -> list[Any]:
    value = _get(data, name)
    if value is None:
        return []
    if isinstance(value, dict):
        return list(value.values())
    return list(value) if isinstance(value, Iterable) else []


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def _amount(money: Any) -> Decimal:
    amount = _get(money, "amount", money)
    try:
        return Decimal(str(amount))
    except ArithmeticError:  # pragma: no cover - defensive
        return Decimal(0)


def answers_from_data(data: Any) -> WorkbookAnswers:
    """Fill what the synthetic company's records can answer (see the module docstring)."""
    wb = WorkbookAnswers(company=str(_get(data, "company_name", "") or "Synthetic B2B company"))
    accounts = _records(data, "accounts")
    orders = _records(data, "orders")
    answers: dict[str, Any] = {}
    if accounts:
        answers["s04.customers_mapped"] = True
        answers["s04.data_in_one_place"] = True
        answers["s04.distribute_same_data"] = True
    last: dict[str, date] = {}
    counts: dict[str, int] = defaultdict(int)
    revenue: dict[str, Decimal] = defaultdict(Decimal)
    products: dict[str, set[str]] = defaultdict(set)
    for order in orders:
        account = _get(order, "account_id")
        when = _as_date(_get(order, "ordered_at"))
        if account is None or when is None:
            continue
        last[account] = max(when, last.get(account, when))
        counts[account] += 1
        for line in _records(order, "lines"):
            revenue[account] += _amount(_get(line, "unit_price")) * int(_get(line, "quantity", 1))
            products[account].add(str(_get(line, "product_id")))
    if last:
        as_of = max(last.values())
        ids = [str(_get(a, "id")) for a in accounts] or list(last)
        answers.update(
            workbook_answers(
                volume=volume_block([last.get(i) for i in ids], as_of),
                repurchase=repurchase_shares(list(counts.values())),
                concentration=(
                    top_n_concentration(revenue.values()) if sum(revenue.values()) > 0 else None
                ),
                cross_sell=cross_sell_rate(len(p) for p in products.values()),
            )
        )
        answers["s04.know_purchases"] = True
    if _records(data, "cases"):
        answers["s04.has_contact_center"] = True
    catalogue = default_catalogue()
    # channel -> [records, records linked to an account]; a channel whose records mostly carry
    # the account (>= 90 %) counts as integrated, otherwise as stand-alone IT support
    linked: dict[tuple[str, ChannelCategory], list[int]] = {}
    for kind, field, section in (
        ("interactions", "channel", "S08"),
        ("opportunities", "source_channel", "S08"),
        ("cases", "origin_channel", "S09"),
    ):
        for record in _records(data, kind):
            key = _get(record, field)
            key = _get(key, "value", key)
            if isinstance(key, str) and key in catalogue:
                counts_ = linked.setdefault((section, catalogue.category_of(key)), [0, 0])
                counts_[0] += 1
                counts_[1] += _get(record, "account_id") is not None
    for section in ("S08", "S09"):
        for item in workbook().section(section).items:
            if item.channel_category is None or item.id in answers:
                continue
            n = linked.get((section, item.channel_category))
            if n and n[0]:
                level = "integrated" if n[1] >= 0.9 * n[0] else "stand_alone"
                answers[item.id] = {"used": True, "it_support": level}
    wb.fill(answers)
    return wb


def render(ctx: DemoContext) -> None:
    """Assess the synthetic company and write its HTML report."""
    ctx.console.heading("Payne–Frow CRM strategy assessment")
    wb = answers_from_data(ctx.data)
    result = assess(wb, rule=ScoringRule(unanswered="skip"))
    ctx.console.text(
        f"Workbook answers derived from the data: {wb.overall_completion():.0%} of 125 items; "
        f"situation analysis {result.situation} yes (unanswered items are skipped)."
    )
    ctx.console.table(
        "Process scores (0–5)",
        ["#", "process", "score"],
        [
            [p.process.number, process_name(p.process), score_text(p.score)]
            for p in result.processes
        ],
    )
    weakest = result.weakest_process
    ctx.console.text(
        f"Overall {score_text(result.overall)}; weakest process: "
        f"{process_name(weakest) if weakest else 'n/a'}"
    )
    ctx.console.table(
        "Top gaps",
        ["process", "what is missing", "crmkit capabilities"],
        [
            [g.process.short, g.missing, ", ".join(c.path for c in g.capabilities[:2]) or "-"]
            for g in result.top_gaps(5)
        ],
    )
    path = ctx.output_dir / "assessment.html"
    path.write_text(assessment_html(result), encoding="utf-8")
    ctx.console.text(f"HTML report: {path}")
