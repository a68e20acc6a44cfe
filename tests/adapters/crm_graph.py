"""A small CRM whose every kind of record refers to one account and one contact, for the merge
and privacy tests; plus the stores those tests run on and a dump of a SQL store's raw text."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
import pytest

from crmkit.adapters import Store, open_store
from crmkit.adapters.aggregate import aggregate_names, aggregates
from crmkit.domain import (
    Account,
    Consent,
    Contact,
    LawfulBasis,
    OpportunityContactRole,
)
from crmkit.testing.adapter_suite import referring_entity
from tests.backends import pg_url, require_backend

#: The audit trail's table: a history of changes, which keeps a merged duplicate's id.
AUDIT_TABLE = "crmkit_audit"
STORES = ["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh store of each kind: memory, a SQLite file, a PostgreSQL schema."""
    if request.param == "memory":
        opened = open_store("memory://")
    elif request.param == "sqlite":
        opened = open_store(f"sqlite:///{tmp_path / 'crm.db'}")
    else:
        url = pg_url()
        require_backend("postgresql", url is not None, "set CRMKIT_PG_URL (bash .ci/postgres.sh)")
        assert url is not None
        schema = request.getfixturevalue("pg_fresh_schema")
        opened = open_store(url, schema=schema)
    yield opened
    opened.close()


def raw_text(store: Store, *, skip: tuple[str, ...] = ()) -> str:
    """Every value of every table of a SQL store but ``skip`` (all columns, JSON included)
    as one text; for the memory store, every stored document."""
    from crmkit.adapters.sql import SqlStore

    if not isinstance(store, SqlStore):
        with store.unit_of_work() as uow:
            return "\n".join(
                json.dumps(agg.to_document(e), ensure_ascii=False)
                for agg in aggregates()
                for e in uow.repository(agg.name).iter_all()
            )
    import sqlalchemy as sa

    parts = []
    with store.engine.connect() as conn:
        schema = store.table("accounts").schema
        for name in sa.inspect(conn).get_table_names(schema=schema):
            if name in skip:
                continue
            table = sa.Table(name, sa.MetaData(), autoload_with=conn, schema=schema)
            for row in conn.execute(sa.select(table)):
                parts.extend(
                    json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else str(v)
                    for v in row
                )
    return "\n".join(parts)


def every_document(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Every stored record's document, by aggregate."""
    with store.unit_of_work() as uow:
        return {
            agg.name: [agg.to_document(e) for e in uow.repository(agg.name).iter_all()]
            for agg in aggregates()
        }


def with_references(name: str, account_id: str, contact_id: str) -> Any:
    """A sample entity of aggregate ``name`` that refers to the account and the contact
    wherever its type has a field for them (the compliance suite's ``referring_entity``)."""
    return referring_entity(name, account_id=account_id, contact_id=contact_id)


@attrs.define
class Graph:
    """The records of :func:`build_graph`."""

    survivor_account: Account
    duplicate_account: Account
    survivor: Contact
    duplicate: Contact
    children: dict[str, Any]


def build_graph(store: Store, *, email: str = "anna.lind@example.se") -> Graph:
    """Two accounts and two contacts (survivor, duplicate) and, for every other aggregate, one
    record referring to the duplicate account and the duplicate contact."""
    consent = Consent(LawfulBasis.CONSENT, datetime(2024, 1, 1, tzinfo=UTC))
    withdrawn = Consent(
        LawfulBasis.CONSENT,
        datetime(2023, 1, 1, tzinfo=UTC),
        withdrawn_at=datetime(2024, 6, 1, tzinfo=UTC),
    )
    survivor_account = Account("Acme AB", organisation_number="556677-8899")
    duplicate_account = Account(
        "ACME Aktiebolag", website="https://www.acme.se", organisation_number="5566778899"
    )
    survivor = Contact(
        "Anna",
        "Lind",
        account_id=survivor_account.id,
        email=email,
        consent=consent,
        created_at=datetime(2024, 2, 1, tzinfo=UTC),
    )
    duplicate = Contact(
        "Anna",
        "Lind",
        account_id=duplicate_account.id,
        email=email.upper(),
        phone="+46 70 123 45 67",
        consent=withdrawn,
        custom={"source": "fair"},
        created_at=datetime(2023, 1, 1, tzinfo=UTC),
    )
    survivor_account.link_contact(survivor.id, "buyer", primary=True)
    survivor_account.link_contact(duplicate.id, "buyer")
    duplicate_account.link_contact(duplicate.id, "user", primary=True)
    children = {
        name: with_references(name, duplicate_account.id, duplicate.id)
        for name in aggregate_names()
        if name not in ("accounts", "contacts")
    }
    children["opportunities"].contact_roles = [
        OpportunityContactRole(duplicate.id, "decider", True),
        OpportunityContactRole(survivor.id, "decider", False),
    ]
    with store.unit_of_work() as uow:
        uow.accounts.add_many([survivor_account, duplicate_account])
        uow.contacts.add_many([survivor, duplicate])
        for name, child in children.items():
            uow.repository(name).add(child)
    return Graph(survivor_account, duplicate_account, survivor, duplicate, children)
