"""Import of a Qualtrics-style CSV export into :class:`~crmkit.survey.Response` objects.

A Qualtrics export has a header row of column names (``ResponseId``, ``RecordedDate``,
``ExternalReference``, ``Q1``, ``Q4_1`` …), then usually a row of question texts and a row of
``{"ImportId": …}`` objects; answers follow. crmkit maps columns to the instrument's
questions, applies recodes (e.g. a 1–7 scale stored as 2–8), accepts numeric answers or the
options' labels, checks each answer against its scale and keeps going: every rejected row is
reported with its line number and reason, and nothing accepted is lost. With
``on_error="raise"`` the import is all-or-nothing and raises
:class:`~crmkit.errors.ImportRejectedError` listing the rejects.

Examples:
    >>> import io
    >>> from crmkit.survey import Recode, key_account_survey, read_qualtrics_csv
    >>> csv_text = (
    ...     "ResponseId,ExternalReference,Q4_1,Q8\\n"
    ...     "Response ID,External reference,Understand needs,Overall\\n"
    ...     '"{""ImportId"":""_recordId""}","{""ImportId"":""ext""}","{""ImportId"":""QID4_1""}","{""ImportId"":""QID8""}"\\n'
    ...     "R_1,acc-1,8,6\\n"
    ...     "R_2,acc-2,9,7\\n")
    >>> result = read_qualtrics_csv(io.StringIO(csv_text), key_account_survey(),
    ...     columns={"Q4_1": "q03", "Q8": "q07"}, recode={"q03": Recode(offset=-1)})
    >>> [(r.respondent_id, r.account_id, r.answers["q03"]) for r in result.responses]
    [('R_1', 'acc-1', 7)]
    >>> print(result.rejects[0])
    line 5: q03: 8 is outside the answer scale 1–7 (column Q4_1)
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, TextIO

import attrs

from crmkit.display import ResultRow
from crmkit.errors import ImportRejectedError, ValidationError
from crmkit.survey.instrument import Instrument
from crmkit.survey.response import Response
from crmkit.survey.scale import Answer, Recode, Scale

__all__ = ["QualtricsImport", "RejectedRow", "read_qualtrics_csv"]


@attrs.frozen
class RejectedRow(ResultRow):
    """A row that was not imported: its physical ``line`` in the file and why.

    Examples:
        >>> from crmkit.survey import RejectedRow
        >>> str(RejectedRow(7, "ResponseId is empty"))
        'line 7: ResponseId is empty'
    """

    line: int
    reason: str
    respondent_id: str | None = None

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@attrs.frozen
class QualtricsImport:
    """The outcome of an import: accepted responses and rejected rows.

    Examples:
        >>> from crmkit.survey import QualtricsImport
        >>> QualtricsImport([], []).ok
        True
    """

    responses: list[Response]
    rejects: list[RejectedRow]

    @property
    def ok(self) -> bool:
        """Whether every row was accepted."""
        return not self.rejects


def _is_import_id_row(row: list[str]) -> bool:
    return any(cell.strip().startswith('{"ImportId"') for cell in row)


def _is_header_extra(row: list[str], id_index: int) -> bool:
    """The question-text row or the ImportId row that follow a Qualtrics header."""
    if _is_import_id_row(row):
        return True
    return len(row) > id_index and row[id_index].strip() in {"Response ID", "ResponseID"}


def _parse_answer(text: str, scale: Scale) -> Answer:
    cell = text.strip()
    if cell == "" or cell.lower() in {"na", "nan", "-99"}:
        return None
    if not scale.is_numeric:
        return cell
    try:
        number = float(cell.replace(",", "."))
    except ValueError:
        folded = cell.casefold()
        for texts in scale.labels.values():
            for i, label in enumerate(texts):
                if label.casefold() == folded and scale.minimum is not None:
                    return scale.minimum + i
        raise ValueError(f"{cell!r} is neither a number nor a label of the scale") from None
    if math.isnan(number) or math.isinf(number):
        raise ValueError(f"{cell!r} is not a finite number")
    return int(number) if number.is_integer() else number


def _parse_time(text: str) -> datetime | None:
    cell = text.strip()
    if not cell:
        return None
    stamp = datetime.fromisoformat(cell.replace("Z", "+00:00"))
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)


def read_qualtrics_csv(
    source: str | Path | TextIO,
    instrument: Instrument,
    *,
    columns: Mapping[str, str] | None = None,
    recode: Mapping[str, Recode] | None = None,
    id_column: str = "ResponseId",
    account_column: str | None = "ExternalReference",
    contact_column: str | None = None,
    date_column: str | None = "RecordedDate",
    finished_column: str | None = None,
    on_error: Literal["skip", "raise"] = "skip",
) -> QualtricsImport:
    """Read a Qualtrics CSV export into responses to ``instrument``.

    Args:
        source: a path, or an open text file.
        columns: export column → question key (default: columns named like a question key).
        recode: per question key, a :class:`~crmkit.survey.Recode` applied before the scale
            check (e.g. ``Recode(offset=-1)`` for 1–7 stored as 2–8).
        id_column: the respondent id column (required, unique).
        account_column / contact_column: columns linking a response to a CRM account or
            contact (``None`` to skip; an absent column is ignored).
        date_column: the submission time column (ISO format; naive times are taken as UTC).
        finished_column: if given, rows whose value is not true/1 are rejected as unfinished.
        on_error: ``"skip"`` keeps the good rows and lists the rejects; ``"raise"`` raises
            :class:`~crmkit.errors.ImportRejectedError` if any row is rejected.

    Raises:
        ValidationError: the header lacks ``id_column`` or a mapped column, or a mapping
            names an unknown question.
        ImportRejectedError: with ``on_error="raise"``, when a row was rejected.
    """
    if on_error not in ("skip", "raise"):
        raise ValidationError.single("on_error", on_error, "must be 'skip' or 'raise'")
    if isinstance(source, str | Path):
        with open(source, encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
    else:
        text = source.read()
        if text.startswith("\ufeff"):
            text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ValidationError.single("source", "", "is empty; expected a header row") from None
    header = [h.strip() for h in header]
    position = {name: i for i, name in enumerate(header)}
    question_keys = {q.key for q in instrument.questions}
    mapping = (
        dict(columns)
        if columns is not None
        else {name: name for name in header if name in question_keys}
    )
    problems = []
    if id_column not in position:
        problems.append(ValidationError.single("columns", id_column, "is not in the header"))
    for column, key in mapping.items():
        if column not in position:
            problems.append(
                ValidationError.single(f"columns.{column}", column, "is not in the header")
            )
        if key not in question_keys:
            problems.append(
                ValidationError.single(
                    f"columns.{column}", key, f"is not a question of {instrument.key!r}"
                )
            )
    for key in recode or {}:
        if key not in question_keys:
            problems.append(ValidationError.single(f"recode.{key}", key, "is not a question"))
    if problems:
        raise ValidationError.collect(problems)
    rules = dict(recode or {})
    responses: list[Response] = []
    rejects: list[RejectedRow] = []
    seen: dict[str, int] = {}
    line = reader.line_num
    for row in reader:
        start_line, line = line + 1, reader.line_num
        if start_line <= 3 and _is_header_extra(row, position[id_column]):
            continue
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            rejects.append(
                RejectedRow(start_line, f"has {len(row)} cells but the header has {len(header)}")
            )
            continue
        respondent = row[position[id_column]].strip()
        if not respondent:
            rejects.append(RejectedRow(start_line, f"{id_column} is empty"))
            continue
        if respondent in seen:
            rejects.append(
                RejectedRow(
                    start_line,
                    f"{id_column} {respondent!r} repeats line {seen[respondent]}",
                    respondent,
                )
            )
            continue
        reasons: list[str] = []
        answers: dict[str, Answer] = {}
        for column, key in mapping.items():
            scale = instrument.question(key).scale
            try:
                value = _parse_answer(row[position[column]], scale)
            except ValueError as err:
                reasons.append(f"{key}: {err} (column {column})")
                continue
            if key in rules:
                value = rules[key].apply(value)
            problem = scale.problem(value)
            if problem is not None:
                reasons.append(f"{key}: {value!r} {problem} (column {column})")
                continue
            answers[key] = value
        if finished_column is not None and finished_column in position:
            flag = row[position[finished_column]].strip().lower()
            if flag not in {"1", "true"}:
                reasons.append(f"{finished_column} is {flag!r}: the response is unfinished")
        submitted = None
        if date_column is not None and date_column in position:
            try:
                submitted = _parse_time(row[position[date_column]])
            except ValueError:
                reasons.append(f"{date_column} {row[position[date_column]]!r} is not a date")

        def cell(name: str | None, row: list[str] = row) -> str | None:
            if name is None or name not in position:
                return None
            return row[position[name]].strip() or None

        if reasons:
            rejects.append(RejectedRow(start_line, "; ".join(reasons), respondent))
            continue
        responses.append(
            Response(
                respondent_id=respondent,
                answers=answers,
                account_id=cell(account_column),
                contact_id=cell(contact_column),
                instrument_key=instrument.key,
                submitted_at=submitted,
            )
        )
        seen[respondent] = start_line
    if rejects and on_error == "raise":
        raise ImportRejectedError(
            f"{len(rejects)} row(s) rejected; nothing imported: "
            + "; ".join(str(r) for r in rejects[:3]),
            rejects=rejects,
        )
    return QualtricsImport(responses=responses, rejects=rejects)
