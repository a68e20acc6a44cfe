"""Recognising dataframes and crossing between native frames and narwhals.

This is the one place in crmkit that imports :mod:`narwhals` (extra ``frames``). Analytics
call :func:`is_frame` to pick the records engine or the frames engine, :func:`from_native` to
get a narwhals frame, and :func:`to_native` to hand back the same kind of frame they were
given. Lazy frames (DuckDB, Dask, PySpark, Polars ``LazyFrame``) stay lazy.

Examples:
    >>> from crmkit.frames import is_frame
    >>> is_frame([{"customer_id": "a"}])
    False
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from crmkit.extras import require

__all__ = [
    "collect",
    "collect_like",
    "from_native",
    "is_frame",
    "is_lazy",
    "lazy_plan",
    "narwhals",
    "spark_materialise",
    "to_native",
]

#: Top-level modules whose objects narwhals can wrap.
FRAME_MODULES = frozenset(
    {"pandas", "polars", "pyarrow", "duckdb", "dask", "dask_expr", "pyspark", "modin",
     "cudf", "ibis", "sqlframe", "narwhals"}
)  # fmt: skip


def narwhals() -> ModuleType:
    """The :mod:`narwhals` module, or :class:`~crmkit.errors.MissingDependencyError`.

    Examples:
        >>> from crmkit.frames import narwhals
        >>> narwhals().__name__
        'narwhals'
    """
    return require("narwhals", "frames")


def is_frame(obj: object) -> bool:
    """Whether ``obj`` is a dataframe (or lazy frame) rather than an iterable of records.

    Decided from the object's module, so no dataframe library is imported to answer.

    Examples:
        >>> import polars as pl
        >>> from crmkit.frames import is_frame
        >>> is_frame(pl.DataFrame({"a": [1]})), is_frame([1, 2])
        (True, False)
    """
    module = type(obj).__module__.split(".", 1)[0]
    if module not in FRAME_MODULES:
        return False
    return type(obj).__name__ not in {"Series", "ChunkedArray", "Array", "Expr"}


def from_native(obj: Any) -> Any:
    """Wrap a native frame in a narwhals ``DataFrame`` or ``LazyFrame``.

    Examples:
        >>> import pandas as pd
        >>> from crmkit.frames import from_native
        >>> type(from_native(pd.DataFrame({"a": [1]}))).__name__
        'DataFrame'
    """
    nw = narwhals()
    if isinstance(obj, nw.DataFrame | nw.LazyFrame):
        return obj
    return nw.from_native(obj)


def to_native(frame: Any) -> Any:
    """Unwrap a narwhals frame into the native frame of the engine it runs on.

    Examples:
        >>> import polars as pl
        >>> from crmkit.frames import from_native, to_native
        >>> type(to_native(from_native(pl.DataFrame({"a": [1]})))).__name__
        'DataFrame'
    """
    return narwhals().to_native(frame)


def is_lazy(frame: Any) -> bool:
    """Whether a narwhals frame is lazy (its work runs when collected, on its engine).

    Examples:
        >>> import polars as pl
        >>> from crmkit.frames import from_native, is_lazy
        >>> is_lazy(from_native(pl.LazyFrame({"a": [1]})))
        True
    """
    return isinstance(frame, narwhals().LazyFrame)


def collect(frame: Any) -> Any:
    """Compute a narwhals frame into an eager narwhals ``DataFrame`` (eager frames as they are).

    Analytics use it only for small results that must be numbers (counts, shares), never to
    hand a frame back.

    Examples:
        >>> import polars as pl
        >>> from crmkit.frames import collect, from_native
        >>> collect(from_native(pl.LazyFrame({"a": [1]}))).rows()
        [(1,)]
    """
    return frame.collect() if is_lazy(frame) else frame


def lazy_plan(frame: Any) -> Any:
    """The frame as a lazy query when its engine optimises whole queries, else the frame itself.

    An eager Polars ``DataFrame`` becomes a Polars ``LazyFrame`` over the same data (no copy),
    so a chain of operations is planned and run as one query (filters pushed down, no
    intermediate frames) instead of step by step. Other eager frames (pandas, PyArrow) and lazy
    frames are returned unchanged, so the work still runs on the engine the frame came from.
    Hand the result back with :func:`collect_like`.

    Examples:
        >>> import pandas as pd
        >>> import polars as pl
        >>> from crmkit.frames import from_native, is_lazy, lazy_plan
        >>> is_lazy(lazy_plan(from_native(pl.DataFrame({"a": [1]}))))
        True
        >>> is_lazy(lazy_plan(from_native(pd.DataFrame({"a": [1]}))))
        False
    """
    if not is_lazy(frame) and frame.implementation.is_polars():
        return frame.lazy()
    return frame


def collect_like(frame: Any, like: Any) -> Any:
    """Collect ``frame`` when ``like`` (the frame the caller was given) is eager.

    The counterpart of :func:`lazy_plan`: an analytic plans on ``lazy_plan(frame)`` and returns
    ``collect_like(result, frame)``, so eager in means eager out and lazy stays lazy.

    Examples:
        >>> import polars as pl
        >>> from crmkit.frames import collect_like, from_native, lazy_plan, narwhals
        >>> frame = from_native(pl.DataFrame({"a": [1, 2]}))
        >>> out = collect_like(lazy_plan(frame).select(narwhals().col("a").sum()), frame)
        >>> type(out.to_native()).__name__, out.rows()
        ('DataFrame', [(3,)])
    """
    if is_lazy(frame) and not is_lazy(like):
        return frame.collect()
    return frame


def spark_materialise(native: Any) -> Any:
    """``native`` (a PySpark DataFrame) computed now and kept: ``localCheckpoint(eager=True)``.

    For the Spark paths that read a frame more than once (the small jobs that find step values or
    bucket offsets, then the result): the frame's plan — for the analytics, a group-by over every
    transaction — runs once, in this call, and every later job reads its rows from the
    executors' storage. The rows stay there while a frame built on them is referenced, and Spark
    removes them when it is garbage collected (its ``ContextCleaner``); nothing is registered
    with the session, no setting changed. As Spark documents for local checkpoints, they are not
    recomputed if an executor holding them is lost: a job over the result then fails, and the
    call is to be repeated.

    Example (``spark`` a ``SparkSession``; a test runs these lines with the suite's session,
    ``tests/segmentation/test_spark_running_sum.py``)::

        kept = spark_materialise(spark.range(3).groupBy().count())
        kept.collect()[0]["count"]  # 3
    """
    return native.localCheckpoint(eager=True)
