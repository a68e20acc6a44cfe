"""Ports and adapters: stores for CRM data, the plugin registry and the storage contract.

``open_store(url)`` opens a store by URL — ``memory://`` (in-memory, for tests),
``sqlite:///crm.db`` (the embedded default) or ``postgresql+psycopg://…`` (shared) — or any
adapter a plugin registers in the ``crmkit.adapters`` entry-point group. A store opens units
of work; a unit of work holds one repository per aggregate (see :mod:`crmkit.adapters.ports`).

Example:
    >>> from crmkit.adapters import Query, open_store
    >>> from crmkit.domain import Account
    >>> with open_store("memory://") as store:
    ...     with store.unit_of_work() as uow:
    ...         _ = uow.accounts.add(Account(name="Acme AB", owner_id="anna"))
    ...     with store.unit_of_work() as uow:
    ...         [a.name for a in uow.accounts.find(Query(owner_id="anna"))]
    ['Acme AB']
"""

from crmkit.adapters.ports import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    Entity,
    Page,
    Query,
    Repository,
    RepositoryQueries,
    Store,
    UnitOfWork,
    UpsertKey,
    UpsertResult,
)
from crmkit.adapters.registry import (
    ENTRY_POINT_GROUP,
    available_adapters,
    open_store,
    register_adapter,
)

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "ENTRY_POINT_GROUP",
    "MAX_PAGE_SIZE",
    "Entity",
    "Page",
    "Query",
    "Repository",
    "RepositoryQueries",
    "Store",
    "UnitOfWork",
    "UpsertKey",
    "UpsertResult",
    "available_adapters",
    "open_store",
    "register_adapter",
]
