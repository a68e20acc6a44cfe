"""The lifetime-value summary on every engine of the matrix equals the records engine."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from crmkit.clv import summarise
from crmkit.frames import is_frame
from tests.engines import LAZY, build, is_lazy_native, rows_of

AS_OF = dt.date(2024, 12, 31)
COLUMNS = ["account_id", "ordered_at", "total"]
ORDERS = [
    {"account_id": f"c{i % 7}", "ordered_at": dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
     + dt.timedelta(days=23 * i, hours=5 * i), "total": 10 + (i * 37) % 200}
    for i in range(40)
]  # fmt: skip
FIELDS = ("frequency", "recency", "T", "monetary_value")


def summary(result: Any) -> dict[str, tuple[float, ...]]:
    """customer → (frequency, recency, T, monetary_value) of a records or frame summary."""
    if is_frame(result):
        return {r["account_id"]: tuple(r[f] for f in FIELDS) for r in rows_of(result, "account_id")}
    return {r.customer_id: tuple(float(getattr(r, f)) for f in FIELDS) for r in result}


@pytest.mark.parametrize(("time_unit", "collapse"), [("weeks", "period"), ("days", "day"),
                                                     ("months", "period")])  # fmt: skip
def test_summary_on_every_engine_equals_records(engine: str, time_unit: Any, collapse: Any) -> None:
    def run(data: Any) -> Any:
        return summarise(data, as_of=AS_OF, amount="total", time_unit=time_unit,
                         collapse=collapse)  # fmt: skip

    out = run(build(engine, ORDERS, COLUMNS))
    if engine in LAZY:
        assert is_lazy_native(out)  # the summary stays in the engine until read
    got, expected = summary(out), summary(run(ORDERS))
    assert got.keys() == expected.keys()
    for customer, values in expected.items():
        assert got[customer] == pytest.approx(values), customer
