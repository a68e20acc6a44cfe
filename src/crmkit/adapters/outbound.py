"""The outbound message port: e-mail, SMS and webhooks, never to a contact without consent.

:class:`MessageSender` is the port; :class:`InMemoryMessageSender` is the reference adapter
(it records what was sent, for tests and dry runs). Every sender checks, before sending, that
the contact has an active consent or other lawful basis whose purpose matches the message's
(:func:`check_consent`); otherwise it raises :class:`ConsentRequiredError` and sends nothing.
Seed 001 (A1, L444) stresses that contacting customers is tightly regulated (GDPR).

The check cannot be side-stepped:

* given a ``store``, a sender reads the contact **as stored** at send time and checks that
  one (and the caller's copy too): a withdrawal saved by someone else since the caller loaded
  the contact stops the message;
* the consent must hold both at the given ``at`` and now, so a back-dated ``at`` cannot
  reach behind a withdrawal;
* a naive ``at`` is a :class:`~crmkit.errors.ValidationError`.

Examples:
    >>> from datetime import datetime, UTC
    >>> from crmkit.adapters.outbound import InMemoryMessageSender, Message, MessageChannel
    >>> from crmkit.domain import Consent, Contact, LawfulBasis
    >>> anna = Contact("Anna", "Lind", email="anna@lind.se",
    ...                consent=Consent(LawfulBasis.CONSENT, datetime(2024, 1, 1, tzinfo=UTC)))
    >>> bo = Contact("Bo", "Ek", email="bo@ek.se")
    >>> sender = InMemoryMessageSender()
    >>> sent = sender.send(anna, Message(MessageChannel.EMAIL, "Hello", subject="News"))
    >>> sent.address, len(sender.sent)
    ('anna@lind.se', 1)
    >>> sender.send(bo, Message(MessageChannel.EMAIL, "Hello"))
    Traceback (most recent call last):
    ...
    crmkit.errors.ConsentRequiredError: contact.consent: Bo Ek has no active consent or other lawful basis for marketing; nothing was sent
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

import attrs

from crmkit.domain.contact import Contact
from crmkit.domain.ids import new_id
from crmkit.errors import ConsentRequiredError, NotFoundError, Problem, ValidationError

if TYPE_CHECKING:
    from crmkit.adapters.ports import Store

__all__ = [
    "ConsentRequiredError",
    "InMemoryMessageSender",
    "Message",
    "MessageChannel",
    "MessageSender",
    "SentMessage",
    "check_consent",
]


class MessageChannel(enum.Enum):
    """How a message is delivered.

    Examples:
        >>> from crmkit.adapters.outbound import MessageChannel
        >>> MessageChannel("sms").catalogue_key
        'sms'
    """

    EMAIL = "email"
    SMS = "sms"
    WEBHOOK = "webhook"

    @property
    def catalogue_key(self) -> str:
        """The :class:`~crmkit.domain.ChannelCatalogue` key of the channel.

        Examples:
            >>> from crmkit.adapters.outbound import MessageChannel
            >>> MessageChannel.WEBHOOK.catalogue_key
            'website'
        """
        return {"email": "email", "sms": "sms", "webhook": "website"}[self.value]


@attrs.frozen
class Message:
    """An outbound message.

    Args:
        channel: e-mail, SMS or webhook.
        body: the text (or JSON text for a webhook).
        subject: the e-mail subject.
        purpose: what the message is for; must equal the consent's purpose
            (``"marketing"`` by default).
        url: the webhook endpoint (webhooks only).

    Examples:
        >>> from crmkit.adapters.outbound import Message, MessageChannel
        >>> Message(MessageChannel.WEBHOOK, "{}")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: message.url: a webhook needs a url
    """

    channel: MessageChannel
    body: str
    subject: str | None = None
    purpose: str = "marketing"
    url: str | None = None

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.channel, MessageChannel):
            raise ValidationError.single(
                "message.channel", self.channel, "is not email, sms or webhook"
            )
        if self.channel is MessageChannel.WEBHOOK and not self.url:
            raise ValidationError.single("message.url", message="a webhook needs a url")


@attrs.frozen
class SentMessage:
    """A message that was sent: to whom, where, when.

    Examples:
        >>> from datetime import datetime, UTC
        >>> from crmkit.adapters.outbound import Message, MessageChannel, SentMessage
        >>> SentMessage("m1", "c1", "a@b.se", Message(MessageChannel.SMS, "Hi"),
        ...             datetime(2025, 1, 1, tzinfo=UTC)).contact_id
        'c1'
    """

    id: str
    contact_id: str
    address: str
    message: Message
    sent_at: datetime


def _moment(at: Any, path: str = "at") -> datetime:
    if not isinstance(at, datetime):
        raise ValidationError.single(path, at, "must be an aware datetime")
    if at.utcoffset() is None:
        raise ValidationError.single(path, at, "must be timezone-aware")
    return at


def check_consent(
    contact: Contact, message: Message, at: datetime, *, now: datetime | None = None
) -> None:
    """Raise :class:`ConsentRequiredError` unless ``contact`` may get ``message`` at ``at``.

    The consent must be active at ``at`` and at ``now`` (the real time of sending, the
    current time by default): a back-dated ``at`` cannot reach behind a withdrawal. Naive
    datetimes are a :class:`~crmkit.errors.ValidationError`.

    Examples:
        >>> from datetime import datetime, UTC
        >>> from crmkit.adapters.outbound import Message, MessageChannel, check_consent
        >>> from crmkit.domain import Consent, Contact, LawfulBasis
        >>> c = Contact("Anna", "Lind", consent=Consent(
        ...     LawfulBasis.CONSENT, datetime(2024, 1, 1, tzinfo=UTC), purpose="newsletter"))
        >>> check_consent(c, Message(MessageChannel.SMS, "Offer!"), datetime.now(UTC))
        Traceback (most recent call last):
        ...
        crmkit.errors.ConsentRequiredError: contact.consent: Anna Lind's consent is for newsletter, not marketing; nothing was sent
        >>> withdrawn = Contact("Bo", "Ek", consent=Consent(
        ...     LawfulBasis.CONSENT, datetime(2024, 1, 1, tzinfo=UTC),
        ...     withdrawn_at=datetime(2024, 6, 1, tzinfo=UTC)))
        >>> check_consent(withdrawn, Message(MessageChannel.SMS, "Hi"),
        ...               datetime(2024, 3, 1, tzinfo=UTC))  # back-dated: still refused
        Traceback (most recent call last):
        ...
        crmkit.errors.ConsentRequiredError: contact.consent: Bo Ek has no active consent or other lawful basis for marketing (it was withdrawn on 2024-06-01); nothing was sent
    """
    moments = [_moment(at)]
    moments.append(_moment(now, "now") if now is not None else datetime.now(UTC))
    name = contact.full_name
    consent = contact.consent
    if not all(contact.can_contact(moment) for moment in moments):
        why = ""
        if consent is not None and consent.withdrawn_at is not None:
            why = f" (it was withdrawn on {consent.withdrawn_at.date().isoformat()})"
        raise ConsentRequiredError(
            [
                Problem(
                    "contact.consent",
                    message=f"{name} has no active consent or other lawful basis for "
                    f"{message.purpose}{why}; nothing was sent",
                )
            ]
        )
    assert contact.consent is not None
    if contact.consent.purpose != message.purpose:
        raise ConsentRequiredError(
            [
                Problem(
                    "contact.consent",
                    message=f"{name}'s consent is for {contact.consent.purpose}, not "
                    f"{message.purpose}; nothing was sent",
                )
            ]
        )


def _address(contact: Contact, message: Message) -> str:
    if message.channel is MessageChannel.EMAIL:
        if not contact.email:
            raise ValidationError.single("contact.email", message="is missing; cannot e-mail")
        return contact.email
    if message.channel is MessageChannel.SMS:
        if not contact.phone:
            raise ValidationError.single("contact.phone", message="is missing; cannot send SMS")
        return contact.phone
    assert message.url is not None
    return message.url


class MessageSender(Protocol):
    """The outbound message port.

    Examples:
        >>> from crmkit.adapters.outbound import InMemoryMessageSender, MessageSender
        >>> sender: MessageSender = InMemoryMessageSender()
        >>> sender.sent
        []
    """

    @property
    def sent(self) -> list[SentMessage]:
        """What this sender has sent (adapters may return only a recent window)."""
        ...

    def send(
        self, contact: Contact, message: Message, *, at: datetime | None = None
    ) -> SentMessage:
        """Send ``message`` to ``contact``; refuse without consent (see :func:`check_consent`)."""
        ...


class InMemoryMessageSender:
    """Records messages instead of delivering them (tests, previews, dry runs).

    Args:
        store: where contacts are stored. When given, :meth:`send` reads the contact as
            stored at send time and checks its consent (as well as the caller's copy), and
            uses the stored address; a contact that is not stored is refused. Without a
            store only the caller's object is checked.
        clock: the current time (default: the system clock in UTC); tests pass a fixed one.

    Examples:
        >>> from datetime import datetime, UTC
        >>> from crmkit.adapters.outbound import InMemoryMessageSender, Message, MessageChannel
        >>> from crmkit.domain import Consent, Contact, LawfulBasis
        >>> c = Contact("Anna", "Lind", phone="+4670123",
        ...             consent=Consent(LawfulBasis.CONSENT, datetime(2024, 1, 1, tzinfo=UTC)))
        >>> sender = InMemoryMessageSender()
        >>> _ = sender.send(c, Message(MessageChannel.SMS, "Hi"))
        >>> [m.address for m in sender.sent_to(c.id)]
        ['+4670123']
    """

    def __init__(
        self, store: Store | None = None, *, clock: Callable[[], datetime] | None = None
    ) -> None:
        self._sent: list[SentMessage] = []
        self._store = store
        self._clock = clock or (lambda: datetime.now(UTC))

    @property
    def sent(self) -> list[SentMessage]:
        """Every message sent, oldest first."""
        return list(self._sent)

    def sent_to(self, contact_id: str) -> list[SentMessage]:
        """The messages sent to one contact."""
        return [m for m in self._sent if m.contact_id == contact_id]

    def send(
        self, contact: Contact, message: Message, *, at: datetime | None = None, **_: Any
    ) -> SentMessage:
        """Check consent (of the stored contact, with a store) and the address, then record
        the message.

        Examples:
            >>> from crmkit.adapters.outbound import InMemoryMessageSender, Message, MessageChannel
            >>> from crmkit.domain import Contact
            >>> InMemoryMessageSender().send(Contact("A", "B"), Message(MessageChannel.SMS, "x"))
            Traceback (most recent call last):
            ...
            crmkit.errors.ConsentRequiredError: contact.consent: A B has no active consent or other lawful basis for marketing; nothing was sent
            >>> from datetime import datetime, UTC
            >>> from crmkit.adapters import open_store
            >>> from crmkit.domain import Consent, LawfulBasis
            >>> store = open_store("memory://")
            >>> anna = Contact("Anna", "Lind", phone="+4670123", consent=Consent(
            ...     LawfulBasis.CONSENT, datetime(2024, 1, 1, tzinfo=UTC)))
            >>> with store.unit_of_work() as uow:
            ...     _ = uow.contacts.add(anna)
            >>> with store.unit_of_work() as uow:  # someone records her withdrawal
            ...     stored = uow.contacts.get(anna.id)
            ...     stored.consent = stored.consent.withdraw(datetime(2025, 1, 1, tzinfo=UTC))
            ...     _ = uow.contacts.save(stored)
            >>> InMemoryMessageSender(store).send(anna, Message(MessageChannel.SMS, "Offer"))
            Traceback (most recent call last):
            ...
            crmkit.errors.ConsentRequiredError: contact.consent: Anna Lind has no active consent or other lawful basis for marketing (it was withdrawn on 2025-01-01); nothing was sent
        """
        now = _moment(self._clock(), "clock")
        moment = now if at is None else _moment(at)
        target = self._stored(contact)
        check_consent(target, message, moment, now=now)
        if target is not contact:  # an unsaved withdrawal on the caller's copy counts too
            check_consent(contact, message, moment, now=now)
        address = _address(target, message)
        record = SentMessage(new_id(), target.id, address, message, moment)
        self._sent.append(record)
        return record

    def _stored(self, contact: Contact) -> Contact:
        if self._store is None:
            return contact
        with self._store.unit_of_work() as uow:
            try:
                stored: Contact = uow.contacts.get(contact.id)
            except NotFoundError:
                raise ConsentRequiredError(
                    [
                        Problem(
                            "contact.id",
                            contact.id,
                            f"is not a contact in {self._store.url}, so its consent cannot "
                            "be checked; store the contact first; nothing was sent",
                        )
                    ]
                ) from None
        return stored
