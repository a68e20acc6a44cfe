"""Exporting entities to CSV and JSON Lines, streaming, with formula injection neutralised.

:func:`export_csv` writes crmkit's flat CSV layout (or any codec's columns: HubSpot,
Salesforce); :func:`export_jsonl` writes one :func:`crmkit.serde.to_dict` object per line. Both
take either an iterable of entities or a store (then every entity of ``record_type`` is
exported page by page, so memory stays bounded) and return the number of rows written.

Examples:
    >>> import io, pathlib, tempfile
    >>> from crmkit.adapters.files import export_csv
    >>> from crmkit.domain import Account
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "accounts.csv"
    >>> export_csv([Account(name="=HYPERLINK(1)")], path, Account)
    1
    >>> "'=HYPERLINK(1)" in path.read_text(encoding="utf-8")
    True
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sized
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from crmkit.adapters.files.codec import (
    CrmkitCsvCodec,
    CrmkitJsonCodec,
    NoReferences,
    RecordCodec,
    References,
)
from crmkit.adapters.files.output import atomic_output
from crmkit.adapters.files.source import write_csv, write_jsonl
from crmkit.progress import ProgressOption, track

if TYPE_CHECKING:
    from crmkit.adapters.ports import RepositoryQueries, Store

__all__ = ["export_csv", "export_jsonl", "iter_repository", "store_files"]

E = TypeVar("E")


def iter_repository(repo: RepositoryQueries[E], *, batch: int = 500) -> Iterator[E]:
    """Every entity of a repository, page by page (bounded memory), in id order.

    The same as ``repo.iter_all(batch=batch)``, kept for callers of the exporter.

    Examples:
        >>> from crmkit.adapters import open_store
        >>> from crmkit.adapters.files.exporter import iter_repository
        >>> with open_store("memory://") as store, store.unit_of_work() as uow:
        ...     list(iter_repository(uow.accounts))
        []
    """
    return repo.iter_all(batch=batch)


def store_files(source: object) -> list[str]:
    """The files a store reads (an SQLite database and its journals), which an export may
    not write over; empty for other sources.

    Examples:
        >>> from crmkit.adapters.files.exporter import store_files
        >>> store_files(object()), [p.rsplit("/", 1)[-1] for p in store_files(
        ...     type("S", (), {"url": "sqlite:////data/crm.db", "unit_of_work": print})())]
        ([], ['crm.db', 'crm.db-wal', 'crm.db-shm', 'crm.db-journal'])
    """
    url = getattr(source, "url", None) if _is_store(source) else None
    if not isinstance(url, str) or not url.startswith("sqlite:///"):
        return []
    database = url[len("sqlite:///") :].split("?", 1)[0]
    if not database or database == ":memory:":
        return []
    return [database, *(database + suffix for suffix in ("-wal", "-shm", "-journal"))]


def _is_store(source: object) -> bool:
    return hasattr(source, "unit_of_work") and callable(source.unit_of_work)


def _entities(
    source: Store | Iterable[E], record_type: type[E], stack: ExitStack
) -> tuple[Iterator[E], References]:
    if _is_store(source):
        from crmkit.adapters.files.importer import StoreReferences

        uow = stack.enter_context(source.unit_of_work())  # type: ignore[union-attr]
        repo = uow.repository(record_type)
        return iter_repository(repo), StoreReferences(uow)
    return iter(source), NoReferences()  # type: ignore[arg-type]


class _Keys:
    """Stands in for an entity whose ``remote_data`` has the given keys."""

    def __init__(self, keys: Iterable[str]) -> None:
        self.remote_data = dict.fromkeys(keys, "")


def _remote_keys(source: Store | Iterable[Any], record_type: type[Any]) -> list[_Keys]:
    """A first pass over a store or a re-iterable source: the ``remote_data`` keys used, so a
    vendor export writes back every column it imported."""
    keys: dict[str, None] = {}
    if _is_store(source):
        with source.unit_of_work() as uow:  # type: ignore[union-attr]
            for entity in iter_repository(uow.repository(record_type)):
                keys.update(dict.fromkeys(getattr(entity, "remote_data", None) or {}))
    elif isinstance(source, list | tuple):
        for entity in source:
            keys.update(dict.fromkeys(getattr(entity, "remote_data", None) or {}))
    return [_Keys(keys)]


def _counted(
    source: Store | Iterable[Any],
    record_type: type[Any],
    entities: Iterator[E],
    progress: ProgressOption,
    path: str | Path,
) -> Iterable[E]:
    """``entities`` counted by :func:`crmkit.progress.track` out of the source's size."""
    if progress is None or progress is False:
        return entities
    if _is_store(source):
        with source.unit_of_work() as uow:  # type: ignore[union-attr]
            total = uow.repository(record_type).count()
    else:
        total = len(source) if isinstance(source, Sized) else 0
    return track(entities, progress, total=total, description=Path(path).name)


