"""The SQL store: SQLAlchemy Core over a SQLite file (embedded default) or PostgreSQL.

Needs the ``sql`` extra (and ``postgres`` for PostgreSQL); SQLAlchemy is imported when a store
is opened, not when this package is imported.

Examples:
    >>> from crmkit.adapters.sql import SqlStore
    >>> with SqlStore("sqlite://") as store:
    ...     store.dialect, store.schema_version
    ('sqlite', 5)
"""

from crmkit.adapters.sql.schema import SCHEMA_VERSION
from crmkit.adapters.sql.store import SqlRepository, SqlStore, SqlUnitOfWork, open_sql_store

__all__ = ["SCHEMA_VERSION", "SqlRepository", "SqlStore", "SqlUnitOfWork", "open_sql_store"]
