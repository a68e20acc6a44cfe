"""The engine matrix: the same rows as every engine crmkit's analytics accept.

One place builds test data for every engine — the records engine (plain dicts), pandas, Polars
eager and lazy, PyArrow, DuckDB, Dask on a two-process local ``dask.distributed`` cluster and PySpark
``local[2]`` — and reads results back as plain rows, so any analytic can be compared with its
records-engine result. Tests take an engine through the ``engine`` fixture of
``tests/conftest.py`` (parametrised over :data:`MATRIX`, starting the Dask cluster or the Spark
session only when a test needs them) or call :func:`build` / :func:`to_frame` directly.

Dask runs on one :func:`dask_client` per test process: a ``SubprocessCluster`` (dask.distributed's
local cluster with the scheduler and two single-threaded workers each in their own process), so
every task graph crmkit builds is serialised, scheduled and run across two worker processes. An
in-process ``LocalCluster`` (``processes=False``) can deadlock: its scheduler materialises a
graph on its single offload thread, and a sort inside the graph computes its range boundaries
there with a nested computation that waits for the same thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import narwhals as nw
import pytest

__all__ = [
    "DISTRIBUTED",
    "ENGINES",
    "FAST_ENGINES",
    "FRAME_ENGINES",
    "IN_PROCESS",
    "LAZY",
    "MATRIX",
    "build",
    "close_dask_client",
    "dask_client",
    "frame_rows",
    "is_lazy_native",
    "matrix_params",
    "rows_of",
    "to_frame",
]

#: Columns, or a Polars schema (column → dtype) that fixes every column's type.
Columns = list[str] | dict[str, Any]


def _polars(rows: list[dict[str, Any]], columns: Columns) -> Any:
    import polars as pl

    if isinstance(columns, dict):
        return pl.DataFrame(rows, schema=columns, orient="row")
    return pl.DataFrame({c: [r[c] for r in rows] for c in columns}, strict=False)


def pandas_frame(rows: list[dict[str, Any]], columns: Columns) -> Any:
    """pandas: Arrow-backed dtypes for a schema, NumPy/object columns from plain values."""
    import pandas as pd

    if isinstance(columns, dict):
        return _polars(rows, columns).to_pandas(use_pyarrow_extension_array=True)
    return pd.DataFrame({c: [r[c] for r in rows] for c in columns}, columns=columns)


def polars_frame(rows: list[dict[str, Any]], columns: Columns) -> Any:
    return _polars(rows, columns)


def polars_lazy(rows: list[dict[str, Any]], columns: Columns) -> Any:
    return _polars(rows, columns).lazy()


def arrow_table(rows: list[dict[str, Any]], columns: Columns) -> Any:
    return _polars(rows, columns).to_arrow()


_DUCKDB: Any = None


def duckdb_relation(rows: list[dict[str, Any]], columns: Columns) -> Any:
    global _DUCKDB
    import duckdb

    if _DUCKDB is None:
        _DUCKDB = duckdb.connect()
        _DUCKDB.execute("SET TimeZone='UTC'")
    return _DUCKDB.from_arrow(arrow_table(rows, columns))


_DASK: dict[str, Any] = {}
_DASK_LOCK = threading.Lock()


def dask_client() -> Any:
    """This process's Dask client on a 2-worker ``SubprocessCluster``, started on first use.

    The client is the default scheduler while it lives, so every Dask computation of the test
    process (including the ones crmkit would start) runs on the cluster.
    """
    with _DASK_LOCK:
        if "client" not in _DASK:
            import dask
            from distributed import Client, SubprocessCluster

            # task-based shuffles: the peer-to-peer shuffle's transfer phase failed under load
            # on 2 shared cores ("P2P … failed during transfer phase"); results are the same
            dask.config.set({"dataframe.shuffle.method": "tasks"})
            cluster = SubprocessCluster(
                n_workers=2,
                threads_per_worker=1,
                dashboard_address=":0",
                silence_logs=40,  # logging.ERROR
            )
            _DASK["cluster"] = cluster
            _DASK["client"] = Client(cluster, set_as_default=True)
        return _DASK["client"]


def close_dask_client() -> None:
    """Close the client and its cluster if this process started them (session teardown)."""
    with _DASK_LOCK:
        client, cluster = _DASK.pop("client", None), _DASK.pop("cluster", None)
    if client is not None:
        client.close()
        cluster.close()


def dask_frame(rows: list[dict[str, Any]], columns: Columns) -> Any:
    """Two partitions of the pandas frame, computed on :func:`dask_client`'s cluster."""
    import dask.dataframe as dd

    dask_client()
    return dd.from_pandas(pandas_frame(rows, columns), npartitions=2)


