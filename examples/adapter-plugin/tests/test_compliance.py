"""The plugin passes crmkit's adapter compliance suite, opened through its entry point."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from crmkit_jsonfile import JsonFileStore

from crmkit.adapters import Store, available_adapters, open_store
from crmkit.testing.adapter_suite import AdapterComplianceSuite, sample_entity


def test_entry_point_is_registered() -> None:
    assert "jsonfile" in available_adapters()


class TestJsonFileStore(AdapterComplianceSuite):
    max_examples = 5

    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[Store]:
        store = open_store(f"jsonfile://{tmp_path / 'crm.json'}")  # found via the entry point
        assert isinstance(store, JsonFileStore)
        yield store
        store.close()


def test_data_survives_reopening(tmp_path: Path) -> None:
    url = f"jsonfile://{tmp_path / 'crm.json'}"
    acme = sample_entity("accounts", name="Acme AB", custom={"vip": True})
    with open_store(url) as store, store.unit_of_work() as uow:
        uow.accounts.add(acme)
    with open_store(url) as store, store.unit_of_work() as uow:
        assert uow.accounts.get(acme.id) == acme
