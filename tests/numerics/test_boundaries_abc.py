"""Exact boundaries of ABC classes and the Pareto check, on records and every frame engine.

The data are built to sit exactly on a boundary in decimal terms (top customers holding exactly
80 % of a total in cents), where floating point puts some of them on either side.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.errors import ValidationError
from crmkit.segmentation import abc_classes, pareto_check
from tests.engines import ENGINES, FAST_ENGINES, rows_of

COLUMNS = ["account_id", "total"]


def _customers(values: list[Any]) -> list[dict[str, Any]]:
    return [{"account_id": f"c{i:02}", "total": v} for i, v in enumerate(values)]


@st.composite
def on_the_line(draw: Any) -> list[float]:
    """Amounts in cents whose largest customers hold exactly 80 % of the total."""
    top = draw(st.lists(st.integers(1_000, 9_999), min_size=1, max_size=5))
    top_cents = sum(top) * 4  # a multiple of 4, so the total (top / 0.8) is whole cents
    rest_total = top_cents // 4
    cut = draw(st.integers(0, rest_total))
    rest = [c for c in (cut, rest_total - cut) if c]
    if max(rest, default=0) > min(top) * 4:
        rest = [rest_total]
    values = [v * 4 for v in top] + rest
    return [v / 100 for v in values]


def _classes(values: list[float]) -> dict[str, str]:
    return {r.customer_id: r.abc_class for r in abc_classes(_customers(values))}


@settings(max_examples=60, deadline=None)
@given(values=on_the_line())
def test_a_customer_right_after_exactly_80_percent_is_b_on_records(values: list[float]) -> None:
    rows = abc_classes(_customers(values))
    held = 0
    total = sum(round(v * 100) for v in values)
    for row in rows:
        before = held
        held += round(row.value * 100)
        assert row.abc_class == ("A" if before * 5 < total * 4 else "B" if
                                 before * 20 < total * 19 else "C")  # fmt: skip


@pytest.mark.parametrize("engine", sorted(FAST_ENGINES))
@settings(max_examples=25, deadline=None)
@given(values=on_the_line())
def test_abc_classes_and_shares_are_identical_on_every_engine(
    engine: str, values: list[float]
) -> None:
    records = abc_classes(_customers(values))
    frame = FAST_ENGINES[engine](_customers(values), COLUMNS)
    got = rows_of(abc_classes(frame))
    assert {r["customer_id"]: r["abc_class"] for r in got} == {
        r.customer_id: r.abc_class for r in records
    }
    # the reported shares are floats of the same exact ratios (Polars may divide through a
    # reciprocal, so the last digit may differ there; the classes never do)
    want = {r.customer_id: (r.share, r.cumulative_share) for r in records}
    for row in got:
        share, running = want[row["customer_id"]]
        assert row["share"] == pytest.approx(share, rel=1e-15)
        assert row["cumulative_share"] == pytest.approx(running, rel=1e-15)


def test_abc_on_dask_agrees_on_the_line() -> None:
    values = [93.52, 90.16, 45.92]  # 183.68 is exactly 80 % of 229.60
    frame = ENGINES["dask"](_customers(values), COLUMNS)
    got = {r["customer_id"]: r["abc_class"] for r in rows_of(abc_classes(frame))}
    assert got == _classes(values) == {"c00": "A", "c01": "A", "c02": "B"}


def test_worked_examples_of_the_float_boundary() -> None:
    assert _classes([93.52, 90.16, 45.92]) == {"c00": "A", "c01": "A", "c02": "B"}
    assert _classes([0.7, 0.1, 0.2]) == {"c00": "A", "c02": "A", "c01": "B"}
    exact = _classes([Decimal("0.7"), Decimal("0.1"), Decimal("0.2")])
    assert exact == _classes([0.7, 0.1, 0.2])
    assert _classes([70, 10, 20]) == _classes([0.7, 0.1, 0.2])  # the scale does not matter


def test_cutoffs_are_exact_decimals_and_validated() -> None:
    with pytest.raises(ValidationError, match=r"cutoffs\[0\]"):
        abc_classes(_customers([1, 2]), cutoffs=(1 / 3, 0.9))
    with pytest.raises(ValidationError, match="cutoffs"):
        abc_classes(_customers([1, 2]), cutoffs=(0.9, 0.8))
    with pytest.raises(ValidationError, match=r"cutoffs\[1\]"):
        abc_classes(_customers([1, 2]), cutoffs=(0.5, float("nan")))


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_pareto_top_group_size_and_share_are_exact(engine: str) -> None:
    customers = _customers([1] * 100)
    for data in (customers, ENGINES[engine](customers, COLUMNS)):
        check = pareto_check(data, customer_share=0.07)
        assert check.top_customers == 7  # 0.07 * 100 is 7.000000000000001 in floats
        assert check.top_value_share == 0.07
    shares = _customers([0.5, 0.3, 0.1, 0.05, 0.05])  # 0.5 + 0.3 is 0.8 exactly (issue #16)
    for data in (shares, ENGINES[engine](shares, COLUMNS)):
        check = pareto_check(data, customer_share=0.4)
        assert (check.top_customers, check.top_value_share, check.passes) == (2, 0.8, True)
        assert not pareto_check(data, customer_share=0.2).passes


@pytest.mark.parametrize("engine", sorted(FAST_ENGINES))
@settings(max_examples=20, deadline=None)
@given(values=st.lists(st.integers(0, 10_000), min_size=1, max_size=30),
       share=st.integers(1, 100))  # fmt: skip
def test_pareto_check_is_identical_on_records_and_frames(
    engine: str, values: list[int], share: int
) -> None:
    cents = [v / 100 for v in values]
    records = pareto_check(_customers(cents), customer_share=share / 100)
    frame = FAST_ENGINES[engine](_customers(cents), COLUMNS)
    assert pareto_check(frame, customer_share=share / 100) == records
    assert records.top_customers == -(-share * len(values) // 100)


@pytest.mark.parametrize("engine", ["pandas", "polars", "pyarrow"])
def test_eager_frames_refuse_what_records_refuse(engine: str) -> None:
    for bad, message in (([1.0, float("nan")], "NaN"), ([1.0, -2.0], "negative"),
                         ([1.0, 1e10], "too large")):  # fmt: skip
        with pytest.raises(ValidationError, match=message):
            abc_classes(_customers(bad))
        with pytest.raises(ValidationError, match=message):
            abc_classes(FAST_ENGINES[engine](_customers(bad), COLUMNS))
