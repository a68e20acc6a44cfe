"""The aggregate catalogue: which entity class each repository holds and its queryable fields.

Stores are written once, generically: a repository is parameterised by an :class:`Aggregate`
(the entity class plus where its owner, status, stage, segment, account and name live). The
catalogue resolves the field names against the real attrs classes in :mod:`crmkit.domain`, so
a filter an entity has no field for is refused with a clear error instead of matching nothing.

Examples:
    >>> from crmkit.adapters.aggregate import aggregate_for, aggregate_names
    >>> aggregate_names()[:3]
    ('accounts', 'contacts', 'leads')
    >>> aggregate_for("opportunities").supports("stage")
    True
    >>> aggregate_for("accounts").supports("stage")
    False
"""

from __future__ import annotations

import enum
import functools
import importlib
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

import attrs

from crmkit.adapters.ports import Query, RepositoryQueries, UpsertKey
from crmkit.domain.hierarchy import check_parents
from crmkit.errors import ConflictError, NotFoundError, ValidationError

__all__ = [
    "FILTERS",
    "SPECS",
    "Aggregate",
    "AggregateRepository",
    "AggregateSpec",
    "Indexed",
    "aggregate_for",
    "aggregate_names",
    "aggregates",
    "check_unchanged",
    "conflict",
    "custom_equal",
    "micros",
    "not_found",
    "remote_taken",
]

E = TypeVar("E")

#: The single-valued filters of :class:`~crmkit.adapters.ports.Query` that map to a column.
FILTERS = ("owner_id", "account_id", "status", "stage", "segment")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micros(moment: datetime) -> int:
    """An aware datetime as integer microseconds since the Unix epoch (exact, sortable).

    Examples:
        >>> from datetime import UTC, datetime
        >>> from crmkit.adapters.aggregate import micros
        >>> micros(datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC))
        1000000
    """
    if moment.utcoffset() is None:
        raise ValidationError.single("updated_at", moment, "must be timezone-aware")
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def custom_equal(stored: Any, wanted: Any) -> bool:
    """Whether a stored custom-property value equals a wanted one, as JSON values compare.

    Booleans match only booleans, strings only strings, numbers only numbers (``1 == 1.0``),
    ``None`` only ``None``.

    Examples:
        >>> from crmkit.adapters.aggregate import custom_equal
        >>> custom_equal(1, 1.0), custom_equal(True, 1), custom_equal("1", 1)
        (True, False, False)
    """
    if isinstance(stored, bool) or isinstance(wanted, bool):
        return type(stored) is type(wanted) and stored == wanted
    if stored is None or wanted is None:
        return stored is None and wanted is None
    if isinstance(stored, str) or isinstance(wanted, str):
        return isinstance(stored, str) and isinstance(wanted, str) and stored == wanted
    if isinstance(stored, int | float) and isinstance(wanted, int | float):
        return stored == wanted
    return False


def conflict(entity: str, id: str, saved_from: int, stored: int | None) -> ConflictError:
    """The error for a save from a stale version, naming the entity, id and both versions.

    Examples:
        >>> from crmkit.adapters.aggregate import conflict
        >>> print(conflict("Opportunity", "01H", 2, 3))
        Opportunity '01H' was saved from version 2 but the stored version is 3; reload it and apply the change again
    """
    if stored is None:
        return ConflictError(
            f"{entity} {id!r} was saved from version {saved_from} but it has been deleted"
        )
    return ConflictError(
        f"{entity} {id!r} was saved from version {saved_from} but the stored version is "
        f"{stored}; reload it and apply the change again"
    )


def check_unchanged(entity: str, id: str, based_on: int | None, stored: int | None) -> None:
    """Refuse to commit a change to ``id`` made from version ``based_on`` (``None``: an add)
    when the committed version is now ``stored`` (``None``: not stored).

    Examples:
        >>> from crmkit.adapters.aggregate import check_unchanged
        >>> check_unchanged("Account", "01H", 2, 2)
        >>> check_unchanged("Account", "01H", None, 1)
        Traceback (most recent call last):
        ...
        crmkit.errors.ConflictError: Account '01H' was added by someone else
    """
    if stored != based_on:
        if based_on is None:
            raise ConflictError(f"{entity} {id!r} was added by someone else")
        raise conflict(entity, id, based_on, stored)


def not_found(aggregate: str, id: str) -> NotFoundError:
    """The error for an id that names no stored entity of ``aggregate``.

    Examples:
        >>> from crmkit.adapters.aggregate import not_found
        >>> print(not_found("accounts", "x"))
        accounts has no entity with id 'x'
    """
    return NotFoundError(f"{aggregate} has no entity with id {id!r}")


