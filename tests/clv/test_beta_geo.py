"""BG/NBD: CDNOW published estimates, agreement with lifetimes, recovery, numerics, errors."""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np
import pytest
from lifetimes import BetaGeoFitter

from crmkit.clv import BetaGeo, simulate_beta_geo
from crmkit.errors import FitError, ValidationError

pl = pytest.importorskip("polars")


@pytest.fixture(scope="module")
def fitted(cdnow: dict[str, Any]) -> BetaGeo:
    return BetaGeo.fit(cdnow, time_unit="weeks")


@pytest.fixture(scope="module")
def theirs(cdnow: dict[str, Any]) -> Any:
    return BetaGeoFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])


def test_cdnow_gives_the_published_estimates(fitted):
    # Fader, Hardie & Lee (2005): r 0.243, α 4.414, a 0.793, b 2.426, LL −9582.4
    assert (round(fitted.r, 3), round(fitted.alpha, 3), round(fitted.a, 3), round(fitted.b, 3)) == (
        0.243, 4.414, 0.793, 2.426,
    )  # fmt: skip
    assert fitted.log_likelihood == pytest.approx(-9582.4, abs=0.05)
    assert fitted.customers == 2357


def test_estimates_and_standard_errors_match_lifetimes(fitted, theirs):
    for name in ("r", "alpha", "a", "b"):
        assert getattr(fitted, name) == pytest.approx(theirs.params_[name], rel=1e-5)
        assert fitted.standard_errors[name] == pytest.approx(
            theirs.standard_errors_[name], rel=1e-4
        )


def test_records_frames_and_lazy_frames_fit_the_same(cdnow, fitted):
    frame = pl.DataFrame({k: cdnow[k] for k in ("frequency", "recency", "T")})
    rows = frame.to_dicts()
    for data in (rows, frame, frame.lazy(), frame.to_pandas()):
        assert BetaGeo.fit(data).r == pytest.approx(fitted.r, rel=1e-7)


def test_predictions_agree_with_lifetimes_to_1e_6(cdnow, fitted, theirs):
    # same parameters in both, so this checks the prediction formulas themselves
    for name in ("r", "alpha", "a", "b"):
        theirs.params_[name] = getattr(fitted, name)
    x, tx, age = cdnow["frequency"], cdnow["recency"], cdnow["T"]
    for t in (1.0, 10.0, 39.0, 52.0):
        np.testing.assert_allclose(
            fitted.conditional_expected_purchases(t, x, tx, age),
            theirs.conditional_expected_number_of_purchases_up_to_time(t, x, tx, age),
            rtol=1e-6,
        )
        np.testing.assert_allclose(
            fitted.expected_purchases(t), theirs.expected_number_of_purchases_up_to_time(t),
            rtol=1e-6,
        )  # fmt: skip
        for n in (0, 1, 2, 5):
            np.testing.assert_allclose(
                fitted.probability_of_purchases(n, t),
                theirs.probability_of_n_purchases_up_to_time(t, n),
                rtol=1e-6,
            )
    np.testing.assert_allclose(
        fitted.probability_alive(x, tx, age), theirs.conditional_probability_alive(x, tx, age),
        rtol=1e-6,
    )  # fmt: skip


def test_recovers_known_parameters_within_sampling_error():
    true = BetaGeo(r=0.5, alpha=6.0, a=0.7, b=2.5)
    rng = np.random.default_rng(20240601)
    sim = simulate_beta_geo(true, rng.uniform(20.0, 52.0, size=10_000), seed=11)
    model = BetaGeo.fit(sim)
    for name in ("r", "alpha", "a", "b"):
        error = abs(getattr(model, name) - getattr(true, name))
        assert error < 3 * model.standard_errors[name], name


def test_no_nan_or_overflow_for_very_frequent_or_old_customers():
    model = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426)
    x = np.array([0.0, 1e3, 1e4, 1e5, 5e3, 2000.0])
    tx = np.array([0.0, 5e3, 9e4, 1e6, 10.0, 9.9e5])
    age = np.array([1e6, 5e3, 1e5, 1e6, 1e6, 1e6])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        for values in (
            model.conditional_expected_purchases(52.0, x, tx, age),
            model.probability_alive(x, tx, age),
            model.log_likelihood_of(x, tx, age),
        ):
            assert np.all(np.isfinite(values))
    alive = model.probability_alive(x, tx, age)
    assert alive[3] > 0.99  # bought at the end of a long, busy history
    assert alive[4] < 1e-6  # very busy, then silent for a million weeks
    # a fit with extreme customers still converges to finite estimates
    data = simulate_beta_geo(model, np.full(500, 40.0), seed=3)
    data["frequency"][:3] = [500.0, 900.0, 2000.0]
    data["recency"][:3] = [39.0, 39.5, 40.0]
    fitted = BetaGeo.fit(data)
    assert all(math.isfinite(getattr(fitted, n)) for n in ("r", "alpha", "a", "b"))
    # very busy early, then silent: the "dropped out" branch outweighs "alive" by e^1000+
    data["recency"][:3] = [1.0, 2.0, 3.0]
    fitted = BetaGeo.fit(data)
    each = fitted.log_likelihood_of(data["frequency"], data["recency"], data["T"])
    assert fitted.log_likelihood == pytest.approx(float(each.sum()), rel=1e-12)
    theirs = BetaGeoFitter().fit(data["frequency"], data["recency"], data["T"])
    for name in ("r", "alpha", "a", "b"):
        assert getattr(fitted, name) == pytest.approx(theirs.params_[name], rel=1e-5)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"frequency": [1], "recency": [-1.0], "T": [5.0]}, "recency: -1.0 must be zero or more"),
        ({"frequency": [1], "recency": [6.0], "T": [5.0]}, "recency: 6.0 is greater than T"),
        ({"frequency": [0], "recency": [2.0], "T": [5.0]}, "must be 0 when frequency is 0"),
        ({"frequency": [1.5], "recency": [2.0], "T": [5.0]}, "frequency: 1.5 must be a whole"),
        ({"frequency": [1], "recency": [float("nan")], "T": [5.0]}, "not a finite number"),
        ({"frequency": [], "recency": [], "T": []}, "summary: is empty"),
        ([], "summary: is empty"),
        ([{"frequency": 1, "T": 3.0}], r"summary\[0\]\.recency: is missing"),
    ],
)
def test_bad_input_gets_a_clear_error(data, message):
    with pytest.raises(ValidationError, match=message):
        BetaGeo.fit(data)


