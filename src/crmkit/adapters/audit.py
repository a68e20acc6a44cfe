"""The audit trail: who changed which field of which record, when, from what to what.

The stores write it themselves, in the same transaction as the change (the memory store in
the same unit of work, the SQL store in the table ``crmkit_audit``), so a rolled-back change
leaves no audit entry and a committed one always has its entries. The *actor* is the one
given to the unit of work: ``store.unit_of_work(actor="u-1")`` (``None`` when not given).

What is recorded:

* a **save** or an **upsert** that replaces a stored record: one ``update`` entry per changed
  field, with the field path (``name``, ``amount.amount``, ``custom.vip``; dictionaries are
  compared key by key, lists and values as a whole), the old and the new value as JSON;
* a **delete**: one ``delete`` entry (no field).

Adding a record is not an entry: its ``created_at`` and version 1 record it. Bookkeeping
(``version``, ``updated_at``) is never an entry; rows a database removes by itself (the
contacts of a deleted account, ``ON DELETE CASCADE``) are not audited one by one. Both stores
compute the entries with the one function :func:`field_changes`.

Examples:
    >>> from crmkit.adapters import open_store
    >>> from crmkit.adapters.audit import audit_trail
    >>> from crmkit.domain import Account
    >>> store = open_store("memory://")
    >>> with store.unit_of_work(actor="u-anna") as uow:
    ...     acme = uow.accounts.add(Account("Acme", tier="B"))
    >>> with store.unit_of_work(actor="u-bo") as uow:
    ...     acme.tier = "A"
    ...     _ = uow.accounts.save(acme)
    >>> with store.unit_of_work() as uow:
    ...     [(e.actor, e.field, e.old, e.new) for e in audit_trail(uow, "accounts", acme.id)]
    [('u-bo', 'tier', 'B', 'A')]
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

import attrs

from crmkit.errors import ValidationError

__all__ = [
    "IGNORED_FIELDS",
    "AuditEntry",
    "AuditLog",
    "audit_entries",
    "audit_trail",
    "field_changes",
]

#: Document keys that are bookkeeping, never audited.
IGNORED_FIELDS = frozenset({"version", "updated_at"})


@attrs.frozen
class AuditEntry:
    """One audited change of one record.

    Attributes:
        aggregate: the aggregate's plural name (``"accounts"``).
        record_id: the record's id.
        version: the version the change produced (for a delete: the version deleted, or
            ``None`` when not known).
        action: ``"update"`` or ``"delete"``.
        field: the changed field's path (``None`` for a delete).
        old: the old value, as JSON (``None`` when absent).
        new: the new value, as JSON (``None`` when absent).
        actor: who made the change (the unit of work's actor), or ``None``.
        at: when (aware, UTC).

    Examples:
        >>> from datetime import UTC, datetime
        >>> from crmkit.adapters.audit import AuditEntry
        >>> AuditEntry("accounts", "a-1", 2, "update", "tier", "B", "A", "u-1",
        ...            datetime(2025, 1, 1, tzinfo=UTC)).field
        'tier'
    """

    aggregate: str
    record_id: str
    version: int | None
    action: str
    field: str | None
    old: Any
    new: Any
    actor: str | None
    at: datetime


def _document(value: str | Mapping[str, Any] | None) -> Mapping[str, Any]:
    if value is None:
        return {}
    if isinstance(value, str | bytes):
        loaded: Mapping[str, Any] = json.loads(value)
        return loaded
    return value


def field_changes(
    old: str | Mapping[str, Any] | None, new: str | Mapping[str, Any] | None
) -> list[tuple[str, Any, Any]]:
    """The ``(path, old value, new value)`` of every field that differs between two
    serialised documents (JSON text or dicts), in path order.

    Nested objects are compared key by key (``amount.amount``, ``custom.vip``); lists and
    plain values as a whole. :data:`IGNORED_FIELDS` are left out at the top level.

    Examples:
        >>> from crmkit.adapters.audit import field_changes
        >>> field_changes({"name": "A", "version": 1, "custom": {"vip": True}},
        ...               {"name": "B", "version": 2, "custom": {}})
        [('custom.vip', True, None), ('name', 'A', 'B')]
    """
    changes: list[tuple[str, Any, Any]] = []
    _compare("", _document(old), _document(new), changes, top=True)
    return sorted(changes, key=lambda change: change[0])


_ABSENT = object()


def _compare(
    prefix: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    out: list[tuple[str, Any, Any]],
    *,
    top: bool = False,
) -> None:
    for key in old.keys() | new.keys():
        if top and key in IGNORED_FIELDS:
            continue
        before, after = old.get(key, _ABSENT), new.get(key, _ABSENT)
        if before == after and type(before) is type(after):
            continue
        path = f"{prefix}{key}"
        if isinstance(before, Mapping) and isinstance(after, Mapping):
            _compare(f"{path}.", before, after, out)
            continue
        out.append(
            (path, None if before is _ABSENT else before, None if after is _ABSENT else after)
        )


def audit_entries(
    aggregate: str,
    record_id: str,
    version: int | None,
    old: str | Mapping[str, Any] | None,
    new: str | Mapping[str, Any] | None,
    *,
    actor: str | None,
    at: datetime,
) -> list[AuditEntry]:
    """The entries of one write: ``update`` entries of :func:`field_changes` when ``new`` is
    a document, one ``delete`` entry when it is ``None``.

    Examples:
        >>> from datetime import UTC, datetime
        >>> from crmkit.adapters.audit import audit_entries
        >>> at = datetime(2025, 1, 1, tzinfo=UTC)
        >>> [e.field for e in audit_entries("accounts", "a", 2, {"tier": "B"}, {"tier": "A"},
        ...                                 actor="u-1", at=at)]
        ['tier']
        >>> audit_entries("accounts", "a", 2, {"tier": "B"}, None, actor=None, at=at)[0].action
        'delete'
    """
    if new is None:
        return [AuditEntry(aggregate, record_id, version, "delete", None, None, None, actor, at)]
    return [
        AuditEntry(aggregate, record_id, version, "update", path, before, after, actor, at)
        for path, before, after in field_changes(old, new)
    ]


@runtime_checkable
class AuditLog(Protocol):
    """A unit of work that keeps an audit trail (both crmkit stores' units of work do).

    Examples:
        >>> from crmkit.adapters import open_store
        >>> from crmkit.adapters.audit import AuditLog
        >>> isinstance(open_store("memory://").unit_of_work(), AuditLog)
        True
    """

    @property
    def actor(self) -> str | None:
        """Who the changes of this unit of work are recorded for."""
        ...

    def audit_entries(self, aggregate: str, id: str) -> list[AuditEntry]:
        """The entries of one record, oldest first (this unit of work's own included)."""
        ...


def audit_trail(uow: Any, aggregate: type[Any] | str, id: str) -> list[AuditEntry]:
    """The audit trail of one record, oldest first: what is committed plus what ``uow`` has
    changed and not yet committed.

    Raises:
        ValidationError: ``uow`` keeps no audit trail.
        NotFoundError: ``aggregate`` is unknown.

    Examples:
        >>> from crmkit.adapters import open_store
        >>> from crmkit.adapters.audit import audit_trail
        >>> from crmkit.domain import Account
        >>> with open_store("sqlite://") as store:
        ...     with store.unit_of_work(actor="u-1") as uow:
        ...         acme = uow.accounts.add(Account("Acme"))
        ...         acme.name = "Acme AB"
        ...         _ = uow.accounts.save(acme)
        ...     with store.unit_of_work() as uow:
        ...         [(e.field, e.old, e.new, e.actor) for e in audit_trail(uow, Account, acme.id)]
        [('name', 'Acme', 'Acme AB', 'u-1')]
    """
    from crmkit.adapters.aggregate import aggregate_for

    name = aggregate_for(aggregate).name
    if not isinstance(uow, AuditLog):
        raise ValidationError.single(
            "uow", type(uow).__name__, "keeps no audit trail (no audit_entries method)"
        )
    return uow.audit_entries(name, id)
