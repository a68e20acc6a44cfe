"""Contacts: the people at accounts, their buying roles and their consent.

Examples:
    >>> from datetime import datetime, UTC
    >>> from crmkit.domain import BuyingRole, Consent, Contact, LawfulBasis
    >>> consent = Consent(LawfulBasis.CONSENT, given_at=datetime(2024, 3, 1, tzinfo=UTC))
    >>> anna = Contact("Anna", "Lind", buying_role=BuyingRole.DECIDER, consent=consent)
    >>> anna.full_name, anna.can_contact(datetime(2024, 6, 1, tzinfo=UTC))
    ('Anna Lind', True)
"""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from crmkit.domain.aggregate import AggregateRoot
from crmkit.domain.limits import KEY_MAX, PHONE_MAX
from crmkit.domain.validators import (
    aware_datetime,
    compile_validation,
    email,
    instance_of,
    non_empty,
    optional,
    optional_aware_datetime,
    optional_identifier,
    optional_non_empty_text,
    optional_str,
    optional_text,
    optional_to_utc,
    text,
    to_utc,
)
from crmkit.errors import ValidationError

__all__ = ["BuyingRole", "Consent", "Contact", "LawfulBasis"]


class BuyingRole(enum.Enum):
    """The roles in a B2B buying centre (Webster & Wind): who starts, uses, influences,
    decides, buys and gatekeeps a purchase. The decision maker flag of seed 001 is ``DECIDER``.

    Examples:
        >>> from crmkit.domain import BuyingRole
        >>> BuyingRole.DECIDER.label
        'Decision maker'
    """

    INITIATOR = "initiator"
    USER = "user"
    INFLUENCER = "influencer"
    DECIDER = "decider"
    BUYER = "buyer"
    GATEKEEPER = "gatekeeper"

    @property
    def label(self) -> str:
        """English display label."""
        return "Decision maker" if self is BuyingRole.DECIDER else self.value.capitalize()


class LawfulBasis(enum.Enum):
    """The six lawful bases for processing personal data (GDPR Article 6(1) a–f).

    Examples:
        >>> from crmkit.domain import LawfulBasis
        >>> LawfulBasis.LEGITIMATE_INTERESTS.article
        '6(1)(f)'
    """

    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    VITAL_INTERESTS = "vital_interests"
    PUBLIC_TASK = "public_task"
    LEGITIMATE_INTERESTS = "legitimate_interests"

    @property
    def article(self) -> str:
        """The GDPR article point, e.g. ``"6(1)(a)"``."""
        return f"6(1)({'abcdef'[list(LawfulBasis).index(self)]})"


