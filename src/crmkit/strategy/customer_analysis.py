"""The customer-analysis figures of the workbook (section S05), as shares for the workbook.

Seed 002 asks for customer counts and shares that most companies guess. crmkit computes them
from data, and each definition lives in exactly one place — the analytics packages:

- customer status and the volume block: :func:`crmkit.segmentation.customer_status` and
  :func:`crmkit.segmentation.status_counts`;
- profitability × growth: :func:`crmkit.segmentation.profitability_matrix`;
- repurchase buckets: :func:`crmkit.segmentation.repurchase_buckets`;
- share of wallet: :func:`crmkit.segmentation.share_of_wallet`;
- top-10 concentration: :func:`crmkit.segmentation.concentration`;
- loyal share: :func:`crmkit.scoring.loyal_share` with a :class:`crmkit.scoring.LoyaltyRule`;
- cross-sell rate: :func:`crmkit.scoring.cross_sell_rate`;
- acquisition cost: :func:`crmkit.scoring.acquisition_cost` (a ``Decimal`` or Money is kept
  exact), re-exported here as it is.

This module is the strategy-level face of those functions: it takes the inputs a workshop has
at hand (a last-invoice date per customer, ``(profitable, growth)`` pairs, purchase counts,
spend pairs, revenues, yes/no loyalty flags, distinct-product counts), hands them to the
analytic and turns its rows into **percentages** the workbook asks for. The analytics return
fractions (0–1); where this module's figure is the same as an analytic's but in percent, its
name says so (:func:`loyal_percent` for :func:`crmkit.scoring.loyal_share`,
:func:`cross_sell_percent` for :func:`crmkit.scoring.cross_sell_rate`), and no name here means
something else than the same name in the analytics (:func:`status_from_last_invoice`,
:func:`profitability_shares`). Each function takes one input shape: records or a frame of
customers or purchases, or — a second function, named ``…_of_flags`` / ``…_of_counts`` — the
workshop's yes/no flags and counts. Segment shares come
from :func:`crmkit.segmentation.segment_summary`. :func:`analyse_customers` does the same from
the CRM's own records or a dataframe (orders, accounts, purchases) and
:meth:`CustomerAnalysis.workbook_answers` / :func:`workbook_answers` map the figures onto the
workbook's item ids. The source quirks are resolved as documented in
:data:`crmkit.strategy.workbook.QUIRKS` (Q3–Q6) — by the analytics' definitions.

Examples:
    >>> from crmkit.strategy.customer_analysis import (
    ...     cross_sell_percent_of_counts, top_n_concentration)
    >>> cross_sell_percent_of_counts([1, 2, 3, 1, 1])
    40.0
    >>> top_n_concentration([200, 150, 100, 100, 100, 100, 50, 50, 50, 50, 25, 25]).share
    95.0
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import attrs

from crmkit import scoring, segmentation
from crmkit._deprecation import renamed, renamed_function, warn_deprecated
from crmkit.errors import Problem, ValidationError
from crmkit.frames import collect, from_native, is_frame

__all__ = [
    "ACQUISITION_RETENTION_RATIO",
    "FLAG_LOYALTY_RULE",
    "Concentration",
    "CustomerAnalysis",
    "CustomerStatus",
    "ProfitabilityShares",
    "RepurchaseShares",
    "ShareOfWallet",
    "acquisition_cost",
    "analyse_customers",
    "cross_sell_percent",
    "cross_sell_percent_of_counts",
    "customer_status",
    "loyal_percent",
    "loyal_percent_of_flags",
    "profitability_matrix",
    "profitability_shares",
    "repurchase_bucket",
    "repurchase_shares",
    "share_of_wallet_split",
    "status_from_last_invoice",
    "top_n_concentration",
    "volume_block",
    "workbook_answers",
]

#: "Almost five times as expensive to acquire a new customer as to retain one" (002:L29);
#: the constant is :data:`crmkit.scoring.ACQUISITION_TO_RETENTION`.
ACQUISITION_RETENTION_RATIO = scoring.ACQUISITION_TO_RETENTION

#: :class:`crmkit.scoring.LoyaltyRule` reading pre-judged yes/no flags (1 / 0): recommends,
#: repurchases often and has a high share of wallet — every threshold at "yes".
FLAG_LOYALTY_RULE = scoring.LoyaltyRule(
    recommend_min=1.0, repurchase_min=1.0, share_of_wallet_above=1.0, inclusive=True
)

_BOUNDARIES = {"under": "below", "over": "above", "unclassified": None}


def _pct(part: float, whole: float) -> float:
    return 100.0 * part / whole


def _percent(share: float) -> float:
    return round(100.0 * share, 10)


def _renamed(error: ValidationError, old: str, new: str, *, drop: str = "") -> ValidationError:
    """The same problems with the analytic's path prefix ``old`` replaced by ``new`` (and the
    suffix ``drop`` removed)."""
    problems = []
    for p in error.problems:
        path = new + p.path[len(old) :] if p.path.startswith(old) else p.path
        if drop and path.endswith(drop):
            path = path[: -len(drop)]
        problems.append(
            Problem(path, p.value, p.message) if p.has_value else Problem(path, message=p.message)
        )
    return ValidationError(problems)


def _sizes(rows: Any, column: str) -> dict[Any, int]:
    """Customers per segment of ``column``, by :func:`crmkit.segmentation.segment_summary`."""
    summary = segmentation.segment_summary(rows, segment=column)
    if is_frame(summary):
        frame = collect(from_native(summary)).select("segment", "size")
        return {segment: int(size) for segment, size in frame.iter_rows()}
    return {row.segment: row.size for row in summary}


def _day(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


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


def _invoices(last_invoiced: Iterable[date | None], as_of: date) -> tuple[list[Any], list[Any]]:
    """(invoice records, account records) for :mod:`crmkit.segmentation`'s status functions."""
    invoices: list[dict[str, Any]] = []
    accounts: list[dict[str, Any]] = []
    for i, last in enumerate(last_invoiced):
        accounts.append({"id": i})
        if last is None:
            continue
        if not isinstance(last, date):
            raise ValidationError.single(f"last_invoiced[{i}]", last, "must be a date or None")
        if _day(last) > as_of:
            raise ValidationError.single(
                f"last_invoiced[{i}]", last.isoformat(), f"is after as_of {as_of.isoformat()}"
            )
        invoices.append({"account_id": i, "ordered_at": last})
    return invoices, accounts


