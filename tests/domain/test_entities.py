from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from crmkit.domain import (
    Address,
    Agreement,
    Campaign,
    CampaignMember,
    Consent,
    Contact,
    Interaction,
    InteractionStatus,
    InteractionType,
    LawfulBasis,
    MemberStatus,
    Money,
    Order,
    OrderLine,
    OrderStatus,
)
from crmkit.errors import InvalidTransitionError, NotFoundError, ValidationError
from tests.domain.conftest import utc


def test_consent_governs_contactability() -> None:
    consent = Consent(LawfulBasis.CONSENT, utc(2024, 1, 1), withdrawn_at=utc(2024, 6, 1))
    anna = Contact("Anna", "Lind", consent=consent)
    assert not anna.can_contact(utc(2023, 12, 31))
    assert anna.can_contact(utc(2024, 3, 1))
    assert not anna.can_contact(utc(2024, 6, 1))
    assert not Contact("Bo", "Ek").can_contact(utc(2024, 3, 1))
    assert LawfulBasis.CONSENT.article == "6(1)(a)"
    with pytest.raises(ValidationError):
        Contact("", "  ")


def test_interaction_lifecycle() -> None:
    call = Interaction(InteractionType.CALL, channel="phone", contact_id="c1",
                       planned_at=utc(2025, 1, 1, 9))  # fmt: skip
    with pytest.raises(InvalidTransitionError):
        call.follow_up(utc(2025, 1, 2))
    call.complete(utc(2025, 1, 1, 9, 30), outcome="quote requested")
    assert call.occurred_at == utc(2025, 1, 1, 9, 30)
    with pytest.raises(ValidationError):
        call.follow_up(utc(2025, 1, 1, 9))
    call.follow_up(utc(2025, 1, 3))
    assert call.status is InteractionStatus.FOLLOWED_UP
    with pytest.raises(ValidationError) as info:
        Interaction(InteractionType.NOTE)
    assert info.value.paths == ["planned_at"]
    with pytest.raises(ValidationError) as info:
        Interaction(InteractionType.NOTE, status=InteractionStatus.DONE)
    assert info.value.paths == ["done_at"]


def test_order_totals_and_single_currency() -> None:
    order = Order("acc", utc(2025, 1, 1), [
        OrderLine("p1", 3, Money("250", "SEK")),
        OrderLine("p2", 1, Money("1200", "SEK"), discount="0.1"),
    ])  # fmt: skip
    assert order.total == Money(Decimal("1830.00"), "SEK")
    assert order.currency == "SEK"
    assert order.status.counts_as_purchase
    order.cancel()
    assert order.status is OrderStatus.CANCELLED
    assert not order.status.counts_as_purchase
    with pytest.raises(ValidationError) as info:
        Order("acc", utc(2025, 1, 1), [])
    assert info.value.paths == ["lines"]
    with pytest.raises(ValidationError) as info:
        OrderLine("p", 1, Money("1", "SEK"), discount="1.5")
    assert info.value.paths == ["discount"]


def test_agreement_activity_and_renewal() -> None:
    ag = Agreement("acc", "Service", start_date=date(2024, 1, 31), end_date=date(2025, 1, 30),
                   notice_period_days=30)  # fmt: skip
    assert ag.is_active(date(2024, 1, 31))
    assert ag.is_active(date(2025, 1, 30))
    assert not ag.is_active(date(2025, 1, 31))
    assert not ag.is_active(date(2024, 1, 30))
    assert ag.renewal_date == date(2024, 12, 31)
    ag.renew()
    assert ag.end_date == date(2026, 1, 30)
    assert ag.renewals == 1
    ag.renew(months=6)
    assert ag.end_date == date(2026, 7, 30)
    month_end = Agreement("acc", "S", start_date=date(2024, 1, 1), end_date=date(2024, 2, 29))
    month_end.renew(months=1)
    assert month_end.end_date == date(2024, 3, 31)
    ag.terminate(date(2025, 6, 30))
    with pytest.raises(InvalidTransitionError):
        ag.renew()
    with pytest.raises(ValidationError):
        ag.renew(months=0) if False else Agreement(
            "a", "S", start_date=date(2024, 1, 1), end_date=date(2024, 5, 1)
        ).renew(months=0)


def test_campaign_members_and_responses() -> None:
    campaign = Campaign("Webinar", channel="webinar")
    campaign.add_member(contact_id="c1")
    campaign.add_member(lead_id="l1")
    assert campaign.response_rate == 0.0
    campaign.record_response(lead_id="l1", at=utc(2025, 4, 1))
    campaign.record_response(lead_id="l1", at=utc(2025, 4, 5), status=MemberStatus.CONVERTED)
    member = campaign.members[1]
    assert member.has_responded
    assert member.responded_at == utc(2025, 4, 1)
    assert campaign.response_rate == 0.5
    with pytest.raises(NotFoundError):
        campaign.record_response(contact_id="c9", at=utc(2025, 4, 1))
    with pytest.raises(ValidationError):
        campaign.set_member_status(MemberStatus.RESPONDED, contact_id="c1")
    with pytest.raises(ValidationError) as info:
        CampaignMember()
    assert info.value.paths == ["lead_id"]
    with pytest.raises(ValidationError) as info:
        CampaignMember(contact_id="c", status=MemberStatus.RESPONDED)
    assert info.value.paths == ["responded_at"]


def test_address_one_line() -> None:
    address = Address(street="Storgatan 2", postal_code="411 38", city="Göteborg", country="SE")
    assert address.one_line() == "Storgatan 2, 411 38 Göteborg, SE"