def export_csv(
    source: Store | Iterable[E],
    path: str | Path,
    record_type: type[E] | RecordCodec[E],
    *,
    encoding: str = "utf-8",
    progress: ProgressOption = None,
) -> int:
    """Write entities to a CSV file; returns the number of rows.

    Args:
        source: entities, or a store to export every ``record_type`` entity of.
        path: the file to write, replaced atomically: the rows go to a temporary file in
            the same folder that replaces ``path`` only when every row is written (an
            error leaves ``path`` as it was). It may not be the store's own database file
            (:class:`~crmkit.errors.OutputError`).
        record_type: the entity class (crmkit's layout) or a codec (HubSpot, Salesforce).
            A vendor codec also writes every ``remote_data`` column found in the source
            (one extra pass over a store or list; pass a generator to skip it).
        encoding: text encoding (``"utf-8-sig"`` adds the byte-order mark Excel likes).
        progress: ``True`` for a progress bar, or a callback ``(done, total)`` counting the
            entities written (see :mod:`crmkit.progress`); off by default.

    Every cell is quoted; cells that a spreadsheet would run as a formula get a leading
    single quote, except plain numbers in numeric columns (see
    :mod:`crmkit.adapters.files.formula_injection`).

    Examples:
        >>> import pathlib, tempfile
        >>> from crmkit.adapters import open_store
        >>> from crmkit.adapters.files import export_csv
        >>> from crmkit.domain import Account
        >>> store = open_store("memory://")
        >>> with store.unit_of_work() as uow:
        ...     _ = uow.accounts.add_many([Account(name="A"), Account(name="B")])
        >>> export_csv(store, pathlib.Path(tempfile.mkdtemp()) / "a.csv", Account)
        2
    """
    codec: RecordCodec[Any] = (
        CrmkitCsvCodec(record_type) if isinstance(record_type, type) else record_type
    )
    if hasattr(codec, "with_extra_columns"):
        codec = codec.with_extra_columns(_remote_keys(source, codec.record_type))
    with ExitStack() as stack:
        entities, references = _entities(source, codec.record_type, stack)
        stream = stack.enter_context(
            atomic_output(path, inputs=store_files(source), encoding=encoding, newline="")
        )
        counted = _counted(source, codec.record_type, entities, progress, path)
        rows = (codec.encode(entity, references) for entity in counted)
        return write_csv(stream, codec.columns(), rows, numeric_columns=codec.numeric_columns())


def export_jsonl(
    source: Store | Iterable[E],
    path: str | Path,
    record_type: type[E],
    *,
    encoding: str = "utf-8",
    progress: ProgressOption = None,
) -> int:
    """Write entities to a JSON Lines file (one ``to_dict`` object per line).

    JSON is not opened by spreadsheets, so no formula neutralisation is applied. The file
    is written atomically, like :func:`export_csv`'s; ``progress`` is :func:`export_csv`'s.

    Examples:
        >>> import pathlib, tempfile
        >>> from crmkit.adapters.files import export_jsonl
        >>> from crmkit.domain import Account
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.jsonl"
        >>> export_jsonl([Account(name="Acme")], path, Account)
        1
        >>> '"name":"Acme"' in path.read_text(encoding="utf-8")
        True
    """
    codec = CrmkitJsonCodec(record_type)
    with ExitStack() as stack:
        entities, _ = _entities(source, record_type, stack)
        stream = stack.enter_context(
            atomic_output(path, inputs=store_files(source), encoding=encoding, newline="")
        )
        counted = _counted(source, record_type, entities, progress, path)
        return write_jsonl(stream, (codec.encode(entity) for entity in counted))