def status_from_last_invoice(
    last_invoiced: date | None, as_of: date, *, window_months: int = 12
) -> CustomerStatus:
    """Status of one customer from their last invoice date (quirk Q3), by
    :func:`crmkit.segmentation.customer_status` (which gives the status of every customer of an
    invoice table); the window includes its first day.

    Examples:
        >>> from datetime import date
        >>> from crmkit.strategy.customer_analysis import status_from_last_invoice
        >>> ref = date(2024, 12, 31)
        >>> [status_from_last_invoice(d, ref).value for d in
        ...  (date(2024, 11, 15), date(2023, 6, 30), None, date(2023, 12, 31))]
        ['active', 'passive', 'potential', 'active']
    """
    invoices, accounts = _invoices([last_invoiced], as_of)
    try:
        rows = segmentation.customer_status(
            invoices, accounts=accounts, as_of=as_of, window_months=window_months
        )
    except ValidationError as error:
        raise _renamed(error, "data[0]", "last_invoiced") from None
    return CustomerStatus(rows[0].status)


#: Deprecated name of :func:`status_from_last_invoice` (it is not
#: :func:`crmkit.segmentation.customer_status`); goes in the next release.
customer_status = renamed_function(status_from_last_invoice, old="customer_status")


def volume_block(
    last_invoiced: Iterable[date | None], as_of: date, *, window_months: int = 12
) -> dict[str, int]:
    """The workbook's volume block — active, passive, total (= active + passive), potential —
    from each customer's last invoice date, by :func:`crmkit.segmentation.status_counts`.

    Examples:
        >>> from datetime import date
        >>> from crmkit.strategy.customer_analysis import volume_block
        >>> volume_block([date(2024, 11, 15), date(2024, 3, 10), date(2023, 6, 30), None],
        ...              date(2024, 12, 31))
        {'active': 2, 'passive': 1, 'total': 3, 'potential': 1}
    """
    invoices, accounts = _invoices(last_invoiced, as_of)
    counts = segmentation.status_counts(
        invoices, accounts=accounts, as_of=as_of, window_months=window_months
    )
    return _volume(counts)


