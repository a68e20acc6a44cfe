"""Lifetime value at scale: summary and pattern compression in the engine, fits on patterns,
predictions joined back per pattern — equal to the in-memory results on every frame engine,
and nothing but the patterns collected to the driver."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import narwhals as nw
import numpy as np
import polars as pl
import pytest

from crmkit.clv import (
    BetaGeo,
    GammaGamma,
    ParetoNBD,
    predict_frame,
    purchase_patterns,
    summarise,
    value_customers,
)
from crmkit.errors import ValidationError
from tests.engines import FRAME_ENGINES, LAZY, build, matrix_params, rows_of

AS_OF = date(2024, 12, 29)
CUSTOMERS = 500
SCHEMA = {"customer_id": pl.String, "ordered_at": pl.Date, "amount": pl.Float64}


def _transactions(customers: int, seed: int) -> list[dict[str, Any]]:
    """A year of BG/NBD-like purchases (gamma rates, beta drop-out) in days: whole weeks make
    many customers share a purchase pattern."""
    rng = np.random.default_rng(seed)
    rows = []
    start = date(2024, 1, 1)
    for c in range(customers):
        day = float(rng.integers(0, 250))
        rate, drop = rng.gamma(0.8, 1 / 25), rng.beta(1.0, 4.0)
        while True:
            rows.append({"customer_id": f"c{c:04d}", "ordered_at": start + timedelta(int(day)),
                         "amount": float(rng.integers(5, 60))})  # fmt: skip
            day += rng.exponential(1 / rate)
            if day >= 364 or rng.random() < drop:
                break
    return rows


@pytest.fixture(scope="module")
def transactions() -> list[dict[str, Any]]:
    return _transactions(CUSTOMERS, seed=7)


@pytest.fixture(scope="module")
def in_memory(transactions: list[dict[str, Any]]) -> dict[str, Any]:
    """The records-engine summary, fits and per-customer predictions."""
    summary = summarise(transactions, customer="customer_id", amount="amount", as_of=AS_OF)
    purchases = BetaGeo.fit(summary, time_unit="weeks")
    spend = GammaGamma.fit(summary)
    values = value_customers(summary, purchases, spend)
    return {"summary": summary, "purchases": purchases, "spend": spend,
            "values": {v.customer_id: v for v in values}}  # fmt: skip


def _engine_summary(engine: str, transactions: list[dict[str, Any]]) -> Any:
    frame = build(engine, transactions, SCHEMA)
    return summarise(frame, customer="customer_id", amount="amount", as_of=AS_OF)


@pytest.mark.parametrize("engine", matrix_params(FRAME_ENGINES), indirect=True)
def test_predictions_joined_back_equal_the_in_memory_predictions(
    engine: str, transactions: list[dict[str, Any]], in_memory: dict[str, Any]
) -> None:
    summary = _engine_summary(engine, transactions)
    out = predict_frame(summary, in_memory["purchases"], in_memory["spend"])
    assert (engine in LAZY) == isinstance(nw.from_native(out), nw.LazyFrame)
    rows = rows_of(out)
    expected = in_memory["values"]
    assert len(rows) == len(expected) == CUSTOMERS
    for row in rows:
        want = expected[row["customer_id"]]
        assert row["probability_alive"] == pytest.approx(want.probability_alive, rel=1e-12)
        assert row["expected_purchases"] == pytest.approx(want.expected_purchases, rel=1e-12)
        assert row["expected_order_value"] == pytest.approx(want.expected_order_value, rel=1e-12)
        assert row["lifetime_value"] == pytest.approx(want.lifetime_value, rel=1e-12)


@pytest.mark.parametrize("engine", matrix_params(FRAME_ENGINES), indirect=True)
def test_fits_on_patterns_equal_the_in_memory_fits(
    engine: str, transactions: list[dict[str, Any]], in_memory: dict[str, Any]
) -> None:
    summary = _engine_summary(engine, transactions)
    patterns = purchase_patterns(summary, monetary=True)
    counts = rows_of(patterns, sort_by="frequency")
    assert sum(r["customers"] for r in counts) == CUSTOMERS > len(counts)
    purchases = BetaGeo.fit(patterns, weights="customers", time_unit="weeks")
    spend = GammaGamma.fit(patterns, weights="customers")
    for fitted, reference in ((purchases, in_memory["purchases"]), (spend, in_memory["spend"])):
        for name in type(fitted).PARAMETERS:
            assert getattr(fitted, name) == pytest.approx(getattr(reference, name), rel=1e-6)
        assert fitted.customers == reference.customers


def test_fit_on_a_lazy_summary_equals_the_fit_on_its_patterns(
    transactions: list[dict[str, Any]],
) -> None:
    summary = _engine_summary("polars-lazy", transactions)
    direct = ParetoNBD.fit(summary, time_unit="weeks")
    grouped = ParetoNBD.fit(purchase_patterns(summary), weights="customers", time_unit="weeks")
    for name in ParetoNBD.PARAMETERS:
        assert getattr(direct, name) == pytest.approx(getattr(grouped, name), rel=1e-9)
    assert direct.customers == grouped.customers == CUSTOMERS


class _Collects:
    """Records the rows of every lazy frame collected while it is installed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.rows: list[int] = []
        original = nw.LazyFrame.collect

        def collect(frame: Any, *args: Any, **kwargs: Any) -> Any:
            out = original(frame, *args, **kwargs)
            self.rows.append(len(out))
            return out

        monkeypatch.setattr(nw.LazyFrame, "collect", collect)


