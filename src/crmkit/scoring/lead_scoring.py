"""A declarative lead-scoring model: criteria with points, fit and engagement, decay, caps.

Seed 001 (§2.11) describes a lead-scoring model that "ranks leads against specific
criteria" in line with the four prospecting-quality parameters, so resources go to the right
prospects; it gives no criteria, weights or thresholds. crmkit follows common practice:

* a :class:`Criterion` is a *rule* over lead, account or contact fields — the same
  declarative expressions segment rules use (:func:`crmkit.frames.col`: comparisons,
  membership, ranges, ``&``/``|``/``~``, dates relative to an as-of date) — with **points**
  (negative allowed), in the **fit** group (who the lead is: firmographics, need, buying
  stage) or the **engagement** group (what the lead did: visits, replies, downloads);
* engagement points may **decay** with a half-life, counted in UTC calendar days from a date
  field of the lead to the as-of date (``points × 0.5 ** (days / half_life_days)``; an empty
  date keeps full points, a future one counts as today);
* each group's total may be **capped**; the score is fit + engagement;
* **thresholds** map the score to an action (prioritise / route / nurture / disqualify).

The model is data. :meth:`LeadScoringModel.score_one` scores one lead record in an
application; :meth:`LeadScoringModel.score` scores an iterable of records or a dataframe of
any size (pandas, Polars, DuckDB …, compiled to narwhals expressions, lazy stays lazy) and
both engines give the same numbers. Every score comes with its explanation: the criteria that
fired and the points each gave.

Examples:
    >>> from crmkit.frames import col
    >>> from crmkit.scoring import Criterion, LeadScoringModel, Threshold
    >>> model = LeadScoringModel(
    ...     criteria=[
    ...         Criterion("big company", col("employees") >= 50, 20),
    ...         Criterion("very interested", col("interest_level") == "very_interested", 30),
    ...         Criterion("not interested", col("interest_level") == "not_interested", -40),
    ...     ],
    ...     thresholds=[Threshold(40, "prioritise"), Threshold(10, "nurture")],
    ... )
    >>> lead = {"employees": 120, "interest_level": "very_interested", "email": "a@b.se"}
    >>> result = model.score_one(lead)
    >>> result.score, result.action
    (50.0, 'prioritise')
    >>> [(h.criterion, h.points) for h in result.hits]
    [('big company', 20.0), ('very interested', 30.0)]
"""

from __future__ import annotations

import enum
import functools
import math
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from functools import reduce
from itertools import compress
from typing import Any, overload

import attrs

from crmkit._deprecation import warn_missing
from crmkit.display import ResultRow
from crmkit.domain.validators import compile_validation, plain_maker
from crmkit.errors import Problem, ValidationError
from crmkit.frames import (
    Context,
    Expr,
    FrameT,
    Records,
    SupportsToNative,
    col,
    column_names,
    column_types,
    from_native,
    is_frame,
    is_lazy,
    narwhals,
    to_native,
)
from crmkit.frames.expression import SqlDialect, condition_sql, identifier_sql, literal_sql
from crmkit.frames.record_function import RecordSource
from crmkit.scoring._criteria_codes import CodeParts, CriteriaCodes
from crmkit.scoring._criteria_codes import capped as _capped

__all__ = [
    "Action",
    "Criterion",
    "CriterionGroup",
    "CriterionHit",
    "Decay",
    "LeadScore",
    "LeadScoringModel",
    "Threshold",
    "criteria_table",
]

#: How many leads, spread over the list, the records engine's key takes the value types to
#: test first from (per record kind; :meth:`~crmkit.frames.record_function.RecordSource.read_fields`).
_SAMPLE = 100