def remote_taken(entity: str, remote_id: str, owner: str) -> ConflictError:
    """The error for a ``remote_id`` that another stored entity (``owner``) already has.

    Examples:
        >>> from crmkit.adapters.aggregate import remote_taken
        >>> print(remote_taken("Account", "hs-1", "01H"))
        Account with remote_id 'hs-1' already exists as '01H'
    """
    return ConflictError(f"{entity} with remote_id {remote_id!r} already exists as {owner!r}")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, enum.Enum):
        value = value.value
    return str(value)


@attrs.frozen
class AggregateSpec:
    """Where an aggregate's queryable facts live, as candidate attribute names (first found).

    Examples:
        >>> from crmkit.adapters.aggregate import AggregateSpec
        >>> AggregateSpec("products", "crmkit.domain:Product", names=("name", "sku")).names
        ('name', 'sku')
    """

    name: str
    entity_path: str
    owner: tuple[str, ...] = ("owner_id",)
    account: tuple[str, ...] = ("account_id",)
    status: tuple[str, ...] = ("status",)
    stage: tuple[str, ...] = ()
    segment: tuple[str, ...] = ()
    names: tuple[str, ...] = ("name",)


#: The aggregates every store holds, in a fixed order (new ones are added at the end).
SPECS: tuple[AggregateSpec, ...] = (
    AggregateSpec("accounts", "crmkit.domain:Account", segment=("tier",), account=()),
    AggregateSpec(
        "contacts",
        "crmkit.domain:Contact",
        segment=("buying_role",),
        names=("first_name", "last_name", "email"),
    ),
    AggregateSpec(
        "leads",
        "crmkit.domain:Lead",
        segment=("segment", "interest_level"),
        names=("company_name", "first_name", "last_name", "email"),
    ),
    AggregateSpec("opportunities", "crmkit.domain:Opportunity", stage=("stage_key",)),
    AggregateSpec(
        "interactions",
        "crmkit.domain:Interaction",
        segment=("type",),
        names=("subject", "outcome"),
    ),
    AggregateSpec(
        "cases",
        "crmkit.domain:Case",
        owner=("agent_id", "owner_id"),
        segment=("problem_type",),
        names=("subject", "problem_type"),
    ),
    AggregateSpec("orders", "crmkit.domain:Order", names=("number", "order_number")),
    AggregateSpec("campaigns", "crmkit.domain:Campaign", segment=("channel",)),
    AggregateSpec(
        "products", "crmkit.domain:Product", segment=("category",), names=("name", "sku")
    ),
    AggregateSpec(
        "agreements",
        "crmkit.domain:Agreement",
        owner=(),
        status=(),
        segment=("agreement_type",),
    ),
    AggregateSpec(
        "key_account_relationships",
        "crmkit.domain:KeyAccountRelationship",
        owner=("key_account_manager",),
        status=(),
        stage=("stage",),
        names=(),
    ),
    AggregateSpec(
        "users",
        "crmkit.domain:User",
        owner=(),
        account=(),
        status=(),
        segment=("role",),
        names=("name", "email"),
    ),
    AggregateSpec("teams", "crmkit.domain:Team", owner=("manager_id",), account=(), status=()),
    AggregateSpec("territories", "crmkit.domain:Territory", account=(), status=()),
    AggregateSpec(
        "owner_changes",
        "crmkit.domain:OwnerChange",
        owner=("to_owner_id",),
        account=(),
        status=(),
        segment=("record_type",),
        names=(),
    ),
    AggregateSpec(
        "tasks",
        "crmkit.domain:Task",
        owner=("assignee_id",),
        account=(),
        segment=("priority",),
        names=("subject",),
    ),
    AggregateSpec(
        "notes", "crmkit.domain:Note", owner=("author_id",), account=(), status=(), names=()
    ),
    AggregateSpec(
        "price_books",
        "crmkit.domain:PriceBook",
        owner=(),
        account=(),
        status=(),
        segment=("segment",),
    ),
    AggregateSpec("quotes", "crmkit.domain:Quote", names=("quote_number",)),
)


