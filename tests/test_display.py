"""Result rows: one mixin for every analytics row — HTML, mapping access, frames that expand."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
from collections.abc import Mapping

import attrs
import numpy as np
import pytest

from crmkit.clv import CustomerSummary
from crmkit.display import ResultRow, Table, table
from crmkit.domain import Money
from crmkit.errors import ValidationError
from crmkit.frames import to_frame
from crmkit.segmentation import RFMRow

pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")

ROWS = [CustomerSummary("c1", 2, 30.0, 38.0, 22.5), CustomerSummary("c2", 0, 0.0, 38.0)]


@attrs.frozen
class Sale(ResultRow):
    customer_id: str
    amount: Money
    day: dt.date


SALE = Sale("c1", Money("12.50", "SEK"), dt.date(2024, 5, 1))


def _analytics_classes() -> list[type]:
    """Every attrs class named ...Row in crmkit's analytics packages."""
    found = []
    for package in ("segmentation", "scoring", "clv", "survey"):
        module = importlib.import_module(f"crmkit.{package}")
        for info in pkgutil.iter_modules(module.__path__):
            sub = importlib.import_module(f"crmkit.{package}.{info.name}")
            found += [
                c
                for _, c in inspect.getmembers(sub, inspect.isclass)
                if c.__module__ == sub.__name__ and attrs.has(c) and c.__name__.endswith("Row")
            ]
    return found


def test_every_row_class_of_the_analytics_is_a_result_row():
    classes = _analytics_classes()
    assert len(classes) >= 10
    assert [c.__name__ for c in classes if not issubclass(c, ResultRow)] == []


def test_pandas_polars_and_pyarrow_expand_result_rows_into_columns():
    frame = pd.DataFrame(ROWS)
    assert frame.columns.tolist() == ["customer_id", "frequency", "recency", "T", "monetary_value"]
    assert frame["frequency"].tolist() == [2, 0]
    assert frame["customer_id"].tolist() == ["c1", "c2"]
    assert pl.DataFrame(ROWS)["recency"].to_list() == [30.0, 0.0]
    assert pa.Table.from_pylist(ROWS).column("T").to_pylist() == [38.0, 38.0]
    # the same columns as to_frame, which also normalises values (Money → its amount)
    assert to_frame(ROWS).columns.tolist() == frame.columns.tolist()
    assert pd.DataFrame([SALE])["amount"].tolist() == [SALE.amount]
    assert to_frame([SALE])["amount"].tolist() == [12.5]


def test_numpy_keeps_an_array_of_rows():
    array = np.array(ROWS)
    assert array.shape == (2,)
    assert array[0] is ROWS[0]


def test_a_row_reads_as_a_mapping_and_keeps_attrs_behaviour():
    row = ROWS[0]
    assert isinstance(row, Mapping)
    assert dict(row) == attrs.asdict(row)
    assert row.items()[0] == ("customer_id", "c1")
    assert row["monetary_value"] == 22.5
    assert row.get("missing", "x") == "x"
    with pytest.raises(KeyError):
        row["missing"]
    with pytest.raises(KeyError):
        row[0]  # type: ignore[index]
    assert "recency" in row
    assert "missing" not in row
    # attrs' repr, equality and hashing are unchanged
    assert repr(row) == (
        "CustomerSummary(customer_id='c1', frequency=2, recency=30.0, T=38.0, monetary_value=22.5)"
    )
    assert row == CustomerSummary("c1", 2, 30.0, 38.0, 22.5)
    assert hash(row) == hash(CustomerSummary("c1", 2, 30.0, 38.0, 22.5))
    assert not hasattr(row, "__dict__")  # still slotted


def test_a_row_shows_as_a_one_row_html_table():
    assert SALE._repr_html_() == (
        "<table><thead><tr><th>customer_id</th><th>amount</th><th>day</th></tr></thead>"
        "<tbody><tr><td>c1</td><td>12.50 SEK</td><td>2024-05-01</td></tr></tbody></table>"
    )
    hostile = Sale("<b>&", Money("1", "SEK"), dt.date(2024, 1, 1))
    assert "<td>&lt;b&gt;&amp;</td>" in hostile._repr_html_()


def test_a_list_of_rows_shows_as_one_table():
    shown = table(ROWS)
    assert str(shown).splitlines() == [
        "customer_id  frequency  recency   T  monetary_value",
        "c1                   2       30  38            22.5",
        "c2                   0        0  38",
    ]
    html = shown._repr_html_()
    assert html.count("<tr>") == 3
    assert "<td>22.5</td><td></td>" not in html  # c2's missing value is an empty cell
    assert "<td>38</td><td></td></tr>" in html
    assert str(table(ROWS, limit=1)).splitlines()[0] == "first 1 of 2 rows"
    assert str(table([])) == ""


def test_table_refuses_mixed_or_plain_rows():
    rfm = RFMRow("a", 3, 2, 100, 5, 4, 3, "champions")
    with pytest.raises(ValidationError, match=r"rows\[1\]: .* is not a CustomerSummary"):
        table([ROWS[0], rfm])
    with pytest.raises(ValidationError, match=r"rows\[0\]: \{'a': 1\} is not a result row"):
        table([{"a": 1}])


def test_table_text_aligns_numbers_right_and_text_left():
    text = str(Table(["name", "n"], [["a", 1], ["bbb", 22]], caption="T"))
    assert text.splitlines() == ["T", "name   n", "a      1", "bbb   22"]


def test_a_footer_and_row_headers_close_and_name_the_rows():
    shown = Table(["name", "n"], [["a", 1.5]], caption="T", footer="total 1.5", row_headers=True)
    assert str(shown).splitlines() == ["T", "name    n", "a     1.5", "total 1.5"]
    assert "<tbody><tr><th>a</th><td>1.5</td></tr></tbody>" in shown._repr_html_()
    assert "<tfoot><tr><td colspan='2'>total 1.5</td></tr></tfoot>" in shown._repr_html_()
