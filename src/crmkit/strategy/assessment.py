"""Score an organisation 0–5 on every Payne–Frow element and process, with a ranked gap list.

The scoring rule (:class:`ScoringRule`, every number configurable):

1. Each answered workbook item gives *evidence* between 0 and 1 for the elements it is mapped
   to: yes → 1, no → 0; a text, count or percentage that is filled in → 1 (the organisation
   knows or has described it); a channel or IT-capability row in use → 1 with integrated IT
   support, 0.5 stand-alone, 0 none or not stated. Rows not in use do not count (not every
   business needs every channel). Communication-channel ticks (S10) describe the channel mix,
   not its quality, and have weight 0.
2. An unanswered item counts as evidence 0 (``unanswered="zero"``, the default: a figure the
   organisation cannot give is a gap) or is skipped (``unanswered="skip"``). Unanswered grid
   rows are read as "not in use", as on paper.
3. A leaf element's score is 5 × the weighted mean of its evidence (weights per answer type).
   A direct rating 0–5 (``ratings={"element_key": 3}``) replaces it; a rating keyed by a
   process (``"value_creation"``) replaces the process score.
4. A parent element scores the mean of its assessed children; a process the mean of its
   assessed top-level elements; the overall score the mean of the assessed processes. Elements
   without evidence or rating are *not assessed* and left out of the means.
5. The weakest process is the lowest-scoring assessed process (ties: framework order).
6. Every item whose evidence is below 1 is a gap, saying what is missing. Gaps are ranked by
   the score of the element they belong to (weakest first), then by shortfall (weight × (1 −
   evidence), biggest first), then workbook order. A directly rated element below
   ``gap_threshold`` is a gap too. Each gap lists the registry capabilities that address it.

Examples:
    >>> from crmkit.strategy import ScoringRule, WorkbookAnswers, assess
    >>> wb = WorkbookAnswers()
    >>> wb.fill({i.id: True for i in wb.workbook.section("S04").items})
    >>> wb.set("s04.know_lifetime_value", False)
    >>> result = assess(wb, rule=ScoringRule(unanswered="skip"))
    >>> result.weakest_process.value
    'value_creation'
    >>> result.gaps[0].missing
    "does not know customers' lifetime value"
    >>> result.gaps[0].element.key, round(result.process("VC").score, 2)
    ('customer_segment_lifetime_value', 3.33)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from statistics import fmean

import attrs

from crmkit.domain import ChannelCategory
from crmkit.errors import Problem, ValidationError
from crmkit.strategy.answers import (
    ChannelUse,
    SituationScore,
    WorkbookAnswers,
    YesNoText,
)
from crmkit.strategy.capabilities import Capability, capabilities_for
from crmkit.strategy.channel_integration import (
    ChannelGap,
    SameStandardCheck,
    channel_integration_gaps,
    channel_items_in_use,
    same_standard_on_every_channel,
)
from crmkit.strategy.framework import Element, Process, element, framework
from crmkit.strategy.workbook import AnswerType, Item, ItSupport

__all__ = [
    "Assessment",
    "ElementScore",
    "Gap",
    "ProcessScore",
    "ScoringRule",
    "assess",
]


def _default_weights() -> dict[AnswerType, float]:
    return {
        AnswerType.YES_NO: 1.0,
        AnswerType.YES_NO_TEXT: 1.0,
        AnswerType.CHANNEL_IT: 1.0,
        AnswerType.TEXT: 0.5,
        AnswerType.COUNT: 0.5,
        AnswerType.PERCENT: 0.5,
        AnswerType.CHECK: 0.0,
    }


def _check_unanswered(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if value not in ("zero", "skip"):
        raise ValidationError.single(attribute.name, value, "must be 'zero' or 'skip'")


@attrs.frozen
class ScoringRule:
    """The documented, configurable scoring rule (see the module docstring).

    Examples:
        >>> from crmkit.strategy.assessment import ScoringRule
        >>> from crmkit.strategy.workbook import ItSupport
        >>> ScoringRule(stand_alone=0.25).evidence_for_it(ItSupport.STAND_ALONE)
        0.25
        >>> ScoringRule(unanswered="maybe")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: unanswered: 'maybe' must be 'zero' or 'skip'
    """

    integrated: float = 1.0
    stand_alone: float = 0.5
    no_it: float = 0.0
    weights: dict[AnswerType, float] = attrs.field(factory=_default_weights)
    unanswered: str = attrs.field(default="zero", validator=_check_unanswered)
    gap_threshold: float = 3.0

    def evidence_for_it(self, level: ItSupport | None) -> float:
        """Evidence of a grid row in use at IT-support ``level`` (``None``: not stated)."""
        if level is ItSupport.INTEGRATED:
            return self.integrated
        if level is ItSupport.STAND_ALONE:
            return self.stand_alone
        return self.no_it

    def evidence(self, item: Item, answers: WorkbookAnswers) -> float | None:
        """Evidence 0–1 that ``item`` gives, or ``None`` when it does not count.

        Examples:
            >>> from crmkit.strategy.answers import WorkbookAnswers
            >>> from crmkit.strategy.assessment import ScoringRule
            >>> wb = WorkbookAnswers()
            >>> wb.set("s08.field_sales", {"used": True, "it_support": "stand_alone"})
            >>> item = wb.workbook.item("s08.field_sales")
            >>> ScoringRule().evidence(item, wb)
            0.5
        """
        if self.weights.get(item.answer_type, 0.0) <= 0:
            return None
        value = answers.get(item.id)
        if item.answer_type is AnswerType.CHANNEL_IT:
            if not isinstance(value, ChannelUse) or not value.used:
                return None
            return self.evidence_for_it(value.it_support)
        if not answers.answered(item.id):
            return 0.0 if self.unanswered == "zero" else None
        if isinstance(value, bool):
            return 1.0 if value else 0.0
        if isinstance(value, YesNoText):
            return 1.0 if value.yes else 0.0
        return 1.0


@attrs.frozen
class ElementScore:
    """An element's score 0–5 (``None``: not assessed) and where it came from.

    ``source`` is ``"workbook"``, ``"rating"``, ``"children"`` or ``None``; ``evidence`` the
    number of workbook items counted.

    Examples:
        >>> from crmkit.strategy import assess
        >>> assess(ratings={"data_repository": 4}).element_score("data_repository").source
        'rating'
    """

    element: Element
    score: float | None
    source: str | None
    evidence: int = 0


@attrs.frozen
class ProcessScore:
    """A process's score and the scores of all its elements (depth first).

    Examples:
        >>> from crmkit.strategy import assess
        >>> ps = assess(ratings={"data_repository": 4}).process("IM")
        >>> ps.score, len(ps.elements)
        (4.0, 5)
    """

    process: Process
    score: float | None
    elements: tuple[ElementScore, ...]
    source: str | None = None


@attrs.frozen
class Gap:
    """Something missing: which element, what, how much it costs and what addresses it.

    ``kind`` says what the finding is, for reports in any language: ``"no"`` (answered no),
    ``"unanswered"``, ``"unknown_figure"`` (a count or percentage not given), ``"stand_alone"``
    / ``"no_it"`` / ``"it_unknown"`` (a grid row in use without integrated IT support) or
    ``"rating"`` (a direct rating below the threshold).

    Examples:
        >>> from crmkit.strategy import assess
        >>> gap = assess(ratings={"standards": 1}).gaps[0]
        >>> gap.element.key, gap.missing, gap.process.short, gap.kind
        ('standards', 'Standards rated 1/5', 'PA', 'rating')
    """

    element: Element
    missing: str
    shortfall: float
    element_score: float | None
    item_id: str | None = None
    capabilities: tuple[Capability, ...] = ()
    kind: str = "no"

    @property
    def process(self) -> Process:
        """The process of the gap's element."""
        return self.element.process


