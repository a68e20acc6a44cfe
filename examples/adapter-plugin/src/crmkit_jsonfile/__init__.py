"""crmkit-jsonfile: an example crmkit storage adapter that keeps CRM data in one JSON file.

Examples:
    >>> import tempfile, pathlib
    >>> from crmkit.adapters import open_store
    >>> from crmkit.domain import Account
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "crm.json"
    >>> with open_store(f"jsonfile://{path}") as store, store.unit_of_work() as uow:
    ...     _ = uow.accounts.add(Account(name="Acme AB"))
    >>> with open_store(f"jsonfile://{path}") as store, store.unit_of_work() as uow:
    ...     [a.name for a in uow.accounts.find()]
    ['Acme AB']
"""

from crmkit_jsonfile.store import JsonFileStore, open_store

__all__ = ["JsonFileStore", "open_store"]
