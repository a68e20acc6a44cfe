"""The aggregation spec (``crmkit.frames.Aggregation``): records evaluator and frame compiler."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import pandas as pd
import polars as pl
import pytest

from crmkit.errors import ValidationError
from crmkit.frames import Agg, Aggregation, Share, from_native, to_native

SPEC = Aggregation(
    ("k",),
    (
        Agg("n", "len"),
        Agg("present", "count", "v"),
        Agg("total", "sum", "v"),
        Agg("avg", "mean", "v"),
        Agg("top", "max", "v"),
        Agg("bottom", "min", "v"),
        Agg("distinct", "n_unique", "w"),
    ),
    (Share("n_share", "n"), Share("total_share", "total")),
)

ROWS: list[dict[str, Any]] = [
    {"k": "a", "v": 3, "w": "x"},
    {"k": "b", "v": None, "w": None},
    {"k": "a", "v": 5, "w": "y"},
    {"k": "c", "v": 2, "w": "x"},
    {"k": "a", "v": None, "w": "x"},
    {"k": "b", "v": None, "w": "z"},
]


def _pairs(rows: list[dict[str, Any]]) -> list[tuple[Any, tuple[Any, ...]]]:
    return [(r["k"], tuple(r[f] for f in SPEC.fields)) for r in rows]


def test_records_keep_exact_ints_and_leave_missing_values_out() -> None:
    out = SPEC.records(_pairs(ROWS))
    assert list(out) == ["a", "b", "c"]  # first-seen order
    assert out["a"] == {
        "n": 3, "present": 2, "total": 8, "avg": 4.0, "top": 5, "bottom": 3, "distinct": 2,
        "n_share": 0.5, "total_share": 0.8,
    }  # fmt: skip
    assert type(out["a"]["total"]) is int
    # all missing: sum 0, mean/max/min None; n_unique counts the missing value as one
    assert out["b"] == {
        "n": 2, "present": 0, "total": 0, "avg": None, "top": None, "bottom": None,
        "distinct": 2, "n_share": 2 / 6, "total_share": 0.0,
    }  # fmt: skip


def test_records_keep_decimals_exact() -> None:
    spec = Aggregation(("k",), (Agg("total", "sum", "v"),), (Share("share", "total"),))
    values = [Decimal("0.1"), Decimal("0.2"), None, Decimal("0.3")]
    out = spec.records([("a", (v,)) for v in values] + [("b", (Decimal("0.4"),))])
    assert out["a"]["total"] == Decimal("0.6")
    assert type(out["a"]["total"]) is Decimal
    assert out["a"]["share"] == 0.6  # float(0.6) / float(1.0)


def test_share_of_a_zero_total_is_missing() -> None:
    spec = Aggregation(("k",), (Agg("total", "sum", "v"),), (Share("share", "total"),))
    out = spec.records([("a", (5,)), ("b", (-5,))])
    assert out == {"a": {"total": 5, "share": None}, "b": {"total": -5, "share": None}}


def test_share_total_of_floats_is_the_row_order_sum() -> None:
    spec = Aggregation(("k",), (Agg("total", "sum", "v"),), (Share("share", "total"),))
    values = [0.1, 1e16, 0.7, -1e16, 0.2]
    keys = ["a", "b", "a", "b", "c"]
    out = spec.records(list(zip(keys, [(v,) for v in values], strict=True)))
    grand = sum([0.1, 0.7, 1e16, -1e16, 0.2])  # the present values, in group order
    assert out["a"]["share"] == (0.1 + 0.7) / grand


def test_groups_gives_what_records_gives() -> None:
    grouped: dict[Any, list[tuple[Any, ...]]] = {}
    for key, values in _pairs(ROWS):
        grouped.setdefault(key, []).append(values)
    assert SPEC.groups(grouped) == SPEC.records(_pairs(ROWS))


def _same(got: dict[Any, dict[str, Any]], want: dict[Any, dict[str, Any]]) -> None:
    assert set(got) == set(want)
    for key, row in want.items():
        for name, value in row.items():
            g = got[key][name]
            if value is None:
                assert g is None or (isinstance(g, float) and math.isnan(g)), (key, name, g)
            elif isinstance(value, float):
                assert g == pytest.approx(value, rel=1e-12), (key, name, g)
            else:
                assert g == value, (key, name, g)


FLOAT_ROWS = [{**r, "v": None if r["v"] is None else float(r["v"])} for r in ROWS]
# an all-missing group sums to 0 on every engine; its mean/max/min are missing
WANT = SPEC.records(_pairs(FLOAT_ROWS))


@pytest.mark.parametrize("engine", ["pandas", "polars", "polars-lazy"])
def test_frame_compiler_equals_the_records_evaluator(engine: str) -> None:
    data = {c: [r[c] for r in FLOAT_ROWS] for c in ("k", "v", "w")}
    native: Any = pd.DataFrame(data) if engine == "pandas" else pl.DataFrame(data)
    if engine == "polars-lazy":
        native = native.lazy()
    out = to_native(SPEC.frame(from_native(native)))
    if engine == "polars-lazy":
        assert isinstance(out, pl.LazyFrame)  # lazy stays lazy
        out = out.collect()
    frame = out if isinstance(out, pd.DataFrame) else out.to_pandas()
    assert list(frame.columns) == ["k", *[a.name for a in SPEC.aggs], "n_share", "total_share"]
    for name in ("n", "present", "distinct"):
        assert str(frame[name].dtype) == "int64"
    got = {
        row["k"]: {c: (None if pd.isna(row[c]) else row[c]) for c in frame.columns if c != "k"}
        for row in frame.to_dict("records")
    }
    _same(got, WANT)


@pytest.mark.parametrize(
    ("spec", "path", "value"),
    [
        (lambda: Aggregation((), (Agg("n", "len"),)), "by", []),
        (lambda: Aggregation(("k",), (Agg("x", "median", "v"),)), "aggs[0].kind", "median"),  # type: ignore[arg-type]
        (lambda: Aggregation(("k",), (Agg("n", "len"), Agg("t", "sum"))), "aggs[1].field", None),
        (lambda: Aggregation(("k",), (Agg("n", "len"), Agg("n", "max", "v"))), "aggs[1].name", "n"),
        (
            lambda: Aggregation(("k",), (Agg("n", "len"),), (Share("s", "total"),)),
            "shares[0].of",
            "total",
        ),
        (
            lambda: Aggregation(("k",), (Agg("n", "len"),), (Share("n", "n"),)),
            "shares[0].name",
            "n",
        ),
    ],
)
def test_a_bad_spec_is_a_validation_error_naming_the_field(
    spec: Any, path: str, value: Any
) -> None:
    with pytest.raises(ValidationError) as caught:
        spec()
    assert caught.value.paths == [path]
    assert caught.value.problems[0].value == value


def test_columns_give_what_records_give() -> None:
    grouped: dict[Any, tuple[list[Any], ...]] = {}
    for key, values in _pairs(ROWS):
        group = grouped.setdefault(key, tuple([] for _ in SPEC.fields))
        for column, value in zip(group, values, strict=True):
            column.append(value)
    assert SPEC.columns(grouped) == SPEC.records(_pairs(ROWS))


def test_a_spec_without_fields_counts_rows_in_every_form() -> None:
    spec = Aggregation(("k",), (Agg("n", "len"),), (Share("share", "n"),))
    want = {"a": {"n": 2, "share": 2 / 3}, "b": {"n": 1, "share": 1 / 3}}
    assert spec.records([("a", ()), ("b", ()), ("a", ())]) == want
    assert spec.groups({"a": [(), ()], "b": [()]}) == want
    assert spec.columns({"a": ([None, None],), "b": ([None],)}) == want
