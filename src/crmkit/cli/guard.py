"""The one place where the ``crmkit`` command turns exceptions into messages and exit codes.

Every subcommand runs inside :func:`run_guarded`. A *user error* — a crmkit error, a file that
is missing, unreadable or a directory, a full disk, text in the wrong encoding — prints
``crmkit: <what and where>`` to standard error and exits with :data:`USER_ERROR` (2). A
closed pipe (``crmkit ... | head -1``) ends the command quietly with :data:`BROKEN_PIPE` (141,
the status of a process ended by SIGPIPE, as ``cat`` or ``yes`` report it). Anything else is a
bug in crmkit: a short message points to the issue tracker and the exit code is
:data:`INTERNAL_ERROR` (1). No traceback is printed unless ``--debug`` is given or the
environment variable ``CRMKIT_DEBUG`` is set to a non-empty value other than ``0``.

Examples:
    >>> from crmkit.cli.guard import describe
    >>> describe(FileNotFoundError(2, "No such file or directory", "wb.json"))
    'wb.json: file not found'
    >>> describe(IsADirectoryError(21, "Is a directory", "out"))
    'out: is a directory, not a file'
    >>> describe(KeyError("x")) is None
    True
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from crmkit.errors import CrmkitError, Problem, ValidationError

__all__ = [
    "BROKEN_PIPE",
    "BUG_TRACKER",
    "INTERNAL_ERROR",
    "STDOUT",
    "USER_ERROR",
    "debug_requested",
    "describe",
    "in_file",
    "reading",
    "run_guarded",
]

#: Exit code of a user error (bad input, missing file, full disk ...).
USER_ERROR = 2
#: Exit code of an unexpected internal error (a bug in crmkit).
INTERNAL_ERROR = 1
#: Exit code when standard output was closed by the reader (128 + SIGPIPE).
BROKEN_PIPE = 141
#: How errors name standard output.
STDOUT = "standard output"
#: Where to report bugs.
BUG_TRACKER = "https://github.com/crmkit/crmkit/issues"

_OS_REASONS = {
    errno.ENOENT: "file not found",
    errno.EISDIR: "is a directory, not a file",
    errno.ENOTDIR: "a part of the path is not a directory",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.EEXIST: "already exists",
    errno.ENAMETOOLONG: "file name too long",
    errno.ELOOP: "too many levels of symbolic links",
    errno.EFBIG: "file too large",
}


def _os_message(exc: OSError) -> str:
    reason = _OS_REASONS.get(exc.errno or 0) or (exc.strerror or str(exc)).rstrip(".")
    where = exc.filename
    if where is None:
        return reason
    second = f" -> {exc.filename2}" if exc.filename2 is not None else ""
    return f"{os.fsdecode(where)}{second}: {reason}"


def _decode_message(exc: UnicodeError) -> str:
    if isinstance(exc, UnicodeDecodeError):
        byte = exc.object[exc.start : exc.start + 1].hex()
        return (
            f"input is not valid {exc.encoding} text (byte 0x{byte} at position {exc.start}); "
            "save it as UTF-8"
        )
    return f"text cannot be encoded: {exc}"


def describe(exc: BaseException) -> str | None:
    """The ``crmkit:`` message of a user error, or ``None`` when ``exc`` is a bug.

    Examples:
        >>> import errno
        >>> from crmkit.cli.guard import describe
        >>> from crmkit.errors import ValidationError
        >>> describe(ValidationError.single("cover.date", "soon", "must be an ISO date"))
        "cover.date: 'soon' must be an ISO date"
        >>> describe(OSError(errno.ENOSPC, "No space left on device", "/dev/full"))
        '/dev/full: no space left on the device'
        >>> describe(UnicodeDecodeError("utf-8", b"a\\xff", 1, 2, "invalid start byte"))
        'input is not valid utf-8 text (byte 0xff at position 1); save it as UTF-8'
    """
    if isinstance(exc, CrmkitError):
        return str(exc)
    if isinstance(exc, OSError):
        return _os_message(exc)
    if isinstance(exc, UnicodeError):
        return _decode_message(exc)
    if isinstance(exc, RecursionError):
        return "the input is nested too deeply"
    if isinstance(exc, MemoryError):
        return "not enough memory for this input"
    return None


def in_file(path: str | Path, error: ValidationError) -> ValidationError:
    """``error`` with every problem's path put after the file's name (``wb.json: cover.date``).

    Examples:
        >>> from crmkit.cli.guard import in_file
        >>> from crmkit.errors import ValidationError
        >>> print(in_file("wb.json", ValidationError.single("cover.date", "x", "is bad")))
        wb.json: cover.date: 'x' is bad
    """
    where = str(path)
    problems = []
    for p in error.problems:
        place = f"{where}: {p.path}" if p.path else where
        if p.path.startswith(where):
            place = p.path
        problems.append(
            Problem(place, p.value, p.message) if p.has_value else Problem(place, message=p.message)
        )
    return ValidationError(problems)


@contextlib.contextmanager
def reading(path: str | Path) -> Iterator[None]:
    """Name ``path`` in the decoding and validation errors raised while reading it.

    Examples:
        >>> from crmkit.cli.guard import reading
        >>> with reading("wb.json"):
        ...     b"\\xff".decode("utf-8")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: wb.json: '0xff' at byte 0 is not valid utf-8 text; save the file as UTF-8
    """
    try:
        yield
    except UnicodeDecodeError as exc:
        byte = exc.object[exc.start : exc.start + 1].hex()
        raise ValidationError.single(
            str(path),
            f"0x{byte}",
            f"at byte {exc.start} is not valid {exc.encoding} text; save the file as UTF-8",
        ) from None
    except ValidationError as exc:
        raise in_file(path, exc) from None


def debug_requested(flag: bool = False) -> bool:
    """Whether tracebacks should be shown: ``--debug`` or ``CRMKIT_DEBUG`` set (not ``0``).

    Examples:
        >>> from crmkit.cli.guard import debug_requested
        >>> debug_requested(True)
        True
    """
    return flag or os.environ.get("CRMKIT_DEBUG", "") not in ("", "0")


def _silence_stdout() -> None:
    """Point standard output at the null device so the interpreter's final flush of data
    that can no longer be written (closed pipe, full disk) does not print an error."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # replaced by a test's capture
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, fd)
    finally:
        os.close(null)


