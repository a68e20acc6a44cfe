"""The worked examples of seed-002-004.md §5.3 that touch the workbook."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from crmkit.errors import ValidationError
from crmkit.strategy import (
    CustomerStatus,
    WorkbookAnswers,
    acquisition_cost,
    cross_sell_rate,
    customer_status,
    loyal_share,
    profitability_matrix,
    repurchase_bucket,
    repurchase_shares,
    share_of_wallet_split,
    top_n_concentration,
    volume_block,
    workbook_answers,
)

REF = date(2024, 12, 31)


def test_1_customer_status_and_volume_block() -> None:
    dates = {"C1": date(2024, 11, 15), "C2": date(2024, 3, 10), "C3": date(2023, 6, 30), "C4": None}
    status = {k: customer_status(v, REF) for k, v in dates.items()}
    assert status == {
        "C1": CustomerStatus.ACTIVE,
        "C2": CustomerStatus.ACTIVE,
        "C3": CustomerStatus.PASSIVE,
        "C4": CustomerStatus.POTENTIAL,
    }
    assert volume_block(dates.values(), REF) == {
        "active": 2,
        "passive": 1,
        "total": 3,
        "potential": 1,
    }
    # boundary: exactly 12 months earlier is inside the window (inclusive rule)
    assert customer_status(date(2023, 12, 31), REF) is CustomerStatus.ACTIVE
    assert customer_status(date(2023, 12, 30), REF) is CustomerStatus.PASSIVE
    assert customer_status(date(2024, 6, 30), REF, window_months=6) is CustomerStatus.ACTIVE


def test_2_profitability_matrix_partition_and_nested() -> None:
    m = profitability_matrix(
        [(True, True)] * 3 + [(True, False)] * 4 + [(False, True)] * 2 + [(False, False)]
    )
    assert (m.profitable_growth, m.profitable, m.unprofitable_potential, m.unprofitable) == (
        30.0,
        40.0,
        20.0,
        10.0,
    )
    assert (m.profitable_any, m.unprofitable_any) == (70.0, 30.0)


def test_3_repurchase_buckets() -> None:
    counts = [1, 1, 3, 5, 7, 10, 11, 15]
    assert repurchase_shares(counts).buckets == {"1": 25.0, "2-5": 25.0, "6-10": 25.0, "11+": 25.0}
    literal = repurchase_shares(counts, literal=True)
    assert literal.buckets["12+"] == 12.5
    assert literal.unclassified == 12.5
    assert [repurchase_bucket(n) for n in (1, 2, 5, 6, 10, 11, 12)] == [
        "1",
        "2-5",
        "2-5",
        "6-10",
        "6-10",
        "11+",
        "11+",
    ]
    assert repurchase_bucket(11, literal=True) is None
    with pytest.raises(ValidationError):
        repurchase_bucket(0)


def test_4_share_of_wallet() -> None:
    pairs = [(80, 100), (30, 100), (50, 100), (0, 40)]
    strict = share_of_wallet_split(pairs, boundary="unclassified")
    assert (strict.over, strict.under, strict.unclassified) == (25.0, 50.0, 25.0)
    over = share_of_wallet_split(pairs, boundary="over")
    assert (over.over, over.under) == (50.0, 50.0)
    with pytest.raises(ValidationError) as exc:
        share_of_wallet_split([(0, 0)])
    assert exc.value.paths == ["spend[0].total"]


def test_5_top_ten_concentration() -> None:
    c = top_n_concentration([200, 150, 100, 100, 100, 100, 50, 50, 50, 50, 25, 25])
    assert c.share == 95.0
    assert c.top_customer_share == 20.0


def test_6_loyalty_and_7_cross_sell() -> None:
    flags = [(True, True, True), (True, True, False), (False, True, True), (True, False, True)]
    assert loyal_share(flags) == 25.0
    assert cross_sell_rate([1, 2, 3, 1, 1]) == 40.0


def test_8_acquisition_vs_retention() -> None:
    assert acquisition_cost(1000) == 5000
    assert acquisition_cost(Decimal("1000")) == Decimal("5000")


def test_figures_fill_the_workbook() -> None:
    answers = workbook_answers(
        volume=volume_block([date(2024, 11, 15), date(2023, 6, 30), None], REF),
        repurchase=repurchase_shares([1, 1, 3, 5, 7, 10, 11, 15]),
        concentration=top_n_concentration([200, 150, 100, 100, 100, 100, 50, 50, 50, 50, 25, 25]),
        loyal=25.0,
        cross_sell=40.0,
    )
    wb = WorkbookAnswers()
    wb.fill(answers)
    assert wb.get("s05.volume.total") == 2
    assert wb.get("s05.repurchase.over_11") == 25.0
    assert wb.get("s05.sow.top10_distribution") == 95.0
    assert wb.consistency_warnings() == []
