"""CDNOW data for the lifetime-value tests, read from the files that ship inside lifetimes.

lifetimes 0.11.3 is a dev/test dependency only (never a runtime one); its wheel carries the
CDNOW sample (2,357 customers) used by every BTYD paper.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

lifetimes = pytest.importorskip(
    "lifetimes", reason="lifetimes is a dev dependency (pip install -e '.[dev]')"
)
pd = pytest.importorskip("pandas")

DATASETS = os.path.join(os.path.dirname(lifetimes.__file__), "datasets")


@pytest.fixture(scope="session")
def cdnow_transactions() -> Any:
    """CDNOW_sample.txt: 6,919 transactions of the 2,357-customer sample (pandas frame)."""
    frame = pd.read_csv(
        os.path.join(DATASETS, "CDNOW_sample.txt"),
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "date", "cds", "value"],
        dtype={"date": str},
    )
    frame["date"] = pd.to_datetime(frame["date"], format="%Y%m%d")
    return frame[["customer_id", "date", "value"]]


@pytest.fixture(scope="session")
def cdnow_summary() -> Any:
    """The published CDNOW summary in weeks (ID, x, t_x, T, zbar) as a pandas frame."""
    frame = pd.read_csv(os.path.join(DATASETS, "cdnow_customers_summary_with_transactions.csv"))
    return frame.rename(
        columns={"ID": "customer_id", "x": "frequency", "t_x": "recency", "zbar": "monetary_value"}
    )


@pytest.fixture(scope="session")
def cdnow(cdnow_summary: Any) -> dict[str, Any]:
    """The CDNOW summary as a mapping of numpy arrays."""
    return {c: cdnow_summary[c].to_numpy() for c in cdnow_summary.columns}
