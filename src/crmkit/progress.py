"""Progress of long operations: one abstraction for fits, imports, exports and the CLI.

Library calls are silent unless asked. A long operation takes a ``progress`` argument
(:data:`ProgressOption`):

* ``False`` or ``None`` (the default): no progress at all;
* ``True``: a progress bar drawn by rich on standard error, in a terminal or a Jupyter
  notebook (rich is the ``cli`` extra: ``pip install 'crmkit[cli]'``);
* a callable ``(done, total) -> None`` (:data:`ProgressCallback`): called with
  non-decreasing ``done`` counts of ``total`` units, the last call with ``done == total``
  when the operation finishes (an operation that fails stops without that call).

Inside crmkit every such operation counts its work with one :class:`Progress`, which turns
the option into calls, at most about 200 of them per operation. The ``crmkit`` command shows
a bar on a terminal for inputs over a size threshold, and progress lines when asked with
``--progress`` elsewhere.

Examples:
    >>> from crmkit.progress import Progress
    >>> seen = []
    >>> with Progress(lambda done, total: seen.append((done, total)), total=4) as progress:
    ...     for _ in range(4):
    ...         progress.advance()
    >>> seen
    [(1, 4), (2, 4), (3, 4), (4, 4)]
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Sized
from types import TracebackType
from typing import Any, TextIO, TypeVar

from crmkit.errors import ValidationError
from crmkit.extras import require

__all__ = ["Progress", "ProgressCallback", "ProgressOption", "bar", "lines", "track"]

#: Called with ``(done, total)``: non-decreasing ``done``, the last call with ``done == total``.
ProgressCallback = Callable[[int, int], None]
#: What a long operation's ``progress`` argument accepts: ``False``/``None`` (nothing),
#: ``True`` (a rich bar on standard error) or a :data:`ProgressCallback`.
ProgressOption = bool | ProgressCallback | None

T = TypeVar("T")

#: At most about this many calls per operation (a call every ``total / CALLS`` units).
CALLS = 200


class _Bar:
    """A rich progress bar on standard error, started on the first call, stopped at the end."""

    def __init__(self, description: str, console: Any = None) -> None:
        self._description = description
        self._console = console
        self._progress: Any = None
        self._task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self._progress is None:
            rich_progress = require("rich.progress", "cli")
            console = self._console or require("rich.console", "cli").Console(stderr=True)
            self._progress = rich_progress.Progress(
                rich_progress.TextColumn("{task.description}"),
                rich_progress.BarColumn(),
                rich_progress.TaskProgressColumn(),
                rich_progress.TimeElapsedColumn(),
                console=console,
            )
            self._progress.start()
            self._task = self._progress.add_task(self._description, total=total)
        self._progress.update(self._task, completed=done, total=total)
        if done >= total:
            self.close()

    def close(self) -> None:
        """Stop drawing (also when the operation failed before its end)."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def bar(description: str, *, console: Any = None) -> ProgressCallback:
    """A :data:`ProgressCallback` drawing a rich progress bar (``progress=True`` uses one).

    Args:
        description: the text left of the bar.
        console: a ``rich.console.Console`` to draw on (default: standard error).

    Raises:
        MissingDependencyError: rich is not installed (``pip install 'crmkit[cli]'``), on
            the first call.

    Examples:
        >>> import io
        >>> from rich.console import Console
        >>> from crmkit.progress import bar
        >>> out = io.StringIO()
        >>> show = bar("fitting", console=Console(file=out, width=60))
        >>> show(5, 10); show(10, 10)
        >>> "fitting" in out.getvalue() and "100%" in out.getvalue()
        True
    """
    return _Bar(description, console)


class _Lines:
    def __init__(self, description: str, stream: TextIO | None) -> None:
        self._description = description
        self._stream = stream
        self._tenth = -1

    def __call__(self, done: int, total: int) -> None:
        tenth = 10 * done // total if total else 10
        if tenth == self._tenth:
            return
        self._tenth = tenth
        stream = self._stream or sys.stderr
        stream.write(f"{self._description}: {done:,} of {total:,} ({10 * tenth}%)\n")
        stream.flush()


def lines(description: str, stream: TextIO | None = None) -> ProgressCallback:
    """A :data:`ProgressCallback` writing a line at every tenth of the way (for logs).

    Args:
        description: the text that starts each line.
        stream: where to write (default: standard error at the time of each call).

    Examples:
        >>> import sys
        >>> from crmkit.progress import lines
        >>> show = lines("orders.csv", sys.stdout)
        >>> for done in (0, 30, 35, 100):
        ...     show(done, 100)
        orders.csv: 0 of 100 (0%)
        orders.csv: 30 of 100 (30%)
        orders.csv: 100 of 100 (100%)
    """
    return _Lines(description, stream)


