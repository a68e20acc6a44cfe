"""Satisfaction and loyalty headline numbers: NPS, CSAT and a 0–100 satisfaction index.

All three take raw scores or frequency counts, are pure Python, and refuse answers outside
the scale with a :class:`~crmkit.errors.ValidationError`.

* **NPS** (Net Promoter Score): on a 0–10 "how likely are you to recommend" question,
  promoters answer 9–10, passives 7–8 and detractors 0–6; NPS = %promoters − %detractors,
  from −100 to +100.
* **CSAT**: the share (in %) of satisfied answers, by default the top two options of the
  scale (4–5 on a 1–5 scale).
* **Satisfaction index**: the mean answer rescaled linearly to 0–100,
  ``100·(x − min)/(max − min)``, the rule of the Swedish/Norwegian customer satisfaction
  index (NKI / SKI), which averages three 1–10 questions (see :func:`nki_index`).

Examples:
    >>> from crmkit.survey import csat, nps, satisfaction_index
    >>> nps([10, 9, 8, 6, 10]).score
    40.0
    >>> csat([5, 4, 3, 2], scale=(1, 5))
    50.0
    >>> satisfaction_index([7, 7, 1], scale=(1, 7))
    66.66666666666667
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from crmkit.errors import ValidationError
from crmkit.survey._number import is_missing, is_number
from crmkit.survey.descriptives import Counts, FrequencyTable, _table

__all__ = ["NKI_QUESTIONS", "NPSResult", "csat", "nki_index", "nps", "satisfaction_index"]


def _on_scale(table: FrequencyTable, low: float, high: float, *, whole: bool) -> None:
    for value in table.values:
        if value < low or value > high or (whole and value != int(value)):
            raise ValidationError.single(
                "scores", value, f"is outside the {low:g}–{high:g} answer scale"
            )
    if table.n == 0:
        raise ValidationError.single("scores", [], "has no answers")


@attrs.frozen
class NPSResult:
    """Net Promoter Score with its parts (shares 0–1; ``score`` from −100 to 100).

    Examples:
        >>> from crmkit.survey import nps
        >>> r = nps(counts=[0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1], start=0)
        >>> r.n, r.promoters, r.detractors, r.score
        (4, 0.5, 0.25, 25.0)
    """

    n: int
    promoters: float
    passives: float
    detractors: float

    @property
    def score(self) -> float:
        """%promoters − %detractors (−100 … 100)."""
        return 100 * (self.promoters - self.detractors)


def _scale_table(
    scores: Iterable[float | int | None] | FrequencyTable | None,
    counts: Counts | None,
    scale: tuple[float, float],
    *,
    whole: bool,
) -> FrequencyTable:
    """The answers' table, counts starting at the scale's lowest option, every answer on the
    scale ``(lowest, highest)`` (``whole``: and a whole option)."""
    low, high = scale
    if not low < high:
        raise ValidationError.single(
            "scale", scale, "must be (lowest, highest) with lowest < highest"
        )
    table = _table(scores, counts, low)
    _on_scale(table, low, high, whole=whole)
    return table


def nps(
    scores: Iterable[float | int | None] | FrequencyTable | None = None,
    *,
    counts: Counts | None = None,
    start: float = 0,
) -> NPSResult:
    """Net Promoter Score of 0–10 answers given as raw ``scores`` or as ``counts`` (for
    options ``start, start+1, ...``, default 0…10, or a mapping ``{score: count}``).

    Raises:
        ValidationError: an answer outside 0–10 or not a whole number, or no answers.

    Examples:
        >>> from crmkit.survey import nps
        >>> nps([11])
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: scores: 11.0 is outside the 0–10 answer scale
    """
    table = _table(scores, counts, start)
    _on_scale(table, 0, 10, whole=True)
    return NPSResult(
        n=table.n,
        promoters=table.share([9, 10]),
        passives=table.share([7, 8]),
        detractors=table.share(range(7)),
    )


def csat(
    scores: Iterable[float | int | None] | FrequencyTable | None = None,
    *,
    counts: Counts | None = None,
    scale: tuple[int, int] = (1, 5),
    satisfied: Iterable[int] | None = None,
) -> float:
    """Customer satisfaction score: the percentage (0–100) of satisfied answers.

    Args:
        scale: the answer scale (lowest, highest); counts start at its lowest option.
        satisfied: the options that count as satisfied (default: the top two).

    Examples:
        >>> from crmkit.survey import csat
        >>> round(csat(counts=[0, 2, 1, 6, 13, 25, 22], scale=(1, 7)), 2)   # overall, seed 003
        68.12
        >>> csat([1, 7], scale=(1, 7), satisfied=[5, 6, 7])
        50.0
    """
    low, high = scale
    table = _scale_table(scores, counts, scale, whole=True)
    options = list(satisfied) if satisfied is not None else [high - 1, high]
    bad = [o for o in options if not low <= o <= high]
    if bad:
        raise ValidationError.single("satisfied", bad[0], f"is not an option of {low}–{high}")
    return 100 * table.share(options)


def satisfaction_index(
    scores: Iterable[float | int | None] | FrequencyTable | None = None,
    *,
    counts: Counts | None = None,
    scale: tuple[float, float],
) -> float:
    """Mean answer rescaled to 0–100: ``100·(mean − low)/(high − low)``.

    Examples:
        >>> from crmkit.survey import satisfaction_index
        >>> round(satisfaction_index(counts=[0, 1, 2, 3, 9, 22, 26], scale=(1, 7)), 1)
        83.6
    """
    low, high = scale
    table = _scale_table(scores, counts, scale, whole=False)
    mean = math.fsum(v * c for v, c in zip(table.values, table.counts, strict=True)) / table.n
    return 100 * (mean - low) / (high - low)


#: The three questions of the classic customer satisfaction index (NKI/SKI), 1–10 each.
NKI_QUESTIONS: tuple[str, ...] = ("overall_satisfaction", "expectations_met", "ideal_comparison")


def nki_index(
    rows: Iterable[Mapping[str, Any] | Sequence[Any]],
    *,
    questions: Sequence[str] = NKI_QUESTIONS,
    weights: Sequence[float] | None = None,
    scale: tuple[float, float] = (1, 10),
) -> float:
    """Customer satisfaction index (NKI) 0–100: per respondent the weighted mean of the
    NKI questions rescaled to 0–100, then the mean over respondents who answered them all.

    ``rows`` are mappings keyed by ``questions`` (e.g. response answers) or sequences in the
    order of ``questions``. Equal weights by default; the three-question, 1–10 layout is the
    common Nordic convention (the source seeds give no formula).

    Raises:
        ValidationError: an answer outside ``scale``, bad weights, or no complete respondent.

    Examples:
        >>> from crmkit.survey import nki_index
        >>> round(nki_index([(10, 10, 10), (1, 1, 1), (8, 7, 6)]), 2)
        55.56
    """
    low, high = scale
    if not low < high:
        raise ValidationError.single(
            "scale", scale, "must be (lowest, highest) with lowest < highest"
        )
    k = len(questions)
    if k == 0:
        raise ValidationError.single(
            "questions", list(questions), "must name at least one question"
        )
    w = list(weights) if weights is not None else [1.0] * k
    if len(w) != k or any(not x >= 0 for x in w) or math.fsum(w) <= 0:
        raise ValidationError.single("weights", w, f"must be {k} non-negative numbers, not all 0")
    total_w = math.fsum(w)
    indices: list[float] = []
    for r, row in enumerate(rows):
        if isinstance(row, Mapping):
            answers = [row.get(q) for q in questions]
        else:
            answers = list(row)
            if len(answers) != k:
                raise ValidationError.single(f"rows[{r}]", row, f"must have {k} answers")
        if any(is_missing(a) for a in answers):
            continue
        scaled = []
        for q, a in zip(questions, answers, strict=True):
            number = float(a) if is_number(a) else math.nan  # type: ignore[arg-type]
            if not low <= number <= high:
                raise ValidationError.single(
                    f"rows[{r}].{q}", a, f"is outside the {low:g}–{high:g} answer scale"
                )
            scaled.append(100 * (number - low) / (high - low))
        indices.append(math.fsum(x * y for x, y in zip(scaled, w, strict=True)) / total_w)
    if not indices:
        raise ValidationError.single("rows", [], "has no respondent who answered every question")
    return math.fsum(indices) / len(indices)
