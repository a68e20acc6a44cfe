"""Hostile outputs: no crmkit output may open an input for writing, and every output is atomic.

The issue: ``rejects_path`` equal to the input (or a link to it) truncated the source and
silently dropped most rows. Every case below points an output at an input in another
disguise and checks that the input is byte-for-byte unchanged and nothing was imported.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from crmkit.adapters import open_store
from crmkit.adapters.files import (
    ImportPolicy,
    atomic_output,
    check_output_path,
    export_csv,
    export_jsonl,
    import_csv,
    import_jsonl,
    write_output,
)
from crmkit.domain import Account
from crmkit.errors import OutputError, ValidationError

CSV = "name,remote_id,employees\n" + "".join(f"Firm {i},r{i},{i}\n" for i in range(50))
CSV_WITH_REJECT = CSV + "Broken,r-bad,many\n"
JSONL = "".join(f'{{"name": "Firm {i}", "remote_id": "r{i}"}}\n' for i in range(50))


def _same(folder: Path) -> Path:
    return folder / "accounts.csv"


def _relative(folder: Path) -> Path:
    return folder / "sub" / ".." / "accounts.csv"


def _symlink(folder: Path) -> Path:
    link = folder / "link.csv"
    link.symlink_to(folder / "accounts.csv")
    return link


def _hardlink(folder: Path) -> Path:
    link = folder / "hard.csv"
    os.link(folder / "accounts.csv", link)
    return link


def _symlinked_folder(folder: Path) -> Path:
    alias = folder / "alias"
    alias.symlink_to(folder, target_is_directory=True)
    return alias / "accounts.csv"


DISGUISES: dict[str, Callable[[Path], Path]] = {
    "same path": _same,
    "path with ..": _relative,
    "symbolic link": _symlink,
    "hard link": _hardlink,
    "through a linked folder": _symlinked_folder,
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "sub").mkdir()
    (tmp_path / "accounts.csv").write_text(CSV_WITH_REJECT, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("disguise", DISGUISES, ids=list(DISGUISES))
@pytest.mark.parametrize("policy", list(ImportPolicy))
def test_rejects_path_that_is_the_input_is_refused_and_the_input_survives(
    folder: Path, disguise: str, policy: ImportPolicy
) -> None:
    source = folder / "accounts.csv"
    before = source.read_bytes()
    target = DISGUISES[disguise](folder)
    store = open_store("memory://")
    with pytest.raises(OutputError) as caught:
        import_csv(store, source, Account, policy=policy, rejects_path=target)
    message = str(caught.value)
    assert str(target) in message
    assert str(source) in message
    assert source.read_bytes() == before
    with store.unit_of_work() as uow:
        assert uow.accounts.count() == 0


@pytest.mark.parametrize("disguise", ["same path", "symbolic link", "hard link"])
def test_jsonl_rejects_path_that_is_the_input_is_refused(folder: Path, disguise: str) -> None:
    source = folder / "accounts.csv"  # the fixture's name; the content is JSON Lines here
    source.write_text(JSONL, encoding="utf-8")
    target = DISGUISES[disguise](folder)
    with pytest.raises(OutputError):
        import_jsonl(open_store("memory://"), source, Account, rejects_path=target)
    assert source.read_text(encoding="utf-8") == JSONL


def test_a_separate_rejects_file_is_written_and_the_import_is_complete(folder: Path) -> None:
    source = folder / "accounts.csv"
    store = open_store("memory://")
    report = import_csv(
        store,
        source,
        Account,
        policy=ImportPolicy.KEEP_ACCEPTED,
        rejects_path=folder / "rejects.csv",
    )
    assert (report.accepted, report.rejected, report.created) == (50, 1, 50)
    assert "many" in (folder / "rejects.csv").read_text(encoding="utf-8")
    assert source.read_text(encoding="utf-8") == CSV_WITH_REJECT


def test_rejects_file_is_kept_after_an_all_or_nothing_rollback(folder: Path) -> None:
    from crmkit.adapters.files import ImportRolledBackError, read_rejects

    with pytest.raises(ImportRolledBackError) as caught:
        import_csv(
            open_store("memory://"),
            folder / "accounts.csv",
            Account,
            rejects_path=folder / "rejects.csv",
        )
    assert caught.value.report.rejects_path == str(folder / "rejects.csv")
    assert [r.line for r in read_rejects(folder / "rejects.csv")] == [52]


def test_a_refused_header_leaves_an_old_rejects_file_untouched(folder: Path) -> None:
    (folder / "bad.csv").write_text("name,colour\nA,red\n", encoding="utf-8")
    (folder / "rejects.csv").write_text("previous run\n", encoding="utf-8")
    with pytest.raises(ValidationError):
        import_csv(
            open_store("memory://"),
            folder / "bad.csv",
            Account,
            rejects_path=folder / "rejects.csv",
        )
    assert (folder / "rejects.csv").read_text(encoding="utf-8") == "previous run\n"
    assert sorted(p.name for p in folder.iterdir()) == [
        "accounts.csv",
        "bad.csv",
        "rejects.csv",
        "sub",
    ]


def test_export_over_the_stores_own_database_is_refused(tmp_path: Path) -> None:
    database = tmp_path / "crm.db"
    with open_store(f"sqlite:///{database}") as store:
        with store.unit_of_work() as uow:
            uow.accounts.add(Account(name="Acme"))
            uow.commit()
        before = database.read_bytes()
        for export in (export_csv, export_jsonl):
            with pytest.raises(OutputError):
                export(store, database, Account)
        assert database.read_bytes() == before
        with store.unit_of_work() as uow:
            assert uow.accounts.count() == 1


class _Exploding:
    """An iterable of entities that fails half-way, like a store that goes away."""

    def __iter__(self):  # type: ignore[no-untyped-def]
        yield Account(name="First")
        raise RuntimeError("connection lost")


@pytest.mark.parametrize("export", [export_csv, export_jsonl])
def test_a_failed_export_leaves_the_previous_file_and_no_temporary(
    tmp_path: Path, export: Callable[..., int]
) -> None:
    path = tmp_path / "accounts.out"
    path.write_text("yesterday's export\n", encoding="utf-8")
    with pytest.raises(RuntimeError):
        export(_Exploding(), path, Account)
    assert path.read_text(encoding="utf-8") == "yesterday's export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["accounts.out"]


def test_atomic_output_refuses_every_disguise_of_an_input(folder: Path) -> None:
    source = folder / "accounts.csv"
    for name, disguise in DISGUISES.items():
        target = disguise(folder)
        with pytest.raises(OutputError, match="never writes over"):
            write_output(target, "x", inputs=[source])
        assert source.read_text(encoding="utf-8") == CSV_WITH_REJECT, name


def test_output_that_is_a_folder_or_in_a_missing_folder_is_a_crmkit_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="not a regular file"):
        write_output(tmp_path, "x")
    with pytest.raises(OutputError, match="does not exist"):
        write_output(tmp_path / "missing" / "a.csv", "x")


def test_output_symlink_writes_its_target_and_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "report.md"
    link.symlink_to(real)
    write_output(link, "new")
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == "new"


def test_an_existing_output_keeps_its_permissions(tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    path.write_text("old", encoding="utf-8")
    path.chmod(0o640)
    write_output(path, "<p>new</p>")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_check_output_path_ignores_missing_optional_inputs(tmp_path: Path) -> None:
    assert (
        check_output_path(tmp_path / "out.csv", inputs=[None, tmp_path / "in.csv"])
        == (tmp_path / "out.csv").resolve()
    )


def test_atomic_output_binary_and_text_modes(tmp_path: Path) -> None:
    with atomic_output(tmp_path / "a.bin", binary=True) as raw:
        raw.write(b"\x00\x01")
    with atomic_output(tmp_path / "a.txt", newline="") as text:
        text.write("a\r\nb\n")
    assert (tmp_path / "a.bin").read_bytes() == b"\x00\x01"
    assert (tmp_path / "a.txt").read_bytes() == b"a\r\nb\n"
