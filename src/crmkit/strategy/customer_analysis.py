"""The customer-analysis figures of the workbook (section S05), computed from data.

Seed 002 asks for customer counts and shares that most companies guess. These functions compute
them from plain Python data, so the answers can come from the CRM instead: customer status
(active / passive / potential), profitability × growth shares, repurchase buckets, share of
wallet, top-10 concentration, loyal share, cross-sell rate and acquisition cost. They are the one
place crmkit computes these figures; :func:`workbook_answers` turns them into workbook answers.
The source quirks are resolved as documented in :data:`crmkit.strategy.workbook.QUIRKS` (Q3–Q6).

Examples:
    >>> from crmkit.strategy.customer_analysis import cross_sell_rate, top_n_concentration
    >>> cross_sell_rate([1, 2, 3, 1, 1])
    40.0
    >>> top_n_concentration([200, 150, 100, 100, 100, 100, 50, 50, 50, 50, 25, 25]).share
    95.0
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import attrs
from dateutil.relativedelta import relativedelta

from crmkit.errors import ValidationError

__all__ = [
    "ACQUISITION_RETENTION_RATIO",
    "Concentration",
    "CustomerStatus",
    "ProfitabilityShares",
    "RepurchaseShares",
    "ShareOfWallet",
    "acquisition_cost",
    "cross_sell_rate",
    "customer_status",
    "loyal_share",
    "profitability_matrix",
    "repurchase_bucket",
    "repurchase_shares",
    "share_of_wallet_split",
    "top_n_concentration",
    "volume_block",
    "workbook_answers",
]

#: "Almost five times as expensive to acquire a new customer as to retain one" (002:L29).
ACQUISITION_RETENTION_RATIO = 5


class CustomerStatus(enum.Enum):
    """Active (invoiced within the window), passive (invoiced before) or potential (never).

    Examples:
        >>> from crmkit.strategy.customer_analysis import CustomerStatus
        >>> CustomerStatus.PASSIVE.value
        'passive'
    """

    ACTIVE = "active"
    PASSIVE = "passive"
    POTENTIAL = "potential"


def customer_status(
    last_invoiced: date | None, as_of: date, *, window_months: int = 12
) -> CustomerStatus:
    """Status of one customer (quirk Q3); the window includes its first day.

    Examples:
        >>> from datetime import date
        >>> from crmkit.strategy.customer_analysis import customer_status
        >>> ref = date(2024, 12, 31)
        >>> [customer_status(d, ref).value for d in
        ...  (date(2024, 11, 15), date(2023, 6, 30), None, date(2023, 12, 31))]
        ['active', 'passive', 'potential', 'active']
    """
    if window_months <= 0:
        raise ValidationError.single("window_months", window_months, "must be positive")
    if last_invoiced is None:
        return CustomerStatus.POTENTIAL
    if last_invoiced > as_of:
        raise ValidationError.single(
            "last_invoiced", last_invoiced.isoformat(), f"is after as_of {as_of.isoformat()}"
        )
    start = as_of - relativedelta(months=window_months)
    return CustomerStatus.ACTIVE if last_invoiced >= start else CustomerStatus.PASSIVE


def volume_block(
    last_invoiced: Iterable[date | None], as_of: date, *, window_months: int = 12
) -> dict[str, int]:
    """The workbook's volume block: active, passive, total (= active + passive), potential.

    Examples:
        >>> from datetime import date
        >>> from crmkit.strategy.customer_analysis import volume_block
        >>> volume_block([date(2024, 11, 15), date(2024, 3, 10), date(2023, 6, 30), None],
        ...              date(2024, 12, 31))
        {'active': 2, 'passive': 1, 'total': 3, 'potential': 1}
    """
    counts = dict.fromkeys(CustomerStatus, 0)
    for d in last_invoiced:
        counts[customer_status(d, as_of, window_months=window_months)] += 1
    active, passive = counts[CustomerStatus.ACTIVE], counts[CustomerStatus.PASSIVE]
    return {
        "active": active,
        "passive": passive,
        "total": active + passive,
        "potential": counts[CustomerStatus.POTENTIAL],
    }


def _pct(part: float, whole: float) -> float:
    return 100.0 * part / whole


@attrs.frozen
class ProfitabilityShares:
    """Profitability × growth shares in percent (2×2 partition, quirk Q6) and the nested view.

    Examples:
        >>> from crmkit.strategy.customer_analysis import profitability_matrix
        >>> m = profitability_matrix([(True, True)] * 3 + [(True, False)] * 4
        ...                          + [(False, True)] * 2 + [(False, False)])
        >>> (m.profitable_growth, m.profitable, m.unprofitable_potential, m.unprofitable)
        (30.0, 40.0, 20.0, 10.0)
        >>> m.profitable_any, m.unprofitable_any
        (70.0, 30.0)
    """

    profitable_growth: float
    profitable: float
    unprofitable_potential: float
    unprofitable: float

    @property
    def profitable_any(self) -> float:
        """Nested reading: all profitable customers."""
        return self.profitable_growth + self.profitable

    @property
    def unprofitable_any(self) -> float:
        """Nested reading: all unprofitable customers."""
        return self.unprofitable_potential + self.unprofitable


def profitability_matrix(customers: Iterable[tuple[bool, bool]]) -> ProfitabilityShares:
    """Shares from ``(profitable, growth_potential)`` per customer (base: active + passive)."""
    cells = [0, 0, 0, 0]
    n = 0
    for profitable, growth in customers:
        cells[(0 if profitable else 2) + (0 if growth else 1)] += 1
        n += 1
    if n == 0:
        raise ValidationError.single("customers", [], "needs at least one customer")
    return ProfitabilityShares(*(_pct(c, n) for c in cells))


@attrs.frozen
class RepurchaseShares:
    """Repurchase buckets in percent; ``unclassified`` is the share no bucket covers.

    Examples:
        >>> from crmkit.strategy.customer_analysis import repurchase_shares
        >>> repurchase_shares([1, 1, 3, 5, 7, 10, 11, 15]).buckets
        {'1': 25.0, '2-5': 25.0, '6-10': 25.0, '11+': 25.0}
        >>> lit = repurchase_shares([1, 1, 3, 5, 7, 10, 11, 15], literal=True)
        >>> lit.buckets["12+"], lit.unclassified
        (12.5, 12.5)
    """

    buckets: dict[str, float]
    unclassified: float


def repurchase_bucket(purchases: int, *, literal: bool = False) -> str | None:
    """The bucket of one purchase count (quirk Q4: 11 is '11+' unless ``literal``).

    Examples:
        >>> from crmkit.strategy.customer_analysis import repurchase_bucket
        >>> [repurchase_bucket(n) for n in (1, 2, 5, 6, 10, 11, 12)]
        ['1', '2-5', '2-5', '6-10', '6-10', '11+', '11+']
        >>> repurchase_bucket(11, literal=True) is None
        True
    """
    if isinstance(purchases, bool) or not isinstance(purchases, int) or purchases < 1:
        raise ValidationError.single(
            "purchases", purchases, "must be a whole number of at least 1 (0 is a prospect)"
        )
    if purchases == 1:
        return "1"
    if purchases <= 5:
        return "2-5"
    if purchases <= 10:
        return "6-10"
    if literal:
        return "12+" if purchases > 11 else None
    return "11+"


def repurchase_shares(purchase_counts: Sequence[int], *, literal: bool = False) -> RepurchaseShares:
    """Share of customers per repurchase bucket (1 / 2–5 / 6–10 / 11+)."""
    if not purchase_counts:
        raise ValidationError.single("purchase_counts", [], "needs at least one customer")
    labels = ["1", "2-5", "6-10", "12+" if literal else "11+"]
    counts = dict.fromkeys(labels, 0)
    missing = 0
    for n in purchase_counts:
        b = repurchase_bucket(n, literal=literal)
        if b is None:
            missing += 1
        else:
            counts[b] += 1
    total = len(purchase_counts)
    return RepurchaseShares({k: _pct(v, total) for k, v in counts.items()}, _pct(missing, total))


@attrs.frozen
class ShareOfWallet:
    """Share of customers over and under the share-of-wallet threshold, in percent.

    Examples:
        >>> from crmkit.strategy.customer_analysis import share_of_wallet_split
        >>> pairs = [(80, 100), (30, 100), (50, 100), (0, 40)]
        >>> s = share_of_wallet_split(pairs, boundary="unclassified")
        >>> s.over, s.under, s.unclassified
        (25.0, 50.0, 25.0)
        >>> share_of_wallet_split(pairs, boundary="over").over
        50.0
    """

    over: float
    under: float
    unclassified: float


def share_of_wallet_split(
    spend: Iterable[tuple[float | Decimal, float | Decimal]],
    *,
    threshold: float = 0.5,
    boundary: str = "under",
) -> ShareOfWallet:
    """Split customers by our spend ÷ their total category spend (quirk Q5).

    Args:
        spend: ``(our_spend, customer_total_spend)`` per customer.
        threshold: the split point (0–1), 0.5 in the workbook.
        boundary: where a customer exactly at the threshold goes: ``"under"`` (default),
            ``"over"`` or ``"unclassified"`` (the literal source).

    Raises:
        ValidationError: a customer with total spend 0, or our spend above their total.
    """
    if boundary not in ("under", "over", "unclassified"):
        raise ValidationError.single("boundary", boundary, "must be under, over or unclassified")
    over = under = unclassified = n = 0
    for i, (ours, total) in enumerate(spend):
        if total <= 0:
            raise ValidationError.single(
                f"spend[{i}].total", total, "must be positive (share of wallet is undefined)"
            )
        if ours < 0 or ours > total:
            raise ValidationError.single(f"spend[{i}].ours", ours, "must be between 0 and total")
        share = float(ours) / float(total)
        n += 1
        if share > threshold:
            over += 1
        elif share < threshold or boundary == "under":
            under += 1
        elif boundary == "over":
            over += 1
        else:
            unclassified += 1
    if n == 0:
        raise ValidationError.single("spend", [], "needs at least one customer")
    return ShareOfWallet(_pct(over, n), _pct(under, n), _pct(unclassified, n))


@attrs.frozen
class Concentration:
    """Revenue concentration: the top N's share, the top customer's share and each top share.

    Examples:
        >>> from crmkit.strategy.customer_analysis import top_n_concentration
        >>> c = top_n_concentration([200, 150, 100, 100, 100, 100, 50, 50, 50, 50, 25, 25])
        >>> c.share, c.top_customer_share, c.distribution[:3]
        (95.0, 20.0, [20.0, 15.0, 10.0])
    """

    n: int
    share: float
    top_customer_share: float
    distribution: list[float]


def top_n_concentration(revenues: Iterable[float | Decimal], n: int = 10) -> Concentration:
    """Share of revenue from the ``n`` largest customers (002:L195)."""
    values = sorted((float(r) for r in revenues), reverse=True)
    if any(v < 0 for v in values):
        raise ValidationError.single("revenues", min(values), "must not be negative")
    total = sum(values)
    if total <= 0:
        raise ValidationError.single("revenues", total, "must sum to more than zero")
    top = values[:n]
    return Concentration(
        n=n,
        share=round(_pct(sum(top), total), 10),
        top_customer_share=round(_pct(top[0], total), 10),
        distribution=[round(_pct(v, total), 10) for v in top],
    )


def loyal_share(customers: Iterable[tuple[bool, bool, bool]]) -> float:
    """Percent loyal: recommends ∧ high repurchase ∧ high share of wallet (002:L201).

    Examples:
        >>> from crmkit.strategy.customer_analysis import loyal_share
        >>> loyal_share([(True, True, True), (True, True, False), (False, True, True),
        ...              (True, False, True)])
        25.0
    """
    flags = [all(c) for c in customers]
    if not flags:
        raise ValidationError.single("customers", [], "needs at least one customer")
    return _pct(sum(flags), len(flags))


def cross_sell_rate(distinct_products: Iterable[int]) -> float:
    """Percent of customers buying more than one distinct product or service (002:L205)."""
    counts = list(distinct_products)
    if not counts:
        raise ValidationError.single("distinct_products", [], "needs at least one customer")
    return _pct(sum(c > 1 for c in counts), len(counts))


def acquisition_cost(
    retention_cost: float | Decimal, ratio: float = ACQUISITION_RETENTION_RATIO
) -> float | Decimal:
    """Estimated cost of acquiring a customer: retention cost × ratio (an upper bound, since
    the source says "almost" five times).

    Examples:
        >>> from crmkit.strategy.customer_analysis import acquisition_cost
        >>> acquisition_cost(1000)
        5000
    """
    if retention_cost < 0:
        raise ValidationError.single("retention_cost", retention_cost, "must be zero or more")
    if isinstance(retention_cost, Decimal):
        return retention_cost * Decimal(str(ratio))
    result = retention_cost * ratio
    return int(result) if float(result).is_integer() else result


def workbook_answers(
    *,
    volume: Mapping[str, int] | None = None,
    profitability: ProfitabilityShares | None = None,
    repurchase: RepurchaseShares | None = None,
    share_of_wallet: ShareOfWallet | None = None,
    concentration: Concentration | None = None,
    loyal: float | None = None,
    cross_sell: float | None = None,
) -> dict[str, Any]:
    """Map computed figures onto workbook item ids, ready for ``WorkbookAnswers.fill``.

    Examples:
        >>> from crmkit.strategy.customer_analysis import workbook_answers
        >>> workbook_answers(volume={"active": 2, "passive": 1, "total": 3, "potential": 1},
        ...                  cross_sell=40.0)["s05.cross_sell_share"]
        40.0
    """
    out: dict[str, Any] = {}
    if volume is not None:
        for key in ("active", "passive", "total", "potential"):
            if key in volume:
                out[f"s05.volume.{key}"] = volume[key]
    if profitability is not None:
        for key in ("profitable_growth", "profitable", "unprofitable_potential", "unprofitable"):
            out[f"s05.profit.{key}"] = round(getattr(profitability, key), 2)
    if repurchase is not None:
        b = repurchase.buckets
        out["s05.repurchase.once"] = round(b["1"], 2)
        out["s05.repurchase.2_5"] = round(b["2-5"], 2)
        out["s05.repurchase.6_10"] = round(b["6-10"], 2)
        out["s05.repurchase.over_11"] = round(b.get("11+", b.get("12+", 0.0)), 2)
    if share_of_wallet is not None:
        out["s05.sow.over_50"] = round(share_of_wallet.over, 2)
        out["s05.sow.under_50"] = round(share_of_wallet.under, 2)
    if concentration is not None:
        out["s05.sow.top10_distribution"] = round(concentration.share, 2)
    if loyal is not None:
        out["s05.loyal_share"] = round(loyal, 2)
    if cross_sell is not None:
        out["s05.cross_sell_share"] = round(cross_sell, 2)
    return out
