"""KPI catalogues: prospecting's four quality parameters (seed 001) and the customer-care
KPIs of seed 004, with the goal → KPI recommendation.

**Prospecting quality** (seed 001 L205–217, L546–551, L582): conversion rate (maximise),
value per new customer (maximise), work hours per new customer (minimise) and cost per new
customer (minimise). :func:`prospecting_kpis` turns a period's figures into four ``KPI``
objects; :func:`compare_periods` compares two periods parameter by parameter and says which
improved, respecting each parameter's direction.

**Customer care** (seed 004 §3.4, K1–K8): visits per salesperson per month, revenue per
customer, average sales per customer, customers per salesperson, cases per problem type,
cases per agent per day, waiting time and the new-versus-existing split. Each has a small
function computing it from counts (and, where data are rows, from records or a frame).

**Goal → KPI** (seed 004 L206–214): "sell more to existing customers" → average sales per
customer; "new customers in new markets" → customers per salesperson; both → both.

Examples:
    >>> from crmkit.scoring import ProspectingPeriod, compare_periods
    >>> manual = ProspectingPeriod("manual", 100, 5, 500_000, 200)
    >>> crm = ProspectingPeriod("crm", 100, 10, 1_200_000, 120, other_cost=12_500)
    >>> [(c.name, c.before, c.after, c.improved)
    ...  for c in compare_periods(manual, crm, hourly_rate=1000)]  # doctest: +NORMALIZE_WHITESPACE
    [('conversion_rate', 0.05, 0.1, True), ('value_per_customer', 100000.0, 120000.0, True),
     ('hours_per_new_customer', 40.0, 12.0, True), ('cost_per_new_customer', 40000.0, 13250.0, True)]
"""

from __future__ import annotations

import enum
import math
import statistics
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import Any, overload

import attrs

from crmkit.display import ResultRow
from crmkit.domain import KPI, KPIDirection, KPIPeriod
from crmkit.errors import ValidationError
from crmkit.frames import (
    FrameT,
    Records,
    SupportsToNative,
    collect,
    exact_median,
    from_native,
    is_frame,
    narwhals,
    read_field,
    require_columns,
    seconds_between_expr,
    to_native,
)

__all__ = [
    "CUSTOMER_CARE_KPIS",
    "QUALITY_PARAMETERS",
    "Goal",
    "KpiChange",
    "KpiSpec",
    "ProspectingPeriod",
    "WaitingTime",
    "average_sales_per_customer",
    "cases_per_agent_per_day",
    "cases_per_problem_type",
    "compare_periods",
    "customer_care_kpis",
    "customers_per_salesperson",
    "new_vs_existing",
    "percent_change",
    "prospecting_kpis",
    "recommend_kpis",
    "revenue_per_customer",
    "visits_per_salesperson",
    "waiting_time",
]


@attrs.frozen
class KpiSpec:
    """A catalogue entry: key, English name, desired direction, unit and source.

    Examples:
        >>> from crmkit.scoring import QUALITY_PARAMETERS
        >>> QUALITY_PARAMETERS[2].direction
        'min'
    """

    key: str
    name: str
    direction: str
    unit: str
    source: str


#: Seed 001's four prospecting-quality parameters (2 maximise, 2 minimise).
QUALITY_PARAMETERS: tuple[KpiSpec, ...] = (
    KpiSpec("conversion_rate", "Conversion rate", "max", "ratio", "BI prospecting thesis (2023) L546–548, L582"),
    KpiSpec("value_per_customer", "Value per new customer", "max", "currency", "BI prospecting thesis (2023) L549"),
    KpiSpec("hours_per_new_customer", "Work hours per new customer", "min", "hours",
            "BI prospecting thesis (2023) L550, L563"),
    KpiSpec("cost_per_new_customer", "Cost per new customer", "min", "currency",
            "BI prospecting thesis (2023) L551, L563"),
)  # fmt: skip

