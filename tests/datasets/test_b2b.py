from __future__ import annotations

import itertools
import math
import statistics
from collections import Counter
from datetime import date

import pytest

from crmkit import serde
from crmkit.datasets import B2BDataset, make_b2b
from crmkit.domain import (
    Account,
    AccountStatus,
    Agreement,
    Case,
    Contact,
    Direction,
    Interaction,
    InteractionStatus,
    KeyAccountRelationship,
    Lead,
    LeadStatus,
    Opportunity,
    Order,
)
from crmkit.errors import ValidationError


def _fingerprint(data: B2BDataset) -> list[object]:
    return [
        [a.id for a in data.accounts],
        [(o.id, str(o.total)) for o in data.orders],
        [(o.id, o.stage_key, o.probability) for o in data.opportunities],
        [lead.id for lead in data.leads],
        data.truth.customers[:5],
    ]


def test_same_seed_same_data_other_seed_other_data() -> None:
    a, b = make_b2b(seed=5, n_accounts=120), make_b2b(seed=5, n_accounts=120)
    assert _fingerprint(a) == _fingerprint(b)
    assert a.summary() == b.summary()
    assert _fingerprint(make_b2b(seed=6, n_accounts=120)) != _fingerprint(a)


def test_counts_scale_with_accounts(data: B2BDataset) -> None:
    counts = dict(data.summary())
    assert counts["accounts"] == 400
    assert 2 * 400 <= counts["contacts"] <= 4 * 400
    assert counts["leads"] >= 400
    assert counts["opportunities"] >= 0.6 * 400
    assert counts["orders"] >= 400
    assert counts["interactions"] > counts["opportunities"]
    assert counts["cases"] > 0
    assert counts["campaigns"] >= 4
    assert counts["agreements"] > 0
    assert counts["pipelines"] == 2
    assert next(name for name, _ in data.summary()) == "accounts"


def test_ids_unique_across_everything(data: B2BDataset) -> None:
    ids = [
        x.id
        for group in (
            data.accounts,
            data.contacts,
            data.leads,
            data.opportunities,
            data.interactions,
            data.cases,
            data.products,
            data.orders,
            data.campaigns,
            data.agreements,
            data.key_account_relationships,
            data.users,
        )
        for x in group
    ]
    assert len(ids) == len(set(ids))


def test_references_point_to_existing_records(data: B2BDataset) -> None:
    accounts = {a.id for a in data.accounts}
    contacts = {c.id: c for c in data.contacts}
    products = {p.id for p in data.products}
    opportunities = {o.id for o in data.opportunities}
    users = {u.id for u in data.users}
    for order in data.orders:
        assert order.account_id in accounts
        assert order.owner_id in users
        assert all(line.product_id in products for line in order.lines)
        assert order.opportunity_id is None or order.opportunity_id in opportunities
    for contact in data.contacts:
        assert contact.account_id in accounts
    for account in data.accounts:
        assert account.owner_id in users
        assert account.primary_contact_id in contacts
        assert contacts[account.primary_contact_id].account_id == account.id
    for opp in data.opportunities:
        assert opp.account_id in accounts
        assert opp.owner_id in users
        assert all(r.contact_id in contacts for r in opp.contact_roles)
    for lead in data.leads:
        if lead.is_converted:
            assert lead.converted_account_id in accounts
            assert lead.converted_contact_id in contacts
    for case in data.cases:
        assert case.account_id in accounts
    for item in data.interactions:
        assert item.account_id is None or item.account_id in accounts
        assert item.opportunity_id is None or item.opportunity_id in opportunities
    for campaign in data.campaigns:
        for member in campaign.members:
            assert member.contact_id is None or member.contact_id in contacts


def test_opportunities_are_consistent_with_their_pipelines(data: B2BDataset) -> None:
    for opp in data.opportunities:
        pipe = data.pipeline(opp.pipeline_id)
        stage = pipe.stage(opp.stage_key)
        assert opp.stage_probability == stage.probability
        assert (opp.is_closed, opp.is_won) == (stage.is_closed, stage.is_won)
        assert 0.0 <= opp.probability <= 1.0
        if opp.is_won:
            assert opp.probability == 1.0
        if opp.is_lost:
            assert opp.probability == 0.0
            assert opp.lost_reason
        history = opp.stage_history
        assert history[0].from_stage is None
        assert history[-1].to_stage == opp.stage_key
        assert all(a.at <= b.at for a, b in itertools.pairwise(history))
        assert all(a.to_stage == b.from_stage for a, b in itertools.pairwise(history))
        assert sum(r.is_primary for r in opp.contact_roles) <= 1
    won = sum(o.is_won for o in data.opportunities if o.pipeline_id == "default")
    lost = sum(o.is_lost for o in data.opportunities if o.pipeline_id == "default")
    assert 0.3 < won / (won + lost) < 0.85


