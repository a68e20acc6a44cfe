"""Orders and order lines: what customers bought, when, for how much (what RFM and lifetime
value models read).

Examples:
    >>> from datetime import datetime, UTC
    >>> from crmkit.domain import Money, Order, OrderLine
    >>> order = Order("acc-1", datetime(2025, 5, 2, 14, tzinfo=UTC), [
    ...     OrderLine("p-1", 3, Money("250", "SEK")),
    ...     OrderLine("p-2", 1, Money("1200", "SEK"), discount="0.1")])
    >>> order.total
    Money(amount=Decimal('1830.00'), currency='SEK')
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from crmkit.domain.aggregate import AggregateRoot
from crmkit.domain.limits import KEY_MAX, parse_decimal
from crmkit.domain.money import (
    _MIN_AMOUNT,
    _QUANTUM,
    CURRENCY_MINOR_UNITS,
    MAX_AMOUNT,
    MIN_ADJUSTED,
    Money,
)
from crmkit.domain.money import CONTEXT as MONEY_CONTEXT
from crmkit.domain.validators import (
    aware_datetime,
    compile_validation,
    fail,
    identifier,
    instance_of,
    optional_identifier,
    optional_non_empty,
    optional_non_empty_text,
    positive,
    to_utc,
)
from crmkit.errors import ValidationError

__all__ = ["Order", "OrderLine", "OrderStatus"]


class OrderStatus(enum.Enum):
    """An order's status; cancelled orders do not count as purchases.

    Examples:
        >>> from crmkit.domain import OrderStatus
        >>> OrderStatus.CANCELLED.counts_as_purchase
        False
    """

    DRAFT = "draft"
    PLACED = "placed"
    DELIVERED = "delivered"
    INVOICED = "invoiced"
    CANCELLED = "cancelled"

    @property
    def counts_as_purchase(self) -> bool:
        """Placed, delivered or invoiced (not a draft, not cancelled)."""
        return self not in (OrderStatus.DRAFT, OrderStatus.CANCELLED)


def _to_decimal(value: Any) -> Any:
    if isinstance(value, str):  # plain ASCII numbers only (crmkit.domain.limits.parse_decimal)
        parsed = parse_decimal(value)
        return value if parsed is None else parsed
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return value


def _discount(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, Decimal):
        fail(attribute, value, "must be a Decimal fraction between 0 and 1")
    if not (value.is_finite() and 0 <= value <= 1):
        fail(attribute, value, "must be between 0 and 1")


def _unit_price(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, Money):
        fail(attribute, value, f"must be Money, not {type(value).__name__}")
    if value.amount < 0:
        fail(attribute, value, "must not be negative")


@compile_validation
@attrs.frozen
class OrderLine:
    """One line of an order.

    Attributes:
        product_id: the product.
        quantity: units ordered (an integer greater than zero).
        unit_price: price per unit.
        discount: fraction taken off the line, 0–1 (``Decimal`` or numeric string).

    Examples:
        >>> from crmkit.domain import Money, OrderLine
        >>> OrderLine("p-1", 0, Money("10", "SEK"))
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: quantity: 0 must be greater than zero
        >>> OrderLine("p-1", 4, Money("9.99", "SEK")).total.amount
        Decimal('39.96')
    """

    product_id: str = attrs.field(validator=identifier)
    quantity: int = attrs.field(validator=[instance_of(int), positive])
    unit_price: Money = attrs.field(validator=_unit_price)
    discount: Decimal = attrs.field(default=Decimal(0), converter=_to_decimal, validator=_discount)

    @property
    def total(self) -> Money:
        """Quantity × unit price × (1 − discount), rounded to the currency's minor unit."""
        amount = _line_amount(self)
        if amount is not None:
            return Money(amount, self.unit_price.currency)
        return self._total()

    def _total(self) -> Money:
        """:attr:`total` step by step in :class:`Money` (each step checked: the errors)."""
        gross = self.unit_price * self.quantity
        factor = MONEY_CONTEXT.subtract(1, self.discount)
        if factor.compare_total(_ONE):  # not exactly Decimal("1"): apply the discount
            gross = gross * factor
        # (times exactly 1 is the same amount, to the digit and sign, and the same Money)
        return gross.rounded()


_ONE = Decimal(1)
_ZERO = Decimal(0)


def _fits(amount: Decimal) -> bool:
    """Whether ``amount`` is what :class:`Money` accepts (a finite Decimal within its bounds),
    so a step that made it would make that Money without an error."""
    return (
        amount.is_finite()
        and _MIN_AMOUNT <= amount <= MAX_AMOUNT
        and (not amount or amount.adjusted() >= MIN_ADJUSTED)
    )


def _line_amount(line: OrderLine) -> Decimal | None:
    """``line.total``'s amount computed on Decimals, the same operations in the same
    :data:`~crmkit.domain.money.CONTEXT` as the :class:`Money` steps of
    :meth:`OrderLine._total`, without a Money per step; None when a step would not make a
    Money (out of bounds, a decimal signal, a value of another type): then the Money steps
    run and raise their error. So the amount is exactly the one they give, digit for digit.
    """
    try:
        price = line.unit_price
        quantity = line.quantity
        if price.__class__ is not Money or quantity.__class__ is not int:
            return None
        amount = MONEY_CONTEXT.multiply(price.amount, Decimal(quantity))
        if not _fits(amount):
            return None
        discount = line.discount
        if discount.__class__ is not Decimal:
            return None
        factor = MONEY_CONTEXT.subtract(1, discount)
        if factor.compare_total(_ONE):
            amount = MONEY_CONTEXT.multiply(amount, factor)
            if not _fits(amount):
                return None
        quantum = _QUANTUM[CURRENCY_MINOR_UNITS[price.currency]]
        amount = amount.quantize(quantum, context=MONEY_CONTEXT)
    except Exception:  # a decimal signal or a value the Money steps refuse: they raise it
        return None
    return amount if _fits(amount) else None


