from __future__ import annotations

import pytest

from crmkit.datasets import B2BDataset, make_b2b


@pytest.fixture(scope="module")
def data() -> B2BDataset:
    return make_b2b(seed=42, n_accounts=400)
