"""Progress in the crmkit command: on a terminal for large inputs, or when asked; never on
standard output."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest

from crmkit.cli import main
from crmkit.datasets import make_b2b

ACCOUNTS = "name,remote_id\n" + "".join(f"Account {i},a-{i}\n" for i in range(50))


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    return tmp_path


def _run(capsys: pytest.CaptureFixture[str], command: str) -> tuple[str, str]:
    code = main(shlex.split(command))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out, err


def _terminal(monkeypatch: pytest.MonkeyPatch, threshold: int) -> None:
    """Standard error is a terminal, and inputs of ``threshold`` rows count as large."""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.setattr("crmkit.cli._common.PROGRESS_THRESHOLD", threshold)


def test_import_and_export_are_quiet_off_a_terminal_unless_asked(folder, capsys):
    out, err = _run(capsys, "import accounts.csv --object accounts")
    assert "50 accepted" in out
    assert err == ""
    out, err = _run(capsys, "export back.csv --object accounts")
    assert out.startswith("Exported 50 accounts")
    assert err == ""


def test_asked_for_off_a_terminal_progress_is_lines_ending_at_the_total(folder, capsys):
    out, err = _run(capsys, "import accounts.csv --object accounts --progress")
    assert "50 accepted" in out
    assert "%" not in out
    lines = err.splitlines()
    assert lines[-1] == "accounts.csv: 50 of 50 (100%)"
    done = [int(line.split(": ")[1].split(" of ")[0]) for line in lines]
    assert done == sorted(done)
    _, err = _run(capsys, "export back.jsonl --object accounts --progress")
    assert err.splitlines()[-1] == "back.jsonl: 50 of 50 (100%)"


def test_no_progress_and_quiet_win_on_a_terminal(folder, capsys, monkeypatch):
    _terminal(monkeypatch, threshold=1)
    _, err = _run(capsys, "import accounts.csv --object accounts --no-progress")
    assert err == ""
    _, err = _run(capsys, "import accounts.csv --object accounts -q")
    assert err == ""


def test_a_terminal_shows_a_bar_for_large_inputs_only(folder, capsys, monkeypatch):
    _terminal(monkeypatch, threshold=1_000)
    _, err = _run(capsys, "import accounts.csv --object accounts")
    assert err == ""  # 50 rows: below the threshold
    _terminal(monkeypatch, threshold=10)
    out, err = _run(capsys, "import accounts.csv --object accounts")
    assert "accounts.csv" in err
    assert "100%" in err
    assert "100%" not in out
    _, err = _run(capsys, "export back.csv --object accounts")
    assert "back.csv" in err
    assert "100%" in err


def test_clv_fit_shows_the_fits_progress(folder, capsys, monkeypatch):
    purchases = make_b2b(seed=7, n_accounts=300).purchases()
    lines = [f"{o.account_id},{o.ordered_at.isoformat()},{o.total.amount}\n" for o in purchases]
    Path("t.csv").write_text("account_id,ordered_at,total\n" + "".join(lines), "utf-8")
    out, err = _run(capsys, "clv fit --input t.csv --model m.json")
    assert err == ""
    out, err = _run(capsys, "clv fit --input t.csv --model m.json --progress")
    assert out.startswith("Fitted BetaGeo and GammaGamma")
    assert "fitting bg-nbd: 2,000 of 2,000 (100%)" in err.splitlines()
    assert f"summarising: {len(lines):,} of {len(lines):,} (100%)" in err.splitlines()
    assert "fitting gamma-gamma: 2,000 of 2,000 (100%)" in err.splitlines()
    _terminal(monkeypatch, threshold=10)
    _, err = _run(capsys, "clv fit --input t.csv --model m.json --no-spend")
    assert "fitting bg-nbd" in err
    assert "100%" in err
