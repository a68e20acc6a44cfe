"""docs/guides/cli.md runs: every ```bash block of the page, in order, in an empty folder.

Each block must exit with status 0, write no traceback, and print every line of the
```text block that follows it (whitespace-insensitive; ``…`` matches anything, a line of
``...`` is skipped).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[2] / "docs" / "guides" / "cli.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _steps() -> list[tuple[str, list[str]]]:
    """(bash block, expected lines of the text block right after it)."""
    blocks = [(m.group(1), m.group(2)) for m in FENCE.finditer(PAGE.read_text("utf-8"))]
    steps: list[tuple[str, list[str]]] = []
    for i, (lang, body) in enumerate(blocks):
        if lang != "bash":
            continue
        expected: list[str] = []
        if i + 1 < len(blocks) and blocks[i + 1][0] == "text":
            expected = [
                line for line in blocks[i + 1][1].splitlines() if line.strip() not in ("", "...")
            ]
        steps.append((body, expected))
    return steps


def _pattern(line: str) -> re.Pattern[str]:
    parts = [re.escape(part) for part in " ".join(line.split()).split("…")]
    return re.compile(".*?".join(parts).replace(r"\ ", r"\s+"))


def _normal(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines()]


def test_the_page_has_the_whole_walkthrough() -> None:
    commands = "\n".join(body for body, _ in _steps())
    for needed in (
        "crmkit dataset",
        "crmkit import",
        "crmkit segment",
        "crmkit rfm",
        "crmkit clv fit",
        "crmkit clv predict",
        "crmkit export",
        "crmkit score leads",
    ):
        assert needed in commands


@pytest.mark.slow
def test_every_command_of_the_walkthrough_runs(tmp_path: Path) -> None:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.pop("CRMKIT_DEBUG", None)
    steps = _steps()
    assert len(steps) >= 8
    for body, expected in steps:
        done = subprocess.run(
            ["bash", "-e", "-c", body],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, f"{body}\nexit {done.returncode}\n{done.stderr}"
        assert "Traceback" not in done.stderr, done.stderr
        out = _normal(done.stdout)
        for line in expected:
            pattern = _pattern(line)
            assert any(pattern.search(have) for have in out), (
                f"{body}\nexpected a line like {line!r} in:\n{done.stdout}"
            )
        if "missing.csv" in body:
            assert done.stderr == "crmkit: missing.csv: file not found\n"
    # the files the walkthrough promises exist and hold every customer
    assert (tmp_path / "crm.db").is_file()
    assert (tmp_path / "clv.json").is_file()
    segments = (tmp_path / "segments.csv").read_text("utf-8").splitlines()
    assert segments[0] == '"customer_id","account","remote_id","segment","value"'
    assert len(segments) == 1 + 146