@attrs.frozen
class Indexed:
    """The queryable values of one entity, as a store indexes them.

    ``name`` is the lower-cased text that name search matches; ``updated_us`` the update time
    in microseconds since the epoch.

    Examples:
        >>> from crmkit.adapters.aggregate import Indexed
        >>> Indexed(None, None, "open", None, None, "acme", None, 0, 0, {}).status
        'open'
    """

    owner_id: str | None
    account_id: str | None
    status: str | None
    stage: str | None
    segment: str | None
    name: str | None
    remote_id: str | None
    created_us: int
    updated_us: int
    custom: dict[str, Any]

    def as_row(self) -> dict[str, Any]:
        """The values as a column → value mapping (``custom`` included).

        Examples:
            >>> from crmkit.adapters.aggregate import Indexed
            >>> row = Indexed("u", None, None, None, None, None, None, 1, 2, {}).as_row()
            >>> row["owner_id"], row["updated_us"]
            ('u', 2)
            >>> import attrs
            >>> sorted(row) == sorted(attrs.fields_dict(Indexed))
            True
        """
        return {
            "owner_id": self.owner_id,
            "account_id": self.account_id,
            "status": self.status,
            "stage": self.stage,
            "segment": self.segment,
            "name": self.name,
            "remote_id": self.remote_id,
            "created_us": self.created_us,
            "updated_us": self.updated_us,
            "custom": self.custom,
        }


@attrs.frozen
class Aggregate:
    """One aggregate resolved against its entity class: the facts a generic store needs.

    Get one with :func:`aggregate_for`.

    Examples:
        >>> from crmkit.adapters.aggregate import aggregate_for
        >>> agg = aggregate_for("accounts")
        >>> agg.name, agg.entity.__name__
        ('accounts', 'Account')
    """

    name: str
    entity: type[Any]
    fields: dict[str, str]
    name_fields: tuple[str, ...]

    def supports(self, filter_name: str) -> bool:
        """Whether queries on this aggregate may use ``filter_name``.

        Examples:
            >>> from crmkit.adapters.aggregate import aggregate_for
            >>> aggregate_for("orders").supports("account_id")
            True
        """
        if filter_name == "name":
            return bool(self.name_fields)
        if filter_name in FILTERS:
            return filter_name in self.fields
        return filter_name in ("updated_since", "remote_id", "custom")

    def check(self, query: Query | None) -> Query:
        """Return ``query`` (an empty one for ``None``), refusing filters this aggregate lacks.

        Examples:
            >>> from crmkit.adapters.aggregate import aggregate_for
            >>> from crmkit.adapters.ports import Query
            >>> aggregate_for("accounts").check(Query(stage="won"))
            Traceback (most recent call last):
            ...
            crmkit.errors.ValidationError: query.stage: 'won' accounts have no stage field to filter on
        """
        query = query or Query()
        problems = [
            ValidationError.single(
                f"query.{key}", value, f"{self.name} have no {key} field to filter on"
            )
            for key, value in query.filters().items()
            if not self.supports(key)
        ]
        if problems:
            raise ValidationError.collect(problems)
        return query

    def require(self, entity: Any) -> None:
        """Refuse an object that is not this aggregate's entity class.

        Examples:
            >>> from crmkit.adapters.aggregate import aggregate_for
            >>> aggregate_for("accounts").require("Acme")
            Traceback (most recent call last):
            ...
            crmkit.errors.ValidationError: accounts: 'str' is not an Account
        """
        if not isinstance(entity, self.entity):
            article = "an" if self.entity.__name__[0] in "AEIOU" else "a"
            raise ValidationError.single(
                self.name, type(entity).__name__, f"is not {article} {self.entity.__name__}"
            )

    def index(self, entity: Any) -> Indexed:
        """The queryable values of ``entity``.

        Examples:
            >>> from crmkit.adapters.aggregate import aggregate_for
            >>> from crmkit.domain import Account
            >>> idx = aggregate_for("accounts").index(Account(name="Acme AB", owner_id="anna"))
            >>> idx.owner_id, idx.name
            ('anna', 'acme ab')
        """
        self.require(entity)
        values = {key: _text(getattr(entity, attr)) for key, attr in self.fields.items()}
        parts = [getattr(entity, attr) for attr in self.name_fields]
        name = " ".join(_text(p) or "" for p in parts if p is not None).lower() or None
        custom = dict(getattr(entity, "custom", None) or {})
        return Indexed(
            owner_id=values.get("owner_id"),
            account_id=values.get("account_id"),
            status=values.get("status"),
            stage=values.get("stage"),
            segment=values.get("segment"),
            name=name,
            remote_id=entity.remote_id,
            created_us=micros(entity.created_at),
            updated_us=micros(entity.updated_at),
            custom=custom,
        )

    def to_document(self, entity: Any) -> dict[str, Any]:
        """The entity as its serialised document (:func:`crmkit.serde.to_dict`).

        Stores write through this method, so it is where an entity is checked once more
        before it is stored: :meth:`~crmkit.domain.AggregateRoot.revalidate` runs every field
        validator again, which refuses values put into a mutable field in place after
        construction (a NaN in ``custom``, a NUL in ``remote_data``) with a ``ValidationError``
        — in every store alike. (The SQL store's bulk inserts build their rows in
        :mod:`crmkit.adapters.sql.rows`, which re-runs the validators of exactly the fields
        that can change in place and refuses the same values with the same error.)

        Examples:
            >>> from crmkit.adapters.aggregate import aggregate_for
            >>> from crmkit.domain import Account
            >>> aggregate_for("accounts").to_document(Account(name="Acme"))["name"]
            'Acme'
        """
        self.require(entity)
        entity.revalidate()
        from crmkit.serde import to_dict

        document: dict[str, Any] = to_dict(entity)
        return document

    def to_json(self, entity: Any) -> str:
        """The entity's document as compact JSON text.

        Examples:
            >>> from crmkit.adapters.aggregate import aggregate_for
            >>> from crmkit.domain import Product, Money
            >>> text = aggregate_for("products").to_json(
            ...     Product(sku="P1", name="Widget", price=Money("10", "SEK")))
            >>> '"sku":"P1"' in text
            True
        """
        return document_json(self.to_document(entity))

    def from_document(self, document: dict[str, Any] | str) -> Any:
        """Rebuild an entity from its document (a dict or JSON text).

        Examples:
            >>> from crmkit.adapters.aggregate import aggregate_for
            >>> from crmkit.domain import Account
            >>> agg = aggregate_for("accounts")
            >>> acme = Account(name="Acme")
            >>> agg.from_document(agg.to_json(acme)) == acme
            True
        """
        from crmkit.serde import from_dict

        if isinstance(document, str | bytes):
            document = json.loads(document)
        return from_dict(self.entity, document)


