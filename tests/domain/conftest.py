from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crmkit.domain import Pipeline, default_pipeline


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.fixture
def pipe() -> Pipeline:
    return default_pipeline()
