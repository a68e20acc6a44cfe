"""A single cheap local Spark session for the spark-marked tests of this folder."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.backends import have_java, require_backend


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local[1] SparkSession per test session (UI off, 2 shuffle partitions, UTC)."""
    require_backend("java", have_java(), "PySpark local mode needs a Java runtime")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .appName("crmkit-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "1")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "512m")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
