"""Custom properties: a typed, schema-described property bag per entity type.

Every aggregate carries ``custom: dict[str, str | int | float | bool | None]``. A
:class:`PropertySchema` says which names an entity type may carry, their types, whether they
are required and, for enums, the allowed options. A :class:`PropertyRegistry` keeps one schema
per entity type name (``"account"``, ``"lead"`` ...). No subclassing is needed to add a field.

Examples:
    >>> from crmkit.domain import PropertyDefinition, PropertySchema, PropertyType
    >>> schema = PropertySchema("account", [
    ...     PropertyDefinition("segment", PropertyType.ENUM, options=("A", "B", "C")),
    ...     PropertyDefinition("founded", PropertyType.INTEGER),
    ... ])
    >>> schema.validate({"segment": "A", "founded": 1998})
    >>> schema.validate({"segment": "D", "founded": "1998"})
    Traceback (most recent call last):
    ...
    crmkit.errors.ValidationError: custom.segment: 'D' must be one of 'A', 'B', 'C'
    custom.founded: '1998' must be an integer
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import Any, TypeAlias

import attrs

from crmkit.domain.limits import INT_MAX, KEY_MAX, clean_text, scalar_problem, text_problem
from crmkit.domain.validators import (
    compile_validation,
    fail,
    inline_check,
    instance_of,
    non_empty,
    text,
)
from crmkit.errors import NotFoundError, Problem, ValidationError

__all__ = [
    "CustomValue",
    "PropertyDefinition",
    "PropertyRegistry",
    "PropertySchema",
    "PropertyType",
    "custom_values",
]

#: A custom property value: a JSON scalar (text without NUL or lone surrogates, an int
#: within ±(2**63 − 1), a finite float, a bool or ``None``; see :mod:`crmkit.domain.limits`).
CustomValue: TypeAlias = str | int | float | bool | None

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _is_name(value: Any) -> bool:
    """A property name: an ASCII identifier of at most KEY_MAX characters."""
    return isinstance(value, str) and len(value) <= KEY_MAX and _NAME.fullmatch(value) is not None


class PropertyType(enum.Enum):
    """The type of a custom property.

    ``DATE`` values are ISO strings (``"2025-03-31"``) so that the bag stays JSON scalars.

    Examples:
        >>> from crmkit.domain import PropertyType
        >>> PropertyType("enum") is PropertyType.ENUM
        True
    """

    STRING = "string"
    INTEGER = "integer"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    DATE = "date"
    ENUM = "enum"


def _value_problem(kind: PropertyType, options: tuple[str, ...], value: Any) -> str | None:
    """Why ``value`` is not a valid ``kind`` (``None`` when it is)."""
    if kind is PropertyType.STRING:
        return None if isinstance(value, str) else "must be a string"
    if kind is PropertyType.INTEGER:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else "must be an integer"
    if kind is PropertyType.DECIMAL:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "must be a number"
        return (
            None
            if value == value and value not in (float("inf"), float("-inf"))
            else ("must be a finite number")
        )
    if kind is PropertyType.BOOLEAN:
        return None if isinstance(value, bool) else "must be true or false"
    if kind is PropertyType.DATE:
        if not isinstance(value, str):
            return "must be an ISO date string (YYYY-MM-DD)"
        try:
            date.fromisoformat(value)
        except ValueError:
            return "must be an ISO date string (YYYY-MM-DD)"
        return None
    listed = ", ".join(repr(o) for o in options)
    return None if value in options else f"must be one of {listed}"


def _as_tuple(value: Any) -> Any:
    """A list, tuple or other collection as a tuple; text and non-collections are left for the
    validator to name (``"SMB"`` never becomes ``("S", "M", "B")``)."""
    if isinstance(value, Iterable) and not isinstance(value, str | bytes | bytearray | Mapping):
        return tuple(value)
    return value


def _option_values(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, tuple):
        fail(attribute, value, "must be a list of strings")
    for item in value:
        if not isinstance(item, str) or not item.strip():
            fail(attribute, item, "must be a non-empty string")
        message = text_problem(item)
        if message is not None:
            fail(attribute, item, message)


def _name(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not _is_name(value):
        fail(
            attribute,
            value,
            f"must be an identifier (letters, digits, underscore; at most {KEY_MAX} characters)",
        )


@compile_validation
@attrs.frozen
class PropertyDefinition:
    """One custom property: name, type, whether required, enum options and a description.

    Attributes:
        name: the key in ``custom`` (an identifier such as ``"segment"``).
        type: the :class:`PropertyType`.
        required: whether every record must carry a non-``None`` value.
        options: the allowed values of an ``ENUM`` property (and only of one).
        description: free text for people and forms.

    Examples:
        >>> from crmkit.domain import PropertyDefinition, PropertyType
        >>> PropertyDefinition("size", PropertyType.ENUM)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: options: () must list the allowed values of an enum property
    """

    name: str = attrs.field(validator=_name)
    type: PropertyType = attrs.field(validator=instance_of(PropertyType))
    required: bool = attrs.field(default=False, validator=instance_of(bool))
    options: tuple[str, ...] = attrs.field(
        default=(), converter=_as_tuple, validator=_option_values
    )
    description: str = attrs.field(default="", validator=text())

    def __attrs_post_init__(self) -> None:
        if self.type is PropertyType.ENUM and not self.options:
            raise ValidationError.single(
                "options", self.options, "must list the allowed values of an enum property"
            )
        if self.type is not PropertyType.ENUM and self.options:
            raise ValidationError.single(
                "options", self.options, "are only allowed for enum properties"
            )
        if len(set(self.options)) != len(self.options):
            raise ValidationError.single("options", self.options, "must not repeat a value")

    def problem(self, value: CustomValue) -> str | None:
        """Why ``value`` is invalid for this property, or ``None`` when it is valid.

        Examples:
            >>> from crmkit.domain import PropertyDefinition, PropertyType
            >>> d = PropertyDefinition("renewal", PropertyType.DATE)
            >>> d.problem("2025-13-01")
            'must be an ISO date string (YYYY-MM-DD)'
            >>> d.problem(None) is None
            True
        """
        if value is None:
            return "is required" if self.required else None
        return _value_problem(self.type, self.options, value)


def _unique_definitions(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, tuple):
        fail(attribute, value, "must be a list of PropertyDefinition")
    seen: set[str] = set()
    for item in value:
        if not isinstance(item, PropertyDefinition):
            fail(attribute, item, "must be a PropertyDefinition")
        if item.name in seen:
            fail(attribute, item.name, "is defined twice")
        seen.add(item.name)


@compile_validation
@attrs.frozen
class PropertySchema:
    """The custom properties one entity type may carry.

    Attributes:
        entity: the entity type name (``"account"``, ``"contact"``, ``"lead"`` ...).
        definitions: the property definitions; names must be unique.
        allow_unknown: whether names not in the schema are accepted (default: refused).

    Examples:
        >>> from crmkit.domain import PropertyDefinition, PropertySchema, PropertyType
        >>> schema = PropertySchema("lead", [PropertyDefinition("score", PropertyType.DECIMAL,
        ...                                                     required=True)])
        >>> schema.validate({})
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: custom.score: is required
        >>> schema.validate({"score": 0.5, "color": "red"})
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: custom.color: 'red' is not a property of lead
    """

    entity: str = attrs.field(validator=non_empty)
    definitions: tuple[PropertyDefinition, ...] = attrs.field(
        factory=tuple, converter=_as_tuple, validator=_unique_definitions
    )
    allow_unknown: bool = False

    def __getitem__(self, name: str) -> PropertyDefinition:
        for definition in self.definitions:
            if definition.name == name:
                return definition
        known = ", ".join(d.name for d in self.definitions)
        raise NotFoundError(f"{self.entity} has no custom property {name!r}; known: {known}")

    def __iter__(self) -> Iterator[PropertyDefinition]:
        return iter(self.definitions)

    def __len__(self) -> int:
        return len(self.definitions)

    def problems(self, custom: Mapping[str, Any]) -> list[Problem]:
        """Every problem of ``custom`` against this schema, paths ``custom.<name>``.

        Examples:
            >>> from crmkit.domain import PropertyDefinition, PropertySchema, PropertyType
            >>> s = PropertySchema("case", [PropertyDefinition("vip", PropertyType.BOOLEAN)])
            >>> [p.path for p in s.problems({"vip": "yes"})]
            ['custom.vip']
        """
        problems: list[Problem] = []
        by_name = {d.name: d for d in self.definitions}
        for definition in self.definitions:
            if definition.name not in custom:
                if definition.required:
                    problems.append(Problem(f"custom.{definition.name}", message="is required"))
                continue
            value = custom[definition.name]
            message = definition.problem(value)
            if message is not None:
                problems.append(Problem(f"custom.{definition.name}", value, message))
        if not self.allow_unknown:
            for name, value in custom.items():
                if name not in by_name:
                    problems.append(
                        Problem(f"custom.{name}", value, f"is not a property of {self.entity}")
                    )
        return problems

    def validate(self, custom: Mapping[str, Any]) -> None:
        """Raise one :class:`~crmkit.errors.ValidationError` listing every problem.

        Examples:
            >>> from crmkit.domain import PropertyDefinition, PropertySchema, PropertyType
            >>> s = PropertySchema("account", [PropertyDefinition("vip", PropertyType.BOOLEAN)])
            >>> s.validate({"vip": True})
        """
        problems = self.problems(custom)
        if problems:
            raise ValidationError(problems)


class PropertyRegistry:
    """One :class:`PropertySchema` per entity type name.

    Entity type names are the lower-case class names with underscores (``"account"``,
    ``"opportunity"``, ``"key_account_relationship"``). An entity type without a schema accepts
    any JSON-scalar values.

    Examples:
        >>> from crmkit.domain import (PropertyDefinition, PropertyRegistry, PropertySchema,
        ...                            PropertyType)
        >>> registry = PropertyRegistry()
        >>> registry.register(PropertySchema("account", [
        ...     PropertyDefinition("segment", PropertyType.STRING)]))
        >>> registry.validate("account", {"segment": "SMB"})
        >>> registry.validate("contact", {"anything": 1})
        >>> "account" in registry, registry.entities()
        (True, ['account'])
    """

    def __init__(self, schemas: Iterable[PropertySchema] = ()) -> None:
        self._schemas: dict[str, PropertySchema] = {}
        for schema in schemas:
            self.register(schema)

    def register(self, schema: PropertySchema, *, replace: bool = False) -> None:
        """Add ``schema`` for its entity type; refuses a second schema unless ``replace``.

        Examples:
            >>> from crmkit.domain import PropertyRegistry, PropertySchema
            >>> r = PropertyRegistry([PropertySchema("lead")])
            >>> r.register(PropertySchema("lead"))
            Traceback (most recent call last):
            ...
            crmkit.errors.ValidationError: entity: 'lead' already has a property schema
        """
        if not isinstance(schema, PropertySchema):
            raise ValidationError.single("schema", schema, "must be a PropertySchema")
        if schema.entity in self._schemas and not replace:
            raise ValidationError.single("entity", schema.entity, "already has a property schema")
        self._schemas[schema.entity] = schema

    def get(self, entity: str) -> PropertySchema | None:
        """The schema of ``entity`` or ``None``.

        Examples:
            >>> from crmkit.domain import PropertyRegistry
            >>> PropertyRegistry().get("account") is None
            True
        """
        return self._schemas.get(entity)

    def __getitem__(self, entity: str) -> PropertySchema:
        try:
            return self._schemas[entity]
        except KeyError:
            known = ", ".join(sorted(self._schemas)) or "none"
            raise NotFoundError(
                f"no property schema for {entity!r}; schemas exist for: {known}"
            ) from None

    def __contains__(self, entity: object) -> bool:
        return entity in self._schemas

    def entities(self) -> list[str]:
        """The entity type names that have a schema, sorted."""
        return sorted(self._schemas)

    def validate(self, entity: str, custom: Mapping[str, Any]) -> None:
        """Validate ``custom`` against the schema of ``entity`` (no schema: anything goes).

        Examples:
            >>> from crmkit.domain import (PropertyDefinition, PropertyRegistry,
            ...                            PropertySchema, PropertyType)
            >>> r = PropertyRegistry([PropertySchema("lead", [
            ...     PropertyDefinition("budget", PropertyType.INTEGER)])])
            >>> r.validate("lead", {"budget": 1.5})
            Traceback (most recent call last):
            ...
            crmkit.errors.ValidationError: custom.budget: 1.5 must be an integer
        """
        schema = self._schemas.get(entity)
        if schema is not None:
            schema.validate(custom)


def custom_values(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Attrs validator for a ``custom`` bag: a dict of identifier keys to JSON scalars.

    Keys are ASCII identifiers of at most 128 characters; values are ``None``, bools, ints
    within ±(2**63 − 1), finite floats (never NaN or Infinity: they would poison every query
    of a store) or text without NUL or lone surrogates (see :mod:`crmkit.domain.limits`).

    Examples:
        >>> import attrs
        >>> from crmkit.domain.properties import custom_values
        >>> @attrs.define
        ... class A:
        ...     custom: dict[str, object] = attrs.field(factory=dict, validator=custom_values)
        >>> A({"tags": ["a"]})
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: custom.tags: ['a'] must be a string, number, boolean or null
        >>> A({"score": float("nan")})
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: custom.score: nan must be a finite number, not NaN
    """
    if value.__class__ is dict and _plain_bag(value):  # fast path: nothing to report
        return
    if not isinstance(value, dict):
        fail(attribute, value, "must be a dict of property names to values")
    problems = []
    for key, item in value.items():
        if not _is_name(key):
            problems.append(Problem(f"{attribute.name}.{key}", key, "is not a valid property name"))
            continue
        message = scalar_problem(item)
        if message is not None:
            problems.append(Problem(f"{attribute.name}.{key}", item, message))
    if problems:
        raise ValidationError(problems)


def _plain_bag(value: dict[Any, Any]) -> bool:
    """Whether :func:`custom_values` accepts the dict ``value`` for certain (a sufficient
    check, cheaper than the validator: exact types only, keys ASCII identifiers)."""
    for key, item in value.items():
        if key.__class__ is not str or len(key) > KEY_MAX or not key.isascii():
            return False
        if not key.isidentifier():  # for ASCII text: _NAME's pattern
            return False
        kind = item.__class__
        if kind is str:
            if not clean_text(item):
                return False
        elif kind is int:
            if not -INT_MAX <= item <= INT_MAX:
                return False
        elif kind is float:
            if item - item != 0.0:  # NaN or an infinity
                return False
        elif item is not None and kind is not bool:
            return False
    return True


inline_check(
    custom_values, "({v}.__class__ is dict and (not {v} or {plain}({v})))", plain=_plain_bag
)
