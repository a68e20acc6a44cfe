from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit.errors import ValidationError
from crmkit.frames import as_of, col
from crmkit.segmentation import (
    RuleSegments,
    Segment,
    abc_classes,
    assign_segments,
    customer_portfolio,
    go_to_market_tiers,
    propensity_bands,
    segment_summary,
)
from tests.engines import ENGINES, FAST_ENGINES, rows_of
from tests.profiles import examples

AS_OF = dt.date(2024, 12, 31)
ACCOUNT_COLUMNS = ["id", "employees", "industry", "revenue", "is_key_account", "last_order_at"]

RULES = RuleSegments(
    [
        Segment("key", (col("revenue") >= 500) | (col("is_key_account") == True)),  # noqa: E712
        Segment("lapsed", col("last_order_at") < as_of(months=-12)),
        Segment(
            "growth", col("industry").is_in(["it", "telecom"]) & col("employees").between(10, 249)
        ),
        Segment("small_other", ~(col("employees") >= 50) & ~col("industry").is_in(["retail"])),
    ],
    default="standard",
)

FULL = {"employees": 120, "industry": "it", "revenue": 10, "is_key_account": False,
        "last_order_at": dt.datetime(2024, 6, 1, tzinfo=dt.UTC)}  # fmt: skip

accounts_strategy = st.lists(
    st.fixed_dictionaries(
        {
            "employees": st.one_of(st.none(), st.integers(0, 400)),
            "industry": st.one_of(st.none(), st.sampled_from(["it", "retail", "telecom", "food"])),
            "revenue": st.integers(0, 1000),
            "is_key_account": st.booleans(),
            "last_order_at": st.datetimes(
                min_value=dt.datetime(2022, 6, 1),
                max_value=dt.datetime(2025, 1, 1),
                timezones=st.just(dt.UTC),
            ),
        }
    ),
    min_size=0,
    max_size=25,
).map(
    # the first account has every field, so each frame column gets its real dtype
    lambda rows: [{"id": f"a{i:02}", **r} for i, r in enumerate([FULL, *rows])]
)


