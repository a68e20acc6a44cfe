"""Transactions → one purchase-history row per customer, in lifetimes' data contract.

The buy-till-you-die models read, per customer:

* ``frequency`` — the number of *repeat* purchase periods (distinct periods with a purchase,
  minus one for the first purchase);
* ``recency`` — the customer's **age at the last purchase**: time from the first purchase to
  the last one (0 when there is no repeat purchase). This is *not* RFM recency, which counts the
  time *since* the last purchase (see :mod:`crmkit.segmentation`); a customer who bought
  recently has a *large* BTYD recency;
* ``T`` — the customer's age at the end of observation: time from the first purchase to
  ``as_of``;
* ``monetary_value`` — the mean value of the repeat purchase periods (0 without repeats).

Time is counted in an explicit ``time_unit`` — ``"days"``, ``"weeks"`` (Monday to Sunday) or
calendar ``"months"``. Purchases in the same period are one purchase (their values are added),
as ``lifetimes.utils.summary_data_from_transaction_data`` does. With ``collapse="day"``
purchases are collapsed per day and ages are measured in fractional units (days / 7 for
weeks), which is how the published CDNOW summary was built.

The same definition runs on records (pure Python) and on dataframes through
:mod:`crmkit.frames`; a lazy frame (Polars ``LazyFrame``, DuckDB, Dask, PySpark) stays lazy and
the summary runs on its engine.

Examples:
    >>> from datetime import date
    >>> from crmkit.clv import summarise
    >>> orders = [
    ...     {"account_id": "a", "ordered_at": date(2024, 1, 1), "total": 10.0},
    ...     {"account_id": "a", "ordered_at": date(2024, 1, 15), "total": 30.0},
    ...     {"account_id": "b", "ordered_at": date(2024, 1, 8), "total": 5.0},
    ... ]
    >>> for row in summarise(orders, amount="total", time_unit="weeks",
    ...                      as_of=date(2024, 1, 29)):
    ...     print(row)
    CustomerSummary(customer_id='a', frequency=1, recency=2.0, T=4.0, monetary_value=30.0)
    CustomerSummary(customer_id='b', frequency=0, recency=0.0, T=3.0, monetary_value=0.0)
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Literal, overload

import attrs

from crmkit._deprecation import renamed, warn_missing
from crmkit.display import ResultRow
from crmkit.errors import ValidationError
from crmkit.frames import (
    FrameT,
    Records,
    SupportsToNative,
    column_types,
    dates_from_objects,
    day_number_expr,
    from_native,
    in_utc,
    is_frame,
    is_lazy,
    narwhals,
    per_key,
    require_columns,
    to_native,
    with_year_month,
)
from crmkit.progress import ProgressOption, track
from crmkit.segmentation.transactions import (
    Negative,
    amount_error,
    check_negative,
    first_row,
    report_dropped,
)

__all__ = [
    "CalibrationHoldout",
    "Collapse",
    "CustomerSummary",
    "TimeUnit",
    "calibration_holdout",
    "summarise",
]

TimeUnit = Literal["days", "weeks", "months"]
Collapse = Literal["period", "day"]

_TIME_UNITS = ("days", "weeks", "months")
_COLLAPSES = ("period", "day")
#: Day number of 1970-01-01 in :meth:`date.toordinal` numbering.
_EPOCH_ORDINAL = 719163


@attrs.frozen
class CustomerSummary(ResultRow):
    """One customer's purchase history in lifetimes' contract (see the module docstring).

    Examples:
        >>> from crmkit.clv import CustomerSummary
        >>> CustomerSummary("c1", frequency=2, recency=30.43, T=38.86).monetary_value is None
        True
    """

    customer_id: Any
    frequency: int
    recency: float
    T: float
    monetary_value: float | None = None


@attrs.frozen
class CalibrationHoldout(ResultRow):
    """A customer's calibration-period history and what they did in the holdout period.

    Field names follow ``lifetimes.utils.calibration_and_holdout_data``.

    Examples:
        >>> from crmkit.clv import CalibrationHoldout
        >>> row = CalibrationHoldout("c1", 1, 2.0, 5.0, 10.0, 3, 12.5, 4.0)
        >>> row.frequency_holdout
        3
    """

    customer_id: Any
    frequency_cal: int
    recency_cal: float
    T_cal: float
    monetary_value_cal: float | None
    frequency_holdout: int
    monetary_value_holdout: float | None
    duration_holdout: float


# --------------------------------------------------------------------------- periods


def _check_options(time_unit: str, collapse: str) -> None:
    if time_unit not in _TIME_UNITS:
        raise ValidationError.single(
            "time_unit", time_unit, f"is not a time unit; use one of {', '.join(_TIME_UNITS)}"
        )
    if collapse not in _COLLAPSES:
        raise ValidationError.single(
            "collapse", collapse, "must be 'period' (lifetimes' default) or 'day'"
        )
    if collapse == "day" and time_unit == "months":
        raise ValidationError.single(
            "collapse",
            collapse,
            "cannot measure calendar months in fractions; use collapse='period' with months",
        )


def _as_date(value: Any, path: str) -> date:
    if isinstance(value, datetime):
        moment: datetime = value.astimezone(UTC) if value.tzinfo is not None else value
        return moment.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return _as_date(datetime.fromisoformat(value), path)
        except ValueError:
            pass
    raise ValidationError.single(path, value, "is not a date, datetime or ISO 8601 string")


def _key_of_day(day_number: int, time_unit: str, collapse: str) -> int:
    """Period key of a day counted from 1970-01-01 (what the frames engine computes too)."""
    if collapse == "day" or time_unit == "days":
        return day_number
    if time_unit == "weeks":
        return (day_number + 3) // 7  # 1970-01-01 was a Thursday; weeks start on Monday
    raise AssertionError("months are keyed from the calendar")  # pragma: no cover


def _key_of(d: date, time_unit: str, collapse: str) -> int:
    if time_unit == "months" and collapse == "period":
        return d.year * 12 + d.month - 1
    return _key_of_day(d.toordinal() - _EPOCH_ORDINAL, time_unit, collapse)


def _divisor(time_unit: str, collapse: str) -> float:
    return 7.0 if (collapse == "day" and time_unit == "weeks") else 1.0


def _field(record: Any, name: str, path: str) -> Any:
    if isinstance(record, Mapping):
        if name not in record:
            raise ValidationError.single(f"{path}.{name}", message="is missing")
        return record[name]
    try:
        return getattr(record, name)
    except AttributeError:
        raise ValidationError.single(f"{path}.{name}", message="is missing") from None


def _number(value: Any, path: str) -> float:
    amount = getattr(value, "amount", value)  # Money
    if isinstance(amount, bool) or not isinstance(amount, int | float | Decimal):
        raise ValidationError.single(path, value, "is not a number or Money amount")
    return float(amount)


# --------------------------------------------------------------------------- records engine


def _periods(
    transactions: Iterable[Any],
    customer: str,
    at: str,
    value: str | None,
    time_unit: str,
    collapse: str,
    what: str,
    days: tuple[int, int] | None = None,
    negative: Negative = "refuse",
) -> tuple[dict[Any, dict[int, float]], dict[Any, dict[int, float]], int]:
    """customer → {period key → summed value} (value 0.0 without a value field), the same
    for refunds (``negative="net"``) and the number of negative rows dropped.

    ``days`` keeps only transactions whose day number (since 1970-01-01) is in ``(lo, hi]``.
    A negative value raises (``negative="refuse"``, naming the row), is counted and left out
    (``"drop"``) or goes to the refunds (``"net"``); see
    :mod:`crmkit.segmentation.transactions`.

    The loop is the hot path of the records engine, so it is written for speed: dicts are
    read by subscription and objects by ``getattr``, the period key of each distinct date is computed once
    (a cache keyed by the date value; a dataset has far fewer days than transactions), plain
    ``int``/``float`` values skip the Money/Decimal handling, and names are bound locally.
    Anything unusual (other mappings, a missing field, an unhashable or invalid date, a
    non-number) goes through :func:`_read`, which reads it or raises the precise error.
    """
    out: dict[Any, dict[int, float]] = {}
    refunds: dict[Any, dict[int, float]] = {}
    dropped = 0
    keys: dict[Any, int | None] = {}  # date value → period key (None: outside ``days``)
    get_periods = out.get
    get_key = keys.get
    missing = _MISSING
    plain = (float, int)
    for i, record in enumerate(transactions):
        try:
            if type(record) is dict:
                cid = record[customer]
                when = record[at]
                raw = record[value] if value else 0.0
            elif isinstance(record, Mapping):
                raise LookupError
            else:  # an object such as crmkit.domain.Order
                cid = getattr(record, customer)
                when = getattr(record, at)
                raw = getattr(record, value) if value else 0.0
            key = get_key(when, missing)
        except (LookupError, AttributeError, TypeError):  # a missing field, an unhashable date
            key = missing
            cid = _MISSING
        if cid is missing:  # the careful path (outside the except: no chained tracebacks)
            cid, key, amount = _read(record, i, customer, at, value, time_unit, collapse, what,
                                     days)  # fmt: skip
            if key is None:
                continue
        else:
            if key is missing:
                key = keys[when] = _period_key(when, f"{what}[{i}].{at}", time_unit, collapse,
                                               days)  # fmt: skip
            if key is None:
                continue
            amount = float(raw) if type(raw) in plain else _number(raw, f"{what}[{i}].{value}")
        if amount < 0:
            if negative == "refuse":
                raise amount_error(raw, f"{what}[{i}].{value}")
            if negative == "drop":
                dropped += 1
            else:
                by_key = refunds.setdefault(cid, {})
                by_key[key] = by_key.get(key, 0.0) + amount
            continue
        periods = get_periods(cid)
        if periods is None:
            out[cid] = {key: amount}
        elif key in periods:
            periods[key] += amount
        else:
            periods[key] = amount
    return out, refunds, dropped


_MISSING: Any = object()


def _period_key(
    when: Any, path: str, time_unit: str, collapse: str, days: tuple[int, int] | None
) -> int | None:
    """The period key of a date value, or ``None`` when ``days`` leaves it out."""
    day = _as_date(when, path)
    if days is not None and not days[0] < day.toordinal() - _EPOCH_ORDINAL <= days[1]:
        return None
    return _key_of(day, time_unit, collapse)


def _read(
    record: Any,
    i: int,
    customer: str,
    at: str,
    value: str | None,
    time_unit: str,
    collapse: str,
    what: str,
    days: tuple[int, int] | None,
) -> tuple[Any, int | None, float]:
    """One record read field by field (any record type), raising precise errors."""
    path = f"{what}[{i}]"
    cid = _field(record, customer, path)
    key = _period_key(_field(record, at, path), f"{path}.{at}", time_unit, collapse, days)
    if key is None:  # left out by ``days``: its value is not read
        return cid, None, 0.0
    amount = _number(_field(record, value, path), f"{path}.{value}") if value else 0.0
    return cid, key, amount


def _net(total: float, refunds: dict[int, float] | None, end_key: int) -> float:
    """``total`` less the refunds up to ``end_key``, stopping at zero."""
    if refunds:
        total += sum([amount for key, amount in refunds.items() if key <= end_key])
    return total if total > 0 else 0.0


def _summaries(
    periods: dict[Any, dict[int, float]],
    end_key: int,
    divisor: float,
    with_value: bool,
    refunds: dict[Any, dict[int, float]] | None = None,
) -> list[CustomerSummary]:
    rows: list[CustomerSummary] = []
    append = rows.append
    summary = CustomerSummary
    for cid, by_key in periods.items():
        if len(by_key) == 1:  # most customers buy in one period only
            (first,) = by_key
            if first > end_key:
                continue
            append(summary(cid, 0, 0.0, (end_key - first) / divisor, 0.0 if with_value else None))
            continue
        keys = sorted(by_key)
        if keys[-1] > end_key:
            keys = keys[: bisect.bisect_right(keys, end_key)]
            if not keys:
                continue
        first, last = keys[0], keys[-1]
        frequency = len(keys) - 1
        monetary: float | None = None
        if with_value:
            repeat = sum([by_key[k] for k in keys[1:]])
            if refunds:
                repeat = _net(repeat, refunds.get(cid), end_key)
            monetary = repeat / frequency if frequency else 0.0
        append(
            summary(cid, frequency, (last - first) / divisor, (end_key - first) / divisor, monetary)
        )
    return rows


def _end_key(
    as_of: date | datetime | str | None,
    periods: dict[Any, dict[int, float]],
    time_unit: str,
    collapse: str,
    what: str,
) -> int:
    if as_of is not None:
        return _key_of(_as_date(as_of, "as_of"), time_unit, collapse)
    if not periods:
        raise ValidationError.single(what, message="is empty; there is no transaction to summarise")
    return max(max(p) for p in periods.values())


# --------------------------------------------------------------------------- frames engine


def _frame_keys(nw: Any, day: Any, time_unit: str, collapse: str) -> Any:
    """A narwhals expression for the period key of a day-number expression (not months).

    The day number (:func:`crmkit.frames.day_number_expr`) is the UTC calendar day on every
    engine, so the frames engine keys every purchase exactly as the records engine does (see
    the docs page *Time and boundaries*).
    """
    if collapse == "day" or time_unit == "days":
        return day
    return (day + 3) // 7  # 1970-01-01 was a Thursday; weeks start on Monday


def _frame_period_table(
    frame: Any,
    customer: str,
    at: str,
    value: str | None,
    time_unit: str,
    collapse: str,
    *,
    with_day: bool = False,
    negative: Negative = "refuse",
) -> tuple[Any, Any]:
    """The keyed purchases ``(customer, __key[, __value][, __day])`` and, for
    ``negative="net"``, the keyed refunds (else ``None``)."""
    nw = narwhals()
    columns = [customer, at] + ([value] if value else [])
    schema = column_types(frame)
    require_columns(frame, columns, what="transactions", schema=schema)
    frame, schema = dates_from_objects(frame, [at], schema)  # pandas columns of dates
    at_type = schema[at]
    if not (isinstance(at_type, nw.Datetime) or at_type == nw.Date):
        raise ValidationError.single(
            f"transactions.{at}", str(at_type), "must be a date or datetime column"
        )
    frame, schema = in_utc(frame, [at], schema)  # aware columns count by their UTC day
    months = time_unit == "months" and collapse == "period"
    # in UTC now, except on Spark (the zone lives in its session): read the month directly
    direct = months and not frame.implementation.is_spark_like()
    at_col = nw.col(at)
    # the day number is one column first: the period key reads it several times
    days = frame.select(
        nw.col(customer),
        day_number_expr(at_col, schema[at], frame.implementation).alias("__day"),
        *([nw.col(value).cast(nw.Float64).alias("__value")] if value else []),
        *([at_col.dt.year().cast(nw.Int64).alias("__year"),
           at_col.dt.month().cast(nw.Int64).alias("__month")] if direct else []),
    )  # fmt: skip
    day = nw.col("__day")
    if months:  # calendar months of the UTC day
        key = nw.col("__year") * 12 + nw.col("__month") - 1
        if not direct:
            days = with_year_month(days, "__day", "__year", "__month")
    else:
        key = _frame_keys(nw, day, time_unit, collapse)
    keyed = days.select(
        nw.col(customer),
        key.alias("__key"),
        *([nw.col("__value")] if value else []),
        *([day] if with_day else []),
    )
    if not value:
        return keyed, None
    is_refund = (nw.col(value) < 0).fill_null(value=False)
    if not is_lazy(frame):
        count = int(frame.select(is_refund.sum()).item() or 0)
        if count and negative == "refuse":
            index, amount = first_row(frame, is_refund, value)
            raise amount_error(amount, f"transactions[{index}].{value}")
        if negative == "drop":
            report_dropped(count, f"transactions.{value}", inside=__name__)
    if negative == "refuse":
        return keyed, None
    refund = nw.col("__value") < 0
    refunds = keyed.filter(refund) if negative == "net" else None
    return keyed.filter(~refund.fill_null(value=False)), refunds


def _frame_end_key(
    keyed: Any, as_of: date | datetime | str | None, time_unit: str, collapse: str
) -> int:
    if as_of is not None:
        return _key_of(_as_date(as_of, "as_of"), time_unit, collapse)
    nw = narwhals()
    top = keyed.select(nw.col("__key").max())
    if is_lazy(top):
        top = top.collect()
    value = top.item(0, 0)
    if value is None:
        raise ValidationError.single(
            "transactions", message="is empty; there is no transaction to summarise"
        )
    return int(value)


def _frame_summary(
    keyed: Any,
    customer: str,
    end_key: int,
    divisor: float,
    with_value: bool,
    refunds: Any = None,
) -> Any:
    nw = narwhals()
    aggs = [nw.col("__value").sum()] if with_value else [nw.len().alias("__n")]

    def per_customer(kept: Any) -> Any:  # per customer: keeps Dask's partitions (per_key)
        per_period = kept.group_by(customer, "__key").agg(*aggs)
        customers = per_period.group_by(customer).agg(
            nw.col("__key").min().alias("__first"),
            nw.col("__key").max().alias("__last"),
            nw.len().alias("__periods"),
            *([nw.col("__value").sum().alias("__total")] if with_value else []),
        )
        if not with_value:
            return customers
        first_values = per_period.join(
            customers.select(nw.col(customer), nw.col("__first").alias("__key")),
            on=[customer, "__key"],
        ).select(nw.col(customer), nw.col("__value").alias("__first_value"))
        return customers.join(first_values, on=customer)

    customers = per_key(keyed.filter(nw.col("__key") <= end_key), [customer], per_customer)
    periods = nw.col("__periods").cast(nw.Float64)
    out = [
        nw.col(customer),
        (nw.col("__periods") - 1).cast(nw.Int64).alias("frequency"),
        ((nw.col("__last") - nw.col("__first")).cast(nw.Float64) / divisor).alias("recency"),
        ((nw.lit(end_key) - nw.col("__first")).cast(nw.Float64) / divisor).alias("T"),
    ]
    if with_value:
        repeat = nw.col("__total") - nw.col("__first_value")
        if refunds is not None:  # net: the refunds come off, stopping at zero
            refunded = per_key(
                refunds.filter(nw.col("__key") <= end_key),
                [customer],
                lambda f: f.group_by(customer).agg(nw.col("__value").sum().alias("__refunds")),
            )
            customers = customers.join(refunded, on=customer, how="left")
            net = repeat + nw.col("__refunds").fill_null(value=0.0)
            repeat = nw.when(net > 0).then(net).otherwise(nw.lit(0.0))
        out.append(
            nw.when(nw.col("__periods") > 1)
            .then(repeat / (periods - 1.0))
            .otherwise(nw.lit(0.0))
            .alias("monetary_value")
        )
    return customers.select(*out)


# --------------------------------------------------------------------------- public API


@overload
def summarise(
    transactions: SupportsToNative[FrameT],
    *,
    as_of: date | datetime | str | None = ...,
    customer: str = ...,
    date_field: str = ...,
    amount: str | None = ...,
    time_unit: TimeUnit = ...,
    collapse: Collapse = ...,
    negative: Negative = ...,
    progress: ProgressOption = ...,
) -> FrameT: ...
@overload
def summarise(
    transactions: FrameT,
    *,
    as_of: date | datetime | str | None = ...,
    customer: str = ...,
    date_field: str = ...,
    amount: str | None = ...,
    time_unit: TimeUnit = ...,
    collapse: Collapse = ...,
    negative: Negative = ...,
    progress: ProgressOption = ...,
) -> FrameT: ...
@overload
def summarise(
    transactions: Records,
    *,
    as_of: date | datetime | str | None = ...,
    customer: str = ...,
    date_field: str = ...,
    amount: str | None = ...,
    time_unit: TimeUnit = ...,
    collapse: Collapse = ...,
    negative: Negative = ...,
    progress: ProgressOption = ...,
) -> list[CustomerSummary]: ...


@renamed(at="date_field", value="amount", observation_end="as_of")
def summarise(
    transactions: Any,
    *,
    as_of: date | datetime | str | None = None,
    customer: str = "account_id",
    date_field: str = "ordered_at",
    amount: str | None = None,
    time_unit: TimeUnit = "weeks",
    collapse: Collapse = "period",
    negative: Negative = "refuse",
    progress: ProgressOption = None,
) -> Any:
    """Summarise transactions into one :class:`CustomerSummary` per customer.

    Args:
        transactions: an iterable of records (dicts or objects such as
            :class:`crmkit.domain.Order`) or a dataframe (eager or lazy).
        as_of: the end of observation, the analysis date (its period is included);
            transactions after it are ignored. A ``date`` (a datetime counts by its UTC
            day; an ISO 8601 string is read). Required from the next release: without it
            the summary ends at the last transaction, with a :class:`DeprecationWarning`.
        customer: the field or column holding the customer id.
        date_field: the field or column holding the purchase date or datetime (aware
            datetimes count by their UTC calendar day on every engine; see the docs page
            *Time and boundaries*, ``docs/concepts/time-and-boundaries.md``).
        amount: the field or column holding the purchase amount (numbers or
            :class:`~crmkit.domain.Money`); ``None`` leaves ``monetary_value`` out.
        time_unit: ``"days"``, ``"weeks"`` or calendar ``"months"``.
        collapse: ``"period"`` merges purchases in the same time unit (lifetimes' default) and
            measures whole units; ``"day"`` merges per day and measures fractional units.
        negative: what a negative amount (a refund or credit note) means, as in every
            transaction analytic (:mod:`crmkit.segmentation.transactions`): ``"refuse"``
            (the default; an error naming the row), ``"net"`` (not a purchase period; it
            comes off the customer's repeat-purchase total, which stops at zero) or
            ``"drop"`` (left out, counted in a :class:`~crmkit.errors.DroppedRowsWarning`).
        progress: records only: ``True`` for a progress bar over the transactions, or a
            callback ``(done, total)`` (see :mod:`crmkit.progress`); off by default. A frame
            is one plan that its engine runs, without progress.

    The old names ``at``, ``value`` and ``observation_end`` still work for one release, with
    a :class:`DeprecationWarning`.

    Returns:
        For records, a list of :class:`CustomerSummary` in order of first appearance. For a
        frame, a frame of the same kind (lazy stays lazy) with the customer column and
        ``frequency``, ``recency``, ``T`` (and ``monetary_value``). Nothing is collected,
        except the last transaction's period when ``as_of`` is not given (one number, small
        by construction). On Dask the per-customer group-bys keep the transactions'
        partitions (:func:`crmkit.frames.per_key`); on Spark they are hash-partitioned by
        the customer.

    Examples:
        >>> import polars as pl
        >>> from datetime import date
        >>> from crmkit.clv import summarise
        >>> frame = pl.LazyFrame({"account_id": ["a", "a", "a"],
        ...                       "ordered_at": [date(2024, 1, 5), date(2024, 1, 20),
        ...                                      date(2024, 3, 2)]})
        >>> out = summarise(frame, time_unit="months", as_of=date(2024, 4, 30))
        >>> type(out).__name__
        'LazyFrame'
        >>> out.collect().to_dicts()
        [{'account_id': 'a', 'frequency': 1, 'recency': 2.0, 'T': 3.0}]
    """
    _check_options(time_unit, collapse)
    check_negative(negative)
    if as_of is None:
        warn_missing("as_of", where="summarise", old="the last transaction", inside=__name__)
    divisor = _divisor(time_unit, collapse)
    if is_frame(transactions):
        keyed, refunds = _frame_period_table(
            from_native(transactions), customer, date_field, amount, time_unit, collapse,
            negative=negative,
        )  # fmt: skip
        end_key = _frame_end_key(keyed, as_of, time_unit, collapse)
        return to_native(
            _frame_summary(keyed, customer, end_key, divisor, amount is not None, refunds)
        )
    periods, refunds_by, dropped = _periods(
        track(transactions, progress, description="summarising"), customer, date_field,
        amount, time_unit, collapse, "transactions", negative=negative,
    )  # fmt: skip
    report_dropped(dropped, f"transactions.{amount}", inside=__name__)
    end_key = _end_key(as_of, periods, time_unit, collapse, "transactions")
    rows = _summaries(periods, end_key, divisor, amount is not None, refunds_by)
    if not rows:
        raise ValidationError.single(
            "transactions", message="has no transaction on or before as_of"
        )
    return rows


@overload
def calibration_holdout(
    transactions: SupportsToNative[FrameT],
    *,
    calibration_end: date | datetime | str,
    as_of: date | datetime | str,
    customer: str = ...,
    date_field: str = ...,
    amount: str | None = ...,
    time_unit: TimeUnit = ...,
    collapse: Collapse = ...,
    negative: Negative = ...,
) -> FrameT: ...
@overload
def calibration_holdout(
    transactions: FrameT,
    *,
    calibration_end: date | datetime | str,
    as_of: date | datetime | str,
    customer: str = ...,
    date_field: str = ...,
    amount: str | None = ...,
    time_unit: TimeUnit = ...,
    collapse: Collapse = ...,
    negative: Negative = ...,
) -> FrameT: ...
@overload
def calibration_holdout(
    transactions: Records,
    *,
    calibration_end: date | datetime | str,
    as_of: date | datetime | str,
    customer: str = ...,
    date_field: str = ...,
    amount: str | None = ...,
    time_unit: TimeUnit = ...,
    collapse: Collapse = ...,
    negative: Negative = ...,
) -> list[CalibrationHoldout]: ...


@renamed(at="date_field", value="amount", observation_end="as_of")
def calibration_holdout(
    transactions: Any,
    *,
    calibration_end: date | datetime | str,
    as_of: date | datetime | str,
    customer: str = "account_id",
    date_field: str = "ordered_at",
    amount: str | None = None,
    time_unit: TimeUnit = "weeks",
    collapse: Collapse = "period",
    negative: Negative = "refuse",
) -> Any:
    """Split transactions into a calibration summary and what happened in the holdout period.

    Customers whose first purchase is after ``calibration_end`` are left out (the models
    cannot know them). The holdout period runs from just after ``calibration_end`` to
    ``as_of`` (the end of observation); ``frequency_holdout`` counts purchase periods in it
    and ``monetary_value_holdout`` is their mean value. This is lifetimes'
    ``calibration_and_holdout_data``. The other arguments are those of :func:`summarise`
    (``negative="net"`` nets refunds within each period of analysis: the calibration's
    repeat purchases and the holdout's purchases); the old names ``at``, ``value`` and
    ``observation_end`` still work for one release, with a :class:`DeprecationWarning`.

    Returns:
        For records, a list of :class:`CalibrationHoldout`; for a frame, a frame of the same
        kind with the columns named like the fields.

    Examples:
        >>> from datetime import date
        >>> from crmkit.clv import calibration_holdout
        >>> orders = [{"account_id": "a", "ordered_at": date(2024, 1, d)} for d in (1, 3, 9)]
        >>> calibration_holdout(orders, calibration_end=date(2024, 1, 4),
        ...                     as_of=date(2024, 1, 10), time_unit="days")
        [CalibrationHoldout(customer_id='a', frequency_cal=1, recency_cal=2.0, T_cal=3.0, \
monetary_value_cal=None, frequency_holdout=1, monetary_value_holdout=None, duration_holdout=6.0)]
    """
    _check_options(time_unit, collapse)
    check_negative(negative)
    divisor = _divisor(time_unit, collapse)
    cal_key = _key_of(_as_date(calibration_end, "calibration_end"), time_unit, collapse)
    end_key = _key_of(_as_date(as_of, "as_of"), time_unit, collapse)
    if end_key <= cal_key:
        raise ValidationError.single("as_of", as_of, "must be after calibration_end")
    duration = (end_key - cal_key) / divisor
    with_value = amount is not None
    cal_day = _as_date(calibration_end, "calibration_end").toordinal() - _EPOCH_ORDINAL
    end_day = _as_date(as_of, "as_of").toordinal() - _EPOCH_ORDINAL
    if is_frame(transactions):
        return to_native(
            _frame_calibration_holdout(
                from_native(transactions), customer, date_field, amount, time_unit, collapse,
                cal_key, (cal_day, end_day), duration, negative,
            )
        )  # fmt: skip
    rows_in = transactions if isinstance(transactions, list) else list(transactions)
    read = (rows_in, customer, date_field, amount, time_unit, collapse, "transactions")
    periods, cal_refunds, dropped = _periods(*read, (-(10**9), cal_day), negative)
    later, later_refunds, dropped_later = _periods(*read, (cal_day, end_day), negative)
    report_dropped(dropped + dropped_later, f"transactions.{amount}", inside=__name__)
    calibration = _summaries(periods, cal_key, divisor, with_value, cal_refunds)
    if not calibration:
        raise ValidationError.single(
            "transactions", message="has no transaction on or before calibration_end"
        )
    rows: list[CalibrationHoldout] = []
    for row in calibration:
        holdout = list(later.get(row.customer_id, {}).values())
        mean: float | None = None
        if with_value:
            total = _net(sum(holdout), later_refunds.get(row.customer_id), end_key)
            mean = total / len(holdout) if holdout else 0.0
        rows.append(
            CalibrationHoldout(
                row.customer_id,
                row.frequency,
                row.recency,
                row.T,
                row.monetary_value,
                len(holdout),
                mean,
                duration,
            )
        )
    return rows


def _frame_calibration_holdout(
    frame: Any,
    customer: str,
    at: str,
    value: str | None,
    time_unit: str,
    collapse: str,
    cal_key: int,
    days: tuple[int, int],
    duration: float,
    negative: Negative,
) -> Any:
    nw = narwhals()
    divisor = _divisor(time_unit, collapse)
    with_value = value is not None
    keyed, refunds = _frame_period_table(
        frame, customer, at, value, time_unit, collapse, with_day=True, negative=negative
    )
    in_calibration = nw.col("__day") <= days[0]
    in_holdout = (nw.col("__day") > days[0]) & (nw.col("__day") <= days[1])
    cal = _frame_summary(
        keyed.filter(in_calibration), customer, cal_key, divisor, with_value,
        None if refunds is None else refunds.filter(in_calibration),
    )  # fmt: skip
    rename = {"frequency": "frequency_cal", "recency": "recency_cal", "T": "T_cal"}
    if with_value:
        rename["monetary_value"] = "monetary_value_cal"
    cal = cal.rename(rename)
    hold = keyed.filter(in_holdout)
    aggs = [nw.col("__value").sum()] if with_value else [nw.len().alias("__n")]
    hold = per_key(  # per customer: keeps Dask's partitions
        hold,
        [customer],
        lambda rows: (
            rows.group_by(customer, "__key")
            .agg(*aggs)
            .group_by(customer)
            .agg(
                nw.len().alias("__h_periods"),
                *([nw.col("__value").mean().alias("__h_mean")] if with_value else []),
            )
        ),
    )
    if refunds is not None:  # net: the holdout's refunds come off its mean, stopping at zero
        refunded = per_key(
            refunds.filter(in_holdout),
            [customer],
            lambda rows: rows.group_by(customer).agg(nw.col("__value").sum().alias("__h_refunds")),
        )
        hold = hold.join(refunded, on=customer, how="left")
        net = nw.col("__h_mean") + nw.col("__h_refunds").fill_null(value=0.0) / nw.col(
            "__h_periods"
        ).cast(nw.Float64)
        hold = hold.with_columns(
            nw.when(net > 0).then(net).otherwise(nw.lit(0.0)).alias("__h_mean")
        )
    joined = cal.join(hold, on=customer, how="left")
    out = [
        nw.col(customer),
        *(nw.col(c) for c in rename.values()),
        nw.col("__h_periods").fill_null(0).cast(nw.Int64).alias("frequency_holdout"),
    ]
    if with_value:
        out.append(nw.col("__h_mean").fill_null(0.0).alias("monetary_value_holdout"))
    out.append(nw.lit(duration).cast(nw.Float64).alias("duration_holdout"))
    return joined.select(*out)
