"""Follow-up: e-mail sequences that stop on reply, overdue follow-ups and neglect flags.

Seed 001 (L516): "email 1 → wait *x* days → if no reply, email 2 (automatic) → …"; automation
avoids the human error of forgetting to follow up (L516, L530). Seed 001 L478 quotes that 68 %
of departing B2B customers leave because they don't feel taken care of — hence a neglect flag
for prospects and customers with no contact for N days.

Examples:
    >>> from datetime import date
    >>> from crmkit.scoring import EmailSequence, SequenceStep
    >>> seq = EmailSequence([SequenceStep("intro"), SequenceStep("reminder", wait_days=3),
    ...                      SequenceStep("last call", wait_days=7)])
    >>> seq.next_step(sent=1, last_sent_on=date(2025, 3, 1), replied=False)
    (SequenceStep(template='reminder', wait_days=3), datetime.date(2025, 3, 4))
    >>> seq.next_step(sent=1, last_sent_on=date(2025, 3, 1), replied=True) is None
    True
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any, overload

import attrs

from crmkit._deprecation import warn_deprecated
from crmkit.errors import ValidationError
from crmkit.frames import (
    FrameT,
    RecordT,
    SupportsToNative,
    col,
    filter_rows,
    is_frame,
    read_field,
    utc_date,
)
from crmkit.frames import as_of as as_of_day

__all__ = ["EmailSequence", "SequenceStep", "neglected", "overdue_follow_ups"]


@attrs.frozen
class SequenceStep:
    """One e-mail of a sequence, sent ``wait_days`` after the previous one.

    Examples:
        >>> from crmkit.scoring import SequenceStep
        >>> SequenceStep("reminder", wait_days=-1)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: wait_days: -1 must be zero or more
    """

    template: str
    wait_days: int = 0

    def __attrs_post_init__(self) -> None:
        if isinstance(self.wait_days, bool) or self.wait_days < 0:
            raise ValidationError.single("wait_days", self.wait_days, "must be zero or more")


@attrs.frozen
class EmailSequence:
    """An ordered sequence of e-mails that stops as soon as the prospect replies.

    Examples:
        >>> from crmkit.scoring import EmailSequence, SequenceStep
        >>> len(EmailSequence([SequenceStep("a"), SequenceStep("b", 2)]).steps)
        2
    """

    steps: tuple[SequenceStep, ...] = attrs.field(converter=tuple)

    def __attrs_post_init__(self) -> None:
        if not self.steps:
            raise ValidationError.single("steps", [], "must hold at least one step")

    def next_step(
        self, *, sent: int, last_sent_on: date | None, replied: bool
    ) -> tuple[SequenceStep, date | None] | None:
        """The next e-mail and the day it is due; ``None`` after a reply or the last step.

        The first step is due at once (``None`` as the date). An aware ``last_sent_on``
        counts by its UTC calendar day (the docs page *Time and boundaries*).

        Examples:
            >>> from crmkit.scoring import EmailSequence, SequenceStep
            >>> EmailSequence([SequenceStep("a")]).next_step(sent=0, last_sent_on=None,
            ...                                              replied=False)
            (SequenceStep(template='a', wait_days=0), None)
        """
        if sent < 0 or sent > len(self.steps):
            raise ValidationError.single("sent", sent, f"must be between 0 and {len(self.steps)}")
        if replied or sent == len(self.steps):
            return None
        step = self.steps[sent]
        if sent == 0:
            return step, None
        if last_sent_on is None:
            raise ValidationError.single("last_sent_on", None, "is needed once a step was sent")
        day = utc_date(last_sent_on)  # a datetime counts by its UTC calendar day
        return step, day + timedelta(days=step.wait_days)


def overdue_follow_ups(
    interactions: Iterable[Any], *, as_of: date, status: str = "status"
) -> list[Any]:
    """Planned interactions (follow-ups) still ``planned`` on a day before ``as_of`` — the
    follow-ups someone forgot. Oldest first.

    ``planned_at`` counts by its UTC calendar day (the docs page *Time and boundaries*), so
    a follow-up planned for the as-of day itself is not overdue yet. ``as_of`` was an aware
    datetime before; a datetime still works for one release (compared as the instant it is),
    with a :class:`DeprecationWarning`.

    Examples:
        >>> from datetime import UTC, date, datetime
        >>> from crmkit.scoring import overdue_follow_ups
        >>> rows = [{"id": 1, "status": "planned", "planned_at": datetime(2025, 1, 2, tzinfo=UTC)},
        ...         {"id": 2, "status": "done", "planned_at": datetime(2025, 1, 1, tzinfo=UTC)},
        ...         {"id": 3, "status": "planned", "planned_at": datetime(2025, 1, 5, tzinfo=UTC)}]
        >>> [r["id"] for r in overdue_follow_ups(rows, as_of=date(2025, 1, 5))]
        [1]
    """
    instant: datetime | None = None
    if isinstance(as_of, datetime):
        if as_of.tzinfo is None:
            raise ValidationError.single("as_of", as_of, "must be a date")
        warn_deprecated(
            "overdue_follow_ups(as_of=<datetime>) is deprecated; pass the as-of date "
            "(as_of=date(...)): follow-ups count by their UTC calendar day",
            inside=__name__,
        )
        instant = as_of
    elif not isinstance(as_of, date):
        raise ValidationError.single("as_of", as_of, "must be a date")
    late = []
    for i, item in enumerate(interactions):
        if (
            read_field(
                item, status, what=f"interactions[{i}]", paths=True, custom=True, floats=True
            )
            != "planned"
        ):
            continue
        planned = read_field(
            item, "planned_at", what=f"interactions[{i}]", paths=True, custom=True, floats=True
        )
        if planned is None:
            continue
        if planned < as_of if instant is not None else utc_date(planned) < as_of:
            late.append((planned, i, item))
    return [item for _, _, item in sorted(late, key=lambda t: (t[0], t[1]))]


@overload
def neglected(
    contacts: SupportsToNative[FrameT], *, days: int, as_of: date, last_contact: str = ...
) -> FrameT: ...
@overload
def neglected(contacts: FrameT, *, days: int, as_of: date, last_contact: str = ...) -> FrameT: ...
@overload
def neglected(
    contacts: Iterable[RecordT], *, days: int, as_of: date, last_contact: str = ...
) -> list[RecordT]: ...


def neglected(
    contacts: Any,
    *,
    days: int,
    as_of: date,
    last_contact: str = "last_contact_at",
) -> Any:
    """Prospects or customers with no contact for more than ``days`` calendar days before
    ``as_of`` (or never contacted). Records give the matching records; a frame the filtered
    frame (lazy stays lazy). Built on the shared rule core, so both engines count days alike.

    Examples:
        >>> from datetime import date
        >>> from crmkit.scoring import neglected
        >>> rows = [{"id": "a", "last_contact_at": date(2025, 1, 1)},
        ...         {"id": "b", "last_contact_at": date(2025, 3, 20)},
        ...         {"id": "c", "last_contact_at": None}]
        >>> [r["id"] for r in neglected(rows, days=30, as_of=date(2025, 3, 31))]
        ['a', 'c']
    """
    if isinstance(days, bool) or days < 0:
        raise ValidationError.single("days", days, "must be zero or more")
    rule = col(last_contact).is_null() | (col(last_contact) < as_of_day(days=-days))
    data = contacts if is_frame(contacts) else list(contacts)
    return filter_rows(data, rule, as_of, what="contacts")
