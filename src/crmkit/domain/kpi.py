"""KPIs: a measured value against a target over a period, with a desired direction.

Examples:
    >>> from crmkit.domain import KPI, KPIDirection, KPIPeriod
    >>> conversion = KPI("Lead conversion rate", target=0.25, actual=0.20, unit="ratio",
    ...                  period=KPIPeriod(label="2025"))
    >>> conversion.progress, conversion.is_met
    (0.8, False)
    >>> response = KPI("First response time", target=4, actual=5, unit="hours",
    ...                direction=KPIDirection.MIN, baseline=12)
    >>> response.progress, response.is_on_track(0.8)
    (0.875, True)
"""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal
from typing import Any

import attrs

from crmkit.domain.ids import new_id
from crmkit.domain.validators import (
    compile_validation,
    date_value,
    fail,
    finite,
    identifier,
    instance_of,
    non_empty,
    optional,
    optional_identifier,
    text,
)
from crmkit.errors import ValidationError

__all__ = ["KPI", "KPIDirection", "KPIPeriod"]


class KPIDirection(enum.Enum):
    """Whether more (``MAX``) or less (``MIN``) is better (seed 001: conversion probability
    max, work hours min).

    Examples:
        >>> from crmkit.domain import KPIDirection
        >>> KPIDirection.MIN.value
        'min'
    """

    MAX = "max"
    MIN = "min"


@compile_validation
@attrs.frozen
class KPIPeriod:
    """The period a KPI is measured over: dates, a label, or both.

    Examples:
        >>> from datetime import date
        >>> from crmkit.domain import KPIPeriod
        >>> q1 = KPIPeriod(date(2025, 1, 1), date(2025, 3, 31), "Q1 2025")
        >>> q1.fraction_elapsed(date(2025, 2, 14))
        0.5
    """

    start: date | None = attrs.field(default=None, validator=optional(date_value))
    end: date | None = attrs.field(default=None, validator=optional(date_value))
    label: str = attrs.field(default="", validator=text())

    def __attrs_post_init__(self) -> None:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValidationError.single("end", self.end, "must not be before start")

    def fraction_elapsed(self, on: date) -> float:
        """Share of the period elapsed at the end of ``on`` (0 before, 1 after; needs dates).

        Raises:
            ValidationError: the period has no start and end dates.
        """
        if self.start is None or self.end is None:
            raise ValidationError.single(
                "period", self.label, "needs start and end dates to measure elapsed time"
            )
        days = (self.end - self.start).days + 1
        done = (on - self.start).days + 1
        return min(1.0, max(0.0, done / days))


def _finite(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, Decimal):  # the KPI values are floats and ints
        fail(attribute, value, "must be a number, not Decimal")
    finite(instance, attribute, value)


def _optional_finite(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        _finite(instance, attribute, value)


@compile_validation
@attrs.define
class KPI:
    """A key performance indicator.

    Attributes:
        name: what is measured.
        target: the value to reach.
        actual: the value measured so far (``None`` before the first measurement).
        period: the measuring period.
        direction: ``MAX`` (more is better) or ``MIN`` (less is better).
        unit: the unit (``"SEK"``, ``"hours"``, ``"ratio"``, ``"count"``).
        baseline: the starting value; with it, progress is the share of the way from
            baseline to target.
        owner_id: who answers for it.
        id: identifier.

    Examples:
        >>> from crmkit.domain import KPI
        >>> KPI("Revenue", target=float("nan"))
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: target: nan must be a finite number, not NaN
    """

    name: str = attrs.field(validator=non_empty)
    target: float = attrs.field(validator=_finite)
    actual: float | None = attrs.field(default=None, validator=_optional_finite)
    period: KPIPeriod = attrs.field(factory=KPIPeriod, validator=instance_of(KPIPeriod))
    direction: KPIDirection = attrs.field(
        default=KPIDirection.MAX, validator=instance_of(KPIDirection)
    )
    unit: str = attrs.field(default="", validator=text())
    baseline: float | None = attrs.field(default=None, validator=_optional_finite)
    owner_id: str | None = attrs.field(default=None, validator=optional_identifier)
    id: str = attrs.field(factory=new_id, validator=identifier)

    def __attrs_post_init__(self) -> None:
        if self.baseline is not None and self.baseline == self.target:
            raise ValidationError.single("baseline", self.baseline, "must differ from target")

    @property
    def progress(self) -> float | None:
        """Fraction of the way to the target (1.0 = reached; can exceed 1; ``None`` without
        an actual value).

        With a baseline: ``(actual − baseline) / (target − baseline)`` for both directions.
        Without: ``actual / target`` for ``MAX`` and ``target / actual`` for ``MIN`` (an
        actual of 0 on a ``MIN`` KPI counts as fully reached when the target is ≥ 0).

        Examples:
            >>> from crmkit.domain import KPI, KPIDirection
            >>> KPI("Churn", target=0.05, actual=0.1, direction=KPIDirection.MIN).progress
            0.5
        """
        if self.actual is None:
            return None
        if self.baseline is not None:
            return (self.actual - self.baseline) / (self.target - self.baseline)
        if self.direction is KPIDirection.MAX:
            if self.target == 0:
                return 1.0 if self.actual >= 0 else 0.0
            return self.actual / self.target
        if self.actual == 0 or (self.actual < 0 <= self.target):
            return 1.0 if self.target >= 0 else 0.0
        return self.target / self.actual

    @property
    def is_met(self) -> bool:
        """Whether the actual value reached the target in the desired direction.

        Examples:
            >>> from crmkit.domain import KPI, KPIDirection
            >>> KPI("Hours", target=10, actual=9, direction=KPIDirection.MIN).is_met
            True
        """
        if self.actual is None:
            return False
        if self.direction is KPIDirection.MAX:
            return self.actual >= self.target
        return self.actual <= self.target

    def is_on_track(self, elapsed: float) -> bool:
        """Whether progress keeps pace with the share ``elapsed`` (0–1) of the period.

        Examples:
            >>> from crmkit.domain import KPI
            >>> KPI("Deals", target=100, actual=40).is_on_track(0.5)
            False
        """
        if isinstance(elapsed, bool) or not 0 <= elapsed <= 1:
            raise ValidationError.single("elapsed", elapsed, "must be between 0 and 1")
        progress = self.progress
        if progress is None:
            return elapsed == 0
        return self.is_met or progress >= elapsed

    def record(self, actual: float) -> None:
        """Record a new measured value.

        Examples:
            >>> from crmkit.domain import KPI
            >>> k = KPI("Deals", target=10); k.record(5); k.progress
            0.5
        """
        self.actual = actual
