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

import codecs
import csv
import json
import re
import sys
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import attrs

from crmkit.adapters.files.conventions import load_json
from crmkit.adapters.files.formula_injection import neutralise, restore
from crmkit.errors import Problem, ValidationError

__all__ = [
    "SourceRow",
    "TextLines",
    "check_encoding",
    "check_header_names",
    "csv_header",
    "read_csv",
    "read_jsonl",
    "write_csv",
    "write_jsonl",
]

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


_LONE_CR = re.compile(r"(?<=\r)(?!\n)")
_BOMS = {
    codecs.BOM_UTF32_LE: "utf-32",
    codecs.BOM_UTF32_BE: "utf-32",
    codecs.BOM_UTF16_LE: "utf-16",
    codecs.BOM_UTF16_BE: "utf-16",
}


class TextLines:
    """The text lines of a binary file, decoded line by line so that one undecodable line
    does not stop the reading.

    A line that is not valid in ``encoding`` is yielded with the bad bytes replaced by
    U+FFFD and recorded in :attr:`bad` (line number → what is wrong), so the row it belongs
    to can be rejected with its line. Line endings are kept (``\\n``, ``\\r\\n`` or a lone
    ``\\r``), as :func:`open` with ``newline=""`` would, which is what :mod:`csv` needs.
    Encodings that are not ASCII-compatible (UTF-16, UTF-32) are decoded as a whole; an
    error there raises :class:`~crmkit.errors.ValidationError` naming the line.

    Examples:
        >>> import io
        >>> from crmkit.adapters.files.source import TextLines
        >>> lines = TextLines(io.BytesIO(b"name\\nK\\xf6ln\\nOslo\\n"), "utf-8")
        >>> list(lines)
        ['name\\n', 'K\ufffdln\\n', 'Oslo\\n']
        >>> lines.bad
        {2: "is not valid utf-8 text (byte 0xf6 at column 2); is the file in another encoding? pass encoding='cp1252' or the file's encoding"}
    """

    def __init__(self, binary: IO[bytes], encoding: str, *, source: str = "") -> None:
        try:
            info = codecs.lookup(encoding)
        except LookupError:
            raise ValidationError.single(
                "encoding", encoding, "is not a text encoding Python knows"
            ) from None
        self._binary = binary
        self._encoding = encoding
        self._name = info.name
        self._source = source
        probe = "utf-8" if info.name == "utf-8-sig" else info.name
        self._ascii = "\n,a".encode(probe, errors="replace") == b"\n,a"
        self.bad: dict[int, str] = {}
        self.lines = 0
        self._lines = self._read()

    def _problem(self, exc: UnicodeDecodeError) -> str:
        byte = exc.object[exc.start : exc.start + 1]
        hint = "pass encoding='cp1252' or the file's encoding"
        if self.lines == 1:
            for bom, name in _BOMS.items():
                if bytes(exc.object).startswith(bom):
                    hint = (
                        f"it starts with a {name.upper()} byte-order mark: pass encoding={name!r}"
                    )
                    break  # UTF-32 is checked first: its LE mark begins like UTF-16's
        return (
            f"is not valid {self._encoding} text (byte 0x{byte.hex()} at column "
            f"{exc.start + 1}); is the file in another encoding? {hint}"
        )

    def __iter__(self) -> TextLines:
        return self

    def __next__(self) -> str:
        return next(self._lines)

    def _read(self) -> Iterator[str]:
        if not self._ascii:
            yield from self._whole()
            return
        base = "utf-8" if self._name == "utf-8-sig" else self._name
        for raw in self._binary:
            self.lines += 1
            name = self._name if self.lines == 1 else base
            try:
                text = raw.decode(name)
            except UnicodeDecodeError as exc:
                self.bad[self.lines] = self._problem(exc)
                text = raw.decode(name, errors="replace")
            parts = [part for part in _LONE_CR.split(text) if part]
            for extra, part in enumerate(parts):
                if extra:
                    self.lines += 1
                yield part

    def _whole(self) -> Iterator[str]:
        decoder = codecs.getincrementaldecoder(self._name)("strict")
        pending = ""
        while True:
            chunk = self._binary.read(1 << 16)
            try:
                pending += decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                line = self.lines + pending.count("\n") + 1
                self.lines = line
                raise ValidationError.single(
                    f"{self._source or 'file'}:{line}", message=self._problem(exc)
                ) from None
            lines = pending.splitlines(keepends=True)
            pending = (
                lines.pop() if lines and chunk and not lines[-1].endswith(("\n", "\r")) else ""
            )
            for line_text in lines:
                self.lines += 1
                yield line_text
            if not chunk:
                if pending:
                    self.lines += 1
                    yield pending
                return


