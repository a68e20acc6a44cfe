from __future__ import annotations

import pytest

from crmkit.errors import NotFoundError
from crmkit.strategy import REGISTRY, Process, capabilities, capabilities_for, element, resolve


@pytest.mark.parametrize("path", [row[0] for row in REGISTRY])
def test_every_registry_entry_is_a_real_public_callable(path: str) -> None:
    assert callable(resolve(path))


def test_entries_name_a_process_and_its_element() -> None:
    for cap in capabilities():
        assert element(cap.element_key).process is cap.process
    assert {c.process for c in capabilities()} == set(Process)
    assert [c.path for c in capabilities("MCI")][:2] == [
        "crmkit.strategy:channel_integration_gaps",
        "crmkit.strategy:same_standard_on_every_channel",
    ]


def test_capabilities_for_walks_up_the_tree() -> None:
    paths = [c.path for c in capabilities_for("retention_economics")]
    assert "crmkit.strategy:profitability_matrix" in paths  # registered on the parent
    assert "crmkit.strategy:cross_sell_rate" in paths


def test_resolve_refuses_private_and_missing() -> None:
    with pytest.raises(NotFoundError):
        resolve("crmkit.strategy:_entries")
    with pytest.raises(NotFoundError):
        resolve("crmkit.nothing_here:x")
    with pytest.raises(NotFoundError):
        resolve("crmkit.strategy.capabilities:_entries")
