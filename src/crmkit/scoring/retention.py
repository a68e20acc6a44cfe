"""Retention and churn for a period, and the cohort retention table.

Both read purchases (orders) as records or a frame with a customer column and a date or
datetime column (``account_id`` and ``ordered_at`` by default, the names of crmkit's
``Order``).

* :func:`period_retention`: of the customers who bought in the *previous* period, the share
  who bought again in the *current* one (retention), and ``1 − retention`` (churn).
* :func:`retention_rate`: the classic head-count formula ``(E − N) / S``.
* :func:`cohort_retention`: customers grouped by the month (or year) of their first purchase;
  for each later period offset, the share of the cohort that bought.

Examples:
    >>> from datetime import date
    >>> from crmkit.scoring import period_retention
    >>> orders = [{"account_id": "a", "ordered_at": date(2024, 3, 1)},
    ...           {"account_id": "b", "ordered_at": date(2024, 5, 1)},
    ...           {"account_id": "a", "ordered_at": date(2025, 2, 1)}]
    >>> r = period_retention(orders, previous=(date(2024, 1, 1), date(2024, 12, 31)),
    ...                      current=(date(2025, 1, 1), date(2025, 12, 31)))
    >>> r.retention, r.churn
    (0.5, 0.5)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from typing import Any, overload

import attrs

from crmkit._deprecation import renamed
from crmkit.display import ResultRow
from crmkit.errors import ValidationError
from crmkit.frames import (
    FrameT,
    Records,
    SupportsToNative,
    collect,
    column_types,
    day_number,
    day_number_expr,
    from_native,
    in_utc,
    is_frame,
    narwhals,
    read_field,
    require_columns,
    to_native,
    utc_date,
    with_year_month,
)
from crmkit.scoring._period import (
    period_index,
    period_label,
    period_label_expr,
    period_of_index,
)

__all__ = [
    "CohortCell",
    "PeriodRetention",
    "cohort_retention",
    "period_retention",
    "retention_rate",
]


def retention_rate(start: int, end: int, new: int) -> float:
    """Customer retention rate ``(E − N) / S``: customers at the end of the period minus the
    new ones, over the customers at the start.

    Examples:
        >>> from crmkit.scoring import retention_rate
        >>> retention_rate(start=200, end=210, new=30)
        0.9
    """
    for name, value in (("start", start), ("end", end), ("new", new)):
        if value < 0:
            raise ValidationError.single(name, value, "must be zero or more")
    if start == 0:
        raise ValidationError.single("start", start, "must be greater than zero")
    if new > end:
        raise ValidationError.single("new", new, "cannot exceed the customers at the end")
    if end - new > start:
        raise ValidationError.single(
            "end", end, "minus the new customers cannot exceed the customers at the start"
        )
    return (end - new) / start


@attrs.frozen
class PeriodRetention(ResultRow):
    """Customers of the previous period, how many bought again, retention and churn.

    Examples:
        >>> from crmkit.scoring import PeriodRetention
        >>> PeriodRetention(4, 3).churn
        0.25
    """

    customers: int
    retained: int

    @property
    def retention(self) -> float:
        """Retained ÷ customers (``nan`` without customers)."""
        return self.retained / self.customers if self.customers else float("nan")

    @property
    def churn(self) -> float:
        """1 − retention."""
        return 1.0 - self.retention


def _day(value: Any, path: str) -> date:
    """The UTC calendar day of a date or datetime (the docs page *Time and boundaries*)."""
    if isinstance(value, date):
        return utc_date(value)
    raise ValidationError.single(path, value, "must be a date or datetime")


def _window(window: tuple[date, date], name: str) -> tuple[date, date]:
    start, end = window
    if end < start:
        raise ValidationError.single(name, window, "ends before it starts")
    return start, end


@renamed(at="date_field")
def period_retention(
    orders: Any,
    *,
    previous: tuple[date, date],
    current: tuple[date, date],
    customer: str = "account_id",
    date_field: str = "ordered_at",
) -> PeriodRetention:
    """Retention from the previous period's buyers to the current period (both inclusive).

    Examples:
        >>> import polars as pl
        >>> from datetime import date
        >>> from crmkit.scoring import period_retention
        >>> df = pl.DataFrame({"account_id": ["a", "b", "a"],
        ...                    "ordered_at": [date(2024, 3, 1), date(2024, 5, 1), date(2025, 2, 1)]})
        >>> period_retention(df, previous=(date(2024, 1, 1), date(2024, 12, 31)),
        ...                  current=(date(2025, 1, 1), date(2025, 12, 31)))
        PeriodRetention(customers=2, retained=1)
    """
    p0, p1 = _window(previous, "previous")
    c0, c1 = _window(current, "current")
    if is_frame(orders):
        nw = narwhals()
        frame = from_native(orders)
        require_columns(frame, [customer, date_field], what="orders")
        frame = _with_day(frame, date_field)
        day = nw.col("__day")
        lo, hi = day_number(p0), day_number(p1)
        before = (
            frame.filter((day >= lo) & (day <= hi)).select(nw.col(customer)).unique()
            .with_columns(nw.lit(1).alias("__prev"))
        )  # fmt: skip
        lo, hi = day_number(c0), day_number(c1)
        after = (
            frame.filter((day >= lo) & (day <= hi)).select(nw.col(customer)).unique()
            .with_columns(nw.lit(1).alias("__cur"))
        )  # fmt: skip
        joined = before.join(after, on=customer, how="left").select(
            nw.len().alias("n"), nw.col("__cur").count().alias("kept")
        )
        joined = collect(joined)
        return PeriodRetention(int(joined["n"][0]), int(joined["kept"][0] or 0))
    prev: set[Any] = set()
    cur: set[Any] = set()
    for who, day_value in _order_days(orders, customer, date_field):
        if p0 <= day_value <= p1:
            prev.add(who)
        if c0 <= day_value <= c1:
            cur.add(who)
    return PeriodRetention(len(prev), len(prev & cur))


def _order_days(orders: Records, customer: str, date_field: str) -> Iterator[tuple[Any, date]]:
    """Each order's customer and day (the day is read first)."""
    for i, order in enumerate(orders):
        day_value = _day(
            read_field(
                order, date_field, what=f"orders[{i}]", paths=True, custom=True, floats=True
            ),
            f"orders[{i}].{date_field}",
        )
        who = read_field(order, customer, what=f"orders[{i}]", paths=True, custom=True, floats=True)
        yield who, day_value


