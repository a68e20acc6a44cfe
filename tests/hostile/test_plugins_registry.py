"""Hostile adapter plugins, installed for real: a distribution (``*.dist-info`` with an
``entry_points.txt``) and its module are written to a temporary directory put on
``sys.path``, so :mod:`importlib.metadata` finds them exactly as it finds a pip install.

A broken plugin must be named (plugin, entry point, distribution) in a crmkit error; a
plugin can never replace a built-in scheme; a factory that returns something other than a
store is refused.
"""

from __future__ import annotations

import sys
import uuid
import warnings
from pathlib import Path

import pytest

from crmkit.adapters import available_adapters, open_store, register_adapter
from crmkit.adapters.memory import MemoryStore
from crmkit.adapters.registry import ENTRY_POINT_GROUP, resolve_adapter
from crmkit.adapters.sql import SqlStore
from crmkit.errors import CrmkitWarning, PluginError, ValidationError


class Installer:
    """Writes plugin distributions into one directory on ``sys.path``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def install(self, scheme: str, module_source: str, *, attribute: str = "open_store") -> str:
        """Install a distribution whose entry point ``scheme`` is ``<module>:<attribute>``;
        returns the distribution name."""
        token = uuid.uuid4().hex[:8]
        module = f"hostile_plugin_{token}"
        dist = f"hostile-plugin-{token}"
        (self.root / f"{module}.py").write_text(module_source, encoding="utf-8")
        info = self.root / f"{dist.replace('-', '_')}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n", encoding="utf-8"
        )
        (info / "entry_points.txt").write_text(
            f"[{ENTRY_POINT_GROUP}]\n{scheme} = {module}:{attribute}\n", encoding="utf-8"
        )
        return dist


@pytest.fixture
def plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Installer:
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in list(sys.modules):
        if name.startswith("hostile_plugin_"):
            monkeypatch.delitem(sys.modules, name)
    return Installer(tmp_path)


GOOD = """
from crmkit.adapters.memory import MemoryStore

def open_store(url, **options):
    return MemoryStore(url)
"""


def test_a_real_installed_plugin_is_found(plugins: Installer) -> None:
    plugins.install("goodstore", GOOD)
    assert "goodstore" in available_adapters()
    store = open_store("goodstore://x")
    assert isinstance(store, MemoryStore)
    assert store.url == "goodstore://x"


def test_a_plugin_that_cannot_be_imported_is_named(plugins: Installer) -> None:
    dist = plugins.install("brokenimport", "import crmkit_no_such_dependency_xyz\n")
    assert "brokenimport" in available_adapters()  # listing never imports a plugin
    with pytest.raises(PluginError) as caught:
        open_store("brokenimport://x")
    message = str(caught.value)
    assert "'brokenimport'" in message
    assert ":open_store" in message  # the entry point
    assert dist in message  # the distribution to fix or uninstall
    assert "crmkit_no_such_dependency_xyz" in message


def test_a_plugin_that_crashes_on_import_is_named(plugins: Installer) -> None:
    dist = plugins.install("crashimport", "raise RuntimeError('half-installed')\n")
    with pytest.raises(PluginError, match="half-installed") as caught:
        resolve_adapter("crashimport")
    assert dist in str(caught.value)


def test_an_entry_point_naming_a_missing_attribute_is_named(plugins: Installer) -> None:
    dist = plugins.install("noattr", GOOD, attribute="make_store")
    with pytest.raises(PluginError, match="make_store") as caught:
        open_store("noattr://x")
    assert dist in str(caught.value)


def test_an_entry_point_that_is_not_callable_is_refused(plugins: Installer) -> None:
    plugins.install("notcallable", "open_store = 42\n")
    with pytest.raises(PluginError, match="not callable"):
        open_store("notcallable://x")


@pytest.mark.parametrize(
    "returned", ["None", "{'url': 'x'}", "'a string'", "MemoryStore", "object()"]
)
def test_a_factory_returning_something_that_is_not_a_store_is_refused(
    plugins: Installer, returned: str
) -> None:
    source = (
        "from crmkit.adapters.memory import MemoryStore\n"
        f"def open_store(url, **options):\n    return {returned}\n"
    )
    dist = plugins.install("notastore", source)
    with pytest.raises(PluginError, match="not a crmkit store") as caught:
        open_store("notastore://x")
    assert dist in str(caught.value)


def test_a_factory_that_fails_is_named_but_crmkit_errors_pass_through(
    plugins: Installer,
) -> None:
    source = """
from crmkit.errors import ValidationError

def open_store(url, **options):
    if options:
        raise ValidationError.single("options", sorted(options), "are not understood")
    raise ConnectionError("backend down at " + url)
"""
    dist = plugins.install("failing", source)
    with pytest.raises(PluginError, match="backend down") as caught:
        open_store("failing://x")
    assert dist in str(caught.value)
    with pytest.raises(ValidationError, match="options"):
        open_store("failing://x", colour="red")


@pytest.mark.parametrize(
    "scheme", ["sqlite", "SQLite", "memory", "postgresql", "postgresql+psycopg", "sqlite+evil"]
)
def test_a_plugin_cannot_replace_a_built_in_scheme(plugins: Installer, scheme: str) -> None:
    hijack = """
def open_store(url, **options):
    raise AssertionError("the hijacking plugin was called")
"""
    dist = plugins.install(scheme, hijack)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sqlite = open_store("sqlite://")
        memory = open_store("memory://")
    assert isinstance(sqlite, SqlStore)
    assert isinstance(memory, MemoryStore)
    messages = [str(w.message) for w in caught if issubclass(w.category, CrmkitWarning)]
    assert messages, "the ignored plugin must be reported"
    assert all(dist in m and "ignored" in m for m in messages)


def test_register_adapter_cannot_replace_a_built_in_scheme() -> None:
    for name in ("sqlite", "memory", "POSTGRESQL", "sqlite+mine"):
        with pytest.raises(ValidationError, match="built-in"):
            register_adapter(name, "crmkit.adapters.memory:open_memory_store")
    assert isinstance(open_store("memory://"), MemoryStore)


def test_register_adapter_refuses_a_factory_that_is_not_callable() -> None:
    with pytest.raises(ValidationError, match="not callable"):
        register_adapter("hostile_notcallable", 42)  # type: ignore[arg-type]


def test_an_in_process_adapter_returning_a_non_store_is_refused() -> None:
    register_adapter("hostile_nonstore", lambda url, **options: [url])
    with pytest.raises(PluginError, match="hostile_nonstore"):
        open_store("hostile_nonstore://x")
