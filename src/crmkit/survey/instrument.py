"""Survey instruments: questions on answer scales, constructs that group items, and the
responses checked against them.

Examples:
    >>> from crmkit.survey import Construct, Instrument, Question, Scale
    >>> inst = Instrument(
    ...     key="mini",
    ...     title={"en": "Mini survey"},
    ...     questions=(
    ...         Question("sat", {"en": "How satisfied are you?"}, Scale.likert(7)),
    ...         Question("rec", {"en": "Would you hire us again?"}, Scale.likert(7)),
    ...         Question("slow", {"en": "We were slow."}, Scale.likert(7), reverse=True),
    ...     ),
    ...     constructs=(Construct("satisfaction", {"en": "Satisfaction"},
    ...                           ("sat", "rec", "slow")),),
    ... )
    >>> r = inst.response("r1", {"sat": 6, "rec": 7, "slow": 2}, account_id="A1")
    >>> inst.construct_scores([r], "satisfaction")
    [6.333333333333333]
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Literal

import attrs

from crmkit.errors import NotFoundError, Problem, ValidationError
from crmkit.survey.descriptives import ItemDescriptives, describe
from crmkit.survey.item_table import ItemData, ItemTable, as_item_table
from crmkit.survey.reliability import Reliability, reliability
from crmkit.survey.response import Response
from crmkit.survey.scale import Answer, Recode, Scale

__all__ = ["Construct", "Instrument", "Question", "construct_scores"]

Missing = Literal["listwise", "pairwise"]


@attrs.frozen
class Question:
    """A survey question (an *item*).

    Attributes:
        key: stable identifier used in responses (e.g. ``"q03"``).
        text: question wording per language (``{"nb": ..., "en": ...}``).
        scale: the answer :class:`~crmkit.survey.Scale`.
        block: the questionnaire block it belongs to (e.g. ``"4.1"``).
        variable: the analysis variable number (e.g. ``"03"``).
        reverse: reverse-code it when scoring constructs (negatively worded item).

    Examples:
        >>> from crmkit.survey import Question, Scale
        >>> q = Question("q07", {"en": "Overall satisfaction"}, Scale.likert(7))
        >>> q.text_in("nb")      # falls back to another language
        'Overall satisfaction'
    """

    key: str
    text: dict[str, str]
    scale: Scale
    block: str | None = None
    variable: str | None = None
    reverse: bool = False

    def __attrs_post_init__(self) -> None:
        if not self.key or not isinstance(self.key, str):
            raise ValidationError.single("question.key", self.key, "must be a non-empty text")
        if not self.text:
            raise ValidationError.single(f"question.{self.key}.text", {}, "needs a wording")
        if self.reverse and not self.scale.is_ordinal:
            raise ValidationError.single(
                f"question.{self.key}.reverse",
                True,
                f"only ordinal scales can be reverse-coded, not {self.scale.type.value}",
            )

    def text_in(self, language: str) -> str:
        """The wording in ``language``, else English, else the first language given."""
        return self.text.get(language) or self.text.get("en") or next(iter(self.text.values()))


@attrs.frozen
class Construct:
    """A construct (factor) measured by several items, scored as their unweighted mean.

    Examples:
        >>> from crmkit.survey import Construct
        >>> Construct("rel", {"en": "Relationships"}, ())
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: construct.rel.items: () a construct needs at least one item
    """

    key: str
    name: dict[str, str]
    items: tuple[str, ...]

    def __attrs_post_init__(self) -> None:
        if not self.items:
            raise ValidationError.single(
                f"construct.{self.key}.items", self.items, "a construct needs at least one item"
            )
        if len(set(self.items)) != len(self.items):
            raise ValidationError.single(
                f"construct.{self.key}.items", self.items, "lists an item twice"
            )

    def name_in(self, language: str) -> str:
        """The construct name in ``language`` (falls back like :meth:`Question.text_in`)."""
        return self.name.get(language) or self.name.get("en") or next(iter(self.name.values()))


def construct_scores(
    data: ItemData,
    items: Sequence[str],
    *,
    reverse: Mapping[str, tuple[float, float]] | None = None,
    missing: Missing = "listwise",
    min_items: int | None = None,
) -> list[float | None]:
    """Score a construct per respondent as the unweighted mean of its items (seed 003 TV-7).

    Args:
        data: an :class:`~crmkit.survey.ItemTable`, ``{item: answers}``, a dataframe, or
            respondent records.
        items: the construct's items.
        reverse: items to reverse-code, with their scale ``(minimum, maximum)``.
        missing: ``"listwise"``: a respondent missing any item gets ``None``;
            ``"pairwise"``: the mean of the items answered, if at least ``min_items``
            (default: half the items, rounded up).

    Raises:
        ValidationError: no items, an unknown ``missing`` rule, or ``min_items`` out of range.

    Examples:
        >>> from crmkit.survey import construct_scores
        >>> cols = {"a": [4, 5, None], "b": [2, 3, 4]}
        >>> construct_scores(cols, ["a", "b"])
        [3.0, 4.0, None]
        >>> construct_scores(cols, ["a", "b"], missing="pairwise")
        [3.0, 4.0, 4.0]
        >>> construct_scores(cols, ["a", "b"], reverse={"b": (1, 5)})
        [4.0, 4.0, None]
    """
    if not items:
        raise ValidationError.single("items", list(items), "a construct needs at least one item")
    if missing not in ("listwise", "pairwise"):
        raise ValidationError.single("missing", missing, "must be 'listwise' or 'pairwise'")
    k = len(items)
    need = k if missing == "listwise" else (min_items if min_items is not None else -(-k // 2))
    if not 1 <= need <= k:
        raise ValidationError.single("min_items", min_items, f"must be between 1 and {k}")
    table = as_item_table(data, items)
    flips = dict(reverse or {})
    unknown = [i for i in flips if i not in items]
    if unknown:
        raise ValidationError.single("reverse", unknown[0], "is not one of the construct's items")
    scores: list[float | None] = []
    for row in range(table.n_rows):
        values = []
        for item in items:
            v = table.columns[item][row]
            if v is None:
                continue
            if item in flips:
                low, high = flips[item]
                v = low + high - v
            values.append(v)
        scores.append(math.fsum(values) / len(values) if len(values) >= need else None)
    return scores


@attrs.frozen
class Instrument:
    """A questionnaire: questions, the constructs built from them, and titles per language.

    Raises:
        ValidationError: duplicate question keys, a construct naming an unknown question or
            a non-ordinal one, or duplicate construct keys.

    Examples:
        >>> from crmkit.survey import key_account_survey
        >>> inst = key_account_survey()
        >>> inst.question("q07").text_in("en")
        'Overall, how satisfied are you with Smart Media as a partner?'
    """

    key: str
    title: dict[str, str]
    questions: tuple[Question, ...]
    constructs: tuple[Construct, ...] = ()

    def __attrs_post_init__(self) -> None:
        problems: list[Problem] = []
        seen: set[str] = set()
        for q in self.questions:
            if q.key in seen:
                problems.append(Problem(f"instrument.questions.{q.key}", q.key, "is used twice"))
            seen.add(q.key)
        by_key = {q.key: q for q in self.questions}
        construct_keys: set[str] = set()
        for c in self.constructs:
            if c.key in construct_keys:
                problems.append(Problem(f"instrument.constructs.{c.key}", c.key, "is used twice"))
            construct_keys.add(c.key)
            for item in c.items:
                question = by_key.get(item)
                if question is None:
                    problems.append(
                        Problem(f"instrument.constructs.{c.key}", item, "is not a question")
                    )
                elif not question.scale.is_ordinal:
                    problems.append(
                        Problem(
                            f"instrument.constructs.{c.key}",
                            item,
                            f"has a {question.scale.type.value} scale, which cannot be averaged",
                        )
                    )
        if problems:
            raise ValidationError(problems)

    @property
    def languages(self) -> list[str]:
        """Languages every question has a wording in."""
        common: set[str] | None = None
        for q in self.questions:
            common = set(q.text) if common is None else common & set(q.text)
        return sorted(common or ())

    def question(self, key: str) -> Question:
        """The question with ``key`` (:class:`~crmkit.errors.NotFoundError` if none)."""
        for q in self.questions:
            if q.key == key:
                return q
        raise NotFoundError(f"instrument {self.key!r} has no question {key!r}")

    def construct(self, key: str) -> Construct:
        """The construct with ``key`` (:class:`~crmkit.errors.NotFoundError` if none)."""
        for c in self.constructs:
            if c.key == key:
                return c
        raise NotFoundError(f"instrument {self.key!r} has no construct {key!r}")

    def problems(self, answers: Mapping[str, Answer]) -> list[Problem]:
        """Everything wrong with a set of answers: unknown questions and off-scale answers.

        Examples:
            >>> from crmkit.survey import key_account_survey
            >>> [str(p) for p in key_account_survey().problems({"q07": 8, "zz": 1})]
            ['answers.q07: 8 is outside the answer scale 1–7', "answers.zz: 1 is not a question of 'smart-media-kam-2019'"]
        """
        out: list[Problem] = []
        keys = {q.key: q for q in self.questions}
        for key, value in answers.items():
            question = keys.get(key)
            if question is None:
                out.append(Problem(f"answers.{key}", value, f"is not a question of {self.key!r}"))
                continue
            message = question.scale.problem(value)
            if message is not None:
                out.append(Problem(f"answers.{key}", value, message))
        return out

    def response(
        self,
        respondent_id: str,
        answers: Mapping[str, Answer],
        *,
        account_id: str | None = None,
        contact_id: str | None = None,
        submitted_at: datetime | None = None,
    ) -> Response:
        """A :class:`~crmkit.survey.Response` checked against this instrument.

        Raises:
            ValidationError: every unknown question and off-scale answer, with its path.

        Examples:
            >>> from crmkit.survey import key_account_survey
            >>> key_account_survey().response("r1", {"q03": 9})
            Traceback (most recent call last):
            ...
            crmkit.errors.ValidationError: answers.q03: 9 is outside the answer scale 1–7
        """
        problems = self.problems(answers)
        if problems:
            raise ValidationError(problems)
        return Response(
            respondent_id=respondent_id,
            answers=dict(answers),
            account_id=account_id,
            contact_id=contact_id,
            instrument_key=self.key,
            submitted_at=submitted_at,
        )

    def recode(
        self, answers: Mapping[str, Answer], rules: Mapping[str, Recode]
    ) -> dict[str, Answer]:
        """Apply recoding ``rules`` per question to raw answers (before :meth:`response`).

        Examples:
            >>> from crmkit.survey import Recode, key_account_survey
            >>> key_account_survey().recode({"q03": 8, "q07": 7}, {"q03": Recode(offset=-1)})
            {'q03': 7, 'q07': 7}
        """
        unknown = [k for k in rules if k not in {q.key for q in self.questions}]
        if unknown:
            raise ValidationError.single("rules", unknown[0], f"is not a question of {self.key!r}")
        return {k: rules[k].apply(v) if k in rules else v for k, v in answers.items()}

    def item_table(self, responses: Iterable[Response], items: Sequence[str]) -> ItemTable:
        """The answers of ``responses`` to ``items`` as an :class:`~crmkit.survey.ItemTable`.

        Raises:
            ValidationError: an item that is not a numeric question of the instrument.
        """
        for item in items:
            if not self.question(item).scale.is_numeric:
                raise ValidationError.single("items", item, "is a free-text question")
        return ItemTable.from_rows(responses, items)

    def _reverse_bounds(self, items: Sequence[str]) -> dict[str, tuple[float, float]]:
        out: dict[str, tuple[float, float]] = {}
        for item in items:
            q = self.question(item)
            if q.reverse and q.scale.minimum is not None and q.scale.maximum is not None:
                out[item] = (q.scale.minimum, q.scale.maximum)
        return out

    def construct_scores(
        self,
        responses: Iterable[Response],
        construct: str,
        *,
        missing: Missing = "listwise",
        min_items: int | None = None,
    ) -> list[float | None]:
        """Score ``construct`` per response, reverse-coding the instrument's reversed items
        (see :func:`construct_scores`)."""
        c = self.construct(construct)
        table = self.item_table(responses, c.items)
        return construct_scores(
            table,
            c.items,
            reverse=self._reverse_bounds(c.items),
            missing=missing,
            min_items=min_items,
        )

    def reliability(self, responses: Iterable[Response], construct: str) -> Reliability:
        """Cronbach's alpha of ``construct`` on ``responses`` (reversed items reverse-coded).

        Examples:
            >>> from crmkit.survey import key_account_survey, simulate_responses
            >>> inst = key_account_survey()
            >>> rs = simulate_responses(inst, [f"A{i}" for i in range(60)], seed=3)
            >>> inst.reliability(rs, "relationships").k
            3
        """
        c = self.construct(construct)
        table = self.item_table(responses, c.items)
        flips = self._reverse_bounds(c.items)
        if flips:
            columns = {
                item: [
                    None
                    if v is None
                    else (flips[item][0] + flips[item][1] - v if item in flips else v)
                    for v in table.columns[item]
                ]
                for item in c.items
            }
            table = ItemTable.from_columns(columns)
        return reliability(table)

    def describe(
        self, responses: Iterable[Response], item: str, *, ddof: int = 1
    ) -> ItemDescriptives:
        """Descriptives of one numeric item over ``responses`` (missing answers skipped)."""
        if not self.question(item).scale.is_numeric:
            raise ValidationError.single("item", item, "is a free-text question")
        values: list[float | int | None] = []
        for r in responses:
            v = r.answers.get(item)
            values.append(None if isinstance(v, str) else v)
        return describe(values, ddof=ddof)
