"""crmkit's domain model: entities and value objects, validated, with no I/O.

Value objects (``Money``, ``Address``, ``Stage``, ``Consent`` ...) are frozen; entities
(``Account``, ``Contact``, ``Lead``, ``Opportunity`` ...) are mutable attrs classes whose
validators also run when a field is set, and whose business-rule changes go through methods
that keep history and invariants.

Examples:
    >>> from datetime import date, datetime, UTC
    >>> from crmkit.domain import Account, Money, Opportunity, default_pipeline
    >>> acc = Account("Nordvind AB", employees=42)
    >>> pipe = default_pipeline()
    >>> opp = Opportunity.open("Fleet deal", account_id=acc.id, amount=Money("120000", "SEK"),
    ...                        close_date=date(2025, 6, 30), pipeline=pipe,
    ...                        at=datetime(2025, 1, 1, tzinfo=UTC))
    >>> opp.move_to("negotiation", pipeline=pipe, at=datetime(2025, 3, 1, tzinfo=UTC))
    >>> str(opp.expected_revenue)
    '108000.00 SEK'
"""

from crmkit.domain.account import Account, AccountStatus
from crmkit.domain.activity import (
    LINKABLE,
    Note,
    RecordLink,
    Task,
    TaskPriority,
    TaskStatus,
    overdue_tasks,
)
from crmkit.domain.address import COUNTRY_CODES, Address
from crmkit.domain.aggregate import AggregateRoot, default_property_registry, utc_now
from crmkit.domain.agreement import Agreement, AgreementType
from crmkit.domain.campaign import Campaign, CampaignMember, CampaignStatus, MemberStatus
from crmkit.domain.case import Case, CasePriority, CaseStatus
from crmkit.domain.channel import (
    Channel,
    ChannelCatalogue,
    ChannelCategory,
    Direction,
    MediaType,
    default_catalogue,
)
from crmkit.domain.contact import BuyingRole, Consent, Contact, LawfulBasis
from crmkit.domain.contact_role import AccountContactRole, OpportunityContactRole
from crmkit.domain.duplicates import (
    DuplicateCandidate,
    DuplicateReason,
    find_duplicate_accounts,
    find_duplicate_contacts,
)
from crmkit.domain.exchange_rate import ExchangeRate, RateTable
from crmkit.domain.ids import IdGenerator, id_timestamp, is_id, new_id
from crmkit.domain.interaction import Interaction, InteractionStatus, InteractionType
from crmkit.domain.key_account import KamStage, KamStageChange, KeyAccountRelationship
from crmkit.domain.kpi import KPI, KPIDirection, KPIPeriod
from crmkit.domain.lead import BuyingStage, InterestLevel, Lead, LeadConversion, LeadStatus
from crmkit.domain.money import CURRENCY_MINOR_UNITS, Money, minor_unit
from crmkit.domain.opportunity import Opportunity, ProbabilitySource, StageChange
from crmkit.domain.order import Order, OrderLine, OrderStatus
from crmkit.domain.pipeline import ForecastCategory, Pipeline, Stage, default_pipeline
from crmkit.domain.probability import Probability
from crmkit.domain.product import Product
from crmkit.domain.properties import (
    CustomValue,
    PropertyDefinition,
    PropertyRegistry,
    PropertySchema,
    PropertyType,
)
from crmkit.domain.quote import (
    LineItem,
    PriceBook,
    PriceBookEntry,
    Quote,
    QuoteStatus,
    price_book_for,
)
from crmkit.domain.user import (
    OwnerChange,
    Team,
    Territory,
    TerritoryRule,
    User,
    UserRole,
    assign_territory,
    reassign_owner,
    route,
)

__all__ = [
    "COUNTRY_CODES",
    "CURRENCY_MINOR_UNITS",
    "KPI",
    "LINKABLE",
    "Account",
    "AccountContactRole",
    "AccountStatus",
    "Address",
    "AggregateRoot",
    "Agreement",
    "AgreementType",
    "BuyingRole",
    "BuyingStage",
    "Campaign",
    "CampaignMember",
    "CampaignStatus",
    "Case",
    "CasePriority",
    "CaseStatus",
    "Channel",
    "ChannelCatalogue",
    "ChannelCategory",
    "Consent",
    "Contact",
    "CustomValue",
    "Direction",
    "DuplicateCandidate",
    "DuplicateReason",
    "ExchangeRate",
    "ForecastCategory",
    "IdGenerator",
    "Interaction",
    "InteractionStatus",
    "InteractionType",
    "InterestLevel",
    "KPIDirection",
    "KPIPeriod",
    "KamStage",
    "KamStageChange",
    "KeyAccountRelationship",
    "LawfulBasis",
    "Lead",
    "LeadConversion",
    "LeadStatus",
    "LineItem",
    "MediaType",
    "MemberStatus",
    "Money",
    "Note",
    "Opportunity",
    "OpportunityContactRole",
    "Order",
    "OrderLine",
    "OrderStatus",
    "OwnerChange",
    "Pipeline",
    "PriceBook",
    "PriceBookEntry",
    "Probability",
    "ProbabilitySource",
    "Product",
    "PropertyDefinition",
    "PropertyRegistry",
    "PropertySchema",
    "PropertyType",
    "Quote",
    "QuoteStatus",
    "RateTable",
    "RecordLink",
    "Stage",
    "StageChange",
    "Task",
    "TaskPriority",
    "TaskStatus",
    "Team",
    "Territory",
    "TerritoryRule",
    "User",
    "UserRole",
    "assign_territory",
    "default_catalogue",
    "default_pipeline",
    "default_property_registry",
    "find_duplicate_accounts",
    "find_duplicate_contacts",
    "id_timestamp",
    "is_id",
    "minor_unit",
    "new_id",
    "overdue_tasks",
    "price_book_for",
    "reassign_owner",
    "route",
    "utc_now",
]
