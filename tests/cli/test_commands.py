"""The data and model commands: import/export round trips, analyses on files and stores, model
files, output formats."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import shlex
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from crmkit.cli import main
from crmkit.cli._data_commands import load_transactions
from tests.backends import pg_url, require_backend

TRANSACTIONS = "account_id,ordered_at,total\n" + "".join(
    f"c{c},2024-{m:02d}-{1 + c % 27:02d},{100 + 10 * c + m}\n"
    for c in range(40)
    for m in range(1, 13)
    if (c * 7 + m) % (1 + c % 5) == 0
)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.csv").write_text(TRANSACTIONS, encoding="utf-8")
    return tmp_path


def _ok(capsys: pytest.CaptureFixture[str], command: str) -> str:
    code = main(shlex.split(command))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def _records(path: Path) -> list[dict[str, object]]:
    args = argparse.Namespace(input=path, customer="account_id", at="ordered_at", amount="total")
    return load_transactions(args).records


def test_version_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == "crmkit 0.1.0\n"


def test_crmkit_files_round_trip_through_the_store(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _ok(capsys, "dataset --output data --format crmkit --accounts 30")
    for name in ("accounts", "orders"):
        assert "0 rejected, committed" in _ok(capsys, f"import data/{name}.csv --object {name} -q")
    out = _ok(capsys, "export back.jsonl --object accounts")
    assert out == "Exported 30 accounts to back.jsonl\n"
    lines = Path("back.jsonl").read_text("utf-8").splitlines()
    names = {json.loads(line)["name"] for line in lines}
    assert names == {row["name"] for row in _csv(folder / "data" / "accounts.csv")}
    # re-importing updates instead of duplicating
    out = _ok(capsys, "import data/accounts.csv --object accounts -q")
    assert "(0 created, 30 updated)" in out
    out = _ok(capsys, "segment --by status")
    assert "Status segments as of" in out
    assert "orders in sqlite:///crm.db" in out


def test_import_progress_goes_to_standard_error_when_asked(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _ok(capsys, "dataset --output data --accounts 20")
    command = "import data/hubspot-companies.csv --format hubspot --object companies --currency SEK"
    assert main(shlex.split(command + " --progress")) == 0
    out, err = capsys.readouterr()
    assert "20 accepted" in out
    assert err.splitlines()[-1] == "hubspot-companies.csv: 20 of 20 (100%)"


def test_rejected_rows_roll_back_or_are_kept_as_asked(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("a.csv").write_text("name,employees\nAcme,40\nBeta,many\nGamma,3\n", "utf-8")
    assert main(["import", "a.csv", "--object", "accounts", "-q"]) == 2
    out, err = capsys.readouterr()
    assert "line 3: employees: 'many' is not a whole number" in out
    assert err == (
        "crmkit: a.csv: 1 of 3 rows rejected; the import was rolled back and nothing was stored\n"
    )
    out = _ok(
        capsys,
        "import a.csv --object accounts -q --policy keep_accepted --rejects rejects.csv",
    )
    assert "3 rows, 2 accepted" in out
    assert "Rejected rows: rejects.csv" in out
    assert "many" in Path("rejects.csv").read_text("utf-8")
    _ok(capsys, "export a-out.csv --object accounts")
    assert len(_csv(Path("a-out.csv"))) == 2


def test_rfm_writes_csv_and_parquet_with_every_customer(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import pyarrow.parquet as pq

    from crmkit.segmentation import rfm

    out = _ok(capsys, "rfm --input t.csv --output rfm.csv")
    rows = _csv(folder / "rfm.csv")
    customers = {line.split(",")[0] for line in TRANSACTIONS.splitlines()[1:]}
    assert {r["customer_id"] for r in rows} == customers
    assert out == f"Wrote {len(customers)} customers to rfm.csv\n"
    _ok(capsys, "rfm --input t.csv --output rfm.parquet --as-of 2024-12-31")
    table = pq.read_table(folder / "rfm.parquet").to_pylist()
    expected = {
        r.customer_id: r for r in rfm(_records(folder / "t.csv"), as_of=dt.date(2024, 12, 31))
    }
    assert len(table) == len(expected)
    for row in table:
        want = expected[row["customer_id"]]
        got = (row["recency_days"], row["frequency"], row["segment"])
        assert got == (want.recency_days, want.frequency, want.segment)
    # other column names, and a Parquet input
    renamed = TRANSACTIONS.replace("account_id,ordered_at,total", "kund,dag,belopp")
    Path("renamed.csv").write_text(renamed, "utf-8")
    out = _ok(
        capsys, "segment --input renamed.csv --customer kund --at dag --amount belopp --by abc"
    )
    assert "ABC segments as of 2024-12-27" in out
    import pyarrow as pa

    pq.write_table(pa.Table.from_pylist(_records(folder / "t.csv")), folder / "t.parquet")
    assert (
        _ok(capsys, "segment --input t.parquet --by abc").replace("t.parquet", "renamed.csv") == out
    )


def test_clv_model_file_round_trip(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from crmkit.clv import load_model, summarise, value_customers
    from crmkit.datasets import make_b2b

    purchases = make_b2b(seed=7, n_accounts=300).purchases()
    lines = [f"{o.account_id},{o.ordered_at.isoformat()},{o.total.amount}\n" for o in purchases]
    text = "account_id,ordered_at,total\n" + "".join(lines)
    Path("t.csv").write_text(text, "utf-8")
    customers = len({o.account_id for o in purchases})
    last = max(o.ordered_at for o in purchases).date()
    out = _ok(capsys, "clv fit --input t.csv --model clv.json")
    assert f"Fitted BetaGeo and GammaGamma on {customers} customers" in out
    document = json.loads(Path("clv.json").read_text("utf-8"))
    assert document["crmkit"] == "clv-model"
    assert document["purchases"]["model"] == "BetaGeo"
    assert document["spend"]["model"] == "GammaGamma"
    assert document["observation_end"] == last.isoformat()
    _ok(capsys, "clv predict --input t.csv --model clv.json --output v.csv --months 6")
    rows = _csv(folder / "v.csv")
    assert len(rows) == customers
    assert all(0 <= float(r["probability_alive"]) <= 1 for r in rows)
    values = [float(r["lifetime_value"]) for r in rows]
    assert values == sorted(values, reverse=True)
    # the numbers the library gives with the saved models
    summary = summarise(_records(folder / "t.csv"), amount="total", time_unit="weeks", as_of=last)
    models = load_model(document["purchases"]), load_model(document["spend"])
    expected = {
        v.customer_id: v.lifetime_value for v in value_customers(summary, *models, months=6)
    }
    for row in rows:
        assert float(row["lifetime_value"]) == pytest.approx(expected[row["customer_id"]])
    # without a spend model there is no CLV
    _ok(capsys, "clv fit --input t.csv --model p.json --purchases pareto-nbd --no-spend")
    out = _ok(capsys, "clv predict --input t.csv --model p.json --limit 2")
    assert f"Total 12-month CLV: 0.00 ({customers} customers)" in out
    assert json.loads(Path("p.json").read_text("utf-8"))["purchases"]["model"] == "ParetoNBD"
    assert main(["clv", "fit", "--input", "t.csv", "--model", "t.csv"]) == 2
    assert "is the input file" in capsys.readouterr().err
    assert Path("t.csv").read_text("utf-8") == text


def test_score_leads_from_the_store(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("leads.csv").write_text(
        "company_name,employees,interest_level\nBig AB,500,very_interested\nSmall AB,3,\n",
        "utf-8",
    )
    _ok(capsys, "import leads.csv --object leads -q")
    model = {
        "criteria": [
            {
                "name": "big",
                "field": "employees",
                "op": "between",
                "value": [100, 9999],
                "points": 20,
            },
            {
                "name": "keen",
                "field": "interest_level",
                "op": "in",
                "value": ["very_interested"],
                "points": 30,
            },
            {"name": "unknown interest", "field": "interest_level", "op": "is_null", "points": -5},
        ],
        "thresholds": [{"min_score": 40, "action": "prioritise"}],
        "default_action": "nurture",
    }
    Path("m.json").write_text(json.dumps(model), "utf-8")
    _ok(capsys, "score leads --model m.json --output scores.csv")
    rows = _csv(folder / "scores.csv")
    assert [(r["score"], r["action"], r["criteria"]) for r in rows] == [
        ("50.0", "prioritise", "big, keen"),
        ("-5.0", "nurture", "unknown interest"),
    ]


def test_hubspot_and_salesforce_exports(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _ok(capsys, "dataset --output data --accounts 10")
    _ok(
        capsys,
        "import data/hubspot-companies.csv --format hubspot --object companies --currency SEK -q",
    )
    _ok(capsys, "export sf.csv --format salesforce --object Account")
    _ok(capsys, "export hs.csv --format hubspot --object companies")
    hs = _csv(folder / "hs.csv")
    source = _csv(folder / "data" / "hubspot-companies.csv")
    assert {r["Record ID"] for r in hs} == {r["Record ID"] for r in source}
    sf = _csv(folder / "sf.csv")
    assert sorted(r["Name"] for r in sf) == sorted(r["Company name"] for r in hs)


@pytest.fixture
def pg_database() -> Iterator[str]:
    url = pg_url()
    require_backend("postgresql", url is not None, "set CRMKIT_PG_URL (bash .ci/postgres.sh)")
    assert url is not None
    import sqlalchemy as sa

    name = f"crmkit_cli_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield sa.engine.make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.mark.postgres
def test_the_store_option_reaches_postgresql(
    folder: Path, pg_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _ok(capsys, "dataset --output data --accounts 25")
    for store in (pg_database, "sqlite:///crm.db"):
        for name in ("companies", "deals"):
            _ok(
                capsys,
                f"import data/hubspot-{name}.csv --format hubspot --object {name} "
                f"--currency SEK -q --store {store}",
            )
    _ok(capsys, f"segment --from deals --store {pg_database} --output pg.csv")
    _ok(capsys, "segment --from deals --output lite.csv")

    def rows(path: Path) -> list[dict[str, str]]:
        found = [{k: v for k, v in r.items() if k != "customer_id"} for r in _csv(path)]
        return sorted(found, key=lambda r: r["remote_id"])

    assert rows(folder / "pg.csv") == rows(folder / "lite.csv")
    assert len(rows(folder / "pg.csv")) >= 5
