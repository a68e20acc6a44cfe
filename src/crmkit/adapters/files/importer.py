"""Importing files into a store: validate every row, report every reject, never half an import
by accident.

:func:`import_csv` and :func:`import_jsonl` stream the file row by row. Each row is decoded by
a :class:`~crmkit.adapters.files.codec.RecordCodec` (crmkit's own layout by default, or a
HubSpot / Salesforce codec); a row that fails becomes one
:class:`~crmkit.adapters.files.rejects.Reject` per problem (line, field, value, reason),
written to the rejects file as it is found. Accepted rows are written in chunks with
:meth:`~crmkit.adapters.ports.Repository.upsert_many` — on ``remote_id`` when the row has one,
else on ``id`` — so re-running an import updates instead of duplicating every row that has a
key: a remote id, an ``id`` given in the file, or the ``natural_key=`` you name (an e-mail
address, an organisation number). A row with none of them is new each time; the report
counts such rows in ``unkeyed``.

One hostile row never stops an import: whatever its codec raises for it (a value error, a
number out of range, nesting too deep) becomes a reject with its line. A file that cannot be
read as a whole — another encoding, a header naming a column twice or columns the codec does
not know — raises :class:`~crmkit.errors.ValidationError` before any row is imported. The
rejects file is written atomically and never over the input
(:mod:`crmkit.adapters.files.output`).

What happens to accepted rows is the caller's choice, :class:`ImportPolicy`:

* ``ALL_OR_NOTHING`` (default) — one transaction; if any row is rejected nothing is stored
  and :class:`ImportRolledBackError` (an :class:`~crmkit.errors.ImportRejectedError`) is
  raised carrying the full :class:`ImportReport`.
* ``KEEP_ACCEPTED`` — one transaction; every accepted row is committed at the end, rejected
  rows are reported. An error that stops the import (a crash, a store failure) stores nothing.
* ``BATCHED`` — every ``batch_size`` accepted rows are committed as they go. Memory and the
  store's transaction stay small for huge files, but an import that stops half-way leaves
  the batches committed so far (each batch is all-or-nothing). Re-running the import is
  safe: it is idempotent on remote id.

Memory: the importer holds one chunk of ``batch_size`` entities and at most
``max_rejects_kept`` rejects (the rejects file holds all); it reads the file as a stream.
With the SQL store the transaction's rows live in the database, so a file larger than
memory imports in bounded memory under any policy; the in-memory store of course keeps
every imported entity.

Examples:
    >>> import pathlib, tempfile
    >>> from crmkit.adapters import open_store
    >>> from crmkit.adapters.files import ImportPolicy, import_csv
    >>> from crmkit.domain import Account
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "accounts.csv").write_text(
    ...     "name,remote_id,employees\\nAcme AB,hs-1,40\\nNordic Steel,hs-2,many\\n",
    ...     encoding="utf-8")
    >>> store = open_store("memory://")
    >>> report = import_csv(store, folder / "accounts.csv", Account,
    ...                     policy=ImportPolicy.KEEP_ACCEPTED,
    ...                     rejects_path=folder / "rejects.csv")
    >>> report.accepted, report.rejected, report.created
    (1, 1, 1)
    >>> print(report.rejects[0])
    line 3: employees: 'many' is not a whole number
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Generic, TypeVar

import attrs

from crmkit.adapters.files.codec import CrmkitCsvCodec, CrmkitJsonCodec, RecordCodec
from crmkit.adapters.files.output import atomic_output
from crmkit.adapters.files.rejects import Reject, RejectsWriter
from crmkit.adapters.files.source import (
    SourceRow,
    TextLines,
    check_encoding,
    csv_header,
    read_csv,
    read_jsonl,
)
from crmkit.errors import ImportRolledBackError, Problem, ValidationError

if TYPE_CHECKING:
    from crmkit.adapters.ports import RepositoryQueries, Store, UnitOfWork

__all__ = [
    "NATURAL_KEYS",
    "ImportPolicy",
    "ImportProgress",
    "ImportReport",
    "ImportRolledBackError",
    "Importer",
    "StoreReferences",
    "import_csv",
    "import_jsonl",
]

E = TypeVar("E")

#: Natural keys that suit each aggregate, for ``natural_key=`` (none is applied unless you
#: pass it: two contacts may share an office e-mail address, and only you know your data).
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "accounts": ("organisation_number",),
    "contacts": ("email",),
    "leads": ("email",),
    "products": ("sku",),
}


class ImportPolicy(enum.Enum):
    """What an import does with accepted rows when some rows are rejected.

    Examples:
        >>> from crmkit.adapters.files import ImportPolicy
        >>> ImportPolicy("keep_accepted") is ImportPolicy.KEEP_ACCEPTED
        True
    """

    ALL_OR_NOTHING = "all_or_nothing"
    KEEP_ACCEPTED = "keep_accepted"
    BATCHED = "batched"


@attrs.frozen
class ImportProgress:
    """A progress snapshot passed to the ``progress`` callback.

    Args:
        rows: rows read so far.
        accepted: rows that passed validation.
        rejected: rows rejected.
        committed: rows durably committed so far (grows batch by batch only in
            ``BATCHED`` mode; otherwise it jumps at the end).
        done: whether this is the final call.

    Examples:
        >>> from crmkit.adapters.files import ImportProgress
        >>> ImportProgress(rows=10, accepted=9, rejected=1, committed=0).done
        False
    """

    rows: int
    accepted: int
    rejected: int
    committed: int
    done: bool = False


@attrs.define
class ImportReport:
    """The result of an import.

    Args:
        source: the file imported.
        aggregate: the repository written (``"accounts"``).
        policy: the policy used.
        rows: data rows read.
        accepted: rows that passed validation.
        rejected: rows rejected (each with one reject per problem in ``rejects``).
        created: accepted rows stored as new entities.
        updated: accepted rows that replaced a stored entity (same remote id or id).
        committed: whether accepted rows were stored (``False`` after a rollback).
        rejects: the rejects, at most ``max_rejects_kept`` of them (the file holds all).
        rejects_truncated: whether ``rejects`` was cut short.
        rejects_path: where the rejects file was written, if anywhere.
        unkeyed: accepted rows that had no ``remote_id``, no ``id`` and no natural key
            value, so they were stored as new entities — importing the same file again
            creates them again (pass ``natural_key=`` to match them).

    Examples:
        >>> from crmkit.adapters.files import ImportPolicy, ImportReport
        >>> ImportReport("a.csv", "accounts", ImportPolicy.KEEP_ACCEPTED).ok
        True
    """

    source: str
    aggregate: str
    policy: ImportPolicy
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    created: int = 0
    updated: int = 0
    committed: bool = False
    rejects: list[Reject] = attrs.Factory(list)
    rejects_truncated: bool = False
    rejects_path: str | None = None
    unkeyed: int = 0

    @property
    def ok(self) -> bool:
        """Whether no row was rejected.

        Examples:
            >>> from crmkit.adapters.files import ImportPolicy, ImportReport
            >>> ImportReport("a.csv", "leads", ImportPolicy.BATCHED, rejected=2).ok
            False
        """
        return self.rejected == 0

    def reject_row(
        self,
        row: SourceRow,
        problems: Sequence[Problem],
        *,
        writer: RejectsWriter | None = None,
        max_kept: int = 1000,
    ) -> None:
        """Count ``row`` as rejected: one :class:`~crmkit.adapters.files.rejects.Reject` per
        problem, written to ``writer`` and kept in :attr:`rejects` up to ``max_kept``.

        Examples:
            >>> from crmkit.adapters.files import ImportPolicy, ImportReport
            >>> from crmkit.adapters.files.source import SourceRow
            >>> from crmkit.errors import Problem
            >>> report = ImportReport("a.csv", "accounts", ImportPolicy.KEEP_ACCEPTED)
            >>> report.reject_row(SourceRow(3, {"employees": "many"}),
            ...                   [Problem("employees", "many", "is not a whole number")])
            >>> report.rejected, str(report.rejects[0])
            (1, "line 3: employees: 'many' is not a whole number")
        """
        self.rejected += 1
        for problem in problems:
            value = problem.value if problem.has_value else None
            reject = Reject(row.line, problem.path, value, problem.message, row.raw)
            if writer is not None:
                writer.write(reject)
            if len(self.rejects) < max_kept:
                self.rejects.append(reject)
            else:
                self.rejects_truncated = True

    def summary(self) -> str:
        """One line for a log or a console.

        Examples:
            >>> from crmkit.adapters.files import ImportPolicy, ImportReport
            >>> ImportReport("a.csv", "accounts", ImportPolicy.KEEP_ACCEPTED, rows=3,
            ...              accepted=2, rejected=1, created=2, committed=True).summary()
            'a.csv → accounts: 3 rows, 2 accepted (2 created, 0 updated), 1 rejected, committed'
        """
        state = "committed" if self.committed else "rolled back"
        return (
            f"{self.source} → {self.aggregate}: {self.rows} rows, {self.accepted} accepted "
            f"({self.created} created, {self.updated} updated), {self.rejected} rejected, "
            f"{state}"
        )


class StoreReferences:
    """:class:`~crmkit.adapters.files.codec.References` looked up in a unit of work (cached).

    Examples:
        >>> from crmkit.adapters import open_store
        >>> from crmkit.adapters.files import StoreReferences
        >>> from crmkit.domain import Account
        >>> with open_store("memory://") as store, store.unit_of_work() as uow:
        ...     acme = uow.accounts.add(Account(name="Acme", remote_id="hs-9"))
        ...     refs = StoreReferences(uow)
        ...     refs.local_id("accounts", "hs-9") == acme.id, refs.remote_id("accounts", acme.id)
        (True, 'hs-9')
    """

    def __init__(self, uow: UnitOfWork, *, cache_size: int = 10_000) -> None:
        self._uow = uow
        self._cache_size = cache_size
        self._local: dict[tuple[str, str], str | None] = {}
        self._remote: dict[tuple[str, str], str | None] = {}

    def _remember(
        self, cache: dict[tuple[str, str], str | None], key: tuple[str, str], value: str | None
    ) -> str | None:
        if len(cache) >= self._cache_size:
            cache.pop(next(iter(cache)))
        cache[key] = value
        return value

    def local_id(self, aggregate: str, remote_id: str) -> str | None:
        """The crmkit id of the entity with ``remote_id``, or ``None``."""
        key = (aggregate, remote_id)
        if key in self._local:
            return self._local[key]
        found = self._uow.repository(aggregate).find_by_remote_id(remote_id)
        return self._remember(self._local, key, None if found is None else str(found.id))

    def remote_id(self, aggregate: str, local_id: str) -> str | None:
        """The remote id of the entity with crmkit id ``local_id``, or ``None``."""
        from crmkit.errors import NotFoundError

        key = (aggregate, local_id)
        if key in self._remote:
            return self._remote[key]
        try:
            entity = self._uow.repository(aggregate).get(local_id)
        except NotFoundError:
            return self._remember(self._remote, key, None)
        remote = getattr(entity, "remote_id", None)
        return self._remember(self._remote, key, None if remote is None else str(remote))


ProgressCallback = Callable[[ImportProgress], None]


class Importer(Generic[E]):
    """Runs one import of :class:`~crmkit.adapters.files.source.SourceRow` rows into a store.

    Prefer :func:`import_csv` / :func:`import_jsonl`; use this class to import rows from
    another source (a generator, an API page).

    Args:
        store: the store to write to.
        codec: decodes raw rows into entities.
        policy: see :class:`ImportPolicy`.
        batch_size: entities per ``upsert_many`` call (and per commit in ``BATCHED``).
        rejects: a text stream for the rejects CSV, or ``None``.
        progress: called every ``progress_every`` rows and once at the end.
        max_rejects_kept: how many rejects the report keeps in memory.
        natural_key: a field (or fields) that identify a record when a row has no ``id``
            and no ``remote_id`` — ``"email"`` for contacts, ``"organisation_number"`` for
            accounts (see :data:`NATURAL_KEYS`). A row whose key matches a stored entity
            (text compared without surrounding spaces and ignoring case) updates it instead
            of creating a new one; a key that matches several stored entities rejects the
            row. A row with a ``remote_id`` that no stored entity has also adopts a stored
            entity with the same key and no ``remote_id`` (the first import of a file
            without ids, then the vendor's export).

    Examples:
        >>> from crmkit.adapters import open_store
        >>> from crmkit.adapters.files import CrmkitJsonCodec, ImportPolicy, Importer
        >>> from crmkit.adapters.files.source import SourceRow
        >>> from crmkit.domain import Account
        >>> store = open_store("memory://")
        >>> rows = [SourceRow(1, {"name": "Acme", "remote_id": "x1"})]
        >>> Importer(store, CrmkitJsonCodec(Account)).run(rows, source="api").created
        1
    """

    def __init__(
        self,
        store: Store,
        codec: RecordCodec[E],
        *,
        policy: ImportPolicy = ImportPolicy.ALL_OR_NOTHING,
        batch_size: int = 500,
        rejects: IO[str] | None = None,
        progress: ProgressCallback | None = None,
        progress_every: int = 1000,
        max_rejects_kept: int = 1000,
        natural_key: str | Sequence[str] | None = None,
    ) -> None:
        if not isinstance(policy, ImportPolicy):
            raise ValidationError.single("policy", policy, "is not an ImportPolicy")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValidationError.single("batch_size", batch_size, "must be a whole number ≥ 1")
        if progress_every < 1:
            raise ValidationError.single("progress_every", progress_every, "must be ≥ 1")
        self.store = store
        self.codec = codec
        self.policy = policy
        self.batch_size = batch_size
        self._rejects = RejectsWriter(rejects) if rejects is not None else None
        self._progress = progress
        self._progress_every = progress_every
        self._max_rejects_kept = max_rejects_kept
        self.natural_key = _natural_key(natural_key, codec.record_type)

    def run(self, rows: Iterable[SourceRow], *, source: str) -> ImportReport:
        """Import ``rows``; returns the report (raises :class:`ImportRolledBackError` for a
        rejected ``ALL_OR_NOTHING`` import)."""
        with self.store.unit_of_work() as uow:
            repo: RepositoryQueries[E] = uow.repository(self.codec.record_type)
            report = ImportReport(source=source, aggregate=repo.aggregate, policy=self.policy)
            run = _Run(self, uow, repo, report)
            run.consume(rows)
            if self.policy is ImportPolicy.ALL_OR_NOTHING and report.rejected:
                uow.rollback()
                report.committed = False
                report.created = report.updated = 0
            else:
                run.flush()
                uow.commit()
                report.committed = True
                run.committed_rows = report.accepted
        run.tick(done=True)
        if self.policy is ImportPolicy.ALL_OR_NOTHING and report.rejected:
            raise ImportRolledBackError(report)
        return report


#: Errors a codec may raise on a hostile row (absurd numbers, deep nesting, odd types):
#: the row is rejected with the error's message instead of stopping the import.
_ROW_ERRORS = (ValueError, TypeError, ArithmeticError, RecursionError, LookupError)


def _unexpected(exc: BaseException) -> Problem:
    text = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    return Problem("", message=f"could not be read ({type(exc).__name__}: {text})")


def _natural_key(key: str | Sequence[str] | None, record_type: type[Any]) -> tuple[str, ...]:
    if key is None:
        return ()
    fields = (key,) if isinstance(key, str) else tuple(key)
    known = set(attrs.fields_dict(record_type)) if attrs.has(record_type) else set()
    problems = [
        Problem("natural_key", name, f"is not a field of {record_type.__name__}")
        for name in fields
        if not isinstance(name, str) or name not in known
    ]
    if not fields:
        problems.append(Problem("natural_key", key, "names no field"))
    if problems:
        raise ValidationError(problems)
    return fields


def _key_value(entity: Any, fields: tuple[str, ...]) -> tuple[str, ...] | None:
    """The normalised natural key of ``entity`` (``None`` if a part is empty)."""
    parts: list[str] = []
    for name in fields:
        value = getattr(entity, name, None)
        if value is None:
            return None
        text = str(getattr(value, "value", value)).strip().casefold()
        if not text:
            return None
        parts.append(text)
    return tuple(parts)


class _Run(Generic[E]):
    """The state of one import run."""

    def __init__(
        self,
        importer: Importer[E],
        uow: UnitOfWork,
        repo: RepositoryQueries[E],
        report: ImportReport,
    ) -> None:
        self.importer = importer
        self.uow = uow
        self.repo = repo
        self.report = report
        self.references = StoreReferences(uow)
        self.pending: list[tuple[E, str]] = []
        self.pending_keys: set[tuple[str, str]] = set()
        self.committed_rows = 0
        self.natural: dict[tuple[str, ...], tuple[str, str | None] | list[str]] = {}
        self._natural_loaded = False

    def consume(self, rows: Iterable[SourceRow]) -> None:
        importer = self.importer
        writing = True
        for row in rows:
            self.report.rows += 1
            problems = list(row.problems)
            entity: E | None = None
            if not problems:
                try:
                    entity = importer.codec.decode(row.raw, self.references)
                except ValidationError as exc:
                    problems = list(exc.problems)
                except _ROW_ERRORS as exc:  # a hostile row must not stop the import
                    problems = [_unexpected(exc)]
            key: tuple[str, str] | None = None
            if entity is not None and not problems:
                try:
                    key = self.match(entity, row)
                except ValidationError as exc:
                    problems = list(exc.problems)
            if problems or entity is None:
                self.reject(row, problems)
                if importer.policy is ImportPolicy.ALL_OR_NOTHING and writing:
                    # Nothing will be stored: stop writing, keep validating to report all.
                    writing = False
                    self.pending.clear()
                    self.pending_keys.clear()
            else:
                self.report.accepted += 1
                if writing:
                    self.add(entity, key)
            if self.report.rows % importer._progress_every == 0:
                self.tick()

    def reject(self, row: SourceRow, problems: list[Any]) -> None:
        if not problems:  # pragma: no cover - decode returned nothing without saying why
            problems = [ValidationError("could not be read").problems[0]]
        self.report.reject_row(
            row,
            problems,
            writer=self.importer._rejects,
            max_kept=self.importer._max_rejects_kept,
        )

    def match(self, entity: E, row: SourceRow) -> tuple[str, str]:
        """Choose how ``entity`` is matched with the store: ``("remote_id", r)`` or
        ``("id", i)``, applying the natural key (and counting unkeyed rows)."""
        remote = getattr(entity, "remote_id", None)
        given_id = str(row.raw.get("id") or "").strip() != ""
        fields = self.importer.natural_key
        value = _key_value(entity, fields) if fields else None
        if value is not None and not given_id:
            found = self.natural_index().get(value)
            if isinstance(found, list):
                raise ValidationError.single(
                    fields[0] if len(fields) == 1 else "natural_key",
                    value if len(fields) > 1 else getattr(entity, fields[0]),
                    f"matches {len(found)} stored {self.repo.aggregate} "
                    f"({', '.join(found[:3])}); crmkit cannot tell which one to update",
                )
            if found is None:
                self.natural[value] = (str(getattr(entity, "id", "")), remote)
            elif not remote or found[1] == remote:
                entity.id = found[0]  # type: ignore[attr-defined]
                if not remote and found[1]:
                    entity.remote_id = found[1]  # type: ignore[attr-defined]
                    return ("remote_id", found[1])
                if remote:
                    return ("remote_id", str(remote))
                return ("id", found[0])
            elif found[1] is None and self._remote_is_new(str(remote)):
                entity.id = found[0]  # type: ignore[attr-defined]
                self.natural[value] = (found[0], remote)
                return ("id", found[0])
        if remote:
            return ("remote_id", str(remote))
        if not given_id and value is None:
            self.report.unkeyed += 1
        return ("id", str(getattr(entity, "id", "")))

    def _remote_is_new(self, remote: str) -> bool:
        self.flush()  # a row earlier in this chunk may carry the same remote id
        return self.repo.find_by_remote_id(remote) is None

    def natural_index(self) -> dict[tuple[str, ...], tuple[str, str | None] | list[str]]:
        """Natural key → (id, remote id) of the stored entities, read once per import
        (several entities with one key → their ids)."""
        if self._natural_loaded:
            return self.natural
        fields = self.importer.natural_key
        self.flush()
        for stored in self.repo.iter_all():
            value = _key_value(stored, fields)
            if value is None:
                continue
            ident = str(getattr(stored, "id", ""))
            known = self.natural.get(value)
            if known is None:
                self.natural[value] = (ident, getattr(stored, "remote_id", None))
            elif isinstance(known, list):
                known.append(ident)
            else:
                self.natural[value] = [known[0], ident]
        self._natural_loaded = True
        return self.natural

    def add(self, entity: E, key: tuple[str, str] | None = None) -> None:
        if key is None:
            remote = getattr(entity, "remote_id", None)
            key = ("remote_id", str(remote)) if remote else ("id", str(getattr(entity, "id", "")))
        if key in self.pending_keys:  # the same record twice in one chunk: write the first
            self.flush()
        self.pending.append((entity, key[0]))
        self.pending_keys.add(key)
        if len(self.pending) >= self.importer.batch_size:
            self.flush()
            if self.importer.policy is ImportPolicy.BATCHED:
                self.uow.commit()
                self.committed_rows = self.report.created + self.report.updated

    def flush(self) -> None:
        if not self.pending:
            return
        for name in ("remote_id", "id"):
            chunk = [entity for entity, key in self.pending if key == name]
            if chunk:
                result = self.repo.upsert_many(chunk, key=name)
                self.report.created += result.inserted
                self.report.updated += result.updated
        self.pending.clear()
        self.pending_keys.clear()

    def tick(self, *, done: bool = False) -> None:
        callback = self.importer._progress
        if callback is None:
            return
        report = self.report
        callback(
            ImportProgress(
                report.rows,
                report.accepted,
                report.rejected,
                self.committed_rows if report.committed or not done else 0,
                done,
            )
        )


def _codec_for(record_type: type[E] | RecordCodec[E], kind: str) -> RecordCodec[E]:
    if isinstance(record_type, type):
        if kind == "csv":
            return CrmkitCsvCodec(record_type)
        return CrmkitJsonCodec(record_type)
    return record_type


def import_csv(
    store: Store,
    path: str | Path,
    record_type: type[E] | RecordCodec[E],
    *,
    policy: ImportPolicy = ImportPolicy.ALL_OR_NOTHING,
    rejects_path: str | Path | None = None,
    batch_size: int = 500,
    progress: ProgressCallback | None = None,
    progress_every: int = 1000,
    max_rejects_kept: int = 1000,
    encoding: str = "utf-8-sig",
    natural_key: str | Sequence[str] | None = None,
) -> ImportReport:
    """Import a CSV file into ``store``.

    Args:
        store: where to write.
        path: the CSV file (UTF-8; a byte-order mark is accepted).
        record_type: the entity class (crmkit's CSV layout) or a codec such as
            :class:`~crmkit.adapters.formats.HubSpotCodec`.
        policy: see :class:`ImportPolicy` (default ``ALL_OR_NOTHING``).
        rejects_path: write every reject to this CSV file.
        batch_size: entities per write (and per commit with ``BATCHED``).
        progress: called with an :class:`ImportProgress` every ``progress_every`` rows.
        max_rejects_kept: rejects kept in the report (the file keeps all).
        encoding: the file's text encoding.
        natural_key: match rows without ``id`` / ``remote_id`` on these fields (see
            :class:`Importer`), so importing the same file again updates them.

    The rejects file is written atomically (it appears when the import ends, also after a
    rollback) and may not be the input file or a link to it
    (:class:`~crmkit.errors.OutputError`, raised before anything is read). A line that
    cannot be decoded in ``encoding`` is a rejected row; a file in another encoding (its
    header, or more than 1 % of its lines) is refused before any row is imported.

    Raises:
        ValidationError: the file cannot be read, is in another encoding, or its header
            names a column twice or has columns the codec cannot read (nothing imported).
        OutputError: ``rejects_path`` is the input file.
        ImportRolledBackError: ``ALL_OR_NOTHING`` and some rows were rejected.

    Examples:
        >>> import pathlib, tempfile
        >>> from crmkit.adapters import open_store
        >>> from crmkit.adapters.files import import_csv
        >>> from crmkit.domain import Account
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
        >>> _ = path.write_text("name\\nAcme\\n", encoding="utf-8")
        >>> import_csv(open_store("memory://"), path, Account).summary().endswith("committed")
        True
    """
    codec = _codec_for(record_type, "csv")
    importer = Importer(
        store,
        codec,
        policy=policy,
        batch_size=batch_size,
        progress=progress,
        progress_every=progress_every,
        max_rejects_kept=max_rejects_kept,
        natural_key=natural_key,
    )
    return _import_file(importer, path, "csv", rejects_path, encoding)


def import_jsonl(
    store: Store,
    path: str | Path,
    record_type: type[E] | RecordCodec[E],
    *,
    policy: ImportPolicy = ImportPolicy.ALL_OR_NOTHING,
    rejects_path: str | Path | None = None,
    batch_size: int = 500,
    progress: ProgressCallback | None = None,
    progress_every: int = 1000,
    max_rejects_kept: int = 1000,
    encoding: str = "utf-8",
    natural_key: str | Sequence[str] | None = None,
) -> ImportReport:
    """Import a JSON Lines file (one :func:`crmkit.serde.to_dict` object per line).

    Arguments, policies and errors are those of :func:`import_csv`; line numbers count every
    line of the file from 1.

    Examples:
        >>> import pathlib, tempfile
        >>> from crmkit.adapters import open_store
        >>> from crmkit.adapters.files import ImportPolicy, import_jsonl
        >>> from crmkit.domain import Account
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.jsonl"
        >>> _ = path.write_text('{"name": "Acme"}\\n{"name": "X", "colour": "red"}\\n')
        >>> report = import_jsonl(open_store("memory://"), path, Account,
        ...                       policy=ImportPolicy.KEEP_ACCEPTED)
        >>> report.accepted, [str(r) for r in report.rejects]
        (1, ['line 2: colour: is not a field of Account'])
    """
    codec = _codec_for(record_type, "jsonl")
    importer = Importer(
        store,
        codec,
        policy=policy,
        batch_size=batch_size,
        progress=progress,
        progress_every=progress_every,
        max_rejects_kept=max_rejects_kept,
        natural_key=natural_key,
    )
    return _import_file(importer, path, "jsonl", rejects_path, encoding)


def _import_file(
    importer: Importer[Any],
    path: str | Path,
    kind: str,
    rejects_path: str | Path | None,
    encoding: str,
) -> ImportReport:
    """Check the file (output paths, encoding, header), then import it. The rejects file
    is written atomically and never over the input."""
    source = Path(path)
    with ExitStack() as stack:
        rejects = None
        if rejects_path is not None:
            rejects = stack.enter_context(atomic_output(rejects_path, inputs=[source], newline=""))
        lines = open_text_lines(stack, path, encoding, header=kind == "csv")
        rows: Iterator[SourceRow]
        if kind == "csv":
            header = csv_header(lines)
            importer.codec.check_header(header)
            rows = read_csv(lines, header=header, bad_lines=lines.bad)
        else:
            rows = read_jsonl(lines, bad_lines=lines.bad)
        importer._rejects = _writer(rejects)
        rolled_back: ImportRolledBackError | None = None
        try:
            report = importer.run(rows, source=str(path))
        except ImportRolledBackError as exc:  # keep the rejects file, then re-raise
            rolled_back = exc
            report = exc.report
        report.rejects_path = None if rejects_path is None else str(rejects_path)
    if rolled_back is not None:
        raise rolled_back
    return report


def open_text_lines(
    stack: ExitStack, path: str | Path, encoding: str, *, header: bool
) -> TextLines:
    """Open a text file to read line by line (it stays open until ``stack`` closes), its
    encoding checked first (``header``: the first line is a CSV header, checked too).

    Raises:
        ValidationError: the file cannot be read or is in another encoding.

    Examples:
        >>> import pathlib, tempfile
        >>> from contextlib import ExitStack
        >>> from crmkit.adapters.files.importer import open_text_lines
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
        >>> _ = path.write_text("name\\nAcme\\n", encoding="utf-8")
        >>> with ExitStack() as stack:
        ...     list(open_text_lines(stack, path, "utf-8", header=True))
        ['name\\n', 'Acme\\n']
        >>> with ExitStack() as stack:
        ...     open_text_lines(stack, path.with_name("none.csv"), "utf-8", header=True)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: path: '...none.csv' cannot be read (No such file or directory)
    """
    source = Path(path)
    try:
        check_encoding(source, encoding, header=header)
        binary = stack.enter_context(source.open("rb"))
    except OSError as exc:
        raise ValidationError.single(
            "path", str(path), f"cannot be read ({exc.strerror or exc})"
        ) from None
    return TextLines(binary, encoding, source=source.name)


def _writer(stream: IO[str] | None) -> RejectsWriter | None:
    return None if stream is None else RejectsWriter(stream)
