"""A deterministic, realistic synthetic Nordic B2B CRM: :func:`make_b2b`.

The generated company sells goods and services to Swedish (and some Nordic) businesses. Its
CRM holds accounts with skewed company sizes, contacts with buying roles and consent, leads
from inbound and outbound channels with interest levels and buying stages, opportunities that
moved through Salesforce's default pipeline (with stage history, wins and lost reasons),
renewal opportunities in a second pipeline, interactions across channels, service cases with
response times, campaigns with responses, agreements, key-account relationships, products and
orders. On top of that history (drawn from a generator of its own, so nothing above moves;
see :mod:`crmkit.datasets.objects`): the staff as users in teams with managers, sales
territories the accounts are routed to, tasks and notes, price books in SEK, NOK and EUR,
line items on a third of the deals, quotes (accepted ones with their order), a few account
groups and a dated table of euro exchange rates.

Repeat purchases follow a **buy-till-you-die** process so that lifetime-value models have
something true to recover (:class:`GroundTruth`):

* BG/NBD (Fader, Hardie & Lee 2005): each customer buys at a Poisson rate
  ``λ ~ Gamma(r, α)`` per week while alive, and after each *repeat* purchase drops out with
  probability ``p ~ Beta(a, b)``;
* Gamma-Gamma (Fader, Hardie & Lee 2005b): each order's value is
  ``z ~ Gamma(p, ν)`` with the customer's ``ν ~ Gamma(q, γ)`` (mean ``p·γ / (q − 1)``),
  independent of the purchase process.

A customer's first order is the BG/NBD "birth" (the time the customer is acquired, after a won
opportunity); orders are generated up to ``observation_end``. A small share of *extra* orders
is cancelled (status ``CANCELLED``) — they are not part of the purchase process, so filter
with ``order.status.counts_as_purchase`` (or use :meth:`B2BDataset.purchases`) before fitting.

Examples:
    >>> from crmkit.datasets import make_b2b
    >>> data = make_b2b(seed=7, n_accounts=50)
    >>> len(data.accounts)
    50
    >>> data.summary()[0]
    ('accounts', 50)
    >>> make_b2b(seed=7, n_accounts=50).orders[0].id == data.orders[0].id
    True
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Generic, TypeVar

import attrs

from crmkit.datasets.nordic import (
    COMPANY_PREFIXES,
    FIRST_NAMES,
    INDUSTRIES,
    LAST_NAMES,
    REGIONS,
    Industry,
    Region,
)
from crmkit.datasets.objects import add_object_model
from crmkit.domain import (
    Account,
    AccountContactRole,
    AccountStatus,
    Address,
    Agreement,
    AgreementType,
    BuyingRole,
    BuyingStage,
    Campaign,
    CampaignMember,
    CampaignStatus,
    Case,
    CasePriority,
    Consent,
    Contact,
    Direction,
    IdGenerator,
    Interaction,
    InteractionStatus,
    InteractionType,
    InterestLevel,
    KamStage,
    KeyAccountRelationship,
    LawfulBasis,
    Lead,
    LeadStatus,
    MemberStatus,
    Money,
    Note,
    Opportunity,
    Order,
    OrderLine,
    OrderStatus,
    OwnerChange,
    Pipeline,
    PriceBook,
    Product,
    Quote,
    RateTable,
    Stage,
    Task,
    Team,
    Territory,
    default_pipeline,
)
from crmkit.domain import User as CrmUser
from crmkit.errors import ValidationError

__all__ = ["B2BDataset", "CustomerTruth", "GroundTruth", "User", "make_b2b"]

T = TypeVar("T")

_WEEK = 7.0
_DAY = timedelta(days=1)


@attrs.frozen
class User:
    """A member of the company's staff as the generator plans them: a seller, key account
    manager, inside seller, agent or marketer with a staff role and, for field sellers, a home
    region (``B2BDataset.staff``); ``B2BDataset.users`` holds the same people, by the same
    ids, as :class:`crmkit.domain.User` records.

    Examples:
        >>> from crmkit.datasets import User
        >>> User("u-1", "Anna Lind", "field_sales", "Skåne").role
        'field_sales'
    """

    id: str
    name: str
    role: str
    region: str | None = None


@attrs.frozen
class CustomerTruth:
    """The true buy-till-you-die parameters of one customer.

    Attributes:
        account_id: the customer.
        first_purchase_at: the first order (the BG/NBD birth).
        purchase_rate: λ, purchases per week while alive.
        dropout_probability: p, the chance of dropping out after each repeat purchase.
        spend_scale: ν, the Gamma-Gamma scale parameter of the customer.
        mean_spend: the customer's true mean order value ``p / ν`` (in the dataset currency).
        dropped_out_at: when the customer dropped out (``None``: alive at observation end).
        purchases: the number of counted orders (first plus repeat) in the window.

    Examples:
        >>> from crmkit.datasets import make_b2b
        >>> truth = make_b2b(seed=1, n_accounts=40).truth.customers[0]
        >>> truth.purchase_rate > 0 and 0 <= truth.dropout_probability <= 1
        True
    """

    account_id: str
    first_purchase_at: datetime
    purchase_rate: float
    dropout_probability: float
    spend_scale: float
    mean_spend: float
    dropped_out_at: datetime | None
    purchases: int

    @property
    def is_alive(self) -> bool:
        """Whether the customer was still alive at the observation end."""
        return self.dropped_out_at is None


@attrs.frozen
class GroundTruth:
    """The true parameters behind the generated orders (time unit: weeks).

    Attributes:
        r: BG/NBD shape of the purchase-rate Gamma distribution.
        alpha: BG/NBD rate (weeks) of the purchase-rate Gamma distribution.
        a: BG/NBD first Beta parameter of the dropout probability.
        b: BG/NBD second Beta parameter of the dropout probability.
        p: Gamma-Gamma shape of order values.
        q: Gamma-Gamma shape of the spend-scale distribution.
        gamma: Gamma-Gamma rate (in currency units) of the spend-scale distribution.
        time_unit: ``"week"``.
        customers: per-customer truth, in account order.

    Examples:
        >>> from crmkit.datasets import GroundTruth
        >>> GroundTruth(0.75, 6.0, 0.5, 4.0, 6.0, 4.0, 10000.0).mean_order_value
        20000.0
    """

    r: float
    alpha: float
    a: float
    b: float
    p: float
    q: float
    gamma: float
    time_unit: str = "week"
    customers: tuple[CustomerTruth, ...] = ()

    @property
    def mean_purchase_rate(self) -> float:
        """E[λ] = r / α purchases per week."""
        return self.r / self.alpha

    @property
    def mean_dropout_probability(self) -> float:
        """E[p] = a / (a + b)."""
        return self.a / (self.a + self.b)

    @property
    def mean_order_value(self) -> float:
        """E[z] = p·γ / (q − 1)."""
        return self.p * self.gamma / (self.q - 1)

    def bg_nbd_params(self) -> dict[str, float]:
        """The BG/NBD parameters as lifetimes names them (``r``, ``alpha``, ``a``, ``b``).

        Examples:
            >>> from crmkit.datasets import GroundTruth
            >>> GroundTruth(0.75, 6.0, 0.5, 4.0, 6.0, 4.0, 10000.0).bg_nbd_params()["alpha"]
            6.0
        """
        return {"r": self.r, "alpha": self.alpha, "a": self.a, "b": self.b}

    def gamma_gamma_params(self) -> dict[str, float]:
        """The Gamma-Gamma parameters as lifetimes names them (``p``, ``q``, ``v``)."""
        return {"p": self.p, "q": self.q, "v": self.gamma}


@attrs.define
class B2BDataset:
    """The synthetic company's CRM content (see :func:`make_b2b`).

    Every list named after a store aggregate (``accounts`` … ``quotes``, ``users`` included)
    holds that aggregate's records; ``staff`` holds the generator's view of the same people
    and ``rates`` the exchange rates (a :class:`~crmkit.domain.RateTable`).

    Examples:
        >>> from crmkit.datasets import make_b2b
        >>> data = make_b2b(seed=3, n_accounts=30)
        >>> {o.account_id for o in data.orders} <= {a.id for a in data.accounts}
        True
    """

    seed: int
    currency: str
    start: date
    observation_end: date
    staff: list[User]
    accounts: list[Account]
    contacts: list[Contact]
    leads: list[Lead]
    pipelines: list[Pipeline]
    opportunities: list[Opportunity]
    interactions: list[Interaction]
    cases: list[Case]
    products: list[Product]
    orders: list[Order]
    campaigns: list[Campaign]
    agreements: list[Agreement]
    key_account_relationships: list[KeyAccountRelationship]
    truth: GroundTruth
    users: list[CrmUser] = attrs.field(factory=list)
    teams: list[Team] = attrs.field(factory=list)
    territories: list[Territory] = attrs.field(factory=list)
    owner_changes: list[OwnerChange] = attrs.field(factory=list)
    tasks: list[Task] = attrs.field(factory=list)
    notes: list[Note] = attrs.field(factory=list)
    price_books: list[PriceBook] = attrs.field(factory=list)
    quotes: list[Quote] = attrs.field(factory=list)
    rates: RateTable = attrs.field(factory=RateTable)

    @property
    def sellers(self) -> list[User]:
        """The staff who own accounts and deals (field sales, inside sales, KAMs).

        Examples:
            >>> from crmkit.datasets import make_b2b
            >>> {s.role for s in make_b2b(seed=1, n_accounts=20).sellers} >= {"field_sales"}
            True
        """
        return [u for u in self.staff if u.role in _SELLING_ROLES]

    def summary(self) -> list[tuple[str, int]]:
        """Entity counts as ``(entity, count)`` rows.

        Examples:
            >>> from crmkit.datasets import make_b2b
            >>> [name for name, _ in make_b2b(seed=1, n_accounts=20).summary()][:4]
            ['accounts', 'contacts', 'leads', 'opportunities']
        """
        return [
            ("accounts", len(self.accounts)),
            ("contacts", len(self.contacts)),
            ("leads", len(self.leads)),
            ("opportunities", len(self.opportunities)),
            ("interactions", len(self.interactions)),
            ("cases", len(self.cases)),
            ("products", len(self.products)),
            ("orders", len(self.orders)),
            ("order lines", sum(len(o.lines) for o in self.orders)),
            ("campaigns", len(self.campaigns)),
            ("campaign members", sum(len(c.members) for c in self.campaigns)),
            ("agreements", len(self.agreements)),
            ("key-account relationships", len(self.key_account_relationships)),
            ("pipelines", len(self.pipelines)),
            ("users", len(self.users)),
            ("teams", len(self.teams)),
            ("territories", len(self.territories)),
            ("owner changes", len(self.owner_changes)),
            ("tasks", len(self.tasks)),
            ("notes", len(self.notes)),
            ("price books", len(self.price_books)),
            ("quotes", len(self.quotes)),
            ("opportunity line items", sum(len(o.line_items) for o in self.opportunities)),
            ("exchange rates", len(self.rates.rates)),
            ("account groups", len({a.parent_id for a in self.accounts if a.parent_id})),
        ]

    def purchases(self) -> list[Order]:
        """The orders that count as purchases (not cancelled, not drafts) — the ones the
        buy-till-you-die truth describes.

        Examples:
            >>> from crmkit.datasets import make_b2b
            >>> data = make_b2b(seed=2, n_accounts=60)
            >>> all(o.status.counts_as_purchase for o in data.purchases())
            True
        """
        return [o for o in self.orders if o.status.counts_as_purchase]

    def pipeline(self, pipeline_id: str) -> Pipeline:
        """The pipeline with ``pipeline_id``.

        Examples:
            >>> from crmkit.datasets import make_b2b
            >>> make_b2b(seed=1, n_accounts=10).pipeline("renewals").name
            'Renewals'
        """
        for pipe in self.pipelines:
            if pipe.id == pipeline_id:
                return pipe
        known = ", ".join(p.id for p in self.pipelines)
        raise KeyError(f"no pipeline {pipeline_id!r}; pipelines: {known}")


_SELLING_ROLES = ("field_sales", "inside_sales", "key_account_manager")

# Purchase process truth (weekly rates) and order-value truth (Gamma-Gamma).
_R, _ALPHA, _A, _B = 0.75, 6.0, 0.5, 4.0
_P, _Q, _GAMMA_SEK = 6.0, 4.0, 10_000.0

_INBOUND_CHANNELS = (
    ("website", 30), ("seo", 12), ("paid_search", 12), ("landing_page", 10), ("webinar", 8),
    ("linkedin", 8), ("events", 8), ("contact_centre", 7), ("partners", 5),
)  # fmt: skip
_OUTBOUND_CHANNELS = (
    ("phone", 35), ("email", 25), ("linkedin", 15), ("field_sales", 15), ("direct_mail", 5),
    ("events", 5),
)  # fmt: skip
_ORDER_CHANNELS = (
    ("web_shop", 35), ("field_sales", 20), ("phone", 15), ("email", 15), ("partners", 8),
    ("key_account_manager", 7),
)  # fmt: skip
_CASE_CHANNELS = (("email", 40), ("phone", 20), ("contact_centre", 15), ("website", 15),
                  ("mobile_app", 5), ("field_sales", 5))  # fmt: skip
# median hours to first response per origin channel
_RESPONSE_HOURS = {"email": 5.0, "phone": 0.25, "contact_centre": 0.5, "website": 8.0,
                   "mobile_app": 6.0, "field_sales": 24.0}  # fmt: skip
_PROBLEM_TYPES = (
    ("delivery", 25), ("billing", 20), ("technical support", 20), ("product quality", 12),
    ("returns", 8), ("account administration", 8), ("complaint", 7),
)  # fmt: skip
_LOST_REASONS = (
    ("price", 30), ("chose competitor", 25), ("no budget", 15), ("no decision", 12),
    ("timing", 10), ("requirements not met", 8),
)  # fmt: skip
_LEAD_LOST_REASONS = ("not interested", "no budget", "wrong target group", "no response",
                      "already has a supplier")  # fmt: skip
_ROLE_TITLES = {
    BuyingRole.DECIDER: ("CEO", "Managing Director", "CFO", "Head of Operations"),
    BuyingRole.BUYER: ("Purchasing Manager", "Procurement Officer", "Buyer"),
    BuyingRole.INFLUENCER: ("IT Manager", "Technical Lead", "Quality Manager"),
    BuyingRole.USER: ("Production Lead", "Warehouse Manager", "Office Manager", "Engineer"),
    BuyingRole.INITIATOR: ("Project Manager", "Operations Manager"),
    BuyingRole.GATEKEEPER: ("Executive Assistant", "Receptionist"),
}
_ROLE_WEIGHTS = (
    (BuyingRole.DECIDER, 22), (BuyingRole.BUYER, 20), (BuyingRole.INFLUENCER, 18),
    (BuyingRole.USER, 25), (BuyingRole.INITIATOR, 8), (BuyingRole.GATEKEEPER, 7),
)  # fmt: skip
_PRODUCTS = (
    # category, name, list price (SEK), is_service, unit
    ("Hardware", "Industrial scanner", 18_500, False, "pcs"),
    ("Hardware", "Label printer", 7_900, False, "pcs"),
    ("Hardware", "Rugged tablet", 14_900, False, "pcs"),
    ("Hardware", "Handheld terminal", 11_200, False, "pcs"),
    ("Hardware", "Docking station", 2_400, False, "pcs"),
    ("Hardware", "Sensor kit", 5_600, False, "pcs"),
    ("Consumables", "Thermal labels (box)", 690, False, "box"),
    ("Consumables", "Ribbons (pack)", 420, False, "pack"),
    ("Consumables", "Cleaning kit", 350, False, "pcs"),
    ("Consumables", "Battery pack", 1_150, False, "pcs"),
    ("Spare parts", "Print head", 3_300, False, "pcs"),
    ("Spare parts", "Charging cable", 290, False, "pcs"),
    ("Spare parts", "Trigger handle", 890, False, "pcs"),
    ("Software", "Fleet management licence", 4_800, True, "year"),
    ("Software", "Inventory app licence", 2_900, True, "year"),
    ("Software", "Analytics add-on", 9_500, True, "year"),
    ("Software", "API access", 12_000, True, "year"),
    ("Services", "Installation", 8_500, True, "job"),
    ("Services", "Training day", 14_000, True, "day"),
    ("Services", "Consulting hour", 1_250, True, "hour"),
    ("Services", "Support agreement, basic", 24_000, True, "year"),
    ("Services", "Support agreement, premium", 60_000, True, "year"),
    ("Services", "Repair service", 2_200, True, "job"),
    ("Services", "Site survey", 6_500, True, "job"),
)  # fmt: skip
_CAMPAIGN_KINDS = (
    ("email", "Newsletter", 0.04), ("webinar", "Webinar", 0.18), ("events", "Trade fair", 0.12),
    ("linkedin", "LinkedIn campaign", 0.03), ("direct_mail", "Catalogue mailing", 0.02),
    ("paid_search", "Search campaign", 0.05),
)  # fmt: skip


def _choose(rng: random.Random, weighted: Sequence[tuple[T, float]]) -> T:
    """Pick one item of ``(item, weight)`` pairs."""
    x = rng.random() * sum(w for _, w in weighted)
    for item, weight in weighted:
        x -= weight
        if x < 0:
            return item
    return weighted[-1][0]


class _Table(Generic[T]):
    """A fixed weighted table with cumulative weights (fast repeated picks)."""

    def __init__(self, weighted: Sequence[tuple[T, float]]) -> None:
        self.items = [item for item, _ in weighted]
        self.cumulative = list(itertools.accumulate(w for _, w in weighted))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random) -> T:
        index = bisect.bisect_right(self.cumulative, rng.random() * self.total)
        return self.items[min(index, len(self.items) - 1)]


_INBOUND = _Table(_INBOUND_CHANNELS)
_OUTBOUND = _Table(_OUTBOUND_CHANNELS)
_ORDER_ANY = _Table(_ORDER_CHANNELS)
_ORDER_NO_KAM = _Table([c for c in _ORDER_CHANNELS if c[0] != "key_account_manager"])
_CASE_TABLE = _Table(_CASE_CHANNELS)
_PROBLEM_TABLE = _Table(_PROBLEM_TYPES)
_LOST_TABLE = _Table(_LOST_REASONS)
_ROLE_TABLE = _Table(_ROLE_WEIGHTS)
_REGION_TABLE = _Table([(r, r.weight) for r in REGIONS])
_INDUSTRY_TABLE = _Table([(i, i.weight) for i in INDUSTRIES])


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's Poisson sampler (means here are small)."""
    if mean <= 0:
        return 0
    limit, k, prod = math.exp(-mean), 0, rng.random()
    while prod > limit:
        k += 1
        prod *= rng.random()
    return k


