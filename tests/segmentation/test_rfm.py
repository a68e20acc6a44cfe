from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit.domain import Money
from crmkit.errors import ValidationError
from crmkit.frames import is_frame
from crmkit.segmentation import DEFAULT_RFM_SEGMENTS, RFMRow, RFMSpec, rfm
from tests.engines import DISTRIBUTED, ENGINES, FAST_ENGINES, LAZY, rows_of
from tests.profiles import examples

UTC = dt.UTC
AS_OF = dt.date(2024, 12, 31)
COLUMNS = ["account_id", "ordered_at", "total"]


def order(customer: str, when: dt.datetime | dt.date, total: Any) -> dict[str, Any]:
    return {"account_id": customer, "ordered_at": when, "total": total}


def as_dicts(rows: list[RFMRow]) -> list[dict[str, Any]]:
    out = [attrs.asdict(r) for r in rows]
    for r in out:
        r["monetary"] = float(r["monetary"])
    return sorted(out, key=lambda r: str(r["customer_id"]))


orders_strategy = st.lists(
    st.builds(
        order,
        st.sampled_from([f"c{i}" for i in range(9)]),
        st.datetimes(
            min_value=dt.datetime(2023, 1, 1),
            max_value=dt.datetime(2025, 2, 1),
            timezones=st.just(UTC),
        ),
        st.integers(0, 500),
    ),
    min_size=1,
    max_size=40,
)


def assert_engines_agree(rows: list[dict[str, Any]], bins: int, engines: dict[str, Any]) -> None:
    spec = RFMSpec(bins=bins)
    expected = as_dicts(rfm(rows, as_of=AS_OF, spec=spec))
    for name, build in engines.items():
        native = build(rows, COLUMNS)
        out = rfm(native, as_of=AS_OF, spec=spec)
        assert type(out) is type(native), name  # same kind of frame; lazy stays lazy
        got = rows_of(out)
        for r in got:
            r["monetary"] = float(r["monetary"])
        assert got == expected, name


@settings(max_examples=examples(12), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=orders_strategy, bins=st.integers(1, 6))
def test_every_engine_gives_the_records_engine_result(
    rows: list[dict[str, Any]], bins: int
) -> None:
    assert_engines_agree(rows, bins, FAST_ENGINES)


@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=orders_strategy, bins=st.integers(2, 5))
def test_dask_gives_the_records_engine_result(rows: list[dict[str, Any]], bins: int) -> None:
    assert_engines_agree(rows, bins, {"dask": ENGINES["dask"]})


def test_tie_rule_scores_ties_alike_and_spreads_distinct_values() -> None:
    rows = [order(f"c{i}", dt.date(2024, 12, 1), 100 * i) for i in range(10)]
    scores = {r.customer_id: r.m_score for r in rfm(rows, as_of=AS_OF)}
    assert [scores[f"c{i}"] for i in range(10)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # everyone bought on the same day: one tie group, all get the lowest score
    assert {r.r_score for r in rfm(rows, as_of=AS_OF)} == {1}


def test_recency_is_days_from_last_purchase_day_to_as_of_and_later_orders_are_ignored() -> None:
    rows = [
        order("a", dt.datetime(2024, 12, 30, 23, 59, tzinfo=UTC), 10),
        order("a", dt.datetime(2024, 12, 1, tzinfo=UTC), 10),
        order("a", dt.datetime(2025, 1, 1, 0, 0, tzinfo=UTC), 999),  # after as-of
        # 00:30 in Stockholm on 1 January is still 31 December in UTC: counted, recency 0
        order("b", dt.datetime(2025, 1, 1, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))), 5),
    ]
    out = {r.customer_id: r for r in rfm(rows, as_of=AS_OF)}
    assert (out["a"].recency_days, out["a"].frequency, out["a"].monetary) == (1, 2, 20)
    assert out["b"].recency_days == 0


def test_default_segment_map_gives_every_rf_cell_exactly_one_named_segment() -> None:
    for r in range(1, 6):
        for f in range(1, 6):
            row = {"r_score": r, "f_score": f, "m_score": 3}
            matches = [s.name for s in DEFAULT_RFM_SEGMENTS.segments if s.when.evaluate(row)]
            assert len(matches) == 1, (r, f, matches)
    names = DEFAULT_RFM_SEGMENTS.names
    for expected in ("champions", "loyal", "at_risk", "hibernating", "lost"):
        assert expected in names


@attrs.define
class Order:
    account_id: str
    ordered_at: dt.datetime
    amount: Money

    @property
    def total(self) -> Money:
        return self.amount


def test_attrs_records_with_money_amounts_are_read_as_decimals() -> None:
    rows = [
        Order("a", dt.datetime(2024, 5, 1, tzinfo=UTC), Money("10.25", "SEK")),
        Order("a", dt.datetime(2024, 6, 1, tzinfo=UTC), Money("0.75", "SEK")),
    ]
    (row,) = rfm(rows, as_of=AS_OF)
    assert row.monetary == Decimal("11.00")
    assert isinstance(row.monetary, Decimal)


