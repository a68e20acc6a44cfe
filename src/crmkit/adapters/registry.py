"""Finding a store by URL: built-in adapters plus plugins from the ``crmkit.adapters`` group.

An adapter is a callable ``factory(url: str, **options) -> Store``. crmkit registers
``memory`` (``memory://``), ``sqlite`` (``sqlite:///crm.db``) and ``postgresql``
(``postgresql+psycopg://…``). Third-party packages add theirs with an entry point::

    [project.entry-points."crmkit.adapters"]
    redis = "crmkit_redis:open_store"

The part of the URL before ``://`` picks the adapter: first the full scheme
(``postgresql+psycopg``), then the part before ``+`` (``postgresql``).

Examples:
    >>> from crmkit.adapters.registry import available_adapters, open_store
    >>> {"memory", "sqlite", "postgresql"} <= set(available_adapters())
    True
    >>> open_store("nosuch://x")
    Traceback (most recent call last):
    ...
    crmkit.errors.NotFoundError: no crmkit adapter for scheme 'nosuch' in 'nosuch://x'; known: ...
"""

from __future__ import annotations

import importlib
import importlib.metadata
from collections.abc import Callable
from typing import Any, cast

from crmkit.adapters.ports import Store
from crmkit.errors import NotFoundError, ValidationError

__all__ = [
    "ENTRY_POINT_GROUP",
    "StoreFactory",
    "available_adapters",
    "open_store",
    "register_adapter",
    "resolve_adapter",
    "scheme_of",
]

#: The entry-point group third-party adapters register under.
ENTRY_POINT_GROUP = "crmkit.adapters"

#: What an adapter provides: ``factory(url, **options)`` returning a :class:`Store`.
StoreFactory = Callable[..., Store]

_BUILTINS: dict[str, str] = {
    "memory": "crmkit.adapters.memory:open_memory_store",
    "sqlite": "crmkit.adapters.sql.store:open_sql_store",
    "postgresql": "crmkit.adapters.sql.store:open_sql_store",
}

_registered: dict[str, StoreFactory] = {}


def scheme_of(url: str) -> str:
    """The scheme of a store URL (the part before ``://``), lower-cased.

    Examples:
        >>> from crmkit.adapters.registry import scheme_of
        >>> scheme_of("postgresql+psycopg://localhost/crm")
        'postgresql+psycopg'
    """
    if not isinstance(url, str) or "://" not in url:
        raise ValidationError.single("url", url, "is not a store URL like 'sqlite:///crm.db'")
    return url.split("://", 1)[0].lower()


def register_adapter(name: str, factory: StoreFactory | str) -> None:
    """Register an adapter in this process (tests, applications); plugins use entry points.

    ``factory`` is a callable or a ``"module:attribute"`` path imported on first use.

    Examples:
        >>> from crmkit.adapters.memory import open_memory_store
        >>> from crmkit.adapters.registry import open_store, register_adapter
        >>> register_adapter("scratch", open_memory_store)
        >>> open_store("scratch://").schema_version
        2
    """
    _registered[name.lower()] = _load(factory) if not isinstance(factory, str) else _lazy(factory)


def _load(factory: Any) -> StoreFactory:
    if isinstance(factory, str):
        module_name, _, attr = factory.partition(":")
        factory = getattr(importlib.import_module(module_name), attr)
    if not callable(factory):
        raise ValidationError.single("factory", factory, "is not callable")
    return cast(StoreFactory, factory)


def _lazy(path: str) -> StoreFactory:
    def factory(url: str, **options: Any) -> Store:
        return _load(path)(url, **options)

    return factory


def _entry_points() -> dict[str, importlib.metadata.EntryPoint]:
    return {ep.name.lower(): ep for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}


def available_adapters() -> list[str]:
    """Names of every adapter: built-in, registered in-process and installed plugins.

    Examples:
        >>> from crmkit.adapters.registry import available_adapters
        >>> "sqlite" in available_adapters()
        True
    """
    return sorted(set(_BUILTINS) | set(_registered) | set(_entry_points()))


def resolve_adapter(scheme: str) -> StoreFactory:
    """The factory for ``scheme`` (full scheme first, then the part before ``+``).

    In-process registrations win over installed plugins, which win over built-ins.

    Examples:
        >>> from crmkit.adapters.registry import resolve_adapter
        >>> resolve_adapter("sqlite").__name__
        'open_sql_store'
    """
    scheme = scheme.lower()
    plugins = _entry_points()
    for name in dict.fromkeys((scheme, scheme.split("+", 1)[0])):
        if name in _registered:
            return _registered[name]
        if name in plugins:
            return _load(plugins[name].load())
        if name in _BUILTINS:
            return _load(_BUILTINS[name])
    raise NotFoundError(
        f"no crmkit adapter for scheme {scheme!r}; known: {', '.join(available_adapters())}"
    )


def open_store(url: str, **options: Any) -> Store:
    """Open the store at ``url`` with the adapter its scheme names.

    ``options`` go to the adapter (the SQL store takes ``schema=``, ``echo=`` …).

    Examples:
        >>> from crmkit.adapters.registry import open_store
        >>> with open_store("memory://") as store:
        ...     store.url
        'memory://'
    """
    scheme = scheme_of(url)
    try:
        factory = resolve_adapter(scheme)
    except NotFoundError:
        known = ", ".join(available_adapters())
        raise NotFoundError(
            f"no crmkit adapter for scheme {scheme!r} in {url!r}; known: {known}"
        ) from None
    return factory(url, **options)