def _volume(counts: segmentation.StatusCounts) -> dict[str, int]:
    return {
        "active": counts.active,
        "passive": counts.passive,
        "total": counts.total,
        "potential": counts.potential,
    }


@attrs.frozen
class ProfitabilityShares:
    """Profitability × growth shares in percent (2×2 partition, quirk Q6) and the nested view.

    ``unclassified`` is the share of customers the matrix cannot place (profit or growth
    potential unknown); it is 0 when every customer is classified.

    Examples:
        >>> from crmkit.strategy.customer_analysis import profitability_shares
        >>> m = profitability_shares([(True, True)] * 3 + [(True, False)] * 4
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
    unclassified: float = 0.0

    @property
    def profitable_any(self) -> float:
        """Nested reading: all profitable customers."""
        return self.profitable_growth + self.profitable

    @property
    def unprofitable_any(self) -> float:
        """Nested reading: all unprofitable customers."""
        return self.unprofitable_potential + self.unprofitable

    @classmethod
    def from_rows(cls, rows: Any) -> ProfitabilityShares:
        """Shares from :func:`crmkit.segmentation.profitability_matrix` output (rows or frame).

        Examples:
            >>> from crmkit.segmentation import profitability_matrix
            >>> from crmkit.strategy.customer_analysis import ProfitabilityShares
            >>> rows = profitability_matrix([{"id": 1, "profit": 5, "growth_potential": True},
            ...                              {"id": 2, "profit": -1, "growth_potential": None}])
            >>> s = ProfitabilityShares.from_rows(rows)
            >>> s.profitable_growth, s.unclassified
            (50.0, 50.0)
        """
        sizes = _sizes(rows, "cell")
        n = sum(sizes.values())
        if n == 0:
            raise ValidationError.single("customers", [], "needs at least one customer")
        growth, profitable, potential, unprofitable = (
            _pct(sizes.get(c, 0), n) for c in segmentation.PROFITABILITY_CELLS
        )
        return cls(growth, profitable, potential, unprofitable, _pct(sizes.get(None, 0), n))


def profitability_shares(customers: Iterable[tuple[bool, bool]]) -> ProfitabilityShares:
    """Shares from ``(profitable, growth_potential)`` per customer (base: active + passive),
    classified by :func:`crmkit.segmentation.profitability_matrix` (profitable: profit > 0);
    :meth:`ProfitabilityShares.from_rows` reads that function's rows of customer records.

    Examples:
        >>> from crmkit.strategy.customer_analysis import profitability_shares
        >>> profitability_shares([(True, True), (False, False)]).profitable_growth
        50.0
    """
    records: list[dict[str, Any]] = []
    for i, pair in enumerate(customers):
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise ValidationError.single(
                f"customers[{i}]", pair, "must be a (profitable, growth_potential) pair"
            )
        records.append({"id": i, "profit": 1 if pair[0] else 0, "growth_potential": bool(pair[1])})
    return ProfitabilityShares.from_rows(segmentation.profitability_matrix(records))


#: Deprecated name of :func:`profitability_shares` (it is not
#: :func:`crmkit.segmentation.profitability_matrix`); goes in the next release.
profitability_matrix = renamed_function(profitability_shares, old="profitability_matrix")


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

    @classmethod
    def from_rows(cls, rows: Any, *, literal: bool = False) -> RepurchaseShares:
        """Shares from :func:`crmkit.segmentation.repurchase_buckets` output (rows or frame).

        Examples:
            >>> from datetime import date
            >>> from crmkit.segmentation import repurchase_buckets
            >>> from crmkit.strategy.customer_analysis import RepurchaseShares
            >>> orders = [{"account_id": a, "ordered_at": date(2024, 1, d)}
            ...           for a, d in (("a", 1), ("a", 2), ("b", 3))]
            >>> RepurchaseShares.from_rows(repurchase_buckets(orders)).buckets["2-5"]
            50.0
        """
        sizes = _sizes(rows, "bucket")
        n = sum(sizes.values())
        if n == 0:
            raise ValidationError.single("purchase_counts", [], "needs at least one customer")
        labels = [b.label for b in _buckets(literal)]
        return cls({k: _pct(sizes.get(k, 0), n) for k in labels}, _pct(sizes.get(None, 0), n))


def _buckets(literal: bool) -> tuple[segmentation.Bucket, ...]:
    if literal:
        return segmentation.SOURCE_REPURCHASE_BUCKETS
    return segmentation.DEFAULT_REPURCHASE_BUCKETS


def _check_purchases(purchases: Any, path: str) -> int:
    if isinstance(purchases, bool) or not isinstance(purchases, int) or purchases < 1:
        raise ValidationError.single(
            path, purchases, "must be a whole number of at least 1 (0 is a prospect)"
        )
    return purchases


def repurchase_bucket(purchases: int, *, literal: bool = False) -> str | None:
    """The bucket of one purchase count (quirk Q4: 11 is '11+' unless ``literal``), by the
    rules of :func:`crmkit.segmentation.bucket_segments`.

    Examples:
        >>> from crmkit.strategy.customer_analysis import repurchase_bucket
        >>> [repurchase_bucket(n) for n in (1, 2, 5, 6, 10, 11, 12)]
        ['1', '2-5', '2-5', '6-10', '6-10', '11+', '11+']
        >>> repurchase_bucket(11, literal=True) is None
        True
    """
    n = _check_purchases(purchases, "purchases")
    return segmentation.bucket_segments(_buckets(literal), "purchases").segment_of({"purchases": n})


def repurchase_shares(purchase_counts: Sequence[int], *, literal: bool = False) -> RepurchaseShares:
    """Share of customers per repurchase bucket (1 / 2–5 / 6–10 / 11+), by
    :func:`crmkit.segmentation.repurchase_buckets`."""
    if not purchase_counts:
        raise ValidationError.single("purchase_counts", [], "needs at least one customer")
    records = [
        {"id": i, "purchases": _check_purchases(n, f"purchase_counts[{i}]")}
        for i, n in enumerate(purchase_counts)
    ]
    rows = segmentation.repurchase_buckets(
        records, purchases="purchases", key="id", buckets=_buckets(literal)
    )
    return RepurchaseShares.from_rows(rows, literal=literal)


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

    @classmethod
    def from_rows(cls, rows: Any) -> ShareOfWallet:
        """Shares from :func:`crmkit.segmentation.share_of_wallet` output (rows or frame).

        Examples:
            >>> from crmkit.segmentation import share_of_wallet
            >>> from crmkit.strategy.customer_analysis import ShareOfWallet
            >>> ShareOfWallet.from_rows(share_of_wallet(
            ...     [{"id": 1, "our_spend": 9, "total_spend": 10}])).over
            100.0
        """
        sizes = _sizes(rows, "wallet_class")
        n = sum(sizes.values())
        if n == 0:
            raise ValidationError.single("spend", [], "needs at least one customer")
        return cls(
            _pct(sizes.get("above", 0), n),
            _pct(sizes.get("below", 0), n),
            _pct(sizes.get(None, 0), n),
        )


def _boundary(boundary: str) -> Any:
    if boundary not in _BOUNDARIES:
        raise ValidationError.single("boundary", boundary, "must be under, over or unclassified")
    return _BOUNDARIES[boundary]


def share_of_wallet_split(
    spend: Iterable[tuple[float | Decimal, float | Decimal]],
    *,
    threshold: float = 0.5,
    boundary: str = "under",
) -> ShareOfWallet:
    """Split customers by our spend ÷ their total category spend (quirk Q5), by
    :func:`crmkit.segmentation.share_of_wallet`.

    Args:
        spend: ``(our_spend, customer_total_spend)`` per customer.
        threshold: the split point (between 0 and 1), 0.5 in the workbook.
        boundary: where a customer exactly at the threshold goes: ``"under"`` (default),
            ``"over"`` or ``"unclassified"`` (the literal source).

    Raises:
        ValidationError: a customer with total spend 0, or our spend above their total.
    """
    mode = _boundary(boundary)
    records = [{"id": i, "ours": ours, "total": total} for i, (ours, total) in enumerate(spend)]
    if not records:
        raise ValidationError.single("spend", [], "needs at least one customer")
    try:
        rows = segmentation.share_of_wallet(
            records, ours="ours", total="total", threshold=threshold, boundary=mode
        )
    except ValidationError as error:
        raise _renamed(error, "data", "spend") from None
    return ShareOfWallet.from_rows(rows)


@attrs.frozen
class Concentration:
    """Revenue concentration in percent: the top N's share, the top customer's share and each
    top customer's share.

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

    @classmethod
    def from_result(cls, result: segmentation.Concentration) -> Concentration:
        """Percentages from :func:`crmkit.segmentation.concentration`'s result.

        Examples:
            >>> from crmkit.segmentation import concentration
            >>> from crmkit.strategy.customer_analysis import Concentration
            >>> Concentration.from_result(concentration(
            ...     [{"account_id": "a", "total": 3}, {"account_id": "b", "total": 1}], top=1))
            Concentration(n=1, share=75.0, top_customer_share=75.0, distribution=[75.0])
        """
        if not result.total or result.total <= 0:
            raise ValidationError.single("revenues", result.total, "must sum to more than zero")
        return cls(
            n=result.top,
            share=round(_pct(float(result.top_total), float(result.total)), 10),
            top_customer_share=_percent(result.largest_share or 0.0),
            distribution=[_percent(s) for s in result.shares],
        )


