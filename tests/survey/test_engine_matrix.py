"""Survey item tables and the statistics on them are the same from every engine's frame."""

from __future__ import annotations

import pytest

from crmkit.survey import ItemTable, cronbach_alpha, describe
from tests.engines import build

ITEMS = ["q1", "q2", "q3"]
ANSWERS = [
    {
        "q1": float(1 + i % 5),
        "q2": float(1 + (i * 3) % 5),
        "q3": None if i % 6 == 0 else 2.0 + i % 4,
    }
    for i in range(24)
]


def test_item_table_and_item_statistics_on_every_engine(engine: str) -> None:
    expected = ItemTable.from_rows(ANSWERS, ITEMS)
    data = build(engine, ANSWERS, ITEMS)
    table = ItemTable.from_rows(data, ITEMS) if engine == "records" else ItemTable.from_frame(data)
    # frames without an order (Dask, Spark) may list respondents in another order
    assert {k: sorted(v, key=str) for k, v in table.columns.items()} == {
        k: sorted(v, key=str) for k, v in expected.columns.items()
    }
    for item in ITEMS:
        assert describe(table.columns[item]) == describe(expected.columns[item])
    assert cronbach_alpha(table) == pytest.approx(cronbach_alpha(expected))
