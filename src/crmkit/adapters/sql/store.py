"""The SQL store on SQLAlchemy Core: a SQLite file by default, PostgreSQL for shared use.

``open_store("sqlite:///crm.db")`` opens (and on first use creates) an embedded database in
WAL mode with a 30-second busy timeout. A unit of work on SQLite reads without taking the
write lock; its first write starts a ``BEGIN IMMEDIATE`` transaction, so concurrent writer
processes queue instead of failing, and readers never block writers.
``open_store("postgresql+psycopg://user@host/db", schema="crm")`` uses PostgreSQL (optionally
in its own schema, created when missing). The schema is versioned and upgraded on open (see
:mod:`crmkit.adapters.sql.migrations`).

Database failures become crmkit errors that name the file (or URL) and say what to do: a
file that is not a SQLite database or is damaged raises
:class:`~crmkit.errors.StoreCorruptError`, a lock held past the busy timeout
:class:`~crmkit.errors.StoreLockedError`, a schema of another version
:class:`~crmkit.errors.SchemaVersionError`, anything else :class:`~crmkit.errors.StoreError`.
A unit of work used after its ``with`` block raises
:class:`~crmkit.errors.UnitOfWorkClosedError`.

Optimistic concurrency is done by the database: ``UPDATE … WHERE id = :id AND version =
:version``; when no row changes the save was stale and raises
:class:`~crmkit.errors.ConflictError`.

Examples:
    >>> from crmkit.adapters import open_store
    >>> from crmkit.domain import Account
    >>> with open_store("sqlite://") as store:
    ...     with store.unit_of_work() as uow:
    ...         acme = uow.accounts.add(Account(name="Acme AB", custom={"fiscal_month": 7}))
    ...     with store.unit_of_work() as uow:
    ...         [a.name for a in uow.accounts.by_custom("fiscal_month", 7)]
    ['Acme AB']
"""

from __future__ import annotations

import importlib.util
import io
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from crmkit.adapters.aggregate import (
    FILTERS,
    Aggregate,
    AggregateRepository,
    aggregate_for,
    micros,
    not_found,
    remote_taken,
)
from crmkit.adapters.audit import AuditEntry, audit_entries
from crmkit.adapters.hierarchy import detach_children
from crmkit.adapters.ports import (
    DEFAULT_PAGE_SIZE,
    ClosingStore,
    LookupKind,
    Page,
    Query,
    UnitOfWorkRepositories,
    UnitOfWorkState,
    UpsertKey,
    UpsertResult,
    check_limit,
    lookup_target,
)
from crmkit.adapters.sql.rows import RowWriter, iter_entities, load_entities, load_entity
from crmkit.adapters.sql.schema import (
    AUDIT_TABLE,
    DELETE_POLICY,
    PARENT_COLUMN,
    SCHEMA_TABLE,
    SCHEMA_VERSION,
    build_metadata,
    entity_row,
    schema_table,
    table_name,
)
from crmkit.adapters.sql.views import create_views, view_columns
from crmkit.errors import (
    ConflictError,
    SchemaVersionError,
    StoreCorruptError,
    StoreError,
    StoreLockedError,
    ValidationError,
)
from crmkit.extras import require

if TYPE_CHECKING:
    import sqlalchemy as sa

__all__ = [
    "BATCH_SIZE",
    "SqlRepository",
    "SqlStore",
    "SqlUnitOfWork",
    "open_sql_store",
]

#: Rows per statement in bulk inserts and upserts.
BATCH_SIZE = 1000
# SQLite's page cache of each connection, in KiB (``PRAGMA cache_size`` of a negative number).
SQLITE_CACHE_KIB = 65536
#: How long SQLite waits for a lock before giving up, in milliseconds.
SQLITE_BUSY_TIMEOUT_MS = 30_000
# Set on a connection's ``info`` while its next transaction must take SQLite's write lock.
_WRITE_INTENT = "crmkit_write_intent"
# SQLite messages that mean the file is not a (healthy) database.
_CORRUPT = (
    "file is not a database",
    "database disk image is malformed",
    "file is encrypted",
    "malformed database schema",
    "no such table",
)

E = TypeVar("E")

_JSON_TYPES = {bool: None, str: ("text",), int: ("integer", "real"), float: ("integer", "real")}


