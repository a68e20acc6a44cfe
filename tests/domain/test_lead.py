from __future__ import annotations

from datetime import date

import pytest

from crmkit.domain import (
    Account,
    BuyingRole,
    BuyingStage,
    Contact,
    Direction,
    InterestLevel,
    Lead,
    LeadStatus,
    Money,
    Pipeline,
)
from crmkit.errors import InvalidTransitionError, ValidationError
from tests.domain.conftest import utc


def _lead() -> Lead:
    return Lead(
        "Nordvind AB",
        first_name="Anna",
        last_name="Lind",
        title="CEO",
        email="anna@nordvind.se",
        phone="+46 70 123 45 67",
        source_channel="website",
        direction=Direction.INBOUND,
        interest_level=InterestLevel.VERY_INTERESTED,
        buying_stage=4,
        buying_role=BuyingRole.DECIDER,
        industry="Logistics",
        employees=40,
        region="Skåne",
        owner_id="u-1",
        campaign_id="cmp-1",
    )


def test_buying_stages_are_the_eight_of_seed_001() -> None:
    assert [s.label for s in BuyingStage] == [
        "Problem identification",
        "Solution development",
        "Product specification",
        "Search for and qualification of potential suppliers",
        "Obtaining offers",
        "Evaluation and choice of offer",
        "Ordering and receipt",
        "Evaluation",
    ]
    assert BuyingStage(1).label_no == "Identifisere problem"
    assert _lead().buying_stage is BuyingStage.SUPPLIER_SEARCH


def test_conversion_creates_account_contact_and_opportunity(pipe: Pipeline) -> None:
    lead = _lead()
    result = lead.convert(at=utc(2025, 2, 1), pipeline=pipe, amount=Money("50000", "SEK"))
    account, contact, opp = result.account, result.contact, result.opportunity
    assert result.created_account
    assert result.created_contact
    assert (account.name, account.industry, account.employees, account.region) == (
        "Nordvind AB", "Logistics", 40, "Skåne"
    )  # fmt: skip
    assert (contact.full_name, contact.email, contact.account_id) == (
        "Anna Lind", "anna@nordvind.se", account.id
    )  # fmt: skip
    assert contact.buying_role is BuyingRole.DECIDER
    assert account.primary_contact_id == contact.id
    assert opp is not None
    assert (opp.account_id, opp.stage_key, opp.source_channel, opp.campaign_id) == (
        account.id, "prospecting", "website", "cmp-1"
    )  # fmt: skip
    assert opp.primary_contact_id == contact.id
    assert opp.close_date == date(2025, 5, 2)
    assert lead.status is LeadStatus.CONVERTED
    assert (lead.converted_account_id, lead.converted_contact_id, lead.converted_opportunity_id) == (
        account.id, contact.id, opp.id
    )  # fmt: skip
    assert lead.converted_at == utc(2025, 2, 1)


def test_conversion_into_existing_records_only_fills_empty_fields() -> None:
    account = Account("Nordvind Logistik AB", industry="Transport", created_at=utc(2024, 1, 1))
    contact = Contact("Anna", "Lind-Berg", account_id=account.id, title="COO",
                      created_at=utc(2024, 1, 1))  # fmt: skip
    lead = _lead()
    result = lead.convert(at=utc(2025, 2, 1), account=account, contact=contact)
    assert not result.created_account
    assert not result.created_contact
    assert result.opportunity is None
    assert lead.converted_opportunity_id is None
    # kept
    assert (account.name, account.industry) == ("Nordvind Logistik AB", "Transport")
    assert (contact.last_name, contact.title) == ("Lind-Berg", "COO")
    # filled
    assert (account.employees, account.region, contact.email) == (40, "Skåne", "anna@nordvind.se")
    assert account.contact_ids == [contact.id]
    assert account.updated_at == utc(2025, 2, 1) == contact.updated_at


def test_converting_twice_is_refused() -> None:
    lead = _lead()
    lead.convert(at=utc(2025, 2, 1))
    with pytest.raises(InvalidTransitionError):
        lead.convert(at=utc(2025, 2, 2))
    with pytest.raises(InvalidTransitionError):
        lead.disqualify("late")


def test_conversion_refusals(pipe: Pipeline) -> None:
    with pytest.raises(ValidationError) as info:
        _lead().convert(at=utc(2025, 1, 1), pipeline=pipe)
    assert info.value.paths == ["amount"]
    other = Contact("Bo", "Ek", account_id="acc-other")
    with pytest.raises(ValidationError) as info:
        _lead().convert(at=utc(2025, 1, 1), account=Account("A"), contact=other)
    assert info.value.paths == ["contact.account_id"]


def test_lead_direction_and_status_rules() -> None:
    with pytest.raises(ValidationError) as info:
        Lead("A", direction=Direction.BOTH)
    assert info.value.paths == ["direction"]
    with pytest.raises(ValidationError):
        Lead("A", status=LeadStatus.CONVERTED)
    with pytest.raises(ValidationError):
        Lead("A", converted_account_id="acc")
    lead = Lead("A")
    lead.disqualify("no budget")
    assert (lead.status, lead.lost_reason) == (LeadStatus.UNQUALIFIED, "no budget")
