"""The audit trail and the account hierarchy on every store: memory, SQLite and PostgreSQL.

Audit entries are written in the same transaction as the change (a rollback leaves none),
name the unit of work's actor, and say which field changed from what to what; the stores
refuse an account parent that is missing or would close a cycle, and deleting a parent
detaches its children.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from crmkit.adapters import Store, open_store
from crmkit.adapters.audit import audit_trail
from crmkit.adapters.hierarchy import account_tree, open_pipeline_by_group, revenue_by_group
from crmkit.domain import Account, Money, Opportunity, Order, OrderLine
from crmkit.errors import HierarchyCycleError, ValidationError
from tests.backends import pg_url, require_backend


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "memory":
        url, options = "memory://", {}
    elif request.param == "sqlite":
        url, options = f"sqlite:///{tmp_path / 'crm.db'}", {}
    else:
        found = pg_url()
        require_backend("postgresql", found is not None, "set CRMKIT_PG_URL (bash .ci/postgres.sh)")
        assert found is not None
        url, options = found, {"schema": request.getfixturevalue("pg_fresh_schema")}
    with open_store(url, **options) as opened:
        yield opened


def test_a_save_is_audited_field_by_field_with_the_actor(store: Store) -> None:
    with store.unit_of_work(actor="u-anna") as uow:
        acme = uow.accounts.add(Account("Acme", tier="B", custom={"vip": False}))
    with store.unit_of_work(actor="u-bo") as uow:
        acme.tier = "A"
        acme.custom["vip"] = True
        acme.turnover = Money("1000", "SEK")
        uow.accounts.save(acme)
    with store.unit_of_work() as uow:
        trail = audit_trail(uow, "accounts", acme.id)
    assert [(e.field, e.old, e.new) for e in trail] == [
        ("custom.vip", False, True),
        ("tier", "B", "A"),
        ("turnover", None, {"amount": "1000", "currency": "SEK"}),
    ]
    assert {e.actor for e in trail} == {"u-bo"}
    assert {e.action for e in trail} == {"update"}
    assert {e.version for e in trail} == {2}
    assert all(e.at.tzinfo is not None for e in trail)


def test_rolled_back_changes_leave_no_audit_entries(store: Store) -> None:
    with store.unit_of_work() as uow:
        acme = uow.accounts.add(Account("Acme"))

    def rename_then_fail() -> None:
        with store.unit_of_work(actor="u-1") as uow:
            acme.name = "Renamed"
            uow.accounts.save(acme)
            assert [e.field for e in audit_trail(uow, "accounts", acme.id)] == ["name"]
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        rename_then_fail()
    with store.unit_of_work() as uow:
        assert audit_trail(uow, "accounts", acme.id) == []
        uow.accounts.delete(acme.id)
        uow.rollback()
        assert audit_trail(uow, "accounts", acme.id) == []
        assert uow.accounts.get(acme.id).name == "Acme"


def test_upserts_and_deletes_are_audited(store: Store) -> None:
    with store.unit_of_work() as uow:
        acme = uow.accounts.add(Account("Acme", remote_id="hs-1"))
    replacement = Account("Acme AB", remote_id="hs-1")
    with store.unit_of_work(actor="sync") as uow:
        uow.accounts.upsert_many([replacement], key="remote_id")
    with store.unit_of_work(actor="gdpr") as uow:
        uow.accounts.delete(acme.id)
    with store.unit_of_work() as uow:
        trail = audit_trail(uow, Account, acme.id)
    assert [(e.action, e.field, e.actor) for e in trail][-1] == ("delete", None, "gdpr")
    assert ("update", "name", "sync") in [(e.action, e.field, e.actor) for e in trail]


def test_the_store_refuses_a_cycle_and_a_missing_parent(store: Store) -> None:
    with store.unit_of_work() as uow:
        group = uow.accounts.add(Account("Group", id="g"))
        uow.accounts.add(Account("Sweden", id="se", parent_id="g"))
        uow.accounts.add(Account("Stockholm", id="sth", parent_id="se"))
    with store.unit_of_work() as uow:
        group.parent_id = "sth"
        with pytest.raises(HierarchyCycleError, match="'sth' is a descendant of account 'g'"):
            uow.accounts.save(group)
        with pytest.raises(ValidationError, match="parent_id: 'nowhere' names no stored account"):
            uow.accounts.add(Account("Orphan", parent_id="nowhere"))
        with pytest.raises(HierarchyCycleError):
            uow.accounts.upsert_many([Account("Group", id="g", parent_id="se")])
    with store.unit_of_work() as uow:
        assert uow.accounts.get("g").parent_id is None
        tree = account_tree(uow)
    assert tree.descendants("g") == ["se", "sth"]
    assert tree.ancestors("sth") == ["se", "g"]


def test_deleting_a_parent_detaches_its_children_in_the_same_unit_of_work(store: Store) -> None:
    with store.unit_of_work() as uow:
        uow.accounts.add(Account("Group", id="g"))
        uow.accounts.add(Account("Sweden", id="se", parent_id="g"))
    with store.unit_of_work(actor="admin") as uow:
        uow.accounts.delete("g")
    with store.unit_of_work() as uow:
        sweden = uow.accounts.get("se")
        trail = audit_trail(uow, "accounts", "se")
    assert sweden.parent_id is None
    assert sweden.version == 2
    assert [(e.field, e.old, e.new, e.actor) for e in trail] == [("parent_id", "g", None, "admin")]


def test_group_rollups_read_through_a_unit_of_work(store: Store) -> None:
    at = datetime(2025, 3, 1, tzinfo=UTC)
    with store.unit_of_work() as uow:
        uow.accounts.add(Account("Group", id="g"))
        uow.accounts.add(Account("Sweden", id="se", parent_id="g"))
        uow.orders.add(Order("se", at, [OrderLine("p", 2, Money("100", "SEK"))]))
        uow.orders.add(Order("g", at, [OrderLine("p", 1, Money("50", "SEK"))]))
        uow.opportunities.add(
            Opportunity(
                "D", "se", Money("700", "SEK"), date(2025, 6, 1), "default", "proposal", 0.5
            )
        )
    with store.unit_of_work() as uow:
        revenue = revenue_by_group(uow)
        pipeline = open_pipeline_by_group(uow)
    assert revenue["g"]["SEK"] == Money("250", "SEK")
    assert revenue["se"]["SEK"] == Money("200", "SEK")
    assert pipeline["g"]["SEK"] == Money("700", "SEK")


def test_erasure_redacts_the_audit_trail(store: Store) -> None:
    from crmkit.adapters.privacy import erase_subject
    from crmkit.domain import Contact

    with store.unit_of_work() as uow:
        anna = uow.contacts.add(Contact("Anna", "Berg", email="anna@old.example"))
    with store.unit_of_work(actor="u-1") as uow:
        anna.email = "anna@new.example"
        uow.contacts.save(anna)
    with store.unit_of_work(actor="dpo") as uow:
        erase_subject(uow, anna.id)
    with store.unit_of_work() as uow:
        trail = audit_trail(uow, "contacts", anna.id)
    text = repr([(e.old, e.new) for e in trail])
    assert "anna@" not in text
    assert "Berg" not in text
    assert {e.actor for e in trail} == {"u-1", "dpo"}


def test_a_schema_3_file_gains_the_hierarchy_and_the_audit_trail(tmp_path: Path) -> None:
    copy = tmp_path / "crm.db"
    shutil.copy(Path(__file__).parent / "data" / "crm-schema-v3.db", copy)
    with open_store(f"sqlite:///{copy}") as store:
        with store.unit_of_work() as uow:
            parent, child = sorted(uow.accounts.iter_all(), key=lambda a: a.id)[:2]
        with store.unit_of_work(actor="u-1") as uow:
            child.parent_id = parent.id
            uow.accounts.save(child)
        with store.unit_of_work() as uow:
            assert account_tree(uow).children(parent.id) == [child.id]
            trail = audit_trail(uow, "accounts", child.id)
        assert [(e.field, e.old, e.new, e.actor) for e in trail] == [
            ("parent_id", None, parent.id, "u-1")
        ]