def _lines(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, list) or not value:
        fail(attribute, value, "must be a non-empty list of order lines")
    currency: str | None = None
    for index, line in enumerate(value):
        if not isinstance(line, OrderLine):
            raise ValidationError.single(f"{attribute.name}[{index}]", line, "must be an OrderLine")
        if currency is None:
            currency = line.unit_price.currency
        elif line.unit_price.currency != currency:
            raise ValidationError.single(
                f"{attribute.name}[{index}].unit_price.currency",
                line.unit_price.currency,
                f"differs from the order's currency {currency}",
            )


@compile_validation
@attrs.define
class Order(AggregateRoot):
    """A customer's order.

    Attributes:
        account_id: the buying account.
        ordered_at: when it was placed (aware, UTC).
        lines: at least one line, all in one currency.
        status: draft, placed, delivered, invoiced or cancelled.
        contact_id: the person who ordered.
        opportunity_id: the opportunity it closes, if any.
        channel: key of the sales channel (``"web_shop"``, ``"field_sales"`` ...).
        owner_id: the responsible seller.
        order_number: the human-readable number.

    Plus the keyword-only fields of :class:`~crmkit.domain.AggregateRoot`.

    Examples:
        >>> from datetime import datetime, UTC
        >>> from crmkit.domain import Money, Order, OrderLine
        >>> Order("acc-1", datetime(2025, 1, 1, tzinfo=UTC), [
        ...     OrderLine("p-1", 1, Money("10", "SEK")), OrderLine("p-2", 1, Money("1", "EUR"))])
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: lines[1].unit_price.currency: 'EUR' differs from the order's currency SEK
    """

    account_id: str = attrs.field(validator=identifier)
    ordered_at: datetime = attrs.field(converter=to_utc, validator=aware_datetime)
    lines: list[OrderLine] = attrs.field(validator=_lines)
    status: OrderStatus = attrs.field(
        default=OrderStatus.PLACED, validator=instance_of(OrderStatus)
    )
    contact_id: str | None = attrs.field(default=None, validator=optional_identifier)
    opportunity_id: str | None = attrs.field(default=None, validator=optional_identifier)
    channel: str | None = attrs.field(default=None, validator=optional_non_empty_text(KEY_MAX))
    owner_id: str | None = attrs.field(default=None, validator=optional_identifier)
    order_number: str | None = attrs.field(default=None, validator=optional_non_empty)

    @property
    def currency(self) -> str:
        """The order's currency (that of its lines)."""
        return self.lines[0].unit_price.currency

    @property
    def total(self) -> Money:
        """The sum of the line totals.

        Examples:
            >>> from datetime import datetime, UTC
            >>> from crmkit.domain import Money, Order, OrderLine
            >>> Order("a", datetime(2025, 1, 1, tzinfo=UTC),
            ...       [OrderLine("p", 2, Money("5", "NOK"))]).total
            Money(amount=Decimal('10.00'), currency='NOK')
        """
        amount = self._amount()
        if amount is not None:
            return Money(amount, self.currency)
        return self._total()

    def _amount(self) -> Decimal | None:
        """:attr:`total`'s amount on Decimals (see :func:`_line_amount`): the same additions
        as :meth:`_total`'s, in the same order; None where a step would not make a Money."""
        lines = self.lines
        if lines.__class__ is not list or not lines:
            return None
        first = lines[0]
        if first.__class__ is not OrderLine:
            return None
        total = _line_amount(first)
        if total is None:
            return None
        currency = first.unit_price.currency  # a Money's (_line_amount checked)
        if total.is_signed() and not total:
            total = MONEY_CONTEXT.add(_ZERO, total)  # zero + -0 is 0
        for line in lines[1:]:
            amount = _line_amount(line) if line.__class__ is OrderLine else None
            if amount is None or line.unit_price.currency != currency:
                return None
            try:
                total = MONEY_CONTEXT.add(total, amount)
            except Exception:  # a decimal signal: the Money steps raise it
                return None
            if not _fits(total):
                return None
        return total

    def _total(self) -> Money:
        """:attr:`total` step by step in :class:`Money` (each step checked: the errors)."""
        currency = self.currency
        lines = iter(self.lines)
        total = next(lines).total
        if total.currency != currency or (total.amount.is_signed() and not total.amount):
            # zero + the first line: the error of another currency; -0 becomes 0
            total = Money.zero(currency) + total
        # (otherwise zero + the first line is that line's total, to the digit)
        for line in lines:
            total = total + line.total
        return total

    def cancel(self) -> None:
        """Cancel the order.

        Examples:
            >>> from datetime import datetime, UTC
            >>> from crmkit.domain import Money, Order, OrderLine
            >>> o = Order("a", datetime(2025, 1, 1, tzinfo=UTC), [OrderLine("p", 1, Money("5", "SEK"))])
            >>> o.cancel(); o.status.counts_as_purchase
            False
        """
        self.status = OrderStatus.CANCELLED
