"""What the data subcommands share: the store option, reading tables, writing results.

Every data command works on the embedded SQLite store ``crm.db`` in the current folder by
default (``--store URL`` for another store, e.g. ``postgresql+psycopg://...``). Tables are
read from CSV (UTF-8) or Parquet files and results go to a CSV or Parquet file (``--output``,
written atomically and never over an input) or to the terminal as a table.

Examples:
    >>> from crmkit.cli._common import DEFAULT_STORE, store_file
    >>> DEFAULT_STORE
    'sqlite:///crm.db'
    >>> store_file("sqlite:///data/crm.db").as_posix(), store_file("memory://")
    ('data/crm.db', None)
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import sys
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import attrs

from crmkit.cli._console import Console
from crmkit.cli.guard import reading
from crmkit.errors import CrmkitError, NotFoundError, Problem, ValidationError
from crmkit.extras import require
from crmkit.progress import ProgressOption, bar, lines

__all__ = [
    "DEFAULT_STORE",
    "PROGRESS_THRESHOLD",
    "TABLE_FORMATS",
    "add_output_arguments",
    "add_progress_argument",
    "add_store_argument",
    "as_rows",
    "command_progress",
    "count",
    "existing_store",
    "output_format",
    "parse_amount",
    "parse_day",
    "read_json",
    "read_table",
    "require_columns",
    "store_file",
    "wants_progress",
    "write_rows",
]

#: The store every data command uses unless ``--store`` names another.
DEFAULT_STORE = "sqlite:///crm.db"
#: Formats of ``--output`` files (``table`` prints to the terminal).
TABLE_FORMATS = ("csv", "parquet", "table")
_PARQUET_SUFFIXES = (".parquet", ".pq")


def add_store_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--store URL`` (default :data:`DEFAULT_STORE`)."""
    parser.add_argument(
        "--store",
        default=DEFAULT_STORE,
        metavar="URL",
        help=f"the crmkit store (default {DEFAULT_STORE}: an SQLite file in this folder; "
        "e.g. postgresql+psycopg://user@host/db)",
    )


