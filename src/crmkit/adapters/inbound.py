"""Inbound ports: a web interest form becomes a segmented Lead; a social-media message to
customer service becomes a Case.

Seed 001 (§2.7, L518) describes the automated inbound path: article → website → **interest
form** → forwarded to the CRM → stored → **segmented automatically from the form data**.
Seed 004 (§3.5–3.6, L273) describes a customer tweeting to customer service and the CRM
creating a **case** on its own. This module is both ports:

* :func:`lead_from_form` maps a form payload (field names configurable with
  :class:`InterestForm`) to a :class:`~crmkit.domain.Lead` — inbound, from the ``website``
  channel, the raw payload kept in ``remote_data`` and unknown scalar fields in ``custom`` —
  and assigns a segment with a :class:`Segmenter`: normally a
  :class:`crmkit.segmentation.RuleSegments`, the declarative, first-match-wins rule set
  written with crmkit's expression language (:func:`crmkit.frames.col`) that also segments
  whole dataframes with :func:`crmkit.segmentation.assign_segments`. Any object with
  ``segment_of(record)`` can take its place.
* :func:`case_from_message` turns a :class:`SocialMessage` into a
  :class:`~crmkit.domain.Case` whose ``origin_channel`` is the channel the message came
  through (``social_media`` for X/Twitter, Facebook, Instagram; ``linkedin``).
* :class:`InboundDesk` does both against a store, idempotently: a form submission or
  message id becomes the ``remote_id``, so a webhook delivered twice stores one record.

The segment is written to the lead's ``custom["segment"]``.

The segmenter sees the lead as a *form record* (:func:`form_record`): a mapping of the
lead's fields and its custom properties (form fields the lead model does not have, such as
``contact_reason``), in which a field the form left out reads as missing, so a rule on it
simply does not match.

Examples:
    >>> from crmkit.adapters.inbound import lead_from_form
    >>> from crmkit.frames import col
    >>> from crmkit.segmentation import RuleSegments, Segment
    >>> segmenter = RuleSegments([
    ...     Segment("enterprise", col("employees") >= 250),
    ...     Segment("hot", col("interest_level") == "very_interested"),
    ... ], default="nurture")
    >>> lead = lead_from_form({"company": "Nordvind AB", "name": "Anna Lind",
    ...                        "email": "anna@nordvind.se", "employees": "40",
    ...                        "interest": "very_interested",
    ...                        "reason": "Want a demo"}, segmenter=segmenter)
    >>> lead.company_name, lead.first_name, lead.source_channel, lead.custom["segment"]
    ('Nordvind AB', 'Anna', 'website', 'hot')
    >>> lead.custom["contact_reason"]
    'Want a demo'
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

import attrs

from crmkit.domain.case import Case
from crmkit.domain.channel import ChannelCatalogue, Direction, default_catalogue
from crmkit.domain.lead import Lead
from crmkit.errors import Problem, ValidationError

if TYPE_CHECKING:
    from crmkit.adapters.ports import Store

__all__ = [
    "SOCIAL_PLATFORM_CHANNELS",
    "InboundDesk",
    "InterestForm",
    "Segmenter",
    "SocialMessage",
    "case_from_message",
    "form_record",
    "lead_from_form",
]


class Segmenter(Protocol):
    """Anything that names the segment of a record (``None``: no segment).

    :class:`crmkit.segmentation.RuleSegments` is one; :func:`lead_from_form` hands it the
    lead as a :func:`form_record`.

    Examples:
        >>> from crmkit.adapters.inbound import Segmenter
        >>> from crmkit.frames import col
        >>> from crmkit.segmentation import RuleSegments, Segment
        >>> class Everyone:
        ...     def segment_of(self, record):
        ...         return "all"
        >>> s: Segmenter = Everyone()
        >>> s.segment_of({})
        'all'
        >>> rules: Segmenter = RuleSegments([Segment("big", col("employees") > 100)])
        >>> rules.segment_of({"employees": 120})
        'big'
    """

    def segment_of(self, record: Any) -> str | None:
        """The segment ``record`` belongs to."""
        ...


class _FormRecord(dict[str, Any]):
    """A record in which a field the form left out reads as missing (``None``)."""

    def __missing__(self, key: str) -> None:
        return None


def form_record(lead: Any) -> dict[str, Any]:
    """A form lead as the record segment rules read: fields, then custom properties.

    The lead's own fields come first; its custom properties (``contact_reason`` and the
    form's unknown fields) are added where they do not shadow a field. Any other name reads
    as missing (``None``) — form fields are optional, so a rule on a field the form left out
    does not match rather than failing. A mapping is taken as it is, with the same reading
    of absent keys.

    Examples:
        >>> from crmkit.adapters.inbound import form_record
        >>> from crmkit.domain import Lead
        >>> record = form_record(Lead("Acme", employees=40, custom={"contact_reason": "demo"}))
        >>> record["employees"], record["contact_reason"], record["budget"]
        (40, 'demo', None)
    """
    if isinstance(lead, Mapping):
        return _FormRecord(lead)
    view = _FormRecord()
    custom = getattr(lead, "custom", None)
    if isinstance(custom, Mapping):
        view.update(custom)
    if attrs.has(type(lead)):
        for field in attrs.fields(type(lead)):
            view[field.name] = getattr(lead, field.name)
    return view


_DEFAULT_ALIASES: dict[str, tuple[str, ...]] = {
    "company_name": ("company_name", "company", "organisation", "organization", "bedriftsnavn"),
    "first_name": ("first_name", "firstname", "given_name"),
    "last_name": ("last_name", "lastname", "family_name", "surname"),
    "name": ("name", "full_name", "contact_name"),
    "email": ("email", "e-mail", "email_address", "epost"),
    "phone": ("phone", "telephone", "phone_number", "telefon"),
    "title": ("title", "job_title", "role"),
    "industry": ("industry",),
    "employees": ("employees", "company_size", "number_of_employees"),
    "region": ("region", "county", "country"),
    "organisation_number": ("organisation_number", "org_number", "orgnr"),
    "interest_level": ("interest_level", "interest"),
    "buying_stage": ("buying_stage", "stage"),
    "contact_reason": ("reason", "message", "contact_reason", "comment"),
    "remote_id": ("submission_id", "form_submission_id", "id"),
}

_LEAD_FIELDS = (
    "company_name",
    "first_name",
    "last_name",
    "email",
    "phone",
    "title",
    "industry",
    "region",
    "organisation_number",
    "interest_level",
)


@attrs.frozen
class InterestForm:
    """How a web form's field names map to lead fields.

    Args:
        aliases: lead field → accepted form field names (first present wins). The defaults
            accept common English and Norwegian names (``company``, ``bedriftsnavn``,
            ``email``, ``telefon`` …); ``name`` is split into first and last name;
            ``contact_reason`` goes to ``custom["contact_reason"]`` (seed 001 L518: the
            reason for contact); ``remote_id`` is the submission id.
        channel: the channel key the leads come from.
        keep_unknown: put unknown scalar fields in ``custom`` (all fields always go to
            ``remote_data``).

    Examples:
        >>> from crmkit.adapters.inbound import InterestForm
        >>> form = InterestForm.default().with_alias("company_name", "firma")
        >>> "firma" in form.aliases["company_name"]
        True
    """

    aliases: Mapping[str, tuple[str, ...]] = attrs.field(factory=lambda: dict(_DEFAULT_ALIASES))
    channel: str = "website"
    keep_unknown: bool = True

    @classmethod
    def default(cls) -> InterestForm:
        """The default form mapping.

        Examples:
            >>> from crmkit.adapters.inbound import InterestForm
            >>> InterestForm.default().channel
            'website'
        """
        return cls()

    def with_alias(self, field: str, name: str) -> InterestForm:
        """A copy that also accepts form field ``name`` for lead field ``field``.

        Examples:
            >>> from crmkit.adapters.inbound import InterestForm
            >>> InterestForm().with_alias("phone", "mobil").aliases["phone"][-1]
            'mobil'
        """
        aliases = dict(self.aliases)
        aliases[field] = (*aliases.get(field, ()), name)
        return attrs.evolve(self, aliases=aliases)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else str(value)


def lead_from_form(
    payload: Mapping[str, Any],
    *,
    form: InterestForm | None = None,
    segmenter: Segmenter | None = None,
    received_at: datetime | None = None,
    catalogue: ChannelCatalogue | None = None,
) -> Lead:
    """Build an inbound lead from an interest-form payload and segment it.

    Raises:
        ValidationError: every problem, with paths ``form.<field name>``.

    Examples:
        >>> from crmkit.adapters.inbound import lead_from_form
        >>> lead_from_form({"company": "", "email": "not-an-address"})
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: form.company: is required (the company's name)
        form.email: 'not-an-address' is not an e-mail address
    """
    form = form or InterestForm()
    catalogue = catalogue or default_catalogue()
    if form.channel not in catalogue:
        raise ValidationError.single("form.channel", form.channel, "is not a known channel")
    moment = received_at or datetime.now(UTC)
    used: dict[str, str] = {}
    values: dict[str, Any] = {}
    for field, names in form.aliases.items():
        for name in names:
            if name in payload and payload[name] not in (None, ""):
                values[field] = payload[name]
                used[field] = name
                break
    problems: list[Problem] = []
    kwargs: dict[str, Any] = {}
    for field in _LEAD_FIELDS:
        if field in values:
            kwargs[field] = _text(values[field])
    if "name" in values and "first_name" not in kwargs and "last_name" not in kwargs:
        first, _, last = _text(values["name"]).partition(" ")
        kwargs["first_name"], kwargs["last_name"] = first, last.strip()
    if "company_name" not in kwargs:
        first_alias = form.aliases.get("company_name", ("company_name",))
        label = used.get("company_name", first_alias[0] if first_alias else "company_name")
        if any(name in payload for name in first_alias):
            label = next(name for name in first_alias if name in payload)
        problems.append(Problem(f"form.{label}", message="is required (the company's name)"))
    for field, kind in (("employees", int), ("buying_stage", int)):
        if field in values:
            try:
                kwargs[field] = kind(_text(values[field]))
            except ValueError:
                problems.append(
                    Problem(f"form.{used[field]}", values[field], "is not a whole number")
                )
    if "remote_id" in values:
        kwargs["remote_id"] = _text(values["remote_id"])
    custom: dict[str, Any] = {}
    if "contact_reason" in values:
        custom["contact_reason"] = _text(values["contact_reason"])
    if form.keep_unknown:
        known = {name for names in form.aliases.values() for name in names}
        for name, value in payload.items():
            if name not in known and isinstance(value, str | int | float | bool):
                custom[str(name)] = value
    data: dict[str, Any] = {
        **kwargs,
        "source_channel": form.channel,
        "custom": custom,
        "remote_data": {str(k): v for k, v in payload.items()},
        "created_at": moment.isoformat(),
    }
    lead = _build_lead(data, used, problems)
    if segmenter is not None:
        segment = segmenter.segment_of(form_record(lead))
        if segment is not None:
            lead.custom = {**lead.custom, "segment": segment}
    return lead


def _build_lead(data: dict[str, Any], used: Mapping[str, str], problems: list[Problem]) -> Lead:
    from crmkit.serde import from_dict

    data["direction"] = Direction.INBOUND.value
    lead: Lead | None = None
    missing_company = "company_name" not in data
    try:
        lead = from_dict(Lead, data)
    except ValidationError as exc:
        for problem in exc.problems:
            field = problem.path.removeprefix("lead.").split(".", 1)[0]
            if field == "company_name" and missing_company:
                continue  # already reported with the form's own field name
            path = f"form.{used.get(field, field)}"
            problems.append(
                Problem(path, problem.value, problem.message)
                if problem.has_value
                else Problem(path, message=problem.message)
            )
    seen: set[tuple[str, str]] = set()
    unique = []
    for problem in problems:
        if (problem.path, problem.message) not in seen:
            seen.add((problem.path, problem.message))
            unique.append(problem)
    if unique or lead is None:
        raise ValidationError(unique)
    return lead


#: Social platforms and the channel (catalogue key) their messages arrive through.
SOCIAL_PLATFORM_CHANNELS: dict[str, str] = {
    "twitter": "social_media",
    "x": "social_media",
    "facebook": "social_media",
    "instagram": "social_media",
    "linkedin": "linkedin",
}


def _lower(value: str) -> str:
    return str(value).strip().lower()


class MessageKind(enum.Enum):
    """Whether a social message is public (a mention) or private (a direct message)."""

    PUBLIC = "public"
    DIRECT = "direct"


@attrs.frozen
class SocialMessage:
    """A message to customer service on a social platform.

    Args:
        platform: ``twitter``/``x``, ``facebook``, ``instagram``, ``linkedin`` (or any key
            of :data:`SOCIAL_PLATFORM_CHANNELS` you add).
        handle: the sender's handle on the platform.
        text: the message.
        received_at: when it arrived (aware).
        message_id: the platform's message id (becomes the case's ``remote_id``).
        kind: public mention or direct message.

    Examples:
        >>> from datetime import datetime, UTC
        >>> from crmkit.adapters.inbound import SocialMessage
        >>> SocialMessage("x", "@anna", "Where is my order?",
        ...               datetime(2025, 1, 1, tzinfo=UTC)).channel
        'social_media'
    """

    platform: str = attrs.field(converter=_lower)
    handle: str
    text: str
    received_at: datetime
    message_id: str | None = None
    kind: MessageKind = MessageKind.PUBLIC

    def __attrs_post_init__(self) -> None:
        problems = []
        if self.platform not in SOCIAL_PLATFORM_CHANNELS:
            known = ", ".join(sorted(SOCIAL_PLATFORM_CHANNELS))
            problems.append(
                Problem(
                    "message.platform",
                    self.platform,
                    f"is not a social platform crmkit knows ({known})",
                )
            )
        if not self.text.strip():
            problems.append(Problem("message.text", self.text, "must not be empty"))
        if self.received_at.utcoffset() is None:
            problems.append(
                Problem("message.received_at", self.received_at, "must be timezone-aware")
            )
        if problems:
            raise ValidationError(problems)

    @property
    def channel(self) -> str:
        """The channel key the message came through.

        Examples:
            >>> from datetime import datetime, UTC
            >>> from crmkit.adapters.inbound import SocialMessage
            >>> SocialMessage("linkedin", "anna-lind", "Hi",
            ...               datetime(2025, 1, 1, tzinfo=UTC)).channel
            'linkedin'
        """
        return SOCIAL_PLATFORM_CHANNELS[self.platform]


def case_from_message(
    message: SocialMessage,
    *,
    contact_id: str | None = None,
    account_id: str | None = None,
    problem_type: str | None = None,
) -> Case:
    """A new case for a social-media message, with the channel it came through.

    Examples:
        >>> from datetime import datetime, UTC
        >>> from crmkit.adapters.inbound import SocialMessage, case_from_message
        >>> msg = SocialMessage("twitter", "@anna", "My invoice is wrong, please help",
        ...                     datetime(2025, 3, 3, 8, tzinfo=UTC), message_id="tw-1")
        >>> case = case_from_message(msg)
        >>> case.origin_channel, case.subject, case.remote_id, case.status.value
        ('social_media', 'My invoice is wrong, please help', 'tw-1', 'new')
    """
    text = " ".join(message.text.split())
    subject = text if len(text) <= 80 else text[:79] + "…"
    return Case(
        subject,
        account_id=account_id,
        contact_id=contact_id,
        origin_channel=message.channel,
        problem_type=problem_type,
        opened_at=message.received_at,
        description=message.text,
        remote_id=message.message_id,
        remote_data={
            "platform": message.platform,
            "handle": message.handle,
            "kind": message.kind.value,
            "text": message.text,
        },
        created_at=message.received_at,
    )


class InboundDesk:
    """Receives forms and social messages and stores the leads and cases (idempotently).

    A social message's sender is matched to a contact whose custom property
    ``"<platform>_handle"`` equals the handle (``twitter_handle``); the case then names the
    contact and its account.

    Args:
        store: where leads and cases go.
        segmenter: segments form leads (e.g. a :class:`crmkit.segmentation.RuleSegments`).
        form: the form's field mapping.

    Examples:
        >>> from datetime import datetime, UTC
        >>> from crmkit.adapters import open_store
        >>> from crmkit.adapters.inbound import InboundDesk, SocialMessage
        >>> desk = InboundDesk(open_store("memory://"))
        >>> msg = SocialMessage("facebook", "anna.lind", "Delivery late",
        ...                     datetime(2025, 3, 3, tzinfo=UTC), message_id="fb-7")
        >>> desk.receive_message(msg).id == desk.receive_message(msg).id
        True
    """

    def __init__(
        self,
        store: Store,
        *,
        segmenter: Segmenter | None = None,
        form: InterestForm | None = None,
    ) -> None:
        self.store = store
        self.segmenter = segmenter
        self.form = form or InterestForm()

    def receive_form(
        self, payload: Mapping[str, Any], *, received_at: datetime | None = None
    ) -> Lead:
        """Store the lead of a form submission (once per submission id) and return it.

        Examples:
            >>> from crmkit.adapters import open_store
            >>> from crmkit.adapters.inbound import InboundDesk
            >>> store = open_store("memory://")
            >>> lead = InboundDesk(store).receive_form({"company": "Acme", "email": "a@acme.se"})
            >>> with store.unit_of_work() as uow:
            ...     uow.leads.get(lead.id).company_name
            'Acme'
        """
        lead = lead_from_form(
            payload, form=self.form, segmenter=self.segmenter, received_at=received_at
        )
        with self.store.unit_of_work() as uow:
            if lead.remote_id is not None:
                existing = uow.leads.find_by_remote_id(lead.remote_id)
                if existing is not None:
                    return existing
            return uow.leads.add(lead)

    def receive_message(self, message: SocialMessage, *, problem_type: str | None = None) -> Case:
        """Store a case for a social message (once per message id) and return it."""
        with self.store.unit_of_work() as uow:
            if message.message_id is not None:
                existing = uow.cases.find_by_remote_id(message.message_id)
                if existing is not None:
                    return existing
            contact_id = account_id = None
            from crmkit.adapters.ports import Query

            page = uow.contacts.find(
                Query(custom={f"{message.platform}_handle": message.handle}), limit=1
            )
            if page.items:
                contact_id, account_id = page.items[0].id, page.items[0].account_id
            case = case_from_message(
                message, contact_id=contact_id, account_id=account_id, problem_type=problem_type
            )
            return uow.cases.add(case)
