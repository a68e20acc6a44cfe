"""Users, teams and territories: who owns a record, who works together, and which accounts a
territory covers; reassigning an owner leaves an :class:`OwnerChange` record.

An ``owner_id`` of an account, lead, opportunity, case or order is the id of a :class:`User`.
A :class:`Territory` holds :class:`TerritoryRule` s (region, industry, size by employees);
:func:`route` picks the territory an account falls in.

Examples:
    >>> from datetime import datetime, UTC
    >>> from crmkit.domain import Account, Territory, TerritoryRule, User, reassign_owner, route
    >>> anna = User("Anna Lind", "anna@example.se")
    >>> north = Territory("North", rules=[TerritoryRule(regions=["Norrland"])],
    ...                   member_ids=[anna.id])
    >>> acc = Account("Kiruna Gruv AB", region="Norrland", employees=800)
    >>> route(acc, [north]).name
    'North'
    >>> change = reassign_owner(acc, anna, at=datetime(2025, 2, 1, tzinfo=UTC))
    >>> acc.owner_id == anna.id, change.from_owner_id is None, change.record_type
    (True, True, 'account')
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import attrs

from crmkit.domain.aggregate import AggregateRoot
from crmkit.domain.limits import KEY_MAX
from crmkit.domain.validators import (
    aware_datetime,
    compile_validation,
    email,
    fail,
    identifier,
    instance_of,
    non_empty,
    non_empty_text,
    non_negative,
    optional,
    optional_identifier,
    optional_str,
    text,
    to_utc,
)
from crmkit.errors import ValidationError

__all__ = [
    "OwnerChange",
    "Team",
    "Territory",
    "TerritoryRule",
    "User",
    "UserRole",
    "assign_territory",
    "reassign_owner",
    "route",
]


class UserRole(enum.Enum):
    """What a user does in the CRM.

    Examples:
        >>> from crmkit.domain import UserRole
        >>> UserRole("sales_rep").value
        'sales_rep'
    """

    ADMIN = "admin"
    SALES_MANAGER = "sales_manager"
    SALES_REP = "sales_rep"
    SUPPORT_AGENT = "support_agent"
    MARKETER = "marketer"
    READ_ONLY = "read_only"


def _each(check: Any, attribute: attrs.Attribute[Any], value: Any, what: str) -> None:
    """Run field validator ``check`` on every item of the list ``value``; a problem names the
    item's index (``regions[1]``)."""
    if not isinstance(value, list):
        fail(attribute, value, f"must be a list of {what}")
    for index, item in enumerate(value):
        try:
            check(None, attribute, item)
        except ValidationError as error:
            raise ValidationError.single(
                f"{attribute.name}[{index}]", item, error.problems[0].message
            ) from None