def check_encoding(
    path: str | Path, encoding: str, *, header: bool, max_bad_share: float = 0.01
) -> None:
    """Read the whole file once and refuse it if it is in another encoding than
    ``encoding``, before any row is imported.

    The file is refused — :class:`~crmkit.errors.ValidationError` naming the file, the first
    bad line and the number of bad lines — when its first line (a CSV header) cannot be
    decoded, or when more than one line and more than ``max_bad_share`` (1 %) of the lines
    cannot. Fewer bad lines are a damaged row each: the import rejects them with their line.

    Examples:
        >>> import pathlib, tempfile
        >>> from crmkit.adapters.files.source import check_encoding
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "latin1.csv"
        >>> _ = path.write_bytes("namn\\nK\xf6ln\\nG\xe4vle\\n".encode("latin-1"))
        >>> check_encoding(path, "utf-8", header=True)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: latin1.csv: 2 of 3 lines are not valid utf-8 text, the first is line 2: is not valid utf-8 text (byte 0xf6 at column 2); is the file in another encoding? pass encoding='cp1252' or the file's encoding
    """
    file = Path(path)
    with file.open("rb") as binary:
        lines = TextLines(binary, encoding, source=file.name)
        for _ in lines:
            if header and lines.bad.get(1):
                break
    if not lines.bad:
        return
    first = min(lines.bad)
    refused = (header and first == 1) or (
        len(lines.bad) > 1 and len(lines.bad) > max_bad_share * max(lines.lines, 1)
    )
    if refused:
        count = (
            "its header"
            if header and first == 1
            else f"{len(lines.bad)} of {lines.lines} lines are not valid {encoding} text, the first"
        )
        raise ValidationError.single(
            file.name, message=f"{count} is line {first}: {lines.bad[first]}"
        )


def check_header_names(names: Sequence[str]) -> None:
    """Refuse a CSV header that names a column twice (a reader would keep one of the two
    values and silently drop the other).

    Names are compared without surrounding spaces.

    Examples:
        >>> from crmkit.adapters.files.source import check_header_names
        >>> check_header_names(["name", "employees", "employees"])
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: header: 'employees' is the name of columns 2 and 3; name each column once (one of the values would be lost)
    """
    positions: dict[str, list[int]] = {}
    for index, name in enumerate(names, start=1):
        positions.setdefault(name.strip(), []).append(index)
    problems = [
        Problem(
            "header",
            name,
            "is the name of columns "
            + ", ".join(str(i) for i in where[:-1])
            + f" and {where[-1]}; name each column once (one of the values would be lost)",
        )
        for name, where in positions.items()
        if len(where) > 1
    ]
    if problems:
        raise ValidationError(problems)


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


def csv_header(stream: Iterable[str]) -> list[str]:
    """The header of a CSV stream (the stream is left after the header line); a header
    that names a column twice is refused (:func:`check_header_names`).

    Examples:
        >>> import io
        >>> from crmkit.adapters.files.source import csv_header
        >>> csv_header(io.StringIO("a,b\\n1,2\\n"))
        ['a', 'b']
    """
    names = next(csv.reader(stream), [])
    check_header_names(names)
    return names


