"""Every segmentation analytic on every engine of the matrix equals the records engine.

The ``engine`` fixture runs each test on records, pandas, Polars eager and lazy, PyArrow,
DuckDB, Dask (a local cluster of 2 worker processes) and PySpark (``local[2]``); frames come back as the
same kind of frame (lazy stays lazy) and read back as the records engine's rows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs
import pytest

from crmkit.frames import col, is_frame
from crmkit.segmentation import (
    RuleSegments,
    Segment,
    abc_classes,
    assign_segments,
    concentration,
    customer_portfolio,
    customer_status,
    go_to_market_tiers,
    pareto_check,
    profitability_matrix,
    propensity_bands,
    repurchase_buckets,
    rfm,
    segment_summary,
    share_of_wallet,
    status_counts,
)
from tests.engines import LAZY, build, rows_of

AS_OF = dt.date(2024, 12, 31)
ORDER_COLUMNS = ["account_id", "ordered_at", "total"]
ORDERS = [
    {"account_id": f"c{i % 7}", "ordered_at": dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
     + dt.timedelta(days=37 * i, hours=i), "total": (i * 37) % 200}
    for i in range(30)
]  # fmt: skip
CUSTOMER_COLUMNS = ["id", "value", "cost_to_serve", "profit", "growth_potential", "employees",
                    "purchase_probability", "our_spend", "total_spend", "segment"]  # fmt: skip
CUSTOMERS = [
    {"id": f"k{i}", "value": 100 * i, "cost_to_serve": (i * 13) % 90, "profit": i - 4,
     "growth_potential": (i * 7) % 10 > 4, "employees": [5, 60, 300, 1200][i % 4],
     "purchase_probability": round(0.1 * i, 2), "our_spend": 10 * i, "total_spend": 100,
     "segment": "AB"[i % 3 == 0]}
    for i in range(10)
]  # fmt: skip


def plain(result: Any, key: str) -> list[dict[str, Any]]:
    """Rows of a records result (attrs rows) or a frame result, as sorted plain dicts."""
    if is_frame(result):
        return rows_of(result, key)
    out = []
    for row in result:
        values = attrs.asdict(row) if attrs.has(type(row)) else dict(row)
        out.append({k: float(v) if isinstance(v, Decimal) else v for k, v in values.items()})
    return sorted(out, key=lambda r: (r[key] is None, str(r[key])))


def columns(result: Any, key: str, *names: str) -> dict[Any, tuple[Any, ...]]:
    """``key`` → the values of ``names`` of every row of a result."""
    return {r[key]: tuple(r[n] for n in names) for r in plain(result, key)}


def check_kind(engine: str, result: Any) -> None:
    """Frames come back as the same engine's frame; lazy engines stay lazy."""
    if engine == "records":
        assert not is_frame(result)
        return
    assert is_frame(result), engine
    if engine in LAZY:
        assert type(result).__name__ != "list"


def test_rfm_status_and_abc(engine: str) -> None:
    data = build(engine, ORDERS, ORDER_COLUMNS)
    out = rfm(data, as_of=AS_OF)
    check_kind(engine, out)
    assert plain(out, "customer_id") == plain(rfm(ORDERS, as_of=AS_OF), "customer_id")
    assert columns(customer_status(data, as_of=AS_OF), "customer_id", "status") == columns(
        customer_status(ORDERS, as_of=AS_OF), "customer_id", "status"
    )
    assert status_counts(data, as_of=AS_OF) == status_counts(ORDERS, as_of=AS_OF)
    assert columns(abc_classes(data), "customer_id", "abc_class") == columns(
        abc_classes(ORDERS), "customer_id", "abc_class"
    )


def test_abc_with_one_class(engine: str) -> None:
    # no cutoffs: every customer gets the one label (frames raised AttributeError before)
    data = build(engine, ORDERS, ORDER_COLUMNS)
    got = columns(abc_classes(data, cutoffs=(), labels=("all",)), "customer_id", "abc_class")
    expected = columns(abc_classes(ORDERS, cutoffs=(), labels=("all",)), "customer_id", "abc_class")
    assert got == expected
    assert set(got.values()) == {("all",)}
    assert len(got) == 7


def test_pareto_and_concentration(engine: str) -> None:
    data = build(engine, ORDERS, ORDER_COLUMNS)
    assert pareto_check(data) == pareto_check(ORDERS)
    assert concentration(data) == concentration(ORDERS)


def test_rules_buckets_and_summary(engine: str) -> None:
    data = build(engine, ORDERS, ORDER_COLUMNS)
    rules = RuleSegments([Segment("big", col("total") >= 150)], default="small")
    segmented = assign_segments(data, rules, key="account_id")
    check_kind(engine, segmented)
    key = "key" if engine == "records" else "account_id"
    assert sorted((r[key], r["segment"]) for r in plain(segmented, key)) == sorted(
        (r.key, r.segment) for r in assign_segments(ORDERS, rules, key="account_id")
    )
    assert columns(repurchase_buckets(data), "customer_id", "bucket") == columns(
        repurchase_buckets(ORDERS), "customer_id", "bucket"
    )


def test_segment_summary(engine: str) -> None:
    data = build(engine, CUSTOMERS, CUSTOMER_COLUMNS)
    expected = {s.segment: s for s in segment_summary(CUSTOMERS, amount="value",
                                                      averages=["employees"])}  # fmt: skip
    got = plain(segment_summary(data, amount="value", averages=["employees"]), "segment")
    assert [r["segment"] for r in got] == sorted(expected)
    for row in got:
        want = expected[row["segment"]]
        mean = row["means"]["employees"] if engine == "records" else row["mean_employees"]
        assert (row["size"], row["value_share"], mean) == pytest.approx(
            (want.size, want.value_share, want.means["employees"])
        )


def test_customer_tiers_portfolio_and_wallet(engine: str) -> None:
    data = build(engine, CUSTOMERS, CUSTOMER_COLUMNS)
    # analytic, the records rows' field, the frame's column
    same = [
        (lambda d: customer_portfolio(d, value_cutoff=500, cost_cutoff=50), "portfolio", None),
        (lambda d: go_to_market_tiers(d), "tier", None),
        (lambda d: propensity_bands(d), "tier", "propensity_band"),
        (lambda d: profitability_matrix(d), "cell", None),
        (lambda d: share_of_wallet(d), "wallet_class", None),
    ]
    for analytic, field, column in same:
        result = analytic(data)
        check_kind(engine, result)
        expected = [(r["key"], r[field]) for r in plain(analytic(CUSTOMERS), "key")]
        if engine == "records":
            got = [(r["key"], r[field]) for r in plain(result, "key")]
        else:
            got = [(r["id"], r[column or field]) for r in plain(result, "id")]
        assert got == expected, field
