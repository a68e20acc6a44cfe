"""References between records: which fields of a stored document name a record of another
aggregate, and moving those references from one record to another.

crmkit's entities refer to each other by id. Rather than listing the reference fields of every
aggregate, the rule reads them off the serialised document (:func:`crmkit.serde.to_dict`), so
aggregates added later are covered without code:

* a key ``<singular>_id`` or ``…_<singular>_id`` (``contact_id``, ``converted_contact_id``)
  holds an id of the aggregate whose singular name it ends with, ``…_<singular>_ids`` a list
  of them;
* ``record_id`` next to ``record_type`` (a task's or note's :class:`~crmkit.domain.RecordLink`)
  holds an id of the aggregate ``record_type`` names;
* ``parent_id`` holds an id of the document's own aggregate (an account's parent);
* ``custom`` and ``remote_data`` are never read: they are free data, not references.

:func:`relink` moves references, inside nested lists too (contact roles of opportunities,
campaign members, record links of tasks and notes), and keeps the lists valid: two items that
now name the same records are one (the one that named the target already stays), and of two
primaries the moved one stops being primary, while a primary folded into another item
makes that item primary (a list keeps its primary). A reference to the document itself becomes
``None``.

Examples:
    >>> from crmkit.adapters.references import references, relink
    >>> opportunity = {"id": "o1", "account_id": "a1", "contact_roles": [
    ...     {"contact_id": "c2", "role": "buyer", "is_primary": True},
    ...     {"contact_id": "c1", "role": "buyer", "is_primary": False}]}
    >>> references(opportunity, "contacts", "c2"), references(opportunity, "accounts", "c2")
    (True, False)
    >>> relink(opportunity, "contacts", "c2", "c1", owner="opportunities")["contact_roles"]
    [{'contact_id': 'c1', 'role': 'buyer', 'is_primary': True}]
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Iterator
from typing import Any

__all__ = [
    "FREE_DATA",
    "drop_self_references",
    "is_reference",
    "referenced_ids",
    "references",
    "relink",
    "singular",
]

#: Top-level document keys that hold free data, never read as references.
FREE_DATA = frozenset({"custom", "remote_data"})
# keys that, besides the references, tell two list items apart
_DISCRIMINATORS = ("role", "record_type")


@functools.cache
def singular(aggregate: str) -> str:
    """The singular of an aggregate's plural name (``"opportunities"`` → ``"opportunity"``).

    Examples:
        >>> from crmkit.adapters.references import singular
        >>> singular("contacts"), singular("opportunities"), singular("key_account_relationships")
        ('contact', 'opportunity', 'key_account_relationship')
    """
    if aggregate.endswith("ies"):
        return aggregate[:-3] + "y"
    return aggregate.removesuffix("s")


@functools.cache
def is_reference(key: str, target: str, *, owner: str | None = None) -> bool:
    """Whether a document key ``key`` holds ids of aggregate ``target`` (see module text).

    ``owner`` is the aggregate whose document holds the key (for ``parent_id``).
    ``record_id`` is checked by its ``record_type`` and is not answered here.

    Examples:
        >>> from crmkit.adapters.references import is_reference
        >>> is_reference("converted_contact_id", "contacts"), is_reference("id", "contacts")
        (True, False)
        >>> is_reference("parent_id", "accounts", owner="accounts")
        True
    """
    name = singular(target)
    if key == "parent_id":
        return owner == target
    for suffix in ("_id", "_ids"):
        if key == name + suffix or key.endswith(f"_{name}{suffix}"):
            return True
    return False


def _is_ref(key: str, record_type: Any, target: str, owner: str | None) -> bool:
    if key == "record_id":
        return bool(record_type == singular(target))
    return key.endswith(("_id", "_ids")) and is_reference(key, target, owner=owner)


def _id_keys(item: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(
        (k, v)
        for k, v in sorted(item.items())
        if k.endswith(("_id", "_ids")) or k in _DISCRIMINATORS
    )


def _walk(node: Any, target: str, owner: str | None, top: bool) -> Iterator[tuple[Any, str]]:
    """Yield ``(container, key)`` for every reference to ``target`` in ``node``."""
    if isinstance(node, dict):
        kind = node.get("record_type")
        for key, value in node.items():
            if top and key in FREE_DATA:
                continue
            if _is_ref(key, kind, target, owner):
                yield node, key
            elif isinstance(value, dict | list):
                yield from _walk(value, target, owner, False)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item, target, owner, False)


def referenced_ids(document: dict[str, Any], target: str, *, owner: str | None = None) -> set[str]:
    """Every id of aggregate ``target`` that ``document`` refers to.

    Examples:
        >>> from crmkit.adapters.references import referenced_ids
        >>> task = {"subject": "Call", "links": [{"record_type": "contact", "record_id": "c1"},
        ...                                      {"record_type": "lead", "record_id": "l1"}]}
        >>> referenced_ids(task, "contacts"), referenced_ids(task, "leads")
        ({'c1'}, {'l1'})
    """
    found: set[str] = set()
    for container, key in _walk(document, target, owner, True):
        value = container[key]
        if isinstance(value, str):
            found.add(value)
        elif isinstance(value, list):
            found.update(v for v in value if isinstance(v, str))
    return found


def references(document: dict[str, Any], target: str, id: str, *, owner: str | None = None) -> bool:
    """Whether ``document`` refers to the record ``id`` of aggregate ``target``.

    Examples:
        >>> from crmkit.adapters.references import references
        >>> references({"account_id": "a1"}, "accounts", "a1")
        True
    """
    return id in referenced_ids(document, target, owner=owner)


def _absent(value: str, document: dict[str, Any]) -> bool:
    """Whether ``value`` is surely nowhere in ``document`` (a fast test on its JSON text)."""
    quoted = json.dumps(value, ensure_ascii=False)
    return quoted not in json.dumps(document, ensure_ascii=False)


def _collapse(items: list[Any], moved: list[bool]) -> list[Any]:
    keys = [_id_keys(item) if isinstance(item, dict) else item for item in items]
    stayed = {key for key, was_moved in zip(keys, moved, strict=True) if not was_moved}
    out: list[Any] = []
    out_moved: list[bool] = []
    seen: list[Any] = []
    dropped_primary: list[Any] = []
    for item, key, was_moved in zip(items, keys, moved, strict=True):
        if key in seen or (was_moved and key in stayed):
            if isinstance(item, dict) and item.get("is_primary"):
                dropped_primary.append(key)
            continue
        seen.append(key)
        out.append(item)
        out_moved.append(was_moved)
    primaries = [
        i for i, item in enumerate(out) if isinstance(item, dict) and item.get("is_primary")
    ]
    if not primaries and dropped_primary:
        # the primary link was folded into another link of the same records: that one leads
        index = next(i for i, key in enumerate(seen) if key in dropped_primary)
        out[index] = {**out[index], "is_primary": True}
    if len(primaries) > 1:
        keep = next((i for i in primaries if not out_moved[i]), primaries[0])
        for i in primaries:
            if i != keep:
                out[i] = {**out[i], "is_primary": False}
    return out


def _relink(
    node: Any, target: str, old: str, new: str | None, owner: str | None, top: bool
) -> tuple[Any, bool]:
    if isinstance(node, dict):
        kind = node.get("record_type")
        out: dict[str, Any] = {}
        changed = False
        for key, value in node.items():
            is_ref = _is_ref(key, kind, target, owner)
            if top and key in FREE_DATA:
                out[key] = value
            elif is_ref and value == old:
                out[key], changed = new, True
            elif is_ref and isinstance(value, list) and old in value:
                replaced = [new if v == old else v for v in value]
                out[key], changed = [v for v in dict.fromkeys(replaced) if v is not None], True
            elif isinstance(value, dict | list):
                out[key], moved = _relink(value, target, old, new, owner, False)
                changed = changed or moved
            else:
                out[key] = value
        return out, changed
    if isinstance(node, list):
        results = [_relink(item, target, old, new, owner, False) for item in node]
        if not any(moved for _, moved in results):
            return node, False
        return _collapse([item for item, _ in results], [m for _, m in results]), True
    return node, False


def relink(
    document: dict[str, Any], target: str, old: str, new: str, *, owner: str | None = None
) -> dict[str, Any] | None:
    """A copy of ``document`` whose references to ``old`` (a ``target`` record) name ``new``,
    or ``None`` when it has none. Lists stay valid (see module text); a reference to the
    document's own ``id`` becomes ``None``.

    Examples:
        >>> from crmkit.adapters.references import relink
        >>> relink({"id": "a3", "parent_id": "a2"}, "accounts", "a2", "a3", owner="accounts")
        {'id': 'a3', 'parent_id': None}
        >>> relink({"id": "x", "account_id": "a9"}, "accounts", "a2", "a3") is None
        True
    """
    if _absent(old, document):
        return None
    result, changed = _relink(document, target, old, new, owner, True)
    if not changed:
        return None
    if owner == target:
        result = drop_self_references(result, target)
    relinked: dict[str, Any] = result
    return relinked


def drop_self_references(document: dict[str, Any], aggregate: str) -> dict[str, Any]:
    """A copy of ``document`` (of ``aggregate``) whose references to itself are ``None``.

    Examples:
        >>> from crmkit.adapters.references import drop_self_references
        >>> drop_self_references({"id": "a1", "parent_id": "a1"}, "accounts")
        {'id': 'a1', 'parent_id': None}
    """
    result = copy.deepcopy(document)
    for container, key in list(_walk(result, aggregate, aggregate, True)):
        if container[key] is not None and container[key] == result.get("id"):
            container[key] = None
    cleaned: dict[str, Any] = result
    return cleaned
