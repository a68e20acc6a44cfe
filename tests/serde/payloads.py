"""Payload surgery for the serde property tests: every path into a payload, and a payload with
one of them replaced, deleted or given an unexpected sibling."""

from __future__ import annotations

import copy
from typing import Any


def leaves(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths (dict keys and list indexes) to every value of a payload, containers included."""
    paths = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            paths += leaves(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            paths += leaves(value, (*path, index))
    return paths


def mutate(data: Any, path: tuple[Any, ...], how: str, value: Any) -> Any:
    """A deep copy of ``data`` with the value at ``path`` replaced by ``value`` (``how`` is
    ``"replace"``), deleted from its dict (``"delete"``), or with an ``"unexpected"`` key set to
    ``value`` beside it (``"extra"``)."""
    data = copy.deepcopy(data)
    if not path:
        return value if how == "replace" else data
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    if how == "replace":
        parent[path[-1]] = value
    elif how == "delete" and isinstance(parent, dict):
        del parent[path[-1]]
    elif how == "extra" and isinstance(parent, dict):
        parent["unexpected"] = value
    return data