@pytest.mark.parametrize("engine", sorted(LAZY - DISTRIBUTED))  # those: test_distributed_plans
def test_lazy_frames_stay_lazy(engine: str) -> None:
    rows = [order("a", dt.datetime(2024, 5, 1, tzinfo=UTC), 10)]
    native = ENGINES[engine](rows, COLUMNS)
    out = rfm(native, as_of=AS_OF)
    assert type(out) is type(native)
    assert rows_of(out)[0]["frequency"] == 1


def test_custom_column_names_and_custom_segment_map() -> None:
    from crmkit.frames import col
    from crmkit.segmentation import RuleSegments, Segment

    spec = RFMSpec(
        bins=2, segments=RuleSegments([Segment("top", col("m_score") == 2)], default="rest")
    )
    rows = [{"cust": "x", "day": dt.date(2024, 1, 1), "amt": 5},
            {"cust": "y", "day": dt.date(2024, 1, 1), "amt": 50}]  # fmt: skip
    out = rfm(rows, as_of=AS_OF, spec=spec, customer="cust", date_field="day", amount="amt")
    assert [(r.customer_id, r.segment) for r in out] == [("x", "rest"), ("y", "top")]


# -- bad input ---------------------------------------------------------------------------------


def test_missing_column_is_named_for_records_and_frames() -> None:
    import polars as pl

    with pytest.raises(ValidationError, match=r"orders\[0\]\.total: is missing"):
        rfm([{"account_id": "a", "ordered_at": dt.date(2024, 1, 1)}], as_of=AS_OF)
    frame = pl.DataFrame({"account_id": ["a"], "ordered_at": [dt.date(2024, 1, 1)]})
    with pytest.raises(ValidationError, match=r"orders\.total: is missing"):
        rfm(frame, as_of=AS_OF)


def test_non_numeric_amounts_are_refused() -> None:
    import pandas as pd

    with pytest.raises(ValidationError, match=r"orders\[1\]\.total: '12' is not a number"):
        rfm([order("a", dt.date(2024, 1, 1), 1), order("a", dt.date(2024, 1, 2), "12")],
            as_of=AS_OF)  # fmt: skip
    frame = pd.DataFrame({"account_id": ["a"], "ordered_at": pd.to_datetime(["2024-01-01"]),
                          "total": ["12"]})  # fmt: skip
    with pytest.raises(ValidationError, match=r"orders\.total: .* must be a numeric column"):
        rfm(frame, as_of=AS_OF)


def test_negative_amounts_are_refused_in_records_and_eager_frames() -> None:
    import polars as pl

    with pytest.raises(ValidationError, match="is negative"):
        rfm([order("a", dt.date(2024, 1, 1), -1)], as_of=AS_OF)
    frame = pl.DataFrame({"account_id": ["a"], "ordered_at": [dt.date(2024, 1, 1)],
                          "total": [-3]})  # fmt: skip
    with pytest.raises(ValidationError, match=r"orders\[0\]\.total: -3 is negative"):
        rfm(frame, as_of=AS_OF)


def test_a_mix_of_naive_and_aware_datetimes_is_refused() -> None:
    rows = [order("a", dt.datetime(2024, 1, 1, tzinfo=UTC), 1),
            order("b", dt.datetime(2024, 1, 2), 1)]  # fmt: skip
    with pytest.raises(ValidationError, match=r"orders\[1\]\.ordered_at: .* naive datetime"):
        rfm(rows, as_of=AS_OF)
    with pytest.raises(ValidationError, match="is not a date or datetime"):
        rfm([order("a", "2024-01-01", 1)], as_of=AS_OF)


def test_as_of_must_be_a_date() -> None:
    with pytest.raises(ValidationError, match="as_of"):
        rfm([], as_of=dt.datetime(2024, 1, 1))  # type: ignore[arg-type]


@pytest.mark.parametrize("engine", sorted(FAST_ENGINES))
def test_empty_input_gives_an_empty_result(engine: str) -> None:
    assert rfm([], as_of=AS_OF) == []
    template = [order("a", dt.datetime(2024, 1, 1, tzinfo=UTC), 1)]
    native = ENGINES[engine](template, COLUMNS)
    import narwhals as nw

    empty = nw.to_native(nw.from_native(native).filter(nw.col("total") < 0))
    out = rfm(empty, as_of=AS_OF)
    assert is_frame(out)
    assert rows_of(out) == []


# -- the records engine's fast path (plain dicts) and its careful path agree -------------------


class Row(dict[str, Any]):
    """A dict subclass: takes the careful, row-by-row path of the records engine."""


