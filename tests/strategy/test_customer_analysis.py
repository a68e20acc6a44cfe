"""The worked examples of seed-002-004.md §5.3 that touch the workbook."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.errors import ValidationError
from crmkit.strategy import (
    CustomerStatus,
    ProfitabilityShares,
    WorkbookAnswers,
    acquisition_cost,
    analyse_customers,
    cross_sell_percent,
    cross_sell_percent_of_counts,
    loyal_percent,
    loyal_percent_of_flags,
    profitability_shares,
    repurchase_bucket,
    repurchase_shares,
    share_of_wallet_split,
    status_from_last_invoice,
    top_n_concentration,
    volume_block,
    workbook_answers,
)

REF = date(2024, 12, 31)


def test_1_customer_status_and_volume_block() -> None:
    dates = {"C1": date(2024, 11, 15), "C2": date(2024, 3, 10), "C3": date(2023, 6, 30), "C4": None}
    status = {k: status_from_last_invoice(v, REF) for k, v in dates.items()}
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
    assert status_from_last_invoice(date(2023, 12, 31), REF) is CustomerStatus.ACTIVE
    assert status_from_last_invoice(date(2023, 12, 30), REF) is CustomerStatus.PASSIVE
    assert (
        status_from_last_invoice(date(2024, 6, 30), REF, window_months=6) is CustomerStatus.ACTIVE
    )


def test_2_profitability_matrix_partition_and_nested() -> None:
    m = profitability_shares(
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
    assert loyal_percent_of_flags(flags) == 25.0
    assert cross_sell_percent_of_counts([1, 2, 3, 1, 1]) == 40.0


def test_8_acquisition_vs_retention() -> None:
    from crmkit import scoring
    from crmkit.domain import Money

    assert acquisition_cost(1000) == 5000
    assert acquisition_cost(Decimal("1000")) == Decimal("5000")
    assert acquisition_cost(Money("999.95", "SEK")) == Money("4999.75", "SEK")
    assert acquisition_cost is scoring.acquisition_cost  # one definition


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


# --- one definition: the figures come from crmkit.segmentation and crmkit.scoring -------------


def _orders() -> list[dict[str, object]]:
    """Seed §5.3's customers as orders: C1..C3 with last invoices as in example 1 and
    purchase counts 1 / 3 / 7; C1 buys two products, the others one."""

    def order(account: str, day: date, total: int, product: str) -> dict[str, object]:
        return {
            "account_id": account,
            "ordered_at": day,
            "total": total,
            "lines": [{"product_id": product}],
        }

    return (
        [order("C1", date(2024, 11, 15), 100, "p1")]
        + [order("C2", date(2024, 3, d), 50, "p1" if d % 2 else "p2") for d in (8, 9, 10)]
        + [order("C3", date(2023, 6, d), 10, "p1") for d in range(24, 31)]
    )


def test_analyse_customers_from_order_records() -> None:
    figures = analyse_customers(
        _orders(), as_of=REF, accounts=[{"id": f"C{i}"} for i in range(1, 5)]
    )
    assert figures.volume == {"active": 2, "passive": 1, "total": 3, "potential": 1}
    assert figures.repurchase is not None
    assert figures.repurchase.buckets == pytest.approx(
        {"1": 100 / 3, "2-5": 100 / 3, "6-10": 100 / 3, "11+": 0.0}
    )
    assert figures.concentration is not None
    assert figures.concentration.share == 100.0
    # revenue C2 150, C1 100, C3 70 of 320
    assert figures.concentration.distribution == [46.875, 31.25, 21.875]
    assert figures.cross_sell == pytest.approx(100 / 3)  # only C2 bought two products
    answers = figures.workbook_answers()
    assert answers["s05.volume.potential"] == 1
    assert answers["s05.cross_sell_share"] == 33.33
    wb = WorkbookAnswers()
    wb.fill(answers)
    assert wb.consistency_warnings() == []


def test_records_and_frames_give_the_same_figures() -> None:
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    orders = _orders()
    flat = [{k: v for k, v in o.items() if k != "lines"} for o in orders]
    purchases = [
        {"account_id": o["account_id"], "product_id": line["product_id"]}  # type: ignore[index]
        for o in orders
        for line in o["lines"]  # type: ignore[attr-defined]
    ]
    accounts = [{"id": f"C{i}"} for i in range(1, 5)]
    from_records = analyse_customers(orders, as_of=REF, accounts=accounts)
    frame = pd.DataFrame(flat)
    frame["ordered_at"] = pd.to_datetime(frame["ordered_at"])
    from_pandas = analyse_customers(
        frame, as_of=REF, accounts=pd.DataFrame(accounts), purchases=pd.DataFrame(purchases)
    )
    lazy = analyse_customers(
        pl.from_pandas(frame).lazy(),
        as_of=REF,
        accounts=pl.DataFrame(accounts).lazy(),
        purchases=pl.DataFrame(purchases).lazy(),
    )
    assert from_records == from_pandas == lazy


@given(
    last=st.one_of(st.none(), st.dates(min_value=date(2022, 1, 1), max_value=REF)),
    window=st.integers(min_value=1, max_value=36),
)
@settings(max_examples=60, deadline=None)
def test_status_follows_the_segmentation_definition(last: date | None, window: int) -> None:
    from crmkit import segmentation

    invoices = [] if last is None else [{"account_id": "c", "ordered_at": last}]
    rows = segmentation.customer_status(
        invoices, accounts=[{"id": "c"}], as_of=REF, window_months=window
    )
    assert status_from_last_invoice(last, REF, window_months=window).value == rows[0].status


def test_loyal_share_reads_flags_and_records_by_the_scoring_rule() -> None:
    from crmkit.scoring import LoyaltyRule

    customers = [
        {"recommend": 10, "purchases": 8, "share_of_wallet": 0.8},
        {"recommend": 9, "purchases": 6, "share_of_wallet": 0.5},  # exactly 50 %: not above
        {"recommend": 6, "purchases": 20, "share_of_wallet": 0.9},
        {"recommend": 10, "purchases": None, "share_of_wallet": 0.9},  # unknown: not loyal
    ]
    assert loyal_percent(customers) == 25.0
    assert loyal_percent(customers, LoyaltyRule(inclusive=True)) == 50.0
    with pytest.raises(ValidationError):
        loyal_percent([(True, True, True)], LoyaltyRule())


def test_cross_sell_from_purchases_and_errors_name_the_input() -> None:
    rows = [("a", "p1"), ("a", "p2"), ("b", "p1"), ("c", "p3"), ("a", "p1")]
    assert cross_sell_percent(
        [{"account_id": c, "product_id": p} for c, p in rows]
    ) == pytest.approx(100 / 3)
    with pytest.raises(ValidationError) as exc:
        cross_sell_percent_of_counts([2, 0])
    assert exc.value.paths == ["distinct_products[1]"]
    with pytest.raises(ValidationError) as exc:
        top_n_concentration([10, -1])
    assert exc.value.paths == ["revenues[1]"]
    with pytest.raises(ValidationError) as exc:
        share_of_wallet_split([(50, 100), (120, 100)])
    assert exc.value.paths == ["spend[1].ours"]
    with pytest.raises(ValidationError) as exc:
        status_from_last_invoice(date(2025, 1, 1), REF)
    assert exc.value.paths == ["last_invoiced[0]"]


def test_profitability_from_records_reports_unclassified() -> None:
    from crmkit.segmentation import profitability_matrix as cells

    rows = cells(
        [
            {"id": 1, "profit": 10, "growth_potential": True},
            {"id": 2, "profit": -5, "growth_potential": False},
            {"id": 3, "profit": 0, "growth_potential": True},  # profit 0 is not profitable
            {"id": 4, "profit": 7, "growth_potential": None},
        ]
    )
    shares = ProfitabilityShares.from_rows(rows)
    assert (shares.profitable_growth, shares.unprofitable, shares.unprofitable_potential) == (
        25.0,
        25.0,
        25.0,
    )
    assert shares.unclassified == 25.0
