"""Merging duplicate records in a store: one survivor, every reference moved to it.

:func:`merge_contacts` and :func:`merge_accounts` (both :func:`merge_records`) work on any
store through its :class:`~crmkit.adapters.ports.UnitOfWork`, so plugins get them too. A merge

1. combines the two records field by field with :func:`crmkit.domain.duplicates.combine`
   (the survivor wins where it has a value, the duplicate fills the gaps, lists are united,
   custom properties merged, the most recent consent kept);
2. moves every reference to the duplicate onto the survivor, in every aggregate of the
   catalogue (:func:`crmkit.adapters.aggregate.aggregates`): an account's contacts,
   opportunities, interactions, cases, orders, agreements, key-account relationships, quotes,
   tasks and notes; a contact's account links, opportunity contact roles, campaign
   memberships, interactions, cases, orders and the record links of tasks and notes — the
   rule is :mod:`crmkit.adapters.references`, so aggregates added later are covered;
3. deletes the duplicate and saves the survivor, keeping the survivor's id;
4. returns a :class:`MergeRecord`: what was merged, which fields came from the duplicate,
   which records were re-linked, and the duplicate as it was (its full document), so the
   caller can store or show it.

Everything happens in the caller's unit of work: until it commits, ``uow.rollback()`` (or an
exception leaving the ``with`` block) undoes the whole merge. A merge reads every record of
the store once, so merge a batch of candidates in one unit of work rather than opening one per
pair.

Examples:
    >>> from crmkit.adapters import open_store
    >>> from crmkit.adapters.merge import merge_contacts
    >>> from crmkit.domain import Case, Contact
    >>> with open_store("memory://") as store, store.unit_of_work() as uow:
    ...     anna = uow.contacts.add(Contact("Anna", "Lind", email="anna@lind.se"))
    ...     copy = uow.contacts.add(Contact("Anna", "Lind", phone="+46 70 123 45 67"))
    ...     case = uow.cases.add(Case("Invoice", contact_id=copy.id))
    ...     record = merge_contacts(uow, anna.id, copy.id)
    ...     kept = uow.contacts.get(anna.id)
    ...     (kept.email, kept.phone, uow.contacts.count(),
    ...      uow.cases.get(case.id).contact_id == anna.id, record.taken_from_duplicate)
    ('anna@lind.se', '+46 70 123 45 67', 1, True, ('phone',))
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from crmkit.adapters.aggregate import aggregate_for, aggregates
from crmkit.adapters.ports import UnitOfWork
from crmkit.adapters.references import drop_self_references, relink
from crmkit.domain import utc_now
from crmkit.domain.duplicates import combine
from crmkit.errors import ValidationError
from crmkit.serde import to_dict

__all__ = ["MergeRecord", "merge_accounts", "merge_contacts", "merge_records", "relink_references"]


@attrs.frozen(hash=False)
class MergeRecord:
    """What a merge did; :meth:`to_dict` gives it as JSON-able data to store or log.

    Attributes:
        aggregate: the merged records' aggregate (``"contacts"``, ``"accounts"``).
        survivor_id: the record that was kept (its id is unchanged).
        duplicate_id: the record that was merged into it and deleted.
        merged_at: when (aware, UTC).
        taken_from_duplicate: the survivor's fields whose value now comes from the duplicate
            (or, for lists and custom properties, includes some of it).
        relinked: per aggregate, the ids of the records whose references were moved.
        duplicate: the duplicate's document as it was before the merge
            (:func:`crmkit.serde.to_dict`), which keeps, for instance, its consent.

    Examples:
        >>> from datetime import UTC, datetime
        >>> from crmkit.adapters.merge import MergeRecord
        >>> record = MergeRecord("contacts", "c1", "c2", datetime(2025, 1, 1, tzinfo=UTC),
        ...                      ("phone",), {"cases": ("k1",)}, {"id": "c2"})
        >>> record.to_dict()["relinked"], record.relinked_count
        ({'cases': ['k1']}, 1)
    """

    aggregate: str
    survivor_id: str
    duplicate_id: str
    merged_at: datetime
    taken_from_duplicate: tuple[str, ...]
    relinked: dict[str, tuple[str, ...]]
    duplicate: dict[str, Any]

    @property
    def relinked_count(self) -> int:
        """How many records had references moved to the survivor."""
        return sum(len(ids) for ids in self.relinked.values())

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON-able data (the time as ISO 8601 text).

        Examples:
            >>> from datetime import UTC, datetime
            >>> from crmkit.adapters.merge import MergeRecord
            >>> MergeRecord("accounts", "a1", "a2", datetime(2025, 1, 1, tzinfo=UTC),
            ...             (), {}, {}).to_dict()["merged_at"]
            '2025-01-01T00:00:00+00:00'
        """
        return {
            "aggregate": self.aggregate,
            "survivor_id": self.survivor_id,
            "duplicate_id": self.duplicate_id,
            "merged_at": self.merged_at.isoformat(),
            "taken_from_duplicate": list(self.taken_from_duplicate),
            "relinked": {name: list(ids) for name, ids in self.relinked.items()},
            "duplicate": self.duplicate,
        }


