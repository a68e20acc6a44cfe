"""`import crmkit` loads nothing but its three core dependencies and the standard library."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

CORE = {"attrs", "attr", "cattrs", "cattr", "dateutil", "crmkit", "six", "typing_extensions",
        "exceptiongroup"}  # fmt: skip
HEAVY = {"numpy", "scipy", "pandas", "polars", "pyarrow", "duckdb", "dask", "pyspark",
         "narwhals", "sqlalchemy", "psycopg", "rich", "statsmodels", "lifetimes", "pydantic"}  # fmt: skip


def _top_level_modules_after(statement: str) -> set[str]:
    code = (
        "import sys, json\n"
        f"{statement}\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    return set(json.loads(out))


def test_import_crmkit_loads_only_core_dependencies_and_stdlib() -> None:
    loaded = _top_level_modules_after("import crmkit, crmkit.domain, crmkit.serde")
    foreign = {m for m in loaded if m not in sys.stdlib_module_names and not m.startswith("_")}
    assert foreign <= CORE, f"unexpected modules imported: {sorted(foreign - CORE)}"
    assert "crmkit" in loaded


@pytest.mark.parametrize(
    "package",
    [
        "crmkit.frames",
        "crmkit.segmentation",
        "crmkit.scoring",
        "crmkit.clv",
        "crmkit.survey",
        "crmkit.strategy",
        "crmkit.adapters",
        "crmkit.report",
        "crmkit.datasets",
        "crmkit.cli",
    ],
)
def test_subpackages_import_their_extras_lazily(package: str) -> None:
    loaded = _top_level_modules_after(f"import {package}")
    assert package.split(".")[1] in {m.split(".")[0] for m in loaded} or "crmkit" in loaded
    assert not (loaded & HEAVY), f"{package} imported {sorted(loaded & HEAVY)} at import time"
