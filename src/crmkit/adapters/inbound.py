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
import hashlib
import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

import attrs

from crmkit.domain import limits
from crmkit.domain.case import Case
from crmkit.domain.channel import ChannelCatalogue, Direction, default_catalogue
from crmkit.domain.lead import Lead
from crmkit.errors import ConflictError, Problem, ValidationError

if TYPE_CHECKING:
    from crmkit.adapters.ports import Store

__all__ = [
    "PROBLEMS_KEY",
    "SOCIAL_PLATFORM_CHANNELS",
    "FormReading",
    "InboundDesk",
    "InterestForm",
    "Segmenter",
    "SocialMessage",
    "case_from_message",
    "form_record",
    "lead_from_form",
    "read_form",
    "storable",
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


#: The ``remote_data`` key under which a lead or case keeps the problems found in its input.
PROBLEMS_KEY = "crmkit_problems"
# Longest problem text kept in ``remote_data[PROBLEMS_KEY]``.
_PROBLEM_TEXT_MAX = 500
_SURROGATES = re.compile("[\ud800-\udfff]")


def _clean_text(value: str, path: str, problems: list[Problem]) -> str:
    """``value`` made storable: NUL removed, lone surrogates replaced, cut to TEXT_MAX."""
    if limits.text_problem(value) is None:
        return value
    cleaned = _SURROGATES.sub("\ufffd", value.replace("\x00", ""))
    if cleaned != value:
        problems.append(
            Problem(path, value[:80], "had characters text cannot hold; they were replaced")
        )
    if len(cleaned) > limits.TEXT_MAX:
        problems.append(
            Problem(
                path,
                cleaned[:80],
                f"was cut to {limits.TEXT_MAX} characters (it had {len(cleaned)})",
            )
        )
        cleaned = cleaned[: limits.TEXT_MAX]
    return cleaned


def storable(value: Any, path: str, problems: list[Problem], depth: int = 1) -> Any:
    """A raw inbound value as JSON data every store holds, reporting what had to change.

    Text loses NUL characters and lone surrogates and is cut to
    :data:`~crmkit.domain.limits.TEXT_MAX`; NaN, ±Infinity and integers beyond 64 bits are
    kept as text; mappings get string keys; tuples and sets become lists; anything else is
    kept as its text. Each change adds a :class:`~crmkit.errors.Problem` at ``path``.

    Examples:
        >>> from crmkit.adapters.inbound import storable
        >>> problems = []
        >>> storable({"score": float("nan"), 3: ("a", 2**70)}, "form", problems)
        {'score': 'nan', '3': ['a', '1180591620717411303424']}
        >>> [p.path for p in problems]
        ['form.score', 'form.3[1]']
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return _clean_text(value, path, problems)
    if isinstance(value, int):
        if limits.int_problem(value) is None:
            return value
        problems.append(Problem(path, value, "is beyond 64-bit integers; kept as text"))
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        problems.append(Problem(path, value, "is not a finite number; kept as text"))
        return repr(value)
    if depth >= limits.DEPTH_MAX - 1 and isinstance(value, Mapping | list | tuple | set):
        problems.append(Problem(path, message="is nested too deeply; kept as text"))
        return _clean_text(repr(value), path, problems)
    if isinstance(value, Mapping):
        result: dict[str, Any] = {}
        for key, item in value.items():
            name = _clean_text(str(key), f"{path}.{key}", problems)
            while name in result:  # two keys that read the same: keep both
                name += "'"
            result[name] = storable(item, f"{path}.{key}", problems, depth + 1)
        return result
    if isinstance(value, list | tuple | set | frozenset):
        return [
            storable(item, f"{path}[{index}]", problems, depth + 1)
            for index, item in enumerate(value)
        ]
    problems.append(Problem(path, message=f"is a {type(value).__name__}; kept as text"))
    return _clean_text(str(value), path, problems)


def _field_text(value: Any, path: str, problems: list[Problem]) -> str | None:
    """A form value for a text field of the lead (``None``: unusable, reported)."""
    if isinstance(value, float) and not math.isfinite(value):
        problems.append(
            Problem(path, value, "is not a finite number; kept as text in remote_data only")
        )
        return None
    if isinstance(value, Mapping | list | tuple | set):
        problems.append(Problem(path, message="is not a single value; kept in remote_data only"))
        return None
    text = value.strip() if isinstance(value, str) else str(value)
    return _clean_text(text, path, problems) or None


def _remote_id(value: str, path: str, problems: list[Problem]) -> str:
    """A submission or message id as a ``remote_id``: too long ones become a stable digest."""
    if len(value) <= limits.REMOTE_ID_MAX:
        return value
    digest = "sha256:" + hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()
    problems.append(Problem(path, value[:80], f"is too long for a remote id; stored as {digest}"))
    return digest


def _with_problems(remote_data: dict[str, Any], problems: list[Problem]) -> dict[str, Any]:
    if not problems:
        return remote_data
    data = dict(remote_data)
    if PROBLEMS_KEY in data:
        data[f"form:{PROBLEMS_KEY}"] = data.pop(PROBLEMS_KEY)
    data[PROBLEMS_KEY] = [
        _SURROGATES.sub("\ufffd", str(problem).replace("\x00", "\\x00"))[:_PROBLEM_TEXT_MAX]
        for problem in problems
    ]
    return data


@attrs.frozen
class FormReading:
    """A form submission read into a lead, with every problem found on the way.

    ``problems`` lists what could not be used as given (an invalid e-mail address, a field
    name that is not a property name, ``NaN`` …); none of them stopped the lead, and the raw
    values are all in ``lead.remote_data`` (the problems too, under
    :data:`PROBLEMS_KEY`).

    Examples:
        >>> from crmkit.adapters.inbound import read_form
        >>> reading = read_form({"company": "Acme", "g-recaptcha-response": "03AGdBq2"})
        >>> reading.lead.remote_data["g-recaptcha-response"]
        '03AGdBq2'
        >>> [p.path for p in reading.problems]
        ['form.g-recaptcha-response']
    """

    lead: Lead
    problems: tuple[Problem, ...] = ()


def lead_from_form(
    payload: Mapping[str, Any],
    *,
    form: InterestForm | None = None,
    segmenter: Segmenter | None = None,
    received_at: datetime | None = None,
    catalogue: ChannelCatalogue | None = None,
) -> Lead:
    """Build an inbound lead from an interest-form payload and segment it.

    Only a form without a usable company name gives no lead. Everything else that cannot be
    used as given — a field name that is not a property name (``g-recaptcha-response``,
    ``utm source``, ``3``), an invalid e-mail address, a number that is not whole, ``NaN`` —
    is left out of the lead's fields, kept raw in ``remote_data`` and reported (see
    :func:`read_form`, which returns the problems too).

    Raises:
        ValidationError: when no lead can be made; every problem, with paths
            ``form.<field name>``.

    Examples:
        >>> from crmkit.adapters.inbound import lead_from_form
        >>> lead = lead_from_form({"company": "Acme", "email": "not-an-address",
        ...                        "utm source": "newsletter"})
        >>> lead.email is None, lead.remote_data["email"], lead.remote_data["utm source"]
        (True, 'not-an-address', 'newsletter')
        >>> for problem in lead.remote_data["crmkit_problems"]:
        ...     print(problem)
        form.utm source: 'utm source' is not a valid property name; kept in remote_data only
        form.email: 'not-an-address' is not an e-mail address; kept in remote_data only
        >>> lead_from_form({"company": "", "email": "not-an-address"})
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: form.company: is required (the company's name)
        form.email: 'not-an-address' is not an e-mail address; kept in remote_data only
    """
    return read_form(
        payload, form=form, segmenter=segmenter, received_at=received_at, catalogue=catalogue
    ).lead


def read_form(
    payload: Mapping[str, Any],
    *,
    form: InterestForm | None = None,
    segmenter: Segmenter | None = None,
    received_at: datetime | None = None,
    catalogue: ChannelCatalogue | None = None,
) -> FormReading:
    """Read an interest-form payload into a lead plus the problems found (see
    :func:`lead_from_form`).

    Raises:
        ValidationError: when the payload is not a mapping, the form's channel is unknown or
            the company name is missing; the error lists every problem.

    Examples:
        >>> from crmkit.adapters.inbound import read_form
        >>> reading = read_form({"company": "Acme", "employees": "many", "score": float("inf")})
        >>> reading.lead.employees, reading.lead.remote_data["score"]
        (None, 'inf')
        >>> for problem in reading.problems:
        ...     print(problem)
        form.score: inf is not a finite number; kept as text
        form.employees: 'many' is not a whole number; kept in remote_data only
    """
    form = form or InterestForm()
    catalogue = catalogue or default_catalogue()
    if form.channel not in catalogue:
        raise ValidationError.single("form.channel", form.channel, "is not a known channel")
    if not isinstance(payload, Mapping):
        raise ValidationError.single(
            "form", type(payload).__name__, "must be a mapping of field names to values"
        )
    moment = received_at or datetime.now(UTC)
    problems: list[Problem] = []
    raw: dict[str, Any] = storable(payload, "form", problems)
    used: dict[str, str] = {}
    values: dict[str, Any] = {}
    for field, names in form.aliases.items():
        for name in names:
            if name in payload and payload[name] not in (None, ""):
                values[field] = payload[name]
                used[field] = name
                break
    if "company_name" not in used:  # name the company field as the form has it
        aliases = form.aliases.get("company_name", ()) or ("company_name",)
        used["company_name"] = next((n for n in aliases if n in payload), aliases[0])
    kwargs: dict[str, Any] = {}
    for field in (*_LEAD_FIELDS, "name", "remote_id", "contact_reason"):
        if field in values:
            text = _field_text(values[field], f"form.{used[field]}", problems)
            if text is not None:
                kwargs[field] = text
    name = kwargs.pop("name", None)
    if name is not None and "first_name" not in kwargs and "last_name" not in kwargs:
        first, _, last = name.partition(" ")
        kwargs["first_name"], kwargs["last_name"] = first, last.strip() or None
    if "remote_id" in kwargs:
        kwargs["remote_id"] = _remote_id(kwargs["remote_id"], f"form.{used['remote_id']}", problems)
    for field in ("employees", "buying_stage"):
        if field in values:
            number = _whole_number(values[field])
            if number is None:
                problems.append(
                    Problem(
                        f"form.{used[field]}",
                        values[field],
                        "is not a whole number; kept in remote_data only",
                    )
                )
            else:
                kwargs[field] = number
    custom: dict[str, Any] = {}
    if "contact_reason" in kwargs:
        custom["contact_reason"] = kwargs.pop("contact_reason")
    unknown: dict[str, str] = {}
    if form.keep_unknown:
        known = {n for names in form.aliases.values() for n in names}
        # ``raw`` has one (cleaned) key per payload field, in the payload's order.
        for (key, value), label in zip(payload.items(), raw, strict=True):
            if str(key) in known or isinstance(value, Mapping | list | tuple | set):
                continue
            if not isinstance(value, str | int | float | bool):
                continue
            if isinstance(value, str) or limits.scalar_problem(value) is None:
                unknown[label] = label
                custom[label] = raw[label]
    fields = {
        **kwargs,
        "source_channel": form.channel,
        "custom": custom,
        "created_at": moment.isoformat(),
    }
    lead = _build_lead(fields, used, unknown, problems)
    lead.remote_data = raw
    if segmenter is not None:
        lead = _segmented(lead, segmenter, problems)
    lead.remote_data = _with_problems(raw, problems)
    return FormReading(lead, tuple(problems))


def _whole_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if limits.int_problem(value) is None else None
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.lstrip("+-").isdigit() and len(text) <= 19:
            return int(text)
    return None


def _build_lead(
    fields: dict[str, Any],
    used: Mapping[str, str],
    unknown: Mapping[str, str],
    problems: list[Problem],
) -> Lead:
    """The lead of ``fields``; fields the domain refuses are left out and reported, except
    the company name, without which there is no lead."""
    from crmkit.serde import from_dict

    fields["direction"] = Direction.INBOUND.value
    fatal: list[Problem] = []
    if "company_name" not in fields:
        label = used.get("company_name", "company_name")
        fatal.append(Problem(f"form.{label}", message="is required (the company's name)"))
        fields["company_name"] = "-"  # a stand-in, to find the other fields' problems too
    for _attempt in range(4):
        try:
            lead = from_dict(Lead, fields)
        except ValidationError as exc:
            dropped = False
            for problem in exc.problems:
                field, _, rest = problem.path.removeprefix("lead.").partition(".")
                if field == "custom" and rest in fields["custom"]:
                    name = unknown.get(rest, rest)
                    message = problem.message + "; kept in remote_data only"
                    problems.append(_problem(f"form.{name}", problem, message))
                    fields["custom"] = {k: v for k, v in fields["custom"].items() if k != rest}
                    dropped = True
                elif field in fields and field not in ("company_name", "custom"):
                    path = f"form.{used.get(field, field)}"
                    problems.append(
                        _problem(path, problem, problem.message + "; kept in remote_data only")
                    )
                    del fields[field]
                    dropped = True
                else:
                    path = f"form.{used.get(field, field)}"
                    fatal.append(_problem(path, problem, problem.message))
            if not dropped:
                fatal.extend(exc.problems)
                break
        else:
            if not fatal:
                return lead
            break
    raise ValidationError(_unique([*fatal, *problems]))


def _problem(path: str, problem: Problem, message: str) -> Problem:
    if problem.has_value:
        return Problem(path, problem.value, message)
    return Problem(path, message=message)


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[str, str]] = set()
    unique = []
    for problem in problems:
        if (problem.path, problem.message) not in seen:
            seen.add((problem.path, problem.message))
            unique.append(problem)
    return unique


def _segmented(lead: Lead, segmenter: Segmenter, problems: list[Problem]) -> Lead:
    """``lead`` with ``custom["segment"]`` set; a failing segmenter is reported, not fatal."""
    try:
        segment = segmenter.segment_of(form_record(lead))
    except Exception as error:  # a rule that cannot read this form must not lose the lead
        problems.append(
            Problem("segment", message=f"could not be assigned: {type(error).__name__}: {error}")
        )
        return lead
    if segment is None:
        return lead
    if not isinstance(segment, str) or limits.text_problem(segment, limits.KEY_MAX):
        problems.append(Problem("segment", segment, "is not a segment name; not assigned"))
        return lead
    lead.custom = {**lead.custom, "segment": segment}
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


def _as_text(value: Any) -> str:
    """A message field as text: numbers (``NaN`` too) and other values by their text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return repr(value) if isinstance(value, float) else str(value)


def _optional_text(value: Any) -> str | None:
    return None if value is None else _as_text(value)


def _kind(value: Any) -> MessageKind:
    if isinstance(value, MessageKind):
        return value
    try:
        return MessageKind(str(value).strip().lower())
    except ValueError:
        raise ValidationError.single(
            "message.kind", value, "must be 'public' or 'direct'"
        ) from None


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
        text: the message (may be empty: a picture-only message still becomes a case).
        received_at: when it arrived (aware).
        message_id: the platform's message id (becomes the case's ``remote_id``).
        kind: public mention or direct message.

    A handle, text or message id that arrives as a number (``NaN`` included) is kept as its
    text, so no message is refused for its content; only an unknown platform or a
    received-at time that is not an aware datetime is a
    :class:`~crmkit.errors.ValidationError`.

    Examples:
        >>> from datetime import datetime, UTC
        >>> from crmkit.adapters.inbound import SocialMessage
        >>> SocialMessage("x", "@anna", "Where is my order?",
        ...               datetime(2025, 1, 1, tzinfo=UTC)).channel
        'social_media'
    """

    platform: str = attrs.field(converter=_lower)
    handle: str = attrs.field(converter=_as_text)
    text: str = attrs.field(converter=_as_text)
    received_at: datetime
    message_id: str | None = attrs.field(default=None, converter=_optional_text)
    kind: MessageKind = attrs.field(default=MessageKind.PUBLIC, converter=_kind)

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
        moment: Any = self.received_at  # callers may pass anything; check it
        if not isinstance(moment, datetime):
            problems.append(
                Problem("message.received_at", self.received_at, "must be an aware datetime")
            )
        elif self.received_at.utcoffset() is None:
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

    Text that no store can hold (NUL characters, lone surrogates, more than
    :data:`~crmkit.domain.limits.TEXT_MAX` characters) is cleaned, and a message id too long
    for a remote id is replaced by its SHA-256 digest (the same id gives the same digest, so
    the desk stays idempotent); each change is reported in
    ``case.remote_data["crmkit_problems"]``.

    Examples:
        >>> from datetime import datetime, UTC
        >>> from crmkit.adapters.inbound import SocialMessage, case_from_message
        >>> msg = SocialMessage("twitter", "@anna", "My invoice is wrong, please help",
        ...                     datetime(2025, 3, 3, 8, tzinfo=UTC), message_id="tw-1")
        >>> case = case_from_message(msg)
        >>> case.origin_channel, case.subject, case.remote_id, case.status.value
        ('social_media', 'My invoice is wrong, please help', 'tw-1', 'new')
        >>> odd = SocialMessage("x", float("nan"), "\\x00", datetime(2025, 3, 3, tzinfo=UTC))
        >>> case = case_from_message(odd)
        >>> case.subject, case.remote_data["handle"], len(case.remote_data["crmkit_problems"])
        ('(empty message from nan)', 'nan', 1)
    """
    problems: list[Problem] = []
    body = _clean_text(message.text, "message.text", problems)
    handle = _clean_text(message.handle, "message.handle", problems)
    text = " ".join(body.split())
    if not text:
        text = f"(empty message from {handle[:40]})" if handle.strip() else "(empty message)"
    subject = text if len(text) <= 80 else text[:79] + "…"
    remote_id = _message_remote_id(message, problems)
    return Case(
        subject,
        account_id=account_id,
        contact_id=contact_id,
        origin_channel=message.channel,
        problem_type=problem_type,
        opened_at=message.received_at,
        description=body,
        remote_id=remote_id,
        remote_data=_with_problems(
            {
                "platform": message.platform,
                "handle": handle,
                "kind": message.kind.value,
                "text": body,
            },
            problems,
        ),
        created_at=message.received_at,
    )


