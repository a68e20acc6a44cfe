"""Finding a store by URL: built-in adapters plus plugins from the ``crmkit.adapters`` group.

An adapter is a callable ``factory(url: str, **options) -> Store``. crmkit registers
``memory`` (``memory://``), ``sqlite`` (``sqlite:///crm.db``) and ``postgresql``
(``postgresql+psycopg://…``). Third-party packages add theirs with an entry point::

    [project.entry-points."crmkit.adapters"]
    redis = "crmkit_redis:open_store"

The part of the URL before ``://`` picks the adapter: first the full scheme
(``postgresql+psycopg``), then the part before ``+`` (``postgresql``).

Plugins are checked, not trusted:

* the built-in schemes (``memory``, ``sqlite``, ``postgresql`` and their ``+driver`` forms)
  cannot be replaced — a plugin that registers one is ignored with a
  :class:`~crmkit.errors.CrmkitWarning` naming it, and :func:`register_adapter` refuses one;
* a plugin that cannot be imported, whose factory fails with a non-crmkit error, or whose
  factory returns something that is not a store raises :class:`~crmkit.errors.PluginError`
  naming the plugin, its entry point and its distribution.

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
import re
import warnings
from collections.abc import Callable
from typing import Any, cast

from crmkit.adapters.ports import Store
from crmkit.errors import CrmkitError, CrmkitWarning, NotFoundError, PluginError, ValidationError

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

# What a store must have (the Store protocol is not runtime-checkable: it has properties).
_STORE_METHODS = ("unit_of_work", "close", "__enter__", "__exit__")
_STORE_ATTRIBUTES = ("url", "schema_version")


def _redacted(url: str) -> str:
    return re.sub(r"//([^/@:]*):[^/@]*@", r"//\1:***@", url)


def _is_builtin(name: str) -> bool:
    return name.split("+", 1)[0] in _BUILTINS


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
        >>> register_adapter("sqlite", open_memory_store)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: name: 'sqlite' is a built-in crmkit adapter and cannot be replaced; pick another scheme
    """
    key = name.lower() if isinstance(name, str) else name
    if not isinstance(key, str) or not key or "://" in key:
        raise ValidationError.single("name", name, "must be a URL scheme such as 'mystore'")
    if _is_builtin(key):
        raise ValidationError.single(
            "name", name, "is a built-in crmkit adapter and cannot be replaced; pick another scheme"
        )
    if isinstance(factory, str):
        _registered[key] = _lazy(factory)
    elif callable(factory):
        _registered[key] = factory
    else:
        raise ValidationError.single("factory", factory, "is not callable")


def _load(factory: str, origin: str) -> StoreFactory:
    module_name, _, attr = factory.partition(":")
    try:
        loaded = importlib.import_module(module_name)
        for part in attr.split(".") if attr else ():
            loaded = getattr(loaded, part)
    except Exception as error:
        raise PluginError(
            f"{origin} cannot be loaded: {type(error).__name__}: {error}; fix or reinstall it"
        ) from error
    if not callable(loaded):
        raise PluginError(f"{origin} is {loaded!r}, which is not callable")
    return cast(StoreFactory, loaded)


def _lazy(path: str) -> StoreFactory:
    def factory(url: str, **options: Any) -> Store:
        return _load(path, f"the adapter {path!r}")(url, **options)

    return factory


def _describe(ep: importlib.metadata.EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    source = f" of {dist.name} {dist.version}" if dist is not None else ""
    return f"the crmkit adapter plugin {ep.name!r} (entry point {ep.value!r}{source})"


def _entry_points() -> dict[str, importlib.metadata.EntryPoint]:
    plugins: dict[str, importlib.metadata.EntryPoint] = {}
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        name = ep.name.lower()
        if _is_builtin(name):
            warnings.warn(
                f"{_describe(ep)} tries to replace the built-in {name.split('+', 1)[0]!r} "
                "adapter and is ignored; uninstall it or ask its author to pick another scheme",
                CrmkitWarning,
                stacklevel=3,
            )
            continue
        plugins[name] = ep
    return plugins


def _resolve(scheme: str) -> tuple[StoreFactory, str]:
    scheme = scheme.lower()
    plugins = _entry_points()
    for name in dict.fromkeys((scheme, scheme.split("+", 1)[0])):
        if name in _BUILTINS:
            return _load(_BUILTINS[name], f"the built-in adapter {name!r}"), name
        if name in _registered:
            return _registered[name], f"the adapter {name!r} registered in this process"
        if name in plugins:
            ep = plugins[name]
            return _load(ep.value, _describe(ep)), _describe(ep)
    raise NotFoundError(
        f"no crmkit adapter for scheme {scheme!r}; known: {', '.join(available_adapters())}"
    )


def _check_store(store: Any, origin: str) -> Store:
    if isinstance(store, type):  # a class, not an instance of it
        missing = ["an instance"]
    else:
        missing = [name for name in _STORE_METHODS if not callable(getattr(store, name, None))]
        missing += [name for name in _STORE_ATTRIBUTES if not hasattr(store, name)]
    if missing:
        raise PluginError(
            f"{origin} returned {type(store).__name__} {store!r:.80}, which is not a crmkit "
            f"store (it lacks {', '.join(missing)}); see crmkit.adapters.ports.Store"
        )
    return cast(Store, store)


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

    Built-ins always win (they cannot be replaced); then in-process registrations, then
    installed plugins. A plugin that cannot be loaded raises
    :class:`~crmkit.errors.PluginError`.

    Examples:
        >>> from crmkit.adapters.registry import resolve_adapter
        >>> resolve_adapter("sqlite").__name__
        'open_sql_store'
    """
    return _resolve(scheme)[0]


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
        factory, origin = _resolve(scheme)
    except NotFoundError:
        known = ", ".join(available_adapters())
        raise NotFoundError(
            f"no crmkit adapter for scheme {scheme!r} in {url!r}; known: {known}"
        ) from None
    try:
        store = factory(url, **options)
    except CrmkitError:
        raise
    except Exception as error:
        raise PluginError(
            f"{origin} failed to open {_redacted(url)!r}: {type(error).__name__}: {error}"
        ) from error
    return _check_store(store, origin)
