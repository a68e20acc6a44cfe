"""Exact boundaries: shares and amounts compared in integers, identically on every engine.

A boundary such as "the customers above hold less than 80 % of the value" is decided in exact
arithmetic, never in floating point (where 0.7 + 0.1 is not 0.8):

* a **share** (a cut-off such as 0.8, a customer share such as 0.07) is the decimal number it
  is written as — ``0.8`` is 4/5, ``0.07`` is 7/100 — with at most six decimals;
* an **amount** is counted in whole micro-units: an integer or Decimal exactly, a float
  rounded to the nearest millionth, ``floor(x * 1_000_000 + 0.5)`` (the same float operations
  on every engine). Integer columns of a frame are counted as they are (the comparison does
  not depend on the scale);
* ``part < share × total`` is then a comparison of integers: in Python directly, on a frame
  with integer division and remainder that stay within 64 bits (:func:`below_share_expr`).

Float amounts must stay below 2**53 micro-units (about 9 × 10**9) each, and a frame's total
below 2**63 of its units: past that, micro-units are no longer exact (a
:class:`~crmkit.errors.ValidationError` on records and eager frames; lazy frames are not
scanned for it). The rules are stated once in the docs page *Time and boundaries*
(``docs/concepts/time-and-boundaries.md``).

Examples:
    >>> from fractions import Fraction
    >>> from crmkit.frames.exact import amount_units, below_share, exact_share
    >>> exact_share(0.8, "cutoff")
    Fraction(4, 5)
    >>> total = sum(amount_units(v) for v in (0.7, 0.1, 0.2))
    >>> below_share(amount_units(0.7) + amount_units(0.1), total, Fraction(4, 5))
    False
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

from crmkit.errors import ValidationError
from crmkit.frames.native import narwhals

__all__ = [
    "MAX_FLOAT_AMOUNT",
    "UNITS",
    "amount_units",
    "below_share",
    "below_share_expr",
    "exact_share",
    "share_threshold",
    "units_expr",
]

#: Micro-units per unit of an amount.
UNITS = 1_000_000
#: The largest float amount whose micro-units are exact (2**53 / 10**6).
MAX_FLOAT_AMOUNT = 2**53 / UNITS


def exact_share(value: Any, name: str) -> Fraction:
    """A share in (0, 1] as the exact fraction of the decimal it is written as.

    Raises :class:`~crmkit.errors.ValidationError` naming ``name`` for anything else, or for a
    share with more than six decimals.

    Examples:
        >>> from crmkit.frames.exact import exact_share
        >>> exact_share(0.07, "customer_share")
        Fraction(7, 100)
        >>> exact_share(1 / 3, "cutoff")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: cutoff: 0.3333333333333333 must be a share between 0 and 1 with at most six decimals
    """
    message = "must be a share between 0 and 1 with at most six decimals"
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | Fraction):
        raise ValidationError.single(name, value, message)
    try:
        share = Fraction(Decimal(repr(value))) if isinstance(value, float) else Fraction(value)
    except (ValueError, ArithmeticError):  # NaN, infinity
        raise ValidationError.single(name, value, message) from None
    if not 0 < share <= 1 or UNITS % share.denominator:
        raise ValidationError.single(name, value, message)
    return share


def amount_units(value: int | float | Decimal) -> int:
    """An amount (zero or more) in whole micro-units (see the module docstring).

    Examples:
        >>> from decimal import Decimal
        >>> from crmkit.frames.exact import amount_units
        >>> amount_units(3), amount_units(0.1), amount_units(Decimal("2.5"))
        (3000000, 100000, 2500000)
    """
    if isinstance(value, int):
        return value * UNITS
    if isinstance(value, float):
        if value >= MAX_FLOAT_AMOUNT:
            raise ValidationError.single(
                "", value, f"is too large for exact boundaries (float amounts below "
                f"{MAX_FLOAT_AMOUNT:.4g}; give int or Decimal)",
            )  # fmt: skip
        return math.floor(value * UNITS + 0.5)
    return math.floor(value * UNITS + Decimal("0.5"))


def below_share(part: int, total: int, share: Fraction) -> bool:
    """Whether ``part < share × total`` (integers, exact).

    Examples:
        >>> from fractions import Fraction
        >>> from crmkit.frames.exact import below_share
        >>> below_share(80, 100, Fraction(4, 5)), below_share(79, 100, Fraction(4, 5))
        (False, True)
    """
    return part * share.denominator < share.numerator * total


def share_threshold(total: int, share: Fraction) -> int:
    """The least integer ``part`` that is not below ``share × total``: ``ceil(share × total)``.

    For an integer ``part``, ``below_share(part, total, share)`` holds exactly when
    ``part < share_threshold(total, share)`` (``part < x`` and ``part < ceil(x)`` agree on
    integers), so a frame whose total is known compares each part with one integer.

    Examples:
        >>> from fractions import Fraction
        >>> from crmkit.frames.exact import below_share, share_threshold
        >>> share_threshold(100, Fraction(4, 5)), share_threshold(101, Fraction(4, 5))
        (80, 81)
        >>> all(below_share(part, 101, Fraction(4, 5)) == (part < 81) for part in range(-2, 103))
        True
    """
    return -(-share.numerator * total // share.denominator)


def units_expr(expr: Any, dtype: Any) -> Any:
    """A numeric column in whole units for exact comparisons: integers as they are, other
    numbers (floats, decimals) in micro-units like :func:`amount_units` (Int64).

    Examples:
        >>> import polars as pl
        >>> from crmkit.frames import from_native, narwhals
        >>> from crmkit.frames.exact import units_expr
        >>> nw = narwhals()
        >>> frame = from_native(pl.DataFrame({"x": [0.1, 2.5]}))
        >>> frame.select(units_expr(nw.col("x"), frame.collect_schema()["x"]))["x"].to_list()
        [100000, 2500000]
    """
    nw = narwhals()
    if dtype.is_integer():
        return expr.cast(nw.Int64)
    return (expr.cast(nw.Float64) * UNITS + 0.5).floor().cast(nw.Int64)


def below_share_expr(part: Any, total: Any, share: Fraction, *, wide: bool = False) -> Any:
    """``part < share × total`` for non-negative Int64 expressions, exact in 64 bits.

    With ``share = p / q`` (``q`` divides 10**6) and ``total = q·a + r``: ``part < p·a + p·r/q``,
    and since ``0 <= p·r/q < p`` the comparison needs only ``d = part - p·a``: true when
    ``d < 0``, false when ``d >= p``, else ``d·q < p·r`` — products below 10**12.

    ``wide=True`` (engines with 128-bit integers: DuckDB's ``HUGEINT``) compares
    ``part·q < p·total`` in 128 bits instead: exact for any Int64 values, signs included,
    since ``p, q <= 10**6`` keep the products below 2**83. SQL compiles narwhals'
    floor-dividing ``//`` into nested ``CASE`` expressions per row (and DuckDB can raise on an
    overflow in a ``d·q`` the comparison does not need, seen with a total near ``-2**61``);
    one multiplication per side does neither.

    Examples:
        >>> from fractions import Fraction
        >>> import polars as pl
        >>> from crmkit.frames import from_native, narwhals
        >>> from crmkit.frames.exact import below_share_expr
        >>> nw = narwhals()
        >>> frame = from_native(pl.DataFrame({"part": [79, 80, 81], "total": [100] * 3}))
        >>> frame.select(below_share_expr(nw.col("part"), nw.col("total"), Fraction(4, 5))
        ...              .alias("below"))["below"].to_list()
        [True, False, False]
    """
    p, q = share.numerator, share.denominator
    if wide:
        nw = narwhals()
        return part.cast(nw.Int128) * q < total.cast(nw.Int128) * p
    d = part - (total // q) * p
    return (d < 0) | ((d < p) & (d * q < (total % q) * p))