def test_every_bad_row_is_reported_with_its_index():
    with pytest.raises(ValidationError) as err:
        BetaGeo.fit({"frequency": [1, 0, 2], "recency": [-1.0, 0.0, 9.0], "T": [5.0] * 3})
    assert err.value.paths == ["summary[0].recency", "summary[2].recency"]


def test_non_convergence_raises_fit_error_saying_what_to_try():
    # every customer bought exactly once: the dropout parameters are not identified
    with pytest.raises(FitError, match="Try:"):
        BetaGeo.fit({"frequency": [0] * 50, "recency": [0.0] * 50, "T": [10.0] * 50})


def test_weights_equal_repeated_rows():
    sim = simulate_beta_geo(BetaGeo(r=0.5, alpha=6.0, a=0.7, b=2.5), np.full(3000, 30.0), seed=5)
    raw = {k: np.round(v) for k, v in sim.items()}  # whole weeks: many repeated patterns
    rows = np.column_stack([raw["frequency"], raw["recency"], raw["T"]])
    patterns, counts = np.unique(rows, axis=0, return_counts=True)
    assert len(patterns) < 1000
    weighted = BetaGeo.fit(
        {"frequency": patterns[:, 0], "recency": patterns[:, 1], "T": patterns[:, 2],
         "n": counts}, weights="n",
    )  # fmt: skip
    repeated = BetaGeo.fit(raw)
    for name in ("r", "alpha", "a", "b"):
        assert getattr(weighted, name) == pytest.approx(getattr(repeated, name), rel=1e-6)
    assert weighted.customers == repeated.customers == 3000


@pytest.mark.parametrize("penalizer", [0.01, 0.1])
def test_penalised_fit_matches_lifetimes_penalizer_coef(cdnow, penalizer):
    ours = BetaGeo.fit(cdnow, penalizer=penalizer)
    theirs = BetaGeoFitter(penalizer_coef=penalizer).fit(
        cdnow["frequency"], cdnow["recency"], cdnow["T"]
    )
    for name in ("r", "alpha", "a", "b"):
        assert getattr(ours, name) == pytest.approx(theirs.params_[name], rel=1e-5)
        assert ours.standard_errors[name] == pytest.approx(theirs.standard_errors_[name], rel=1e-3)


def test_start_values_do_not_change_the_estimate(cdnow, fitted):
    for start in ({"r": 0.3, "alpha": 3.0, "a": 1.0, "b": 2.0},
                  {"r": 2.0, "alpha": 40.0, "a": 0.1, "b": 10.0}):  # fmt: skip
        model = BetaGeo.fit(cdnow, initial_params=start)
        for name in ("r", "alpha", "a", "b"):
            assert getattr(model, name) == pytest.approx(getattr(fitted, name), rel=1e-6)
            assert model.standard_errors[name] == pytest.approx(
                fitted.standard_errors[name], rel=1e-5
            )


def test_many_distinct_patterns_reach_the_same_maximum():
    # above 100,000 distinct histories the start values come from a sub-sample fit; the
    # estimate must still be the full data's maximum, whatever the start
    true = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426)
    rng = np.random.default_rng(7)
    sim = simulate_beta_geo(true, rng.uniform(1.0, 78.0, size=120_000), seed=8)
    model = BetaGeo.fit(sim)
    from_truth = BetaGeo.fit(sim, initial_params={"r": 0.243, "alpha": 4.414, "a": 0.793,
                                                  "b": 2.426})  # fmt: skip
    for name in ("r", "alpha", "a", "b"):
        assert getattr(model, name) == pytest.approx(getattr(from_truth, name), rel=1e-6)
    # and it is a maximum: moving any parameter by 0.1 % lowers the log-likelihood
    best = float(model.log_likelihood_of(sim["frequency"], sim["recency"], sim["T"]).sum())
    assert best == pytest.approx(model.log_likelihood, rel=1e-12)
    for name in ("r", "alpha", "a", "b"):
        for factor in (0.999, 1.001):
            moved = attrs.evolve(model, **{name: getattr(model, name) * factor})
            ll = float(moved.log_likelihood_of(sim["frequency"], sim["recency"], sim["T"]).sum())
            assert ll < best


def test_a_flat_ridge_raises_fit_error():
    # every repeat buyer bought at the very end: nothing tells how customers drop out, the
    # likelihood keeps rising as a → 0 and b → ∞ (the old BFGS fit returned a = 3e-6 and
    # b = 53,820 with a standard error of 1.7e7)
    rng = np.random.default_rng(0)
    x = rng.poisson(2.0, 400).astype(float)
    age = rng.uniform(20, 40, 400)
    data = {"frequency": x, "recency": np.where(x > 0, age, 0.0), "T": age}
    with pytest.raises(FitError, match=r"identif.*Try:"):
        BetaGeo.fit(data)
