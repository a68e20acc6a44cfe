"""Transactions → one row per customer: last purchase, number of purchases and total spend.

Every transaction-based segmentation (RFM, customer status, repurchase buckets, ABC) starts
with this aggregation, so its input rules are defined once:

* **Columns** are parameters; the defaults fit :class:`crmkit.domain.Order` records and order
  frames: ``customer="account_id"``, ``date_field="ordered_at"``, ``amount="total"`` (the
  public analytics' names; the helpers here call the date field ``at``).
* **Records** are attrs objects or dicts. ``amount`` may be :class:`~crmkit.domain.Money`
  (read as its Decimal amount), ``int``, ``float`` or ``Decimal``; anything else, a missing
  value or NaN raises :class:`~crmkit.errors.ValidationError` naming the row
  (``orders[3].total``). ``at`` must be all ``date`` or all naive ``datetime`` or all
  aware ``datetime``; a mix raises. Aware datetimes count by their UTC calendar day, in any
  zone and on every engine (the docs page *Time and boundaries*,
  ``docs/concepts/time-and-boundaries.md``).
* **Frames** must have the columns (missing ones are named), a numeric amount column and a
  date or datetime ``at`` column (a pandas ``object`` column of Python dates is read as one,
  :func:`crmkit.frames.dates_from_objects`). Eager frames (pandas, Polars, PyArrow) are also
  checked for missing values and negative amounts, and an error names the first row at fault
  by its position, as on records (``orders[3].total``); lazy frames (DuckDB, Dask, PySpark,
  Polars ``LazyFrame``) are checked for columns and types only, because checking values would
  force a computation.
* **Negative amounts** (refunds, credit notes) follow one option, ``negative`` (see
  :data:`NEGATIVE_OPTIONS`): ``"refuse"`` (the default) raises
  :class:`~crmkit.errors.ValidationError` naming the row and the option; ``"net"`` makes a
  negative amount a refund: it is not a purchase (it counts in neither the frequency nor the
  last purchase) and is subtracted from its customer's total, which stops at zero (a refund
  of a purchase made before the data starts); ``"drop"`` leaves negative rows out and reports
  how many in a :class:`~crmkit.errors.DroppedRowsWarning` (lazy frames drop them in their
  query and report no count, which would force a computation). Transactions after the as-of
  date are left out first, refunds too.
* **As-of date.** Transactions after the as-of date (by UTC calendar day) are ignored, so an
  analysis can be repeated as of any past date.
* **Empty input** gives an empty result (no error).

Examples:
    >>> import datetime as dt
    >>> from crmkit.segmentation.transactions import aggregate_records
    >>> orders = [
    ...     {"account_id": "a", "ordered_at": dt.date(2024, 1, 5), "total": 100},
    ...     {"account_id": "a", "ordered_at": dt.date(2024, 3, 1), "total": 50},
    ... ]
    >>> aggregate_records(orders, customer="account_id", at="ordered_at", amount="total",
    ...                   as_of=dt.date(2024, 12, 31))
    {'a': [datetime.date(2024, 3, 1), 2, 150]}
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from itertools import compress
from operator import attrgetter
from types import ModuleType
from typing import Any, Literal

from crmkit._deprecation import warn_at_caller
from crmkit.domain import Money
from crmkit.errors import DroppedRowsWarning, Problem, ValidationError
from crmkit.extras import optional
from crmkit.frames import (
    column_types,
    dates_from_objects,
    day_number,
    day_number_expr,
    day_numbers,
    from_native,
    in_utc,
    is_lazy,
    lazy_plan,
    narwhals,
    per_key,
    require_columns,
)
from crmkit.frames.day_number import EPOCH, numbered_by_ordinal

__all__ = [
    "NEGATIVE_OPTIONS",
    "Negative",
    "aggregate_columns",
    "aggregate_frame",
    "aggregate_records",
    "amount_error",
    "check_as_of",
    "check_negative",
    "first_row",
    "report_dropped",
]

#: What to do with a negative amount (a refund or credit note); see the module docstring.
Negative = Literal["refuse", "net", "drop"]
NEGATIVE_OPTIONS: tuple[Negative, ...] = ("refuse", "net", "drop")
_HINT = (
    "; amounts must be zero or more (pass negative='net' to net refunds and credit notes "
    "within the customer, or negative='drop' to leave them out)"
)


def check_negative(negative: Any) -> Negative:
    """Validate the ``negative`` option.

    Examples:
        >>> from crmkit.segmentation.transactions import check_negative
        >>> check_negative("net")
        'net'
        >>> check_negative("keep")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: negative: 'keep' must be 'refuse', 'net' or 'drop'
    """
    if negative not in NEGATIVE_OPTIONS:
        raise ValidationError.single("negative", negative, "must be 'refuse', 'net' or 'drop'")
    result: Negative = negative
    return result


def report_dropped(count: int, path: str, *, inside: str) -> None:
    """Warn that ``count`` negative amounts at ``path`` were left out (none: no warning).

    ``inside`` is the analytic's module: the warning points at its caller's line.

    Examples:
        >>> import warnings
        >>> from crmkit.segmentation.transactions import report_dropped
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     report_dropped(2, "orders.total", inside=__name__)
        >>> caught[0].message.count, str(caught[0].message)
        (2, "orders.total: 2 negative amounts left out (negative='drop')")
    """
    if count:
        warn_at_caller(
            DroppedRowsWarning(path, count, "negative amounts left out (negative='drop')"),
            inside=inside,
        )


def first_row(frame: Any, test: Any, column: str) -> tuple[int, Any]:
    """The position of the first row of an eager narwhals ``frame`` where ``test`` holds, and
    its value in ``column`` — so an error on a frame names the row as on records.

    Examples:
        >>> import pandas as pd
        >>> from crmkit.frames import from_native, narwhals
        >>> from crmkit.segmentation.transactions import first_row
        >>> frame = from_native(pd.DataFrame({"total": [3, -1, -2]}))
        >>> first_row(frame, narwhals().col("total") < 0, "total")
        (1, -1)
    """
    nw = narwhals()
    hit = (
        frame.with_row_index("__crmkit_row")
        .filter(test)
        .select("__crmkit_row", nw.col(column))
        .head(1)
        .row(0)
    )
    return int(hit[0]), hit[1]


def check_as_of(as_of: Any) -> dt.date:
    """Validate an as-of date (a ``date``, not a ``datetime``).

    Examples:
        >>> import datetime as dt
        >>> from crmkit.segmentation.transactions import check_as_of
        >>> check_as_of(dt.datetime(2024, 1, 1))
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: as_of: datetime.datetime(2024, 1, 1, 0, 0) must be a date (a calendar day), not a datetime
    """
    if isinstance(as_of, dt.datetime):
        raise ValidationError.single(
            "as_of", as_of, "must be a date (a calendar day), not a datetime"
        )
    if not isinstance(as_of, dt.date):
        raise ValidationError.single("as_of", as_of, "must be a date")
    return as_of


def _kind(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return "aware datetime" if value.tzinfo is not None else "naive datetime"
    if isinstance(value, dt.date):
        return "date"
    return "other"


def _cutoff(first: Any, as_of: dt.date, path: str) -> Any:
    """The first instant after the as-of day, in the kind of value the column holds."""
    next_day = as_of + dt.timedelta(days=1)
    kind = _kind(first)
    if kind == "date":
        return next_day
    if kind == "naive datetime":
        return dt.datetime.combine(next_day, dt.time())
    if kind == "aware datetime":
        return dt.datetime.combine(next_day, dt.time(), tzinfo=dt.UTC)
    raise ValidationError.single(path, first, "is not a date or datetime")


def _date_error(value: Any, first: Any, path: str) -> ValidationError:
    kind = _kind(value)
    if kind == "other":
        return ValidationError.single(path, value, "is not a date or datetime")
    return ValidationError.single(
        path,
        value,
        f"is a {kind} but earlier rows hold a {_kind(first)}; "
        "do not mix naive and timezone-aware datetimes (or dates and datetimes)",
    )


def amount_error(value: Any, path: str) -> ValidationError:
    """The error for an amount that is not a number, NaN or negative.

    Examples:
        >>> from crmkit.segmentation.transactions import amount_error
        >>> print(amount_error("12", "orders[0].total"))
        orders[0].total: '12' is not a number (give Money, int, float or Decimal)
    """
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return ValidationError.single(
            path, value, "is not a number (give Money, int, float or Decimal)"
        )
    if value != value:
        return ValidationError.single(path, value, "is not a number (NaN)")
    return ValidationError.single(path, value, "is negative" + _HINT)


def aggregate_records(
    rows: Iterable[Any],
    *,
    customer: str,
    at: str,
    amount: str | None,
    as_of: dt.date | None,
    what: str = "orders",
    negative: Negative = "refuse",
    inside: str = __name__,
) -> dict[Any, list[Any]]:
    """Per customer ``[last_at, count, total]`` (``total`` is 0 when ``amount`` is None).

    Customers appear in order of their first transaction. See the module docstring for the
    input rules and ``negative``; ``inside`` is the calling analytic's module (a
    :class:`~crmkit.errors.DroppedRowsWarning` points at its caller).

    Examples:
        >>> import datetime as dt
        >>> from crmkit.segmentation.transactions import aggregate_records
        >>> aggregate_records([{"c": 1, "t": dt.date(2024, 1, 1), "m": -5}], customer="c",
        ...                   at="t", amount="m", as_of=None)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: orders[0].m: -5 is negative; amounts must be zero or \