mixed_orders = st.lists(
    st.builds(
        order,
        st.sampled_from(["a", "b", "c", "d"]),
        st.one_of(
            st.datetimes(
                min_value=dt.datetime(2024, 11, 1),
                max_value=dt.datetime(2025, 1, 31),
                timezones=st.just(UTC),
            )
        ),
        st.one_of(st.integers(0, 50), st.floats(0, 50, allow_nan=False)),
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=40, deadline=None)
@given(rows=mixed_orders)
def test_fast_and_careful_records_paths_give_the_same_rows(rows: list[dict[str, Any]]) -> None:
    fast = rfm(rows, as_of=AS_OF)
    careful = rfm([Row(r) for r in rows], as_of=AS_OF)
    assert fast == careful


def test_bad_amounts_after_the_as_of_date_are_ignored_but_before_it_are_named() -> None:
    later = dt.datetime(2025, 1, 2, tzinfo=UTC)
    rows = [order("a", dt.datetime(2024, 5, 1, tzinfo=UTC), 10), order("a", later, -5),
            order("b", later, float("nan"))]  # fmt: skip
    (row,) = rfm(rows, as_of=AS_OF)
    assert (row.customer_id, row.frequency, row.monetary) == ("a", 1, 10)
    rows.append(order("c", dt.datetime(2024, 6, 1, tzinfo=UTC), float("nan")))
    with pytest.raises(ValidationError, match=r"orders\[3\]\.total: nan is not a number"):
        rfm(rows, as_of=AS_OF)
    rows[3] = order(None, dt.datetime(2024, 6, 1, tzinfo=UTC), 1)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=r"orders\[3\]\.account_id: None is missing"):
        rfm(rows, as_of=AS_OF)


def test_decimal_nan_is_named_not_raised_from_deep_inside() -> None:
    rows = [order("a", dt.date(2024, 1, 1), Decimal("1.5")), order("a", dt.date(2024, 1, 2),
            Decimal("NaN"))]  # fmt: skip
    with pytest.raises(ValidationError, match=r"orders\[1\]\.total: Decimal\('NaN'\)"):
        rfm(rows, as_of=AS_OF)


# -- segment maps on frames: looked up by score cell, or compiled rule by rule -----------------


def _score_map() -> Any:
    from crmkit.frames import col
    from crmkit.segmentation import RuleSegments, Segment

    return RuleSegments(
        [
            Segment("top", (col("r_score") >= 3) & (col("m_score") >= 3)),
            Segment("not_frequent", ~(col("f_score") >= 2)),
        ],
        default=None,
    )


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=orders_strategy, bins=st.sampled_from([3, 4, 20]))
def test_custom_score_maps_give_the_records_segments_on_every_engine(
    rows: list[dict[str, Any]], bins: int
) -> None:
    # 3 and 4 bins: looked up by cell; 20 bins: 21**3 cells, compiled rule by rule
    spec = RFMSpec(bins=bins, segments=_score_map())
    expected = as_dicts(rfm(rows, as_of=AS_OF, spec=spec))
    for name, build in FAST_ENGINES.items():
        got = rows_of(rfm(build(rows, COLUMNS), as_of=AS_OF, spec=spec))
        for r in got:
            r["monetary"] = float(r["monetary"])
        assert got == expected, name


def test_eager_polars_in_gives_eager_polars_out() -> None:
    import polars as pl

    frame = pl.DataFrame(
        {"account_id": ["a", "b"], "ordered_at": [dt.date(2024, 1, 1), dt.date(2024, 6, 1)],
         "total": [10, 20]}
    )  # fmt: skip
    out = rfm(frame, as_of=AS_OF)
    assert isinstance(out, pl.DataFrame)
    assert out.sort("customer_id")["r_score"].to_list() == [1, 3]


@pytest.mark.parametrize("backend", ["numpy", "pyarrow", "dask"])
def test_pandas_frames_in_a_zone_with_an_underscore_in_its_name(backend: str) -> None:
    # narwhals 2.29 reads datetime64[ns, America/New_York] as Unknown; crmkit.frames reads
    # the pandas dtype itself, and recency counts UTC days like the records engine
    import pandas as pd

    new_york = ZoneInfo("America/New_York")
    rows = [
        order("a", dt.datetime(2024, 12, 30, 20, 30, tzinfo=new_york), 10),  # 31 Dec in UTC
        order("a", dt.datetime(2024, 6, 1, 9, tzinfo=new_york), 5),
        order("b", dt.datetime(2024, 3, 1, 23, 15, tzinfo=new_york), 7),
    ]
    frame = pd.DataFrame(rows)
    frame["ordered_at"] = pd.to_datetime(frame["ordered_at"], utc=True).dt.tz_convert(
        "America/New_York"
    )
    if backend == "pyarrow":
        frame = frame.convert_dtypes(dtype_backend="pyarrow")
    assert "America/New_York" in str(frame["ordered_at"].dtype)
    expected = as_dicts(rfm(rows, as_of=AS_OF))
    if backend == "dask":
        import dask.dataframe as dd

        frame = dd.from_pandas(frame, npartitions=2)
    got = rows_of(rfm(frame, as_of=AS_OF))
    for r in got:
        r["monetary"] = float(r["monetary"])
    assert got == expected
    assert [r["recency_days"] for r in expected] == [0, 304]  # b: 2 March in UTC
