"""Exported CSV never lets a spreadsheet run a formula; values still round-trip."""

from __future__ import annotations

import csv
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.adapters import open_store
from crmkit.adapters.files import export_csv, import_csv, neutralise, restore
from crmkit.domain import Account, Money

DANGEROUS = ["=cmd|' /C calc'!A0", "+46 70 123", "-2+3", "@SUM(A1:A9)", "\tTabbed", "\rReturn"]


def test_dangerous_cells_get_a_leading_quote_and_numbers_stay_numbers(tmp_path: Path) -> None:
    accounts = [
        Account(name, industry="'already quoted", profit=Money("-1200.50", "SEK"))
        for name in DANGEROUS
    ]
    path = tmp_path / "accounts.csv"
    export_csv(accounts, path, Account)
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row, name in zip(rows, DANGEROUS, strict=True):
        assert row["name"] == "'" + name  # OWASP: prefix with a single quote
        assert row["industry"] == "''already quoted"  # a leading quote is escaped too
        assert row["profit.amount"] == "-1200.50"  # a number in a numeric column is kept
    # Nothing a spreadsheet would evaluate is left at the start of any cell.
    for row in rows:
        assert not any(cell[:1] in {"=", "+", "@", "\t", "\r"} for cell in row.values())
        assert all(not cell.startswith("-") or key == "profit.amount" for key, cell in row.items())
    # Re-importing gives the original values back.
    store = open_store("memory://")
    import_csv(store, path, Account)
    with store.unit_of_work() as uow:
        back = {a.id: a for a in uow.accounts.find().items}
    for original in accounts:
        assert back[original.id].name == original.name
        assert back[original.id].industry == "'already quoted"
        assert back[original.id].profit == Money("-1200.50", "SEK")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=20), st.booleans())
def test_neutralise_is_safe_and_reversible(text: str, numeric: bool) -> None:
    cell = neutralise(text, numeric=numeric)
    assert restore(cell) == text or (numeric and cell == text and restore(cell) == text)
    if cell and cell[0] in "=+-@\t\r":
        # Only a plain number in a numeric column may start with a sign.
        assert numeric
        float(cell)
