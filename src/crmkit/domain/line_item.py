"""Line items: a product, a quantity, a unit price, a discount and tax — the lines of a quote
and of an opportunity.

Rounding rules (exact decimal arithmetic throughout, in :data:`crmkit.domain.money.CONTEXT`):

* a line's **net** is quantity × unit price × (1 − discount), rounded half-even to the
  currency's minor unit (exactly :attr:`OrderLine.total <crmkit.domain.OrderLine.total>`);
* a line's **tax** is its rounded net × tax rate, rounded half-even to the minor unit;
* a total of several lines is the sum of their rounded amounts (:func:`net_total`), so the
  printed lines always add up to it.

Examples:
    >>> from crmkit.domain import LineItem, Money
    >>> from crmkit.domain.line_item import net_total
    >>> lines = [LineItem("p-1", 3, Money("19.99", "EUR"), discount="0.15"),
    ...          LineItem("p-2", 1, Money("5", "EUR"))]
    >>> net_total(lines, "EUR")
    Money(amount=Decimal('55.97'), currency='EUR')
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import attrs

from crmkit.domain.money import Money
from crmkit.domain.order import OrderLine, _discount, _to_decimal, _unit_price
from crmkit.domain.validators import (
    compile_validation,
    fail,
    identifier,
    instance_of,
    positive,
    text,
)

__all__ = ["FRACTION_PLACES", "LineItem", "net_total"]


#: Discounts and tax rates of a line have at most this many decimals (8.875 % is
#: ``"0.08875"``), so a line's net and tax are exact before they are rounded.
FRACTION_PLACES = 6


def _fraction(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    _discount(instance, attribute, value)
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -FRACTION_PLACES:
        fail(attribute, value, f"must have at most {FRACTION_PLACES} decimals")


@compile_validation
@attrs.frozen
class LineItem:
    """One line of a quote: a product, how many, at what price, less a discount, plus tax.

    Attributes:
        product_id: the product.
        quantity: units (an integer greater than zero).
        unit_price: price per unit (not negative).
        discount: fraction taken off the line, 0–1 (``Decimal`` or numeric string).
        tax_rate: tax on the discounted line, 0–1 (``"0.25"`` for 25 % VAT).

    ``discount`` and ``tax_rate`` have at most :data:`FRACTION_PLACES` decimals.
        description: text printed on the line.

    Examples:
        >>> from crmkit.domain import LineItem, Money
        >>> line = LineItem("p-1", 3, Money("19.99", "EUR"), discount="0.15", tax_rate="0.2")
        >>> str(line.net), str(line.tax), str(line.total)
        ('50.97 EUR', '10.19 EUR', '61.16 EUR')
        >>> LineItem("p-1", 1, Money("1", "EUR"), tax_rate="1.5")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: tax_rate: Decimal('1.5') must be between 0 and 1
    """

    product_id: str = attrs.field(validator=identifier)
    quantity: int = attrs.field(validator=[instance_of(int), positive])
    unit_price: Money = attrs.field(validator=_unit_price)
    discount: Decimal = attrs.field(default=Decimal(0), converter=_to_decimal, validator=_fraction)
    tax_rate: Decimal = attrs.field(default=Decimal(0), converter=_to_decimal, validator=_fraction)
    description: str = attrs.field(default="", validator=text())

    def to_order_line(self) -> OrderLine:
        """The :class:`~crmkit.domain.OrderLine` for this line (net of discount, before tax).

        Examples:
            >>> from crmkit.domain import LineItem, Money
            >>> LineItem("p", 2, Money("5", "SEK"), tax_rate="0.25").to_order_line().total
            Money(amount=Decimal('10.00'), currency='SEK')
        """
        return OrderLine(self.product_id, self.quantity, self.unit_price, self.discount)

    @property
    def net(self) -> Money:
        """Quantity × unit price × (1 − discount), rounded half-even to the minor unit."""
        return self.to_order_line().total

    @property
    def tax(self) -> Money:
        """The rounded net × tax rate, rounded half-even to the minor unit."""
        return (self.net * self.tax_rate).rounded()

    @property
    def total(self) -> Money:
        """Net plus tax."""
        return self.net + self.tax


def net_total(lines: Iterable[LineItem], currency: str) -> Money:
    """The sum of the lines' rounded nets (before tax), in ``currency`` (zero for no lines).

    Raises:
        ValidationError: a line is priced in another currency.

    Examples:
        >>> from crmkit.domain import LineItem, Money
        >>> from crmkit.domain.line_item import net_total
        >>> net_total([], "SEK")
        Money(amount=Decimal('0'), currency='SEK')
    """
    return sum((line.net for line in lines), Money.zero(currency))