def test_customers_and_statuses_follow_orders(data: B2BDataset) -> None:
    buyers = {o.account_id for o in data.purchases()}
    truth_ids = {t.account_id for t in data.truth.customers}
    assert buyers == truth_ids
    for account in data.accounts:
        if account.status is AccountStatus.POTENTIAL:
            assert account.id not in buyers
        else:
            assert account.id in buyers
    statuses = Counter(a.status for a in data.accounts)
    assert all(statuses[s] > 0 for s in AccountStatus)


def test_buy_till_you_die_truth_matches_the_orders(data: B2BDataset) -> None:
    truth = data.truth
    assert (truth.r, truth.alpha, truth.a, truth.b) == tuple(truth.bg_nbd_params().values())
    per_account = Counter(o.account_id for o in data.purchases())
    for customer in truth.customers:
        assert per_account[customer.account_id] == customer.purchases
        assert customer.purchase_rate > 0
        assert 0 <= customer.dropout_probability <= 1
        assert math.isclose(customer.mean_spend, truth.p / customer.spend_scale)
    # order values average close to the Gamma-Gamma mean p·γ/(q−1)
    values = [float(o.total.amount) for o in data.purchases()]
    assert 0.75 < statistics.fmean(values) / truth.mean_order_value < 1.3
    # dropped-out customers stopped buying when they dropped out
    last = {}
    for order in data.purchases():
        last[order.account_id] = max(last.get(order.account_id, order.ordered_at), order.ordered_at)
    for customer in truth.customers:
        if customer.dropped_out_at is not None:
            assert last[customer.account_id] == customer.dropped_out_at


def test_leads_cover_inbound_and_outbound_and_all_buying_stages(data: B2BDataset) -> None:
    assert {lead.direction for lead in data.leads} == {Direction.INBOUND, Direction.OUTBOUND}
    assert len({lead.buying_stage for lead in data.leads}) == 8
    statuses = Counter(lead.status for lead in data.leads)
    assert statuses[LeadStatus.CONVERTED] > 0
    assert statuses[LeadStatus.UNQUALIFIED] > 0
    assert all(lead.lost_reason for lead in data.leads if lead.status is LeadStatus.UNQUALIFIED)


def test_company_sizes_are_skewed(data: B2BDataset) -> None:
    employees = sorted(a.employees or 0 for a in data.accounts)
    median = employees[len(employees) // 2]
    assert statistics.fmean(employees) > 2 * median
    assert {a.tier for a in data.accounts} == {"A", "B", "C"}


def test_cases_have_consistent_times(data: B2BDataset) -> None:
    for case in data.cases:
        if case.first_response_at is not None:
            assert case.first_response_at >= case.opened_at
        assert case.is_closed == (case.closed_at is not None)
    planned = [i for i in data.interactions if i.status is InteractionStatus.PLANNED]
    assert all(i.planned_at is not None for i in planned)


@pytest.mark.parametrize(
    ("cls", "attr"),
    [
        (Account, "accounts"), (Contact, "contacts"), (Lead, "leads"),
        (Opportunity, "opportunities"), (Interaction, "interactions"), (Case, "cases"),
        (Order, "orders"), (Agreement, "agreements"),
        (KeyAccountRelationship, "key_account_relationships"),
    ],
)  # fmt: skip
def test_records_round_trip_and_revalidate(data: B2BDataset, cls: type, attr: str) -> None:
    for record in getattr(data, attr)[:40]:
        assert serde.from_json(cls, serde.to_json(record)) == record


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValidationError):
        make_b2b(n_accounts=0)
    with pytest.raises(ValidationError):
        make_b2b(start=date(2025, 1, 1), end=date(2025, 1, 10))
    with pytest.raises(ValidationError):
        make_b2b(currency="XXX1")


@pytest.mark.slow
def test_ten_thousand_accounts_smoke() -> None:
    data = make_b2b(seed=1, n_accounts=10_000)
    assert len(data.accounts) == 10_000
    assert len(data.orders) > 10_000