def top_n_concentration(revenues: Iterable[float | Decimal], n: int = 10) -> Concentration:
    """Share of revenue from the ``n`` largest customers (002:L195), one revenue per
    customer, by :func:`crmkit.segmentation.concentration`."""
    records = [{"account_id": i, "total": r} for i, r in enumerate(revenues)]
    try:
        result = segmentation.concentration(records, top=n)
    except ValidationError as error:
        raise _renamed(error, "data", "revenues", drop=".total") from None
    return Concentration.from_result(result)


def loyal_percent(customers: Any, rule: scoring.LoyaltyRule | None = None) -> float:
    """Percent loyal: recommends ∧ high repurchase ∧ high share of wallet (002:L201), by
    :func:`crmkit.scoring.loyal_share`.

    ``customers`` are customer records or a frame with the fields of ``rule`` (default
    :class:`crmkit.scoring.LoyaltyRule`: recommend score, purchases, share of wallet). For the
    workshop's yes/no flags use :func:`loyal_percent_of_flags` (passing flags here is
    deprecated).

    Examples:
        >>> from crmkit.strategy.customer_analysis import loyal_percent
        >>> loyal_percent([{"recommend": 10, "purchases": 8, "share_of_wallet": 0.8},
        ...                {"recommend": 7, "purchases": 8, "share_of_wallet": 0.8}])
        50.0
    """
    if not is_frame(customers):
        customers = list(customers)
        if customers and all(isinstance(r, tuple) for r in customers):
            if rule is not None:
                raise ValidationError.single(
                    "rule", repr(rule), "applies to customer records, not to yes/no flags"
                )
            warn_deprecated(
                "loyal_percent() of yes/no flags is deprecated; use loyal_percent_of_flags() "
                "(flags go in the next release)",
                inside=__name__,
            )
            return loyal_percent_of_flags(customers)
    share = scoring.loyal_share(customers, rule) if is_frame(customers) or customers else _NAN
    if share != share:  # NaN: no customers
        raise ValidationError.single("customers", [], "needs at least one customer")
    return _percent(share)


