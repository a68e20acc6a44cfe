"""``with_running_sum`` on pandas and Polars: the sort-based paths give narwhals' columns.

The pandas path (one NumPy ``argsort``, ties ordered by the other keys, ``cumsum``) and the
Polars path (``sort`` + ``cum_sum``, the total crossed in) must give exactly the running sums
and totals of narwhals' ``cum_sum().over(order_by=…)`` with the total crossed in, for int and
float values, int, float and string tie-breaking keys and many ties.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit.frames import from_native, narwhals, to_native, with_running_sum
from crmkit.frames._running_sum import pandas_running_sum


def _generic(native: Any, value: str, keys: list[str], total: str | None) -> Any:
    """narwhals' own running sum and crossed-in total (what the fast paths replace)."""
    nw = narwhals()
    frame = from_native(native)
    out = frame.with_columns(nw.col(value).cum_sum().over(order_by=keys).alias("run"))
    if total is not None:
        out = out.join(frame.select(nw.col(value).sum().alias(total)), how="cross")
    return to_native(out)


def _frame(units: list[int], scale: int, key_kind: str, as_float: bool) -> dict[str, list[Any]]:
    ids: list[Any] = list(range(len(units)))[::-1]  # ids against the row order
    if key_kind == "str":
        ids = [f"c{i:03}" for i in ids]
    elif key_kind == "float":
        ids = [i / 2 for i in ids]
    values: list[Any] = [u * scale / 7 if as_float else u * scale for u in units]
    return {"customer_id": ids, "units": values, "neg": [-v for v in values]}


FRAMES = st.builds(
    _frame,
    units=st.lists(st.integers(0, 4), min_size=0, max_size=40),
    scale=st.sampled_from([1, 1000, 10**9]),
    key_kind=st.sampled_from(["int", "str", "float"]),
    as_float=st.booleans(),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=FRAMES, total=st.sampled_from([None, "all"]))
def test_pandas_running_sum_equals_narwhals(data: dict[str, list[Any]], total: str | None) -> None:
    native = pd.DataFrame(data)
    if not len(native):
        native = native.astype({"customer_id": "int64", "units": "int64", "neg": "int64"})
    keys = ["neg", "customer_id"]
    expected = _generic(native, "units", keys, total)
    fast = pandas_running_sum(native, "units", keys, "run", total)
    assert fast is not None  # (plain int64 / float64 columns take the NumPy path)
    pd.testing.assert_frame_equal(
        fast.reset_index(drop=True), expected.reset_index(drop=True), check_exact=True
    )
    got = to_native(with_running_sum(from_native(native), "units", keys, "run", total=total))
    pd.testing.assert_frame_equal(got.reset_index(drop=True), fast.reset_index(drop=True))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=FRAMES, total=st.sampled_from([None, "all"]), lazy=st.booleans())
def test_polars_running_sum_equals_narwhals(
    data: dict[str, list[Any]], total: str | None, lazy: bool
) -> None:
    native: Any = pl.DataFrame(data, schema_overrides={"units": pl.Float64} if any(
        isinstance(v, float) for v in data["units"]) else {"units": pl.Int64})  # fmt: skip
    native = native.with_columns((-pl.col("units")).alias("neg"))
    keys = ["neg", "customer_id"]
    frame = native.lazy() if lazy else native
    # (Polars sums floats in its own order, eager and lazy differently: the same laziness)
    expected = _generic(frame, "units", keys, total)
    got = to_native(with_running_sum(from_native(frame), "units", keys, "run", total=total))
    if lazy:
        got, expected = got.collect(), expected.collect()
    assert got.sort("customer_id").equals(expected.sort("customer_id"))


def test_pandas_running_sum_leaves_other_columns_to_narwhals() -> None:
    """Missing values or nullable dtypes take narwhals' path (the fast path says None)."""
    with_nan = pd.DataFrame({"k": [1, 2], "u": [1.0, float("nan")]})
    nullable = pd.DataFrame({"k": [1, 2], "u": pd.array([1, None], dtype="Int64")})
    assert pandas_running_sum(with_nan, "u", ["k"], "run", None) is None
    assert pandas_running_sum(nullable, "u", ["k"], "run", None) is None
    assert pandas_running_sum(with_nan, "k", ["u", "k"], "run", None) is None
    out = to_native(with_running_sum(from_native(nullable), "u", ["k"], "run"))
    assert out["run"].tolist() == [1, pd.NA]


@pytest.mark.parametrize("build", [pd.DataFrame, pl.DataFrame])
def test_running_sum_order_ties_by_the_next_key(build: Any) -> None:
    native = build({"k": ["d", "b", "c", "a"], "u": [2, 2, 1, 2]})
    native = to_native(with_running_sum(from_native(native), "u", ["u", "k"], "run", total="all"))
    rows = sorted(zip(native["k"], native["run"], native["all"], strict=True))
    assert rows == [("a", 3, 7), ("b", 5, 7), ("c", 1, 7), ("d", 7, 7)]
