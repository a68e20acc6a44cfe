"""Progress over time: compare two assessments of the same company.

:func:`compare_assessments` puts a baseline and a follow-up side by side: every process and
area score before and after, and which areas improved or slipped by at least ``tolerance``
points (default 0.25 on the 0–5 scale; smaller moves are noise from one answer). Areas assessed
only once are neither improved nor slipped. :meth:`Progress.to_dict` is the same comparison as
JSON-ready data.

Examples:
    >>> from crmkit.strategy import assess
    >>> from crmkit.strategy.progress import compare_assessments
    >>> before = assess(ratings={"data_repository": 1, "standards": 4})
    >>> after = assess(ratings={"data_repository": 3, "standards": 3})
    >>> p = compare_assessments(before, after)
    >>> [(c.key, c.change) for c in p.improved], [(c.key, c.change) for c in p.slipped]
    ([('data_repository', 2.0)], [('standards', -1.0)])
    >>> p.process_changes()[3].before, p.process_changes()[3].after
    (1.0, 3.0)
"""

from __future__ import annotations

from typing import Any

import attrs

from crmkit.errors import ValidationError
from crmkit.strategy.assessment import Assessment
from crmkit.strategy.framework import Element, Process

__all__ = ["Progress", "ScoreChange", "compare_assessments"]


@attrs.frozen
class ScoreChange:
    """One score before and after (``None``: not assessed then).

    Examples:
        >>> from crmkit.strategy.progress import ScoreChange
        >>> ScoreChange("standards", 1.0, 2.5).change, ScoreChange("standards", None, 2.5).change
        (1.5, None)
    """

    key: str
    before: float | None
    after: float | None
    process: Process | None = None
    element: Element | None = None

    @property
    def change(self) -> float | None:
        """``after − before`` (``None`` unless both are assessed)."""
        if self.before is None or self.after is None:
            return None
        return round(self.after - self.before, 4)

    def to_dict(self) -> dict[str, Any]:
        """``{"key", "before", "after", "change"}``."""
        return {
            "key": self.key,
            "before": self.before,
            "after": self.after,
            "change": self.change,
        }


@attrs.frozen
class Progress:
    """A baseline and a follow-up assessment side by side (see :func:`compare_assessments`)."""

    baseline: Assessment
    follow_up: Assessment
    changes: tuple[ScoreChange, ...]
    tolerance: float = 0.25

    def process_changes(self) -> list[ScoreChange]:
        """The five process scores before and after, in framework order."""
        return [c for c in self.changes if c.process is not None]

    def element_changes(self) -> list[ScoreChange]:
        """Every area's score before and after, in framework order."""
        return [c for c in self.changes if c.element is not None]

    @property
    def improved(self) -> list[ScoreChange]:
        """Leaf areas up by at least ``tolerance``, biggest rise first."""
        moved = [c for c in self._leaves() if (c.change or 0.0) >= self.tolerance]
        return sorted(moved, key=lambda c: -(c.change or 0.0))

    @property
    def slipped(self) -> list[ScoreChange]:
        """Leaf areas down by at least ``tolerance``, biggest fall first."""
        moved = [c for c in self._leaves() if (c.change or 0.0) <= -self.tolerance]
        return sorted(moved, key=lambda c: c.change or 0.0)

    def _leaves(self) -> list[ScoreChange]:
        return [c for c in self.changes if c.element is not None and c.element.is_leaf]

    def to_dict(self) -> dict[str, Any]:
        """The comparison as JSON-ready data.

        Examples:
            >>> from crmkit.strategy import assess
            >>> from crmkit.strategy.progress import compare_assessments
            >>> d = compare_assessments(assess(ratings={"standards": 1}),
            ...                         assess(ratings={"standards": 2})).to_dict()
            >>> d["overall"], d["improved"]
            ({'key': 'overall', 'before': 1.0, 'after': 2.0, 'change': 1.0}, ['standards'])
        """
        b, f = self.baseline, self.follow_up
        return {
            "company": f.company or b.company,
            "baseline_date": b.date.isoformat() if b.date else None,
            "follow_up_date": f.date.isoformat() if f.date else None,
            "overall": ScoreChange("overall", b.overall, f.overall).to_dict(),
            "processes": [c.to_dict() for c in self.process_changes()],
            "elements": [c.to_dict() for c in self.element_changes()],
            "improved": [c.key for c in self.improved],
            "slipped": [c.key for c in self.slipped],
            "tolerance": self.tolerance,
        }


def compare_assessments(
    baseline: Assessment, follow_up: Assessment, *, tolerance: float = 0.25
) -> Progress:
    """Compare ``baseline`` with ``follow_up`` (see the module docstring).

    Two assessments of different companies cannot be compared (an empty company name matches
    any).

    Examples:
        >>> import attrs
        >>> from crmkit.strategy import assess
        >>> from crmkit.strategy.progress import compare_assessments
        >>> a = attrs.evolve(assess(ratings={"standards": 1}), company="Acme AB")
        >>> compare_assessments(a, attrs.evolve(a, company="Other Oy"))
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: follow_up.company: 'Other Oy' is not the baseline's company 'Acme AB'
    """
    if not isinstance(tolerance, int | float) or isinstance(tolerance, bool) or tolerance < 0:
        raise ValidationError.single("tolerance", tolerance, "must be a number, zero or more")
    if baseline.company and follow_up.company and baseline.company != follow_up.company:
        raise ValidationError.single(
            "follow_up.company",
            follow_up.company,
            f"is not the baseline's company {baseline.company!r}",
        )
    changes: list[ScoreChange] = []
    for before, after in zip(baseline.processes, follow_up.processes, strict=True):
        changes.append(
            ScoreChange(before.process.value, before.score, after.score, process=before.process)
        )
    for before, after in zip(baseline.processes, follow_up.processes, strict=True):
        for eb, ea in zip(before.elements, after.elements, strict=True):
            changes.append(ScoreChange(eb.element.key, eb.score, ea.score, element=eb.element))
    return Progress(baseline, follow_up, tuple(changes), float(tolerance))