def add_output_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--output FILE`` and ``--format {csv,parquet,table}``."""
    parser.add_argument(
        "--output",
        "-o",
        type=Path,
        default=None,
        metavar="FILE",
        help="write the result to this CSV or Parquet file (by its suffix; default: print a table)",
    )
    parser.add_argument(
        "--format",
        choices=TABLE_FORMATS,
        default=None,
        help="output format (default: from the --output suffix, a table without --output)",
    )


def count(text: str) -> int:
    """An argparse type: a whole number, zero or more (``--limit``, ``--top``).

    Examples:
        >>> from crmkit.cli._common import count
        >>> count("3")
        3
        >>> count("-1")
        Traceback (most recent call last):
        ...
        argparse.ArgumentTypeError: '-1' is not a whole number of 0 or more
    """
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 0 or more")
    return value


def store_file(url: str) -> Path | None:
    """The file of an SQLite store URL (``None`` for other stores).

    Examples:
        >>> from crmkit.cli._common import store_file
        >>> store_file("sqlite:////tmp/x.db").as_posix()
        '/tmp/x.db'
    """
    for prefix in ("sqlite+pysqlite:///", "sqlite:///"):
        if url.startswith(prefix):
            name = url[len(prefix) :].split("?", 1)[0]
            return Path(name) if name and name != ":memory:" else None
    return None


def existing_store(url: str) -> Any:
    """Open a store that must already hold data (an SQLite file that does not exist is an
    error instead of a new empty database).

    Examples:
        >>> from crmkit.cli._common import existing_store
        >>> existing_store("sqlite:///surely/not/here.db")
        Traceback (most recent call last):
        ...
        crmkit.errors.NotFoundError: surely/not/here.db: no such store; import data first (crmkit import ...) or name one with --store
    """
    from crmkit.adapters import open_store

    path = store_file(url)
    if path is not None and not path.is_file():
        raise NotFoundError(
            f"{path.as_posix()}: no such store; import data first (crmkit import ...) or "
            "name one with --store"
        )
    return open_store(url)


def parse_day(text: Any, where: str) -> dt.date | dt.datetime:
    """A date or ISO datetime cell (``2024-05-01``, ``2024-05-01T10:00:00Z``).

    Examples:
        >>> from crmkit.cli._common import parse_day
        >>> parse_day("2024-05-01", "x"), parse_day("2024-05-01T10:00:00Z", "x").tzinfo
        (datetime.date(2024, 5, 1), datetime.timezone.utc)
        >>> parse_day("yesterday", "orders.csv:2: ordered_at")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: orders.csv:2: ordered_at: 'yesterday' is not an ISO date or date-time (2024-05-01)
    """
    if isinstance(text, dt.datetime | dt.date):
        return text
    if isinstance(text, str):
        value = text.strip()
        try:
            if len(value) == 10:
                return dt.date.fromisoformat(value)
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
    raise ValidationError.single(where, text, "is not an ISO date or date-time (2024-05-01)")


def parse_amount(text: Any, where: str) -> Decimal | int | float:
    """A finite number cell (text, or a number from Parquet).

    Examples:
        >>> from crmkit.cli._common import parse_amount
        >>> parse_amount("12.50", "x")
        Decimal('12.50')
        >>> parse_amount("NaN", "orders.csv:3: total")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: orders.csv:3: total: 'NaN' is not a finite number
    """
    if isinstance(text, bool):
        raise ValidationError.single(where, text, "is not a number")
    if isinstance(text, int | Decimal):
        value: Decimal | int | float = text
    elif isinstance(text, float):
        value = text
    else:
        try:
            value = Decimal(str(text).strip())
        except InvalidOperation:
            raise ValidationError.single(where, text, "is not a number") from None
    if isinstance(value, float | Decimal) and not math.isfinite(value):
        raise ValidationError.single(where, text, "is not a finite number")
    return value


def _format_of(path: Path, given: str | None) -> str:
    if given is not None:
        return given
    return "parquet" if path.suffix.lower() in _PARQUET_SUFFIXES else "csv"


def read_json(path: Path) -> Any:
    """The JSON document in ``path`` (UTF-8, a byte-order mark accepted); errors name the file.

    Examples:
        >>> import pathlib, tempfile
        >>> from crmkit.cli._common import read_json
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "m.json"
        >>> _ = path.write_text('{"a": ')
        >>> read_json(path)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: ...m.json: is not valid JSON (Expecting value at line 1, column 7)
    """
    with reading(path):
        text = Path(path).read_bytes().decode("utf-8-sig")
        try:
            return json.loads(text)
        except RecursionError:
            raise ValidationError.single("", message="is nested too deeply") from None
        except json.JSONDecodeError as exc:
            raise ValidationError.single(
                "",
                message=f"is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})",
            ) from None


def read_table(
    path: Path, *, file_format: str | None = None
) -> tuple[list[str], list[dict[str, Any]]]:
    """The columns and rows of a CSV (UTF-8, byte-order mark accepted) or Parquet file.

    CSV cells stay text; Parquet values keep their types.

    Examples:
        >>> import pathlib, tempfile
        >>> from crmkit.cli._common import read_table
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = path.write_text("a,b\\n1,x\\n", encoding="utf-8")
        >>> read_table(path)
        (['a', 'b'], [{'a': '1', 'b': 'x'}])
    """
    if _format_of(path, file_format) == "parquet":
        pyarrow = require("pyarrow", "frames")
        parquet = require("pyarrow.parquet", "frames")
        # opened here, so a missing file or a folder is the usual OSError naming the path
        with Path(path).open("rb") as raw:
            try:
                table = parquet.read_table(raw)
            except (pyarrow.ArrowException, ValueError) as exc:  # ArrowInvalid: not Parquet
                raise ValidationError.single(
                    str(path), message=f"is not a Parquet file ({exc})"
                ) from None
        return list(table.column_names), table.to_pylist()
    with reading(path), Path(path).open(newline="", encoding="utf-8-sig") as stream:
        reader = csv.DictReader(stream, strict=True)
        try:
            rows = [dict(row) for row in reader]
        except csv.Error as exc:
            raise ValidationError.single(
                f"{path}:{reader.line_num}", message=f"is not valid CSV ({exc})"
            ) from None
        columns = list(reader.fieldnames or [])
    for line, row in enumerate(rows, start=2):
        if None in row:
            raise ValidationError.single(
                f"{path}:{line}", message=f"has more cells than the header ({len(columns)})"
            )
    return columns, rows


def require_columns(path: Path, columns: Sequence[str], needed: Sequence[str]) -> None:
    """Refuse a table that lacks ``needed`` columns, naming the file and the columns it has.

    Examples:
        >>> from pathlib import Path
        >>> from crmkit.cli._common import require_columns
        >>> require_columns(Path("t.csv"), ["a"], ["a", "total"])
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: t.csv: 'total' is not a column; the file has: a
    """
    missing = [name for name in needed if name not in columns]
    if missing:
        have = ", ".join(columns) or "no columns"
        raise ValidationError(
            [Problem(str(path), name, f"is not a column; the file has: {have}") for name in missing]
        )


def output_format(args: argparse.Namespace) -> str:
    """The output format of ``--output`` / ``--format``.

    Examples:
        >>> import argparse
        >>> from pathlib import Path
        >>> from crmkit.cli._common import output_format
        >>> output_format(argparse.Namespace(output=Path("s.parquet"), format=None))
        'parquet'
        >>> output_format(argparse.Namespace(output=None, format=None))
        'table'
        >>> output_format(argparse.Namespace(output=Path("s.xlsx"), format=None))
        Traceback (most recent call last):
        ...
        crmkit.errors.CrmkitError: s.xlsx: cannot tell the format from .xlsx; name a .csv or .parquet file or add --format csv|parquet
    """
    if args.format is not None:
        if args.format != "table" and args.output is None:
            raise CrmkitError(f"--format {args.format} needs --output FILE")
        if args.format == "table" and args.output is not None:
            raise CrmkitError("--format table prints to the terminal; leave out --output")
        return str(args.format)
    if args.output is None:
        return "table"
    suffix = Path(args.output).suffix.lower()
    if suffix not in (".csv", ".txt", *_PARQUET_SUFFIXES):
        raise CrmkitError(
            f"{args.output}: cannot tell the format from {suffix or 'a name without a suffix'}; "
            "name a .csv or .parquet file or add --format csv|parquet"
        )
    return _format_of(args.output, None)


def as_rows(items: Sequence[Any]) -> list[dict[str, Any]]:
    """attrs result rows (or mappings) as plain dicts.

    Examples:
        >>> from crmkit.cli._common import as_rows
        >>> from crmkit.segmentation import RFMRow
        >>> as_rows([RFMRow("a", 3, 2, 100, 5, 4, 3, "champions")])[0]["segment"]
        'champions'
    """
    return [
        dict(item) if isinstance(item, Mapping) else attrs.asdict(item, recurse=False)
        for item in items
    ]


def _is_number(value: Any) -> bool:
    return value is None or (
        isinstance(value, int | float | Decimal) and not isinstance(value, bool)
    )


def _shown(value: Any) -> Any:
    """A value as a terminal table shows it (decimals as numbers with two decimals)."""
    return float(value) if isinstance(value, Decimal) else _cell(value)


def _cell(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return "" if value is None else value


def write_rows(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    *,
    fmt: str,
    output: Path | None,
    inputs: Sequence[Path | None] = (),
    title: str = "",
    console: Console | None = None,
    limit: int | None = None,
) -> None:
    """Write ``rows`` as CSV or Parquet to ``output`` (atomically, never over ``inputs``) or
    print them as a table (at most ``limit`` rows, with a note of the rest).

    Examples:
        >>> from crmkit.cli._common import write_rows
        >>> from crmkit.cli._console import Console
        >>> write_rows([{"a": 1, "b": 2.5}], ["a", "b"], fmt="table", output=None,
        ...            title="T", console=Console(plain=True))
        T
        a     b
        -  ----
        1  2.50
        <BLANKLINE>
    """
    from crmkit.adapters.files.output import atomic_output
    from crmkit.adapters.files.source import write_csv

    if fmt == "table" or output is None:
        shown = rows if limit is None else rows[:limit]
        (console or Console(plain=True)).table(
            title, list(columns), [[_shown(row.get(c)) for c in columns] for row in shown]
        )
        if len(shown) < len(rows):
            print(f"... and {len(rows) - len(shown)} more rows (write them all with --output)")
        return
    if fmt == "parquet":
        pyarrow = require("pyarrow", "frames")
        parquet = require("pyarrow.parquet", "frames")
        table = (
            pyarrow.Table.from_pylist([{c: row.get(c) for c in columns} for row in rows])
            if rows
            else pyarrow.table({c: [] for c in columns})
        )
        with atomic_output(output, inputs=inputs, binary=True) as raw:
            parquet.write_table(table, raw)
        return
    numeric = [c for c in columns if rows and all(_is_number(row.get(c)) for row in rows)]
    with atomic_output(output, inputs=inputs, newline="") as stream:
        write_csv(
            stream,
            columns,
            ({c: _cell(row.get(c)) for c in columns} for row in rows),
            numeric_columns=numeric,
        )


#: Inputs of at least this many rows (customers, entities) show progress on a terminal.
PROGRESS_THRESHOLD = 10_000


def add_progress_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--progress`` / ``--no-progress`` (default: on a terminal, for large inputs)."""
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show progress on standard error (default: on a terminal, for inputs of "
        f"{PROGRESS_THRESHOLD:,} rows or more; a bar on a terminal, lines elsewhere)",
    )


