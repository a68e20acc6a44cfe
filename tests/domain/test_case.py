from __future__ import annotations

from datetime import timedelta

import pytest

from crmkit.domain import Case, CaseStatus
from crmkit.errors import InvalidTransitionError, ValidationError
from tests.domain.conftest import utc


def test_response_and_close_times() -> None:
    case = Case("Invoice", origin_channel="email", problem_type="billing",
                opened_at=utc(2025, 3, 3, 8))  # fmt: skip
    assert case.time_to_first_response is None
    assert case.status is CaseStatus.NEW
    case.respond(utc(2025, 3, 3, 10, 30), agent_id="u-1")
    case.respond(utc(2025, 3, 3, 12))
    assert case.time_to_first_response == timedelta(hours=2, minutes=30)
    assert case.status is CaseStatus.IN_PROGRESS
    assert case.agent_id == "u-1"
    case.close(utc(2025, 3, 4, 8), resolution="credit note")
    assert case.time_to_close == timedelta(days=1)
    with pytest.raises(InvalidTransitionError):
        case.close(utc(2025, 3, 5))
    with pytest.raises(InvalidTransitionError):
        case.respond(utc(2025, 3, 5))
    case.reopen()
    assert case.closed_at is None
    assert not case.is_closed


def test_times_cannot_precede_opening() -> None:
    case = Case("x", opened_at=utc(2025, 1, 2))
    with pytest.raises(ValidationError) as info:
        case.respond(utc(2025, 1, 1))
    assert info.value.paths == ["first_response_at"]
    with pytest.raises(ValidationError) as info:
        Case("x", opened_at=utc(2025, 1, 2), status=CaseStatus.CLOSED)
    assert info.value.paths == ["closed_at"]


def test_opened_at_defaults_to_created_at() -> None:
    assert Case("x", created_at=utc(2025, 1, 1)).opened_at == utc(2025, 1, 1)