def relink_references(
    uow: UnitOfWork, aggregate: str, old: str, new: str
) -> dict[str, tuple[str, ...]]:
    """Move every reference to record ``old`` of ``aggregate`` onto ``new``, in every
    aggregate of the store except the two records themselves; returns the re-linked ids per
    aggregate.

    Each changed record is rebuilt from its document (so it is validated again) and saved.

    Examples:
        >>> from crmkit.adapters import open_store
        >>> from crmkit.adapters.merge import relink_references
        >>> from crmkit.domain import Contact
        >>> with open_store("memory://") as store, store.unit_of_work() as uow:
        ...     bo = uow.contacts.add(Contact("Bo", "Ek", account_id="a1", id="c1"))
        ...     relink_references(uow, "accounts", "a1", "a2")
        {'contacts': ('c1',)}
    """
    moved: dict[str, tuple[str, ...]] = {}
    for agg in aggregates():
        repository = uow.repository(agg.name)
        changed = []
        for entity in repository.iter_all():
            if agg.name == aggregate and entity.id in (old, new):
                continue
            document = relink(to_dict(entity), aggregate, old, new, owner=agg.name)
            if document is not None:
                changed.append(agg.from_document(document))
        for entity in changed:
            repository.save(entity)
        if changed:
            moved[agg.name] = tuple(e.id for e in changed)
    return moved


def merge_records(
    uow: UnitOfWork,
    aggregate: str,
    survivor_id: str,
    duplicate_id: str,
    *,
    at: datetime | None = None,
) -> MergeRecord:
    """Merge record ``duplicate_id`` into ``survivor_id`` (both of ``aggregate``); see the
    module text for the steps.

    Raises:
        ValidationError: the two ids are the same.
        NotFoundError: either record does not exist.

    Examples:
        >>> from crmkit.adapters import open_store
        >>> from crmkit.adapters.merge import merge_records
        >>> with open_store("memory://") as store, store.unit_of_work() as uow:
        ...     merge_records(uow, "contacts", "c1", "c1")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: duplicate_id: 'c1' must differ from survivor_id
    """
    if survivor_id == duplicate_id:
        raise ValidationError.single("duplicate_id", duplicate_id, "must differ from survivor_id")
    agg = aggregate_for(aggregate)
    repository = uow.repository(agg.name)
    survivor = repository.get(survivor_id)
    duplicate = repository.get(duplicate_id)
    snapshot = agg.to_document(duplicate)
    merged, taken = combine(survivor, duplicate)
    document = agg.to_document(merged)
    moved = relink(document, agg.name, duplicate_id, survivor_id, owner=agg.name) or document
    merged = agg.from_document(drop_self_references(moved, agg.name))
    relinked = relink_references(uow, agg.name, duplicate_id, survivor_id)
    repository.delete(duplicate_id)
    # a store may clear references to the deleted duplicate on the survivor itself (an
    # account's parent, ON DELETE SET NULL); the merged record already moved them
    merged.version = repository.get(survivor_id).version
    repository.save(merged)
    return MergeRecord(
        aggregate=agg.name,
        survivor_id=survivor_id,
        duplicate_id=duplicate_id,
        merged_at=at or utc_now(),
        taken_from_duplicate=taken,
        relinked=relinked,
        duplicate=snapshot,
    )


def merge_contacts(
    uow: UnitOfWork, survivor_id: str, duplicate_id: str, *, at: datetime | None = None
) -> MergeRecord:
    """Merge contact ``duplicate_id`` into contact ``survivor_id`` (:func:`merge_records`).

    Examples:
        >>> from crmkit.adapters import open_store
        >>> from crmkit.adapters.merge import merge_contacts
        >>> from crmkit.domain import Account, Contact
        >>> with open_store("memory://") as store, store.unit_of_work() as uow:
        ...     acme = Account("Acme")
        ...     a, b = Contact("Anna", "Lind"), Contact("Anna", "Lind")
        ...     acme.link_contact(a.id, "buyer"); acme.link_contact(b.id, "user")
        ...     _ = uow.accounts.add(acme); _ = uow.contacts.add_many([a, b])
        ...     record = merge_contacts(uow, a.id, b.id)
        ...     [(r.contact_id == a.id, r.role) for r in uow.accounts.get(acme.id).contact_roles]
        [(True, 'buyer'), (True, 'user')]
    """
    return merge_records(uow, "contacts", survivor_id, duplicate_id, at=at)


def merge_accounts(
    uow: UnitOfWork, survivor_id: str, duplicate_id: str, *, at: datetime | None = None
) -> MergeRecord:
    """Merge account ``duplicate_id`` into account ``survivor_id`` (:func:`merge_records`).

    Examples:
        >>> from crmkit.adapters import open_store
        >>> from crmkit.adapters.merge import merge_accounts
        >>> from crmkit.domain import Account, Contact
        >>> with open_store("memory://") as store, store.unit_of_work() as uow:
        ...     acme = uow.accounts.add(Account("Acme AB", website="acme.se"))
        ...     copy = uow.accounts.add(Account("ACME", organisation_number="556677-8899"))
        ...     bo = uow.contacts.add(Contact("Bo", "Ek", account_id=copy.id))
        ...     record = merge_accounts(uow, acme.id, copy.id)
        ...     kept = uow.accounts.get(acme.id)
        ...     kept.name, kept.organisation_number, uow.contacts.get(bo.id).account_id == acme.id
        ('Acme AB', '556677-8899', True)
    """
    return merge_records(uow, "accounts", survivor_id, duplicate_id, at=at)
