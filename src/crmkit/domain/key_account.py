"""Key-account relationships and the four stages of the KAM journey (seed 003, L366–434).

The relationship between a supplier and a key customer develops through four stages:
bow-tie → one-on-many → duet → diamond team. Progress depends on the strategic intent of *both*
parties; when they want different stages the relationship is in a *frustration zone*. Moving
forward goes one stage at a time (relationships are built incrementally); moving backward is
allowed to any earlier stage ("moving backwards can be right"). Only duet and diamond team are
handled by a key account manager and count as key accounts.

Examples:
    >>> from datetime import datetime, UTC
    >>> from crmkit.domain import KamStage, KeyAccountRelationship
    >>> rel = KeyAccountRelationship(account_id="acc-1", stage=KamStage.BOW_TIE)
    >>> rel.move_to(KamStage.ONE_ON_MANY, at=datetime(2025, 1, 1, tzinfo=UTC))
    >>> rel.is_key_account
    False
    >>> rel.move_to(KamStage.DIAMOND_TEAM, at=datetime(2025, 6, 1, tzinfo=UTC))
    Traceback (most recent call last):
    ...
    crmkit.errors.InvalidTransitionError: stage: 'diamond_team' cannot follow 'one_on_many'; move forward one stage at a time (next: 'duet')
"""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from crmkit.domain.aggregate import AggregateRoot
from crmkit.domain.validators import (
    aware_datetime,
    compile_validation,
    identifier,
    instance_of,
    optional,
    optional_str,
    text,
    to_utc,
)
from crmkit.errors import InvalidTransitionError

__all__ = ["KamStage", "KamStageChange", "KeyAccountRelationship"]


class KamStage(enum.Enum):
    """The four relationship stages of seed 003, in order.

    Examples:
        >>> from crmkit.domain import KamStage
        >>> [s.order for s in KamStage]
        [1, 2, 3, 4]
        >>> KamStage.DUET.is_key_account, KamStage.BOW_TIE.is_key_account
        (True, False)
    """

    BOW_TIE = "bow_tie"
    ONE_ON_MANY = "one_on_many"
    DUET = "duet"
    DIAMOND_TEAM = "diamond_team"

    @property
    def order(self) -> int:
        """Position 1–4 in the KAM journey."""
        return _ORDER[self]

    @property
    def is_key_account(self) -> bool:
        """Duet and diamond team are managed by a key account manager (L376–379)."""
        return self in (KamStage.DUET, KamStage.DIAMOND_TEAM)

    @property
    def label(self) -> str:
        """The stage's name as the source writes it."""
        return _LABELS[self]

    def can_move_to(self, target: KamStage) -> bool:
        """Forward one stage at a time, or backward to any earlier stage.

        Examples:
            >>> from crmkit.domain import KamStage
            >>> KamStage.DUET.can_move_to(KamStage.BOW_TIE)
            True
            >>> KamStage.BOW_TIE.can_move_to(KamStage.DUET)
            False
        """
        return target.order <= self.order or target.order == self.order + 1


_ORDER = {stage: i for i, stage in enumerate(KamStage, start=1)}
_LABELS = {
    KamStage.BOW_TIE: "Bow-tie",
    KamStage.ONE_ON_MANY: "One-on-many",
    KamStage.DUET: "Duet",
    KamStage.DIAMOND_TEAM: "Diamond team",
}


@compile_validation
@attrs.frozen
class KamStageChange:
    """One recorded move between relationship stages.

    Examples:
        >>> from datetime import datetime, UTC
        >>> from crmkit.domain import KamStage, KamStageChange
        >>> KamStageChange(KamStage.BOW_TIE, KamStage.ONE_ON_MANY,
        ...                datetime(2025, 1, 1, tzinfo=UTC)).to_stage.value
        'one_on_many'
    """

    from_stage: KamStage | None = attrs.field(validator=optional(instance_of(KamStage)))
    to_stage: KamStage = attrs.field(validator=instance_of(KamStage))
    at: datetime = attrs.field(converter=to_utc, validator=aware_datetime)
    reason: str = attrs.field(default="", validator=text())


@compile_validation
@attrs.define
class KeyAccountRelationship(AggregateRoot):
    """A supplier's relationship with one (potential) key account.

    Attributes:
        account_id: the account.
        stage: the current stage.
        supplier_intent: the stage the supplier aims for (defaults to the current stage).
        customer_intent: the stage the customer wants (defaults to the current stage).
        key_account_manager: the owner of the relationship (user id or name).
        support_contact: the second contact of the two-contact model (seed 003).
        history: the recorded stage changes; :meth:`move_to` appends to it.
        id: the relationship's id.
        version: optimistic-concurrency version (as on :class:`~crmkit.domain.AggregateRoot`).
        created_at: when the relationship was recorded (aware, UTC).
        updated_at: when it last changed (default: ``created_at``).
        custom: custom property values.
        remote_id: the id in an external system.
        remote_data: the raw record of that system.

    Examples:
        >>> from crmkit.domain import KamStage, KeyAccountRelationship
        >>> rel = KeyAccountRelationship("acc-1", KamStage.DUET,
        ...                              supplier_intent=KamStage.DIAMOND_TEAM)
        >>> rel.in_frustration_zone
        True
    """

    account_id: str = attrs.field(validator=identifier)
    stage: KamStage = attrs.field(validator=instance_of(KamStage))
    supplier_intent: KamStage | None = attrs.field(
        default=None, validator=optional(instance_of(KamStage))
    )
    customer_intent: KamStage | None = attrs.field(
        default=None, validator=optional(instance_of(KamStage))
    )
    key_account_manager: str | None = attrs.field(default=None, validator=optional_str)
    support_contact: str | None = attrs.field(default=None, validator=optional_str)
    history: list[KamStageChange] = attrs.field(factory=list)

    @property
    def is_key_account(self) -> bool:
        """Whether the current stage counts as a key account (duet or diamond team)."""
        return self.stage.is_key_account

    @property
    def in_frustration_zone(self) -> bool:
        """Supplier and customer want different stages (seed 003 L368)."""
        supplier = self.supplier_intent or self.stage
        customer = self.customer_intent or self.stage
        return supplier is not customer

    def move_to(self, stage: KamStage, *, at: datetime, reason: str = "") -> None:
        """Move to ``stage`` (forward one step or backward any number) and record it.

        Raises:
            InvalidTransitionError: a forward jump over a stage.
        """
        if not isinstance(stage, KamStage):
            raise InvalidTransitionError.single("stage", stage, "must be a KamStage")
        if not self.stage.can_move_to(stage):
            nxt = list(KamStage)[self.stage.order]
            raise InvalidTransitionError.single(
                "stage",
                stage.value,
                f"cannot follow {self.stage.value!r}; move forward one stage at a time "
                f"(next: {nxt.value!r})",
            )
        self.history.append(KamStageChange(self.stage, stage, at, reason))
        self.stage = stage