def document_json(document: dict[str, Any]) -> str:
    """A serialised document as the compact JSON text every store keeps (never ``NaN``).

    Examples:
        >>> from crmkit.adapters.aggregate import document_json
        >>> document_json({"name": "Acme", "version": 2})
        '{"name":"Acme","version":2}'
    """
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _resolve(spec: AggregateSpec) -> Aggregate:
    module_name, _, attr = spec.entity_path.partition(":")
    entity = getattr(importlib.import_module(module_name), attr)
    present = {f.name for f in attrs.fields(entity)}

    def first(candidates: Iterable[str]) -> str | None:
        return next((c for c in candidates if c in present), None)

    fields: dict[str, str] = {}
    for key, candidates in (
        ("owner_id", spec.owner),
        ("account_id", spec.account),
        ("status", spec.status),
        ("stage", spec.stage),
        ("segment", spec.segment),
    ):
        found = first(candidates)
        if found is not None:
            fields[key] = found
    names = tuple(n for n in spec.names if n in present)
    return Aggregate(spec.name, entity, fields, names)


@functools.cache
def aggregates() -> tuple[Aggregate, ...]:
    """All aggregates, resolved against :mod:`crmkit.domain`, in catalogue order.

    Examples:
        >>> from crmkit.adapters.aggregate import aggregates
        >>> len(aggregates())
        19
    """
    return tuple(_resolve(spec) for spec in SPECS)


def aggregate_names() -> tuple[str, ...]:
    """The plural names of the aggregates (``"accounts"`` … ``"products"``).

    Examples:
        >>> from crmkit.adapters.aggregate import aggregate_names
        >>> aggregate_names()[-1]
        'quotes'
    """
    return tuple(spec.name for spec in SPECS)


def aggregate_for(key: type[Any] | str) -> Aggregate:
    """The aggregate of an entity class or plural name; unknown ones raise NotFoundError.

    Examples:
        >>> from crmkit.adapters.aggregate import aggregate_for
        >>> from crmkit.domain import Case
        >>> aggregate_for(Case).name
        'cases'
        >>> aggregate_for("unicorns")
        Traceback (most recent call last):
        ...
        crmkit.errors.NotFoundError: no aggregate 'unicorns'; known: accounts, contacts, leads, opportunities, interactions, cases, orders, campaigns, products, agreements, key_account_relationships, users, teams, territories, owner_changes, tasks, notes, price_books, quotes
    """
    for agg in aggregates():
        if key == agg.name or key is agg.entity:
            return agg
    label = key if isinstance(key, str) else getattr(key, "__name__", repr(key))
    raise NotFoundError(f"no aggregate {label!r}; known: {', '.join(aggregate_names())}")


