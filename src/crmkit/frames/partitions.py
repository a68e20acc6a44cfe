"""Per-customer steps that keep a distributed frame's partitions.

A group-by per customer turns a transactions table into one row per customer — millions of
rows on a warehouse. Spark and the SQL engines hash-partition such a group-by by its key;
narwhals' Dask group-by, however, has no ``split_out``, so Dask's tree reduction lands the
whole per-customer table in one partition (``split_out=1``), one task holding every customer.

:func:`per_key` runs a per-key step so that the result keeps the input's partitions on Dask:
the native Dask frame is shuffled by the key (``DataFrame.shuffle``, Dask's public hash
partitioning), so all rows of a key sit in one partition, and the step runs on every
partition as it is (``map_partitions`` over the pandas partitions, through narwhals, so the
step is written once for every engine). Other engines run the step as it is.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from crmkit.extras import optional
from crmkit.frames.native import from_native, to_native

__all__ = ["per_key", "per_partition"]


def per_key(
    frame: Any,
    on: Sequence[str],
    step: Callable[[Any], Any],
    *,
    combine: Callable[[Any], Any] | None = None,
) -> Any:
    """Apply ``step`` (a narwhals frame → narwhals frame) to ``frame``, keeping partitions.

    ``step`` must be per key: every output row depends only on the input rows that share its
    ``on`` values (a group-by on ``on`` and more keys, joins of such group-bys on ``on``), so
    running it on each part of a partitioning by ``on`` gives the same rows as running it on
    the whole frame. On Dask the frame is shuffled by ``on`` into as many partitions as it
    has (a frame of one partition is not shuffled) and ``step`` runs on each pandas partition,
    so per-customer results keep the input's partitions instead of landing in one, and Dask's
    planner sees one ``map_partitions`` task instead of the step's whole expression; every other engine (already partitioning
    group-bys by their key, or in-process) runs ``step(frame)``. Rows come in no particular
    order on Dask, as from any group-by.

    ``combine`` (a narwhals frame of ``step``'s output rows → the same columns) merges the rows
    ``step`` gives for one key from different parts of the frame: ``step`` must then be a
    group-by on ``on`` whose aggregations ``combine`` finishes (the maximum of maxima, the sum
    of counts or sums), so that ``combine`` of the steps of any split of the rows gives the
    rows of ``step`` on the whole frame. On Dask, ``step`` then runs on every input partition
    as it is, only its output is shuffled by ``on`` and ``combine`` runs on each partition of
    it (on a frame of one partition: ``combine(step(partition))``); other engines run
    ``step(frame)``. Integer sums, counts and maxima are exact either
    way; a float sum is then the sum of per-partition sums, which can differ from a sum over
    the rows in one order in its last bit (as between engines).

    Examples:
        >>> import polars as pl
        >>> from crmkit.frames import from_native, narwhals, per_key
        >>> nw = narwhals()
        >>> frame = from_native(pl.DataFrame({"c": ["a", "b", "a"], "v": [1, 2, 3]}))
        >>> out = per_key(frame, ["c"], lambda f: f.group_by("c").agg(nw.col("v").sum()))
        >>> sorted(out.rows())
        [('a', 4), ('b', 2)]
        >>> sums = lambda f: f.group_by("c").agg(nw.col("v").sum())
        >>> sorted(per_key(frame, ["c"], sums, combine=sums).rows())
        [('a', 4), ('b', 2)]
    """
    if not frame.implementation.is_dask():
        return step(frame)
    native = to_native(frame)
    if native.npartitions == 1:  # one partition holds every key already
        whole = step if combine is None else _Then(step, combine)
        return from_native(_map_partitions(native, whole))
    if combine is None:
        shuffled = native.shuffle(on=list(on), npartitions=native.npartitions)
        return from_native(_map_partitions(shuffled, step))
    partial = _map_partitions(native, step)
    shuffled = partial.shuffle(on=list(on), npartitions=native.npartitions)
    return from_native(_map_partitions(shuffled, combine))


def per_partition(frame: Any, step: Callable[[Any], Any]) -> Any:
    """Apply a row-wise ``step`` (a narwhals frame → narwhals frame: projections, filters)
    to ``frame``; on Dask it runs on each pandas partition (``map_partitions``).

    Each output row must depend on its input row only. On Dask the planner then sees one task
    per partition instead of the step's expressions (a compiled rule can be dozens), which it
    would otherwise rewrite and name one by one when the result is computed.

    Examples:
        >>> import polars as pl
        >>> from crmkit.frames import from_native, narwhals
        >>> from crmkit.frames.partitions import per_partition
        >>> nw = narwhals()
        >>> frame = from_native(pl.DataFrame({"v": [1, 2]}))
        >>> per_partition(frame, lambda f: f.select((nw.col("v") * 10).alias("w"))).rows()
        [(10,), (20,)]
    """
    if not frame.implementation.is_dask():
        return step(frame)
    return from_native(_map_partitions(to_native(frame), step))


def _map_partitions(native: Any, step: Callable[[Any], Any]) -> Any:
    """``step`` on every partition of a native Dask frame, its output's schema given.

    The schema (``meta``) is ``step`` run once on an empty frame of the input's schema: left
    to Dask, its planner runs the step again on empty frames each time it rewrites the plan.
    """
    utils: Any = optional("dask.dataframe.utils")  # (installed: the frame is a Dask frame)
    run = _PerPartition(step)
    return native.map_partitions(run, meta=run(utils.make_meta(native)))


class _Then:
    """``second(first(frame))`` (a picklable callable)."""

    def __init__(self, first: Callable[[Any], Any], second: Callable[[Any], Any]) -> None:
        self.first, self.second = first, second

    def __call__(self, frame: Any) -> Any:
        return self.second(self.first(frame))


#: Index labels per partition of :func:`per_key`'s output (partition ``i`` starts at ``i·2**40``).
_LABELS_PER_PARTITION = 2**40


class _PerPartition:
    """``step`` on one pandas partition, through narwhals (a picklable callable for Dask).

    The output's index labels are unique across partitions (Dask passes ``partition_info``
    with the partition's number): later steps that sort and align by index, such as a running
    sum, need labels that never repeat, as a one-partition group-by result has them.
    """

    def __init__(self, step: Callable[[Any], Any]) -> None:
        self.step = step
        self.token = uuid.uuid4().hex

    def __dask_tokenize__(self) -> tuple[str, str]:
        """Dask's token for this step: one per instance, so Dask does not pickle the step (a
        closure over narwhals expressions) each time its planner names an expression."""
        return ("crmkit.per_key", self.token)

    def __call__(self, partition: Any, partition_info: dict[str, Any] | None = None) -> Any:
        out = to_native(self.step(from_native(partition)))
        number = 0 if partition_info is None else int(partition_info["number"])
        start = number * _LABELS_PER_PARTITION
        out.index = range(start, start + len(out))
        return out
