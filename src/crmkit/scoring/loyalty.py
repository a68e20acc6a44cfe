"""Loyalty: seed 002's loyal-customer rule and the loyal share.

NPS, CSAT and the satisfaction index belong to :mod:`crmkit.survey`; scoring does not import
its sibling analytics package (the rule reads the recommend score a survey produced as a plain
field). ``crmkit.scoring.nps`` / ``csat`` / ``satisfaction_index`` still resolve, lazily and
with a :class:`DeprecationWarning`, through :func:`crmkit.scoring.__getattr__`.

Seed 002 (L201) defines loyal customers as those who *would recommend us*, *have a high
repurchase frequency* **and** *where we deliver a larger part of the customer's potential*
(share of wallet). The three thresholds are configurable; the defaults follow the seed's
reading — recommend score ≥ 9 (an NPS promoter), at least 6 purchases (the "6–10" repurchase
bucket and above) and share of wallet above 50 %.

Examples:
    >>> from crmkit.scoring import LoyaltyRule, loyal_share
    >>> rule = LoyaltyRule()
    >>> customers = [{"recommend": 10, "purchases": 8, "share_of_wallet": 0.8},
    ...              {"recommend": 10, "purchases": 8, "share_of_wallet": 0.3}]
    >>> [rule.is_loyal(c) for c in customers], loyal_share(customers, rule)
    ([True, False], 0.5)
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any, overload

import attrs

from crmkit.errors import ValidationError
from crmkit.frames import (
    Expr,
    FrameT,
    Records,
    SupportsToNative,
    col,
    collect,
    from_native,
    is_frame,
    narwhals,
    read_field,
    require_columns,
    to_native,
)

__all__ = ["LoyaltyRule", "loyal_share"]


def _number(value: Any, path: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError.single(path, value, "must be a number")
    if math.isnan(value):
        return None
    return float(value)


def _share(_: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValidationError.single(attribute.name, value, "must be between 0 and 1")


@attrs.frozen
class LoyaltyRule:
    """Loyal = recommends ∧ high repurchase frequency ∧ high share of wallet (seed 002).

    Args:
        recommend_min: lowest "would recommend" score (0–10) that counts as recommending.
        repurchase_min: fewest purchases that count as a high repurchase frequency.
        share_of_wallet_above: share of wallet must be *above* this (strict, as the source's
            "more than 50 %"); set ``inclusive=True`` for "at least".
        recommend / purchases / share_of_wallet: the field names read.

    A customer with an empty value in any of the three is not loyal (unknown is not proof).

    Examples:
        >>> from crmkit.scoring import LoyaltyRule
        >>> LoyaltyRule(inclusive=True).is_loyal(
        ...     {"recommend": 9, "purchases": 6, "share_of_wallet": 0.5})
        True
    """

    recommend_min: float = 9.0
    repurchase_min: float = 6.0
    share_of_wallet_above: float = attrs.field(default=0.5, validator=_share)
    inclusive: bool = False
    recommend: str = "recommend"
    purchases: str = "purchases"
    share_of_wallet: str = "share_of_wallet"

    def is_loyal(self, customer: Any) -> bool:
        """Whether one customer record is loyal.

        Examples:
            >>> from crmkit.scoring import LoyaltyRule
            >>> LoyaltyRule().is_loyal({"recommend": 6, "purchases": 9, "share_of_wallet": 0.9})
            False
        """
        r, p, s = (
            _number(
                read_field(customer, name, what="customer", paths=True, custom=True, floats=True),
                name,
            )
            for name in (self.recommend, self.purchases, self.share_of_wallet)
        )
        if r is None or p is None or s is None:
            return False
        if not 0.0 <= s <= 1.0:
            raise ValidationError.single(
                f"customer.{self.share_of_wallet}", s, "must be between 0 and 1"
            )
        return bool(_record_test(self)({"r": r, "p": p, "s": s}))

    def _rule(self, columns: tuple[str, str, str] | None = None) -> Expr:
        """The rule in crmkit's rule language — its one definition, evaluated on records by
        :meth:`is_loyal` and compiled for frames by :meth:`expr` (``columns``: the recommend,
        purchases and share-of-wallet columns; default the rule's field names)."""
        recommend, purchases, share = columns or (
            self.recommend,
            self.purchases,
            self.share_of_wallet,
        )
        above = self.share_of_wallet_above
        high_share = col(share) >= above if self.inclusive else col(share) > above
        return (
            (col(recommend) >= self.recommend_min)
            & (col(purchases) >= self.repurchase_min)
            & high_share
        )

    def expr(self) -> Any:
        """The rule as a boolean narwhals expression (null counts as not loyal).

        Examples:
            >>> import polars as pl
            >>> from crmkit.frames import from_native
            >>> from crmkit.scoring import LoyaltyRule
            >>> df = from_native(pl.DataFrame({"recommend": [9], "purchases": [6],
            ...                                "share_of_wallet": [0.7]}))
            >>> df.select(LoyaltyRule().expr().alias("loyal"))["loyal"].to_list()
            [True]
        """
        return self._rule().compile()

    @overload
    def classify(self, customers: SupportsToNative[FrameT], *, column: str = ...) -> FrameT: ...
    @overload
    def classify(self, customers: FrameT, *, column: str = ...) -> FrameT: ...
    @overload
    def classify(self, customers: Records, *, column: str = ...) -> list[bool]: ...

    def classify(self, customers: Any, *, column: str = "loyal") -> Any:
        """Records → list of bools; a frame → the same frame with a boolean ``column``.

        Examples:
            >>> from crmkit.scoring import LoyaltyRule
            >>> LoyaltyRule().classify([{"recommend": 10, "purchases": 6,
            ...                          "share_of_wallet": 0.51}])
            [True]
        """
        if is_frame(customers):
            frame = self._checked_frame(customers)
            return to_native(frame.with_columns(self.expr().alias(column)))
        return [self.is_loyal(c) for c in customers]

    def _checked_frame(self, customers: Any) -> Any:
        """``customers`` as a narwhals frame, its columns and shares of wallet checked."""
        frame = from_native(customers)
        require_columns(
            frame, [self.recommend, self.purchases, self.share_of_wallet], what="customers"
        )
        nw = narwhals()
        share = nw.col(self.share_of_wallet)
        bad = frame.filter((share < 0) | (share > 1)).select(share).head(1)
        bad = collect(bad)
        if len(bad):
            raise ValidationError.single(
                f"customers.{self.share_of_wallet}",
                bad[self.share_of_wallet][0],
                "must be between 0 and 1",
            )
        return frame


@functools.lru_cache(maxsize=64)
def _record_test(rule: LoyaltyRule) -> Callable[[Any], Any]:
    """The rule compiled once for the records engine, on the values ``r``, ``p`` and ``s``."""
    return rule._rule(("r", "p", "s")).bind()


def loyal_share(customers: Any, rule: LoyaltyRule | None = None) -> float:
    """The share of customers who are loyal (0–1); ``nan`` for no customers.

    Examples:
        >>> import polars as pl
        >>> from crmkit.scoring import loyal_share
        >>> loyal_share(pl.DataFrame({"recommend": [10, 3], "purchases": [7, 7],
        ...                           "share_of_wallet": [0.9, 0.9]}))
        0.5
    """
    rule = rule or LoyaltyRule()
    if is_frame(customers):
        nw = narwhals()
        frame = rule._checked_frame(customers)
        out = frame.select(rule.expr().cast(nw.Int64()).sum().alias("loyal"), nw.len().alias("n"))
        out = collect(out)
        n = int(out["n"][0])
        return float("nan") if n == 0 else int(out["loyal"][0] or 0) / n
    flags = rule.classify(customers)
    return float("nan") if not flags else sum(flags) / len(flags)
