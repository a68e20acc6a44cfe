"""The time rule on every engine: an aware instant counts by its UTC calendar day.

Differential tests: the same random instants (many of them within hours of a UTC midnight, in
zones from UTC-8 to UTC+14) go through the records engine and every dataframe engine —
pandas, Polars eager and lazy, PyArrow, DuckDB ``TIMESTAMPTZ`` in a connection whose time
zone is the data's zone, and Dask — and every analytic that reads days must agree to the day.
Dask plans every query for seconds whatever its size, so it checks the random examples in
batches (one frame of several examples, each its own customers) rather than one by one.
"""

from __future__ import annotations

import datetime as dt
import warnings
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.clv import summarise
from crmkit.errors import ValidationError
from crmkit.frames import day_number, day_number_expr, from_native, narwhals, utc_date
from crmkit.scoring import velocity, weighted_pipeline
from crmkit.segmentation import customer_status, rfm
from tests.engines import rows_of

warnings.filterwarnings("ignore", message=".*narwhals-dask.*", category=FutureWarning)

ZONES = ["Europe/Stockholm", "America/Los_Angeles", "Asia/Tokyo", "Pacific/Kiritimati", "UTC"]
ENGINES = ["pandas", "polars", "polars-lazy", "pyarrow", "duckdb", "dask"]
#: The engines that answer a query in milliseconds: one query per Hypothesis example.
IN_PROCESS = [e for e in ENGINES if e != "dask"]
AS_OF = dt.date(2024, 12, 31)
_CONNECTIONS: dict[str, Any] = {}


def _frame(rows: list[dict[str, Any]], engine: str, zone: str, at: str = "ordered_at") -> Any:
    """``rows`` (UTC instants in ``at``) as a frame of ``engine`` whose column is in ``zone``."""
    import polars as pl

    frame = pl.DataFrame(rows).with_columns(pl.col(at).dt.convert_time_zone(zone))
    if engine == "polars":
        return frame
    if engine == "polars-lazy":
        return frame.lazy()
    if engine == "pyarrow":
        return frame.to_arrow()
    if engine == "pandas":
        return frame.to_pandas()
    if engine == "dask":
        import dask
        import dask.dataframe as dd

        dask.config.set(scheduler="synchronous")
        return dd.from_pandas(frame.to_pandas(), npartitions=2)
    if engine == "duckdb":  # TIMESTAMPTZ, read in a connection set to the data's zone
        import duckdb

        if zone not in _CONNECTIONS:
            connection = duckdb.connect()
            connection.execute(f"SET TimeZone='{zone}'")
            _CONNECTIONS[zone] = connection
        return _CONNECTIONS[zone].from_arrow(frame.to_arrow())
    raise AssertionError(engine)


near_midnight = st.builds(
    lambda day, minutes: (
        dt.datetime(2023, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=day, minutes=minutes)
    ),
    st.integers(0, 729),
    st.sampled_from([-300, -61, -1, 0, 1, 59, 600, 900]),
)
orders = st.lists(
    st.fixed_dictionaries(
        {"account_id": st.sampled_from(["a", "b", "c", "d"]), "ordered_at": near_midnight,
         "total": st.integers(0, 500)}
    ),
    min_size=1,
    max_size=12,
)  # fmt: skip


def _records(rows: list[dict[str, Any]], zone: str) -> list[dict[str, Any]]:
    """The same rows as records, with the instants in ``zone``."""
    return [{**r, "ordered_at": r["ordered_at"].astimezone(ZoneInfo(zone))} for r in rows]


def _check_rfm(rows: list[dict[str, Any]], engine: str, zone: str) -> None:
    records = _records(rows, zone)
    expected = sorted((attrs.asdict(r) for r in rfm(records, as_of=AS_OF)),
                      key=lambda r: str(r["customer_id"]))  # fmt: skip
    assert rows_of(rfm(_frame(rows, engine, zone), as_of=AS_OF)) == expected


def _check_status_and_summary(
    rows: list[dict[str, Any]], engine: str, zone: str, as_of: dt.date
) -> None:
    records = _records(rows, zone)
    frame = _frame(rows, engine, zone)
    status = {r.customer_id: (r.status, r.days_since_last)
              for r in customer_status(records, as_of=as_of, window_months=1)}  # fmt: skip
    got = rows_of(customer_status(frame, as_of=as_of, window_months=1))
    assert {r["customer_id"]: (r["status"], r["days_since_last"]) for r in got} == status
    for unit in ("days", "months"):
        want = {r.customer_id: attrs.astuple(r)[1:4]
                for r in summarise(records, time_unit=unit, as_of=as_of)}  # fmt: skip
        out = rows_of(summarise(frame, time_unit=unit, as_of=as_of), sort_by="account_id")
        assert {r["account_id"]: (r["frequency"], r["recency"], r["T"]) for r in out} == want


