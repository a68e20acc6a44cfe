"""Activities: tasks (to do, by someone, by a due time) and notes (what someone wrote down),
each linked to any records (accounts, contacts, leads, opportunities, cases).

Completing a task can log the work as a done :class:`~crmkit.domain.Interaction`;
:func:`overdue_tasks` lists the open tasks past their due time.

Examples:
    >>> from datetime import datetime, UTC
    >>> from crmkit.domain import RecordLink, Task, TaskPriority, overdue_tasks
    >>> call = Task("Call about renewal", due_at=datetime(2025, 3, 3, 9, tzinfo=UTC),
    ...             assignee_id="u-7", priority=TaskPriority.HIGH,
    ...             links=[RecordLink("account", "acc-1"), RecordLink("contact", "c-4")])
    >>> [t.subject for t in overdue_tasks([call], at=datetime(2025, 3, 4, tzinfo=UTC))]
    ['Call about renewal']
    >>> done = call.complete(datetime(2025, 3, 4, 10, tzinfo=UTC), log_interaction=True)
    >>> call.status.value, done.account_id, done.contact_id
    ('done', 'acc-1', 'c-4')
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import attrs

from crmkit.domain.aggregate import AggregateRoot
from crmkit.domain.interaction import Interaction, InteractionStatus, InteractionType
from crmkit.domain.validators import (
    aware_datetime,
    compile_validation,
    fail,
    identifier,
    instance_of,
    non_empty,
    optional_aware_datetime,
    optional_identifier,
    optional_to_utc,
    text,
    to_utc,
)
from crmkit.errors import InvalidTransitionError, ValidationError

__all__ = [
    "LINKABLE",
    "Note",
    "RecordLink",
    "Task",
    "TaskPriority",
    "TaskStatus",
    "overdue_tasks",
]

#: The record types an activity can link to.
LINKABLE = ("account", "contact", "lead", "opportunity", "case")


class TaskStatus(enum.Enum):
    """A task's status: open, then done or cancelled.

    Examples:
        >>> from crmkit.domain import TaskStatus
        >>> TaskStatus.CANCELLED.is_closed
        True
    """

    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def is_closed(self) -> bool:
        """Done or cancelled."""
        return self is not TaskStatus.OPEN


class TaskPriority(enum.Enum):
    """How urgent a task is.

    Examples:
        >>> from crmkit.domain import TaskPriority
        >>> TaskPriority.HIGH.rank > TaskPriority.NORMAL.rank
        True
    """

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"

    @property
    def rank(self) -> int:
        """1 (low) to 3 (high)."""
        return list(TaskPriority).index(self) + 1


def _record_type(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value not in LINKABLE:
        fail(attribute, value, f"must be one of {', '.join(LINKABLE)}")


@compile_validation
@attrs.frozen
class RecordLink:
    """A link from an activity to a record.

    Attributes:
        record_type: ``"account"``, ``"contact"``, ``"lead"``, ``"opportunity"`` or ``"case"``.
        record_id: the record's id.

    Examples:
        >>> from crmkit.domain import RecordLink
        >>> RecordLink("invoice", "i-1")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: record_type: 'invoice' must be one of account, contact, lead, opportunity, case
    """

    record_type: str = attrs.field(validator=_record_type)
    record_id: str = attrs.field(validator=identifier)


def _links(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, list):
        fail(attribute, value, "must be a list of RecordLink")
    seen: set[RecordLink] = set()
    for index, link in enumerate(value):
        if not isinstance(link, RecordLink):
            raise ValidationError.single(f"{attribute.name}[{index}]", link, "must be a RecordLink")
        if link in seen:
            raise ValidationError.single(f"{attribute.name}[{index}]", link, "is listed twice")
        seen.add(link)


class _Linked:
    """What tasks and notes share: their record links."""

    __slots__ = ()
    links: list[RecordLink]

    def linked_ids(self, record_type: str) -> list[str]:
        """The ids of the linked records of ``record_type``, in link order.

        Examples:
            >>> from crmkit.domain import Note, RecordLink
            >>> Note("Met at fair", links=[RecordLink("lead", "l-1")]).linked_ids("lead")
            ['l-1']
        """
        return [link.record_id for link in self.links if link.record_type == record_type]

    def is_linked_to(self, record_type: str, record_id: str) -> bool:
        """Whether the activity links to that record.

        Examples:
            >>> from crmkit.domain import RecordLink, Task
            >>> Task("x", links=[RecordLink("case", "k-1")]).is_linked_to("case", "k-1")
            True
        """
        return RecordLink(record_type, record_id) in self.links


@compile_validation
@attrs.define
class Task(_Linked, AggregateRoot):
    """Something a user has to do, by a due time.

    Attributes:
        subject: what to do.
        due_at: when it is due (aware, UTC); ``None`` for no deadline.
        assignee_id: the user who has to do it.
        priority: low, normal or high.
        status: open, done or cancelled.
        remind_at: when to remind the assignee (not after ``due_at``).
        links: the records it concerns.
        completed_at: when it was done or cancelled (set exactly when it is closed).
        description: free text.

    Plus the keyword-only fields of :class:`~crmkit.domain.AggregateRoot`.

    Examples:
        >>> from datetime import datetime, UTC
        >>> from crmkit.domain import Task
        >>> Task("Send offer", due_at=datetime(2025, 1, 2, tzinfo=UTC),
        ...      remind_at=datetime(2025, 1, 3, tzinfo=UTC))
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: remind_at: datetime.datetime(2025, 1, 3, 0, 0, tzinfo=datetime.timezone.utc) must not be after due_at
    """

    subject: str = attrs.field(validator=non_empty)
    due_at: datetime | None = attrs.field(
        default=None, converter=optional_to_utc, validator=optional_aware_datetime
    )
    assignee_id: str | None = attrs.field(default=None, validator=optional_identifier)
    priority: TaskPriority = attrs.field(
        default=TaskPriority.NORMAL, validator=instance_of(TaskPriority)
    )
    status: TaskStatus = attrs.field(default=TaskStatus.OPEN, validator=instance_of(TaskStatus))
    remind_at: datetime | None = attrs.field(
        default=None, converter=optional_to_utc, validator=optional_aware_datetime
    )
    links: list[RecordLink] = attrs.field(factory=list, validator=_links)
    completed_at: datetime | None = attrs.field(
        default=None, converter=optional_to_utc, validator=optional_aware_datetime
    )
    description: str = attrs.field(default="", validator=text())

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        if self.remind_at is not None and self.due_at is not None and self.remind_at > self.due_at:
            raise ValidationError.single("remind_at", self.remind_at, "must not be after due_at")
        if self.status.is_closed != (self.completed_at is not None):
            raise ValidationError.single(
                "completed_at", self.completed_at, "must be set exactly when the task is closed"
            )

    def is_overdue(self, at: datetime) -> bool:
        """Whether the task is open and its due time is before ``at``.

        Examples:
            >>> from datetime import datetime, UTC
            >>> from crmkit.domain import Task
            >>> t = Task("x", due_at=datetime(2025, 1, 1, tzinfo=UTC))
            >>> t.is_overdue(datetime(2025, 1, 2, tzinfo=UTC)), Task("y").is_overdue(t.due_at)
            (True, False)
        """
        at = to_utc(at)
        return self.status is TaskStatus.OPEN and self.due_at is not None and self.due_at < at

    def complete(
        self,
        at: datetime,
        *,
        log_interaction: bool = False,
        interaction_type: InteractionType = InteractionType.TASK,
        outcome: str | None = None,
    ) -> Interaction | None:
        """Mark the task done at ``at``; with ``log_interaction`` also return a done
        :class:`~crmkit.domain.Interaction` for it (subject, owner and the first linked
        account, contact or lead, opportunity and case), for the caller to store.

        Raises:
            InvalidTransitionError: the task is not open.

        Examples:
            >>> from datetime import datetime, UTC
            >>> from crmkit.domain import Task
            >>> t = Task("x")
            >>> t.complete(datetime(2025, 1, 1, tzinfo=UTC)) is None
            True
            >>> t.complete(datetime(2025, 1, 2, tzinfo=UTC))
            Traceback (most recent call last):
            ...
            crmkit.errors.InvalidTransitionError: status: 'done' only an open task can be completed
        """
        self._close(TaskStatus.DONE, at, "completed")
        if not log_interaction:
            return None
        done_at = to_utc(at)
        contacts, leads = self.linked_ids("contact"), self.linked_ids("lead")
        return Interaction(
            interaction_type,
            status=InteractionStatus.DONE,
            done_at=done_at,
            subject=self.subject,
            outcome=outcome,
            owner_id=self.assignee_id,
            account_id=next(iter(self.linked_ids("account")), None),
            contact_id=contacts[0] if contacts else None,
            lead_id=None if contacts or not leads else leads[0],
            opportunity_id=next(iter(self.linked_ids("opportunity")), None),
            case_id=next(iter(self.linked_ids("case")), None),
            created_at=done_at,
        )

    def cancel(self, at: datetime) -> None:
        """Cancel an open task.

        Raises:
            InvalidTransitionError: the task is not open.

        Examples:
            >>> from datetime import datetime, UTC
            >>> from crmkit.domain import Task
            >>> t = Task("x"); t.cancel(datetime(2025, 1, 1, tzinfo=UTC)); t.status.value
            'cancelled'
        """
        self._close(TaskStatus.CANCELLED, at, "cancelled")

    def reopen(self) -> None:
        """Reopen a done or cancelled task.

        Examples:
            >>> from datetime import datetime, UTC
            >>> from crmkit.domain import Task
            >>> t = Task("x"); t.cancel(datetime(2025, 1, 1, tzinfo=UTC)); t.reopen()
            >>> t.status.value, t.completed_at
            ('open', None)
        """
        if not self.status.is_closed:
            raise InvalidTransitionError.single("status", self.status.value, "is already open")
        self.status = TaskStatus.OPEN
        self.completed_at = None

    def _close(self, status: TaskStatus, at: datetime, verb: str) -> None:
        if self.status is not TaskStatus.OPEN:
            raise InvalidTransitionError.single(
                "status", self.status.value, f"only an open task can be {verb}"
            )
        at = to_utc(at)
        self.completed_at = at
        self.status = status
        self.touch(at)


def overdue_tasks(
    tasks: Iterable[Task], at: datetime, *, assignee_id: str | None = None
) -> list[Task]:
    """The open tasks due before ``at`` (of one assignee if given), most overdue first, then
    by priority (high first).

    Examples:
        >>> from datetime import datetime, UTC
        >>> from crmkit.domain import Task, overdue_tasks
        >>> a = Task("a", due_at=datetime(2025, 1, 5, tzinfo=UTC), assignee_id="u-1")
        >>> b = Task("b", due_at=datetime(2025, 1, 3, tzinfo=UTC), assignee_id="u-2")
        >>> [t.subject for t in overdue_tasks([a, b], datetime(2025, 2, 1, tzinfo=UTC))]
        ['b', 'a']
        >>> [t.subject for t in overdue_tasks([a, b], datetime(2025, 2, 1, tzinfo=UTC),
        ...                                   assignee_id="u-1")]
        ['a']
    """
    at = to_utc(at)
    found = [
        t
        for t in tasks
        if t.is_overdue(at) and (assignee_id is None or t.assignee_id == assignee_id)
    ]
    return sorted(found, key=lambda t: (t.due_at, -t.priority.rank, t.id))


@compile_validation
@attrs.define
class Note(_Linked, AggregateRoot):
    """A note written about one or more records.

    Attributes:
        body: the text.
        author_id: the user who wrote it.
        links: the records it is about.
        written_at: when it was written (default: ``created_at``).

    Plus the keyword-only fields of :class:`~crmkit.domain.AggregateRoot`.

    Examples:
        >>> from crmkit.domain import Note
        >>> Note(" ")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: body: ' ' must not be empty
    """

    body: str = attrs.field(validator=non_empty)
    author_id: str | None = attrs.field(default=None, validator=optional_identifier)
    links: list[RecordLink] = attrs.field(factory=list, validator=_links)
    written_at: datetime = attrs.field(
        default=attrs.Factory(lambda self: self.created_at, takes_self=True),
        converter=to_utc,
        validator=aware_datetime,
    )
