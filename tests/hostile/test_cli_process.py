"""The crmkit command as a process: a closed pipe, a full disk, outputs that would overwrite
inputs, hostile text on the terminal. No case may print a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

FULL = Path("/dev/full")
GOOD_CSV = "account_id,ordered_at,total\na,2024-05-01,10\nb,2024-01-01,99\n"


def _crmkit(
    *argv: str, cwd: Path | None = None, stdout: object = subprocess.PIPE
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CRMKIT_DEBUG"}
    return subprocess.run(
        [sys.executable, "-m", "crmkit", *argv],
        cwd=cwd,
        env=env,
        stdout=stdout,  # type: ignore[arg-type]
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "argv", [["workbook", "template"], ["--help"], ["--version"], ["rfm", "--help"]]
)
def test_a_closed_pipe_ends_the_command_quietly(argv: list[str]) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CRMKIT_DEBUG"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "crmkit", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the first byte, like `| head -0`
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 141
    assert err == b""


def test_piping_a_long_table_into_head_prints_no_error(tmp_path: Path) -> None:
    rows = "".join(f"c{i},2024-0{1 + i % 9}-01,{i}\n" for i in range(3000))
    (tmp_path / "t.csv").write_text("account_id,ordered_at,total\n" + rows, encoding="utf-8")
    done = subprocess.run(
        [
            "bash",
            "-c",
            f"{sys.executable} -m crmkit rfm --input t.csv --limit 100000 | head -2;"
            " echo status ${PIPESTATUS[0]}",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert lines[0].startswith("RFM as of 2024-09-01 (3000 customers")
    assert lines[-1] in ("status 141", "status 0")  # 0 only if it all fit in the pipe


@pytest.mark.parametrize("argv", [["workbook", "template"], ["--version"], ["--help"], ["version"]])
def test_a_full_disk_on_standard_output_is_a_user_error(argv: list[str]) -> None:
    with FULL.open("w") as full:
        done = _crmkit(*argv, stdout=full)
    assert done.returncode == 2
    assert done.stderr == "crmkit: standard output: no space left on the device\n"


def test_an_output_file_on_a_full_device_is_refused(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text(GOOD_CSV, encoding="utf-8")
    done = _crmkit("rfm", "--input", "t.csv", "-o", str(FULL), "--format", "csv", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("crmkit: output: '/dev/full' is not a regular file")
    assert "Traceback" not in done.stderr


def test_report_files_are_written_before_anything_is_printed(tmp_path: Path) -> None:
    (tmp_path / "wb.json").write_text('{"answers": {"s04.market_leader": true}}', "utf-8")
    done = _crmkit("assess", "wb.json", "--markdown", "r.md", "--html", str(FULL), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""  # nothing printed as if it had worked
    assert "'/dev/full' is not a regular file" in done.stderr


@pytest.mark.parametrize("option", ["--html", "--markdown"])
def test_a_report_never_overwrites_the_workbook(tmp_path: Path, option: str) -> None:
    text = '{"answers": {"s04.market_leader": true}}'
    (tmp_path / "wb.json").write_text(text, encoding="utf-8")
    os.link(tmp_path / "wb.json", tmp_path / "alias.json")
    for target in ("wb.json", "./wb.json", "alias.json"):
        done = _crmkit("assess", "wb.json", option, target, cwd=tmp_path)
        assert done.returncode == 2, done.stderr
        assert "is the input file" in done.stderr
        assert (tmp_path / "wb.json").read_text(encoding="utf-8") == text


@pytest.mark.parametrize("command", [["rfm"], ["segment"]])
def test_an_analysis_never_overwrites_its_input(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "t.csv").write_text(GOOD_CSV, encoding="utf-8")
    done = _crmkit(*command, "--input", "t.csv", "--output", "t.csv", cwd=tmp_path)
    assert done.returncode == 2
    assert "is the input file" in done.stderr
    assert (tmp_path / "t.csv").read_text(encoding="utf-8") == GOOD_CSV


def test_terminal_control_characters_in_data_are_not_sent_to_the_terminal(
    tmp_path: Path,
) -> None:
    hostile = "Evil\x1b]0;pwned\x07\x1b[2J Corp"
    (tmp_path / "t.csv").write_text(
        f"account_id,ordered_at,total\n{hostile},2024-05-01,10\n", encoding="utf-8"
    )
    done = _crmkit("rfm", "--input", "t.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout
    assert "\x07" not in done.stdout
    assert "Evil\\x1b]0;pwned\\x07\\x1b[2J Corp" in done.stdout


def test_formulas_in_data_are_neutralised_in_csv_output(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text(
        'account_id,ordered_at,total\n"=HYPERLINK(""http://e.vil"")",2024-05-01,10\n',
        encoding="utf-8",
    )
    done = _crmkit("rfm", "--input", "t.csv", "--output", "out.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    row = (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()[1]
    assert row.startswith("\"'=HYPERLINK(")


def test_a_file_name_with_control_characters_is_shown_escaped(tmp_path: Path) -> None:
    done = _crmkit("assess", "no\x1b[2Jfile.json", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == "crmkit: no\\x1b[2Jfile.json: file not found\n"