@attrs.frozen
class Assessment:
    """The result of :func:`assess`.

    ``date`` and ``participants`` come from the workbook's cover block; ``unanswered`` lists
    the questions the rule's ``unanswered`` setting applied to (counted as zero or skipped) out
    of ``questions`` scored questions (grid rows and channel ticks are not questions: an empty
    row means "not in use"); ``channels_in_use`` holds the item ids of the channels in use per
    category, each channel once.

    Examples:
        >>> from crmkit.strategy import assess
        >>> a = assess(ratings={"strategy_development": 4, "value_creation": 2})
        >>> a.weakest_process.value, a.overall
        ('value_creation', 3.0)
        >>> a.process_scores()[Process.INFORMATION_MANAGEMENT] is None
        True
    """

    processes: tuple[ProcessScore, ...]
    gaps: tuple[Gap, ...]
    rule: ScoringRule
    company: str = ""
    situation: SituationScore | None = None
    completion: float | None = None
    channel_gaps: tuple[ChannelGap, ...] = ()
    same_standard: SameStandardCheck | None = None
    date: dt.date | None = None
    participants: tuple[str, ...] = ()
    unanswered: tuple[str, ...] = ()
    questions: int = 0
    channels_in_use: tuple[tuple[ChannelCategory, tuple[str, ...]], ...] = ()

    @property
    def strongest_process(self) -> Process | None:
        """The highest-scoring assessed process (ties: framework order).

        Examples:
            >>> from crmkit.strategy import assess
            >>> assess(ratings={"value_creation": 2, "standards": 4}).strongest_process.value
            'performance_assessment'
        """
        scored = [ps for ps in self.processes if ps.score is not None]
        if not scored:
            return None
        return max(scored, key=lambda ps: ps.score if ps.score is not None else 0.0).process

    @property
    def overall(self) -> float | None:
        """Mean of the assessed process scores."""
        scores = [p.score for p in self.processes if p.score is not None]
        return round(fmean(scores), 4) if scores else None

    def process(self, process: Process | str) -> ProcessScore:
        """The score of one process."""
        p = Process.parse(process)
        return next(ps for ps in self.processes if ps.process is p)

    def process_scores(self) -> dict[Process, float | None]:
        """Score per process, in framework order."""
        return {ps.process: ps.score for ps in self.processes}

    @property
    def weakest_process(self) -> Process | None:
        """The lowest-scoring assessed process (ties: framework order)."""
        scored = [ps for ps in self.processes if ps.score is not None]
        if not scored:
            return None
        return min(scored, key=lambda ps: ps.score if ps.score is not None else 0.0).process

    def element_score(self, key: str) -> ElementScore:
        """The score of one element."""
        for ps in self.processes:
            for es in ps.elements:
                if es.element.key == key:
                    return es
        element(key)  # raises NotFoundError for an unknown key
        raise AssertionError(key)  # pragma: no cover

    def not_assessed(self) -> list[Element]:
        """Leaf elements with neither evidence nor rating (rate them directly)."""
        return [
            es.element
            for ps in self.processes
            for es in ps.elements
            if es.element.is_leaf and es.score is None
        ]

    def top_gaps(self, n: int = 10) -> list[Gap]:
        """The ``n`` highest-ranked gaps."""
        return list(self.gaps[:n])


