"""Dated exchange rates kept in the SQL store: the stored implementation of the rate-table port.

:class:`~crmkit.domain.RateTable` is the in-memory implementation of
:class:`~crmkit.adapters.ports.ExchangeRates`; :class:`SqlRateTable` is the stored one. It
works inside a :class:`~crmkit.adapters.sql.SqlUnitOfWork` (its writes commit or roll back
with the unit of work) on the table ``crm_exchange_rates``
(:func:`~crmkit.adapters.sql.schema.exchange_rates_table`). A lookup reads only the rates of
the pair dated on or before the date asked for, then applies exactly the rules of
:class:`~crmkit.domain.RateTable` (latest on or before the date, a direct rate before an
inverted one, half-even rounding to the target currency's minor unit).

Examples:
    >>> from datetime import date
    >>> from crmkit.adapters.sql import SqlStore
    >>> from crmkit.adapters.sql.rates import SqlRateTable
    >>> from crmkit.domain import ExchangeRate, Money
    >>> with SqlStore("sqlite://") as store, store.unit_of_work() as uow:
    ...     rates = SqlRateTable(uow)
    ...     rates.add_many([ExchangeRate("EUR", "SEK", "11.2", date(2025, 1, 1), "ecb")])
    ...     rates.convert(Money("100", "EUR"), "SEK", on=date(2025, 3, 1))
    1
    Money(amount=Decimal('1120.00'), currency='SEK')
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from crmkit.adapters.sql.schema import EXCHANGE_RATES_TABLE, exchange_rates_table
from crmkit.domain import ExchangeRate, Money, RateTable
from crmkit.errors import ConflictError, ValidationError
from crmkit.extras import require

if TYPE_CHECKING:
    import sqlalchemy as sa

    from crmkit.adapters.sql.store import SqlUnitOfWork

__all__ = ["SqlRateTable"]


class SqlRateTable:
    """The exchange rates stored in a SQL store, read and written in one unit of work.

    Examples:
        >>> from datetime import date
        >>> from crmkit.adapters.sql import SqlStore
        >>> from crmkit.adapters.sql.rates import SqlRateTable
        >>> from crmkit.domain import ExchangeRate
        >>> with SqlStore("sqlite://") as store, store.unit_of_work() as uow:
        ...     rates = SqlRateTable(uow)
        ...     _ = rates.add_many([ExchangeRate("USD", "SEK", "10", date(2025, 1, 1))])
        ...     rates.rate("SEK", "USD", on=date(2025, 5, 1)).rate
        Decimal('0.1')
    """

    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._sa = require("sqlalchemy", "sql")
        self._uow = uow
        self._table: sa.Table = exchange_rates_table(self._sa.MetaData())

    def add_many(self, rates: Iterable[ExchangeRate]) -> int:
        """Store ``rates``; the number stored.

        Raises:
            ValidationError: an item is not an :class:`~crmkit.domain.ExchangeRate`, or the
                batch repeats a pair and date.
            ConflictError: a rate of the same pair and date is stored already (the unit of
                work is left as it was before the call).

        Examples:
            >>> from datetime import date
            >>> from crmkit.adapters.sql import SqlStore
            >>> from crmkit.adapters.sql.rates import SqlRateTable
            >>> from crmkit.domain import ExchangeRate
            >>> eur = ExchangeRate("EUR", "SEK", "11.2", date(2025, 1, 1))
            >>> with SqlStore("sqlite://") as store, store.unit_of_work() as uow:
            ...     _ = SqlRateTable(uow).add_many([eur])
            ...     SqlRateTable(uow).add_many([eur])
            Traceback (most recent call last):
            ...
            crmkit.errors.ConflictError: crm_exchange_rates already holds the EUR→SEK rate of 2025-01-01
        """
        batch = RateTable(list(rates)).rates  # validates the items and repeats in the batch
        if not batch:
            return 0
        rows = [
            {
                "base": r.base,
                "quote": r.quote,
                "on_date": r.on,
                "rate": str(r.rate),
                "source": r.source,
            }
            for r in batch
        ]
        self._uow.begin_write()
        conn = self._uow.connection
        try:
            with conn.begin_nested():
                conn.execute(self._table.insert(), rows)
        except self._sa.exc.IntegrityError:
            taken = self._stored(batch)
            raise ConflictError(
                f"{EXCHANGE_RATES_TABLE} already holds the {taken.base}→{taken.quote} rate of "
                f"{taken.on.isoformat()}"
            ) from None
        return len(rows)

    def _stored(self, batch: tuple[ExchangeRate, ...]) -> ExchangeRate:
        """The first rate of ``batch`` whose pair and date is stored (after an insert failed)."""
        t = self._table
        for rate in batch:
            hit = self._uow.connection.execute(
                self._sa.select(t.c.base).where(
                    t.c.base == rate.base, t.c.quote == rate.quote, t.c.on_date == rate.on
                )
            ).first()
            if hit is not None:
                return rate
        return batch[0]  # pragma: no cover - a concurrent writer inserted and then deleted

    def _load(self, clauses: list[Any]) -> RateTable:
        t = self._table
        statement = self._sa.select(t.c.base, t.c.quote, t.c.on_date, t.c.rate, t.c.source)
        if clauses:
            statement = statement.where(*clauses)
        rows = self._uow.connection.execute(statement.order_by(t.c.base, t.c.quote, t.c.on_date))
        return RateTable(
            [ExchangeRate(r.base, r.quote, Decimal(r.rate), r.on_date, r.source) for r in rows]
        )

    def _pair(self, a: str, b: str, on: date) -> RateTable:
        t = self._table
        if not isinstance(on, date):
            raise ValidationError.single("on", on, "must be a date")
        return self._load([t.c.base.in_([a, b]), t.c.quote.in_([a, b]), t.c.on_date <= on])

    def table(self) -> RateTable:
        """Every stored rate as an in-memory :class:`~crmkit.domain.RateTable`.

        Examples:
            >>> from crmkit.adapters.sql import SqlStore
            >>> from crmkit.adapters.sql.rates import SqlRateTable
            >>> with SqlStore("sqlite://") as store, store.unit_of_work() as uow:
            ...     SqlRateTable(uow).table().rates
            ()
        """
        return self._load([])

    def rate(self, from_currency: str, to_currency: str, *, on: date) -> ExchangeRate:
        """The rate in force on ``on`` (see :meth:`crmkit.domain.RateTable.rate`).

        Raises:
            ValidationError: a currency is not ISO 4217, the two are equal, or no stored rate
                of the pair is dated on or before ``on``.

        Examples:
            >>> from datetime import date
            >>> from crmkit.adapters.sql import SqlStore
            >>> from crmkit.adapters.sql.rates import SqlRateTable
            >>> with SqlStore("sqlite://") as store, store.unit_of_work() as uow:
            ...     SqlRateTable(uow).rate("NOK", "EUR", on=date(2025, 1, 1))
            Traceback (most recent call last):
            ...
            crmkit.errors.ValidationError: on: datetime.date(2025, 1, 1) has no NOK→EUR rate on or before it
        """
        return self._pair(from_currency, to_currency, on).rate(from_currency, to_currency, on=on)

    def convert(self, money: Money, to: str, *, on: date) -> Money:
        """``money`` in currency ``to`` at the stored rate in force on ``on`` (see
        :meth:`crmkit.domain.RateTable.convert`).

        Examples:
            >>> from datetime import date
            >>> from crmkit.adapters.sql import SqlStore
            >>> from crmkit.adapters.sql.rates import SqlRateTable
            >>> from crmkit.domain import Money
            >>> with SqlStore("sqlite://") as store, store.unit_of_work() as uow:
            ...     SqlRateTable(uow).convert(Money("5", "SEK"), "SEK", on=date(2025, 1, 1))
            Money(amount=Decimal('5'), currency='SEK')
        """
        if not isinstance(money, Money):
            raise ValidationError.single("money", money, "must be Money")
        return self._pair(money.currency, to, on).convert(money, to, on=on)

    def total(self, amounts: Iterable[Money], to: str, *, on: date) -> Money:
        """The sum of ``amounts`` in ``to``, each converted at ``on`` and rounded before adding
        (see :meth:`crmkit.domain.RateTable.total`).

        Examples:
            >>> from datetime import date
            >>> from crmkit.adapters.sql import SqlStore
            >>> from crmkit.adapters.sql.rates import SqlRateTable
            >>> from crmkit.domain import ExchangeRate, Money
            >>> with SqlStore("sqlite://") as store, store.unit_of_work() as uow:
            ...     rates = SqlRateTable(uow)
            ...     _ = rates.add_many([ExchangeRate("EUR", "SEK", "11", date(2025, 1, 1))])
            ...     rates.total([Money("10", "EUR"), Money("5", "SEK")], "SEK", on=date(2025, 6, 1))
            Money(amount=Decimal('115.00'), currency='SEK')
        """
        t = self._table
        if not isinstance(on, date):
            raise ValidationError.single("on", on, "must be a date")
        touching = self._sa.or_(t.c.base == to, t.c.quote == to)
        return self._load([touching, t.c.on_date <= on]).total(amounts, to, on=on)