class AggregateRepository(RepositoryQueries[E]):
    """A base for a store's repository of one aggregate: the checks and errors every store
    makes the same way around its own reads and writes, written once here.

    A store's repository inherits it (``class MyRepository(AggregateRepository[E])``), calls
    ``super().__init__(aggregate)`` and implements the core of
    :class:`~crmkit.adapters.ports.Repository` plus two lookups in its own storage:
    ``_remote_owner(remote_id)`` (the id of the entity holding that remote id, or ``None``)
    and ``_parent_of(id)`` (a stored account's ``parent_id``; an unknown id raises
    :func:`not_found`). Around them it uses the shared steps: ``_already_exists`` (an id
    taken), ``_check_remote`` (a remote id held by another entity), ``_check_parents`` (accounts: a parent that is not stored or
    would close a cycle), ``_check_version`` and ``_stale`` (the error for a missing entity or
    a stale version), ``_check_upsert_key``, ``_require_remote_id`` and ``_stamped`` (a
    save's ``updated_at``, put back when the save fails).

    Examples:
        >>> from crmkit.adapters import open_store
        >>> from crmkit.adapters.aggregate import AggregateRepository
        >>> with open_store("memory://") as store, store.unit_of_work() as uow:
        ...     isinstance(uow.accounts, AggregateRepository), uow.accounts.aggregate
        (True, 'accounts')
    """

    def __init__(self, aggregate: Aggregate) -> None:
        self._agg = aggregate
        self._label = aggregate.entity.__name__

    @property
    def aggregate(self) -> str:
        """The aggregate's plural name.

        Examples:
            >>> from crmkit.adapters import open_store
            >>> with open_store("memory://") as store, store.unit_of_work() as uow:
            ...     uow.cases.aggregate
            'cases'
        """
        return self._agg.name

    def _remote_owner(self, remote_id: str) -> str | None:
        """The id of the stored entity whose remote id is ``remote_id``, or ``None``."""
        raise NotImplementedError

    def _parent_of(self, id: str) -> str | None:
        """The ``parent_id`` of the stored account ``id`` (``not_found`` when none)."""
        raise NotImplementedError

    def _check_remote(self, entity: Any) -> None:
        """Refuse ``entity`` when another stored entity already has its remote id."""
        rid = entity.remote_id
        if rid is None:
            return
        owner = self._remote_owner(rid)
        if owner is not None and owner != entity.id:
            raise remote_taken(self._label, rid, owner)

    def _check_parents(self, entities: list[Any]) -> None:
        """Accounts: refuse a parent that is not stored or would close a cycle."""
        if self._agg.name == "accounts":
            check_parents(entities, self._parent_of)

    def _already_exists(self, id: str) -> ConflictError:
        """The error for adding an entity whose id is taken."""
        return ConflictError(f"{self._label} {id!r} already exists")

    def _stale(self, id: str, saved_from: int, stored: int | None) -> Exception:
        """The error for a write from version ``saved_from`` when the stored version is
        ``stored`` (``None``: no such entity)."""
        if stored is None:
            return not_found(self._agg.name, id)
        return conflict(self._label, id, saved_from, stored)

    def _check_version(self, id: str, stored: int | None, expected: int | None) -> None:
        """Refuse a write to ``id`` when nothing is stored, or when ``expected`` is given and
        is not the stored version."""
        if stored is None or (expected is not None and expected != stored):
            raise self._stale(id, -1 if expected is None else expected, stored)

    @staticmethod
    def _check_upsert_key(key: UpsertKey | str) -> None:
        """Refuse an upsert key other than ``"id"`` and ``"remote_id"``."""
        if key not in ("id", "remote_id"):
            raise ValidationError.single("key", key, "must be 'id' or 'remote_id'")

    def _require_remote_id(self, entity: Any) -> None:
        """Refuse an entity without a remote id in an upsert on ``remote_id``."""
        if entity.remote_id is None:
            raise ValidationError.single(
                f"{self._agg.name}.remote_id", None, "is needed to upsert on remote_id"
            )

    @contextmanager
    def _stamped(self, entity: Any) -> Iterator[None]:
        """Set a saved entity's ``updated_at`` to now (never earlier than it was); the old
        value comes back when the ``with`` block fails."""
        old = entity.updated_at
        entity.updated_at = max(datetime.now(UTC), old)
        try:
            yield
        except BaseException:
            entity.updated_at = old
            raise
