from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.domain import (
    Account,
    ExchangeRate,
    Money,
    Opportunity,
    Order,
    OrderLine,
    OrderStatus,
    RateTable,
)
from crmkit.domain.hierarchy import (
    AccountTree,
    check_parent,
    check_parents,
    open_pipeline_rollup,
    revenue_rollup,
)
from crmkit.errors import HierarchyCycleError, NotFoundError, ValidationError

AT = datetime(2025, 3, 1, tzinfo=UTC)


@st.composite
def forests(draw: st.DrawFn) -> list[Account]:
    """1–14 accounts; each names an earlier one (or none) as parent, so it is a forest."""
    size = draw(st.integers(1, 14))
    parents = [None] + [draw(st.none() | st.integers(0, i - 1)) for i in range(1, size)]
    accounts = [
        Account(f"A{i}", id=f"a{i:02d}", parent_id=None if p is None else f"a{p:02d}")
        for i, p in enumerate(parents)
    ]
    return draw(st.permutations(accounts))


def _is_under(parents: dict[str, str | None], account: str, top: str) -> bool:
    """Brute force: walk up from ``account``; is ``top`` on the way (or the account itself)?"""
    current: str | None = account
    while current is not None:
        if current == top:
            return True
        current = parents[current]
    return False


_CURRENCIES = st.sampled_from(["SEK", "EUR"])
_AMOUNTS = st.decimals(0, 100_000, places=2)


@settings(max_examples=150, deadline=None)
@given(forests(), st.data())
def test_rollups_on_a_random_tree_equal_a_brute_force_sum(
    accounts: list[Account], data: st.DataObject
) -> None:
    ids = [a.id for a in accounts]
    orders = data.draw(
        st.lists(
            st.builds(
                lambda account, amount, currency, status: Order(
                    account, AT, [OrderLine("p", 1, Money(amount, currency))], status=status
                ),
                st.sampled_from(ids),
                _AMOUNTS,
                _CURRENCIES,
                st.sampled_from(OrderStatus),
            ),
            max_size=25,
        )
    )
    deals = data.draw(
        st.lists(
            st.builds(
                lambda account, amount, currency, closed: Opportunity(
                    "D",
                    account,
                    Money(amount, currency),
                    date(2025, 6, 1),
                    "default",
                    "won" if closed else "proposal",
                    1.0 if closed else 0.5,
                    is_closed=closed,
                    is_won=closed,
                ),
                st.sampled_from(ids),
                _AMOUNTS,
                _CURRENCIES,
                st.booleans(),
            ),
            max_size=25,
        )
    )
    tree = AccountTree(accounts)
    parents = {a.id: a.parent_id for a in accounts}
    revenue = revenue_rollup(tree, orders)
    pipeline = open_pipeline_rollup(tree, deals)
    for top in ids:
        for currency in ("SEK", "EUR"):
            expected_revenue = sum(
                (
                    o.total.amount
                    for o in orders
                    if o.status.counts_as_purchase
                    and o.total.currency == currency
                    and _is_under(parents, o.account_id, top)
                ),
                Decimal(0),
            )
            expected_pipeline = sum(
                (
                    d.amount.amount
                    for d in deals
                    if d.is_open
                    and d.amount.currency == currency
                    and _is_under(parents, d.account_id, top)
                ),
                Decimal(0),
            )
            got = revenue[top].get(currency)
            assert (got.amount if got else Decimal(0)) == expected_revenue
            got = pipeline[top].get(currency)
            assert (got.amount if got else Decimal(0)) == expected_pipeline
        # the tree helpers agree with the brute force too
        assert sorted(tree.descendants(top)) == sorted(
            a for a in ids if a != top and _is_under(parents, a, top)
        )
        assert set(tree.ancestors(top)) == {
            a for a in ids if a != top and _is_under(parents, top, a)
        }
        assert tree.children(top) == sorted(a for a in ids if parents[a] == top)


def test_rollup_in_a_reporting_currency_equals_a_hand_computation() -> None:
    tree = AccountTree(
        [
            Account("G", id="g"),
            Account("SE", id="se", parent_id="g"),
            Account("NO", id="no", parent_id="g"),
        ]
    )
    rates = RateTable(
        [
            ExchangeRate("EUR", "SEK", "11.5", date(2025, 1, 1)),
            ExchangeRate("EUR", "NOK", "11.75", date(2025, 1, 1)),
        ]
    )
    orders = [
        Order("se", AT, [OrderLine("p", 1, Money("1150", "SEK"))]),
        Order("no", AT, [OrderLine("p", 1, Money("100", "NOK"))]),
        Order("g", AT, [OrderLine("p", 1, Money("10", "EUR"))]),
    ]
    totals = revenue_rollup(tree, orders, rates=rates, to="EUR", on=date(2025, 6, 30))
    # 1150 / 11.5 = 100.00; 100 / 11.75 = 8.5106... -> 8.51; plus 10.00
    assert totals["g"] == {"EUR": Money("118.51", "EUR")}
    assert totals["no"] == {"EUR": Money("8.51", "EUR")}
    with pytest.raises(ValidationError, match="rates"):
        revenue_rollup(tree, orders, to="EUR")


def test_a_cycle_is_refused_naming_both_accounts() -> None:
    parents = {"g": None, "a": "g", "b": "a"}
    with pytest.raises(HierarchyCycleError) as info:
        check_parent("g", "b", parents.__getitem__)
    assert "'b'" in str(info.value)
    assert "'g'" in str(info.value)
    with pytest.raises(HierarchyCycleError, match="itself"):
        check_parent("a", "a", parents.__getitem__)
    check_parent("b", "g", parents.__getitem__)  # moving up is fine


def test_a_missing_parent_is_named() -> None:
    def stored(id: str) -> str | None:
        raise NotFoundError(id)

    with pytest.raises(ValidationError, match="parent_id: 'nowhere' names no stored account"):
        check_parents([Account("A", parent_id="nowhere")], stored)


def test_a_batch_that_loops_is_refused_and_one_that_does_not_passes() -> None:
    def stored(id: str) -> str | None:
        return {"root": None}[id]

    check_parents(
        [Account("A", id="a", parent_id="root"), Account("B", id="b", parent_id="a")], stored
    )
    with pytest.raises(HierarchyCycleError):
        check_parents(
            [
                Account("A", id="a", parent_id="c"),
                Account("B", id="b", parent_id="a"),
                Account("C", id="c", parent_id="b"),
            ],
            stored,
        )


def test_tree_of_a_partial_load_and_unknown_ids() -> None:
    tree = AccountTree(
        [Account("A", id="a", parent_id="elsewhere"), Account("B", id="b", parent_id="a")]
    )
    assert tree.roots() == ["a"]
    assert tree.parent("a") is None
    assert "b" in tree
    assert len(tree) == 2
    with pytest.raises(NotFoundError, match="'x' is not in the tree"):
        tree.children("x")
    with pytest.raises(HierarchyCycleError):
        AccountTree([Account("A", id="a", parent_id="b"), Account("B", id="b", parent_id="a")])


def test_an_account_is_not_its_own_parent() -> None:
    with pytest.raises(ValidationError, match="parent_id: 'x' must not be the account itself"):
        Account("A", id="x", parent_id="x")