class SqlStore(ClosingStore):
    """CRM data in a SQL database through SQLAlchemy Core.

    Args:
        url: a SQLAlchemy URL (``sqlite:///crm.db``, ``sqlite://`` for a private in-memory
            database, ``postgresql+psycopg://…``).
        schema: PostgreSQL schema to keep the tables in (created when missing).
        upgrade: upgrade an older database on open (default); ``False`` refuses to open it.
        echo: log SQL statements.
        pool_size: PostgreSQL connection-pool size.
        busy_timeout: seconds SQLite waits for another writer's lock before raising
            :class:`~crmkit.errors.StoreLockedError` (default 30).

    Examples:
        >>> from crmkit.adapters.sql import SqlStore
        >>> from crmkit.adapters.sql.schema import SCHEMA_VERSION
        >>> with SqlStore("sqlite://") as store:
        ...     store.schema_version == SCHEMA_VERSION
        True
    """

    def __init__(
        self,
        url: str,
        *,
        schema: str | None = None,
        upgrade: bool = True,
        echo: bool = False,
        pool_size: int | None = None,
        busy_timeout: float = SQLITE_BUSY_TIMEOUT_MS / 1000,
    ) -> None:
        sa_ = require("sqlalchemy", "sql")
        self._sa = sa_
        try:
            parsed = sa_.engine.make_url(url)
            self._dialect = parsed.get_backend_name()
        except sa_.exc.ArgumentError as error:
            raise ValidationError.single("url", url, f"is not a database URL ({error})") from None
        if self._dialect == "postgresql":
            require("psycopg", "postgres")
        if isinstance(busy_timeout, bool) or not isinstance(busy_timeout, int | float):
            raise ValidationError.single("busy_timeout", busy_timeout, "must be a number")
        if not 0 <= busy_timeout <= 86_400:
            raise ValidationError.single("busy_timeout", busy_timeout, "must be 0 to 86400 s")
        self._busy_ms = int(busy_timeout * 1000)
        kwargs: dict[str, Any] = {"echo": echo}
        if self._dialect == "sqlite":
            in_memory = parsed.database in (None, "", ":memory:")
            self._where = (
                "the in-memory SQLite database"
                if in_memory
                else f"the SQLite file {parsed.database}"
            )
            kwargs["connect_args"] = {"timeout": busy_timeout}
            if in_memory:
                kwargs["poolclass"] = sa_.pool.StaticPool
                kwargs["connect_args"]["check_same_thread"] = False
        elif pool_size is not None:
            kwargs["pool_size"] = pool_size
        if schema is not None and self._dialect != "postgresql":
            raise ValidationError.single("schema", schema, "is only supported on PostgreSQL")
        if schema is not None and not schema.replace("_", "").isalnum():
            raise ValidationError.single("schema", schema, "must be letters, digits and _")
        self._schema = schema
        self._url = parsed.render_as_string(hide_password=True)
        if self._dialect != "sqlite":
            self._where = f"the database at {self._url}"
        try:
            self._engine: sa.Engine = sa_.create_engine(parsed, **kwargs)
        except sa_.exc.ArgumentError as error:  # an unknown driver or a bad option
            raise ValidationError.single(
                "url", self._url, f"cannot be opened by SQLAlchemy: {error}"
            ) from None
        self._install_events()
        self._metadata, self._tables = build_metadata(self._dialect)
        try:
            self._version = self._prepare(upgrade)
        except BaseException:
            self._engine.dispose()
            raise

    # set-up ------------------------------------------------------------------------------

    def _install_events(self) -> None:
        event = self._sa.event
        if self._dialect == "sqlite":
            busy_ms = self._busy_ms

            def on_connect(dbapi_connection: Any, _record: Any) -> None:
                dbapi_connection.isolation_level = None
                cursor = dbapi_connection.cursor()
                cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
                # WAL rewrites the file header: only for a new or a crmkit database, so a
                # file of another application stays byte for byte as it was (it is refused).
                cursor.execute(
                    "SELECT count(*), coalesce(sum(name = ?), 0) FROM sqlite_master "
                    "WHERE type = 'table'",
                    (SCHEMA_TABLE,),
                )
                tables, ours = cursor.fetchone()
                if tables == 0 or ours:
                    cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = NORMAL")
                # Bulk writes: add_many and upsert_many run inside a savepoint, whose journal
                # of the pages it changes goes to a temporary file unless temporary storage is
                # in memory; and a 64 MiB page cache (SQLite's default is 2 MiB) keeps the
                # indexes of a table of 100,000 rows in memory while they grow. Both apply to
                # this store's connections only.
                cursor.execute("PRAGMA temp_store = MEMORY")
                cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
                # Foreign keys and their delete policies, on this store's connections only.
                cursor.execute("PRAGMA foreign_keys = ON")
                cursor.close()

            def on_begin(connection: Any) -> None:
                # Reads run in a deferred transaction (no write lock); a unit of work that is
                # about to write asks for the write lock up front (see SqlUnitOfWork.begin_write).
                immediate = connection.info.get(_WRITE_INTENT, False)
                connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

            event.listen(self._engine, "connect", on_connect)
            event.listen(self._engine, "begin", on_begin)
        elif self._schema is not None:
            schema = self._schema

            def on_pg_connect(dbapi_connection: Any, _record: Any) -> None:
                autocommit = dbapi_connection.autocommit
                dbapi_connection.autocommit = True
                cursor = dbapi_connection.cursor()
                cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
                cursor.execute(f'SET search_path TO "{schema}"')
                cursor.close()
                dbapi_connection.autocommit = autocommit

            event.listen(self._engine, "connect", on_pg_connect)
        event.listen(self._engine, "handle_error", self._translate)

    def _translate(self, context: Any) -> None:
        """Turn a database error into a crmkit error naming the store and what to do.

        Integrity errors are left to the repositories (they become ConflictError there).
        """
        sa_ = self._sa
        error = context.sqlalchemy_exception
        if isinstance(error, sa_.exc.IntegrityError):
            return
        original = context.original_exception
        text = str(original).strip() or type(original).__name__
        lower = text.lower()
        where = self._where
        if "database is locked" in lower or "database table is locked" in lower:
            raise StoreLockedError(
                f"{where} stayed locked by another writer for longer than the busy timeout "
                f"({self._busy_ms / 1000:g} s): {text}. Retry later, raise busy_timeout=, or "
                "find the process that holds the database open in a unit of work"
            ) from original
        missing_table = type(original).__name__ == "UndefinedTable"  # PostgreSQL
        if missing_table or any(marker in lower for marker in _CORRUPT):
            raise StoreCorruptError(
                f"{where} is not a crmkit SQL database or is damaged: {text}. Check that "
                "the path names your crmkit database; restore a damaged file from a backup"
            ) from original
        if self._dialect == "sqlite":
            advice = "check that the file and its directory exist and are writable"
        else:
            advice = "check that the server is running and that the URL and rights are right"
        raise StoreError(f"{where} failed: {text}. {advice}") from original

    def _prepare(self, allow_upgrade: bool) -> int:
        sa_ = self._sa
        version_table = schema_table(sa_.MetaData())
        with self._engine.connect() as conn:
            # An up-to-date database is only read: opening it needs no write lock.
            with conn.begin():
                if (
                    sa_.inspect(conn).has_table(SCHEMA_TABLE)
                    and self._read_version(conn, version_table) == SCHEMA_VERSION
                ):
                    return SCHEMA_VERSION
            conn.info[_WRITE_INTENT] = True
            try:
                with conn.begin():
                    return self._prepare_in(conn, allow_upgrade)
            finally:
                if not conn.invalidated:
                    conn.info.pop(_WRITE_INTENT, None)

    def _read_version(self, conn: sa.Connection, version_table: sa.Table) -> int:
        rows = conn.execute(self._sa.select(version_table.c.version)).all()
        found = rows[0][0] if len(rows) == 1 else None
        if isinstance(found, bool) or not isinstance(found, int) or found < 1:
            raise StoreCorruptError(
                f"{self._where} has a damaged {SCHEMA_TABLE} table (schema version "
                f"{[r[0] for r in rows]!r}); restore it from a backup"
            )
        return found

    def _prepare_in(self, conn: sa.Connection, allow_upgrade: bool) -> int:
        sa_ = self._sa
        version_table = schema_table(sa_.MetaData())
        if self._dialect == "postgresql":
            conn.execute(sa_.text("SELECT pg_advisory_xact_lock(7236512)"))
        inspector = sa_.inspect(conn)
        if not inspector.has_table(SCHEMA_TABLE):
            foreign = sorted(inspector.get_table_names()) if self._dialect == "sqlite" else []
            if foreign:  # a SQLite file of another application: never add tables to it
                shown = ", ".join(foreign[:5]) + (" …" if len(foreign) > 5 else "")
                raise StoreCorruptError(
                    f"{self._where} is a database of another application (tables: {shown}), "
                    "not a crmkit database; crmkit leaves it untouched. Open a new or a "
                    "crmkit file instead"
                )
            from crmkit.adapters.sql.migrations import stamp_head

            self._metadata.create_all(conn)
            conn.execute(version_table.insert().values(id=1, version=SCHEMA_VERSION))
            create_views(conn)
            stamp_head(conn)
            return SCHEMA_VERSION
        found = self._read_version(conn, version_table)
        if found > SCHEMA_VERSION:
            raise SchemaVersionError.single(
                "schema_version",
                found,
                f"of {self._where} is newer than this crmkit supports ({SCHEMA_VERSION}); "
                "upgrade crmkit (pip install -U crmkit) to open it",
            )
        if found < SCHEMA_VERSION:
            if not allow_upgrade:
                raise SchemaVersionError.single(
                    "schema_version",
                    found,
                    f"of {self._where} is older than {SCHEMA_VERSION}; back it up, then "
                    "open it with upgrade=True to upgrade it",
                )
            from crmkit.adapters.sql.migrations import upgrade

            upgrade(conn, found)
        return SCHEMA_VERSION

    # Store API ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The database URL (password hidden).

        Examples:
            >>> from crmkit.adapters.sql import SqlStore
            >>> SqlStore("sqlite://").url
            'sqlite://'
        """
        url: str = self._url
        return url

    @property
    def dialect(self) -> str:
        """The database kind: ``"sqlite"`` or ``"postgresql"``.

        Examples:
            >>> from crmkit.adapters.sql import SqlStore
            >>> SqlStore("sqlite://").dialect
            'sqlite'
        """
        dialect: str = self._dialect
        return dialect

    @property
    def engine(self) -> sa.Engine:
        """The SQLAlchemy engine (for reporting queries of your own).

        Examples:
            >>> from crmkit.adapters.sql import SqlStore
            >>> SqlStore("sqlite://").engine.dialect.name
            'sqlite'
        """
        return self._engine

    @property
    def schema_version(self) -> int:
        """The schema version of the database (after any upgrade on open).

        Examples:
            >>> from crmkit.adapters.sql import SqlStore
            >>> from crmkit.adapters.sql.schema import SCHEMA_VERSION
            >>> SqlStore("sqlite://").schema_version == SCHEMA_VERSION
            True
        """
        return self._version

    def table(self, aggregate: str) -> sa.Table:
        """The SQLAlchemy table of an aggregate (for reporting queries of your own).

        Examples:
            >>> from crmkit.adapters.sql import SqlStore
            >>> SqlStore("sqlite://").table("orders").name
            'crm_orders'
        """
        return self._tables[aggregate_for(aggregate).name]

    def frame(self, aggregate: str, *, backend: str = "pandas") -> Any:
        """A stored table as a data frame, read straight from the database (no entities).

        The columns are those of the aggregate's BI view (:mod:`crmkit.adapters.sql.views`):
        ``orders`` has ``account_id``, ``ordered_at`` and ``total``, which is what
        :func:`crmkit.segmentation.rfm` reads by default. Amounts come as floats (the exact
        decimals stay in the database), timestamps as UTC-aware datetimes.

        The rows are read with the driver into a ``pyarrow.Table`` (on PostgreSQL streamed
        out with ``COPY (SELECT …) TO STDOUT`` as CSV), which becomes the frame; without
        PyArrow installed, pandas and Polars frames are built from Python rows.

        Args:
            aggregate: the aggregate's plural name (``"orders"``) or entity class.
            backend: ``"pandas"``, ``"polars"``, ``"pyarrow"`` or ``"duckdb"`` (a relation
                on a private in-memory DuckDB connection).

        Examples:
            >>> from datetime import UTC, datetime
            >>> from crmkit.adapters.sql import SqlStore
            >>> from crmkit.domain import Account, Money, Order, OrderLine
            >>> store = SqlStore("sqlite://")
            >>> with store.unit_of_work() as uow:
            ...     acme = uow.accounts.add(Account(name="Acme"))
            ...     _ = uow.orders.add(Order(acme.id, datetime(2025, 3, 1, tzinfo=UTC),
            ...         [OrderLine("P1", 2, Money("10.50", "SEK"))]))
            >>> orders = store.frame("orders", backend="polars")
            >>> orders["total"].to_list(), orders["currency"].to_list()
            ([21.0], ['SEK'])
        """
        backends = ("pandas", "polars", "pyarrow", "duckdb")
        if backend not in backends:
            raise ValidationError.single("backend", backend, f"must be one of {backends}")
        agg = aggregate_for(aggregate)
        table = self._tables[agg.name]
        columns = [(table.c[column], shown) for column, shown in view_columns(agg.name)]
        if backend in ("pyarrow", "duckdb") or importlib.util.find_spec("pyarrow") is not None:
            return _from_arrow(self._arrow(table, columns), backend)
        return _to_frame(self._python_columns(table, columns), backend)

    def _arrow(self, table: sa.Table, columns: list[tuple[Any, str]]) -> Any:
        """The view columns of ``table`` as a ``pyarrow.Table`` in ``id`` order, read with
        the driver: SQLite's rows go into Arrow arrays column by column and are converted
        there; PostgreSQL streams ``COPY (SELECT …) TO STDOUT`` as CSV into Arrow's reader,
        so no row becomes a Python object."""
        pa = require("pyarrow", "frames")
        types = {shown: _arrow_type(pa, column.type) for column, shown in columns}
        with self._engine.connect() as conn, conn.begin():
            driver: Any = conn.connection.driver_connection
            if self._dialect == "postgresql":
                return _postgres_arrow(pa, driver, table, columns, types)
            names = ", ".join(f'"{column.name}"' for column, _ in columns)
            cursor = driver.cursor()
            try:
                cursor.execute(f'SELECT {names} FROM "{table.name}" ORDER BY id')
                rows = cursor.fetchall()
            finally:
                cursor.close()
        values = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
        arrays = [
            _sqlite_array(pa, list(column_values), types[shown])
            for column_values, (_, shown) in zip(values, columns, strict=True)
        ]
        return pa.Table.from_arrays(arrays, names=[shown for _, shown in columns])

    def _python_columns(
        self, table: sa.Table, columns: list[tuple[Any, str]]
    ) -> dict[str, list[Any]]:
        """The view columns as Python lists (when PyArrow is not installed)."""
        statement = self._sa.select(*(column.label(shown) for column, shown in columns))
        with self._engine.connect() as conn, conn.begin():
            rows = conn.execute(statement.order_by(table.c.id)).all()
        data: dict[str, list[Any]] = {}
        for index, (column, shown) in enumerate(columns):
            kind = type(column.type).__name__
            values = [row[index] for row in rows]
            if kind == "Numeric":
                values = [None if v is None else float(v) for v in values]
            elif kind == "DateTime":
                values = [_aware(v) for v in values]
            data[shown] = values
        return data

    def unit_of_work(self, *, actor: str | None = None) -> SqlUnitOfWork:
        """A new unit of work: one connection and one transaction at a time; its changes are
        audited for ``actor`` (:mod:`crmkit.adapters.audit`).

        Examples:
            >>> from crmkit.adapters.sql import SqlStore
            >>> with SqlStore("sqlite://").unit_of_work() as uow:
            ...     uow.accounts.count()
            0
        """
        return SqlUnitOfWork(self, actor=actor)

    def close(self) -> None:
        """Dispose of the connection pool.

        Examples:
            >>> from crmkit.adapters.sql import SqlStore
            >>> SqlStore("sqlite://").close()
        """
        self._engine.dispose()


class SqlUnitOfWork(UnitOfWorkRepositories["SqlRepository[Any]"]):
    """A transaction on one connection; commit on normal exit, roll back on an exception.

    On SQLite, reads run in a deferred transaction that takes no write lock; the first write
    (``add``, ``save``, ``upsert_many``, ``delete``) ends that read transaction and starts a
    ``BEGIN IMMEDIATE`` one, which holds the write lock until commit or rollback. After the
    ``with`` block the unit of work refuses to be used
    (:class:`~crmkit.errors.UnitOfWorkClosedError`), and a rollback puts the caller's entities
    back at their stored ``version``.

    Examples:
        >>> from crmkit.adapters.sql import SqlStore
        >>> from crmkit.domain import Account
        >>> store = SqlStore("sqlite://")
        >>> with store.unit_of_work() as uow:
        ...     _ = uow.accounts.add(Account(name="Kept"))
        >>> with store.unit_of_work() as uow:
        ...     uow.accounts.count()
        1
    """

    def __init__(self, store: SqlStore, *, actor: str | None = None) -> None:
        self._store = store
        self._actor = actor
        self._conn: sa.Connection | None = None
        self._repositories: dict[str, SqlRepository[Any]] = {}
        self._writing = False
        self.state = UnitOfWorkState(store.url)

    @property
    def connection(self) -> sa.Connection:
        """The connection this unit of work uses (opened on first use).

        Examples:
            >>> from crmkit.adapters.sql import SqlStore
            >>> with SqlStore("sqlite://").unit_of_work() as uow:
            ...     uow.connection.closed
            False
        """
        self.state.check_open()
        if self._conn is None:
            self._conn = self._store.engine.connect()
        return self._conn

    @property
    def where(self) -> str:
        """The database this unit of work writes to, as errors name it.

        Examples:
            >>> from crmkit.adapters.sql import SqlStore
            >>> SqlStore("sqlite://").unit_of_work().where
            'the in-memory SQLite database'
        """
        where: str = self._store._where
        return where

    def begin_write(self) -> None:
        """Make the current transaction a writing one (repositories call it before a write).

        On SQLite a transaction that has only read so far is ended (it changed nothing) and
        the next statement starts ``BEGIN IMMEDIATE``, which waits for the write lock; the
        version checks of ``save`` and ``delete`` catch anything changed in between. On
        PostgreSQL it does nothing.

        Examples:
            >>> from crmkit.adapters.sql import SqlStore
            >>> with SqlStore("sqlite://").unit_of_work() as uow:
            ...     uow.begin_write()
            ...     uow.accounts.count()
            0
        """
        conn = self.connection
        if self._writing:
            return
        if self._store.dialect == "sqlite":
            if conn.in_transaction():
                conn.commit()
            conn.info[_WRITE_INTENT] = True
        self._writing = True

    @property
    def actor(self) -> str | None:
        """Who this unit of work's changes are audited for (``None``: not given).

        Examples:
            >>> from crmkit.adapters.sql import SqlStore
            >>> SqlStore("sqlite://").unit_of_work(actor="u-1").actor
            'u-1'
        """
        return self._actor

    def audit_entries(self, aggregate: str, id: str) -> list[AuditEntry]:
        """The audit entries of one record, oldest first, this transaction's own included
        (see :func:`crmkit.adapters.audit.audit_trail`).

        Examples:
            >>> from crmkit.adapters.sql import SqlStore
            >>> SqlStore("sqlite://").unit_of_work().audit_entries("accounts", "a-1")
            []
        """
        sa_ = self._store._sa
        t = self._store._metadata.tables[AUDIT_TABLE]
        rows = self.connection.execute(
            sa_.select(t).where(t.c.aggregate == aggregate, t.c.record_id == id).order_by(t.c.id)
        )
        return [
            AuditEntry(
                r.aggregate,
                r.record_id,
                r.version,
                r.action,
                r.field,
                r.old_value,
                r.new_value,
                r.actor,
                _aware(r.at),
            )
            for r in rows
        ]

    def redact_history(self, aggregate: str, id: str, redact: Callable[[Any], Any]) -> int:
        """Replace every old and new value ``v`` in the audit trail of one record by
        ``redact(v)``, in this transaction (the
        :class:`~crmkit.adapters.privacy.HistoryRedaction` hook of GDPR erasure); returns how
        many values changed.

        Examples:
            >>> from crmkit.adapters.sql import SqlStore
            >>> SqlStore("sqlite://").unit_of_work().redact_history("contacts", "c", str)
            0
        """
        sa_ = self._store._sa
        t = self._store._metadata.tables[AUDIT_TABLE]
        rows = self.connection.execute(
            sa_.select(t.c.id, t.c.old_value, t.c.new_value).where(
                t.c.aggregate == aggregate, t.c.record_id == id
            )
        ).all()
        changed = 0
        for row in rows:
            old, new = redact(row.old_value), redact(row.new_value)
            count = (old != row.old_value) + (new != row.new_value)
            if count:
                self.begin_write()
                self.connection.execute(
                    t.update().where(t.c.id == row.id).values(old_value=old, new_value=new)
                )
                changed += count
        return changed

    def _audit_write(self, entries: list[AuditEntry]) -> None:
        """Insert audit entries on this unit of work's connection (its transaction)."""
        if entries:
            t = self._store._metadata.tables[AUDIT_TABLE]
            self.connection.execute(
                t.insert(),
                [
                    {
                        "aggregate": e.aggregate,
                        "record_id": e.record_id,
                        "version": e.version,
                        "action": e.action,
                        "field": e.field,
                        "old_value": e.old,
                        "new_value": e.new,
                        "actor": e.actor,
                        "at": e.at,
                    }
                    for e in entries
                ],
            )

    def _end_transaction(self) -> None:
        self._writing = False
        if self._conn is not None and not self._conn.invalidated:
            self._conn.info.pop(_WRITE_INTENT, None)

    def repository(self, aggregate: type[Any] | str) -> SqlRepository[Any]:
        """The repository of an entity class or plural name.

        Examples:
            >>> from crmkit.adapters.sql import SqlStore
            >>> SqlStore("sqlite://").unit_of_work().repository("leads").aggregate
            'leads'
        """
        agg = aggregate_for(aggregate)
        repo = self._repositories.get(agg.name)
        if repo is None:
            repo = SqlRepository(self, agg, self._store.table(agg.name), self._store.dialect)
            self._repositories[agg.name] = repo
        return repo

    def commit(self) -> None:
        """Commit the transaction; the next statement starts a new one.

        Examples:
            >>> from crmkit.adapters.sql import SqlStore
            >>> SqlStore("sqlite://").unit_of_work().commit()
        """
        self.state.check_open()
        try:
            if self._conn is not None:
                self._conn.commit()
        except BaseException:
            self._discard()
            raise
        finally:
            self._end_transaction()
        self.state.committed()

    def _discard(self) -> None:
        try:
            if self._conn is not None and self._conn.in_transaction():
                self._conn.rollback()
        finally:
            self.state.rolled_back()

    def rollback(self) -> None:
        """Roll the transaction back.

        Examples:
            >>> from crmkit.adapters.sql import SqlStore
            >>> SqlStore("sqlite://").unit_of_work().rollback()
        """
        self.state.check_open()
        try:
            self._discard()
        finally:
            self._end_transaction()

    def close(self) -> None:
        """Roll back anything uncommitted and return the connection to the pool.

        Examples:
            >>> from crmkit.adapters.sql import SqlStore
            >>> SqlStore("sqlite://").unit_of_work().close()
        """
        if self._conn is not None:
            try:
                if self._conn.in_transaction():
                    self.state.rolled_back()
                self._end_transaction()
                self._conn.close()
            finally:
                self._conn = None
        self.state.close()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.state.closed:  # closed inside the block: already rolled back
            return
        super().__exit__(exc_type, exc, tb)

    def _end(self) -> None:
        self.close()


