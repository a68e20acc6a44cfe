"""Outbound messages: recorded when sent, refused without active consent."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crmkit.adapters.outbound import (
    ConsentRequiredError,
    InMemoryMessageSender,
    Message,
    MessageChannel,
)
from crmkit.domain import Consent, Contact, LawfulBasis
from crmkit.errors import ValidationError

GIVEN = datetime(2024, 1, 1, tzinfo=UTC)
NOW = datetime(2025, 3, 3, tzinfo=UTC)


def _contact(consent: Consent | None) -> Contact:
    return Contact("Anna", "Lind", email="anna@lind.se", phone="+4670123", consent=consent)


@pytest.mark.parametrize("channel", list(MessageChannel))
def test_sends_and_records_with_active_consent(channel: MessageChannel) -> None:
    sender = InMemoryMessageSender()
    anna = _contact(Consent(LawfulBasis.CONSENT, GIVEN))
    message = Message(
        channel,
        "Spring offer",
        subject="Offer",
        url="https://hooks.example/x" if channel is MessageChannel.WEBHOOK else None,
    )
    sent = sender.send(anna, message, at=NOW)
    assert sender.sent == [sent]
    assert sender.sent_to(anna.id) == [sent]
    assert (
        sent.address
        == {"email": "anna@lind.se", "sms": "+4670123", "webhook": "https://hooks.example/x"}[
            channel.value
        ]
    )
    assert sent.sent_at == NOW


@pytest.mark.parametrize(
    ("consent", "reason"),
    [
        (None, "no active consent"),
        (
            Consent(LawfulBasis.CONSENT, GIVEN, withdrawn_at=datetime(2024, 6, 1, tzinfo=UTC)),
            "no active consent",
        ),
        (Consent(LawfulBasis.CONSENT, datetime(2026, 1, 1, tzinfo=UTC)), "no active consent"),
        (Consent(LawfulBasis.CONSENT, GIVEN, purpose="newsletter"), "is for newsletter"),
    ],
)
def test_refuses_without_active_consent_and_sends_nothing(
    consent: Consent | None, reason: str
) -> None:
    sender = InMemoryMessageSender()
    with pytest.raises(ConsentRequiredError, match=reason) as caught:
        sender.send(_contact(consent), Message(MessageChannel.EMAIL, "Offer"), at=NOW)
    assert caught.value.paths == ["contact.consent"]
    assert isinstance(caught.value, ValidationError)
    assert sender.sent == []


def test_missing_address_is_a_clear_error() -> None:
    sender = InMemoryMessageSender()
    bo = Contact("Bo", "Ek", consent=Consent(LawfulBasis.CONSENT, GIVEN))
    with pytest.raises(ValidationError, match=r"contact\.phone"):
        sender.send(bo, Message(MessageChannel.SMS, "Hi"), at=NOW)
    assert sender.sent == []
