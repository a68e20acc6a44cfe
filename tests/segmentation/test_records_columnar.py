"""The records engine's columnar (numpy) aggregation gives exactly what the pure-Python one
gives: same customers in the same order, same last transactions (the same objects), counts,
float sums bit for bit, and the same errors and warnings (issue #21)."""

from __future__ import annotations

import datetime as dt
import random
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit.frames import day_numbers, quantile_scores
from crmkit.frames import quantile as quantile_module
from crmkit.segmentation import customer_status, rfm
from crmkit.segmentation import transactions as tx
from crmkit.segmentation.transactions import aggregate_columns

AS_OF = dt.date(2024, 12, 31)
UTC = dt.UTC
TOKYO = dt.timezone(dt.timedelta(hours=9))


@contextmanager
def columnar(on: bool) -> Iterator[None]:
    """The numpy path for every input size (on) or for none (off: the pure-Python path)."""
    size = 0 if on else 1 << 62
    with (
        mock.patch.object(tx, "_COLUMNAR_ROWS", size),
        mock.patch.object(quantile_module, "_NUMPY_VALUES", size),
    ):
        yield


class Row(dict[str, Any]):
    """A dict subclass: takes the careful, row-by-row loop (the reference)."""


def outcome(run: Callable[[], Any]) -> tuple[str, list[str]]:
    """What ``run`` gives — its ``repr`` (which tells -0.0 from 0.0 and a zone from another)
    or its error — and the warnings it raises."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = repr(run())
        except Exception as error:  # (the error itself is compared)
            result = f"{type(error).__name__}: {error}"
    return result, [f"{type(w.message).__name__}: {w.message}" for w in caught]


def assert_paths_agree(rows: list[dict[str, Any]], **options: Any) -> tuple[str, list[str]]:
    def aggregate(data: list[Any]) -> Callable[[], Any]:
        return lambda: aggregate_columns(
            data, customer="c", at="t", amount=options.get("amount", "m"), as_of=AS_OF,
            negative=options.get("negative", "refuse"), days=options.get("days", False),
        )  # fmt: skip

    with columnar(True):
        fast = outcome(aggregate(rows))
    with columnar(False):
        plain = outcome(aggregate(rows))
        careful = outcome(aggregate([Row(r) for r in rows]))
    assert fast == plain
    assert fast == careful
    return fast


# the same few instants, so that customers' last transactions tie; in several kinds
_BASE = [dt.datetime(2024, 12, d, h, 30, 0, u) for d in (1, 31) for h in (0, 23) for u in (0, 7)]
_BASE.append(dt.datetime(2025, 1, 1, 0, 0))  # after the as-of date: left out
_WHENS: dict[str, list[Any]] = {
    "date": [moment.date() for moment in _BASE],
    "naive": _BASE,
    "utc": [moment.replace(tzinfo=UTC) for moment in _BASE],
    # equal instants in two zones: the first one seen stays the last transaction
    "zones": [moment.replace(tzinfo=UTC) for moment in _BASE]
    + [moment.replace(tzinfo=UTC).astimezone(TOKYO) for moment in _BASE],
    "naive and aware": _BASE[:3] + [moment.replace(tzinfo=UTC) for moment in _BASE[3:]],
    "dates and datetimes": [_BASE[0].date(), *_BASE[1:]],
    "not dates": [*_BASE, "2024-12-01"],
}
_IDS: dict[str, list[Any]] = {
    "small ints": [0, 1, 2, 7, 3],
    "offset ints": [10**9 + i for i in (0, 3, 5)],
    "sparse ints": [0, 10**12, 5, 2**40],
    "huge ints": [1, 2**70, 3],
    "str": ["a", "b", "c", "d"],
    "int and str": [1, "1", 2, "b"],
    "bool and int": [True, 1, 0, False, 2],
    "numpy ints": [1, np.int64(1), np.int32(2), 3],
    "int and float": [1, 1.0, 2.5],
    "missing": ["a", None, "b"],
}
_AMOUNTS: dict[str, Any] = {
    "float": st.floats(0, 1e6, allow_nan=False, allow_infinity=False),
    "float and -0.0": st.sampled_from([0.0, -0.0, 0.1, 0.2, 0.7, 1e16, 3.0]),
    "float and inf": st.sampled_from([0.0, 1.5, float("inf")]),
    "int": st.integers(0, 10**6),
    "big int": st.sampled_from([0, 1, 2**62, 2**62 + 1, 2**64]),
    "Decimal": st.decimals(0, 1000, places=2, allow_nan=False),
    "int and float": st.one_of(st.integers(0, 9), st.floats(0, 9, allow_nan=False)),
    "with negatives": st.floats(-50, 50, allow_nan=False),
    "int with negatives": st.integers(-5, 9),
    "with NaN": st.sampled_from([1.0, 2.5, float("nan")]),
    "not numbers": st.sampled_from([1.0, 2.0, "3"]),
    "bools": st.sampled_from([1, 2, True]),
}


@st.composite
def records(draw: st.DrawFn) -> list[dict[str, Any]]:
    whens = _WHENS[draw(st.sampled_from(sorted(_WHENS)))]
    ids = _IDS[draw(st.sampled_from(sorted(_IDS)))]
    amounts = _AMOUNTS[draw(st.sampled_from(sorted(_AMOUNTS)))]
    size = draw(st.integers(1, 40))
    return [
        {"c": draw(st.sampled_from(ids)), "t": draw(st.sampled_from(whens)), "m": draw(amounts)}
        for _ in range(size)
    ]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=records(), negative=st.sampled_from(["refuse", "net", "drop"]))
def test_columnar_aggregation_gives_the_pure_python_result(
    rows: list[dict[str, Any]], negative: str
) -> None:
    assert_paths_agree(rows, negative=negative)


@settings(max_examples=100, deadline=None)
@given(rows=records())
def test_columnar_aggregation_without_amounts_gives_the_pure_python_result(
    rows: list[dict[str, Any]],
) -> None:
    assert_paths_agree(rows, amount=None)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=records(), amount=st.sampled_from(["m", None]))
def test_last_transactions_as_days_are_the_day_numbers_of_the_last_transactions(
    rows: list[dict[str, Any]], amount: str | None
) -> None:
    """``days=True`` (what RFM and status read): on every path, the day numbers of the last
    transactions ``days=False`` gives (an aware datetime by its UTC day), or the same error."""
    assert_paths_agree(rows, amount=amount, negative="net", days=True)

    def aggregate(days: bool) -> Any:
        return aggregate_columns(
            rows, customer="c", at="t", amount=amount, as_of=AS_OF, negative="net", days=days
        )

    for on in (True, False):
        with columnar(on):
            as_values = outcome(lambda: aggregate(False))
            as_days = outcome(lambda: aggregate(True))
            if as_values[0].startswith("(["):  # (a result, not an error)
                keys, lasts, counts, totals = aggregate(False)
                expected = keys, day_numbers(lasts), counts, totals
                assert as_days == (repr(expected), as_values[1])
            else:
                assert as_days == as_values


@settings(max_examples=100, deadline=None)
@given(rows=records())
def test_rfm_and_customer_status_are_the_same_with_and_without_numpy(
    rows: list[dict[str, Any]],
) -> None:
    def both() -> tuple[Any, Any]:
        return (
            rfm(rows, as_of=AS_OF, customer="c", date_field="t", amount="m", negative="net"),
            customer_status(rows, as_of=AS_OF, customer="c", date_field="t"),
        )

    with columnar(True):
        fast = outcome(both)
    with columnar(False):
        plain = outcome(both)
    assert fast == plain


@pytest.mark.parametrize("ids", ["dense", "sparse", "str"])
def test_many_float_transactions_sum_bit_for_bit_in_row_order(ids: str) -> None:
    rng = random.Random(21)
    make_id: dict[str, Callable[[int], Any]] = {
        "dense": lambda i: i,
        "sparse": lambda i: i * 10**9,
        "str": lambda i: f"c{i}",
    }
    rows = [
        {
            "c": make_id[ids](rng.randrange(500)),
            "t": dt.datetime(2024, 1, 1, tzinfo=UTC) + dt.timedelta(seconds=rng.randrange(10**8)),
            "m": rng.random() * 10 ** rng.randrange(-3, 9),
        }
        for _ in range(20_000)
    ]
    result, _ = assert_paths_agree(rows)
    assert result.count("datetime.datetime") == 500  # one last transaction per customer


def test_ties_keep_the_first_seen_value_and_minus_zero_stays() -> None:
    tokyo = dt.datetime(2024, 12, 1, 9, 0, tzinfo=TOKYO)
    utc = tokyo.astimezone(UTC)
    rows = [{"c": 5, "t": tokyo, "m": -0.0}, {"c": 5, "t": utc, "m": -0.0}]
    with columnar(True):
        keys, lasts, counts, totals = aggregate_columns(
            rows, customer="c", at="t", amount="m", as_of=AS_OF
        )
    assert (keys, counts) == ([5], [2])
    assert lasts[0].tzinfo is TOKYO
    assert repr(totals) == "[-0.0]"


score_values = st.one_of(
    st.lists(st.integers(-5, 5), min_size=1, max_size=60),
    st.lists(st.integers(-(2**70), 2**70), min_size=1, max_size=10),
    st.lists(st.sampled_from([0.0, -0.0, 0.5, 1e300, float("inf"), -1.5]), min_size=1),
    st.lists(st.floats(allow_nan=False), min_size=1, max_size=60),
    st.lists(st.floats(), min_size=1, max_size=10),  # NaN: the pure-Python path
    st.lists(st.one_of(st.integers(0, 3), st.floats(0, 3)), min_size=1, max_size=20),
    st.lists(st.decimals(0, 9, places=1, allow_nan=False), min_size=1, max_size=20),
)


@settings(max_examples=300, deadline=None)
@given(values=score_values, n=st.integers(1, 12), descending=st.booleans())
def test_quantile_scores_are_the_same_with_and_without_numpy(
    values: list[Any], n: int, descending: bool
) -> None:
    with columnar(True):
        fast = quantile_scores(values, n, descending=descending)
    with columnar(False):
        plain = quantile_scores(values, n, descending=descending)
    assert fast == plain
    assert all(type(score) is int and 1 <= score <= n for score in fast)


def test_without_numpy_the_pure_python_path_gives_the_same_rows() -> None:
    rng = random.Random(7)
    rows = [
        {"c": rng.randrange(50), "t": dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(400)),
         "m": rng.randrange(1, 10**4) / 100}
        for _ in range(3000)
    ]  # fmt: skip

    def missing(name: str) -> None:
        return None

    expected = rfm(rows, as_of=AS_OF, customer="c", date_field="t", amount="m")
    with (
        mock.patch.object(tx, "optional", missing),
        mock.patch.object(quantile_module, "optional", missing),
    ):
        assert tx.optional("numpy") is None
        got = rfm(rows, as_of=AS_OF, customer="c", date_field="t", amount="m")
    assert repr(got) == repr(expected)
    assert len(got) == 50