#: Seed 004's customer-care KPIs K1–K8.
CUSTOMER_CARE_KPIS: tuple[KpiSpec, ...] = (
    KpiSpec("visits_per_salesperson", "Customer visits per salesperson per month", "max",
            "visits", "ComputerSweden kundvård compendium L158, L218 (K1)"),
    KpiSpec("revenue_per_customer", "Revenue per customer", "max", "currency",
            "ComputerSweden kundvård compendium L162, L218 (K2)"),
    KpiSpec("average_sales_per_customer", "Average sales per customer", "max", "currency",
            "ComputerSweden kundvård compendium L208 (K3)"),
    KpiSpec("customers_per_salesperson", "Customers per salesperson", "max", "customers",
            "ComputerSweden kundvård compendium L210 (K4)"),
    KpiSpec("cases_per_problem_type", "Cases per problem type", "min", "cases",
            "ComputerSweden kundvård compendium L218 (K5)"),
    KpiSpec("cases_per_agent_per_day", "Cases per agent per day", "max", "cases",
            "ComputerSweden kundvård compendium L228 (K6)"),
    KpiSpec("waiting_time", "Waiting time in customer service", "min", "seconds",
            "ComputerSweden kundvård compendium L279 (K7)"),
    KpiSpec("new_customer_share", "Share of new customers", "max", "ratio",
            "ComputerSweden kundvård compendium L279 (K8)"),
)  # fmt: skip

_SPECS = {s.key: s for s in QUALITY_PARAMETERS + CUSTOMER_CARE_KPIS}


