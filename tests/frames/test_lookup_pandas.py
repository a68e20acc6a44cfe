"""``with_lookup`` on pandas: the NumPy path gives narwhals' ``replace_strict`` column.

:func:`crmkit.frames.lookup._pandas_lookup` computes the cell codes by NumPy and takes the
values with :func:`crmkit.frames.lookup.pandas_labels`; with it turned off narwhals'
``replace_strict`` runs. The frames must be identical (values, missing values, dtype, index),
for tables with missing entries, codes outside the table and columns of other dtypes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import crmkit.frames.lookup as lookup
from crmkit.frames import from_native, to_native, with_lookup

ROWS = st.lists(st.tuples(st.integers(-1, 6), st.integers(-1, 6)), max_size=30)
TABLES = st.lists(st.sampled_from(["a", "b", "lost", "é", None]), min_size=1, max_size=40)


def _both(native: pd.DataFrame, table: list[str | None], monkeypatch: pytest.MonkeyPatch) -> Any:
    def run() -> Any:
        return to_native(with_lookup(from_native(native), {"r": 6, "f": 1}, table, "segment"))

    fast = run()
    with monkeypatch.context() as patch:
        patch.setattr(lookup, "_pandas_lookup", lambda *args: None)
        return fast, run()


@settings(max_examples=80, deadline=None)
@given(rows=ROWS, table=TABLES, dtype=st.sampled_from(["int64", "int32", "float64"]))
def test_pandas_lookup_equals_replace_strict(
    rows: list[tuple[int, int]], table: list[str | None], dtype: str
) -> None:
    native = pd.DataFrame(
        {"r": np.array([r for r, _ in rows], dtype=dtype),
         "f": np.array([f for _, f in rows], dtype=dtype)},
        index=pd.RangeIndex(len(rows)) * 2,
    )  # fmt: skip
    codes = (native["r"] * 6 + native["f"]).to_numpy()
    if len(codes) and (codes.min() < 0 or codes.max() >= len(table)):
        table = table + [None] * (int(codes.max()) + 1 - len(table))  # (in range: both run)
    with pytest.MonkeyPatch.context() as monkeypatch:
        fast, previous = _both(native, table, monkeypatch)
    pd.testing.assert_frame_equal(fast, previous, check_exact=True)


def test_pandas_lookup_leaves_codes_outside_the_table_to_narwhals() -> None:
    native = pd.DataFrame({"r": [1, 9], "f": [0, 0]})
    assert lookup._pandas_lookup(native, {"r": 6, "f": 1}, ["x"] * 7, "s") is None
    assert lookup._pandas_lookup(native.astype("int32"), {"r": 1}, ["x"] * 10, "s") is None
    out = lookup._pandas_lookup(native, {"r": 1}, ["x"] * 9 + ["y"], "s")
    assert out is not None
    assert out["s"].tolist() == ["x", "y"]
