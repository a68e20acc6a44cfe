"""Account hierarchies: parent and child accounts, cycle checks and roll-ups over the tree.

An account names its parent in :attr:`Account.parent_id <crmkit.domain.Account.parent_id>`
(a group's subsidiaries name the group). :class:`AccountTree` answers the tree questions
(children, ancestors, descendants) from a set of accounts; :func:`check_parents` refuses a
parent that would close a cycle (the stores call it on every write of an account, so no
stored tree ever loops); :func:`revenue_rollup` and :func:`open_pipeline_rollup` add each
account's own figures to those of all its descendants.

Roll-ups keep currencies apart: each account gets one total per currency (``Money`` never
adds across currencies). Give ``rates``, ``to`` and ``on`` to convert every amount to one
reporting currency first (:meth:`RateTable.convert <crmkit.domain.RateTable.convert>`, rounded
per amount before adding).

Examples:
    >>> from datetime import UTC, datetime
    >>> from crmkit.domain import Account, Money, Order, OrderLine
    >>> from crmkit.domain.hierarchy import AccountTree, revenue_rollup
    >>> group = Account("Nordvind Group", id="g")
    >>> se, no = Account("Nordvind AB", id="se", parent_id="g"), Account("Nordvind AS", id="no", parent_id="g")
    >>> tree = AccountTree([group, se, no])
    >>> tree.children("g"), tree.ancestors("se")
    (['no', 'se'], ['g'])
    >>> at = datetime(2025, 3, 1, tzinfo=UTC)
    >>> orders = [Order("se", at, [OrderLine("p", 1, Money("100", "SEK"))]),
    ...           Order("g", at, [OrderLine("p", 2, Money("50", "SEK"))])]
    >>> {k: str(v["SEK"]) for k, v in revenue_rollup(tree, orders).items()}
    {'g': '200.00 SEK', 'no': '0.00 SEK', 'se': '100.00 SEK'}
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from crmkit.domain.account import Account
from crmkit.domain.exchange_rate import RateTable
from crmkit.domain.money import Money
from crmkit.domain.opportunity import Opportunity
from crmkit.domain.order import Order
from crmkit.errors import HierarchyCycleError, NotFoundError, ValidationError

__all__ = [
    "AccountTree",
    "check_parent",
    "check_parents",
    "open_pipeline_rollup",
    "revenue_rollup",
    "rollup",
]


def check_parent(
    account_id: str, parent_id: str | None, parent_of: Callable[[str], str | None]
) -> None:
    """Refuse ``parent_id`` as the parent of ``account_id`` when it would close a cycle.

    ``parent_of(id)`` returns the current parent of a stored account (``None`` for a root)
    and raises :class:`~crmkit.errors.NotFoundError` when there is no such account. The walk
    goes up from ``parent_id``; meeting ``account_id`` on the way is a cycle.

    Raises:
        HierarchyCycleError: the account itself is ``parent_id`` or one of its ancestors
            (the error names both ids).
        ValidationError: ``parent_id`` names no stored account.

    Examples:
        >>> from crmkit.domain.hierarchy import check_parent
        >>> parents = {"g": None, "se": "g", "sth": "se"}
        >>> check_parent("sth", "g", parents.__getitem__)  # moving a leaf up is fine
        >>> check_parent("g", "sth", parents.__getitem__)
        Traceback (most recent call last):
        ...
        crmkit.errors.HierarchyCycleError: parent_id: 'sth' is a descendant of account 'g'; making it the parent would close a cycle
    """
    if parent_id is None:
        return
    if parent_id == account_id:
        raise HierarchyCycleError.single(
            "parent_id",
            parent_id,
            f"is account {account_id!r} itself; an account cannot be its own parent",
        )
    seen: set[str] = set()
    current: str | None = parent_id
    while current is not None and current not in seen:
        if current == account_id:
            raise HierarchyCycleError.single(
                "parent_id",
                parent_id,
                f"is a descendant of account {account_id!r}; making it the parent would close a cycle",
            )
        seen.add(current)
        try:
            current = parent_of(current)
        except NotFoundError:
            if current == parent_id:
                raise ValidationError.single(
                    "parent_id", parent_id, "names no stored account; add the parent first"
                ) from None
            current = None


def check_parents(accounts: Iterable[Account], parent_of: Callable[[str], str | None]) -> None:
    """:func:`check_parent` for accounts about to be written together: each one's parent is
    looked up among ``accounts`` first, then through ``parent_of`` (the stored accounts).
    Objects that are not accounts are passed over (the store refuses them itself).

    Examples:
        >>> from crmkit.domain import Account
        >>> from crmkit.domain.hierarchy import check_parents
        >>> def stored(id):
        ...     raise NotFoundError(id)
        >>> a, b = Account("A", id="a", parent_id="b"), Account("B", id="b", parent_id="a")
        >>> check_parents([a, b], stored)
        Traceback (most recent call last):
        ...
        crmkit.errors.HierarchyCycleError: parent_id: 'b' is a descendant of account 'a'; making it the parent would close a cycle
    """
    batch = {account.id: account.parent_id for account in accounts if isinstance(account, Account)}
    if all(parent is None for parent in batch.values()):
        return

    def lookup(id: str) -> str | None:
        return batch[id] if id in batch else parent_of(id)

    for account_id, parent_id in batch.items():
        check_parent(account_id, parent_id, lookup)


class AccountTree:
    """The parent/child structure of a set of accounts.

    A parent that is not among the accounts makes its children roots of this tree (a
    partial load still works). Cycles are refused (:func:`check_parents`).

    Args:
        accounts: the accounts.

    Examples:
        >>> from crmkit.domain import Account
        >>> from crmkit.domain.hierarchy import AccountTree
        >>> tree = AccountTree([Account("G", id="g"), Account("A", id="a", parent_id="g"),
        ...                     Account("B", id="b", parent_id="a")])
        >>> tree.roots(), tree.descendants("g"), tree.ancestors("b"), tree.depth("b")
        (['g'], ['a', 'b'], ['a', 'g'], 2)
    """

    __slots__ = ("_children", "_parent")

    def __init__(self, accounts: Iterable[Account]) -> None:
        listed = list(accounts)
        known = {account.id for account in listed}
        parents = {
            account.id: (account.parent_id if account.parent_id in known else None)
            for account in listed
        }

        for account_id, parent_id in parents.items():
            check_parent(account_id, parent_id, parents.__getitem__)
        self._parent = parents
        children: dict[str, list[str]] = {id: [] for id in parents}
        for account_id, parent_id in parents.items():
            if parent_id is not None:
                children[parent_id].append(account_id)
        self._children = {id: sorted(ids) for id, ids in children.items()}

    def _known(self, account_id: str) -> None:
        if account_id not in self._parent:
            raise NotFoundError(f"account {account_id!r} is not in the tree")

    def __contains__(self, account_id: object) -> bool:
        return account_id in self._parent

    def __len__(self) -> int:
        return len(self._parent)

    def parent(self, account_id: str) -> str | None:
        """The parent's id (``None`` for a root).

        Examples:
            >>> from crmkit.domain import Account
            >>> from crmkit.domain.hierarchy import AccountTree
            >>> AccountTree([Account("G", id="g"), Account("A", id="a", parent_id="g")]).parent("a")
            'g'
        """
        self._known(account_id)
        return self._parent[account_id]

    def roots(self) -> list[str]:
        """The accounts without a parent in the tree, by id."""
        return sorted(id for id, parent in self._parent.items() if parent is None)

    def children(self, account_id: str) -> list[str]:
        """The direct children, by id.

        Raises:
            NotFoundError: the account is not in the tree.
        """
        self._known(account_id)
        return list(self._children[account_id])

    def ancestors(self, account_id: str) -> list[str]:
        """The parent, its parent ... up to the root (nearest first)."""
        self._known(account_id)
        found: list[str] = []
        current = self._parent[account_id]
        while current is not None:
            found.append(current)
            current = self._parent[current]
        return found

    def descendants(self, account_id: str) -> list[str]:
        """Every account below ``account_id``, depth first, children by id."""
        self._known(account_id)
        found: list[str] = []
        stack = list(reversed(self._children[account_id]))
        while stack:
            current = stack.pop()
            found.append(current)
            stack.extend(reversed(self._children[current]))
        return found

    def depth(self, account_id: str) -> int:
        """How many ancestors the account has (0 for a root)."""
        return len(self.ancestors(account_id))


def rollup(
    tree: AccountTree,
    amounts: Iterable[tuple[str, Money]],
    *,
    rates: RateTable | None = None,
    to: str | None = None,
    on: date | None = None,
) -> dict[str, dict[str, Money]]:
    """Per account of ``tree``: its own amounts plus those of all its descendants, one total
    per currency (``{account_id: {currency: Money}}``; an account with nothing has an empty
    mapping unless converting, then a zero in ``to``).

    ``amounts`` are ``(account_id, Money)`` pairs; pairs of accounts not in the tree are left
    out. With ``rates``, ``to`` and ``on`` every amount is converted to ``to`` at the rate in
    force on ``on`` before it is added.

    Raises:
        ValidationError: only some of ``rates``, ``to`` and ``on`` are given, or a rate is
            missing.

    Examples:
        >>> from datetime import date
        >>> from crmkit.domain import Account, ExchangeRate, Money, RateTable
        >>> from crmkit.domain.hierarchy import AccountTree, rollup
        >>> tree = AccountTree([Account("G", id="g"), Account("A", id="a", parent_id="g")])
        >>> pairs = [("a", Money("10", "EUR")), ("g", Money("5", "SEK"))]
        >>> sorted(rollup(tree, pairs)["g"])
        ['EUR', 'SEK']
        >>> rates = RateTable([ExchangeRate("EUR", "SEK", "11", date(2025, 1, 1))])
        >>> rollup(tree, pairs, rates=rates, to="SEK", on=date(2025, 6, 1))["g"]
        {'SEK': Money(amount=Decimal('115.00'), currency='SEK')}
    """
    given = [rates is not None, to is not None, on is not None]
    if any(given) and not all(given):
        raise ValidationError.single(
            "rates", rates, "must be given together with to= and on= to convert (or none of them)"
        )
    own: dict[str, dict[str, Money]] = {id: {} for id in tree._parent}
    for account_id, money in amounts:
        if account_id not in own:
            continue
        if rates is not None and to is not None and on is not None:
            money = rates.convert(money, to, on=on)
        bucket = own[account_id]
        bucket[money.currency] = (
            bucket[money.currency] + money if money.currency in bucket else money
        )
    totals: dict[str, dict[str, Money]] = {}
    for account_id in _bottom_up(tree):
        combined = dict(own[account_id])
        for child in tree._children[account_id]:
            for currency, money in totals[child].items():
                combined[currency] = combined[currency] + money if currency in combined else money
        totals[account_id] = combined
    if to is not None:
        for combined in totals.values():
            combined.setdefault(to, Money.zero(to))
    return {id: totals[id] for id in sorted(totals)}


def _bottom_up(tree: AccountTree) -> list[str]:
    """Every account after all of its descendants."""
    order: list[str] = []
    for root in tree.roots():
        order.append(root)
        order.extend(tree.descendants(root))
    return list(reversed(order))


def _with_currencies(
    totals: dict[str, dict[str, Money]], currencies: Iterable[str]
) -> dict[str, dict[str, Money]]:
    wanted = sorted(set(currencies))
    for combined in totals.values():
        for currency in wanted:
            combined.setdefault(currency, Money.zero(currency))
    return totals


def revenue_rollup(
    tree: AccountTree,
    orders: Iterable[Order],
    *,
    rates: RateTable | None = None,
    to: str | None = None,
    on: date | None = None,
) -> dict[str, dict[str, Money]]:
    """Order revenue per account including its descendants: the totals of orders that count
    as purchases (placed, delivered, invoiced), per currency (see :func:`rollup`); every
    account gets every currency that occurs (zero where it has none).

    Examples:
        >>> from datetime import UTC, datetime
        >>> from crmkit.domain import Account, Money, Order, OrderLine
        >>> from crmkit.domain.hierarchy import AccountTree, revenue_rollup
        >>> tree = AccountTree([Account("G", id="g"), Account("A", id="a", parent_id="g")])
        >>> order = Order("a", datetime(2025, 1, 1, tzinfo=UTC), [OrderLine("p", 3, Money("7", "EUR"))])
        >>> revenue_rollup(tree, [order])["g"]["EUR"]
        Money(amount=Decimal('21.00'), currency='EUR')
    """
    pairs = [(o.account_id, o.total) for o in orders if o.status.counts_as_purchase]
    totals = rollup(tree, pairs, rates=rates, to=to, on=on)
    return _with_currencies(totals, [m.currency for _, m in pairs] if to is None else [to])


def open_pipeline_rollup(
    tree: AccountTree,
    opportunities: Iterable[Opportunity],
    *,
    rates: RateTable | None = None,
    to: str | None = None,
    on: date | None = None,
) -> dict[str, dict[str, Money]]:
    """Open pipeline per account including its descendants: the amounts of open
    opportunities, per currency (see :func:`rollup`; zero where an account has none).

    Examples:
        >>> from datetime import date
        >>> from crmkit.domain import Account, Money, Opportunity
        >>> from crmkit.domain.hierarchy import AccountTree, open_pipeline_rollup
        >>> tree = AccountTree([Account("G", id="g"), Account("A", id="a", parent_id="g")])
        >>> deal = Opportunity("D", "a", Money("900", "SEK"), date(2025, 6, 1), "default", "proposal", 0.5)
        >>> str(open_pipeline_rollup(tree, [deal])["g"]["SEK"])
        '900.00 SEK'
    """
    pairs = [(o.account_id, o.amount) for o in opportunities if o.is_open]
    totals = rollup(tree, pairs, rates=rates, to=to, on=on)
    return _with_currencies(totals, [m.currency for _, m in pairs] if to is None else [to])
