"""Leads (prospects): source channel, direction, interest level, buying stage and conversion.

:meth:`Lead.convert` follows Salesforce's ``convertLead``: it creates an account and a contact
(and an opportunity when a pipeline is given) or attaches the lead to an existing account and
contact, filling only their empty fields; the lead then records what it became and is
``CONVERTED``. Converting twice is refused.

Examples:
    >>> from datetime import datetime, UTC
    >>> from crmkit.domain import BuyingStage, Direction, InterestLevel, Lead, LeadStatus
    >>> lead = Lead("Nordvind AB", first_name="Anna", last_name="Lind",
    ...             email="anna@nordvind.se", source_channel="website",
    ...             direction=Direction.INBOUND, interest_level=InterestLevel.EVALUATING,
    ...             buying_stage=4)
    >>> lead.buying_stage, lead.buying_stage.label
    (<BuyingStage.SUPPLIER_SEARCH: 4>, 'Search for and qualification of potential suppliers')
    >>> result = lead.convert(at=datetime(2025, 2, 1, tzinfo=UTC))
    >>> result.account.name, result.contact.full_name, lead.status is LeadStatus.CONVERTED
    ('Nordvind AB', 'Anna Lind', True)
    >>> lead.converted_account_id == result.account.id
    True
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

import attrs

from crmkit.domain.account import Account
from crmkit.domain.aggregate import AggregateRoot
from crmkit.domain.channel import Direction
from crmkit.domain.contact import BuyingRole, Contact
from crmkit.domain.limits import KEY_MAX, ORGNR_MAX, PHONE_MAX
from crmkit.domain.money import Money
from crmkit.domain.opportunity import Opportunity
from crmkit.domain.pipeline import Pipeline, Stage
from crmkit.domain.validators import (
    compile_validation,
    email,
    fail,
    instance_of,
    non_empty,
    non_negative,
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
from crmkit.errors import InvalidTransitionError, ValidationError

__all__ = ["BuyingStage", "InterestLevel", "Lead", "LeadConversion", "LeadStatus"]

R = TypeVar("R", bound=AggregateRoot)


class LeadStatus(enum.Enum):
    """Where a lead is in qualification.

    Examples:
        >>> from crmkit.domain import LeadStatus
        >>> LeadStatus.CONVERTED.is_closed, LeadStatus.WORKING.is_closed
        (True, False)
    """

    NEW = "new"
    WORKING = "working"
    NURTURING = "nurturing"
    QUALIFIED = "qualified"
    UNQUALIFIED = "unqualified"
    CONVERTED = "converted"

    @property
    def is_closed(self) -> bool:
        """Converted or unqualified: nothing more to do with the lead."""
        return self in (LeadStatus.CONVERTED, LeadStatus.UNQUALIFIED)


class InterestLevel(enum.Enum):
    """The prospect's attitude to the offering (seed 001 L502).

    Examples:
        >>> from crmkit.domain import InterestLevel
        >>> InterestLevel.VERY_INTERESTED.label
        'Very interested'
    """

    VERY_INTERESTED = "very_interested"
    EVALUATING = "evaluating"
    NOT_INTERESTED = "not_interested"

    @property
    def label(self) -> str:
        """English display label."""
        return self.value.replace("_", " ").capitalize()


class BuyingStage(enum.IntEnum):
    """The eight stages of the B2B buying process (Biong et al. 2016, seed 001 §2.5).

    Examples:
        >>> from crmkit.domain import BuyingStage
        >>> BuyingStage(6).label
        'Evaluation and choice of offer'
        >>> [int(s) for s in BuyingStage] == list(range(1, 9))
        True
    """

    PROBLEM_IDENTIFICATION = 1
    SOLUTION_DEVELOPMENT = 2
    PRODUCT_SPECIFICATION = 3
    SUPPLIER_SEARCH = 4
    OFFER_REQUEST = 5
    OFFER_EVALUATION = 6
    ORDER_AND_RECEIPT = 7
    EVALUATION = 8

    @property
    def label(self) -> str:
        """The stage's English name."""
        return _STAGE_LABELS[self]

    @property
    def label_no(self) -> str:
        """The stage's Norwegian name as the source writes it."""
        return _STAGE_LABELS_NO[self]


