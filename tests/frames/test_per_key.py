"""``crmkit.frames.per_key`` on Dask runs the per-key step on each pandas partition.

With one partition as with many: Dask's planner then sees one ``map_partitions`` task instead
of the step's whole expression. The CLV summary's step (two group-bys and two joins of them)
handed to the planner as an expression on a one-partition frame made its fusion pass build
about 290,000 expression objects (55 s) before the first row was computed.
"""

from __future__ import annotations

from typing import Any

import dask.dataframe as dd
import pandas as pd
import pytest

from crmkit.frames import from_native, narwhals, per_key, to_native

FRAME = pd.DataFrame({"c": ["a", "b", "a", "c", "b", "a"], "v": [1, 2, 3, 4, 5, 6]})


@pytest.mark.parametrize("partitions", [1, 3])
def test_per_key_runs_the_step_on_pandas_partitions(partitions: int) -> None:
    nw = narwhals()
    seen: list[bool] = []

    def step(frame: Any) -> Any:
        seen.append(frame.implementation.is_dask())
        return frame.group_by("c").agg(nw.col("v").sum())

    out = per_key(from_native(dd.from_pandas(FRAME, npartitions=partitions)), ["c"], step)
    result = to_native(out).compute(scheduler="sync")
    assert sorted(zip(result["c"], result["v"], strict=True)) == [("a", 10), ("b", 7), ("c", 4)]
    assert seen
    assert not any(seen)  # only ever pandas partitions (and Dask's empty meta)
