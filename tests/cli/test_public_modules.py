"""Private modules by convention: the public modules of ``crmkit.cli`` are the documented ones."""

from __future__ import annotations

import pkgutil
import re
from pathlib import Path

import crmkit.cli

ROOT = Path(__file__).resolve().parents[2]
#: the modules docs/reference/cli.md documents (besides the package itself)
PUBLIC = {"guard", "lead_model", "model_commands"}


def test_every_undocumented_cli_module_is_named_private() -> None:
    names = {info.name for info in pkgutil.iter_modules(crmkit.cli.__path__)}
    assert {name for name in names if not name.startswith("_")} == PUBLIC
    assert {"_common", "_data_commands", "_demo", "_sections"} <= names


def test_the_reference_page_documents_exactly_the_public_modules() -> None:
    page = (ROOT / "docs" / "reference" / "cli.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^::: crmkit\.cli\.(\w+)", page, flags=re.MULTILINE))
    assert documented == PUBLIC
