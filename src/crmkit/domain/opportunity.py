"""Opportunities: deals moving through a pipeline, with stage history and three probability
sources.

An opportunity's :attr:`~Opportunity.probability` resolves **manual > automated > stage
default**:

* ``stage_probability`` is copied from the stage on every move (Salesforce ``Probability``);
* ``automated_probability`` is set by a scoring model (Odoo's predictive lead scoring); a stage
  move clears it, because it was computed for the old stage — rescore after moving;
* ``manual_probability`` is a seller's override; it survives stage moves until cleared.

Moving to a closed stage clears both the automated and the manual value: a won deal has
probability 1 and a lost one 0, whatever anyone estimated before.

Examples:
    >>> from datetime import date, datetime, UTC
    >>> from crmkit.domain import Money, Opportunity, default_pipeline
    >>> pipe = default_pipeline()
    >>> opp = Opportunity.open("Fleet renewal", account_id="acc-1", amount=Money("200000", "SEK"),
    ...                        close_date=date(2025, 6, 30), pipeline=pipe,
    ...                        at=datetime(2025, 1, 10, tzinfo=UTC))
    >>> opp.stage_key, opp.probability
    ('prospecting', 0.1)
    >>> opp.move_to("proposal", pipeline=pipe, at=datetime(2025, 3, 1, tzinfo=UTC))
    >>> opp.probability, opp.expected_revenue
    (0.75, Money(amount=Decimal('150000.00'), currency='SEK'))
    >>> opp.set_manual_probability(0.5)
    >>> opp.move_to("negotiation", pipeline=pipe, at=datetime(2025, 4, 1, tzinfo=UTC))
    >>> opp.probability, opp.probability_source.value
    (0.5, 'manual')
    >>> [c.to_stage for c in opp.stage_history]
    ['prospecting', 'proposal', 'negotiation']
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import attrs

from crmkit.domain.aggregate import AggregateRoot
from crmkit.domain.contact_role import (
    OpportunityContactRole,
    add_role,
    make_primary,
    primary_of,
    remove_contact,
    role_list,
)
from crmkit.domain.limits import KEY_MAX
from crmkit.domain.line_item import LineItem, net_total
from crmkit.domain.money import Money
from crmkit.domain.pipeline import Pipeline, Stage
from crmkit.domain.probability import Probability, probability_value, to_probability
from crmkit.domain.validators import (
    aware_datetime,
    compile_validation,
    date_value,
    identifier,
    inline_check,
    instance_of,
    non_empty,
    non_empty_text,
    optional,
    optional_aware_datetime,
    optional_identifier,
    optional_non_empty_text,
    optional_str,
    optional_to_utc,
    to_utc,
)
from crmkit.errors import InvalidTransitionError, ValidationError

__all__ = ["Opportunity", "ProbabilitySource", "StageChange"]


class ProbabilitySource(enum.Enum):
    """Where an opportunity's current probability comes from.

    Examples:
        >>> from crmkit.domain import ProbabilitySource
        >>> [s.value for s in ProbabilitySource]
        ['stage_default', 'automated', 'manual']
    """

    STAGE_DEFAULT = "stage_default"
    AUTOMATED = "automated"
    MANUAL = "manual"


@compile_validation
@attrs.frozen
class StageChange:
    """One recorded stage move (Salesforce ``OpportunityHistory``).

    Attributes:
        from_stage: the previous stage key (``None`` for the opening entry).
        to_stage: the new stage key.
        at: when (aware, UTC).
        probability: the opportunity's resolved probability after the move.
        amount: the amount at the time of the move, if recorded.

    Examples:
        >>> from datetime import datetime, UTC
        >>> from crmkit.domain import StageChange
        >>> StageChange(None, "prospecting", datetime(2025, 1, 1, tzinfo=UTC), 0.1).from_stage
    """

    from_stage: str | None = attrs.field(validator=optional_non_empty_text(KEY_MAX))
    to_stage: str = attrs.field(validator=non_empty_text(KEY_MAX))
    at: datetime = attrs.field(converter=to_utc, validator=aware_datetime)
    probability: float = attrs.field(converter=to_probability, validator=probability_value)
    amount: Money | None = attrs.field(default=None, validator=optional(instance_of(Money)))


def _optional_probability(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        probability_value(instance, attribute, value)


def _optional_to_probability(value: Any) -> Any:
    return None if value is None else to_probability(value)


inline_check(
    _optional_probability, "({v} is None or ({v}.__class__ is float and 0.0 <= {v} <= 1.0))"
)
inline_check(_optional_to_probability, "({v} is None or {v}.__class__ is float)")


def _line_items(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, list):
        raise ValidationError.single(attribute.name, value, "must be a list of LineItem")
    for index, item in enumerate(value):
        if not isinstance(item, LineItem):
            raise ValidationError.single(f"{attribute.name}[{index}]", item, "must be a LineItem")


def _history(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, list):
        raise ValidationError.single(attribute.name, value, "must be a list of StageChange")
    if value.__class__ is list:  # fast path: well-formed history
        last = None
        for change in value:
            if change.__class__ is not StageChange or (last is not None and change.at < last):
                break
            last = change.at
        else:
            return
    previous: datetime | None = None
    for index, change in enumerate(value):
        if not isinstance(change, StageChange):
            raise ValidationError.single(
                f"{attribute.name}[{index}]", change, "must be a StageChange"
            )
        if previous is not None and change.at < previous:
            raise ValidationError.single(
                f"{attribute.name}[{index}].at", change.at, "is before the previous change"
            )
        previous = change.at


@compile_validation
@attrs.define
class Opportunity(AggregateRoot):
    """A potential deal with an account.

    Attributes:
        name: what the deal is about.
        account_id: the account.
        amount: the deal value.
        close_date: the expected (or actual) close date.
        pipeline_id: the pipeline whose stages the opportunity moves through.
        stage_key: the current stage's key in that pipeline.
        stage_probability: the current stage's default probability (copied on each move).
        is_closed: whether the current stage is closed (copied on each move).
        is_won: whether the current stage is won (copied on each move).
        automated_probability: a scoring model's probability, cleared on stage moves.
        manual_probability: a seller's override, kept across open-stage moves.
        stage_history: recorded stage changes, oldest first.
        contact_roles: contacts with their roles; at most one primary.
        lost_reason: why a lost deal was lost.
        source_channel: key of the channel the deal came from.
        owner_id: the responsible seller.
        campaign_id: the campaign that sourced the deal.
        closed_at: when it reached a closed stage.
        next_step: the agreed next step.
        line_items: the products of the deal (Salesforce ``OpportunityLineItem``, HubSpot
            line items), in the amount's currency. When there are any, ``amount`` is their
            net total — the sum of each line's net (quantity × unit price × (1 − discount),
            rounded half-even to the minor unit), before tax, as a quote's net total — which
            :meth:`set_line_items` derives and the constructor checks. No line items: the
            amount is entered by hand.

    Prefer :meth:`open` to build a new opportunity from a pipeline; the constructor is for
    loading stored records. Plus the keyword-only fields of
    :class:`~crmkit.domain.AggregateRoot`.

    Examples:
        >>> from datetime import date
        >>> from crmkit.domain import Money, Opportunity
        >>> Opportunity("Deal", "acc-1", Money("10", "SEK"), date(2025, 1, 1), "default",
        ...             "prospecting", 1.5)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: stage_probability: 1.5 must be between 0 and 1
    """

    name: str = attrs.field(validator=non_empty)
    account_id: str = attrs.field(validator=identifier)
    amount: Money = attrs.field(validator=instance_of(Money))
    close_date: date = attrs.field(validator=date_value)
    pipeline_id: str = attrs.field(validator=identifier)
    stage_key: str = attrs.field(validator=non_empty_text(KEY_MAX))
    stage_probability: float = attrs.field(converter=to_probability, validator=probability_value)
    is_closed: bool = attrs.field(default=False, validator=instance_of(bool))
    is_won: bool = attrs.field(default=False, validator=instance_of(bool))
    automated_probability: float | None = attrs.field(
        default=None, converter=_optional_to_probability, validator=_optional_probability
    )
    manual_probability: float | None = attrs.field(
        default=None, converter=_optional_to_probability, validator=_optional_probability
    )
    stage_history: list[StageChange] = attrs.field(factory=list, validator=_history)
    contact_roles: list[OpportunityContactRole] = attrs.field(
        factory=list, validator=role_list(OpportunityContactRole)
    )
    lost_reason: str | None = attrs.field(default=None, validator=optional_str)
    source_channel: str | None = attrs.field(
        default=None, validator=optional_non_empty_text(KEY_MAX)
    )
    owner_id: str | None = attrs.field(default=None, validator=optional_identifier)
    campaign_id: str | None = attrs.field(default=None, validator=optional_identifier)
    closed_at: datetime | None = attrs.field(
        default=None, converter=optional_to_utc, validator=optional_aware_datetime
    )
    next_step: str | None = attrs.field(default=None, validator=optional_str)
    line_items: list[LineItem] = attrs.field(factory=list, validator=_line_items)

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        if self.line_items:
            _check_line_items(self.line_items, self.amount)
        if self.is_won and not self.is_closed:
            raise ValidationError.single("is_closed", self.is_closed, "must be true when won")
        if self.is_closed and (
            self.manual_probability is not None or self.automated_probability is not None
        ):
            raise ValidationError.single(
                "manual_probability",
                self.manual_probability,
                "must be empty on a closed opportunity (as must automated_probability)",
            )
        expected = 1.0 if self.is_won else 0.0
        if self.is_closed and self.stage_probability != expected:
            raise ValidationError.single(
                "stage_probability",
                self.stage_probability,
                f"must be {expected:g} on a closed {'won' if self.is_won else 'lost'} opportunity",
            )

    @classmethod
    def open(
        cls,
        name: str,
        *,
        account_id: str,
        amount: Money,
        close_date: date,
        pipeline: Pipeline,
        at: datetime,
        stage: str | Stage | None = None,
        **fields: Any,
    ) -> Opportunity:
        """Create an opportunity at ``stage`` (default: the pipeline's first open stage),
        with the stage default probability and an opening history entry.

        ``created_at`` defaults to ``at``; other fields go through ``fields``.

        Examples:
            >>> from datetime import date, datetime, UTC
            >>> from crmkit.domain import Money, Opportunity, default_pipeline
            >>> opp = Opportunity.open("Deal", account_id="a", amount=Money("1000", "SEK"),
            ...                        close_date=date(2025, 3, 31), pipeline=default_pipeline(),
            ...                        at=datetime(2025, 1, 2, tzinfo=UTC), stage="qualification",
            ...                        owner_id="u-1")
            >>> opp.stage_key, opp.stage_history[0].from_stage, opp.owner_id
            ('qualification', None, 'u-1')
        """
        target = _resolve(pipeline, stage if stage is not None else pipeline.first_stage)
        fields.setdefault("created_at", at)
        opp = cls(
            name,
            account_id,
            amount,
            close_date,
            pipeline.id,
            target.key,
            target.probability,
            is_closed=target.is_closed,
            is_won=target.is_won,
            closed_at=at if target.is_closed else None,
            **fields,
        )
        opp.stage_history.append(StageChange(None, target.key, at, opp.probability, amount))
        return opp

    @property
    def probability(self) -> Probability:
        """The resolved probability: manual, else automated, else the stage default.

        Examples:
            >>> from datetime import date
            >>> from crmkit.domain import Money, Opportunity
            >>> opp = Opportunity("D", "a", Money("1", "SEK"), date(2025, 1, 1), "default",
            ...                   "proposal", 0.75, automated_probability=0.4)
            >>> opp.probability
            0.4
        """
        if self.manual_probability is not None:
            return Probability(self.manual_probability)
        if self.automated_probability is not None:
            return Probability(self.automated_probability)
        return Probability(self.stage_probability)

    @property
    def probability_source(self) -> ProbabilitySource:
        """Which source :attr:`probability` comes from."""
        if self.manual_probability is not None:
            return ProbabilitySource.MANUAL
        if self.automated_probability is not None:
            return ProbabilitySource.AUTOMATED
        return ProbabilitySource.STAGE_DEFAULT

    @property
    def is_open(self) -> bool:
        """Not at a closed stage."""
        return not self.is_closed

    @property
    def is_lost(self) -> bool:
        """At a closed stage that is not won."""
        return self.is_closed and not self.is_won

    @property
    def expected_revenue(self) -> Money:
        """Amount × probability, rounded to the currency's minor unit (Salesforce
        ``ExpectedRevenue``; HubSpot's weighted amount).

        Examples:
            >>> from datetime import date
            >>> from crmkit.domain import Money, Opportunity
            >>> Opportunity("D", "a", Money("999", "SEK"), date(2025, 1, 1), "default",
            ...             "x", 0.1).expected_revenue
            Money(amount=Decimal('99.90'), currency='SEK')
        """
        return (self.amount * self.probability.as_decimal()).rounded()

    def move_to(
        self,
        stage: str | Stage,
        *,
        pipeline: Pipeline,
        at: datetime,
        lost_reason: str | None = None,
    ) -> None:
        """Move to ``stage`` of the opportunity's own pipeline and record the change.

        The stage default probability is copied and any automated probability cleared (it
        was computed for the old stage); a manual probability stays in force. Moving to a
        closed stage sets ``closed_at`` and clears both manual and automated values; moving
        from a closed stage back to an open one reopens the deal (``closed_at`` and
        ``lost_reason`` cleared). Moving to the current stage changes nothing.

        Raises:
            InvalidTransitionError: ``pipeline`` is not the opportunity's pipeline, the stage
                belongs to another pipeline, or ``at`` is before the last recorded change.
            NotFoundError: the pipeline has no stage with that key.

        Examples:
            >>> from datetime import date, datetime, UTC
            >>> from crmkit.domain import Money, Opportunity, Pipeline, Stage, default_pipeline
            >>> pipe = default_pipeline()
            >>> other = Pipeline("renewals", "Renewals", [Stage("due", "Due", 1, 0.5)])
            >>> opp = Opportunity.open("D", account_id="a", amount=Money("1", "SEK"),
            ...                        close_date=date(2025, 1, 1), pipeline=pipe,
            ...                        at=datetime(2025, 1, 1, tzinfo=UTC))
            >>> opp.move_to(other.stage("due"), pipeline=pipe, at=datetime(2025, 2, 1, tzinfo=UTC))
            Traceback (most recent call last):
            ...
            crmkit.errors.InvalidTransitionError: stage: 'due' is not a stage of pipeline 'default'
            >>> opp.move_to("closed_lost", pipeline=pipe, at=datetime(2025, 2, 1, tzinfo=UTC),
            ...             lost_reason="price")
            >>> opp.is_lost, opp.probability, opp.lost_reason
            (True, 0.0, 'price')
        """
        if pipeline.id != self.pipeline_id:
            raise InvalidTransitionError.single(
                "pipeline_id",
                pipeline.id,
                f"is not the opportunity's pipeline {self.pipeline_id!r}",
            )
        target = _resolve(pipeline, stage)
        at = to_utc(at)
        aware_datetime(None, _AT, at)
        if self.stage_history and at < self.stage_history[-1].at:
            raise InvalidTransitionError.single(
                "at", at, "is before the last recorded stage change"
            )
        if target.key == self.stage_key:
            return
        previous = self.stage_key
        self.stage_key = target.key
        self.stage_probability = target.probability
        # Assign only what changes: every assignment runs the field's validators.
        if self.automated_probability is not None:
            self.automated_probability = None
        if target.is_closed:
            if self.manual_probability is not None:
                self.manual_probability = None
            self.is_closed = True
            self.is_won = target.is_won
            self.closed_at = at
            if target.is_won:
                if self.lost_reason is not None:
                    self.lost_reason = None
            elif lost_reason is not None:
                self.lost_reason = lost_reason
        elif self.is_closed:
            self.is_closed = False
            self.is_won = False
            self.closed_at = None
            self.lost_reason = None
        self.stage_history.append(
            StageChange(previous, target.key, at, self.probability, self.amount)
        )

    def close_won(self, *, pipeline: Pipeline, at: datetime) -> None:
        """Move to the pipeline's won stage.

        Examples:
            >>> from datetime import date, datetime, UTC
            >>> from crmkit.domain import Money, Opportunity, default_pipeline
            >>> pipe = default_pipeline()
            >>> opp = Opportunity.open("D", account_id="a", amount=Money("1", "SEK"),
            ...                        close_date=date(2025, 1, 1), pipeline=pipe,
            ...                        at=datetime(2025, 1, 1, tzinfo=UTC))
            >>> opp.close_won(pipeline=pipe, at=datetime(2025, 1, 9, tzinfo=UTC))
            >>> opp.is_won, opp.probability
            (True, 1.0)
        """
        self.move_to(pipeline.won_stage, pipeline=pipeline, at=at)

    def close_lost(self, *, pipeline: Pipeline, at: datetime, reason: str | None = None) -> None:
        """Move to the pipeline's lost stage, recording ``reason``.

        Examples:
            >>> from datetime import date, datetime, UTC
            >>> from crmkit.domain import Money, Opportunity, default_pipeline
            >>> pipe = default_pipeline()
            >>> opp = Opportunity.open("D", account_id="a", amount=Money("1", "SEK"),
            ...                        close_date=date(2025, 1, 1), pipeline=pipe,
            ...                        at=datetime(2025, 1, 1, tzinfo=UTC))
            >>> opp.close_lost(pipeline=pipe, at=datetime(2025, 1, 9, tzinfo=UTC), reason="timing")
            >>> opp.lost_reason
            'timing'
        """
        self.move_to(pipeline.lost_stage, pipeline=pipeline, at=at, lost_reason=reason)

    def _require_open(self, what: str, value: float | None) -> None:
        if self.is_closed:
            raise InvalidTransitionError.single(
                what, value, f"cannot be set on a closed opportunity (stage {self.stage_key!r})"
            )

    def set_manual_probability(self, value: float | Probability) -> None:
        """Override the probability by hand (value in [0, 1]).

        Raises:
            ValidationError: the value is outside [0, 1].
            InvalidTransitionError: the opportunity is closed.

        Examples:
            >>> from datetime import date
            >>> from crmkit.domain import Money, Opportunity
            >>> opp = Opportunity("D", "a", Money("1", "SEK"), date(2025, 1, 1), "default",
            ...                   "x", 0.1)
            >>> opp.set_manual_probability(2)
            Traceback (most recent call last):
            ...
            crmkit.errors.ValidationError: manual_probability: 2.0 must be between 0 and 1
        """
        self._require_open("manual_probability", value)
        self.manual_probability = value

    def clear_manual_probability(self) -> None:
        """Remove the manual override (automated or stage default applies again).

        Examples:
            >>> from datetime import date
            >>> from crmkit.domain import Money, Opportunity
            >>> opp = Opportunity("D", "a", Money("1", "SEK"), date(2025, 1, 1), "default",
            ...                   "x", 0.1, manual_probability=0.9)
            >>> opp.clear_manual_probability(); opp.probability
            0.1
        """
        self.manual_probability = None

    def set_automated_probability(self, value: float | Probability | None) -> None:
        """Store a scoring model's probability (value in [0, 1]; ``None`` clears it).

        Raises:
            ValidationError: the value is outside [0, 1].
            InvalidTransitionError: the opportunity is closed.

        Examples:
            >>> from datetime import date
            >>> from crmkit.domain import Money, Opportunity
            >>> opp = Opportunity("D", "a", Money("1", "SEK"), date(2025, 1, 1), "default",
            ...                   "x", 0.1)
            >>> opp.set_automated_probability(0.35); opp.probability_source.value
            'automated'
        """
        if value is not None:
            self._require_open("automated_probability", value)
        self.automated_probability = value

    def set_line_items(self, items: list[LineItem]) -> None:
        """Replace the line items and make ``amount`` their net total (before tax, each
        line's net rounded half-even to the minor unit, then added). An empty list keeps the
        current amount, which is then entered by hand again.

        Raises:
            ValidationError: an item is not a LineItem or is priced in another currency than
                the amount (convert explicitly first).
            InvalidTransitionError: the opportunity is closed (its amount is final).

        Examples:
            >>> from datetime import date
            >>> from crmkit.domain import LineItem, Money, Opportunity
            >>> opp = Opportunity("D", "a", Money("1", "SEK"), date(2025, 1, 1), "default",
            ...                   "x", 0.1)
            >>> opp.set_line_items([LineItem("p-1", 3, Money("99.90", "SEK"), discount="0.1"),
            ...                     LineItem("p-2", 1, Money("500", "SEK"), tax_rate="0.25")])
            >>> str(opp.amount)
            '769.73 SEK'
            >>> opp.set_line_items([LineItem("p-1", 1, Money("5", "EUR"))])
            Traceback (most recent call last):
            ...
            crmkit.errors.ValidationError: line_items[0].unit_price.currency: 'EUR' differs from the amount's currency SEK
        """
        if self.is_closed:
            raise InvalidTransitionError.single(
                "line_items",
                len(items),
                "cannot change on a closed opportunity; its amount is final",
            )
        items = list(items)
        _line_items(None, _LINE_ITEMS, items)
        if items:
            total = _check_line_items(items, None, self.amount.currency)
            self.amount = total
        self.line_items = items

    @property
    def primary_contact_id(self) -> str | None:
        """The primary contact's id, or ``None``."""
        return primary_of(self.contact_roles)

    def add_contact_role(self, contact_id: str, role: str = "", *, primary: bool = False) -> None:
        """Add a contact with a role; the first one becomes primary, ``primary=True`` makes
        this one primary and demotes the previous.

        Examples:
            >>> from datetime import date
            >>> from crmkit.domain import Money, Opportunity
            >>> opp = Opportunity("D", "a", Money("1", "SEK"), date(2025, 1, 1), "default",
            ...                   "x", 0.1)
            >>> opp.add_contact_role("c1", "influencer"); opp.add_contact_role("c2", "decider")
            >>> opp.primary_contact_id
            'c1'
        """
        self.contact_roles = add_role(
            self.contact_roles, OpportunityContactRole(contact_id, role, primary)
        )

    def set_primary_contact(self, contact_id: str) -> None:
        """Make ``contact_id`` the primary contact (raises ``NotFoundError`` if not added)."""
        self.contact_roles = make_primary(self.contact_roles, contact_id)

    def remove_contact(self, contact_id: str) -> None:
        """Remove a contact's roles; a removed primary passes to the next contact."""
        self.contact_roles = remove_contact(self.contact_roles, contact_id)

    def days_in_stage(self, at: datetime) -> float:
        """Days since the last stage change (or since creation) until ``at``.

        Examples:
            >>> from datetime import date, datetime, UTC
            >>> from crmkit.domain import Money, Opportunity, default_pipeline
            >>> opp = Opportunity.open("D", account_id="a", amount=Money("1", "SEK"),
            ...                        close_date=date(2025, 1, 1), pipeline=default_pipeline(),
            ...                        at=datetime(2025, 1, 1, tzinfo=UTC))
            >>> opp.days_in_stage(datetime(2025, 1, 11, 12, tzinfo=UTC))
            10.5
        """
        since = self.stage_history[-1].at if self.stage_history else self.created_at
        return (to_utc(at) - since).total_seconds() / 86400.0


_AT: attrs.Attribute[Any] = attrs.fields(StageChange).at
_LINE_ITEMS: attrs.Attribute[Any] = attrs.fields(Opportunity).line_items


def _check_line_items(
    items: list[LineItem], amount: Money | None, currency: str | None = None
) -> Money:
    """The items' net total; every item priced in the amount's currency, and ``amount`` (when
    given) equal to the total."""
    code = currency if currency is not None else amount.currency if amount is not None else ""
    for index, item in enumerate(items):
        if item.unit_price.currency != code:
            raise ValidationError.single(
                f"line_items[{index}].unit_price.currency",
                item.unit_price.currency,
                f"differs from the amount's currency {code}",
            )
    total = net_total(items, code)
    if amount is not None and amount != total:
        raise ValidationError.single(
            "amount", amount, f"must equal the line items' net total {total} (before tax)"
        )
    return total


def _resolve(pipeline: Pipeline, stage: str | Stage) -> Stage:
    if isinstance(stage, Stage):
        if stage not in pipeline.stages:
            raise InvalidTransitionError.single(
                "stage", stage.key, f"is not a stage of pipeline {pipeline.id!r}"
            )
        return stage
    return pipeline.stage(stage)
