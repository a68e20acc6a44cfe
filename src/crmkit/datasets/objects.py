"""The synthetic company's users, teams, territories, activities, quotes, account groups and
exchange rates (the parts of :func:`crmkit.datasets.make_b2b` built on top of the sales
history).

Everything here is drawn from its own seeded generator *after* the sales history is made, so
adding it leaves the accounts, deals, orders and their ids exactly as they were.

Examples:
    >>> from crmkit.datasets import make_b2b
    >>> data = make_b2b(seed=4, n_accounts=80)
    >>> {t.status.value for t in data.tasks} == {"open", "done"}
    True
    >>> sorted({b.currency for b in data.price_books})
    ['EUR', 'NOK', 'SEK']
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from crmkit.datasets.nordic import FIRST_NAMES, LAST_NAMES
from crmkit.domain import (
    Account,
    AccountStatus,
    Contact,
    ExchangeRate,
    LineItem,
    Money,
    Note,
    Opportunity,
    Order,
    PriceBook,
    PriceBookEntry,
    Quote,
    QuoteStatus,
    RateTable,
    RecordLink,
    Task,
    TaskPriority,
    TaskStatus,
    Team,
    Territory,
    TerritoryRule,
    User,
    UserRole,
    assign_territory,
    route,
)
from crmkit.domain.normalise import normalise_email

if TYPE_CHECKING:
    from crmkit.datasets.b2b import B2BDataset
    from crmkit.datasets.b2b import User as StaffMember

__all__ = ["QUOTE_CURRENCY", "add_object_model"]

#: The currency the company quotes in, per account country (the price book used).
QUOTE_CURRENCY = {"SE": "SEK", "NO": "NOK", "DK": "EUR", "FI": "EUR"}

_ROLES = {
    "field_sales": (UserRole.SALES_REP, "Field sales"),
    "inside_sales": (UserRole.SALES_REP, "Inside sales"),
    "key_account_manager": (UserRole.SALES_REP, "Key account manager"),
    "support_agent": (UserRole.SUPPORT_AGENT, "Support agent"),
    "marketer": (UserRole.MARKETER, "Marketer"),
}
_TEAMS = (
    # team, staff roles, whether a sales manager leads it (else its first member)
    ("Field sales", ("field_sales",), True),
    ("Inside sales", ("inside_sales",), True),
    ("Key accounts", ("key_account_manager",), True),
    ("Customer service", ("support_agent",), False),
    ("Marketing", ("marketer",), False),
)
_MAIL_DOMAIN = "nordlabel.se"
#: Euro reference rates on the first day of the window and their monthly volatility.
_EUR_RATES = {"SEK": (Decimal("10.60"), 0.012), "NOK": (Decimal("10.10"), 0.014)}
_OPEN_TASKS = (
    "Send revised offer",
    "Book a demo",
    "Call back about the proposal",
    "Check budget with the buyer",
    "Prepare negotiation",
)
_VAT = Decimal("0.25")  # Swedish VAT on goods and services
_ACCOUNT_TASKS = ("Prepare account review", "Update contact details", "Plan next visit")
_NOTES = (
    "Met {name}; they want delivery before the summer and ask for a volume discount.",
    "{name} compares us with two other suppliers; price is the main question.",
    "Good call with {name}: the pilot went well and the rollout is being planned.",
    "{name} asked for references from the same industry.",
    "{name} will move to a framework agreement next year.",
)


def _ascii(text: str) -> str:
    return text.lower().translate(str.maketrans("åäöøé ", "aaooe."))


class _Objects:
    """Holds the generator state while the object model is added to one dataset."""

    def __init__(
        self, data: B2BDataset, staff: Sequence[StaffMember], new_id: Callable[[datetime], str]
    ) -> None:
        self.data = data
        self.staff = staff
        self.new_id = new_id
        self.rng = random.Random(f"crmkit-b2b-objects-{data.seed}")
        self.t0 = datetime.combine(data.start, time(0), tzinfo=UTC)
        self.t_end = datetime.combine(data.observation_end, time(23, 59), tzinfo=UTC)
        self._service = next(p for p in data.products if p.name == "Installation")
        self._routed: dict[tuple[str | None, bool], set[str]] = {}

    # -- users, teams, territories -------------------------------------------------------
    def users(self) -> None:
        seen: set[str] = set()
        at = self.t0 - timedelta(days=400)
        for member in self.staff:
            role, title = _ROLES[member.role]
            self.data.users.append(
                User(
                    member.name,
                    self._email(member.name, seen),
                    role=role,
                    title=title,
                    id=member.id,
                    created_at=at,
                )
            )
        by_role: dict[str, list[str]] = {}
        for member in self.staff:
            by_role.setdefault(member.role, []).append(member.id)
        for name, roles, managed in _TEAMS:
            members = [uid for role in roles for uid in by_role.get(role, [])]
            manager = members[0] if members else None
            if managed:
                first, last = self._person()
                boss = User(
                    f"{first} {last}",
                    self._email(f"{first} {last}", seen),
                    role=UserRole.SALES_MANAGER,
                    title=f"Head of {name.lower()}",
                    id=self.new_id(at),
                    created_at=at,
                )
                self.data.users.append(boss)
                manager = boss.id
            self.data.teams.append(Team(name, members, manager, id=self.new_id(at), created_at=at))

    def _person(self) -> tuple[str, str]:
        return self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)

    @staticmethod
    def _email(name: str, seen: set[str]) -> str:
        local = _ascii(name)
        email, n = f"{local}@{_MAIL_DOMAIN}", 1
        while normalise_email(email) in seen:
            n += 1
            email = f"{local}{n}@{_MAIL_DOMAIN}"
        seen.add(normalise_email(email) or email)
        return email

    def territories(self) -> None:
        """One territory per region with field sellers, the rest of the Nordics for all field
        sellers, and large companies for the key account managers; accounts that are not key
        accounts are routed once, at a realignment a month before the window ends."""
        at = self.t0 - timedelta(days=300)
        regional: dict[str, list[str]] = {}
        for member in self.staff:
            if member.role == "field_sales" and member.region:
                regional.setdefault(member.region, []).append(member.id)
        for region, members in regional.items():
            self.data.territories.append(
                Territory(
                    region,
                    rules=[TerritoryRule(regions=[region])],
                    member_ids=members,
                    id=self.new_id(at),
                    created_at=at,
                )
            )
        rest = sorted({a.region for a in self.data.accounts if a.region} - set(regional))
        field = [m.id for m in self.staff if m.role == "field_sales"]
        if rest:
            self.data.territories.append(
                Territory(
                    "Rest of the Nordics",
                    rules=[TerritoryRule(regions=rest)],
                    member_ids=field,
                    priority=200,
                    id=self.new_id(at),
                    created_at=at,
                )
            )
        kams = [m.id for m in self.staff if m.role == "key_account_manager"]
        self.data.territories.append(
            Territory(
                "Large companies",
                rules=[TerritoryRule(min_employees=1000)],
                member_ids=kams,
                priority=50,
                id=self.new_id(at),
                created_at=at,
            )
        )
        when = self.t_end - timedelta(days=30)
        admin = next(u.id for u in self.data.users if u.role is UserRole.SALES_MANAGER)
        for account in self.data.accounts:
            if account.is_key_account or account.created_at > when:
                continue
            territory_members = self._territory_members(account)
            if account.owner_id in territory_members:
                continue
            change = assign_territory(account, self.data.territories, at=when, by=admin)
            if change is not None:
                change.id = self.new_id(when)
                self.data.owner_changes.append(change)

    def _territory_members(self, account: Account) -> set[str]:
        # the rules above look at the region and at 1,000 employees only: route once per key
        big = account.employees is not None and account.employees >= 1000
        key = (account.region, big)
        members = self._routed.get(key)
        if members is None:
            territory = route(account, self.data.territories)
            members = self._routed[key] = set(territory.member_ids) if territory else set()
        return members

    # -- account groups ------------------------------------------------------------------
    def groups(self) -> None:
        """A few groups of two to four accounts of one industry; the group's first customer
        (earliest created, so earlier in the list) is the parent."""
        rng = self.rng
        by_industry: dict[str, list[Account]] = {}
        for account in self.data.accounts:
            if account.industry and account.industry != "Public sector":
                by_industry.setdefault(account.industry, []).append(account)
        count = max(2, len(self.data.accounts) // 100)
        used: set[str] = set()
        industries = sorted(by_industry)
        order = {a.id: i for i, a in enumerate(self.data.accounts)}
        for _ in range(count):
            pool = [a for a in by_industry[rng.choice(industries)] if a.id not in used]
            if len(pool) < 2:
                continue
            members = rng.sample(pool, min(len(pool), rng.randint(2, 4)))
            members.sort(key=lambda a: order[a.id])
            parent = members[0]
            for child in members[1:]:
                child.parent_id = parent.id
            used.update(a.id for a in members)

    # -- exchange rates and price books --------------------------------------------------
    def rates(self) -> None:
        """Monthly euro reference rates (a seeded random walk) from a year before the window."""
        rng = self.rng
        first = date(self.data.start.year - 1, self.data.start.month, 1)
        found: list[ExchangeRate] = []
        for code, (level, volatility) in _EUR_RATES.items():
            value = float(level)
            on = first
            while on <= self.data.observation_end:
                found.append(
                    ExchangeRate("EUR", code, Decimal(f"{value:.4f}"), on, source="synthetic")
                )
                value *= 1 + rng.gauss(0, volatility)
                on = date(on.year + on.month // 12, on.month % 12 + 1, 1)
        self.data.rates = RateTable(found)

    def price_books(self) -> None:
        """A list-price book per quote currency (prices converted from SEK at the rate of the
        window's start and rounded to whole units) and a key-account book in SEK (10 % off)."""
        at = self.t0 - timedelta(days=30)
        on = self.data.start
        # the Nordic quote currencies when the company books in SEK, else its own currency
        currencies = ("SEK", "NOK", "EUR") if self.data.currency == "SEK" else (self.data.currency,)
        for currency in currencies:
            entries = []
            for product in self.data.products:
                price = product.price
                for step in ("EUR", currency) if currency != price.currency else ():
                    if step != price.currency:  # through the euro: the table's base
                        price = self.data.rates.convert(price, step, on=on)
                whole = price.amount.quantize(Decimal(1))
                entries.append(PriceBookEntry(product.id, Money(max(whole, Decimal(1)), currency)))
            self.data.price_books.append(
                PriceBook(
                    f"List prices {currency}", currency, entries, id=self.new_id(at), created_at=at
                )
            )
        if self.data.currency != "SEK":
            return
        key_entries = [
            PriceBookEntry(
                p.id,
                Money((p.price.amount * Decimal("0.9")).quantize(Decimal(1)), p.price.currency),
            )
            for p in self.data.products
        ]
        self.data.price_books.append(
            PriceBook(
                "Key accounts SEK",
                "SEK",
                key_entries,
                segment="key_account",
                id=self.new_id(at),
                created_at=at,
            )
        )

    # -- line items and quotes -----------------------------------------------------------
    def _lines(self, book: PriceBook, budget: Decimal | None) -> list[LineItem]:
        """One to three catalogue lines; with ``budget``, a last service line makes the net
        total exactly the budget (the negotiated project price)."""
        rng = self.rng
        products = self.data.products
        lines: list[LineItem] = []
        rest = budget
        for product in rng.sample(products, rng.randint(1, 3)):
            if product.sku.startswith("SER"):
                continue
            entry = book.price(product.id)
            quantity = rng.choice((1, 2, 5, 10, 20)) if not product.is_service else 1
            if rest is not None and entry.amount * quantity * 2 > rest:
                continue  # leaves at least half of the budget to the project line
            discount = rng.choice((Decimal(0), Decimal(0), Decimal("0.05"), Decimal("0.10")))
            line = LineItem(product.id, quantity, entry, discount=discount, tax_rate=_VAT)
            lines.append(line)
            if rest is not None:
                rest -= line.net.amount
        service = self._service
        if rest is not None:
            lines.append(
                LineItem(
                    service.id,
                    1,
                    Money(rest, book.currency),
                    tax_rate=_VAT,
                    description="Project delivery",
                )
            )
        elif not lines:
            lines.append(LineItem(service.id, 1, book.price(service.id), tax_rate=_VAT))
        return lines

    def line_items(self) -> None:
        """About a third of the new-business deals list their products; the lines add up to
        the deal's amount exactly, so amounts (and every report on them) stay as they were."""
        book = self.data.price_books[0]
        for opp in self.data.opportunities:
            if opp.pipeline_id == "default" and self.rng.random() < 0.35:
                # set in place: the lines' net total is the amount by construction (every
                # store revalidates the opportunity when it is written)
                opp.line_items = self._lines(book, opp.amount.amount)

    def quotes(self) -> None:
        rng = self.rng
        accounts = {a.id: a for a in self.data.accounts}
        books = {b.currency: b for b in self.data.price_books if b.segment is None}
        first_orders: dict[str, Order] = {}
        for placed in self.data.orders:
            if placed.opportunity_id is not None:
                first_orders.setdefault(placed.opportunity_id, placed)
        number = 0
        for opp in self.data.opportunities:
            if opp.pipeline_id != "default" or rng.random() >= 0.5:
                continue
            account = accounts[opp.account_id]
            country = account.addresses[0].country if account.addresses else "SE"
            currency = QUOTE_CURRENCY.get(country or "SE", "SEK")
            if currency not in books:
                currency = self.data.currency
            order = first_orders.get(opp.id)
            if opp.is_won:
                if order is None:
                    continue
                # the quote that became the first order, in the order's currency
                currency = order.currency
            number += 1
            created = max(opp.created_at, opp.stage_history[-1].at - timedelta(days=10))
            book = books[currency]
            decided: datetime | None = None
            order_id: str | None = None
            if opp.is_won and order is not None:
                sent = min(order.ordered_at, max(created, order.ordered_at - timedelta(days=7)))
                lines = [
                    LineItem(
                        line.product_id, line.quantity, line.unit_price, discount=line.discount
                    )
                    for line in order.lines
                ]
                status, decided, order_id = QuoteStatus.ACCEPTED, order.ordered_at, order.id
            elif opp.is_lost:
                decided = opp.stage_history[-1].at
                sent = max(created, decided - timedelta(days=14))
                lines = self._quote_lines(opp, book)
                status = QuoteStatus.REJECTED
            else:
                sent = max(created, self.t_end - timedelta(days=rng.uniform(1, 25)))
                lines = self._quote_lines(opp, book)
                status = QuoteStatus.DRAFT if rng.random() < 0.3 else QuoteStatus.SENT
            quote = Quote(
                opp.account_id,
                currency,
                lines,
                status=status,
                valid_until=(sent + timedelta(days=30)).date(),
                opportunity_id=opp.id,
                contact_id=opp.primary_contact_id,
                price_book_id=book.id,
                owner_id=opp.owner_id,
                quote_number=f"Q-{created.year}-{number:05d}",
                sent_at=None if status is QuoteStatus.DRAFT else sent,
                decided_at=decided,
                order_id=order_id,
                id=self.new_id(created),
                created_at=created,
            )
            self.data.quotes.append(quote)

    def _quote_lines(self, opp: Opportunity, book: PriceBook) -> list[LineItem]:
        if opp.line_items and book.currency == opp.amount.currency:
            return list(opp.line_items)
        return self._lines(book, None)

    # -- tasks and notes -----------------------------------------------------------------
    def tasks(self) -> None:
        """Tasks on open deals (due in the last weeks of the window or the week after it),
        account reviews for customers, and done tasks on closed deals."""
        rng = self.rng
        end = self.t_end.replace(hour=9, minute=0)
        for opp in self.data.opportunities:
            links = [RecordLink("opportunity", opp.id), RecordLink("account", opp.account_id)]
            if opp.primary_contact_id:
                links.append(RecordLink("contact", opp.primary_contact_id))
            if not opp.is_closed and rng.random() < 0.7:
                due = end + timedelta(days=rng.uniform(-21, 7))
                self._task(rng.choice(_OPEN_TASKS), due, opp.owner_id, links, done=False)
            elif opp.is_closed and rng.random() < 0.3:
                due = opp.stage_history[-1].at - timedelta(days=rng.uniform(1, 20))
                self._task("Send offer", due, opp.owner_id, links, done=True)
        for account in self.data.accounts:
            if account.status is AccountStatus.POTENTIAL or rng.random() >= 0.08:
                continue
            due = end + timedelta(days=rng.uniform(-14, 14))
            links = [RecordLink("account", account.id)]
            self._task(
                rng.choice(_ACCOUNT_TASKS),
                due,
                account.owner_id,
                links,
                done=due < end and rng.random() < 0.5,
            )

    def _task(
        self,
        subject: str,
        due: datetime,
        owner: str | None,
        links: list[RecordLink],
        *,
        done: bool,
    ) -> None:
        rng = self.rng
        created = max(self.t0, due - timedelta(days=rng.uniform(3, 20)))
        completed = min(due, self.t_end) - timedelta(hours=rng.uniform(0, 48)) if done else None
        if completed is not None and completed < created:
            completed = created
        self.data.tasks.append(
            Task(
                subject,
                due_at=due,
                assignee_id=owner,
                priority=_priority(rng),
                status=TaskStatus.DONE if done else TaskStatus.OPEN,
                remind_at=due - timedelta(days=1) if rng.random() < 0.4 else None,
                links=links,
                completed_at=completed,
                id=self.new_id(created),
                created_at=created,
            )
        )

    def notes(self) -> None:
        """Notes on about a fifth of the deals, written by the deal's owner about its contact."""
        rng = self.rng
        contacts: dict[str, Contact] = {c.id: c for c in self.data.contacts}
        for opp in self.data.opportunities:
            if rng.random() >= 0.2:
                continue
            contact = contacts.get(opp.primary_contact_id or "")
            name = contact.full_name if contact else "the buyer"
            written = opp.stage_history[min(1, len(opp.stage_history) - 1)].at
            links = [RecordLink("opportunity", opp.id), RecordLink("account", opp.account_id)]
            if contact is not None:
                links.append(RecordLink("contact", contact.id))
            self.data.notes.append(
                Note(
                    rng.choice(_NOTES).format(name=name),
                    author_id=opp.owner_id,
                    links=links,
                    id=self.new_id(written),
                    created_at=written,
                )
            )


def _priority(rng: random.Random) -> TaskPriority:
    x = rng.random()
    return TaskPriority.HIGH if x < 0.2 else (TaskPriority.LOW if x > 0.85 else TaskPriority.NORMAL)


def add_object_model(
    data: B2BDataset, staff: Sequence[StaffMember], new_id: Callable[[datetime], str]
) -> None:
    """Add users, teams, territories (with the owner changes of one realignment), account
    groups, exchange rates, price books, opportunity line items, quotes, tasks and notes to
    ``data`` in place; ``new_id(at)`` makes an id dated ``at``.

    Examples:
        >>> from crmkit.datasets import make_b2b
        >>> data = make_b2b(seed=2, n_accounts=60)
        >>> {u.id for u in data.users} >= {a.owner_id for a in data.accounts}
        True
    """
    objects = _Objects(data, staff, new_id)
    objects.users()
    objects.territories()
    objects.groups()
    objects.rates()
    objects.price_books()
    objects.line_items()
    objects.quotes()
    objects.tasks()
    objects.notes()
