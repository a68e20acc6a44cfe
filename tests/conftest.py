"""Fixtures shared by every test folder: Hypothesis profiles, the engine matrix's sessions.

**Hypothesis.** Two profiles: ``dev`` (Hypothesis' defaults, for local runs) and ``ci``
(twice the examples, and the failing example's blob printed so a CI failure can be
replayed), loaded when ``CI=true`` (``.ci/run`` exports it). ``HYPOTHESIS_PROFILE`` picks one
explicitly. Property tests that set their own ``max_examples`` scale it with
:func:`tests.profiles.examples`, so they draw more in CI too.

**Engines.** ``engine`` runs a test once per engine of :data:`tests.engines.MATRIX` (records,
pandas, Polars eager and lazy, PyArrow, DuckDB, Dask, PySpark), starting the Dask cluster or
the Spark session only for the engines that need them; both live for the whole test session.

**Order under xdist** (``make test`` runs ``-n 2``). Each worker hands its tests out in
collection order, one at a time as the workers free up; the slow tests (marked ``slow``, then the
Spark and Dask ones) are moved to the front, so the run does not end with one worker still busy with a long
test while the other waits.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import settings

from tests.backends import SPARK_JAVA_OPTIONS, have_java, local_spark, require_backend
from tests.engines import close_dask_client, dask_client, matrix_params

settings.register_profile("dev", settings())
settings.register_profile(
    "ci", settings(max_examples=2 * settings.default.max_examples, print_blob=True)
)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") == "true" else "dev")
)


def _start_rank(item: pytest.Item) -> int:
    """0 for the slow tests, 1 for the Spark and Dask ones, 2 for the rest: their start order."""
    if item.get_closest_marker("slow") is not None:
        return 0
    if item.get_closest_marker("spark") is not None or "dask" in item.nodeid:
        return 1
    return 2


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On an xdist worker: the slow tests first (a stable sort; every worker sorts alike)."""
    if hasattr(config, "workerinput"):  # set on xdist workers only
        items.sort(key=_start_rank)


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One ``local[2]`` SparkSession per test session (UI off, 2 shuffle partitions, UTC).

    The driver JVM gets :data:`tests.backends.SPARK_JAVA_OPTIONS` (the quick JIT only).
    """
    require_backend("java", have_java(), "PySpark local mode needs a Java runtime")
    session = local_spark(
        "crmkit-tests",
        memory="512m",
        default_parallelism="2",
        driver_extraJavaOptions=SPARK_JAVA_OPTIONS,
    )
    yield session
    session.stop()


@pytest.fixture(scope="session")
def dask_cluster() -> Any:
    """The Dask client of a 2-worker local cluster (see :func:`tests.engines.dask_client`)."""
    return dask_client()


@pytest.fixture(scope="session", autouse=True)
def _close_dask_cluster() -> Iterator[None]:
    """Close the Dask cluster at the end of the session if a test started it."""
    yield
    close_dask_client()


@pytest.fixture(params=matrix_params())
def engine(request: pytest.FixtureRequest) -> str:
    """Each engine of the matrix by name; Dask and Spark get their session fixture first."""
    name: str = request.param
    if name == "dask":
        request.getfixturevalue("dask_cluster")
    elif name == "spark":
        request.getfixturevalue("spark")
    return name