def _is_foreign_key(error: Exception) -> bool:
    """Whether a database error is a foreign-key violation (SQLite or PostgreSQL)."""
    orig = getattr(error, "orig", error)
    return "foreign key" in str(orig).lower() or getattr(orig, "sqlstate", None) == "23503"


def _aware(value: Any) -> Any:
    if isinstance(value, datetime) and value.utcoffset() is None:
        return value.replace(tzinfo=UTC)  # SQLite keeps UTC timestamps without an offset
    return value


def _to_frame(data: dict[str, list[Any]], backend: str) -> Any:
    if backend == "pandas":
        pd = require("pandas", "frames")
        return pd.DataFrame(data)
    pl = require("polars", "frames")
    return pl.DataFrame(data, strict=False)


def _from_arrow(table: Any, backend: str) -> Any:
    if backend == "pyarrow":
        return table
    if backend == "pandas":
        require("pandas", "frames")
        return table.to_pandas()
    if backend == "polars":
        pl = require("polars", "frames")
        return pl.from_arrow(table)
    duckdb = require("duckdb", "frames")
    return duckdb.connect().from_arrow(table)


def _arrow_type(pa: Any, column_type: Any) -> Any:
    """The Arrow type a column of ``column_type`` becomes in a frame (amounts as floats,
    timestamps as UTC microseconds)."""
    kind = type(column_type).__name__
    types = {
        "Integer": pa.int64(),
        "BigInteger": pa.int64(),
        "Float": pa.float64(),
        "Numeric": pa.float64(),
        "Boolean": pa.bool_(),
        "Date": pa.date32(),
        "DateTime": pa.timestamp("us", tz="UTC"),
    }
    return types.get(kind, pa.string())