_NAN = float("nan")


def loyal_percent_of_flags(flags: Iterable[tuple[bool, bool, bool]]) -> float:
    """Percent loyal from ``(recommends, repurchases_often, high_share_of_wallet)`` yes/no
    flags per customer — loyal when all three are yes — by :func:`crmkit.scoring.loyal_share`
    with :data:`FLAG_LOYALTY_RULE`.

    Examples:
        >>> from crmkit.strategy.customer_analysis import loyal_percent_of_flags
        >>> loyal_percent_of_flags([(True, True, True), (True, True, False),
        ...                         (False, True, True), (True, False, True)])
        25.0
    """
    rows = [_loyalty_flags(r, i) for i, r in enumerate(flags)]
    if not rows:
        raise ValidationError.single("flags", [], "needs at least one customer")
    return _percent(scoring.loyal_share(rows, FLAG_LOYALTY_RULE))


def _loyalty_flags(flags: Any, i: int) -> dict[str, float]:
    if not isinstance(flags, tuple) or len(flags) != 3:
        raise ValidationError.single(
            f"flags[{i}]", flags, "must be (recommends, repurchases_often, high_share)"
        )
    recommends, often, high = (1.0 if f else 0.0 for f in flags)
    return {"recommend": recommends, "purchases": often, "share_of_wallet": high}


