"""Plots of lifetime-value models: what lifetimes draws, plus CLV per customer and segment.

Every number drawn comes from the fitted model's own predictions
(:meth:`~crmkit.clv.BetaGeo.conditional_expected_purchases`,
:meth:`~crmkit.clv.BetaGeo.probability_alive`, :meth:`~crmkit.clv.BetaGeo.expected_purchases`,
:meth:`~crmkit.clv.BetaGeo.probability_of_purchases`) or from crmkit's summaries
(:func:`~crmkit.clv.summarise`, :func:`~crmkit.clv.calibration_holdout`,
:func:`~crmkit.clv.value_customers`, :func:`~crmkit.clv.value_by_segment`); nothing here
re-implements a model. Time is counted in the model's ``time_unit`` (or ``time_unit=``), with
purchases in the same period counted once, as :func:`~crmkit.clv.summarise` does.

Examples:
    >>> from crmkit.clv import BetaGeo
    >>> from crmkit.plot import plot_probability_alive_matrix
    >>> model = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="weeks")
    >>> ax = plot_probability_alive_matrix(model, max_frequency=10, max_recency=40)
    >>> ax.get_images()[0].get_array().shape
    (11, 41)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any, Literal, Protocol

from crmkit._deprecation import renamed, warn_missing
from crmkit.errors import ValidationError
from crmkit.extras import require
from crmkit.frames import date_of_day_number, day_number, read_field
from crmkit.plot._axes import check_count, new_axes, numbers, read_rows, texts

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "plot_calibration_purchases_vs_holdout_purchases",
    "plot_clv_distribution",
    "plot_cumulative_transactions",
    "plot_frequency_recency_matrix",
    "plot_history_alive",
    "plot_incremental_transactions",
    "plot_period_transactions",
    "plot_probability_alive_matrix",
    "plot_value_by_segment",
]


class PurchaseModel(Protocol):
    """A fitted purchase model (:class:`~crmkit.clv.BetaGeo`, :class:`~crmkit.clv.ParetoNBD`)."""

    @property
    def time_unit(self) -> Any: ...

    def expected_purchases(self, t: Any) -> Any: ...

    def conditional_expected_purchases(
        self,
        t: Any,
        frequency: Any,
        recency: Any,
        T: Any,  # noqa: N803
    ) -> Any: ...

    def probability_alive(self, frequency: Any, recency: Any, T: Any) -> Any: ...  # noqa: N803


class CountModel(PurchaseModel, Protocol):
    """A purchase model that gives ``P(N(t) = n)`` (:class:`~crmkit.clv.BetaGeo`)."""

    def probability_of_purchases(self, n: int, t: Any) -> Any: ...


_UNITS = ("days", "weeks", "months")
#: bounds that keep a plot's work and memory proportionate to what can be seen
_MAX_BINS = 10_000
_MAX_CELLS = 10_000_000
_MAX_PERIODS = 20_000
_MAX_FREQUENCY = 1_000


def _np() -> Any:
    return require("numpy", "stats")


def _check_model(model: Any, *methods: str) -> None:
    missing = [m for m in methods if not callable(getattr(model, m, None))]
    if missing:
        raise ValidationError.single(
            "model",
            type(model).__name__,
            f"must be a fitted crmkit.clv model with {', '.join(missing)}",
        )


def _unit(model: Any, time_unit: str | None) -> str:
    unit = time_unit if time_unit is not None else getattr(model, "time_unit", None)
    if unit not in _UNITS:
        raise ValidationError.single(
            "time_unit",
            unit,
            "must be 'days', 'weeks' or 'months' (set the model's time_unit or pass time_unit=)",
        )
    return str(unit)


def _period(value: Any, unit: str, path: str) -> int:
    """The period (day, Monday–Sunday week, calendar month) of a date or datetime."""
    if not isinstance(value, dt.date):
        raise ValidationError.single(path, value, "must be a date or datetime")
    day = day_number(value)
    if unit == "days":
        return day
    if unit == "weeks":
        return (day + 3) // 7  # 1970-01-01 is a Thursday: weeks start on Mondays
    d = date_of_day_number(day)
    return d.year * 12 + d.month - 1


def _period_start(period: int, unit: str) -> dt.date:
    if unit == "days":
        return date_of_day_number(period)
    if unit == "weeks":
        return date_of_day_number(period * 7 - 3)
    return dt.date(period // 12, period % 12 + 1, 1)


def _purchase_periods(
    transactions: Any, customer: str, date_field: str, unit: str
) -> dict[Any, set[int]]:
    rows = read_rows(transactions, "transactions")
    periods: dict[Any, set[int]] = {}
    for i, row in enumerate(rows):
        who = read_field(row, customer, what=f"transactions[{i}]")
        if who is None or not isinstance(who, Hashable):
            raise ValidationError.single(
                f"transactions[{i}].{customer}", who, "must be a customer id"
            )
        when = read_field(row, date_field, what=f"transactions[{i}]")
        periods.setdefault(who, set()).add(_period(when, unit, f"transactions[{i}].{date_field}"))
    return periods


def _end_period(periods: dict[Any, set[int]], as_of: dt.date | None, unit: str, where: str) -> int:
    first = min(min(p) for p in periods.values())
    last = max(max(p) for p in periods.values())
    if as_of is None:
        warn_missing("as_of", where=where, old="the last transaction", inside=__name__)
    end = last if as_of is None else _period(as_of, unit, "as_of")
    if end < last:
        raise ValidationError.single("as_of", as_of, "must not be before the last transaction")
    if end - first >= _MAX_PERIODS:
        raise ValidationError.single(
            "transactions",
            f"{_period_start(first, unit)} to {_period_start(end, unit)}",
            f"span {end - first + 1:,} {unit} (at most {_MAX_PERIODS:,}): check for a"
            " mistyped date or use a coarser time_unit",
        )
    return end


def _matrix_axes(
    summary: Any, max_frequency: int | None, max_recency: float | None
) -> tuple[int, int]:
    if max_frequency is None or max_recency is None:
        if summary is None:
            raise ValidationError.single(
                "summary", None, "is needed when max_frequency or max_recency is not given"
            )
        rows = read_rows(summary, "summary")
        if max_frequency is None:
            max_frequency = max(1, int(max(numbers(rows, "frequency", "summary"))))
        if max_recency is None:
            max_recency = max(1.0, max(numbers(rows, "T", "summary")))
    check_count("max_frequency", max_frequency, 1)
    if isinstance(max_recency, bool) or not isinstance(max_recency, int | float):
        raise ValidationError.single("max_recency", max_recency, "must be a number of at least 1")
    if not 1 <= max_recency <= _MAX_PERIODS:
        raise ValidationError.single(
            "max_recency", max_recency, f"must be between 1 and {_MAX_PERIODS}"
        )
    cells = (max_frequency + 1) * (int(max_recency) + 1)
    if cells > _MAX_CELLS:
        raise ValidationError.single(
            "max_frequency",
            max_frequency,
            f"with max_recency {max_recency:g} gives {cells:,} cells (at most {_MAX_CELLS:,});"
            " pass smaller ranges",
        )
    return max_frequency, int(max_recency)


def _heat_map(ax: Axes, z: Any, title: str, label: str, unit: str | None) -> None:
    image = ax.imshow(z, origin="lower", aspect="auto", interpolation="nearest")
    ax.figure.colorbar(image, ax=ax, label=label)
    ax.set_title(title)
    ax.set_xlabel(f"customer's recency ({unit or 'time units'} of age at the last purchase)")
    ax.set_ylabel("customer's historical frequency (repeat purchases)")


def plot_frequency_recency_matrix(
    model: PurchaseModel,
    *,
    t: float = 1.0,
    summary: Any = None,
    max_frequency: int | None = None,
    max_recency: float | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Heat map of the expected purchases in the next ``t`` units by frequency and recency.

    Cell ``[f, r]`` is ``model.conditional_expected_purchases(t, f, r, max_recency)``: a
    customer aged ``max_recency`` units with ``f`` repeat purchases, the last at age ``r``
    (lifetimes' ``plot_frequency_recency_matrix``). The ranges come from ``summary`` (its
    largest frequency and ``T``) unless given.

    Examples:
        >>> from crmkit.clv import BetaGeo
        >>> from crmkit.plot import plot_frequency_recency_matrix
        >>> model = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="weeks")
        >>> ax = plot_frequency_recency_matrix(model, t=4, max_frequency=5, max_recency=39)
        >>> image = ax.get_images()[0].get_array()
        >>> image.shape, bool(image[5, 39] > image[5, 10])
        ((6, 40), True)
        >>> ax.get_title()
        'Expected purchases in the next 4 weeks by frequency and recency'
    """
    _check_model(model, "conditional_expected_purchases")
    if isinstance(t, bool) or not isinstance(t, int | float) or not t > 0:
        raise ValidationError.single("t", t, "must be a positive number")
    top_f, top_r = _matrix_axes(summary, max_frequency, max_recency)
    np = _np()
    f, r = np.meshgrid(np.arange(top_f + 1.0), np.arange(top_r + 1.0), indexing="ij")
    z = model.conditional_expected_purchases(t, f.ravel(), r.ravel(), float(top_r))
    unit = getattr(model, "time_unit", None)
    ax = new_axes(ax)
    _heat_map(
        ax,
        np.asarray(z).reshape(f.shape),
        f"Expected purchases in the next {t:g} {unit or 'time units'} by frequency and recency",
        "expected purchases",
        unit,
    )
    return ax


