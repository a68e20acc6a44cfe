"""Safe output files: never write over an input, never leave half a file.

Every file crmkit writes — an export, a rejects file, a report, the CLI's ``--html`` /
``--markdown`` / ``--output`` files — goes through :func:`atomic_output` (or
:func:`write_output`). Two rules are enforced here, in one place:

* **An output is never an input.** Before anything is opened, the output path is compared
  with every input path of the operation — after resolving symbolic links, and with
  :func:`os.path.samefile` so that a hard link to the input is caught too. A match raises
  :class:`~crmkit.errors.OutputError` naming both paths; the input is not touched.
* **An output appears whole or not at all.** The data is written to a temporary file in the
  same folder as the target, flushed and ``fsync``-ed, then moved over the target with
  :func:`os.replace` (atomic on POSIX and Windows). If writing fails, the temporary file is
  removed and an existing target keeps its old content. An output path that is a symbolic
  link writes its target (as a plain ``open`` would); a target that exists keeps its
  permission bits, a new one gets the usual ``0o666`` less the umask.

An output must be a regular file (or not exist yet): a folder, a device or a pipe is
refused with :class:`~crmkit.errors.OutputError`, as is a folder that does not exist or
cannot be written; the error names the path.

Examples:
    >>> import pathlib, tempfile
    >>> from crmkit.adapters.files.output import atomic_output, write_output
    >>> from crmkit.errors import OutputError
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> source = write_output(folder / "in.csv", "name\\nAcme\\n")
    >>> with atomic_output(folder / "out.csv", inputs=[source]) as fh:
    ...     _ = fh.write("copied\\n")
    >>> (folder / "out.csv").read_text(encoding="utf-8")
    'copied\\n'
    >>> try:
    ...     write_output(folder / "in.csv", "oops", inputs=[source])
    ... except OutputError as exc:
    ...     print(exc.problems[0].message.startswith(f"is the input file {str(source)!r}"))
    True
    >>> source.read_text(encoding="utf-8")
    'name\\nAcme\\n'
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import IO, Any, Literal, overload

from crmkit.errors import OutputError, Problem

__all__ = ["PathLike", "atomic_output", "check_output_path", "write_output"]

#: What the functions accept as a path.
PathLike = str | os.PathLike[str]


def _same_file(output: Path, candidate: Path) -> bool:
    if os.path.realpath(output) == os.path.realpath(candidate):
        return True
    try:
        return os.path.samefile(output, candidate)
    except OSError:  # one of them does not exist (yet): not the same file
        return False


def check_output_path(path: PathLike, *, inputs: Iterable[PathLike | None] = ()) -> Path:
    """Check that ``path`` may be written: not one of ``inputs``, and a regular file or new.

    ``inputs`` are compared after resolving symbolic links and by device and inode, so a
    symbolic or hard link to an input is refused too. ``None`` entries are ignored (an
    optional input that was not given). Returns the real path that will be written.

    Raises:
        OutputError: ``path`` is the same file as an input (the message names both), or is
            not a regular file, or its folder does not exist.

    Examples:
        >>> import os, pathlib, tempfile
        >>> from crmkit.adapters.files.output import check_output_path
        >>> from crmkit.errors import OutputError
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (folder / "contacts.csv").write_text("email\\n", encoding="utf-8")
        >>> os.link(folder / "contacts.csv", folder / "alias.csv")
        >>> check_output_path(folder / "rejects.csv", inputs=[folder / "contacts.csv"]).name
        'rejects.csv'
        >>> try:
        ...     check_output_path(folder / "alias.csv", inputs=[folder / "contacts.csv"])
        ... except OutputError as exc:
        ...     print(exc.problems[0].path, "refused")
        output refused
    """
    given = Path(os.fspath(path))
    for candidate in inputs:
        if candidate is None:
            continue
        source = Path(os.fspath(candidate))
        if _same_file(given, source):
            raise OutputError(
                [
                    Problem(
                        "output",
                        str(given),
                        f"is the input file {str(source)!r}; crmkit never writes over a "
                        "file it reads — choose another output path",
                    )
                ]
            )
    target = Path(os.path.realpath(given))
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise OutputError.single(
            "output", str(given), f"cannot be checked ({exc.strerror})"
        ) from exc
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise OutputError.single(
            "output", str(given), "is not a regular file (a folder, device or pipe)"
        )
    if not target.parent.is_dir():
        raise OutputError.single(
            "output",
            str(given),
            f"cannot be written: the folder {str(target.parent)!r} does not exist",
        )
    return target


def _create_temporary(target: Path) -> tuple[Path, int]:
    """Create a new, empty temporary file next to ``target`` (mode ``0o666`` less umask)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            return temporary, os.open(temporary, flags, 0o666)
        except FileExistsError:
            continue
    raise OutputError.single("output", str(target), "cannot get a temporary file name")


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable (POSIX); folders cannot be opened on Windows."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def _atomic(
    path: PathLike,
    inputs: Iterable[PathLike | None],
    binary: bool,
    encoding: str,
    newline: str | None,
) -> Iterator[IO[Any]]:
    target = check_output_path(path, inputs=inputs)
    try:
        temporary, fd = _create_temporary(target)
    except OSError as exc:
        raise OutputError.single(
            "output", os.fspath(path), f"cannot be written ({exc.strerror})"
        ) from exc
    try:
        with contextlib.suppress(OSError):
            os.chmod(temporary, stat.S_IMODE(os.stat(target).st_mode))
        if binary:
            stream: IO[Any] = os.fdopen(fd, "wb")
        else:
            stream = os.fdopen(fd, "w", encoding=encoding, newline=newline)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    try:
        with stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(exc, OSError):
            raise OutputError.single(
                "output", os.fspath(path), f"cannot be written ({exc.strerror or exc})"
            ) from exc
        raise
    _fsync_folder(target.parent)