def _positive(name: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise ValidationError.single(name, value, "must be a number")
    if value <= 0:
        raise ValidationError.single(name, value, "must be greater than zero")


def _non_negative(name: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise ValidationError.single(name, value, "must be a number")
    if value < 0:
        raise ValidationError.single(name, value, "must be zero or more")


def _per(name: str, value: float, *divisors: tuple[str, float]) -> float:
    """``value`` (zero or more) divided by each of ``divisors`` (more than zero) in turn."""
    _non_negative(name, value)
    for divisor_name, divisor in divisors:
        _positive(divisor_name, divisor)
    out = float(value)
    for _, divisor in divisors:
        out /= divisor
    return out


def _kpi(
    key: str,
    actual: float,
    period: str | KPIPeriod,
    target: float,
    baseline: float | None = None,
) -> KPI:
    spec = _SPECS[key]
    return KPI(
        name=spec.name,
        target=float(target),
        actual=actual,
        period=period if isinstance(period, KPIPeriod) else KPIPeriod(label=period),
        direction=KPIDirection(spec.direction),
        unit=spec.unit,
        baseline=baseline if baseline != target else None,
    )


def _check_keys(
    name: str, mapping: Mapping[str, float], specs: tuple[KpiSpec, ...], what: str
) -> None:
    keys = [s.key for s in specs]
    unknown = sorted(set(mapping) - set(keys))
    if unknown:
        raise ValidationError.single(
            f"{name}.{unknown[0]}", mapping[unknown[0]], f"is not {what}; use one of {keys}"
        )


# --------------------------------------------------------------------------- prospecting
@attrs.frozen
class ProspectingPeriod:
    """A prospecting period's figures (seed 001 §5.4's table).

    Args:
        period: a label (``"2025-Q1"``, ``"manual"``).
        qualified_prospects: prospects qualified for further communication.
        new_customers: prospects that became customers.
        revenue: revenue from the new customers.
        hours: prospecting work hours.
        other_cost: costs besides the hours (CRM licence, ads …).

    Examples:
        >>> from crmkit.scoring import ProspectingPeriod
        >>> ProspectingPeriod("q1", 100, 5, 500_000, 200).conversion_rate
        0.05
    """

    period: str
    qualified_prospects: int
    new_customers: int
    revenue: float
    hours: float
    other_cost: float = 0.0

    def __attrs_post_init__(self) -> None:
        _positive("qualified_prospects", self.qualified_prospects)
        _non_negative("new_customers", self.new_customers)
        if self.new_customers > self.qualified_prospects:
            raise ValidationError.single(
                "new_customers", self.new_customers, "cannot exceed the qualified prospects"
            )
        for name in ("revenue", "hours", "other_cost"):
            _non_negative(name, getattr(self, name))

    def _per_customer(self, total: float) -> float:
        return total / self.new_customers if self.new_customers else float("nan")

    @property
    def conversion_rate(self) -> float:
        """New customers ÷ qualified prospects."""
        return self.new_customers / self.qualified_prospects

    @property
    def value_per_customer(self) -> float:
        """Revenue ÷ new customers (``nan`` without new customers)."""
        return self._per_customer(float(self.revenue))

    @property
    def hours_per_new_customer(self) -> float:
        """Hours ÷ new customers (``nan`` without new customers)."""
        return self._per_customer(float(self.hours))

    def cost_per_new_customer(self, hourly_rate: float) -> float:
        """(hours × hourly rate + other cost) ÷ new customers.

        Examples:
            >>> from crmkit.scoring import ProspectingPeriod
            >>> ProspectingPeriod("crm", 100, 10, 1_200_000, 120, 12_500).cost_per_new_customer(1000)
            13250.0
        """
        _non_negative("hourly_rate", hourly_rate)
        return self._per_customer(self.hours * hourly_rate + self.other_cost)

    def values(self, hourly_rate: float) -> dict[str, float]:
        """The four quality parameters by key.

        Examples:
            >>> from crmkit.scoring import ProspectingPeriod
            >>> ProspectingPeriod("m", 100, 5, 500_000, 200).values(1000)["hours_per_new_customer"]
            40.0
        """
        return {
            "conversion_rate": self.conversion_rate,
            "value_per_customer": self.value_per_customer,
            "hours_per_new_customer": self.hours_per_new_customer,
            "cost_per_new_customer": self.cost_per_new_customer(hourly_rate),
        }


def prospecting_kpis(
    period: ProspectingPeriod,
    *,
    hourly_rate: float,
    targets: Mapping[str, float],
    baseline: ProspectingPeriod | None = None,
) -> list[KPI]:
    """The quality parameters of a period as ``KPI`` objects, one per target given (keys of
    :data:`QUALITY_PARAMETERS`, in catalogue order). With a ``baseline`` period its values
    become the KPIs' baselines, so progress is measured from where you started.

    Examples:
        >>> from crmkit.scoring import ProspectingPeriod, prospecting_kpis
        >>> manual = ProspectingPeriod("manual", 100, 5, 500_000, 200)
        >>> crm = ProspectingPeriod("2025-Q1", 100, 10, 1_200_000, 120, other_cost=12_500)
        >>> kpis = prospecting_kpis(crm, hourly_rate=1000, baseline=manual,
        ...                         targets={"conversion_rate": 0.08,
        ...                                  "hours_per_new_customer": 20})
        >>> [(k.name, k.actual, k.direction.value, k.is_met) for k in kpis]
        [('Conversion rate', 0.1, 'max', True), ('Work hours per new customer', 12.0, 'min', True)]
        >>> round(kpis[0].progress, 4)
        1.6667
    """
    _check_keys("targets", targets, QUALITY_PARAMETERS, "a quality parameter")
    values = period.values(hourly_rate)
    base = baseline.values(hourly_rate) if baseline is not None else {}
    return [
        _kpi(spec.key, values[spec.key], period.period, targets[spec.key], base.get(spec.key))
        for spec in QUALITY_PARAMETERS
        if spec.key in targets
    ]


@attrs.frozen
class KpiChange(ResultRow):
    """One parameter compared across two periods.

    Examples:
        >>> from crmkit.scoring import KpiChange
        >>> KpiChange("hours_per_new_customer", "min", 40.0, 12.0).improved
        True
    """

    name: str
    direction: str
    before: float
    after: float

    @property
    def change(self) -> float:
        """after − before."""
        return self.after - self.before

    @property
    def relative_change(self) -> float:
        """(after − before) ÷ before (``nan`` when before is 0).

        Examples:
            >>> from crmkit.scoring import KpiChange
            >>> KpiChange("conversion_rate", "max", 0.05, 0.1).relative_change
            1.0
        """
        return self.change / self.before if self.before else float("nan")

    @property
    def improved(self) -> bool:
        """Whether the change goes the desired direction."""
        return self.after > self.before if self.direction == "max" else self.after < self.before


def compare_periods(
    before: ProspectingPeriod, after: ProspectingPeriod, *, hourly_rate: float
) -> list[KpiChange]:
    """Compare the four quality parameters of two periods (seed 001 §5.4).

    Examples:
        >>> from crmkit.scoring import ProspectingPeriod, compare_periods
        >>> a = ProspectingPeriod("a", 10, 1, 100, 10)
        >>> b = ProspectingPeriod("b", 10, 2, 100, 10)
        >>> [c.improved for c in compare_periods(a, b, hourly_rate=0)]
        [True, False, True, False]
    """
    first = before.values(hourly_rate)
    second = after.values(hourly_rate)
    return [
        KpiChange(spec.key, spec.direction, first[spec.key], second[spec.key])
        for spec in QUALITY_PARAMETERS
    ]


# ------------------------------------------------------------------------ customer care
def visits_per_salesperson(visits: int, salespeople: int, *, months: float = 1.0) -> float:
    """K1: customer visits per salesperson per month.

    Examples:
        >>> from crmkit.scoring import visits_per_salesperson
        >>> visits_per_salesperson(96, 4)
        24.0
    """
    return _per("visits", visits, ("salespeople", salespeople), ("months", months))


def revenue_per_customer(revenue: float, customers: int) -> float:
    """K2: revenue ÷ customers.

    Examples:
        >>> from crmkit.scoring import revenue_per_customer
        >>> revenue_per_customer(2_000_000, 250)
        8000.0
    """
    return _per("revenue", revenue, ("customers", customers))


def average_sales_per_customer(sales: float, customers: int) -> float:
    """K3: sales ÷ customers in a period — the KPI for growing existing customers.

    Examples:
        >>> from crmkit.scoring import average_sales_per_customer
        >>> average_sales_per_customer(2_000_000, 250)
        8000.0
    """
    return revenue_per_customer(sales, customers)


def customers_per_salesperson(customers: int, salespeople: int) -> float:
    """K4: customers ÷ salespeople — the KPI for winning new customers.

    Examples:
        >>> from crmkit.scoring import customers_per_salesperson
        >>> customers_per_salesperson(250, 5)
        50.0
    """
    return _per("customers", customers, ("salespeople", salespeople))


@overload
def cases_per_problem_type(
    cases: SupportsToNative[FrameT], *, problem_type: str = ...
) -> FrameT: ...
@overload
def cases_per_problem_type(cases: FrameT, *, problem_type: str = ...) -> FrameT: ...
@overload
def cases_per_problem_type(cases: Records, *, problem_type: str = ...) -> dict[Any, int]: ...


def cases_per_problem_type(cases: Any, *, problem_type: str = "problem_type") -> Any:
    """K5: number of cases per problem type. Records (case objects, dicts or plain strings)
    give a dict sorted by count then name; a frame gives a frame (``problem_type``,
    ``cases``) in the same order.

    Examples:
        >>> from crmkit.scoring import cases_per_problem_type
        >>> cases_per_problem_type(["billing", "billing", "delivery", "login", "billing"])
        {'billing': 3, 'delivery': 1, 'login': 1}
    """
    if is_frame(cases):
        nw = narwhals()
        frame = from_native(cases)
        require_columns(frame, [problem_type], what="cases")
        out = (
            frame.group_by(problem_type)
            .agg(nw.len().alias("cases"))
            .with_columns(nw.col("cases").cast(nw.Int64()))
            .sort(["cases", problem_type], descending=[True, False], nulls_last=True)
        )
        return to_native(out)
    counts: Counter[Any] = Counter()
    for i, case in enumerate(cases):
        value = (
            case
            if isinstance(case, str)
            else read_field(
                case, problem_type, what=f"cases[{i}]", paths=True, custom=True, floats=True
            )
        )
        counts[value] += 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))))