def plot_probability_alive_matrix(
    model: PurchaseModel,
    *,
    summary: Any = None,
    max_frequency: int | None = None,
    max_recency: float | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Heat map of the probability that a customer is alive, by frequency and recency.

    Cell ``[f, r]`` is ``model.probability_alive(f, r, max_recency)`` (lifetimes'
    ``plot_probability_alive_matrix``). The ranges come from ``summary`` unless given.

    Examples:
        >>> from crmkit.clv import BetaGeo
        >>> from crmkit.plot import plot_probability_alive_matrix
        >>> model = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="weeks")
        >>> ax = plot_probability_alive_matrix(model, max_frequency=5, max_recency=39)
        >>> image = ax.get_images()[0].get_array()
        >>> float(image[0, 0]), bool(image[5, 39] > image[5, 0])
        (1.0, True)
    """
    _check_model(model, "probability_alive")
    top_f, top_r = _matrix_axes(summary, max_frequency, max_recency)
    np = _np()
    f, r = np.meshgrid(np.arange(top_f + 1.0), np.arange(top_r + 1.0), indexing="ij")
    z = model.probability_alive(f.ravel(), r.ravel(), float(top_r))
    ax = new_axes(ax)
    _heat_map(
        ax,
        np.asarray(z, dtype=float).reshape(f.shape),
        "Probability a customer is alive, by frequency and recency",
        "probability alive",
        getattr(model, "time_unit", None),
    )
    return ax


def plot_period_transactions(
    model: CountModel,
    summary: Any,
    *,
    max_frequency: int = 7,
    ax: Axes | None = None,
) -> Axes:
    """Customers by number of repeat purchases: actual (``summary``) next to the model.

    The model's bar for ``n`` is the expected number of customers with ``n`` repeat
    purchases given each customer's age ``T``, ``Σ model.probability_of_purchases(n, T)``;
    the last bar collects ``max_frequency`` and more (lifetimes' ``plot_period_transactions``,
    computed exactly instead of by simulation).

    Examples:
        >>> from crmkit.clv import BetaGeo, CustomerSummary
        >>> from crmkit.plot import plot_period_transactions
        >>> model = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="weeks")
        >>> summary = [CustomerSummary("a", 0, 0.0, 30.0), CustomerSummary("b", 2, 20.0, 30.0)]
        >>> ax = plot_period_transactions(model, summary, max_frequency=3)
        >>> [float(p.get_height()) for p in ax.containers[0]]
        [1.0, 0.0, 1.0, 0.0]
        >>> round(float(sum(p.get_height() for p in ax.containers[1])), 6)
        2.0
    """
    _check_model(model, "probability_of_purchases")
    check_count("max_frequency", max_frequency, 1, _MAX_FREQUENCY)
    rows = read_rows(summary, "summary")
    frequency = numbers(rows, "frequency", "summary")
    age = numbers(rows, "T", "summary")
    np = _np()
    ages = np.asarray(age)
    expected = [
        float(np.sum(model.probability_of_purchases(n, ages))) for n in range(max_frequency)
    ]
    expected.append(len(rows) - sum(expected))
    actual = [float(sum(1 for f in frequency if f == n)) for n in range(max_frequency)]
    actual.append(float(sum(1 for f in frequency if f >= max_frequency)))
    labels = [str(n) for n in range(max_frequency)] + [f"{max_frequency}+"]
    x = np.arange(len(labels))
    ax = new_axes(ax)
    ax.bar(x - 0.2, actual, width=0.4, label="actual")
    ax.bar(x + 0.2, expected, width=0.4, label="model")
    ax.set_xticks(x, labels)
    ax.set_title("Frequency of repeat transactions")
    ax.set_xlabel("number of repeat purchases")
    ax.set_ylabel("customers")
    ax.legend()
    return ax


def plot_calibration_purchases_vs_holdout_purchases(
    model: PurchaseModel,
    calibration_holdout: Any,
    *,
    by: Literal["frequency_cal", "time_since_last_purchase"] = "frequency_cal",
    n: int = 7,
    ax: Axes | None = None,
) -> Axes:
    """Mean holdout purchases, actual and predicted, per calibration frequency (or recency).

    Rows come from :func:`crmkit.clv.calibration_holdout`; the prediction for a customer is
    ``model.conditional_expected_purchases(duration_holdout, frequency_cal, recency_cal,
    T_cal)``. ``by="time_since_last_purchase"`` groups by whole units of ``T_cal −
    recency_cal`` instead. The first ``n`` groups are drawn (lifetimes'
    ``plot_calibration_purchases_vs_holdout_purchases``).

    Examples:
        >>> from crmkit.clv import BetaGeo, CalibrationHoldout
        >>> from crmkit.plot import plot_calibration_purchases_vs_holdout_purchases
        >>> model = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="weeks")
        >>> rows = [CalibrationHoldout("a", 0, 0.0, 30.0, None, 0, None, 10.0),
        ...         CalibrationHoldout("b", 2, 25.0, 30.0, None, 1, None, 10.0),
        ...         CalibrationHoldout("c", 2, 28.0, 30.0, None, 2, None, 10.0)]
        >>> ax = plot_calibration_purchases_vs_holdout_purchases(model, rows)
        >>> actual, predicted = ax.get_lines()
        >>> [int(x) for x in actual.get_xdata()], [float(y) for y in actual.get_ydata()]
        ([0, 2], [0.0, 1.5])
    """
    _check_model(model, "conditional_expected_purchases")
    if by not in ("frequency_cal", "time_since_last_purchase"):
        raise ValidationError.single(
            "by", by, "must be 'frequency_cal' or 'time_since_last_purchase'"
        )
    check_count("n", n, 1)
    rows = read_rows(calibration_holdout, "calibration_holdout")
    what = "calibration_holdout"
    f = numbers(rows, "frequency_cal", what)
    r = numbers(rows, "recency_cal", what)
    age = numbers(rows, "T_cal", what)
    duration = numbers(rows, "duration_holdout", what)
    holdout = numbers(rows, "frequency_holdout", what)
    np = _np()
    predicted = np.asarray(
        model.conditional_expected_purchases(
            np.asarray(duration), np.asarray(f), np.asarray(r), np.asarray(age)
        ),
        dtype=float,
    )
    keys = (
        [int(v) for v in f]
        if by == "frequency_cal"
        else [int(a - b) for a, b in zip(age, r, strict=True)]
    )
    groups: dict[int, list[int]] = {}
    for i, key in enumerate(keys):
        groups.setdefault(key, []).append(i)
    shown = sorted(groups)[:n]
    mean_actual = [sum(holdout[i] for i in groups[k]) / len(groups[k]) for k in shown]
    mean_predicted = [float(predicted[groups[k]].mean()) for k in shown]
    ax = new_axes(ax)
    ax.plot(shown, mean_actual, marker="o", label="actual")
    ax.plot(shown, mean_predicted, marker="s", linestyle="--", label="model")
    unit = getattr(model, "time_unit", None) or "time units"
    ax.set_title("Actual and predicted purchases in the holdout period")
    ax.set_xlabel(
        "purchases in the calibration period"
        if by == "frequency_cal"
        else f"{unit} since the last purchase in the calibration period"
    )
    ax.set_ylabel("mean purchases in the holdout period")
    ax.legend()
    return ax


def _transactions_over_time(
    model: PurchaseModel,
    transactions: Any,
    customer: str,
    date_field: str,
    time_unit: str | None,
    as_of: dt.date | None,
    where: str,
) -> tuple[Any, Any, Any, str, int]:
    """(period index, actual cumulative repeat purchases, model's, unit, first period)."""
    _check_model(model, "expected_purchases")
    unit = _unit(model, time_unit)
    periods = _purchase_periods(transactions, customer, date_field, unit)
    start = min(min(p) for p in periods.values())
    end = _end_period(periods, as_of, unit, where)
    np = _np()
    size = end - start + 1
    births = np.zeros(size)
    repeats = np.zeros(size)
    for own in periods.values():
        first = min(own)
        births[first - start] += 1
        for p in own:
            if p != first:
                repeats[p - start] += 1
    per_age = np.asarray(model.expected_purchases(np.arange(size, dtype=float)), dtype=float)
    expected = np.convolve(births, per_age)[:size]
    return np.arange(size), np.cumsum(repeats), expected, unit, start


def _transactions_plot(
    ax: Axes,
    x: Any,
    actual: Any,
    expected: Any,
    unit: str,
    start: int,
    calibration_end: dt.date | None,
    title: str,
    ylabel: str,
) -> None:
    ax.plot(x, actual, label="actual")
    ax.plot(x, expected, linestyle="--", label="model")
    if calibration_end is not None:
        cut = _period(calibration_end, unit, "calibration_end") - start
        if not 0 <= cut <= int(x[-1]):
            raise ValidationError.single(
                "calibration_end", calibration_end, "must be within the transactions' time span"
            )
        ax.axvline(cut, color="grey", linestyle=":", label="calibration end")
    ax.set_title(title)
    ax.set_xlabel(f"{unit} since {_period_start(start, unit).isoformat()}")
    ax.set_ylabel(ylabel)
    ax.legend()


@renamed(at="date_field", observation_end="as_of")
def plot_cumulative_transactions(
    model: PurchaseModel,
    transactions: Any,
    *,
    customer: str = "account_id",
    date_field: str = "ordered_at",
    time_unit: str | None = None,
    as_of: dt.date | None = None,
    calibration_end: dt.date | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Cumulative repeat purchases over time: actual against the model.

    Each customer is acquired in the period of their first purchase; the model's line at
    period ``i`` is ``Σ_customers model.expected_purchases(i − first period)``, the actual line
    counts repeat purchase periods up to ``i`` (lifetimes' ``plot_cumulative_transactions``).
    ``as_of`` is the analysis date (the last period drawn; it must not be before the last
    transaction). ``calibration_end`` draws a vertical line where the fitting data ended. Ages
    are those
    :func:`~crmkit.clv.summarise` gives (``T = 0`` in the first period), so the model's line
    ends at ``Σ model.expected_purchases(T)``; lifetimes evaluates each period one unit later.
    A frame of transactions is collected row by row: pass a sample or an aggregate when the
    data are large.

    Examples:
        >>> import datetime as dt
        >>> from crmkit.clv import BetaGeo
        >>> from crmkit.plot import plot_cumulative_transactions
        >>> model = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="weeks")
        >>> orders = [{"account_id": "a", "ordered_at": dt.date(2025, 1, 6)},
        ...           {"account_id": "a", "ordered_at": dt.date(2025, 1, 20)},
        ...           {"account_id": "b", "ordered_at": dt.date(2025, 1, 14)}]
        >>> ax = plot_cumulative_transactions(model, orders, as_of=dt.date(2025, 1, 20))
        >>> [float(y) for y in ax.get_lines()[0].get_ydata()]
        [0.0, 0.0, 1.0]
        >>> ax.get_xlabel()
        'weeks since 2025-01-06'
    """
    x, actual, expected, unit, start = _transactions_over_time(
        model, transactions, customer, date_field, time_unit, as_of, "plot_cumulative_transactions"
    )
    ax = new_axes(ax)
    _transactions_plot(
        ax,
        x,
        actual,
        expected,
        unit,
        start,
        calibration_end,
        "Tracking cumulative transactions",
        "cumulative repeat purchases",
    )
    return ax


@renamed(at="date_field", observation_end="as_of")
def plot_incremental_transactions(
    model: PurchaseModel,
    transactions: Any,
    *,
    customer: str = "account_id",
    date_field: str = "ordered_at",
    time_unit: str | None = None,
    as_of: dt.date | None = None,
    calibration_end: dt.date | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Repeat purchases per period over time: actual against the model.

    The per-period differences of :func:`plot_cumulative_transactions`' lines (lifetimes'
    ``plot_incremental_transactions``).

    Examples:
        >>> import datetime as dt
        >>> from crmkit.clv import BetaGeo
        >>> from crmkit.plot import plot_incremental_transactions
        >>> model = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="weeks")
        >>> orders = [{"account_id": "a", "ordered_at": dt.date(2025, 1, 6)},
        ...           {"account_id": "a", "ordered_at": dt.date(2025, 1, 20)},
        ...           {"account_id": "a", "ordered_at": dt.date(2025, 1, 21)}]
        >>> ax = plot_incremental_transactions(model, orders, as_of=dt.date(2025, 1, 21))
        >>> [float(y) for y in ax.get_lines()[0].get_ydata()]
        [0.0, 0.0, 1.0]
    """
    x, actual, expected, unit, start = _transactions_over_time(
        model, transactions, customer, date_field, time_unit, as_of, "plot_incremental_transactions"
    )
    np = _np()
    ax = new_axes(ax)
    _transactions_plot(
        ax,
        x,
        np.diff(actual, prepend=0.0),
        np.diff(expected, prepend=0.0),
        unit,
        start,
        calibration_end,
        "Tracking repeat transactions per period",
        "repeat purchases",
    )
    return ax


@renamed(at="date_field", observation_end="as_of")
def plot_history_alive(
    model: PurchaseModel,
    transactions: Any,
    customer_id: Any,
    *,
    customer: str = "account_id",
    date_field: str = "ordered_at",
    time_unit: str | None = None,
    as_of: dt.date | None = None,
    ax: Axes | None = None,
) -> Axes:
    """One customer's probability of being alive over time, with their purchases marked.

    At every period from the first purchase to ``as_of`` (the analysis date) the
    customer's frequency, recency and age so far go into ``model.probability_alive``
    (lifetimes' ``plot_history_alive``). Only the transactions of ``customer_id`` are used.

    Examples:
        >>> import datetime as dt
        >>> from crmkit.clv import BetaGeo
        >>> from crmkit.plot import plot_history_alive
        >>> model = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="weeks")
        >>> orders = [{"account_id": "a", "ordered_at": dt.date(2025, 1, 6)},
        ...           {"account_id": "a", "ordered_at": dt.date(2025, 1, 20)}]
        >>> ax = plot_history_alive(model, orders, "a", as_of=dt.date(2025, 3, 3))
        >>> alive = ax.get_lines()[0].get_ydata()
        >>> len(alive), float(alive[1]), round(float(alive[2]), 3), bool(alive[-1] < alive[2])
        (9, 1.0, 0.754, True)
    """
    _check_model(model, "probability_alive")
    unit = _unit(model, time_unit)
    periods = _purchase_periods(transactions, customer, date_field, unit)
    if not isinstance(customer_id, Hashable) or customer_id not in periods:
        raise ValidationError.single("customer_id", customer_id, "has no transactions")
    own = sorted(periods[customer_id])
    first = own[0]
    end = _end_period({customer_id: set(own)}, as_of, unit, "plot_history_alive")
    np = _np()
    ages = np.arange(end - first + 1, dtype=float)
    bought = np.asarray(own, dtype=float) - first
    count = np.searchsorted(bought, ages, side="right")  # purchase periods so far
    frequency = count - 1.0
    recency = bought[count - 1]
    alive = np.asarray(model.probability_alive(frequency, recency, ages), dtype=float)
    ax = new_axes(ax)
    ax.plot(ages, alive, label="probability alive")
    for i, age in enumerate(bought):
        ax.axvline(age, color="grey", linestyle=":", label="purchase" if i == 0 else None)
    ax.set_ylim(0.0, 1.05)
    ax.set_title(f"History of probability alive: customer {customer_id}")
    ax.set_xlabel(f"{unit} since {_period_start(first, unit).isoformat()}")
    ax.set_ylabel("probability alive")
    ax.legend()
    return ax


def plot_clv_distribution(
    values: Any,
    *,
    bins: int = 30,
    ax: Axes | None = None,
) -> Axes:
    """Histogram of customer lifetime values.

    ``values`` are :class:`~crmkit.clv.CustomerValue` rows from
    :func:`~crmkit.clv.value_customers` (fitted with a spend model), or a frame with a
    ``lifetime_value`` column.

    Examples:
        >>> from crmkit.clv import CustomerValue
        >>> from crmkit.plot import plot_clv_distribution
        >>> values = [CustomerValue(c, 0.9, 1.0, 10.0, v) for c, v in
        ...           [("a", 10.0), ("b", 12.0), ("c", 95.0)]]
        >>> ax = plot_clv_distribution(values, bins=2)
        >>> [float(p.get_height()) for p in ax.patches]
        [2.0, 1.0]
    """
    check_count("bins", bins, 1, _MAX_BINS)
    rows = read_rows(values, "values")
    clv = numbers(rows, "lifetime_value", "values")
    ax = new_axes(ax)
    ax.hist(clv, bins=bins)
    mean = sum(clv) / len(clv)
    ax.axvline(mean, color="black", linestyle="--", label=f"mean {mean:,.0f}")
    ax.set_title("Distribution of customer lifetime value")
    ax.set_xlabel("lifetime value")
    ax.set_ylabel("customers")
    ax.legend()
    return ax


_SEGMENT_METRICS = {
    "lifetime_value": "total lifetime value",
    "mean_lifetime_value": "mean lifetime value per customer",
    "expected_purchases": "expected purchases",
    "expected_alive": "expected customers alive",
}


def plot_value_by_segment(
    segments: Any,
    *,
    metric: str = "lifetime_value",
    ax: Axes | None = None,
) -> Axes:
    """Horizontal bars of lifetime value (or another measure) per segment.

    ``segments`` are :class:`~crmkit.clv.SegmentValue` rows from
    :func:`~crmkit.clv.value_by_segment`; ``metric`` is ``"lifetime_value"`` (total),
    ``"mean_lifetime_value"``, ``"expected_purchases"`` or ``"expected_alive"``. Each bar is
    labelled with the segment's number of customers.

    Examples:
        >>> from crmkit.clv import SegmentValue
        >>> from crmkit.plot import plot_value_by_segment
        >>> rows = [SegmentValue("A", 2, 1.8, 4.0, 300.0, 150.0),
        ...         SegmentValue("B", 5, 3.0, 2.0, 100.0, 20.0)]
        >>> ax = plot_value_by_segment(rows)
        >>> [float(p.get_width()) for p in ax.patches]
        [300.0, 100.0]
        >>> [t.get_text() for t in ax.get_yticklabels()]
        ['A', 'B']
    """
    if metric not in _SEGMENT_METRICS:
        raise ValidationError.single("metric", metric, f"must be one of {sorted(_SEGMENT_METRICS)}")
    rows = read_rows(segments, "segments")
    names = texts(rows, "segment", "segments")
    heights = numbers(rows, metric, "segments")
    customers = numbers(rows, "customers", "segments")
    ax = new_axes(ax)
    positions = list(range(len(names)))
    bars = ax.barh(positions, heights)
    ax.bar_label(bars, labels=[f"{c:,.0f} customers" for c in customers], padding=3)
    ax.set_yticks(positions, names)
    ax.invert_yaxis()
    ax.set_title(f"{_SEGMENT_METRICS[metric].capitalize()} by segment")
    ax.set_xlabel(_SEGMENT_METRICS[metric])
    return ax
