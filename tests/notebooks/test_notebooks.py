"""The example notebooks run top to bottom in a real Jupyter kernel and show the right numbers.

Each notebook in ``examples/notebooks/`` is executed with nbclient (an IPython kernel, as in
Jupyter) in a temporary working directory; the test then reads the printed output of the
cells tagged for checking and compares it with the same analysis run here, through the
records API instead of the notebook's CSV → Polars path.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat", reason="nbformat is a dev dependency")
nbclient = pytest.importorskip("nbclient", reason="nbclient is a dev dependency")
pytest.importorskip("ipykernel", reason="ipykernel is a dev dependency")

NOTEBOOKS = Path(__file__).resolve().parents[2] / "examples" / "notebooks"


def run(name: str, workdir: Path) -> dict[str, Any]:
    """Execute notebook ``name`` in ``workdir``; its code cells by tag."""
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(workdir)}},
    )
    client.execute()
    cells = {}
    for cell in notebook.cells:
        for tag in cell.get("metadata", {}).get("tags", []):
            cells[tag] = cell
    return cells


def stdout(cell: Any) -> list[str]:
    text = "".join(o.get("text", "") for o in cell.outputs if o.get("name") == "stdout")
    return text.splitlines()


def printed(cell: Any) -> dict[str, str]:
    """``label value`` lines → ``{label: value}`` (the label is everything before the last space)."""
    return dict(line.rsplit(" ", 1) for line in stdout(cell))


def shows_an_image(cell: Any) -> bool:
    return any("image/png" in o.get("data", {}) for o in cell.outputs)


def test_every_notebook_is_checked():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == [
        "clv-workbench.ipynb",
        "lead-scoring.ipynb",
    ]


def test_clv_workbench_notebook(tmp_path):
    from datetime import date

    from crmkit.clv import BetaGeo, summarise
    from crmkit.datasets import make_b2b
    from crmkit.segmentation import rfm

    cells = run("clv-workbench.ipynb", tmp_path)
    # the same analysis on the generator's Order records (no CSV, no Polars)
    orders = make_b2b(seed=7, n_accounts=400).purchases()
    summary = summarise(orders, amount="total", time_unit="weeks", as_of=date(2025, 12, 31))
    model = BetaGeo.fit(summary)

    read = printed(cells["read"])
    assert int(read["transactions"]) == len(orders)
    assert int(read["customers"]) == len({o.account_id for o in orders})
    fit = printed(cells["fit"])
    assert int(fit["customers"]) == len(summary)
    assert float(fit["r"]) == pytest.approx(model.r, abs=1e-4)
    assert float(fit["alpha"]) == pytest.approx(model.alpha, abs=1e-4)
    # CLV by segment: every customer in one RFM segment, sorted by total value, all positive
    segments = [line.split(" ") for line in stdout(cells["clv"])]
    assert sum(int(n) for _, n, _ in segments) == len(summary)
    totals = [int(v) for _, _, v in segments]
    assert totals == sorted(totals, reverse=True)
    assert all(v > 0 for v in totals)
    by_rfm = {row.segment for row in rfm(orders, as_of=date(2025, 12, 31))}
    assert {name for name, _, _ in segments} == by_rfm
    # the customer values displayed as an HTML table (crmkit.display.table)
    shown = next(o for o in cells["rows"].outputs if o.get("output_type") == "execute_result")
    html = shown["data"]["text/html"]
    assert f"<caption>first 5 of {len(summary)} rows</caption>" in html
    assert "<th>probability_alive</th>" in html
    assert html.count("<tr>") == 6
    # plots were drawn and saved
    for png in ("clv_by_segment.png", "rfm_segments.png", "alive.png", "holdout.png"):
        assert (tmp_path / png).stat().st_size > 1000
    assert shows_an_image(cells["plots"])
    # the holdout check: a useful model, and its decile table displayed as a frame
    holdout = printed(cells["holdout"])
    assert int(holdout["holdout customers"]) <= len(summary)
    assert float(holdout["MAE"]) > 0
    assert 0.5 < float(holdout["correlation"]) <= 1
    table = next(o for o in cells["holdout"].outputs if o.get("output_type") == "execute_result")
    assert "predicted_purchases" in table["data"]["text/plain"]


def test_lead_scoring_notebook(tmp_path):
    from crmkit.datasets import make_b2b

    cells = run("lead-scoring.ipynb", tmp_path)
    leads = make_b2b(seed=42, n_accounts=300).leads
    assert printed(cells["read"]) == {"leads": str(len(leads))}
    lines = stdout(cells["score"])
    actions = dict(line.split(" ") for line in lines[:-1])
    assert set(actions) <= {"prioritise", "route", "nurture", "disqualify"}
    assert sum(int(n) for n in actions.values()) == len(leads)
    assert lines[-1].startswith("score ")  # the explanation of one lead
    assert "→" in lines[-1]
    bands = [line.split(" ") for line in stdout(cells["bands"])]
    assert [b[0] for b in bands] == ["<0", "0–35", "35–60", "60+"]
    assert sum(int(b[1]) for b in bands) == len(leads)
    rates = [float(b[2]) for b in bands]
    assert rates == sorted(rates)  # conversion rises with the score band
    converted = sum(lead.status.value == "converted" for lead in leads)
    overall = converted / len(leads)
    for _, n, rate, lift in bands:
        assert float(lift) == pytest.approx(float(rate) / overall, abs=1e-3)
        assert 0 <= float(rate) <= 1
        assert not math.isnan(float(lift))
        assert int(n) > 0
    assert (tmp_path / "lead_scores.png").stat().st_size > 1000
    assert shows_an_image(cells["plot"])
