"""CSV / JSON Lines import: rejects with line and reason, policies, idempotency, streaming."""

from __future__ import annotations

import csv
import json
import random
import tracemalloc
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from crmkit.adapters import Store, open_store
from crmkit.adapters.files import (
    ImportPolicy,
    ImportProgress,
    ImportRolledBackError,
    export_csv,
    export_jsonl,
    import_csv,
    import_jsonl,
    read_rejects,
)
from crmkit.domain import Account, Money
from crmkit.errors import ImportRejectedError, ValidationError
from crmkit.testing.adapter_suite import store_parents

HEADER = ["remote_id", "name", "employees", "turnover.amount", "turnover.currency", "custom"]


def _good_row(i: int) -> list[str]:
    return [f"hs-{i}", f"Firm {i}", str(i % 500), f"{i}.50", "SEK", json.dumps({"n": i})]


def _write_file(path: Path, n: int, bad: dict[int, tuple[list[str], str, str]]) -> dict[int, int]:
    """Write n data rows; row i in ``bad`` is replaced. Returns row index → line number."""
    lines: dict[int, int] = {}
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for i in range(n):
            lines[i] = i + 2
            writer.writerow(bad[i][0] if i in bad else _good_row(i))
    return lines


def _malformed(n: int, seed: int = 7) -> dict[int, tuple[list[str], str, str]]:
    """1 % of the rows, each broken one way: (row, field, reason fragment)."""
    rng = random.Random(seed)
    picks = rng.sample(range(n), n // 100)
    kinds = [
        (
            lambda i: [f"hs-{i}", f"Firm {i}", "many", "1.00", "SEK", "{}"],
            "employees",
            "is not a whole number",
        ),
        (
            lambda i: [f"hs-{i}", f"Firm {i}", "3", "1.00", "SEKK", "{}"],
            "turnover.currency",
            "ISO 4217",
        ),
        (lambda i: [f"hs-{i}", "", "3", "1.00", "SEK", "{}"], "name", ""),
        (lambda i: [f"hs-{i}", f"Firm {i}", "3"], "", "cells"),
        (lambda i: [f"hs-{i}", f"Firm {i}", "3", "1.00", "SEK", "{not json"], "custom", "JSON"),
        (lambda i: [f"hs-{i}", f"Firm {i}", "-4", "1.00", "SEK", "{}"], "employees", ""),
    ]
    out = {}
    for k, i in enumerate(sorted(picks)):
        make, field, reason = kinds[k % len(kinds)]
        out[i] = (make(i), field, reason)
    return out


def _remote_ids(store: Store) -> list[str]:
    with store.unit_of_work() as uow:
        page = uow.accounts.find(limit=10_000)
        return [a.remote_id for a in page.items if a.remote_id is not None]


def test_one_percent_malformed_rows_are_each_reported_and_good_rows_stored_once(
    store: Store, tmp_path: Path
) -> None:
    n = 1000
    bad = _malformed(n)
    lines = _write_file(tmp_path / "accounts.csv", n, bad)
    report = import_csv(
        store,
        tmp_path / "accounts.csv",
        Account,
        policy=ImportPolicy.KEEP_ACCEPTED,
        rejects_path=tmp_path / "rejects.csv",
        batch_size=128,
    )

    assert (report.rows, report.accepted, report.rejected) == (n, n - len(bad), len(bad))
    assert report.created == n - len(bad)
    assert report.committed
    # Every malformed row is reported with its line and a reason naming the field.
    by_line = {r.line: r for r in read_rejects(tmp_path / "rejects.csv")}
    assert set(by_line) == {lines[i] for i in bad}
    for i, (_, field, reason) in bad.items():
        reject = by_line[lines[i]]
        assert reject.field == field, (i, reject)
        assert reason in reject.reason
        assert reject.reason
        assert reject.record["remote_id"] == f"hs-{i}"
    # Every good row stored exactly once.
    stored = _remote_ids(store)
    assert sorted(stored) == sorted(f"hs-{i}" for i in range(n) if i not in bad)
    assert len(stored) == len(set(stored))


def test_all_or_nothing_rolls_back_everything_and_reports_all_rejects(
    store: Store, tmp_path: Path
) -> None:
    n = 300
    bad = _malformed(n)
    _write_file(tmp_path / "accounts.csv", n, bad)
    with pytest.raises(ImportRolledBackError) as caught:
        import_csv(
            store,
            tmp_path / "accounts.csv",
            Account,
            batch_size=50,
            rejects_path=tmp_path / "rejects.csv",
        )
    assert isinstance(caught.value, ImportRejectedError)
    report = caught.value.report
    assert report.rejected == len(bad)
    assert report.accepted == n - len(bad)
    assert not report.committed
    assert report.created == 0
    assert len(caught.value.rejects) == len(bad)
    assert _remote_ids(store) == []
    assert len(list(read_rejects(tmp_path / "rejects.csv"))) == len(bad)


def test_all_or_nothing_commits_a_clean_file(store: Store, tmp_path: Path) -> None:
    _write_file(tmp_path / "accounts.csv", 120, {})
    report = import_csv(store, tmp_path / "accounts.csv", Account, batch_size=50)
    assert report.ok
    assert report.committed
    assert report.created == 120
    assert len(_remote_ids(store)) == 120


def test_batched_mode_commits_batch_by_batch(store: Store, tmp_path: Path) -> None:
    _write_file(tmp_path / "accounts.csv", 250, {})
    seen: list[ImportProgress] = []
    report = import_csv(
        store,
        tmp_path / "accounts.csv",
        Account,
        policy=ImportPolicy.BATCHED,
        batch_size=100,
        progress=seen.append,
        progress_every=50,
    )
    assert report.created == 250
    # Before the end, progress shows batches durably committed (100, 200), not all rows.
    committed = [p.committed for p in seen if not p.done]
    assert 100 in committed
    assert 200 in committed
    assert max(committed) < 250
    assert seen[-1].done
    assert seen[-1].committed == 250


def test_reimport_is_idempotent_on_remote_id(store: Store, tmp_path: Path) -> None:
    _write_file(tmp_path / "accounts.csv", 200, {})
    first = import_csv(store, tmp_path / "accounts.csv", Account, batch_size=64)
    with store.unit_of_work() as uow:
        ids_before = {a.remote_id: a.id for a in uow.accounts.find(limit=1000).items}
    second = import_csv(store, tmp_path / "accounts.csv", Account, batch_size=64)
    assert (first.created, first.updated) == (200, 0)
    assert (second.created, second.updated) == (0, 200)
    with store.unit_of_work() as uow:
        accounts = uow.accounts.find(limit=1000).items
    assert len(accounts) == 200
    assert {a.remote_id: a.id for a in accounts} == ids_before  # crmkit ids kept
    assert next(a for a in accounts if a.remote_id == "hs-7").turnover == Money("7.50", "SEK")


def test_duplicate_remote_id_within_one_file_is_stored_once(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("remote_id,name\nr1,First\nr1,Second\n", encoding="utf-8")
    store = open_store("memory://")
    report = import_csv(store, path, Account)
    assert report.accepted == 2
    assert (report.created, report.updated) == (1, 1)
    with store.unit_of_work() as uow:
        assert [a.name for a in uow.accounts.find().items] == ["Second"]


def test_unknown_column_is_refused_before_anything_is_imported(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("name,colour\nAcme,red\n", encoding="utf-8")
    store = open_store("memory://")
    with pytest.raises(ValidationError) as caught:
        import_csv(store, path, Account)
    assert caught.value.problems[0].value == "colour"
    with store.unit_of_work() as uow:
        assert uow.accounts.count() == 0


def test_jsonl_rejects_carry_line_numbers(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "accounts.jsonl"
    path.write_text(
        '{"name": "Acme", "remote_id": "a"}\n'
        "\n"
        '{"name": "Bad", "employees": "x"}\n'
        "{broken\n"
        '{"name": "Nordic", "remote_id": "n", "turnover": {"amount": "5", "currency": "NOK"}}\n',
        encoding="utf-8",
    )
    report = import_jsonl(store, path, Account, policy=ImportPolicy.KEEP_ACCEPTED)
    assert (report.accepted, report.rejected) == (2, 2)
    assert [(r.line, r.field) for r in report.rejects] == [(3, "employees"), (4, "")]
    assert sorted(_remote_ids(store)) == ["a", "n"]


def test_progress_callback_reports_rows_as_they_are_read(tmp_path: Path) -> None:
    _write_file(tmp_path / "accounts.csv", 1000, _malformed(1000))
    seen: list[ImportProgress] = []
    import_csv(
        open_store("memory://"),
        tmp_path / "accounts.csv",
        Account,
        policy=ImportPolicy.KEEP_ACCEPTED,
        progress=seen.append,
        progress_every=100,
    )
    assert [p.rows for p in seen[:-1]] == list(range(100, 1001, 100))
    assert seen[-1].done
    assert seen[-1].rejected == 10
    assert seen[-1].committed == 990


def _peak_import(tmp_path: Path, n: int) -> int:
    path = tmp_path / f"big_{n}.csv"
    _write_file(path, n, {})
    store = open_store(f"sqlite:///{tmp_path / f'big_{n}.db'}")
    ticks: list[int] = []
    tracemalloc.start()
    try:
        report = import_csv(
            store,
            path,
            Account,
            policy=ImportPolicy.BATCHED,
            batch_size=200,
            progress=lambda p: ticks.append(p.rows),
            progress_every=1000,
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        store.close()
    assert report.created == n
    assert ticks[-1] == n
    assert len(ticks) == n // 1000 + 1
    return peak


def test_large_file_imports_with_bounded_memory(tmp_path: Path) -> None:
    small = _peak_import(tmp_path, 1_000)
    large = _peak_import(tmp_path, 4_000)
    # Four times the rows must not need (anywhere near) four times the memory: the importer
    # streams the file and holds one batch at a time.
    assert large < small * 1.5 + 256 * 1024, (small, large)


ALL_AGGREGATES = [
    "Account",
    "Contact",
    "Lead",
    "Opportunity",
    "Interaction",
    "Case",
    "Order",
    "Campaign",
    "Product",
]


def _example(name: str) -> object:
    from crmkit import domain as d

    at = datetime(2025, 3, 3, 8, tzinfo=UTC)
    consent = d.Consent(d.LawfulBasis.CONSENT, at)
    examples: dict[str, object] = {
        "Account": d.Account(
            "Acme AB",
            turnover=Money("2500000", "SEK"),
            profit=Money("-1200.50", "SEK"),
            addresses=[d.Address(city="Oslo", country="NO")],
            custom={"fiscal_month": 7},
            remote_id="hs-1",
            remote_data={"Lifecycle Stage": "customer"},
        ),
        "Contact": d.Contact(
            "Anna", "Lind", email="anna@lind.se", consent=consent, account_id="a1"
        ),
        "Lead": d.Lead(
            "Nordvind AB",
            first_name="Anna",
            email="anna@nordvind.se",
            buying_stage=4,
            interest_level=d.InterestLevel.EVALUATING,
        ),
        "Opportunity": d.Opportunity(
            "Big",
            account_id="a1",
            amount=Money("10.00", "EUR"),
            close_date=date(2025, 6, 30),
            pipeline_id="default",
            stage_key="proposal",
            stage_probability=0.75,
        ),
        "Interaction": d.Interaction(
            d.InteractionType.CALL, contact_id="c1", subject="Hi", planned_at=at
        ),
        "Case": d.Case("Invoice wrong", origin_channel="email", opened_at=at),
        "Order": d.Order("a1", at, [d.OrderLine("p1", 2, Money("9.90", "SEK"))]),
        "Campaign": d.Campaign("Spring", budget=Money("1000", "SEK")),
        "Product": d.Product("SKU-1", "Support hour", price=Money("950", "SEK")),
    }
    return examples[name]


@pytest.mark.parametrize("name", ALL_AGGREGATES)
@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_every_aggregate_round_trips_through_a_file(
    name: str, kind: str, store: Store, tmp_path: Path
) -> None:
    from crmkit.serde import to_dict

    entity = _example(name)
    cls = type(entity)
    store_parents(store, [entity])  # SQL stores refuse a reference to a missing account
    path = tmp_path / f"out.{kind}"
    if kind == "csv":
        assert export_csv([entity], path, cls) == 1
        report = import_csv(store, path, cls)
    else:
        assert export_jsonl([entity], path, cls) == 1
        report = import_jsonl(store, path, cls)
    assert report.created == 1
    with store.unit_of_work() as uow:
        back = uow.repository(cls).get(entity.id)  # type: ignore[attr-defined]
    expected, got = to_dict(entity), to_dict(back)
    for volatile in ("version", "updated_at"):
        expected.pop(volatile), got.pop(volatile)
    assert got == expected
