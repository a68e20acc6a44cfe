"""Campaigns and their members (Salesforce ``Campaign`` / ``CampaignMember``).

A member is a lead or a contact; its status says how far it got, and a member has responded
once it reached a responding status (responded, converted).

Examples:
    >>> from datetime import datetime, UTC
    >>> from crmkit.domain import Campaign, MemberStatus
    >>> spring = Campaign("Spring webinar", channel="webinar")
    >>> _ = spring.add_member(contact_id="c-1"); _ = spring.add_member(lead_id="l-9")
    >>> spring.record_response(contact_id="c-1", at=datetime(2025, 4, 2, tzinfo=UTC))
    >>> spring.response_rate, spring.members[0].status is MemberStatus.RESPONDED
    (0.5, True)
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import attrs

from crmkit.domain.aggregate import AggregateRoot
from crmkit.domain.limits import KEY_MAX
from crmkit.domain.money import Money
from crmkit.domain.validators import (
    compile_validation,
    date_value,
    fail,
    instance_of,
    non_empty,
    optional,
    optional_aware_datetime,
    optional_identifier,
    optional_non_empty_text,
    optional_to_utc,
    text,
    to_utc,
)
from crmkit.errors import NotFoundError, ValidationError

__all__ = ["Campaign", "CampaignMember", "CampaignStatus", "MemberStatus"]


class CampaignStatus(enum.Enum):
    """A campaign's status.

    Examples:
        >>> from crmkit.domain import CampaignStatus
        >>> CampaignStatus("active").value
        'active'
    """

    PLANNED = "planned"
    ACTIVE = "active"
    COMPLETED = "completed"
    ABORTED = "aborted"


class MemberStatus(enum.Enum):
    """How far a campaign member got.

    Examples:
        >>> from crmkit.domain import MemberStatus
        >>> MemberStatus.CONVERTED.is_response, MemberStatus.OPENED.is_response
        (True, False)
    """

    TARGETED = "targeted"
    SENT = "sent"
    OPENED = "opened"
    CLICKED = "clicked"
    RESPONDED = "responded"
    CONVERTED = "converted"
    BOUNCED = "bounced"
    UNSUBSCRIBED = "unsubscribed"

    @property
    def is_response(self) -> bool:
        """Whether this status counts as a response."""
        return self in (MemberStatus.RESPONDED, MemberStatus.CONVERTED)


@compile_validation
@attrs.define
class CampaignMember:
    """A lead or a contact in a campaign (exactly one of the two).

    Attributes:
        lead_id: the lead.
        contact_id: the contact.
        status: how far the member got.
        responded_at: when the member first responded (set exactly for responding statuses).
        added_at: when the member was added.

    Examples:
        >>> from crmkit.domain import CampaignMember
        >>> CampaignMember(lead_id="l-1", contact_id="c-1")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: contact_id: 'c-1' a member is a lead or a contact, not both
    """

    lead_id: str | None = attrs.field(default=None, validator=optional_identifier)
    contact_id: str | None = attrs.field(default=None, validator=optional_identifier)
    status: MemberStatus = attrs.field(
        default=MemberStatus.SENT, validator=instance_of(MemberStatus)
    )
    responded_at: datetime | None = attrs.field(
        default=None, converter=optional_to_utc, validator=optional_aware_datetime
    )
    added_at: datetime | None = attrs.field(
        default=None, converter=optional_to_utc, validator=optional_aware_datetime
    )

    def __attrs_post_init__(self) -> None:
        if (self.lead_id is None) == (self.contact_id is None):
            if self.lead_id is None:
                raise ValidationError.single("lead_id", None, "or contact_id is required")
            raise ValidationError.single(
                "contact_id", self.contact_id, "a member is a lead or a contact, not both"
            )
        if self.status.is_response and self.responded_at is None:
            raise ValidationError.single(
                "responded_at", None, f"is required for status {self.status.value!r}"
            )

    @property
    def has_responded(self) -> bool:
        """Whether the member responded (Salesforce ``HasResponded``).

        Examples:
            >>> from crmkit.domain import CampaignMember
            >>> CampaignMember(contact_id="c").has_responded
            False
        """
        return self.responded_at is not None

    @property
    def member_id(self) -> str:
        """The lead or contact id."""
        return self.lead_id if self.lead_id is not None else str(self.contact_id)


def _members(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, list):
        fail(attribute, value, "must be a list of CampaignMember")
    seen: set[tuple[str | None, str | None]] = set()
    for index, member in enumerate(value):
        if not isinstance(member, CampaignMember):
            raise ValidationError.single(
                f"{attribute.name}[{index}]", member, "must be a CampaignMember"
            )
        key = (member.lead_id, member.contact_id)
        if key in seen:
            raise ValidationError.single(
                f"{attribute.name}[{index}]", member.member_id, "is already a member"
            )
        seen.add(key)


@compile_validation
@attrs.define
class Campaign(AggregateRoot):
    """A marketing campaign.

    Attributes:
        name: display name.
        channel: key of the main channel used.
        status: planned, active, completed or aborted.
        start_date: first day.
        end_date: last day (not before ``start_date``).
        budget: planned cost.
        actual_cost: spent cost.
        members: targeted leads and contacts.
        owner_id: responsible user.
        description: free text.

    Plus the keyword-only fields of :class:`~crmkit.domain.AggregateRoot`.

    Examples:
        >>> from crmkit.domain import Campaign
        >>> Campaign("").name
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: name: '' must not be empty
    """

    name: str = attrs.field(validator=non_empty)
    channel: str | None = attrs.field(default=None, validator=optional_non_empty_text(KEY_MAX))
    status: CampaignStatus = attrs.field(
        default=CampaignStatus.PLANNED, validator=instance_of(CampaignStatus)
    )
    start_date: date | None = attrs.field(default=None, validator=optional(date_value))
    end_date: date | None = attrs.field(default=None, validator=optional(date_value))
    budget: Money | None = attrs.field(default=None, validator=optional(instance_of(Money)))
    actual_cost: Money | None = attrs.field(default=None, validator=optional(instance_of(Money)))
    members: list[CampaignMember] = attrs.field(factory=list, validator=_members)
    owner_id: str | None = attrs.field(default=None, validator=optional_identifier)
    description: str = attrs.field(default="", validator=text())

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        if (
            self.start_date is not None
            and self.end_date is not None
            and self.end_date < self.start_date
        ):
            raise ValidationError.single("end_date", self.end_date, "must not be before start_date")

    def add_member(
        self,
        *,
        lead_id: str | None = None,
        contact_id: str | None = None,
        status: MemberStatus = MemberStatus.SENT,
        at: datetime | None = None,
    ) -> CampaignMember:
        """Add a lead or a contact; adding the same one twice is refused.

        Examples:
            >>> from crmkit.domain import Campaign
            >>> c = Campaign("C"); c.add_member(lead_id="l1").status.value
            'sent'
            >>> c.add_member(lead_id="l1")
            Traceback (most recent call last):
            ...
            crmkit.errors.ValidationError: members[1]: 'l1' is already a member
        """
        member = CampaignMember(lead_id, contact_id, status, added_at=at)
        self.members = [*self.members, member]
        return member

    def _find(self, lead_id: str | None, contact_id: str | None) -> CampaignMember:
        for member in self.members:
            if member.lead_id == lead_id and member.contact_id == contact_id:
                return member
        raise NotFoundError(f"no member with lead_id={lead_id!r}, contact_id={contact_id!r}")

    def record_response(
        self,
        *,
        at: datetime,
        lead_id: str | None = None,
        contact_id: str | None = None,
        status: MemberStatus = MemberStatus.RESPONDED,
    ) -> None:
        """Record a member's response (the first response time is kept).

        Raises:
            NotFoundError: no such member.
            ValidationError: ``status`` is not a responding status.
        """
        if not status.is_response:
            raise ValidationError.single("status", status.value, "is not a responding status")
        member = self._find(lead_id, contact_id)
        member.status = status
        if member.responded_at is None:
            member.responded_at = to_utc(at)

    def set_member_status(
        self, status: MemberStatus, *, lead_id: str | None = None, contact_id: str | None = None
    ) -> None:
        """Set a non-responding status (sent, opened, clicked, bounced, unsubscribed).

        Examples:
            >>> from crmkit.domain import Campaign, MemberStatus
            >>> c = Campaign("C"); _ = c.add_member(contact_id="c1")
            >>> c.set_member_status(MemberStatus.OPENED, contact_id="c1")
            >>> c.members[0].status.value
            'opened'
        """
        if status.is_response:
            raise ValidationError.single(
                "status", status.value, "use record_response for a responding status"
            )
        self._find(lead_id, contact_id).status = status

    @property
    def responders(self) -> list[CampaignMember]:
        """Members who responded."""
        return [m for m in self.members if m.has_responded]

    @property
    def response_rate(self) -> float:
        """Share of members who responded (0 for a campaign without members)."""
        return len(self.responders) / len(self.members) if self.members else 0.0
