"""The storage ports: what every crmkit store offers, as :class:`typing.Protocol` classes.

A *store* (:class:`Store`) opens *units of work* (:class:`UnitOfWork`), the transaction
boundary. A unit of work exposes one *repository* (:class:`Repository`) per aggregate —
``accounts``, ``contacts``, ``leads``, ``opportunities``, ``interactions``, ``cases``,
``orders``, ``campaigns`` and ``products`` — and either commits everything done through them
or nothing.

A repository has a small core a store implements (:class:`Repository`: ``aggregate``,
``get``, ``add``, ``save``, ``upsert_many``, ``delete``, ``find``, ``count``) and the
conveniences callers use on top (``add_many``, ``find_by_remote_id``, ``by_owner`` …
``iter_all``, the ``find_by_…`` lookups), written once over the core in
:class:`RepositoryQueries`, which stores inherit and may override for speed.

Rules every adapter keeps (the compliance suite :mod:`crmkit.testing.adapter_suite` checks
them):

* **Versions.** A stored entity has a ``version`` (1 after :meth:`Repository.add`). Saving
  requires ``entity.version`` to equal the stored version; the store bumps it by one and
  writes the new number back onto the entity. A stale save raises
  :class:`~crmkit.errors.ConflictError` naming the aggregate, id and both versions — no update
  is ever silently lost.
* **Timestamps.** :meth:`Repository.add` and :meth:`Repository.upsert_many` keep the
  entity's ``created_at`` / ``updated_at`` (imports keep history); :meth:`Repository.save`
  stamps ``updated_at`` with the current UTC time.
* **Paging.** :meth:`Repository.find` returns a :class:`Page` ordered by ``id`` (stable, and
  time-ordered for crmkit ids) with an opaque ``next_cursor``; ``None`` means the last page.
* **Transactions.** Leaving a ``with store.unit_of_work() as uow:`` block normally commits;
  leaving it with an exception rolls back, so nothing of the block is stored.

Message and import/export-format ports live beside their adapters
(:mod:`crmkit.adapters.outbound`, :mod:`crmkit.adapters.files`).

Examples:
    >>> from crmkit.adapters.ports import Page, Query
    >>> Query(owner_id="u1", status="existing").filters()
    {'owner_id': 'u1', 'status': 'existing'}
    >>> Page(items=[1, 2], next_cursor=None).is_last
    True
"""

from __future__ import annotations

import abc
import enum
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from types import TracebackType
from typing import (
    TYPE_CHECKING,
    Any,
    Generic,
    Literal,
    Protocol,
    Self,
    TypeVar,
    overload,
    runtime_checkable,
)

import attrs

from crmkit.errors import Problem, UnitOfWorkClosedError, ValidationError

if TYPE_CHECKING:
    from crmkit.domain import (
        Account,
        Campaign,
        Case,
        Contact,
        ExchangeRate,
        Interaction,
        Lead,
        Money,
        Note,
        Opportunity,
        Order,
        OwnerChange,
        PriceBook,
        Product,
        Quote,
        Task,
        Team,
        Territory,
        User,
    )

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "REPOSITORY_CONVENIENCES",
    "REPOSITORY_CORE",
    "ClosingStore",
    "CustomValue",
    "Entity",
    "ExchangeRates",
    "Lookup",
    "LookupKind",
    "Page",
    "Query",
    "Repository",
    "RepositoryQueries",
    "Store",
    "UnitOfWork",
    "UnitOfWorkRepositories",
    "UnitOfWorkState",
    "UpsertKey",
    "UpsertResult",
    "check_limit",
    "lookup_target",
]

#: Page size used when a caller gives none.
DEFAULT_PAGE_SIZE = 100
#: Largest page a caller may ask for.
MAX_PAGE_SIZE = 10_000

#: A custom-property value (what ``entity.custom`` holds).
CustomValue = str | int | float | bool | None
#: Which key :meth:`Repository.upsert_many` matches stored rows on.
UpsertKey = Literal["id", "remote_id"]

T = TypeVar("T")
E = TypeVar("E")
S = TypeVar("S")

# A custom-property name, as entities accept them (crmkit.domain.properties): every store
# answers a query on any other name the same way, by refusing it.
_PROPERTY_NAME = re.compile(r"\A[A-Za-z_][A-Za-z0-9_]*\Z")


class Entity(Protocol):
    """What a store needs of an aggregate root: an id, a version, timestamps, a remote id.

    Every crmkit aggregate (``Account``, ``Opportunity`` …) satisfies it.

    Examples:
        >>> from datetime import UTC, datetime
        >>> from crmkit.adapters.ports import Entity
        >>> class Thing:
        ...     id = "t1"; version = 0; remote_id = None
        ...     created_at = updated_at = datetime(2024, 1, 1, tzinfo=UTC)
        >>> thing: Entity = Thing()
        >>> thing.version
        0
    """

    id: str
    version: int
    remote_id: str | None
    created_at: datetime
    updated_at: datetime


def _plain(value: Any) -> str | None:
    if value is None:
        return None
    return str(value.value if isinstance(value, enum.Enum) else value)


