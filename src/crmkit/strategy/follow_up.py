"""Key-account follow-up: a cadence plan (next due, overdue) and the two-contact model.

Seed 003 recommends a follow-up plan in the CRM recording which customers are followed up and
how often (weekly, monthly, quarterly, half-yearly, yearly), and two contacts per key account —
a key account manager and a support contact — with a handover meeting when a contact changes.

Examples:
    >>> from datetime import date
    >>> from crmkit.strategy.follow_up import Cadence, FollowUpPlan
    >>> plan = FollowUpPlan()
    >>> plan.schedule("acme", Cadence.QUARTERLY, last_contact=date(2025, 1, 15))
    >>> plan.next_due("acme")
    datetime.date(2025, 4, 15)
    >>> plan.overdue(as_of=date(2025, 5, 1))
    ['acme']
"""

from __future__ import annotations

import enum
from datetime import date

import attrs
from dateutil.relativedelta import relativedelta

from crmkit._deprecation import deprecated_default, renamed
from crmkit.errors import NotFoundError, ValidationError

__all__ = ["Cadence", "ContactAssignment", "FollowUpPlan", "Handover"]


class Cadence(enum.Enum):
    """How often a key account is followed up (seed 003 L1222–1226).

    Examples:
        >>> from crmkit.strategy.follow_up import Cadence
        >>> [c.per_year for c in Cadence]
        [52, 12, 4, 2, 1]
    """

    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"
    YEARLY = "yearly"

    @property
    def per_year(self) -> int:
        """Contacts per year."""
        return {"weekly": 52, "monthly": 12, "quarterly": 4, "half_yearly": 2, "yearly": 1}[
            self.value
        ]

    @property
    def interval(self) -> relativedelta:
        """The time between contacts."""
        if self is Cadence.WEEKLY:
            return relativedelta(weeks=1)
        return relativedelta(months=12 // self.per_year)


@attrs.define
class FollowUpPlan:
    """Which accounts are followed up, how often, and when they were last contacted.

    Examples:
        >>> from datetime import date
        >>> from crmkit.strategy.follow_up import Cadence, FollowUpPlan
        >>> plan = FollowUpPlan()
        >>> plan.schedule("a", Cadence.WEEKLY, last_contact=date(2025, 3, 3))
        >>> plan.record_contact("a", date(2025, 3, 10))
        >>> plan.next_due("a")
        datetime.date(2025, 3, 17)
    """

    entries: dict[str, tuple[Cadence, date | None]] = attrs.field(factory=dict)

    def schedule(
        self, account_id: str, cadence: Cadence, *, last_contact: date | None = None
    ) -> None:
        """Put ``account_id`` on the plan (replaces an earlier cadence)."""
        if not isinstance(cadence, Cadence):
            raise ValidationError.single("cadence", cadence, "must be a Cadence")
        self.entries[account_id] = (cadence, last_contact)

    def record_contact(self, account_id: str, on: date) -> None:
        """Record a follow-up contact."""
        cadence, last = self._entry(account_id)
        if last is not None and on < last:
            raise ValidationError.single(
                "on", on.isoformat(), f"is before the last contact {last.isoformat()}"
            )
        self.entries[account_id] = (cadence, on)

    def _entry(self, account_id: str) -> tuple[Cadence, date | None]:
        try:
            return self.entries[account_id]
        except KeyError:
            raise NotFoundError(f"account {account_id!r} is not on the follow-up plan") from None

    @renamed(today="as_of")
    def next_due(self, account_id: str, *, as_of: date | None = None) -> date:
        """Last contact + interval; with no contact yet, due on ``as_of`` (the analysis date).

        ``as_of`` is needed only for an account not contacted yet; without it such an
        account is due on the local ``date.today()`` for one release, with a
        :class:`DeprecationWarning`. (The old name ``today`` still works too.)

        Examples:
            >>> from datetime import date
            >>> from crmkit.strategy.follow_up import Cadence, FollowUpPlan
            >>> plan = FollowUpPlan()
            >>> plan.schedule("new", Cadence.MONTHLY)
            >>> plan.next_due("new", as_of=date(2025, 3, 1))
            datetime.date(2025, 3, 1)
        """
        cadence, last = self._entry(account_id)
        if last is None:
            return deprecated_default(
                as_of, name="as_of", where="FollowUpPlan.next_due", module=__name__,
                default=date.today, old="the local date.today() for an account not contacted yet",
            )  # fmt: skip
        result: date = last + cadence.interval
        return result

    def overdue(self, *, as_of: date) -> list[str]:
        """Accounts whose next follow-up is before ``as_of``, most overdue first."""
        due = [(self.next_due(a, as_of=as_of), a) for a in self.entries]
        return [a for d, a in sorted(due) if d < as_of]


@attrs.frozen
class Handover:
    """A contact change that needs a handover meeting of the old and new contact.

    Examples:
        >>> from crmkit.strategy.follow_up import Handover
        >>> Handover("acme", "support_contact", "eva", "ola").describe()
        'acme: support contact changes from eva to ola; hold a handover meeting with both'
    """

    account_id: str
    role: str
    old: str | None
    new: str

    def describe(self) -> str:
        """A sentence for reports."""
        role = self.role.replace("_", " ")
        if self.old is None:
            return f"{self.account_id}: {role} set to {self.new}"
        return (
            f"{self.account_id}: {role} changes from {self.old} to {self.new}; "
            "hold a handover meeting with both"
        )


@attrs.define
class ContactAssignment:
    """The two-contact model of a key account: key account manager + support contact.

    Examples:
        >>> from crmkit.strategy.follow_up import ContactAssignment
        >>> ca = ContactAssignment("acme", key_account_manager="kari", support_contact="eva")
        >>> ca.is_complete
        True
        >>> ca.change("key_account_manager", "per").old
        'kari'
        >>> ca.change("key_account_manager", "eva")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: key_account_manager: 'eva' is already the support contact; the model needs two different people
    """

    account_id: str
    key_account_manager: str | None = None
    support_contact: str | None = None
    handovers: list[Handover] = attrs.field(factory=list)

    @property
    def is_complete(self) -> bool:
        """Both contacts are set (and differ)."""
        return bool(self.key_account_manager and self.support_contact)

    def change(self, role: str, new: str) -> Handover:
        """Change ``role`` (``key_account_manager`` or ``support_contact``) to ``new`` and
        record the handover."""
        if role not in ("key_account_manager", "support_contact"):
            raise ValidationError.single(
                "role", role, "must be key_account_manager or support_contact"
            )
        other = "support_contact" if role == "key_account_manager" else "key_account_manager"
        if getattr(self, other) == new:
            raise ValidationError.single(
                role,
                new,
                f"is already the {other.replace('_', ' ')}; the model needs two different people",
            )
        handover = Handover(self.account_id, role, getattr(self, role), new)
        setattr(self, role, new)
        self.handovers.append(handover)
        return handover
