"""An invalid value of each validated field raises ValidationError with its field path, both on
construction and on assignment (entities)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import attrs
import pytest

from crmkit.domain import (
    KPI,
    Account,
    AccountContactRole,
    Address,
    Agreement,
    Campaign,
    CampaignMember,
    Case,
    Consent,
    Contact,
    Interaction,
    InteractionType,
    KamStage,
    KeyAccountRelationship,
    LawfulBasis,
    Lead,
    Money,
    Opportunity,
    OpportunityContactRole,
    Order,
    OrderLine,
    Pipeline,
    Product,
    Stage,
    StageChange,
)
from crmkit.errors import ValidationError
from tests.domain.conftest import utc

NAIVE = datetime(2025, 1, 1)
T = utc(2025, 1, 1)
SEK = Money("1", "SEK")

VALID: dict[str, Any] = {
    "account": Account("A", created_at=T),
    "contact": Contact("Anna", "Lind", created_at=T),
    "lead": Lead("A", created_at=T),
    "opportunity": Opportunity("D", "a", SEK, date(2025, 1, 1), "p", "s", 0.1, created_at=T),
    "interaction": Interaction(InteractionType.CALL, planned_at=T, created_at=T),
    "case": Case("x", created_at=T),
    "product": Product("S", "N", price=SEK, created_at=T),
    "order": Order("a", T, [OrderLine("p", 1, SEK)], created_at=T),
    "agreement": Agreement("a", "N", start_date=date(2025, 1, 1), created_at=T),
    "campaign": Campaign("C", created_at=T),
    "kam": KeyAccountRelationship("a", KamStage.DUET, created_at=T),
    "kpi": KPI("k", target=1.0),
    "stage": Stage("s", "S", 1, 0.5),
    "pipeline": Pipeline("p", "P", [Stage("s", "S", 1, 0.5)]),
    "address": Address(country="SE"),
    "consent": Consent(LawfulBasis.CONSENT, T),
    "stage_change": StageChange(None, "s", T, 0.5),
    "order_line": OrderLine("p", 1, SEK),
    "account_role": AccountContactRole("c"),
    "opportunity_role": OpportunityContactRole("c"),
    "member": CampaignMember(contact_id="c"),
}

CASES: list[tuple[str, str, Any]] = [
    # aggregate fields (shared by every aggregate root)
    ("account", "id", ""),
    ("account", "version", -1),
    ("account", "version", 1.5),
    ("account", "created_at", NAIVE),
    ("account", "updated_at", "2025-01-01"),
    ("account", "custom", {"x": [1]}),
    ("account", "remote_id", ""),
    ("account", "remote_data", []),
    ("account", "name", " "),
    ("account", "organisation_number", ""),
    ("account", "employees", -1),
    ("account", "employees", 2.5),
    ("account", "turnover", 1000),
    ("account", "profit", "1"),
    ("account", "addresses", ["Storgatan 1"]),
    ("account", "delivery_addresses", [1]),
    ("account", "status", "existing"),
    ("account", "owner_id", ""),
    ("account", "is_key_account", "yes"),
    ("account", "tier", 1),
    ("account", "contact_roles", [AccountContactRole("c", "", True)] * 2),
    ("contact", "first_name", None),
    ("contact", "account_id", ""),
    ("contact", "buying_role", "decider"),
    ("contact", "email", "anna.lind"),
    ("contact", "preferred_channel", ""),
    ("contact", "consent", "yes"),
    ("lead", "company_name", ""),
    ("lead", "email", "x@"),
    ("lead", "buying_stage", 0),
    ("lead", "buying_stage", 9),
    ("lead", "interest_level", "hot"),
    ("lead", "status", "open"),
    ("lead", "employees", -5),
    ("lead", "next_follow_up_at", NAIVE),
    ("opportunity", "name", ""),
    ("opportunity", "account_id", ""),
    ("opportunity", "amount", 100),
    ("opportunity", "close_date", NAIVE),
    ("opportunity", "pipeline_id", ""),
    ("opportunity", "stage_key", ""),
    ("opportunity", "stage_probability", 1.5),
    ("opportunity", "automated_probability", -0.2),
    ("opportunity", "manual_probability", "high"),
    ("opportunity", "stage_history", ["prospecting"]),
    ("opportunity", "contact_roles", [OpportunityContactRole("c", "", True)] * 2),
    ("opportunity", "closed_at", NAIVE),
    ("interaction", "type", "call"),
    ("interaction", "status", "done"),
    ("interaction", "planned_at", NAIVE),
    ("interaction", "contact_id", ""),
    ("case", "subject", ""),
    ("case", "status", "open"),
    ("case", "priority", 1),
    ("case", "opened_at", NAIVE),
    ("product", "sku", ""),
    ("product", "price", Money("-1", "SEK")),
    ("product", "price", 10),
    ("product", "unit", ""),
    ("order", "account_id", ""),
    ("order", "ordered_at", NAIVE),
    ("order", "lines", [OrderLine("p", 1, SEK), OrderLine("p", 1, Money("1", "EUR"))]),
    ("order", "status", "placed"),
    ("agreement", "start_date", NAIVE),
    ("agreement", "renewal_term_months", 0),
    ("agreement", "notice_period_days", -1),
    ("agreement", "value", 5),
    ("campaign", "name", ""),
    ("campaign", "start_date", "2025-01-01"),
    ("campaign", "members", [CampaignMember(contact_id="c")] * 2),
    ("kam", "account_id", ""),
    ("kam", "stage", "duet"),
    ("kam", "created_at", NAIVE),
    ("kpi", "name", ""),
    ("kpi", "target", float("inf")),
    ("kpi", "actual", "5"),
    ("kpi", "direction", "max"),
    ("stage", "key", ""),
    ("stage", "order", "1"),
    ("stage", "probability", 2),
    ("stage", "forecast_category", "pipeline"),
    ("pipeline", "id", ""),
    ("pipeline", "stages", []),
    ("address", "country", "SWE"),
    ("address", "city", None),
    ("consent", "lawful_basis", "consent"),
    ("consent", "given_at", NAIVE),
    ("consent", "purpose", ""),
    ("stage_change", "to_stage", ""),
    ("stage_change", "at", NAIVE),
    ("stage_change", "probability", -1),
    ("order_line", "product_id", ""),
    ("order_line", "quantity", 0),
    ("order_line", "quantity", 1.5),
    ("order_line", "unit_price", Money("-2", "SEK")),
    ("account_role", "contact_id", ""),
    ("account_role", "is_primary", 1),
    ("opportunity_role", "role", None),
    ("member", "status", "sent"),
    ("member", "responded_at", NAIVE),
]


@pytest.mark.parametrize(("kind", "field", "value"), CASES, ids=[f"{k}.{f}" for k, f, _ in CASES])
def test_invalid_value_names_its_field(kind: str, field: str, value: Any) -> None:
    valid = VALID[kind]
    with pytest.raises(ValidationError) as info:
        attrs.evolve(valid, **{field: value})
    assert _field_of(info.value.paths[0]) == field
    if _is_value_object(valid):
        return  # value objects cannot be assigned to
    with pytest.raises(ValidationError) as info:
        setattr(valid, field, value)
    assert _field_of(info.value.paths[0]) == field


def _is_value_object(obj: Any) -> bool:
    try:
        attrs.evolve(obj).__setattr__("__class__", type(obj))
    except attrs.exceptions.FrozenInstanceError:
        return True
    return False


def _field_of(path: str) -> str:
    return path.split(".")[0].split("[")[0]
