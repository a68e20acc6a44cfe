"""to_frame: any list of result rows as a pandas, Polars or PyArrow frame."""

from __future__ import annotations

import enum
import sys
from decimal import Decimal
from typing import Any

import attrs
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from crmkit.clv import CustomerValue, SegmentValue
from crmkit.domain import Money
from crmkit.errors import MissingDependencyError, ValidationError
from crmkit.frames import to_frame


class Tier(enum.Enum):
    GOLD = "gold"
    SILVER = "silver"


@attrs.frozen
class Row:
    name: str
    tier: Tier
    revenue: Money
    score: float


ROWS = [
    Row("Acme", Tier.GOLD, Money("12.50", "SEK"), 1.0),
    Row("Bolt", Tier.SILVER, Money("3", "SEK"), 2.5),
]


def _as_lists(frame: Any) -> dict[str, list[Any]]:
    if isinstance(frame, pd.DataFrame):
        return {str(c): frame[c].tolist() for c in frame.columns}
    if isinstance(frame, pl.DataFrame):
        return frame.to_dict(as_series=False)
    assert isinstance(frame, pa.Table)
    return frame.to_pydict()


@pytest.mark.parametrize(
    ("backend", "kind"),
    [("pandas", pd.DataFrame), ("polars", pl.DataFrame), ("pyarrow", pa.Table)],
)
def test_every_backend_gets_one_column_per_field_in_field_order(backend: Any, kind: type) -> None:
    frame = to_frame(ROWS, backend=backend)
    assert isinstance(frame, kind)
    assert _as_lists(frame) == {
        "name": ["Acme", "Bolt"],
        "tier": ["gold", "silver"],  # enum members as their values
        "revenue": [Decimal("12.50"), Decimal("3")],  # Money as its amount
        "score": [1.0, 2.5],
    }


def test_result_rows_of_crmkit_expand_in_to_frame_and_in_pandas() -> None:
    rows = [CustomerValue("c1", 0.8, 1.5, 30.0, 41.2), CustomerValue("c2", 0.1, 0.2, None, None)]
    # result rows read as mappings (crmkit.display.ResultRow), so pandas expands them too
    assert pd.DataFrame(rows).columns.tolist() == to_frame(rows).columns.tolist()
    frame = to_frame(rows)
    assert frame.shape == (2, 5)
    assert frame["customer_id"].tolist() == ["c1", "c2"]
    assert frame["probability_alive"].tolist() == [0.8, 0.1]
    segments = to_frame([SegmentValue("A", 2, 1.8, 3.0, 100.0, 50.0)], backend="polars")
    assert segments.row(0, named=True)["mean_lifetime_value"] == 50.0


def test_a_float_column_starting_with_whole_numbers_stays_numeric_in_polars() -> None:
    frame = to_frame([{"x": 1, "y": None}, {"x": 2.5, "y": "a"}], backend="polars")
    assert frame["x"].to_list() == [1.0, 2.5]
    assert frame["y"].to_list() == [None, "a"]


def test_mappings_are_rows_with_the_first_rows_keys_in_any_order() -> None:
    frame = to_frame(({"a": 1, "b": 2}, {"b": 4, "a": 3}), backend="pyarrow")
    assert frame.column_names == ["a", "b"]
    assert frame.to_pydict() == {"a": [1, 3], "b": [2, 4]}


def test_no_rows_give_an_empty_frame() -> None:
    assert to_frame([]).shape == (0, 0)
    assert to_frame(iter([]), backend="polars").shape == (0, 0)


def test_rows_that_differ_name_each_bad_row() -> None:
    with pytest.raises(ValidationError) as caught:
        to_frame([ROWS[0], {"name": "x"}, ROWS[1], 7])
    assert [p.path for p in caught.value.problems] == ["rows[1]", "rows[3]"]
    with pytest.raises(ValidationError, match=r"rows\[1\]"):
        to_frame([{"a": 1}, {"b": 1}])
    with pytest.raises(ValidationError, match=r"rows\[0\]: 5 is not a result row"):
        to_frame([5])


def test_an_unknown_backend_is_a_validation_error() -> None:
    with pytest.raises(ValidationError, match="backend: 'spark' is not one of pandas"):
        to_frame(ROWS, backend="spark")  # type: ignore[arg-type]


def test_a_missing_library_names_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "polars", None)  # import polars fails
    with pytest.raises(MissingDependencyError, match="pip install polars"):
        to_frame(ROWS, backend="polars")
