"""Merging duplicate contacts and accounts re-links every child on every store."""

from __future__ import annotations

import json

import pytest

from crmkit.adapters import Store, merge_accounts, merge_contacts
from crmkit.adapters.references import referenced_ids
from crmkit.domain import Account, Contact, find_duplicate_accounts, find_duplicate_contacts
from crmkit.errors import NotFoundError, ValidationError
from tests.adapters.crm_graph import AUDIT_TABLE, build_graph, every_document, raw_text, store

__all__ = ["store"]


def test_merge_contacts_relinks_every_child(store: Store) -> None:
    graph = build_graph(store)
    survivor, duplicate = graph.survivor, graph.duplicate
    with store.unit_of_work() as uow:
        record = merge_contacts(uow, survivor.id, duplicate.id)
    # every aggregate that can name a contact had its record re-linked
    referring = {
        name
        for name, child in graph.children.items()
        if duplicate.id in json.dumps(every_document_of(child))
    }
    assert set(record.relinked) == referring | {"accounts"}
    assert record.duplicate["id"] == duplicate.id
    # the duplicate is gone from every table and column (the audit trail keeps its history)
    assert duplicate.id not in raw_text(store, skip=(AUDIT_TABLE,))
    documents = every_document(store)
    for name, child in graph.children.items():
        (stored,) = [d for d in documents[name] if d["id"] == child.id]
        if name in referring:
            assert survivor.id in referenced_ids(stored, "contacts", owner=name), name
    with store.unit_of_work() as uow:
        assert uow.contacts.count() == 1
        kept = uow.contacts.get(survivor.id)
        acme = uow.accounts.get(graph.survivor_account.id)
        other = uow.accounts.get(graph.duplicate_account.id)
        opportunity = uow.opportunities.get(graph.children["opportunities"].id)
    # the survivor's fields win, the duplicate fills the gaps; the older creation time stays
    assert (kept.email, kept.phone, kept.account_id) == (
        survivor.email,
        duplicate.phone,
        graph.survivor_account.id,
    )
    assert kept.custom == {"source": "fair"}
    assert kept.created_at == duplicate.created_at
    # the withdrawal (June 2024) is more recent than the survivor's consent (January 2024)
    assert kept.consent == duplicate.consent
    assert set(record.taken_from_duplicate) == {"phone", "custom", "consent"}
    # contact roles: one link per (contact, role); the survivor's primary stays the only one
    assert [(r.contact_id, r.role, r.is_primary) for r in acme.contact_roles] == [
        (survivor.id, "buyer", True)
    ]
    assert [(r.contact_id, r.role, r.is_primary) for r in other.contact_roles] == [
        (survivor.id, "user", True)
    ]
    assert [(r.contact_id, r.is_primary) for r in opportunity.contact_roles] == [
        (survivor.id, True)
    ]


def every_document_of(entity: object) -> dict[str, object]:
    from crmkit.adapters.aggregate import aggregate_for

    return aggregate_for(type(entity)).to_document(entity)


def test_merge_accounts_relinks_every_child(store: Store) -> None:
    graph = build_graph(store)
    survivor, duplicate = graph.survivor_account, graph.duplicate_account
    with store.unit_of_work() as uow:
        record = merge_accounts(uow, survivor.id, duplicate.id)
    referring = {
        name
        for name, child in graph.children.items()
        if duplicate.id in json.dumps(every_document_of(child))
    }
    assert set(record.relinked) == referring | {"contacts"}
    assert duplicate.id not in raw_text(store, skip=(AUDIT_TABLE,))
    with store.unit_of_work() as uow:
        assert uow.accounts.count() == 1
        kept = uow.accounts.get(survivor.id)
        for name, child in graph.children.items():
            stored = uow.repository(name).get(child.id)
            if getattr(stored, "account_id", None) is not None:
                assert stored.account_id == survivor.id, name
        assert uow.contacts.get(graph.duplicate.id).account_id == survivor.id
    assert kept.name == "Acme AB"
    assert kept.website == "https://www.acme.se"
    # the contact links of both accounts are united; the survivor's primary stays primary
    assert [(r.contact_id, r.role, r.is_primary) for r in kept.contact_roles] == [
        (graph.survivor.id, "buyer", True),
        (graph.duplicate.id, "buyer", False),
        (graph.duplicate.id, "user", False),
    ]


def test_a_merge_is_undone_by_rolling_back_its_unit_of_work(store: Store) -> None:
    graph = build_graph(store)
    before = every_document(store)
    with store.unit_of_work() as uow:
        merge_contacts(uow, graph.survivor.id, graph.duplicate.id)
        merge_accounts(uow, graph.survivor_account.id, graph.duplicate_account.id)
        assert uow.contacts.count() == 1
        uow.rollback()
        assert uow.contacts.count() == 2
    assert every_document(store) == before


def test_an_exception_undoes_the_merge(store: Store) -> None:
    graph = build_graph(store)
    before = every_document(store)

    def merge_then_fail() -> None:
        with store.unit_of_work() as uow:
            merge_contacts(uow, graph.survivor.id, graph.duplicate.id)
            raise RuntimeError("changed my mind")

    with pytest.raises(RuntimeError):
        merge_then_fail()
    assert every_document(store) == before


def test_found_duplicates_are_merged_from_a_store(store: Store) -> None:
    graph = build_graph(store)
    with store.unit_of_work() as uow:
        (contacts,) = find_duplicate_contacts(uow.contacts.iter_all())
        (accounts,) = find_duplicate_accounts(uow.accounts.iter_all())
        # the older record is suggested as the survivor
        assert contacts.survivor_id == graph.duplicate.id
        merge_contacts(uow, contacts.survivor_id, contacts.duplicate_id)
        merge_accounts(uow, accounts.survivor_id, accounts.duplicate_id)
        assert find_duplicate_contacts(uow.contacts.iter_all()) == []
        assert find_duplicate_accounts(uow.accounts.iter_all()) == []
        assert uow.contacts.count() == uow.accounts.count() == 1


def test_merge_refuses_one_record_and_missing_ones(store: Store) -> None:
    with store.unit_of_work() as uow:
        anna = uow.contacts.add(Contact("Anna", "Lind"))
        with pytest.raises(ValidationError, match="must differ"):
            merge_contacts(uow, anna.id, anna.id)
        with pytest.raises(NotFoundError, match="nobody"):
            merge_contacts(uow, anna.id, "nobody")


def test_merging_a_parent_into_its_child_leaves_no_self_reference(store: Store) -> None:
    parent = Account("Group AB")
    child = Account("Group AB Stockholm", parent_id=parent.id)
    sibling = Account("Group AB Malmö", parent_id=parent.id)
    with store.unit_of_work() as uow:
        uow.accounts.add_many([parent, child, sibling])
    with store.unit_of_work() as uow:
        merge_accounts(uow, child.id, parent.id)
    with store.unit_of_work() as uow:
        assert uow.accounts.get(child.id).parent_id is None
        assert uow.accounts.get(sibling.id).parent_id == child.id
