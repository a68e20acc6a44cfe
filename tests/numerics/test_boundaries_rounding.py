"""The consistency checkers at exact rounding ties, under the rule the report printed with."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.errors import ValidationError
from crmkit.survey import (
    check_descriptives_report,
    check_rounding,
    check_share_report,
    infer_ddof,
)

RULES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}


def _printed(count: int, n: int, decimals: int, rule: str) -> float:
    """``100 * count / n`` printed by a report using ``rule`` (exact decimal arithmetic)."""
    exact = Decimal(100 * count) / Decimal(n)
    return float(exact.quantize(Decimal(1).scaleb(-decimals), rounding=RULES[rule]))


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 400), data=st.data(), decimals=st.integers(0, 2),
       rule=st.sampled_from(sorted(RULES)))  # fmt: skip
def test_a_correctly_rounded_share_is_consistent_under_its_rule(
    n: int, data: st.DataObject, decimals: int, rule: str
) -> None:
    count = data.draw(st.integers(0, n))
    printed = _printed(count, n, decimals, rule)
    assert check_share_report(count, n, printed, decimals=decimals, rounding=rule) == []  # type: ignore[arg-type]
    assert check_share_report(count, n, printed, decimals=decimals) == []  # "either"
    other = "half_even" if rule == "half_up" else "half_up"
    if printed != _printed(count, n, decimals, other):  # a tie the rules print differently
        assert check_share_report(count, n, printed, decimals=decimals, rounding=other)  # type: ignore[arg-type]


def test_ties_are_decided_in_exact_decimals() -> None:
    # 12.5 % and 0.125 are ties; 2.675 is a tie as written (its float is just below)
    assert check_share_report(1, 8, 13, decimals=0, rounding="half_up") == []
    assert check_share_report(1, 8, 12, decimals=0, rounding="half_even") == []
    assert [f.code for f in check_share_report(1, 8, 12, decimals=0, rounding="half_up")] == [
        "share"
    ]
    assert check_rounding(0.125, 0.13, decimals=2, rounding="half_up") == []
    assert check_rounding(2.675, 2.68, decimals=2, rounding="half_up") == []
    assert check_rounding(2.675, 2.68, decimals=2, rounding="half_even") == []
    assert check_rounding(0.125, 0.13, decimals=2, rounding="half_even")[0].expected == 0.12
    assert check_rounding(0.2154, 0.21, decimals=2)[0].message.endswith("truncated, not rounded)")


def test_descriptives_printed_half_up_are_consistent() -> None:
    # answers 1 and 2, one each: mean 1.5, population SD 0.5, variance 0.25
    assert check_descriptives_report([1, 1], mean=1.5, sd=0.5, variance=0.25, ddof=0,
                                     decimals=1, rounding="half_up") == []  # fmt: skip
    # variance 0.25 printed at one decimal: 0.3 half-up, 0.2 half-even
    assert check_descriptives_report([1, 1], mean=1.5, variance=0.3, ddof=0, decimals=1,
                                     rounding="half_up") == []  # fmt: skip
    assert check_descriptives_report([1, 1], mean=1.5, variance=0.3, ddof=0, decimals=1,
                                     rounding="half_even")  # fmt: skip
    assert infer_ddof([1, 1], variance=0.3, decimals=1, rounding="half_up") == 0


def test_an_unknown_rounding_rule_is_refused() -> None:
    with pytest.raises(ValidationError, match="rounding"):
        check_share_report(1, 8, 12.5, rounding="bankers")  # type: ignore[arg-type]