def _error(message: str) -> None:
    from crmkit.cli._console import printable

    text = "".join(f"crmkit: {printable(line)}\n" for line in message.split("\n"))
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(text)
        sys.stderr.flush()


class _NamedStdout:
    """Standard output that names itself in the errors of its writes (``standard output:
    no space left on the device`` instead of an error without a file name) and remembers
    the first one, so an error that a caller swallowed (argparse ignores write errors of
    ``--help``) is still reported."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self.write_error: OSError | None = None

    def _failed(self, exc: OSError) -> OSError:
        if exc.filename is None and not isinstance(exc, BrokenPipeError):
            exc.filename = STDOUT
        if self.write_error is None:
            self.write_error = exc
        return exc

    def write(self, text: str) -> int:
        try:
            return int(self._stream.write(text))
        except OSError as exc:
            raise self._failed(exc) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            raise self._failed(exc) from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def run_guarded(command: Callable[[], int], *, debug: bool = False) -> int:
    """Run ``command`` and return its exit code, turning exceptions into messages.

    Examples:
        >>> import contextlib, io
        >>> from crmkit.cli.guard import run_guarded
        >>> from crmkit.errors import NotFoundError
        >>> def fails() -> int:
        ...     raise NotFoundError("no workbook 'x'")
        >>> err = io.StringIO()
        >>> with contextlib.redirect_stderr(err):
        ...     code = run_guarded(fails)
        >>> code, err.getvalue()
        (2, "crmkit: no workbook 'x'\\n")
    """
    show_traceback = debug_requested(debug)
    try:
        stdout = _NamedStdout(sys.stdout)
        with contextlib.redirect_stdout(stdout):
            code = command()
            stdout.flush()
        if stdout.write_error is not None:
            raise stdout.write_error
        return code
    except BrokenPipeError:
        _silence_stdout()
        return BROKEN_PIPE
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except Exception as exc:
        message = describe(exc)
        if message is None:
            if show_traceback:
                raise
            _error(
                f"internal error ({type(exc).__name__}: {exc}). This is a bug in crmkit; "
                f"please report it at {BUG_TRACKER} with the command you ran "
                "(run again with --debug or CRMKIT_DEBUG=1 for the traceback)"
            )
            return INTERNAL_ERROR
        if show_traceback:
            raise
        if isinstance(exc, OSError) and exc.filename == STDOUT:
            _silence_stdout()
        _error(message)
        return USER_ERROR