def _bad_in(bad: Mapping[int, str], first: int, last: int) -> list[Problem]:
    if not bad:
        return []
    if len(bad) < last - first + 1:
        numbers = sorted(n for n in bad if first <= n <= last)
    else:
        numbers = [n for n in range(first, last + 1) if n in bad]
    return [Problem("", message=f"line {n} {bad[n]}") for n in numbers]


def read_csv(
    stream: Iterable[str],
    *,
    restore_quotes: bool = True,
    header: Sequence[str] | None = None,
    bad_lines: Mapping[int, str] | None = None,
) -> Iterator[SourceRow]:
    """Yield the data rows of a CSV stream with their starting line numbers.

    Args:
        stream: a text stream opened with ``newline=""`` (or a :class:`TextLines`).
        restore_quotes: strip the leading single quote crmkit's writer adds against formula
            injection (keep ``True`` for files crmkit wrote and for vendor exports).
        header: the header if it was already read (then the stream must be after it).
        bad_lines: line number → problem for lines that could not be decoded (a
            :class:`TextLines`'s ``bad``); a row on such a line is yielded with the problem.

    Blank lines are skipped; a row with more or fewer cells than the header is yielded with
    a problem (naming the lines it spans when a quote left open swallowed several). A
    header that names a column twice is refused before any row is read.

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
    bad = bad_lines if bad_lines is not None else getattr(stream, "bad", {})
    if header is None:
        first = next(reader, None)
        if first is None:
            return
        names = list(first)
        offset = 0
    else:
        names = list(header)
        offset = 1  # the header line was read before
    check_header_names(names)
    consumed = offset + counter.lines
    width = len(names)
    while True:
        start = consumed + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            consumed = offset + counter.lines
            problem = Problem("", message=f"cannot be read as CSV ({exc})")
            yield SourceRow(start, {}, (problem, *_bad_in(bad, start, consumed)))
            continue
        consumed = offset + counter.lines
        if not cells or (len(cells) == 1 and cells[0] == "" and width != 1):
            continue
        if restore_quotes:
            cells = [restore(c) for c in cells]
        decoding = _bad_in(bad, start, consumed)
        if len(cells) != width:
            raw = {names[i] if i < width else f"#{i + 1}": c for i, c in enumerate(cells)}
            span = f" (it runs from line {start} to {consumed})" if consumed > start else ""
            problem = Problem(
                "", message=f"the row has {len(cells)} cells but the header has {width}{span}"
            )
            yield SourceRow(start, raw, (problem, *decoding))
            continue
        yield SourceRow(start, dict(zip(names, cells, strict=True)), tuple(decoding))


def read_jsonl(
    stream: Iterable[str], *, bad_lines: Mapping[int, str] | None = None
) -> Iterator[SourceRow]:
    """Yield the objects of a JSON Lines stream, one per non-blank line.

    Each line is parsed with :func:`crmkit.adapters.files.conventions.load_json`: invalid
    JSON, a key given twice, ``NaN``, numbers out of range and deep nesting make that line
    a rejected row, never a failed import. ``bad_lines`` are as for :func:`read_csv`.

    Examples:
        >>> import io
        >>> from crmkit.adapters.files.source import read_jsonl
        >>> rows = list(read_jsonl(io.StringIO('{"a": 1}\\n\\n[1]\\n{"a": \\n')))
        >>> [(r.line, r.ok) for r in rows]
        [(1, True), (3, False), (4, False)]
        >>> str(rows[1].problems[0])
        'is not a JSON object'
    """
    bad = bad_lines if bad_lines is not None else getattr(stream, "bad", {})
    for number, text in enumerate(stream, start=1):
        if not text.strip():
            continue
        line = text.rstrip("\r\n")
        if number in bad:
            yield SourceRow(number, {"#line": line}, (Problem("", message=bad[number]),))
            continue
        try:
            value = load_json(text)
        except ValueError as exc:
            yield SourceRow(number, {"#line": line}, (Problem("", message=str(exc)),))
            continue
        if not isinstance(value, dict):
            yield SourceRow(number, {"#line": line}, (Problem("", message="is not a JSON object"),))
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