@pytest.mark.parametrize(
    "engine", matrix_params(tuple(e for e in FRAME_ENGINES if e in LAZY)), indirect=True
)
def test_only_the_patterns_come_back_to_the_driver(
    engine: str,
    transactions: list[dict[str, Any]],
    in_memory: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    summary = _engine_summary(engine, transactions)
    patterns = len(rows_of(purchase_patterns(summary), sort_by="frequency"))
    assert patterns < CUSTOMERS  # customers share patterns: the check below tells them apart
    collects = _Collects(monkeypatch)
    out = predict_frame(summary, in_memory["purchases"], in_memory["spend"])
    purchases = BetaGeo.fit(summary, time_unit="weeks")
    assert collects.rows  # the patterns were collected ...
    assert max(collects.rows) <= patterns  # ... and nothing with a row per customer
    for name in BetaGeo.PARAMETERS:
        assert getattr(purchases, name) == pytest.approx(getattr(in_memory["purchases"], name))
    assert isinstance(nw.from_native(out), nw.LazyFrame)


@pytest.mark.parametrize(
    "engine", matrix_params(tuple(e for e in FRAME_ENGINES if e in LAZY)), indirect=True
)
def test_value_customers_keeps_a_lazy_summary_in_its_engine(
    engine: str,
    transactions: list[dict[str, Any]],
    in_memory: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    summary = _engine_summary(engine, transactions)
    patterns = len(rows_of(purchase_patterns(summary), sort_by="frequency"))
    collects = _Collects(monkeypatch)
    out = value_customers(summary, in_memory["purchases"], in_memory["spend"])
    assert isinstance(nw.from_native(out), nw.LazyFrame)  # issue #19: lazy stays lazy
    assert max(collects.rows) <= patterns < CUSTOMERS  # only the patterns came back
    monkeypatch.undo()
    rows = rows_of(out)
    expected = in_memory["values"]
    assert len(rows) == CUSTOMERS
    for row in rows:
        want = expected[row["customer_id"]]
        assert row["probability_alive"] == pytest.approx(want.probability_alive, rel=1e-12)
        assert row["lifetime_value"] == pytest.approx(want.lifetime_value, rel=1e-12)


@pytest.mark.parametrize("monetary", [-5.0, 0.0, float("nan"), float("inf"), None])
def test_a_lazy_summary_with_a_bad_order_value_is_refused(
    in_memory: dict[str, Any], monetary: float | None
) -> None:
    bad = pl.LazyFrame(
        {"customer_id": ["a", "b"], "frequency": [2, 2], "recency": [30.0, 30.0],
         "T": [38.0, 38.0], "monetary_value": [20.0, monetary]},
        schema_overrides={"monetary_value": pl.Float64},
    )  # fmt: skip
    with pytest.raises(ValidationError, match=r"summary\[0\]\.monetary_value: "):
        value_customers(bad, in_memory["purchases"], in_memory["spend"])
    with pytest.raises(ValidationError, match=r"monetary_value"):
        predict_frame(bad.collect().to_pandas(), in_memory["purchases"], in_memory["spend"])
    # a customer without repeat purchases may have no spend yet
    fine = bad.with_columns(pl.lit(0).alias("frequency"), pl.lit(0.0).alias("recency"),
                            pl.lit(0.0).alias("monetary_value"))  # fmt: skip
    assert value_customers(fine, in_memory["purchases"], in_memory["spend"]).collect().height == 2


@pytest.mark.spark
def test_spark_joins_the_patterns_back_in_a_distributed_plan(
    spark: Any,
    transactions: list[dict[str, Any]],
    in_memory: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    summary = _engine_summary("spark", transactions)
    out = predict_frame(summary, in_memory["purchases"], in_memory["spend"])
    out.explain()
    plan = capsys.readouterr().out
    assert "Join" in plan  # the predictions meet the customers in Spark
    assert "LocalTableScan" in plan or "Scan ExistingRDD" in plan  # the patterns table


def test_predict_frame_without_spend_adds_only_the_purchase_columns(
    in_memory: dict[str, Any],
) -> None:
    summary = pl.DataFrame({"customer_id": ["b", "a"], "frequency": [0, 2],
                            "recency": [0.0, 30.0], "T": [20.0, 38.0]})  # fmt: skip
    out = predict_frame(summary, in_memory["purchases"])
    assert out.columns == [*summary.columns, "probability_alive", "expected_purchases"]
    assert out["customer_id"].to_list() == ["b", "a"]  # an eager frame keeps its order
    values = value_customers(summary, in_memory["purchases"])
    assert out["expected_purchases"].to_list() == values["expected_purchases"].to_list()


def test_predict_frame_refuses_records_and_invalid_histories(in_memory: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="summary: 'list' is not a dataframe"):
        predict_frame([{"frequency": 1}], in_memory["purchases"])
    bad = pl.DataFrame({"frequency": [0], "recency": [3.0], "T": [5.0]})
    with pytest.raises(ValidationError, match=r"recency: 3.0 must be 0 when frequency is 0"):
        predict_frame(bad, in_memory["purchases"])
    with pytest.raises(ValidationError, match="monetary_value"):
        predict_frame(bad, in_memory["purchases"], in_memory["spend"])
