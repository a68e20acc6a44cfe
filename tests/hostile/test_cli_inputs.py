"""Hostile input to the crmkit command: every user error is one ``crmkit: ...`` message on
standard error and exit status 2 — never a traceback, never a silently wrong result."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from crmkit.cli import main

Write = Callable[[Path], Path]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _user_error(code: int, err: str, *fragments: str) -> None:
    assert code == 2, err
    assert err.startswith("crmkit: "), err
    assert all(line.startswith(("crmkit: ", "usage: ", " ")) for line in err.splitlines()), err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, err


# ----------------------------------------------------------------------- workbook files
def _text(content: str | bytes, name: str = "wb.json") -> Write:
    def write(folder: Path) -> Path:
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write


def _folder(folder: Path) -> Path:
    (folder / "wb.json").mkdir()
    return folder / "wb.json"


def _missing(folder: Path) -> Path:
    return folder / "wb.json"


def _under_a_file(folder: Path) -> Path:
    (folder / "plain").write_text("x", encoding="utf-8")
    return folder / "plain" / "wb.json"


WORKBOOKS: dict[str, tuple[Write, tuple[str, ...]]] = {
    "missing file": (_missing, ("wb.json: file not found",)),
    "a directory": (_folder, ("wb.json: is a directory, not a file",)),
    "a path through a file": (_under_a_file, ("a part of the path is not a directory",)),
    "not a workbook object": (
        _text('{"a": 1}'),
        ("a: is not a workbook field", "not a crmkit workbook"),
    ),
    "empty object": (_text("{}"), ("not a crmkit workbook",)),
    "a list": (_text("[1, 2]"), ("must be a JSON object",)),
    "a string": (_text('"workbook"'), ("must be a JSON object",)),
    "null": (_text("null"), ("must be a JSON object",)),
    "empty file": (_text(""), ("is not valid JSON",)),
    "truncated JSON": (_text('{"answers": {'), ("is not valid JSON", "line 1")),
    "sections not a list": (_text('{"sections": 3}'), ("sections: 3 must be a list",)),
    "section not an object": (_text('{"sections": [7]}'), ("sections[0]: 7 must be an object",)),
    "item without id": (
        _text('{"sections": [{"items": [{"answer": true}]}]}'),
        ("sections[0].items[0].id",),
    ),
    "answers not an object": (_text('{"answers": [1]}'), ("answers: [1] must be an object",)),
    "cover not an object": (
        _text('{"answers": {}, "cover": "x"}'),
        ("cover: 'x' must be an object",),
    ),
    "company not text": (
        _text('{"answers": {}, "cover": {"company": 5}}'),
        ("cover.company: 5 must be text",),
    ),
    "seven participants": (
        _text(json.dumps({"answers": {}, "cover": {"participants": list("abcdefg")}})),
        ("cover.participants: 7", "six slots"),
    ),
    "wrong workbook id": (_text('{"workbook": "other", "answers": {}}'), ("workbook: 'other'",)),
    "unknown item": (_text('{"answers": {"s99.nope": true}}'), ("answers.s99.nope",)),
    "wrong answer type": (
        _text('{"answers": {"s05.profit.profitable": 120}}'),
        ("answers.s05.profit.profitable: 120",),
    ),
    "NaN answer": (
        _text('{"answers": {"s05.profit.profitable": NaN}}'),
        ("answers.s05.profit.profitable",),
    ),
    "bad date": (_text('{"answers": {}, "cover": {"date": "soon"}}'), ("cover.date: 'soon'",)),
    "Latin-1 text": (_text(b'{"answers": {}, "cover": {"company": "Caf\xe9"}}'), ("not UTF-8",)),
    "UTF-16 text": (_text('{"answers": {}}'.encode("utf-16")), ("not UTF-8",)),
    "binary garbage": (_text(bytes(range(256))), ("wb.json",)),
    "nested too deeply": (_text("[" * 200_000 + "]" * 200_000), ("nested too deeply",)),
}


@pytest.mark.parametrize("case", sorted(WORKBOOKS))
def test_assess_refuses_a_bad_workbook_with_a_message(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write, fragments = WORKBOOKS[case]
    path = write(tmp_path)
    code, out, err = _run(capsys, "assess", str(path))
    _user_error(code, err, *fragments)
    assert out == ""


def test_a_utf8_workbook_with_a_byte_order_mark_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "wb.json"
    path.write_bytes('{"answers": {"s04.market_leader": "ja"}}'.encode("utf-8-sig"))
    code, out, err = _run(capsys, "assess", str(path))
    assert (code, err) == (0, "")
    assert "Situation analysis: 1/16 yes" in out


# ----------------------------------------------------------------------- transaction files
GOOD_CSV = "account_id,ordered_at,total\na,2024-05-01,10\nb,2024-01-01,99\n"

TRANSACTIONS: dict[str, tuple[str | bytes, tuple[str, ...]]] = {
    "missing columns": (
        "customer,day,amount\na,2024-05-01,10\n",
        ("'account_id' is not a column", "the file has: customer, day, amount"),
    ),
    "empty file": ("", ("'account_id' is not a column", "no columns")),
    "header only": ("account_id,ordered_at,total\n", ("no purchases to analyse",)),
    "bad date": (
        "account_id,ordered_at,total\na,yesterday,10\n",
        ("t.csv:2: ordered_at: 'yesterday'",),
    ),
    "impossible date": ("account_id,ordered_at,total\na,2024-02-30,10\n", ("t.csv:2: ordered_at",)),
    "text amount": (
        "account_id,ordered_at,total\na,2024-05-01,ten\n",
        ("t.csv:2: total: 'ten' is not a number",),
    ),
    "NaN amount": (
        "account_id,ordered_at,total\na,2024-05-01,NaN\n",
        ("t.csv:2: total: 'NaN' is not a finite number",),
    ),
    "infinite amount": (
        "account_id,ordered_at,total\na,2024-05-01,-Infinity\n",
        ("not a finite number",),
    ),
    "empty customer": (
        "account_id,ordered_at,total\n,2024-05-01,10\n",
        ("t.csv:2: account_id: '' is empty",),
    ),
    "ragged row": (
        "account_id,ordered_at,total\na,2024-05-01,10,extra\n",
        ("t.csv:2", "more cells than the header"),
    ),
    "short row": ("account_id,ordered_at,total\na,2024-05-01\n", ("t.csv:2: total: None",)),
    "Latin-1 file": (
        b"account_id,ordered_at,total\nCaf\xe9,2024-05-01,10\n",
        ("t.csv", "not valid utf-8"),
    ),
    "NUL byte in a date": (
        "account_id,ordered_at,total\na,2024-05-01\x00,10\n",
        ("t.csv:2: ordered_at: '2024-05-01\\x00'",),
    ),
}


@pytest.mark.parametrize("case", sorted(TRANSACTIONS))
@pytest.mark.parametrize("command", [["rfm"], ["segment"], ["clv", "fit", "--model", "m.json"]])
def test_analyses_refuse_bad_transaction_files(
    case: str, command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content, fragments = TRANSACTIONS[case]
    path = tmp_path / "t.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    argv = [a if a != "m.json" else str(tmp_path / "m.json") for a in command]
    code, _, err = _run(capsys, *argv, "--input", str(path))
    _user_error(code, err, *fragments)
    assert not (tmp_path / "m.json").exists()


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["rfm", "--input", "{tmp}/nope.csv"], "nope.csv: file not found"),
        (["rfm", "--input", "{tmp}"], "is a directory, not a file"),
        (["rfm", "--input", "{tmp}/t.parquet"], "is not a Parquet file"),
        (["rfm", "--input", "{tmp}/folder.parquet"], "folder.parquet: is a directory"),
        (["segment", "--store", "sqlite:///{tmp}/none.db"], "none.db: no such store"),
        (["rfm", "--store", "nosuch://x"], "no crmkit adapter for scheme 'nosuch'"),
        (["rfm", "--input", "{tmp}/t.csv", "--format", "csv"], "--format csv needs --output FILE"),
        (["rfm", "--as-of", "2024-13-01"], "argument --as-of: invalid fromisoformat value"),
        (["segment", "--by", "colour"], "argument --by: invalid choice: 'colour'"),
        (["rfm", "--input", "{tmp}/t.csv", "-o", "x.xlsx"], "x.xlsx: cannot tell the format"),
        (
            ["rfm", "--input", "{tmp}/t.csv", "-o", "x.csv", "--format", "table"],
            "leave out --output",
        ),
        (["rfm", "--limit", "-1"], "argument --limit: '-1' is not a whole number of 0 or more"),
        (["assess", "{tmp}/wb.json", "--top", "x"], "argument --top: 'x' is not a whole number"),
        (["dataset", "--output", "{tmp}/d", "--accounts", "0"], "n_accounts: 0 must be"),
        (
            [
                "clv",
                "predict",
                "--model",
                "{tmp}/m.json",
                "--months",
                "-3",
                "--input",
                "{tmp}/t.csv",
            ],
            "months: -3",
        ),
        (
            ["rfm", "--bins", "0", "--input", "{tmp}/t.csv"],
            "bins: 0 must be a whole number of 1 or more",
        ),
        (
            ["clv", "predict", "--model", "{tmp}/nope.json", "--input", "{tmp}/t.csv"],
            "nope.json: file not found",
        ),
        (
            ["clv", "predict", "--model", "{tmp}/t.csv", "--input", "{tmp}/t.csv"],
            "t.csv: is not valid JSON",
        ),
        (
            ["clv", "predict", "--model", "{tmp}/wb.json", "--input", "{tmp}/t.csv"],
            "is not a crmkit CLV model file",
        ),
        (
            ["clv", "predict", "--model", "{tmp}/bad-model.json", "--input", "{tmp}/t.csv"],
            "purchases.BetaGeo.params.r: -1 must be a positive number",
        ),
        (
            ["score", "leads", "--model", "{tmp}/wb.json", "--input", "{tmp}/t.csv"],
            "criteria: is missing",
        ),
        (
            ["score", "leads", "--model", "{tmp}/bad-leads.json", "--input", "{tmp}/t.csv"],
            "criteria[0].op: '=~' is not an operator",
        ),
        (
            ["import", "{tmp}/t.csv", "--object", "unicorns"],
            "--object: 'unicorns' is not a crmkit object",
        ),
        (
            ["import", "{tmp}/t.csv", "--format", "hubspot", "--object", "tickets"],
            "is not a hubspot object",
        ),
        (
            ["import", "{tmp}/t.csv", "--object", "accounts", "--store", "sqlite:///{tmp}/s.db"],
            "t.csv: header: 'account_id' is not a column of Account",
        ),
        (
            ["import", "{tmp}/t.csv", "--object", "orders", "--encoding", "klingon"],
            "encoding: 'klingon' is not a text encoding",
        ),
        (["import", "{tmp}", "--object", "accounts"], "is a directory, not a file"),
        (
            ["import", "{tmp}/wb.json", "--object", "accounts", "--store", "sqlite:///{tmp}/t.csv"],
            "t.csv is not a crmkit SQL database",
        ),
        (
            ["import", "{tmp}/t.jsonl", "--format", "hubspot", "--object", "deals"],
            "JSON Lines is crmkit's own format only",
        ),
        (
            ["import", "{tmp}/nope.csv", "--object", "accounts", "--store", "sqlite:///{tmp}/s.db"],
            "nope.csv: file not found",
        ),
        (
            [
                "import",
                "{tmp}/t.csv",
                "--object",
                "orders",
                "--rejects",
                "{tmp}/t.csv",
                "--store",
                "sqlite:///{tmp}/s.db",
            ],
            "is the input file",
        ),
        (
            ["export", "{tmp}", "--object", "accounts", "--store", "sqlite:///{tmp}/s.db"],
            "is not a regular file",
        ),
        (
            ["export", "{tmp}/s.db", "--object", "accounts", "--store", "sqlite:///{tmp}/s.db"],
            "is the input file",
        ),
        (
            [
                "export",
                "{tmp}/out.csv",
                "--object",
                "accounts",
                "--store",
                "sqlite:///{tmp}/none.db",
            ],
            "none.db: no such store",
        ),
        (["dataset", "--output", "{tmp}/t.csv"], "t.csv: is a file; --output names a folder"),
        (["demo", "--only", "nope"], "argument --only: invalid choice: 'nope'"),
        (["nosuchcommand"], "invalid choice: 'nosuchcommand'"),
        (["assess"], "the following arguments are required: workbook"),
        (
            ["assess", "{tmp}/wb.json", "--rate", "standards"],
            "--rate: 'standards' must look like element_or_process=score",
        ),
    ],
)
def test_bad_arguments_and_files_are_user_errors(
    argv: list[str],
    fragment: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.csv").write_text(GOOD_CSV, encoding="utf-8")
    (tmp_path / "t.parquet").write_text(GOOD_CSV, encoding="utf-8")
    (tmp_path / "t.jsonl").write_text("{}\n", encoding="utf-8")
    (tmp_path / "folder.parquet").mkdir()
    (tmp_path / "wb.json").write_text('{"answers": {}}', encoding="utf-8")
    (tmp_path / "bad-model.json").write_text(
        json.dumps(
            {
                "crmkit": "clv-model",
                "format": 1,
                "time_unit": "weeks",
                "observation_end": None,
                "purchases": {
                    "model": "BetaGeo",
                    "format": 1,
                    "params": {"r": -1, "alpha": 1, "a": 1, "b": 1},
                },
                "spend": None,
            }
        ),
        encoding="utf-8",
    )
    good = {"model": "BetaGeo", "format": 1, "params": {"r": 1, "alpha": 1, "a": 1, "b": 1}}
    (tmp_path / "m.json").write_text(
        json.dumps({"crmkit": "clv-model", "format": 1, "time_unit": "weeks", "purchases": good}),
        encoding="utf-8",
    )
    (tmp_path / "bad-leads.json").write_text(
        json.dumps(
            {"criteria": [{"name": "x", "field": "a", "op": "=~", "value": 1, "points": 1}]}
        ),
        encoding="utf-8",
    )
    if any("s.db" in a for a in argv):
        assert main(
            [
                "import",
                str(tmp_path / "empty.csv"),
                "--object",
                "accounts",
                "-q",
                "--store",
                f"sqlite:///{tmp_path}/s.db",
            ]
        ) in (0, 2)
        capsys.readouterr()
    code, _, err = _run(capsys, *[a.replace("{tmp}", str(tmp_path)) for a in argv])
    _user_error(code, err, fragment)
    assert (tmp_path / "t.csv").read_text(encoding="utf-8") == GOOD_CSV


def test_an_internal_bug_points_to_the_tracker_without_a_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from crmkit.cli import _data_commands

    def broken(args: object) -> int:
        raise KeyError("oops")

    monkeypatch.delenv("CRMKIT_DEBUG", raising=False)
    monkeypatch.setattr(_data_commands, "run_rfm", broken)
    code, _, err = _run(capsys, "rfm", "--input", str(tmp_path / "t.csv"))
    assert code == 1
    assert err.startswith("crmkit: internal error (KeyError: 'oops')")
    for needed in ("bug in crmkit", "https://", "--debug"):
        assert needed in err
    assert "Traceback" not in err
    with pytest.raises(KeyError):
        main(["--debug", "rfm", "--input", str(tmp_path / "t.csv")])
    monkeypatch.setenv("CRMKIT_DEBUG", "1")
    with pytest.raises(KeyError):
        main(["rfm", "--input", str(tmp_path / "t.csv")])
