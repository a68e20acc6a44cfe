"""Conversions to and from lifetimes' and pymc-marketing's input frames."""

from __future__ import annotations

import pytest

from crmkit.clv import (
    BetaGeo,
    CustomerSummary,
    from_lifetimes,
    from_pymc_marketing,
    to_lifetimes,
    to_pymc_marketing,
)
from crmkit.errors import ValidationError

pd = pytest.importorskip("pandas")


def test_lifetimes_frame_round_trip_and_fits_in_lifetimes(cdnow_summary):
    rows = from_pymc_marketing(cdnow_summary)
    assert rows[0] == CustomerSummary(1, 2, 30.43, 38.86, 22.35)
    frame = to_lifetimes(rows)
    assert frame.index.name == "customer_id"
    assert from_lifetimes(frame) == rows
    from lifetimes import BetaGeoFitter

    theirs = BetaGeoFitter().fit(frame["frequency"], frame["recency"], frame["T"])
    assert BetaGeo.fit(rows).r == pytest.approx(theirs.params_["r"], rel=1e-5)


def test_pymc_marketing_frame_has_its_columns():
    frame = to_pymc_marketing({"customer_id": ["a"], "frequency": [1], "recency": [2.0],
                               "T": [3.0]})  # fmt: skip
    assert frame.columns.tolist() == ["customer_id", "frequency", "recency", "T"]
    assert from_pymc_marketing(frame) == [CustomerSummary("a", 1, 2.0, 3.0)]


def test_conversions_check_their_input():
    bad = pd.DataFrame({"customer_id": ["a"], "frequency": [0], "recency": [2.0], "T": [3.0]})
    with pytest.raises(ValidationError, match="must be 0 when frequency is 0"):
        from_pymc_marketing(bad)
