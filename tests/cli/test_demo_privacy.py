"""The demo's duplicates-and-GDPR section: a planted duplicate is found and merged, a person
is exported and erased."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from crmkit.cli._demo import SECTIONS, run_demo


def test_privacy_section_finds_merges_exports_and_erases(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert SECTIONS.index("sources") < SECTIONS.index("privacy") < SECTIONS.index("assessment")
    ctx = run_demo(only=["privacy"], output_dir=tmp_path, plain=True, n_accounts=120)
    out = capsys.readouterr().out
    assert "== Duplicates, merges and the GDPR ==" in out
    # the planted copy of the contact is the top candidate, matched on three keys
    assert "email, phone, name_and_account  0.99" in out
    assert "organisation_number, domain, name  0.99" in out
    assert "interactions 1" in out
    assert re.search(r"Aktiebolag\s+—\s+(orders|opportunities|cases) 1", out)
    export = json.loads((tmp_path / "subject-access.json").read_text(encoding="utf-8"))
    (person,) = export["records"]["contacts"]
    assert person["email"] is not None
    assert f"{person['first_name']} {person['last_name']} is now '[erased]'" in out
    # the export is what the store held before erasure: the company's data is untouched
    assert any(c.id == person["id"] and c.email == person["email"] for c in ctx.data.contacts)
