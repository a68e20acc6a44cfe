"""Hostile files and rows: duplicate headers, wrong encodings, broken quoting, re-imports.

An importer never loses an accepted row and reports every rejected one: a damaged row is a
reject with its line, a damaged *file* is refused before anything is stored.
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest

from crmkit.adapters import Store, open_store
from crmkit.adapters.files import (
    CrmkitJsonCodec,
    Importer,
    ImportPolicy,
    ImportRolledBackError,
    SourceRow,
    import_csv,
    import_jsonl,
    read_rejects,
)
from crmkit.adapters.formats import HubSpotCodec, SalesforceCodec
from crmkit.domain import Account, Contact
from crmkit.errors import ValidationError


def _count(store: Store, aggregate: str = "accounts") -> int:
    with store.unit_of_work() as uow:
        return uow.repository(aggregate).count()


@pytest.mark.parametrize(
    ("header", "codec"),
    [
        ("name,employees,employees", Account),
        ("name,employees, employees", Account),
        ("Record ID,Company name,Industry,Industry", HubSpotCodec("companies")),
        ("Id,Name,Name", SalesforceCodec("Account")),
        ("Id,Name,,", SalesforceCodec("Account")),
    ],
)
def test_a_header_naming_a_column_twice_is_refused_before_any_row(
    tmp_path: Path, header: str, codec: object
) -> None:
    width = header.count(",") + 1
    path = tmp_path / "dup.csv"
    path.write_text(header + "\n" + ",".join(["1"] * width) + "\n", encoding="utf-8")
    store = open_store("memory://")
    with pytest.raises(ValidationError, match="name each column once") as caught:
        import_csv(store, path, codec, policy=ImportPolicy.KEEP_ACCEPTED)  # type: ignore[arg-type]
    assert caught.value.problems[0].path == "header"
    assert _count(store) == 0


def test_one_wrong_encoding_line_is_a_reject_with_its_line(tmp_path: Path) -> None:
    good = [f"Firm {i},r{i}\n".encode() for i in range(200)]
    good.insert(57, "K\xf6ln GmbH,r-koeln\n".encode("latin-1"))
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"name,remote_id\n" + b"".join(good))
    store = open_store("memory://")
    report = import_csv(store, path, Account, policy=ImportPolicy.KEEP_ACCEPTED)
    assert (report.accepted, report.rejected) == (200, 1)
    reject = report.rejects[0]
    assert reject.line == 59
    assert "not valid utf-8-sig" in reject.reason
    assert "0xf6" in reject.reason
    assert _count(store) == 200


@pytest.mark.parametrize("policy", list(ImportPolicy))
def test_a_file_in_another_encoding_is_refused_before_anything_is_committed(
    tmp_path: Path, policy: ImportPolicy
) -> None:
    rows = [f"Firm {i},r{i}\n" for i in range(400)]
    rows[300:] = [f"Göteborg {i},g{i}\n" for i in range(100)]
    path = tmp_path / "latin1.csv"
    path.write_bytes(("name,remote_id\n" + "".join(rows)).encode("latin-1"))
    store = open_store("memory://")
    with pytest.raises(ValidationError) as caught:
        import_csv(store, path, Account, policy=policy, batch_size=10)
    message = str(caught.value)
    assert "latin1.csv" in message
    assert "line 302" in message
    assert "100 of 401" in message
    assert _count(store) == 0


@pytest.mark.parametrize(
    ("data", "hint"),
    [
        ("name,remote_id\nA,1\n".encode("utf-16"), "UTF-16"),
        ("namn,företag\nA,1\n".encode("latin-1"), "header"),
        ("name\nA\n".encode("utf-32"), "UTF-32"),
    ],
)
def test_a_header_in_another_encoding_names_the_file_and_line_1(
    tmp_path: Path, data: bytes, hint: str
) -> None:
    path = tmp_path / "wrong.csv"
    path.write_bytes(data)
    with pytest.raises(ValidationError, match="line 1") as caught:
        import_csv(open_store("memory://"), path, Account)
    assert "wrong.csv" in str(caught.value)
    assert hint in str(caught.value)


def test_a_utf16_file_imports_when_its_encoding_is_given(tmp_path: Path) -> None:
    path = tmp_path / "u16.csv"
    path.write_bytes("name,remote_id\r\nMalmö AB,1\r\nÅre AB,2\r\n".encode("utf-16"))
    store = open_store("memory://")
    assert import_csv(store, path, Account, encoding="utf-16").created == 2


def test_a_wrong_encoding_jsonl_line_is_a_reject(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    lines = [json.dumps({"name": f"Firm {i}"}).encode() for i in range(150)]
    lines[10] = '{"name": "Köln"}'.encode("cp1252")
    path.write_bytes(b"\n".join(lines) + b"\n")
    report = import_jsonl(open_store("memory://"), path, Account, policy=ImportPolicy.KEEP_ACCEPTED)
    assert (report.accepted, report.rejected, report.rejects[0].line) == (149, 1, 11)


def test_an_unbalanced_quote_is_reported_with_the_lines_it_swallowed(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text('name,remote_id\nA,1\n"B,2\nC,3\nD,4\n', encoding="utf-8")
    report = import_csv(open_store("memory://"), path, Account, policy=ImportPolicy.KEEP_ACCEPTED)
    assert (report.rows, report.accepted, report.rejected) == (2, 1, 1)
    assert report.rejects[0].line == 3
    assert "from line 3 to 5" in report.rejects[0].reason


def test_lone_carriage_returns_keep_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "mac.csv"
    path.write_bytes(b"name,employees\rA,1\rB,many\rC,3\r")
    report = import_csv(open_store("memory://"), path, Account, policy=ImportPolicy.KEEP_ACCEPTED)
    assert (report.accepted, [r.line for r in report.rejects]) == (2, [3])


def test_a_missing_input_file_is_a_validation_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="cannot be read"):
        import_csv(open_store("memory://"), tmp_path / "nope.csv", Account)


def test_vendor_rows_with_lists_are_refused_not_turned_into_text() -> None:
    store = open_store("memory://")
    rows = [
        SourceRow(1, {"Record ID": "1", "Company name": ["Acme", "AB"]}),
        SourceRow(2, {"Record ID": "2", "Company name": "Fine", "Number of Employees": 12}),
    ]
    report = Importer(store, HubSpotCodec("companies"), policy=ImportPolicy.KEEP_ACCEPTED).run(
        rows, source="api"
    )
    assert (report.accepted, report.rejected) == (1, 1)
    assert report.rejects[0].field == "Company name"
    assert "list" in report.rejects[0].reason


class _Fragile:
    """A codec that blows up the way a careless third-party codec might."""

    def __init__(self) -> None:
        self._inner = CrmkitJsonCodec(Account)
        self.record_type = Account

    def columns(self) -> list[str]:
        return self._inner.columns()

    def numeric_columns(self) -> frozenset[str]:
        return frozenset()

    def check_header(self, header: object) -> None:
        return None

    def decode(self, raw: dict[str, object], references: object = None) -> Account:
        if raw.get("name") == "boom":
            raise RecursionError("maximum recursion depth exceeded")
        if raw.get("name") == "big":
            raise OverflowError("int too large")
        return self._inner.decode(raw)

    def encode(self, entity: Account, references: object = None) -> dict[str, object]:
        return self._inner.encode(entity)


def test_a_codec_error_on_one_row_is_a_reject_not_an_aborted_import() -> None:
    store = open_store("memory://")
    rows = [SourceRow(i, {"name": n}) for i, n in enumerate(["a", "boom", "b", "big", "c"], 1)]
    report = Importer(store, _Fragile(), policy=ImportPolicy.KEEP_ACCEPTED).run(  # type: ignore[arg-type]
        rows, source="api"
    )
    assert (report.accepted, report.rejected) == (3, 2)
    assert [r.line for r in report.rejects] == [2, 4]
    assert "RecursionError" in report.rejects[0].reason


@pytest.mark.parametrize("store_url", ["memory://", "sqlite"])
def test_reimporting_rows_without_ids_with_a_natural_key_updates_them(
    tmp_path: Path, store_url: str
) -> None:
    url = store_url if store_url == "memory://" else f"sqlite:///{tmp_path / 'crm.db'}"
    path = tmp_path / "contacts.csv"
    path.write_text(
        "first_name,last_name,email,title\nAnna,Lind,anna@lind.se,CEO\nBo,Ek,bo@ek.se,CTO\n",
        encoding="utf-8",
    )
    with open_store(url) as store:
        first = import_csv(store, path, Contact, natural_key="email")
        path.write_text(
            "first_name,last_name,email,title\n"
            "Anna,Lind,ANNA@Lind.se,Chair\n"
            "Bo,Ek,bo@ek.se,CTO\n"
            "Cia,Ros,cia@ros.se,CFO\n",
            encoding="utf-8",
        )
        second = import_csv(store, path, Contact, natural_key="email")
        assert (first.created, second.created, second.updated) == (2, 1, 2)
        with store.unit_of_work() as uow:
            titles = {c.email: c.title for c in uow.contacts.iter_all()}
        assert titles == {"ANNA@Lind.se": "Chair", "bo@ek.se": "CTO", "cia@ros.se": "CFO"}


def test_without_a_natural_key_id_less_rows_are_counted_as_unkeyed(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("name\nAcme\nNordvind\n", encoding="utf-8")
    store = open_store("memory://")
    report = import_csv(store, path, Account)
    assert (report.created, report.unkeyed) == (2, 2)
    keyed = import_csv(store, path, Account, natural_key="name")
    assert (keyed.created, keyed.updated, keyed.unkeyed) == (0, 2, 0)
    assert _count(store) == 2


def test_a_natural_key_matching_two_stored_entities_rejects_the_row(tmp_path: Path) -> None:
    store = open_store("memory://")
    with store.unit_of_work() as uow:
        uow.contacts.add(Contact("A", "One", email="info@firm.se"))
        uow.contacts.add(Contact("B", "Two", email="info@firm.se"))
        uow.commit()
    path = tmp_path / "c.csv"
    path.write_text("first_name,last_name,email\nC,Three,info@firm.se\n", encoding="utf-8")
    with pytest.raises(ImportRolledBackError) as caught:
        import_csv(store, path, Contact, natural_key="email")
    assert caught.value.rejects[0].field == "email"
    assert "matches 2 stored contacts" in caught.value.rejects[0].reason
    assert _count(store, "contacts") == 2


def test_a_vendor_export_adopts_rows_first_imported_without_ids(tmp_path: Path) -> None:
    store = open_store("memory://")
    plain = tmp_path / "plain.csv"
    plain.write_text("name,organisation_number\nAcme AB,556000-0001\n", encoding="utf-8")
    import_csv(store, plain, Account, natural_key="organisation_number")
    vendor = tmp_path / "sf.csv"
    vendor.write_text("Id,Name,AccountNumber\n001A,Acme AB,x\n", encoding="utf-8")
    rows = [SourceRow(2, {"Id": "001A", "Name": "Acme AB"})]
    codec = SalesforceCodec("Account")
    # The Salesforce mapping has no organisation number, so match on the name instead.
    report = Importer(store, codec, natural_key="name").run(rows, source="sf")
    assert (report.created, report.updated) == (0, 1)
    with store.unit_of_work() as uow:
        (acme,) = list(uow.accounts.iter_all())
    assert acme.remote_id == "001A"


def test_an_unknown_natural_key_field_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("name\nA\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="is not a field of Account"):
        import_csv(open_store("memory://"), tmp_path / "a.csv", Account, natural_key="mail")


BAD_CELLS = [
    ("employees", "many"),
    ("employees", "１２"),
    ("employees", "1_000"),
    ("employees", "9" * 5000),
    ("turnover.amount", "1234,50"),
    ("turnover.amount", "1e100000"),
    ("turnover.currency", "SEKK"),
    ("custom", "[" * 3000),
    ("custom", '{"a": 1, "a": 2}'),
    ("name", ""),
]


@pytest.mark.parametrize("policy", [ImportPolicy.KEEP_ACCEPTED, ImportPolicy.BATCHED])
def test_no_accepted_row_is_lost_and_every_reject_is_reported(
    tmp_path: Path, policy: ImportPolicy
) -> None:
    """A random mix of good and hostile rows: the store holds exactly the good ones and the
    rejects file names exactly the hostile ones' lines."""
    rng = random.Random(11)
    header = ["remote_id", "name", "employees", "turnover.amount", "turnover.currency", "custom"]
    good_ids, bad_lines = set(), set()
    path = tmp_path / "mix.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for i in range(600):
            row = dict(zip(header, [f"r{i}", f"Firm {i}", "10", "5.00", "SEK", "{}"], strict=True))
            if rng.random() < 0.1:
                column, cell = rng.choice(BAD_CELLS)
                row[column] = cell
                bad_lines.add(i + 2)
            else:
                good_ids.add(f"r{i}")
            writer.writerow(row.values())
    store = open_store("memory://")
    report = import_csv(
        store, path, Account, policy=policy, batch_size=37, rejects_path=tmp_path / "rej.csv"
    )
    assert report.accepted == len(good_ids)
    assert report.rejected == len(bad_lines)
    assert report.created == len(good_ids)
    with store.unit_of_work() as uow:
        assert {a.remote_id for a in uow.accounts.iter_all()} == good_ids
    assert {r.line for r in read_rejects(tmp_path / "rej.csv")} == bad_lines


def test_read_rejects_of_a_file_that_is_not_a_rejects_file_is_a_validation_error(
    tmp_path: Path,
) -> None:
    (tmp_path / "a.csv").write_text("name\nAcme\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="lacks"):
        list(read_rejects(tmp_path / "a.csv"))
    (tmp_path / "r.csv").write_text(
        '"line","field","value","reason","record"\n"x","f","v","r","{"\n', encoding="utf-8"
    )
    with pytest.raises(ValidationError, match="not a rejects-file row"):
        list(read_rejects(tmp_path / "r.csv"))