def cases_per_agent_per_day(cases: int, agents: int, days: float) -> float:
    """K6: cases handled per customer-service agent per day.

    Examples:
        >>> from crmkit.scoring import cases_per_agent_per_day
        >>> cases_per_agent_per_day(180, agents=3, days=5)
        12.0
    """
    return _per("cases", cases, ("agents", agents), ("days", days))


def percent_change(before: float, after: float) -> float:
    """Change in percent, ``100 · (after − before) / before`` (seed 004's "some percent more
    cases per day").

    Examples:
        >>> from crmkit.scoring import percent_change
        >>> round(percent_change(12, 13.2), 10)
        10.0
    """
    if before == 0:
        raise ValidationError.single("before", before, "must not be zero for a percent change")
    return 100.0 * (after - before) / before


@attrs.frozen
class WaitingTime(ResultRow):
    """Mean and median waiting time (seconds) and how many waits were measured.

    Examples:
        >>> from crmkit.scoring import WaitingTime
        >>> WaitingTime(4, 60.0, 60.0).mean
        60.0
    """

    count: int
    mean: float
    median: float


def waiting_time(
    waits: Any, *, opened: str = "opened_at", answered: str = "first_response_at"
) -> WaitingTime:
    """K7: waiting time in customer service, in seconds.

    Accepts numbers (seconds), case records (``opened`` → ``answered``; unanswered cases are
    left out) or a frame with those two columns.

    Examples:
        >>> from crmkit.scoring import waiting_time
        >>> waiting_time([30, 90, 120, 0])
        WaitingTime(count=4, mean=60.0, median=60.0)
    """
    if is_frame(waits):
        nw = narwhals()
        frame = from_native(waits)
        require_columns(frame, [opened, answered], what="cases")
        seconds = seconds_between_expr(nw.col(opened), nw.col(answered), frame.implementation)
        waited = frame.filter(~nw.col(answered).is_null()).select(seconds.alias("s"))
        out = collect(waited.select(nw.len().alias("n"), nw.col("s").mean().alias("mean")))
        n = int(out["n"][0])
        if n == 0:
            raise ValidationError.single("cases", 0, "has no answered case to measure")
        median = exact_median(waited, "s")
        return WaitingTime(n, float(out["mean"][0]), 0.0 if median is None else median)
    values: list[float] = []
    for i, item in enumerate(waits):
        if isinstance(item, int | float) and not isinstance(item, bool):
            seconds_value = float(item)
        else:
            start = read_field(
                item, opened, what=f"cases[{i}]", paths=True, custom=True, floats=True
            )
            end = read_field(
                item, answered, what=f"cases[{i}]", paths=True, custom=True, floats=True
            )
            if end is None:
                continue
            if not isinstance(start, datetime) or not isinstance(end, datetime):
                raise ValidationError.single(f"cases[{i}].{opened}", start, "must be a datetime")
            seconds_value = (end - start).total_seconds()
        if seconds_value < 0:
            raise ValidationError.single(f"waits[{i}]", seconds_value, "must be zero or more")
        values.append(seconds_value)
    if not values:
        raise ValidationError.single("waits", [], "has no wait to measure")
    return WaitingTime(len(values), statistics.fmean(values), float(statistics.median(values)))


