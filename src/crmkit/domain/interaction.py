"""Interactions: calls, e-mails, meetings, visits and other touchpoints (Salesforce tasks and
events, HubSpot engagements).

An interaction names *who* (a contact or a lead) and *what* (an account, opportunity, case or
campaign), the channel it used, and moves planned → done → followed up.

Examples:
    >>> from datetime import datetime, UTC
    >>> from crmkit.domain import Interaction, InteractionType
    >>> call = Interaction(InteractionType.CALL, channel="phone", contact_id="c-1",
    ...                    account_id="acc-1", planned_at=datetime(2025, 3, 3, 9, tzinfo=UTC))
    >>> call.complete(datetime(2025, 3, 3, 9, 20, tzinfo=UTC), outcome="wants a quote")
    >>> call.follow_up(datetime(2025, 3, 5, tzinfo=UTC))
    >>> call.status.value, call.outcome
    ('followed_up', 'wants a quote')
"""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from crmkit.domain.aggregate import AggregateRoot
from crmkit.domain.channel import Direction
from crmkit.domain.limits import KEY_MAX
from crmkit.domain.validators import (
    compile_validation,
    instance_of,
    optional,
    optional_aware_datetime,
    optional_identifier,
    optional_non_empty_text,
    optional_str,
    optional_to_utc,
    text,
    to_utc,
)
from crmkit.errors import InvalidTransitionError, ValidationError

__all__ = ["Interaction", "InteractionStatus", "InteractionType"]


class InteractionType(enum.Enum):
    """Kinds of interaction.

    Examples:
        >>> from crmkit.domain import InteractionType
        >>> InteractionType("visit").value
        'visit'
    """

    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"
    VISIT = "visit"
    MESSAGE = "message"
    WEBINAR = "webinar"
    EVENT = "event"
    TASK = "task"
    NOTE = "note"
    LETTER = "letter"
    FORM_SUBMISSION = "form_submission"
    WEB_VISIT = "web_visit"


class InteractionStatus(enum.Enum):
    """Planned, done, or done and followed up.

    Examples:
        >>> from crmkit.domain import InteractionStatus
        >>> [s.value for s in InteractionStatus]
        ['planned', 'done', 'followed_up']
    """

    PLANNED = "planned"
    DONE = "done"
    FOLLOWED_UP = "followed_up"


