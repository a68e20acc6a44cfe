"""ABC on pandas: the NumPy labels and the packed-key sort give the previous path's frame.

``abc_classes`` on a pandas frame labels the customers by NumPy
(:func:`crmkit.segmentation.pareto._pandas_abc_labels`, :func:`crmkit.frames.lookup.pandas_labels`)
and orders them for the running sum by one packed ``int64`` key
(:func:`crmkit.frames._running_sum._integer_key_order`). With both turned off the previous
path runs (narwhals' ``when/then`` chain; a stable sort of the first key, ties by
``sort_values``); the frames must be identical, dtypes and index included.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import crmkit.frames._running_sum as running_sum
import crmkit.segmentation.pareto as pareto
from crmkit.segmentation import abc_classes

CUTOFFS = [((0.8, 0.95), ("A", "B", "C")), ((0.5,), ("top", "rest")),
           ((0.2, 0.5, 0.9), ("w", "x", "y", "z"))]  # fmt: skip


def _previous(monkeypatch: pytest.MonkeyPatch, call: Any) -> Any:
    with monkeypatch.context() as patch:
        patch.setattr(pareto, "_pandas_abc_labels", lambda *args: None)
        patch.setattr(running_sum, "_integer_key_order", lambda *args: None)
        return call()


FRAMES = st.builds(
    lambda amounts, ids, as_float, id_kind: pd.DataFrame(
        {
            "account_id": [ids[i % len(ids)] for i in range(len(amounts))]
            if id_kind == "int"
            else [f"c{ids[i % len(ids)]}" for i in range(len(amounts))],
            "total": [a / 4 for a in amounts] if as_float else amounts,
        }
    ),
    amounts=st.lists(st.integers(-3, 12), min_size=0, max_size=60),
    ids=st.lists(st.integers(-(2**40), 2**40) | st.integers(0, 6), min_size=1, max_size=12),
    as_float=st.booleans(),
    id_kind=st.sampled_from(["int", "str"]),
)


@pytest.mark.filterwarnings("ignore::crmkit.errors.DroppedRowsWarning")
@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])  # fmt: skip
@given(frame=FRAMES, cut=st.sampled_from(CUTOFFS), negative=st.sampled_from(["drop", "net"]))
def test_pandas_abc_equals_previous_path(
    monkeypatch: pytest.MonkeyPatch, frame: pd.DataFrame, cut: Any, negative: str
) -> None:
    if not len(frame):
        frame = frame.astype({"account_id": "int64", "total": "int64"})
    cutoffs, labels = cut

    def call() -> Any:
        return abc_classes(frame, cutoffs=cutoffs, labels=labels, negative=negative)

    pd.testing.assert_frame_equal(call(), _previous(monkeypatch, call), check_exact=True)


def test_pandas_abc_labels_keep_the_label_dtype(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = pd.DataFrame({"account_id": [3, 1, 2, 1], "total": [5.0, 70.0, 20.0, 5.0]})
    out = abc_classes(frame)
    assert dict(zip(out["customer_id"], out["abc_class"], strict=True)) == {1: "A", 2: "A", 3: "C"}
    assert out["abc_class"].dtype == pd.Series(["A"]).dtype
    pd.testing.assert_frame_equal(out, _previous(monkeypatch, lambda: abc_classes(frame)))


KEYS = st.sampled_from(["int8", "int64", "uint64", "uint8", "int32"])


@settings(max_examples=100, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.integers(-(2**62), 2**62), st.integers(0, 5), st.integers(0, 2**64 - 1)),
        max_size=40,
    ),
    small=st.booleans(),
    dtypes=st.tuples(KEYS, KEYS),
)
def test_integer_key_order_is_the_stable_lexicographic_order(
    rows: list[tuple[int, int, int]], small: bool, dtypes: tuple[str, str]
) -> None:
    """Packed keys sort as the keys do, ties (rows equal on every key) kept in row order;
    keys too wide to pack give ``None``."""
    info = [np.iinfo(d) for d in dtypes]
    first = [max(info[0].min, min(info[0].max, (a % 7 if small else a))) for a, _, _ in rows]
    second = [max(info[1].min, min(info[1].max, (b if small else c))) for _, b, c in rows]
    native = pd.DataFrame({"k": np.array(first, dtype=dtypes[0]),
                           "j": np.array(second, dtype=dtypes[1])})  # fmt: skip
    order = running_sum._integer_key_order(native, ["k", "j"])
    expected = sorted(range(len(rows)), key=lambda i: (first[i], second[i]))
    if order is None:
        spans = [int(native[c].max()) - int(native[c].min()) + 1 for c in "kj"] if rows else []
        assert not rows or spans[0] * spans[1] >= 2**63
        return
    assert order.tolist() == expected
    previous = running_sum._first_key_order(native, native["k"].to_numpy(), ["k", "j"])
    assert previous.tolist() == expected


def test_integer_key_order_leaves_other_keys() -> None:
    native = pd.DataFrame({"k": [2, 1], "s": ["a", "b"], "n": pd.array([1, 2], dtype="Int64")})
    assert running_sum._integer_key_order(native, ["k", "s"]) is None
    assert running_sum._integer_key_order(native, ["k", "n"]) is None
    assert running_sum._integer_key_order(native, ["k"]).tolist() == [1, 0]
