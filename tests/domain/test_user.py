"""Users, teams, territories, routing and owner reassignment."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.domain import (
    Account,
    Lead,
    Money,
    Opportunity,
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
from crmkit.errors import ValidationError
from crmkit.serde import from_dict, from_json, to_dict, to_json
from crmkit.testing.strategies import (
    owner_changes,
    teams,
    territories,
    territory_rules,
    users,
)
from tests.domain.conftest import utc


@settings(max_examples=40, deadline=None)
@given(st.one_of(users(), teams(), territories(), territory_rules(), owner_changes()))
def test_every_type_round_trips_through_dict_and_json(value: Any) -> None:
    cls = type(value)
    assert from_dict(cls, to_dict(value)) == value
    assert from_json(cls, to_json(value)) == value


def test_user_fields_are_validated_with_their_path() -> None:
    with pytest.raises(ValidationError) as info:
        User("", "anna@example.se")
    assert info.value.paths == ["name"]
    with pytest.raises(ValidationError) as info:
        User("Anna", "anna@example.se", role="admin")  # type: ignore[arg-type]
    assert info.value.paths == ["role"]
    user = User("Anna", "anna@example.se", role=UserRole.ADMIN)
    with pytest.raises(ValidationError) as info:
        user.email = "nope"
    assert info.value.paths == ["email"]
    assert user.entity_type() == "user"


def test_team_membership() -> None:
    team = Team("Inside sales", member_ids=["u-1", "u-2"], manager_id="u-9")
    team.add("u-3")
    assert team.member_ids == ["u-1", "u-2", "u-3"]
    with pytest.raises(ValidationError) as info:
        team.add("u-1")
    assert info.value.paths == ["member_ids[3]"]
    assert team.member_ids == ["u-1", "u-2", "u-3"]  # refused: unchanged
    team.remove("u-2")
    assert team.member_ids == ["u-1", "u-3"]
    with pytest.raises(ValidationError) as info:
        Team("T", member_ids=["u-1", " "])
    assert info.value.paths == ["member_ids[1]"]


def test_rule_conditions_all_hold() -> None:
    rule = TerritoryRule(regions=["Norrland", "Svealand"], industries=["Mining"],
                         min_employees=100, max_employees=1000)  # fmt: skip
    assert rule.matches(Account("A", region=" norrland", industry="MINING", employees=100))
    assert rule.matches(Account("B", region="Svealand", industry="mining", employees=1000))
    assert not rule.matches(Account("C", region="Götaland", industry="mining", employees=500))
    assert not rule.matches(Account("D", region="Norrland", industry="retail", employees=500))
    assert not rule.matches(Account("E", region="Norrland", industry="mining", employees=1001))
    assert not rule.matches(Account("F", region="Norrland", industry="mining"))
    assert TerritoryRule().matches(Account("G"))
    with pytest.raises(ValidationError) as info:
        TerritoryRule(regions=["ok", ""])
    assert info.value.paths == ["regions[1]"]
    with pytest.raises(ValidationError) as info:
        TerritoryRule(min_employees=-1)
    assert info.value.paths == ["min_employees"]


def test_routing_picks_lowest_priority_then_name() -> None:
    everyone = TerritoryRule()
    b = Territory("B", rules=[everyone], priority=5, member_ids=["u-2"])
    a = Territory("A", rules=[everyone], priority=5, owner_id="u-1")
    low = Territory("Low", rules=[everyone], priority=50)
    none = Territory("No rules", priority=0)
    account = Account("Acme")
    assert route(account, [low, b, a, none]) is a
    assert route(account, [none]) is None
    assert a.assignee == "u-1"
    assert b.assignee == "u-2"
    assert low.assignee is None


@settings(max_examples=50, deadline=None)
@given(st.lists(territories(), max_size=5), st.randoms())
def test_routing_does_not_depend_on_order(found: list[Territory], rnd: Any) -> None:
    account = Account("Acme", region="Norrland", industry="Mining", employees=250)
    shuffled = list(found)
    rnd.shuffle(shuffled)
    first, second = route(account, found), route(account, shuffled)
    assert first is second
    if first is not None:
        assert first.covers(account)
        assert all(first.priority <= t.priority for t in found if t.covers(account))
    else:
        assert not any(t.covers(account) for t in found)


def test_reassigning_an_owner_is_recorded(pipe: Any) -> None:
    anna = User("Anna", "anna@example.se")
    boss = User("Boss", "boss@example.se", role=UserRole.SALES_MANAGER)
    opp = Opportunity.open("Deal", account_id="acc-1", amount=Money("10", "SEK"),
                           close_date=date(2025, 6, 1), pipeline=pipe, owner_id="u-old",
                           at=utc(2025, 1, 1))  # fmt: skip
    change = reassign_owner(opp, anna, at=utc(2025, 2, 1), by=boss, reason="territory change")
    assert isinstance(change, OwnerChange)
    assert opp.owner_id == anna.id
    assert opp.updated_at == utc(2025, 2, 1)
    assert (change.record_type, change.record_id) == ("opportunity", opp.id)
    assert (change.from_owner_id, change.to_owner_id, change.changed_by) == (
        "u-old",
        anna.id,
        boss.id,
    )
    assert change.changed_at == change.created_at == utc(2025, 2, 1)
    assert from_json(OwnerChange, to_json(change)) == change


def test_reassignment_refuses_bad_targets() -> None:
    lead = Lead("Nils", "Berg", owner_id="u-1")
    with pytest.raises(ValidationError) as info:
        reassign_owner(lead, User("Gone", "gone@example.se", active=False), at=utc(2025, 1, 1))
    assert info.value.paths == ["to"]
    with pytest.raises(ValidationError) as info:
        reassign_owner(lead, " ", at=utc(2025, 1, 1))
    assert info.value.paths == ["to_owner_id"]
    assert lead.owner_id == "u-1"  # nothing changed
    with pytest.raises(ValidationError) as info:
        reassign_owner(object(), "u-2", at=utc(2025, 1, 1))
    assert info.value.paths == ["record"]


def test_assign_territory_routes_and_records() -> None:
    north = Territory("North", rules=[TerritoryRule(regions=["Norrland"])], member_ids=["u-a"])
    empty = Territory("Nobody", rules=[TerritoryRule(industries=["Retail"])], priority=0)
    account = Account("Luleå Stål AB", region="Norrland", owner_id="u-old")
    change = assign_territory(account, [empty, north], at=utc(2025, 1, 1), by="u-boss")
    assert change is not None
    assert (account.owner_id, change.from_owner_id, change.changed_by) == ("u-a", "u-old", "u-boss")
    assert change.reason == "territory North"
    assert assign_territory(account, [north], at=utc(2025, 1, 2)) is None  # already right
    retail = Account("Butik AB", industry="retail", owner_id="u-old")
    assert assign_territory(retail, [empty, north], at=utc(2025, 1, 1)) is None  # nobody
    assert retail.owner_id == "u-old"
    assert assign_territory(Account("Elsewhere"), [north], at=utc(2025, 1, 1)) is None


def test_id_and_key_lists_follow_the_text_rules() -> None:
    with pytest.raises(ValidationError) as info:
        Team("T", member_ids=["u-1", "u\x00-2"])
    assert info.value.paths == ["member_ids[1]"]
    with pytest.raises(ValidationError) as info:
        Team("T", member_ids=["x" * 300])
    assert info.value.paths == ["member_ids[0]"]
    with pytest.raises(ValidationError) as info:
        TerritoryRule(industries=["ok", 7])  # type: ignore[list-item]
    assert info.value.paths == ["industries[1]"]
    with pytest.raises(ValidationError) as info:
        Territory("T", member_ids="u-1")  # type: ignore[arg-type]
    assert info.value.paths == ["member_ids"]
