from __future__ import annotations

import pytest

from crmkit.domain import Account, AccountContactRole, Address, Money
from crmkit.errors import NotFoundError, ValidationError
from tests.domain.conftest import utc


def test_first_link_is_primary_and_primary_moves() -> None:
    acc = Account("Nordvind AB")
    assert acc.primary_contact_id is None
    acc.link_contact("c1", "user")
    acc.link_contact("c2", "decider")
    assert acc.primary_contact_id == "c1"
    acc.link_contact("c3", "buyer", primary=True)
    assert acc.primary_contact_id == "c3"
    assert sum(r.is_primary for r in acc.contact_roles) == 1
    acc.set_primary("c2")
    assert acc.primary_contact_id == "c2"
    acc.unlink_contact("c2")
    assert acc.primary_contact_id == "c1"
    with pytest.raises(NotFoundError):
        acc.set_primary("c2")
    with pytest.raises(NotFoundError):
        acc.unlink_contact("c2")


def test_relinking_primary_contact_keeps_a_primary() -> None:
    acc = Account("A")
    acc.link_contact("c1", "user")
    acc.link_contact("c1", "user")  # same link again, not asked to be primary
    assert acc.primary_contact_id == "c1"
    acc.link_contact("c1", "buyer")
    assert acc.contact_ids == ["c1"]
    assert len(acc.contact_roles) == 2


def test_loaded_roles_with_two_primaries_are_refused() -> None:
    with pytest.raises(ValidationError) as info:
        Account("A", contact_roles=[AccountContactRole("c1", "", True),
                                    AccountContactRole("c2", "", True)])  # fmt: skip
    assert info.value.paths == ["contact_roles"]
    with pytest.raises(ValidationError) as info:
        Account("A", contact_roles=[AccountContactRole("c1", "x"), AccountContactRole("c1", "x")])
    assert info.value.paths == ["contact_roles[1]"]


def test_validation_on_set_and_aggregate_fields() -> None:
    acc = Account("A", created_at=utc(2024, 1, 1), addresses=[Address(city="Lund", country="SE")])
    with pytest.raises(ValidationError) as info:
        acc.employees = -1
    assert info.value.paths == ["employees"]
    with pytest.raises(ValidationError):
        acc.turnover = 5  # type: ignore[assignment]
    acc.turnover = Money("1000000", "SEK")
    with pytest.raises(ValidationError) as info:
        Account("A", created_at=utc(2024, 2, 1), updated_at=utc(2024, 1, 1))
    assert info.value.paths == ["updated_at"]
    assert Account.entity_type() == "account"
