"""The NumPy lowering of expressions on pandas against the narwhals path they stand in for.

Random expression trees over random pandas frames (ints, floats with NaN, bools, text in
pandas' string dtype and as objects with missing values, nullable integers, naive and zoned
datetimes with NaT): every test the lowering covers gives exactly the narwhals path's values
(a missing result counting as false), every number the same numbers (NaN where missing), and
whatever it does not cover, or the narwhals path rejects, gives ``None`` (the fallback).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit.frames import Context, Expr, as_of, col, column_types, from_native, lit, when
from crmkit.frames.numpy_lowering import lower_numbers, lower_tests

AS_OF = dt.date(2024, 12, 31)
ZONE = "Europe/Stockholm"

# -- frames -------------------------------------------------------------------------------------
_instants = st.one_of(
    st.none(),
    st.datetimes(min_value=dt.datetime(1969, 12, 30), max_value=dt.datetime(2025, 1, 2)),
)
_row = st.fixed_dictionaries(
    {
        "i": st.integers(-5, 9),
        "f": st.one_of(st.none(), st.sampled_from([-1.5, 0.0, 0.5, 2.5, 4.0, float("inf")])),
        "b": st.booleans(),
        "s": st.one_of(st.none(), st.sampled_from(["a", "b", "c", ""])),
        "o": st.one_of(st.none(), st.sampled_from(["a", "b", "c"])),
        "ni": st.one_of(st.none(), st.integers(-3, 3)),
        "d": _instants,
        "z": _instants,
    }
)


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    column = {name: [r[name] for r in rows] for name in _row_names}
    d = pd.to_datetime(pd.Series(column["d"], dtype=object)).astype("datetime64[ms]")
    z = pd.to_datetime(pd.Series(column["z"], dtype=object)).astype("datetime64[us]")
    frame = pd.DataFrame(
        {
            "i": pd.Series(column["i"], dtype="int64"),
            "f": pd.Series(column["f"], dtype="float64"),
            "b": pd.Series(column["b"], dtype="bool"),
            "s": pd.Series(column["s"], dtype="str"),
            "o": pd.Series(column["o"], dtype=object),
            "ni": pd.Series(column["ni"], dtype="Int64"),
            "d": d,
            "z": z.dt.tz_localize("UTC").dt.tz_convert(ZONE),
        }
    )
    frame.index = pd.RangeIndex(10, 10 + len(rows))  # (not the default index)
    assert frame.dtypes["i"] == np.int64
    assert frame.dtypes["b"] == np.bool_
    return frame


_row_names = ["i", "f", "b", "s", "o", "ni", "d", "z"]
frames = st.lists(_row, min_size=1, max_size=12).map(_frame)

# -- expressions --------------------------------------------------------------------------------
_ints = st.integers(-3, 9)
_floats = st.sampled_from([-1.5, 0.0, 0.5, 2.5])
_days = st.integers(-400, 400)
_dates = st.dates(min_value=dt.date(1969, 12, 25), max_value=dt.date(2025, 1, 5))
_ops = st.sampled_from(["==", "!=", "<", "<=", ">", ">="])

_number_leaves = st.one_of(
    st.sampled_from([col("i"), col("f"), col("d").days_before_as_of(),
                     col("z").days_before_as_of(), col("d").day()]),
    _ints.map(lit),
    _floats.map(lit),
)  # fmt: skip


def _numbers(children: Any) -> Any:
    arithmetic = st.tuples(children, st.sampled_from(["+", "-", "*", "/"]), children).map(
        lambda t: {"+": t[0] + t[2], "-": t[0] - t[2], "*": t[0] * t[2], "/": t[0] / t[2]}[t[1]]
    )
    filled = st.tuples(children, st.one_of(_ints, _floats)).map(lambda t: t[0].fill_null(t[1]))
    return st.one_of(arithmetic, filled)


numbers = st.recursive(_number_leaves, _numbers, max_leaves=4)


def _compare(left: Expr, op: str, right: Any) -> Expr:
    return {
        "==": left == right, "!=": left != right, "<": left < right,
        "<=": left <= right, ">": left > right, ">=": left >= right,
    }[op]  # fmt: skip


_test_leaves = st.one_of(
    st.tuples(numbers, _ops, st.one_of(numbers, _ints, _floats)).map(lambda t: _compare(*t)),
    st.tuples(st.sampled_from([col("s"), col("o")]), _ops, st.sampled_from(["a", "b", ""])).map(
        lambda t: _compare(*t)
    ),
    st.tuples(st.sampled_from(["s", "o", "i", "ni", "f"]),
              st.lists(st.sampled_from(["a", "c", 1, 2, 0.5, None]), max_size=3)).map(
        lambda t: col(t[0]).is_in(t[1])),
    st.tuples(_ints, _ints, st.sampled_from(["both", "left", "right", "none"])).map(
        lambda t: col("i").between(t[0], t[1], closed=t[2])),
    st.sampled_from(_row_names).map(lambda name: col(name).is_null()),
    st.tuples(st.sampled_from(["d", "z"]), _ops, st.one_of(_dates, _days.map(
        lambda n: as_of(days=n)))).map(lambda t: _compare(col(t[0]), t[1], t[2])),
    st.tuples(st.sampled_from(["i", "ni"]), _ops, _ints).map(lambda t: _compare(col(t[0]), *t[1:])),
    st.just(col("b")),
    st.tuples(st.just(col("b")), st.sampled_from(["==", "!="]), st.booleans()).map(
        lambda t: _compare(*t)),
)  # fmt: skip


def _tests(children: Any) -> Any:
    return st.one_of(
        st.tuples(children, children).map(lambda t: t[0] & t[1]),
        st.tuples(children, children).map(lambda t: t[0] | t[1]),
        children.map(lambda t: ~t),
        st.tuples(children, numbers, numbers, _ops, _ints).map(
            lambda t: _compare(when(t[0]).then(t[1]).otherwise(t[2]), t[3], t[4])
        ),
        st.tuples(children, numbers, _ops, _ints).map(
            lambda t: _compare(when(t[0]).then(t[1]), t[2], t[3])
        ),
    )


tests = st.recursive(_test_leaves, _tests, max_leaves=5)


# -- the narwhals path --------------------------------------------------------------------------
def _context(frame: pd.DataFrame) -> Context:
    native = from_native(frame)
    return Context(as_of=AS_OF, schema=column_types(native), implementation=native.implementation)


def _narwhals_test(frame: pd.DataFrame, expr: Expr) -> Any:
    compiled = expr.compile(_context(frame))
    if not expr.is_test:
        compiled = compiled.fill_null(False)
    out = from_native(frame).select(compiled.alias("t"))["t"].to_native()
    return out.to_numpy(dtype=bool, na_value=False)


def _narwhals_numbers(frame: pd.DataFrame, expr: Expr) -> Any:
    out = from_native(frame).select(expr.compile(_context(frame)).alias("v"))["v"].to_native()
    return out.astype("float64").to_numpy(dtype="float64", na_value=np.nan)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=frames, expr=tests)
def test_lowered_tests_equal_the_narwhals_path(frame: pd.DataFrame, expr: Expr) -> None:
    lowered = lower_tests(frame, [expr], Context(as_of=AS_OF))
    try:
        expected = _narwhals_test(frame, expr)
    except Exception:  # the narwhals path rejects it: the lowering must leave it to that path
        assert lowered is None, expr
        return
    if lowered is not None:
        assert lowered[0].dtype == np.bool_
        assert lowered[0].tolist() == expected.tolist(), expr


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=frames, expr=numbers)
def test_lowered_numbers_equal_the_narwhals_path(frame: pd.DataFrame, expr: Expr) -> None:
    lowered = lower_numbers(frame, [expr], Context(as_of=AS_OF))
    expected = _narwhals_numbers(frame, expr)
    if not expr.columns():  # literals alone: one value on narwhals, left to that path
        assert lowered is None
        return
    assert lowered is not None, expr  # every number expression drawn here is covered
    np.testing.assert_array_equal(lowered[0], expected, err_msg=repr(expr))


COVERED = [
    (col("i") >= 3) & ~(col("f") < 1) | col("s").is_in(["a"]),
    col("o") != "a",
    col("ni") > 0,
    col("d") >= as_of(months=-12),
    col("z").between(dt.date(2024, 1, 1), dt.date(2024, 6, 30)),
    when(col("b")).then(col("i") * 2).otherwise(col("f").fill_null(0)) > 1,
    (col("i") / (col("i") - 2)).is_null(),
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=frames)
def test_the_lead_scoring_shapes_are_covered(frame: pd.DataFrame) -> None:
    lowered = lower_tests(frame, COVERED, Context(as_of=AS_OF))
    assert lowered is not None
    for expr, got in zip(COVERED, lowered, strict=True):
        assert got.tolist() == _narwhals_test(frame, expr).tolist(), expr


@pytest.mark.parametrize(
    "expr",
    [
        col("s").fill_null("a") == "a",  # text fill_null
        col("s") == col("o"),  # two text columns
        (col("ni") + 1) > 0,  # arithmetic on a nullable column
        col("s") > 1,  # text against a number: the narwhals path's own error
    ],
)
def test_what_is_not_covered_falls_back(expr: Expr) -> None:
    frame = _frame([{"i": 1, "f": None, "b": True, "s": "a", "o": None, "ni": None,
                     "d": None, "z": dt.datetime(2024, 5, 1)}])  # fmt: skip
    assert lower_tests(frame, [expr], Context(as_of=AS_OF)) is None
    assert lower_tests(pd.DataFrame({"i": [1]}).rename(columns={"i": 0}), [col("i") > 0],
                       Context()) is None  # fmt: skip


def test_day_numbers_floor_instants_before_1970_and_read_zones_in_utc() -> None:
    frame = pd.DataFrame(
        {
            "d": pd.to_datetime(["1969-12-31 23:59", None, "1970-01-01 00:00"]),
            "z": pd.to_datetime(["2024-01-01 00:30", "2024-01-01 01:30", None]).tz_localize(
                "Europe/Stockholm"
            ),
        }
    )
    got = lower_numbers(frame, [col("d").day(), col("z").day()], Context())
    assert got is not None
    assert got[0].tolist()[0::2] == [-1.0, 0.0]
    assert np.isnan(got[0][1])
    assert got[1].tolist()[:2] == [19722.0, 19723.0]
    assert np.isnan(got[1][2])
