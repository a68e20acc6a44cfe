"""Agreements: service and framework agreements with a start, an end and renewals.

Examples:
    >>> from datetime import date
    >>> from crmkit.domain import Agreement
    >>> ag = Agreement("acc-1", "Service agreement", start_date=date(2024, 1, 1),
    ...                end_date=date(2024, 12, 31), notice_period_days=90)
    >>> ag.is_active(date(2024, 6, 1)), ag.renewal_date
    (True, datetime.date(2024, 10, 2))
    >>> ag.renew(); ag.end_date, ag.renewals
    (datetime.date(2025, 12, 31), 1)
"""

from __future__ import annotations

import enum
from datetime import date, timedelta

import attrs
from dateutil.relativedelta import relativedelta

from crmkit.domain.aggregate import AggregateRoot
from crmkit.domain.money import Money
from crmkit.domain.validators import (
    compile_validation,
    date_value,
    identifier,
    instance_of,
    non_empty,
    non_negative,
    optional,
    positive,
)
from crmkit.errors import InvalidTransitionError, ValidationError

__all__ = ["Agreement", "AgreementType"]


class AgreementType(enum.Enum):
    """The kind of agreement (seeds 002 and 004: service and framework agreements).

    Examples:
        >>> from crmkit.domain import AgreementType
        >>> AgreementType("framework").value
        'framework'
    """

    SERVICE = "service"
    FRAMEWORK = "framework"
    SUBSCRIPTION = "subscription"
    SUPPLY = "supply"
    #: The formal relationship's contract types (Berg, in Botn-Langøy et al. 2019,
    #: "Key Account Management – Smart Media"; reference: seed-003.md L212): a cooperation
    #: agreement (samarbeidsavtale), a project agreement (prosjektavtale) and a time-limited
    #: agreement (tidsbegrenset avtale).
    COOPERATION = "cooperation"
    PROJECT = "project"
    TIME_LIMITED = "time_limited"
    OTHER = "other"


@compile_validation
@attrs.define
class Agreement(AggregateRoot):
    """An agreement with an account.

    Attributes:
        account_id: the customer.
        name: display name.
        start_date: first day in force.
        end_date: last day in force (``None``: open-ended); not before ``start_date``.
        agreement_type: service, framework, subscription, supply, cooperation, project,
            time-limited or other.
        value: contract value per term.
        auto_renew: whether it renews unless terminated.
        renewal_term_months: length of a renewal term in months.
        notice_period_days: days before the end by which to terminate or renegotiate.
        renewals: how many times it has been renewed.
        terminated: whether it was terminated (will not renew).

    Plus the keyword-only fields of :class:`~crmkit.domain.AggregateRoot`.

    Examples:
        >>> from datetime import date
        >>> from crmkit.domain import Agreement
        >>> Agreement("a", "X", start_date=date(2024, 5, 1), end_date=date(2024, 4, 1))
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: end_date: datetime.date(2024, 4, 1) must not be before start_date
    """

    account_id: str = attrs.field(validator=identifier)
    name: str = attrs.field(validator=non_empty)
    start_date: date = attrs.field(kw_only=True, validator=date_value)
    end_date: date | None = attrs.field(kw_only=True, default=None, validator=optional(date_value))
    agreement_type: AgreementType = attrs.field(
        kw_only=True, default=AgreementType.SERVICE, validator=instance_of(AgreementType)
    )
    value: Money | None = attrs.field(
        kw_only=True, default=None, validator=optional(instance_of(Money))
    )
    auto_renew: bool = attrs.field(kw_only=True, default=False, validator=instance_of(bool))
    renewal_term_months: int = attrs.field(
        kw_only=True, default=12, validator=[instance_of(int), positive]
    )
    notice_period_days: int = attrs.field(
        kw_only=True, default=0, validator=[instance_of(int), non_negative]
    )
    renewals: int = attrs.field(kw_only=True, default=0, validator=[instance_of(int), non_negative])
    terminated: bool = attrs.field(kw_only=True, default=False, validator=instance_of(bool))

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValidationError.single("end_date", self.end_date, "must not be before start_date")

    def is_active(self, on: date) -> bool:
        """Whether the agreement is in force on ``on`` (start and end inclusive).

        Examples:
            >>> from datetime import date
            >>> from crmkit.domain import Agreement
            >>> Agreement("a", "X", start_date=date(2024, 1, 1)).is_active(date(2030, 1, 1))
            True
        """
        if on < self.start_date:
            return False
        return self.end_date is None or on <= self.end_date

    @property
    def renewal_date(self) -> date | None:
        """The last day to act on renewal: ``end_date`` minus the notice period (``None`` for
        open-ended agreements)."""
        if self.end_date is None:
            return None
        return self.end_date - timedelta(days=self.notice_period_days)

    def renew(self, months: int | None = None) -> None:
        """Extend the end date by ``months`` (default: the renewal term) and count it.

        Raises:
            InvalidTransitionError: the agreement is open-ended or terminated.

        Examples:
            >>> from datetime import date
            >>> from crmkit.domain import Agreement
            >>> Agreement("a", "X", start_date=date(2024, 1, 1)).renew()
            Traceback (most recent call last):
            ...
            crmkit.errors.InvalidTransitionError: end_date: None an open-ended agreement cannot be renewed
        """
        if self.end_date is None:
            raise InvalidTransitionError.single(
                "end_date", None, "an open-ended agreement cannot be renewed"
            )
        if self.terminated:
            raise InvalidTransitionError.single(
                "terminated", True, "a terminated agreement cannot be renewed"
            )
        term = self.renewal_term_months if months is None else months
        if isinstance(term, bool) or not isinstance(term, int) or term <= 0:
            raise ValidationError.single("months", term, "must be a whole number above zero")
        start = self.start_date
        # Re-anchor on the start date so month ends stay month ends (Jan 31 + 1 month ...).
        periods = relativedelta(self.end_date + timedelta(days=1), start)
        total_months = periods.years * 12 + periods.months + term
        if periods.days == 0:
            self.end_date = start + relativedelta(months=total_months) - timedelta(days=1)
        else:
            self.end_date = self.end_date + relativedelta(months=term)
        self.renewals += 1

    def terminate(self, on: date) -> None:
        """Terminate: the agreement ends on ``on`` (not before it started) and will not renew.

        Examples:
            >>> from datetime import date
            >>> from crmkit.domain import Agreement
            >>> ag = Agreement("a", "X", start_date=date(2024, 1, 1))
            >>> ag.terminate(date(2024, 8, 31)); ag.is_active(date(2024, 9, 1))
            False
        """
        if on < self.start_date:
            raise ValidationError.single("end_date", on, "must not be before start_date")
        self.end_date = on
        self.terminated = True
        self.auto_renew = False
