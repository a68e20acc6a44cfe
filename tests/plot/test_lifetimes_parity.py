"""The transactions-over-time and matrix plots agree with lifetimes' own computations.

lifetimes evaluates the model's cumulative line one period later than crmkit: its row ``k``
uses each customer's age at the *end* of period ``k`` (``k + 1 −`` first period), while crmkit
uses the age :func:`crmkit.clv.summarise` gives (``k −`` first period, so a customer acquired
in the last period has ``T = 0``). The actual counts are identical.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from lifetimes import BetaGeoFitter
from lifetimes.utils import expected_cumulative_transactions

from crmkit.clv import BetaGeo
from crmkit.datasets import make_b2b
from crmkit.plot import (
    plot_cumulative_transactions,
    plot_frequency_recency_matrix,
    plot_probability_alive_matrix,
)

PARAMS = {"r": 0.9, "alpha": 8.0, "a": 0.3, "b": 2.7}


def _lifetimes_model() -> BetaGeoFitter:
    fitter = BetaGeoFitter()
    fitter.params_ = pd.Series(PARAMS)
    return fitter


@pytest.fixture(scope="module")
def orders() -> list[Any]:
    return make_b2b(seed=9, n_accounts=80).purchases()


def test_cumulative_transactions_match_lifetimes(orders: list[Any]) -> None:
    frame = pd.DataFrame(
        {
            "id": [o.account_id for o in orders],
            "date": pd.to_datetime([o.ordered_at.date() for o in orders]),
        }
    )
    days = (frame["date"].max() - frame["date"].min()).days + 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lifetimes' pandas deprecation warnings
        theirs = expected_cumulative_transactions(
            _lifetimes_model(), frame, "date", "id", days, freq="D"
        )
    ax = plot_cumulative_transactions(
        BetaGeo(**PARAMS, time_unit="days"), orders, as_of=frame["date"].max().date()
    )
    actual, expected = (line.get_ydata() for line in ax.get_lines()[:2])
    assert len(actual) == days == len(theirs)
    assert list(actual) == theirs["actual"].tolist()
    # one period apart (see the module docstring): their row k is our row k + 1
    np.testing.assert_allclose(expected[1:], theirs["predicted"].iloc[:-1], rtol=1e-9)
    assert expected[0] == 0.0


def test_matrices_match_lifetimes() -> None:
    fitter = _lifetimes_model()
    ours = BetaGeo(**PARAMS, time_unit="weeks")
    alive = plot_probability_alive_matrix(ours, max_frequency=6, max_recency=20)
    expected = plot_frequency_recency_matrix(ours, t=2, max_frequency=6, max_recency=20)
    f, r = np.meshgrid(np.arange(7.0), np.arange(21.0), indexing="ij")
    np.testing.assert_allclose(
        alive.get_images()[0].get_array(),
        fitter.conditional_probability_alive(f, r, 20.0),
        rtol=1e-9,
    )
    np.testing.assert_allclose(
        expected.get_images()[0].get_array(),
        fitter.conditional_expected_number_of_purchases_up_to_time(2, f, r, 20.0),
        rtol=1e-9,
    )
