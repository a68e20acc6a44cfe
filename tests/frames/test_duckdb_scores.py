"""``with_quantile_scores`` on DuckDB (ranks and row count in one projection) scores as Polars.

Polars takes narwhals' ``rank`` with a broadcast ``len()``; DuckDB's own projection must give
the same scores — ties, missing values (missing scores, still counted in the row count, as
narwhals' ``len()`` counts them), descending specs, floats with negatives — and keep the
frame's columns in order.
"""

from __future__ import annotations

from typing import Any

import duckdb
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit.frames import QuantileScore, from_native, to_native, with_quantile_scores

SPECS = [
    QuantileScore("a", "a_up", 5),
    QuantileScore("a", "a_down", 5, descending=True),
    QuantileScore("b", "b_up", 3),
]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.tuples(st.none() | st.integers(-3, 3), st.none() | st.floats(-2, 2, width=16)),
        min_size=1,
        max_size=25,
    )
)
def test_duckdb_scores_equal_polars(rows: list[tuple[int | None, float | None]]) -> None:
    data: dict[str, list[Any]] = {
        "id": list(range(len(rows))),
        "a": [a for a, _ in rows],
        "b": [b for _, b in rows],
    }
    frame = pl.DataFrame(data, schema={"id": pl.Int64, "a": pl.Int64, "b": pl.Float64})
    expected = to_native(with_quantile_scores(from_native(frame), SPECS))
    con = duckdb.connect()
    con.register("scored", frame.to_arrow())
    scored = to_native(with_quantile_scores(from_native(con.table("scored")), SPECS))
    got = pl.from_arrow(scored.to_arrow_table())
    assert isinstance(got, pl.DataFrame)
    assert got.columns == ["id", "a", "b", "a_up", "a_down", "b_up"]
    assert got.sort("id").equals(expected.sort("id").cast(dict(got.schema)))
