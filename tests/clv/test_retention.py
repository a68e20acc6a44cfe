"""Retention-based CLV formulas (pure Python)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.clv import finite_retention_lifetime_value, retention_lifetime_value
from crmkit.domain import Money
from crmkit.errors import ValidationError


def test_textbook_values():
    # m r / (1 + d - r): 100 × 0.8 / (1.1 - 0.8)
    assert retention_lifetime_value(100.0, retention=0.8, discount_rate=0.1) == pytest.approx(
        266.6666667
    )
    assert finite_retention_lifetime_value(
        100.0, retention=0.8, discount_rate=0.1, periods=3
    ) == pytest.approx(100 * (0.8 / 1.1 + (0.8 / 1.1) ** 2 + (0.8 / 1.1) ** 3))
    value = retention_lifetime_value(Money("90.00", "SEK"), retention=0.5, discount_rate=0.0)
    assert value == Money(Decimal("90.00"), "SEK")


@settings(max_examples=50)
@given(
    margin=st.floats(0, 1e6),
    retention=st.floats(0, 0.99),
    discount=st.floats(0, 0.5),
)
def test_finite_horizon_approaches_the_infinite_one(margin, retention, discount):
    infinite = retention_lifetime_value(margin, retention=retention, discount_rate=discount)
    finite = finite_retention_lifetime_value(
        margin, retention=retention, discount_rate=discount, periods=3000
    )
    assert finite == pytest.approx(infinite, rel=1e-6, abs=1e-6)
    assert (
        finite_retention_lifetime_value(
            margin, retention=retention, discount_rate=discount, periods=5
        )
        <= infinite + 1e-6
    )


def test_bad_rates_are_named():
    with pytest.raises(ValidationError) as err:
        retention_lifetime_value(1.0, retention=1.5, discount_rate=-2.0)
    assert err.value.paths == ["retention", "discount_rate"]
    with pytest.raises(ValidationError, match="periods"):
        finite_retention_lifetime_value(1.0, retention=0.5, discount_rate=0.1, periods=-1)
