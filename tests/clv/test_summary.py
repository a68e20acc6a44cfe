"""Transactions → (frequency, recency, T, monetary_value): records and frames, CDNOW, lifetimes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.clv import CustomerSummary, calibration_holdout, summarise
from crmkit.domain import Money
from crmkit.errors import ValidationError

pl = pytest.importorskip("polars")
pd = pytest.importorskip("pandas")
duckdb = pytest.importorskip("duckdb")

END = date(2024, 12, 31)  # the as-of date of tests that do not depend on it


def _records(frame: Any) -> list[dict[str, Any]]:
    return [
        {"customer_id": int(c), "ordered_at": d.date(), "value": float(v)}
        for c, d, v in zip(frame["customer_id"], frame["date"], frame["value"], strict=True)
    ]


def _rows(native: Any, customer: str = "customer_id") -> dict[Any, tuple[float, ...]]:
    if hasattr(native, "collect"):
        native = native.collect()
    if isinstance(native, duckdb.DuckDBPyRelation):
        native = native.pl()
    if isinstance(native, pd.DataFrame):
        native = pl.from_pandas(native)
    cols = [c for c in ("frequency", "recency", "T", "monetary_value") if c in native.columns]
    return {r[customer]: tuple(float(r[c]) for c in cols) for r in native.to_dicts()}


def _from_records(rows: list[CustomerSummary]) -> dict[Any, tuple[float, ...]]:
    return {
        r.customer_id: (r.frequency, r.recency, r.T)
        + (() if r.monetary_value is None else (r.monetary_value,))
        for r in rows
    }


def test_cdnow_sample_reproduces_the_published_weekly_summary(cdnow_transactions, cdnow_summary):
    rows = summarise(
        _records(cdnow_transactions), customer="customer_id", amount="value",
        time_unit="weeks", collapse="day", as_of=date(1997, 9, 30),
    )  # fmt: skip
    assert len(rows) == 2357
    got = _from_records(rows)
    for rec in cdnow_summary.itertuples():
        x, tx, age, m = got[rec.customer_id]
        assert (x, round(tx, 2), round(age, 2)) == (rec.frequency, rec.recency, rec.T)
        assert m == pytest.approx(rec.monetary_value, abs=0.0051)  # published rounded to cents


@pytest.mark.parametrize("kind", ["pandas", "polars", "polars-lazy", "duckdb"])
def test_frames_give_the_records_answer_on_cdnow(cdnow_transactions, kind):
    options = {"customer": "customer_id", "date_field": "date", "amount": "value",
               "time_unit": "weeks", "as_of": date(1997, 9, 30)}  # fmt: skip
    expected = summarise(
        [{**r, "date": r["ordered_at"]} for r in _records(cdnow_transactions)], **options
    )
    frame = pl.from_pandas(cdnow_transactions)
    native: Any = {
        "pandas": cdnow_transactions,
        "polars": frame,
        "polars-lazy": frame.lazy(),
        "duckdb": duckdb.from_arrow(frame.to_arrow()),
    }[kind]
    out = summarise(native, **options)
    if kind == "polars-lazy":
        assert isinstance(out, pl.LazyFrame)  # lazy stays lazy
    if kind == "duckdb":
        assert isinstance(out, duckdb.DuckDBPyRelation)
    got = _rows(out)
    want = _from_records(expected)
    assert got.keys() == want.keys()
    np.testing.assert_allclose([got[k] for k in want], list(want.values()), rtol=1e-12)


@pytest.mark.parametrize(("unit", "freq"), [("days", "D"), ("weeks", "W")])
def test_matches_lifetimes_summary_data_from_transaction_data(cdnow_transactions, unit, freq):
    from lifetimes.utils import summary_data_from_transaction_data

    theirs = summary_data_from_transaction_data(
        cdnow_transactions, "customer_id", "date", "value",
        observation_period_end="1997-12-31", freq=freq,
    )  # fmt: skip
    ours = summarise(
        pl.from_pandas(cdnow_transactions), customer="customer_id", date_field="date", amount="value",
        time_unit=unit, as_of=date(1997, 12, 31),
    )  # fmt: skip
    got = _rows(ours)
    assert sorted(got) == sorted(theirs.index)
    want = theirs[["frequency", "recency", "T", "monetary_value"]].to_numpy(dtype=float)
    np.testing.assert_allclose([got[c] for c in theirs.index], want, rtol=1e-12, atol=1e-9)


def test_calibration_holdout_matches_lifetimes(cdnow_transactions):
    from lifetimes.utils import calibration_and_holdout_data

    theirs = calibration_and_holdout_data(
        cdnow_transactions, "customer_id", "date", calibration_period_end="1997-09-30",
        observation_period_end="1998-06-30", freq="W", monetary_value_col="value",
    )  # fmt: skip
    options = {
        "customer": "customer_id",
        "date_field": "date",
        "amount": "value",
        "time_unit": "weeks",
        "calibration_end": date(1997, 9, 30),
        "as_of": date(1998, 6, 30),
    }
    # lifetimes averages the holdout value over raw transactions while it counts holdout
    # *periods*; crmkit averages over purchase periods, like the calibration monetary value.
    # So monetary_value_holdout is compared separately below.
    cols = ["frequency_cal", "recency_cal", "T_cal", "monetary_value_cal", "frequency_holdout",
            "duration_holdout"]  # fmt: skip
    records = calibration_holdout(
        [{**r, "date": r["ordered_at"]} for r in _records(cdnow_transactions)], **options
    )
    frame = calibration_holdout(pl.from_pandas(cdnow_transactions).lazy(), **options).collect()
    by_frame = {r["customer_id"]: r for r in frame.to_dicts()}
    assert len(records) == len(theirs) == len(by_frame)
    ids = [r.customer_id for r in records]
    want = theirs.loc[ids, cols].to_numpy(dtype=float)
    ours = np.array([[float(getattr(r, c)) for c in cols] for r in records])
    framed = np.array([[float(by_frame[i][c]) for c in cols] for i in ids])
    np.testing.assert_allclose(ours, want, atol=1e-9)
    np.testing.assert_allclose(framed, want, atol=1e-9)
    np.testing.assert_allclose(
        [by_frame[i]["monetary_value_holdout"] for i in ids],
        [r.monetary_value_holdout for r in records],
    )
    by_id = {r.customer_id: r for r in records}
    assert by_id[364].frequency_cal == 4  # its 1997-10-01 purchase falls in the holdout
    # customer 8 bought twice (13.38 each) in one holdout week: one purchase period of 26.76
    assert by_id[8].frequency_holdout == 1
    assert by_id[8].monetary_value_holdout == pytest.approx(26.76)
    assert theirs.loc[8, "monetary_value_holdout"] == pytest.approx(13.38)


def test_calendar_months_and_order_objects_with_money():
    class Order:
        def __init__(self, account_id: str, ordered_at: datetime, total: Money) -> None:
            self.account_id, self.ordered_at, self.total = account_id, ordered_at, total

    orders = [
        Order("a", datetime(2024, 1, 31, 23, tzinfo=UTC), Money("10.00", "SEK")),
        Order("a", datetime(2024, 2, 1, 1, tzinfo=UTC), Money("20.00", "SEK")),
        Order("a", datetime(2024, 2, 20, tzinfo=UTC), Money("5.00", "SEK")),
        Order("a", datetime(2024, 7, 1, tzinfo=UTC), Money("7.00", "SEK")),
        Order("b", datetime(2024, 6, 30, tzinfo=UTC), Money("1.00", "SEK")),
    ]
    rows = summarise(orders, amount="total", time_unit="months", as_of=date(2024, 6, 30))
    assert rows == [
        # Jan, Feb (two orders merged: 25), Jun end → July order ignored
        CustomerSummary("a", 1, 1.0, 5.0, 25.0),
        CustomerSummary("b", 0, 0.0, 0.0, 0.0),
    ]


def test_without_as_of_the_summary_ends_at_the_last_transaction_with_a_deprecation():
    with pytest.warns(DeprecationWarning, match=r"summarise\(\) without as_of is deprecated"):
        rows = summarise(
            [{"account_id": "a", "ordered_at": date(2024, 1, 1)},
             {"account_id": "b", "ordered_at": date(2024, 1, 11)}],
            time_unit="days",
        )  # fmt: skip
    assert [(r.customer_id, r.T) for r in rows] == [("a", 10.0), ("b", 0.0)]
    with (
        pytest.warns(DeprecationWarning, match="without as_of"),
        pytest.raises(ValidationError, match="empty"),
    ):
        summarise([])


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"time_unit": "fortnights"}, "time_unit"),
        ({"collapse": "hour"}, "collapse"),
        ({"collapse": "day", "time_unit": "months"}, "collapse"),
    ],
)
def test_bad_options_are_named(kwargs, path):
    with pytest.raises(ValidationError) as err:
        summarise([{"account_id": "a", "ordered_at": date(2024, 1, 1)}], as_of=END, **kwargs)
    assert err.value.paths == [path]


def test_bad_transactions_are_reported_with_their_position():
    with pytest.raises(ValidationError, match=r"transactions\[1\]\.ordered_at"):
        summarise([{"account_id": "a", "ordered_at": date(2024, 1, 1)},
                   {"account_id": "a", "ordered_at": "yesterday"}], as_of=END)  # fmt: skip
    with pytest.raises(ValidationError, match=r"transactions\[0\]\.account_id: is missing"):
        summarise([{"ordered_at": date(2024, 1, 1)}], as_of=END)
    with pytest.raises(ValidationError, match="no transaction on or before as_of"):
        summarise([], as_of=END)
    with pytest.raises(ValidationError, match="on or before as_of"):
        summarise([{"account_id": "a", "ordered_at": date(2024, 1, 1)}],
                  as_of=date(2023, 1, 1))  # fmt: skip
    with pytest.raises(ValidationError, match=r"transactions\.ordered_at: is missing"):
        summarise(pl.DataFrame({"account_id": ["a"]}), as_of=END)


_day = st.dates(min_value=date(1999, 12, 1), max_value=date(2000, 3, 31))


@settings(max_examples=25, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.sampled_from("abcd"), _day, st.integers(1, 500)), min_size=1, max_size=30
    ),
    unit=st.sampled_from(["days", "weeks", "months"]),
    collapse=st.sampled_from(["period", "day"]),
)
def test_records_and_frames_agree(rows, unit, collapse):
    if unit == "months" and collapse == "day":
        collapse = "period"
    end = date(2000, 3, 31)
    records = [{"account_id": c, "ordered_at": d, "total": float(v)} for c, d, v in rows]
    options = {"amount": "total", "time_unit": unit, "collapse": collapse, "as_of": end}
    want = _from_records(summarise(records, **options))
    frame = pl.DataFrame(records)

    def same(got: dict[Any, tuple[float, ...]]) -> None:
        assert got.keys() == want.keys()
        np.testing.assert_allclose([got[k] for k in want], list(want.values()), rtol=1e-12)

    same(_rows(summarise(frame.lazy(), **options), "account_id"))
    same(_rows(summarise(frame.to_pandas(), **options), "account_id"))
    # datetimes one minute before midnight UTC land on the same day as their date
    shifted = frame.with_columns(
        pl.col("ordered_at").cast(pl.Datetime("us", "UTC")) + timedelta(hours=23, minutes=59)
    )
    same(_rows(summarise(shifted, **options), "account_id"))


def test_mixed_record_kinds_and_late_bad_records_are_reported():
    from collections import OrderedDict
    from decimal import Decimal

    class Purchase:
        def __init__(self, account_id: str, ordered_at: date, total: Any) -> None:
            self.account_id, self.ordered_at, self.total = account_id, ordered_at, total

    day = date(2024, 1, 1)
    records: list[Any] = [
        {"account_id": "a", "ordered_at": day, "total": 1},
        OrderedDict(account_id="a", ordered_at=date(2024, 1, 9), total=Decimal("2.5")),
        Purchase("a", date(2024, 1, 9), Money("1.50", "SEK")),
        {"account_id": "b", "ordered_at": datetime(2024, 1, 2, 12, tzinfo=UTC), "total": 4.0},
    ]
    rows = summarise(records, amount="total", time_unit="weeks", as_of=date(2024, 1, 15))
    assert rows == [CustomerSummary("a", 1, 1.0, 2.0, 4.0), CustomerSummary("b", 0, 0.0, 2.0, 0.0)]
    # the same date value twice, then a bad value: the error names the record's position
    bad = [*records, {"account_id": "c", "ordered_at": day, "total": "12"}]
    with pytest.raises(ValidationError, match=r"transactions\[4\]\.total: '12' is not a number"):
        summarise(bad, amount="total", as_of=END)
    with pytest.raises(ValidationError, match=r"transactions\[4\]\.ordered_at: \[\] is not a date"):
        summarise([*records, {"account_id": "c", "ordered_at": []}], as_of=END)
    with pytest.raises(ValidationError, match=r"transactions\[4\]\.total: is missing"):
        summarise([*records, {"account_id": "c", "ordered_at": day}], amount="total", as_of=END)
