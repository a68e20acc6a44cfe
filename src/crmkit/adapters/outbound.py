"""The outbound message port: e-mail, SMS and webhooks, never to a contact without consent.

:class:`MessageSender` is the port; :class:`InMemoryMessageSender` is the reference adapter
(it records what was sent, for tests and dry runs). Every sender checks, before sending, that
the contact has an active consent or other lawful basis at the moment of sending
(:meth:`crmkit.domain.Contact.can_contact`) whose purpose matches the message's; otherwise
it raises :class:`ConsentRequiredError` and sends nothing. Seed 001 (A1, L444) stresses that
contacting customers is tightly regulated (GDPR).

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
    crmkit.adapters.outbound.ConsentRequiredError: contact.consent: Bo Ek has no active consent or other lawful basis for marketing; nothing was sent
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any, Protocol

import attrs

from crmkit.domain.contact import Contact
from crmkit.domain.ids import new_id
from crmkit.errors import Problem, ValidationError

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


class ConsentRequiredError(ValidationError):
    """A message was refused because the contact has no active consent (or other lawful
    basis) for its purpose. Nothing was sent.

    Examples:
        >>> from crmkit.adapters.outbound import ConsentRequiredError
        >>> from crmkit.errors import ValidationError
        >>> issubclass(ConsentRequiredError, ValidationError)
        True
    """


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


def check_consent(contact: Contact, message: Message, at: datetime) -> None:
    """Raise :class:`ConsentRequiredError` unless ``contact`` may get ``message`` at ``at``.

    Examples:
        >>> from datetime import datetime, UTC
        >>> from crmkit.adapters.outbound import Message, MessageChannel, check_consent
        >>> from crmkit.domain import Consent, Contact, LawfulBasis
        >>> c = Contact("Anna", "Lind", consent=Consent(
        ...     LawfulBasis.CONSENT, datetime(2024, 1, 1, tzinfo=UTC), purpose="newsletter"))
        >>> check_consent(c, Message(MessageChannel.SMS, "Offer!"), datetime.now(UTC))
        Traceback (most recent call last):
        ...
        crmkit.adapters.outbound.ConsentRequiredError: contact.consent: Anna Lind's consent is for newsletter, not marketing; nothing was sent
    """
    name = contact.full_name
    if not contact.can_contact(at):
        raise ConsentRequiredError(
            [
                Problem(
                    "contact.consent",
                    message=f"{name} has no active consent or other lawful basis for "
                    f"{message.purpose}; nothing was sent",
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
        """Send ``message`` to ``contact``; refuse without consent."""
        ...


class InMemoryMessageSender:
    """Records messages instead of delivering them (tests, previews, dry runs).

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

    def __init__(self) -> None:
        self._sent: list[SentMessage] = []

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
        """Check consent and the address, then record the message.

        Examples:
            >>> from crmkit.adapters.outbound import InMemoryMessageSender, Message, MessageChannel
            >>> from crmkit.domain import Contact
            >>> InMemoryMessageSender().send(Contact("A", "B"), Message(MessageChannel.SMS, "x"))
            Traceback (most recent call last):
            ...
            crmkit.adapters.outbound.ConsentRequiredError: contact.consent: A B has no active consent or other lawful basis for marketing; nothing was sent
        """
        moment = at or datetime.now(UTC)
        check_consent(contact, message, moment)
        address = _address(contact, message)
        record = SentMessage(new_id(), contact.id, address, message, moment)
        self._sent.append(record)
        return record
