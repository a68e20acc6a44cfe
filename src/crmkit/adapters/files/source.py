"""Reading import files row by row (streaming) and writing export files.

:func:`read_csv` and :func:`read_jsonl` yield one :class:`SourceRow` at a time, so a file of
any size is read with memory bounded by one row. A row knows the line it starts on (a CSV
header is line 1; a quoted cell may span lines, the row then starts on its first line) and
any problem found while reading it (a wrong number of cells, invalid JSON).
:func:`write_csv` quotes every cell and neutralises formula injection
(:mod:`~crmkit.adapters.files.formula_injection`); :func:`read_csv` undoes it.

Examples:
    >>> import io
    >>> from crmkit.adapters.files.source import read_csv, write_csv
    >>> buffer = io.StringIO()
    >>> write_csv(buffer, ["name", "score"], [{"name": "=evil()", "score": "-3"}],
    ...           numeric_columns={"score"})
    1
    >>> print(buffer.getvalue().strip())
    "name","score"
    "'=evil()","-3"
    >>> [(r.line, r.raw) for r in read_csv(io.StringIO(buffer.getvalue()))]
    [(2, {'name': '=evil()', 'score': '-3'})]
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import IO, Any

import attrs

from crmkit.adapters.files.formula_injection import neutralise, restore
from crmkit.errors import Problem, ValidationError

__all__ = ["SourceRow", "csv_header", "read_csv", "read_jsonl", "write_csv", "write_jsonl"]

# Long text cells (descriptions, JSON) are legitimate; lift the 128 KiB default field limit.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@attrs.frozen
class SourceRow:
    """One row read from an import file.

    Args:
        line: the line the row starts on.
        raw: column → cell text (CSV) or the decoded JSON object (JSON Lines).
        problems: problems found while reading (the row is rejected with them).

    Examples:
        >>> from crmkit.adapters.files.source import SourceRow
        >>> SourceRow(2, {"name": "Acme"}).ok
        True
    """

    line: int
    raw: Mapping[str, Any]
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether reading found nothing wrong.

        Examples:
            >>> from crmkit.adapters.files.source import SourceRow
            >>> from crmkit.errors import Problem, ValidationError
            >>> SourceRow(3, {}, (Problem("", message="is empty"),)).ok
            False
        """
        return not self.problems


class _LineCounter:
    """Wraps a text stream and counts the lines the csv module has consumed."""

    def __init__(self, stream: Iterable[str]) -> None:
        self._it = iter(stream)
        self.lines = 0

    def __iter__(self) -> _LineCounter:
        return self

    def __next__(self) -> str:
        line = next(self._it)
        self.lines += 1
        return line


def csv_header(stream: IO[str]) -> list[str]:
    """The header of a CSV stream (the stream is left after the header line).

    Examples:
        >>> import io
        >>> from crmkit.adapters.files.source import csv_header
        >>> csv_header(io.StringIO("a,b\\n1,2\\n"))
        ['a', 'b']
    """
    return next(csv.reader(stream), [])


def read_csv(
    stream: IO[str], *, restore_quotes: bool = True, header: Sequence[str] | None = None
) -> Iterator[SourceRow]:
    """Yield the data rows of a CSV stream with their starting line numbers.

    Args:
        stream: a text stream opened with ``newline=""``.
        restore_quotes: strip the leading single quote crmkit's writer adds against formula
            injection (keep ``True`` for files crmkit wrote and for vendor exports).
        header: the header if it was already read (then the stream must be after it).

    Blank lines are skipped; a row with more or fewer cells than the header is yielded with
    a problem.

    Examples:
        >>> import io
        >>> from crmkit.adapters.files.source import read_csv
        >>> rows = list(read_csv(io.StringIO('a,b\\n1,"two\\nlines"\\n3\\n')))
        >>> [(r.line, r.ok) for r in rows]
        [(2, True), (4, False)]
        >>> str(rows[1].problems[0])
        'the row has 1 cells but the header has 2'
    """
    counter = _LineCounter(stream)
    reader = csv.reader(counter)
    if header is None:
        first = next(reader, None)
        if first is None:
            return
        names = list(first)
        offset = 0
    else:
        names = list(header)
        offset = 1  # the header line was read before
    consumed = offset + counter.lines
    width = len(names)
    for cells in reader:
        start = consumed + 1
        consumed = offset + counter.lines
        if not cells or (len(cells) == 1 and cells[0] == "" and width != 1):
            continue
        if restore_quotes:
            cells = [restore(c) for c in cells]
        if len(cells) != width:
            raw = {names[i] if i < width else f"#{i + 1}": c for i, c in enumerate(cells)}
            problem = Problem(
                "", message=f"the row has {len(cells)} cells but the header has {width}"
            )
            yield SourceRow(start, raw, (problem,))
            continue
        yield SourceRow(start, dict(zip(names, cells, strict=True)))


def read_jsonl(stream: IO[str]) -> Iterator[SourceRow]:
    """Yield the objects of a JSON Lines stream, one per non-blank line.

    Examples:
        >>> import io
        >>> from crmkit.adapters.files.source import read_jsonl
        >>> rows = list(read_jsonl(io.StringIO('{"a": 1}\\n\\n[1]\\n{"a": \\n')))
        >>> [(r.line, r.ok) for r in rows]
        [(1, True), (3, False), (4, False)]
        >>> str(rows[1].problems[0])
        'is not a JSON object'
    """
    for number, text in enumerate(stream, start=1):
        if not text.strip():
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            problem = Problem("", message=f"is not valid JSON ({exc.msg} at column {exc.colno})")
            yield SourceRow(number, {"#line": text.rstrip("\n")}, (problem,))
            continue
        if not isinstance(value, dict):
            yield SourceRow(
                number, {"#line": text.rstrip("\n")}, (Problem("", message="is not a JSON object"),)
            )
            continue
        yield SourceRow(number, value)


def write_csv(
    stream: IO[str],
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    *,
    numeric_columns: Collection[str] = (),
) -> int:
    """Write a header and rows; every cell quoted and neutralised. Returns the row count.

    Values that are not text are written with ``str`` (``None`` as an empty cell); columns
    missing from a row are empty; extra keys raise :class:`~crmkit.errors.ValidationError`.

    Examples:
        >>> import io
        >>> from crmkit.adapters.files.source import write_csv
        >>> out = io.StringIO()
        >>> write_csv(out, ["a"], [{"a": "@x"}, {"a": None}])
        2
        >>> out.getvalue()
        '"a"\\n"\\'@x"\\n""\\n'
    """
    writer = csv.writer(stream, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(list(columns))
    numeric = frozenset(numeric_columns)
    known = set(columns)
    count = 0
    for row in rows:
        extra = [k for k in row if k not in known]
        if extra:
            raise ValidationError.single("row", extra, "are columns not in the header")
        cells = []
        for name in columns:
            value = row.get(name)
            text = "" if value is None else str(value)
            cells.append(neutralise(text, numeric=name in numeric))
        writer.writerow(cells)
        count += 1
    return count


def write_jsonl(stream: IO[str], objects: Iterable[Any]) -> int:
    """Write one compact JSON object per line. Returns the line count.

    Examples:
        >>> import io
        >>> from crmkit.adapters.files.source import write_jsonl
        >>> out = io.StringIO()
        >>> write_jsonl(out, [{"a": 1}, {"b": "ö"}])
        2
        >>> out.getvalue()
        '{"a":1}\\n{"b":"ö"}\\n'
    """
    count = 0
    for obj in objects:
        stream.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=str))
        stream.write("\n")
        count += 1
    return count
