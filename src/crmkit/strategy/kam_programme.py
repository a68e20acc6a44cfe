"""Ryals' seven steps for implementing key-account management, as a checklist with progress.

Step 1 ("recognise that KAM is an organisational change") has seven sub-points. Ryals'
process is incremental — organisational change before operational work — so the steps are
completed in order: a step can only be completed when every step before it is (reference:
seed-003.md L99-L109). Step 4, identifying key customers, segments customers by profitability,
growth potential and established relationships; :data:`STEP4_DIMENSIONS` names the three and
:class:`~crmkit.strategy.KeyAccountSelection` rates them.

Examples:
    >>> from crmkit.strategy.kam_programme import KamProgramme
    >>> prog = KamProgramme()
    >>> for sub in prog.steps[0].sub_points:
    ...     prog.complete(sub.key)
    >>> prog.complete("high_level_buy_in")
    >>> prog.progress(), prog.next_step().key
    (0.2857, 'implementation_leader')
"""

from __future__ import annotations

import attrs

from crmkit.errors import InvalidTransitionError, NotFoundError
from crmkit.strategy.framework import Label

__all__ = ["RYALS_STEPS", "STEP4_DIMENSIONS", "KamProgramme", "ProgrammeStep", "SubPoint"]

#: Step 4's three dimensions for segmenting customers (reference: seed-003.md L106).
STEP4_DIMENSIONS: tuple[str, ...] = (
    "profitability",
    "growth_potential",
    "established_relationship",
)


@attrs.frozen
class SubPoint:
    """A sub-point of step 1.

    Examples:
        >>> from crmkit.strategy.kam_programme import RYALS_STEPS
        >>> RYALS_STEPS[0].sub_points[4].key
        'support_systems'
    """

    key: str
    text: str


@attrs.frozen
class ProgrammeStep:
    """One of Ryals' seven steps.

    Examples:
        >>> from crmkit.strategy.kam_programme import RYALS_STEPS
        >>> [s.number for s in RYALS_STEPS], RYALS_STEPS[3].label.no
        ([1, 2, 3, 4, 5, 6, 7], 'Identifisere nøkkelkunder')
    """

    number: int
    key: str
    label: Label
    sub_points: tuple[SubPoint, ...] = ()


RYALS_STEPS: tuple[ProgrammeStep, ...] = (
    ProgrammeStep(1, "organisational_change", Label(
        "Recognise that KAM is an organisational change",
        "Inse att KAM är en organisatorisk förändring",
        "Innse at KAM er en organisatorisk endring"), (
        SubPoint("recognise_change", "Recognise the triggers: not customer-centric despite high "
                 "service, an influential leader, falling margins, lost contracts, customer "
                 "complexity"),
        SubPoint("theory_and_training", "Understand KAM theory and success factors; set up formal "
                 "training programmes"),
        SubPoint("formalise_flexibly", "Formalise while allowing flexible implementation"),
        SubPoint("evaluation_schemes", "As the programme matures, use evaluation schemes"),
        SubPoint("support_systems", "Support systems such as a well-developed CRM"),
        SubPoint("value_initiatives", "Value-creating initiatives for key customers"),
        SubPoint("revenue_vs_growth", "Manage the gap between revenue today and growth "
                 "tomorrow"))),
    ProgrammeStep(2, "high_level_buy_in", Label(
        "Get high-level buy-in", "Få ledningens stöd", "Get high level-buy-in")),
    ProgrammeStep(3, "implementation_leader", Label(
        "Appoint a leader of the implementation", "Utse en ledare för implementeringen",
        "Utnevn en leder for implementeringsprosessen")),
    ProgrammeStep(4, "identify_key_customers", Label(
        "Identify key customers", "Identifiera nyckelkunder", "Identifisere nøkkelkunder")),
    ProgrammeStep(5, "hire_and_train", Label(
        "Hire and train key account managers", "Anställ och utbilda key account managers",
        "Ansettelse og opplæring av Key Account Managere")),
    ProgrammeStep(6, "accurate_metrics", Label(
        "Set accurate metrics", "Sätt precisa mått", "Sette nøyaktige måleparametere")),
    ProgrammeStep(7, "standards_and_development", Label(
        "Define standards and develop relationships", "Definiera standarder och utveckla "
        "kundrelationer", "Definere standard og utvikle kundeforhold")),
)  # fmt: skip


@attrs.define
class KamProgramme:
    """Progress through Ryals' steps: ``completed`` holds step and sub-point keys.

    Step 1 is complete when all its sub-points are (in any order). Completing a step before
    the steps ahead of it raises :class:`~crmkit.errors.InvalidTransitionError`.

    Examples:
        >>> from crmkit.strategy.kam_programme import KamProgramme
        >>> KamProgramme().complete("accurate_metrics")
        Traceback (most recent call last):
        ...
        crmkit.errors.InvalidTransitionError: step: 'accurate_metrics' cannot be completed before step 1 (organisational change comes first)
        >>> prog = KamProgramme()
        >>> for sub in prog.steps[0].sub_points:
        ...     prog.complete(sub.key)
        >>> prog.complete("identify_key_customers")
        Traceback (most recent call last):
        ...
        crmkit.errors.InvalidTransitionError: step: 'identify_key_customers' cannot be completed before step 2 (Ryals' steps are taken in order)
    """

    completed: set[str] = attrs.field(factory=set)
    steps: tuple[ProgrammeStep, ...] = RYALS_STEPS

    def _step1_done(self) -> bool:
        return all(s.key in self.completed for s in self.steps[0].sub_points)

    def complete(self, key: str) -> None:
        """Mark a step (2–7) or a step-1 sub-point done."""
        sub_keys = {s.key for s in self.steps[0].sub_points}
        step_keys = {s.key for s in self.steps[1:]}
        if key in sub_keys:
            self.completed.add(key)
            return
        if key not in step_keys:
            raise NotFoundError(f"unknown programme step {key!r}")
        if not self._step1_done():
            raise InvalidTransitionError.single(
                "step", key, "cannot be completed before step 1 (organisational change comes first)"
            )
        for step in self.steps[1:]:
            if step.key == key:
                break
            if not self.is_done(step):
                raise InvalidTransitionError.single(
                    "step",
                    key,
                    f"cannot be completed before step {step.number} (Ryals' steps are taken "
                    "in order)",
                )
        self.completed.add(key)

    def is_done(self, step: ProgrammeStep) -> bool:
        """Whether ``step`` is complete.

        Examples:
            >>> from crmkit.strategy.kam_programme import KamProgramme, RYALS_STEPS
            >>> KamProgramme().is_done(RYALS_STEPS[0])
            False
        """
        if step.sub_points:
            return all(s.key in self.completed for s in step.sub_points)
        return step.key in self.completed

    def progress(self) -> float:
        """Share of the seven steps completed (0–1, four decimals)."""
        return round(sum(self.is_done(s) for s in self.steps) / len(self.steps), 4)

    def next_step(self) -> ProgrammeStep | None:
        """The first step not yet complete, or ``None`` when all are."""
        return next((s for s in self.steps if not self.is_done(s)), None)
