"""Price books, line items and quotes; an accepted quote becomes an
:class:`~crmkit.domain.Order`.

Rounding rules (exact decimal arithmetic throughout, in :data:`crmkit.domain.money.CONTEXT`):

* a line's **net** is quantity × unit price × (1 − discount), rounded half-even to the
  currency's minor unit (exactly :attr:`OrderLine.total <crmkit.domain.OrderLine.total>`);
* a line's **tax** is its rounded net × tax rate, rounded half-even to the minor unit;
* a quote's net, tax and total are the sums of the rounded line amounts, so the lines printed
  on a quote always add up to its totals.

Examples:
    >>> from datetime import date, datetime, UTC
    >>> from crmkit.domain import Money, PriceBook, PriceBookEntry, Quote
    >>> book = PriceBook("Nordic list prices", "SEK", entries=[
    ...     PriceBookEntry("p-1", Money("250", "SEK")), PriceBookEntry("p-2", Money("1200", "SEK"))])
    >>> quote = Quote("acc-1", "SEK", lines=[book.line("p-1", 3, tax_rate="0.25"),
    ...               book.line("p-2", 1, discount="0.1", tax_rate="0.25")],
    ...               valid_until=date(2025, 6, 30))
    >>> str(quote.net_total), str(quote.tax_total), str(quote.total)
    ('1830.00 SEK', '457.50 SEK', '2287.50 SEK')
    >>> quote.send(datetime(2025, 6, 1, tzinfo=UTC))
    >>> order = quote.accept(datetime(2025, 6, 10, tzinfo=UTC))
    >>> str(order.total), quote.status.value, quote.order_id == order.id
    ('1830.00 SEK', 'accepted', True)
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import attrs

from crmkit.domain.aggregate import AggregateRoot
from crmkit.domain.limits import KEY_MAX
from crmkit.domain.line_item import FRACTION_PLACES, LineItem, net_total
from crmkit.domain.money import Money, _check_currency
from crmkit.domain.opportunity import Opportunity
from crmkit.domain.order import Order, OrderStatus, _unit_price
from crmkit.domain.validators import (
    compile_validation,
    date_value,
    fail,
    identifier,
    instance_of,
    non_empty,
    optional,
    optional_aware_datetime,
    optional_identifier,
    optional_non_empty,
    optional_non_empty_text,
    optional_to_utc,
    positive,
    text,
    to_utc,
)
from crmkit.errors import InvalidTransitionError, NotFoundError, ValidationError

__all__ = [
    "FRACTION_PLACES",
    "LineItem",
    "PriceBook",
    "PriceBookEntry",
    "Quote",
    "QuoteStatus",
    "price_book_for",
]


def _lines_in(currency: str, name: str, lines: list[Any], kind: type) -> None:
    """Every item of ``lines`` is a ``kind`` priced in ``currency``."""
    for index, line in enumerate(lines):
        if not isinstance(line, kind):
            raise ValidationError.single(f"{name}[{index}]", line, f"must be a {kind.__name__}")
        price: Money = getattr(line, "unit_price")  # noqa: B009 - kind is LineItem or PriceBookEntry
        if price.currency != currency:
            raise ValidationError.single(
                f"{name}[{index}].unit_price.currency",
                price.currency,
                f"differs from the currency {currency}",
            )


def _list(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, list):
        fail(attribute, value, "must be a list")


@compile_validation
@attrs.frozen
class PriceBookEntry:
    """A product's price in a price book.

    Attributes:
        product_id: the product.
        unit_price: price per unit in the book's currency (not negative).

    Examples:
        >>> from crmkit.domain import Money, PriceBookEntry
        >>> PriceBookEntry("p-1", Money("-5", "SEK"))
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: unit_price: Money(amount=Decimal('-5'), currency='SEK') must not be negative
    """

    product_id: str = attrs.field(validator=identifier)
    unit_price: Money = attrs.field(validator=_unit_price)


@compile_validation
@attrs.define
class PriceBook(AggregateRoot):
    """Prices of products in one currency, for a segment of customers (Salesforce price
    books, Odoo price lists).

    Attributes:
        name: display name.
        currency: the ISO 4217 currency of every entry.
        entries: one entry per product.
        segment: the customer segment it is for (``"smb"``, ``"enterprise"`` ...); ``None``
            for everyone.
        active: whether quotes may use it.
        description: free text.

    Plus the keyword-only fields of :class:`~crmkit.domain.AggregateRoot`.

    Examples:
        >>> from crmkit.domain import Money, PriceBook, PriceBookEntry
        >>> PriceBook("EU", "EUR", entries=[PriceBookEntry("p-1", Money("5", "SEK"))])
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: entries[0].unit_price.currency: 'SEK' differs from the currency EUR
    """

    name: str = attrs.field(validator=non_empty)
    currency: str = attrs.field(validator=_check_currency)
    entries: list[PriceBookEntry] = attrs.field(factory=list, validator=_list)
    segment: str | None = attrs.field(default=None, validator=optional_non_empty_text(KEY_MAX))
    active: bool = attrs.field(default=True, validator=instance_of(bool))
    description: str = attrs.field(default="", validator=text())

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        _lines_in(self.currency, "entries", self.entries, PriceBookEntry)
        seen: set[str] = set()
        for index, entry in enumerate(self.entries):
            if entry.product_id in seen:
                raise ValidationError.single(
                    f"entries[{index}].product_id", entry.product_id, "is listed twice"
                )
            seen.add(entry.product_id)

    def price(self, product_id: str) -> Money:
        """The unit price of ``product_id``.

        Raises:
            NotFoundError: the book has no entry for it.

        Examples:
            >>> from crmkit.domain import Money, PriceBook, PriceBookEntry
            >>> book = PriceBook("SE", "SEK", entries=[PriceBookEntry("p-1", Money("5", "SEK"))])
            >>> book.price("p-1").amount
            Decimal('5')
            >>> book.price("p-9")
            Traceback (most recent call last):
            ...
            crmkit.errors.NotFoundError: product_id 'p-9' has no price in price book 'SE'
        """
        for entry in self.entries:
            if entry.product_id == product_id:
                return entry.unit_price
        raise NotFoundError(f"product_id {product_id!r} has no price in price book {self.name!r}")

    def line(
        self,
        product_id: str,
        quantity: int,
        *,
        discount: Decimal | str | int = 0,
        tax_rate: Decimal | str | int = 0,
        description: str = "",
    ) -> LineItem:
        """A :class:`LineItem` of ``product_id`` at this book's price.

        Raises:
            NotFoundError: the book has no entry for it.
            ValidationError: quantity, discount or tax rate is invalid.

        Examples:
            >>> from crmkit.domain import Money, PriceBook, PriceBookEntry
            >>> book = PriceBook("SE", "SEK", entries=[PriceBookEntry("p", Money("80", "SEK"))])
            >>> str(book.line("p", 3, discount="0.5").net)
            '120.00 SEK'
        """
        return LineItem(
            product_id,
            quantity,
            self.price(product_id),
            discount=discount,
            tax_rate=tax_rate,
            description=description,
        )


def price_book_for(
    books: Iterable[PriceBook], currency: str, segment: str | None = None
) -> PriceBook:
    """The active price book for ``currency`` and a customer ``segment``: the book of that
    segment if there is one, else the general book (no segment); among several, the first by
    name, then id.

    Raises:
        NotFoundError: no active book in ``currency`` fits.

    Examples:
        >>> from crmkit.domain import PriceBook, price_book_for
        >>> books = [PriceBook("List SEK", "SEK"), PriceBook("SMB SEK", "SEK", segment="smb"),
        ...          PriceBook("List EUR", "EUR")]
        >>> price_book_for(books, "SEK", "smb").name, price_book_for(books, "SEK", "large").name
        ('SMB SEK', 'List SEK')
        >>> price_book_for(books, "NOK")
        Traceback (most recent call last):
        ...
        crmkit.errors.NotFoundError: no active price book in NOK for segment None
    """
    usable = [b for b in books if b.active and b.currency == currency]
    for wanted in (segment, None):
        found = [b for b in usable if b.segment == wanted]
        if found:
            return min(found, key=lambda b: (b.name, b.id))
    raise NotFoundError(f"no active price book in {currency} for segment {segment!r}")


class QuoteStatus(enum.Enum):
    """A quote's status: a draft is sent, then accepted or rejected.

    Examples:
        >>> from crmkit.domain import QuoteStatus
        >>> QuoteStatus.ACCEPTED.is_decided, QuoteStatus.SENT.is_decided
        (True, False)
    """

    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    REJECTED = "rejected"

    @property
    def is_decided(self) -> bool:
        """Accepted or rejected."""
        return self in (QuoteStatus.ACCEPTED, QuoteStatus.REJECTED)


@compile_validation
@attrs.define
class Quote(AggregateRoot):
    """A priced offer to an account, in revisions; accepting it makes an order.

    Attributes:
        account_id: the customer.
        currency: the ISO 4217 currency of every line.
        lines: the line items (at least one before it is sent).
        status: draft, sent, accepted or rejected.
        revision: 1 for the first offer; :meth:`revise` makes the next one (``version`` is
            the store's optimistic-concurrency counter, as on every aggregate).
        valid_until: last day it can be accepted (``None``: no limit).
        opportunity_id: the opportunity it prices.
        contact_id: the person it is addressed to.
        price_book_id: the price book its prices came from.
        owner_id: the responsible user.
        quote_number: the human-readable number (shared by its revisions).
        sent_at: when it was sent (set once sent).
        decided_at: when it was accepted or rejected (set exactly when decided).
        order_id: the order made when it was accepted.

    Plus the keyword-only fields of :class:`~crmkit.domain.AggregateRoot`.

    Examples:
        >>> from crmkit.domain import Quote, QuoteStatus
        >>> Quote("acc-1", "SEK", status=QuoteStatus.SENT)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: lines: [] must hold at least one line once the quote is sent
    """

    account_id: str = attrs.field(validator=identifier)
    currency: str = attrs.field(validator=_check_currency)
    lines: list[LineItem] = attrs.field(factory=list, validator=_list)
    status: QuoteStatus = attrs.field(default=QuoteStatus.DRAFT, validator=instance_of(QuoteStatus))
    revision: int = attrs.field(default=1, validator=[instance_of(int), positive])
    valid_until: date | None = attrs.field(default=None, validator=optional(date_value))
    opportunity_id: str | None = attrs.field(default=None, validator=optional_identifier)
    contact_id: str | None = attrs.field(default=None, validator=optional_identifier)
    price_book_id: str | None = attrs.field(default=None, validator=optional_identifier)
    owner_id: str | None = attrs.field(default=None, validator=optional_identifier)
    quote_number: str | None = attrs.field(default=None, validator=optional_non_empty)
    sent_at: datetime | None = attrs.field(
        default=None, converter=optional_to_utc, validator=optional_aware_datetime
    )
    decided_at: datetime | None = attrs.field(
        default=None, converter=optional_to_utc, validator=optional_aware_datetime
    )
    order_id: str | None = attrs.field(default=None, validator=optional_identifier)

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        _lines_in(self.currency, "lines", self.lines, LineItem)
        if self.status is not QuoteStatus.DRAFT:
            if not self.lines:
                raise ValidationError.single(
                    "lines", self.lines, "must hold at least one line once the quote is sent"
                )
            if self.sent_at is None:
                raise ValidationError.single("sent_at", None, "is required once the quote is sent")
        if self.status.is_decided != (self.decided_at is not None):
            raise ValidationError.single(
                "decided_at", self.decided_at, "must be set exactly when the quote is decided"
            )
        sent, decided = self.sent_at, self.decided_at
        if sent is not None and decided is not None and decided < sent:
            raise ValidationError.single("decided_at", decided, "must not be before sent_at")
        if self.order_id is not None and self.status is not QuoteStatus.ACCEPTED:
            raise ValidationError.single(
                "order_id", self.order_id, "is only set on an accepted quote"
            )

    @property
    def net_total(self) -> Money:
        """The sum of the lines' rounded nets."""
        return net_total(self.lines, self.currency)

    @property
    def tax_total(self) -> Money:
        """The sum of the lines' rounded taxes."""
        return sum((line.tax for line in self.lines), Money.zero(self.currency))

    @property
    def total(self) -> Money:
        """Net plus tax."""
        return self.net_total + self.tax_total

    def is_expired(self, on: date) -> bool:
        """Whether ``on`` is after ``valid_until``.

        Examples:
            >>> from datetime import date
            >>> from crmkit.domain import Quote
            >>> Quote("a", "SEK", valid_until=date(2025, 1, 31)).is_expired(date(2025, 2, 1))
            True
        """
        return self.valid_until is not None and on > self.valid_until

    def send(self, at: datetime) -> None:
        """Send a draft to the customer.

        Raises:
            InvalidTransitionError: it is not a draft.
            ValidationError: it has no lines.

        Examples:
            >>> from datetime import datetime, UTC
            >>> from crmkit.domain import LineItem, Money, Quote
            >>> q = Quote("a", "SEK", lines=[LineItem("p", 1, Money("5", "SEK"))])
            >>> q.send(datetime(2025, 1, 2, tzinfo=UTC)); q.status.value
            'sent'
        """
        self._require(QuoteStatus.DRAFT, "sent")
        at = to_utc(at)
        if not self.lines:
            raise ValidationError.single("lines", self.lines, "must hold at least one line to send")
        self.sent_at = at
        self.status = QuoteStatus.SENT
        self.touch(at)

    def accept(self, at: datetime, *, order_number: str | None = None) -> Order:
        """Record the customer's acceptance and return the placed
        :class:`~crmkit.domain.Order` (net of discounts; the tax stays on the quote), for the
        caller to store; :attr:`order_id` is its id.

        Raises:
            InvalidTransitionError: the quote was not sent, is already decided, or ``at`` is
                after ``valid_until``.

        Examples:
            >>> from datetime import date, datetime, UTC
            >>> from crmkit.domain import LineItem, Money, Quote
            >>> q = Quote("a", "SEK", lines=[LineItem("p", 1, Money("5", "SEK"))],
            ...           valid_until=date(2025, 1, 31))
            >>> q.send(datetime(2025, 1, 2, tzinfo=UTC))
            >>> q.accept(datetime(2025, 2, 1, tzinfo=UTC))
            Traceback (most recent call last):
            ...
            crmkit.errors.InvalidTransitionError: valid_until: datetime.date(2025, 1, 31) has passed; revise the quote
        """
        self._require(QuoteStatus.SENT, "accepted")
        at = self._decision_time(at)
        if self.is_expired(at.date()):
            raise InvalidTransitionError.single(
                "valid_until", self.valid_until, "has passed; revise the quote"
            )
        order = Order(
            self.account_id,
            at,
            [line.to_order_line() for line in self.lines],
            status=OrderStatus.PLACED,
            contact_id=self.contact_id,
            opportunity_id=self.opportunity_id,
            owner_id=self.owner_id,
            order_number=order_number,
            created_at=at,
        )
        self.decided_at = at
        self.status = QuoteStatus.ACCEPTED
        self.order_id = order.id
        self.touch(at)
        return order

    def reject(self, at: datetime) -> None:
        """Record the customer's rejection.

        Raises:
            InvalidTransitionError: the quote was not sent or is already decided.

        Examples:
            >>> from datetime import datetime, UTC
            >>> from crmkit.domain import Quote
            >>> Quote("a", "SEK").reject(datetime(2025, 1, 2, tzinfo=UTC))
            Traceback (most recent call last):
            ...
            crmkit.errors.InvalidTransitionError: status: 'draft' only a sent quote can be rejected
        """
        self._require(QuoteStatus.SENT, "rejected")
        at = self._decision_time(at)
        self.decided_at = at
        self.status = QuoteStatus.REJECTED
        self.touch(at)

    def revise(self, at: datetime, *, valid_until: date | None = None) -> Quote:
        """The next revision: a new draft quote with the same lines, number and links,
        ``revision`` + 1 (this quote stays as it is, the history of what was offered).

        Examples:
            >>> from datetime import datetime, UTC
            >>> from crmkit.domain import LineItem, Money, Quote
            >>> q = Quote("a", "SEK", lines=[LineItem("p", 1, Money("5", "SEK"))],
            ...           quote_number="Q-1")
            >>> v2 = q.revise(datetime(2025, 1, 2, tzinfo=UTC))
            >>> v2.revision, v2.quote_number, v2.status.value, v2.id != q.id
            (2, 'Q-1', 'draft', True)
        """
        return Quote(
            self.account_id,
            self.currency,
            lines=list(self.lines),
            revision=self.revision + 1,
            valid_until=valid_until,
            opportunity_id=self.opportunity_id,
            contact_id=self.contact_id,
            price_book_id=self.price_book_id,
            owner_id=self.owner_id,
            quote_number=self.quote_number,
            created_at=at,
        )

    def sync_to(self, opportunity: Opportunity, at: datetime) -> None:
        """Make the quote's lines the line items of its open opportunity, and so the quote's
        net total its amount (Salesforce's quote syncing: the opportunity's amount is the sum
        of the line items, before tax; see :meth:`Opportunity.set_line_items
        <crmkit.domain.Opportunity.set_line_items>`).

        Raises:
            ValidationError: the quote is for another opportunity, has no lines, or is in
                another currency than the opportunity's amount (convert explicitly first).
            InvalidTransitionError: the opportunity is closed.

        Examples:
            >>> from datetime import date, datetime, UTC
            >>> from crmkit.domain import LineItem, Money, Opportunity, Quote, default_pipeline
            >>> at = datetime(2025, 1, 1, tzinfo=UTC)
            >>> opp = Opportunity.open("Deal", account_id="a", amount=Money("1000", "SEK"),
            ...                        close_date=date(2025, 6, 1), at=at,
            ...                        pipeline=default_pipeline())
            >>> q = Quote("a", "SEK", opportunity_id=opp.id,
            ...           lines=[LineItem("p", 4, Money("300", "SEK"), tax_rate="0.25")])
            >>> q.sync_to(opp, at); str(opp.amount), opp.line_items == q.lines
            ('1200.00 SEK', True)
        """
        if not isinstance(opportunity, Opportunity) or self.opportunity_id != opportunity.id:
            raise ValidationError.single(
                "opportunity_id", self.opportunity_id, "is not the id of the opportunity given"
            )
        if opportunity.is_closed:
            raise InvalidTransitionError.single(
                "opportunity_id", opportunity.id, "is a closed opportunity; its amount is final"
            )
        if not self.lines:
            raise ValidationError.single("lines", self.lines, "must hold at least one line")
        if opportunity.amount.currency != self.currency:
            raise ValidationError.single(
                "currency",
                self.currency,
                f"differs from the opportunity's currency {opportunity.amount.currency}",
            )
        opportunity.set_line_items(self.lines)
        opportunity.touch(at)

    def _require(self, status: QuoteStatus, verb: str) -> None:
        if self.status is not status:
            raise InvalidTransitionError.single(
                "status", self.status.value, f"only a {status.value} quote can be {verb}"
            )

    def _decision_time(self, at: datetime) -> datetime:
        at = to_utc(at)
        if self.sent_at is not None and at < self.sent_at:
            raise ValidationError.single("decided_at", at, "must not be before sent_at")
        return at
