"""Duplicate detection: blocking finds exactly the pairs a comparison of every pair finds."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.domain import (
    Account,
    AccountContactRole,
    Consent,
    Contact,
    DuplicateReason,
    LawfulBasis,
    find_duplicate_accounts,
    find_duplicate_contacts,
)
from crmkit.domain.duplicates import combine, stricter_consent
from crmkit.domain.normalise import (
    e164,
    normalise_company_name,
    normalise_domain,
    normalise_email,
    normalise_name,
    normalise_organisation_number,
)
from crmkit.errors import ValidationError

T0 = datetime(2024, 1, 1, tzinfo=UTC)

first_names = st.sampled_from(["Anna", "anna", "Åsa", "Asa", "Bo", "Per-Olof"])
last_names = st.sampled_from(["Lind", "LIND", "Ek", "Östberg", "Ostberg"])
emails = st.none() | st.sampled_from(["anna@lind.se", "ANNA@Lind.se", "bo@ek.se", "x@y.no"])
phones = st.none() | st.sampled_from(["08-12 34 56", "+46 8 12 34 56", "0046812 3456", "070-1"])
account_ids = st.none() | st.sampled_from(["a1", "a2"])


@st.composite
def contact_lists(draw: st.DrawFn) -> list[Contact]:
    n = draw(st.integers(0, 12))
    return [
        Contact(
            draw(first_names),
            draw(last_names),
            email=draw(emails),
            phone=draw(phones),
            account_id=draw(account_ids),
            id=f"c{i:02d}",
            created_at=T0 + timedelta(days=draw(st.integers(0, 3))),
        )
        for i in range(n)
    ]


def brute_force_contacts(contacts: list[Contact]) -> dict[tuple[str, str], set[DuplicateReason]]:
    found: dict[tuple[str, str], set[DuplicateReason]] = {}
    for a, b in itertools.combinations(contacts, 2):
        reasons = set()
        if a.email and normalise_email(a.email) == normalise_email(b.email):
            reasons.add(DuplicateReason.EMAIL)
        if a.phone and e164(a.phone, country_code="46") == e164(b.phone, country_code="46"):
            reasons.add(DuplicateReason.PHONE)
        same_name = normalise_name(a.full_name) == normalise_name(b.full_name)
        if a.account_id and a.account_id == b.account_id and same_name:
            reasons.add(DuplicateReason.NAME_AND_ACCOUNT)
        if reasons:
            older, newer = sorted([a, b], key=lambda c: (c.created_at, c.id))
            found[older.id, newer.id] = reasons
    return found


@settings(max_examples=150, deadline=None)
@given(contact_lists())
def test_contact_blocking_equals_comparing_every_pair(contacts: list[Contact]) -> None:
    found = find_duplicate_contacts(contacts, country_code="46")
    assert {(c.survivor_id, c.duplicate_id): set(c.reasons) for c in found} == (
        brute_force_contacts(contacts)
    )
    scores = [c.score for c in found]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 1 for s in scores)


company_names = st.sampled_from(["Acme AB", "ACME Aktiebolag", "Acme", "Nordvind AS", "Fjord"])
org_numbers = st.none() | st.sampled_from(["556677-8899", "5566778899", "998877665"])
websites = st.none() | st.sampled_from(["https://www.acme.se/", "acme.se", "http://fjord.no"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(company_names, org_numbers, websites), max_size=12))
def test_account_blocking_equals_comparing_every_pair(
    rows: list[tuple[str, str | None, str | None]],
) -> None:
    accounts = [
        Account(name, organisation_number=number, website=site, id=f"a{i:02d}", created_at=T0)
        for i, (name, number, site) in enumerate(rows)
    ]
    expected = {}
    for a, b in itertools.combinations(accounts, 2):
        reasons = set()
        number = normalise_organisation_number(a.organisation_number)
        if number and number == normalise_organisation_number(b.organisation_number):
            reasons.add(DuplicateReason.ORGANISATION_NUMBER)
        if a.website and normalise_domain(a.website) == normalise_domain(b.website):
            reasons.add(DuplicateReason.DOMAIN)
        if normalise_company_name(a.name) == normalise_company_name(b.name):
            reasons.add(DuplicateReason.NAME)
        if reasons:
            expected[a.id, b.id] = reasons
    found = find_duplicate_accounts(accounts)
    assert {(c.survivor_id, c.duplicate_id): set(c.reasons) for c in found} == expected


def test_a_key_shared_by_too_many_records_is_no_evidence() -> None:
    switchboard = [Contact("P", str(i), phone="08-100 200", id=f"c{i}") for i in range(5)]
    assert len(find_duplicate_contacts(switchboard, max_block=5)) == 10
    assert find_duplicate_contacts(switchboard, max_block=4) == []
    with pytest.raises(ValidationError, match="max_block"):
        find_duplicate_contacts(switchboard, max_block=1)


def test_scores_combine_the_reasons() -> None:
    a = Contact("Anna", "Lind", email="anna@lind.se", phone="070-1", account_id="a1", id="c1")
    b = Contact("ANNA", "lind", email="Anna@Lind.se", phone="070 1", account_id="a1", id="c2")
    (pair,) = find_duplicate_contacts([a, b])
    assert pair.reason_names == ("email", "phone", "name_and_account")
    # 1 - (1 - 0.9)(1 - 0.7)(1 - 0.8)
    assert pair.score == pytest.approx(0.994)


def test_the_most_recent_statement_of_consent_wins() -> None:
    old = Consent(LawfulBasis.CONSENT, T0)
    newer = Consent(LawfulBasis.CONSENT, T0 + timedelta(days=30))
    withdrawn_later = Consent(LawfulBasis.CONSENT, T0, withdrawn_at=T0 + timedelta(days=60))
    withdrawn_same_day = Consent(LawfulBasis.CONSENT, T0, withdrawn_at=T0 + timedelta(days=30))
    assert stricter_consent(old, newer) is newer
    assert stricter_consent(newer, withdrawn_later) is withdrawn_later
    assert stricter_consent(newer, withdrawn_same_day) is withdrawn_same_day
    assert stricter_consent(None, old) is old
    assert stricter_consent(None, None) is None


def test_combine_keeps_the_survivor_and_fills_gaps() -> None:
    acme = Account("Acme AB", website="acme.se", id="a1", created_at=T0 + timedelta(days=5))
    acme.link_contact("c1", "buyer")
    copy = Account("ACME", organisation_number="556677-8899", employees=40, id="a2", created_at=T0)
    copy.link_contact("c2", "user", primary=True)
    copy.link_contact("c1", "buyer")
    merged, taken = combine(acme, copy)
    assert (merged.id, merged.name, merged.website) == ("a1", "Acme AB", "acme.se")
    assert (merged.organisation_number, merged.employees) == ("556677-8899", 40)
    assert merged.created_at == T0
    assert [(r.contact_id, r.role, r.is_primary) for r in merged.contact_roles] == [
        ("c1", "buyer", True),
        ("c2", "user", False),
    ]
    assert set(taken) == {"organisation_number", "employees", "contact_roles"}
    with pytest.raises(ValidationError, match="is not a Account"):
        combine(acme, Contact("A", "B"))


@pytest.mark.parametrize(
    ("raw", "code", "expected"),
    [
        ("+46 (0)70-123 45 67", None, "+46701234567"),
        ("0046 70 123 45 67", None, "+46701234567"),
        ("070-123 45 67", "46", "+46701234567"),
        ("070-123 45 67", None, "0701234567"),
        ("22 33 44 55", "47", "22334455"),
        ("ext.", "46", None),
        (None, "46", None),
    ],
)
def test_e164(raw: str | None, code: str | None, expected: str | None) -> None:
    assert e164(raw, country_code=code) == expected


@given(st.text(max_size=25), st.sampled_from([None, "46", "47"]))
def test_e164_is_idempotent(raw: str, code: str | None) -> None:
    once = e164(raw, country_code=code)
    assert e164(once, country_code=code) == once


def test_a_primary_link_folded_into_the_survivors_link_stays_primary() -> None:
    acme = Account(
        "Acme AB",
        id="a1",
        contact_roles=[AccountContactRole("c1", "buyer"), AccountContactRole("c2", "user")],
    )
    copy = Account("Acme", id="a2", contact_roles=[AccountContactRole("c1", "buyer", True)])
    merged, _ = combine(acme, copy)
    assert [(r.contact_id, r.role, r.is_primary) for r in merged.contact_roles] == [
        ("c1", "buyer", True),
        ("c2", "user", False),
    ]
