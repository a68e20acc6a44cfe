"""Backend availability for tests that need PostgreSQL, Java (PySpark) or Chromium.

Locally a missing backend skips its tests; with ``CRMKIT_REQUIRE_BACKENDS=1`` (set by
``.ci/run``) a missing backend fails them, so CI can never hide one.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest

__all__ = [
    "SPARK_JAVA_OPTIONS",
    "have_chromium",
    "have_java",
    "local_spark",
    "pg_url",
    "require_backend",
    "required",
]

#: JVM options for the tests' Spark drivers: the quick (C1) JIT compiler only and the serial
#: garbage collector. A test's Spark work is short, and the optimising JIT's compile threads
#: cost more CPU than they save (about half of a small Spark test's CPU time); results are the
#: same, since only how the JVM compiles and collects changes.
SPARK_JAVA_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"


def local_spark(app: str, *, memory: str, partitions: int = 2, **conf: str) -> Any:
    """A ``local[2]`` SparkSession for the tests and the benchmarks: UI and progress bars off,
    ``partitions`` shuffle partitions, UTC session time zone, ``memory`` for the driver, log
    level ERROR; ``conf`` adds settings (``spark.`` prefixed: ``sql_foo_bar`` is
    ``spark.sql.foo.bar``, e.g. ``driver_extraJavaOptions=SPARK_JAVA_OPTIONS``).
    """
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master("local[2]")
        .appName(app)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(partitions))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", memory)
    )
    for key, value in conf.items():
        builder = builder.config("spark." + key.replace("_", "."), value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def spark_plan(native: Any, capsys: pytest.CaptureFixture[str]) -> str:
    """The physical plan Spark prints for the PySpark frame ``native`` (``DataFrame.explain``)."""
    capsys.readouterr()
    native.explain(mode="formatted")
    plan = capsys.readouterr().out
    assert "== Physical Plan ==" in plan
    return plan


def spark_materialised(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Record every PySpark frame crmkit computes ahead and keeps (its local checkpoint,
    :func:`crmkit.frames.native.spark_materialise`): the list fills as crmkit runs, each
    entry the frame as planned before it ran, so a test can check the plans of those jobs too
    (the returned frame's plan then only reads the kept rows)."""
    import crmkit.frames._running_sum as running
    import crmkit.frames.quantile as quantile

    seen: list[Any] = []
    original = running.spark_materialise

    def keep(native: Any) -> Any:
        seen.append(native)
        return original(native)

    monkeypatch.setattr(running, "spark_materialise", keep)
    monkeypatch.setattr(quantile, "spark_materialise", keep)
    return seen


def assert_grouped_once_ahead(
    kept: list[Any], out: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """The checks of a Spark analytic whose per-customer table is computed once, ahead, and
    kept (``kept`` from :func:`spark_materialised`): that one job is partitioned by customer,
    neither it nor the result ``out`` has a single-partition exchange, and the result runs no
    second group-by (it reads the kept rows)."""
    [table] = kept
    ahead = spark_plan(table, capsys)
    assert "SinglePartition" not in ahead
    assert "hashpartitioning" in ahead
    plan = spark_plan(out, capsys)
    assert "SinglePartition" not in plan
    assert "HashAggregate" not in plan


def spark_analyzed_plan(native: Any, capsys: pytest.CaptureFixture[str]) -> str:
    """The analyzed logical plan of the PySpark frame ``native``, lower case (local rows would be
    folded into a constant table by the optimiser, expressions and all)."""
    capsys.readouterr()
    native.explain(mode="extended")
    text = capsys.readouterr().out
    start = text.index("== Analyzed Logical Plan ==")
    return text[start : text.index("== Optimized Logical Plan ==")].lower()


def required() -> bool:
    """Whether missing backends must fail (CI) rather than skip (a developer's machine)."""
    return os.environ.get("CRMKIT_REQUIRE_BACKENDS", "") not in ("", "0")


def require_backend(name: str, available: bool, why: str) -> None:
    """Skip (locally) or fail (CI) the calling test when backend ``name`` is unavailable."""
    if available:
        return
    message = f"{name} is not available: {why}"
    if required():
        pytest.fail(f"{message} (CRMKIT_REQUIRE_BACKENDS=1, so this fails instead of skipping)")
    pytest.skip(message)


def have_java() -> bool:
    """Whether a Java runtime for PySpark is on PATH."""
    return shutil.which("java") is not None


def have_chromium() -> bool:
    """Whether Debian's Chromium is installed."""
    return shutil.which("chromium") is not None


def pg_url() -> str | None:
    """The SQLAlchemy URL of the test PostgreSQL server, from ``CRMKIT_PG_URL``."""
    return os.environ.get("CRMKIT_PG_URL") or None