@pytest.mark.parametrize("engine", IN_PROCESS)
@pytest.mark.parametrize("zone", ZONES)
@settings(max_examples=6, deadline=None)
@given(rows=orders)
def test_rfm_status_and_summary_agree_with_records_in_any_zone(
    engine: str, zone: str, rows: list[dict[str, Any]]
) -> None:
    _check_rfm(rows, engine, zone)
    as_of = utc_date(rows[0]["ordered_at"])  # a boundary day of the window
    _check_status_and_summary(rows, engine, zone, as_of)


def _batch(
    examples: list[list[dict[str, Any]]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dt.date]:
    """Several examples as one set of rows, the accounts of example ``i`` prefixed ``i``.

    Returns the rows as drawn, the rows with each example moved by whole days so that its first
    purchase falls on the first example's first day, and that day (``as_of``): every example
    then has a boundary day of the window as ``as_of``, as in the one-example test.
    """
    as_of = utc_date(examples[0][0]["ordered_at"])
    drawn: list[dict[str, Any]] = []
    moved: list[dict[str, Any]] = []
    for i, rows in enumerate(examples):
        shift = dt.timedelta(days=(as_of - utc_date(rows[0]["ordered_at"])).days)
        for row in rows:
            row = {**row, "account_id": f"{i}{row['account_id']}"}
            drawn.append(row)
            moved.append({**row, "ordered_at": row["ordered_at"] + shift})
    return drawn, moved, as_of


@pytest.mark.parametrize("zone", ZONES)
@settings(max_examples=2, deadline=None)
@given(examples=st.lists(orders, min_size=6, max_size=6))
def test_rfm_status_and_summary_agree_with_records_in_any_zone_on_dask(
    zone: str, examples: list[list[dict[str, Any]]]
) -> None:
    """The check above on Dask, for six examples at once (Dask plans each query for seconds)."""
    drawn, moved, as_of = _batch(examples)
    _check_rfm(drawn, "dask", zone)
    _check_status_and_summary(moved, "dask", zone, as_of)


def test_a_batch_keeps_each_example_apart_with_its_first_day_on_as_of() -> None:
    day = dt.datetime(2023, 1, 1, 23, 59, tzinfo=dt.UTC)
    first = [{"account_id": "a", "ordered_at": day + dt.timedelta(days=10), "total": 1}]
    second = [{"account_id": "a", "ordered_at": day + dt.timedelta(days=3, minutes=2), "total": 2},
              {"account_id": "b", "ordered_at": day, "total": 3}]  # fmt: skip
    drawn, moved, as_of = _batch([first, second])
    assert as_of == dt.date(2023, 1, 11)
    assert [r["account_id"] for r in drawn] == ["0a", "1a", "1b"]
    assert [r["ordered_at"] for r in drawn] == [r["ordered_at"] for r in (*first, *second)]
    assert [utc_date(r["ordered_at"]) for r in moved] == [
        as_of,
        as_of,
        dt.date(2023, 1, 7),  # the second example's first purchase is 00:01 on the 5th: 6 days on
    ]


def test_a_purchase_late_on_new_years_eve_in_utc_stays_in_the_year() -> None:
    """23:30 UTC on 31 December is 1 January in Tokyo and Kiritimati, and still the 31st."""
    rows = [{"account_id": "a", "ordered_at": dt.datetime(2024, 12, 31, 23, 30, tzinfo=dt.UTC),
             "total": 5}]  # fmt: skip
    for zone in ZONES:
        for engine in ENGINES:
            frame = _frame(rows, engine, zone)
            assert rows_of(rfm(frame, as_of=AS_OF))[0]["recency_days"] == 0, (zone, engine)
            out = rows_of(summarise(frame, time_unit="days", as_of=AS_OF), sort_by="account_id")
            assert [r["T"] for r in out] == [0.0], (zone, engine)


@pytest.mark.parametrize("zone", ZONES)
def test_day_numbers_of_a_duckdb_timestamptz_in_its_session_zone_need_in_utc(zone: str) -> None:
    from crmkit.frames import column_types, in_utc

    instant = dt.datetime(2024, 12, 31, 23, 30, tzinfo=dt.UTC)
    frame = from_native(_frame([{"ordered_at": instant}], "duckdb", zone))
    schema = column_types(frame)
    converted, converted_schema = in_utc(frame, ["ordered_at"], schema)
    nw = narwhals()
    expr = day_number_expr(nw.col("ordered_at"), converted_schema["ordered_at"],
                           converted.implementation)  # fmt: skip
    assert converted.select(expr.alias("n")).to_native().fetchall() == [(day_number(instant),)]
    if zone != "UTC":  # not converted: an error, never the session's local day
        with pytest.raises(ValidationError, match="time_zone"):
            day_number_expr(nw.col("ordered_at"), schema["ordered_at"], frame.implementation)


@pytest.mark.parametrize("zone", ZONES)
def test_velocity_counts_the_utc_days_of_aware_datetimes(zone: str) -> None:
    stages = [{"key": "open", "order": 1, "is_closed": False, "is_won": False},
              {"key": "won", "order": 2, "is_closed": True, "is_won": True}]  # fmt: skip
    created = dt.datetime(2025, 1, 1, 23, 30, tzinfo=dt.UTC).astimezone(ZoneInfo(zone))
    closed = dt.datetime(2025, 1, 11, 0, 30, tzinfo=dt.UTC).astimezone(ZoneInfo(zone))
    opps = [{"stage_key": "won", "amount": 10.0, "created_at": created, "close_date": closed}]
    assert velocity(opps, pipeline=stages).cycle_days == 10.0  # 1 Jan → 11 Jan in UTC


@pytest.mark.parametrize("engine", ["pandas", "polars", "polars-lazy", "pyarrow", "duckdb"])
@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "America/Los_Angeles"])
def test_pipeline_periods_are_utc_months_on_every_engine(engine: str, zone: str) -> None:
    rows = [  # the last half hour of a UTC month, and the first of the next
        {"stage_key": "open", "amount": 1.0, "probability": 0.5,
         "close_date": dt.datetime(2025, 3, 31, 23, 30, tzinfo=dt.UTC)},
        {"stage_key": "open", "amount": 2.0, "probability": 0.5,
         "close_date": dt.datetime(2025, 4, 1, 0, 30, tzinfo=dt.UTC)},
    ]  # fmt: skip
    records = [{**r, "close_date": r["close_date"].astimezone(ZoneInfo(zone))} for r in rows]
    expected = [(t.key, t.amount) for t in weighted_pipeline(records, by="period")]
    assert expected == [("2025-03", 1.0), ("2025-04", 2.0)]
    out = weighted_pipeline(_frame(rows, engine, zone, at="close_date"), by="period")
    assert sorted((r["key"], r["amount"]) for r in rows_of(out, sort_by="key")) == expected


