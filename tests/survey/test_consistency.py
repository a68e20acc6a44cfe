"""The §3.9 inconsistencies of seed 003, detected by the consistency checks, and TV-12."""

from __future__ import annotations

import pytest

from crmkit.errors import ValidationError
from crmkit.survey import (
    check_descriptives_report,
    check_rounding,
    check_scale_range,
    check_share_report,
    response_rate,
)
from tests.survey.seed003 import BLOCK4, TV1_ITEMS


def test_item1_factor3_alpha_in_prose_contradicts_jmp() -> None:
    (f,) = check_rounding(0.7769, 0.73, decimals=2, subject="F3 alpha (prose)")
    assert f.code == "rounding"
    assert f.expected == 0.78
    assert check_rounding(0.7769, 0.78, decimals=2) == []


def test_item7_other_services_shares() -> None:
    assert check_share_report(65, 71, 91.5) == []  # Qualtrics: 26 + 39 of 71
    assert check_share_report(65, 71, 93, decimals=0)  # key findings "93%"
    assert check_share_report(63, 68, 92.6) == []  # prose "63 of 68" is self-consistent ...
    assert check_share_report(65, 71, 92.6)  # ... but not with the Qualtrics counts


def test_item8_long_term_relationship_shares_use_another_sample() -> None:
    # Qualtrics (n = 73): 20 strongly agree (27.40%), 29 agree (39.73%); prose says 30% / 38%
    assert check_share_report(20, 73, 27.40, decimals=2) == []
    assert check_share_report(29, 73, 39.73, decimals=2) == []
    assert check_share_report(20, 73, 30, decimals=0)
    assert check_share_report(29, 73, 38, decimals=0)


@pytest.mark.parametrize("item", sorted(BLOCK4))
def test_item9_block4_stored_as_2_8(item: str) -> None:
    counts, qualtrics_mean, _ = BLOCK4[item]
    (f,) = check_scale_range(2, 8, (1, 7), subject=item)
    assert f.code == "scale.offset"
    assert "recode with offset -1" in f.message
    (g,) = check_descriptives_report(counts, mean=qualtrics_mean, subject=item)
    assert g.code == "descriptives.offset"


def test_service_item_min_2_max_7_is_on_scale() -> None:
    assert check_scale_range(2, 7, (1, 7)) == []
    (f,) = check_scale_range(0, 9, (1, 7))
    assert f.code == "scale.range"


@pytest.mark.parametrize("name", sorted(TV1_ITEMS))
def test_tv1_reports_are_consistent_as_population_statistics(name: str) -> None:
    counts, _, mean, sd, variance, _ = TV1_ITEMS[name]
    assert check_descriptives_report(counts, mean=mean, sd=sd, variance=variance, ddof=0) == []


def test_tv1_claiming_sample_sd_is_flagged() -> None:
    (f,) = check_descriptives_report(
        [14, 25, 26, 13, 17, 4], mean=3.06, sd=1.41, variance=2.00, ddof=1
    )
    assert f.code == "descriptives.spread"
    (g,) = check_descriptives_report([14, 25, 26, 13, 17, 4], mean=3.5)
    assert g.code == "descriptives.mean"


def test_tv12_sample_bookkeeping() -> None:
    assert round(100 * response_rate(660, 850), 1) == 77.6
    assert round(100 * response_rate(100, 660), 2) == 15.15
    assert response_rate(5, 8) == 0.625
    assert round(100 * response_rate(65, 71), 1) == 91.5
    assert round(100 * response_rate(64, 100), 0) == 64  # JMP listwise subset
    with pytest.raises(ValidationError):
        response_rate(101, 100)
    with pytest.raises(ValidationError):
        response_rate(1, 0)


def test_share_report_bad_input() -> None:
    with pytest.raises(ValidationError):
        check_share_report(5, 0, 10)
    with pytest.raises(ValidationError):
        check_share_report(6, 5, 10)