def wants_progress(args: argparse.Namespace) -> bool | None:
    """``True``/``False`` when ``--progress``/``--no-progress`` (or ``--quiet``) decided,
    ``None`` when it depends on the terminal and the input's size.

    Examples:
        >>> import argparse
        >>> from crmkit.cli._common import wants_progress
        >>> wants_progress(argparse.Namespace(progress=None, quiet=True))
        False
    """
    if getattr(args, "quiet", False):
        return False
    wanted = getattr(args, "progress", None)
    if wanted is None and not sys.stderr.isatty():
        return False
    return None if wanted is None else bool(wanted)


def command_progress(args: argparse.Namespace, description: str, size: int) -> ProgressOption:
    """The ``progress`` option of a command's library call for an input of ``size`` rows.

    Off with ``--no-progress``/``--quiet``; on with ``--progress``; otherwise on only when
    standard error is a terminal and ``size`` reaches :data:`PROGRESS_THRESHOLD`. A terminal
    gets a rich bar, anything else a line at every tenth (:func:`crmkit.progress.lines`).

    Examples:
        >>> import argparse
        >>> from crmkit.cli._common import command_progress
        >>> command_progress(argparse.Namespace(progress=False), "orders.csv", 10**6) is None
        True
    """
    wanted = wants_progress(args)
    if wanted is False or (wanted is None and size < PROGRESS_THRESHOLD):
        return None
    return bar(description) if sys.stderr.isatty() else lines(description)
