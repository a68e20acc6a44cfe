"""The error hierarchy: typed, readable, and carrying every problem with its path."""

from __future__ import annotations

import pytest

from crmkit.errors import (
    ConflictError,
    CrmkitError,
    FitError,
    ImportRejectedError,
    InvalidTransitionError,
    MissingDependencyError,
    NotFoundError,
    Problem,
    ValidationError,
)
from crmkit.extras import require


def test_every_error_is_a_crmkit_error_and_the_right_builtin() -> None:
    assert issubclass(ValidationError, ValueError)
    assert issubclass(NotFoundError, LookupError)
    assert issubclass(MissingDependencyError, ImportError)
    for cls in (ConflictError, FitError, ImportRejectedError, InvalidTransitionError):
        assert issubclass(cls, CrmkitError)


def test_validation_error_lists_every_problem_one_per_line() -> None:
    err = ValidationError(
        [
            Problem("opportunity.amount.currency", "SEKK", "is not an ISO 4217 currency code"),
            Problem("opportunity.name", message="is required"),
        ]
    )
    assert str(err).splitlines() == [
        "opportunity.amount.currency: 'SEKK' is not an ISO 4217 currency code",
        "opportunity.name: is required",
    ]
    assert err.paths == ["opportunity.amount.currency", "opportunity.name"]


def test_prefixing_builds_nested_paths_including_list_indexes() -> None:
    err = ValidationError([Problem("[2].amount", 1, "is bad"), Problem("name", "x", "is bad")])
    assert err.prefixed("order.lines").paths == ["order.lines[2].amount", "order.lines.name"]


def test_collect_merges_errors_in_order() -> None:
    merged = ValidationError.collect(
        [ValidationError.single("a", 1, "is bad"), ValidationError.single("b", 2, "is worse")]
    )
    assert merged.paths == ["a", "b"]


def test_missing_extra_names_the_pip_command() -> None:
    with pytest.raises(MissingDependencyError, match=r"pip install 'crmkit\[stats\]'"):
        require("numpy_that_does_not_exist", "stats")
