"""Qualtrics CSV import: mapping, recoding, labels, and bad rows reported by line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from crmkit.errors import ImportRejectedError, ValidationError
from crmkit.survey import Recode, key_account_survey, read_qualtrics_csv

HEADER = (
    "StartDate,EndDate,Status,Finished,RecordedDate,ResponseId,ExternalReference,"
    "Q4_1,Q8,Q9_4,Q10,Q_comment\n"
    "Start Date,End Date,Response Type,Finished,Recorded Date,Response ID,External Data "
    'Reference,"Hvor fornøyd er dere med ... forstå deres behov",Totalt sett,Fast kontaktperson,'
    "Nye tjenester,Kommentar\n"
    '"{""ImportId"":""startDate""}","{""ImportId"":""endDate""}","{""ImportId"":""status""}",'
    '"{""ImportId"":""finished""}","{""ImportId"":""recordedDate""}",'
    '"{""ImportId"":""_recordId""}","{""ImportId"":""externalDataReference""}",'
    '"{""ImportId"":""QID4_1""}","{""ImportId"":""QID8""}","{""ImportId"":""QID9_4""}",'
    '"{""ImportId"":""QID10""}","{""ImportId"":""QID11_TEXT""}"\n'
)
ROWS = (
    "2019-04-01 10:00:00,2019-04-01 10:05:00,0,1,2019-04-01 10:05:01,R_a,acc-1,8,7,Enig,Ja,fine\n"
    '2019-04-01 11:00:00,2019-04-01 11:05:00,0,1,2019-04-01 11:05:01,R_b,acc-2,5,6,4,Kanskje,"two\nlines"\n'
    "2019-04-01 12:00:00,2019-04-01 12:05:00,0,1,2019-04-01 12:05:01,R_c,acc-3,9,7,4,1,\n"
    "2019-04-01 13:00:00,2019-04-01 13:05:00,0,1,2019-04-01 13:05:01,,acc-4,5,5,4,1,\n"
    "2019-04-01 14:00:00,2019-04-01 14:05:00,0,1,2019-04-01 14:05:01,R_a,acc-5,5,5,4,1,\n"
    "2019-04-01 15:00:00,2019-04-01 15:05:00,0,0,2019-04-01 15:05:01,R_f,acc-6,x,5,4,1,\n"
    "2019-04-01 16:00:00,2019-04-01 16:05:00,0,1,2019-04-01 16:05:01,R_g,,,,,,\n"
    "short,row\n"
)
COLUMNS = {"Q4_1": "q03", "Q8": "q07", "Q9_4": "q12", "Q10": "q13"}


def _read(**kwargs: object):  # type: ignore[no-untyped-def]
    return read_qualtrics_csv(
        io.StringIO(HEADER + ROWS),
        key_account_survey(),
        columns=COLUMNS,
        recode={"q03": Recode(offset=-1)},
        **kwargs,  # type: ignore[arg-type]
    )


def test_good_rows_are_imported_and_linked_to_accounts() -> None:
    result = _read()
    ids = [r.respondent_id for r in result.responses]
    assert ids == ["R_a", "R_b", "R_g"]
    a = result.responses[0]
    assert a.account_id == "acc-1"
    assert a.answers == {"q03": 7, "q07": 7, "q12": 4, "q13": 1}  # labels → option numbers
    assert a.submitted_at is not None
    assert a.submitted_at.tzinfo is not None
    assert result.responses[1].answers["q13"] == 2
    assert result.responses[2].answers == {"q03": None, "q07": None, "q12": None, "q13": None}
    assert result.responses[2].account_id is None


def test_bad_rows_are_reported_with_physical_line_and_reason() -> None:
    result = _read(finished_column="Finished")
    rejects = {r.line: r.reason for r in result.rejects}
    # R_b's comment spans lines 5–6, so R_c starts on line 7
    assert set(rejects) == {7, 8, 9, 10, 12}
    assert "q03: 8 is outside the answer scale 1–7 (column Q4_1)" in rejects[7]
    assert rejects[8] == "ResponseId is empty"
    assert "repeats line 4" in rejects[9]
    assert "neither a number nor a label" in rejects[10]
    assert "unfinished" in rejects[10]
    assert "cells" in rejects[12]
    assert not result.ok


def test_all_or_nothing_raises_with_every_reject(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("\ufeff" + HEADER + ROWS, encoding="utf-8")
    with pytest.raises(ImportRejectedError) as info:
        read_qualtrics_csv(
            path, key_account_survey(), columns=COLUMNS,
            recode={"q03": Recode(offset=-1)}, on_error="raise",
        )  # fmt: skip
    assert len(info.value.rejects) == 5


def test_default_mapping_by_question_key(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("ResponseId,q07,q09\nR1,6,4\nR2,7,5\n", encoding="utf-8")
    result = read_qualtrics_csv(path, key_account_survey())
    assert [r.answers for r in result.responses] == [{"q07": 6, "q09": 4}, {"q07": 7, "q09": 5}]


def test_header_problems_raise_validation_error() -> None:
    with pytest.raises(ValidationError) as info:
        read_qualtrics_csv(
            io.StringIO("Id,Q1\n1,2\n"), key_account_survey(), columns={"Q1": "q99", "Q2": "q07"}
        )
    assert set(info.value.paths) == {"columns", "columns.Q1", "columns.Q2"}
    with pytest.raises(ValidationError, match="empty"):
        read_qualtrics_csv(io.StringIO(""), key_account_survey())
