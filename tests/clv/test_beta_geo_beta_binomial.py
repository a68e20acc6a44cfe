"""BG/BB: the Fader–Hardie–Shang (2010) donation data, agreement with lifetimes, errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from lifetimes import BetaGeoBetaBinomFitter
from lifetimes.datasets import load_donations

from crmkit.clv import BetaGeoBetaBinomial, load_model
from crmkit.errors import ValidationError

pl = pytest.importorskip("polars")
sp = pytest.importorskip("scipy.special")


@pytest.fixture(scope="module")
def donations() -> Any:
    """The 1995 cohort: 11,104 donors, 6 yearly opportunities, as counts per pattern."""
    return load_donations()


@pytest.fixture(scope="module")
def fitted(donations: Any) -> BetaGeoBetaBinomial:
    return BetaGeoBetaBinomial.fit(donations, weights="weights", time_unit="months")


@pytest.fixture(scope="module")
def theirs(donations: Any) -> Any:
    return BetaGeoBetaBinomFitter().fit(
        donations["frequency"], donations["recency"], donations["periods"],
        weights=donations["weights"],
    )  # fmt: skip


def test_donations_give_the_published_estimates(fitted):
    # Fader, Hardie & Shang (2010), Marketing Science 29(6), published estimates:
    # α 1.204, β 0.750, γ 0.657, δ 2.783, LL −33,225.6
    rounded = tuple(round(getattr(fitted, n), 3) for n in ("alpha", "beta", "gamma", "delta"))
    assert rounded == (1.204, 0.750, 0.657, 2.783)
    assert fitted.log_likelihood == pytest.approx(-33225.6, abs=0.05)
    assert fitted.customers == 11104


def test_estimates_and_standard_errors_match_lifetimes(fitted, theirs):
    for name in ("alpha", "beta", "gamma", "delta"):
        assert getattr(fitted, name) == pytest.approx(theirs.params_[name], rel=1e-5)
        assert fitted.standard_errors[name] == pytest.approx(
            theirs.standard_errors_[name], rel=1e-3
        )


def test_predictions_agree_with_lifetimes(donations, theirs):
    x, tx, n = (donations[c].to_numpy() for c in ("frequency", "recency", "periods"))
    mine = BetaGeoBetaBinomial(**{k: float(v) for k, v in theirs.params_.items()})
    for ahead in (0, 1, 4):
        assert mine.probability_alive(x, tx, n, ahead=ahead) == pytest.approx(
            theirs.conditional_probability_alive(ahead, x, tx, n), rel=1e-9
        )
    for future in (1, 5):
        assert mine.conditional_expected_purchases(future, x, tx, n) == pytest.approx(
            theirs.conditional_expected_number_of_purchases_up_to_time(future, x, tx, n), rel=1e-9
        )
    assert mine.log_likelihood_of(x, tx, n) == pytest.approx(
        theirs._loglikelihood(theirs.params_.to_numpy(), x, tx, n), rel=1e-9
    )


def test_expected_purchases_is_the_closed_form_of_the_paper():
    m = BetaGeoBetaBinomial(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
    al, be, ga, de = 1.204, 0.750, 0.657, 2.783
    n = np.array([1.0, 6.0, 11.0])
    closed = al / (al + be) * de / (ga - 1) * (
        1 - np.exp(sp.gammaln(ga + de) - sp.gammaln(ga + de + n)
                   + sp.gammaln(1 + de + n) - sp.gammaln(1 + de))
    )  # fmt: skip
    assert m.expected_purchases(n) == pytest.approx(closed, rel=1e-10)
    # γ = 1 is a removable singularity of the closed form; the finite sum is smooth through it
    near = [
        BetaGeoBetaBinomial(1.0, 1.0, g, 2.0).expected_purchases(6)[0] for g in (0.999, 1, 1.001)
    ]
    assert near[0] > near[1] > near[2]


def test_records_frames_and_lazy_frames_fit_the_same(donations, fitted):
    rows = donations.to_dict("records")
    for data in (rows, pl.from_pandas(donations).lazy()):
        again = BetaGeoBetaBinomial.fit(data, weights="weights")
        assert again.alpha == pytest.approx(fitted.alpha, rel=1e-8)
        assert again.log_likelihood == pytest.approx(fitted.log_likelihood, rel=1e-10)


def test_weights_equal_repeated_rows():
    data = {"frequency": [0, 1, 2, 3, 1], "recency": [0, 1, 3, 3, 3], "periods": [3] * 5}
    repeated = {k: [v for v, c in zip(vals, [9, 4, 3, 5, 2], strict=True) for _ in range(c)]
                for k, vals in data.items()}  # fmt: skip
    weighted = BetaGeoBetaBinomial.fit({**data, "w": [9, 4, 3, 5, 2]}, weights="w")
    plain = BetaGeoBetaBinomial.fit(repeated)
    assert weighted.gamma == pytest.approx(plain.gamma, rel=1e-7)
    assert weighted.log_likelihood == pytest.approx(plain.log_likelihood, rel=1e-10)


def test_round_trips_through_json(fitted):
    again = load_model(fitted.to_json())
    assert again == fitted
    assert again.time_unit == "months"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"frequency": [2], "recency": [1], "periods": [3]},
         r"data\[0\].frequency: 2.0 is greater than recency"),
        ({"frequency": [1], "recency": [4], "periods": [3]},
         r"data\[0\].recency: 4.0 is greater than periods"),
        ({"frequency": [0], "recency": [1], "periods": [3]},
         r"data\[0\].recency: 1.0 must be 0 when frequency is 0"),
        ({"frequency": [0.5], "recency": [1], "periods": [3]},
         r"data\[0\].frequency: 0.5 must be a whole number"),
        ({"frequency": [0], "recency": [0], "periods": [0]},
         r"data\[0\].periods: 0.0 must be a whole number of 1 or more"),
        ({"frequency": [0], "recency": [0]}, r"data.periods: is missing"),
    ],
)  # fmt: skip
def test_bad_histories_get_a_clear_error(data, message):
    with pytest.raises(ValidationError, match=message):
        BetaGeoBetaBinomial.fit(data)


def test_bad_prediction_arguments_get_a_clear_error():
    m = BetaGeoBetaBinomial(1.0, 1.0, 1.0, 1.0)
    with pytest.raises(ValidationError, match="ahead: -1 must be a whole number"):
        m.probability_alive(1, 1, 3, ahead=-1)
    with pytest.raises(ValidationError, match=r"future\[0\]: 1.5 must be a whole number"):
        m.conditional_expected_purchases(1.5, 1, 1, 3)
    with pytest.raises(ValidationError, match=r"data\[0\].frequency: 4.0 is greater than recency"):
        m.probability_alive(4, 3, 3)
