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

from collections.abc import Callable, Sequence
from typing import Any

from crmkit.frames.native import from_native, to_native

__all__ = ["per_key"]


def per_key(frame: Any, on: Sequence[str], step: Callable[[Any], Any]) -> Any:
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

    Examples:
        >>> import polars as pl
        >>> from crmkit.frames import from_native, narwhals, per_key
        >>> nw = narwhals()
        >>> frame = from_native(pl.DataFrame({"c": ["a", "b", "a"], "v": [1, 2, 3]}))
        >>> out = per_key(frame, ["c"], lambda f: f.group_by("c").agg(nw.col("v").sum()))
        >>> sorted(out.rows())
        [('a', 4), ('b', 2)]
    """
    if not frame.implementation.is_dask():
        return step(frame)
    native = to_native(frame)
    if native.npartitions > 1:  # else one partition holds every key already
        native = native.shuffle(on=list(on), npartitions=native.npartitions)
    return from_native(native.map_partitions(_PerPartition(step)))


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

    def __call__(self, partition: Any, partition_info: dict[str, Any] | None = None) -> Any:
        out = to_native(self.step(from_native(partition)))
        number = 0 if partition_info is None else int(partition_info["number"])
        start = number * _LABELS_PER_PARTITION
        out.index = range(start, start + len(out))
        return out
