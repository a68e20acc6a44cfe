"""The built wheel and sdist install into a fresh virtual environment and work.

Catches packaging mistakes an editable install hides: a data file left out of the wheel, a
module that imports a dependency the core does not declare, an extra that names a missing
package. The wheel and the sdist are built once (``python -m build --no-isolation``, with the
dev extra's hatchling) into a temporary directory; each test makes a fresh ``venv`` (no
``--system-site-packages``), installs one artefact into it with pip — pinned by
``requirements/constraints.txt``, so pip reuses its wheel cache — and runs a smoke script: imports, the packaged strategy framework and workbook JSON, the
synthetic company and RFM (and, with ``[all]``, a lifetime-value fit and a SQLite store).
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONSTRAINTS = ROOT / "requirements" / "constraints.txt"

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("packaging")]

CORE_SMOKE = """
from datetime import date
from pathlib import Path

import crmkit
from crmkit.datasets import make_b2b
from crmkit.segmentation import rfm
from crmkit.strategy import framework, template

assert "site-packages" in Path(crmkit.__file__).as_posix(), crmkit.__file__
processes = framework()
assert [len(p.elements) for p in processes] == [2, 3, 2, 5, 2], processes
workbook = template("en")
assert len(workbook["sections"]) == 14, len(workbook["sections"])
company = make_b2b(seed=3, n_accounts=40)
rows = rfm(company.purchases(), as_of=date(2025, 12, 31))
assert rows and all(1 <= r.r_score <= 5 for r in rows)
print("core ok", len(rows))
"""

ALL_SMOKE = """
from datetime import date

import narwhals, numpy, rich, scipy, sqlalchemy  # the extras are installed

from crmkit.adapters import open_store
from crmkit.clv import BetaGeo, summarise
from crmkit.datasets import make_b2b

company = make_b2b(seed=3, n_accounts=200)
summary = summarise(company.purchases(), time_unit="weeks", as_of=date(2025, 12, 31))
model = BetaGeo.fit(summary, time_unit="weeks")
assert model.r > 0
with open_store("sqlite:///smoke.db") as store:
    with store.unit_of_work() as uow:
        uow.accounts.add_many(company.accounts)
    with store.unit_of_work() as uow:
        assert uow.accounts.count() == 200
print("all ok")
"""


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel and the sdist, built from this checkout (hatchling from the dev extra)."""
    out = tmp_path_factory.mktemp("dist")
    build = [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out)]
    result = subprocess.run(
        [*build, "--sdist", "--wheel", str(ROOT)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return out


def _fresh_venv(path: Path) -> Path:
    """A new virtual environment without pip (this interpreter's pip installs into it)."""
    venv.EnvBuilder(with_pip=False, clear=True).create(path)
    return path / "bin" / "python"


def _pip_install(python: Path, requirement: str, cwd: Path) -> None:
    # --no-compile: byte-compiling numpy/scipy/matplotlib is most of an install's time
    pip = [sys.executable, "-m", "pip", "--python", str(python), "--disable-pip-version-check"]
    options = ["install", "--quiet", "--no-compile", "-c", str(CONSTRAINTS)]
    result = subprocess.run(
        [*pip, *options, requirement], cwd=cwd, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-4000:]


def _smoke(python: Path, script: str, cwd: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    result = subprocess.run(
        [str(python), "-c", script], cwd=cwd, capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return result.stdout


def test_the_build_makes_one_wheel_and_one_sdist(dist: Path) -> None:
    assert len(list(dist.glob("crmkit-*-py3-none-any.whl"))) == 1
    assert len(list(dist.glob("crmkit-*.tar.gz"))) == 1


def test_the_wheel_installs_and_works_with_the_core_only(dist: Path, tmp_path: Path) -> None:
    python = _fresh_venv(tmp_path / "venv")
    wheel = next(dist.glob("*.whl"))
    _pip_install(python, str(wheel), tmp_path)
    assert _smoke(python, CORE_SMOKE, tmp_path).startswith("core ok")
    # the core must not have pulled in an extra
    missing = _smoke(python, "import importlib.util as u; print(u.find_spec('numpy'))", tmp_path)
    assert missing.strip() == "None"


def test_the_wheel_installs_and_works_with_all_extras(dist: Path, tmp_path: Path) -> None:
    python = _fresh_venv(tmp_path / "venv")
    wheel = next(dist.glob("*.whl"))
    _pip_install(python, f"crmkit[all] @ {wheel.as_uri()}", tmp_path)
    assert _smoke(python, CORE_SMOKE, tmp_path).startswith("core ok")
    assert _smoke(python, ALL_SMOKE, tmp_path).strip() == "all ok"


def test_the_sdist_installs_with_the_testing_extra(dist: Path, tmp_path: Path) -> None:
    """The sdist builds and works, and ``[testing]`` brings what ``crmkit.testing`` needs."""
    python = _fresh_venv(tmp_path / "venv")
    sdist = next(dist.glob("*.tar.gz"))
    _pip_install(python, f"crmkit[testing] @ {sdist.as_uri()}", tmp_path)
    assert _smoke(python, CORE_SMOKE, tmp_path).startswith("core ok")
    out = _smoke(
        python,
        "import crmkit.testing.adapter_suite, crmkit.testing.strategies, pytest, hypothesis;"
        "print('testing ok')",
        tmp_path,
    )
    assert out.strip() == "testing ok"