@pytest.mark.parametrize("engine", ["pandas", "polars", "polars-lazy", "pyarrow", "duckdb", "dask"])
@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "America/Los_Angeles"])
def test_retention_counts_utc_days_and_months_on_every_engine(engine: str, zone: str) -> None:
    from crmkit.scoring import cohort_retention, period_retention

    rows = [  # each a half hour from a UTC year's end
        {"account_id": "a", "ordered_at": dt.datetime(2023, 12, 31, 23, 30, tzinfo=dt.UTC)},
        {"account_id": "a", "ordered_at": dt.datetime(2024, 12, 31, 23, 30, tzinfo=dt.UTC)},
        {"account_id": "b", "ordered_at": dt.datetime(2024, 1, 1, 0, 30, tzinfo=dt.UTC)},
    ]
    records = _records(rows, zone)
    frame = _frame(rows, engine, zone)
    windows = {"previous": (dt.date(2023, 1, 1), dt.date(2023, 12, 31)),
               "current": (dt.date(2024, 1, 1), dt.date(2024, 12, 31))}  # fmt: skip
    expected = period_retention(records, **windows)
    assert (expected.customers, expected.retained) == (1, 1)
    assert period_retention(frame, **windows) == expected
    cells = {(c.cohort, c.offset, c.customers) for c in cohort_retention(records, period="year")}
    assert cells == {("2023", 0, 1), ("2023", 1, 1), ("2024", 0, 1)}
    got = rows_of(cohort_retention(frame, period="year"), sort_by="cohort")
    assert {(r["cohort"], r["offset"], r["customers"]) for r in got} == cells


def test_follow_up_due_dates_count_from_the_utc_day() -> None:
    from crmkit.scoring import EmailSequence, SequenceStep

    sent = dt.datetime(2025, 3, 1, 23, 30, tzinfo=dt.UTC)
    sequence = EmailSequence([SequenceStep("a"), SequenceStep("b", 3)])
    for zone in ZONES:
        step = sequence.next_step(sent=1, last_sent_on=sent.astimezone(ZoneInfo(zone)),
                                  replied=False)  # fmt: skip
        assert step == (SequenceStep("b", 3), dt.date(2025, 3, 4)), zone
