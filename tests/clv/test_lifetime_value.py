"""CLV per customer (lifetimes' convention) and per segment; frames in, frames out."""

from __future__ import annotations

import numpy as np
import pytest
from lifetimes import BetaGeoFitter, GammaGammaFitter

from crmkit.clv import (
    BetaGeo,
    CustomerSummary,
    GammaGamma,
    ParetoNBD,
    customer_lifetime_value,
    value_by_segment,
    value_customers,
)
from crmkit.errors import ValidationError

pl = pytest.importorskip("polars")
pd = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def models(cdnow):
    return BetaGeo.fit(cdnow, time_unit="weeks"), GammaGamma.fit(cdnow)


@pytest.mark.parametrize(("months", "rate"), [(12, 0.01), (3, 0.0), (36, 0.05)])
def test_clv_agrees_with_lifetimes_to_1e_6(cdnow, models, months, rate):
    purchases, spend = models
    bgf = BetaGeoFitter()
    bgf.params_ = pd.Series({"r": purchases.r, "alpha": purchases.alpha, "a": purchases.a,
                             "b": purchases.b})  # fmt: skip
    bgf.predict = bgf.conditional_expected_number_of_purchases_up_to_time
    ggf = GammaGammaFitter()
    ggf.params_ = pd.Series({"p": spend.p, "q": spend.q, "v": spend.v})
    frame = pd.DataFrame(cdnow)
    theirs = ggf.customer_lifetime_value(
        bgf, frame["frequency"], frame["recency"], frame["T"], frame["monetary_value"],
        time=months, discount_rate=rate, freq="W",
    )  # fmt: skip
    ours = customer_lifetime_value(
        purchases, spend, cdnow["frequency"], cdnow["recency"], cdnow["T"],
        cdnow["monetary_value"], months=months, monthly_discount_rate=rate,
    )  # fmt: skip
    np.testing.assert_allclose(ours, theirs.to_numpy(), rtol=1e-6)


def test_value_customers_on_records_and_frames(cdnow, models):
    purchases, spend = models
    records = [
        CustomerSummary(int(i), int(x), float(tx), float(t), float(m))
        for i, x, tx, t, m in zip(cdnow["customer_id"], cdnow["frequency"], cdnow["recency"],
                                  cdnow["T"], cdnow["monetary_value"], strict=True)
    ][:200]  # fmt: skip
    rows = value_customers(records, purchases, spend)
    frame = pl.DataFrame({k: v[:200] for k, v in cdnow.items()})
    lazy = value_customers(frame.lazy(), purchases, spend)
    assert isinstance(lazy, pl.LazyFrame)  # lazy stays lazy: predicted per pattern, joined back
    lazy_out = lazy.sort("customer_id").collect()
    eager_out = value_customers(frame, purchases, spend)
    assert isinstance(eager_out, pl.DataFrame)
    assert eager_out["customer_id"].to_list() == frame["customer_id"].to_list()
    pandas_out = value_customers(frame.to_pandas(), purchases, spend)
    assert isinstance(pandas_out, pd.DataFrame)
    assert [r.customer_id for r in rows] == lazy_out["customer_id"].to_list()
    np.testing.assert_allclose([r.lifetime_value for r in rows], lazy_out["lifetime_value"])
    np.testing.assert_allclose([r.probability_alive for r in rows], pandas_out["probability_alive"])
    one = rows[0]  # customer 1 of CDNOW: 2 repeats, last at 30.43 of 38.86 weeks
    assert one.customer_id == 1
    assert one.expected_purchases == pytest.approx(
        float(purchases.conditional_expected_purchases(12 * 4.345, 2, 30.43, 38.86)[0])
    )


def test_value_by_segment_adds_up(cdnow, models):
    purchases, spend = models
    rows = value_customers(
        {k: cdnow[k] for k in ("customer_id", "frequency", "recency", "T", "monetary_value")},
        purchases, spend,
    )  # fmt: skip
    segments = value_by_segment(rows, lambda cid: "repeat" if cid % 2 else "even")
    assert sum(s.customers for s in segments) == 2357
    assert sum(s.lifetime_value for s in segments) == pytest.approx(
        sum(r.lifetime_value for r in rows)
    )
    assert segments[0].lifetime_value >= segments[1].lifetime_value


def test_pareto_nbd_works_as_the_purchase_model(cdnow):
    purchases = ParetoNBD(r=0.5533, alpha=10.5777, s=0.6062, beta=11.6665, time_unit="weeks")
    spend = GammaGamma(p=6.25, q=3.74, v=15.44)
    clv = customer_lifetime_value(purchases, spend, [2, 0], [30.43, 0], [38.86, 38.86], [22.35, 0])
    assert clv[0] > clv[1] > 0


def test_clv_needs_a_time_unit_and_a_sane_horizon(models):
    purchases, spend = models
    bare = BetaGeo(r=purchases.r, alpha=purchases.alpha, a=purchases.a, b=purchases.b)
    with pytest.raises(ValidationError, match="time_unit"):
        customer_lifetime_value(bare, spend, [1], [1.0], [2.0], [3.0])
    with pytest.raises(ValidationError, match="months"):
        customer_lifetime_value(purchases, spend, [1], [1.0], [2.0], [3.0], months=0)
    with pytest.raises(ValidationError, match="monthly_discount_rate"):
        customer_lifetime_value(purchases, spend, [1], [1.0], [2.0], [3.0],
                                monthly_discount_rate=-1.0)  # fmt: skip
