"""Hypothesis strategies for every public crmkit domain type.

For crmkit's own tests and for users' and plugin authors' tests: each strategy draws *valid*
objects (the domain's rules hold), with ids, timestamps, custom properties and remote data
filled, so a round trip through a store or a file format exercises every field.
:data:`STRATEGIES` maps each type to its strategy; :func:`aggregates` draws any aggregate root.

The ``hostile_*`` strategies draw what a hostile or careless source sends instead: NUL and
lone surrogates, bidi and zero-width marks, full-width and Arabic-Indic digits, text just
around the documented limits of :mod:`crmkit.domain.limits`, NaN, ±Infinity, ints beyond 64
bits, sets, tuples, arbitrary objects and nesting deeper than the limit.
:func:`hostile_entities` puts such values into the fields of otherwise valid aggregates, for the
property "whatever validates also serialises, stores in every store and round-trips".

Requires Hypothesis (a test dependency; not needed by crmkit itself).

Examples:
    >>> from hypothesis import given, settings
    >>> from crmkit.serde import from_dict, to_dict
    >>> from crmkit.testing.strategies import opportunities
    >>> @settings(max_examples=5)
    ... @given(opportunities())
    ... def check(opp):
    ...     assert from_dict(type(opp), to_dict(opp)) == opp
    >>> check()
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import strategies as st

from crmkit.domain import (
    CURRENCY_MINOR_UNITS,
    KPI,
    LINKABLE,
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
    CaseStatus,
    Channel,
    ChannelCategory,
    Consent,
    Contact,
    Direction,
    ExchangeRate,
    Interaction,
    InteractionStatus,
    InteractionType,
    InterestLevel,
    KamStage,
    KamStageChange,
    KeyAccountRelationship,
    KPIDirection,
    KPIPeriod,
    LawfulBasis,
    Lead,
    LeadStatus,
    LineItem,
    MediaType,
    MemberStatus,
    Money,
    Note,
    Opportunity,
    OpportunityContactRole,
    Order,
    OrderLine,
    OrderStatus,
    OwnerChange,
    Pipeline,
    PriceBook,
    PriceBookEntry,
    Product,
    Quote,
    QuoteStatus,
    RateTable,
    RecordLink,
    Stage,
    Task,
    TaskPriority,
    TaskStatus,
    Team,
    Territory,
    TerritoryRule,
    User,
    UserRole,
    default_pipeline,
)
from crmkit.domain.ids import IdGenerator
from crmkit.domain.limits import DEPTH_MAX, ID_MAX, INT_MAX, KEY_MAX, REMOTE_ID_MAX, TEXT_MAX

__all__ = [
    "STRATEGIES",
    "accounts",
    "addresses",
    "aggregates",
    "agreements",
    "campaigns",
    "cases",
    "channels",
    "contacts",
    "currencies",
    "exchange_rates",
    "hostile_custom",
    "hostile_datetimes",
    "hostile_entities",
    "hostile_json",
    "hostile_money",
    "hostile_numbers",
    "hostile_text",
    "hostile_values",
    "ids",
    "interactions",
    "key_account_relationships",
    "kpis",
    "leads",
    "line_items",
    "money",
    "notes",
    "opportunities",
    "orders",
    "owner_changes",
    "pipelines",
    "price_books",
    "products",
    "quotes",
    "rate_tables",
    "record_links",
    "tasks",
    "teams",
    "territories",
    "territory_rules",
    "users",
    "utc_datetimes",
]

_LETTERS = "abcdefghijklmnopqrstuvwxyzåäöABCDEFGHIJKLMNOPQRSTUVWXYZÅÄÖ"
_START = datetime(2015, 1, 1, tzinfo=UTC)
_END = datetime(2035, 1, 1, tzinfo=UTC)


def _text(min_size: int = 1, max_size: int = 20) -> st.SearchStrategy[str]:
    """Readable Nordic names most of the time, hostile Unicode (anything but NUL and lone
    surrogates, which no store or file format can keep) some of the time."""
    readable = st.text(_LETTERS + " -'&", min_size=min_size, max_size=max_size)
    hostile = st.text(
        st.characters(codec="utf-8", exclude_characters="\x00"),
        min_size=min_size,
        max_size=max_size,
    )
    strategy = st.one_of(readable, readable, hostile)
    return strategy.filter(lambda s: s.strip() != "") if min_size else strategy


def ids() -> st.SearchStrategy[str]:
    """Time-ordered crmkit ids.

    Examples:
        >>> from crmkit.domain import is_id
        >>> from crmkit.testing.strategies import ids
        >>> is_id(ids().example())
        True
    """
    return st.integers(0, 2**32).map(
        lambda seed: IdGenerator(seed=seed, clock=lambda: 1_700_000_000_000 + seed).new()
    )


def utc_datetimes(
    min_value: datetime = _START, max_value: datetime = _END
) -> st.SearchStrategy[datetime]:
    """Timezone-aware UTC datetimes with microsecond precision.

    Examples:
        >>> from crmkit.testing.strategies import utc_datetimes
        >>> utc_datetimes().example().tzinfo is not None
        True
    """
    return st.datetimes(
        min_value=min_value.replace(tzinfo=None),
        max_value=max_value.replace(tzinfo=None),
        timezones=st.just(UTC),
    )


def _dates() -> st.SearchStrategy[date]:
    return st.dates(min_value=date(2015, 1, 1), max_value=date(2034, 12, 31))


def currencies() -> st.SearchStrategy[str]:
    """ISO 4217 currency codes.

    Examples:
        >>> from crmkit.domain import CURRENCY_MINOR_UNITS
        >>> from crmkit.testing.strategies import currencies
        >>> currencies().example() in CURRENCY_MINOR_UNITS
        True
    """
    return st.sampled_from(sorted(CURRENCY_MINOR_UNITS))


def money(
    currency: str | None = None, *, min_value: int = -(10**9), max_value: int = 10**9
) -> st.SearchStrategy[Money]:
    """Money in one currency (or any currency when ``currency`` is ``None``).

    Examples:
        >>> from crmkit.testing.strategies import money
        >>> money("SEK").example().currency
        'SEK'
    """
    amounts = st.decimals(
        min_value=min_value, max_value=max_value, places=2, allow_nan=False, allow_infinity=False
    )
    codes = st.just(currency) if currency is not None else currencies()
    return st.builds(Money, amounts, codes)


def _custom() -> st.SearchStrategy[dict[str, str | int | float | bool | None]]:
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**6), 10**6),
        st.floats(allow_nan=False, allow_infinity=False, width=32),
        _text(0, 10),
    )
    return st.dictionaries(st.from_regex(r"[a-z][a-z_]{0,9}", fullmatch=True), scalars, max_size=3)


def _remote() -> st.SearchStrategy[dict[str, Any]]:
    leaves = st.one_of(st.none(), st.booleans(), st.integers(-1000, 1000), _text(0, 8))
    values = st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text(1, 6), inner, max_size=3),
        max_leaves=5,
    )
    return st.dictionaries(_text(1, 8), values, max_size=3)


@st.composite
def _aggregate_fields(draw: st.DrawFn) -> dict[str, Any]:
    created = draw(utc_datetimes(max_value=datetime(2030, 1, 1, tzinfo=UTC)))
    return {
        "id": draw(ids()),
        "version": draw(st.integers(0, 50)),
        "created_at": created,
        "updated_at": draw(utc_datetimes(min_value=created)),
        "custom": draw(_custom()),
        "remote_id": draw(st.none() | st.from_regex(r"[0-9A-Za-z]{6,18}", fullmatch=True)),
        "remote_data": draw(_remote()),
    }


def addresses() -> st.SearchStrategy[Address]:
    """Postal addresses.

    Examples:
        >>> from crmkit.testing.strategies import addresses
        >>> len(addresses().example().country)
        2
    """
    return st.builds(
        Address,
        street=_text(0, 20),
        postal_code=st.from_regex(r"[0-9]{3} ?[0-9]{2}", fullmatch=True),
        city=_text(1, 12),
        region=st.none() | _text(1, 12),
        country=st.sampled_from(["SE", "NO", "DK", "FI", "DE", "GB"]),
    )


def channels() -> st.SearchStrategy[Channel]:
    """Concrete channels of any Payne–Frow category.

    Examples:
        >>> from crmkit.domain import ChannelCategory
        >>> from crmkit.testing.strategies import channels
        >>> isinstance(channels().example().category, ChannelCategory)
        True
    """
    return st.builds(
        Channel,
        key=st.from_regex(r"[a-z][a-z_]{1,15}", fullmatch=True),
        name=_text(),
        category=st.sampled_from(ChannelCategory),
        media_type=st.sampled_from(MediaType),
        direction=st.sampled_from(Direction),
        description=_text(0, 20),
    )


_CHANNEL_KEYS = st.sampled_from(
    ["email", "phone", "website", "linkedin", "field_sales", "events", "web_shop", "sms"]
)


@st.composite
def accounts(draw: st.DrawFn) -> Account:
    """B2B accounts with addresses, contact roles (at most one primary) and custom properties.

    Examples:
        >>> from crmkit.testing.strategies import accounts
        >>> acc = accounts().example()
        >>> sum(r.is_primary for r in acc.contact_roles) <= 1
        True
    """
    currency = draw(st.sampled_from(["SEK", "NOK", "EUR"]))
    roles = draw(st.lists(ids(), max_size=4, unique=True))
    primary = draw(st.none() | st.integers(0, max(len(roles) - 1, 0)))
    fields = draw(_aggregate_fields())
    # parents come from their own id space, so a parent never shares an id with a drawn account
    parent_id = draw(st.none() | st.integers(0, 2**16).map(lambda n: f"acc-parent-{n}"))
    return Account(
        name=draw(_text()),
        organisation_number=draw(st.none() | st.from_regex(r"[0-9]{6}-[0-9]{4}", fullmatch=True)),
        industry=draw(st.none() | _text(1, 15)),
        employees=draw(st.none() | st.integers(0, 200_000)),
        turnover=draw(st.none() | money(currency, min_value=0)),
        profit=draw(st.none() | money(currency)),
        region=draw(st.none() | _text(1, 12)),
        addresses=draw(st.lists(addresses(), max_size=2)),
        delivery_addresses=draw(st.lists(addresses(), max_size=2)),
        status=draw(st.sampled_from(AccountStatus)),
        owner_id=draw(st.none() | ids()),
        tier=draw(st.none() | st.sampled_from(["A", "B", "C", "D"])),
        is_key_account=draw(st.booleans()),
        contact_roles=[
            AccountContactRole(contact_id=c, role=draw(_text(0, 10)), is_primary=(i == primary))
            for i, c in enumerate(roles)
        ],
        parent_id=parent_id,
        **fields,
    )


@st.composite
def _consents(draw: st.DrawFn) -> Consent:
    given = draw(utc_datetimes())
    withdrawn = draw(st.none() | utc_datetimes(min_value=given))
    return Consent(
        lawful_basis=draw(st.sampled_from(LawfulBasis)),
        given_at=given,
        withdrawn_at=withdrawn,
        purpose=draw(_text(1, 15)),
    )


@st.composite
def contacts(draw: st.DrawFn) -> Contact:
    """Contacts with buying roles, channels and consent.

    Examples:
        >>> from crmkit.testing.strategies import contacts
        >>> contacts().example().first_name != ""
        True
    """
    return Contact(
        first_name=draw(_text(1, 12)),
        last_name=draw(_text(1, 12)),
        account_id=draw(st.none() | ids()),
        title=draw(st.none() | _text(1, 15)),
        buying_role=draw(st.none() | st.sampled_from(BuyingRole)),
        email=draw(
            st.none() | st.from_regex(r"[a-z]{1,8}@[a-z]{2,8}\.(se|no|com)", fullmatch=True)
        ),
        phone=draw(st.none() | st.from_regex(r"\+46 ?[0-9]{7,9}", fullmatch=True)),
        preferred_channel=draw(st.none() | _CHANNEL_KEYS),
        consent=draw(st.none() | _consents()),
        owner_id=draw(st.none() | ids()),
        **draw(_aggregate_fields()),
    )


@st.composite
def leads(draw: st.DrawFn) -> Lead:
    """Leads, open or converted, inbound or outbound, with interest level and buying stage.

    Examples:
        >>> from crmkit.testing.strategies import leads
        >>> lead = leads().example()
        >>> lead.is_converted == (lead.converted_at is not None)
        True
    """
    converted = draw(st.booleans())
    status = (
        LeadStatus.CONVERTED
        if converted
        else draw(st.sampled_from([s for s in LeadStatus if s is not LeadStatus.CONVERTED]))
    )
    return Lead(
        company_name=draw(_text()),
        first_name=draw(_text(0, 12)),
        last_name=draw(_text(0, 12)),
        email=draw(st.none() | st.from_regex(r"[a-z]{1,8}@[a-z]{2,8}\.se", fullmatch=True)),
        source_channel=draw(st.none() | _CHANNEL_KEYS),
        direction=draw(st.sampled_from([Direction.INBOUND, Direction.OUTBOUND])),
        interest_level=draw(st.none() | st.sampled_from(InterestLevel)),
        buying_stage=draw(st.none() | st.sampled_from(BuyingStage)),
        buying_role=draw(st.none() | st.sampled_from(BuyingRole)),
        status=status,
        lost_reason=draw(st.none() | _text(1, 15)),
        owner_id=draw(st.none() | ids()),
        employees=draw(st.none() | st.integers(0, 100_000)),
        converted_account_id=draw(ids()) if converted else None,
        converted_contact_id=draw(ids()) if converted else None,
        converted_opportunity_id=draw(st.none() | ids()) if converted else None,
        converted_at=draw(utc_datetimes()) if converted else None,
        **draw(_aggregate_fields()),
    )


def pipelines() -> st.SearchStrategy[Pipeline]:
    """The default pipeline, or a generated one with 1–6 open stages plus won and lost.

    Examples:
        >>> from crmkit.testing.strategies import pipelines
        >>> p = pipelines().example()
        >>> p.won_stage.is_won
        True
    """

    @st.composite
    def generated(draw: st.DrawFn) -> Pipeline:
        n = draw(st.integers(1, 6))
        probabilities = sorted(draw(st.lists(st.floats(0.01, 0.99), min_size=n, max_size=n)))
        stages = [
            Stage(key=f"stage_{i}", name=f"Stage {i}", order=i, probability=p)
            for i, p in enumerate(probabilities, start=1)
        ]
        stages.append(Stage("won", "Closed won", n + 1, 1.0, is_closed=True, is_won=True))
        stages.append(Stage("lost", "Closed lost", n + 2, 0.0, is_closed=True))
        return Pipeline(id=draw(ids()), name=draw(_text()), stages=stages)

    return st.one_of(st.just(default_pipeline()), generated())


@st.composite
def opportunities(draw: st.DrawFn, pipeline: Pipeline | None = None) -> Opportunity:
    """Opportunities opened in a pipeline and moved through up to 20 stage changes, with
    contact roles (one primary), automated or manual probabilities and, half of them, line
    items whose net total is the amount.

    Examples:
        >>> from crmkit.testing.strategies import opportunities
        >>> opp = opportunities().example()
        >>> 0.0 <= opp.probability <= 1.0
        True
    """
    pipe = pipeline if pipeline is not None else draw(pipelines())
    at = draw(utc_datetimes(max_value=datetime(2030, 1, 1, tzinfo=UTC)))
    currency = draw(st.sampled_from(["SEK", "NOK", "EUR"]))
    opp = Opportunity.open(
        draw(_text()),
        account_id=draw(ids()),
        amount=draw(money(currency, min_value=0)),
        close_date=draw(_dates()),
        pipeline=pipe,
        at=at,
        owner_id=draw(st.none() | ids()),
    )
    if draw(st.booleans()):  # priced by line items: the amount is their net total
        opp.set_line_items(draw(st.lists(line_items(currency), min_size=1, max_size=4)))
    open_keys = [s.key for s in pipe.stages if not s.is_closed]
    moves = draw(st.lists(st.sampled_from(open_keys), max_size=18))
    for key in moves:
        at += timedelta(days=draw(st.integers(0, 30)), seconds=draw(st.integers(0, 86_399)))
        opp.move_to(key, pipeline=pipe, at=at)
    if draw(st.booleans()):
        opp.set_automated_probability(draw(st.floats(0.01, 0.99)))
    if draw(st.booleans()):
        opp.set_manual_probability(draw(st.floats(0.0, 1.0)))
    if draw(st.booleans()):
        closing = draw(st.sampled_from([s.key for s in pipe.stages if s.is_closed]))
        opp.move_to(closing, pipeline=pipe, at=at + timedelta(days=1))
    roles = draw(st.lists(ids(), max_size=5, unique=True))
    primary = draw(st.integers(0, max(len(roles) - 1, 0)))
    opp.contact_roles = [
        OpportunityContactRole(contact_id=c, role=draw(_text(0, 10)), is_primary=(i == primary))
        for i, c in enumerate(roles)
    ]
    opp.custom = draw(_custom())
    opp.remote_id = draw(st.none() | st.from_regex(r"006[0-9A-Za-z]{12}", fullmatch=True))
    opp.remote_data = draw(_remote())
    opp.lost_reason = draw(st.none() | _text(1, 15))
    opp.source_channel = draw(st.none() | _CHANNEL_KEYS)
    return opp


@st.composite
def interactions(draw: st.DrawFn) -> Interaction:
    """Interactions in each status (planned, done, followed up) with consistent times.

    Examples:
        >>> from crmkit.domain import InteractionStatus
        >>> from crmkit.testing.strategies import interactions
        >>> i = interactions().example()
        >>> i.status is InteractionStatus.PLANNED or i.done_at is not None
        True
    """
    status = draw(st.sampled_from(InteractionStatus))
    planned = draw(st.none() | utc_datetimes(max_value=datetime(2030, 1, 1, tzinfo=UTC)))
    if status is InteractionStatus.PLANNED and planned is None:
        planned = draw(utc_datetimes())
    done = None if status is InteractionStatus.PLANNED else draw(utc_datetimes(max_value=_END))
    followed = (
        draw(utc_datetimes(min_value=done))
        if status is InteractionStatus.FOLLOWED_UP and done is not None
        else None
    )
    person = draw(st.sampled_from(["contact", "lead", "none"]))
    return Interaction(
        type=draw(st.sampled_from(InteractionType)),
        channel=draw(st.none() | _CHANNEL_KEYS),
        status=status,
        direction=draw(st.none() | st.sampled_from(Direction)),
        contact_id=draw(ids()) if person == "contact" else None,
        lead_id=draw(ids()) if person == "lead" else None,
        account_id=draw(st.none() | ids()),
        opportunity_id=draw(st.none() | ids()),
        subject=draw(_text(0, 20)),
        outcome=draw(st.none() | _text(1, 15)),
        planned_at=planned,
        done_at=done,
        followed_up_at=followed,
        owner_id=draw(st.none() | ids()),
        **draw(_aggregate_fields()),
    )


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """Service cases, open or closed, with response and closing times after opening.

    Examples:
        >>> from crmkit.testing.strategies import cases
        >>> c = cases().example()
        >>> c.first_response_at is None or c.first_response_at >= c.opened_at
        True
    """
    status = draw(st.sampled_from(CaseStatus))
    opened = draw(utc_datetimes(max_value=datetime(2030, 1, 1, tzinfo=UTC)))
    response = draw(st.none() | utc_datetimes(min_value=opened))
    closed = draw(utc_datetimes(min_value=opened)) if status.is_closed else None
    return Case(
        subject=draw(_text()),
        account_id=draw(st.none() | ids()),
        contact_id=draw(st.none() | ids()),
        origin_channel=draw(st.none() | _CHANNEL_KEYS),
        problem_type=draw(st.none() | _text(1, 12)),
        status=status,
        priority=draw(st.sampled_from(CasePriority)),
        opened_at=opened,
        first_response_at=response,
        closed_at=closed,
        agent_id=draw(st.none() | ids()),
        **draw(_aggregate_fields()),
    )


@st.composite
def products(draw: st.DrawFn) -> Product:
    """Products and services with a price.

    Examples:
        >>> from crmkit.testing.strategies import products
        >>> products().example().price.amount >= 0
        True
    """
    return Product(
        sku=draw(st.from_regex(r"[A-Z]{2,4}-[0-9]{3,5}", fullmatch=True)),
        name=draw(_text()),
        category=draw(st.none() | _text(1, 12)),
        price=draw(money(draw(st.sampled_from(["SEK", "NOK", "EUR"])), min_value=0)),
        is_service=draw(st.booleans()),
        active=draw(st.booleans()),
        **draw(_aggregate_fields()),
    )


@st.composite
def orders(draw: st.DrawFn, currency: str | None = None) -> Order:
    """Orders with 1–5 lines in one currency.

    Examples:
        >>> from crmkit.testing.strategies import orders
        >>> order = orders().example()
        >>> order.total.currency == order.lines[0].unit_price.currency
        True
    """
    code = currency or draw(st.sampled_from(["SEK", "NOK", "EUR"]))
    lines = draw(
        st.lists(
            st.builds(
                OrderLine,
                product_id=ids(),
                quantity=st.integers(1, 500),
                unit_price=money(code, min_value=0, max_value=10**6),
                discount=st.decimals(0, 1, places=2),
            ),
            min_size=1,
            max_size=5,
        )
    )
    return Order(
        account_id=draw(ids()),
        ordered_at=draw(utc_datetimes()),
        lines=lines,
        status=draw(st.sampled_from(OrderStatus)),
        channel=draw(st.none() | _CHANNEL_KEYS),
        order_number=draw(st.none() | st.from_regex(r"SO-[0-9]{4,8}", fullmatch=True)),
        **draw(_aggregate_fields()),
    )


@st.composite
def agreements(draw: st.DrawFn) -> Agreement:
    """Service and framework agreements, open-ended or with an end date after the start.

    Examples:
        >>> from crmkit.testing.strategies import agreements
        >>> a = agreements().example()
        >>> a.end_date is None or a.end_date >= a.start_date
        True
    """
    start = draw(_dates())
    end = draw(st.none() | st.dates(min_value=start, max_value=date(2040, 1, 1)))
    return Agreement(
        account_id=draw(ids()),
        name=draw(_text()),
        start_date=start,
        end_date=end,
        agreement_type=draw(st.sampled_from(AgreementType)),
        value=draw(st.none() | money("SEK", min_value=0)),
        auto_renew=draw(st.booleans()),
        **draw(_aggregate_fields()),
    )


@st.composite
def _members(draw: st.DrawFn) -> CampaignMember:
    status = draw(st.sampled_from(MemberStatus))
    responded = draw(utc_datetimes()) if status.is_response else draw(st.none() | utc_datetimes())
    is_lead = draw(st.booleans())
    return CampaignMember(
        lead_id=draw(ids()) if is_lead else None,
        contact_id=None if is_lead else draw(ids()),
        status=status,
        responded_at=responded,
    )


@st.composite
def campaigns(draw: st.DrawFn) -> Campaign:
    """Campaigns with members (leads or contacts) and their responses.

    Examples:
        >>> from crmkit.testing.strategies import campaigns
        >>> c = campaigns().example()
        >>> len({m.member_id for m in c.members}) == len(c.members)
        True
    """
    start = draw(st.none() | _dates())
    end = draw(
        st.none() | st.dates(min_value=start or date(2015, 1, 1), max_value=date(2040, 1, 1))
    )
    members = draw(st.lists(_members(), max_size=6, unique_by=lambda m: m.member_id))
    return Campaign(
        name=draw(_text()),
        channel=draw(st.none() | _CHANNEL_KEYS),
        status=draw(st.sampled_from(CampaignStatus)),
        start_date=start,
        end_date=end,
        budget=draw(st.none() | money("SEK", min_value=0)),
        members=members,
        **draw(_aggregate_fields()),
    )


@st.composite
def key_account_relationships(draw: st.DrawFn) -> KeyAccountRelationship:
    """Key-account relationships with a history of legal stage moves.

    Examples:
        >>> from crmkit.testing.strategies import key_account_relationships
        >>> rel = key_account_relationships().example()
        >>> all(c.from_stage is None or c.from_stage.can_move_to(c.to_stage) for c in rel.history)
        True
    """
    stage = draw(st.sampled_from(KamStage))
    rel = KeyAccountRelationship(
        account_id=draw(ids()),
        stage=stage,
        supplier_intent=draw(st.none() | st.sampled_from(KamStage)),
        customer_intent=draw(st.none() | st.sampled_from(KamStage)),
        key_account_manager=draw(st.none() | _text(1, 12)),
        support_contact=draw(st.none() | _text(1, 12)),
        **draw(_aggregate_fields()),
    )
    at = draw(utc_datetimes(max_value=datetime(2030, 1, 1, tzinfo=UTC)))
    for _ in range(draw(st.integers(0, 5))):
        options = [s for s in KamStage if rel.stage.can_move_to(s)]
        at += timedelta(days=draw(st.integers(1, 400)))
        rel.move_to(draw(st.sampled_from(options)), at=at, reason=draw(_text(0, 10)))
    return rel


@st.composite
def kpis(draw: st.DrawFn) -> KPI:
    """KPIs in either direction, with or without an actual value and a baseline.

    Examples:
        >>> from crmkit.testing.strategies import kpis
        >>> kpis().example().name != ""
        True
    """
    finite = st.floats(-1e6, 1e6, allow_nan=False)
    target = draw(finite)
    baseline = draw(st.none() | finite.filter(lambda b: b != target))
    start = draw(st.none() | _dates())
    end = None if start is None else draw(st.dates(min_value=start, max_value=date(2040, 1, 1)))
    return KPI(
        name=draw(_text()),
        target=target,
        actual=draw(st.none() | finite),
        period=KPIPeriod(start=start, end=end, label=draw(_text(0, 8))),
        direction=draw(st.sampled_from(KPIDirection)),
        unit=draw(_text(0, 5)),
        baseline=baseline,
        owner_id=draw(st.none() | ids()),
    )


#: Every public domain type and a strategy that draws valid values of it.
STRATEGIES: dict[type, st.SearchStrategy[Any]] = {
    Money: money(),
    Address: addresses(),
    Channel: channels(),
    Account: accounts(),
    Contact: contacts(),
    Consent: _consents(),
    Lead: leads(),
    Pipeline: pipelines(),
    Opportunity: opportunities(),
    Interaction: interactions(),
    Case: cases(),
    Product: products(),
    Order: orders(),
    Agreement: agreements(),
    Campaign: campaigns(),
    CampaignMember: _members(),
    KeyAccountRelationship: key_account_relationships(),
    KamStageChange: key_account_relationships()
    .filter(lambda r: bool(r.history))
    .map(lambda r: r.history[-1]),
    KPI: kpis(),
}

_AGGREGATES = (Account, Contact, Lead, Opportunity, Interaction, Case, Order, Campaign, Product)


def aggregates() -> st.SearchStrategy[Any]:
    """Any aggregate root a store keeps (accounts, contacts, leads, opportunities,
    interactions, cases, orders, campaigns, products).

    Examples:
        >>> from crmkit.testing.strategies import aggregates
        >>> hasattr(aggregates().example(), "version")
        True
    """
    return st.one_of(*(STRATEGIES[cls] for cls in _AGGREGATES))


# --- hostile input ------------------------------------------------------------------------

#: Strings that broke, or could break, a store, a file or a reader somewhere.
HOSTILE_STRINGS: tuple[str, ...] = (
    "İstanbul",
    "Straße",
    "\ufeffAcme",
    "\u202eBA emcA",
    "zero\u200bwidth",
    "e\u0301",
    "",
    " ",
    "\t\n",
    "\x00",
    "Acme\x00AB",
    "\ud800",
    "a\udfffb",
    "🙂🏳️‍🌈",
    "１２３",
    "١٢٣",
    "1_000",
    "NaN",
    "-Infinity",
    "1e400",
    "null",
    "'; DROP TABLE crm_accounts; --",
    '{"$ne": null}',
    "=cmd|' /C calc'!A0",
    "line\r\nbreak",
    "\\x00",
    "x" * ID_MAX,
    "x" * (ID_MAX + 1),
    "k" * KEY_MAX,
    "k" * (KEY_MAX + 1),
    "r" * REMOTE_ID_MAX,
    "r" * (REMOTE_ID_MAX + 1),
)


def hostile_text(max_size: int = 30) -> st.SearchStrategy[str]:
    """Any text at all: every code point (NUL and lone surrogates included), the strings of
    :data:`HOSTILE_STRINGS`, and now and then text one character over
    :data:`~crmkit.domain.limits.TEXT_MAX`.

    Examples:
        >>> from crmkit.testing.strategies import hostile_text
        >>> isinstance(hostile_text().example(), str)
        True
    """
    characters = st.one_of(
        st.characters(exclude_categories=()),
        st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF, exclude_categories=()),
        st.sampled_from("\x00\u200b\u202e\ufeff\uff11\u0661\r\n\t "),
    )
    # valid but strange text (any encodable code point) most of the time, so that the
    # accepted side of a property gets as many examples as the refused side
    strange = st.text(st.characters(codec="utf-8"), min_size=1, max_size=max_size)
    return st.one_of(
        st.sampled_from(HOSTILE_STRINGS),
        strange,
        strange,
        st.text(characters, max_size=max_size),
        st.sampled_from([TEXT_MAX, TEXT_MAX + 1]).map(lambda n: "t" * n),
    )


#: Numbers at and beyond the edges: 64-bit limits, NaN, ±Infinity, subnormals, Decimal signals.
HOSTILE_NUMBERS: tuple[Any, ...] = (
    0,
    -0.0,
    True,
    False,
    INT_MAX,
    -INT_MAX,
    INT_MAX + 1,
    -INT_MAX - 1,
    2**64,
    10**30,
    math.nan,
    math.inf,
    -math.inf,
    5e-324,
    1.7976931348623157e308,
    -1.7976931348623157e308,
    Decimal("NaN"),
    Decimal("sNaN"),
    Decimal("Infinity"),
    Decimal("1e30"),
    Decimal("1e-40"),
    Decimal("0E-50"),
    Decimal("-0.00"),
    Decimal("9" * 25),
    Decimal("0." + "3" * 37),
)


def hostile_numbers() -> st.SearchStrategy[Any]:
    """ints of any size, floats with NaN and ±Infinity, Decimals with signals, and
    :data:`HOSTILE_NUMBERS`.

    Examples:
        >>> from crmkit.testing.strategies import hostile_numbers
        >>> isinstance(hostile_numbers().example(), int | float | Decimal)
        True
    """
    return st.one_of(
        st.sampled_from(HOSTILE_NUMBERS),
        st.integers(),
        st.floats(),
        st.decimals(),
    )


class _Opaque:
    """An object no serialiser knows."""

    def __repr__(self) -> str:
        return "<opaque>"


def _nested(depth: int) -> Any:
    value: Any = "leaf"
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


def _hostile_scalars() -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), st.booleans(), hostile_numbers(), hostile_text(12))


def hostile_json() -> st.SearchStrategy[Any]:
    """Data a remote system or a careless caller puts in ``remote_data``: hostile scalars,
    lists and dicts (keys of any type), sets, tuples, opaque objects, and nesting around
    :data:`~crmkit.domain.limits.DEPTH_MAX`.

    Examples:
        >>> from crmkit.testing.strategies import hostile_json
        >>> hostile_json().example() is not NotImplemented
        True
    """
    leaves = st.one_of(
        _hostile_scalars(),
        st.builds(_Opaque),
        st.sets(st.integers(0, 3), max_size=2),
        st.tuples(st.integers(0, 3)),
        st.integers(DEPTH_MAX - 3, DEPTH_MAX + 3).map(_nested),
    )
    keys = st.one_of(hostile_text(8), st.integers(0, 3), st.none())
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
        max_leaves=6,
    )


def hostile_custom() -> st.SearchStrategy[Any]:
    """``custom`` bags with hostile names (``"a\\n"``, ``""``, ``"1x"``, too long, not strings)
    and hostile values (NaN, huge ints, NUL, lists, sets).

    Examples:
        >>> from crmkit.testing.strategies import hostile_custom
        >>> isinstance(hostile_custom().example(), dict)
        True
    """
    names = st.one_of(
        st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True),
        st.sampled_from(["a\n", "", "1x", "a-b", "ä", "n" * KEY_MAX, "n" * (KEY_MAX + 1), 7]),
    )
    values = st.one_of(_hostile_scalars(), hostile_json())
    return st.dictionaries(names, values, max_size=3)


def hostile_datetimes() -> st.SearchStrategy[Any]:
    """Datetimes at the edges: years 1 and 9999, offsets that push them out of range in UTC,
    naive values, and the dates ``date.min`` and ``date.max``.

    Examples:
        >>> from crmkit.testing.strategies import hostile_datetimes
        >>> isinstance(hostile_datetimes().example(), date)
        True
    """
    offsets = st.sampled_from([UTC, timezone(timedelta(hours=14)), timezone(-timedelta(hours=12))])
    edges = st.sampled_from(
        [datetime(1, 1, 1), datetime(1, 1, 1, 5), datetime(9999, 12, 31, 23, 59, 59, 999999)]
    )
    return st.one_of(
        st.builds(lambda d, tz: d.replace(tzinfo=tz), edges, offsets),
        edges,
        st.datetimes(timezones=offsets),
        st.sampled_from([date.min, date.max]),
    )


def hostile_money() -> st.SearchStrategy[Any]:
    """Money at the documented edges (16 integer digits, 38 significant digits, 10**-38) and
    amounts that are not Money at all.

    Examples:
        >>> from crmkit.testing.strategies import hostile_money
        >>> hostile_money().example() is not None
        True
    """
    amounts = st.sampled_from(
        [Decimal("9" * 16), Decimal("-" + "9" * 16), Decimal("1e-38"), Decimal("0." + "7" * 38)]
    )
    return st.one_of(
        st.builds(Money, amounts, currencies()),
        st.builds(Money, st.integers(-(10**16) + 1, 10**16 - 1), currencies()),
        hostile_numbers(),
        hostile_text(8),
    )


def hostile_values() -> st.SearchStrategy[Any]:
    """Any hostile value: text, numbers, JSON-ish data, custom bags, datetimes or money.

    Examples:
        >>> from crmkit.testing.strategies import hostile_values
        >>> hostile_values().example() is not NotImplemented
        True
    """
    return st.one_of(
        hostile_text(),
        hostile_numbers(),
        hostile_json(),
        hostile_custom(),
        hostile_datetimes(),
        hostile_money(),
    )


def _hostile_for(field: attrs.Attribute[Any]) -> st.SearchStrategy[Any]:
    """Hostile values that look like what ``field`` holds (and sometimes anything at all)."""
    if field.name == "custom":
        typed: st.SearchStrategy[Any] = hostile_custom()
    elif field.name == "remote_data":
        typed = st.dictionaries(hostile_text(8), hostile_json(), max_size=3)
    else:
        kind = str(field.type)
        if "Money" in kind:
            typed = hostile_money()
        elif "datetime" in kind or "date" in kind:
            typed = hostile_datetimes()
        elif "str" in kind:
            typed = hostile_text()
        elif "int" in kind or "float" in kind or "Decimal" in kind:
            typed = hostile_numbers()
        else:
            typed = hostile_values()
    return st.one_of(typed, typed, typed, typed, hostile_values())


@st.composite
def hostile_entities(draw: st.DrawFn) -> tuple[type, dict[str, Any]]:
    """A valid aggregate's class and keyword arguments with one or two fields replaced by
    hostile values; calling ``cls(**kwargs)`` either raises ``ValidationError`` or gives an
    entity that must serialise, store and round-trip.

    Examples:
        >>> from crmkit.errors import ValidationError
        >>> from crmkit.testing.strategies import hostile_entities
        >>> cls, kwargs = hostile_entities().example()
        >>> try:
        ...     entity = cls(**kwargs)
        ... except ValidationError as error:
        ...     assert error.problems
    """
    entity = draw(aggregates())
    cls = type(entity)
    fields = [f for f in attrs.fields(cls) if f.init]
    kwargs = {(f.alias or f.name): getattr(entity, f.name) for f in fields}
    for field in draw(st.lists(st.sampled_from(fields), min_size=1, max_size=2, unique=True)):
        kwargs[field.alias or field.name] = draw(_hostile_for(field), label=field.name)
    return cls, kwargs


# --- users, activities, quotes and exchange rates --------------------------------------------

_EMAILS = st.from_regex(r"[a-z]{1,8}(\.[a-z]{1,8})?@[a-z]{2,10}\.(se|no|com)", fullmatch=True)
_KEYS = st.from_regex(r"[A-Za-zÅÄÖåäö][A-Za-zÅÄÖåäö ]{0,15}", fullmatch=True).filter(str.strip)
_FRACTIONS = st.decimals(0, 1, places=2)


@st.composite
def users(draw: st.DrawFn) -> User:
    """Users, active or not, in every role.

    Examples:
        >>> from crmkit.testing.strategies import users
        >>> "@" in users().example().email
        True
    """
    return User(
        name=draw(_text()),
        email=draw(_EMAILS),
        active=draw(st.booleans()),
        role=draw(st.sampled_from(UserRole)),
        title=draw(st.none() | _text(1, 12)),
        **draw(_aggregate_fields()),
    )


@st.composite
def teams(draw: st.DrawFn) -> Team:
    """Teams with 0–6 distinct members and perhaps a manager.

    Examples:
        >>> from crmkit.testing.strategies import teams
        >>> t = teams().example()
        >>> len(set(t.member_ids)) == len(t.member_ids)
        True
    """
    return Team(
        name=draw(_text()),
        member_ids=draw(st.lists(ids(), max_size=6, unique=True)),
        manager_id=draw(st.none() | ids()),
        description=draw(_text(0, 20)),
        **draw(_aggregate_fields()),
    )


@st.composite
def territory_rules(draw: st.DrawFn) -> TerritoryRule:
    """Territory rules by region, industry and head-count range (minimum not above maximum).

    Examples:
        >>> from crmkit.testing.strategies import territory_rules
        >>> r = territory_rules().example()
        >>> r.min_employees is None or r.max_employees is None or r.min_employees <= r.max_employees
        True
    """
    low = draw(st.none() | st.integers(0, 10_000))
    high = draw(st.none() | st.integers(low or 0, 100_000))
    return TerritoryRule(
        regions=draw(st.lists(_KEYS, max_size=3)),
        industries=draw(st.lists(_KEYS, max_size=3)),
        min_employees=low,
        max_employees=high,
    )


@st.composite
def territories(draw: st.DrawFn) -> Territory:
    """Territories with 0–3 rules and distinct members.

    Examples:
        >>> from crmkit.testing.strategies import territories
        >>> territories().example().priority >= 0
        True
    """
    return Territory(
        name=draw(_text()),
        rules=draw(st.lists(territory_rules(), max_size=3)),
        member_ids=draw(st.lists(ids(), max_size=5, unique=True)),
        owner_id=draw(st.none() | ids()),
        priority=draw(st.integers(0, 1000)),
        **draw(_aggregate_fields()),
    )


@st.composite
def owner_changes(draw: st.DrawFn) -> OwnerChange:
    """Owner reassignments of any owned record type.

    Examples:
        >>> from crmkit.testing.strategies import owner_changes
        >>> owner_changes().example().to_owner_id != ""
        True
    """
    return OwnerChange(
        record_type=draw(st.sampled_from(["account", "lead", "opportunity", "case", "order"])),
        record_id=draw(ids()),
        from_owner_id=draw(st.none() | ids()),
        to_owner_id=draw(ids()),
        changed_at=draw(utc_datetimes()),
        changed_by=draw(st.none() | ids()),
        reason=draw(_text(0, 20)),
        **draw(_aggregate_fields()),
    )


def record_links() -> st.SearchStrategy[RecordLink]:
    """Links to accounts, contacts, leads, opportunities and cases.

    Examples:
        >>> from crmkit.domain import LINKABLE
        >>> from crmkit.testing.strategies import record_links
        >>> record_links().example().record_type in LINKABLE
        True
    """
    return st.builds(RecordLink, st.sampled_from(LINKABLE), ids())


@st.composite
def tasks(draw: st.DrawFn) -> Task:
    """Tasks, open, done or cancelled, with reminders not after the due time.

    Examples:
        >>> from crmkit.testing.strategies import tasks
        >>> t = tasks().example()
        >>> t.status.is_closed == (t.completed_at is not None)
        True
    """
    status = draw(st.sampled_from(TaskStatus))
    due = draw(st.none() | utc_datetimes())
    remind = draw(st.none() | utc_datetimes(max_value=due or _END))
    return Task(
        subject=draw(_text()),
        due_at=due,
        assignee_id=draw(st.none() | ids()),
        priority=draw(st.sampled_from(TaskPriority)),
        status=status,
        remind_at=remind,
        links=draw(st.lists(record_links(), max_size=4, unique=True)),
        completed_at=draw(utc_datetimes()) if status.is_closed else None,
        description=draw(_text(0, 20)),
        **draw(_aggregate_fields()),
    )


@st.composite
def notes(draw: st.DrawFn) -> Note:
    """Notes with an author and links.

    Examples:
        >>> from crmkit.testing.strategies import notes
        >>> notes().example().body.strip() != ""
        True
    """
    return Note(
        body=draw(_text(1, 60)),
        author_id=draw(st.none() | ids()),
        links=draw(st.lists(record_links(), max_size=4, unique=True)),
        written_at=draw(utc_datetimes()),
        **draw(_aggregate_fields()),
    )


def line_items(currency: str = "SEK") -> st.SearchStrategy[LineItem]:
    """Quote line items in ``currency`` with discounts and tax rates.

    Examples:
        >>> from crmkit.testing.strategies import line_items
        >>> item = line_items("EUR").example()
        >>> item.total.currency
        'EUR'
    """
    return st.builds(
        LineItem,
        product_id=ids(),
        quantity=st.integers(1, 500),
        unit_price=money(currency, min_value=0, max_value=10**6),
        discount=_FRACTIONS,
        tax_rate=st.sampled_from([Decimal(0), Decimal("0.06"), Decimal("0.12"), Decimal("0.25")]),
        description=_text(0, 12),
    )


@st.composite
def price_books(draw: st.DrawFn) -> PriceBook:
    """Price books in one currency with one entry per product.

    Examples:
        >>> from crmkit.testing.strategies import price_books
        >>> book = price_books().example()
        >>> all(e.unit_price.currency == book.currency for e in book.entries)
        True
    """
    code = draw(st.sampled_from(["SEK", "NOK", "EUR", "JPY"]))
    entries = st.builds(
        PriceBookEntry, product_id=ids(), unit_price=money(code, min_value=0, max_value=10**6)
    )
    return PriceBook(
        name=draw(_text()),
        currency=code,
        entries=draw(st.lists(entries, max_size=5, unique_by=lambda e: e.product_id)),
        segment=draw(st.none() | st.sampled_from(["smb", "mid_market", "enterprise"])),
        active=draw(st.booleans()),
        **draw(_aggregate_fields()),
    )


@st.composite
def quotes(draw: st.DrawFn) -> Quote:
    """Quotes in every status and revision, with consistent sending and decision times.

    Examples:
        >>> from crmkit.testing.strategies import quotes
        >>> q = quotes().example()
        >>> q.total == q.net_total + q.tax_total
        True
    """
    code = draw(st.sampled_from(["SEK", "NOK", "EUR"]))
    status = draw(st.sampled_from(QuoteStatus))
    sent = None if status is QuoteStatus.DRAFT else draw(utc_datetimes())
    decided = draw(utc_datetimes(min_value=sent)) if sent and status.is_decided else None
    min_lines = 0 if status is QuoteStatus.DRAFT else 1
    return Quote(
        account_id=draw(ids()),
        currency=code,
        lines=draw(st.lists(line_items(code), min_size=min_lines, max_size=4)),
        status=status,
        revision=draw(st.integers(1, 5)),
        valid_until=draw(st.none() | _dates()),
        opportunity_id=draw(st.none() | ids()),
        contact_id=draw(st.none() | ids()),
        price_book_id=draw(st.none() | ids()),
        owner_id=draw(st.none() | ids()),
        quote_number=draw(st.none() | st.from_regex(r"Q-[0-9]{4,8}", fullmatch=True)),
        sent_at=sent,
        decided_at=decided,
        order_id=draw(ids()) if status is QuoteStatus.ACCEPTED else None,
        **draw(_aggregate_fields()),
    )


def exchange_rates() -> st.SearchStrategy[ExchangeRate]:
    """Dated exchange rates between two different currencies.

    Examples:
        >>> from crmkit.testing.strategies import exchange_rates
        >>> r = exchange_rates().example()
        >>> r.base != r.quote and r.rate > 0
        True
    """
    pairs = st.tuples(currencies(), currencies()).filter(lambda p: p[0] != p[1])
    rates = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(100_000), places=4)
    return st.builds(
        lambda pair, rate, on, source: ExchangeRate(pair[0], pair[1], rate, on, source),
        pairs,
        rates,
        _dates(),
        st.none() | st.sampled_from(["ecb", "riksbank", "norges_bank"]),
    )


def rate_tables() -> st.SearchStrategy[RateTable]:
    """Rate tables of 0–6 rates, at most one per pair and date.

    Examples:
        >>> from crmkit.testing.strategies import rate_tables
        >>> t = rate_tables().example()
        >>> len({(r.base, r.quote, r.on) for r in t.rates}) == len(t.rates)
        True
    """
    rates = st.lists(exchange_rates(), max_size=6, unique_by=lambda r: (r.base, r.quote, r.on))
    return rates.map(RateTable)


STRATEGIES.update(
    {
        User: users(),
        Team: teams(),
        TerritoryRule: territory_rules(),
        Territory: territories(),
        OwnerChange: owner_changes(),
        RecordLink: record_links(),
        Task: tasks(),
        Note: notes(),
        LineItem: line_items(),
        PriceBookEntry: price_books().filter(lambda b: bool(b.entries)).map(lambda b: b.entries[0]),
        PriceBook: price_books(),
        Quote: quotes(),
        ExchangeRate: exchange_rates(),
        RateTable: rate_tables(),
    }
)
