"""The JSON-file store: the crmkit storage ports implemented from scratch.

The file holds ``{"schema_version": 1, "tables": {aggregate: {id: {"version": n,
"document": {...}}}}}``. A unit of work reads a snapshot, collects changes privately and, at
commit, re-reads the file under an exclusive lock, checks that nothing it changed was changed
by someone else (optimistic concurrency) and writes the new file atomically.

Examples:
    >>> import tempfile, pathlib
    >>> from crmkit_jsonfile import JsonFileStore
    >>> store = JsonFileStore(pathlib.Path(tempfile.mkdtemp()) / "crm.json")
    >>> with store.unit_of_work() as uow:
    ...     uow.accounts.count()
    0
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from crmkit.adapters.aggregate import (
    Aggregate,
    AggregateRepository,
    aggregate_for,
    aggregate_names,
    check_unchanged,
    not_found,
)
from crmkit.adapters.hierarchy import detach_children
from crmkit.adapters.memory import matches
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

__all__ = ["JsonFileRepository", "JsonFileStore", "JsonFileUnitOfWork", "open_store"]

SCHEMA_VERSION = 1
E = TypeVar("E")
# One stored row: {"version": int, "document": dict}; a table maps id -> row.
Table = dict[str, dict[str, Any]]


class JsonFileStore(ClosingStore):
    """CRM data in one JSON file.

    Examples:
        >>> import tempfile, pathlib
        >>> from crmkit_jsonfile import JsonFileStore
        >>> JsonFileStore(pathlib.Path(tempfile.mkdtemp()) / "crm.json").schema_version
        1
    """

    def __init__(self, path: str | Path, url: str | None = None) -> None:
        self.path = Path(path)
        self._url = url or f"jsonfile://{self.path}"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock_path = self.path.with_name(self.path.name + ".lock")

    @property
    def url(self) -> str:
        """The store URL."""
        return self._url

    @property
    def schema_version(self) -> int:
        """The file format version."""
        return SCHEMA_VERSION

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with open(self._lock_path, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _read(self) -> dict[str, Table]:
        if not self.path.exists():
            return {name: {} for name in aggregate_names()}
        data = json.loads(self.path.read_text(encoding="utf-8"))
        tables: dict[str, Table] = data["tables"]
        for name in aggregate_names():
            tables.setdefault(name, {})
        return tables

    def snapshot(self) -> dict[str, Table]:
        """The committed data, read under the lock."""
        with self._locked():
            return self._read()

    def apply(
        self, changes: dict[str, dict[str, tuple[int | None, dict[str, Any] | None]]]
    ) -> None:
        """Apply ``{aggregate: {id: (based_on_version, row or None)}}`` atomically."""
        with self._locked():
            tables = self._read()
            for aggregate, rows in changes.items():
                label = aggregate_for(aggregate).entity.__name__
                for id, (based_on, _row) in rows.items():
                    current = tables[aggregate].get(id)
                    version = None if current is None else current["version"]
                    check_unchanged(label, id, based_on, version)
            for aggregate, rows in changes.items():
                for id, (_, row) in rows.items():
                    if row is None:
                        tables[aggregate].pop(id, None)
                    else:
                        tables[aggregate][id] = row
            tmp = self.path.with_name(self.path.name + ".tmp")
            payload = {"schema_version": SCHEMA_VERSION, "tables": tables}
            tmp.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
            with open(tmp, "rb") as handle:
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)

    def unit_of_work(self) -> JsonFileUnitOfWork:
        """A new unit of work."""
        return JsonFileUnitOfWork(self)

    def close(self) -> None:
        """Nothing to release: every commit already wrote the file."""


class JsonFileUnitOfWork(UnitOfWorkRepositories["JsonFileRepository[Any]"]):
    """A snapshot of the file plus private changes, written at commit.

    ``UnitOfWorkRepositories`` gives it the repository properties (``accounts`` …) over
    :meth:`repository` and the ``with`` block (commit or roll back, then close); ``UnitOfWorkState`` refuses use after the ``with`` block and puts the
    caller's entities back at their stored version on rollback."""

    def __init__(self, store: JsonFileStore) -> None:
        self._store = store
        self._base: dict[str, Table] | None = None
        self.changes: dict[str, dict[str, tuple[int | None, dict[str, Any] | None]]] = {}
        self._repositories: dict[str, JsonFileRepository[Any]] = {}
        self.state = UnitOfWorkState(store.url)

    def table(self, aggregate: str) -> Table:
        """The aggregate's rows as this unit of work sees them (snapshot plus changes)."""
        self.state.check_open()
        if self._base is None:
            self._base = self._store.snapshot()
        merged = dict(self._base[aggregate])
        for id, (_, row) in self.changes.get(aggregate, {}).items():
            if row is None:
                merged.pop(id, None)
            else:
                merged[id] = row
        return merged

    def write(self, aggregate: str, id: str, row: dict[str, Any] | None) -> None:
        """Record a change (``None`` deletes)."""
        self.state.check_open()
        rows = self.changes.setdefault(aggregate, {})
        if id not in rows:
            self.table(aggregate)  # make sure the snapshot is loaded
            original = (self._base or {}).get(aggregate, {}).get(id)
            rows[id] = (None if original is None else original["version"], row)
        else:
            rows[id] = (rows[id][0], row)

    def repository(self, aggregate: type[Any] | str) -> JsonFileRepository[Any]:
        """The repository of an entity class or plural name."""
        agg = aggregate_for(aggregate)
        if agg.name not in self._repositories:
            self._repositories[agg.name] = JsonFileRepository(self, agg)
        return self._repositories[agg.name]

    def commit(self) -> None:
        """Write the changes to the file (all or nothing)."""
        self.state.check_open()
        changes, self.changes, self._base = self.changes, {}, None
        try:
            if changes:
                self._store.apply(changes)
        except BaseException:
            self.state.rolled_back()
            raise
        self.state.committed()

    def rollback(self) -> None:
        """Forget the changes."""
        self.state.check_open()
        self.changes, self._base = {}, None
        self.state.rolled_back()