def spark_frame(rows: list[dict[str, Any]], columns: Columns) -> Any:
    """A PySpark frame on the active session (the ``spark`` fixture starts it)."""
    from pyspark.sql import SparkSession

    session = SparkSession.getActiveSession()
    assert session is not None, "request the `spark` fixture (or the `engine` fixture)"
    return session.createDataFrame(arrow_table(rows, columns))


_BUILDERS: dict[str, Callable[[list[dict[str, Any]], Columns], Any]] = {
    "pandas": pandas_frame,
    "polars": polars_frame,
    "polars-lazy": polars_lazy,
    "pyarrow": arrow_table,
    "duckdb": duckdb_relation,
    "dask": dask_frame,
    "spark": spark_frame,
}

#: Every frame engine.
FRAME_ENGINES: tuple[str, ...] = tuple(_BUILDERS)
#: The engine matrix: the records engine first, then every frame engine.
MATRIX: tuple[str, ...] = ("records", *FRAME_ENGINES)
#: The in-process frame engines (Hypothesis property tests run these on many examples).
IN_PROCESS: tuple[str, ...] = ("pandas", "polars", "polars-lazy", "pyarrow", "duckdb")
#: Engines that distribute the work (a cluster or partitions), checked for staying distributed.
DISTRIBUTED = frozenset({"dask", "spark"})
#: Engines whose results are lazy (computed when collected).
LAZY = frozenset({"polars-lazy", "duckdb", "dask", "spark"})
#: Engine name → builder ``(rows, columns)`` for the engines without a session fixture.
ENGINES: dict[str, Callable[[list[dict[str, Any]], Columns], Any]] = {
    k: v for k, v in _BUILDERS.items() if k != "spark"
}
#: The in-process engines: property tests run these on many examples (Dask and Spark plan
#: and schedule per query, so they get the engine matrix's fixed cases instead).
FAST_ENGINES = {k: v for k, v in ENGINES.items() if k != "dask"}


def build(engine: str, rows: list[dict[str, Any]], columns: Columns) -> Any:
    """``rows`` on ``engine``: the records themselves for ``"records"``, else a native frame."""
    if engine == "records":
        return [dict(r) for r in rows]
    return _BUILDERS[engine](rows, columns)


def to_frame(rows: list[dict[str, Any]], engine: str, schema: dict[str, Any]) -> Any:
    """``rows`` as a native frame of ``engine`` with a Polars ``schema``.

    ``"pandas-numpy"`` is pandas with NumPy dtypes (``"pandas"`` is Arrow-backed).
    """
    if engine == "pandas-numpy":
        return _polars(rows, schema).to_pandas()
    return build(engine, rows, schema)


def matrix_params(engines: tuple[str, ...] = MATRIX) -> list[Any]:
    """``engines`` as pytest params; Spark's is marked ``spark`` (needs Java)."""
    return [pytest.param(e, marks=pytest.mark.spark) if e == "spark" else e for e in engines]


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # numpy scalars
        return value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def _collected(native: Any) -> Any:
    frame = nw.from_native(native)
    if isinstance(frame, nw.LazyFrame):
        frame = frame.collect()
    return frame


def rows_of(native: Any, sort_by: str = "customer_id") -> list[dict[str, Any]]:
    """A native result frame as a list of dicts with plain Python values, sorted."""
    frame = _collected(native)
    out = [{k: _plain(v) for k, v in row.items()} for row in frame.rows(named=True)]
    return sorted(out, key=lambda r: (r[sort_by] is None, str(r[sort_by])))


def frame_rows(native: Any) -> list[dict[str, Any]]:
    """A native frame's rows as dicts, values as the engine gives them, in frame order."""
    return list(_collected(native).rows(named=True))


def is_lazy_native(native: Any) -> bool:
    """Whether the native result is still lazy."""
    return isinstance(nw.from_native(native), nw.LazyFrame)
