"""Customer profitability: ranking, "false key customers" and acquisition-vs-retention economics.

Seed 004 (L144, L170–172) warns that "supposed key customers are not particularly
profitable": rank customers by their contribution and flag the accounts marked key or
strategic whose profit is zero or negative. Seed 002 (L29) states that acquiring a customer
costs "almost five times" as much as keeping one; :func:`acquisition_cost` applies that ratio
(configurable; seed 000 quotes "8× easier", seed 003 "5× less").

Accounts come as records (crmkit ``Account`` with ``profit: Money``, ``is_key_account``) or a
frame with the same column names.

Examples:
    >>> from crmkit.scoring import false_key_customers
    >>> accounts = [{"name": "A", "profit": 120.0, "is_key_account": True},
    ...             {"name": "B", "profit": -5.0, "is_key_account": True},
    ...             {"name": "C", "profit": -9.0, "is_key_account": False}]
    >>> [a["name"] for a in false_key_customers(accounts)]
    ['B']
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, overload

import attrs

from crmkit._deprecation import renamed
from crmkit.display import ResultRow
from crmkit.domain import Money
from crmkit.errors import ValidationError
from crmkit.frames import (
    FrameT,
    Records,
    RecordT,
    SupportsToNative,
    from_native,
    is_frame,
    narwhals,
    read_field,
    require_columns,
    to_native,
    with_running_sum,
)

__all__ = [
    "ACQUISITION_TO_RETENTION",
    "RankedCustomer",
    "RetentionEconomics",
    "acquisition_cost",
    "false_key_customers",
    "profitability_ranking",
    "retention_economics",
]

#: Seed 002 L29: acquiring a customer costs "almost five times" as much as keeping one.
ACQUISITION_TO_RETENTION = 5.0


@attrs.frozen
class RankedCustomer(ResultRow):
    """A customer's place in the profitability ranking and its share of total profit.

    Examples:
        >>> from crmkit.scoring import RankedCustomer
        >>> RankedCustomer(1, "acc-1", 500.0, 0.5, 0.5).rank
        1
    """

    rank: int
    customer: Any
    profit: float
    share: float
    cumulative_share: float


@overload
def profitability_ranking(
    accounts: SupportsToNative[FrameT], *, profit: str = ..., key: str = ...
) -> FrameT: ...
@overload
def profitability_ranking(accounts: FrameT, *, profit: str = ..., key: str = ...) -> FrameT: ...
@overload
def profitability_ranking(
    accounts: Records, *, profit: str = ..., key: str = ...
) -> list[RankedCustomer]: ...


@renamed(customer="key")
def profitability_ranking(accounts: Any, *, profit: str = "profit", key: str = "id") -> Any:
    """Customers sorted by profit (highest first; ties by customer), with share of the total
    profit and the cumulative share. Customers without a profit figure are left out; ``key``
    is the customer records' id field.

    Records give :class:`RankedCustomer` rows; a frame gives a frame with columns ``rank``,
    ``customer``, ``profit``, ``share``, ``cumulative_share``.

    Examples:
        >>> from crmkit.scoring import profitability_ranking
        >>> rows = profitability_ranking([{"id": "a", "profit": 100.0},
        ...                               {"id": "b", "profit": 300.0}])
        >>> [(r.rank, r.customer, r.share) for r in rows]
        [(1, 'b', 0.75), (2, 'a', 0.25)]
    """
    if is_frame(accounts):
        return to_native(_ranked_frame(from_native(accounts), profit, key))
    rows: list[tuple[float, Any]] = []
    for i, account in enumerate(accounts):
        value = read_field(
            account, profit, what=f"accounts[{i}]", paths=True, custom=True, floats=True
        )
        if value is None:
            continue
        rows.append(
            (
                float(value),
                read_field(
                    account, key, what=f"accounts[{i}]", paths=True, custom=True, floats=True
                ),
            )
        )
    rows.sort(key=lambda r: (-r[0], r[1]))
    total = sum(p for p, _ in rows)
    out: list[RankedCustomer] = []
    running = 0.0
    for rank, (value, who) in enumerate(rows, start=1):
        share = value / total if total else float("nan")
        running += share
        out.append(RankedCustomer(rank, who, value, share, running))
    return out


def _ranked_frame(frame: Any, profit: str, key: str) -> Any:
    """The frame path of :func:`profitability_ranking` (a narwhals frame; lazy stays lazy).

    Usually the running totals are ``cum_sum`` windows over the whole frame in ranking order
    and the total a broadcast ``sum()``. On PySpark, where both are windows over the whole
    frame (a ``SinglePartition`` exchange of every customer), the ranks, the total and the
    running shares come from :func:`crmkit.frames.with_running_sum`: per-bucket totals of an
    order-preserving bucket of the (negated) profit, a small table crossed with itself, and
    windows partitioned by bucket, so no step moves every customer into one partition. Ranks
    are exact; the total and running shares are the same sums added bucket by bucket (a float
    sum may differ in its last digits from the single-window sum).
    """
    nw = narwhals()
    require_columns(frame, [profit, key], what="accounts")
    order = ["__neg", "customer"]
    base = (
        frame.filter(~nw.col(profit).is_null())
        .select(nw.col(key).alias("customer"), nw.col(profit).cast(nw.Float64()).alias("profit"))
        .with_columns(
            (-nw.col("profit")).alias("__neg"), nw.lit(1, dtype=nw.Int64()).alias("__one")
        )
    )
    implementation = frame.implementation
    if implementation.is_pyspark() or implementation.is_pyspark_connect():
        total = nw.col("__total")
        base = with_running_sum(base, "__one", order, "rank")
        base = with_running_sum(base, "profit", order, "__run", total="__total")
        base = base.with_columns(_share(nw, total).alias("share"))
        ranked = with_running_sum(base, "share", order, "cumulative_share")
    else:
        ranked = base.with_columns(_share(nw, nw.col("profit").sum()).alias("share")).with_columns(
            nw.col("__one").cum_sum().over(order_by=order).alias("rank"),
            nw.col("share").cum_sum().over(order_by=order).alias("cumulative_share"),
        )
    return ranked.sort("rank").select("rank", "customer", "profit", "share", "cumulative_share")


def _share(nw: Any, total: Any) -> Any:
    """Profit over ``total``; a total of zero has no shares: NaN, as on records."""
    return nw.when(total != 0).then(nw.col("profit") / total).otherwise(nw.lit(float("nan")))


@overload
def false_key_customers(
    accounts: SupportsToNative[FrameT], *, profit: str = ..., key_account: str = ...
) -> FrameT: ...
@overload
def false_key_customers(
    accounts: FrameT, *, profit: str = ..., key_account: str = ...
) -> FrameT: ...
@overload
def false_key_customers(
    accounts: Iterable[RecordT], *, profit: str = ..., key_account: str = ...
) -> list[RecordT]: ...


@renamed(key="key_account")
def false_key_customers(
    accounts: Any,
    *,
    profit: str = "profit",
    key_account: str = "is_key_account",
) -> Any:
    """Accounts flagged key/strategic (``key_account`` true) whose profit is ≤ 0 — the seed 004
    "false key customers". Records give the matching records; a frame the filtered frame.
    A key account without a profit figure is not flagged (unknown is not proof).

    Examples:
        >>> import polars as pl
        >>> from crmkit.scoring import false_key_customers
        >>> df = pl.DataFrame({"id": ["a", "b"], "profit": [0.0, 10.0],
        ...                    "is_key_account": [True, True]})
        >>> false_key_customers(df)["id"].to_list()
        ['a']
    """
    if is_frame(accounts):
        nw = narwhals()
        frame = from_native(accounts)
        require_columns(frame, [profit, key_account], what="accounts")
        flagged = frame.filter(
            nw.col(key_account).fill_null(False) & (nw.col(profit) <= 0) & ~nw.col(profit).is_null()
        )
        return to_native(flagged)
    out = []
    for i, account in enumerate(accounts):
        flag = read_field(
            account, key_account, what=f"accounts[{i}]", paths=True, custom=True, floats=True
        )
        value = read_field(
            account, profit, what=f"accounts[{i}]", paths=True, custom=True, floats=True
        )
        if flag and value is not None and float(value) <= 0:
            out.append(account)
    return out


@overload
def acquisition_cost(retention_cost: Money, *, ratio: float | Decimal = ...) -> Money: ...


@overload
def acquisition_cost(retention_cost: Decimal, *, ratio: float | Decimal = ...) -> Decimal: ...


@overload
def acquisition_cost(retention_cost: float, *, ratio: float | Decimal = ...) -> float: ...


def acquisition_cost(
    retention_cost: float | Decimal | Money,
    *,
    ratio: float | Decimal = ACQUISITION_TO_RETENTION,
) -> float | Decimal | Money:
    """The cost of acquiring a customer, from the cost of keeping one × ``ratio``.

    Seed 002 §5.3 item 8: 1,000 SEK per retained customer × 5 → about 5,000 SEK (an upper
    bound, since the source says "almost" five times).

    The result has the kind of the input: a number gives a ``float``; a ``Decimal`` stays an
    exact ``Decimal`` and :class:`~crmkit.domain.Money` stays Money in its currency (the ratio
    is taken by its decimal text, so ``5.0`` multiplies exactly).

    Examples:
        >>> from decimal import Decimal
        >>> from crmkit.domain import Money
        >>> from crmkit.scoring import acquisition_cost
        >>> acquisition_cost(1000)
        5000.0
        >>> acquisition_cost(Decimal("999.95"))
        Decimal('4999.750')
        >>> acquisition_cost(Money("1000", "SEK"), ratio=Decimal("4.5"))
        Money(amount=Decimal('4500.0'), currency='SEK')
        >>> acquisition_cost(-1)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: retention_cost: -1 must be zero or more
    """
    amount = retention_cost.amount if isinstance(retention_cost, Money) else retention_cost
    if isinstance(amount, bool) or not isinstance(amount, int | float | Decimal):
        raise ValidationError.single(
            "retention_cost", retention_cost, "must be a number, a Decimal or Money"
        )
    if isinstance(ratio, bool) or not isinstance(ratio, int | float | Decimal):
        raise ValidationError.single("ratio", ratio, "must be a number")
    if not (amount >= 0):  # also refuses NaN
        raise ValidationError.single("retention_cost", retention_cost, "must be zero or more")
    if not (ratio > 0) or (isinstance(ratio, float) and not math.isfinite(ratio)):
        raise ValidationError.single("ratio", ratio, "must be greater than zero")
    if isinstance(retention_cost, Money | Decimal):
        exact = ratio if isinstance(ratio, Decimal) else Decimal(str(ratio))
        return retention_cost * exact
    return float(retention_cost) * float(ratio)


@attrs.frozen
class RetentionEconomics(ResultRow):
    """What keeping customers saves compared with replacing them by new ones.

    Examples:
        >>> from crmkit.scoring import RetentionEconomics
        >>> RetentionEconomics(10, 1000.0, 5000.0).saving
        40000.0
    """

    customers: int
    retention_cost: float
    acquisition_cost: float

    @property
    def cost_to_keep(self) -> float:
        """Customers × retention cost."""
        return self.customers * self.retention_cost

    @property
    def cost_to_replace(self) -> float:
        """Customers × acquisition cost."""
        return self.customers * self.acquisition_cost

    @property
    def saving(self) -> float:
        """Replacing minus keeping."""
        return self.cost_to_replace - self.cost_to_keep


def retention_economics(
    customers: int, retention_cost: float, *, ratio: float = ACQUISITION_TO_RETENTION
) -> RetentionEconomics:
    """Compare keeping ``customers`` with winning the same number of new ones.

    Examples:
        >>> from crmkit.scoring import retention_economics
        >>> retention_economics(50, 1000).saving
        200000.0
    """
    if customers < 0:
        raise ValidationError.single("customers", customers, "must be zero or more")
    return RetentionEconomics(
        customers, float(retention_cost), acquisition_cost(retention_cost, ratio=ratio)
    )
