"""Rejected rows: what was wrong with a row of an import file, and the rejects file.

Every problem of a rejected row becomes one :class:`Reject` (line number, field, offending
value, reason). :class:`RejectsWriter` streams them to a CSV file with the columns
``line, field, value, reason, record`` — ``record`` holds the raw row as JSON so it can be
fixed and imported again. Cells are neutralised against formula injection like every crmkit
CSV.

Examples:
    >>> import io
    >>> from crmkit.adapters.files.rejects import Reject, RejectsWriter
    >>> out = io.StringIO()
    >>> writer = RejectsWriter(out)
    >>> writer.write(Reject(7, "employees", "many", "is not a whole number", {"name": "X"}))
    >>> print(out.getvalue().strip())
    "line","field","value","reason","record"
    "7","employees","many","is not a whole number","{""name"":""X""}"
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import attrs

from crmkit.adapters.files.formula_injection import neutralise

__all__ = ["REJECT_COLUMNS", "Reject", "RejectsWriter", "read_rejects"]

#: The header of a rejects file.
REJECT_COLUMNS: tuple[str, ...] = ("line", "field", "value", "reason", "record")


@attrs.frozen
class Reject:
    """One problem of one rejected row.

    Args:
        line: the line number in the source file where the row starts (the CSV header is
            line 1, so the first data row is line 2; JSON Lines count from 1).
        field: the column or field path at fault (``""`` for the row as a whole).
        value: the offending text (``None`` when the field is missing).
        reason: a sentence saying what is wrong.
        record: the raw row as read.

    Examples:
        >>> from crmkit.adapters.files.rejects import Reject
        >>> str(Reject(3, "amount.currency", "SEKK", "is not an ISO 4217 currency code"))
        "line 3: amount.currency: 'SEKK' is not an ISO 4217 currency code"
    """

    line: int
    field: str
    value: Any
    reason: str
    record: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        what = f"{self.value!r} " if self.value is not None else ""
        return f"line {self.line}: {where}{what}{self.reason}"

    def as_row(self) -> dict[str, str]:
        """The reject as a rejects-file row (all text).

        Examples:
            >>> from crmkit.adapters.files.rejects import Reject
            >>> Reject(2, "", None, "has 3 cells, the header 4").as_row()["value"]
            ''
        """
        value = "" if self.value is None else str(self.value)
        record = json.dumps(
            dict(self.record), ensure_ascii=False, default=str, separators=(",", ":")
        )
        return {
            "line": str(self.line),
            "field": self.field,
            "value": value,
            "reason": self.reason,
            "record": record,
        }


class RejectsWriter:
    """Streams :class:`Reject` entries to a CSV text stream (header written first).

    Examples:
        >>> import io
        >>> from crmkit.adapters.files.rejects import Reject, RejectsWriter
        >>> buffer = io.StringIO()
        >>> writer = RejectsWriter(buffer)
        >>> writer.write(Reject(4, "name", None, "is required"))
        >>> writer.count
        1
    """

    def __init__(self, stream: IO[str]) -> None:
        self._writer = csv.DictWriter(
            stream, fieldnames=list(REJECT_COLUMNS), quoting=csv.QUOTE_ALL, lineterminator="\n"
        )
        self._writer.writeheader()
        self.count = 0

    def write(self, reject: Reject) -> None:
        """Append one reject.

        Examples:
            >>> import io
            >>> from crmkit.adapters.files.rejects import Reject, RejectsWriter
            >>> w = RejectsWriter(io.StringIO())
            >>> w.write(Reject(9, "email", "=cmd", "is not an e-mail address"))
            >>> w.count
            1
        """
        row = reject.as_row()
        self._writer.writerow({k: neutralise(v, numeric=k == "line") for k, v in row.items()})
        self.count += 1


def read_rejects(path: str | Path) -> Iterator[Reject]:
    """Read a rejects file written by :class:`RejectsWriter` back into :class:`Reject` entries.

    Examples:
        >>> import tempfile, pathlib
        >>> from crmkit.adapters.files.rejects import Reject, RejectsWriter, read_rejects
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "rejects.csv"
        >>> with path.open("w", newline="", encoding="utf-8") as fh:
        ...     RejectsWriter(fh).write(Reject(5, "name", "-x", "is too short", {"name": "-x"}))
        >>> [str(r) for r in read_rejects(path)]
        ["line 5: name: '-x' is too short"]
    """
    from crmkit.adapters.files.formula_injection import restore
    from crmkit.errors import ValidationError

    try:
        with Path(path).open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in REJECT_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise ValidationError.single(
                    str(path), missing, "are columns a rejects file has and this file lacks"
                )
            for number, row in enumerate(reader, start=2):
                cells = {k: restore(v or "") for k, v in row.items() if isinstance(k, str)}
                try:
                    record = json.loads(cells["record"] or "{}")
                    yield Reject(
                        line=int(cells["line"]),
                        field=cells["field"],
                        value=cells["value"] or None,
                        reason=cells["reason"],
                        record=record if isinstance(record, dict) else {"#record": record},
                    )
                except (ValueError, TypeError):
                    raise ValidationError.single(
                        f"{path}:{number}", cells.get("line"), "is not a rejects-file row"
                    ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError.single(str(path), message=f"cannot be read ({exc})") from None
