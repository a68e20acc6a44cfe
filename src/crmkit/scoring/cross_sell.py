"""Cross-selling: the cross-sell rate, the cross-sell matrix and next best offers.

Seed 002 (L203–205) asks for the share of customers who buy more than one product or
service; seed 003 (§2.15) recommends a cross-sell matrix in the CRM showing what each customer
has bought, and "acquisition pattern analysis" / collaborative filtering to find the next
logical purchase. :func:`next_best_offers` does the simplest honest version of that:
item-to-item co-occurrence — for every product the customer has not bought, the summed
confidence ``P(product | bought item)`` over the items they did buy.

Input is purchases as records or a frame with a customer and a product column
(``account_id`` / ``product_id`` by default; order lines flattened per customer).

Examples:
    >>> from crmkit.scoring import cross_sell_rate
    >>> rows = [("a", "p1"), ("a", "p2"), ("b", "p1"), ("c", "p3"), ("a", "p1")]
    >>> cross_sell_rate([{"account_id": c, "product_id": p} for c, p in rows])
    0.3333333333333333
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import attrs

from crmkit.display import ResultRow
from crmkit.errors import NotFoundError, ValidationError
from crmkit.frames import collect, from_native, is_frame, narwhals, read_field, require_columns

__all__ = ["CrossSellMatrix", "Offer", "cross_sell_matrix", "cross_sell_rate", "next_best_offers"]


def _pairs(purchases: Any, customer: str, product: str) -> set[tuple[Any, Any]]:
    if is_frame(purchases):
        nw = narwhals()
        frame = from_native(purchases)
        require_columns(frame, [customer, product], what="purchases")
        distinct = (
            frame.select(nw.col(customer), nw.col(product))
            .filter(~nw.col(customer).is_null() & ~nw.col(product).is_null())
            .unique()
        )
        distinct = collect(distinct)
        return set(zip(distinct[customer].to_list(), distinct[product].to_list(), strict=True))
    out: set[tuple[Any, Any]] = set()
    for i, row in enumerate(purchases):
        c = read_field(row, customer, what=f"purchases[{i}]", paths=True, custom=True, floats=True)
        p = read_field(row, product, what=f"purchases[{i}]", paths=True, custom=True, floats=True)
        if c is not None and p is not None:
            out.add((c, p))
    return out


def cross_sell_rate(
    purchases: Any, *, customer: str = "account_id", product: str = "product_id"
) -> float:
    """The share of customers who bought more than one distinct product (seed 002 F12);
    ``nan`` without customers. On a frame the counting runs on the frame's engine.

    Examples:
        >>> import polars as pl
        >>> from crmkit.scoring import cross_sell_rate
        >>> products = [1, 2, 3, 1, 1]  # distinct products per customer, seed 002 §5.3 item 7
        >>> rows = [(c, p) for c, n in enumerate(products) for p in range(n)]
        >>> cross_sell_rate(pl.DataFrame(rows, schema=["account_id", "product_id"], orient="row"))
        0.4
    """
    if is_frame(purchases):
        nw = narwhals()
        frame = from_native(purchases)
        require_columns(frame, [customer, product], what="purchases")
        per = (
            frame.filter(~nw.col(customer).is_null() & ~nw.col(product).is_null())
            .group_by(customer)
            .agg(nw.col(product).n_unique().alias("__n"))
            .select(
                nw.len().alias("customers"),
                (nw.col("__n") > 1).cast(nw.Int64()).sum().alias("multi"),
            )
        )
        per = collect(per)
        n = int(per["customers"][0])
        return float("nan") if n == 0 else int(per["multi"][0] or 0) / n
    counts: dict[Any, int] = defaultdict(int)
    for c, _ in _pairs(purchases, customer, product):
        counts[c] += 1
    if not counts:
        return float("nan")
    return sum(1 for n in counts.values() if n > 1) / len(counts)


@attrs.frozen
class CrossSellMatrix:
    """Customer × product: bought or not (seed 003's cross-sell matrix).

    Examples:
        >>> from crmkit.scoring import cross_sell_matrix
        >>> m = cross_sell_matrix([{"account_id": "a", "product_id": "x"},
        ...                        {"account_id": "b", "product_id": "y"}])
        >>> m.rows()
        [('a', True, False), ('b', False, True)]
    """

    customers: tuple[Any, ...]
    products: tuple[Any, ...]
    bought: frozenset[tuple[Any, Any]]

    def has(self, customer: Any, product: Any) -> bool:
        """Whether ``customer`` bought ``product``.

        Examples:
            >>> from crmkit.scoring import cross_sell_matrix
            >>> cross_sell_matrix([{"account_id": "a", "product_id": "x"}]).has("a", "x")
            True
        """
        return (customer, product) in self.bought

    def rows(self) -> list[tuple[Any, ...]]:
        """One tuple per customer: the customer, then a bool per product (in ``products``
        order).

        Examples:
            >>> from crmkit.scoring import cross_sell_matrix
            >>> cross_sell_matrix([{"account_id": "a", "product_id": "x"}]).rows()
            [('a', True)]
        """
        return [(c, *(self.has(c, p) for p in self.products)) for c in self.customers]

    def not_bought(self, customer: Any) -> list[Any]:
        """The products ``customer`` has not bought yet (cross-sell candidates).

        Examples:
            >>> from crmkit.scoring import cross_sell_matrix
            >>> cross_sell_matrix([{"account_id": "a", "product_id": "x"},
            ...                    {"account_id": "b", "product_id": "y"}]).not_bought("a")
            ['y']
        """
        if customer not in self.customers:
            raise NotFoundError(f"customer {customer!r} has no purchases in the matrix")
        return [p for p in self.products if not self.has(customer, p)]


def _sort_key(value: Any) -> tuple[str, Any]:
    return (type(value).__name__, value)


def cross_sell_matrix(
    purchases: Any, *, customer: str = "account_id", product: str = "product_id"
) -> CrossSellMatrix:
    """Build the customer × product matrix from purchases (records or a frame).

    The matrix is a Python object with a row per customer, so a frame's distinct
    ``(customer, product)`` pairs are collected to the driver (lazy frames too): use it on
    samples or small frames; :func:`cross_sell_rate` counts in the engine.

    Examples:
        >>> from crmkit.scoring import cross_sell_matrix
        >>> cross_sell_matrix([{"account_id": "a", "product_id": "x"}]).products
        ('x',)
    """
    pairs = _pairs(purchases, customer, product)
    customers = tuple(sorted({c for c, _ in pairs}, key=_sort_key))
    products = tuple(sorted({p for _, p in pairs}, key=_sort_key))
    return CrossSellMatrix(customers, products, frozenset(pairs))


@attrs.frozen
class Offer(ResultRow):
    """A recommended product with its score and the bought items that support it.

    Examples:
        >>> from crmkit.scoring import Offer
        >>> Offer("service", 0.75, ("hardware",)).product
        'service'
    """

    product: Any
    score: float
    because: tuple[Any, ...]


def next_best_offers(
    matrix: CrossSellMatrix, customer: Any, *, k: int = 3, min_support: int = 1
) -> list[Offer]:
    """Up to ``k`` products the customer has not bought, ranked by summed co-occurrence
    confidence ``P(candidate | item)`` over the items they bought (ties by product).

    ``min_support`` is the fewest customers who must have bought both an item and the
    candidate for that pair to count.

    Examples:
        >>> from crmkit.scoring import cross_sell_matrix, next_best_offers
        >>> rows = [("a", "web"), ("a", "seo"), ("b", "web"), ("b", "seo"), ("c", "web"),
        ...         ("c", "ads"), ("d", "web")]
        >>> m = cross_sell_matrix([{"account_id": c, "product_id": p} for c, p in rows])
        >>> next_best_offers(m, "d")
        [Offer(product='seo', score=0.5, because=('web',)), Offer(product='ads', score=0.25, because=('web',))]
    """
    if k < 1:
        raise ValidationError.single("k", k, "must be at least 1")
    if min_support < 1:
        raise ValidationError.single("min_support", min_support, "must be at least 1")
    owned = set(matrix.products) - set(matrix.not_bought(customer))
    buyers: dict[Any, set[Any]] = defaultdict(set)
    for c, p in matrix.bought:
        buyers[p].add(c)
    scores: dict[Any, float] = defaultdict(float)
    support: dict[Any, list[Any]] = defaultdict(list)
    for item in sorted(owned, key=_sort_key):
        item_buyers = buyers[item]
        for candidate in matrix.products:
            if candidate in owned:
                continue
            both = len(item_buyers & buyers[candidate])
            if both >= min_support:
                scores[candidate] += both / len(item_buyers)
                support[candidate].append(item)
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], _sort_key(kv[0])))
    return [Offer(p, s, tuple(support[p])) for p, s in ranked[:k]]
