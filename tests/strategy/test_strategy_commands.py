from __future__ import annotations

import json
from pathlib import Path

import pytest

from crmkit.cli import main


def test_template_then_assess(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["workbook", "template", "--lang", "sv"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["title"] == "Ramverk för: CRM-strategi"
    for item in data["sections"][3]["items"]:
        item["answer"] = True
    data["sections"][3]["items"][3]["answer"] = False  # lifetime value
    data["cover"]["company"] = "Acme AB"
    wb = tmp_path / "wb.json"
    wb.write_text(json.dumps(data), encoding="utf-8")
    html, md = tmp_path / "r.html", tmp_path / "r.md"
    code = main(["assess", str(wb), "--html", str(html), "--markdown", str(md)])
    out = capsys.readouterr().out
    assert code == 0
    assert "Situation analysis: 15/16 yes" in out
    assert "does not know customers' lifetime value" in out
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "Acme AB" in md.read_text(encoding="utf-8")


def test_bad_answer_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wb = tmp_path / "wb.json"
    wb.write_text(json.dumps({"answers": {"s05.loyal_share": 140}}), encoding="utf-8")
    assert main(["assess", str(wb)]) == 2
    # issue #11: errors go to standard error as "crmkit: <where>: ..." (they went to stdout)
    err = capsys.readouterr().err
    assert err.startswith(f"crmkit: {wb}: answers.s05.loyal_share: 140 must be a percentage")