def _callback(progress: ProgressOption, description: str) -> ProgressCallback | None:
    if progress is None or progress is False:
        return None
    if progress is True:
        return bar(description)
    if callable(progress):
        return progress
    raise ValidationError.single(
        "progress", progress, "is not True, False, None or a callable (done, total)"
    )


class Progress:
    """Counts the work of one operation, ``0 … total`` units, and reports it.

    Reports go to the :data:`ProgressOption` given: never more than about
    :data:`CALLS` of them, ``done`` never decreasing and never above ``total``, and a last
    one with ``done == total`` from :meth:`finish` (which leaving a ``with`` block without an
    error calls).

    Args:
        progress: ``False``/``None``, ``True`` or a :data:`ProgressCallback`.
        total: the units of work (rows, iterations, ...); at least 1 is counted.
        description: the bar's text when ``progress`` is ``True``.
        calls: report at most about this many times (every ``total / calls`` units).

    Raises:
        ValidationError: ``progress`` is none of those.

    Examples:
        >>> from crmkit.progress import Progress
        >>> seen = []
        >>> progress = Progress(lambda done, total: seen.append(done), total=1000)
        >>> for row in range(1000):
        ...     progress.advance()
        >>> len(seen), seen[:3], seen[-1]
        (200, [5, 10, 15], 1000)
        >>> Progress("yes", total=3)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: progress: 'yes' is not True, False, None or a callable (done, total)
    """

    __slots__ = ("_callback", "_done", "_reported", "_step", "_total")

    def __init__(
        self, progress: ProgressOption, total: int, description: str = "", *, calls: int = CALLS
    ) -> None:
        self._callback = _callback(progress, description)
        self._total = max(1, int(total))
        self._step = max(1, self._total // max(1, calls))
        self._done = 0
        self._reported = 0

    @property
    def total(self) -> int:
        """The units of work of the whole operation."""
        return self._total

    @property
    def done(self) -> int:
        """The units done so far."""
        return self._done

    @property
    def enabled(self) -> bool:
        """Whether anything receives the reports (callers may skip counting when not).

        Examples:
            >>> from crmkit.progress import Progress
            >>> Progress(None, total=10).enabled
            False
        """
        return self._callback is not None

    def update(self, done: int) -> None:
        """Set the units done so far (kept within the last count and ``total``)."""
        done = min(max(int(done), self._done), self._total)
        self._done = done
        if self._callback is None or done == self._reported:
            return
        if done - self._reported >= self._step or done == self._total:
            self._reported = done
            self._callback(done, self._total)

    def advance(self, units: int = 1) -> None:
        """Count ``units`` more units done."""
        self.update(self._done + units)

    def finish(self) -> None:
        """The operation is complete: report ``done == total``."""
        self.update(self._total)

    def close(self) -> None:
        """Stop a bar without completing it (the operation failed)."""
        close = getattr(self._callback, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is None:
            self.finish()
        self.close()


def track(
    items: Iterable[T],
    progress: ProgressOption,
    *,
    total: int | None = None,
    description: str = "",
) -> Iterable[T]:
    """``items``, counted one by one by a :class:`Progress` (``items`` itself when off).

    Args:
        items: the rows (records, entities, ...).
        progress: ``False``/``None``, ``True`` or a :data:`ProgressCallback`.
        total: how many items there are; default ``len(items)``, and an iterator without a
            length is read into a list first (only when progress is on).
        description: the bar's text when ``progress`` is ``True``.

    The last report (``done == total``) comes when the items are exhausted; a loop that
    stops early or fails never reports completion.

    Examples:
        >>> from crmkit.progress import track
        >>> seen = []
        >>> [x * 2 for x in track(iter([1, 2, 3]), lambda d, t: seen.append((d, t)))]
        [2, 4, 6]
        >>> seen
        [(1, 3), (2, 3), (3, 3)]
    """
    if progress is None or progress is False:
        return items
    if total is None:
        if not isinstance(items, Sized):
            items = list(items)
        total = len(items)
    counter = Progress(progress, total, description)
    return _tracked(items, counter)


def _tracked(items: Iterable[T], counter: Progress) -> Iterator[T]:
    with counter:
        for item in items:
            yield item
            counter.advance()