_STAGE_LABELS = {
    BuyingStage.PROBLEM_IDENTIFICATION: "Problem identification",
    BuyingStage.SOLUTION_DEVELOPMENT: "Solution development",
    BuyingStage.PRODUCT_SPECIFICATION: "Product specification",
    BuyingStage.SUPPLIER_SEARCH: "Search for and qualification of potential suppliers",
    BuyingStage.OFFER_REQUEST: "Obtaining offers",
    BuyingStage.OFFER_EVALUATION: "Evaluation and choice of offer",
    BuyingStage.ORDER_AND_RECEIPT: "Ordering and receipt",
    BuyingStage.EVALUATION: "Evaluation",
}
_STAGE_LABELS_NO = {
    BuyingStage.PROBLEM_IDENTIFICATION: "Identifisere problem",
    BuyingStage.SOLUTION_DEVELOPMENT: "Utvikling av løsning",
    BuyingStage.PRODUCT_SPECIFICATION: "Produktspesifikasjon",
    BuyingStage.SUPPLIER_SEARCH: "Søk etter og kvalifisering av potensielle leverandører",
    BuyingStage.OFFER_REQUEST: "Innhenting av tilbud",
    BuyingStage.OFFER_EVALUATION: "Evaluering og valg av tilbud",
    BuyingStage.ORDER_AND_RECEIPT: "Bestilling og mottak av varene",
    BuyingStage.EVALUATION: "Evaluering",
}


def _to_buying_stage(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool | BuyingStage) and 1 <= value <= 8:
        return BuyingStage(value)
    return value


