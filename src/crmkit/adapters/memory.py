"""The in-memory store: the reference adapter, used by fast tests and examples.

Entities are kept as their serialised JSON documents, so what you read back is a fresh object
(changing it changes nothing stored until you ``save`` it) and exactly what the SQL store would
return. A unit of work collects its changes privately and applies them at commit, checking
that every entity it changed is still at the version it started from — two units of work
(threads) changing the same entity cannot both win.

Examples:
    >>> from crmkit.adapters import open_store
    >>> from crmkit.domain import Account
    >>> store = open_store("memory://")
    >>> with store.unit_of_work() as uow:
    ...     acme = uow.accounts.add(Account(name="Acme"))
    >>> with store.unit_of_work() as uow:
    ...     uow.accounts.get(acme.id).version
    1
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, TypeVar

import attrs

from crmkit.adapters.aggregate import (
    FILTERS,
    Aggregate,
    AggregateRepository,
    Indexed,
    aggregate_for,
    aggregate_names,
    check_unchanged,
    custom_equal,
    micros,
    not_found,
    remote_taken,
)
from crmkit.adapters.audit import AuditEntry, audit_entries
from crmkit.adapters.hierarchy import detach_children
from crmkit.adapters.ports import (
    DEFAULT_PAGE_SIZE,
    ClosingStore,
    Page,
    Query,
    UnitOfWorkRepositories,
    UnitOfWorkState,
    UpsertKey,
    UpsertResult,
    check_limit,
)
from crmkit.errors import ValidationError

__all__ = [
    "SCHEMA_VERSION",
    "MemoryRepository",
    "MemoryStore",
    "MemoryUnitOfWork",
    "matches",
    "open_memory_store",
]

#: The storage generation the memory store implements (the same as the SQL schema's).
SCHEMA_VERSION = 2

E = TypeVar("E")
T = TypeVar("T")


@attrs.frozen
class _Record:
    version: int
    document: str
    index: Indexed


# A change: (committed version it was based on or None, new record or None for a delete).
_Change = tuple[int | None, _Record | None]


def matches(index: Indexed, query: Query) -> bool:
    """Whether an entity's indexed values satisfy every filter of ``query``.

    This is the reference semantics the SQL store reproduces in SQL.

    Examples:
        >>> from crmkit.adapters.memory import matches
        >>> from crmkit.adapters.aggregate import Indexed
        >>> from crmkit.adapters.ports import Query
        >>> idx = Indexed("anna", None, "open", None, None, "acme ab", None, 0, 5, {"vip": True})
        >>> matches(idx, Query(owner_id="anna", name="ACME", custom={"vip": True}))
        True
        >>> matches(idx, Query(custom={"vip": 1}))
        False
    """
    for key in (*FILTERS, "remote_id"):
        wanted = getattr(query, key)
        if wanted is not None and getattr(index, key) != wanted:
            return False
    if query.updated_since is not None and index.updated_us < micros(query.updated_since):
        return False
    if query.name is not None and (index.name is None or query.name.lower() not in index.name):
        return False
    return all(
        key in index.custom and custom_equal(index.custom[key], value)
        for key, value in query.custom
    )


class MemoryStore(ClosingStore):
    """CRM data held in this process; lost when the process ends.

    Open it with ``open_store("memory://")``.

    Examples:
        >>> from crmkit.adapters.memory import MemoryStore
        >>> with MemoryStore() as store, store.unit_of_work() as uow:
        ...     uow.accounts.count()
        0
    """

    def __init__(self, url: str = "memory://") -> None:
        self._url = url
        self._lock = threading.RLock()
        self._tables: dict[str, dict[str, _Record]] = {name: {} for name in aggregate_names()}
        self._remote: dict[str, dict[str, str]] = {name: {} for name in aggregate_names()}
        self._audit: dict[tuple[str, str], list[AuditEntry]] = {}
        self._closed = False

    @property
    def url(self) -> str:
        """The URL the store was opened with.

        Examples:
            >>> from crmkit.adapters.memory import MemoryStore
            >>> MemoryStore().url
            'memory://'
        """
        return self._url

    @property
    def schema_version(self) -> int:
        """The storage generation (:data:`SCHEMA_VERSION`).

        Examples:
            >>> from crmkit.adapters.memory import MemoryStore
            >>> MemoryStore().schema_version
            2
        """
        return SCHEMA_VERSION

    def unit_of_work(self, *, actor: str | None = None) -> MemoryUnitOfWork:
        """A new unit of work over this store; its changes are audited for ``actor``
        (:mod:`crmkit.adapters.audit`).

        Examples:
            >>> from crmkit.adapters.memory import MemoryStore
            >>> with MemoryStore().unit_of_work() as uow:
            ...     uow.leads.count()
            0
        """
        if self._closed:
            raise ValidationError.single("store", self._url, "is closed")
        return MemoryUnitOfWork(self, actor=actor)

    def close(self) -> None:
        """Drop the data; the store cannot be used afterwards.

        Examples:
            >>> from crmkit.adapters.memory import MemoryStore
            >>> MemoryStore().close()
        """
        with self._lock:
            self._closed = True
            for table in self._tables.values():
                table.clear()

    # -- committed state (always under the lock) ---------------------------------------------

    def _committed(self, aggregate: str, id: str) -> _Record | None:
        with self._lock:
            return self._tables[aggregate].get(id)

    def _committed_remote(self, aggregate: str, remote_id: str) -> str | None:
        with self._lock:
            return self._remote[aggregate].get(remote_id)

    def _snapshot(self, aggregate: str) -> dict[str, _Record]:
        with self._lock:
            return dict(self._tables[aggregate])

    def _committed_audit(self, aggregate: str, id: str) -> list[AuditEntry]:
        with self._lock:
            return list(self._audit.get((aggregate, id), ()))

    def _apply(
        self,
        changes: dict[str, dict[str, _Change]],
        audit: list[AuditEntry] | None = None,
        redactions: list[tuple[str, str, Callable[[Any], Any]]] | None = None,
    ) -> None:
        with self._lock:
            for aggregate, rows in changes.items():
                table = self._tables[aggregate]
                entity = aggregate_for(aggregate).entity.__name__
                for id, (based_on, _record) in rows.items():
                    current = table.get(id)
                    check_unchanged(
                        entity, id, based_on, None if current is None else current.version
                    )
                remote = self._remote[aggregate]
                freed = {
                    table[id].index.remote_id
                    for id in rows
                    if id in table and table[id].index.remote_id is not None
                }
                for id, (_, record) in rows.items():
                    rid = record.index.remote_id if record is not None else None
                    if rid is not None and rid not in freed and remote.get(rid, id) != id:
                        raise remote_taken(entity, rid, remote[rid])
            for aggregate, rows in changes.items():
                table = self._tables[aggregate]
                remote = self._remote[aggregate]
                for id in rows:
                    old = table.pop(id, None)
                    if old is not None and old.index.remote_id is not None:
                        remote.pop(old.index.remote_id, None)
                for id, (_, record) in rows.items():
                    if record is not None:
                        table[id] = record
                        if record.index.remote_id is not None:
                            remote[record.index.remote_id] = id
            for aggregate, id, redact in redactions or ():
                key = (aggregate, id)
                if key in self._audit:
                    self._audit[key] = [_redacted(e, redact)[0] for e in self._audit[key]]
            for entry in audit or ():
                self._audit.setdefault((entry.aggregate, entry.record_id), []).append(entry)


class MemoryUnitOfWork(UnitOfWorkRepositories["MemoryRepository[Any]"]):
    """A transaction over a :class:`MemoryStore`: private changes, applied at commit.

    Examples:
        >>> from crmkit.adapters.memory import MemoryStore
        >>> from crmkit.domain import Product, Money
        >>> store = MemoryStore()
        >>> with store.unit_of_work() as uow:
        ...     _ = uow.products.add(Product(sku="P1", name="Widget", price=Money("5", "EUR")))
        >>> with store.unit_of_work() as uow:
        ...     uow.products.count()
        1
    """

    def __init__(self, store: MemoryStore, *, actor: str | None = None) -> None:
        self._store = store
        self._actor = actor
        self._audit: list[AuditEntry] = []
        self._redactions: list[tuple[str, str, Callable[[Any], Any]]] = []
        self._changes: dict[str, dict[str, _Change]] = {}
        self._repositories: dict[str, MemoryRepository[Any]] = {}
        self.state = UnitOfWorkState(store.url)

    # repositories ------------------------------------------------------------------------

    def repository(self, aggregate: type[Any] | str) -> MemoryRepository[Any]:
        """The repository of an entity class or plural name.

        Examples:
            >>> from crmkit.adapters.memory import MemoryStore
            >>> MemoryStore().unit_of_work().repository("orders").aggregate
            'orders'
        """
        agg = aggregate_for(aggregate)
        repo = self._repositories.get(agg.name)
        if repo is None:
            repo = self._repositories[agg.name] = MemoryRepository(self, agg)
        return repo

    # transaction -------------------------------------------------------------------------

    def commit(self) -> None:
        """Apply the changes to the store (all or none; stale ones raise ConflictError).

        Examples:
            >>> from crmkit.adapters.memory import MemoryStore
            >>> uow = MemoryStore().unit_of_work()
            >>> uow.commit()
        """
        self.state.check_open()
        changes, self._changes = self._changes, {}
        audit, self._audit = self._audit, []
        redactions, self._redactions = self._redactions, []
        try:
            self._store._apply(changes, audit, redactions)
        except BaseException:
            self.state.rolled_back()
            raise
        self.state.committed()

    def rollback(self) -> None:
        """Forget the changes made since the last commit.

        Examples:
            >>> from crmkit.adapters.memory import MemoryStore
            >>> MemoryStore().unit_of_work().rollback()
        """
        self.state.check_open()
        self._changes = {}
        self._audit = []
        self._redactions = []
        self.state.rolled_back()

    # audit trail -------------------------------------------------------------------------

    @property
    def actor(self) -> str | None:
        """Who this unit of work's changes are audited for (``None``: not given).

        Examples:
            >>> from crmkit.adapters.memory import MemoryStore
            >>> MemoryStore().unit_of_work(actor="u-1").actor
            'u-1'
        """
        return self._actor

    def audit_entries(self, aggregate: str, id: str) -> list[AuditEntry]:
        """The audit entries of one record, oldest first, this unit of work's own included
        (see :func:`crmkit.adapters.audit.audit_trail`).

        Examples:
            >>> from crmkit.adapters.memory import MemoryStore
            >>> MemoryStore().unit_of_work().audit_entries("accounts", "a-1")
            []
        """
        self.state.check_open()
        own = [e for e in self._audit if e.aggregate == aggregate and e.record_id == id]
        return self._store._committed_audit(aggregate, id) + own

    def redact_history(self, aggregate: str, id: str, redact: Callable[[Any], Any]) -> int:
        """Replace every old and new value ``v`` in the audit trail of one record by
        ``redact(v)``, at commit for what is committed (the
        :class:`~crmkit.adapters.privacy.HistoryRedaction` hook of GDPR erasure); returns how
        many values change.

        Examples:
            >>> from crmkit.adapters.memory import MemoryStore
            >>> MemoryStore().unit_of_work().redact_history("contacts", "c-1", lambda v: None)
            0
        """
        self.state.check_open()
        changed = 0
        for index, entry in enumerate(self._audit):
            if entry.aggregate == aggregate and entry.record_id == id:
                self._audit[index], count = _redacted(entry, redact)
                changed += count
        for entry in self._store._committed_audit(aggregate, id):
            changed += _redacted(entry, redact)[1]
        self._redactions.append((aggregate, id, redact))
        return changed

    def _audit_write(
        self, aggregate: str, id: str, version: int | None, old: _Record, new: _Record | None
    ) -> None:
        self._audit.extend(
            audit_entries(
                aggregate,
                id,
                version,
                old.document,
                None if new is None else new.document,
                actor=self._actor,
                at=_now(),
            )
        )

    # record access for repositories -------------------------------------------------------

    def _lookup(self, aggregate: str, id: str) -> _Record | None:
        self.state.check_open()
        rows = self._changes.get(aggregate)
        if rows is not None and id in rows:
            return rows[id][1]
        return self._store._committed(aggregate, id)

    def _write(self, aggregate: str, id: str, record: _Record | None) -> None:
        self.state.check_open()
        rows = self._changes.setdefault(aggregate, {})
        if id in rows:
            rows[id] = (rows[id][0], record)
        else:
            current = self._store._committed(aggregate, id)
            rows[id] = (current.version if current is not None else None, record)

    def _remote_owner(self, aggregate: str, remote_id: str) -> str | None:
        self.state.check_open()
        rows = self._changes.get(aggregate, {})
        for id, (_, record) in rows.items():
            if record is not None and record.index.remote_id == remote_id:
                return id
        owner = self._store._committed_remote(aggregate, remote_id)
        if owner is not None and owner in rows:
            changed = rows[owner][1]
            if changed is None or changed.index.remote_id != remote_id:
                return None
        return owner

    def _rows(self, aggregate: str) -> Iterator[tuple[str, _Record]]:
        self.state.check_open()
        merged = self._store._snapshot(aggregate)
        for id, (_, record) in self._changes.get(aggregate, {}).items():
            if record is None:
                merged.pop(id, None)
            else:
                merged[id] = record
        return iter(merged.items())


def _now() -> datetime:
    return datetime.now(UTC)


def _redacted(entry: AuditEntry, redact: Callable[[Any], Any]) -> tuple[AuditEntry, int]:
    old, new = redact(entry.old), redact(entry.new)
    count = (old != entry.old) + (new != entry.new)
    return (attrs.evolve(entry, old=old, new=new) if count else entry), count


class MemoryRepository(AggregateRepository[E]):
    """One aggregate's entities inside a :class:`MemoryUnitOfWork`: the core of
    :class:`~crmkit.adapters.ports.Repository`, plus an indexed ``find_by_remote_id``; the
    other conveniences come from :class:`~crmkit.adapters.ports.RepositoryQueries`, the
    shared checks from :class:`~crmkit.adapters.aggregate.AggregateRepository`.

    Examples:
        >>> from crmkit.adapters.memory import MemoryStore
        >>> from crmkit.domain import Account
        >>> with MemoryStore().unit_of_work() as uow:
        ...     acme = uow.accounts.add(Account(name="Acme"))
        ...     uow.accounts.get(acme.id) == acme
        True
    """

    def __init__(self, uow: MemoryUnitOfWork, aggregate: Aggregate) -> None:
        super().__init__(aggregate)
        self._uow = uow

    def _record(self, entity: Any, version: int) -> _Record:
        old = entity.version
        entity.version = version
        try:
            return _Record(version, self._agg.to_json(entity), self._agg.index(entity))
        finally:
            entity.version = old

    def _load(self, record: _Record) -> E:
        entity: E = self._agg.from_document(record.document)
        return entity

    def _parent_of(self, id: str) -> str | None:
        record = self._uow._lookup("accounts", id)
        if record is None:
            raise not_found("accounts", id)
        parent: str | None = json.loads(record.document).get("parent_id")
        return parent

    def _remote_owner(self, remote_id: str) -> str | None:
        return self._uow._remote_owner(self._agg.name, remote_id)

    def get(self, id: str) -> E:
        """The entity with ``id`` (NotFoundError when none).

        Examples:
            >>> from crmkit.adapters.memory import MemoryStore
            >>> MemoryStore().unit_of_work().accounts.get("x")
            Traceback (most recent call last):
            ...
            crmkit.errors.NotFoundError: accounts has no entity with id 'x'
        """
        record = self._uow._lookup(self._agg.name, id)
        if record is None:
            raise not_found(self._agg.name, id)
        return self._load(record)

    def find_by_remote_id(self, remote_id: str) -> E | None:
        """The entity with this remote id, or ``None``: read from the store's remote-id index
        (overrides :meth:`~crmkit.adapters.ports.RepositoryQueries.find_by_remote_id`).

        Examples:
            >>> from crmkit.adapters.memory import MemoryStore
            >>> MemoryStore().unit_of_work().accounts.find_by_remote_id("hs-1") is None
            True
        """
        owner = self._remote_owner(remote_id)
        return None if owner is None else self.get(owner)

    def add(self, entity: E) -> E:
        """Store a new entity at version 1.

        Examples:
            >>> from crmkit.adapters.memory import MemoryStore
            >>> from crmkit.domain import Account
            >>> MemoryStore().unit_of_work().accounts.add(Account(name="A")).version
            1
        """
        ent: Any = entity
        record = self._record(ent, 1)
        if self._uow._lookup(self._agg.name, ent.id) is not None:
            raise self._already_exists(ent.id)
        self._check_remote(ent)
        self._check_parents([ent])
        self._uow._write(self._agg.name, ent.id, record)
        self._uow.state.touch(ent)
        ent.version = 1
        return entity

    def save(self, entity: E) -> E:
        """Store changes to an existing entity from its current version (see the port).

        Examples:
            >>> from crmkit.adapters.memory import MemoryStore
            >>> from crmkit.domain import Account
            >>> with MemoryStore().unit_of_work() as uow:
            ...     a = uow.accounts.add(Account(name="A"))
            ...     b = uow.accounts.get(a.id)
            ...     _ = uow.accounts.save(a)
            ...     uow.accounts.save(b)
            Traceback (most recent call last):
            ...
            crmkit.errors.ConflictError: Account '...' was saved from version 1 but the stored version is 2; reload it and apply the change again
        """
        ent: Any = entity
        current = self._uow._lookup(self._agg.name, ent.id)
        self._check_version(ent.id, None if current is None else current.version, ent.version)
        assert current is not None  # checked: stored at the entity's version
        self._check_remote(ent)
        self._check_parents([ent])
        self._uow.state.touch(ent)
        with self._stamped(ent):
            record = self._record(ent, current.version + 1)
        self._uow._write(self._agg.name, ent.id, record)
        self._uow._audit_write(self._agg.name, ent.id, record.version, current, record)
        ent.version = current.version + 1
        return entity

    def upsert_many(self, entities: Iterable[E], *, key: UpsertKey = "id") -> UpsertResult:
        """Insert or replace many entities, matching on ``key`` (see the port).

        Examples:
            >>> from crmkit.adapters.memory import MemoryStore
            >>> from crmkit.domain import Account
            >>> uow = MemoryStore().unit_of_work()
            >>> uow.accounts.upsert_many([Account(name="A", remote_id="r")], key="remote_id")
            UpsertResult(inserted=1, updated=0)
        """
        self._check_upsert_key(key)
        inserted = updated = 0
        for entity in entities:
            ent: Any = entity
            if key == "remote_id":
                self._require_remote_id(ent)
                owner = self._remote_owner(ent.remote_id)
                self._uow.state.touch(ent)
                if owner is not None:
                    ent.id = owner
            current = self._uow._lookup(self._agg.name, ent.id)
            version = 1 if current is None else current.version + 1
            self._check_remote(ent)
            self._check_parents([ent])
            record = self._record(ent, version)
            self._uow._write(self._agg.name, ent.id, record)
            if current is not None:
                self._uow._audit_write(self._agg.name, ent.id, version, current, record)
            self._uow.state.touch(ent)
            ent.version = version
            if current is None:
                inserted += 1
            else:
                updated += 1
        return UpsertResult(inserted=inserted, updated=updated)

    def delete(self, id: str, *, version: int | None = None) -> None:
        """Remove the entity with ``id`` (optionally only at ``version``).

        Examples:
            >>> from crmkit.adapters.memory import MemoryStore
            >>> MemoryStore().unit_of_work().accounts.delete("x")
            Traceback (most recent call last):
            ...
            crmkit.errors.NotFoundError: accounts has no entity with id 'x'
        """
        current = self._uow._lookup(self._agg.name, id)
        self._check_version(id, None if current is None else current.version, version)
        assert current is not None  # checked: stored (at ``version`` when given)
        if self._agg.name == "accounts":
            children = [
                child
                for child, record in self._uow._rows("accounts")
                if json.loads(record.document).get("parent_id") == id
            ]
            detach_children(self, children)
        self._uow._write(self._agg.name, id, None)
        self._uow._audit_write(self._agg.name, id, current.version, current, None)

    def _matching(self, query: Query | None) -> list[tuple[str, _Record]]:
        checked = self._agg.check(query)
        return [
            (id, rec) for id, rec in self._uow._rows(self._agg.name) if matches(rec.index, checked)
        ]

    def find(
        self,
        query: Query | None = None,
        *,
        limit: int = DEFAULT_PAGE_SIZE,
        cursor: str | None = None,
    ) -> Page[E]:
        """One page of matching entities in ``id`` order.

        Examples:
            >>> from crmkit.adapters.memory import MemoryStore
            >>> MemoryStore().unit_of_work().accounts.find().items
            []
        """
        check_limit(limit)
        rows = sorted(
            (item for item in self._matching(query) if cursor is None or item[0] > cursor),
            key=lambda item: item[0],
        )
        return Page.of_rows(rows, limit, self._load)

    def count(self, query: Query | None = None) -> int:
        """How many entities match ``query``.

        Examples:
            >>> from crmkit.adapters.memory import MemoryStore
            >>> MemoryStore().unit_of_work().accounts.count()
            0
        """
        return len(self._matching(query))


def open_memory_store(url: str = "memory://", **options: Any) -> MemoryStore:
    """The ``memory`` adapter's factory: a new, empty in-memory store.

    Examples:
        >>> from crmkit.adapters.memory import open_memory_store
        >>> open_memory_store().url
        'memory://'
    """
    if options:
        raise ValidationError.single(
            "options", sorted(options), "are not understood by the memory store"
        )
    return MemoryStore(url)
