"""Cases (tickets): a customer's problem, the channel it came through and how fast it was
answered and solved.

Examples:
    >>> from datetime import datetime, UTC
    >>> from crmkit.domain import Case, CaseStatus
    >>> case = Case("Invoice wrong", origin_channel="email", problem_type="billing",
    ...             opened_at=datetime(2025, 3, 3, 8, tzinfo=UTC))
    >>> case.respond(datetime(2025, 3, 3, 10, 30, tzinfo=UTC), agent_id="u-7")
    >>> case.close(datetime(2025, 3, 4, 8, tzinfo=UTC), resolution="credit note sent")
    >>> case.time_to_first_response, case.status is CaseStatus.CLOSED
    (datetime.timedelta(seconds=9000), True)
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

import attrs

from crmkit.domain.aggregate import AggregateRoot
from crmkit.domain.limits import KEY_MAX
from crmkit.domain.validators import (
    aware_datetime,
    compile_validation,
    instance_of,
    non_empty,
    optional_aware_datetime,
    optional_identifier,
    optional_non_empty_text,
    optional_str,
    optional_text,
    optional_to_utc,
    text,
    to_utc,
)
from crmkit.errors import InvalidTransitionError, ValidationError

__all__ = ["Case", "CasePriority", "CaseStatus"]


class CaseStatus(enum.Enum):
    """A case's status.

    Examples:
        >>> from crmkit.domain import CaseStatus
        >>> CaseStatus.WAITING_ON_CUSTOMER.is_closed
        False
    """

    NEW = "new"
    IN_PROGRESS = "in_progress"
    WAITING_ON_CUSTOMER = "waiting_on_customer"
    ESCALATED = "escalated"
    CLOSED = "closed"

    @property
    def is_closed(self) -> bool:
        """Whether the case is closed."""
        return self is CaseStatus.CLOSED


class CasePriority(enum.Enum):
    """How urgent a case is.

    Examples:
        >>> from crmkit.domain import CasePriority
        >>> CasePriority.URGENT.rank > CasePriority.LOW.rank
        True
    """

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        """1 (low) to 4 (urgent)."""
        return list(CasePriority).index(self) + 1


@compile_validation
@attrs.define
class Case(AggregateRoot):
    """A customer service case.

    Attributes:
        subject: short description.
        account_id: the customer's account.
        contact_id: the person who raised it.
        origin_channel: key of the channel it came through (``"email"``, ``"phone"`` ...).
        problem_type: the kind of problem (``"billing"``, ``"delivery"`` ...).
        status: new, in progress, waiting on customer, escalated or closed.
        priority: low, medium, high or urgent.
        opened_at: when it was raised (default: ``created_at``).
        first_response_at: first answer to the customer (not before ``opened_at``).
        closed_at: when it was closed (set exactly when status is closed).
        agent_id: the handling agent.
        description: the customer's words.
        resolution: how it was solved.

    Plus the keyword-only fields of :class:`~crmkit.domain.AggregateRoot`.

    Examples:
        >>> from datetime import datetime, UTC
        >>> from crmkit.domain import Case
        >>> Case("x", opened_at=datetime(2025, 1, 2, tzinfo=UTC),
        ...      first_response_at=datetime(2025, 1, 1, tzinfo=UTC))
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: first_response_at: datetime.datetime(2025, 1, 1, 0, 0, tzinfo=datetime.timezone.utc) must not be before opened_at
    """

    subject: str = attrs.field(validator=non_empty)
    account_id: str | None = attrs.field(default=None, validator=optional_identifier)
    contact_id: str | None = attrs.field(default=None, validator=optional_identifier)
    origin_channel: str | None = attrs.field(
        default=None, validator=optional_non_empty_text(KEY_MAX)
    )
    problem_type: str | None = attrs.field(default=None, validator=optional_text(KEY_MAX))
    status: CaseStatus = attrs.field(default=CaseStatus.NEW, validator=instance_of(CaseStatus))
    priority: CasePriority = attrs.field(
        default=CasePriority.MEDIUM, validator=instance_of(CasePriority)
    )
    opened_at: datetime = attrs.field(
        default=attrs.Factory(lambda self: self.created_at, takes_self=True),
        converter=to_utc,
        validator=aware_datetime,
    )
    first_response_at: datetime | None = attrs.field(
        default=None, converter=optional_to_utc, validator=optional_aware_datetime
    )
    closed_at: datetime | None = attrs.field(
        default=None, converter=optional_to_utc, validator=optional_aware_datetime
    )
    agent_id: str | None = attrs.field(default=None, validator=optional_identifier)
    description: str = attrs.field(default="", validator=text())
    resolution: str | None = attrs.field(default=None, validator=optional_str)

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        for name in ("first_response_at", "closed_at"):
            value = getattr(self, name)
            if value is not None and value < self.opened_at:
                raise ValidationError.single(name, value, "must not be before opened_at")
        if self.status.is_closed != (self.closed_at is not None):
            raise ValidationError.single(
                "closed_at", self.closed_at, "must be set exactly when the status is closed"
            )

    @property
    def is_closed(self) -> bool:
        """Whether the case is closed."""
        return self.status.is_closed

    @property
    def time_to_first_response(self) -> timedelta | None:
        """Time from opening to the first response (``None`` before any response)."""
        if self.first_response_at is None:
            return None
        return self.first_response_at - self.opened_at

    @property
    def time_to_close(self) -> timedelta | None:
        """Time from opening to closing (``None`` while open).

        Examples:
            >>> from datetime import datetime, UTC
            >>> from crmkit.domain import Case
            >>> c = Case("x", opened_at=datetime(2025, 1, 1, tzinfo=UTC))
            >>> c.close(datetime(2025, 1, 3, tzinfo=UTC)); c.time_to_close.days
            2
        """
        if self.closed_at is None:
            return None
        return self.closed_at - self.opened_at

    def respond(self, at: datetime, *, agent_id: str | None = None) -> None:
        """Record a response; the first one sets ``first_response_at``. A new case moves to
        in progress.

        Raises:
            InvalidTransitionError: the case is closed.
            ValidationError: ``at`` is before the case was opened.

        Examples:
            >>> from datetime import datetime, UTC
            >>> from crmkit.domain import Case
            >>> c = Case("x", opened_at=datetime(2025, 1, 1, tzinfo=UTC))
            >>> c.respond(datetime(2025, 1, 1, 2, tzinfo=UTC))
            >>> c.respond(datetime(2025, 1, 1, 5, tzinfo=UTC))
            >>> c.first_response_at.hour, c.status.value
            (2, 'in_progress')
        """
        if self.is_closed:
            raise InvalidTransitionError.single(
                "status", self.status.value, "a closed case cannot be responded to; reopen it"
            )
        at = self._after_opening("first_response_at", at)
        if self.first_response_at is None:
            self.first_response_at = at
        if agent_id is not None:
            self.agent_id = agent_id
        if self.status is CaseStatus.NEW:
            self.status = CaseStatus.IN_PROGRESS

    def close(self, at: datetime, *, resolution: str | None = None) -> None:
        """Close the case at ``at``.

        Raises:
            InvalidTransitionError: it is already closed.
            ValidationError: ``at`` is before the case was opened.
        """
        if self.is_closed:
            raise InvalidTransitionError.single("status", self.status.value, "is already closed")
        self.closed_at = self._after_opening("closed_at", at)
        self.status = CaseStatus.CLOSED
        if resolution is not None:
            self.resolution = resolution

    def reopen(self) -> None:
        """Reopen a closed case (in progress, ``closed_at`` cleared).

        Examples:
            >>> from datetime import datetime, UTC
            >>> from crmkit.domain import Case
            >>> c = Case("x", opened_at=datetime(2025, 1, 1, tzinfo=UTC))
            >>> c.close(datetime(2025, 1, 2, tzinfo=UTC)); c.reopen(); c.closed_at is None
            True
        """
        if not self.is_closed:
            raise InvalidTransitionError.single("status", self.status.value, "is not closed")
        self.status = CaseStatus.IN_PROGRESS
        self.closed_at = None

    def _after_opening(self, name: str, at: datetime) -> datetime:
        at = to_utc(at)
        if at < self.opened_at:
            raise ValidationError.single(name, at, "must not be before opened_at")
        return at