@compile_validation
@attrs.define
class Interaction(AggregateRoot):
    """One touchpoint with a customer or prospect.

    Attributes:
        type: the kind of interaction.
        channel: key of the channel used (``"phone"``, ``"email"``, ``"linkedin"``).
        status: planned, done or followed up.
        direction: inbound (the customer reached out) or outbound.
        contact_id: who — a contact (not together with ``lead_id``).
        lead_id: who — a lead.
        account_id: what — the account.
        opportunity_id: what — the opportunity.
        case_id: what — the case.
        campaign_id: what — the campaign.
        subject: short description.
        outcome: what came out of it.
        planned_at: when it is planned for (required while planned).
        done_at: when it happened (required once done).
        followed_up_at: when it was followed up.
        owner_id: the responsible user.
        department: the department that handled it (seed 002).

    Plus the keyword-only fields of :class:`~crmkit.domain.AggregateRoot`.

    Examples:
        >>> from crmkit.domain import Interaction, InteractionType
        >>> Interaction(InteractionType.CALL, contact_id="c1", lead_id="l1")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: lead_id: 'l1' must be empty when contact_id is set (an interaction has one person)
    """

    type: InteractionType = attrs.field(validator=instance_of(InteractionType))
    channel: str | None = attrs.field(default=None, validator=optional_non_empty_text(KEY_MAX))
    status: InteractionStatus = attrs.field(
        default=InteractionStatus.PLANNED, validator=instance_of(InteractionStatus)
    )
    direction: Direction | None = attrs.field(
        default=None, validator=optional(instance_of(Direction))
    )
    contact_id: str | None = attrs.field(default=None, validator=optional_identifier)
    lead_id: str | None = attrs.field(default=None, validator=optional_identifier)
    account_id: str | None = attrs.field(default=None, validator=optional_identifier)
    opportunity_id: str | None = attrs.field(default=None, validator=optional_identifier)
    case_id: str | None = attrs.field(default=None, validator=optional_identifier)
    campaign_id: str | None = attrs.field(default=None, validator=optional_identifier)
    subject: str = attrs.field(default="", validator=text())
    outcome: str | None = attrs.field(default=None, validator=optional_str)
    planned_at: datetime | None = attrs.field(
        default=None, converter=optional_to_utc, validator=optional_aware_datetime
    )
    done_at: datetime | None = attrs.field(
        default=None, converter=optional_to_utc, validator=optional_aware_datetime
    )
    followed_up_at: datetime | None = attrs.field(
        default=None, converter=optional_to_utc, validator=optional_aware_datetime
    )
    owner_id: str | None = attrs.field(default=None, validator=optional_identifier)
    department: str | None = attrs.field(default=None, validator=optional_str)

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        if self.contact_id is not None and self.lead_id is not None:
            raise ValidationError.single(
                "lead_id",
                self.lead_id,
                "must be empty when contact_id is set (an interaction has one person)",
            )
        if self.status is InteractionStatus.PLANNED:
            if self.planned_at is None:
                raise ValidationError.single("planned_at", None, "is required while planned")
            if self.done_at is not None:
                raise ValidationError.single("done_at", self.done_at, "must be empty while planned")
        if self.status is not InteractionStatus.PLANNED and self.done_at is None:
            raise ValidationError.single("done_at", None, "is required once done")
        if self.status is InteractionStatus.FOLLOWED_UP and self.followed_up_at is None:
            raise ValidationError.single("followed_up_at", None, "is required once followed up")
        if (
            self.followed_up_at is not None
            and self.done_at is not None
            and self.followed_up_at < self.done_at
        ):
            raise ValidationError.single(
                "followed_up_at", self.followed_up_at, "must not be before done_at"
            )

    @property
    def occurred_at(self) -> datetime | None:
        """When it happened, or when it is planned for.

        Examples:
            >>> from datetime import datetime, UTC
            >>> from crmkit.domain import Interaction, InteractionStatus, InteractionType
            >>> Interaction(InteractionType.NOTE, status=InteractionStatus.DONE,
            ...             done_at=datetime(2025, 1, 1, tzinfo=UTC)).occurred_at.year
            2025
        """
        return self.done_at if self.done_at is not None else self.planned_at

    @property
    def is_done(self) -> bool:
        """Done or followed up."""
        return self.status is not InteractionStatus.PLANNED

    def complete(self, at: datetime, outcome: str | None = None) -> None:
        """Mark a planned interaction done at ``at`` with an outcome.

        Raises:
            InvalidTransitionError: it is not planned.

        Examples:
            >>> from datetime import datetime, UTC
            >>> from crmkit.domain import Interaction, InteractionType
            >>> m = Interaction(InteractionType.MEETING,
            ...                 planned_at=datetime(2025, 1, 1, tzinfo=UTC))
            >>> m.complete(datetime(2025, 1, 1, 10, tzinfo=UTC)); m.is_done
            True
            >>> m.complete(datetime(2025, 1, 2, tzinfo=UTC))
            Traceback (most recent call last):
            ...
            crmkit.errors.InvalidTransitionError: status: 'done' only a planned interaction can be completed
        """
        if self.status is not InteractionStatus.PLANNED:
            raise InvalidTransitionError.single(
                "status", self.status.value, "only a planned interaction can be completed"
            )
        self.done_at = to_utc(at)
        self.status = InteractionStatus.DONE
        if outcome is not None:
            self.outcome = outcome

    def follow_up(self, at: datetime) -> None:
        """Record that a done interaction was followed up at ``at``.

        Raises:
            InvalidTransitionError: it is not done yet, or already followed up.
            ValidationError: ``at`` is before it was done.
        """
        if self.status is not InteractionStatus.DONE or self.done_at is None:
            raise InvalidTransitionError.single(
                "status", self.status.value, "only a done interaction can be followed up"
            )
        at = to_utc(at)
        if at < self.done_at:
            raise ValidationError.single("followed_up_at", at, "must not be before done_at")
        self.followed_up_at = at
        self.status = InteractionStatus.FOLLOWED_UP