more (pass negative='net' to net refunds and credit notes within the customer, or \
negative='drop' to leave them out)
        >>> aggregate_records([{"c": 1, "t": dt.date(2024, 1, d), "m": m} for d, m in
        ...                    ((1, 30), (2, -10))], customer="c", at="t", amount="m",
        ...                   as_of=None, negative="net")
        {1: [datetime.date(2024, 1, 1), 1, 20]}
    """
    keys, lasts, counts, totals = aggregate_columns(
        rows, customer=customer, at=at, amount=amount, as_of=as_of, what=what,
        negative=negative, inside=inside,
    )  # fmt: skip
    return {
        key: [last, count, total]
        for key, last, count, total in zip(keys, lasts, counts, totals, strict=True)
    }


def aggregate_columns(
    rows: Iterable[Any],
    *,
    customer: str,
    at: str,
    amount: str | None,
    as_of: dt.date | None,
    what: str = "orders",
    negative: Negative = "refuse",
    inside: str = __name__,
    days: bool = False,
) -> tuple[list[Any], list[Any], list[int], list[Any]]:
    """:func:`aggregate_records` as four columns: the customer ids (in order of their first
    transaction), each one's last transaction, number of transactions and total.

    The same input rules, errors and warnings; the columns are what the records engines go on
    with, so no per-customer object is built (a million transactions make no work for the
    garbage collector). With ``days=True`` the second column holds the day number
    (:func:`crmkit.frames.day_number`: an aware datetime by its UTC day) of each customer's
    last transaction, which is all recency needs: for dates, naive datetimes and UTC
    datetimes the latest day is then taken over integers, without comparing the
    transactions' objects.

    Examples:
        >>> import datetime as dt
        >>> from crmkit.segmentation.transactions import aggregate_columns
        >>> orders = [{"account_id": k, "ordered_at": dt.date(2024, 1, d), "total": m}
        ...           for k, d, m in [("a", 5, 10.0), ("b", 2, 4.0), ("a", 3, 2.5)]]
        >>> aggregate_columns(orders, customer="account_id", at="ordered_at", amount="total",
        ...                   as_of=dt.date(2024, 12, 31))
        (['a', 'b'], [datetime.date(2024, 1, 5), datetime.date(2024, 1, 2)], [2, 1], [12.5, 4.0])
        >>> aggregate_columns(orders, customer="account_id", at="ordered_at", amount="total",
        ...                   as_of=dt.date(2024, 12, 31), days=True)[1]
        [19727, 19724]
    """
    check_negative(negative)
    if not isinstance(rows, list | tuple):
        rows = list(rows)
    if as_of is not None and rows and type(rows[0]) is dict:
        first_at = rows[0].get(at)
        if _kind(first_at) != "other":
            cutoff = _cutoff(first_at, as_of, at)
            fast = _aggregate_dicts(rows, customer, at, amount, cutoff, days=days)
            if fast is not None:
                return fast
    stats, refunds, dropped = _aggregate_records(rows, customer, at, amount, as_of, what, negative)
    if refunds:
        for key, refund in refunds.items():
            entry = stats.get(key)
            if entry is not None:
                try:
                    total = entry[2] + refund
                except TypeError:  # Decimal and float amounts in one column
                    total = float(entry[2]) + float(refund)
                entry[2] = total if total > 0 else type(total)(0)
    report_dropped(dropped, f"{what}.{amount}", inside=inside)
    entries = list(stats.values())
    lasts = [entry[0] for entry in entries]
    return (
        list(stats),
        day_numbers(lasts) if days else lasts,
        [entry[1] for entry in entries],
        [entry[2] for entry in entries],
    )


def _aggregate_records(
    rows: Sequence[Any],
    customer: str,
    at: str,
    amount: str | None,
    as_of: dt.date | None,
    what: str,
    negative: Negative,
) -> tuple[dict[Any, list[Any]], dict[Any, Any], int]:
    """``(stats, refunds per customer, rows dropped)``; see :func:`aggregate_records`."""
    stats: dict[Any, list[Any]] = {}
    refunds: dict[Any, Any] = {}
    dropped = 0
    cutoff: Any = None
    first: Any = None
    money = Money
    number_types = (int, float, Decimal)
    index = -1
    for index, row in enumerate(rows):
        try:
            if type(row) is dict or isinstance(row, Mapping):
                key = row[customer]
                when = row[at]
                value: Any = row[amount] if amount is not None else 0
            else:
                key = getattr(row, customer)
                when = getattr(row, at)
                value = getattr(row, amount) if amount is not None else 0
        except (KeyError, AttributeError) as error:
            name = error.args[0] if isinstance(error, KeyError) else None
            missing = (
                name if name in (customer, at, amount) else _missing_name(row, customer, at, amount)
            )
            raise ValidationError.single(
                f"{what}[{index}].{missing}", message="is missing from the record"
            ) from None
        if first is None:
            first = when
            if as_of is not None:
                cutoff = _cutoff(when, as_of, f"{what}[{index}].{at}")
            elif _kind(when) == "other":
                raise ValidationError.single(
                    f"{what}[{index}].{at}", when, "is not a date or datetime"
                )
        try:
            if cutoff is not None:
                if when >= cutoff:
                    continue
            elif _kind(when) != _kind(first):
                raise TypeError
        except TypeError:
            raise _date_error(when, first, f"{what}[{index}].{at}") from None
        kind = type(value)
        if kind is money:
            value = value.amount
        elif kind not in number_types and (
            isinstance(value, bool) or not isinstance(value, number_types)
        ):
            raise amount_error(value, f"{what}[{index}].{amount}")
        if value != value or not value >= 0:  # NaN (float or Decimal) or negative
            if value != value or negative == "refuse":
                raise amount_error(value, f"{what}[{index}].{amount}")
            if key is None:
                raise ValidationError.single(f"{what}[{index}].{customer}", None, "is missing")
            if negative == "drop":
                dropped += 1
            else:  # net: a refund, not a purchase
                refunds[key] = refunds[key] + value if key in refunds else value
            continue
        if key is None:
            raise ValidationError.single(f"{what}[{index}].{customer}", None, "is missing")
        entry = stats.get(key)
        if entry is None:
            stats[key] = [when, 1, value]
        else:
            try:
                if when > entry[0]:
                    entry[0] = when
                entry[2] += value
            except TypeError:
                if _kind(when) != _kind(entry[0]):
                    raise _date_error(when, first, f"{what}[{index}].{at}") from None
                entry[2] = float(entry[2]) + float(value)
            entry[1] += 1
    return stats, refunds, dropped


_FAST_AMOUNT_TYPES = (frozenset({int, float}), frozenset({int, Decimal}))


def _aggregate_dicts(
    rows: Sequence[Any],
    customer: str,
    at: str,
    amount: str | None,
    cutoff: Any,
    *,
    days: bool = False,
) -> tuple[list[Any], list[Any], list[int], list[Any]] | None:
    """The hot path for plain dicts with int/float (or int/Decimal) amounts or none; ``None``
    on anything unusual, so that the careful loop runs and reports the exact problem.

    The columns are read once each, the as-of cut and the amount checks run as whole-column
    passes (``max``, ``min``, ``sum``, a set of types), every transaction gets its customer's
    place (in order of first transaction) in one pass of C code, and the loop that remains
    only updates one flat list at that place: no dict look-up in Python code and no object
    per customer (nothing for the garbage collector to walk). Sums run in row order, as the
    careful loop adds them. From :data:`_COLUMNAR_ROWS` transactions on, with numpy
    installed, :func:`_aggregate_arrays` replaces that loop when it can. ``days``: the last
    transactions as day numbers (:func:`aggregate_columns`).
    """
    values: list[Any] | None = None
    try:
        whens = [row[at] for row in rows]
        if not max(whens) < cutoff:  # some transactions are after the as-of date
            keep = [when < cutoff for when in whens]
            rows = list(compress(rows, keep))
            whens = list(compress(whens, keep))
        keys = [row[customer] for row in rows]
        if amount is not None:
            values = [row[amount] for row in rows]
    except (KeyError, TypeError):  # a missing field, a mix of naive and aware datetimes …
        return None
    if not whens:
        return [], [], [], []
    types: set[type] = set()
    if values is not None:
        types = set(map(type, values))
        if not any(types <= allowed for allowed in _FAST_AMOUNT_TYPES):
            return None
    if len(keys) >= _COLUMNAR_ROWS and (values is None or types in ({float}, {int})):
        numpy = optional("numpy")  # (the ``stats`` extra)
        if numpy is not None:
            columns = _aggregate_arrays(numpy, keys, whens, values, days=days)
            if columns is not None:
                return columns
    if values is not None:
        try:
            # a negative amount or a leading NaN fails ``min``; any other NaN makes the sum NaN
            if not min(values) >= 0:
                return None
            if float in types:
                total = sum(values)
                if total != total:
                    return None
        except ArithmeticError:  # Decimal NaN: the careful loop names the row
            return None
    # float amounts (the usual case) travel as ``amount + 1j``: the real parts add up exactly
    # as the floats do (the same additions in the same order) and the imaginary parts count
    # the transactions, so the loop updates two running values instead of three
    steps: Iterable[Any] = itertools.repeat(1)
    if values is not None and types == {float}:
        steps = list(map(complex, values, itertools.repeat(1.0)))
        values = None
    # every transaction's place in ``state``, one flat list of each customer's running values
    # (last transaction, count and total side by side): a new customer gets the next place, in
    # one pass of C code
    width = 2 if values is None else 3
    places: defaultdict[Any, int] = defaultdict(itertools.count(0, width).__next__)
    try:
        codes = list(map(places.__getitem__, keys))
    except TypeError:  # an unhashable customer id
        return None
    if None in places:
        return None
    state: list[Any] = []
    seen = 0  # the places taken so far: a new customer's transaction has place ``seen``
    if values is None:
        for code, when, step in zip(codes, whens, steps, strict=False):  # (endless steps)
            if code < seen:
                if when > state[code]:
                    state[code] = when
                state[code + 1] += step
            else:
                state += (when, step)
                seen += 2
        lasts = day_numbers(state[0::2]) if days else state[0::2]
        if amount is None:
            return list(places), lasts, state[1::2], [0] * (seen // 2)
        sums = state[1::2]
        counts = list(map(int, map(attrgetter("imag"), sums)))
        return list(places), lasts, counts, list(map(attrgetter("real"), sums))
    for code, when, value in zip(codes, whens, values, strict=True):
        if code < seen:
            if when > state[code]:
                state[code] = when
            state[code + 1] += 1
            state[code + 2] += value
        else:
            state += (when, 1, value)
            seen += 3
    lasts = day_numbers(state[0::3]) if days else state[0::3]
    return list(places), lasts, state[1::3], state[2::3]


#: From this many transactions on, plain dicts are aggregated by numpy when it is installed.
_COLUMNAR_ROWS = 1000


def _aggregate_arrays(
    np: ModuleType,
    keys: list[Any],
    whens: list[Any],
    values: list[Any] | None,
    *,
    days: bool = False,
) -> tuple[list[Any], list[Any], list[int], list[Any]] | None:
    """:func:`_aggregate_dicts` by numpy, for dates or datetimes (one type) and amounts that
    are all ``float`` or all ``int`` (or none), none of them negative or NaN: ``None`` on
    anything else.

    The columns have passed :func:`_aggregate_dicts`'s first checks (the as-of cut, the
    amount types); the amounts are checked here, as arrays. Each transaction gets its customer's place (in order
    of first transaction, :func:`_places`); the counts and totals are
    ``bincount``s over the places, which add the amounts in row order, starting from 0.0, so
    a float total is the row-order sum of :func:`_aggregate_records` bit for bit (a -0.0
    amount, which 0.0 + -0.0 would turn into 0.0, takes the loop); int amounts add up as
    int64 when their sum fits, so exactly. The last transaction is ``maximum.at`` over the
    objects, starting from each customer's first one: ``a >= b`` keeps the earlier of two
    equal values, as the loop's ``b > a`` does. With ``days``, the last transactions are day
    numbers: for dates, naive datetimes and datetimes in :data:`datetime.UTC` (the day is
    the ordinal of the value's own date,
    :func:`~crmkit.frames.day_number.numbered_by_ordinal`), the latest
    ordinal per customer by ``maximum.at`` over integers (the day of the latest transaction
    is the latest day); for other time zones, of the latest transaction.
    """
    if len(set(map(type, whens))) != 1 or type(whens[0]) not in (dt.date, dt.datetime):
        return None
    amounts: Any = None
    if values is not None:
        kind = type(values[0])
        if kind is float:
            amounts = np.array(values, dtype=np.float64)
            # NaN fails ``>= 0``; -0.0 passes it but has its sign bit set
            if not (amounts >= 0).all() or np.signbit(amounts).any():
                return None
        elif kind is int and sum(values) < 2**63:
            try:
                amounts = np.array(values, dtype=np.int64)
            except OverflowError:  # (a large negative amount)
                return None
            if not (amounts >= 0).all():
                return None
        else:
            return None
    placed = _places(np, keys)
    if placed is None:
        return None
    customers, place, first = placed
    size = len(customers)
    lasts: list[Any]
    if days and (type(whens[0]) is dt.date or numbered_by_ordinal(whens)):  # (one type)
        ordinals = np.fromiter(map(dt.date.toordinal, whens), dtype=np.int64, count=len(whens))
        latest = ordinals[first]
        np.maximum.at(latest, place, ordinals)
        lasts = (latest - EPOCH.toordinal()).tolist()
    else:
        moments = np.fromiter(whens, dtype=object, count=len(whens))
        latest = moments[first]
        try:
            np.maximum.at(latest, place, moments)
        except TypeError:  # (values that do not compare: the loop names the row)
            return None
        lasts = day_numbers(latest.tolist()) if days else latest.tolist()
    counts = np.bincount(place, minlength=size)
    if amounts is None:
        totals: list[Any] = [0] * size
    elif amounts.dtype == np.float64:
        totals = np.bincount(place, weights=amounts, minlength=size).tolist()
    else:
        sums = np.zeros(size, dtype=np.int64)
        np.add.at(sums, place, amounts)
        totals = sums.tolist()
    return customers, lasts, counts.tolist(), totals


def _places(np: ModuleType, keys: list[Any]) -> tuple[list[Any], Any, Any] | None:
    """The customer ids in order of first transaction, each transaction's customer's place
    in that order and each customer's first row (numpy arrays); ``None`` for a missing or
    unhashable id.

    Ids that numpy reads as one array of 64-bit integers (``int``, and ``bool`` or numpy
    integers among them, which a dict also holds as the equal ``int``) within a span of at
    most twice the number of transactions (numbered accounts) are placed by a table indexed
    by id; any others by a dict, in one pass of C code.
    """
    count = len(keys)
    if type(keys[0]) is int:
        ids = np.array(keys)  # (its type found in C: int64 only when every id is an integer)
        if ids.dtype == np.int64:
            low = int(ids.min())
            span = int(ids.max()) - low + 1
            if span <= 2 * count + 1024:
                ids -= low
                first_row = np.full(span, count, dtype=np.intp)
                np.minimum.at(first_row, ids, np.arange(count, dtype=np.intp))
                seen = np.flatnonzero(first_row < count)
                by_first = seen[np.argsort(first_row[seen])]
                table = np.empty(span, dtype=np.intp)
                table[by_first] = np.arange(len(by_first), dtype=np.intp)
                first = first_row[by_first]
                return list(map(keys.__getitem__, first.tolist())), table[ids], first
    places: defaultdict[Any, int] = defaultdict(itertools.count().__next__)
    try:
        place = np.array(list(map(places.__getitem__, keys)), dtype=np.intp)
    except TypeError:  # an unhashable customer id
        return None
    if None in places:
        return None
    # a customer's first row is where its place exceeds every earlier row's
    new = np.empty(count, dtype=bool)
    new[0] = True
    np.greater(place[1:], np.maximum.accumulate(place)[:-1], out=new[1:])
    return list(places), place, np.flatnonzero(new)


def _missing_name(row: Any, *names: str | None) -> str:
    for name in names:
        if name is not None and not hasattr(row, name):
            return name
    return str(names[0])


def last_day(value: Any) -> int:
    """Day number of a last-purchase value (see :mod:`crmkit.frames.day_number`).

    Examples:
        >>> import datetime as dt
        >>> from crmkit.segmentation.transactions import last_day
        >>> last_day(dt.date(1970, 1, 11))
        10
    """
    return day_number(value)


def _is_temporal(dtype: Any) -> bool:
    nw = narwhals()
    return isinstance(dtype, nw.Datetime) or dtype == nw.Date


def aggregate_frame(
    frame: Any,
    *,
    customer: str,
    at: str,
    amount: str | None,
    as_of: dt.date | None,
    what: str = "orders",
    plan: bool = False,
    negative: Negative = "refuse",
    inside: str = __name__,
) -> Any:
    """Per customer ``customer_id``, ``last_day`` (day number), ``frequency`` and ``monetary``.

    ``frame`` is a native or narwhals frame; the result is a narwhals frame of the same
    laziness. ``monetary`` is 0 when ``amount`` is None. The day number is computed on the
    aggregated frame (one row per customer), never on the transactions.

    With ``plan=True`` an eager frame whose engine plans whole queries (Polars) is checked
    eagerly and then aggregated as a lazy query (:func:`crmkit.frames.lazy_plan`); the result
    is lazy, and the caller hands it back with :func:`crmkit.frames.collect_like`.
    ``negative`` and ``inside`` are those of :func:`aggregate_records`.

    On Dask each partition is aggregated first (one row per customer and partition) and only
    those rows are shuffled by customer and combined (:func:`crmkit.frames.per_key` with
    ``combine``), as Dask's own ``groupby().agg(split_out=…)`` does; the result keeps the
    transactions' partitions. Ids, days, counts and integer totals are those of any other
    engine exactly; a float total is a sum of per-partition sums, which can differ in its last
    bit from a sum in row order (as float sums do between engines).

    Examples:
        >>> import datetime as dt
        >>> import polars as pl
        >>> from crmkit.segmentation.transactions import aggregate_frame
        >>> frame = pl.DataFrame({"c": ["a", "a"], "t": [dt.date(1970, 1, 2), dt.date(1970, 1, 5)],
        ...                       "m": [1, 2]})
        >>> aggregate_frame(frame, customer="c", at="t", amount="m", as_of=None).rows()
        [('a', 4, 2, 3)]
    """
    nw = narwhals()
    nw_frame = from_native(frame)
    needed = [customer, at] + ([amount] if amount is not None else [])
    schema = column_types(nw_frame)  # (pandas zones such as America/New_York read right)
    require_columns(nw_frame, needed, what=what, schema=schema)
    nw_frame, schema = dates_from_objects(nw_frame, [at], schema)  # pandas columns of dates
    problems: list[Problem] = []
    at_type = schema[at]
    if not _is_temporal(at_type):
        problems.append(Problem(f"{what}.{at}", str(at_type), "must be a date or datetime column"))
    if amount is not None and not schema[amount].is_numeric():
        problems.append(
            Problem(f"{what}.{amount}", str(schema[amount]), "must be a numeric column")
        )
    if problems:
        raise ValidationError(problems)
    check_negative(negative)
    nw_frame, schema = in_utc(nw_frame, [at], schema)  # (Dask: zones narwhals misreads)
    at_type = schema[at]
    if as_of is not None:
        next_day = as_of + dt.timedelta(days=1)
        if isinstance(at_type, nw.Datetime):
            zone = dt.UTC if at_type.time_zone is not None else None
            limit: Any = dt.datetime.combine(next_day, dt.time(), tzinfo=zone)
        else:
            limit = next_day
        later = nw.col(at) >= limit
    else:
        later = None
    if not is_lazy(nw_frame):
        _check_values(
            nw_frame, customer=customer, at=at, amount=amount, what=what, negative=negative
        )
        if amount is not None and negative == "drop":
            counted = nw_frame if later is None else nw_frame.filter(~later)
            dropped = counted.select((nw.col(amount) < 0).sum()).item()
            report_dropped(int(dropped or 0), f"{what}.{amount}", inside=inside)
        if plan:
            nw_frame = lazy_plan(nw_frame)
    aggregations = [
        nw.col(at).max().alias("__crmkit_last"),
        nw.len().alias("frequency"),
    ]
    if amount is not None:
        aggregations.append(nw.col(amount).sum().alias("monetary"))
    netted = amount is not None and negative == "net"

    def per_customer(rows: Any) -> Any:  # per customer: keeps Dask's partitions (per_key)
        if later is not None:
            rows = rows.filter(~later)
        refunds = None
        if amount is not None and negative != "refuse":
            is_refund = (nw.col(amount) < 0).fill_null(value=False)
            if netted:
                refunds = (
                    rows.filter(is_refund)
                    .group_by(customer)
                    .agg(nw.col(amount).sum().alias("__crmkit_refund"))
                )
            rows = rows.filter(~is_refund)
        grouped = rows.group_by(customer).agg(*aggregations)
        if refunds is not None:
            grouped = grouped.join(refunds, on=customer, how="left")
        return grouped

    monetary = nw.col("monetary") if amount is not None else nw.lit(0).alias("monetary")
    if netted:  # net: each customer's refunds off its total, stopping at zero
        net = nw.col("monetary") + nw.col("__crmkit_refund").fill_null(value=0)
        monetary = nw.when(net > 0).then(net).otherwise(net - net).alias("monetary")  # +0

    def finish(grouped: Any) -> Any:
        # one projection over the per-customer rows (each step is a query to bind on SQL
        # engines)
        return grouped.select(
            nw.col(customer).alias("customer_id"),
            day_number_expr(nw.col("__crmkit_last"), at_type, grouped.implementation).alias(
                "last_day"
            ),
            nw.col("frequency").cast(nw.Int64),
            monetary,
        )

    if not nw_frame.implementation.is_dask():
        return finish(per_customer(nw_frame))
    # Dask: each partition aggregated first, then only those rows shuffled by customer and
    # combined (:func:`per_key`); every step runs on the pandas partitions, so Dask's planner
    # sees a few tasks instead of the steps' expressions
    partial = _dask_net_step(customer, at, amount, later) if netted else per_customer
    combine = _combine_step(customer, amount, netted)
    return per_key(nw_frame, [customer], partial, combine=lambda rows: finish(combine(rows)))


def _combine_step(customer: str, amount: str | None, netted: bool) -> Any:
    """The combine of :func:`aggregate_frame`'s per-partition rows on Dask: per customer the
    latest last transaction and the sums of the counts, totals and refunds."""
    nw = narwhals()
    aggregations = [nw.col("__crmkit_last").max(), nw.col("frequency").sum()]
    if amount is not None:
        aggregations.append(nw.col("monetary").sum())
    if netted:
        aggregations.append(nw.col("__crmkit_refund").sum())
    if not netted:
        return lambda rows: rows.group_by(customer).agg(*aggregations)
    # (customers with refunds only in the data are left out, as elsewhere)
    return lambda rows: rows.group_by(customer).agg(*aggregations).filter(nw.col("frequency") > 0)


def _dask_net_step(customer: str, at: str, amount: str | None, later: Any) -> Any:
    """The per-partition step of ``negative="net"`` on Dask: one group-by giving every
    customer of the partition its purchases (last one, count, total) and its refunds' total,
    so a customer whose refunds and purchases sit in different partitions keeps both."""
    nw = narwhals()
    value = nw.col(str(amount))
    is_refund = (value < 0).fill_null(value=False)
    zero = value - value  # (0 of the amount's type)
    return lambda rows: (
        (rows if later is None else rows.filter(~later))
        .with_columns(
            nw.when(~is_refund).then(nw.col(at)).alias("__crmkit_at"),
            (~is_refund).cast(nw.Int64).alias("__crmkit_bought"),
            nw.when(~is_refund).then(value).otherwise(zero).alias("__crmkit_spent"),
            nw.when(is_refund).then(value).otherwise(zero).alias("__crmkit_refunded"),
        )
        .group_by(customer)
        .agg(
            nw.col("__crmkit_at").max().alias("__crmkit_last"),
            nw.col("__crmkit_bought").sum().alias("frequency"),
            nw.col("__crmkit_spent").sum().alias("monetary"),
            nw.col("__crmkit_refunded").sum().alias("__crmkit_refund"),
        )
    )


def _check_values(
    frame: Any, *, customer: str, at: str, amount: str | None, what: str, negative: Negative
) -> None:
    """Missing values (and negative amounts, unless ``negative`` says what to do with them)
    in an eager frame: one pass for all the checks, then the first row at fault of each."""
    nw = narwhals()
    tests = [
        (customer, nw.col(customer).is_null(), "is missing"),
        (at, nw.col(at).is_null(), "is missing"),
    ]
    if amount is not None:
        missing = nw.col(amount).is_null()
        if column_types(frame)[amount].is_float():
            missing = missing | nw.col(amount).is_nan()
        tests.append((amount, missing, "is missing or NaN"))
        if negative == "refuse":
            tests.append((amount, (nw.col(amount) < 0).fill_null(value=False), ""))
    found = frame.select(
        *(test.any().alias(f"__crmkit_{i}") for i, (_, test, _) in enumerate(tests))
    ).row(0)
    problems: list[Problem] = []
    for (column, test, message), hit in zip(tests, found, strict=True):
        if not hit:
            continue
        index, value = first_row(frame, test, column)
        path = f"{what}[{index}].{column}"
        if message:
            problems.append(Problem(path, message=message))
        else:
            problems.extend(amount_error(value, path).problems)
    if problems:
        raise ValidationError(problems)
