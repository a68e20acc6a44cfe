"""The fields every aggregate root shares: identity, version, timestamps, custom properties and
the raw record of an external system.

:class:`AggregateRoot` is the base of Account, Contact, Lead, Opportunity, Interaction, Case,
Order, Campaign, Product and Agreement. Its fields are keyword-only, so each entity keeps its own
positional arguments.

Examples:
    >>> from datetime import datetime, UTC
    >>> from crmkit.domain import Account
    >>> acc = Account("Nordvind AB", created_at=datetime(2024, 1, 1, tzinfo=UTC),
    ...               remote_id="0015g00000XyZ", custom={"segment": "SMB"})
    >>> acc.version, acc.updated_at == acc.created_at, acc.entity_type()
    (0, True, 'account')
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import attrs

from crmkit.domain.ids import new_id
from crmkit.domain.limits import REMOTE_ID_MAX
from crmkit.domain.properties import CustomValue, PropertyRegistry, custom_values
from crmkit.domain.validators import (
    aware_datetime,
    compile_validation,
    identifier,
    instance_of,
    json_object,
    non_negative,
    optional_non_empty_text,
    to_utc,
)
from crmkit.errors import Problem, ValidationError

__all__ = ["AggregateRoot", "default_property_registry", "utc_now"]

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")

_DEFAULT_REGISTRY = PropertyRegistry()


def default_property_registry() -> PropertyRegistry:
    """The process-wide :class:`PropertyRegistry` that :meth:`AggregateRoot.validate_custom`
    uses when none is given (empty until you register schemas).

    Examples:
        >>> from crmkit.domain import default_property_registry
        >>> default_property_registry() is default_property_registry()
        True
    """
    return _DEFAULT_REGISTRY


def utc_now() -> datetime:
    """The current time, aware, in UTC.

    Examples:
        >>> from crmkit.domain import utc_now
        >>> utc_now().tzinfo is not None
        True
    """
    return datetime.now(UTC)


def _same_as_created(self: AggregateRoot) -> datetime:
    return self.created_at


@compile_validation
@attrs.define(kw_only=True)
class AggregateRoot:
    """Base of the aggregate roots; all fields are keyword-only.

    Attributes:
        id: opaque identifier (default: a new time-ordered id).
        version: optimistic-concurrency version; stores bump it on save.
        created_at: when the record was created (aware, stored in UTC; default: now).
        updated_at: when it was last changed (default: ``created_at``; never before it).
        custom: custom property values (JSON scalars), validated against a
            :class:`~crmkit.domain.PropertySchema` by :meth:`validate_custom`.
        remote_id: the record's id in an external system (Salesforce, HubSpot ...).
        remote_data: the raw record of that system, kept as it came: plain JSON (string keys,
            lists, text, ints within ±(2**63 − 1), finite floats, bools, ``None``) nested at
            most 32 levels; tuples, sets and other objects are refused, never converted
            (see :mod:`crmkit.domain.limits`).

    ``repr()`` leaves these fields out, so an entity prints its name and key fields first
    (read the id and timestamps as attributes); equality still compares them.

    Examples:
        >>> from crmkit.domain import Account
        >>> repr(Account("Nordvind AB", industry="Retail"))[:47]
        "Account(name='Nordvind AB', organisation_number"
        >>> from crmkit.domain import Product, Money
        >>> Product("SKU-1", "Support hour", price=Money("950", "SEK"), version=-1)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: version: -1 must be zero or more
    """

    # left out of repr(): an entity prints its name and key fields, not its bookkeeping
    id: str = attrs.field(factory=new_id, validator=identifier, repr=False)
    version: int = attrs.field(default=0, validator=[instance_of(int), non_negative], repr=False)
    created_at: datetime = attrs.field(
        factory=utc_now, converter=to_utc, validator=aware_datetime, repr=False
    )
    updated_at: datetime = attrs.field(
        default=attrs.Factory(_same_as_created, takes_self=True),
        converter=to_utc,
        validator=aware_datetime,
        repr=False,
    )
    custom: dict[str, CustomValue] = attrs.field(factory=dict, validator=custom_values, repr=False)
    remote_id: str | None = attrs.field(
        default=None, validator=optional_non_empty_text(REMOTE_ID_MAX), repr=False
    )
    remote_data: dict[str, Any] = attrs.field(factory=dict, validator=json_object, repr=False)

    def __attrs_post_init__(self) -> None:
        if self.updated_at < self.created_at:
            raise ValidationError.single(
                "updated_at", self.updated_at, "must not be before created_at"
            )

    @classmethod
    def entity_type(cls) -> str:
        """The entity type name used for property schemas and error paths.

        Examples:
            >>> from crmkit.domain import Opportunity
            >>> Opportunity.entity_type()
            'opportunity'
        """
        return _CAMEL.sub("_", cls.__name__).lower()

    def touch(self, at: datetime) -> None:
        """Record a change at ``at`` (moves ``updated_at`` forward, never back).

        Examples:
            >>> from datetime import datetime, UTC
            >>> from crmkit.domain import Account
            >>> acc = Account("A", created_at=datetime(2024, 1, 1, tzinfo=UTC))
            >>> acc.touch(datetime(2024, 2, 1, tzinfo=UTC))
            >>> acc.updated_at.month
            2
        """
        at = to_utc(at)
        if at > self.updated_at:
            self.updated_at = at

    def revalidate(self) -> None:
        """Run every field's validator again and raise one ValidationError listing the problems.

        Assigning a field validates it, but changing a mutable value in place (``custom``,
        ``remote_data``, a list) does not. A store calls this before it writes, so a NaN or a
        NUL put into ``custom["score"]`` after construction is refused like any other.

        Examples:
            >>> from crmkit.domain import Account
            >>> account = Account("Acme")
            >>> account.custom["score"] = float("nan")  # in place: no validator runs
            >>> account.revalidate()
            Traceback (most recent call last):
            ...
            crmkit.errors.ValidationError: custom.score: nan must be a finite number, not NaN
        """
        problems: list[Problem] = []
        for field in attrs.fields(type(self)):
            if field.validator is None:
                continue
            try:
                field.validator(self, field, getattr(self, field.name))
            except ValidationError as error:
                problems.extend(error.problems)
        if problems:
            raise ValidationError(problems)

    def validate_custom(self, registry: PropertyRegistry | None = None) -> None:
        """Validate :attr:`custom` against the schema registered for this entity type.

        Examples:
            >>> from crmkit.domain import (Account, PropertyDefinition, PropertyRegistry,
            ...                            PropertySchema, PropertyType)
            >>> registry = PropertyRegistry([PropertySchema("account", [
            ...     PropertyDefinition("segment", PropertyType.ENUM, options=("SMB", "LARGE"))])])
            >>> Account("A", custom={"segment": "MID"}).validate_custom(registry)
            Traceback (most recent call last):
            ...
            crmkit.errors.ValidationError: custom.segment: 'MID' must be one of 'SMB', 'LARGE'
        """
        (registry or _DEFAULT_REGISTRY).validate(self.entity_type(), self.custom)
