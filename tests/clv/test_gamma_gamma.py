"""Gamma-Gamma: CDNOW published estimates and agreement with lifetimes."""

from __future__ import annotations

import numpy as np
import pytest
from lifetimes import GammaGammaFitter

from crmkit.clv import GammaGamma
from crmkit.errors import ValidationError


def test_cdnow_gives_the_published_estimates(cdnow):
    spend = GammaGamma.fit(cdnow)  # repeat customers only are used
    # Fader, Hardie & Lee, "RFM and CLV" (2005): p 6.25, q 3.74, γ 15.44
    # (the paper prints γ = 15.44; the MLE is 15.4477 in lifetimes and here, i.e. the paper
    # truncates — so "published precision" is one unit of the last printed digit)
    assert (round(spend.p, 2), round(spend.q, 2)) == (6.25, 3.74)
    assert spend.v == pytest.approx(15.44, abs=0.01)
    assert spend.v == pytest.approx(15.4477, abs=1e-4)
    assert spend.customers == 946
    theirs = GammaGammaFitter().fit(
        cdnow["frequency"][cdnow["frequency"] > 0],
        cdnow["monetary_value"][cdnow["frequency"] > 0],
    )
    for name in ("p", "q", "v"):
        assert getattr(spend, name) == pytest.approx(theirs.params_[name], rel=1e-5)
        assert spend.standard_errors[name] == pytest.approx(theirs.standard_errors_[name], rel=1e-3)
    theirs.params_["p"], theirs.params_["q"], theirs.params_["v"] = spend.p, spend.q, spend.v
    np.testing.assert_allclose(
        spend.expected_order_value(cdnow["frequency"], cdnow["monetary_value"]),
        theirs.conditional_expected_average_profit(cdnow["frequency"], cdnow["monetary_value"]),
        rtol=1e-6,
    )


def test_no_repeat_customer_or_bad_values_are_clear_errors():
    with pytest.raises(ValidationError, match="no repeat customer"):
        GammaGamma.fit({"frequency": [0], "recency": [0.0], "T": [3.0], "monetary_value": [0.0]})
    with pytest.raises(ValidationError, match=r"summary\[0\]\.monetary_value: -5.0 must be pos"):
        GammaGamma.fit({"frequency": [2], "recency": [1.0], "T": [3.0], "monetary_value": [-5.0]})
    with pytest.raises(ValidationError, match="monetary_value: is missing"):
        GammaGamma.fit({"frequency": [2], "recency": [1.0], "T": [3.0]})
