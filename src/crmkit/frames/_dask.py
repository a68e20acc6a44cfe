"""Quantile scores and running sums on Dask without a sort, in one lazy graph.

Dask has no rank operation and no ordered window; the general path (narwhals' ``cum_sum``
over Dask's ``sort_values``) samples the frame to find range boundaries before it sorts it,
which computes the frame's whole graph once more, and joins ranks back per score. Here, for
NumPy ``int64`` / ``float64`` columns, the work is split into per-partition steps over NumPy
arrays and small combining steps, built with ``dask.delayed`` over the frame's partitions
(``DataFrame.to_delayed``, ``dask.dataframe.from_delayed``: public Dask API), so the frame's
own graph runs once and no step holds more than one partition's rows plus small tables:

* **Quantile scores** (:func:`dask_quantile_scores`). Each partition counts its rows per fine,
  order-preserving bucket of every score's ranked value (``floor(256·log2(1 + |v|))`` with
  the sign of ``v``, the bucket of :func:`crmkit.frames.quantile._value_bucket`, computed
  here in NumPy, identically in every partition); the counts of all partitions (a few
  thousand rows) locate each step position ``ceil(j·count/n)`` in a bucket; each partition
  then gives its distinct values (and their rows) in those buckets only, which give the step
  values exactly; each partition is finally scored by ``searchsorted`` among them — the tie
  rule of :mod:`crmkit.frames.quantile`, the same scores as ranking.
* **Running sums** (:func:`dask_running_sum`) of integers. Each partition's rows are bucketed
  by their first ordering key as above and split by bucket among the output partitions (each
  bucket goes whole to one of them); the buckets' totals of all partitions give each bucket
  the sum of the buckets before it and the grand total; each output partition orders its rows
  by the keys and adds the running sum within its buckets to that offset. Integer sums are
  exact in any order, so the values are those of a running sum over the whole frame in key
  order.

A bucket is a range of values, so a frame whose values all fall into one bucket (all
customers with one spend, say) still puts that bucket's rows into one task, as a range
partitioned sort of them would.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from crmkit.extras import optional
from crmkit.frames.native import from_native, to_native

__all__ = ["dask_quantile_scores", "dask_running_sum"]

#: Buckets per doubling of a value (as :data:`crmkit.frames.quantile._STEP_BUCKETS_PER_OCTAVE`).
_PER_OCTAVE = 256
#: The NumPy dtypes handled here (others — nullable, Arrow-backed, objects — go the general way).
_DTYPES = ("int64", "float64")


def _optional_attr(module: str, name: str) -> Any:
    """``module.name`` of an installed module (typed ``Any``: Dask's stubs export little)."""
    return getattr(optional(module), name)


def _numeric(meta: Any, columns: Sequence[str]) -> bool:
    return all(str(meta[column].dtype) in _DTYPES for column in columns)


def _buckets(np: Any, keys: Any) -> Any:
    """The order-preserving bucket of every key (float64; equal keys share a bucket)."""
    x = keys.astype(np.float64)
    return np.sign(x) * np.floor(_PER_OCTAVE * np.log2(1 + np.abs(x)))


def _keys(part: Any, column: str, descending: bool) -> tuple[Any, Any]:
    """The ranked keys of a partition's present values (negated when ``descending``) and the
    mask of present values (NaN counts as missing, as pandas reads it)."""
    series = part[column]
    present = series.notna().to_numpy()
    values = series.to_numpy()[present]
    return (-values if descending else values), present


# ----------------------------------------------------------------------------- scores


def _bucket_rows(part: Any, specs: Sequence[Any]) -> list[tuple[int, Any, Any]]:
    """Per spec: the partition's row count and its present keys' rows per bucket."""
    import numpy as np

    out = []
    for spec in specs:
        keys, _ = _keys(part, spec.column, spec.descending)
        buckets, rows = np.unique(_buckets(np, keys), return_counts=True)
        out.append((len(part), buckets, rows))
    return out


def _step_places(counted: Sequence[Sequence[tuple[int, Any, Any]]], specs: Sequence[Any]) -> Any:
    """Per spec: each step position's bucket and its position within that bucket."""
    import numpy as np

    places = []
    for i, spec in enumerate(specs):
        count = sum(part[i][0] for part in counted)  # (missing values count, as in ``len()``)
        buckets, where = np.unique(
            np.concatenate([part[i][1] for part in counted]), return_inverse=True
        )
        rows = np.bincount(where, weights=np.concatenate([part[i][2] for part in counted]))
        through = np.cumsum(rows)  # present rows in this bucket and the ones before
        steps = []
        for j in range(1, spec.n):
            position = -(-j * count // spec.n)
            at = int(np.searchsorted(through, position, side="left"))
            if at < len(buckets):  # (positions past the present values: no step)
                before = int(through[at] - rows[at])
                steps.append((float(buckets[at]), position - before))
        places.append(steps)
    return places


def _bucket_values(part: Any, specs: Sequence[Any], places: Any) -> list[tuple[Any, Any, Any]]:
    """Per spec: the partition's distinct keys in the step buckets, their buckets and rows."""
    import numpy as np

    out = []
    for spec, steps in zip(specs, places, strict=True):
        keys, _ = _keys(part, spec.column, spec.descending)
        buckets = _buckets(np, keys)
        chosen = np.isin(buckets, [bucket for bucket, _ in steps])
        values, rows = np.unique(keys[chosen], return_counts=True)
        out.append((values, _buckets(np, values), rows))
    return out


def _step_values(found: Sequence[Sequence[tuple[Any, Any, Any]]], places: Any) -> list[Any]:
    """Per spec: its step values, sorted (the keys where the score steps up)."""
    import numpy as np

    thresholds = []
    for i, steps in enumerate(places):
        values, where = np.unique(np.concatenate([part[i][0] for part in found]),
                                  return_inverse=True)  # fmt: skip
        rows = np.bincount(where, weights=np.concatenate([part[i][2] for part in found]))
        buckets = _buckets(np, values)
        chosen = []
        for bucket, position in steps:
            inside = buckets == bucket
            through = np.cumsum(rows[inside])
            chosen.append(values[inside][int(np.searchsorted(through, position, side="left"))])
        thresholds.append(np.sort(np.array(chosen, dtype=values.dtype)))
    return thresholds


def _scored(part: Any, specs: Sequence[Any], thresholds: Sequence[Any]) -> Any:
    """The partition with every spec's score: ``1 +`` the step values strictly below its key
    (missing where the value is)."""
    import numpy as np

    columns = {}
    for spec, steps in zip(specs, thresholds, strict=True):
        keys, present = _keys(part, spec.column, spec.descending)
        scores = 1 + np.searchsorted(steps, keys, side="left").astype(np.int64)
        if present.all():
            columns[spec.name] = scores
        else:  # (a missing value scores missing)
            full = np.full(len(part), np.nan)
            full[present] = scores
            columns[spec.name] = full
    return part.assign(**columns)


def dask_quantile_scores(frame: Any, specs: Sequence[Any]) -> Any:
    """A narwhals Dask frame with one score column per :class:`~crmkit.frames.QuantileScore`
    (module docstring), or ``None`` when a scored column is not NumPy ``int64`` / ``float64``
    (the caller then ranks value counts over Dask's sort).

    The result is lazy: nothing is computed until it is.

    Examples:
        >>> import dask.dataframe as dd
        >>> import pandas as pd
        >>> from crmkit.frames import QuantileScore, from_native
        >>> from crmkit.frames._dask import dask_quantile_scores
        >>> data = dd.from_pandas(pd.DataFrame({"m": [10, 20, 20, 30, 40]}), npartitions=2)
        >>> out = dask_quantile_scores(from_native(data), [QuantileScore("m", "s", 5)])
        >>> out.to_native().compute()["s"].tolist()
        [1, 2, 2, 4, 5]
    """
    import numpy as np

    # (installed: the frame is a Dask frame)
    dask: Any = optional("dask")
    dd: Any = optional("dask.dataframe")
    make_meta = _optional_attr("dask.dataframe.utils", "make_meta")

    native = to_native(frame)
    meta = make_meta(native)
    if not _numeric(meta, [spec.column for spec in specs]):
        return None
    delayed = dask.delayed
    parts = native.to_delayed()
    counted = [delayed(_bucket_rows)(part, specs) for part in parts]
    places = delayed(_step_places)(counted, specs)
    found = [delayed(_bucket_values)(part, specs, places) for part in parts]
    thresholds = delayed(_step_values)(found, places)
    scored = [delayed(_scored)(part, specs, thresholds) for part in parts]
    out_meta = meta.assign(**{spec.name: np.zeros(0, dtype=np.int64) for spec in specs})
    return from_native(dd.from_delayed(scored, meta=out_meta, verify_meta=False))


# ----------------------------------------------------------------------------- running sums


def _split(part: Any, value: str, lead: str, parts: int) -> tuple[Any, ...]:
    """A partition's rows split by bucket of ``lead`` among ``parts`` output partitions, then
    its buckets (sorted) and their sums of ``value``."""
    import numpy as np

    buckets = _buckets(np, part[lead].to_numpy())
    target = np.abs(buckets).astype(np.int64) % parts
    pieces = [part[target == i] for i in range(parts)]
    names, where = np.unique(buckets, return_inverse=True)
    sums = np.zeros(len(names), dtype=np.int64)
    np.add.at(sums, where, part[value].to_numpy())
    return (*pieces, names, sums)


def _offsets(totals: Sequence[tuple[Any, Any]]) -> tuple[Any, Any, int]:
    """The buckets (sorted), the sum of all buckets before each, and the grand total."""
    import numpy as np

    names, where = np.unique(np.concatenate([t[0] for t in totals]), return_inverse=True)
    sums = np.zeros(len(names), dtype=np.int64)
    np.add.at(sums, where, np.concatenate([t[1] for t in totals]))
    through = np.cumsum(sums)
    return names, through - sums, int(through[-1]) if len(through) else 0


def _running(
    pieces: Sequence[Any],
    offsets: tuple[Any, Any, int],
    value: str,
    keys: Sequence[str],
    name: str,
    total: str | None,
) -> Any:
    """One output partition: its buckets' rows from every input partition in key order
    (missing values first), with the running sum and the total."""
    import numpy as np
    import pandas as pd

    rows = pd.concat(pieces)
    if len(rows) > 1:
        rows = rows.sort_values(list(keys), na_position="first", kind="stable")
    names, before, grand = offsets
    buckets = _buckets(np, rows[keys[0]].to_numpy())
    start = before[np.searchsorted(names, buckets)]
    within = pd.Series(rows[value].to_numpy()).groupby(buckets, sort=False).cumsum()
    columns = {name: (start + within.to_numpy()).astype(np.int64)}
    if total is not None:
        columns[total] = np.full(len(rows), grand, dtype=np.int64)
    return rows.assign(**columns)


def dask_running_sum(
    frame: Any, value: str, keys: Sequence[str], name: str, total: str | None
) -> Any:
    """:func:`crmkit.frames.with_running_sum` on a narwhals Dask frame whose ``value`` and
    first key are NumPy ``int64`` columns (module docstring), or ``None`` for any others (the
    caller then takes narwhals' ``cum_sum`` over Dask's sort). Lazy: nothing is computed.

    Examples:
        >>> import dask.dataframe as dd
        >>> import pandas as pd
        >>> from crmkit.frames import from_native
        >>> from crmkit.frames._dask import dask_running_sum
        >>> data = dd.from_pandas(pd.DataFrame({"k": ["a", "b", "c"], "u": [5, 1, 3]}),
        ...                       npartitions=2)
        >>> out = dask_running_sum(from_native(data), "u", ["u", "k"], "run", "all")
        >>> out.to_native().compute().sort_values("u")[["run", "all"]].values.tolist()
        [[1, 9], [4, 9], [9, 9]]
    """
    import numpy as np

    # (installed: the frame is a Dask frame)
    dask: Any = optional("dask")
    dd: Any = optional("dask.dataframe")
    make_meta = _optional_attr("dask.dataframe.utils", "make_meta")

    native = to_native(frame)
    meta = make_meta(native)
    if str(meta[value].dtype) != "int64" or str(meta[keys[0]].dtype) != "int64":
        return None
    delayed = dask.delayed
    count = native.npartitions
    split = [
        delayed(_split, nout=count + 2)(part, value, keys[0], count) for part in native.to_delayed()
    ]
    offsets = delayed(_offsets)([(s[count], s[count + 1]) for s in split])
    out = [
        delayed(_running)([s[index] for s in split], offsets, value, keys, name, total)
        for index in range(count)
    ]
    columns = {name: np.zeros(0, dtype=np.int64)}
    if total is not None:
        columns[total] = np.zeros(0, dtype=np.int64)
    return from_native(dd.from_delayed(out, meta=meta.assign(**columns), verify_meta=False))
