"""Contact roles: the links between a contact and an account or an opportunity.

Both kinds of link carry a role and a primary flag; an account or opportunity with any links has
exactly one primary contact when the links are managed through the owners' methods
(``link_contact`` / ``add_contact_role``, ``set_primary``, ``unlink_contact``).

Examples:
    >>> from crmkit.domain import AccountContactRole
    >>> AccountContactRole("c-1", "decision maker", is_primary=True).is_primary
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypeVar

import attrs

from crmkit.domain.validators import (
    compile_validation,
    fail,
    identifier,
    instance_of,
    text,
)
from crmkit.errors import NotFoundError, ValidationError

__all__ = ["AccountContactRole", "OpportunityContactRole"]


@compile_validation
@attrs.frozen
class AccountContactRole:
    """A contact's role at an account (Salesforce ``AccountContactRole``).

    Attributes:
        contact_id: the contact.
        role: free-text role (``"decision maker"``, ``"billing contact"``); may be empty.
        is_primary: whether this is the account's primary contact.

    Examples:
        >>> from crmkit.domain import AccountContactRole
        >>> AccountContactRole("", "buyer")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: contact_id: '' must not be empty
    """

    contact_id: str = attrs.field(validator=identifier)
    role: str = attrs.field(default="", validator=text())
    is_primary: bool = attrs.field(default=False, validator=instance_of(bool))


@compile_validation
@attrs.frozen
class OpportunityContactRole:
    """A contact's role in an opportunity (Salesforce ``OpportunityContactRole``).

    Attributes:
        contact_id: the contact.
        role: free-text role, typically a buying role (``"decider"``, ``"influencer"``).
        is_primary: whether this is the opportunity's primary contact.

    Examples:
        >>> from crmkit.domain import OpportunityContactRole
        >>> OpportunityContactRole("c-7", "influencer").is_primary
        False
    """

    contact_id: str = attrs.field(validator=identifier)
    role: str = attrs.field(default="", validator=text())
    is_primary: bool = attrs.field(default=False, validator=instance_of(bool))


class _Role(Protocol):
    @property
    def contact_id(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def is_primary(self) -> bool: ...


R = TypeVar("R", AccountContactRole, OpportunityContactRole)


def role_list(kind: type[Any]) -> Any:
    """Attrs validator for a list of contact roles: right type, unique (contact, role) pairs
    and at most one primary.

    Examples:
        >>> import attrs
        >>> from crmkit.domain import AccountContactRole
        >>> from crmkit.domain.contact_role import role_list
        >>> @attrs.define
        ... class A:
        ...     roles: list[AccountContactRole] = attrs.field(factory=list,
        ...                                                   validator=role_list(AccountContactRole))
        >>> A([AccountContactRole("c1", is_primary=True), AccountContactRole("c2", is_primary=True)])
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: roles: ['c1', 'c2'] must have at most one primary contact
    """

    def check(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value.__class__ is list:  # fast path: well-formed roles (the loop below names errors)
            pairs = set()
            primary = False
            for item in value:
                if item.__class__ is not kind:
                    break
                pair = (item.contact_id, item.role)
                if pair in pairs:
                    break
                pairs.add(pair)
                if item.is_primary:
                    if primary:
                        break
                    primary = True
            else:
                return
        if not isinstance(value, list):
            fail(attribute, value, "must be a list")
        seen: set[tuple[str, str]] = set()
        primaries = []
        for index, item in enumerate(value):
            if not isinstance(item, kind):
                raise ValidationError.single(
                    f"{attribute.name}[{index}]", item, f"must be a {kind.__name__}"
                )
            pair = (item.contact_id, item.role)
            if pair in seen:
                raise ValidationError.single(
                    f"{attribute.name}[{index}]", pair, "links the same contact and role twice"
                )
            seen.add(pair)
            if item.is_primary:
                primaries.append(item.contact_id)
        if len(primaries) > 1:
            fail(attribute, primaries, "must have at most one primary contact")

    return check


def add_role(roles: Sequence[R], new: R) -> list[R]:
    """Roles with ``new`` added; the first link becomes primary, a new primary demotes others."""
    pair = (new.contact_id, new.role)
    others = [r for r in roles if (r.contact_id, r.role) != pair]
    replaced_primary = any(r.is_primary for r in roles if (r.contact_id, r.role) == pair)
    primary = new.is_primary or replaced_primary or not any(r.is_primary for r in others)
    kind = type(new)
    out = [kind(r.contact_id, r.role, False) if primary and r.is_primary else r for r in others]
    out.append(kind(new.contact_id, new.role, primary))
    return out


def make_primary(roles: Sequence[R], contact_id: str) -> list[R]:
    """Roles with the first link of ``contact_id`` primary and every other link not."""
    index = next((i for i, r in enumerate(roles) if r.contact_id == contact_id), None)
    if index is None:
        linked = ", ".join(dict.fromkeys(r.contact_id for r in roles)) or "none"
        raise NotFoundError(f"contact {contact_id!r} is not linked; linked contacts: {linked}")
    return [type(r)(r.contact_id, r.role, i == index) for i, r in enumerate(roles)]


def remove_contact(roles: Sequence[R], contact_id: str) -> list[R]:
    """Roles without ``contact_id``; if it was primary, the first remaining link becomes so."""
    if not any(r.contact_id == contact_id for r in roles):
        raise NotFoundError(f"contact {contact_id!r} is not linked")
    out = [r for r in roles if r.contact_id != contact_id]
    if out and not any(r.is_primary for r in out):
        first = out[0]
        out[0] = type(first)(first.contact_id, first.role, True)
    return out


def primary_of(roles: Sequence[_Role]) -> str | None:
    """The primary contact's id, or ``None``."""
    return next((r.contact_id for r in roles if r.is_primary), None)
