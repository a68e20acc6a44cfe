"""Dask's sort-free paths give the columns of the general paths they replace.

* Quantile scores from step values (``crmkit.frames._dask.dask_quantile_scores``) equal the
  value-count ranks joined back over Dask's sort (``_scores_by_ranks``, the general path)
  and the records engine's ``quantile_scores``, exactly: int and float values, many ties,
  missing values, negatives, one and several partitions.
* Bucketed integer running sums (``dask_running_sum``) equal narwhals' ``cum_sum`` over
  Dask's sort with the total crossed in, exactly.
* The pre-aggregated per-customer table of ``aggregate_frame`` (each partition grouped, then
  only the partial rows shuffled and combined) equals the pandas frame's: ids, last days,
  counts and integer totals exactly, float totals to 1e-12 (a sum of per-partition sums may
  differ in its last bit), under the three ``negative`` options with refunds and purchases
  of one customer in different partitions.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from typing import Any

import dask
import dask.dataframe as dd
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit.errors import DroppedRowsWarning
from crmkit.frames import QuantileScore, from_native, quantile_scores, to_native
from crmkit.frames._dask import dask_quantile_scores, dask_running_sum
from crmkit.frames.quantile import _scores_by_ranks, _window_running_sum
from crmkit.segmentation.transactions import aggregate_frame

SPECS = [QuantileScore("a", "sa", 5), QuantileScore("b", "sb", 4, descending=True)]


def _computed(frame: Any, key: str) -> pd.DataFrame:
    with dask.config.set(scheduler="sync"):
        out = to_native(frame).compute()
    return out.sort_values(key).reset_index(drop=True)


VALUES = st.one_of(
    st.integers(-3, 6).map(lambda v: v * 1000),
    st.integers(0, 10**12),
    st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: round(v, 2)),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.tuples(VALUES, st.integers(0, 9)), min_size=0, max_size=60),
    floats=st.booleans(),
    missing=st.booleans(),
    partitions=st.integers(1, 4),
)
def test_step_value_scores_equal_the_ranks(
    rows: list[tuple[Any, int]], floats: bool, missing: bool, partitions: int
) -> None:
    a = [float(v) if floats else int(v) for v, _ in rows]
    if missing and a:  # (a missing value: NaN in a float column; it scores missing)
        a = [float(v) for v in a]
        a[len(a) // 2] = math.nan
    native = pd.DataFrame(
        {"id": range(len(rows)), "a": pd.Series(a, dtype="float64" if floats or missing
                                                else "int64"),
         "b": pd.Series([b for _, b in rows], dtype="int64")}
    )  # fmt: skip
    frame = from_native(dd.from_pandas(native, npartitions=partitions))
    fast = dask_quantile_scores(frame, SPECS)
    assert fast is not None
    got = _computed(fast, "id")
    expected = _computed(_scores_by_ranks(frame, SPECS), "id")
    for name in ("sa", "sb"):
        assert got[name].astype("float64").tolist() == pytest.approx(
            expected[name].astype("float64").tolist(), nan_ok=True, abs=0
        )
    if not missing:  # (frames count a missing value in the row count, records have none)
        assert got["sa"].tolist() == quantile_scores(a, 5)
    assert got["sb"].tolist() == quantile_scores([b for _, b in rows], 4, descending=True)


def test_step_value_scores_leave_other_columns_to_the_ranks() -> None:
    native = pd.DataFrame({"a": pd.array([1, None, 3], dtype="Int64"), "b": [1, 2, 3]})
    assert dask_quantile_scores(from_native(dd.from_pandas(native, npartitions=2)), SPECS) is None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    units=st.lists(st.one_of(st.integers(0, 5), st.integers(0, 10**13)), max_size=60),
    string_ids=st.booleans(),
    partitions=st.integers(1, 4),
    total=st.sampled_from([None, "all"]),
)
def test_bucketed_running_sums_equal_the_window(
    units: list[int], string_ids: bool, partitions: int, total: str | None
) -> None:
    ids: list[Any] = list(range(len(units)))[::-1]
    if string_ids:
        ids = [f"c{i:03}" for i in ids]
    native = pd.DataFrame({"customer_id": ids, "units": pd.Series(units, dtype="int64")}).assign(
        neg=lambda f: -f["units"]
    )
    if string_ids and not len(native):
        native = native.astype({"customer_id": "object"})
    frame = from_native(dd.from_pandas(native, npartitions=partitions))
    keys = ["neg", "customer_id"]
    fast = dask_running_sum(frame, "units", keys, "run", total)
    assert fast is not None
    got = _computed(fast, "customer_id")
    expected = _computed(_window_running_sum(frame, "units", keys, "run", total), "customer_id")
    columns = ["customer_id", "units", "neg", "run", *([total] if total else [])]
    assert got[columns].values.tolist() == expected[columns].values.tolist()


def test_running_sum_leaves_float_values_to_the_window() -> None:
    native = pd.DataFrame({"k": [1, 2], "u": [0.1, 0.2]})
    frame = from_native(dd.from_pandas(native, npartitions=2))
    assert dask_running_sum(frame, "u", ["k"], "run", None) is None


ORDER = st.tuples(
    st.integers(0, 6),  # customer
    st.integers(0, 800),  # days after 2023-01-01
    st.one_of(st.integers(-50, 300), st.floats(-50, 300).map(lambda v: round(v, 3))),
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    orders=st.lists(ORDER, min_size=1, max_size=50),
    floats=st.booleans(),
    negative=st.sampled_from(["net", "drop", "refuse"]),
    partitions=st.integers(1, 4),
)
def test_pre_aggregated_customers_equal_pandas(
    orders: list[tuple[int, int, Any]], floats: bool, negative: Any, partitions: int
) -> None:
    start = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
    amounts = [float(m) if floats else int(m) for _, _, m in orders]
    if negative == "refuse":
        amounts = [abs(m) for m in amounts]
    native = pd.DataFrame({
        "c": [f"k{c}" for c, _, _ in orders],
        "t": [start + dt.timedelta(days=d, hours=d % 5) for _, d, _ in orders],
        "m": pd.Series(amounts, dtype="float64" if floats else "int64"),
    })  # fmt: skip
    kwargs: dict[str, Any] = {"customer": "c", "at": "t", "amount": "m",
                              "as_of": dt.date(2024, 12, 31), "negative": negative}  # fmt: skip
    with warnings.catch_warnings():  # (the rows dropped: reported on pandas, not on Dask)
        warnings.simplefilter("ignore", DroppedRowsWarning)
        expected = to_native(aggregate_frame(native, **kwargs))
    lazy = aggregate_frame(dd.from_pandas(native, npartitions=partitions), **kwargs)
    got = _computed(lazy, "customer_id")
    expected = expected.sort_values("customer_id").reset_index(drop=True)
    exact = ["customer_id", "last_day", "frequency"] + ([] if floats else ["monetary"])
    assert got[exact].values.tolist() == expected[exact].values.tolist()
    assert got["monetary"].tolist() == pytest.approx(expected["monetary"].tolist(), rel=1e-12)
