"""Pipelines and stages: the ordered steps an opportunity moves through.

A :class:`Stage` carries a default probability, whether it is closed and won, and a forecast
category (Salesforce ``OpportunityStage``, HubSpot deal stage). A :class:`Pipeline` orders its
stages; several pipelines may coexist (new sales, renewals ...), and a stage key only means
something within its pipeline.

Examples:
    >>> from crmkit.domain import default_pipeline
    >>> pipe = default_pipeline()
    >>> [s.key for s in pipe.stages][:3]
    ['prospecting', 'qualification', 'needs_analysis']
    >>> pipe.stage("proposal").probability, pipe.won_stage.key
    (0.75, 'closed_won')
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

import attrs

from crmkit.domain.limits import KEY_MAX
from crmkit.domain.probability import Probability, probability_value, to_probability
from crmkit.domain.validators import (
    compile_validation,
    fail,
    identifier,
    instance_of,
    non_empty,
    non_empty_text,
    text,
)
from crmkit.errors import NotFoundError, ValidationError

__all__ = ["ForecastCategory", "Pipeline", "Stage", "default_pipeline"]


class ForecastCategory(enum.Enum):
    """Salesforce's forecast categories: how an opportunity at a stage counts in a forecast.

    Examples:
        >>> from crmkit.domain import ForecastCategory
        >>> ForecastCategory("best_case").value
        'best_case'
    """

    PIPELINE = "pipeline"
    BEST_CASE = "best_case"
    COMMIT = "commit"
    CLOSED = "closed"
    OMITTED = "omitted"


def _default_category(stage: Stage) -> ForecastCategory:
    if stage.is_won:
        return ForecastCategory.CLOSED
    if stage.is_closed:
        return ForecastCategory.OMITTED
    return ForecastCategory.PIPELINE


@compile_validation
@attrs.frozen
class Stage:
    """One step of a pipeline.

    Attributes:
        key: identifier unique within the pipeline (``"proposal"``).
        name: display name.
        order: position; stages sort by it.
        probability: default win probability in [0, 1] (a ``Probability`` or float).
        is_closed: whether the opportunity is finished at this stage.
        is_won: whether this closed stage is a win (won implies closed).
        forecast_category: forecast bucket (default: closed for won, omitted for lost,
            pipeline otherwise).

    A won stage must have probability 1 and a closed lost stage probability 0.

    Examples:
        >>> from crmkit.domain import Stage
        >>> Stage("closed_won", "Closed Won", 9, 0.9, is_closed=True, is_won=True)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: probability: 0.9 must be 1 for a won stage
        >>> Stage("won", "Won", 9, 1.0, is_won=True)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: is_closed: False must be true for a won stage
    """

    key: str = attrs.field(validator=non_empty_text(KEY_MAX))
    name: str = attrs.field(validator=non_empty)
    order: int = attrs.field(validator=instance_of(int))
    probability: float = attrs.field(converter=to_probability, validator=probability_value)
    is_closed: bool = attrs.field(default=False, validator=instance_of(bool))
    is_won: bool = attrs.field(default=False, validator=instance_of(bool))
    forecast_category: ForecastCategory = attrs.field(
        default=attrs.Factory(_default_category, takes_self=True),
        validator=instance_of(ForecastCategory),
    )

    def __attrs_post_init__(self) -> None:
        if self.is_won and not self.is_closed:
            raise ValidationError.single(
                "is_closed", self.is_closed, "must be true for a won stage"
            )
        if self.is_won and self.probability != 1.0:
            raise ValidationError.single(
                "probability", self.probability, "must be 1 for a won stage"
            )
        if self.is_closed and not self.is_won and self.probability != 0.0:
            raise ValidationError.single(
                "probability", self.probability, "must be 0 for a closed lost stage"
            )

    @property
    def is_open(self) -> bool:
        """Not closed.

        Examples:
            >>> from crmkit.domain import Stage
            >>> Stage("demo", "Demo", 2, 0.4).is_open
            True
        """
        return not self.is_closed

    @property
    def is_lost(self) -> bool:
        """Closed and not won."""
        return self.is_closed and not self.is_won

    @property
    def default_probability(self) -> Probability:
        """:attr:`probability` as a :class:`~crmkit.domain.Probability`."""
        return Probability(self.probability)


def _sorted_stages(value: Any) -> Any:
    if isinstance(value, Iterable) and not isinstance(value, str | bytes):
        items = list(value)
        if all(isinstance(s, Stage) for s in items):
            return sorted(items, key=lambda s: s.order)
        return items
    return value


def _stage_list(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, list) or not value:
        fail(attribute, value, "must be a non-empty list of stages")
    keys: set[str] = set()
    orders: set[int] = set()
    for index, stage in enumerate(value):
        if not isinstance(stage, Stage):
            raise ValidationError.single(f"{attribute.name}[{index}]", stage, "must be a Stage")
        if stage.key in keys:
            raise ValidationError.single(
                f"{attribute.name}[{index}].key", stage.key, "is used by another stage"
            )
        if stage.order in orders:
            raise ValidationError.single(
                f"{attribute.name}[{index}].order", stage.order, "is used by another stage"
            )
        keys.add(stage.key)
        orders.add(stage.order)
    if not any(s.is_open for s in value):
        fail(attribute, [s.key for s in value], "must contain at least one open stage")


@compile_validation
@attrs.define
class Pipeline:
    """An ordered set of stages.

    Attributes:
        id: the pipeline's identifier (``"new_business"``); opportunities store it.
        name: display name.
        stages: the stages, kept sorted by ``order``; keys and orders unique; at least one
            open stage.
        description: free text.

    Examples:
        >>> from crmkit.domain import Pipeline, Stage
        >>> renewals = Pipeline("renewals", "Renewals", [
        ...     Stage("won", "Renewed", 3, 1.0, is_closed=True, is_won=True),
        ...     Stage("due", "Due", 1, 0.6),
        ...     Stage("lost", "Churned", 4, 0.0, is_closed=True)])
        >>> [s.key for s in renewals.stages], renewals.first_stage.key
        (['due', 'won', 'lost'], 'due')
        >>> renewals.stage("quote")
        Traceback (most recent call last):
        ...
        crmkit.errors.NotFoundError: pipeline 'renewals' has no stage 'quote'; known stages: due, won, lost
    """

    id: str = attrs.field(validator=identifier)
    name: str = attrs.field(validator=non_empty)
    stages: list[Stage] = attrs.field(converter=_sorted_stages, validator=_stage_list)
    description: str = attrs.field(default="", validator=text())

    def stage(self, key: str) -> Stage:
        """The stage with ``key``.

        Raises:
            NotFoundError: no such stage; the message lists the known keys.
        """
        for stage in self.stages:
            if stage.key == key:
                return stage
        known = ", ".join(s.key for s in self.stages)
        raise NotFoundError(f"pipeline {self.id!r} has no stage {key!r}; known stages: {known}")

    def __contains__(self, item: object) -> bool:
        if isinstance(item, Stage):
            return item in self.stages
        return any(s.key == item for s in self.stages)

    def keys(self) -> list[str]:
        """The stage keys in order.

        Examples:
            >>> from crmkit.domain import default_pipeline
            >>> default_pipeline().keys()[-2:]
            ['closed_won', 'closed_lost']
        """
        return [s.key for s in self.stages]

    @property
    def open_stages(self) -> list[Stage]:
        """The open stages in order.

        Examples:
            >>> from crmkit.domain import default_pipeline
            >>> len(default_pipeline().open_stages)
            8
        """
        return [s for s in self.stages if s.is_open]

    @property
    def closed_stages(self) -> list[Stage]:
        """The closed stages (won and lost) in order."""
        return [s for s in self.stages if s.is_closed]

    @property
    def first_stage(self) -> Stage:
        """The first open stage (where new opportunities start)."""
        return self.open_stages[0]

    @property
    def won_stage(self) -> Stage:
        """The first won stage.

        Raises:
            NotFoundError: the pipeline has no won stage.
        """
        for stage in self.stages:
            if stage.is_won:
                return stage
        raise NotFoundError(f"pipeline {self.id!r} has no won stage")

    @property
    def lost_stage(self) -> Stage:
        """The first closed, not won stage.

        Raises:
            NotFoundError: the pipeline has no lost stage.

        Examples:
            >>> from crmkit.domain import default_pipeline
            >>> default_pipeline().lost_stage.probability
            0.0
        """
        for stage in self.stages:
            if stage.is_lost:
                return stage
        raise NotFoundError(f"pipeline {self.id!r} has no lost stage")

    def next_stage(self, key: str) -> Stage | None:
        """The open stage after ``key`` (``None`` after the last open stage).

        Examples:
            >>> from crmkit.domain import default_pipeline
            >>> default_pipeline().next_stage("prospecting").key
            'qualification'
        """
        current = self.stage(key)
        later = [s for s in self.open_stages if s.order > current.order]
        return later[0] if later else None


_DEFAULT_STAGES: tuple[tuple[str, str, float, ForecastCategory], ...] = (
    ("prospecting", "Prospecting", 0.10, ForecastCategory.PIPELINE),
    ("qualification", "Qualification", 0.10, ForecastCategory.PIPELINE),
    ("needs_analysis", "Needs Analysis", 0.20, ForecastCategory.PIPELINE),
    ("value_proposition", "Value Proposition", 0.50, ForecastCategory.PIPELINE),
    ("id_decision_makers", "Id. Decision Makers", 0.60, ForecastCategory.PIPELINE),
    ("perception_analysis", "Perception Analysis", 0.70, ForecastCategory.BEST_CASE),
    ("proposal", "Proposal/Price Quote", 0.75, ForecastCategory.BEST_CASE),
    ("negotiation", "Negotiation/Review", 0.90, ForecastCategory.COMMIT),
)


def default_pipeline(id: str = "default", name: str = "Sales") -> Pipeline:
    """Salesforce's default opportunity stages and default probabilities.

    Prospecting 10 %, Qualification 10 %, Needs Analysis 20 %, Value Proposition 50 %,
    Id. Decision Makers 60 %, Perception Analysis 70 %, Proposal/Price Quote 75 %,
    Negotiation/Review 90 %, Closed Won 100 %, Closed Lost 0 %.

    Args:
        id: the pipeline id.
        name: the pipeline name.

    Examples:
        >>> from crmkit.domain import default_pipeline
        >>> [round(s.probability * 100) for s in default_pipeline().stages]
        [10, 10, 20, 50, 60, 70, 75, 90, 100, 0]
    """
    stages = [
        Stage(key, label, order, probability, forecast_category=category)
        for order, (key, label, probability, category) in enumerate(_DEFAULT_STAGES, start=1)
    ]
    stages.append(Stage("closed_won", "Closed Won", 9, 1.0, is_closed=True, is_won=True))
    stages.append(Stage("closed_lost", "Closed Lost", 10, 0.0, is_closed=True))
    return Pipeline(id, name, stages)
