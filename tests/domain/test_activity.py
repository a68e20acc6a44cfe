"""Tasks and notes: status changes, reminders, links, overdue queries, logging interactions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.domain import (
    InteractionStatus,
    InteractionType,
    Note,
    RecordLink,
    Task,
    TaskPriority,
    TaskStatus,
    overdue_tasks,
)
from crmkit.errors import InvalidTransitionError, ValidationError
from crmkit.serde import from_dict, from_json, to_dict, to_json
from crmkit.testing.strategies import notes, record_links, tasks, utc_datetimes
from tests.domain.conftest import utc


@settings(max_examples=40, deadline=None)
@given(st.one_of(tasks(), notes(), record_links()))
def test_every_type_round_trips_through_dict_and_json(value: Any) -> None:
    cls = type(value)
    assert from_dict(cls, to_dict(value)) == value
    assert from_json(cls, to_json(value)) == value


def test_task_life_cycle() -> None:
    task = Task("Send offer", due_at=utc(2025, 3, 1, 9), remind_at=utc(2025, 3, 1, 8),
                created_at=utc(2025, 2, 1))  # fmt: skip
    assert task.status is TaskStatus.OPEN
    assert task.is_overdue(utc(2025, 3, 1, 10))
    assert not task.is_overdue(utc(2025, 3, 1, 9))  # due, not yet overdue
    assert task.complete(utc(2025, 3, 2)) is None
    assert (task.status, task.completed_at, task.updated_at) == (
        TaskStatus.DONE,
        utc(2025, 3, 2),
        utc(2025, 3, 2),
    )
    assert not task.is_overdue(utc(2025, 4, 1))
    with pytest.raises(InvalidTransitionError) as info:
        task.cancel(utc(2025, 3, 3))
    assert info.value.paths == ["status"]
    task.reopen()
    assert (task.status, task.completed_at) == (TaskStatus.OPEN, None)
    with pytest.raises(InvalidTransitionError):
        task.reopen()
    task.cancel(utc(2025, 3, 4))
    assert task.status is TaskStatus.CANCELLED


def test_task_consistency_rules_name_the_field() -> None:
    with pytest.raises(ValidationError) as info:
        Task("x", due_at=utc(2025, 1, 1), remind_at=utc(2025, 1, 2))
    assert info.value.paths == ["remind_at"]
    with pytest.raises(ValidationError) as info:
        Task("x", status=TaskStatus.DONE)
    assert info.value.paths == ["completed_at"]
    with pytest.raises(ValidationError) as info:
        Task("x", completed_at=utc(2025, 1, 1))
    assert info.value.paths == ["completed_at"]
    with pytest.raises(ValidationError) as info:
        Task("x", due_at=datetime(2025, 1, 1))  # naive
    assert info.value.paths == ["due_at"]
    with pytest.raises(ValidationError) as info:
        Task("x", links=[RecordLink("lead", "l-1"), RecordLink("lead", "l-1")])
    assert info.value.paths == ["links[1]"]
    with pytest.raises(ValidationError) as info:
        Task("x", links=[("lead", "l-1")])  # type: ignore[list-item]
    assert info.value.paths == ["links[0]"]
    with pytest.raises(ValidationError) as info:
        RecordLink("lead", "")
    assert info.value.paths == ["record_id"]


def test_completing_can_log_an_interaction() -> None:
    task = Task("Call back", assignee_id="u-7", links=[
        RecordLink("opportunity", "o-1"), RecordLink("lead", "l-1"),
        RecordLink("account", "a-1"), RecordLink("case", "k-1")])  # fmt: skip
    interaction = task.complete(
        utc(2025, 5, 5, 14), log_interaction=True, interaction_type=InteractionType.CALL,
        outcome="agreed on a meeting")  # fmt: skip
    assert interaction is not None
    assert interaction.type is InteractionType.CALL
    assert interaction.status is InteractionStatus.DONE
    assert interaction.done_at == utc(2025, 5, 5, 14)
    assert (interaction.subject, interaction.outcome, interaction.owner_id) == (
        "Call back",
        "agreed on a meeting",
        "u-7",
    )
    assert (interaction.account_id, interaction.lead_id, interaction.contact_id) == (
        "a-1",
        "l-1",
        None,
    )
    assert (interaction.opportunity_id, interaction.case_id) == ("o-1", "k-1")
    # a contact wins over a lead: an interaction has one person
    both = Task("Visit", links=[RecordLink("lead", "l-1"), RecordLink("contact", "c-1")])
    logged = both.complete(utc(2025, 5, 6), log_interaction=True)
    assert logged is not None
    assert (logged.contact_id, logged.lead_id, logged.type) == ("c-1", None, InteractionType.TASK)


def test_overdue_tasks_order_and_filter() -> None:
    at = utc(2025, 6, 1)
    old_low = Task("old low", due_at=utc(2025, 1, 1), priority=TaskPriority.LOW)
    old_high = Task("old high", due_at=utc(2025, 1, 1), priority=TaskPriority.HIGH)
    newer = Task("newer", due_at=utc(2025, 5, 1), assignee_id="u-1")
    future = Task("future", due_at=utc(2025, 7, 1))
    undated = Task("undated")
    done = Task("done", due_at=utc(2025, 1, 1), status=TaskStatus.DONE,
                completed_at=utc(2025, 1, 2))  # fmt: skip
    found = overdue_tasks([newer, future, old_low, undated, done, old_high], at)
    assert [t.subject for t in found] == ["old high", "old low", "newer"]
    assert overdue_tasks([newer, old_low], at, assignee_id="u-1") == [newer]


@settings(max_examples=60, deadline=None)
@given(st.lists(tasks(), max_size=8), utc_datetimes())
def test_overdue_is_exactly_the_open_tasks_past_due(found: list[Task], at: datetime) -> None:
    result = overdue_tasks(found, at)
    expected = [t for t in found if t.status is TaskStatus.OPEN and t.due_at and t.due_at < at]
    assert sorted(t.id for t in result) == sorted(t.id for t in expected)
    due = [t.due_at for t in result]
    assert due == sorted(due)  # type: ignore[type-var]


def test_notes_link_records() -> None:
    note = Note("Met at the fair; wants a demo in May", author_id="u-1",
                links=[RecordLink("lead", "l-1"), RecordLink("account", "a-1")],
                created_at=utc(2025, 4, 1))  # fmt: skip
    assert note.written_at == utc(2025, 4, 1)
    assert note.linked_ids("account") == ["a-1"]
    assert note.is_linked_to("lead", "l-1")
    assert not note.is_linked_to("lead", "l-2")
    assert note.entity_type() == "note"
    with pytest.raises(ValidationError) as info:
        note.body = ""
    assert info.value.paths == ["body"]
