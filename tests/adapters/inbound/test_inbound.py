"""Inbound: interest form → segmented lead (seed 001 L518); social message → case (seed 004
L273)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crmkit.adapters import open_store
from crmkit.adapters.inbound import (
    InboundDesk,
    InterestForm,
    Segmenter,
    SocialMessage,
    case_from_message,
    form_record,
    lead_from_form,
)
from crmkit.domain import CaseStatus, Contact, Direction, InterestLevel
from crmkit.errors import ValidationError
from crmkit.frames import col
from crmkit.segmentation import RuleSegments, Segment, assign_segments

AT = datetime(2025, 3, 3, 8, 15, tzinfo=UTC)

SEGMENTS = RuleSegments(
    [
        Segment("key_prospect", (col("employees") >= 250) & (col("buying_stage") >= 4)),
        Segment("hot", col("interest_level") == "very_interested"),
        Segment("webinar", col("contact_reason").is_in(["webinar", "seminar"])),
    ],
    default="nurture",
)


@pytest.mark.parametrize(
    ("payload", "segment"),
    [
        (
            {"company": "Big AB", "email": "a@big.se", "employees": "800", "stage": "5"},
            "key_prospect",
        ),
        (
            {
                "company": "Big AB",
                "email": "a@big.se",
                "employees": "800",
                "stage": "2",
                "interest": "very_interested",
            },
            "hot",
        ),
        ({"bedriftsnavn": "Liten AS", "epost": "o@liten.no", "reason": "webinar"}, "webinar"),
        ({"company": "Quiet Ltd", "email": "q@quiet.co"}, "nurture"),
    ],
)
def test_form_becomes_an_inbound_lead_segmented_by_rules(
    payload: dict[str, str], segment: str
) -> None:
    lead = lead_from_form(payload, segmenter=SEGMENTS, received_at=AT)
    assert lead.custom["segment"] == segment
    assert lead.direction is Direction.INBOUND
    assert lead.source_channel == "website"
    assert lead.created_at == AT
    assert lead.remote_data == payload  # the raw submission is kept


def test_the_same_rule_set_segments_a_frame_of_form_leads_alike() -> None:
    # one rule-segment implementation: the rules that segment a web-form lead segment a
    # dataframe of the same leads identically
    import polars as pl

    payloads = [
        {"company": "Big AB", "email": "a@big.se", "employees": "800", "stage": "5"},
        {"company": "Hot AB", "email": "h@hot.se", "interest": "very_interested"},
        {"bedriftsnavn": "Liten AS", "epost": "o@liten.no", "reason": "seminar"},
        {"company": "Quiet Ltd", "email": "q@quiet.co", "employees": "3"},
    ]
    leads = [lead_from_form(p, segmenter=SEGMENTS, received_at=AT) for p in payloads]

    def value(x: object) -> object:
        return getattr(x, "value", x)  # enum members as their values

    frame = pl.DataFrame(
        {
            "employees": [lead.employees for lead in leads],
            "buying_stage": [value(lead.buying_stage) for lead in leads],
            "interest_level": [value(lead.interest_level) for lead in leads],
            "contact_reason": [lead.custom.get("contact_reason") for lead in leads],
        }
    )
    by_frame = assign_segments(frame, SEGMENTS)["segment"].to_list()
    assert by_frame == [lead.custom["segment"] for lead in leads]
    assert by_frame == ["key_prospect", "hot", "webinar", "nurture"]


def test_a_custom_segmenter_sees_lead_fields_and_custom_properties() -> None:
    seen: list[object] = []

    class ByReason:
        def segment_of(self, record: object) -> str | None:
            seen.append(record)
            return None if record["budget"] is None else "budget"  # type: ignore[index]

    segmenter: Segmenter = ByReason()
    lead = lead_from_form(
        {"company": "Acme", "reason": "demo", "employees": "12"}, segmenter=segmenter
    )
    assert "segment" not in lead.custom  # None: no segment
    record = form_record(lead)
    assert (record["company_name"], record["employees"], record["contact_reason"]) == (
        "Acme",
        12,
        "demo",
    )
    assert record["budget"] is None  # a field the form left out reads as missing
    assert seen == [record]


def test_form_fields_map_to_lead_fields_and_unknown_ones_to_custom() -> None:
    lead = lead_from_form(
        {
            "company": "Nordvind AB",
            "name": "Anna Maria Lind",
            "email": "anna@nordvind.se",
            "phone": "+47 22 33",
            "job_title": "CFO",
            "employees": "40",
            "stage": "4",
            "interest": "evaluating",
            "reason": "Price list",
            "newsletter": True,
            "submission_id": "form-991",
        },
        received_at=AT,
    )
    assert (lead.company_name, lead.first_name, lead.last_name) == (
        "Nordvind AB",
        "Anna",
        "Maria Lind",
    )
    assert (lead.email, lead.phone, lead.title, lead.employees) == (
        "anna@nordvind.se",
        "+47 22 33",
        "CFO",
        40,
    )
    assert int(lead.buying_stage) == 4
    assert lead.interest_level is InterestLevel.EVALUATING
    assert lead.custom == {"contact_reason": "Price list", "newsletter": True}
    assert lead.remote_id == "form-991"


def test_bad_form_lists_every_problem_with_the_form_field_names() -> None:
    with pytest.raises(ValidationError) as caught:
        lead_from_form({"email": "nope", "employees": "lots", "stage": "12"})
    paths = caught.value.paths
    assert "form.company_name" in paths or "form.company" in paths
    assert {"form.email", "form.employees"} <= set(paths)


def test_custom_form_alias() -> None:
    form = InterestForm().with_alias("company_name", "firma")
    assert lead_from_form({"firma": "Acme"}, form=form).company_name == "Acme"


def test_desk_stores_a_form_lead_once_per_submission() -> None:
    store = open_store("memory://")
    desk = InboundDesk(store, segmenter=SEGMENTS)
    payload = {"company": "Acme", "email": "a@acme.se", "submission_id": "s-1"}
    first, again = desk.receive_form(payload), desk.receive_form(payload)
    assert first.id == again.id
    with store.unit_of_work() as uow:
        assert uow.leads.count() == 1
        assert uow.leads.get(first.id).custom["segment"] == "nurture"


def test_social_message_becomes_a_case_with_its_channel() -> None:
    msg = SocialMessage(
        "Twitter", "@anna", "Where is my delivery? Order 1234", AT, message_id="tw-77"
    )
    case = case_from_message(msg, problem_type="delivery")
    assert case.origin_channel == "social_media"
    assert case.status is CaseStatus.NEW
    assert case.opened_at == AT
    assert case.remote_id == "tw-77"
    assert case.remote_data["handle"] == "@anna"
    assert case.problem_type == "delivery"
    assert case.description == msg.text
    linkedin = SocialMessage("linkedin", "anna-lind", "Hi", AT)
    assert case_from_message(linkedin).origin_channel == "linkedin"


def test_desk_links_the_case_to_the_contact_with_that_handle_and_is_idempotent() -> None:
    store = open_store("memory://")
    with store.unit_of_work() as uow:
        anna = uow.contacts.add(
            Contact("Anna", "Lind", account_id="acc-1", custom={"twitter_handle": "@anna"})
        )
    desk = InboundDesk(store)
    msg = SocialMessage("twitter", "@anna", "Invoice is wrong", AT, message_id="tw-1")
    case = desk.receive_message(msg)
    assert (case.contact_id, case.account_id) == (anna.id, "acc-1")
    assert desk.receive_message(msg).id == case.id
    with store.unit_of_work() as uow:
        assert uow.cases.count() == 1


def test_unknown_platform_and_naive_time_are_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        SocialMessage("myspace", "x", "hi", datetime(2025, 1, 1))
    assert set(caught.value.paths) == {"message.platform", "message.received_at"}