def _message_remote_id(message: SocialMessage, problems: list[Problem]) -> str | None:
    if message.message_id is None:
        return None
    cleaned = _clean_text(message.message_id, "message.message_id", problems).strip()
    if not cleaned:
        problems.append(Problem("message.message_id", message.message_id, "is blank; not used"))
        return None
    return _remote_id(cleaned, "message.message_id", problems)


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
        stored: Lead = self._store_once("leads", lead)
        return stored

    def receive_message(self, message: SocialMessage, *, problem_type: str | None = None) -> Case:
        """Store a case for a social message (once per message id) and return it."""
        from crmkit.adapters.ports import Query

        case = case_from_message(message, problem_type=problem_type)
        handle = case.remote_data["handle"]
        if handle:
            with self.store.unit_of_work() as uow:
                page = uow.contacts.find(
                    Query(custom={f"{message.platform}_handle": handle}), limit=1
                )
            if page.items:
                case.contact_id = page.items[0].id
                case.account_id = page.items[0].account_id
        stored: Case = self._store_once("cases", case)
        return stored

    def _store_once(self, aggregate: str, entity: Any) -> Any:
        """Add ``entity`` unless one with its remote id is stored; a concurrent delivery of
        the same submission that wins the race is returned instead of failing."""
        for _attempt in range(2):
            try:
                with self.store.unit_of_work() as uow:
                    repository = uow.repository(aggregate)
                    if entity.remote_id is not None:
                        existing = repository.find_by_remote_id(entity.remote_id)
                        if existing is not None:
                            return existing
                    return repository.add(entity)
            except ConflictError:
                if entity.remote_id is None:
                    raise
        raise ConflictError(  # pragma: no cover - needs a remote id taken and freed meanwhile
            f"{aggregate}: remote id {entity.remote_id!r} kept changing owner; try again"
        )
