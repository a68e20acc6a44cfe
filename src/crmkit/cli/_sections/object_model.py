"""Demo section: territories, tasks, a quote accepted into an order, a pipeline in euros, a
group roll-up and an audit trail — the company's object model, stored in the demo's SQLite CRM.

Examples:
    >>> import tempfile
    >>> from pathlib import Path
    >>> from crmkit.cli._console import Console
    >>> from crmkit.cli._context import DemoContext
    >>> from crmkit.cli._sections.object_model import render
    >>> from crmkit.datasets import make_b2b
    >>> out = Path(tempfile.mkdtemp())
    >>> render(DemoContext(make_b2b(seed=1, n_accounts=60), Console(plain=True), out, 1))
    ... # doctest: +ELLIPSIS
    <BLANKLINE>
    == Users, territories, tasks, quotes and currencies ==
    ...
    >>> (out / "crm.db").exists()
    True
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from crmkit.adapters.audit import audit_trail
from crmkit.adapters.hierarchy import open_pipeline_by_group, revenue_by_group
from crmkit.adapters.sql import SqlStore
from crmkit.adapters.sql.rates import SqlRateTable
from crmkit.datasets.objects import QUOTE_CURRENCY
from crmkit.domain import (
    Account,
    Money,
    Opportunity,
    Quote,
    QuoteStatus,
    TaskStatus,
    UserRole,
    assign_territory,
    overdue_tasks,
    route,
)
from crmkit.errors import ValidationError
from crmkit.scoring import weighted_pipeline_in

if TYPE_CHECKING:
    from crmkit.adapters import UnitOfWork
    from crmkit.adapters.sql.store import SqlUnitOfWork
    from crmkit.cli._context import DemoContext
    from crmkit.datasets import B2BDataset

__all__ = ["NEW_ACCOUNTS", "render"]

#: Two companies that sign up at the end of the window, routed to a territory each:
#: (name, region, industry, employees).
NEW_ACCOUNTS = (
    ("Nordkust Logistik AB", "Stockholm", "Transport and logistics", 35),
    ("Fjällstål Industri AB", "Norrbotten", "Manufacturing", 2400),
)
#: Rows shown per list.
SHOWN = 5


def _today(data: B2BDataset) -> datetime:
    """The demo's "now": nine o'clock on the last day of the window."""
    return datetime.combine(data.observation_end, time(9), tzinfo=UTC)


def _country(account: Account) -> str | None:
    return account.addresses[0].country if account.addresses else None


def _stored(uow: UnitOfWork, name: str, records: list[Any]) -> None:
    """Write copies of ``records`` (added, or updated when the storage section stored them)."""
    if records:
        uow.repository(name).upsert_many(attrs.evolve(r) for r in records)


def _territories(ctx: DemoContext, uow: UnitOfWork, names: dict[str, str]) -> None:
    data, now = ctx.data, _today(ctx.data)
    manager = next((u for u in data.users if u.role is UserRole.SALES_MANAGER), None)
    territories = list(uow.territories.iter_all())
    rows: list[list[Any]] = []
    for name, region, industry, employees in NEW_ACCOUNTS:
        account = Account(
            name, region=region, industry=industry, employees=employees, created_at=now
        )
        change = assign_territory(account, territories, at=now, by=manager.id if manager else None)
        territory = route(account, territories)
        uow.accounts.add(account)
        names[account.id] = account.name
        if change is not None:
            uow.owner_changes.add(change)
        rows.append(
            [
                name,
                region,
                employees,
                territory.name if territory else "—",
                names.get(account.owner_id or "", "—"),
            ]
        )
    ctx.console.table(
        f"Territory assignment ({len(territories)} stored territories; "
        f"{len(data.owner_changes)} accounts moved at the last realignment)",
        ["new account", "region", "employees", "territory", "owner"],
        rows,
    )


def _tasks(ctx: DemoContext, uow: UnitOfWork, names: dict[str, str]) -> None:
    now = _today(ctx.data)
    tasks = list(uow.tasks.iter_all())
    overdue = overdue_tasks(tasks, now)
    week = sorted(
        (
            t
            for t in tasks
            if t.status is TaskStatus.OPEN
            and t.due_at
            and now <= t.due_at < now + timedelta(days=7)
        ),
        key=lambda t: t.due_at or now,
    )

    def row(task: Any) -> list[Any]:
        accounts = task.linked_ids("account")
        return [
            task.subject,
            names.get(accounts[0], "—") if accounts else "—",
            names.get(task.assignee_id or "", "—"),
            f"{task.due_at:%Y-%m-%d}" if task.due_at else "—",
            task.priority.value,
        ]

    columns = ["task", "account", "assignee", "due", "priority"]
    ctx.console.table(
        f"Tasks due this week ({len(week)}, from {now:%Y-%m-%d})",
        columns,
        [row(t) for t in week[:SHOWN]],
    )
    ctx.console.table(f"Overdue tasks ({len(overdue)})", columns, [row(t) for t in overdue[:SHOWN]])


def _quote(ctx: DemoContext, store: SqlStore, names: dict[str, str]) -> Quote | None:
    data, now = ctx.data, _today(ctx.data)
    accounts = {a.id: a for a in data.accounts}
    quote = next(
        (
            q
            for q in data.quotes
            if q.status is QuoteStatus.SENT and not q.is_expired(now.date()) and q.owner_id
        ),
        None,
    )
    if quote is None:
        ctx.console.text("No sent quote is waiting for an answer.")
        return None
    with store.unit_of_work() as uow:
        _stored(uow, "accounts", _with_parents(accounts, quote.account_id))
        _stored(uow, "quotes", [quote])
    with store.unit_of_work(actor=quote.owner_id) as uow:
        stored: Quote = uow.quotes.get(quote.id)
        order = stored.accept(now, order_number=f"O-{stored.quote_number}")
        uow.orders.add(order)
        uow.quotes.save(stored)
    ctx.console.table(
        f"Quote {stored.quote_number} accepted into order {order.order_number}",
        ["account", "lines", "net", "tax", "quote total", "order total"],
        [
            [
                names.get(stored.account_id, stored.account_id),
                len(stored.lines),
                str(stored.net_total),
                str(stored.tax_total),
                str(stored.total),
                str(order.total),
            ]
        ],
    )
    return stored


def _with_parents(accounts: dict[str, Account], account_id: str) -> list[Account]:
    """The account and its ancestors, root first (a store refuses a missing parent)."""
    chain: list[Account] = []
    current: str | None = account_id
    while current is not None and current in accounts:
        chain.append(accounts[current])
        current = accounts[current].parent_id
    return chain[::-1]


def _booked_locally(data: B2BDataset, rates: Any) -> list[Opportunity]:
    """The open new-business deals, those of Norwegian accounts booked in NOK (converted at
    the rate of the day each deal was opened) — a company with an office per country."""
    accounts = {a.id: a for a in data.accounts}
    deals: list[Opportunity] = []
    for opp in data.opportunities:
        if opp.is_closed or opp.pipeline_id != "default":
            continue
        local = QUOTE_CURRENCY.get(_country(accounts[opp.account_id]) or "", data.currency)
        if local == "NOK" and opp.amount.currency != "NOK":
            on = opp.created_at.date()
            euros = rates.convert(opp.amount, "EUR", on=on)
            nok = rates.convert(euros, "NOK", on=on)
            opp = attrs.evolve(
                opp, amount=Money(nok.amount.quantize(Decimal(1)), "NOK"), line_items=[]
            )
        deals.append(opp)
    return deals


def _pipeline(ctx: DemoContext, uow: SqlUnitOfWork) -> None:
    data = ctx.data
    rates = SqlRateTable(uow)
    deals = _booked_locally(data, rates)
    currencies = Counter(d.amount.currency for d in deals)
    rows = weighted_pipeline_in(
        deals,
        currency="EUR",
        rates=rates,
        on=data.observation_end,
        pipeline=data.pipeline("default"),
    )
    ctx.console.table(
        "Open pipeline in EUR from "
        + " and ".join(f"{n} {code} deals" for code, n in sorted(currencies.items()))
        + f" (rates of {rows[0].rate_date if rows else '—'})",
        ["stage", "deals", "amount (EUR)", "weighted (EUR)"],
        [[r.key, r.count, f"{r.amount:,.0f}", f"{r.weighted_amount:,.0f}"] for r in rows],
    )


def _group(ctx: DemoContext, uow: UnitOfWork, names: dict[str, str]) -> None:
    data = ctx.data
    children: dict[str, list[Account]] = {}
    for account in data.accounts:
        if account.parent_id:
            children.setdefault(account.parent_id, []).append(account)
    if not children:
        ctx.console.text("The company has no account groups.")
        return
    parent_id = max(children, key=lambda p: (len(children[p]), p))
    accounts = {a.id: a for a in data.accounts}
    members = [*_with_parents(accounts, parent_id), *children[parent_id]]
    ids = {a.id for a in members}
    _stored(uow, "accounts", members)
    _stored(uow, "orders", [o for o in data.orders if o.account_id in ids])
    _stored(uow, "opportunities", [o for o in data.opportunities if o.account_id in ids])
    revenue = revenue_by_group(uow)
    pipeline = open_pipeline_by_group(uow)
    code = data.currency

    def cell(totals: dict[str, dict[str, Money]], id: str) -> str:
        money = totals.get(id, {}).get(code)
        return str(money) if money is not None else "—"

    rows = [
        [("" if a.id == parent_id else "  └ ") + a.name, cell(revenue, a.id), cell(pipeline, a.id)]
        for a in members
        if a.id == parent_id or a.parent_id == parent_id
    ]
    ctx.console.table(
        f"Group roll-up: {names.get(parent_id, parent_id)} and its subsidiaries",
        ["account", "revenue (with subsidiaries)", "open pipeline (with subsidiaries)"],
        rows,
    )


def _audit(ctx: DemoContext, uow: UnitOfWork, quote: Quote, names: dict[str, str]) -> None:
    trail = [e for e in audit_trail(uow, "quotes", quote.id) if e.field]
    ctx.console.table(
        f"Audit trail of quote {quote.quote_number}",
        ["field", "old", "new", "by", "at"],
        [
            [
                e.field,
                str(e.old)[:26],
                str(e.new)[:26],
                names.get(e.actor or "", e.actor),
                f"{e.at:%Y-%m-%d %H:%M}",
            ]
            for e in trail
        ],
    )


def render(ctx: DemoContext) -> None:
    """Store the company's users, teams, territories, tasks and exchange rates in the demo's
    SQLite CRM (``crm.db``), route two new accounts, list the tasks due this week and the
    overdue ones, accept a quote into an order, report the open pipeline in EUR from SEK and
    NOK deals, roll revenue up over an account group and show the quote's audit trail.

    Examples:
        >>> from crmkit.cli._sections.object_model import render
        >>> callable(render)
        True
    """
    console = ctx.console
    console.heading("Users, territories, tasks, quotes and currencies")
    data = ctx.data
    ctx.output_dir.mkdir(parents=True, exist_ok=True)
    names = {u.id: u.name for u in data.users} | {a.id: a.name for a in data.accounts}
    with SqlStore(f"sqlite:///{ctx.output_dir / 'crm.db'}") as store:
        with store.unit_of_work() as uow:
            for name in ("users", "teams", "territories", "owner_changes", "tasks"):
                _stored(uow, name, getattr(data, name))
            rates = SqlRateTable(uow)
            try:
                rates.rate("EUR", data.currency, on=data.observation_end)
            except ValidationError:
                rates.add_many(data.rates.rates)
        console.text(
            f"{len(data.users)} users in {len(data.teams)} teams, "
            f"{len(data.territories)} territories, {len(data.tasks)} tasks, "
            f"{len(data.rates.rates)} exchange rates and {len(data.quotes)} quotes; "
            f"{sum(bool(o.line_items) for o in data.opportunities)} deals list their products."
        )
        with store.unit_of_work() as uow:
            _territories(ctx, uow, names)
        with store.unit_of_work() as uow:
            _tasks(ctx, uow, names)
        quote = _quote(ctx, store, names)
        with store.unit_of_work() as uow:
            _pipeline(ctx, uow)
        with store.unit_of_work() as uow:
            _group(ctx, uow, names)
        if quote is not None:
            with store.unit_of_work() as uow:
                _audit(ctx, uow, quote, names)
