"""Synthetic responses and the package's import footprint."""

from __future__ import annotations

import subprocess
import sys

import pytest

from crmkit.errors import ValidationError
from crmkit.survey import key_account_survey, ols, simulate_responses


def test_simulated_responses_are_valid_reproducible_and_reliable() -> None:
    inst = key_account_survey()
    accounts = [f"A{i}" for i in range(120)]
    rs = simulate_responses(inst, accounts, seed=11)
    assert rs == simulate_responses(inst, accounts, seed=11)
    assert rs != simulate_responses(inst, accounts, seed=12)
    for r in rs:
        assert inst.problems(r.answers) == []
    assert [r.account_id for r in rs] == accounts
    assert inst.reliability(rs, "satisfaction").alpha > 0.7
    scores = inst.construct_scores(rs, "satisfaction", missing="pairwise")
    assert all(s is None or 1 <= s <= 7 for s in scores)
    table = inst.item_table(rs, ["q07", "q03", "q04", "q05", "q06"])
    res = ols(table.columns["q07"], {k: table.columns[k] for k in ("q03", "q04", "q05", "q06")})
    assert res.fit.r2 > 0.3


def test_simulation_bad_input() -> None:
    with pytest.raises(ValidationError):
        simulate_responses(key_account_survey(), ["A"], contact_ids=["c1", "c2"])
    with pytest.raises(ValidationError):
        simulate_responses(key_account_survey(), ["A"], missing_rate=1.0)


def test_import_does_not_load_numpy_or_scipy() -> None:
    code = (
        "import sys, crmkit.survey\n"
        "heavy = [m for m in ('numpy', 'scipy', 'narwhals', 'pandas', 'polars', 'statsmodels')"
        " if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