@settings(max_examples=examples(15), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(accounts=accounts_strategy)
def test_rule_segments_agree_on_records_and_every_frame_engine(
    accounts: list[dict[str, Any]],
) -> None:
    expected = {r.key: r.segment for r in assign_segments(accounts, RULES, as_of=AS_OF)}
    for name, build in FAST_ENGINES.items():
        out = assign_segments(build(accounts, ACCOUNT_COLUMNS), RULES, as_of=AS_OF)
        got = {r["id"]: r["segment"] for r in rows_of(out, "id")}
        assert got == expected, name


def test_rule_segments_on_dask_fixed_sample() -> None:
    accounts = [
        {"id": "a1", "employees": 20, "industry": "it", "revenue": 10, "is_key_account": False,
         "last_order_at": dt.datetime(2024, 6, 1, tzinfo=dt.UTC)},
        {"id": "a2", "employees": None, "industry": None, "revenue": 10, "is_key_account": False,
         "last_order_at": dt.datetime(2024, 6, 1, tzinfo=dt.UTC)},
        {"id": "a3", "employees": 20, "industry": "it", "revenue": 10, "is_key_account": False,
         "last_order_at": dt.datetime(2023, 12, 30, tzinfo=dt.UTC)},
    ]  # fmt: skip
    expected = {"a1": "growth", "a2": "small_other", "a3": "lapsed"}
    assert {r.key: r.segment for r in assign_segments(accounts, RULES, as_of=AS_OF)} == expected
    out = assign_segments(ENGINES["dask"](accounts, ACCOUNT_COLUMNS), RULES, as_of=AS_OF)
    assert {r["id"]: r["segment"] for r in rows_of(out, "id")} == expected


def test_relative_dates_need_an_as_of_date() -> None:
    with pytest.raises(ValidationError, match="as_of: None is required"):
        RULES.segment_of({"revenue": 1, "is_key_account": False,
                          "last_order_at": dt.date(2024, 1, 1)})  # fmt: skip


def test_duplicate_segment_names_are_refused() -> None:
    with pytest.raises(ValidationError, match="defined twice"):
        RuleSegments([Segment("a", col("x") > 1), Segment("a", col("x") > 2)])


@settings(max_examples=examples(12), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(st.integers(0, 50), min_size=1, max_size=30))
def test_abc_classes_agree_on_records_and_frames(values: list[int]) -> None:
    customers = [{"account_id": f"c{i:02}", "total": v} for i, v in enumerate(values)]
    expected = {r.customer_id: r.abc_class for r in abc_classes(customers)}
    for name, build in FAST_ENGINES.items():
        got = {r["customer_id"]: r["abc_class"]
               for r in rows_of(abc_classes(build(customers, ["account_id", "total"])))}  # fmt: skip
        assert got == expected, name


def test_abc_boundary_customer_crossing_80_percent_is_a() -> None:
    rows = abc_classes([{"account_id": k, "total": v}
                        for k, v in [("a", 50), ("b", 40), ("c", 5), ("d", 5)]])  # fmt: skip
    assert [(r.customer_id, r.abc_class) for r in rows] == [
        ("a", "A"), ("b", "A"), ("c", "B"), ("d", "C")]  # fmt: skip
    exact = abc_classes([{"account_id": k, "total": v} for k, v in [("a", 80), ("b", 20)]])
    assert [r.abc_class for r in exact] == ["A", "B"]  # b starts exactly at 80 %: not A


def test_portfolio_cells_service_levels_and_boundary() -> None:
    customers = [{"id": "on_cutoffs", "value": 500, "cost_to_serve": 50},
                 {"id": "missing", "value": None, "cost_to_serve": 50}]  # fmt: skip
    rows = customer_portfolio(customers, value_cutoff=500, cost_cutoff=50)
    assert [(r.portfolio, r.service_level) for r in rows] == [("gold", "best"), (None, None)]
    import polars as pl

    frame = customer_portfolio(pl.DataFrame(customers), value_cutoff=500, cost_cutoff=50)
    assert frame["portfolio"].to_list() == ["gold", None]


def test_go_to_market_tiers_boundaries_and_custom_tiers() -> None:
    from crmkit.segmentation import Tier

    sizes = [0, 49, 50, 249, 250, 999, 1000, None]
    rows = go_to_market_tiers([{"id": s, "employees": s} for s in sizes])
    assert [r.tier for r in rows] == ["small", "small", "medium", "medium", "large", "large",
                                      "major", None]  # fmt: skip
    custom = [Tier("smb", 0, "web"), Tier("enterprise", 500, "KAM")]
    assert [r.coverage for r in go_to_market_tiers([{"id": 1, "employees": 700}], tiers=custom)
            ] == ["KAM"]  # fmt: skip
    with pytest.raises(ValidationError, match="strictly increasing"):
        go_to_market_tiers([], tiers=[Tier("b", 10), Tier("a", 0)])


@pytest.mark.parametrize("engine", sorted(FAST_ENGINES))
def test_propensity_bands_on_frames(engine: str) -> None:
    data = [{"id": i, "purchase_probability": p} for i, p in enumerate([0.1, 0.25, 0.5, 0.9])]
    expected = [r.tier for r in propensity_bands(data)]
    assert expected == ["low", "medium", "high", "very_high"]
    out = propensity_bands(FAST_ENGINES[engine](data, ["id", "purchase_probability"]))
    assert [r["propensity_band"] for r in rows_of(out, "id")] == expected
    assert "action" in rows_of(out, "id")[0]


@pytest.mark.parametrize("engine", sorted(FAST_ENGINES))
def test_segment_summary_on_frames_matches_records(engine: str) -> None:
    data = [{"segment": s, "revenue": v, "employees": e}
            for s, v, e in [("A", 80, 10), ("A", 10, 30), ("B", 10, 5)]]  # fmt: skip
    records = {
        s.segment: s for s in segment_summary(data, amount="revenue", averages=["employees"])
    }
    out = rows_of(segment_summary(FAST_ENGINES[engine](data, ["segment", "revenue", "employees"]),
                                  amount="revenue", averages=["employees"]), "segment")  # fmt: skip
    for row in out:
        expected = records[row["segment"]]
        assert row["size"] == expected.size
        assert row["size_share"] == pytest.approx(expected.size_share)
        assert row["value_share"] == pytest.approx(expected.value_share)
        assert row["value_mean"] == pytest.approx(expected.value_mean)
        assert row["mean_employees"] == pytest.approx(expected.means["employees"])
