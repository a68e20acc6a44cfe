from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit.errors import ValidationError
from crmkit.frames import (
    QuantileScore,
    from_native,
    quantile_scores,
    to_native,
    with_quantile_scores,
)
from tests.engines import ENGINES, FAST_ENGINES, rows_of


def test_documented_tie_rule() -> None:
    assert quantile_scores(list(range(10)), 5) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert quantile_scores([7, 7, 7, 7], 5) == [1, 1, 1, 1]
    assert quantile_scores([1, 2, 2, 3], 4) == [1, 2, 2, 4]
    assert quantile_scores([1, 2, 2, 3], 4, descending=True) == [4, 2, 2, 1]
    assert quantile_scores([], 5) == []
    with pytest.raises(ValidationError, match="n: 0 must be"):
        quantile_scores([1], 0)


def _scores(build: Any, values: list[int], n: int) -> list[tuple[int, int, int]]:
    rows = [{"customer_id": i, "v": v} for i, v in enumerate(values)]
    frame = from_native(build(rows, ["customer_id", "v"]))
    scored = with_quantile_scores(frame, [QuantileScore("v", "up", n),
                                          QuantileScore("v", "down", n, descending=True)])  # fmt: skip
    return [(r["customer_id"], r["up"], r["down"]) for r in rows_of(to_native(scored))]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(st.integers(0, 6), min_size=1, max_size=25), n=st.integers(1, 7))
def test_frames_score_exactly_like_python(values: list[int], n: int) -> None:
    up = quantile_scores(values, n)
    down = quantile_scores(values, n, descending=True)
    expected = sorted(zip(range(len(values)), up, down, strict=True), key=lambda r: str(r[0]))
    for engine, build in FAST_ENGINES.items():
        assert _scores(build, values, n) == expected, engine


def test_dask_uses_the_count_join_and_agrees() -> None:
    values = [5, 1, 3, 3, 0, 5, 5, 2]
    expected = sorted(zip(range(8), quantile_scores(values, 4),
                          quantile_scores(values, 4, descending=True), strict=True),
                      key=lambda r: str(r[0]))  # fmt: skip
    assert _scores(ENGINES["dask"], values, 4) == expected


def _tie_rule(values: list[Any], n: int, descending: bool) -> list[int]:
    """The documented rule, literally: 1 + floor(n * (#strictly worse) / count)."""
    count = len(values)
    worse = [sum((w > v) if descending else (w < v) for w in values) for v in values]
    return [1 + (n * k) // count for k in worse]


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.one_of(st.integers(-3, 6), st.sampled_from([0.5, 2.25, -1.5])), max_size=40),
    n=st.integers(1, 9),
    descending=st.booleans(),
)
def test_records_scores_follow_the_literal_tie_rule(
    values: list[Any], n: int, descending: bool
) -> None:
    assert quantile_scores(values, n, descending=descending) == _tie_rule(values, n, descending)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(st.integers(0, 6), min_size=1, max_size=25), n=st.integers(1, 7))
def test_score_expression_and_row_count_column_agree_on_every_engine(
    values: list[int], n: int
) -> None:
    from crmkit.frames import narwhals, quantile_score_expr, with_row_count

    nw = narwhals()
    expected = sorted(
        zip(range(len(values)), quantile_scores(values, n, descending=True), strict=True),
        key=lambda r: str(r[0]),
    )
    rows = [{"customer_id": i, "v": v} for i, v in enumerate(values)]
    for engine, build in FAST_ENGINES.items():
        frame = with_row_count(from_native(build(rows, ["customer_id", "v"])), "count")
        scored = frame.select(
            "customer_id",
            quantile_score_expr(nw.col("v") * 1, n, descending=True, count=nw.col("count")).alias(
                "down"
            ),
        )
        got = [(r["customer_id"], r["down"]) for r in rows_of(to_native(scored))]
        assert got == expected, engine
