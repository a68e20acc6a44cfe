"""Account hierarchies in a store: the tree and its roll-ups read through a unit of work.

The stores keep every stored tree a tree: writing an account whose parent is missing or
would close a cycle is refused (:func:`crmkit.domain.hierarchy.check_parents`, raised as
:class:`~crmkit.errors.HierarchyCycleError` naming both accounts), and deleting an account
first detaches its children (their ``parent_id`` becomes ``None``, saved — and audited — in
the same unit of work; the SQL column's ``ON DELETE SET NULL`` only guards deletes made
outside crmkit).

Examples:
    >>> from datetime import UTC, datetime
    >>> from crmkit.adapters import open_store
    >>> from crmkit.adapters.hierarchy import account_tree, revenue_by_group
    >>> from crmkit.domain import Account, Money, Order, OrderLine
    >>> store = open_store("memory://")
    >>> with store.unit_of_work() as uow:
    ...     group = uow.accounts.add(Account("Nordvind Group", id="g"))
    ...     _ = uow.accounts.add(Account("Nordvind AB", id="se", parent_id="g"))
    ...     _ = uow.orders.add(Order("se", datetime(2025, 3, 1, tzinfo=UTC),
    ...                              [OrderLine("p", 4, Money("250", "SEK"))]))
    >>> with store.unit_of_work() as uow:
    ...     account_tree(uow).children("g"), str(revenue_by_group(uow)["g"]["SEK"])
    (['se'], '1000.00 SEK')
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from crmkit.domain.exchange_rate import RateTable
from crmkit.domain.hierarchy import AccountTree, open_pipeline_rollup, revenue_rollup
from crmkit.domain.money import Money

__all__ = ["account_tree", "detach_children", "open_pipeline_by_group", "revenue_by_group"]


def account_tree(uow: Any) -> AccountTree:
    """The tree of every stored account.

    Examples:
        >>> from crmkit.adapters import open_store
        >>> from crmkit.adapters.hierarchy import account_tree
        >>> with open_store("memory://").unit_of_work() as uow:
        ...     len(account_tree(uow))
        0
    """
    return AccountTree(uow.accounts.iter_all())


def revenue_by_group(
    uow: Any, *, rates: RateTable | None = None, to: str | None = None, on: date | None = None
) -> dict[str, dict[str, Money]]:
    """:func:`crmkit.domain.hierarchy.revenue_rollup` over every stored account and order.

    Examples:
        >>> from crmkit.adapters import open_store
        >>> from crmkit.adapters.hierarchy import revenue_by_group
        >>> with open_store("memory://").unit_of_work() as uow:
        ...     revenue_by_group(uow)
        {}
    """
    return revenue_rollup(account_tree(uow), uow.orders.iter_all(), rates=rates, to=to, on=on)


def open_pipeline_by_group(
    uow: Any, *, rates: RateTable | None = None, to: str | None = None, on: date | None = None
) -> dict[str, dict[str, Money]]:
    """:func:`crmkit.domain.hierarchy.open_pipeline_rollup` over every stored account and
    opportunity.

    Examples:
        >>> from crmkit.adapters import open_store
        >>> from crmkit.adapters.hierarchy import open_pipeline_by_group
        >>> with open_store("memory://").unit_of_work() as uow:
        ...     open_pipeline_by_group(uow)
        {}
    """
    return open_pipeline_rollup(
        account_tree(uow), uow.opportunities.iter_all(), rates=rates, to=to, on=on
    )


def detach_children(accounts: Any, children: Iterable[str]) -> None:
    """Save each of ``children`` (account ids) with no parent, through the ``accounts``
    repository (the stores call it before they delete the parent).

    Examples:
        >>> from crmkit.adapters import open_store
        >>> from crmkit.adapters.hierarchy import detach_children
        >>> from crmkit.domain import Account
        >>> with open_store("memory://").unit_of_work() as uow:
        ...     _ = uow.accounts.add(Account("G", id="g"))
        ...     _ = uow.accounts.add(Account("A", id="a", parent_id="g"))
        ...     detach_children(uow.accounts, ["a"])
        ...     uow.accounts.get("a").parent_id is None
        True
    """
    for child_id in children:
        child = accounts.get(child_id)
        child.parent_id = None
        accounts.save(child)
