"""The demo sections added for data safety, more CLV models, plots, numerical edges and the
source concepts: each runs on a small company and shows what it promises."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import crmkit.plot
from crmkit.adapters import open_store
from crmkit.adapters.files import read_rejects
from crmkit.cli._demo import SECTIONS, run_demo
from crmkit.cli._reference import commands
from crmkit.cli._sections.models import quarterly_histories
from crmkit.cli._sections.safety import HOSTILE_COMPANIES
from crmkit.errors import MissingDependencyError
from crmkit.scoring import inbound_share
from crmkit.strategy import capabilities

NEW = ("safety", "models", "plots", "edges", "sources")
SMALL = 200
PNG = b"\x89PNG\r\n\x1a\n"


def _run(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[str, object]:
    ctx = run_demo(only=[name], output_dir=tmp_path, plain=True, n_accounts=SMALL)
    return capsys.readouterr().out, ctx


def test_new_sections_are_listed_in_order_and_in_help() -> None:
    assert SECTIONS[0] == "dataset"
    assert SECTIONS[-1] == "assessment"
    assert SECTIONS.index("storage") < SECTIONS.index("safety")
    demo_help = dict(commands())["crmkit demo"]
    for name in NEW:
        assert name in SECTIONS
        assert name in demo_help


def test_safety_imports_hostile_rows_with_rejects(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, _ = _run("safety", tmp_path, capsys)
    assert "6 rows, 2 accepted (2 created, 0 updated), 4 rejected, committed" in out
    source = tmp_path / "hostile-companies.csv"
    rejects = list(read_rejects(tmp_path / "hostile-companies-rejects.csv"))
    by_line = {(r.line, r.field): r for r in rejects}
    assert by_line[(3, "Annual Revenue")].value == "1234,50"
    assert "decimal separator" in by_line[(3, "Annual Revenue")].reason
    assert by_line[(4, "Create Date")].value == "04/03/2025"
    assert "byte 0xf6" in by_line[(5, "")].reason
    assert by_line[(6, "Annual Revenue")].reason == "is not a finite number"
    assert {r.line for r in rejects} == {3, 4, 5, 6}
    for text in ("1234,50", "04/03/2025", "byte 0xf6", "NaN"):
        assert text in out
    # the output pointed at the input is refused and the input is untouched
    assert "rejects_path=the input file: refused" in out
    assert "is the input file" in out
    assert source.read_bytes() == HOSTILE_COMPANIES
    # the hostile form still gives its lead; the withdrawn consent stops the message
    assert "lead 'Fjord AS' stored; 3 values kept raw in remote_data" in out
    assert "form.g-recaptcha-response" in out
    assert "form.utm source" in out
    assert "withdrawn on 2025-01-01" in out
    assert "Messages sent: 0." in out
    with open_store(f"sqlite:///{tmp_path / 'crm.db'}") as store, store.unit_of_work() as uow:
        assert uow.accounts.find_by_remote_id("hs-9101") is not None
        assert uow.accounts.find_by_remote_id("hs-9106") is not None
        assert uow.accounts.find_by_remote_id("hs-9102") is None
        leads = list(uow.leads.iter_all())
        assert [lead.company_name for lead in leads] == ["Fjord AS"]
        assert leads[0].remote_data["g-recaptcha-response"] == "03AGdBq2"


def test_models_shows_sbg_bgbb_and_holdout_validation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, ctx = _run("models", tmp_path, capsys)
    assert "gamma 0.704, delta 1.182" in out
    assert "projected survivors in years 8–12 [220, 204, 191, 180, 170]" in out
    data = ctx.data  # type: ignore[attr-defined]
    histories = quarterly_histories(list(data.purchases()), data.observation_end)
    assert (
        f"BG/BB with each calendar quarter as a purchase opportunity ({len(histories)} customers"
        in out
    )
    assert "could not be fitted" not in out
    row = re.search(r"^purchases\s+([\d.,]+)\s+([\d.,]+)\s+(-?[\d.]+)", out, re.MULTILINE)
    assert row is not None, out
    mae, rmse, correlation = (float(v.replace(",", "")) for v in row.groups())
    assert 0 < mae <= rmse
    assert -1 <= correlation <= 1
    assert "Holdout validation of BG/NBD + Gamma-Gamma: fitted up to 2024-12-31" in out


def test_quarterly_histories_count_later_quarters_as_opportunities() -> None:
    from datetime import date, datetime
    from types import SimpleNamespace as Order

    orders = [
        Order(account_id="a", ordered_at=datetime(2025, 1, 5)),
        Order(account_id="a", ordered_at=datetime(2025, 2, 1)),  # same quarter as the first
        Order(account_id="a", ordered_at=datetime(2025, 4, 1)),
        Order(account_id="a", ordered_at=datetime(2025, 5, 1)),
        Order(account_id="a", ordered_at=datetime(2025, 10, 1)),
        Order(account_id="b", ordered_at=datetime(2024, 12, 31)),
        Order(account_id="c", ordered_at=datetime(2025, 11, 1)),  # first order in the last quarter
    ]
    rows = quarterly_histories(orders, date(2025, 12, 31))
    assert sorted(rows, key=lambda r: -r["frequency"]) == [
        {"frequency": 2, "recency": 3, "periods": 3},
        {"frequency": 0, "recency": 0, "periods": 4},
    ]


def test_plots_writes_png_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = _run("plots", tmp_path, capsys)
    names = [
        "rfm-segments.png",
        "rf-heatmap.png",
        "pareto-curve.png",
        "probability-alive.png",
        "lead-scores.png",
        "pipeline-funnel.png",
    ]
    for name in names:
        path = tmp_path / name
        assert path.read_bytes()[:8] == PNG, name
        assert name in out
    assert "not drawn" not in out
    assert sorted(p.name for p in tmp_path.glob("*.png")) == sorted(names)


def test_plots_without_matplotlib_print_a_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing(*args: object, **kwargs: object) -> None:
        raise MissingDependencyError.for_extra("matplotlib", "plot")

    monkeypatch.setattr(crmkit.plot, "plot_rfm_segments", missing)
    out, _ = _run("plots", tmp_path, capsys)
    assert "Plots skipped: matplotlib is required" in out
    assert "crmkit[plot]" in out
    assert list(tmp_path.glob("*.png")) == []


def test_edges_shows_utc_day_and_exact_boundary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, _ = _run("edges", tmp_path, capsys)
    assert "2025-12-31 23:30 UTC" in out
    assert "recency 0 days" in out
    assert "0.7999999999999999" in out
    assert "exactly 0.8" in out
    assert "is class A" in out


def test_sources_shows_crm_types_flower_actions_kpis_and_inbound_share(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, ctx = _run("sources", tmp_path, capsys)
    counts = {
        m.group(1): int(m.group(2))
        for m in re.finditer(r"^(Analytical|Operational|Collaborative) CRM\s+(\d+)", out, re.M)
    }
    assert set(counts) == {"Analytical", "Operational", "Collaborative"}
    assert sum(counts.values()) == len(capabilities())
    assert "Relationship flower of key account" in out
    assert "Work first on: economics." in out
    for tier, action in [("platinum", "develop"), ("gold", "retain"), ("bronze", "eliminate")]:
        assert re.search(rf"^{tier}\s+{action}\s+\d+", out, re.M), tier
    assert "sales region manager" in out
    assert "sales_calls_per_week (operational)" in out
    assert "Sales calls per week (outbound calls, whole company" in out
    data = ctx.data  # type: ignore[attr-defined]
    last = [i for i in data.interactions if i.done_at is not None and i.done_at.year == 2025]
    share = inbound_share(last, label="2025")
    assert re.search(
        rf"^2025\s+{share.inbound}\s+{share.outbound}\s+{share.unattributed}\s+"
        rf"{100 * share.share:.1f}%",
        out,
        re.M,
    ), out