@compile_validation
@attrs.frozen
class Consent:
    """The lawful basis for contacting a person for a purpose, and its validity period.

    Attributes:
        lawful_basis: the GDPR Art. 6 basis.
        given_at: when the consent was given or the basis established (aware datetime).
        withdrawn_at: when it was withdrawn or objected to (``None``: still valid).
        purpose: what the processing is for (``"marketing"``, ``"newsletter"``).

    Examples:
        >>> from datetime import datetime, UTC
        >>> from crmkit.domain import Consent, LawfulBasis
        >>> Consent(LawfulBasis.CONSENT, datetime(2024, 5, 1, tzinfo=UTC),
        ...         withdrawn_at=datetime(2024, 4, 1, tzinfo=UTC))
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: withdrawn_at: datetime.datetime(2024, 4, 1, 0, 0, tzinfo=datetime.timezone.utc) must not be before given_at
    """

    lawful_basis: LawfulBasis = attrs.field(validator=instance_of(LawfulBasis))
    given_at: datetime = attrs.field(converter=to_utc, validator=aware_datetime)
    withdrawn_at: datetime | None = attrs.field(
        default=None, converter=optional_to_utc, validator=optional_aware_datetime
    )
    purpose: str = attrs.field(default="marketing", validator=non_empty)

    def __attrs_post_init__(self) -> None:
        if self.withdrawn_at is not None and self.withdrawn_at < self.given_at:
            raise ValidationError.single(
                "withdrawn_at", self.withdrawn_at, "must not be before given_at"
            )

    def is_active(self, at: datetime) -> bool:
        """Whether the basis holds at ``at`` (given, not yet withdrawn).

        Examples:
            >>> from datetime import datetime, UTC
            >>> from crmkit.domain import Consent, LawfulBasis
            >>> c = Consent(LawfulBasis.CONSENT, datetime(2024, 1, 1, tzinfo=UTC),
            ...             withdrawn_at=datetime(2024, 6, 1, tzinfo=UTC))
            >>> c.is_active(datetime(2024, 3, 1, tzinfo=UTC))
            True
            >>> c.is_active(datetime(2024, 7, 1, tzinfo=UTC))
            False
        """
        at = to_utc(at)
        if at < self.given_at:
            return False
        return self.withdrawn_at is None or at < self.withdrawn_at

    def withdraw(self, at: datetime) -> Consent:
        """A copy of this consent withdrawn at ``at``.

        Examples:
            >>> from datetime import datetime, UTC
            >>> from crmkit.domain import Consent, LawfulBasis
            >>> c = Consent(LawfulBasis.CONSENT, datetime(2024, 1, 1, tzinfo=UTC))
            >>> c.withdraw(datetime(2024, 2, 1, tzinfo=UTC)).withdrawn_at.month
            2
        """
        return attrs.evolve(self, withdrawn_at=at)


@compile_validation
@attrs.define
class Contact(AggregateRoot):
    """A person, usually at an account.

    Attributes:
        first_name: given name.
        last_name: family name.
        account_id: the account the person works at (``None`` for private persons).
        title: job title / function.
        buying_role: the person's role in purchases.
        email: e-mail address (validated shape).
        phone: phone number.
        preferred_channel: key of the channel the person prefers (see
            :class:`~crmkit.domain.ChannelCatalogue`).
        consent: the lawful basis for contacting the person.
        linkedin_url: LinkedIn profile.
        owner_id: responsible user.

    Plus the keyword-only fields of :class:`~crmkit.domain.AggregateRoot`.

    Examples:
        >>> from crmkit.domain import Contact
        >>> Contact("Anna", "Lind", email="anna(at)lind.se")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: email: 'anna(at)lind.se' is not an e-mail address
    """

    first_name: str = attrs.field(validator=text())
    last_name: str = attrs.field(validator=text())
    account_id: str | None = attrs.field(default=None, validator=optional_identifier)
    title: str | None = attrs.field(default=None, validator=optional_str)
    buying_role: BuyingRole | None = attrs.field(
        default=None, validator=optional(instance_of(BuyingRole))
    )
    email: str | None = attrs.field(default=None, validator=optional(email))
    phone: str | None = attrs.field(default=None, validator=optional_text(PHONE_MAX))
    preferred_channel: str | None = attrs.field(
        default=None, validator=optional_non_empty_text(KEY_MAX)
    )
    consent: Consent | None = attrs.field(default=None, validator=optional(instance_of(Consent)))
    linkedin_url: str | None = attrs.field(default=None, validator=optional_str)
    owner_id: str | None = attrs.field(default=None, validator=optional_identifier)

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        if not (self.first_name.strip() or self.last_name.strip()):
            raise ValidationError.single(
                "last_name", self.last_name, "must not be empty when first_name is empty"
            )

    @property
    def full_name(self) -> str:
        """First and last name joined.

        Examples:
            >>> from crmkit.domain import Contact
            >>> Contact("", "Lind").full_name
            'Lind'
        """
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    def can_contact(self, at: datetime) -> bool:
        """Whether the contact may be approached at ``at``: a recorded consent (or other
        lawful basis) that is active then. No recorded basis means no.

        Examples:
            >>> from datetime import datetime, UTC
            >>> from crmkit.domain import Contact
            >>> Contact("Anna", "Lind").can_contact(datetime(2024, 1, 1, tzinfo=UTC))
            False
        """
        return self.consent is not None and self.consent.is_active(at)