def _with_day(frame: Any, at: str) -> Any:
    """``frame`` with ``__day``: the day number of ``at``'s UTC calendar day, on any engine."""
    nw = narwhals()
    schema = column_types(frame)
    dtype = schema[at]
    if not (isinstance(dtype, nw.Datetime) or dtype == nw.Date):
        raise ValidationError.single(
            f"orders.{at}", str(dtype), "must be a date or datetime column"
        )
    frame, schema = in_utc(frame, [at], schema)
    return frame.with_columns(
        day_number_expr(nw.col(at), schema[at], frame.implementation).alias("__day")
    )


@attrs.frozen
class CohortCell(ResultRow):
    """One cell of a cohort table: cohort, periods since the first purchase, buyers, share.

    Examples:
        >>> from crmkit.scoring import CohortCell
        >>> CohortCell("2025-01", 1, 3, 0.75).rate
        0.75
    """

    cohort: str
    offset: int
    customers: int
    rate: float


@overload
def cohort_retention(
    orders: SupportsToNative[FrameT],
    *,
    period: str = ...,
    customer: str = ...,
    date_field: str = ...,
) -> FrameT: ...
@overload
def cohort_retention(
    orders: FrameT, *, period: str = ..., customer: str = ..., date_field: str = ...
) -> FrameT: ...
@overload
def cohort_retention(
    orders: Records, *, period: str = ..., customer: str = ..., date_field: str = ...
) -> list[CohortCell]: ...


@renamed(at="date_field")
def cohort_retention(
    orders: Any,
    *,
    period: str = "month",
    customer: str = "account_id",
    date_field: str = "ordered_at",
) -> Any:
    """The cohort retention table: per first-purchase period (cohort) and offset (0 = the
    first period), the customers who bought and their share of the cohort.

    Records give a list of :class:`CohortCell` sorted by cohort and offset; a frame gives a
    frame with columns ``cohort``, ``offset``, ``customers``, ``rate`` in the same order.

    Examples:
        >>> from datetime import date
        >>> from crmkit.scoring import cohort_retention
        >>> orders = [{"account_id": "a", "ordered_at": date(2025, 1, 5)},
        ...           {"account_id": "b", "ordered_at": date(2025, 1, 9)},
        ...           {"account_id": "a", "ordered_at": date(2025, 3, 1)}]
        >>> [(c.cohort, c.offset, c.customers, c.rate) for c in cohort_retention(orders)]
        [('2025-01', 0, 2, 1.0), ('2025-01', 2, 1, 0.5)]
    """
    if period not in ("month", "year"):
        raise ValidationError.single("period", period, "must be 'month' or 'year'")
    if is_frame(orders):
        return to_native(_cohort_frame(from_native(orders), period, customer, date_field))
    active: dict[Any, set[int]] = defaultdict(set)
    for who, day_value in _order_days(orders, customer, date_field):
        active[who].add(period_index(day_value.year, day_value.month, period))
    cells: dict[tuple[int, int], int] = defaultdict(int)
    sizes: dict[int, int] = defaultdict(int)
    for periods in active.values():
        first = min(periods)
        sizes[first] += 1
        for p in periods:
            cells[(first, p - first)] += 1
    return [
        CohortCell(period_label(*period_of_index(c, period), period), off, n, n / sizes[c])
        for (c, off), n in sorted(cells.items())
    ]


def _cohort_frame(frame: Any, period: str, customer: str, at: str) -> Any:
    nw = narwhals()
    require_columns(frame, [customer, at], what="orders")
    frame = with_year_month(_with_day(frame, at), "__day", "__year", "__month")
    index = period_index(nw.col("__year"), nw.col("__month"), period)
    activity = frame.select(nw.col(customer), index.alias("__p")).unique()
    firsts = activity.group_by(customer).agg(nw.col("__p").min().alias("__first"))
    sizes = firsts.group_by("__first").agg(nw.len().alias("__size"))
    table = (
        activity.join(firsts, on=customer)
        .with_columns((nw.col("__p") - nw.col("__first")).alias("offset"))
        .group_by("__first", "offset")
        .agg(nw.len().alias("customers"))
        .join(sizes, on="__first")
        .with_columns((nw.col("customers") / nw.col("__size")).alias("rate"))
    )
    label = period_label_expr(*period_of_index(nw.col("__first"), period), period)
    return (
        table.sort("__first", "offset")
        .with_columns(label.alias("cohort"))
        .select("cohort", "offset", nw.col("customers").cast(nw.Int64()), "rate")
    )
