"""The repository port: a small core a store implements, the conveniences written once on top."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from crmkit.adapters import open_store
from crmkit.adapters.ports import (
    DEFAULT_PAGE_SIZE,
    REPOSITORY_CONVENIENCES,
    REPOSITORY_CORE,
    Page,
    Query,
    Repository,
    RepositoryQueries,
    UnitOfWork,
    UnitOfWorkRepositories,
    UpsertKey,
    UpsertResult,
)
from crmkit.domain import Account, Contact
from crmkit.errors import ValidationError


def _declared(cls: type) -> set[str]:
    return {name for name in vars(cls) if not name.startswith("_")}


def test_the_protocol_declares_only_the_core() -> None:
    assert _declared(Repository) == set(REPOSITORY_CORE)
    assert len(REPOSITORY_CORE) == 8


def test_the_conveniences_are_written_once_over_the_core() -> None:
    assert _declared(RepositoryQueries) == set(REPOSITORY_CONVENIENCES)
    assert not set(REPOSITORY_CORE) & set(REPOSITORY_CONVENIENCES)


def test_the_repository_properties_are_written_once() -> None:
    assert not _declared(UnitOfWorkRepositories)  # they come from UnitOfWork
    assert {"accounts", "quotes", "owner_changes"} <= _declared(UnitOfWork)
    with open_store("memory://") as store, store.unit_of_work() as uow:
        assert uow.quotes is uow.repository("quotes")
        assert uow.owner_changes.aggregate == "owner_changes"


class CoreOnly(RepositoryQueries[Any]):
    """A repository that implements nothing but the core (delegating to another one)."""

    def __init__(self, inner: Repository[Any]) -> None:
        self.inner = inner
        self.calls: list[str] = []

    @property
    def aggregate(self) -> str:
        return self.inner.aggregate

    def get(self, id: str) -> Any:
        return self.inner.get(id)

    def add(self, entity: Any) -> Any:
        self.calls.append("add")
        return self.inner.add(entity)

    def save(self, entity: Any) -> Any:
        return self.inner.save(entity)

    def upsert_many(self, entities: Iterable[Any], *, key: UpsertKey = "id") -> UpsertResult:
        return self.inner.upsert_many(entities, key=key)

    def delete(self, id: str, *, version: int | None = None) -> None:
        self.inner.delete(id, version=version)

    def find(
        self,
        query: Query | None = None,
        *,
        limit: int = DEFAULT_PAGE_SIZE,
        cursor: str | None = None,
    ) -> Page[Any]:
        self.calls.append("find")
        return self.inner.find(query, limit=limit, cursor=cursor)

    def count(self, query: Query | None = None) -> int:
        return self.inner.count(query)


def test_a_core_only_repository_answers_every_convenience() -> None:
    with open_store("memory://") as store, store.unit_of_work() as uow:
        accounts, contacts = CoreOnly(uow.accounts), CoreOnly(uow.contacts)
        added = accounts.add_many(
            Account(name=name, owner_id=owner, remote_id=f"r-{i}", website=site)
            for i, (name, owner, site) in enumerate(
                [("Acme AB", "anna", "https://www.acme.se"), ("Nordvind AB", "bo", None)]
            )
        )
        contacts.add(Contact("Anna", "Berg", email="Anna.Berg@Acme.se"))

        assert added == 2
        assert accounts.calls[:2] == ["add", "add"]  # add_many is written over add
        assert [a.name for a in accounts.by_owner("anna")] == ["Acme AB"]
        assert [a.name for a in accounts.search_name("NORD")] == ["Nordvind AB"]
        found = accounts.find_by_remote_id("r-1")
        assert found is not None
        assert found.name == "Nordvind AB"
        assert accounts.find_by_remote_id("r-9") is None
        assert [a.name for a in accounts.find_by_domain("anna@ACME.se")] == ["Acme AB"]
        assert [c.first_name for c in contacts.find_by_email("anna.berg@acme.se ")] == ["Anna"]
        assert len(list(accounts.iter_all(batch=1))) == 2
        with pytest.raises(ValidationError, match="e-mail"):
            accounts.find_by_email("anna@acme.se")


def test_the_store_repositories_offer_the_same_names() -> None:
    with open_store("memory://") as store, store.unit_of_work() as uow:
        for name in REPOSITORY_CORE + REPOSITORY_CONVENIENCES:
            assert callable(getattr(uow.accounts, name)) or name == "aggregate"
        assert uow.accounts.aggregate == "accounts"