@renamed(distinct_products="purchases")
def cross_sell_percent(
    purchases: Any,
    *,
    customer: str = "account_id",
    product: str = "product_id",
) -> float:
    """Percent of customers buying more than one distinct product or service (002:L205), by
    :func:`crmkit.scoring.cross_sell_rate`.

    ``purchases`` are records or a frame with a ``customer`` and a ``product`` field. For the
    number of distinct products per customer use :func:`cross_sell_percent_of_counts`
    (passing counts here is deprecated).

    Examples:
        >>> from crmkit.strategy.customer_analysis import cross_sell_percent
        >>> cross_sell_percent([{"account_id": "a", "product_id": "p1"},
        ...                     {"account_id": "a", "product_id": "p2"},
        ...                     {"account_id": "b", "product_id": "p1"}])
        50.0
    """
    if not is_frame(purchases):
        purchases = list(purchases)
        if purchases and all(isinstance(r, int) and not isinstance(r, bool) for r in purchases):
            warn_deprecated(
                "cross_sell_percent() of product counts is deprecated; use "
                "cross_sell_percent_of_counts() (counts go in the next release)",
                inside=__name__,
            )
            return cross_sell_percent_of_counts(purchases)
    share = scoring.cross_sell_rate(purchases, customer=customer, product=product)
    if share != share:  # NaN: no customers
        raise ValidationError.single("purchases", [], "needs at least one customer")
    return _percent(share)


def cross_sell_percent_of_counts(distinct_products: Iterable[int]) -> float:
    """Percent of customers buying more than one distinct product or service (002:L205) from
    the number of distinct products per customer (each at least 1), by
    :func:`crmkit.scoring.cross_sell_rate`.

    Examples:
        >>> from crmkit.strategy.customer_analysis import cross_sell_percent_of_counts
        >>> cross_sell_percent_of_counts([1, 2, 3, 1, 1])
        40.0
    """
    purchases = [
        {"account_id": i, "product_id": p}
        for i, n in enumerate(distinct_products)
        for p in range(_check_purchases(n, f"distinct_products[{i}]"))
    ]
    if not purchases:
        raise ValidationError.single("distinct_products", [], "needs at least one customer")
    return _percent(scoring.cross_sell_rate(purchases))


#: Estimated cost of acquiring a customer: retention cost × ratio (an upper bound, since the
#: source says "almost" five times) — :func:`crmkit.scoring.acquisition_cost` itself (a
#: ``Decimal`` or Money stays exact).
acquisition_cost = scoring.acquisition_cost


@attrs.frozen
class CustomerAnalysis:
    """The customer-analysis figures that :func:`analyse_customers` could compute from data;
    a figure the data cannot give is ``None``.

    Examples:
        >>> from crmkit.strategy.customer_analysis import CustomerAnalysis
        >>> CustomerAnalysis(cross_sell=40.0).workbook_answers()
        {'s05.cross_sell_share': 40.0}
    """

    volume: dict[str, int] | None = None
    profitability: ProfitabilityShares | None = None
    repurchase: RepurchaseShares | None = None
    share_of_wallet: ShareOfWallet | None = None
    concentration: Concentration | None = None
    loyal: float | None = None
    cross_sell: float | None = None

    def workbook_answers(self) -> dict[str, Any]:
        """The figures as workbook answers (see :func:`workbook_answers`)."""
        return workbook_answers(
            volume=self.volume,
            profitability=self.profitability,
            repurchase=self.repurchase,
            share_of_wallet=self.share_of_wallet,
            concentration=self.concentration,
            loyal=self.loyal,
            cross_sell=self.cross_sell,
        )


def _field(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)


def _order_lines(orders: list[Any], customer: str) -> list[dict[str, Any]]:
    """Flatten order records' ``lines`` into (customer, product) purchase records."""
    out = []
    for order in orders:
        who = _field(order, customer)
        for line in _field(order, "lines") or ():
            out.append({"account_id": who, "product_id": _field(line, "product_id")})
    return out


