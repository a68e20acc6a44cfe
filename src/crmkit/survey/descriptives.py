"""Item descriptives from raw answers or from frequency counts.

Qualtrics reports the *population* standard deviation (``ddof=0``) and JMP the *sample*
standard deviation (``ddof=1``); :func:`describe` takes ``ddof`` so both can be reproduced
(seed 003, TV-1). Missing answers (``None`` or NaN) are skipped.

Examples:
    >>> from crmkit.survey import describe
    >>> d = describe(counts=[14, 25, 26, 13, 17, 4], ddof=0)   # operating result, Qualtrics
    >>> d.n, round(d.mean, 2), round(d.sd, 2), round(d.variance, 2)
    (99, 3.06, 1.41, 2.0)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import attrs

from crmkit.display import ResultRow
from crmkit.errors import ValidationError
from crmkit.survey._number import finite_number, is_missing, is_whole

__all__ = [
    "BoxShares",
    "FrequencyTable",
    "ItemDescriptives",
    "box_shares",
    "describe",
    "grouped_shares",
    "t_interval",
]

Counts = Sequence[int] | Mapping[float, int] | Mapping[int, int]


_is_missing = is_missing


def _number(value: object, path: str) -> float:
    return finite_number(value, path)


@attrs.frozen
class FrequencyTable:
    """Answer values with how often each was given: the common form of survey exports.

    Build it from raw scores (:meth:`from_scores`) or from counts (:meth:`from_counts`). Counts
    are listed for consecutive options starting at ``start`` (1 for a Likert scale, 0 for a
    0–10 recommendation question), or given as a mapping ``{value: count}``.

    Examples:
        >>> from crmkit.survey import FrequencyTable
        >>> t = FrequencyTable.from_counts([71, 8])          # 1 = yes, 2 = no
        >>> t.n, t.values
        (79, (1.0, 2.0))
        >>> FrequencyTable.from_scores([3, 1, 3, None]).counts
        (1, 2)
    """

    values: tuple[float, ...]
    counts: tuple[int, ...]

    @classmethod
    def from_scores(cls, scores: Iterable[float | int | None]) -> FrequencyTable:
        """Tabulate raw answers; ``None`` and NaN are skipped as missing.

        Examples:
            >>> from crmkit.survey import FrequencyTable
            >>> FrequencyTable.from_scores([2, 2, 5]).values
            (2.0, 5.0)
        """
        tally: dict[float, int] = {}
        for i, value in enumerate(scores):
            if _is_missing(value):
                continue
            number = _number(value, f"scores[{i}]")
            tally[number] = tally.get(number, 0) + 1
        ordered = sorted(tally)
        return cls(tuple(ordered), tuple(tally[v] for v in ordered))

    @classmethod
    def from_counts(
        cls,
        counts: Counts,
        *,
        start: float = 1,
        values: Sequence[float] | None = None,
    ) -> FrequencyTable:
        """Counts per option: a sequence for options ``start, start+1, ...`` (or for the
        option ``values`` given), or a mapping ``{value: count}``.

        Examples:
            >>> from crmkit.survey import FrequencyTable
            >>> FrequencyTable.from_counts([5, 16, 29, 15, 14], values=[52, 12, 4, 2, 1]).n
            79
            >>> FrequencyTable.from_counts({0: 2, 10: 3}).values
            (0.0, 10.0)
        """
        pairs: list[tuple[float, int]] = []
        if isinstance(counts, Mapping):
            if values is not None:
                raise ValidationError.single(
                    "values", values, "cannot be combined with a mapping of counts"
                )
            for key, count in counts.items():
                pairs.append((_number(key, f"counts[{key!r}]"), count))
        else:
            counts_seq = list(counts)
            if values is not None:
                if len(values) != len(counts_seq):
                    raise ValidationError.single(
                        "values",
                        list(values),
                        f"has {len(values)} entries but counts has {len(counts_seq)}",
                    )
                option_values = [_number(v, f"values[{i}]") for i, v in enumerate(values)]
            else:
                base = _number(start, "start")
                option_values = [base + i for i in range(len(counts_seq))]
            pairs = list(zip(option_values, counts_seq, strict=True))
        problems = []
        merged: dict[float, int] = {}
        for value, count in pairs:
            if not is_whole(count) or count < 0:
                problems.append(
                    ValidationError.single(
                        f"counts[{value:g}]", count, "must be a whole number of answers (>= 0)"
                    )
                )
                continue
            merged[value] = merged.get(value, 0) + int(count)
        if problems:
            raise ValidationError.collect(problems)
        ordered = sorted(v for v, c in merged.items() if c > 0)
        return cls(tuple(ordered), tuple(merged[v] for v in ordered))

    @property
    def n(self) -> int:
        """Number of answers."""
        return sum(self.counts)

    def shifted(self, offset: float) -> FrequencyTable:
        """The same answers with ``offset`` added to every value (recoding 2–8 back to 1–7
        is ``shifted(-1)``, seed 003 TV-2).

        Examples:
            >>> from crmkit.survey import FrequencyTable
            >>> FrequencyTable.from_counts([2, 1], start=2).shifted(-1).values
            (1.0, 2.0)
        """
        return FrequencyTable(tuple(v + offset for v in self.values), self.counts)

    def share(self, predicate_values: Iterable[float]) -> float:
        """Share (0–1) of answers whose value is in ``predicate_values``; NaN when empty.

        Examples:
            >>> from crmkit.survey import FrequencyTable
            >>> FrequencyTable.from_counts([1, 3]).share([2])
            0.75
        """
        wanted = {float(v) for v in predicate_values}
        if self.n == 0:
            return math.nan
        return sum(c for v, c in zip(self.values, self.counts, strict=True) if v in wanted) / (
            self.n
        )


def _table(
    scores: Iterable[float | int | None] | FrequencyTable | None,
    counts: Counts | None,
    start: float,
    values: Sequence[float] | None = None,
) -> FrequencyTable:
    if isinstance(scores, FrequencyTable):
        if counts is not None:
            raise ValidationError.single("counts", counts, "give scores or counts, not both")
        return scores
    if scores is not None and counts is not None:
        raise ValidationError.single("counts", counts, "give scores or counts, not both")
    if counts is not None:
        return FrequencyTable.from_counts(counts, start=start, values=values)
    if scores is None:
        raise ValidationError.single("scores", None, "give scores or counts")
    if isinstance(scores, str | bytes):
        raise ValidationError.single("scores", scores, "must be a sequence of numbers")
    return FrequencyTable.from_scores(scores)


@attrs.frozen
class ItemDescriptives(ResultRow):
    """Descriptive statistics of one survey item.

    ``sd`` and ``variance`` use the ``ddof`` they were computed with (0 = population, as
    Qualtrics reports; 1 = sample, as JMP reports). ``sd`` is NaN when ``n <= ddof``.

    Examples:
        >>> from crmkit.survey import describe
        >>> d = describe([4, 5, 5, 3])
        >>> d.mean, d.median, d.minimum, d.maximum
        (4.25, 4.5, 3.0, 5.0)
    """

    n: int
    mean: float
    sd: float
    variance: float
    ddof: int
    minimum: float
    maximum: float
    median: float

    @property
    def standard_error(self) -> float:
        """Standard error of the mean, ``sd / sqrt(n)`` (NaN if undefined).

        Examples:
            >>> from crmkit.survey import describe
            >>> describe([1, 3]).standard_error
            1.0
        """
        if self.n == 0:
            return math.nan
        return self.sd / math.sqrt(self.n)

    def confidence_interval(self, level: float = 0.95) -> tuple[float, float]:
        """t-based confidence interval of the mean (needs the ``stats`` extra).

        Uses the sample SD even when the descriptives were computed with ``ddof=0``.

        Examples:
            >>> from crmkit.survey import describe
            >>> lo, hi = describe([4, 5, 6]).confidence_interval()
            >>> round(lo, 3), round(hi, 3)
            (2.516, 7.484)
        """
        if self.n < 2:
            return (math.nan, math.nan)
        sample_sd = math.sqrt(self.variance * (self.n - self.ddof) / (self.n - 1))
        return t_interval(self.mean, sample_sd, self.n, level)


def describe(
    scores: Iterable[float | int | None] | FrequencyTable | None = None,
    *,
    counts: Counts | None = None,
    start: float = 1,
    values: Sequence[float] | None = None,
    ddof: int = 1,
) -> ItemDescriptives:
    """Describe an item from raw ``scores`` or from ``counts`` per option.

    Args:
        scores: raw answers (``None``/NaN = missing), or a :class:`FrequencyTable`.
        counts: counts per option, for options ``start, start+1, ...`` (or ``values``), or a
            mapping ``{value: count}``.
        start: value of the first option when ``counts`` is a sequence.
        values: explicit option values (e.g. contacts per year for a frequency question).
        ddof: 0 for the population SD (Qualtrics), 1 for the sample SD (JMP).

    Raises:
        ValidationError: no answers, a non-number, a negative count, or ``ddof`` not 0/1.

    Examples:
        >>> from crmkit.survey import describe
        >>> q = describe(counts=[0, 1, 2, 3, 9, 22, 26], ddof=0)    # service & support
        >>> round(q.mean, 2), round(q.sd, 2), round(q.variance, 2)
        (6.02, 1.13, 1.29)
        >>> round(describe(counts=[0, 1, 2, 3, 9, 22, 26], ddof=1).sd, 4)
        1.1429
    """
    if ddof not in (0, 1):
        raise ValidationError.single("ddof", ddof, "must be 0 (population) or 1 (sample)")
    table = _table(scores, counts, start, values)
    n = table.n
    if n == 0:
        raise ValidationError.single("scores", [], "has no answers to describe")
    mean = math.fsum(v * c for v, c in zip(table.values, table.counts, strict=True)) / n
    ss = math.fsum(c * (v - mean) ** 2 for v, c in zip(table.values, table.counts, strict=True))
    variance = ss / (n - ddof) if n > ddof else math.nan
    return ItemDescriptives(
        n=n,
        mean=mean,
        sd=math.sqrt(variance) if not math.isnan(variance) else math.nan,
        variance=variance,
        ddof=ddof,
        minimum=table.values[0],
        maximum=table.values[-1],
        median=_median(table),
    )


def _median(table: FrequencyTable) -> float:
    n = table.n
    lower_rank, upper_rank = (n - 1) // 2, n // 2
    seen = 0
    lower = upper = math.nan
    for value, count in zip(table.values, table.counts, strict=True):
        if seen <= lower_rank < seen + count:
            lower = value
        if seen <= upper_rank < seen + count:
            upper = value
            break
        seen += count
    return (lower + upper) / 2


def t_interval(mean: float, sd: float, n: int, level: float = 0.95) -> tuple[float, float]:
    """t-based confidence interval ``mean ± t(level, n−1) · sd / √n`` (``stats`` extra).

    Use it to check a published interval from its mean, SD and n (seed 003, TV-6).

    Raises:
        ValidationError: ``n < 2``, a negative ``sd`` or a ``level`` outside (0, 1).

    Examples:
        >>> from crmkit.survey import t_interval
        >>> lo, hi = t_interval(3.09, 1.44, 64)          # Driftsresultat, JMP
        >>> round(lo, 2), round(hi, 2)
        (2.73, 3.45)
    """
    if not is_whole(n) or n < 2:
        raise ValidationError.single("n", n, "must be a whole number of at least 2")
    n = int(n)
    if not 0 < level < 1:
        raise ValidationError.single("level", level, "must be between 0 and 1")
    if not sd >= 0:
        raise ValidationError.single("sd", sd, "must be zero or more")
    from crmkit.extras import require

    stats = require("scipy.stats", "stats")
    t = float(stats.t.ppf(0.5 + level / 2, n - 1))
    half = t * sd / math.sqrt(n)
    return (mean - half, mean + half)


@attrs.frozen
class BoxShares:
    """Top-box, bottom-box and neutral shares (0–1) of an agreement or satisfaction item.

    Examples:
        >>> from crmkit.survey import box_shares
        >>> s = box_shares(counts=[2, 7, 27, 27, 4], scale=(1, 5))
        >>> round(s.top * 100, 2), round(s.bottom * 100, 2), round(s.neutral * 100, 2)
        (46.27, 13.43, 40.3)
    """

    n: int
    top: float
    bottom: float
    neutral: float


def box_shares(
    scores: Iterable[float | int | None] | FrequencyTable | None = None,
    *,
    counts: Counts | None = None,
    scale: tuple[int, int],
    boxes: int = 2,
) -> BoxShares:
    """Top-``boxes``, bottom-``boxes`` and neutral (middle option) shares on ``scale``.

    For a 1–5 agreement scale the defaults give agree + strongly agree, disagree + strongly
    disagree and "neither" (seed 003, TV-3). On an even scale the neutral share is 0. Counts
    are for options ``scale[0], scale[0]+1, ...``.

    Raises:
        ValidationError: an answer outside ``scale``, no answers, or boxes too wide.

    Examples:
        >>> from crmkit.survey import box_shares
        >>> s = box_shares([1, 5, 5, 3], scale=(1, 5))
        >>> s.top, s.bottom, s.neutral
        (0.5, 0.25, 0.25)
    """
    low, high = scale
    if not low < high:
        raise ValidationError.single(
            "scale", scale, "must be (lowest, highest) with lowest < highest"
        )
    if boxes < 1 or 2 * boxes > high - low + 1:
        raise ValidationError.single("boxes", boxes, f"does not fit the scale {low}–{high}")
    table = _table(scores, counts, low)
    outside = [v for v in table.values if v < low or v > high]
    if outside:
        raise ValidationError.single("scores", outside[0], f"is outside the scale {low}–{high}")
    if table.n == 0:
        raise ValidationError.single("scores", [], "has no answers")
    top = table.share(range(high - boxes + 1, high + 1))
    bottom = table.share(range(low, low + boxes))
    points = high - low + 1
    neutral = table.share([(low + high) / 2]) if points % 2 == 1 else 0.0
    return BoxShares(n=table.n, top=top, bottom=bottom, neutral=neutral)


def grouped_shares(
    scores: Iterable[float | int | None] | FrequencyTable | None = None,
    *,
    counts: Counts | None = None,
    start: float = 1,
    groups: Mapping[str, Iterable[float]],
) -> dict[str, float]:
    """Share (0–1) of answers in each named group of options, e.g. size bands.

    Raises:
        ValidationError: an option in two groups, or an answer in no group.

    Examples:
        >>> from crmkit.survey import grouped_shares
        >>> s = grouped_shares(counts=[76, 16, 1, 6],
        ...                    groups={"small": [1], "medium": [2, 3], "large": [4]})
        >>> {k: round(v * 100, 2) for k, v in s.items()}
        {'small': 76.77, 'medium': 17.17, 'large': 6.06}
    """
    table = _table(scores, counts, start)
    owner: dict[float, str] = {}
    group_lists = {name: list(options) for name, options in groups.items()}
    for name, options in group_lists.items():
        for option in options:
            key = float(option)
            if key in owner:
                raise ValidationError.single(
                    f"groups.{name}", option, f"is already in group {owner[key]!r}"
                )
            owner[key] = name
    stray = [v for v in table.values if v not in owner]
    if stray:
        raise ValidationError.single("scores", stray[0], "is in none of the groups")
    return {name: table.share(options) for name, options in group_lists.items()}