def unique_ids(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """A list of distinct identifiers; a problem names the index (``member_ids[2]``).

    Examples:
        >>> from crmkit.domain import Team
        >>> Team("Inside sales", member_ids=["u-1", "u-1"])
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: member_ids[1]: 'u-1' is listed twice
    """
    _each(identifier, attribute, value, "ids")
    seen: set[str] = set()
    for index, item in enumerate(value):
        if item in seen:
            raise ValidationError.single(f"{attribute.name}[{index}]", item, "is listed twice")
        seen.add(item)


def _key_list(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    _each(non_empty_text(KEY_MAX), attribute, value, "text values")


@compile_validation
@attrs.define
class User(AggregateRoot):
    """A person who works in the CRM: owns records, is assigned tasks, belongs to teams.

    Attributes:
        name: display name.
        email: e-mail address (validated shape).
        active: whether the user can own records and be assigned work.
        role: admin, sales manager, sales rep, support agent, marketer or read only.
        title: job title.

    Plus the keyword-only fields of :class:`~crmkit.domain.AggregateRoot`.

    Examples:
        >>> from crmkit.domain import User
        >>> User("Anna", "anna(at)example.se")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: email: 'anna(at)example.se' is not an e-mail address
    """

    name: str = attrs.field(validator=non_empty)
    email: str = attrs.field(validator=email)
    active: bool = attrs.field(default=True, validator=instance_of(bool))
    role: UserRole = attrs.field(default=UserRole.SALES_REP, validator=instance_of(UserRole))
    title: str | None = attrs.field(default=None, validator=optional_str)


@compile_validation
@attrs.define
class Team(AggregateRoot):
    """A group of users with a manager (a sales team, a support queue).

    Attributes:
        name: display name.
        member_ids: the member users' ids, each once.
        manager_id: the managing user (need not be a member).
        description: free text.

    Plus the keyword-only fields of :class:`~crmkit.domain.AggregateRoot`.

    Examples:
        >>> from crmkit.domain import Team
        >>> team = Team("Key accounts", member_ids=["u-1"], manager_id="u-9")
        >>> team.add("u-2"); team.remove("u-1"); team.member_ids
        ['u-2']
    """

    name: str = attrs.field(validator=non_empty)
    member_ids: list[str] = attrs.field(factory=list, validator=unique_ids)
    manager_id: str | None = attrs.field(default=None, validator=optional_identifier)
    description: str = attrs.field(default="", validator=text())

    def add(self, user_id: str) -> None:
        """Add a member (adding a member twice is refused).

        Raises:
            ValidationError: ``user_id`` is not an id or already a member.

        Examples:
            >>> from crmkit.domain import Team
            >>> team = Team("Support")
            >>> team.add("u-1"); team.member_ids
            ['u-1']
        """
        self.member_ids = [*self.member_ids, user_id]

    def remove(self, user_id: str) -> None:
        """Remove a member.

        Raises:
            ValidationError: ``user_id`` is not a member.

        Examples:
            >>> from crmkit.domain import Team
            >>> Team("T").remove("u-1")
            Traceback (most recent call last):
            ...
            crmkit.errors.ValidationError: member_ids: 'u-1' is not a member
        """
        if user_id not in self.member_ids:
            raise ValidationError.single("member_ids", user_id, "is not a member")
        self.member_ids = [m for m in self.member_ids if m != user_id]


@compile_validation
@attrs.frozen
class TerritoryRule:
    """Which accounts a territory covers: every condition given must hold (an empty list or
    ``None`` is no condition); a rule without any condition covers every account.

    Region and industry compare case-insensitively with the account's ``region`` and
    ``industry``; size is the account's ``employees`` within ``min_employees`` ..
    ``max_employees`` (both inclusive; an account without a head count fails a size condition).

    Attributes:
        regions: account regions covered.
        industries: account industries covered.
        min_employees: smallest head count covered.
        max_employees: largest head count covered (not below ``min_employees``).

    Examples:
        >>> from crmkit.domain import Account, TerritoryRule
        >>> rule = TerritoryRule(industries=["Mining"], min_employees=500)
        >>> rule.matches(Account("A", industry="mining", employees=800))
        True
        >>> rule.matches(Account("B", industry="mining"))
        False
        >>> TerritoryRule(min_employees=10, max_employees=5)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: max_employees: 5 must not be below min_employees (10)
    """

    regions: list[str] = attrs.field(factory=list, validator=_key_list)
    industries: list[str] = attrs.field(factory=list, validator=_key_list)
    min_employees: int | None = attrs.field(
        default=None, validator=optional(attrs.validators.and_(instance_of(int), non_negative))
    )
    max_employees: int | None = attrs.field(
        default=None, validator=optional(attrs.validators.and_(instance_of(int), non_negative))
    )

    def __attrs_post_init__(self) -> None:
        low, high = self.min_employees, self.max_employees
        if low is not None and high is not None and high < low:
            raise ValidationError.single(
                "max_employees", high, f"must not be below min_employees ({low})"
            )

    def matches(self, account: Any) -> bool:
        """Whether ``account`` (anything with ``region``, ``industry`` and ``employees``)
        meets every condition of the rule.

        Examples:
            >>> from crmkit.domain import Account, TerritoryRule
            >>> TerritoryRule(regions=["Norden"]).matches(Account("A", region="NORDEN"))
            True
        """
        if self.regions and not _among(getattr(account, "region", None), self.regions):
            return False
        if self.industries and not _among(getattr(account, "industry", None), self.industries):
            return False
        if self.min_employees is None and self.max_employees is None:
            return True
        employees = getattr(account, "employees", None)
        if not isinstance(employees, int):
            return False
        if self.min_employees is not None and employees < self.min_employees:
            return False
        return self.max_employees is None or employees <= self.max_employees


def _among(value: Any, options: list[str]) -> bool:
    if not isinstance(value, str):
        return False
    folded = value.strip().casefold()
    return any(folded == option.strip().casefold() for option in options)


def _rules(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, list):
        fail(attribute, value, "must be a list of TerritoryRule")
    for index, rule in enumerate(value):
        if not isinstance(rule, TerritoryRule):
            raise ValidationError.single(
                f"{attribute.name}[{index}]", rule, "must be a TerritoryRule"
            )


@compile_validation
@attrs.define
class Territory(AggregateRoot):
    """A sales territory: the accounts its rules cover and the users who work them.

    An account is in the territory when any one of its rules matches (a territory without
    rules covers no account). :func:`route` picks among several territories by ``priority``.

    Attributes:
        name: display name.
        rules: the coverage rules (any one matching is enough).
        member_ids: the users working the territory, each once.
        owner_id: the user new accounts of the territory are assigned to (default: the first
            member).
        priority: lower numbers win when several territories match (default 100).
        description: free text.

    Plus the keyword-only fields of :class:`~crmkit.domain.AggregateRoot`.

    Examples:
        >>> from crmkit.domain import Account, Territory, TerritoryRule
        >>> t = Territory("Large", rules=[TerritoryRule(min_employees=1000)], member_ids=["u-1"])
        >>> t.covers(Account("A", employees=5000)), t.assignee
        (True, 'u-1')
        >>> Territory("X", rules=["north"])
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: rules[0]: 'north' must be a TerritoryRule
    """

    name: str = attrs.field(validator=non_empty)
    rules: list[TerritoryRule] = attrs.field(factory=list, validator=_rules)
    member_ids: list[str] = attrs.field(factory=list, validator=unique_ids)
    owner_id: str | None = attrs.field(default=None, validator=optional_identifier)
    priority: int = attrs.field(default=100, validator=[instance_of(int), non_negative])
    description: str = attrs.field(default="", validator=text())

    def covers(self, account: Any) -> bool:
        """Whether any rule matches ``account``.

        Examples:
            >>> from crmkit.domain import Account, Territory
            >>> Territory("No rules").covers(Account("A"))
            False
        """
        return any(rule.matches(account) for rule in self.rules)

    @property
    def assignee(self) -> str | None:
        """The user to assign a routed record to: ``owner_id``, else the first member."""
        if self.owner_id is not None:
            return self.owner_id
        return self.member_ids[0] if self.member_ids else None


def route(account: Any, territories: Iterable[Territory]) -> Territory | None:
    """The territory ``account`` falls in: among those covering it, the lowest ``priority``,
    then the name (so the answer never depends on the order given); ``None`` if none covers it.

    Examples:
        >>> from crmkit.domain import Account, Territory, TerritoryRule, route
        >>> smb = Territory("SMB", rules=[TerritoryRule(max_employees=49)], priority=20)
        >>> nordic = Territory("Nordic", rules=[TerritoryRule(regions=["Norden"])], priority=10)
        >>> route(Account("A", region="Norden", employees=12), [smb, nordic]).name
        'Nordic'
        >>> route(Account("B", employees=5000), [smb, nordic]) is None
        True
    """
    covering = [t for t in territories if t.covers(account)]
    if not covering:
        return None
    return min(covering, key=lambda t: (t.priority, t.name, t.id))


@compile_validation
@attrs.define
class OwnerChange(AggregateRoot):
    """The record of an owner reassignment (Salesforce's owner history, HubSpot's owner
    property history), made by :func:`reassign_owner`.

    Attributes:
        record_type: the entity type of the record (``"account"``, ``"opportunity"`` ...).
        record_id: the record's id.
        from_owner_id: the previous owner (``None`` when it had none).
        to_owner_id: the new owner.
        changed_at: when (aware, UTC).
        changed_by: the user who reassigned it.
        reason: why (free text).

    Plus the keyword-only fields of :class:`~crmkit.domain.AggregateRoot`.

    Examples:
        >>> from datetime import datetime, UTC
        >>> from crmkit.domain import OwnerChange
        >>> OwnerChange("account", "acc-1", None, "", datetime(2025, 1, 1, tzinfo=UTC))
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: to_owner_id: '' must not be empty
    """

    record_type: str = attrs.field(validator=non_empty)
    record_id: str = attrs.field(validator=identifier)
    from_owner_id: str | None = attrs.field(validator=optional_identifier)
    to_owner_id: str = attrs.field(validator=identifier)
    changed_at: datetime = attrs.field(converter=to_utc, validator=aware_datetime)
    changed_by: str | None = attrs.field(default=None, validator=optional_identifier)
    reason: str = attrs.field(default="", validator=text())


def reassign_owner(
    record: Any,
    to: User | str,
    *,
    at: datetime,
    by: User | str | None = None,
    reason: str = "",
) -> OwnerChange:
    """Give ``record`` (any aggregate with an ``owner_id``) a new owner and return the
    :class:`OwnerChange` that records it; ``record.updated_at`` moves to ``at``.

    Raises:
        ValidationError: ``record`` has no owner, ``to`` is an inactive user or not an id.

    Examples:
        >>> from datetime import datetime, UTC
        >>> from crmkit.domain import Lead, User, reassign_owner
        >>> lead = Lead("Nils", "Berg", owner_id="u-1")
        >>> change = reassign_owner(lead, "u-2", at=datetime(2025, 3, 1, tzinfo=UTC), by="u-9")
        >>> (change.from_owner_id, change.to_owner_id, lead.owner_id)
        ('u-1', 'u-2', 'u-2')
        >>> reassign_owner(lead, User("Old", "old@example.se", active=False),
        ...                at=datetime(2025, 3, 2, tzinfo=UTC))
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: to: 'Old' is not an active user
    """
    if not isinstance(record, AggregateRoot) or not hasattr(record, "owner_id"):
        raise ValidationError.single(
            "record", type(record).__name__, "must be a record with an owner_id"
        )
    if isinstance(to, User) and not to.active:
        raise ValidationError.single("to", to.name, "is not an active user")
    to_id = to.id if isinstance(to, User) else to
    by_id = by.id if isinstance(by, User) else by
    change = OwnerChange(
        record.entity_type(),
        record.id,
        record.owner_id,
        to_id,
        at,
        changed_by=by_id,
        reason=reason,
        created_at=at,
    )
    record.owner_id = to_id
    record.touch(change.changed_at)
    return change


def assign_territory(
    record: Any, territories: Iterable[Territory], *, at: datetime, by: User | str | None = None
) -> OwnerChange | None:
    """Route ``record`` (an account, or anything with ``region``, ``industry``,
    ``employees`` and an ``owner_id``) with :func:`route` and give it the territory's
    :attr:`~crmkit.domain.Territory.assignee`; return the :class:`OwnerChange`, or ``None`` when no
    territory covers it, the territory has nobody to assign, or the owner is already right.

    Examples:
        >>> from datetime import datetime, UTC
        >>> from crmkit.domain import Account, Territory, TerritoryRule, assign_territory
        >>> north = Territory("North", rules=[TerritoryRule(regions=["Norrland"])],
        ...                   owner_id="u-anna")
        >>> acc = Account("Luleå Stål AB", region="Norrland")
        >>> change = assign_territory(acc, [north], at=datetime(2025, 1, 1, tzinfo=UTC))
        >>> acc.owner_id, change.reason
        ('u-anna', 'territory North')
        >>> assign_territory(acc, [north], at=datetime(2025, 1, 2, tzinfo=UTC)) is None
        True
    """
    territory = route(record, territories)
    if territory is None or territory.assignee is None:
        return None
    if getattr(record, "owner_id", None) == territory.assignee:
        return None
    return reassign_owner(
        record, territory.assignee, at=at, by=by, reason=f"territory {territory.name}"
    )
