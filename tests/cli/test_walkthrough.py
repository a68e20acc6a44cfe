"""docs/guides/cli.md runs: every ```bash block of the page, in order, in an empty folder.

Each block must exit with status 0, write no traceback, and print every line of the
```text block that follows it (whitespace-insensitive; ``…`` matches anything, a line of
``...`` is skipped; fitted numbers with decimals match within 1 %, so a better optimiser
does not break the page).
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


_DECIMAL = re.compile(r"-?\d[\d,]*\.\d+")


def _pattern(line: str) -> re.Pattern[str]:
    """The regex of an expected line; each decimal number is a group (compared in _matches)."""
    out = []
    for piece in re.split(f"({_DECIMAL.pattern}|…)", " ".join(line.split())):
        if piece == "…":
            out.append(".*?")
        elif _DECIMAL.fullmatch(piece):
            out.append(f"({_DECIMAL.pattern})")
        else:
            out.append(re.escape(piece).replace(r"\ ", r"\s+"))
    return re.compile("".join(out))


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _matches(line: str, output: list[str]) -> bool:
    pattern = _pattern(line)
    wanted = [_number(n) for n in _DECIMAL.findall(" ".join(line.split()))]
    for have in output:
        found = pattern.search(have)
        if found and all(
            _number(got) == pytest.approx(want, rel=0.01, abs=0.01)
            for got, want in zip(found.groups(), wanted, strict=True)
        ):
            return True
    return False


def _normal(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines()]


def test_expected_lines_match_numbers_approximately() -> None:
    output = ["Total 12-month CLV: 7,290,000.00 (146 customers)"]
    assert _matches("Total 12-month CLV: 7,284,492.31 (146 customers)", output)
    assert not _matches("Total 12-month CLV: 7,584,492.31 (146 customers)", output)
    assert not _matches("Total 12-month CLV: 7,284,492.31 (147 customers)", output)
    assert _matches("01…   Acme AB   0.99", ["01HXYZ Acme AB 0.991"])


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
            assert _matches(line, out), f"{body}\nexpected a line like {line!r} in:\n{done.stdout}"
        if "missing.csv" in body:
            assert done.stderr == "crmkit: missing.csv: file not found\n"
    # the files the walkthrough promises exist and hold every customer
    assert (tmp_path / "crm.db").is_file()
    assert (tmp_path / "clv.json").is_file()
    segments = (tmp_path / "segments.csv").read_text("utf-8").splitlines()
    assert segments[0] == '"customer_id","account","remote_id","segment","value"'
    assert len(segments) == 1 + 146
