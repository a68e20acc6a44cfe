"""Scoring analytics that run on the shared aggregation spec: records keep their number types."""

from __future__ import annotations

from datetime import date
from typing import Any

from crmkit.scoring import engagement_summary


def test_engagement_counts_are_ints_and_odd_type_values_count_as_no_type() -> None:
    events: list[dict[str, Any]] = [
        {"lead_id": "a", "type": "webinar", "done_at": date(2025, 1, 3)},
        {"lead_id": "a", "type": ["webinar"], "done_at": date(2025, 1, 9)},  # unhashable
        {"lead_id": "a", "type": None, "done_at": date(2025, 1, 1)},
        {"lead_id": "b", "type": "visit", "done_at": date(2025, 1, 2)},
        {"lead_id": "b", "type": "webinar", "done_at": None},  # not done: left out
    ]
    out = engagement_summary(events, types=["webinar", "visit"])
    assert out == {
        "a": {"events": 3, "last_event_at": date(2025, 1, 9), "events:webinar": 1,
              "events:visit": 0},
        "b": {"events": 1, "last_event_at": date(2025, 1, 2), "events:webinar": 0,
              "events:visit": 1},
    }  # fmt: skip
    assert all(
        type(v) is int for row in out.values() for k, v in row.items() if k != "last_event_at"
    )
    assert list(out["a"]) == ["events", "last_event_at", "events:webinar", "events:visit"]
