from __future__ import annotations

import pytest

from crmkit.domain import (
    Account,
    Lead,
    PropertyDefinition,
    PropertyRegistry,
    PropertySchema,
    PropertyType,
)
from crmkit.errors import NotFoundError, ValidationError

SCHEMA = PropertySchema(
    "account",
    [
        PropertyDefinition("segment", PropertyType.ENUM, required=True, options=("SMB", "LARGE")),
        PropertyDefinition("founded", PropertyType.INTEGER),
        PropertyDefinition("score", PropertyType.DECIMAL),
        PropertyDefinition("vip", PropertyType.BOOLEAN),
        PropertyDefinition("renewal", PropertyType.DATE),
        PropertyDefinition("note", PropertyType.STRING),
    ],
)


def test_valid_values_pass() -> None:
    SCHEMA.validate(
        {
            "segment": "SMB",
            "founded": 1998,
            "score": 0.5,
            "vip": False,
            "renewal": "2025-03-31",
            "note": "x",
        }
    )
    SCHEMA.validate({"segment": "LARGE", "founded": None, "score": 3})


def test_every_problem_reported_with_custom_paths() -> None:
    with pytest.raises(ValidationError) as info:
        SCHEMA.validate(
            {
                "founded": True,
                "score": "1",
                "vip": 1,
                "renewal": "31/03/2025",
                "note": 5,
                "colour": "red",
            }
        )
    assert info.value.paths == [
        "custom.segment", "custom.founded", "custom.score", "custom.vip", "custom.renewal",
        "custom.note", "custom.colour",
    ]  # fmt: skip


def test_definitions_are_checked() -> None:
    with pytest.raises(ValidationError):
        PropertyDefinition("x", PropertyType.ENUM)
    with pytest.raises(ValidationError):
        PropertyDefinition("x", PropertyType.STRING, options=("a",))
    with pytest.raises(ValidationError):
        PropertyDefinition("not valid", PropertyType.STRING)
    with pytest.raises(ValidationError):
        PropertySchema("account", [PropertyDefinition("a", PropertyType.STRING)] * 2)
    with pytest.raises(NotFoundError):
        SCHEMA["nope"]


def test_registry_validates_entities_by_type() -> None:
    registry = PropertyRegistry([SCHEMA])
    Account("A", custom={"segment": "SMB"}).validate_custom(registry)
    with pytest.raises(ValidationError) as info:
        Account("A", custom={"segment": "MID"}).validate_custom(registry)
    assert info.value.paths == ["custom.segment"]
    Lead("L", custom={"anything": 1}).validate_custom(registry)  # no schema for leads
    with pytest.raises(ValidationError):
        registry.register(SCHEMA)
    registry.register(PropertySchema("account"), replace=True)
    assert len(registry["account"]) == 0


def test_custom_bag_holds_only_json_scalars() -> None:
    with pytest.raises(ValidationError) as info:
        Account("A", custom={"tags": ["a"], "bad key": 1})
    assert info.value.paths == ["custom.tags", "custom.bad key"]
