"""Shared data for the plot tests: the synthetic company, its summaries and fitted models."""

from __future__ import annotations

import io
from typing import Any

import matplotlib  # noqa: F401  -- fail loudly if the plot extra is not installed
import pytest
from PIL import Image

from crmkit.clv import BetaGeo, GammaGamma, summarise
from crmkit.datasets import B2BDataset, make_b2b


def render(ax: Any) -> Image.Image:
    """Render the Axes' figure to PNG bytes and decode them (checks a real image came out)."""
    buffer = io.BytesIO()
    ax.figure.savefig(buffer, format="png", dpi=50)
    data = buffer.getvalue()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.width > 100
    assert image.height > 100
    # not a blank canvas: more than one colour was drawn
    colours = image.convert("RGB").getcolors(maxcolors=image.width * image.height)
    assert colours is not None
    assert len(colours) > 1
    return image


@pytest.fixture(scope="session")
def company() -> B2BDataset:
    return make_b2b(seed=5, n_accounts=300)


@pytest.fixture(scope="session")
def purchases(company: B2BDataset) -> list[Any]:
    return company.purchases()


@pytest.fixture(scope="session")
def summary(company: B2BDataset, purchases: list[Any]) -> list[Any]:
    return summarise(purchases, amount="total", time_unit="weeks", as_of=company.observation_end)


@pytest.fixture(scope="session")
def model(summary: list[Any]) -> BetaGeo:
    return BetaGeo.fit(summary, time_unit="weeks")


@pytest.fixture(scope="session")
def spend(summary: list[Any]) -> GammaGamma:
    return GammaGamma.fit(summary)