class JsonFileRepository(AggregateRepository[E]):
    """One aggregate inside a :class:`JsonFileUnitOfWork`.

    It implements only the core of the repository port — ``aggregate``, ``get``, ``add``,
    ``save``, ``upsert_many``, ``delete``, ``find`` and ``count``
    (``crmkit.adapters.ports.REPOSITORY_CORE``); ``RepositoryQueries`` adds every
    convenience (``add_many``, ``find_by_remote_id``, ``by_owner`` … ``iter_all``, the
    ``find_by_…`` lookups) over them, and ``AggregateRepository`` the ``aggregate`` property
    and the checks every store makes alike (remote ids, account parents, versions) over its
    two lookups ``_remote_owner`` and ``_parent_of``."""

    def __init__(self, uow: JsonFileUnitOfWork, aggregate: Aggregate) -> None:
        super().__init__(aggregate)
        self._uow = uow

    def _rows(self) -> Table:
        return self._uow.table(self._agg.name)

    def _row(self, entity: Any, version: int) -> dict[str, Any]:
        old, entity.version = entity.version, version
        try:
            return {"version": version, "document": self._agg.to_document(entity)}
        finally:
            entity.version = old

    def _remote_owner(self, remote_id: str) -> str | None:
        for id, row in self._rows().items():
            if row["document"].get("remote_id") == remote_id:
                return id
        return None

    def _parent_of(self, id: str) -> str | None:
        row = self._uow.table("accounts").get(id)
        if row is None:
            raise not_found("accounts", id)
        parent: str | None = row["document"].get("parent_id")
        return parent

    def get(self, id: str) -> E:
        """The entity with ``id``."""
        row = self._rows().get(id)
        if row is None:
            raise not_found(self._agg.name, id)
        return self._load(row)

    def add(self, entity: E) -> E:
        """Store a new entity at version 1."""
        ent: Any = entity
        row = self._row(ent, 1)
        if ent.id in self._rows():
            raise self._already_exists(ent.id)
        self._check_remote(ent)
        self._check_parents([ent])
        self._uow.write(self._agg.name, ent.id, row)
        self._uow.state.touch(ent)
        ent.version = 1
        return entity

    def save(self, entity: E) -> E:
        """Store changes from the entity's current version."""
        ent: Any = entity
        current = self._rows().get(ent.id)
        self._check_version(ent.id, None if current is None else current["version"], ent.version)
        self._check_remote(ent)
        self._check_parents([ent])
        self._uow.state.touch(ent)
        with self._stamped(ent):
            self._uow.write(self._agg.name, ent.id, self._row(ent, ent.version + 1))
        ent.version += 1
        return entity

    def upsert_many(self, entities: Iterable[E], *, key: UpsertKey = "id") -> UpsertResult:
        """Insert or replace many entities, matching on ``key``."""
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
            current = self._rows().get(ent.id)
            version = 1 if current is None else current["version"] + 1
            self._check_remote(ent)
            self._check_parents([ent])
            self._uow.write(self._agg.name, ent.id, self._row(ent, version))
            self._uow.state.touch(ent)
            ent.version = version
            inserted += current is None
            updated += current is not None
        return UpsertResult(inserted=inserted, updated=updated)

    def delete(self, id: str, *, version: int | None = None) -> None:
        """Remove the entity with ``id``."""
        current = self._rows().get(id)
        self._check_version(id, None if current is None else current["version"], version)
        if self._agg.name == "accounts":
            children = [
                child
                for child, row in self._rows().items()
                if row["document"].get("parent_id") == id
            ]
            detach_children(self, children)
        self._uow.write(self._agg.name, id, None)

    def _matching(self, query: Query | None) -> list[tuple[str, dict[str, Any]]]:
        checked = self._agg.check(query)
        out = []
        for id, row in sorted(self._rows().items()):
            if matches(self._agg.index(self._agg.from_document(row["document"])), checked):
                out.append((id, row))
        return out

    def find(
        self,
        query: Query | None = None,
        *,
        limit: int = DEFAULT_PAGE_SIZE,
        cursor: str | None = None,
    ) -> Page[E]:
        """One page of matching entities in id order."""
        check_limit(limit)
        rows = [item for item in self._matching(query) if cursor is None or item[0] > cursor]
        return Page.of_rows(rows, limit, self._load)

    def _load(self, row: dict[str, Any]) -> E:
        entity: E = self._agg.from_document(row["document"])
        return entity

    def count(self, query: Query | None = None) -> int:
        """How many entities match."""
        return len(self._matching(query))


def open_store(url: str, **options: Any) -> JsonFileStore:
    """The entry point crmkit calls for ``jsonfile://`` URLs.

    Examples:
        >>> from crmkit_jsonfile import open_store
        >>> open_store("jsonfile:///tmp/crmkit-jsonfile-doctest.json").path.name
        'crmkit-jsonfile-doctest.json'
    """
    if options:
        raise ValidationError.single("options", sorted(options), "are not understood")
    path = url.split("://", 1)[1]
    if not path:
        raise ValidationError.single("url", url, "must name a file: jsonfile:///path/crm.json")
    return JsonFileStore(path, url)