@overload
def atomic_output(
    path: PathLike,
    *,
    inputs: Iterable[PathLike | None] = (),
    binary: Literal[False] = False,
    encoding: str = "utf-8",
    newline: str | None = None,
) -> AbstractContextManager[IO[str]]: ...


@overload
def atomic_output(
    path: PathLike,
    *,
    inputs: Iterable[PathLike | None] = (),
    binary: Literal[True],
    encoding: str = "utf-8",
    newline: str | None = None,
) -> AbstractContextManager[IO[bytes]]: ...


def atomic_output(
    path: PathLike,
    *,
    inputs: Iterable[PathLike | None] = (),
    binary: bool = False,
    encoding: str = "utf-8",
    newline: str | None = None,
) -> AbstractContextManager[IO[Any]]:
    """Open ``path`` for writing, atomically, refusing to write over any of ``inputs``.

    Use it as a context manager: the yielded stream writes a temporary file in the same
    folder; when the block ends without an error the file is flushed, ``fsync``-ed and moved
    over ``path`` in one step. If the block raises, the temporary file is removed, ``path``
    is left as it was, and the error propagates.

    Args:
        path: the file to write (replaced if it exists).
        inputs: the files the operation reads; ``path`` may not be any of them (nor a
            symbolic or hard link to one). ``None`` entries are ignored.
        binary: yield a binary stream instead of a text stream.
        encoding: the text encoding (text mode only).
        newline: passed to :func:`open` (use ``""`` for the :mod:`csv` module).

    Raises:
        OutputError: ``path`` is an input, is not a regular file, or cannot be written.

    Examples:
        >>> import pathlib, tempfile
        >>> from crmkit.adapters.files.output import atomic_output
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "report.txt"
        >>> _ = path.write_text("old", encoding="utf-8")
        >>> try:
        ...     with atomic_output(path) as fh:
        ...         _ = fh.write("half a rep")
        ...         raise RuntimeError("disk on fire")
        ... except RuntimeError:
        ...     pass
        >>> path.read_text(encoding="utf-8"), sorted(p.name for p in path.parent.iterdir())
        ('old', ['report.txt'])
        >>> with atomic_output(path, binary=True) as fh:
        ...     _ = fh.write(b"new")
        >>> path.read_bytes()
        b'new'
    """
    return _atomic(path, inputs, binary, encoding, newline)


def write_output(
    path: PathLike,
    data: str | bytes,
    *,
    inputs: Iterable[PathLike | None] = (),
    encoding: str = "utf-8",
) -> Path:
    """Write ``data`` (text or bytes) to ``path`` atomically; returns ``path`` as a
    :class:`~pathlib.Path`. The rules are those of :func:`atomic_output`.

    Examples:
        >>> import pathlib, tempfile
        >>> from crmkit.adapters.files.output import write_output
        >>> path = write_output(pathlib.Path(tempfile.mkdtemp()) / "a.md", "# Report\\n")
        >>> path.read_text(encoding="utf-8")
        '# Report\\n'
    """
    if isinstance(data, bytes):
        with atomic_output(path, inputs=inputs, binary=True) as raw:
            raw.write(data)
    else:
        with atomic_output(path, inputs=inputs, encoding=encoding, newline="") as text:
            text.write(data)
    return Path(os.fspath(path))