def _check_ratings(ratings: Mapping[str, float]) -> dict[str, float]:
    problems: list[Problem] = []
    out: dict[str, float] = {}
    keys = {p.value for p in Process}
    for key, value in ratings.items():
        if key not in keys:
            try:
                element(key)
            except LookupError:
                problems.append(Problem(f"ratings.{key}", key, "is not a process or element"))
                continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 5:
            problems.append(Problem(f"ratings.{key}", value, "must be a number from 0 to 5"))
            continue
        out[key] = float(value)
    if problems:
        raise ValidationError(problems)
    return out


def assess(
    answers: WorkbookAnswers | None = None,
    *,
    ratings: Mapping[str, float] | None = None,
    rule: ScoringRule | None = None,
) -> Assessment:
    """Score workbook answers and/or direct ratings by ``rule`` (see the module docstring).

    Examples:
        >>> from crmkit.strategy import WorkbookAnswers, assess
        >>> wb = WorkbookAnswers()
        >>> wb.fill({i.id: False for i in wb.workbook.section("S04").items})
        >>> a = assess(wb)
        >>> str(a.situation), a.overall
        ('0/16', 0.0)
        >>> assess(ratings={"nope": 2})
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: ratings.nope: 'nope' is not a process or element
    """
    rule = rule or ScoringRule()
    direct = _check_ratings(ratings or {})
    # 1. evidence per leaf element
    evidence: dict[str, list[tuple[float, float, Item]]] = {}
    if answers is not None:
        for item in answers.workbook.items:
            ev = rule.evidence(item, answers)
            if ev is None:
                continue
            weight = rule.weights[item.answer_type]
            for key in item.element_keys:
                evidence.setdefault(key, []).append((weight, ev, item))
    # 2. scores, bottom-up
    scores: dict[str, ElementScore] = {}

    def score(e: Element) -> ElementScore:
        child_scores = [score(c) for c in e.children]
        if e.key in direct:
            result = ElementScore(e, direct[e.key], "rating", len(evidence.get(e.key, [])))
        elif e.is_leaf:
            rows = evidence.get(e.key, [])
            total = sum(w for w, _, _ in rows)
            if total > 0:
                value = 5.0 * sum(w * ev for w, ev, _ in rows) / total
                result = ElementScore(e, round(value, 4), "workbook", len(rows))
            else:
                result = ElementScore(e, None, None, 0)
        else:
            assessed = [c.score for c in child_scores if c.score is not None]
            result = ElementScore(
                e, round(fmean(assessed), 4) if assessed else None, "children" if assessed else None
            )
        scores[e.key] = result
        return result

    processes: list[ProcessScore] = []
    for info in framework():
        tops = [score(e) for e in info.elements]
        all_scores = tuple(scores[e.key] for e in info.walk())
        if info.process.value in direct:
            processes.append(
                ProcessScore(info.process, direct[info.process.value], all_scores, "rating")
            )
            continue
        assessed = [t.score for t in tops if t.score is not None]
        processes.append(
            ProcessScore(
                info.process,
                round(fmean(assessed), 4) if assessed else None,
                all_scores,
                "elements" if assessed else None,
            )
        )
    # the questions the unanswered setting applies to (not grid rows, not zero-weight ticks)
    questions = (
        [
            i
            for i in answers.workbook.items
            if i.answer_type is not AnswerType.CHANNEL_IT and rule.weights.get(i.answer_type, 0) > 0
        ]
        if answers is not None
        else []
    )
    # 3. gaps
    order = {item.id: n for n, item in enumerate(answers.workbook.items)} if answers else {}
    gaps: list[tuple[tuple[float, float, int], Gap]] = []
    seen: set[tuple[str, str]] = set()
    for key, rows in evidence.items():
        es = scores[key]
        if es.source == "rating":
            continue
        for weight, ev, item in rows:
            if ev >= 1.0 or (item.id, key) in seen:
                continue
            seen.add((item.id, key))
            shortfall = round(weight * (1.0 - ev), 4)
            gap = Gap(
                element=es.element,
                missing=_missing(item, answers),
                shortfall=shortfall,
                element_score=es.score,
                item_id=item.id,
                capabilities=tuple(capabilities_for(key)),
                kind=_kind(item, answers),
            )
            rank = (es.score if es.score is not None else 0.0, -shortfall, order.get(item.id, 0))
            gaps.append((rank, gap))
    for key, value in direct.items():
        if key in scores and value < rule.gap_threshold:
            e = element(key)
            gap = Gap(
                element=e,
                missing=f"{e.label.en} rated {value:g}/5",
                shortfall=round((rule.gap_threshold - value) / 5, 4),
                element_score=value,
                capabilities=tuple(capabilities_for(key)),
                kind="rating",
            )
            gaps.append(((value, -gap.shortfall, -1), gap))
    # an item mapped to several elements appears once, under its weakest element
    best: dict[str, tuple[tuple[float, float, int], Gap]] = {}
    ranked: list[tuple[tuple[float, float, int], Gap]] = []
    for rank, gap in sorted(gaps, key=lambda rg: rg[0]):
        if gap.item_id is None:
            ranked.append((rank, gap))
        elif gap.item_id not in best:
            best[gap.item_id] = (rank, gap)
            ranked.append((rank, gap))
    return Assessment(
        processes=tuple(processes),
        gaps=tuple(g for _, g in ranked),
        rule=rule,
        company=answers.company if answers else "",
        situation=answers.situation_score() if answers else None,
        completion=answers.overall_completion() if answers else None,
        channel_gaps=tuple(channel_integration_gaps(answers)) if answers else (),
        same_standard=same_standard_on_every_channel(answers) if answers else None,
        date=answers.date if answers else None,
        participants=tuple(answers.participants) if answers else (),
        unanswered=tuple(
            i.id for i in questions if answers is not None and not answers.answered(i.id)
        ),
        questions=len(questions),
        channels_in_use=tuple(
            (category, tuple(i.id for i in items))
            for category, items in (channel_items_in_use(answers) if answers else {}).items()
        ),
    )


def _kind(item: Item, answers: WorkbookAnswers | None) -> str:
    value = answers.get(item.id) if answers else None
    if isinstance(value, ChannelUse):
        if value.it_support is ItSupport.STAND_ALONE:
            return "stand_alone"
        return "no_it" if value.it_support is ItSupport.NONE else "it_unknown"
    if value is None or (isinstance(value, str) and not value.strip()):
        if item.answer_type in (AnswerType.COUNT, AnswerType.PERCENT):
            return "unknown_figure"
        return "unanswered"
    return "no"


def _missing(item: Item, answers: WorkbookAnswers | None) -> str:
    value = answers.get(item.id) if answers else None
    if isinstance(value, ChannelUse):
        if value.it_support is ItSupport.STAND_ALONE:
            return f"{item.en} has only stand-alone IT support"
        if value.it_support is ItSupport.NONE:
            return f"{item.en} has no IT support"
        return f"{item.en}: IT support not stated"
    answered_no = value is False or (isinstance(value, YesNoText) and not value.yes)
    if answered_no and item.gap is None:
        return f"answered no: {item.en}"
    return item.gap_text
