"""Reading histories: merging identical (frequency, recency, T) patterns into weights."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.clv.history import merge_patterns, read_history

patterns = st.lists(
    st.tuples(
        st.integers(0, 3),
        st.sampled_from([0.0, 0.5, 1.25, 3.0]),
        st.sampled_from([3.0, 4.5, 7.0]),
        st.integers(1, 4),
    ),
    min_size=1,
    max_size=60,
)


@settings(max_examples=60, deadline=None)
@given(patterns)
def test_merging_keeps_every_customer_and_each_pattern_once(rows):
    x, tx, age, w = (np.array(c, dtype=float) for c in zip(*rows, strict=True))
    (mx, mtx, mage), mw = merge_patterns([x, tx, age], w)
    expected: dict[tuple[float, float, float], float] = {}
    for key, weight in zip(zip(x, tx, age, strict=True), w, strict=True):
        expected[key] = expected.get(key, 0.0) + weight
    merged = dict(zip(zip(mx, mtx, mage, strict=True), mw, strict=True))
    assert merged == expected
    assert len(mx) == len(expected)  # each pattern once
    assert list(mx) == sorted(mx)  # ordered by frequency


def test_merging_large_frequencies_and_non_integer_first_keys():
    # frequencies beyond 2**24 and fractional first keys take the lexsort route
    x = np.array([2.0**30, 1.0, 2.0**30, 1.0])
    (mx, mv), w = merge_patterns([x, np.array([1.0, 2.0, 1.0, 3.0])], np.ones(4))
    assert (mx.tolist(), mv.tolist(), w.tolist()) == ([1.0, 1.0, 2.0**30], [2.0, 3.0, 1.0],
                                                       [1.0, 1.0, 2.0])  # fmt: skip
    (mx,), w = merge_patterns([np.array([0.5, 0.25, 0.5])], np.ones(3))
    assert (mx.tolist(), w.tolist()) == ([0.25, 0.5], [1.0, 2.0])


def test_deduplicated_history_counts_every_customer():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 5, 5000).astype(float)
    age = rng.integers(10, 20, 5000).astype(float)
    tx = np.where(x > 0, np.minimum(rng.integers(0, 20, 5000), age), 0.0)
    history = read_history({"frequency": x, "recency": tx, "T": age}, deduplicate=True)
    assert history.customers == 5000
    assert history.size == len({(a, b, c) for a, b, c in zip(x, tx, age, strict=True)})
