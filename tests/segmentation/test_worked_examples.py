"""The worked examples of seed-002-004.md §5.3 (status, profitability, repurchase buckets,
share of wallet, concentration), on records and on frames."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from crmkit.errors import ValidationError
from crmkit.segmentation import (
    SOURCE_REPURCHASE_BUCKETS,
    concentration,
    customer_status,
    pareto_check,
    profitability_matrix,
    repurchase_buckets,
    segment_summary,
    share_of_wallet,
    status_counts,
)
from tests.engines import FAST_ENGINES, rows_of

AS_OF = dt.date(2024, 12, 31)
INVOICES = [
    {"account_id": "C1", "ordered_at": dt.datetime(2024, 11, 15, 10, tzinfo=dt.UTC)},
    {"account_id": "C2", "ordered_at": dt.datetime(2024, 3, 10, 9, tzinfo=dt.UTC)},
    {"account_id": "C3", "ordered_at": dt.datetime(2023, 6, 30, 12, tzinfo=dt.UTC)},
    {"account_id": "B1", "ordered_at": dt.datetime(2023, 12, 31, 0, 0, tzinfo=dt.UTC)},
    {"account_id": "B2", "ordered_at": dt.datetime(2023, 12, 30, 23, 59, tzinfo=dt.UTC)},
]
ACCOUNTS = [{"id": c} for c in ("C1", "C2", "C3", "C4")]


def test_status_example_and_inclusive_boundary_on_records() -> None:
    rows = customer_status(INVOICES, accounts=ACCOUNTS, as_of=AS_OF)
    status = {r.customer_id: r.status for r in rows}
    assert status == {"C1": "active", "C2": "active", "C3": "passive", "C4": "potential",
                      "B1": "active", "B2": "passive"}  # fmt: skip
    counts = status_counts(INVOICES[:3], accounts=ACCOUNTS, as_of=AS_OF)
    assert (counts.active, counts.passive, counts.total, counts.potential) == (2, 1, 3, 1)


@pytest.mark.parametrize("engine", sorted(FAST_ENGINES))
def test_status_example_on_frames(engine: str) -> None:
    build = FAST_ENGINES[engine]
    orders = build(INVOICES, ["account_id", "ordered_at"])
    accounts = build(ACCOUNTS, ["id"])
    got = rows_of(customer_status(orders, accounts=accounts, as_of=AS_OF))
    expected = sorted(
        ({"customer_id": r.customer_id, "status": r.status, "days_since_last": r.days_since_last}
         for r in customer_status(INVOICES, accounts=ACCOUNTS, as_of=AS_OF)),
        key=lambda r: str(r["customer_id"]),
    )  # fmt: skip
    assert got == expected
    counts = status_counts(orders, accounts=accounts, as_of=AS_OF)
    assert (counts.active, counts.passive, counts.potential) == (3, 2, 1)


def test_status_window_is_a_parameter() -> None:
    rows = customer_status(INVOICES, as_of=AS_OF, window_months=6)
    assert {r.customer_id: r.status for r in rows}["C2"] == "passive"
    with pytest.raises(ValidationError, match="window_months"):
        customer_status(INVOICES, as_of=AS_OF, window_months=0)


def test_profitability_matrix_partition_shares() -> None:
    cells = [(10, True)] * 3 + [(10, False)] * 4 + [(-1, True)] * 2 + [(0, False)]
    customers = [{"id": i, "profit": p, "growth_potential": g} for i, (p, g) in enumerate(cells)]
    rows = profitability_matrix(customers)
    shares = {s.segment: s.size_share for s in segment_summary(rows, segment="cell")}
    assert shares == {"profitable_growth": 0.3, "profitable": 0.4,
                      "unprofitable_potential": 0.2, "unprofitable": 0.1}  # fmt: skip
    for engine, build in FAST_ENGINES.items():
        frame = profitability_matrix(build(customers, ["id", "profit", "growth_potential"]))
        got = {r["segment"]: r["size_share"]
               for r in rows_of(segment_summary(frame, segment="cell"), "segment")}  # fmt: skip
        assert got == pytest.approx(shares), engine


COUNTS = [1, 1, 3, 5, 7, 10, 11, 15]
ORDER = ["1", "2-5", "6-10", "11+", "12+"]


def _bucket_shares(rows: Any) -> list[tuple[Any, float]]:
    return [(s.segment, s.size_share)
            for s in segment_summary(rows, segment="bucket", order=ORDER)]  # fmt: skip


def test_repurchase_buckets_recommended_and_literal_readings() -> None:
    customers = [{"id": i, "purchases": n} for i, n in enumerate(COUNTS)]
    rows = repurchase_buckets(customers, purchases="purchases")
    assert _bucket_shares(rows) == [("1", 0.25), ("2-5", 0.25), ("6-10", 0.25), ("11+", 0.25)]
    literal = repurchase_buckets(customers, purchases="purchases",
                                 buckets=SOURCE_REPURCHASE_BUCKETS)  # fmt: skip
    assert _bucket_shares(literal) == [("1", 0.25), ("2-5", 0.25), ("6-10", 0.25),
                                       ("12+", 0.125), (None, 0.125)]  # fmt: skip
    single = {n: r.bucket for n, r in zip([1, 2, 5, 6, 10, 11, 12, 0], repurchase_buckets(
        [{"id": n, "purchases": n} for n in [1, 2, 5, 6, 10, 11, 12, 0]],
        purchases="purchases"), strict=True)}  # fmt: skip
    assert single == {1: "1", 2: "2-5", 5: "2-5", 6: "6-10", 10: "6-10", 11: "11+", 12: "11+",
                      0: None}  # fmt: skip


@pytest.mark.parametrize("engine", sorted(FAST_ENGINES))
def test_repurchase_buckets_from_transactions_on_frames(engine: str) -> None:
    orders = [
        {"account_id": f"c{i}", "ordered_at": dt.datetime(2024, 1, 1 + k, tzinfo=dt.UTC)}
        for i, n in enumerate(COUNTS)
        for k in range(n)
    ]
    expected = {r.customer_id: r.bucket for r in repurchase_buckets(orders)}
    native = FAST_ENGINES[engine](orders, ["account_id", "ordered_at"])
    got = {r["customer_id"]: r["bucket"] for r in rows_of(repurchase_buckets(native))}
    assert got == expected
    assert sorted(expected.values()) == ["1", "1", "11+", "11+", "2-5", "2-5", "6-10", "6-10"]


WALLET = [{"id": "A", "our_spend": 80, "total_spend": 100},
          {"id": "B", "our_spend": 30, "total_spend": 100},
          {"id": "C", "our_spend": 50, "total_spend": 100},
          {"id": "D", "our_spend": 0, "total_spend": 40}]  # fmt: skip


@pytest.mark.parametrize(
    ("boundary", "expected"),
    [(None, {"above": 0.25, "below": 0.5, None: 0.25}),
     ("above", {"above": 0.5, "below": 0.5}),
     ("below", {"above": 0.25, "below": 0.75})],
)  # fmt: skip
def test_share_of_wallet_readings_of_the_50_percent_boundary(
    boundary: Any, expected: dict[Any, float]
) -> None:
    rows = share_of_wallet(WALLET, boundary=boundary)
    assert [r.share for r in rows] == [0.8, 0.3, 0.5, 0.0]
    shares = {s.segment: s.size_share for s in segment_summary(rows, segment="wallet_class")}
    assert shares == expected
    for engine, build in FAST_ENGINES.items():
        frame = share_of_wallet(build(WALLET, ["id", "our_spend", "total_spend"]),
                                boundary=boundary)  # fmt: skip
        got = {r["id"]: r["wallet_class"] for r in rows_of(frame, "id")}
        assert got == {r.key: r.wallet_class for r in rows}, engine


def test_share_of_wallet_refuses_a_zero_total() -> None:
    with pytest.raises(ValidationError, match=r"data\[0\]\.total_spend: 0 must be more than zero"):
        share_of_wallet([{"id": "E", "our_spend": 0, "total_spend": 0}])
    import polars as pl

    with pytest.raises(ValidationError, match="total_spend: has values of zero or less"):
        share_of_wallet(pl.DataFrame({"our_spend": [0], "total_spend": [0]}))


REVENUES = [200, 150, 100, 100, 100, 100, 50, 50, 50, 50, 25, 25]


def test_top_10_concentration_records_and_frames() -> None:
    customers = [{"account_id": f"c{i:02}", "total": v} for i, v in enumerate(REVENUES)]
    c = concentration(customers)
    assert (c.total, c.top_total, c.top_share, c.largest_share) == (1000, 950, 0.95, 0.2)
    assert c.shares[:2] == [0.2, 0.15]
    for engine, build in FAST_ENGINES.items():
        f = concentration(build(customers, ["account_id", "total"]))
        assert (float(f.total), float(f.top_total), f.top_share, f.largest_share) == (
            1000, 950, 0.95, 0.2), engine  # fmt: skip


def test_pareto_80_20_and_90_10_checks() -> None:
    customers = [{"account_id": i, "total": v} for i, v in enumerate([80, 10] + [1.25] * 8)]
    check = pareto_check(customers)
    assert (check.top_customers, check.top_value_share, check.passes) == (2, 0.9, True)
    strict = pareto_check(customers, customer_share=0.1, value_share=0.9)
    assert (strict.top_customers, strict.top_value_share, strict.passes) == (1, 0.8, False)
