"""Hostile outbound sends: nothing reaches a contact whose consent is withdrawn.

The sender reads the contact as stored at send time (a stale copy in the caller's hand does
not count), a back-dated ``at`` cannot reach behind a withdrawal, and naive or non-datetime
times are refused — in memory, in a SQLite file and in PostgreSQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from crmkit.adapters import Store, open_store
from crmkit.adapters.outbound import (
    ConsentRequiredError,
    InMemoryMessageSender,
    Message,
    MessageChannel,
    check_consent,
)
from crmkit.domain import Consent, Contact, LawfulBasis
from crmkit.errors import ValidationError
from tests.backends import pg_url, require_backend

GIVEN = datetime(2024, 1, 1, tzinfo=UTC)
WITHDRAWN = datetime(2025, 1, 1, tzinfo=UTC)
NOW = datetime(2025, 6, 1, tzinfo=UTC)
OFFER = Message(MessageChannel.EMAIL, "Spring offer", subject="Offer")


def clock() -> datetime:
    return NOW


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    schema = f"crmkit_outbound_{uuid.uuid4().hex[:12]}"  # unique across xdist workers
    if request.param == "memory":
        opened = open_store("memory://")
    elif request.param == "sqlite":
        opened = open_store(f"sqlite:///{tmp_path / 'crm.db'}")
    else:
        url = pg_url()
        require_backend("postgresql", url is not None, "set CRMKIT_PG_URL (bash .ci/postgres.sh)")
        assert url is not None
        opened = open_store(url, schema=schema)
    yield opened
    if request.param == "postgresql":
        from crmkit.adapters.sql import SqlStore

        assert isinstance(opened, SqlStore)
        with opened.engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    opened.close()


def _stored_anna(store: Store) -> Contact:
    anna = Contact(
        "Anna",
        "Lind",
        email="anna@lind.se",
        phone="+4670123",
        consent=Consent(LawfulBasis.CONSENT, GIVEN),
    )
    with store.unit_of_work() as uow:
        uow.contacts.add(anna)
    return anna


def _withdraw_in_store(store: Store, contact_id: str) -> None:
    with store.unit_of_work() as uow:
        stored = uow.contacts.get(contact_id)
        stored.consent = stored.consent.withdraw(WITHDRAWN)
        uow.contacts.save(stored)


def test_a_withdrawal_in_the_store_stops_a_stale_copy(store: Store) -> None:
    stale = _stored_anna(store)
    sender = InMemoryMessageSender(store, clock=clock)
    sender.send(stale, OFFER)  # consent active: sent
    _withdraw_in_store(store, stale.id)
    assert stale.can_contact(NOW)  # the caller's copy still says yes …
    with pytest.raises(ConsentRequiredError, match="withdrawn on 2025-01-01") as caught:
        sender.send(stale, OFFER)  # … the stored contact says no
    assert caught.value.paths == ["contact.consent"]
    assert len(sender.sent) == 1


@pytest.mark.parametrize(
    "at",
    [GIVEN + timedelta(days=1), WITHDRAWN - timedelta(microseconds=1), WITHDRAWN],
    ids=["a-year-back", "just-before", "at-withdrawal"],
)
def test_a_back_dated_send_cannot_reach_behind_a_withdrawal(store: Store, at: datetime) -> None:
    anna = _stored_anna(store)
    _withdraw_in_store(store, anna.id)
    sender = InMemoryMessageSender(store, clock=clock)
    with pytest.raises(ConsentRequiredError, match="withdrawn"):
        sender.send(anna, OFFER, at=at)
    assert sender.sent == []


def test_a_back_dated_send_on_the_callers_copy_is_refused_too() -> None:
    withdrawn = Contact(
        "Bo",
        "Ek",
        email="bo@ek.se",
        consent=Consent(LawfulBasis.CONSENT, GIVEN, withdrawn_at=WITHDRAWN),
    )
    sender = InMemoryMessageSender(clock=clock)
    with pytest.raises(ConsentRequiredError, match="withdrawn"):
        sender.send(withdrawn, OFFER, at=GIVEN + timedelta(days=30))
    with pytest.raises(ConsentRequiredError):
        check_consent(withdrawn, OFFER, GIVEN + timedelta(days=30), now=NOW)
    assert sender.sent == []


def test_an_unsaved_withdrawal_on_the_callers_copy_also_stops_the_send(store: Store) -> None:
    anna = _stored_anna(store)
    assert anna.consent is not None
    anna.consent = anna.consent.withdraw(WITHDRAWN)  # not saved
    sender = InMemoryMessageSender(store, clock=clock)
    with pytest.raises(ConsentRequiredError):
        sender.send(anna, OFFER)
    assert sender.sent == []


def test_a_contact_that_is_not_stored_is_refused(store: Store) -> None:
    stranger = Contact(
        "Cy", "Berg", email="cy@berg.se", consent=Consent(LawfulBasis.CONSENT, GIVEN)
    )
    sender = InMemoryMessageSender(store, clock=clock)
    with pytest.raises(ConsentRequiredError, match="store the contact first") as caught:
        sender.send(stranger, OFFER)
    assert caught.value.paths == ["contact.id"]
    assert sender.sent == []


def test_the_stored_address_is_used(store: Store) -> None:
    anna = _stored_anna(store)
    with store.unit_of_work() as uow:
        stored = uow.contacts.get(anna.id)
        stored.email = "anna.new@lind.se"
        uow.contacts.save(stored)
    sent = InMemoryMessageSender(store, clock=clock).send(anna, OFFER)
    assert sent.address == "anna.new@lind.se"
    assert sent.sent_at == NOW


@pytest.mark.parametrize(
    "at",
    [datetime(2025, 3, 1), "2025-03-01T00:00:00Z", 1_700_000_000, float("nan")],
    ids=["naive", "text", "epoch", "nan"],
)
def test_a_naive_or_non_datetime_at_is_a_validation_error(at: Any) -> None:
    anna = Contact("Anna", "Lind", email="a@l.se", consent=Consent(LawfulBasis.CONSENT, GIVEN))
    sender = InMemoryMessageSender(clock=clock)
    with pytest.raises(ValidationError) as caught:
        sender.send(anna, OFFER, at=at)
    assert caught.value.paths == ["at"]
    assert not isinstance(caught.value, ConsentRequiredError)
    assert sender.sent == []


def test_a_naive_clock_is_refused() -> None:
    anna = Contact("Anna", "Lind", email="a@l.se", consent=Consent(LawfulBasis.CONSENT, GIVEN))
    sender = InMemoryMessageSender(clock=lambda: datetime(2025, 6, 1))
    with pytest.raises(ValidationError, match="clock"):
        sender.send(anna, OFFER)


def test_consent_given_later_than_at_is_refused() -> None:
    late = Contact(
        "Di", "Ek", email="d@e.se", consent=Consent(LawfulBasis.CONSENT, NOW - timedelta(days=1))
    )
    with pytest.raises(ConsentRequiredError, match="no active consent"):
        InMemoryMessageSender(clock=clock).send(late, OFFER, at=NOW - timedelta(days=2))
