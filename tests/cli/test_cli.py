"""The crmkit command: version, errors as messages, and python -m crmkit."""

from __future__ import annotations

import subprocess
import sys

import pytest

from crmkit.cli import main


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["version"]) == 0
    assert capsys.readouterr().out.strip() == "crmkit 0.1.0"


def test_unknown_demo_section_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    # issue #11: errors go to standard error (they went to standard output before)
    assert main(["demo", "--only", "nope", "--plain"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "crmkit: demo: argument --only: invalid choice: 'nope'" in captured.err
    assert "lifetime_value" in captured.err


def test_python_dash_m_runs_the_command() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "crmkit", "version"], check=True, capture_output=True, text=True
    )
    assert out.stdout.strip() == "crmkit 0.1.0"
