"""The analytics' overloads, proven by mypy: records in → a list of rows, frame in → that frame.

``checked_overloads.py`` holds ``assert_type`` checks (and lines mypy must reject); this test
runs ``mypy --strict`` on it with the project's configuration and expects no error.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECKED = Path(__file__).with_name("checked_overloads.py")


@pytest.mark.slow  # mypy in a subprocess
def test_overloads_type_records_as_rows_and_frames_as_the_same_frame() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", str(CHECKED)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout == "", result.stdout
    assert result.returncode == 0, result.stderr


def test_the_checked_module_checks_every_overloaded_analytic() -> None:
    source = CHECKED.read_text(encoding="utf-8")
    analytics = ["assign_segments", "repurchase_buckets", "abc_classes", "customer_portfolio",
                 "profitability_matrix", "go_to_market_tiers", "propensity_bands",
                 "share_of_wallet", "engagement_summary", "neglected", "win_back",
                 "cases_per_problem_type", "weighted_pipeline", "lost_reasons",
                 "customers_per_stage", "time_in_stage", "cohort_retention",
                 "LoyaltyRule().classify", "icp.score", "model.predict", "rfm",
                 "customer_status", "segment_summary", "summarise", "calibration_holdout",
                 "profitability_ranking", "false_key_customers", "model.score",
                 "value_customers"]  # fmt: skip
    unchecked = [name for name in analytics if f"assert_type({name}(" not in source]
    assert unchecked == []
