from __future__ import annotations

import pytest

from crmkit.domain import KamStage, KeyAccountRelationship
from crmkit.errors import InvalidTransitionError, ValidationError
from tests.domain.conftest import utc


def test_forward_one_stage_at_a_time_backward_any() -> None:
    rel = KeyAccountRelationship("acc-1", KamStage.BOW_TIE)
    rel.move_to(KamStage.ONE_ON_MANY, at=utc(2024, 1, 1))
    rel.move_to(KamStage.DUET, at=utc(2024, 6, 1))
    assert rel.is_key_account
    with pytest.raises(InvalidTransitionError):
        KeyAccountRelationship("a", KamStage.BOW_TIE).move_to(KamStage.DUET, at=utc(2024, 1, 1))
    rel.move_to(KamStage.BOW_TIE, at=utc(2025, 1, 1), reason="key personnel changed")
    assert not rel.is_key_account
    assert [(c.from_stage, c.to_stage) for c in rel.history] == [
        (KamStage.BOW_TIE, KamStage.ONE_ON_MANY),
        (KamStage.ONE_ON_MANY, KamStage.DUET),
        (KamStage.DUET, KamStage.BOW_TIE),
    ]


def test_only_duet_and_diamond_are_key_accounts() -> None:
    assert [s.is_key_account for s in KamStage] == [False, False, True, True]


def test_frustration_zone_when_intents_differ() -> None:
    rel = KeyAccountRelationship("a", KamStage.DUET, customer_intent=KamStage.ONE_ON_MANY)
    assert rel.in_frustration_zone
    assert not KeyAccountRelationship("a", KamStage.DUET).in_frustration_zone


def test_aggregate_fields_present() -> None:
    rel = KeyAccountRelationship("a", KamStage.DUET, created_at=utc(2024, 1, 1))
    assert (rel.version, rel.updated_at, rel.custom, rel.remote_id) == (
        0, utc(2024, 1, 1), {}, None
    )  # fmt: skip
    with pytest.raises(ValidationError):
        KeyAccountRelationship("a", KamStage.DUET, version=-1)