def _sqlite_array(pa: Any, values: list[Any], arrow_type: Any) -> Any:
    """One column of SQLite values as an Arrow array of ``arrow_type``: timestamps and dates
    are stored as ISO text and booleans as 0/1, so Arrow parses or casts them."""
    if pa.types.is_timestamp(arrow_type):
        return pa.array(values, pa.string()).cast(pa.timestamp("us")).cast(arrow_type)
    if pa.types.is_date(arrow_type):
        return pa.array(values, pa.string()).cast(arrow_type)
    if pa.types.is_boolean(arrow_type):
        return pa.array(values, pa.int64()).cast(arrow_type)
    return pa.array(values, arrow_type)


def _postgres_arrow(
    pa: Any, driver: Any, table: Any, columns: list[tuple[Any, str]], types: dict[str, Any]
) -> Any:
    """Stream the view columns of ``table`` out of PostgreSQL as CSV into a ``pyarrow.Table``.

    Timestamps leave the server as integer microseconds since the epoch, amounts as float8
    and dates as ISO text, so the CSV does not depend on the session's time zone or date
    style.
    """
    from pyarrow import csv

    selected = []
    read_types = {}
    for column, shown in columns:
        name = f'"{column.name}"'
        arrow_type = types[shown]
        read_types[shown] = arrow_type
        if pa.types.is_timestamp(arrow_type):
            name = f"(extract(epoch FROM {name}) * 1000000)::bigint"
            read_types[shown] = pa.int64()
        elif pa.types.is_date(arrow_type):
            name = f"to_char({name}, 'YYYY-MM-DD')"
        elif pa.types.is_floating(arrow_type):
            name = f"{name}::float8"
        selected.append(name)
    query = f'SELECT {", ".join(selected)} FROM "{table.name}" ORDER BY id'
    buffer = io.BytesIO()
    statement = f"COPY ({query}) TO STDOUT (FORMAT csv)"
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for chunk in copy:
            buffer.write(chunk)
    buffer.seek(0)
    names = [shown for _, shown in columns]
    read = csv.read_csv(
        buffer,
        read_options=csv.ReadOptions(column_names=names),
        convert_options=csv.ConvertOptions(
            column_types=read_types,
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
            true_values=["t"],
            false_values=["f"],
        ),
    )
    arrays = [
        read.column(shown).cast(types[shown])
        if pa.types.is_timestamp(types[shown])
        else read.column(shown)
        for shown in names
    ]
    return pa.Table.from_arrays(arrays, names=names)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class SqlRepository(AggregateRepository[E]):
    """One aggregate's table inside a :class:`SqlUnitOfWork`.

    Examples:
        >>> from crmkit.adapters.sql import SqlStore
        >>> from crmkit.domain import Account
        >>> with SqlStore("sqlite://").unit_of_work() as uow:
        ...     acme = uow.accounts.add(Account(name="Acme"))
        ...     uow.accounts.get(acme.id) == acme
        True
    """

    def __init__(self, uow: SqlUnitOfWork, aggregate: Aggregate, table: sa.Table, dialect: str):
        super().__init__(aggregate)
        self._uow = uow
        self._table = table
        self._dialect = dialect
        self._sa = require("sqlalchemy", "sql")
        self._writer: RowWriter | None = None

    # helpers -----------------------------------------------------------------------------

    def _conn(self) -> sa.Connection:
        return self._uow.connection

    def _row(self, entity: Any, version: int) -> dict[str, Any]:
        return entity_row(self._agg, entity, version)

    def _load(self, document: str) -> E:
        entity: E = load_entity(self._agg, document)
        return entity

    def _row_writer(self) -> RowWriter:
        """This repository's :class:`~crmkit.adapters.sql.rows.RowWriter` (made on first use)."""
        writer = self._writer
        if writer is None:
            writer = self._writer = RowWriter(self._agg, self._table, self._dialect)
        return writer

    def _insert(self, entities: list[Any], version: int) -> None:
        """Insert new entities at ``version`` with one prepared statement through the driver.

        Each entity becomes the driver's parameter tuple in one generated pass
        (:class:`~crmkit.adapters.sql.rows.RowWriter`: in-place changes checked, serialised
        once, typed columns computed). SQLite gets one ``executemany`` (through SQLAlchemy, so
        its errors are translated); PostgreSQL one ``COPY … FROM STDIN`` on the unit of work's
        connection, inside its transaction. A broken constraint raises SQLAlchemy's
        ``IntegrityError`` either way.
        """
        if not entities:
            return
        insert = self._row_writer()
        values = insert.rows(entities, version)
        if self._dialect == "sqlite":
            self._conn().exec_driver_sql(insert.statement, values)
            return
        psycopg = require("psycopg", "postgres")
        driver: Any = self._conn().connection.driver_connection
        try:
            with driver.cursor() as cursor, cursor.copy(insert.statement) as copy:
                for row in values:
                    copy.write_row(row)
        except psycopg.IntegrityError as error:
            raise self._sa.exc.IntegrityError(insert.statement, None, error) from None
        except psycopg.Error as error:
            raise StoreError(
                f"{self._uow.where} failed: {error}. Check that the server is running and "
                "that the URL and rights are right"
            ) from error

    def _stored_version(self, id: str) -> int | None:
        t = self._table
        version: int | None = (
            self._conn().execute(self._sa.select(t.c.version).where(t.c.id == id)).scalar()
        )
        return version

    def _remote_owner(self, remote_id: str) -> str | None:
        t = self._table
        owner: str | None = (
            self._conn().execute(self._sa.select(t.c.id).where(t.c.remote_id == remote_id)).scalar()
        )
        return owner

    def _parent_of(self, id: str) -> str | None:
        t = self._table
        row = self._conn().execute(self._sa.select(t.c[PARENT_COLUMN]).where(t.c.id == id)).first()
        if row is None:
            raise not_found("accounts", id)
        parent: str | None = row[0]
        return parent

    def _audit(self, id: str, version: int | None, old: str | None, new: str | None) -> None:
        self._uow._audit_write(self._audit_entries(id, version, old, new))

    def _audit_entries(
        self, id: str, version: int | None, old: str | None, new: str | None
    ) -> list[AuditEntry]:
        """The audit entries of one write of ``id`` (see :func:`audit_entries`)."""
        return audit_entries(
            self._agg.name, id, version, old, new, actor=self._uow.actor, at=datetime.now(UTC)
        )

    def _integrity(self, error: Exception, batch: list[Any] | None = None) -> Exception:
        if _is_foreign_key(error) and batch:
            return self._dangling(batch, error)
        return ConflictError(f"{self._agg.name}: a concurrent writer stored the same key ({error})")

    def _dangling(self, batch: list[Any], error: Exception) -> Exception:
        """Name the account that entities of ``batch`` refer to but that is not stored (runs
        only after a foreign key refused a statement)."""
        wanted = {e.account_id for e in batch if getattr(e, "account_id", None) is not None}
        accounts = self._table.metadata.tables[table_name("accounts")]
        found = set(
            self._conn()
            .execute(self._sa.select(accounts.c.id).where(accounts.c.id.in_(wanted)))
            .scalars()
        )
        missing = sorted(wanted - found)
        if not missing:
            return ConflictError(f"{self._agg.name}: a foreign key was violated ({error})")
        return ValidationError.single(
            f"{self._agg.name}.account_id",
            missing[0],
            "names no stored account; add the account first (a foreign key to accounts)",
        )

    def _restricted(self, id: str) -> ConflictError:
        """The error for deleting an account that rows with a ``RESTRICT`` policy still name."""
        sa_ = self._sa
        tables = self._table.metadata.tables
        holders = []
        for name, policy in DELETE_POLICY.items():
            if policy != "RESTRICT":
                continue
            child = tables[table_name(name)]
            hit = self._conn().execute(
                sa_.select(child.c.id).where(child.c.account_id == id).limit(1)
            )
            if hit.first() is not None:
                holders.append(name)
        named = " and ".join(holders) or "rows"
        return ConflictError(
            f"{self._label} {id!r} still has {named} (delete policy RESTRICT); delete or "
            "move them first"
        )

    def _insert_failure(self, batch: list[Any], error: Exception) -> Exception:
        """Say why inserting ``batch`` broke a constraint (only runs when it did)."""
        sa_ = self._sa
        t = self._table
        if _is_foreign_key(error):
            return self._dangling(batch, error)
        ids = [e.id for e in batch]
        if len(set(ids)) != len(ids):
            return ConflictError(f"{self._label} ids repeat within one add_many batch")
        taken = self._conn().execute(sa_.select(t.c.id).where(t.c.id.in_(ids))).scalars().first()
        if taken is not None:
            return self._already_exists(taken)
        remotes = [e.remote_id for e in batch if e.remote_id is not None]
        if len(set(remotes)) != len(remotes):
            return ConflictError(f"{self._label} remote ids repeat within one batch")
        if remotes:
            clash = (
                self._conn()
                .execute(sa_.select(t.c.remote_id, t.c.id).where(t.c.remote_id.in_(remotes)))
                .first()
            )
            if clash is not None:
                return remote_taken(self._label, clash[0], clash[1])
        return self._integrity(error)

    def _where(self, query: Query | None) -> list[Any]:
        q = self._agg.check(query)
        t = self._table
        clauses: list[Any] = []
        for key in (*FILTERS, "remote_id"):
            value = getattr(q, key)
            if value is not None:
                clauses.append(t.c[key] == value)
        if q.updated_since is not None:
            clauses.append(t.c.updated_us >= micros(q.updated_since))
        if q.name is not None:
            clauses.append(t.c.name.like(f"%{_escape_like(q.name.lower())}%", escape="\\"))
        for key, value in q.custom:
            clauses.append(self._custom_clause(key, value))
        return clauses

    def _custom_clause(self, key: str, value: Any) -> Any:
        sa_ = self._sa
        t = self._table
        if self._dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB

            return t.c.custom.op("@>")(sa_.cast(sa_.literal(json.dumps({key: value})), JSONB))
        if '"' in key or "\\" in key:
            raise ValidationError.single("query.custom", key, "must not contain quotes")
        path = f'$."{key}"'
        kind = sa_.func.json_type(t.c.custom, path)
        if value is None:
            return kind == "null"
        if isinstance(value, bool):
            return kind == ("true" if value else "false")
        if isinstance(value, str):
            return sa_.and_(kind == "text", sa_.func.json_extract(t.c.custom, path) == value)
        if isinstance(value, int | float):
            return sa_.and_(
                kind.in_(("integer", "real")), sa_.func.json_extract(t.c.custom, path) == value
            )
        raise ValidationError.single(
            f"query.custom.{key}", value, "must be a string, number, boolean or null"
        )

    # Repository API ----------------------------------------------------------------------

    def get(self, id: str) -> E:
        """The entity with ``id`` (NotFoundError when none).

        Entities are read back from their stored documents with
        :func:`~crmkit.adapters.sql.rows.load_entity` (here and in ``find``, ``iter_all`` and
        the lookups): every value is checked once, cheaply; a document edited by hand that
        breaks a rule raises the ValidationError naming the field.

        Examples:
            >>> from crmkit.adapters.sql import SqlStore
            >>> SqlStore("sqlite://").unit_of_work().accounts.get("x")
            Traceback (most recent call last):
            ...
            crmkit.errors.NotFoundError: accounts has no entity with id 'x'
        """
        t = self._table
        document = self._conn().execute(self._sa.select(t.c.document).where(t.c.id == id)).scalar()
        if document is None:
            raise not_found(self._agg.name, id)
        return self._load(document)

    def find_by_remote_id(self, remote_id: str) -> E | None:
        """The entity with this remote id, or ``None``.

        Examples:
            >>> from crmkit.adapters.sql import SqlStore
            >>> SqlStore("sqlite://").unit_of_work().accounts.find_by_remote_id("r") is None
            True
        """
        t = self._table
        document = (
            self._conn()
            .execute(self._sa.select(t.c.document).where(t.c.remote_id == remote_id))
            .scalar()
        )
        return None if document is None else self._load(document)

    def lookup(self, kind: LookupKind, value: str) -> list[E]:
        """Entities whose e-mail, organisation number or domain equals ``value`` normalised,
        read through the indexed typed column (see :meth:`RepositoryQueries.lookup`).

        Examples:
            >>> from crmkit.adapters.sql import SqlStore
            >>> from crmkit.domain import Contact
            >>> with SqlStore("sqlite://").unit_of_work() as uow:
            ...     _ = uow.contacts.add(Contact("Anna", "Berg", email="anna@acme.se"))
            ...     [c.last_name for c in uow.contacts.find_by_email("ANNA@acme.se")]
            ['Berg']
        """
        target = lookup_target(self._agg.name, kind, value)
        t = self._table
        statement = (
            self._sa.select(t.c.document).where(t.c[target.column] == target.value).order_by(t.c.id)
        )
        return load_entities(self._agg, self._conn().execute(statement).scalars().all())

    def add(self, entity: E) -> E:
        """Store a new entity at version 1.

        Examples:
            >>> from crmkit.adapters.sql import SqlStore
            >>> from crmkit.domain import Account
            >>> SqlStore("sqlite://").unit_of_work().accounts.add(Account(name="A")).version
            1
        """
        self.add_many([entity])
        return entity

    def add_many(self, entities: Iterable[E]) -> int:
        """Store many new entities with batched inserts, all or none; returns how many.

        Each entity becomes its row in one generated pass and is serialised once
        (:mod:`crmkit.adapters.sql.rows`): the fields that can change without a validator
        running (dicts, lists and other mutable values, changed in place) are validated again,
        as :meth:`~crmkit.domain.AggregateRoot.revalidate` would, and refused with the same
        error; fields assigned since construction were validated when set. The caller's
        entities are not changed to build the rows (only ``version`` is set to 1 afterwards).
        The database's constraints (primary key, unique remote id) detect clashes, and only
        then does the store look up which entity clashed to name it.

        Examples:
            >>> from crmkit.adapters.sql import SqlStore
            >>> from crmkit.domain import Account
            >>> uow = SqlStore("sqlite://").unit_of_work()
            >>> uow.accounts.add_many(Account(name=str(i)) for i in range(3))
            3
        """
        sa_ = self._sa
        self._uow.begin_write()
        conn = self._conn()
        stored: list[Any] = []
        batch: list[Any] = []
        try:
            with conn.begin_nested():
                for batch in _batches(entities, BATCH_SIZE):
                    self._check_parents(batch)
                    self._insert(batch, 1)
                    stored.extend(batch)
        except sa_.exc.IntegrityError as error:
            raise self._insert_failure(batch, error) from None
        for entity in stored:
            self._uow.state.touch(entity)
            entity.version = 1
        return len(stored)

    def save(self, entity: E) -> E:
        """Store changes from the entity's current version (``UPDATE … WHERE version = …``).

        Examples:
            >>> from crmkit.adapters.sql import SqlStore
            >>> from crmkit.domain import Account
            >>> with SqlStore("sqlite://").unit_of_work() as uow:
            ...     a = uow.accounts.add(Account(name="A"))
            ...     stale = uow.accounts.get(a.id)
            ...     _ = uow.accounts.save(a)
            ...     uow.accounts.save(stale)
            Traceback (most recent call last):
            ...
            crmkit.errors.ConflictError: Account '...' was saved from version 1 but the stored version is 2; reload it and apply the change again
        """
        sa_ = self._sa
        ent: Any = entity
        t = self._table
        self._uow.begin_write()
        self._check_remote(ent)
        self._check_parents([ent])
        self._uow.state.touch(ent)
        with self._stamped(ent):
            row = self._row(ent, ent.version + 1)
            del row["id"]
            old = (
                self._conn()
                .execute(
                    sa_.select(t.c.document).where(t.c.id == ent.id, t.c.version == ent.version)
                )
                .scalar()
            )
            try:
                with self._conn().begin_nested():
                    result = self._conn().execute(
                        t.update().where(t.c.id == ent.id, t.c.version == ent.version).values(row)
                    )
                    if result.rowcount == 1:
                        self._audit(ent.id, ent.version + 1, old, row["document"])
            except sa_.exc.IntegrityError as error:
                raise self._integrity(error, [ent]) from None
            if result.rowcount != 1:
                raise self._stale(ent.id, ent.version, self._stored_version(ent.id))
        ent.version += 1
        return entity

    def upsert_many(self, entities: Iterable[E], *, key: UpsertKey = "id") -> UpsertResult:
        """Insert or replace many entities in batches, matching on ``key`` (see the port).

        Examples:
            >>> from crmkit.adapters.sql import SqlStore
            >>> from crmkit.domain import Account
            >>> uow = SqlStore("sqlite://").unit_of_work()
            >>> a = Account(name="A")
            >>> uow.accounts.upsert_many([a]), uow.accounts.upsert_many([a])
            (UpsertResult(inserted=1, updated=0), UpsertResult(inserted=0, updated=1))
        """
        self._check_upsert_key(key)
        self._uow.begin_write()
        inserted = updated = 0
        for batch in _batches(entities, BATCH_SIZE, key=key):
            i, u = self._upsert_batch(batch, key)
            inserted += i
            updated += u
        return UpsertResult(inserted=inserted, updated=updated)

    def _upsert_batch(self, batch: list[Any], key: UpsertKey) -> tuple[int, int]:
        """Write one batch: one read of the stored rows (the audit log records each changed
        field, so it needs the old documents; the other columns say which ones to set), then
        each changed row with an ``UPDATE`` of the columns whose value changed ``WHERE id = …
        AND version = …`` (one ``executemany`` per set of columns; a row changed or deleted
        since the read updates nothing: a conflict) and the new rows with :meth:`_insert` (the
        primary key refuses one stored since the read). Rows come from the generated
        :class:`~crmkit.adapters.sql.rows.RowWriter`; a taken remote id is found by its unique
        constraint and named only then."""
        sa_ = self._sa
        t = self._table
        conn = self._conn()
        writer = self._row_writer()
        # the stored rows as the driver reads them (no SQLAlchemy result processing)
        raw = [sa_.literal_column(f'"{name}"') for name in writer.names]
        where = t.c.id if key == "id" else t.c.remote_id
        if key == "remote_id":
            for entity in batch:
                self._require_remote_id(entity)
        found = conn.execute(
            sa_.select(*raw).select_from(t).where(where.in_([getattr(e, key) for e in batch]))
        ).all()
        at, version_at = writer.names.index("id"), writer.names.index("version")
        stored = {row[at]: row for row in found}
        if key == "remote_id":
            remote_at = writer.names.index("remote_id")
            by_remote = {row[remote_at]: row[at] for row in found}
            for entity in batch:
                self._uow.state.touch(entity)
                if entity.remote_id in by_remote:
                    entity.id = by_remote[entity.remote_id]
        versions = {id: row[version_at] for id, row in stored.items()}
        ids = [e.id for e in batch]
        if len(set(ids)) != len(ids):
            raise ConflictError(f"{self._label} ids repeat within one upsert batch")
        self._check_parents(batch)
        new = [e for e in batch if e.id not in versions]
        changed = [e for e in batch if e.id in versions]
        updates, documents = writer.updates(
            changed, [versions[e.id] + 1 for e in changed], [stored[e.id] for e in changed]
        )
        try:
            with conn.begin_nested():
                for statement, params in updates:
                    result = conn.exec_driver_sql(statement, params)
                    if result.rowcount not in (-1, len(params)):
                        raise ConflictError(
                            f"{self._label}: another writer changed rows of this upsert batch"
                        )
                if changed:
                    document_at = writer.document_at
                    entries: list[AuditEntry] = []
                    for entity, document in zip(changed, documents, strict=True):
                        old = stored[entity.id][document_at]
                        version = versions[entity.id] + 1
                        entries += self._audit_entries(entity.id, version, old, document)
                    self._uow._audit_write(entries)  # one executemany for the batch
                self._insert(new, 1)
        except sa_.exc.IntegrityError as error:
            raise self._upsert_failure(batch, error) from None
        for entity in batch:
            self._uow.state.touch(entity)
            entity.version = versions[entity.id] + 1 if entity.id in versions else 1
        return len(new), len(changed)

    def _upsert_failure(self, batch: list[Any], error: Exception) -> Exception:
        """Say why writing an upsert ``batch`` broke a constraint (only runs when it did): a
        remote id stored on another entity, an account that is not stored, or a concurrent
        writer."""
        sa_ = self._sa
        t = self._table
        remotes = [e.remote_id for e in batch if e.remote_id is not None]
        if remotes and not _is_foreign_key(error):
            clash = (
                self._conn()
                .execute(
                    sa_.select(t.c.remote_id, t.c.id).where(
                        t.c.remote_id.in_(remotes), t.c.id.not_in([e.id for e in batch])
                    )
                )
                .first()
            )
            if clash is not None:
                return remote_taken(self._label, clash[0], clash[1])
        return self._integrity(error, batch)

    def delete(self, id: str, *, version: int | None = None) -> None:
        """Remove the entity with ``id`` (optionally only at ``version``).

        Examples:
            >>> from crmkit.adapters.sql import SqlStore
            >>> SqlStore("sqlite://").unit_of_work().accounts.delete("x")
            Traceback (most recent call last):
            ...
            crmkit.errors.NotFoundError: accounts has no entity with id 'x'
        """
        t = self._table
        self._uow.begin_write()
        if self._agg.name == "accounts":
            children = self._conn().execute(self._sa.select(t.c.id).where(t.c[PARENT_COLUMN] == id))
            detach_children(self, list(children.scalars()))
        statement = t.delete().where(t.c.id == id)
        if version is not None:
            statement = statement.where(t.c.version == version)
        try:
            with self._conn().begin_nested():
                result = self._conn().execute(statement)
        except self._sa.exc.IntegrityError as error:
            if _is_foreign_key(error):
                raise self._restricted(id) from None
            raise self._integrity(error) from None
        if result.rowcount == 1:
            self._audit(id, version, None, None)
        if result.rowcount != 1:
            stored = self._stored_version(id)
            raise self._stale(id, version if version is not None else -1, stored)

    def find(
        self,
        query: Query | None = None,
        *,
        limit: int = DEFAULT_PAGE_SIZE,
        cursor: str | None = None,
    ) -> Page[E]:
        """One page of matching entities in ``id`` order (keyset paging on the primary key).

        Examples:
            >>> from crmkit.adapters.sql import SqlStore
            >>> SqlStore("sqlite://").unit_of_work().accounts.find().items
            []
        """
        documents = self._page(query, limit, cursor)
        return Page(
            items=load_entities(self._agg, documents.items), next_cursor=documents.next_cursor
        )

    def iter_all(self, query: Query | None = None, *, batch: int = 500) -> Iterator[E]:
        """Every entity matching ``query``, page by page (bounded memory), in ``id`` order.

        Each page's documents are read with one keyset query, as :meth:`find` reads them, and
        each entity is built when it is asked for
        (:func:`~crmkit.adapters.sql.rows.iter_entities`): a caller that drops the entities it
        has seen keeps none of the page alive. A stored document that breaks a rule raises the
        error :meth:`get` raises for it when its turn comes.

        Examples:
            >>> from crmkit.adapters.sql import SqlStore
            >>> from crmkit.domain import Account
            >>> with SqlStore("sqlite://").unit_of_work() as uow:
            ...     _ = uow.accounts.add_many(Account(name=str(i)) for i in range(7))
            ...     len(list(uow.accounts.iter_all(batch=3)))
            7
        """
        cursor: str | None = None
        while True:
            documents = self._page(query, batch, cursor)
            yield from iter_entities(self._agg, documents.items)
            if documents.next_cursor is None:
                return
            cursor = documents.next_cursor

    def _page(self, query: Query | None, limit: int, cursor: str | None) -> Page[str]:
        """The page of stored documents of the matching entities after ``cursor``, in ``id``
        order (:meth:`Page.of_rows`: its cursor is ``None`` after the last page)."""
        check_limit(limit)
        t = self._table
        clauses = self._where(query)
        if cursor is not None:
            clauses.append(t.c.id > cursor)
        statement = (
            self._sa.select(t.c.id, t.c.document).where(*clauses).order_by(t.c.id).limit(limit + 1)
        )
        rows = self._conn().execute(statement).all()
        return Page.of_rows(rows, limit, lambda document: document)

    def count(self, query: Query | None = None) -> int:
        """How many entities match ``query``.

        Examples:
            >>> from crmkit.adapters.sql import SqlStore
            >>> SqlStore("sqlite://").unit_of_work().accounts.count()
            0
        """
        sa_ = self._sa
        statement = sa_.select(sa_.func.count()).select_from(self._table).where(*self._where(query))
        return int(self._conn().execute(statement).scalar_one())


def _batches(items: Iterable[Any], size: int, *, key: str = "id") -> Iterator[list[Any]]:
    batch: list[Any] = []
    seen: set[Any] = set()
    for item in items:
        mark = getattr(item, key)
        if len(batch) >= size or (mark is not None and mark in seen):
            yield batch
            batch, seen = [], set()
        batch.append(item)
        if mark is not None:
            seen.add(mark)
    if batch:
        yield batch


def open_sql_store(url: str, **options: Any) -> SqlStore:
    """The ``sqlite`` and ``postgresql`` adapters' factory.

    Examples:
        >>> from crmkit.adapters.sql import open_sql_store
        >>> open_sql_store("sqlite://").dialect
        'sqlite'
    """
    return SqlStore(url, **options)