def _buying_stage(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not isinstance(value, BuyingStage):
        fail(attribute, value, "must be a buying stage between 1 and 8")


def _lead_direction(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value not in (Direction.INBOUND, Direction.OUTBOUND):
        fail(attribute, value, "must be Direction.INBOUND or Direction.OUTBOUND")


@compile_validation
@attrs.frozen
class LeadConversion:
    """What :meth:`Lead.convert` produced.

    Attributes:
        lead_id: the converted lead.
        account: the new or existing (now filled) account.
        contact: the new or existing (now filled) contact.
        opportunity: the new opportunity, when a pipeline was given.
        created_account: whether the account was created by the conversion.
        created_contact: whether the contact was created by the conversion.
        converted_at: when.

    Examples:
        >>> from datetime import datetime, UTC
        >>> from crmkit.domain import Account, Lead
        >>> existing = Account("Nordvind AB")
        >>> result = Lead("Nordvind", last_name="Lind").convert(
        ...     at=datetime(2025, 1, 1, tzinfo=UTC), account=existing)
        >>> result.created_account, result.created_contact, result.opportunity is None
        (False, True, True)
    """

    lead_id: str
    account: Account
    contact: Contact
    opportunity: Opportunity | None
    created_account: bool
    created_contact: bool
    converted_at: datetime


@compile_validation
@attrs.define
class Lead(AggregateRoot):
    """A prospect not yet qualified into an account, contact and opportunity.

    Attributes:
        company_name: the prospect company's name.
        first_name: the contact person's given name.
        last_name: the contact person's family name.
        title: the contact person's title.
        email: e-mail address.
        phone: phone number.
        source_channel: key of the channel the lead came from (``"website"``, ``"phone"``).
        direction: inbound (the prospect came to us) or outbound (we went to them).
        interest_level: very interested / evaluating / not interested.
        buying_stage: the prospect's stage 1–8 in the B2B buying process.
        buying_role: the contact person's buying role (decision maker ...).
        status: qualification status.
        lost_reason: why it was disqualified or lost.
        owner_id: the responsible seller.
        campaign_id: the campaign that produced it.
        organisation_number: the company's registration number.
        industry: the company's industry.
        employees: the company's size.
        region: the company's region.
        next_follow_up_at: when to follow up next.
        converted_account_id: set by :meth:`convert`.
        converted_contact_id: set by :meth:`convert`.
        converted_opportunity_id: set by :meth:`convert` when an opportunity was created.
        converted_at: set by :meth:`convert`.

    Plus the keyword-only fields of :class:`~crmkit.domain.AggregateRoot`.

    Examples:
        >>> from crmkit.domain import Lead
        >>> Lead("Nordvind AB", buying_stage=9)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: buying_stage: 9 must be a buying stage between 1 and 8
    """

    company_name: str = attrs.field(validator=non_empty)
    first_name: str = attrs.field(default="", validator=text())
    last_name: str = attrs.field(default="", validator=text())
    title: str | None = attrs.field(default=None, validator=optional_str)
    email: str | None = attrs.field(default=None, validator=optional(email))
    phone: str | None = attrs.field(default=None, validator=optional_text(PHONE_MAX))
    source_channel: str | None = attrs.field(
        default=None, validator=optional_non_empty_text(KEY_MAX)
    )
    direction: Direction = attrs.field(default=Direction.INBOUND, validator=_lead_direction)
    interest_level: InterestLevel | None = attrs.field(
        default=None, validator=optional(instance_of(InterestLevel))
    )
    buying_stage: BuyingStage | None = attrs.field(
        default=None, converter=_to_buying_stage, validator=_buying_stage
    )
    buying_role: BuyingRole | None = attrs.field(
        default=None, validator=optional(instance_of(BuyingRole))
    )
    status: LeadStatus = attrs.field(default=LeadStatus.NEW, validator=instance_of(LeadStatus))
    lost_reason: str | None = attrs.field(default=None, validator=optional_str)
    owner_id: str | None = attrs.field(default=None, validator=optional_identifier)
    campaign_id: str | None = attrs.field(default=None, validator=optional_identifier)
    organisation_number: str | None = attrs.field(
        default=None, validator=optional_non_empty_text(ORGNR_MAX)
    )
    industry: str | None = attrs.field(default=None, validator=optional_str)
    employees: int | None = attrs.field(
        default=None, validator=optional(attrs.validators.and_(instance_of(int), non_negative))
    )
    region: str | None = attrs.field(default=None, validator=optional_str)
    next_follow_up_at: datetime | None = attrs.field(
        default=None, converter=optional_to_utc, validator=optional_aware_datetime
    )
    converted_account_id: str | None = attrs.field(default=None, validator=optional_identifier)
    converted_contact_id: str | None = attrs.field(default=None, validator=optional_identifier)
    converted_opportunity_id: str | None = attrs.field(default=None, validator=optional_identifier)
    converted_at: datetime | None = attrs.field(
        default=None, converter=optional_to_utc, validator=optional_aware_datetime
    )

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        converted = self.status is LeadStatus.CONVERTED
        missing = [
            name
            for name in ("converted_account_id", "converted_contact_id", "converted_at")
            if getattr(self, name) is None
        ]
        if converted and missing:
            raise ValidationError.single(missing[0], None, "must be set on a converted lead")
        if not converted and len(missing) < 3:
            raise ValidationError.single(
                "status", self.status.value, "must be 'converted' when converted_* fields are set"
            )

    @property
    def is_converted(self) -> bool:
        """Whether the lead has been converted.

        Examples:
            >>> from crmkit.domain import Lead
            >>> Lead("A").is_converted
            False
        """
        return self.status is LeadStatus.CONVERTED

    @property
    def contact_name(self) -> str:
        """The contact person's full name."""
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    def disqualify(self, reason: str) -> None:
        """Mark the lead unqualified with a reason (seed 001: comments on why a sale failed).

        Raises:
            InvalidTransitionError: the lead is already converted.

        Examples:
            >>> from crmkit.domain import Lead
            >>> lead = Lead("A"); lead.disqualify("no budget")
            >>> lead.status.value, lead.lost_reason
            ('unqualified', 'no budget')
        """
        if self.is_converted:
            raise InvalidTransitionError.single(
                "status", self.status.value, "a converted lead cannot be disqualified"
            )
        self.status = LeadStatus.UNQUALIFIED
        self.lost_reason = reason

    def convert(
        self,
        *,
        at: datetime,
        account: Account | None = None,
        contact: Contact | None = None,
        pipeline: Pipeline | None = None,
        amount: Money | None = None,
        stage: str | Stage | None = None,
        opportunity_name: str | None = None,
        close_date: date | None = None,
        owner_id: str | None = None,
    ) -> LeadConversion:
        """Convert the lead (Salesforce ``convertLead`` semantics).

        Args:
            at: when the conversion happens.
            account: an existing account to attach to; its empty fields are filled from the
                lead (nothing is overwritten). Default: a new account.
            contact: an existing contact to attach to, filled the same way. It must not belong
                to another account. Default: a new contact.
            pipeline: when given, an opportunity is created in it (at ``stage``, default the
                first open stage); ``amount`` is then required.
            amount: the opportunity's amount.
            stage: the opportunity's starting stage.
            opportunity_name: default ``"<company name> – <source channel or 'lead'>"``.
            close_date: default 90 days after ``at``.
            owner_id: owner of what is created (default: the lead's owner).

        Returns:
            A :class:`LeadConversion` with the account, the contact and the opportunity.

        Raises:
            InvalidTransitionError: the lead is already converted.
            ValidationError: a pipeline without an amount, or a contact of another account.

        Examples:
            >>> from datetime import datetime, UTC
            >>> from crmkit.domain import Account, Contact, Lead, Money, default_pipeline
            >>> acc = Account("Nordvind AB", industry=None)
            >>> lead = Lead("Nordvind", first_name="Anna", last_name="Lind",
            ...             industry="Logistics", email="anna@nordvind.se")
            >>> res = lead.convert(at=datetime(2025, 1, 1, tzinfo=UTC), account=acc,
            ...                    pipeline=default_pipeline(), amount=Money("50000", "SEK"))
            >>> acc.name, acc.industry, res.opportunity.stage_key
            ('Nordvind AB', 'Logistics', 'prospecting')
            >>> lead.convert(at=datetime(2025, 1, 2, tzinfo=UTC))
            Traceback (most recent call last):
            ...
            crmkit.errors.InvalidTransitionError: status: 'converted' the lead was already converted
        """
        if self.is_converted:
            raise InvalidTransitionError.single(
                "status", self.status.value, "the lead was already converted"
            )
        at = to_utc(at)
        owner = owner_id or self.owner_id
        if pipeline is not None and amount is None:
            raise ValidationError.single(
                "amount", None, "is required to create an opportunity on conversion"
            )
        if (
            contact is not None
            and account is not None
            and contact.account_id is not None
            and contact.account_id != account.id
        ):
            raise ValidationError.single(
                "contact.account_id",
                contact.account_id,
                f"belongs to another account than {account.id!r}",
            )

        # what the lead knows: a new account or contact is made with it, an existing one
        # gets it where its own field is empty
        account_fields: dict[str, Any] = {
            "organisation_number": self.organisation_number,
            "industry": self.industry,
            "employees": self.employees,
            "region": self.region,
            "owner_id": owner,
        }
        created_account = account is None
        account = _made_or_filled(
            account,
            lambda: Account(self.company_name, **account_fields, created_at=at),
            account_fields,
            at,
        )

        contact_fields: dict[str, Any] = {
            "account_id": account.id,
            "title": self.title,
            "buying_role": self.buying_role,
            "email": self.email,
            "phone": self.phone,
            "preferred_channel": self.source_channel,
            "owner_id": owner,
        }
        created_contact = contact is None
        contact = _made_or_filled(
            contact,
            lambda: Contact(
                self.first_name,
                self.last_name or ("" if self.first_name else self.company_name),
                **contact_fields,
                created_at=at,
            ),
            contact_fields,
            at,
        )
        if contact.id not in account.contact_ids:
            role = self.buying_role.value if self.buying_role is not None else ""
            account.link_contact(contact.id, role)

        opportunity: Opportunity | None = None
        if pipeline is not None and amount is not None:
            opportunity = Opportunity.open(
                opportunity_name or f"{self.company_name} – {self.source_channel or 'lead'}",
                account_id=account.id,
                amount=amount,
                close_date=close_date or (at.date() + timedelta(days=90)),
                pipeline=pipeline,
                at=at,
                stage=stage,
                source_channel=self.source_channel,
                owner_id=owner,
                campaign_id=self.campaign_id,
            )
            role = self.buying_role.value if self.buying_role is not None else ""
            opportunity.add_contact_role(contact.id, role, primary=True)

        self.converted_account_id = account.id
        self.converted_contact_id = contact.id
        self.converted_opportunity_id = opportunity.id if opportunity is not None else None
        self.converted_at = at
        self.status = LeadStatus.CONVERTED
        self.touch(at)
        return LeadConversion(
            self.id, account, contact, opportunity, created_account, created_contact, at
        )


def _made_or_filled(
    record: R | None, make: Callable[[], R], values: dict[str, Any], at: datetime
) -> R:
    """``make()`` when there is no ``record``; else ``record`` with each attribute that is
    empty (``None`` or ``""``) set to its given value (a ``None`` value sets nothing), touched
    at ``at``."""
    if record is None:
        return make()
    for name, value in values.items():
        if value is not None and getattr(record, name) in (None, ""):
            setattr(record, name, value)
    record.touch(at)
    return record
