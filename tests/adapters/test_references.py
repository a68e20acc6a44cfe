"""Moving references keeps every list valid: contact roles, campaign members, record links."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.adapters.aggregate import aggregate_for
from crmkit.adapters.references import referenced_ids, relink
from crmkit.domain import CampaignMember, Note, OpportunityContactRole, RecordLink
from crmkit.testing.adapter_suite import sample_entity

IDS = ("c1", "c2", "c3")


@st.composite
def role_lists(draw: st.DrawFn) -> list[OpportunityContactRole]:
    pairs = draw(
        st.lists(st.tuples(st.sampled_from(IDS), st.sampled_from(("", "buyer"))), unique=True)
    )
    primary = draw(st.none() | st.integers(0, max(len(pairs) - 1, 0)))
    return [OpportunityContactRole(c, r, i == primary) for i, (c, r) in enumerate(pairs)]


@settings(max_examples=200, deadline=None)
@given(role_lists(), st.lists(st.sampled_from(IDS), unique=True))
def test_relinked_lists_stay_valid_and_name_the_survivor(
    roles: list[OpportunityContactRole], members: list[str]
) -> None:
    opportunity = sample_entity("opportunities", contact_roles=roles)
    campaign = sample_entity("campaigns", members=[CampaignMember(contact_id=c) for c in members])
    note = Note("Met them", links=[RecordLink("contact", c) for c in members])
    for entity in (opportunity, campaign, note):
        agg = aggregate_for(type(entity))
        before = agg.to_document(entity)
        after = relink(before, "contacts", "c2", "c1", owner=agg.name)
        if "c2" not in referenced_ids(before, "contacts"):
            assert after is None
            continue
        assert after is not None
        moved = agg.from_document(after)  # every validator passes
        assert referenced_ids(after, "contacts") == (
            referenced_ids(before, "contacts") - {"c2"}
        ) | {"c1"}
        assert moved.id == entity.id
    if "c2" in {r.contact_id for r in roles}:
        moved_roles = (
            aggregate_for("opportunities")
            .from_document(
                relink(
                    aggregate_for("opportunities").to_document(opportunity), "contacts", "c2", "c1"
                )
                or {}
            )
            .contact_roles
        )
        expected_pairs = {("c1" if r.contact_id == "c2" else r.contact_id, r.role) for r in roles}
        assert {(r.contact_id, r.role) for r in moved_roles} == expected_pairs
        # a primary stays a primary (one at most)
        assert sum(r.is_primary for r in moved_roles) == sum(r.is_primary for r in roles)
