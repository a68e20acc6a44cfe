"""Products and services a company sells.

Examples:
    >>> from crmkit.domain import Money, Product
    >>> Product("SRV-100", "Service agreement, basic", category="service",
    ...         price=Money("12000", "SEK")).price.amount
    Decimal('12000')
"""

from __future__ import annotations

import attrs

from crmkit.domain.aggregate import AggregateRoot
from crmkit.domain.limits import KEY_MAX
from crmkit.domain.money import Money
from crmkit.domain.validators import (
    compile_validation,
    fail,
    instance_of,
    non_empty,
    optional_text,
    text,
)

__all__ = ["Product"]


def _price(_: object, attribute: attrs.Attribute[Money], value: object) -> None:
    if not isinstance(value, Money):
        fail(attribute, value, f"must be Money, not {type(value).__name__}")
        return
    if value.amount < 0:
        fail(attribute, value, "must not be negative")


@compile_validation
@attrs.define
class Product(AggregateRoot):
    """A product or service with a list price.

    Attributes:
        sku: stock-keeping unit / article number, unique per catalogue.
        name: display name.
        category: product category.
        price: list price per unit (not negative; keyword-only).
        unit: the unit sold (``"pcs"``, ``"hour"``, ``"month"``).
        is_service: whether it is a service rather than goods.
        active: whether it can be sold.
        description: free text.

    Plus the keyword-only fields of :class:`~crmkit.domain.AggregateRoot`.

    Examples:
        >>> from crmkit.domain import Money, Product
        >>> Product("SKU-1", "Bolt", price=Money("-1", "SEK"))
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: price: Money(amount=Decimal('-1'), currency='SEK') must not be negative
    """

    sku: str = attrs.field(validator=non_empty)
    name: str = attrs.field(validator=non_empty)
    category: str | None = attrs.field(default=None, validator=optional_text(KEY_MAX))
    price: Money = attrs.field(kw_only=True, validator=_price)
    unit: str = attrs.field(default="pcs", validator=non_empty)
    is_service: bool = attrs.field(default=False, validator=instance_of(bool))
    active: bool = attrs.field(default=True, validator=instance_of(bool))
    description: str = attrs.field(default="", validator=text())