def _luhn_digit(digits: str) -> int:
    total = 0
    for i, char in enumerate(digits):
        d = int(char) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return (10 - total % 10) % 10


def _organisation_number(rng: random.Random) -> str:
    """A Swedish limited-company organisation number (``556xxx-xxxx``) with a valid Luhn
    check digit."""
    body = "55" + "".join(str(rng.randrange(10)) for _ in range(7))
    return f"{body[:6]}-{body[6:]}{_luhn_digit(body)}"


class _Clock:
    """A settable clock (milliseconds) so generated ids encode the entity's creation time."""

    def __init__(self) -> None:
        self.ms = 0

    def __call__(self) -> int:
        return self.ms


class _Generator:
    """Holds the random state while one dataset is generated."""

    def __init__(self, seed: int, n_accounts: int, start: date, end: date, currency: str) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.clock = _Clock()
        self.idgen = IdGenerator(seed, self.clock)
        self.n = n_accounts
        self.start = start
        self.end = end
        self.currency = currency
        self.t0 = datetime.combine(start, time(0), tzinfo=UTC)
        self.t_end = datetime.combine(end, time(23, 59, 59), tzinfo=UTC)
        self.horizon = (self.t_end - self.t0).total_seconds() / 86400.0
        self.default_pipe = default_pipeline("default", "New business")
        self.renewal_pipe = Pipeline(
            "renewals",
            "Renewals",
            [
                Stage("renewal_due", "Renewal due", 1, 0.6),
                Stage("renewal_negotiation", "Negotiation", 2, 0.8),
                Stage("renewed", "Renewed", 3, 1.0, is_closed=True, is_won=True),
                Stage("churned", "Not renewed", 4, 0.0, is_closed=True),
            ],
        )
        self.users: list[User] = []
        self.accounts: list[Account] = []
        self.contacts: list[Contact] = []
        self.leads: list[Lead] = []
        self.opportunities: list[Opportunity] = []
        self.interactions: list[Interaction] = []
        self.cases: list[Case] = []
        self.products: list[Product] = []
        self.orders: list[Order] = []
        self.campaigns: list[Campaign] = []
        self.agreements: list[Agreement] = []
        self.kams: list[KeyAccountRelationship] = []
        self.truths: list[CustomerTruth] = []
        self.account_contacts: dict[str, list[Contact]] = {}
        self.customer_days: dict[str, tuple[float, float, float | None]] = {}
        self.roles: dict[str, list[User]] = {}

    # -- time and ids -------------------------------------------------------------------
    def when(self, day: float) -> datetime:
        """Day offset from the start → aware datetime, clamped to a minute."""
        return self.t0 + timedelta(minutes=round(day * 1440.0))

    def business_time(self, day: float) -> datetime:
        """The day at a working hour (07–16 UTC), weekends moved to Monday."""
        d = math.floor(day)
        stamp = self.t0 + timedelta(days=d)
        weekday = stamp.weekday()
        if weekday >= 5:
            stamp += timedelta(days=7 - weekday)
        return stamp + timedelta(hours=7 + self.rng.random() * 9.5)

    def new_id(self, at: datetime) -> str:
        self.clock.ms = int(at.timestamp() * 1000)
        return self.idgen.new()

    def money(self, amount: float) -> Money:
        return Money(Decimal(round(amount)), self.currency)

    def person(self) -> tuple[str, str]:
        return self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)

    # -- users and products --------------------------------------------------------------
    def make_users(self) -> None:
        counts = {
            "field_sales": max(4, min(60, self.n // 60)),
            "inside_sales": max(2, min(15, self.n // 250)),
            "key_account_manager": max(2, min(10, self.n // 400)),
            "support_agent": max(3, min(20, self.n // 200)),
            "marketer": 2,
        }
        at = self.t0 - timedelta(days=400)
        regions = [r.name for r in REGIONS]
        for role, count in counts.items():
            for i in range(count):
                first, last = self.person()
                region = regions[i % len(regions)] if role == "field_sales" else None
                self.users.append(User(self.new_id(at), f"{first} {last}", role, region))

    def by_role(self, role: str) -> list[User]:
        cached = self.roles.get(role)
        if cached is None:
            cached = self.roles[role] = [u for u in self.users if u.role == role]
        return cached

    def make_products(self) -> None:
        at = self.t0 - timedelta(days=365)
        for i, (category, name, price, is_service, unit) in enumerate(_PRODUCTS, start=1):
            prefix = category[:3].upper()
            self.products.append(
                Product(
                    f"{prefix}-{1000 + i}",
                    name,
                    category,
                    price=Money(Decimal(price), self.currency),
                    unit=unit,
                    is_service=is_service,
                    id=self.new_id(at),
                    created_at=at,
                )
            )

    # -- accounts and contacts -----------------------------------------------------------
    def make_accounts(self) -> None:
        rng = self.rng
        field_by_region: dict[str, list[User]] = {}
        for user in self.by_role("field_sales"):
            field_by_region.setdefault(str(user.region), []).append(user)
        field_sales = self.by_role("field_sales")
        # creation times: a third existed before the window (imported), the rest arrive
        # through the window.
        days = sorted(
            (-rng.uniform(30, 1100) if rng.random() < 0.33 else rng.uniform(0, self.horizon - 20))
            for _ in range(self.n)
        )
        for day in days:
            region: Region = _REGION_TABLE.pick(rng)
            industry: Industry = _INDUSTRY_TABLE.pick(rng)
            employees = max(1, min(60_000, int(math.exp(rng.gauss(math.log(14), 1.45)))))
            turnover = employees * industry.turnover_per_employee * math.exp(rng.gauss(0, 0.35))
            turnover = round(turnover, -3)
            margin = rng.gauss(industry.margin, 0.06)
            created = self.business_time(day)
            owners = field_by_region.get(region.name) or field_sales
            owner = rng.choice(owners)
            name = f"{rng.choice(COMPANY_PREFIXES)} {industry.word}"
            legal = (
                "AB"
                if region.country == "SE"
                else {"NO": "AS", "DK": "A/S", "FI": "Oy"}[region.country]
            )
            name = (
                f"{name} {legal}"
                if industry.name != "Public sector"
                else (f"{region.city} {rng.choice(('kommun', 'region', 'stad'))}")
            )
            postal = f"{region.postal_prefix}{rng.randrange(100, 999)}"
            address = Address(
                street=f"{rng.choice(('Industri', 'Stor', 'Kyrko', 'Hamn', 'Skol', 'Verkstads'))}"
                f"gatan {rng.randrange(1, 80)}",
                postal_code=f"{postal[:3]} {postal[3:5]}",
                city=region.city,
                region=region.name,
                country=region.country,
            )
            slug = name.split()[0].lower().translate(str.maketrans("åäöø", "aaoo"))
            account = Account(
                name,
                organisation_number=_organisation_number(rng) if region.country == "SE" else None,
                industry=industry.name,
                employees=employees,
                turnover=self.money(turnover),
                profit=self.money(turnover * margin),
                region=region.name,
                addresses=[address],
                delivery_addresses=[address] if rng.random() < 0.8 else [],
                status=AccountStatus.POTENTIAL,
                owner_id=owner.id,
                website=f"https://www.{slug}{rng.randrange(10, 99)}.{region.country.lower()}",
                id=self.new_id(created),
                created_at=created,
            )
            self.accounts.append(account)
        # tiers by turnover: A top 10 %, B next 30 %, C the rest
        ranked = sorted(
            self.accounts, key=lambda a: a.turnover.amount if a.turnover else 0, reverse=True
        )
        for rank, account in enumerate(ranked):
            share = rank / max(1, len(ranked))
            account.tier = "A" if share < 0.10 else ("B" if share < 0.40 else "C")

    def make_contacts(self, account: Account) -> list[Contact]:
        rng = self.rng
        size = account.employees or 1
        count = 1 + min(7, _poisson(rng, 0.6 + 0.45 * math.log10(size + 1) * 1.6))
        contacts: list[Contact] = []
        domain = (account.website or "https://www.example.se").split("www.")[-1]
        roles = [BuyingRole.DECIDER] + [_ROLE_TABLE.pick(rng) for _ in range(count - 1)]
        for i, role in enumerate(roles):
            first, last = self.person()
            day = max(0.0, (account.created_at - self.t0).total_seconds() / 86400.0)
            created = (
                account.created_at
                if i == 0
                else self.business_time(min(self.horizon - 1, day + rng.uniform(0, 500)))
            )
            if created < account.created_at:
                created = account.created_at
            basis = _choose(
                rng,
                (
                    (LawfulBasis.LEGITIMATE_INTERESTS, 65),
                    (LawfulBasis.CONSENT, 25),
                    (LawfulBasis.CONTRACT, 10),
                ),
            )
            consent: Consent | None = None
            if rng.random() < 0.9:
                withdrawn = None
                if rng.random() < 0.06:
                    withdrawn = created + timedelta(days=rng.uniform(30, 900))
                consent = Consent(basis, created, withdrawn_at=withdrawn)
            email = (
                f"{first.lower()}.{last.lower()}@{domain}".translate(
                    str.maketrans("åäöøé", "aaooe")
                )
                if rng.random() < 0.95
                else None
            )
            contact = Contact(
                first,
                last,
                account_id=account.id,
                title=rng.choice(_ROLE_TITLES[role]),
                buying_role=role,
                email=email,
                phone=f"+46 7{rng.randrange(0, 10)} {rng.randrange(100, 999)} "
                f"{rng.randrange(10, 99)} {rng.randrange(10, 99)}",
                preferred_channel=_choose(
                    rng, (("email", 45), ("phone", 30), ("linkedin", 10), ("field_sales", 15))
                ),
                consent=consent,
                owner_id=account.owner_id,
                id=self.new_id(created),
                created_at=created,
            )
            contacts.append(contact)
        # the decision maker is the primary contact (built in one go: one validation)
        account.contact_roles = [
            AccountContactRole(c.id, (c.buying_role or BuyingRole.USER).value, i == 0)
            for i, c in enumerate(contacts)
        ]
        self.contacts.extend(contacts)
        self.account_contacts[account.id] = contacts
        return contacts

    # -- leads ---------------------------------------------------------------------------
    def lead_channel(self, direction: Direction) -> str:
        table = _INBOUND if direction is Direction.INBOUND else _OUTBOUND
        return table.pick(self.rng)

    def interest_and_stage(
        self, direction: Direction, qualified: bool
    ) -> tuple[InterestLevel, BuyingStage]:
        rng = self.rng
        if qualified:
            interest = _choose(
                rng, ((InterestLevel.VERY_INTERESTED, 60), (InterestLevel.EVALUATING, 40))
            )
        else:
            interest = _choose(
                rng,
                (
                    (InterestLevel.VERY_INTERESTED, 10),
                    (InterestLevel.EVALUATING, 40),
                    (InterestLevel.NOT_INTERESTED, 50),
                ),
            )
        # inbound prospects often search for suppliers (stages 3–4, seed 001 L448);
        # outbound ones are reached earlier in their buying process.
        if direction is Direction.INBOUND:
            weights = (6, 8, 20, 30, 16, 10, 5, 5)
        else:
            weights = (25, 20, 15, 15, 10, 7, 4, 4)
        if interest is InterestLevel.VERY_INTERESTED:
            weights = tuple(w * (1 + i * 0.3) for i, w in enumerate(weights))  # type: ignore[assignment]
        stage = _choose(rng, list(zip(list(BuyingStage), weights, strict=True)))
        return interest, stage

    def make_lead_for(self, account: Account, contact: Contact, lead_day: float) -> Lead:
        rng = self.rng
        direction = Direction.INBOUND if rng.random() < 0.55 else Direction.OUTBOUND
        interest, stage = self.interest_and_stage(direction, qualified=True)
        created = self.business_time(lead_day)
        if created > account.created_at:
            created = account.created_at - timedelta(days=rng.uniform(1, 20))
        owner = (
            account.owner_id
            if direction is Direction.OUTBOUND
            else rng.choice(self.by_role("inside_sales")).id
        )
        lead = Lead(
            account.name,
            first_name=contact.first_name,
            last_name=contact.last_name,
            title=contact.title,
            email=contact.email,
            phone=contact.phone,
            source_channel=self.lead_channel(direction),
            direction=direction,
            interest_level=interest,
            buying_stage=stage,
            buying_role=contact.buying_role,
            status=LeadStatus.WORKING,
            owner_id=owner,
            organisation_number=account.organisation_number,
            industry=account.industry,
            employees=account.employees,
            region=account.region,
            id=self.new_id(created),
            created_at=created,
        )
        lead.convert(at=account.created_at, account=account, contact=contact)
        self.leads.append(lead)
        return lead

    def make_open_leads(self) -> None:
        rng = self.rng
        count = int(self.n * 0.6)
        inside = self.by_role("inside_sales")
        for _ in range(count):
            day = rng.uniform(0, self.horizon - 1)
            created = self.business_time(day)
            direction = Direction.INBOUND if rng.random() < 0.5 else Direction.OUTBOUND
            interest, stage = self.interest_and_stage(direction, qualified=False)
            region: Region = _REGION_TABLE.pick(rng)
            industry: Industry = _INDUSTRY_TABLE.pick(rng)
            first, last = self.person()
            age_days = self.horizon - day
            if age_days < 30:
                status = _choose(rng, ((LeadStatus.NEW, 60), (LeadStatus.WORKING, 40)))
            elif interest is InterestLevel.NOT_INTERESTED:
                status = _choose(rng, ((LeadStatus.UNQUALIFIED, 80), (LeadStatus.NURTURING, 20)))
            else:
                status = _choose(
                    rng,
                    (
                        (LeadStatus.NURTURING, 45),
                        (LeadStatus.UNQUALIFIED, 30),
                        (LeadStatus.WORKING, 15),
                        (LeadStatus.QUALIFIED, 10),
                    ),
                )
            company = f"{rng.choice(COMPANY_PREFIXES)} {industry.word} AB"
            lead = Lead(
                company,
                first_name=first,
                last_name=last,
                email=f"{first.lower()}@{company.split()[0].lower()}.se".translate(
                    str.maketrans("åäöøé", "aaooe")
                ),
                source_channel=self.lead_channel(direction),
                direction=direction,
                interest_level=interest,
                buying_stage=stage,
                buying_role=_ROLE_TABLE.pick(rng),
                status=status,
                lost_reason=rng.choice(_LEAD_LOST_REASONS)
                if status is LeadStatus.UNQUALIFIED
                else None,
                owner_id=rng.choice(inside).id,
                industry=industry.name,
                employees=max(1, int(math.exp(rng.gauss(math.log(10), 1.3)))),
                region=region.name,
                next_follow_up_at=created + timedelta(days=rng.uniform(3, 60))
                if status in (LeadStatus.NURTURING, LeadStatus.WORKING, LeadStatus.NEW)
                else None,
                id=self.new_id(created),
                created_at=created,
            )
            self.leads.append(lead)
            # marketing touch on inbound leads
            if direction is Direction.INBOUND:
                self.interactions.append(
                    Interaction(
                        InteractionType.FORM_SUBMISSION,
                        channel=lead.source_channel,
                        status=InteractionStatus.DONE,
                        direction=Direction.INBOUND,
                        lead_id=lead.id,
                        subject="Interest form",
                        done_at=created,
                        id=self.new_id(created),
                        created_at=created,
                    )
                )

    # -- opportunities -------------------------------------------------------------------
    def walk_opportunity(
        self,
        account: Account,
        contact: Contact | None,
        open_day: float,
        *,
        outcome: str,
        close_day: float | None,
        amount: float,
        name: str,
        channel: str | None,
    ) -> Opportunity:
        """Create an opportunity and move it through the default pipeline.

        ``outcome`` is ``"won"``, ``"lost"`` or ``"open"``; won and lost deals reach their
        closed stage on ``close_day``; open ones stop at the stage reached by the end.
        """
        rng = self.rng
        pipe = self.default_pipe
        at = self.business_time(open_day)
        if at < account.created_at:
            at = account.created_at
        opp = Opportunity.open(
            name,
            account_id=account.id,
            amount=self.money(amount),
            close_date=(at + timedelta(days=rng.uniform(30, 120))).date(),
            pipeline=pipe,
            at=at,
            stage="prospecting" if rng.random() < 0.6 else "qualification",
            source_channel=channel,
            owner_id=account.owner_id,
            id=self.new_id(at),
        )
        if contact is not None:
            opp.add_contact_role(contact.id, (contact.buying_role or BuyingRole.USER).value)
        others = self.account_contacts.get(account.id, [])
        for other in others[1 : 1 + rng.randrange(0, 3)]:
            opp.add_contact_role(other.id, (other.buying_role or BuyingRole.USER).value)
        open_stages = pipe.open_stages
        now = at
        end = self.t_end if close_day is None else max(at, self.when(close_day))
        index = [s.key for s in open_stages].index(opp.stage_key)
        lost_at_index = (
            rng.randrange(index, len(open_stages)) if outcome == "lost" else len(open_stages)
        )
        target_index = (
            len(open_stages) - 1 if outcome != "open" else rng.randrange(index, len(open_stages))
        )
        steps_left = max(1, min(lost_at_index, target_index) - index)
        step = (end - now) / (steps_left + 1)
        while index < min(lost_at_index, target_index):
            index = min(index + (2 if rng.random() < 0.15 else 1), len(open_stages) - 1)
            now = min(end, now + step * rng.uniform(0.6, 1.4))
            if outcome == "open" and now >= self.t_end:
                break
            opp.move_to(open_stages[index], pipeline=pipe, at=now)
            if rng.random() < 0.6:
                self.touch_interaction(opp, contact, now)
            if rng.random() < 0.08 and opp.is_open:
                opp.set_manual_probability(round(rng.uniform(0.05, 0.95), 2))
        if outcome == "won":
            opp.close_won(pipeline=pipe, at=end)
            opp.close_date = end.date()
        elif outcome == "lost":
            opp.close_lost(pipeline=pipe, at=end, reason=_LOST_TABLE.pick(rng))
            opp.close_date = end.date()
        elif rng.random() < 0.4:
            # a scoring model's estimate around the stage default
            base = opp.stage_probability
            opp.set_automated_probability(round(min(0.99, max(0.01, base + rng.gauss(0, 0.12))), 4))
        last = opp.stage_history[-1].at
        opp.touch(last)
        self.opportunities.append(opp)
        return opp

    def touch_interaction(self, opp: Opportunity, contact: Contact | None, at: datetime) -> None:
        rng = self.rng
        kind, channel = _choose(
            rng,
            (
                ((InteractionType.CALL, "phone"), 35),
                ((InteractionType.EMAIL, "email"), 30),
                ((InteractionType.MEETING, "field_sales"), 15),
                ((InteractionType.VISIT, "field_sales"), 10),
                ((InteractionType.MESSAGE, "linkedin"), 5),
                ((InteractionType.MEETING, "webinar"), 5),
            ),
        )
        done = at - timedelta(hours=rng.uniform(1, 72))
        if done < opp.created_at:
            done = opp.created_at
        followed = rng.random() < 0.45
        self.interactions.append(
            Interaction(
                kind,
                channel=channel,
                status=InteractionStatus.FOLLOWED_UP if followed else InteractionStatus.DONE,
                direction=Direction.OUTBOUND if rng.random() < 0.75 else Direction.INBOUND,
                contact_id=contact.id if contact is not None else None,
                account_id=opp.account_id,
                opportunity_id=opp.id,
                subject=f"{kind.value.capitalize()} about {opp.name}",
                outcome=rng.choice(
                    (
                        "positive",
                        "needs more information",
                        "asked for a quote",
                        "no answer",
                        "follow-up booked",
                    )
                ),
                planned_at=done - timedelta(days=rng.uniform(0, 5)),
                done_at=done,
                followed_up_at=done + timedelta(days=rng.uniform(1, 10)) if followed else None,
                owner_id=opp.owner_id,
                department="sales",
                id=self.new_id(done),
                created_at=done - timedelta(days=rng.uniform(0, 5)),
            )
        )

    # -- purchases (BG/NBD + Gamma-Gamma) --------------------------------------------------
    def make_purchases(self, account: Account, contact: Contact | None, birth_day: float) -> None:
        rng = self.rng
        lam = rng.gammavariate(_R, 1.0 / _ALPHA)  # per week
        p = rng.betavariate(_A, _B)
        nu = rng.gammavariate(_Q, 1.0 / _GAMMA_SEK)
        times = [birth_day]
        dropped: float | None = None
        t = birth_day
        while True:
            t += rng.expovariate(lam) * _WEEK if lam > 0 else math.inf
            if t >= self.horizon:
                break
            times.append(t)
            if rng.random() < p:
                dropped = t
                break
        channel_weights = _ORDER_ANY if account.is_key_account else _ORDER_NO_KAM
        for i, day in enumerate(times):
            value = rng.gammavariate(_P, 1.0 / nu)
            at = self.when(day)
            self.orders.append(self.order(account, contact, at, value, channel_weights, i))
            if rng.random() < 0.02:  # an extra order that got cancelled (not a purchase)
                cancelled = self.order(
                    account, contact, at + timedelta(hours=rng.uniform(1, 48)),
                    rng.gammavariate(_P, 1.0 / nu), channel_weights, i,
                )  # fmt: skip
                cancelled.status = OrderStatus.CANCELLED
                self.orders.append(cancelled)
        self.truths.append(
            CustomerTruth(
                account.id,
                self.when(birth_day),
                lam,
                p,
                nu,
                _P / nu,
                self.when(dropped) if dropped is not None else None,
                len(times),
            )
        )
        last = self.when(times[-1])
        account.status = (
            AccountStatus.EXISTING if (self.t_end - last).days <= 365 else AccountStatus.LOST
        )
        account.touch(last)
        self.customer_days[account.id] = (birth_day, times[-1], dropped)

    def order(
        self,
        account: Account,
        contact: Contact | None,
        at: datetime,
        value: float,
        channels: _Table[str],
        index: int,
    ) -> Order:
        rng = self.rng
        n_lines = 1 + min(4, _poisson(rng, 0.8))
        products = rng.sample(self.products, n_lines)
        shares = [rng.gammavariate(1.0, 1.0) for _ in products]
        total_share = sum(shares)
        lines = []
        for product, share in zip(products, shares, strict=True):
            line_value = max(1.0, value * share / total_share)
            list_price = float(product.price.amount)
            quantity = max(1, round(line_value / list_price))
            unit = Decimal(round(line_value * 100 / quantity)).scaleb(-2)
            lines.append(OrderLine(product.id, quantity, Money(unit, self.currency)))
        status = (
            OrderStatus.INVOICED
            if at < self.t_end - timedelta(days=30)
            else (
                OrderStatus.DELIVERED if at < self.t_end - timedelta(days=5) else OrderStatus.PLACED
            )
        )
        return Order(
            account.id,
            at,
            lines,
            status=status,
            contact_id=contact.id if contact is not None else None,
            channel=channels.pick(rng),
            owner_id=account.owner_id,
            order_number=f"SO-{len(self.orders) + 100001}",
            id=self.new_id(at),
            created_at=at,
        )

    # -- cases ---------------------------------------------------------------------------
    def make_cases(self, account: Account, contact: Contact | None) -> None:
        rng = self.rng
        birth, _last, dropped = self.customer_days[account.id]
        active_until = min(self.horizon, (dropped if dropped is not None else self.horizon) + 60)
        years = max(0.0, (active_until - birth) / 365.0)
        size = account.employees or 1
        count = _poisson(rng, years * (0.5 + 0.25 * math.log10(size + 1)))
        agents = self.by_role("support_agent")
        for _ in range(count):
            day = rng.uniform(birth, active_until)
            opened = self.when(day)
            channel = _CASE_TABLE.pick(rng)
            problem = _PROBLEM_TABLE.pick(rng)
            priority = _choose(
                rng,
                (
                    (CasePriority.LOW, 25),
                    (CasePriority.MEDIUM, 50),
                    (CasePriority.HIGH, 20),
                    (CasePriority.URGENT, 5),
                ),
            )
            case = Case(
                f"{problem.capitalize()} – {account.name}",
                account_id=account.id,
                contact_id=contact.id if contact is not None else None,
                origin_channel=channel,
                problem_type=problem,
                priority=priority,
                opened_at=opened,
                id=self.new_id(opened),
                created_at=opened,
            )
            agent = rng.choice(agents)
            hours = _RESPONSE_HOURS[channel] * math.exp(rng.gauss(0, 0.9))
            hours /= 1 + (priority.rank - 2) * 0.35 if priority.rank > 2 else 1
            responded = opened + timedelta(hours=hours)
            if responded < self.t_end:
                case.respond(responded, agent_id=agent.id)
                closed = responded + timedelta(hours=24 * math.exp(rng.gauss(0, 1.1)))
                if closed < self.t_end and rng.random() < 0.97:
                    case.close(closed, resolution="solved")
                case.touch(case.closed_at or responded)
            self.cases.append(case)
            self.interactions.append(
                Interaction(
                    InteractionType.CALL if channel in ("phone", "contact_centre") else
                    InteractionType.EMAIL,
                    channel=channel,
                    status=InteractionStatus.DONE,
                    direction=Direction.INBOUND,
                    contact_id=case.contact_id,
                    account_id=account.id,
                    case_id=case.id,
                    subject=case.subject,
                    done_at=opened,
                    owner_id=agent.id,
                    department="customer service",
                    id=self.new_id(opened),
                    created_at=opened,
                )
            )  # fmt: skip

    # -- agreements and renewals ---------------------------------------------------------
    def make_agreement(self, account: Account, birth_day: float) -> None:
        rng = self.rng
        _, _last, dropped = self.customer_days[account.id]
        start = self.when(birth_day).date()
        term = rng.choice((12, 12, 24, 36))
        end = start + timedelta(days=round(term * 30.4375)) - _DAY
        premium = account.tier == "A" or rng.random() < 0.2
        yearly = 60_000 if premium else 24_000
        agreement = Agreement(
            account.id,
            "Support agreement, premium" if premium else "Support agreement, basic",
            start_date=start,
            end_date=end,
            agreement_type=AgreementType.SERVICE,
            value=self.money(yearly * term / 12),
            auto_renew=rng.random() < 0.6,
            renewal_term_months=12,
            notice_period_days=90,
            id=self.new_id(self.when(birth_day)),
            created_at=self.when(birth_day),
        )
        churn_day = dropped if dropped is not None else math.inf
        contacts = self.account_contacts.get(account.id, [])
        contact = contacts[0] if contacts else None
        while agreement.end_date is not None and agreement.end_date < self.end:
            renewal_date = agreement.renewal_date or agreement.end_date
            due_day = (
                datetime.combine(renewal_date, time(8), tzinfo=UTC) - self.t0
            ).total_seconds() / 86400.0 - 30
            renewing = churn_day > due_day + 30
            if due_day > 0:
                self.renewal_opportunity(account, contact, agreement, due_day, renewing=renewing)
            if renewing:
                agreement.renew()
            else:
                agreement.terminate(agreement.end_date)
                break
        self.agreements.append(agreement)

    def renewal_opportunity(
        self,
        account: Account,
        contact: Contact | None,
        agreement: Agreement,
        due_day: float,
        *,
        renewing: bool,
    ) -> Opportunity:
        rng = self.rng
        pipe = self.renewal_pipe
        at = max(self.when(due_day), account.created_at)
        value = agreement.value.amount if agreement.value is not None else Decimal(0)
        opp = Opportunity.open(
            f"Renewal – {agreement.name}",
            account_id=account.id,
            amount=Money(value, self.currency),
            close_date=agreement.end_date or at.date(),
            pipeline=pipe,
            at=at,
            owner_id=account.owner_id,
            source_channel="key_account_manager" if account.is_key_account else "phone",
            id=self.new_id(at),
        )
        if contact is not None:
            opp.add_contact_role(contact.id, (contact.buying_role or BuyingRole.USER).value)
        close = at + timedelta(days=rng.uniform(10, 45))
        if close < self.t_end:
            if rng.random() < 0.5:
                mid = at + (close - at) / 2
                opp.move_to("renewal_negotiation", pipeline=pipe, at=mid)
            if renewing:
                opp.close_won(pipeline=pipe, at=close)
            else:
                opp.close_lost(pipeline=pipe, at=close, reason="customer stopped buying")
            opp.close_date = close.date()
        opp.touch(opp.stage_history[-1].at)
        self.opportunities.append(opp)
        return opp

    # -- key accounts --------------------------------------------------------------------
    def make_key_account(self, account: Account, birth_day: float) -> None:
        rng = self.rng
        kams = self.by_role("key_account_manager")
        manager = rng.choice(kams)
        start = self.when(birth_day)
        rel = KeyAccountRelationship(
            account.id,
            KamStage.BOW_TIE,
            key_account_manager=manager.id,
            id=self.new_id(start),
            created_at=start,
        )
        stages = list(KamStage)
        now = start
        while True:
            now = now + timedelta(days=rng.uniform(150, 500))
            if now >= self.t_end:
                break
            order = rel.stage.order
            if order < 4 and rng.random() < 0.55:
                rel.move_to(stages[order], at=now, reason="deeper cooperation")
            elif order > 1 and rng.random() < 0.15:
                rel.move_to(stages[order - 2], at=now, reason="key personnel changed")
        if rng.random() < 0.25:
            # the parties want different things: a frustration zone
            want = rel.stage.order
            rel.customer_intent = stages[max(0, want - 2)] if want > 1 else stages[1]
        rel.supplier_intent = rel.stage if rng.random() < 0.7 else stages[min(3, rel.stage.order)]
        if rel.history:
            rel.updated_at = rel.history[-1].at
        if rel.is_key_account:
            account.is_key_account = True
            account.owner_id = manager.id
        self.kams.append(rel)

    # -- campaigns -----------------------------------------------------------------------
    def make_campaigns(self) -> None:
        rng = self.rng
        count = max(4, min(60, self.n // 150))
        marketers = self.by_role("marketer")
        inbound_leads = [lead for lead in self.leads if lead.direction is Direction.INBOUND]
        consenting = [c for c in self.contacts if c.consent is not None]
        for i in range(count):
            channel, kind, response_rate = _CAMPAIGN_KINDS[i % len(_CAMPAIGN_KINDS)]
            start_day = rng.uniform(0, self.horizon - 20)
            start = self.when(start_day).date()
            end = start + timedelta(days=rng.randrange(7, 60))
            created = self.business_time(start_day - 20)
            status = CampaignStatus.COMPLETED if end < self.end else CampaignStatus.ACTIVE
            budget = rng.choice((15_000, 40_000, 80_000, 150_000))
            campaign = Campaign(
                f"{kind} {start.year} #{i + 1}",
                channel=channel,
                status=status,
                start_date=start,
                end_date=min(end, self.end) if status is CampaignStatus.ACTIVE else end,
                budget=self.money(budget),
                actual_cost=self.money(budget * rng.uniform(0.7, 1.15))
                if status is CampaignStatus.COMPLETED
                else None,
                owner_id=rng.choice(marketers).id,
                id=self.new_id(created),
                created_at=created,
            )
            send_at = datetime.combine(start, time(8), tzinfo=UTC)
            members: list[CampaignMember] = []
            size = min(len(consenting), rng.randrange(20, 250))
            for contact in rng.sample(consenting, size):
                responded = rng.random() < response_rate
                status_m = (
                    MemberStatus.RESPONDED
                    if responded
                    else _choose(
                        rng,
                        (
                            (MemberStatus.SENT, 50),
                            (MemberStatus.OPENED, 30),
                            (MemberStatus.CLICKED, 12),
                            (MemberStatus.BOUNCED, 5),
                            (MemberStatus.UNSUBSCRIBED, 3),
                        ),
                    )
                )
                members.append(
                    CampaignMember(
                        contact_id=contact.id,
                        status=status_m,
                        responded_at=send_at + timedelta(days=rng.uniform(0, 14))
                        if responded
                        else None,
                        added_at=send_at,
                    )
                )
            # inbound leads created while the campaign ran came from it
            for lead in inbound_leads:
                if (
                    lead.campaign_id is None
                    and start <= lead.created_at.date() <= end
                    and rng.random() < 0.5
                ):
                    lead.campaign_id = campaign.id
                    members.append(
                        CampaignMember(
                            lead_id=lead.id,
                            status=MemberStatus.CONVERTED
                            if lead.is_converted
                            else MemberStatus.RESPONDED,
                            responded_at=lead.created_at,
                            added_at=lead.created_at,
                        )
                    )
            campaign.members = members
            self.campaigns.append(campaign)

    # -- the whole company ---------------------------------------------------------------
    def run(self) -> B2BDataset:
        rng = self.rng
        self.make_users()
        self.make_products()
        self.make_accounts()
        base_value = _P * _GAMMA_SEK / (_Q - 1)
        for account in self.accounts:
            contacts = self.make_contacts(account)
            primary = contacts[0]
            created_day = (account.created_at - self.t0).total_seconds() / 86400.0
            if rng.random() < 0.6:
                self.make_lead_for(account, primary, created_day - rng.uniform(3, 60))
            tier_boost = {"A": 0.25, "B": 0.1}.get(account.tier or "C", 0.0)
            wants_to_buy = rng.random() < 0.45 + tier_boost
            first_buy_day = max(0.0, created_day) + rng.expovariate(1 / 120.0)
            channel = self.lead_channel(
                Direction.INBOUND if rng.random() < 0.5 else Direction.OUTBOUND
            )
            if wants_to_buy and first_buy_day < self.horizon - 1:
                open_day = max(created_day, first_buy_day - rng.uniform(20, 150))
                if rng.random() < 0.35 and open_day - created_day > 40:
                    # an earlier attempt that was lost before the customer said yes
                    self.walk_opportunity(
                        account,
                        primary,
                        created_day + rng.uniform(0, 10),
                        outcome="lost",
                        close_day=open_day - rng.uniform(1, 20),
                        amount=base_value * math.exp(rng.gauss(0, 0.6)),
                        name=f"{account.name} – first offer",
                        channel=channel,
                    )
                opp = self.walk_opportunity(
                    account,
                    primary,
                    open_day,
                    outcome="won",
                    close_day=first_buy_day - rng.uniform(0.5, 5),
                    amount=base_value * math.exp(rng.gauss(0, 0.5)),
                    name=f"{account.name} – first order",
                    channel=channel,
                )
                if (account.tier == "A" and rng.random() < 0.6) or (
                    account.tier == "B" and rng.random() < 0.08
                ):
                    self.make_key_account(account, first_buy_day)
                self.make_purchases(account, primary, first_buy_day)
                self.link_first_order(account.id, opp.id)
                self.make_cases(account, primary)
                if rng.random() < 0.35:
                    self.make_agreement(account, first_buy_day)
                # upsell attempts later in the relationship
                birth, last, _dropped = self.customer_days[account.id]
                if rng.random() < 0.3 and last + 30 < self.horizon:
                    day = rng.uniform(birth + 30, min(self.horizon - 1, last + 200))
                    outcome = "open" if day > self.horizon - 90 else _choose(
                        rng, (("lost", 60), ("open", 40))
                    )  # fmt: skip
                    self.walk_opportunity(
                        account,
                        primary,
                        day,
                        outcome=outcome,
                        close_day=None if outcome == "open" else day + rng.uniform(20, 120),
                        amount=base_value * 2 * math.exp(rng.gauss(0, 0.6)),
                        name=f"{account.name} – expansion",
                        channel="field_sales",
                    )
            elif rng.random() < 0.8:
                open_day = max(created_day, 0.0) + rng.uniform(1, 200)
                if open_day < self.horizon - 2:
                    lost = open_day + rng.uniform(20, 200) < self.horizon and rng.random() < 0.85
                    self.walk_opportunity(
                        account,
                        primary,
                        open_day,
                        outcome="lost" if lost else "open",
                        close_day=open_day + rng.uniform(20, 200) if lost else None,
                        amount=base_value * math.exp(rng.gauss(0, 0.6)),
                        name=f"{account.name} – new business",
                        channel=channel,
                    )
            self.account_management(account, primary)
        self.make_open_leads()
        self.make_campaigns()
        self.plan_follow_ups()
        data = B2BDataset(
            seed=self.seed,
            currency=self.currency,
            start=self.start,
            observation_end=self.end,
            staff=self.users,
            accounts=self.accounts,
            contacts=self.contacts,
            leads=sorted(self.leads, key=lambda lead: lead.created_at),
            pipelines=[self.default_pipe, self.renewal_pipe],
            opportunities=self.opportunities,
            interactions=self.interactions,
            cases=self.cases,
            products=self.products,
            orders=self.orders,
            campaigns=self.campaigns,
            agreements=self.agreements,
            key_account_relationships=self.kams,
            truth=GroundTruth(_R, _ALPHA, _A, _B, _P, _Q, _GAMMA_SEK, "week", tuple(self.truths)),
        )
        # drawn from their own generator after the sales history: nothing above shifts
        add_object_model(data, self.users, self.new_id)
        return data

    def link_first_order(self, account_id: str, opportunity_id: str) -> None:
        """The won opportunity led to the customer's first order (the last orders in the list
        are the customer's, just generated)."""
        first: Order | None = None
        for order in reversed(self.orders):
            if order.account_id != account_id:
                break
            first = order
        if first is not None:
            first.opportunity_id = opportunity_id

    def account_management(self, account: Account, contact: Contact) -> None:
        """Regular visits and calls to customers (more for key accounts)."""
        if account.status is AccountStatus.POTENTIAL:
            return
        rng = self.rng
        birth, _last, dropped = self.customer_days[account.id]
        until = min(self.horizon, (dropped if dropped is not None else self.horizon))
        per_year = 6.0 if account.is_key_account else 1.0
        count = _poisson(rng, per_year * max(0.0, until - birth) / 365.0)
        for _ in range(count):
            day = rng.uniform(birth, until)
            at = self.business_time(day)
            if at > self.t_end:
                continue
            kind, channel = rng.choice(
                (
                    (InteractionType.VISIT, "key_account_manager" if account.is_key_account
                     else "field_sales"),
                    (InteractionType.CALL, "phone"),
                    (InteractionType.MEETING, "field_sales"),
                    (InteractionType.EMAIL, "email"),
                )
            )  # fmt: skip
            self.interactions.append(
                Interaction(
                    kind,
                    channel=channel,
                    status=InteractionStatus.DONE,
                    direction=Direction.OUTBOUND,
                    contact_id=contact.id,
                    account_id=account.id,
                    subject="Account review",
                    outcome=rng.choice(("satisfied", "new needs identified", "complaint raised")),
                    done_at=at,
                    owner_id=account.owner_id,
                    department="sales",
                    id=self.new_id(at),
                    created_at=at,
                )
            )

    def plan_follow_ups(self) -> None:
        """Planned (future) calls and meetings on open opportunities."""
        rng = self.rng
        for opp in self.opportunities:
            if opp.is_closed or rng.random() < 0.4:
                continue
            planned = self.t_end + timedelta(days=rng.uniform(1, 21))
            self.interactions.append(
                Interaction(
                    rng.choice((InteractionType.CALL, InteractionType.MEETING)),
                    channel=rng.choice(("phone", "field_sales")),
                    status=InteractionStatus.PLANNED,
                    direction=Direction.OUTBOUND,
                    contact_id=opp.primary_contact_id,
                    account_id=opp.account_id,
                    opportunity_id=opp.id,
                    subject=f"Follow up {opp.name}",
                    planned_at=planned,
                    owner_id=opp.owner_id,
                    department="sales",
                    id=self.new_id(self.t_end),
                    created_at=self.t_end - timedelta(days=rng.uniform(0, 10)),
                )
            )


def make_b2b(
    seed: int = 42,
    n_accounts: int = 1000,
    *,
    start: date = date(2022, 1, 1),
    end: date = date(2025, 12, 31),
    currency: str = "SEK",
) -> B2BDataset:
    """Generate the synthetic Nordic B2B company (deterministic for a seed).

    Args:
        seed: the random seed; the same seed gives the same data, ids included.
        n_accounts: the number of accounts (companies); everything else scales with it.
        start: the first day of the observation window.
        end: the last day of the observation window (``observation_end``).
        currency: ISO 4217 code of every amount.

    Returns:
        A :class:`B2BDataset`; ``dataset.truth`` holds the true buy-till-you-die parameters.

    Raises:
        ValidationError: ``n_accounts`` below 1, ``end`` not after ``start`` or an unknown
            currency.

    Examples:
        >>> from crmkit.datasets import make_b2b
        >>> data = make_b2b(seed=11, n_accounts=100)
        >>> round(data.truth.mean_order_value)
        20000
        >>> all(o.total.currency == "SEK" for o in data.orders)
        True
    """
    if isinstance(n_accounts, bool) or not isinstance(n_accounts, int) or n_accounts < 1:
        raise ValidationError.single("n_accounts", n_accounts, "must be a whole number above 0")
    if isinstance(start, datetime) or not isinstance(start, date):
        raise ValidationError.single("start", start, "must be a date")
    if isinstance(end, datetime) or not isinstance(end, date) or end <= start + timedelta(days=60):
        raise ValidationError.single("end", end, "must be a date at least 60 days after start")
    Money(0, currency)  # validates the currency code
    # the collector is process-wide state: a caller who wants it paused for a large dataset
    # opts in with crmkit.frames.paused_gc; the library does not switch it
    return _Generator(seed, n_accounts, start, end, currency).run()
