"""Migrations of the SQL store's schema, run with Alembic from inside crmkit.

The revisions live in this package (``versions/``), one per schema version; Alembic records
the current one in the table ``crmkit_alembic_version``. Users never run ``alembic``
themselves and need no ``alembic.ini``: opening a store upgrades an older database in the
store's own transaction (:func:`upgrade`), so it upgrades completely or stays as it was. A
database made before crmkit used Alembic (schema 1 or 2, no revision table) is first stamped
with the revision of its recorded schema version.

History:

* **1** (``0001``) — tables ``crm_<aggregate>``: id, version, owner, account, status, stage,
  name, remote id, timestamps and the JSON document.
* **2** (``0002``) — ``segment`` and ``custom`` (JSONB + GIN index on PostgreSQL).
* **3** (``0003``) — typed columns, foreign keys with delete policies, ``created_at``/
  ``updated_at`` timestamps, ``remote_data`` and the BI views; each table is rebuilt from its
  stored documents, so every row is kept (a reference to a missing account stops the upgrade
  and names it, leaving the database as it was).
* **4** (``0004``) — the object-model tables (``crm_users``, ``crm_teams``,
  ``crm_territories``, ``crm_owner_changes``, ``crm_tasks``, ``crm_notes``,
  ``crm_price_books``, ``crm_quotes``), ``crm_exchange_rates``, the audit trail and an
  account's ``parent_id``; added in place (new columns are filled from the stored documents,
  nothing is rebuilt) and the views recreated.
* **5** (``0005``) — the indexes of columns that can be empty become partial (``WHERE column
  IS NOT NULL``, :func:`crmkit.adapters.sql.schema.partial_index_columns`): rows that leave
  a column empty cost no index entry; recreated in place, tables and rows untouched.

Examples:
    >>> from crmkit.adapters.sql.migrations import REVISIONS, head_revision
    >>> REVISIONS[5] == head_revision()
    True
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from crmkit.adapters.sql.schema import SCHEMA_VERSION
from crmkit.extras import require

if TYPE_CHECKING:
    import sqlalchemy as sa
    from alembic.config import Config

__all__ = ["REVISIONS", "VERSION_TABLE", "head_revision", "stamp_head", "upgrade"]

#: The Alembic revision of each schema version.
REVISIONS: dict[int, str] = {1: "0001", 2: "0002", 3: "0003", 4: "0004", 5: "0005"}
#: The table where Alembic records the revision of a crmkit database.
VERSION_TABLE = "crmkit_alembic_version"


def _config(connection: sa.Connection) -> Config:
    require("alembic", "sql")
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The revision of the schema this crmkit writes.

    Examples:
        >>> from crmkit.adapters.sql.migrations import head_revision
        >>> head_revision()
        '0005'
    """
    return REVISIONS[SCHEMA_VERSION]


def stamp_head(connection: sa.Connection) -> None:
    """Record in a new database that it has the current schema (the store created it).

    Examples:
        >>> import sqlalchemy as sa
        >>> from crmkit.adapters.sql.migrations import VERSION_TABLE, stamp_head
        >>> with sa.create_engine("sqlite://").begin() as conn:
        ...     stamp_head(conn)
        ...     conn.exec_driver_sql(f"select version_num from {VERSION_TABLE}").scalar()
        '0005'
    """
    from alembic import command

    command.stamp(_config(connection), head_revision())


def upgrade(connection: sa.Connection, from_version: int) -> list[int]:
    """Upgrade a database at schema ``from_version`` to the current one; the versions passed.

    The caller owns the transaction (the store runs this inside one).

    Examples:
        >>> import sqlalchemy as sa
        >>> from crmkit.adapters.sql.migrations import upgrade
        >>> from crmkit.adapters.sql.migrations.legacy import create_version_1
        >>> with sa.create_engine("sqlite://").begin() as conn:
        ...     create_version_1(conn)
        ...     upgrade(conn, 1)
        [2, 3, 4, 5]
    """
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    config = _config(connection)
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    if context.get_current_revision() is None:
        command.stamp(config, REVISIONS[from_version])
    command.upgrade(config, head_revision())
    return list(range(from_version + 1, SCHEMA_VERSION + 1))