def _spread_sample(rows: list[Any], kind: type, size: int) -> list[Any]:
    """Up to ``size`` of the rows of class ``kind``, taken at even steps over the list (so a
    list sorted by some field shows the types at both ends), the first row included."""
    step = max(1, len(rows) // max(1, size))
    return [row for row in rows[::step] if row.__class__ is kind][:size]


class CriterionGroup(enum.Enum):
    """Fit (who the lead is) or engagement (what the lead did).

    Examples:
        >>> from crmkit.scoring import CriterionGroup
        >>> CriterionGroup("engagement") is CriterionGroup.ENGAGEMENT
        True
    """

    FIT = "fit"
    ENGAGEMENT = "engagement"


class Action(enum.Enum):
    """What to do with a lead in a score band.

    Examples:
        >>> from crmkit.scoring import Action
        >>> [a.value for a in Action]
        ['prioritise', 'route', 'nurture', 'disqualify']
    """

    PRIORITISE = "prioritise"
    ROUTE = "route"
    NURTURE = "nurture"
    DISQUALIFY = "disqualify"


def _finite(_: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValidationError.single(attribute.name, value, "must be a finite number")


def _positive(_: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    _finite(_, attribute, value)
    if value <= 0:
        raise ValidationError.single(attribute.name, value, "must be greater than zero")


@attrs.frozen
class Decay:
    """Half-life decay of engagement points, counted in calendar days from the date in
    ``field`` to the as-of date.

    Examples:
        >>> from datetime import date
        >>> from crmkit.scoring import Decay
        >>> Decay("last_visit_at", half_life_days=30).factor(30)
        0.5
    """

    field: str
    half_life_days: float = attrs.field(validator=_positive)

    def factor(self, days: float | None) -> float:
        """``0.5 ** (days / half_life_days)``; 1.0 for an empty date, future dates count as 0.

        Examples:
            >>> from crmkit.scoring import Decay
            >>> Decay("at", 7).factor(None), Decay("at", 7).factor(-3)
            (1.0, 1.0)
        """
        if days is None:
            return 1.0
        return math.exp(-math.log(2.0) * max(float(days), 0.0) / self.half_life_days)

    def days(self) -> Expr:
        """The age expression: calendar days from the field's day to the as-of date.

        Examples:
            >>> from datetime import date
            >>> from crmkit.scoring import Decay
            >>> Decay("at", 7).days().evaluate({"at": date(2025, 1, 1)}, date(2025, 1, 8))
            7
        """
        return col(self.field).days_before_as_of()


def _check_rule(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, Expr):
        raise ValidationError.single(
            attribute.name, value, "must be a rule built with crmkit.frames.col"
        )


@attrs.frozen
class Criterion:
    """A rule worth ``points`` (negative allowed) in the fit or engagement group.

    Examples:
        >>> from crmkit.frames import col
        >>> from crmkit.scoring import Criterion
        >>> c = Criterion("decision maker", col("is_decision_maker") == True, 15)
        >>> c.group.value
        'fit'
    """

    name: str
    rule: Expr = attrs.field(validator=_check_rule)
    points: float = attrs.field(converter=float, validator=_finite)
    group: CriterionGroup = attrs.field(default=CriterionGroup.FIT, converter=CriterionGroup)
    decay: Decay | None = None

    def __attrs_post_init__(self) -> None:
        if not self.name:
            raise ValidationError.single("criterion.name", self.name, "must not be empty")
        if self.decay is not None and self.group is not CriterionGroup.ENGAGEMENT:
            raise ValidationError.single(
                f"criterion[{self.name}].decay", self.decay, "applies to engagement criteria only"
            )

    def fields(self) -> frozenset[str]:
        """The fields this criterion reads (the rule's, plus the decay date field).

        Examples:
            >>> from crmkit.frames import col
            >>> from crmkit.scoring import Criterion, Decay
            >>> sorted(Criterion("opened", col("opens") > 0, 5, "engagement",
            ...                  Decay("last_open_at", 14)).fields())
            ['last_open_at', 'opens']
        """
        extra = {self.decay.field} if self.decay is not None else set()
        return frozenset(self.rule.columns()) | extra


def _action_name(action: Action | str) -> str:
    if isinstance(action, Action):
        return action.value
    if not isinstance(action, str) or not action:
        raise ValidationError.single("action", action, "must be an Action or a non-empty name")
    return action


@attrs.frozen
class Threshold:
    """Leads scoring at least ``min_score`` get ``action``.

    Examples:
        >>> from crmkit.scoring import Threshold
        >>> Threshold(60, "prioritise").action
        'prioritise'
    """

    min_score: float = attrs.field(converter=float, validator=_finite)
    action: str = attrs.field(converter=_action_name)


@compile_validation  # (a faster ``__init__``: a run builds one per distinct decayed hit)
@attrs.frozen
class CriterionHit(ResultRow):
    """One criterion that fired for a lead and the points it gave (after decay).

    Examples:
        >>> from crmkit.scoring import CriterionHit
        >>> CriterionHit("webinar", "engagement", 10.0).points
        10.0
    """

    criterion: str
    group: str
    points: float


@compile_validation  # (a faster ``__init__``: a run builds one per distinct lead key)
@attrs.frozen
class LeadScore(ResultRow):
    """A lead's score, its two parts, the action it maps to and why.

    Examples:
        >>> from crmkit.scoring import LeadScore
        >>> LeadScore(25.0, 20.0, 5.0, "nurture", ()).score
        25.0
    """

    score: float
    fit: float
    engagement: float
    action: str
    hits: tuple[CriterionHit, ...]

    def explain(self) -> str:
        """A one-line, human-readable explanation.

        Examples:
            >>> from crmkit.scoring import CriterionHit, LeadScore
            >>> LeadScore(25.0, 20.0, 5.0, "nurture",
            ...           (CriterionHit("big", "fit", 20.0), CriterionHit("visit", "engagement", 5.0))
            ...           ).explain()
            'score 25 (fit 20 + engagement 5) → nurture: big +20, visit +5'
        """
        parts = ", ".join(f"{h.criterion} {h.points:+.3g}" for h in self.hits) or "no criterion"
        return (
            f"score {self.score:.3g} (fit {self.fit:.3g} + engagement {self.engagement:.3g})"
            f" → {self.action}: {parts}"
        )


def _cap(_: Any, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None:
        _finite(_, attribute, value)


def _criteria(value: Iterable[Criterion]) -> tuple[Criterion, ...]:
    return tuple(value)


def _thresholds(value: Iterable[Threshold]) -> tuple[Threshold, ...]:
    return tuple(sorted(value, key=lambda t: t.min_score, reverse=True))


@attrs.frozen
class LeadScoringModel:
    """Criteria with points, group caps and thresholds; scores records and frames alike.

    Args:
        criteria: the criteria, names unique.
        thresholds: score → action, checked from the highest ``min_score`` down.
        default_action: the action below every threshold.
        fit_cap / engagement_cap: the most points a group can give (None = no cap).

    Examples:
        >>> from crmkit.frames import col
        >>> from crmkit.scoring import Criterion, LeadScoringModel
        >>> m = LeadScoringModel([Criterion("visits", col("visits") >= 1, 10, "engagement")],
        ...                      engagement_cap=5)
        >>> m.score_one({"visits": 3}).score
        5.0
    """

    criteria: tuple[Criterion, ...] = attrs.field(converter=_criteria)
    thresholds: tuple[Threshold, ...] = attrs.field(default=(), converter=_thresholds)
    default_action: str = attrs.field(default="disqualify", converter=_action_name)
    fit_cap: float | None = attrs.field(default=None, validator=_cap)
    engagement_cap: float | None = attrs.field(default=None, validator=_cap)
    _fields: frozenset[str] = attrs.field(init=False, eq=False, repr=False, factory=frozenset)
    _fit: tuple[bool, ...] = attrs.field(init=False, eq=False, repr=False, factory=tuple)
    _hits: tuple[CriterionHit, ...] = attrs.field(init=False, eq=False, repr=False, factory=tuple)
    #: per criterion, the position of its age in a lead key (:meth:`_keyer`), -1 without decay
    _decay_slots: tuple[int, ...] = attrs.field(init=False, eq=False, repr=False, factory=tuple)

    def __attrs_post_init__(self) -> None:
        problems: list[Problem] = []
        seen: set[str] = set()
        items: tuple[Any, ...] = self.criteria
        for i, criterion in enumerate(items):
            if not isinstance(criterion, Criterion):
                problems.append(Problem(f"criteria[{i}]", criterion, "must be a Criterion"))
            elif criterion.name in seen:
                problems.append(Problem(f"criteria[{i}].name", criterion.name, "is used twice"))
            else:
                seen.add(criterion.name)
        if problems:
            raise ValidationError(problems)
        out: set[str] = set()
        for criterion in self.criteria:
            out |= criterion.fields()
        object.__setattr__(self, "_fields", frozenset(out))
        fit = tuple(c.group is CriterionGroup.FIT for c in self.criteria)
        object.__setattr__(self, "_fit", fit)
        hits = tuple(CriterionHit(c.name, c.group.value, c.points) for c in self.criteria)
        object.__setattr__(self, "_hits", hits)
        decaying = [i for i, c in enumerate(self.criteria) if c.decay is not None]
        slots = tuple(decaying.index(i) if i in decaying else -1 for i in range(len(hits)))
        object.__setattr__(self, "_decay_slots", slots)

    def fields(self) -> frozenset[str]:
        """Every field the model reads.

        Examples:
            >>> from crmkit.frames import col
            >>> from crmkit.scoring import Criterion, LeadScoringModel
            >>> sorted(LeadScoringModel([Criterion("a", col("x") > 1, 1)]).fields())
            ['x']
        """
        return self._fields

    def action_for(self, score: float) -> str:
        """The action of a score.

        Examples:
            >>> from crmkit.scoring import LeadScoringModel, Threshold
            >>> m = LeadScoringModel([], thresholds=[Threshold(50, "prioritise")])
            >>> m.action_for(50), m.action_for(49.9)
            ('prioritise', 'disqualify')
        """
        for threshold in self.thresholds:
            if score >= threshold.min_score:
                return threshold.action
        return self.default_action

    # ----------------------------------------------------------------- records
    def uses_as_of(self) -> bool:
        """Whether scores depend on the as-of date (a decay, or a rule on relative dates).

        Such a model needs ``as_of`` in :meth:`score_one` and :meth:`score`; without it they
        still use today's date in UTC for one release, with a :class:`DeprecationWarning`
        (crmkit's analytics read no clock).

        Examples:
            >>> from crmkit.frames import col
            >>> from crmkit.scoring import Criterion, Decay, LeadScoringModel
            >>> LeadScoringModel([Criterion("a", col("x") > 1, 1)]).uses_as_of()
            False
            >>> LeadScoringModel([Criterion("a", col("x") > 1, 1, "engagement",
            ...                             Decay("seen_at", 14))]).uses_as_of()
            True
        """
        return any(c.decay is not None or c.rule.uses_as_of() for c in self.criteria)

    def _as_of(self, as_of: date | None, where: str) -> date | None:
        """The as-of day of a call (``None`` when the model does not need one)."""
        if as_of is None and self.uses_as_of():
            warn_missing(
                "as_of", where=f"LeadScoringModel.{where}", old="today's date in UTC",
                inside=__name__,
            )  # fmt: skip
            return datetime.now(UTC).date()
        return None if as_of is None else _as_of(as_of)

    def score_one(self, lead: Any, *, as_of: date | None = None) -> LeadScore:
        """Score one lead record (dict or object) and explain it.

        ``as_of`` (a date) is the day decay counts to and relative dates in rules refer to;
        a model that has neither (:meth:`uses_as_of`) does not need it. A criterion reading a
        field the lead does not have raises :class:`~crmkit.errors.ValidationError` naming
        the field.

        Examples:
            >>> from crmkit.frames import col
            >>> from crmkit.scoring import Criterion, LeadScoringModel
            >>> LeadScoringModel([Criterion("a", col("budget") > 1, 1)]).score_one({"x": 1})
            Traceback (most recent call last):
            ...
            crmkit.errors.ValidationError: lead.budget: is missing from the record
        """
        return self._score_one(lead, Context(as_of=self._as_of(as_of, "score_one")))

    def _check_fields(self, lead: Any) -> None:
        if isinstance(lead, Mapping):
            if self._fields <= lead.keys():
                return
            missing = sorted(self._fields - lead.keys())
        else:
            missing = sorted(name for name in self._fields if not hasattr(lead, name))
        if missing:
            raise ValidationError(
                [Problem(f"lead.{name}", message="is missing from the record") for name in missing]
            )

    def _score_one(self, lead: Any, ctx: Context) -> LeadScore:
        self._check_fields(lead)
        fired: list[tuple[int, float]] = []
        for i, criterion in enumerate(self.criteria):
            try:
                test = criterion.rule.evaluate(lead, ctx)
            except ValidationError as error:
                raise error.prefixed(f"lead[{criterion.name}]") from None
            if test is None or not test:
                continue
            points = criterion.points
            if criterion.decay is not None:
                points *= criterion.decay.factor(criterion.decay.days().evaluate(lead, ctx))
            fired.append((i, points))
        return self._assemble(fired)

    def _assemble(self, fired: Iterable[tuple[int, float]]) -> LeadScore:
        """The :class:`LeadScore` of the criteria that fired (their positions, in order, and
        the points each gave): group totals in criterion order, caps, score, action, hits."""
        fit = engagement = 0.0
        hits: list[CriterionHit] = []
        groups, own = self._fit, self._hits
        for i, points in fired:
            if groups[i]:
                fit += points
            else:
                engagement += points
            hit = own[i]  # (the criterion's own hit, unless decay changed its points)
            hits.append(
                hit if points is hit.points else CriterionHit(hit.criterion, hit.group, points)
            )
        fit = _capped(fit, self.fit_cap)
        engagement = _capped(engagement, self.engagement_cap)
        score = fit + engagement
        return LeadScore(score, fit, engagement, self.action_for(score), tuple(hits))

    def _scorer(self, ctx: Context) -> Callable[[Any], LeadScore]:
        """The records engine: the whole model compiled once into one function of a lead.

        The function (written with :class:`crmkit.frames.record_function.RecordSource`) reads
        every field first, then tests each rule, adds its points to its group (decaying
        points computed only when the criterion fired), caps the groups, picks the action and
        builds the :class:`LeadScore` — the steps of :meth:`_score_one`, in its order, so the
        sums are the same. A lead it cannot score (a missing field, a value of the wrong type
        raises :class:`~crmkit.errors.ValidationError`) goes to :meth:`_score_one`, which
        raises the error naming the field and criterion.
        """
        made: dict[bool, Callable[[Any], LeadScore]] = {}
        by_type: dict[type, Callable[[Any], LeadScore]] = {}
        fields = self._fields
        careful = self._score_one

        def function_for(lead: Any) -> Callable[[Any], LeadScore]:
            mapping = isinstance(lead, Mapping)
            if mapping not in made:
                made[mapping] = self._compiled(ctx, mapping=mapping)
            compiled = made[mapping]
            fast = compiled
            if mapping and lead.__class__ is not dict:
                # another kind of mapping might answer a missing key: its keys are checked
                def checked(lead: Any) -> LeadScore:
                    if not fields <= lead.keys():
                        return careful(lead, ctx)
                    return compiled(lead)

                fast = checked
            by_type[lead.__class__] = fast
            return fast

        def score(lead: Any) -> LeadScore:
            fast = by_type.get(lead.__class__) or function_for(lead)
            try:
                return fast(lead)
            except ValidationError:  # the careful path names the criterion too
                return careful(lead, ctx)

        return score

    def _compiled(self, ctx: Context, *, mapping: bool) -> Callable[[Any], LeadScore]:
        """The generated scoring function of :meth:`_scorer` for one record kind."""
        criteria = self.criteria
        base = tuple(CriterionHit(c.name, c.group.value, c.points) for c in criteria)
        decaying = {id(base[i]): i for i, c in enumerate(criteria) if c.decay is not None}

        def decayed(hits: tuple[CriterionHit, ...], points: Sequence[float]) -> tuple[Any, ...]:
            return tuple(
                hit if id(hit) not in decaying
                else CriterionHit(hit.criterion, hit.group, points[decaying[id(hit)]])
                for hit in hits
            )  # fmt: skip

        src = RecordSource(ctx, mapping=mapping)
        src.read_fields(sorted(self._fields))  # every field first, each read once
        src.emit("fit = 0.0")
        src.emit("engagement = 0.0")
        fired_all: list[str] = []
        points_of: list[str] = []
        for criterion in criteria:
            total = "fit" if criterion.group is CriterionGroup.FIT else "engagement"
            fired = src.test(criterion.rule)
            fired_all.append(fired)
            points = src.constant(criterion.points).text
            if criterion.decay is not None:
                points = src.local()
                src.emit(f"{points} = 0.0")
            points_of.append(points)
            src.emit(f"if {fired}:")
            with src.block():
                if criterion.decay is not None:
                    age = src.value(criterion.decay.days())
                    factor = src.opaque(criterion.decay.factor)
                    src.emit(f"{points} = {src.constant(criterion.points).text} * {factor}({age})")
                src.emit(f"{total} += {points}")
        for total, cap in (("fit", self.fit_cap), ("engagement", self.engagement_cap)):
            if cap is not None:
                limit = src.constant(float(cap)).text
                src.emit(f"if {total} > {limit}: {total} = {limit}")
        src.emit("score = fit + engagement")
        src.emit(f"action = {src.constant(self.default_action).text}")
        for threshold in reversed(self.thresholds):  # the highest threshold met wins
            least = src.constant(threshold.min_score).text
            src.emit(f"if score >= {least}: action = {src.constant(threshold.action).text}")
        flags = "".join(f"{fired}, " for fired in fired_all)
        src.emit(f"hits = tuple({src.opaque(compress)}({src.opaque(base)}, ({flags})))")
        if decaying:
            late = " or ".join(fired_all[i] for i in decaying.values())
            src.emit(f"if {late}:")
            src.emit(f"    hits = {src.opaque(decayed)}(hits, ({', '.join(points_of)},))")
        result = f"{src.opaque(LeadScore)}(score, fit, engagement, action, hits)"
        function: Callable[[Any], LeadScore] = src.function(result, "score_lead")
        return function

    def _keyer(
        self, ctx: Context, *, mapping: bool, sample: Sequence[Any] = ()
    ) -> Callable[[Any], Any]:
        """A compiled function of a lead giving what its :class:`LeadScore` depends on: an
        integer whose bit ``i`` says criterion ``i`` fired, and, when a decaying criterion
        fired, a tuple of that integer and the age of every decaying criterion (``None``
        where it did not fire). With one decaying criterion, an age that is an ``int`` is
        kept in the same integer instead, shifted above the criteria's bits
        (``code | age << len(criteria)``, negative ages too; :meth:`_results` splits it).
        The fields are read and the rules tested as in :meth:`_compiled`; the types of the
        ``sample`` leads' values are tested first (:meth:`RecordSource.read_fields`)."""
        src = RecordSource(ctx, mapping=mapping)
        src.read_fields(sorted(self._fields), sample=sample)
        src.emit("code = 0")
        ages: list[str] = []
        decaying = 0
        for bit, criterion in enumerate(self.criteria):
            if criterion.decay is None:
                src.when(criterion.rule, f"code |= {1 << bit}")
                continue
            fired = src.test(criterion.rule)
            decaying |= 1 << bit
            age = src.local()
            ages.append(age)
            src.emit(f"{age} = None")
            src.emit(f"if {fired}:")
            with src.block():
                src.emit(f"code |= {1 << bit}")
                src.emit(f"{age} = {src.value(criterion.decay.days())}")
        if len(ages) == 1:  # an int age goes into the bits above the criteria (one int key)
            src.emit(f"if code & {decaying}:")
            shift = len(self.criteria)
            src.emit(f"    if {ages[0]}.__class__ is int: return code | ({ages[0]} << {shift})")
            src.emit(f"    return (code, {ages[0]})")
        elif ages:
            src.emit(f"if code & {decaying}: return (code, {', '.join(ages)})")
        function: Callable[[Any], Any] = src.function("code", "lead_key")
        return function

    def _score_keyed(self, rows: list[Any], ctx: Context) -> list[LeadScore] | None:
        """The records engine for many leads: each lead's key (:meth:`_keyer`), then one
        :class:`LeadScore` per distinct key (added up as :meth:`_assemble` does, from the
        parts of its criteria code that do not depend on decay,
        :meth:`~crmkit.scoring._criteria_codes.CriteriaCodes.parts`, and one
        decayed hit per criterion and age), shared by the leads that have it (results are
        immutable). ``None`` when a lead cannot be scored (the per-lead
        loop then raises the error naming it) or for mappings other than ``dict``."""
        classes = set(map(type, rows))
        functions: dict[type, Callable[[Any], Any]] = {}
        for kind in classes:
            mapping = issubclass(kind, Mapping)
            if mapping and kind is not dict:  # (it might answer a missing key)
                return None
            sample = _spread_sample(rows, kind, _SAMPLE)
            functions[kind] = self._keyer(ctx, mapping=mapping, sample=sample)
        try:
            if len(functions) == 1:
                keys = list(map(functions.popitem()[1], rows))
            else:
                keys = [functions[row.__class__](row) for row in rows]
        except ValidationError:
            return None
        return self._results(keys)

    def _results(self, keys: Sequence[Any]) -> list[LeadScore]:
        """The :class:`LeadScore` of each lead key of :meth:`_keyer`, one per distinct key.

        A key's criteria code gives its parts that do not depend on decay
        (:meth:`~crmkit.scoring._criteria_codes.CriteriaCodes.parts`, once per code): the
        capped fit total, the engagement total and the hits, in criterion order, as
        :meth:`_assemble` adds them up within each group. A key without ages
        is its code's parts. An integer key with an age (one decaying criterion, that fired)
        adds to the engagement points before that criterion its decayed points and then the
        points after it, one by one (the same additions, so the same floats), and takes its
        code's hits with the decayed hit (one per age) in that criterion's place. A tuple key
        (several decaying criteria, or an age that is not an ``int``) adds every engagement
        hit's points, after decay, in order. Results are built through
        :func:`crmkit.domain.validators.plain_maker` (:class:`LeadScore` has no
        validator) and shared by the leads with the same key (they are immutable).
        """
        bits = len(self.criteria)
        mask = (1 << bits) - 1
        slots = self._decay_slots
        decays = [c.decay for c in self.criteria]
        cap = None if self.engagement_cap is None else float(self.engagement_cap)
        make = _lead_score_maker()
        own = self._hits
        action_for = self.action_for
        actions: dict[float, str] = {}
        per_code: dict[int, CodeParts] = {}
        code_parts = CriteriaCodes(own, self._fit, slots, fit_cap=self.fit_cap).parts
        decayed: list[dict[Any, CriterionHit]] = [{} for _ in decays]  # per criterion: age → hit

        def decayed_hit(i: int, age: Any) -> CriterionHit:
            hit = decayed[i].get(age)
            if hit is None:
                base, decay = own[i], decays[i]
                assert decay is not None  # (a criterion with an age slot decays)
                points = base.points * decay.factor(age)
                hit = decayed[i][age] = CriterionHit(base.criterion, base.group, points)
            return hit

        table: dict[Any, Any] = dict.fromkeys(keys)
        for key in table:
            if key.__class__ is int:
                code = key & mask
                parts = per_code.get(code)
                if parts is None:
                    parts = per_code[code] = code_parts(code)
                fit, engagement, hits, engaged, one = parts
                if one is not None:  # the decaying criterion fired: the age is above the bits
                    before, after, position, i = one
                    age = key >> bits
                    hit = decayed[i].get(age)
                    if hit is None:
                        hit = decayed_hit(i, age)
                    engagement = before + hit.points
                    for points in after:
                        engagement += points
                    listed = [*hits]
                    listed[position] = hit
                    hits = tuple(listed)
            else:  # every engagement hit's points (after decay) summed in order
                code, ages = key[0], key[1:]
                parts = per_code.get(code)
                if parts is None:
                    parts = per_code[code] = code_parts(code)
                fit, _, hits, engaged, _ = parts
                listed = [*hits]
                engagement = 0.0
                for position, i in engaged:
                    if slots[i] >= 0:
                        listed[position] = decayed_hit(i, ages[slots[i]])
                    engagement += listed[position].points
                hits = tuple(listed)
            if cap is not None and engagement > cap:  # (as _capped)
                engagement = cap
            score = fit + engagement
            action = actions.get(score)
            if action is None:
                action = actions[score] = action_for(score)
            table[key] = make(score, fit, engagement, action, hits)
        return list(map(table.__getitem__, keys))

    @overload
    def score(
        self, leads: SupportsToNative[FrameT], *, as_of: date | None = ..., explain: bool = ...
    ) -> FrameT: ...
    @overload
    def score(self, leads: FrameT, *, as_of: date | None = ..., explain: bool = ...) -> FrameT: ...
    @overload
    def score(
        self, leads: Records, *, as_of: date | None = ..., explain: bool = ...
    ) -> list[LeadScore]: ...

    def score(self, leads: Any, *, as_of: date | None = None, explain: bool = False) -> Any:
        """Score records (→ list of :class:`LeadScore`) or a frame (→ same kind of frame).

        A frame gets the columns ``lead_score``, ``fit_score``, ``engagement_score`` and
        ``action``; with ``explain=True`` also one ``points:<criterion>`` column per criterion
        (the points it gave, 0 when it did not fire). Lazy frames stay lazy.

        Examples:
            >>> import polars as pl
            >>> from crmkit.frames import col
            >>> from crmkit.scoring import Criterion, LeadScoringModel, Threshold
            >>> m = LeadScoringModel([Criterion("big", col("employees") >= 50, 20)],
            ...                      thresholds=[Threshold(10, "route")])
            >>> out = m.score(pl.DataFrame({"employees": [10, 80]}))
            >>> out["lead_score"].to_list(), out["action"].to_list()
            ([0.0, 20.0], ['disqualify', 'route'])
        """
        day = self._as_of(as_of, "score")
        if not is_frame(leads):
            ctx = Context(as_of=day)
            rows = leads if isinstance(leads, list) else list(leads)
            keyed = self._score_keyed(rows, ctx)
            if keyed is not None:
                return keyed
            score = self._scorer(ctx)
            out: list[LeadScore] = []
            append = out.append
            for index, lead in enumerate(rows):
                try:
                    append(score(lead))
                except ValidationError as error:
                    raise error.prefixed(f"[{index}]") from None
            return out
        frame = self.score_frame(from_native(leads), as_of=day, explain=explain)
        return to_native(frame)

    def score_frame(self, frame: Any, *, as_of: date | None = None, explain: bool = False) -> Any:
        """The frames engine of :meth:`score` on a narwhals frame (returns narwhals).

        Examples:
            >>> import polars as pl
            >>> from crmkit.frames import col, from_native
            >>> from crmkit.scoring import Criterion, LeadScoringModel
            >>> m = LeadScoringModel([Criterion("big", col("employees") >= 50, 20)])
            >>> m.score_frame(from_native(pl.DataFrame({"employees": [80]})))["fit_score"][0]
            20.0
        """
        present = set(column_names(frame))
        missing = sorted(self.fields() - present)
        if missing:
            listed = ", ".join(repr(c) for c in sorted(present)) or "none"
            raise ValidationError(
                [
                    Problem(f"leads.{name}", message=f"is missing; the frame has columns {listed}")
                    for name in missing
                ]
            )
        day = self._as_of(as_of, "score_frame")
        if frame.implementation.is_dask():
            # a lead's scores depend on its row alone: every pandas partition is scored on its
            # own (index kept), one task per partition instead of Dask planning the whole
            # expression (hundreds of tasks per partition and seconds of planning)
            scores = _PartitionScores(self, day, explain)
            return from_native(to_native(frame).map_partitions(scores))
        if frame.implementation.is_pandas():
            # NumPy on the columns (crmkit.frames.numpy_lowering), the same values as the
            # narwhals expressions below; None when a rule or column is not covered
            scored = self._score_pandas(to_native(frame), day, explain)
            if scored is not None:
                return from_native(scored)
        if not explain and (frame.implementation.is_pyspark() or frame.implementation.is_duckdb()):
            # the projection as SQL text (one PySpark `selectExpr`, one DuckDB `project`, per
            # step) instead of an engine call per narwhals expression node; None when a rule
            # is not covered by `condition_sql`
            projected = self._score_sql(frame, day)
            if projected is not None:
                return from_native(projected)
        return self._score_compiled(frame, day, explain)

    def _score_sql(self, frame: Any, day: date | None) -> Any:
        """:meth:`_score_compiled` on a PySpark frame or DuckDB relation as SQL text in the
        engine's dialect (``None``: not covered).

        The same values as the narwhals expressions there (with ``explain=False``): the age
        of a decay ``DATE`` as a double, each criterion a ``CASE`` on its condition
        (:func:`~crmkit.frames.expression.condition_sql`), each group's leading whole-point
        criteria added up as integers and cast to a double once, the rest added in criterion
        order to it (or to ``0.0``), caps as ``least`` (one ``selectExpr`` / ``project``),
        then the lead score and the action (a second), in the same column order and types.
        The dialects differ in identifier quoting, literals and the date difference.
        """
        nw = narwhals()
        dialect: SqlDialect = "spark" if frame.implementation.is_pyspark() else "duckdb"
        schema = column_types(frame)
        ctx = Context(as_of=day, schema=schema, implementation=frame.implementation)
        fields = sorted({c.decay.field for c in self.criteria if c.decay is not None})
        added = {"fit_score", "engagement_score", "lead_score", "action"}
        if any(name.lower() in added for name in schema):  # (both match names in any case)
            return None
        if fields and (day is None or any(schema[f] != nw.Date for f in fields)):
            return None

        def quoted(name: str) -> str:
            return identifier_sql(name, dialect)

        def number(value: float) -> str | None:
            return literal_sql(float(value), dialect)

        conditions = [condition_sql(c.rule, ctx, dialect) for c in self.criteria]
        texts = [
            *(number(c.points) for c in self.criteria),
            *(number(t.min_score) for t in self.thresholds),
            *(
                literal_sql(a, dialect)
                for a in (self.default_action, *(t.action for t in self.thresholds))
            ),
            *(number(-math.log(2.0) / c.decay.half_life_days) for c in self.criteria if c.decay),
            *(number(cap) for cap in (self.fit_cap, self.engagement_cap) if cap is not None),
        ]
        if None in conditions or None in texts:
            return None
        zero, one = number(0.0), number(1.0)
        # the age in days of the as-of date (Context.as_of_day) after a field's date, a double
        # (written where it is used; the engines compute the common subexpression once a row)
        age_of = {
            field: f"CAST(({ctx.as_of_day} - CAST("
            + (
                f"DATEDIFF({quoted(field)}, DATE '1970-01-01')"
                if dialect == "spark"
                else f"({quoted(field)} - DATE '1970-01-01')"
            )
            + " AS BIGINT)) AS DOUBLE)"
            for field in fields
        }
        points: list[str] = []
        for criterion in self.criteria:
            value = f"{number(criterion.points)}"
            if criterion.decay is not None:
                days = age_of[criterion.decay.field]
                rate = number(-math.log(2.0) / criterion.decay.half_life_days)
                clipped = f"CASE WHEN ({days} < 0) THEN {zero} ELSE {days} END"
                factor = f"EXP(({clipped} * {rate}))"
                value = f"({value} * CASE WHEN ({days} IS NULL) THEN {one} ELSE {factor} END)"
            points.append(value)
        totals = []
        for group, alias in (
            (CriterionGroup.FIT, "fit_score"),
            (CriterionGroup.ENGAGEMENT, "engagement_score"),
        ):
            members = [i for i, c in enumerate(self.criteria) if c.group is group]
            parts = [f"CASE WHEN {conditions[i]} THEN {points[i]} ELSE {zero} END" for i in members]
            run = _whole_run([self.criteria[i] for i in members])
            if run:  # (as in _score_compiled: integers, cast to a double once)
                bound = sum(abs(self.criteria[i].points) for i in members[:run])

                def whole(value: int, bound: float = bound) -> str:
                    # (as narwhals' literals: INT below 2**31 on both engines, else BIGINT)
                    if bound < 2**31:
                        return str(value)
                    return f"{value}L" if dialect == "spark" else f"CAST({value} AS BIGINT)"

                wholes = [
                    f"CASE WHEN {conditions[i]} THEN {whole(int(self.criteria[i].points))} "
                    f"ELSE {whole(0)} END"
                    for i in members[:run]
                ]
                parts = [f"CAST({reduce(_sql_add, wholes)} AS DOUBLE)", *parts[run:]]
            summed = parts if run else [f"{zero}", *parts]
            total = reduce(_sql_add, summed)
            cap = self.fit_cap if group is CriterionGroup.FIT else self.engagement_cap
            if cap is not None:  # (a total is never null: narwhals' clip is this least)
                total = f"least({total}, {number(cap)})"
            totals.append(f"CAST({total} AS DOUBLE) AS {quoted(alias)}")
        # the lead score and the action over the two totals (as the hand-written query)
        lead = f"({quoted('fit_score')} + {quoted('engagement_score')})"
        action = literal_sql(self.default_action, dialect)
        for threshold in reversed(self.thresholds):
            action = (
                f"CASE WHEN ({lead} >= {number(threshold.min_score)}) "
                f"THEN {literal_sql(threshold.action, dialect)} ELSE {action} END"
            )
        last = [f"{lead} AS {quoted('lead_score')}", f"{action} AS {quoted('action')}"]
        native = to_native(frame)
        if dialect == "spark":
            return native.selectExpr("*", *totals).selectExpr("*", *last)
        return native.project(", ".join(["*", *totals])).project(", ".join(["*", *last]))

    def _score_compiled(self, frame: Any, day: date | None, explain: bool) -> Any:
        """:meth:`score_frame` as narwhals expressions (every engine but Dask)."""
        nw = narwhals()
        ctx = Context(as_of=day, schema=column_types(frame), implementation=frame.implementation)
        # an eager Polars frame runs through Polars' lazy engine (common subexpressions are
        # computed once there) and is collected back into a DataFrame at the end
        polars_eager = not is_lazy(frame) and frame.implementation.is_polars()
        if polars_eager:
            frame = frame.lazy()
        # the age of each decay date is computed once, as a temporary column
        ages = {
            field: f"__age:{field}"
            for field in sorted({c.decay.field for c in self.criteria if c.decay is not None})
        }
        if ages:
            frame = frame.with_columns(
                *[
                    col(field).days_before_as_of().compile(ctx).cast(nw.Float64()).alias(name)
                    for field, name in ages.items()
                ]
            )
        point_exprs: list[tuple[Criterion, str, Any]] = []
        # pandas computes a test's points as the test (0 or 1) times the points faster than as
        # a `where` (Polars does not); the totals then start from 0.0, so that no -0.0 (a
        # negative criterion times 0) reaches them, and the explained per-criterion columns
        # keep the `when` form. A test is compiled as a condition (`compile_condition`): on
        # DuckDB and PySpark a CASE counts null as false, so no COALESCE(…, FALSE) per
        # comparison; elsewhere it is the never-null test
        engine = frame.implementation
        product = not explain and engine.is_pandas_like()
        sql = engine.is_duckdb() or engine.is_spark_like()
        fired: dict[str, Any] = {}
        for i, criterion in enumerate(self.criteria):
            name = f"__points:{i}"
            points: Any = nw.lit(criterion.points)
            if criterion.decay is not None:
                days = nw.col(ages[criterion.decay.field])
                clipped = nw.when(days < 0).then(nw.lit(0.0)).otherwise(days)
                factor = (clipped * (-math.log(2.0) / criterion.decay.half_life_days)).exp()
                points = points * nw.when(days.is_null()).then(nw.lit(1.0)).otherwise(factor)
            fired[name] = criterion.rule.compile_condition(ctx)
            if product:
                expr = fired[name].cast(nw.Float64()) * points
            else:
                expr = nw.when(fired[name]).then(points).otherwise(nw.lit(0.0))
                if not sql:  # (SQL: a CASE of two floats is a float; each call costs PySpark)
                    expr = expr.cast(nw.Float64())
            point_exprs.append((criterion, name, expr))
        if explain:  # each criterion's points are computed once, as columns shown later
            out = frame.with_columns(*[e.alias(name) for _, name, e in point_exprs])
            terms = {name: nw.col(name) for _, name, _ in point_exprs}
        else:  # the totals add the points up directly; no column per criterion
            out = frame
            terms = {name: e for _, name, e in point_exprs}
        totals = []
        for group, alias in (
            (CriterionGroup.FIT, "fit_score"),
            (CriterionGroup.ENGAGEMENT, "engagement_score"),
        ):
            members = [(c, name) for c, name, _ in point_exprs if c.group is group]
            parts = [terms[name] for _, name in members]
            run = _whole_run([c for c, _ in members]) if sql and not explain else 0
            if run:
                # the group's first criteria give whole points: SQL adds them up as integers
                # (as a hand-written query does) and the sum is cast to a float once; the float
                # sum 0.0 + … in criterion order reaches the same number (every partial sum is
                # a whole number within 2**53, so exact, and a zero is +0.0 in both), and the
                # criteria after the run are added to it in their order as before
                bound = sum(abs(c.points) for c, _ in members[:run])
                # (a Python int below 2**31 is an INTEGER literal on both engines)
                dtype = None if bound < 2**31 else nw.Int64()
                whole = [
                    nw.when(fired[name])
                    .then(nw.lit(int(c.points), dtype))
                    .otherwise(nw.lit(0, dtype))
                    for c, name in members[:run]
                ]
                parts = [reduce(operator.add, whole).cast(nw.Float64()), *parts[run:]]
            # a criterion's points are never null, so a plain sum (no null handling of
            # sum_horizontal: SQL engines wrap each term in COALESCE) adds them up; it starts
            # from 0.0 as the records engine's does (no -0.0 total) where it is not the
            # integer sum of a run
            start = product or (sql and not explain and not run)
            summed = [nw.lit(0.0), *parts] if start else parts or [nw.lit(0.0)]
            total: Any = reduce(operator.add, summed)
            totals.append(total.cast(nw.Float64()).alias(alias))
        out = out.with_columns(*totals)
        caps = [
            nw.col(alias).clip(upper_bound=float(cap)).alias(alias)
            for alias, cap in (
                ("fit_score", self.fit_cap),
                ("engagement_score", self.engagement_cap),
            )
            if cap is not None
        ]
        if caps:
            out = out.with_columns(*caps)
        out = out.with_columns(
            (nw.col("fit_score") + nw.col("engagement_score")).alias("lead_score")
        )
        action: Any = nw.lit(self.default_action)
        for threshold in reversed(self.thresholds):
            action = (
                nw.when(nw.col("lead_score") >= threshold.min_score)
                .then(nw.lit(threshold.action))
                .otherwise(action)
            )
        out = out.with_columns(action.alias("action"))
        temporary = [*ages.values()]
        if explain:
            out = out.rename({name: f"points:{c.name}" for c, name, _ in point_exprs})
        out = out.drop(*temporary) if temporary else out
        return out.collect() if polars_eager else out

    def _score_pandas(self, frame: Any, day: date | None, explain: bool) -> Any:
        """:meth:`score_frame` on a pandas ``DataFrame`` in NumPy (``None``: not covered).

        The rules are lowered by :mod:`crmkit.frames.numpy_lowering`; every step below is
        the NumPy form of the same step of :meth:`_score_compiled` (the same floats), and the
        result frame is built once.
        """
        import numpy as np
        import pandas as pd

        from crmkit.frames.numpy_lowering import lower_numbers, lower_tests

        shown = [f"points:{c.name}" for c in self.criteria] if explain else []
        temporary = [f"__points:{i}" for i in range(len(self.criteria))]
        fields = sorted({c.decay.field for c in self.criteria if c.decay is not None})
        temporary += [f"__age:{field}" for field in fields]
        if len(set(shown)) != len(shown) or frame.columns.isin([*shown, *temporary]).any():
            return None  # the compiled path's renames decide what such a frame gets
        ctx = Context(as_of=day)
        ages = lower_numbers(frame, [col(field).days_before_as_of() for field in fields], ctx)
        fired = lower_tests(frame, [c.rule for c in self.criteria], ctx)
        if ages is None or fired is None:
            return None
        age = dict(zip(fields, ages, strict=True))
        rows = len(frame)

        def points(criterion: Criterion) -> Any:
            if criterion.decay is None:
                return criterion.points
            days = age[criterion.decay.field]
            clipped = np.where(days < 0, 0.0, days)
            factor = np.exp(clipped * (-math.log(2.0) / criterion.decay.half_life_days))
            return criterion.points * np.where(np.isnan(days), 1.0, factor)

        added: dict[str, Any] = {}
        for i, criterion in enumerate(self.criteria if explain else ()):  # points columns
            added[shown[i]] = np.where(fired[i], points(criterion), 0.0).astype(np.float64)
        totals: list[Any] = []
        for group in (CriterionGroup.FIT, CriterionGroup.ENGAGEMENT):
            members = [(i, c) for i, c in enumerate(self.criteria) if c.group is group]
            if explain:  # the points columns added up from the first one
                terms = [added[shown[i]] for i, _ in members]
                total = (
                    reduce(operator.add, terms[1:], terms[0].copy()) if terms else np.zeros(rows)
                )
            else:  # 0.0 + test × points, term by term
                whole = _whole_run([c for _, c in members])
                total = _whole_sum(np, [(fired[i], c) for i, c in members[:whole]], rows)
                for i, criterion in members[whole:]:
                    total += fired[i] * points(criterion)
            totals.append(total)
        fit, engagement = totals
        if self.fit_cap is not None:
            np.minimum(fit, float(self.fit_cap), out=fit)
        if self.engagement_cap is not None:
            np.minimum(engagement, float(self.engagement_cap), out=engagement)
        lead = fit + engagement
        # the highest threshold met wins: count the thresholds met (a NaN meets none)
        reached = np.zeros(rows, dtype=np.intp)
        for threshold in self.thresholds:
            reached += lead >= threshold.min_score
        labels = pd.Series([self.default_action, *(t.action for t in reversed(self.thresholds))])
        added.update(
            fit_score=fit,
            engagement_score=engagement,
            lead_score=lead,
            action=labels.array.take(reached),
        )
        dtypes = self._result_dtypes(frame, day, explain)
        if dtypes is None:
            return None
        for name, values in added.items():  # as the narwhals path types them (Arrow, nullable)
            if name in dtypes and values.dtype != dtypes[name]:
                added[name] = pd.array(values, dtype=dtypes[name])
        return frame.assign(**added)

    def _result_dtypes(self, frame: Any, day: date | None, explain: bool) -> Any:
        """The dtypes the narwhals path gives the columns it adds to a pandas frame.

        ``{}`` (nothing to change) when every column the rules read is a NumPy column, a
        zoned datetime or pandas' ``str``: their tests are NumPy booleans there too, so the
        scores are float64. Otherwise (Arrow-backed or nullable text, as in Dask's partitions,
        …) they are those of the narwhals path run on none of the frame's rows, kept per model
        and column types; ``None`` if that run fails (the narwhals path then gives its error).
        """
        import numpy as np
        import pandas as pd

        fields = self.fields()
        if all(
            isinstance(dtype, np.dtype | pd.DatetimeTZDtype)
            or (isinstance(dtype, pd.StringDtype) and dtype.na_value is not pd.NA)
            for name, dtype in frame.dtypes.items()
            if name in fields
        ):
            return {}
        key = (repr(self), explain, tuple((name, str(t)) for name, t in frame.dtypes.items()))
        known = _RESULT_DTYPES.get(key)
        if known is None:
            try:
                empty = self._score_compiled(from_native(frame.iloc[:0]), day, explain)
            except Exception:  # the narwhals path on all the rows gives its error
                return None
            known = dict(to_native(empty).dtypes.items())
            if len(_RESULT_DTYPES) >= 64:
                _RESULT_DTYPES.clear()
            _RESULT_DTYPES[key] = known
        return known


#: :meth:`LeadScoringModel._result_dtypes` found so far, by model, explain and column types.
_RESULT_DTYPES: dict[tuple[str, bool, tuple[tuple[str, str], ...]], dict[str, Any]] = {}


@attrs.frozen
class _PartitionScores:
    """:meth:`LeadScoringModel.score_frame` on one pandas partition of a Dask frame."""

    model: LeadScoringModel
    as_of: date | None
    explain: bool

    def __call__(self, partition: Any) -> Any:
        scored = self.model.score_frame(
            from_native(partition), as_of=self.as_of, explain=self.explain
        )
        return to_native(scored)


_Maker = Callable[[float, float, float, str, tuple[CriterionHit, ...]], LeadScore]


@functools.cache
def _lead_score_maker() -> _Maker:
    """A function building a :class:`LeadScore` from its five values as its ``__init__``
    would (:func:`crmkit.domain.validators.plain_maker`: ``LeadScore`` has no validator or
    converter, so nothing is checked); the class itself when that is not available."""
    return plain_maker(LeadScore)


def _sql_add(left: str, right: str) -> str:
    """``left + right`` in SQL text (parenthesised: the sums add in criterion order)."""
    return f"({left} + {right})"


def _whole_run(criteria: Sequence[Criterion]) -> int:
    """How many of the first ``criteria`` give whole points without decay, adding up to at
    most 2**53 in absolute value (so every partial sum is an exact float)."""
    run = bound = 0
    for criterion in criteria:
        points = criterion.points
        if criterion.decay is not None or not points.is_integer():
            break
        bound += abs(int(points))
        if bound > 2**53:
            break
        run += 1
    return run


def _whole_sum(np: Any, terms: Sequence[tuple[Any, Criterion]], rows: int) -> Any:
    """``0.0 + test × points + …`` over ``terms`` (whole points), as float64.

    Added up in the smallest integer type that holds every partial sum: each float partial
    sum is then a whole number below 2**53, held exactly, so the floats are the same.
    """
    bound = sum(abs(criterion.points) for _, criterion in terms)
    dtype = np.int16 if bound < 2**15 else np.int32 if bound < 2**31 else np.int64
    total = np.zeros(rows, dtype=dtype)
    term = np.empty(rows, dtype=dtype)
    for test, criterion in terms:
        np.multiply(test, dtype(int(criterion.points)), out=term)
        total += term
    return total.astype(np.float64)


def _as_of(as_of: date) -> date:
    if isinstance(as_of, datetime):
        if as_of.tzinfo is not None:
            return as_of.astimezone(UTC).date()
        return as_of.date()
    if not isinstance(as_of, date):
        raise ValidationError.single("as_of", as_of, "must be a date")
    return as_of


def criteria_table(model: LeadScoringModel) -> Sequence[tuple[str, str, float]]:
    """(name, group, points) of every criterion, for documentation and reports.

    Examples:
        >>> from crmkit.frames import col
        >>> from crmkit.scoring import Criterion, LeadScoringModel
        >>> from crmkit.scoring.lead_scoring import criteria_table
        >>> criteria_table(LeadScoringModel([Criterion("a", col("x") > 1, 3)]))
        [('a', 'fit', 3.0)]
    """
    return [(c.name, c.group.value, c.points) for c in model.criteria]
