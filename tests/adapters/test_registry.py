"""Stores are found by URL scheme: built-ins, in-process registrations and entry points."""

from __future__ import annotations

import importlib.metadata
import sys
import threading
from typing import Any

import pytest

from crmkit.adapters import available_adapters, open_store, register_adapter
from crmkit.adapters.memory import MemoryStore, open_memory_store
from crmkit.adapters.registry import ENTRY_POINT_GROUP, scheme_of
from crmkit.adapters.sql import SqlStore
from crmkit.errors import ConflictError, NotFoundError, ValidationError
from crmkit.testing.adapter_suite import sample_entity


def test_builtin_schemes_pick_their_adapters() -> None:
    assert isinstance(open_store("memory://"), MemoryStore)
    sqlite = open_store("sqlite://")
    assert isinstance(sqlite, SqlStore)
    assert sqlite.dialect == "sqlite"
    assert {"memory", "sqlite", "postgresql"} <= set(available_adapters())


def test_scheme_with_driver_falls_back_to_the_dialect() -> None:
    assert scheme_of("postgresql+psycopg://u@h/db") == "postgresql+psycopg"
    assert isinstance(open_store("sqlite+pysqlite://"), SqlStore)


def test_unknown_scheme_lists_the_known_ones() -> None:
    with pytest.raises(NotFoundError) as caught:
        open_store("mongodb://localhost/crm")
    message = str(caught.value)
    assert "'mongodb'" in message
    assert "memory" in message
    assert "sqlite" in message


def test_url_without_scheme_is_a_validation_error() -> None:
    with pytest.raises(ValidationError, match="url"):
        open_store("crm.db")


def test_entry_point_plugins_are_discovered(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []

    def factory(url: str, **options: Any) -> MemoryStore:
        made.append(url)
        return open_memory_store(url)

    module = type(sys)("fake_crmkit_plugin")
    module.open_store = factory  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_crmkit_plugin", module)
    ep = importlib.metadata.EntryPoint(
        name="fakedb", value="fake_crmkit_plugin:open_store", group=ENTRY_POINT_GROUP
    )
    real = importlib.metadata.entry_points

    def entry_points(**params: Any) -> Any:
        if params.get("group") == ENTRY_POINT_GROUP:
            return importlib.metadata.EntryPoints([ep])
        return real(**params)

    monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)
    assert "fakedb" in available_adapters()
    store = open_store("fakedb://somewhere")
    assert made == ["fakedb://somewhere"]
    assert store.url == "fakedb://somewhere"


def test_register_adapter_in_process() -> None:
    register_adapter("scratchpad", "crmkit.adapters.memory:open_memory_store")
    assert isinstance(open_store("scratchpad://"), MemoryStore)


def test_memory_store_refuses_unknown_options() -> None:
    with pytest.raises(ValidationError, match="options"):
        open_store("memory://", schema="x")


def test_memory_units_of_work_in_threads_cannot_both_win() -> None:
    store = open_store("memory://")
    opp = sample_entity("opportunities")
    with store.unit_of_work() as uow:
        uow.opportunities.add(opp)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(label: str) -> None:
        with store.unit_of_work() as uow:
            mine = uow.opportunities.get(opp.id)
        barrier.wait()
        mine.name = label
        try:
            with store.unit_of_work() as uow:
                uow.opportunities.save(mine)
            outcomes.append("won")
        except ConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=save, args=(label,)) for label in "AB"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "won"]
    with store.unit_of_work() as uow:
        assert uow.opportunities.get(opp.id).version == 2
