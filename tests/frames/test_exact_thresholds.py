"""Exact share boundaries three ways: one threshold per total, 128-bit products, divmod.

``part < share_threshold(total, share)`` (eager frames, whose total is known),
``below_share_expr(..., wide=True)`` (DuckDB, 128-bit products) and the 64-bit divmod form
must all decide ``part < share × total`` as :func:`below_share` does in Python integers —
the first two for negative parts and totals and values near 2**63 too; the divmod form is
for the non-negative parts and totals it is documented for (DuckDB raises on an overflow in a
product the comparison does not need, so it is checked on Polars).
"""

from __future__ import annotations

from fractions import Fraction

import duckdb
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.frames import from_native, narwhals
from crmkit.frames.exact import below_share, below_share_expr, share_threshold

INT64 = st.integers(-(2**62), 2**62)
SHARES = st.builds(
    Fraction, st.integers(1, 10**6), st.sampled_from([1, 2, 5, 20, 1000, 10**6])
).filter(lambda share: share <= 1)


@given(part=INT64, total=INT64, share=SHARES)
def test_threshold_decides_like_below_share(part: int, total: int, share: Fraction) -> None:
    assert (part < share_threshold(total, share)) == below_share(part, total, share)


@settings(max_examples=10, deadline=None)
@given(pairs=st.lists(st.tuples(INT64, INT64), min_size=1, max_size=20), share=SHARES)
def test_wide_and_divmod_expressions_decide_like_below_share(
    pairs: list[tuple[int, int]], share: Fraction
) -> None:
    nw = narwhals()
    parts, totals = [p for p, _ in pairs], [t for _, t in pairs]
    expected = [below_share(p, t, share) for p, t in pairs]
    test = below_share_expr(nw.col("part"), nw.col("total"), share)
    wide = below_share_expr(nw.col("part"), nw.col("total"), share, wide=True)
    polars = from_native(pl.DataFrame({"part": parts, "total": totals}))
    assert polars.select(wide.alias("b"))["b"].to_list() == expected
    con = duckdb.connect()
    con.register("pairs", pl.DataFrame({"part": parts, "total": totals}).to_arrow())
    rel = from_native(con.table("pairs")).select(wide.alias("b")).to_native()
    assert [b for (b,) in rel.fetchall()] == expected
    small = [(p, t) for p, t in pairs if 0 <= p <= t]  # (ABC: 0 <= before <= total)
    if small:
        narrow = from_native(pl.DataFrame({"part": [p for p, _ in small],
                                           "total": [t for _, t in small]}))  # fmt: skip
        assert narrow.select(test.alias("b"))["b"].to_list() == [
            below_share(p, t, share) for p, t in small
        ]
