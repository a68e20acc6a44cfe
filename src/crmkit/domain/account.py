"""Accounts: the B2B companies (and other organisations) a business sells to.

Examples:
    >>> from crmkit.domain import Account, AccountStatus, Money
    >>> acc = Account("Nordvind AB", organisation_number="556677-8899", employees=42,
    ...               turnover=Money("61000000", "SEK"), region="Skåne")
    >>> acc.link_contact("c-1", "decision maker")
    >>> acc.link_contact("c-2", "buyer")
    >>> acc.primary_contact_id
    'c-1'
    >>> acc.set_primary("c-2")
    >>> acc.primary_contact_id, acc.status is AccountStatus.POTENTIAL
    ('c-2', True)
"""

from __future__ import annotations

import enum

import attrs

from crmkit.domain.address import Address
from crmkit.domain.aggregate import AggregateRoot
from crmkit.domain.contact_role import (
    AccountContactRole,
    add_role,
    make_primary,
    primary_of,
    remove_contact,
    role_list,
)
from crmkit.domain.limits import KEY_MAX, ORGNR_MAX, PHONE_MAX, WEBSITE_MAX
from crmkit.domain.money import Money
from crmkit.domain.validators import (
    compile_validation,
    instance_of,
    non_empty,
    non_negative,
    optional,
    optional_identifier,
    optional_non_empty_text,
    optional_str,
    optional_text,
)
from crmkit.errors import ValidationError

__all__ = ["Account", "AccountStatus"]


class AccountStatus(enum.Enum):
    """Where an account is in its lifecycle.

    Examples:
        >>> from crmkit.domain import AccountStatus
        >>> [s.value for s in AccountStatus]
        ['potential', 'existing', 'lost']
    """

    POTENTIAL = "potential"
    EXISTING = "existing"
    LOST = "lost"


@compile_validation
@attrs.define
class Account(AggregateRoot):
    """A company or organisation: firmographics, lifecycle status, owner and contact links.

    Attributes:
        name: the company name.
        organisation_number: the registration number (``"556677-8899"`` in Sweden).
        industry: industry label (free text or an SNI/NACE label).
        employees: number of employees (zero or more).
        turnover: annual turnover.
        profit: annual profit (may be negative).
        region: county or sales region.
        addresses: postal/visiting addresses.
        delivery_addresses: delivery addresses.
        status: potential, existing or lost.
        owner_id: the responsible seller (user id).
        tier: a tier label such as ``"A"``, ``"B"``, ``"C"``.
        is_key_account: whether the account is handled as a key account.
        contact_roles: links to contacts with roles; at most one primary.
        website: the company's website.
        phone: switchboard number.
        parent_id: the parent account in a group of companies (``None`` for a top-level
            account); never the account itself. Cycles are refused by the stores (see
            :mod:`crmkit.domain.hierarchy`).

    Plus the keyword-only fields of :class:`~crmkit.domain.AggregateRoot`.

    Examples:
        >>> from crmkit.domain import Account
        >>> Account("Nordvind AB", employees=-5)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: employees: -5 must be zero or more
        >>> Account("Nordvind AB", id="acc-1", parent_id="acc-1")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: parent_id: 'acc-1' must not be the account itself
    """

    name: str = attrs.field(validator=non_empty)
    organisation_number: str | None = attrs.field(
        default=None, validator=optional_non_empty_text(ORGNR_MAX)
    )
    industry: str | None = attrs.field(default=None, validator=optional_str)
    employees: int | None = attrs.field(
        default=None, validator=optional(attrs.validators.and_(instance_of(int), non_negative))
    )
    turnover: Money | None = attrs.field(default=None, validator=optional(instance_of(Money)))
    profit: Money | None = attrs.field(default=None, validator=optional(instance_of(Money)))
    region: str | None = attrs.field(default=None, validator=optional_str)
    addresses: list[Address] = attrs.field(
        factory=list,
        validator=attrs.validators.deep_iterable(instance_of(Address), instance_of(list)),
    )
    delivery_addresses: list[Address] = attrs.field(
        factory=list,
        validator=attrs.validators.deep_iterable(instance_of(Address), instance_of(list)),
    )
    status: AccountStatus = attrs.field(
        default=AccountStatus.POTENTIAL, validator=instance_of(AccountStatus)
    )
    owner_id: str | None = attrs.field(default=None, validator=optional_identifier)
    tier: str | None = attrs.field(default=None, validator=optional_text(KEY_MAX))
    is_key_account: bool = attrs.field(default=False, validator=instance_of(bool))
    contact_roles: list[AccountContactRole] = attrs.field(
        factory=list, validator=role_list(AccountContactRole)
    )
    website: str | None = attrs.field(default=None, validator=optional_text(WEBSITE_MAX))
    phone: str | None = attrs.field(default=None, validator=optional_text(PHONE_MAX))
    parent_id: str | None = attrs.field(default=None, validator=optional_identifier)

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        if self.parent_id is not None and self.parent_id == self.id:
            raise ValidationError.single(
                "parent_id", self.parent_id, "must not be the account itself"
            )

    @property
    def primary_contact_id(self) -> str | None:
        """The id of the primary contact, or ``None`` when no contact is linked.

        Examples:
            >>> from crmkit.domain import Account
            >>> Account("A").primary_contact_id is None
            True
        """
        return primary_of(self.contact_roles)

    @property
    def contact_ids(self) -> list[str]:
        """The linked contacts' ids, each once, in link order.

        Examples:
            >>> from crmkit.domain import Account
            >>> acc = Account("A")
            >>> acc.link_contact("c1", "user"); acc.link_contact("c1", "buyer")
            >>> acc.contact_ids
            ['c1']
        """
        return list(dict.fromkeys(r.contact_id for r in self.contact_roles))

    def link_contact(self, contact_id: str, role: str = "", *, primary: bool = False) -> None:
        """Link a contact with a role. The first link becomes primary; ``primary=True``
        makes this link the primary one and demotes the previous primary. Linking the same
        contact and role again replaces that link.

        Examples:
            >>> from crmkit.domain import Account
            >>> acc = Account("A")
            >>> acc.link_contact("c1"); acc.link_contact("c2", "buyer", primary=True)
            >>> [(r.contact_id, r.is_primary) for r in acc.contact_roles]
            [('c1', False), ('c2', True)]
        """
        self.contact_roles = add_role(
            self.contact_roles, AccountContactRole(contact_id, role, primary)
        )

    def set_primary(self, contact_id: str) -> None:
        """Make ``contact_id`` the primary contact.

        Raises:
            NotFoundError: the contact is not linked to the account.

        Examples:
            >>> from crmkit.domain import Account
            >>> Account("A").set_primary("c9")
            Traceback (most recent call last):
            ...
            crmkit.errors.NotFoundError: contact 'c9' is not linked; linked contacts: none
        """
        self.contact_roles = make_primary(self.contact_roles, contact_id)

    def unlink_contact(self, contact_id: str) -> None:
        """Remove every link of ``contact_id``; if it was primary the next link becomes primary.

        Examples:
            >>> from crmkit.domain import Account
            >>> acc = Account("A")
            >>> acc.link_contact("c1"); acc.link_contact("c2")
            >>> acc.unlink_contact("c1")
            >>> acc.primary_contact_id
            'c2'
        """
        self.contact_roles = remove_contact(self.contact_roles, contact_id)