@renamed(at="date_field", value="amount")
def analyse_customers(
    orders: Any,
    *,
    as_of: date,
    accounts: Any = None,
    purchases: Any = None,
    profitability: Any = None,
    wallet: Any = None,
    loyalty: Any = None,
    window_months: int = 12,
    literal: bool = False,
    top: int = 10,
    boundary: str = "under",
    customer: str = "account_id",
    date_field: str = "ordered_at",
    amount: str = "total",
) -> CustomerAnalysis:
    """The workbook's customer-analysis figures from the CRM's data (records or a frame).

    Args:
        orders: invoiced orders — :class:`crmkit.domain.Order` records, dicts or a frame with
            ``customer``, ``date_field`` and ``amount`` fields (Money amounts are read as numbers).
            Gives the volume block (with ``accounts``: potential customers too), repurchase
            buckets and top-``top`` concentration.
        as_of: the analysis date; orders after it do not count towards status and buckets.
        accounts: account records or a frame (``id``) — accounts never invoiced are potential.
        purchases: (customer, product) records or a frame for the cross-sell rate; records
            of orders with ``lines`` give it without this.
        profitability: customers with ``profit`` and ``growth_potential`` (and ``id``).
        wallet: customers with ``our_spend`` and ``total_spend`` (and ``id``).
        loyalty: customers with the :class:`crmkit.scoring.LoyaltyRule` fields.
        window_months, literal, top, boundary: as for the single figures.
        customer, date_field, amount: the order fields (customer id, order date, order
            amount).

    Examples:
        >>> from datetime import date
        >>> from crmkit.strategy.customer_analysis import analyse_customers
        >>> orders = [
        ...     {"account_id": "a", "ordered_at": date(2024, 11, 1), "total": 300,
        ...      "lines": [{"product_id": "p1"}, {"product_id": "p2"}]},
        ...     {"account_id": "a", "ordered_at": date(2024, 5, 1), "total": 100,
        ...      "lines": [{"product_id": "p1"}]},
        ...     {"account_id": "b", "ordered_at": date(2023, 1, 9), "total": 100,
        ...      "lines": [{"product_id": "p1"}]},
        ... ]
        >>> figures = analyse_customers(orders, as_of=date(2024, 12, 31),
        ...                             accounts=[{"id": k} for k in "abc"])
        >>> figures.volume
        {'active': 1, 'passive': 1, 'total': 2, 'potential': 1}
        >>> figures.repurchase.buckets["2-5"], figures.concentration.share, figures.cross_sell
        (50.0, 100.0, 50.0)
    """
    if not is_frame(orders):
        orders = list(orders)
    counts = segmentation.status_counts(
        orders,
        as_of=as_of,
        accounts=accounts,
        window_months=window_months,
        customer=customer,
        date_field=date_field,
    )
    repurchase = concentration = cross_sell = None
    if counts.total:
        buckets = segmentation.repurchase_buckets(
            orders, buckets=_buckets(literal), as_of=as_of, customer=customer, date_field=date_field
        )
        repurchase = RepurchaseShares.from_rows(buckets, literal=literal)
        result = segmentation.concentration(orders, customer=customer, amount=amount, top=top)
        if result.total and result.total > 0:
            concentration = Concentration.from_result(result)
        if purchases is None and not is_frame(orders):
            purchases = _order_lines(orders, customer)
        if purchases is not None:
            share = scoring.cross_sell_rate(purchases)
            cross_sell = None if share != share else _percent(share)
    loyal = None
    if loyalty is not None:
        share = scoring.loyal_share(loyalty)
        loyal = None if share != share else _percent(share)
    return CustomerAnalysis(
        volume=_volume(counts),
        profitability=(
            ProfitabilityShares.from_rows(segmentation.profitability_matrix(profitability))
            if profitability is not None
            else None
        ),
        repurchase=repurchase,
        share_of_wallet=(
            ShareOfWallet.from_rows(
                segmentation.share_of_wallet(wallet, boundary=_boundary(boundary))
            )
            if wallet is not None
            else None
        ),
        concentration=concentration,
        loyal=loyal,
        cross_sell=cross_sell,
    )


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
