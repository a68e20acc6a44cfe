"""GDPR on every store: the export holds everything about a contact; erasure leaves no
personal field behind in any table, keeps every aggregate valid and the statistics intact."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit.adapters import Store, erase_subject, export_subject, open_store
from crmkit.adapters.aggregate import aggregate_for, aggregate_names
from crmkit.adapters.privacy import ERASED
from crmkit.adapters.references import referenced_ids
from crmkit.domain import Account, Consent, Contact, LawfulBasis, Lead
from crmkit.errors import NotFoundError
from tests.adapters.crm_graph import (
    every_document,
    raw_text,
    store,
    with_references,
)

__all__ = ["store"]

EMAIL = "signe.vallin@example.se"
PHONE = "+46 70 555 12 34"
LINKEDIN = "https://www.linkedin.com/in/signe-vallin"
#: What must not be found anywhere after erasure (any case).
PERSONAL = ("Signe Vallin", "Signe", "Vallin", EMAIL, PHONE, "46705551234", LINKEDIN, "hs-777")
MENTION = f"Spoke with Signe Vallin ({EMAIL}, {PHONE})"
# free-text fields the children carry a mention in, where their type has one
TEXT_FIELDS = ("description", "next_step", "outcome", "subject", "body", "reason", "resolution")
CONSENT = Consent(
    LawfulBasis.CONSENT,
    datetime(2023, 5, 1, tzinfo=UTC),
    withdrawn_at=datetime(2024, 5, 1, tzinfo=UTC),
    purpose="newsletter",
)


def found(values: tuple[str, ...], text: str) -> list[str]:
    """The values that occur in ``text`` as whole words, ignoring case."""
    return [
        value
        for value in values
        if re.search(r"(?<!\w)" + re.escape(value) + r"(?!\w)", text, re.IGNORECASE)
    ]


def _mentioning(entity: Any) -> Any:
    fields = attrs.fields_dict(type(entity))
    changes = {
        name: MENTION
        for name in TEXT_FIELDS
        if name in fields and isinstance(getattr(entity, name), str)
    }
    return attrs.evolve(entity, **changes)


def build_subject(store: Store) -> tuple[Contact, Contact, dict[str, Any]]:
    """The subject (Signe Vallin) and a colleague at one account; a record of every other
    aggregate referring to the subject and mentioning her in text; two leads of hers."""
    account = Account("Nordkust Konsult AB", phone="+46 8 100 200")
    subject = Contact(
        "Signe",
        "Vallin",
        account_id=account.id,
        title="CFO",
        email=EMAIL,
        phone=PHONE,
        linkedin_url=LINKEDIN,
        consent=CONSENT,
        custom={"nickname": "Signe", "score": 7, "vip": True},
        remote_id="hs-777",
        remote_data={"properties": {"email": EMAIL, "phone": PHONE, "firstname": "Signe"}},
    )
    colleague = Contact("Bo", "Ek", account_id=account.id, email="bo@ek.se")
    account.link_contact(subject.id, "buyer")
    account.link_contact(colleague.id, "user")
    children = {
        name: _mentioning(with_references(name, account.id, subject.id))
        for name in aggregate_names()
        if name not in ("accounts", "contacts")
    }
    converted = children["leads"]
    converted.first_name, converted.last_name, converted.email = "Signe", "Vallin", EMAIL
    same_email = Lead("Studio Nord", first_name="S.", last_name="Vallin", email=EMAIL.upper())
    with store.unit_of_work() as uow:
        uow.accounts.add(account)
        uow.contacts.add_many([subject, colleague])
        for name, child in children.items():
            uow.repository(name).add(child)
        uow.leads.add(same_email)
    children["same_email_lead"] = same_email
    return subject, colleague, children


def test_export_holds_every_record_that_mentions_the_subject(store: Store) -> None:
    subject, colleague, children = build_subject(store)
    with store.unit_of_work() as uow:
        export = export_subject(uow, subject.id)
    assert json.loads(json.dumps(export)) == export
    assert export["subject"] == {"aggregate": "contacts", "id": subject.id}
    exported = {(name, d["id"]) for name, docs in export["records"].items() for d in docs}
    expected = {("contacts", subject.id), ("accounts", _account_id(store))}
    for child in children.values():
        document = json.dumps(aggregate_for(type(child)).to_document(child))
        if subject.id in document or "Signe Vallin" in document or EMAIL in document.lower():
            expected.add((aggregate_for(type(child)).name, child.id))
    assert exported == expected
    assert {"leads", "cases", "opportunities", "interactions", "orders"} <= {n for n, _ in exported}
    assert ("contacts", colleague.id) not in exported
    # the export is the stored documents, whole
    (mine,) = export["records"]["contacts"]
    assert mine["email"] == EMAIL
    assert mine["remote_data"]["properties"]["phone"] == PHONE


def _account_id(store: Store) -> str:
    with store.unit_of_work() as uow:
        (account,) = uow.accounts.iter_all()
        return account.id


def _facts(document: dict[str, Any]) -> dict[str, Any]:
    """What statistics read: every non-text value and every reference."""

    def keep(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: keep(v) for k, v in value.items() if k not in ("custom", "remote_data")}
        if isinstance(value, list):
            return [keep(v) for v in value]
        return value if not isinstance(value, str) else None

    out = keep({k: v for k, v in document.items() if k not in ("version", "updated_at")})
    out["references"] = sorted(
        (target, id)
        for target in aggregate_names()
        for id in referenced_ids(document, target, owner=None)
    )
    for key in ("amount", "total", "value", "status", "stage_key", "close_date", "created_at"):
        if key in document:
            out[key] = document[key]
    return out


def test_erasure_leaves_no_personal_field_behind(store: Store) -> None:
    subject, colleague, children = build_subject(store)
    before = every_document(store)
    with store.unit_of_work() as uow:
        report = erase_subject(uow, subject.id)
    assert report.anonymised == {
        "contacts": (subject.id,),
        "leads": tuple(sorted((children["leads"].id, children["same_email_lead"].id))),
    }
    # search every table and column (JSON too; the audit trail's history included)
    assert found(PERSONAL, raw_text(store)) == []
    after = every_document(store)
    # nothing was added or removed; every record still builds and validates
    assert {n: [d["id"] for d in docs] for n, docs in after.items()} == {
        n: [d["id"] for d in docs] for n, docs in before.items()
    }
    for name, documents in after.items():
        for document in documents:
            aggregate_for(name).from_document(document).revalidate()
    # statistics are intact: ids, references, amounts, dates, statuses
    for name in after:
        assert [_facts(d) for d in after[name]] == [_facts(d) for d in before[name]], name
    with store.unit_of_work() as uow:
        erased = uow.contacts.get(subject.id)
        assert uow.contacts.get(colleague.id) == colleague
    assert (erased.first_name, erased.last_name, erased.email, erased.phone) == (
        "",
        ERASED,
        None,
        None,
    )
    assert (erased.remote_id, erased.remote_data, erased.title) == (None, {}, None)
    # consent kept as the law requires; numbers and flags of custom kept, text dropped
    assert erased.consent == CONSENT
    assert erased.custom == {"score": 7, "vip": True}
    assert erased.account_id == subject.account_id


def test_erasure_is_undone_by_rollback_and_refuses_unknown_contacts(store: Store) -> None:
    subject, _, _ = build_subject(store)
    before = every_document(store)
    with store.unit_of_work() as uow:
        erase_subject(uow, subject.id)
        uow.rollback()
        with pytest.raises(NotFoundError, match="nobody"):
            erase_subject(uow, "nobody")
        with pytest.raises(NotFoundError, match="nobody"):
            export_subject(uow, "nobody")
    assert every_document(store) == before


def test_a_mention_is_a_whole_word_of_the_full_name() -> None:
    with open_store("memory://") as memory, memory.unit_of_work() as uow:
        bo = uow.contacts.add(Contact("Bo", "Ek", email="bo@ek.se"))
        other = uow.accounts.add(Account("Ekonomi Bo Ekström AB", industry="bo ek, again"))
        erase_subject(uow, bo.id)
        kept = uow.accounts.get(other.id)
    assert (kept.name, kept.industry) == ("Ekonomi Bo Ekström AB", f"{ERASED}, again")


names = st.text(alphabet=st.characters(categories=("L",)), min_size=2, max_size=12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    first=names,
    last=names,
    noise=st.text(
        st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=30
    ),
)
def test_erased_names_are_found_nowhere_whatever_they_are(
    first: str, last: str, noise: str
) -> None:
    full = f"{first} {last}"
    with open_store("memory://") as memory, memory.unit_of_work() as uow:
        person = uow.contacts.add(Contact(first, last))
        added = uow.cases.add_many(
            [
                aggregate_for("cases").entity(
                    subject=f"{noise} {full.upper()} {noise}", contact_id=person.id
                )
            ]
        )
        erase_subject(uow, person.id)
        documents = [
            aggregate_for(n).to_document(e)
            for n in ("contacts", "cases")
            for e in uow.repository(n).iter_all()
        ]
    assert added == 1
    text = json.dumps(documents, ensure_ascii=False)
    assert not re.search(r"(?<!\w)" + re.escape(full) + r"(?!\w)", text, re.IGNORECASE)