def _custom_items(
    value: Mapping[str, CustomValue] | Iterable[tuple[str, CustomValue]],
) -> tuple[tuple[str, CustomValue], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple(sorted((str(k), v) for k, v in items))


@attrs.frozen
class Query:
    """Filters for :meth:`Repository.find` and :meth:`Repository.count`; all given ones must hold.

    Args:
        owner_id: the responsible user (``owner_id``; a case's ``agent_id``).
        account_id: the account the entity belongs to (contacts, opportunities, orders …).
        status: the status field (enum member or its value).
        stage: an opportunity's ``stage_key``.
        segment: the segment field (an account's ``tier``, a lead's segment).
        updated_since: entities with ``updated_at`` at or after this aware datetime.
        name: case-insensitive substring of the entity's name field(s).
        remote_id: the id in an external system.
        custom: custom properties that must equal the given values (a mapping of property
            names to strings, finite numbers, booleans or ``None``).

    An aggregate that has no field for a given filter raises
    :class:`~crmkit.errors.ValidationError` (for example ``stage`` on accounts).

    Examples:
        >>> from datetime import UTC, datetime
        >>> from crmkit.adapters.ports import Query
        >>> q = Query(name="acme", custom={"region": "north"})
        >>> q.filters()
        {'name': 'acme', 'custom': (('region', 'north'),)}
        >>> Query(updated_since=datetime(2024, 1, 1))
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: query.updated_since: datetime.datetime(2024, 1, 1, 0, 0) must be timezone-aware
    """

    owner_id: str | None = None
    account_id: str | None = None
    status: str | None = attrs.field(default=None, converter=_plain)
    stage: str | None = None
    segment: str | None = attrs.field(default=None, converter=_plain)
    updated_since: datetime | None = None
    name: str | None = None
    remote_id: str | None = None
    custom: tuple[tuple[str, CustomValue], ...] = attrs.field(default=(), converter=_custom_items)

    def __attrs_post_init__(self) -> None:
        if self.updated_since is not None and self.updated_since.utcoffset() is None:
            raise ValidationError.single(
                "query.updated_since", self.updated_since, "must be timezone-aware"
            )
        problems = []
        for key, stated in self.custom:
            value: Any = stated  # callers may pass anything; check it
            if not _PROPERTY_NAME.match(key):
                problems.append(Problem(f"query.custom.{key}", key, "is not a property name"))
            elif isinstance(value, float) and not math.isfinite(value):
                problems.append(Problem(f"query.custom.{key}", value, "must be a finite number"))
            elif value is not None and not isinstance(value, str | int | float | bool):
                problems.append(
                    Problem(
                        f"query.custom.{key}", value, "must be a string, number, boolean or null"
                    )
                )
        if problems:
            raise ValidationError(problems)

    def filters(self) -> dict[str, Any]:
        """The filters that are set, by name (``custom`` as sorted ``(key, value)`` pairs).

        Examples:
            >>> from crmkit.adapters.ports import Query
            >>> Query(stage="proposal").filters()
            {'stage': 'proposal'}
        """
        out: dict[str, Any] = {}
        for field in attrs.fields(Query):
            value = getattr(self, field.name)
            if value is not None and value != ():
                out[field.name] = value
        return out


@attrs.frozen
class Page(Generic[T]):
    """One page of a query result, in stable ``id`` order.

    Args:
        items: the entities on this page.
        next_cursor: pass it as ``cursor=`` to get the next page; ``None`` on the last page.

    Examples:
        >>> from crmkit.adapters.ports import Page
        >>> page = Page(items=["a", "b"], next_cursor="b")
        >>> len(page), list(page), page.is_last
        (2, ['a', 'b'], False)
    """

    items: list[T]
    next_cursor: str | None = None

    @property
    def is_last(self) -> bool:
        """Whether no page follows this one.

        Examples:
            >>> from crmkit.adapters.ports import Page
            >>> Page(items=[], next_cursor=None).is_last
            True
        """
        return self.next_cursor is None

    @classmethod
    def of_rows(cls, rows: Sequence[tuple[str, S]], limit: int, load: Callable[[S], T]) -> Page[T]:
        """The page of the first ``limit`` of ``rows`` (``(id, stored)`` pairs in ``id`` order,
        read with one more than ``limit`` to tell whether more follow), each stored value
        loaded with ``load``; its cursor is the page's last id when more follow.

        Examples:
            >>> from crmkit.adapters.ports import Page
            >>> Page.of_rows([("a", 1), ("b", 2), ("c", 3)], 2, str)
            Page(items=['1', '2'], next_cursor='b')
            >>> Page.of_rows([("a", 1)], 2, str).is_last
            True
        """
        page = rows[:limit]
        next_cursor = page[-1][0] if len(rows) > limit else None
        return cls(items=[load(stored) for _, stored in page], next_cursor=next_cursor)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)


@attrs.frozen
class UpsertResult:
    """What :meth:`Repository.upsert_many` did: how many rows it inserted and replaced.

    Examples:
        >>> from crmkit.adapters.ports import UpsertResult
        >>> UpsertResult(inserted=3, updated=1).total
        4
    """

    inserted: int
    updated: int

    @property
    def total(self) -> int:
        """Rows written (inserted plus updated).

        Examples:
            >>> from crmkit.adapters.ports import UpsertResult
            >>> UpsertResult(inserted=0, updated=2).total
            2
        """
        return self.inserted + self.updated