def new_vs_existing(new: int, existing: int) -> tuple[float, float]:
    """K8: the split between new and existing customers (or orders), as two shares.

    Examples:
        >>> from crmkit.scoring import new_vs_existing
        >>> new_vs_existing(40, 160)
        (0.2, 0.8)
    """
    _non_negative("new", new)
    _non_negative("existing", existing)
    total = new + existing
    if total == 0:
        raise ValidationError.single("new + existing", 0, "must be greater than zero")
    return new / total, existing / total


class Goal(enum.Enum):
    """The business goals seed 004 ties KPIs to (L206–214).

    Examples:
        >>> from crmkit.scoring import Goal
        >>> Goal("grow_existing").value
        'grow_existing'
    """

    GROW_EXISTING = "grow_existing"
    NEW_CUSTOMERS = "new_customers"
    BOTH = "both"


_GOAL_KPIS: dict[Goal, tuple[str, ...]] = {
    Goal.GROW_EXISTING: ("average_sales_per_customer",),
    Goal.NEW_CUSTOMERS: ("customers_per_salesperson",),
    Goal.BOTH: ("average_sales_per_customer", "customers_per_salesperson"),
}


def recommend_kpis(goal: Goal | str) -> list[KpiSpec]:
    """The KPIs to track for a business goal (seed 004 L206–214): selling more to existing
    customers → average sales per customer; new customers in new markets → customers per
    salesperson; both → both (track both, but start with one).

    Examples:
        >>> from crmkit.scoring import recommend_kpis
        >>> [k.key for k in recommend_kpis("both")]
        ['average_sales_per_customer', 'customers_per_salesperson']
    """
    try:
        chosen = goal if isinstance(goal, Goal) else Goal(goal)
    except ValueError:
        raise ValidationError.single(
            "goal", goal, f"is not a known goal; use one of {[g.value for g in Goal]}"
        ) from None
    return [_SPECS[key] for key in _GOAL_KPIS[chosen]]


def customer_care_kpis(
    actuals: Mapping[str, float],
    *,
    period: str | KPIPeriod,
    targets: Mapping[str, float],
) -> list[KPI]:
    """``KPI`` objects for the customer-care figures you have (keys of
    :data:`CUSTOMER_CARE_KPIS`, in catalogue order); every figure needs a target.

    Examples:
        >>> from crmkit.scoring import customer_care_kpis, visits_per_salesperson
        >>> [k] = customer_care_kpis({"visits_per_salesperson": visits_per_salesperson(96, 4)},
        ...                          period="2025-03", targets={"visits_per_salesperson": 20})
        >>> k.name, k.actual, k.is_met, k.period.label
        ('Customer visits per salesperson per month', 24.0, True, '2025-03')
    """
    _check_keys("actuals", actuals, CUSTOMER_CARE_KPIS, "a customer-care KPI")
    _check_keys("targets", targets, CUSTOMER_CARE_KPIS, "a customer-care KPI")
    missing = [k for k in actuals if k not in targets]
    if missing:
        raise ValidationError.single(
            f"targets.{missing[0]}", message="is missing; a KPI needs a target"
        )
    return [
        _kpi(spec.key, float(actuals[spec.key]), period, targets[spec.key])
        for spec in CUSTOMER_CARE_KPIS
        if spec.key in actuals
    ]
