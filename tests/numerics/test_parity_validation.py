"""Engine parity of validation: every engine refuses what the records engine refuses, and a
missing value looks the same everywhere."""

from __future__ import annotations

import datetime as dt
from typing import Any

import narwhals as nw
import pytest

from crmkit.errors import ValidationError
from crmkit.scoring import WinProbabilityModel
from crmkit.segmentation import RFMSpec, rfm
from tests.engines import ENGINES


def _won_rows(won: list[Any]) -> list[dict[str, Any]]:
    return [{"stage_key": "a", "team": t, "won": w} for t, w in zip("xyzw", won, strict=False)]


def _frame(rows: list[dict[str, Any]], engine: str) -> Any:
    import pandas as pd
    import polars as pl

    if engine == "pandas":
        return pd.DataFrame(rows)
    if engine == "pandas-nullable":
        return pd.DataFrame(rows).convert_dtypes()
    frame = pl.DataFrame(rows, strict=False)
    if engine == "polars":
        return frame
    if engine == "polars-lazy":
        return frame.lazy()
    if engine == "pyarrow":
        return frame.to_arrow()
    return ENGINES[engine](rows, list(rows[0]))


BAD_WON = [
    ([True, False, None], "won"),  # a missing outcome is not a loss
    ([1, 0, 2], "won"),  # 2 is not "won"
    ([1, 0, 1], "won"),  # integers are not True / False on records either
]


@pytest.mark.parametrize("engine", ["pandas", "pandas-nullable", "polars", "polars-lazy",
                                    "pyarrow", "duckdb"])  # fmt: skip
@pytest.mark.parametrize(("won", "field"), BAD_WON)
def test_win_probability_refuses_the_same_outcomes_on_every_engine(
    engine: str, won: list[Any], field: str
) -> None:
    rows = _won_rows(won)
    with pytest.raises(ValidationError, match=field):
        WinProbabilityModel.fit(rows)
    with pytest.raises(ValidationError, match=rf"opportunities\.{field}"):
        WinProbabilityModel.fit(_frame(rows, engine))


@pytest.mark.parametrize("engine", ["pandas", "polars", "polars-lazy", "pyarrow", "duckdb"])
def test_win_probability_agrees_on_good_outcomes(engine: str) -> None:
    rows = _won_rows([True, False, True, False])
    expected = WinProbabilityModel.fit(rows)
    got = WinProbabilityModel.fit(_frame(rows, engine))
    assert (got.n_won, got.n_lost, got.shares("team")) == (
        expected.n_won,
        expected.n_lost,
        expected.shares("team"),
    )


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_rfm_without_a_segment_map_gives_none_on_every_engine(engine: str) -> None:
    orders = [{"account_id": c, "ordered_at": dt.datetime(2024, 1, d), "total": d}
              for c, d in [("a", 1), ("b", 2), ("a", 5)]]  # fmt: skip
    spec = RFMSpec(bins=3)
    assert {r.segment for r in rfm(orders, as_of=dt.date(2024, 12, 31), spec=spec)} == {None}
    native = rfm(ENGINES[engine](orders, ["account_id", "ordered_at", "total"]),
                 as_of=dt.date(2024, 12, 31), spec=spec)  # fmt: skip
    frame = nw.from_native(native)
    if isinstance(frame, nw.LazyFrame):
        frame = frame.collect()
    assert frame["segment"].to_list() == [None, None]  # the raw values: None, never NaN