def check_limit(limit: int) -> int:
    """Validate a page size: between 1 and :data:`MAX_PAGE_SIZE`.

    Examples:
        >>> from crmkit.adapters.ports import check_limit
        >>> check_limit(50)
        50
        >>> check_limit(0)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: limit: 0 must be between 1 and 10000
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValidationError.single("limit", limit, f"must be between 1 and {MAX_PAGE_SIZE}")
    return limit


#: The normalised lookups of :meth:`RepositoryQueries.lookup`: the kind of typed column
#: (:data:`crmkit.adapters.sql.schema.COLUMNS`) and what it holds.
LookupKind = Literal["email", "orgnr", "domain"]
_LOOKUP_LABELS: dict[str, tuple[str, str]] = {
    "email": ("e-mail", "is not an e-mail address"),
    "orgnr": ("organisation number", "has no digits of an organisation number"),
    "domain": ("web site", "names no host"),
}


@attrs.frozen
class Lookup:
    """A lookup resolved for one aggregate: the entity attribute, its typed column, the
    normalised value wanted and the normaliser both sides go through.

    Examples:
        >>> from crmkit.adapters.ports import lookup_target
        >>> found = lookup_target("accounts", "domain", "https://www.Acme.se/about")
        >>> found.attribute, found.column, found.value
        ('website', 'domain', 'acme.se')
    """

    attribute: str
    column: str
    value: str
    normalise: Callable[[Any], str | None]


def lookup_target(aggregate: str, kind: str, value: Any) -> Lookup:
    """Resolve a lookup of ``kind`` on ``aggregate``, refusing a kind it has no field for.

    Examples:
        >>> from crmkit.adapters.ports import lookup_target
        >>> lookup_target("contacts", "email", " Anna@Acme.SE").value
        'anna@acme.se'
        >>> lookup_target("accounts", "orgnr", "n/a")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: accounts.organisation_number: 'n/a' has no digits of an organisation number
    """
    from crmkit.adapters.sql.schema import COLUMNS
    from crmkit.domain.normalise import (
        normalise_domain,
        normalise_email,
        normalise_organisation_number,
    )

    normalisers: dict[str, Callable[[Any], str | None]] = {
        "email": normalise_email,
        "orgnr": normalise_organisation_number,
        "domain": normalise_domain,
    }
    if kind not in normalisers:
        raise ValidationError.single("kind", kind, f"must be one of {tuple(normalisers)}")
    label, unusable = _LOOKUP_LABELS[kind]
    spec = next((c for c in COLUMNS.get(aggregate, ()) if c.kind == kind), None)
    if spec is None:
        raise ValidationError.single(
            f"{aggregate}.{kind}", value, f"{aggregate} have no {label} field to look up"
        )
    if not isinstance(value, str):
        raise ValidationError.single(f"{aggregate}.{spec.attr}", value, "must be text")
    wanted = normalisers[kind](value)
    if wanted is None:
        raise ValidationError.single(f"{aggregate}.{spec.attr}", value, unusable)
    return Lookup(spec.attr, spec.column, wanted, normalisers[kind])


class Repository(Protocol[E]):
    """The core of one aggregate's collection inside a unit of work: what a store implements.

    Eight members — :attr:`aggregate`, :meth:`get`, :meth:`add`, :meth:`save`,
    :meth:`upsert_many`, :meth:`delete`, :meth:`find` and :meth:`count` (listed in
    :data:`REPOSITORY_CORE`). Everything else callers use on a repository (``add_many``,
    ``find_by_remote_id``, ``by_owner`` … ``iter_all``, the ``find_by_…`` lookups) is written
    once over this core in :class:`RepositoryQueries`, which stores inherit. The examples use
    the in-memory store; every store behaves the same.

    Examples:
        >>> from crmkit.adapters import open_store
        >>> from crmkit.domain import Account
        >>> with open_store("memory://") as store, store.unit_of_work() as uow:
        ...     acme = uow.accounts.add(Account(name="Acme AB"))
        ...     uow.accounts.get(acme.id).name
        'Acme AB'
    """

    @property
    def aggregate(self) -> str:
        """The aggregate's plural name (``"accounts"``).

        Examples:
            >>> from crmkit.adapters import open_store
            >>> with open_store("memory://") as store, store.unit_of_work() as uow:
            ...     uow.orders.aggregate
            'orders'
        """
        ...

    def get(self, id: str) -> E:
        """The entity with ``id``; :class:`~crmkit.errors.NotFoundError` when there is none.

        Examples:
            >>> from crmkit.adapters import open_store
            >>> with open_store("memory://") as store, store.unit_of_work() as uow:
            ...     uow.accounts.get("nope")
            Traceback (most recent call last):
            ...
            crmkit.errors.NotFoundError: accounts has no entity with id 'nope'
        """
        ...

    def add(self, entity: E) -> E:
        """Store a new entity at version 1 (written back onto it) and return it.

        An entity with the same id (or the same ``remote_id``) already stored raises
        :class:`~crmkit.errors.ConflictError`.

        Examples:
            >>> from crmkit.adapters import open_store
            >>> from crmkit.domain import Account
            >>> with open_store("memory://") as store, store.unit_of_work() as uow:
            ...     uow.accounts.add(Account(name="Acme")).version
            1
        """
        ...

    def save(self, entity: E) -> E:
        """Store changes to an existing entity (optimistic concurrency).

        ``entity.version`` must equal the stored version; the store bumps the version by one
        (written back onto ``entity``) and stamps ``updated_at``. A stale version raises
        :class:`~crmkit.errors.ConflictError`; an unknown id raises
        :class:`~crmkit.errors.NotFoundError`.

        Examples:
            >>> from crmkit.adapters import open_store
            >>> from crmkit.domain import Account
            >>> with open_store("memory://") as store, store.unit_of_work() as uow:
            ...     acme = uow.accounts.add(Account(name="Acme"))
            ...     acme.name = "Acme AB"
            ...     uow.accounts.save(acme).version
            2
        """
        ...

    def upsert_many(self, entities: Iterable[E], *, key: UpsertKey = "id") -> UpsertResult:
        """Insert or replace many entities in one go (imports and synchronisation).

        Rows match on ``key``: ``"id"``, or ``"remote_id"`` (a matched entity takes over the
        stored id, so re-running an import is idempotent). A replaced row gets the stored
        version plus one; a new row version 1; the versions are written back onto the
        entities. This is an explicit overwrite, not a concurrent edit: use :meth:`save` to
        detect conflicts.

        Examples:
            >>> from crmkit.adapters import open_store
            >>> from crmkit.domain import Account
            >>> with open_store("memory://") as store, store.unit_of_work() as uow:
            ...     first = uow.accounts.upsert_many([Account(name="A", remote_id="r1")],
            ...                                      key="remote_id")
            ...     again = uow.accounts.upsert_many([Account(name="A2", remote_id="r1")],
            ...                                      key="remote_id")
            ...     first, again, uow.accounts.count()
            (UpsertResult(inserted=1, updated=0), UpsertResult(inserted=0, updated=1), 1)
        """
        ...

    def delete(self, id: str, *, version: int | None = None) -> None:
        """Remove the entity with ``id``.

        Unknown ids raise :class:`~crmkit.errors.NotFoundError`; when ``version`` is given
        and differs from the stored one, :class:`~crmkit.errors.ConflictError`.

        Examples:
            >>> from crmkit.adapters import open_store
            >>> from crmkit.domain import Account
            >>> with open_store("memory://") as store, store.unit_of_work() as uow:
            ...     acme = uow.accounts.add(Account(name="Acme"))
            ...     uow.accounts.delete(acme.id, version=1)
            ...     uow.accounts.count()
            0
        """
        ...

    def find(
        self,
        query: Query | None = None,
        *,
        limit: int = DEFAULT_PAGE_SIZE,
        cursor: str | None = None,
    ) -> Page[E]:
        """One page of the entities matching ``query`` (all when ``None``), in ``id`` order.

        Examples:
            >>> from crmkit.adapters import open_store
            >>> from crmkit.adapters.ports import Query
            >>> from crmkit.domain import Account
            >>> with open_store("memory://") as store, store.unit_of_work() as uow:
            ...     _ = uow.accounts.add_many(Account(name=f"Firm {i}") for i in range(5))
            ...     page = uow.accounts.find(Query(name="firm"), limit=3)
            ...     rest = uow.accounts.find(Query(name="firm"), limit=3, cursor=page.next_cursor)
            ...     len(page), len(rest), rest.next_cursor
            (3, 2, None)
        """
        ...

    def count(self, query: Query | None = None) -> int:
        """How many entities match ``query`` (all when ``None``).

        Examples:
            >>> from crmkit.adapters import open_store
            >>> with open_store("memory://") as store, store.unit_of_work() as uow:
            ...     uow.contacts.count()
            0
        """
        ...


class RepositoryQueries(Repository[E], Protocol[E]):
    """A repository as callers use it: the core :class:`Repository` plus the conveniences,
    each written once here over the core.

    Stores inherit it (``class MyRepository(RepositoryQueries[E])``) and implement only the
    core; the conveniences (:data:`REPOSITORY_CONVENIENCES`) come with it. A store may
    override one to answer faster — the SQL store looks lookups up in its indexed columns,
    the in-memory store remote ids in its index, and the SQL store inserts ``add_many`` in
    batches — and the compliance suite
    (:meth:`~crmkit.testing.adapter_suite.AdapterComplianceSuite.test_conveniences_answer_as_the_generic_versions`)
    checks that every override answers as the generic version here does. Every unit of work's
    repositories (``uow.accounts`` …) have this type.

    Examples:
        >>> from crmkit.adapters import open_store
        >>> from crmkit.domain import Account
        >>> with open_store("memory://") as store, store.unit_of_work() as uow:
        ...     _ = uow.accounts.add(Account(name="Acme", owner_id="anna"))
        ...     [a.name for a in uow.accounts.by_owner("anna")]
        ['Acme']
    """

    def add_many(self, entities: Iterable[E]) -> int:
        """Store many new entities, each as :meth:`add` would; returns how many.

        Examples:
            >>> from crmkit.adapters import open_store
            >>> from crmkit.domain import Account
            >>> with open_store("memory://") as store, store.unit_of_work() as uow:
            ...     uow.accounts.add_many([Account(name="A"), Account(name="B")])
            2
        """
        count = 0
        for entity in entities:
            self.add(entity)
            count += 1
        return count

    def find_by_remote_id(self, remote_id: str) -> E | None:
        """The entity whose ``remote_id`` is ``remote_id``, or ``None``.

        Examples:
            >>> from crmkit.adapters import open_store
            >>> from crmkit.domain import Account
            >>> with open_store("memory://") as store, store.unit_of_work() as uow:
            ...     _ = uow.accounts.add(Account(name="Acme", remote_id="hs-17"))
            ...     uow.accounts.find_by_remote_id("hs-17").name
            'Acme'
        """
        found = self.find(Query(remote_id=remote_id), limit=1).items
        return found[0] if found else None

    def by_owner(
        self, owner_id: str, *, limit: int = DEFAULT_PAGE_SIZE, cursor: str | None = None
    ) -> Page[E]:
        """Entities whose owner (a case's agent) is ``owner_id``.

        Examples:
            >>> from crmkit.adapters import open_store
            >>> with open_store("memory://") as store, store.unit_of_work() as uow:
            ...     uow.leads.by_owner("anna").items
            []
        """
        return self.find(Query(owner_id=owner_id), limit=limit, cursor=cursor)

    def by_account(
        self, account_id: str, *, limit: int = DEFAULT_PAGE_SIZE, cursor: str | None = None
    ) -> Page[E]:
        """Entities that belong to the account ``account_id``.

        Examples:
            >>> from crmkit.adapters import open_store
            >>> with open_store("memory://") as store, store.unit_of_work() as uow:
            ...     uow.contacts.by_account("a1").items
            []
        """
        return self.find(Query(account_id=account_id), limit=limit, cursor=cursor)

    def by_stage(
        self, stage: str, *, limit: int = DEFAULT_PAGE_SIZE, cursor: str | None = None
    ) -> Page[E]:
        """Opportunities in pipeline stage ``stage`` (a stage key).

        Examples:
            >>> from crmkit.adapters import open_store
            >>> with open_store("memory://") as store, store.unit_of_work() as uow:
            ...     uow.opportunities.by_stage("proposal").items
            []
        """
        return self.find(Query(stage=stage), limit=limit, cursor=cursor)

    def by_status(
        self, status: Any, *, limit: int = DEFAULT_PAGE_SIZE, cursor: str | None = None
    ) -> Page[E]:
        """Entities with status ``status`` (an enum member or its value).

        Examples:
            >>> from crmkit.adapters import open_store
            >>> with open_store("memory://") as store, store.unit_of_work() as uow:
            ...     uow.cases.by_status("open").items
            []
        """
        return self.find(Query(status=status), limit=limit, cursor=cursor)

    def by_segment(
        self, segment: Any, *, limit: int = DEFAULT_PAGE_SIZE, cursor: str | None = None
    ) -> Page[E]:
        """Entities in segment ``segment`` (an account's tier, a lead's segment).

        Examples:
            >>> from crmkit.adapters import open_store
            >>> with open_store("memory://") as store, store.unit_of_work() as uow:
            ...     uow.accounts.by_segment("A").items
            []
        """
        return self.find(Query(segment=segment), limit=limit, cursor=cursor)

    def updated_since(
        self, since: datetime, *, limit: int = DEFAULT_PAGE_SIZE, cursor: str | None = None
    ) -> Page[E]:
        """Entities whose ``updated_at`` is at or after ``since`` (aware datetime).

        Examples:
            >>> from datetime import UTC, datetime
            >>> from crmkit.adapters import open_store
            >>> with open_store("memory://") as store, store.unit_of_work() as uow:
            ...     uow.accounts.updated_since(datetime(2024, 1, 1, tzinfo=UTC)).items
            []
        """
        return self.find(Query(updated_since=since), limit=limit, cursor=cursor)

    def search_name(
        self, text: str, *, limit: int = DEFAULT_PAGE_SIZE, cursor: str | None = None
    ) -> Page[E]:
        """Entities whose name contains ``text``, ignoring case.

        Examples:
            >>> from crmkit.adapters import open_store
            >>> from crmkit.domain import Account
            >>> with open_store("memory://") as store, store.unit_of_work() as uow:
            ...     _ = uow.accounts.add(Account(name="Nordic Steel"))
            ...     [a.name for a in uow.accounts.search_name("STEEL")]
            ['Nordic Steel']
        """
        return self.find(Query(name=text), limit=limit, cursor=cursor)

    def by_custom(
        self,
        key: str,
        value: CustomValue,
        *,
        limit: int = DEFAULT_PAGE_SIZE,
        cursor: str | None = None,
    ) -> Page[E]:
        """Entities whose custom property ``key`` equals ``value`` (JSON equality).

        Examples:
            >>> from crmkit.adapters import open_store
            >>> from crmkit.domain import Account
            >>> with open_store("memory://") as store, store.unit_of_work() as uow:
            ...     _ = uow.accounts.add(Account(name="Acme", custom={"fiscal_month": 7}))
            ...     [a.name for a in uow.accounts.by_custom("fiscal_month", 7)]
            ['Acme']
        """
        return self.find(Query(custom={key: value}), limit=limit, cursor=cursor)

    def iter_all(self, query: Query | None = None, *, batch: int = 500) -> Iterator[E]:
        """Every entity matching ``query``, page by page (bounded memory), in ``id`` order.

        Examples:
            >>> from crmkit.adapters import open_store
            >>> from crmkit.domain import Account
            >>> with open_store("memory://") as store, store.unit_of_work() as uow:
            ...     _ = uow.accounts.add_many(Account(name=str(i)) for i in range(7))
            ...     len(list(uow.accounts.iter_all(batch=3)))
            7
        """
        cursor: str | None = None
        while True:
            page = self.find(query, limit=batch, cursor=cursor)
            yield from page.items
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def find_by_email(self, email: str) -> list[E]:
        """Entities whose e-mail address is ``email``, compared trimmed and lower-cased.

        Contacts, leads and any aggregate with an e-mail field have it; others raise
        :class:`~crmkit.errors.ValidationError`.

        Examples:
            >>> from crmkit.adapters import open_store
            >>> from crmkit.domain import Contact
            >>> with open_store("memory://") as store, store.unit_of_work() as uow:
            ...     _ = uow.contacts.add(Contact("Anna", "Berg", email="Anna.Berg@Acme.se"))
            ...     [c.first_name for c in uow.contacts.find_by_email(" anna.berg@ACME.SE")]
            ['Anna']
        """
        return self.lookup("email", email)

    def find_by_org_number(self, organisation_number: str) -> list[E]:
        """Entities whose organisation number is ``organisation_number``, digits compared
        (``556677-8899`` finds ``5566778899``).

        Examples:
            >>> from crmkit.adapters import open_store
            >>> from crmkit.domain import Account
            >>> with open_store("memory://") as store, store.unit_of_work() as uow:
            ...     _ = uow.accounts.add(Account("Nordvind AB", organisation_number="556677-8899"))
            ...     [a.name for a in uow.accounts.find_by_org_number("5566778899")]
            ['Nordvind AB']
        """
        return self.lookup("orgnr", organisation_number)

    def find_by_domain(self, domain: str) -> list[E]:
        """Accounts whose web site is on ``domain``: host names compared, so
        ``"https://www.Acme.se/about"``, ``"acme.se"`` and ``"anna@acme.se"`` all name ``acme.se``.

        Examples:
            >>> from crmkit.adapters import open_store
            >>> from crmkit.domain import Account
            >>> with open_store("memory://") as store, store.unit_of_work() as uow:
            ...     _ = uow.accounts.add(Account("Acme AB", website="https://www.acme.se"))
            ...     [a.name for a in uow.accounts.find_by_domain("anna@Acme.se")]
            ['Acme AB']
        """
        return self.lookup("domain", domain)

    def lookup(self, kind: LookupKind, value: str) -> list[E]:
        """Entities whose field of lookup ``kind`` equals ``value`` once both are normalised,
        in ``id`` order (what the ``find_by_…`` conveniences call).

        This generic version reads every entity (:meth:`iter_all`); the SQL store overrides it
        to look the value up in its indexed typed column.

        Examples:
            >>> from crmkit.adapters import open_store
            >>> with open_store("memory://") as store, store.unit_of_work() as uow:
            ...     uow.orders.lookup("email", "anna@acme.se")
            Traceback (most recent call last):
            ...
            crmkit.errors.ValidationError: orders.email: 'anna@acme.se' orders have no e-mail field to look up
        """
        target = lookup_target(self.aggregate, kind, value)
        return [
            entity
            for entity in self.iter_all(batch=1000)
            if target.normalise(getattr(entity, target.attribute, None)) == target.value
        ]


#: The members of the :class:`Repository` core: what a store must implement.
REPOSITORY_CORE: tuple[str, ...] = (
    "aggregate",
    "get",
    "add",
    "save",
    "upsert_many",
    "delete",
    "find",
    "count",
)
#: The conveniences :class:`RepositoryQueries` writes once over the core (a store may
#: override any of them; the compliance suite checks the override's answers).
REPOSITORY_CONVENIENCES: tuple[str, ...] = (
    "add_many",
    "find_by_remote_id",
    "by_owner",
    "by_account",
    "by_stage",
    "by_status",
    "by_segment",
    "updated_since",
    "search_name",
    "by_custom",
    "iter_all",
    "find_by_email",
    "find_by_org_number",
    "find_by_domain",
    "lookup",
)


@runtime_checkable
class ExchangeRates(Protocol):
    """The rate-table port: dated exchange rates that convert Money at a date.

    :class:`crmkit.domain.RateTable` implements it in memory,
    :class:`crmkit.adapters.sql.rates.SqlRateTable` over the SQL store's
    ``crm_exchange_rates`` table; reports take either.

    Examples:
        >>> from crmkit.adapters.ports import ExchangeRates
        >>> from crmkit.domain import RateTable
        >>> isinstance(RateTable(), ExchangeRates)
        True
    """

    def rate(self, from_currency: str, to_currency: str, *, on: date) -> ExchangeRate:
        """The rate from ``from_currency`` to ``to_currency`` in force on ``on``."""
        ...

    def convert(self, money: Money, to: str, *, on: date) -> Money:
        """``money`` in currency ``to`` at the rate in force on ``on``."""
        ...

    def total(self, amounts: Iterable[Money], to: str, *, on: date) -> Money:
        """The sum of ``amounts``, each converted to ``to`` at ``on``."""
        ...


class UnitOfWork(Protocol):
    """A transaction: the repositories, and ``commit`` / ``rollback``.

    Use it as a context manager: a normal exit commits, an exception rolls back. ``commit()``
    inside the block makes the work so far durable and starts a new transaction;
    ``rollback()`` discards the work since the last commit.

    Examples:
        >>> from crmkit.adapters import open_store
        >>> from crmkit.domain import Account
        >>> store = open_store("memory://")
        >>> try:
        ...     with store.unit_of_work() as uow:
        ...         _ = uow.accounts.add(Account(name="Ghost"))
        ...         raise RuntimeError("boom")
        ... except RuntimeError:
        ...     pass
        >>> with store.unit_of_work() as uow:
        ...     uow.accounts.count()
        0
    """

    @property
    def accounts(self) -> RepositoryQueries[Account]:
        """The accounts (companies and organisations)."""
        return self.repository("accounts")

    @property
    def contacts(self) -> RepositoryQueries[Contact]:
        """The contacts (people at accounts)."""
        return self.repository("contacts")

    @property
    def leads(self) -> RepositoryQueries[Lead]:
        """The leads (prospects not yet qualified)."""
        return self.repository("leads")

    @property
    def opportunities(self) -> RepositoryQueries[Opportunity]:
        """The opportunities (deals in a pipeline)."""
        return self.repository("opportunities")

    @property
    def interactions(self) -> RepositoryQueries[Interaction]:
        """The interactions (calls, meetings, e-mails …)."""
        return self.repository("interactions")

    @property
    def cases(self) -> RepositoryQueries[Case]:
        """The customer-service cases."""
        return self.repository("cases")

    @property
    def orders(self) -> RepositoryQueries[Order]:
        """The orders."""
        return self.repository("orders")

    @property
    def campaigns(self) -> RepositoryQueries[Campaign]:
        """The marketing campaigns."""
        return self.repository("campaigns")

    @property
    def products(self) -> RepositoryQueries[Product]:
        """The products."""
        return self.repository("products")

    @property
    def users(self) -> RepositoryQueries[User]:
        """The users (who own records and are assigned work)."""
        return self.repository("users")

    @property
    def teams(self) -> RepositoryQueries[Team]:
        """The teams of users."""
        return self.repository("teams")

    @property
    def territories(self) -> RepositoryQueries[Territory]:
        """The sales territories."""
        return self.repository("territories")

    @property
    def owner_changes(self) -> RepositoryQueries[OwnerChange]:
        """The recorded owner reassignments."""
        return self.repository("owner_changes")

    @property
    def tasks(self) -> RepositoryQueries[Task]:
        """The tasks (activities to do)."""
        return self.repository("tasks")

    @property
    def notes(self) -> RepositoryQueries[Note]:
        """The notes (activities written down)."""
        return self.repository("notes")

    @property
    def price_books(self) -> RepositoryQueries[PriceBook]:
        """The price books."""
        return self.repository("price_books")

    @property
    def quotes(self) -> RepositoryQueries[Quote]:
        """The quotes (priced offers, in revisions)."""
        return self.repository("quotes")

    @overload
    def repository(self, aggregate: type[T]) -> RepositoryQueries[T]: ...

    @overload
    def repository(self, aggregate: str) -> RepositoryQueries[Any]: ...

    def repository(self, aggregate: type[Any] | str) -> RepositoryQueries[Any]:
        """The repository of an entity class (``Account``) or plural name (``"accounts"``).

        Unknown aggregates raise :class:`~crmkit.errors.NotFoundError`.

        Examples:
            >>> from crmkit.adapters import open_store
            >>> from crmkit.domain import Account
            >>> with open_store("memory://") as store, store.unit_of_work() as uow:
            ...     uow.repository(Account).aggregate, uow.repository("cases").aggregate
            ('accounts', 'cases')
        """
        ...

    def commit(self) -> None:
        """Make the work done so far durable; later work belongs to a new transaction.

        Examples:
            >>> from crmkit.adapters import open_store
            >>> from crmkit.domain import Account
            >>> with open_store("memory://") as store, store.unit_of_work() as uow:
            ...     _ = uow.accounts.add(Account(name="Kept"))
            ...     uow.commit()
            ...     uow.accounts.count()
            1
        """
        ...

    def rollback(self) -> None:
        """Discard the work done since the last commit.

        Examples:
            >>> from crmkit.adapters import open_store
            >>> from crmkit.domain import Account
            >>> with open_store("memory://") as store, store.unit_of_work() as uow:
            ...     _ = uow.accounts.add(Account(name="Dropped"))
            ...     uow.rollback()
            ...     uow.accounts.count()
            0
        """
        ...

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class Store(Protocol):
    """A place CRM data lives: opens units of work; knows its URL and schema version.

    Get one with :func:`crmkit.adapters.open_store`. A store is also a context manager that
    closes it.

    Examples:
        >>> from crmkit.adapters import open_store
        >>> with open_store("memory://") as store:
        ...     store.url, store.schema_version >= 1
        ('memory://', True)
    """

    @property
    def url(self) -> str:
        """The URL the store was opened with (passwords hidden)."""
        ...

    @property
    def schema_version(self) -> int:
        """The version of the storage schema (see the upgrade path in the SQL store).

        Examples:
            >>> from crmkit.adapters import open_store
            >>> open_store("memory://").schema_version
            2
        """
        ...

    def unit_of_work(self, *, actor: str | None = None) -> UnitOfWork:
        """A new unit of work (transaction); use it in a ``with`` block. ``actor`` is who its
        changes are recorded for in the audit trail (:mod:`crmkit.adapters.audit`).

        Examples:
            >>> from crmkit.adapters import open_store
            >>> with open_store("memory://") as store, store.unit_of_work() as uow:
            ...     uow.products.count()
            0
        """
        ...

    def close(self) -> None:
        """Release connections and files; the store is unusable afterwards.

        Examples:
            >>> from crmkit.adapters import open_store
            >>> open_store("memory://").close()
        """
        ...

    def __enter__(self) -> Store: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class ClosingStore(abc.ABC):
    """The ``with`` block of a store, written once: it gives the store and closes it at the
    end, whatever happened inside. Stores (crmkit's and plugins') subclass it and define
    ``close``.

    Examples:
        >>> from crmkit.adapters.ports import ClosingStore
        >>> class Tap(ClosingStore):
        ...     open = True
        ...     def close(self) -> None:
        ...         self.open = False
        >>> with Tap() as tap:
        ...     tap.open
        True
        >>> tap.open
        False
    """

    @abc.abstractmethod
    def close(self) -> None:
        """Release what the store holds; a subclass defines it."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class UnitOfWorkState:
    """The bookkeeping every unit of work keeps: whether its ``with`` block has ended, and the
    caller's entity objects it changed since the last commit.

    Adapters hold one and call it from their unit of work:

    * :meth:`check_open` before every read or write (a unit of work used after its ``with``
      block raises :class:`~crmkit.errors.UnitOfWorkClosedError` instead of silently opening
      a new transaction whose work is never committed);
    * :meth:`touch` before a repository changes an entity's ``version``, ``updated_at`` or
      ``id``;
    * :meth:`committed` after a commit succeeded, :meth:`rolled_back` after a rollback or a
      failed commit: the touched entities get back the values they had, so after a rollback
      the caller's object is at its stored version again and can be saved once more;
    * :meth:`close` when the ``with`` block ends.

    Args:
        store: what to call the store in messages (its URL).

    Examples:
        >>> from crmkit.adapters.ports import UnitOfWorkState
        >>> from crmkit.domain import Account
        >>> state, acme = UnitOfWorkState("memory://"), Account(name="Acme")
        >>> state.touch(acme)
        >>> acme.version = 7
        >>> state.rolled_back()
        >>> acme.version
        0
        >>> state.close()
        >>> state.check_open()
        Traceback (most recent call last):
        ...
        crmkit.errors.UnitOfWorkClosedError: this unit of work of memory:// has ended with its `with` block; open a new one with store.unit_of_work()
    """

    __slots__ = ("_closed", "_store", "_touched")

    def __init__(self, store: str) -> None:
        self._store = store
        self._closed = False
        self._touched: dict[int, tuple[Any, str, int, datetime]] = {}

    @property
    def closed(self) -> bool:
        """Whether the unit of work has ended.

        Examples:
            >>> from crmkit.adapters.ports import UnitOfWorkState
            >>> UnitOfWorkState("memory://").closed
            False
        """
        return self._closed

    def check_open(self) -> None:
        """Raise :class:`~crmkit.errors.UnitOfWorkClosedError` once the unit of work ended.

        Examples:
            >>> from crmkit.adapters.ports import UnitOfWorkState
            >>> UnitOfWorkState("memory://").check_open()
        """
        if self._closed:
            raise UnitOfWorkClosedError(
                f"this unit of work of {self._store} has ended with its `with` block; "
                "open a new one with store.unit_of_work()"
            )

    def touch(self, entity: Any) -> None:
        """Remember ``entity``'s id, version and ``updated_at`` before the first change.

        Examples:
            >>> from crmkit.adapters.ports import UnitOfWorkState
            >>> from crmkit.domain import Account
            >>> UnitOfWorkState("memory://").touch(Account(name="Acme"))
        """
        key = id(entity)
        if key not in self._touched:
            self._touched[key] = (entity, entity.id, entity.version, entity.updated_at)

    def committed(self) -> None:
        """The changes are stored: forget the remembered values.

        Examples:
            >>> from crmkit.adapters.ports import UnitOfWorkState
            >>> UnitOfWorkState("memory://").committed()
        """
        self._touched.clear()

    def rolled_back(self) -> None:
        """Nothing since the last commit is stored: put the remembered values back.

        Examples:
            >>> from crmkit.adapters.ports import UnitOfWorkState
            >>> UnitOfWorkState("memory://").rolled_back()
        """
        touched, self._touched = self._touched, {}
        for entity, entity_id, version, updated_at in touched.values():
            entity.id = entity_id
            entity.version = version
            entity.updated_at = updated_at

    def close(self) -> None:
        """Mark the unit of work as ended (after its commit or rollback).

        Examples:
            >>> from crmkit.adapters.ports import UnitOfWorkState
            >>> state = UnitOfWorkState("memory://")
            >>> state.close()
            >>> state.closed
            True
        """
        self._closed = True


R = TypeVar("R")


class UnitOfWorkRepositories(UnitOfWork, Generic[R]):
    """A base for an adapter's unit of work: it implements :meth:`~UnitOfWork.repository`,
    ``commit`` and ``rollback`` and keeps its :class:`UnitOfWorkState` in ``state``; the
    repository properties (``accounts`` … ``quotes``) come from :class:`UnitOfWork`, written
    there once over ``repository(name)``, and the context-manager methods from here: the
    ``with`` block commits when it ends normally, rolls back when it raises, then
    ends the unit of work. ``R`` names the adapter's repository class
    (documentation only).

    Examples:
        >>> from crmkit.adapters import open_store
        >>> with open_store("memory://") as store, store.unit_of_work() as uow:
        ...     uow.accounts is uow.repository("accounts")
        True
    """

    state: UnitOfWorkState

    def _end(self) -> None:
        """End the unit of work after the ``with`` block's commit or rollback (an adapter
        holding a connection overrides it to release it too)."""
        self.state.close()

    def __enter__(self) -> Self:
        self.state.check_open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None:
                self.commit()
            else:
                self.rollback()
        finally:
            self._end()
