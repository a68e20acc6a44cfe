"""Hostile numbers and dates in vendor and crmkit files: never read as another amount or day.

Each hostile cell goes through a real import (``import_csv`` with the HubSpot, Salesforce or
crmkit codec). It must either be read as exactly the amount/date it means under the file's
explicit convention, or be rejected with its line, column and value — never stored as a
different number.
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from crmkit.adapters import open_store
from crmkit.adapters.files import (
    DateFormat,
    ImportPolicy,
    NumberFormat,
    RecordCodec,
    import_csv,
    import_jsonl,
)
from crmkit.adapters.formats import HubSpotCodec, SalesforceCodec
from crmkit.domain import Account
from crmkit.errors import ValidationError

#: Cells that a decimal-point file (the vendors' default) must refuse: none of them is a
#: plain number with a decimal point.
REFUSED_WITH_DEFAULTS = [
    "1234,50",
    "1 234,50",
    "1.234,50",
    "1,234",
    "1,234.50",
    "1\u00a0234",
    "1'234.50",
    "1_000",
    "１２３４",  # full-width
    "١٢٣٤",  # Arabic-Indic
    "۱۲۳۴",  # Extended Arabic-Indic (Persian)
    "१२३४",  # Devanagari
    "NaN",
    "Infinity",
    "-inf",
    "1e100000",
    "1E400",
    "9" * 5000,
    "0." + "0" * 60 + "1",
    "$1234",
    "1234 SEK",
    "12.3.4",
    "--5",
    ".5",
    "5.",
    "0x10",
    "1e",
]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def _turnovers(store: object) -> dict[str, Decimal | None]:
    with store.unit_of_work() as uow:  # type: ignore[attr-defined]
        return {
            a.remote_id: (a.turnover.amount if a.turnover else None)
            for a in uow.accounts.iter_all()
        }


CODECS: dict[str, tuple[list[str], RecordCodec[Account]]] = {
    "hubspot": (
        ["Record ID", "Company name", "Annual Revenue"],
        HubSpotCodec("companies", default_currency="SEK"),
    ),
    "salesforce": (
        ["Id", "Name", "AnnualRevenue"],
        SalesforceCodec("Account", default_currency="SEK"),
    ),
}


@pytest.mark.parametrize("vendor", list(CODECS))
def test_vendor_amounts_that_do_not_fit_the_default_format_are_rejected_with_line_and_value(
    tmp_path: Path, vendor: str
) -> None:
    header, codec = CODECS[vendor]
    rows = [["ok", "Fine AB", "1234.50"]]
    rows += [[f"r{i}", f"Firm {i}", cell] for i, cell in enumerate(REFUSED_WITH_DEFAULTS)]
    _write(tmp_path / "in.csv", header, rows)
    store = open_store("memory://")
    report = import_csv(
        store,
        tmp_path / "in.csv",
        codec,
        policy=ImportPolicy.KEEP_ACCEPTED,
        max_rejects_kept=100,
    )
    assert (report.accepted, report.rejected) == (1, len(REFUSED_WITH_DEFAULTS))
    assert _turnovers(store) == {"ok": Decimal("1234.50")}
    by_line = {r.line: r for r in report.rejects}
    for i, cell in enumerate(REFUSED_WITH_DEFAULTS):
        reject = by_line[i + 3]
        assert reject.field == header[2]
        assert reject.value == cell.strip()
        assert reject.reason


def test_a_decimal_comma_file_is_read_exactly_with_its_declared_format(tmp_path: Path) -> None:
    cells = {
        "a": ("1234,50", Decimal("1234.50")),
        "b": ("1 234,50", Decimal("1234.50")),
        "c": ("1\u00a0234,50", Decimal("1234.50")),
        "d": ("-0,5", Decimal("-0.5")),
        "e": ("12 345 678", Decimal("12345678")),
    }
    _write(
        tmp_path / "in.csv",
        ["Record ID", "Company name", "Annual Revenue"],
        [[key, "Firm", cell] for key, (cell, _) in cells.items()],
    )
    store = open_store("memory://")
    codec = HubSpotCodec(
        "companies", default_currency="EUR", number_format=NumberFormat(decimal=",", grouping=" ")
    )
    report = import_csv(store, tmp_path / "in.csv", codec)
    assert report.accepted == len(cells)
    assert _turnovers(store) == {key: value for key, (_, value) in cells.items()}


@pytest.mark.parametrize("cell", ["1.234,50", "1234.50", "1 23,5", "1,2,3", "12 34,5"])
def test_a_decimal_comma_format_refuses_what_is_ambiguous_for_it(cell: str) -> None:
    fmt = NumberFormat(decimal=",", grouping=" ")
    with pytest.raises(ValueError, match="number"):
        fmt.parse_decimal(cell)


@pytest.mark.parametrize(
    ("fmt", "cell", "expected"),
    [
        (NumberFormat(), "1234.50", Decimal("1234.50")),
        (NumberFormat(grouping=","), "1,234.50", Decimal("1234.50")),
        (NumberFormat(decimal=",", grouping="."), "1.234,50", Decimal("1234.50")),
        (NumberFormat(decimal=",", grouping="'"), "1'234,50", Decimal("1234.50")),
        (NumberFormat(), "1.5E7", Decimal("15000000")),
        (NumberFormat(), " -7 ", Decimal("-7")),
    ],
)
def test_each_explicit_format_reads_its_own_numbers(
    fmt: NumberFormat, cell: str, expected: Decimal
) -> None:
    assert fmt.parse_decimal(cell) == expected


@pytest.mark.parametrize("cell", ["1,23.50", "1,2345", "12,34", ",123"])
def test_grouping_only_in_groups_of_three(cell: str) -> None:
    with pytest.raises(ValueError, match="number"):
        NumberFormat(grouping=",").parse_decimal(cell)


@pytest.mark.parametrize(
    "cell",
    ["１２", "١٢", "1_000", "9" * 30, "-9223372036854775809", "4.5", "NaN", "1e100000"],
)
def test_crmkit_csv_whole_number_columns_refuse_coercions_and_overflow(
    tmp_path: Path, cell: str
) -> None:
    _write(tmp_path / "a.csv", ["name", "employees"], [["Acme", cell], ["Fine", "12"]])
    store = open_store("memory://")
    report = import_csv(store, tmp_path / "a.csv", Account, policy=ImportPolicy.KEEP_ACCEPTED)
    assert (report.accepted, report.rejected) == (1, 1)
    assert (report.rejects[0].line, report.rejects[0].field, report.rejects[0].value) == (
        2,
        "employees",
        cell,
    )


@pytest.mark.parametrize("cell", ["1234,50", "１２", "1_000.00", "1e100000", "NaN", "9" * 5000])
def test_crmkit_csv_money_columns_refuse_coercions(tmp_path: Path, cell: str) -> None:
    _write(
        tmp_path / "a.csv",
        ["name", "turnover.amount", "turnover.currency"],
        [["Acme", cell, "SEK"], ["Fine", "10.50", "SEK"]],
    )
    store = open_store("memory://")
    report = import_csv(store, tmp_path / "a.csv", Account, policy=ImportPolicy.KEEP_ACCEPTED)
    assert (report.accepted, report.rejected) == (1, 1)
    assert report.rejects[0].field == "turnover.amount"
    with store.unit_of_work() as uow:
        assert [a.turnover.amount for a in uow.accounts.iter_all() if a.turnover] == [
            Decimal("10.50")
        ]


DATES_REFUSED = [
    "1",
    "March",
    "Friday",
    "03/04/2025",
    "2025-02-30",
    "2025",
    "2025-03",
    "tomorrow",
    "4 March 2025",
    "2025-03-04T25:00",
    "２０２５-０３-０４",
    "March 4, 2025",
]


@pytest.mark.parametrize("cell", DATES_REFUSED)
def test_vendor_dates_are_never_guessed(tmp_path: Path, cell: str) -> None:
    _write(
        tmp_path / "c.csv",
        ["Record ID", "Company name", "Create Date"],
        [["1", "Acme", cell], ["2", "Fine", "2024-01-15 09:30"]],
    )
    store = open_store("memory://")
    report = import_csv(
        store,
        tmp_path / "c.csv",
        HubSpotCodec("companies"),
        policy=ImportPolicy.KEEP_ACCEPTED,
    )
    assert (report.accepted, report.rejected) == (1, 1)
    assert (report.rejects[0].line, report.rejects[0].field, report.rejects[0].value) == (
        2,
        "Create Date",
        cell,
    )


@pytest.mark.parametrize(
    ("order", "cell", "expected"),
    [
        ("day_first", "03/04/2025", date(2025, 4, 3)),
        ("month_first", "03/04/2025", date(2025, 3, 4)),
        ("day_first", "31.12.2025", date(2025, 12, 31)),
        ("month_first", "12/31/2025 4:30 PM", date(2025, 12, 31)),
        ("iso", "2025-03-04", date(2025, 3, 4)),
        ("day_first", "2025-03-04", date(2025, 3, 4)),
    ],
)
def test_slashed_dates_need_an_explicit_order(order: str, cell: str, expected: date) -> None:
    assert DateFormat(order=order).parse_date(cell) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("order", "cell"), [("day_first", "12/31/2025"), ("month_first", "31/12/2025")]
)
def test_a_date_impossible_in_the_declared_order_is_refused(order: str, cell: str) -> None:
    with pytest.raises(ValueError, match="no such day"):
        DateFormat(order=order).parse_date(cell)  # type: ignore[arg-type]


def test_salesforce_close_date_in_iso_is_read_and_a_us_date_is_rejected(tmp_path: Path) -> None:
    store = open_store("memory://")
    _write(tmp_path / "acc.csv", ["Id", "Name"], [["001A", "Acme"]])
    import_csv(store, tmp_path / "acc.csv", SalesforceCodec("Account"))
    header = ["Id", "Name", "AccountId", "Amount", "CurrencyIsoCode", "CloseDate", "StageName"]
    _write(
        tmp_path / "opp.csv",
        header,
        [
            ["006A", "Deal A", "001A", "1000.00", "EUR", "2025-03-04", "Prospecting"],
            ["006B", "Deal B", "001A", "1000.00", "EUR", "03/04/2025", "Prospecting"],
        ],
    )
    report = import_csv(
        store,
        tmp_path / "opp.csv",
        SalesforceCodec("Opportunity"),
        policy=ImportPolicy.KEEP_ACCEPTED,
    )
    assert (report.accepted, report.rejected) == (1, 1)
    assert (report.rejects[0].line, report.rejects[0].field) == (3, "CloseDate")
    with store.unit_of_work() as uow:
        assert [o.close_date for o in uow.opportunities.iter_all()] == [date(2025, 3, 4)]


def test_number_and_date_formats_are_validated() -> None:
    with pytest.raises(ValidationError):
        NumberFormat(decimal=";")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        NumberFormat(grouping="x")
    with pytest.raises(ValidationError):
        DateFormat(order="guess")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        HubSpotCodec("companies", number_format=",")  # type: ignore[arg-type]


JSON_HOSTILE = {
    "deep nesting": '{"name": "A", "custom": {"x": ' + "[" * 5000 + "]" * 5000 + "}}",
    "moderate nesting": '{"name": "A", "custom": {"x": ' + "[" * 100 + "]" * 100 + "}}",
    "5000-digit number": '{"name": "A", "employees": ' + "9" * 5000 + "}",
    "huge float": '{"name": "A", "custom": {"x": 1e100000}}',
    "NaN": '{"name": "A", "custom": {"x": NaN}}',
    "Infinity": '{"name": "A", "custom": {"x": -Infinity}}',
    "duplicate key": '{"name": "A", "employees": 1, "employees": 2}',
    "64-bit overflow": '{"name": "A", "employees": 9223372036854775808}',
    "list for text": '{"name": ["A", "B"]}',
    "not an object": '["name", "A"]',
    "truncated": '{"name": "A",',
    "full-width digits in amount": '{"name": "A", "turnover": {"amount": "１２", "currency": "SEK"}}',
}


def test_each_pathological_json_line_is_one_reject_and_the_import_goes_on(tmp_path: Path) -> None:
    lines = ['{"name": "First", "remote_id": "a"}']
    lines += list(JSON_HOSTILE.values())
    lines += ['{"name": "Last", "remote_id": "b"}']
    (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = open_store("memory://")
    report = import_jsonl(store, tmp_path / "in.jsonl", Account, policy=ImportPolicy.KEEP_ACCEPTED)
    assert (report.accepted, report.rejected) == (2, len(JSON_HOSTILE))
    assert sorted({r.line for r in report.rejects}) == list(range(2, 2 + len(JSON_HOSTILE)))
    with store.unit_of_work() as uow:
        assert sorted(a.name for a in uow.accounts.iter_all()) == ["First", "Last"]


FORMATS = [
    NumberFormat(),
    NumberFormat(grouping=","),
    NumberFormat(decimal=","),
    NumberFormat(decimal=",", grouping=" "),
    NumberFormat(decimal=",", grouping="."),
    NumberFormat(grouping="'"),
]


@pytest.mark.parametrize("fmt", FORMATS, ids=repr)
def test_a_number_is_never_read_as_another_amount(fmt: NumberFormat) -> None:
    """Property: whatever digits and separators a cell holds, a parsed value is exactly the
    cell with the grouping separators removed and the decimal separator read as the point —
    or the cell is refused. No separator is ever reinterpreted."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    cells = st.text(alphabet="0123456789,. '\u00a0-+eE_", min_size=1, max_size=24)

    @settings(max_examples=400, deadline=None, derandomize=True)
    @given(cells)
    def check(cell: str) -> None:
        try:
            value = fmt.parse_decimal(cell)
        except ValueError:
            return
        plain = cell.strip()
        for sep in [" ", "\u00a0", "\u202f"] if fmt.grouping == " " else [fmt.grouping or ""]:
            if sep:
                plain = plain.replace(sep, "")
        assert value == Decimal(plain.replace(fmt.decimal, "."))

    check()
