"""The synthetic company's users, teams, territories, tasks, notes, price books, line items,
quotes, account groups and exchange rates: consistent, realistic, and added without moving
anything the sales history had before."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, time, timedelta

import attrs
import pytest

import crmkit.datasets.b2b as b2b
from crmkit.adapters import open_store
from crmkit.adapters.aggregate import aggregates
from crmkit.datasets import B2BDataset, make_b2b
from crmkit.domain import (
    QuoteStatus,
    TaskStatus,
    UserRole,
    route,
)
from crmkit.domain.hierarchy import AccountTree
from crmkit.domain.line_item import net_total


def _history(data: B2BDataset) -> list[object]:
    return [
        [(a.id, a.name, a.owner_id, a.tier) for a in data.accounts],
        [(c.id, c.email) for c in data.contacts],
        [(o.id, str(o.amount), o.stage_key, o.owner_id) for o in data.opportunities],
        [(o.id, str(o.total), o.opportunity_id) for o in data.orders],
        [i.id for i in data.interactions],
        [lead.id for lead in data.leads],
        data.truth,
    ]


def test_the_object_model_leaves_the_sales_history_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    full = make_b2b(seed=9, n_accounts=150)
    monkeypatch.setattr(b2b, "add_object_model", lambda *args: None)
    bare = make_b2b(seed=9, n_accounts=150)
    assert not bare.quotes
    assert full.quotes
    assert _history(full) == _history(bare)
    # deterministic: the same seed gives the same objects, ids included
    monkeypatch.undo()
    again = make_b2b(seed=9, n_accounts=150)
    assert [(q.id, str(q.total), q.status) for q in again.quotes] == [
        (q.id, str(q.total), q.status) for q in full.quotes
    ]
    assert [t.id for t in again.tasks] == [t.id for t in full.tasks]


def test_users_own_everything_and_teams_have_managers(data: B2BDataset) -> None:
    users = {u.id: u for u in data.users}
    assert {s.id for s in data.staff} <= set(users)
    emails = [u.email for u in data.users]
    assert len(set(emails)) == len(emails)
    assert all(e.endswith("@nordlabel.se") for e in emails)
    for group in (data.accounts, data.opportunities, data.orders, data.quotes):
        assert all(r.owner_id in users for r in group if r.owner_id is not None)
    assert all(t.assignee_id in users for t in data.tasks)
    assert all(n.author_id in users for n in data.notes)
    assert [t.name for t in data.teams][:3] == ["Field sales", "Inside sales", "Key accounts"]
    for team in data.teams:
        assert team.manager_id in users
        assert set(team.member_ids) <= set(users)
    managers = {t.manager_id for t in data.teams[:3]}
    assert {users[m].role for m in managers} == {UserRole.SALES_MANAGER}
    assert Counter(u.role for u in data.users)[UserRole.SALES_REP] == len(data.sellers)


def test_accounts_are_owned_within_their_territory(data: B2BDataset) -> None:
    ids = {a.id for a in data.accounts}
    for account in data.accounts:
        territory = route(account, data.territories)
        assert territory is not None, account.region
        if not account.is_key_account:
            assert account.owner_id in territory.member_ids
    assert any(t.name == "Large companies" for t in data.territories)
    for change in data.owner_changes:
        assert change.record_id in ids
        assert change.reason.startswith("territory ")


def test_tasks_are_overdue_due_this_week_or_done(data: B2BDataset) -> None:
    now = datetime.combine(data.observation_end, time(9), tzinfo=UTC)
    statuses = Counter(t.status for t in data.tasks)
    assert statuses[TaskStatus.DONE] > 0
    assert statuses[TaskStatus.OPEN] > 0
    open_tasks = [t for t in data.tasks if t.status is TaskStatus.OPEN]
    assert any(t.is_overdue(now) for t in open_tasks)
    assert any(t.due_at and now <= t.due_at < now + timedelta(days=7) for t in open_tasks)
    known = {
        "account": {a.id for a in data.accounts},
        "contact": {c.id for c in data.contacts},
        "opportunity": {o.id for o in data.opportunities},
    }
    for activity in [*data.tasks, *data.notes]:
        assert activity.links
        assert all(link.record_id in known[link.record_type] for link in activity.links)
    assert all(t.completed_at is not None for t in data.tasks if t.status is TaskStatus.DONE)


def test_line_items_add_up_to_the_deal_amount(data: B2BDataset) -> None:
    listed = [o for o in data.opportunities if o.line_items]
    default = [o for o in data.opportunities if o.pipeline_id == "default"]
    assert 0.2 < len(listed) / len(default) < 0.5
    products = {p.id for p in data.products}
    for opp in listed:
        assert net_total(opp.line_items, opp.amount.currency) == opp.amount
        assert all(line.product_id in products for line in opp.line_items)


def test_price_books_cover_the_catalogue_in_three_currencies(data: B2BDataset) -> None:
    books = {(b.currency, b.segment): b for b in data.price_books}
    assert set(books) == {("SEK", None), ("NOK", None), ("EUR", None), ("SEK", "key_account")}
    for book in data.price_books:
        assert {e.product_id for e in book.entries} == {p.id for p in data.products}
    # converted through the euro at the window's start: NOK and SEK prices are close
    product = data.products[0]
    nok = books["NOK", None].price(product.id).amount
    assert 0.8 < nok / product.price.amount < 1.1


def test_quotes_in_every_status_accepted_ones_with_their_order(data: B2BDataset) -> None:
    assert {q.status for q in data.quotes} == set(QuoteStatus)
    orders = {o.id: o for o in data.orders}
    opportunities = {o.id: o for o in data.opportunities}
    accounts = {a.id: a for a in data.accounts}
    books = {b.id: b for b in data.price_books}
    for quote in data.quotes:
        assert books[quote.price_book_id or ""].currency == quote.currency
        opp = opportunities[quote.opportunity_id or ""]
        assert (opp.is_won, opp.is_lost) == (
            quote.status is QuoteStatus.ACCEPTED,
            quote.status is QuoteStatus.REJECTED,
        )
        if quote.status is QuoteStatus.ACCEPTED:
            order = orders[quote.order_id or ""]
            assert (order.account_id, order.opportunity_id) == (quote.account_id, opp.id)
            assert quote.net_total == order.total
        elif quote.currency == "NOK":
            assert accounts[quote.account_id].addresses[0].country == "NO"
    assert len({q.quote_number for q in data.quotes}) == len(data.quotes)


def test_account_groups_are_trees_parents_first(data: B2BDataset) -> None:
    position = {a.id: i for i, a in enumerate(data.accounts)}
    children = [a for a in data.accounts if a.parent_id]
    assert children
    tree = AccountTree(data.accounts)
    for child in children:
        assert position[child.parent_id or ""] < position[child.id]
        assert tree.depth(child.id) == 1
        parent = data.accounts[position[child.parent_id or ""]]
        assert parent.industry == child.industry


def test_exchange_rates_are_monthly_and_convert(data: B2BDataset) -> None:
    rates = data.rates
    assert {(r.base, r.quote) for r in rates.rates} == {("EUR", "SEK"), ("EUR", "NOK")}
    assert all(r.on.day == 1 for r in rates.rates)
    on = data.observation_end
    assert rates.rate("EUR", "SEK", on=on).on == on.replace(day=1)
    euros = rates.convert(data.orders[0].total, "EUR", on=on)
    assert euros.currency == "EUR"
    assert 0 < euros.amount < data.orders[0].total.amount


@pytest.mark.parametrize("currency", ["EUR", "USD"])
def test_a_company_in_another_currency_quotes_in_it(currency: str) -> None:
    data = make_b2b(seed=3, n_accounts=60, currency=currency)
    assert [b.currency for b in data.price_books] == [currency]
    assert {q.currency for q in data.quotes} == {currency}


def test_everything_is_stored_by_a_store() -> None:
    data = make_b2b(seed=5, n_accounts=60)
    with open_store("memory://") as store:
        with store.unit_of_work() as uow:
            for agg in aggregates():
                records = getattr(data, agg.name, [])
                assert all(isinstance(r, agg.entity) for r in records), agg.name
                uow.repository(agg.name).add_many(attrs.evolve(r) for r in records)
        with store.unit_of_work() as uow:
            assert uow.quotes.count() == len(data.quotes) > 0
            assert uow.tasks.count() == len(data.tasks) > 0
            assert uow.users.count() == len(data.users)
