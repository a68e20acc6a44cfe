"""Answer scales of survey questions, and recoding of stored answers.

A :class:`Scale` says which answers a question accepts: Likert and agreement scales with
labelled options, yes / maybe / no, frequency choices (with a numeric meaning such as
contacts per year), bands, categories, a 0–10 rating, or free text. Labels are kept per
language (``"nb"`` Norwegian Bokmål, ``"en"`` English, ...).

Examples:
    >>> from crmkit.survey import Scale
    >>> s = Scale.agreement_5()
    >>> s.minimum, s.maximum, s.label(5, "en")
    (1, 5, 'Strongly agree')
    >>> s.reverse(2)
    4
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence

import attrs

from crmkit.errors import ValidationError
from crmkit.survey._number import is_missing, is_number, is_whole

__all__ = ["Recode", "Scale", "ScaleType", "recode"]

Answer = int | float | str | None


class ScaleType(enum.Enum):
    """Kinds of answer scale.

    Examples:
        >>> from crmkit.survey import ScaleType
        >>> ScaleType("yes_maybe_no").name
        'YES_MAYBE_NO'
    """

    LIKERT = "likert"
    AGREEMENT = "agreement"
    YES_NO = "yes_no"
    YES_MAYBE_NO = "yes_maybe_no"
    FREQUENCY = "frequency"
    BAND = "band"
    CATEGORY = "category"
    RATING = "rating"
    FREE_TEXT = "free_text"


#: Scale types whose options are ordered, so they can be averaged and reverse-coded.
ORDINAL = frozenset(
    {ScaleType.LIKERT, ScaleType.AGREEMENT, ScaleType.RATING, ScaleType.BAND, ScaleType.FREQUENCY}
)


def _labels(options: int, labels: Mapping[str, Sequence[str]] | None) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for lang, texts in (labels or {}).items():
        if len(texts) != options:
            raise ValidationError.single(
                f"labels.{lang}", list(texts), f"must have {options} labels, one per option"
            )
        out[lang] = tuple(texts)
    return out


@attrs.frozen
class Scale:
    """An answer scale: whole-number options ``minimum…maximum`` (none for free text).

    Attributes:
        labels: per language, one label per option in order.
        option_values: optional numeric meaning per option (e.g. contacts per year).

    Examples:
        >>> from crmkit.survey import Scale
        >>> Scale.likert(7).contains(8), Scale.likert(7).contains(7)
        (False, True)
    """

    type: ScaleType
    minimum: int | None
    maximum: int | None
    labels: dict[str, tuple[str, ...]] = attrs.field(factory=dict)
    option_values: tuple[float, ...] | None = None

    def __attrs_post_init__(self) -> None:
        if self.type is ScaleType.FREE_TEXT:
            if self.minimum is not None or self.maximum is not None:
                raise ValidationError.single(
                    "scale.minimum", self.minimum, "free text has no range"
                )
            return
        if self.minimum is None or self.maximum is None or not self.minimum < self.maximum:
            raise ValidationError.single(
                "scale",
                (self.minimum, self.maximum),
                "needs whole-number options minimum < maximum",
            )
        options = self.maximum - self.minimum + 1
        for lang, texts in self.labels.items():
            if len(texts) != options:
                raise ValidationError.single(
                    f"scale.labels.{lang}", list(texts), f"must have {options} labels"
                )
        if self.option_values is not None and len(self.option_values) != options:
            raise ValidationError.single(
                "scale.option_values", list(self.option_values), f"must have {options} values"
            )

    # ----- factories -------------------------------------------------------------------
    @classmethod
    def likert(cls, points: int = 7, labels: Mapping[str, Sequence[str]] | None = None) -> Scale:
        """A 1–``points`` Likert (e.g. satisfaction) scale.

        Examples:
            >>> from crmkit.survey import Scale
            >>> Scale.likert(5).maximum
            5
        """
        if points < 2:
            raise ValidationError.single("points", points, "must be at least 2")
        return cls(ScaleType.LIKERT, 1, points, _labels(points, labels))

    @classmethod
    def agreement_5(cls) -> Scale:
        """The 1–5 agreement scale, "Helt uenig" / "Strongly disagree" … "Helt enig".

        Examples:
            >>> from crmkit.survey import Scale
            >>> Scale.agreement_5().label(3, "nb")
            'Verken enig eller uenig'
        """
        return cls(
            ScaleType.AGREEMENT,
            1,
            5,
            {
                "nb": ("Helt uenig", "Uenig", "Verken enig eller uenig", "Enig", "Helt enig"),
                "en": (
                    "Strongly disagree",
                    "Disagree",
                    "Neither agree nor disagree",
                    "Agree",
                    "Strongly agree",
                ),
            },
        )

    @classmethod
    def yes_maybe_no(cls) -> Scale:
        """1 = yes, 2 = maybe, 3 = no.

        Examples:
            >>> from crmkit.survey import Scale
            >>> Scale.yes_maybe_no().label(2, "nb")
            'Kanskje'
        """
        return cls(
            ScaleType.YES_MAYBE_NO,
            1,
            3,
            {"nb": ("Ja", "Kanskje", "Nei"), "en": ("Yes", "Maybe", "No")},
        )

    @classmethod
    def yes_no(cls) -> Scale:
        """1 = yes, 2 = no.

        Examples:
            >>> from crmkit.survey import Scale
            >>> Scale.yes_no().label(1, "en")
            'Yes'
        """
        return cls(ScaleType.YES_NO, 1, 2, {"nb": ("Ja", "Nei"), "en": ("Yes", "No")})

    @classmethod
    def rating_0_10(cls) -> Scale:
        """A 0–10 rating (the Net Promoter question).

        Examples:
            >>> from crmkit.survey import Scale
            >>> Scale.rating_0_10().contains(0)
            True
        """
        return cls(ScaleType.RATING, 0, 10)

    @classmethod
    def choices(
        cls,
        type: ScaleType,
        labels: Mapping[str, Sequence[str]],
        option_values: Sequence[float] | None = None,
    ) -> Scale:
        """A 1…k choice scale (frequency, band or category) from its labels.

        Examples:
            >>> from crmkit.survey import Scale, ScaleType
            >>> s = Scale.choices(ScaleType.BAND, {"en": ["1-10", "11-50", "51+"]})
            >>> s.maximum, s.label(3, "en")
            (3, '51+')
        """
        sizes = {len(v) for v in labels.values()}
        if len(sizes) != 1:
            raise ValidationError.single("labels", dict(labels), "every language needs k labels")
        k = sizes.pop()
        return cls(
            type,
            1,
            k,
            _labels(k, labels),
            tuple(float(v) for v in option_values) if option_values is not None else None,
        )

    @classmethod
    def free_text(cls) -> Scale:
        """Free text (not validated as numbers, not averaged).

        Examples:
            >>> from crmkit.survey import Scale
            >>> Scale.free_text().contains("any words")
            True
        """
        return cls(ScaleType.FREE_TEXT, None, None)

    # ----- behaviour -------------------------------------------------------------------
    @property
    def is_numeric(self) -> bool:
        """Whether answers are option numbers (everything but free text)."""
        return self.type is not ScaleType.FREE_TEXT

    @property
    def is_ordinal(self) -> bool:
        """Whether the options are ordered so a mean and reverse coding make sense."""
        return self.type in ORDINAL

    def contains(self, value: Answer) -> bool:
        """Whether ``value`` is a valid answer (``None`` = not answered is valid).

        Examples:
            >>> from crmkit.survey import Scale
            >>> Scale.likert(7).contains(2.5), Scale.likert(7).contains(None)
            (False, True)
        """
        return self.problem(value) is None

    def problem(self, value: Answer) -> str | None:
        """Why ``value`` is not a valid answer, or ``None`` if it is.

        Examples:
            >>> from crmkit.survey import Scale
            >>> Scale.likert(7).problem(8)
            'is outside the answer scale 1–7'
        """
        if value is None:
            return None
        if self.type is ScaleType.FREE_TEXT:
            return None if isinstance(value, str) else "is not text"
        if not is_number(value):
            return f"is not an option number of the scale {self.minimum}–{self.maximum}"
        if is_missing(value):
            return None
        assert self.minimum is not None
        assert self.maximum is not None
        if value != int(value):
            return f"is not a whole option number of the scale {self.minimum}–{self.maximum}"
        if not self.minimum <= value <= self.maximum:
            return f"is outside the answer scale {self.minimum}–{self.maximum}"
        return None

    def reverse(self, value: float) -> float:
        """Reverse-code an answer: ``minimum + maximum − value``.

        Examples:
            >>> from crmkit.survey import Scale
            >>> Scale.likert(7).reverse(7)
            1
        """
        if not self.is_numeric or self.minimum is None or self.maximum is None:
            raise ValidationError.single("scale", self.type.value, "cannot be reverse-coded")
        return self.minimum + self.maximum - value

    def label(self, value: int, language: str = "en") -> str:
        """The label of option ``value`` in ``language`` (the number as text if unlabelled).

        Examples:
            >>> from crmkit.survey import Scale
            >>> Scale.likert(7).label(4)
            '4'
        """
        texts = self.labels.get(language)
        if texts is None or self.minimum is None:
            return str(value)
        index = int(value) - self.minimum
        if not 0 <= index < len(texts):
            raise ValidationError.single("value", value, "is not an option of the scale")
        return texts[index]

    def value_of(self, option: int) -> float:
        """The numeric meaning of an option (``option_values``), or the option itself.

        Examples:
            >>> from crmkit.survey import Scale, ScaleType
            >>> s = Scale.choices(ScaleType.FREQUENCY, {"en": ["weekly", "monthly"]}, [52, 12])
            >>> s.value_of(2)
            12.0
        """
        if self.option_values is None or self.minimum is None:
            return float(option)
        return self.option_values[int(option) - self.minimum]


@attrs.frozen
class Recode:
    """A recoding of stored answers: a ``mapping`` of specific values, then an ``offset``.

    Examples:
        >>> from crmkit.survey import Recode
        >>> Recode(offset=-1).apply(8)         # Qualtrics stored 1–7 as 2–8 (seed 003 TV-2)
        7
        >>> Recode(mapping={99: None}).apply(99) is None
        True
    """

    offset: float = 0
    mapping: dict[float, float | None] = attrs.field(factory=dict)

    def apply(self, value: Answer) -> Answer:
        """Recode one answer; ``None`` and text pass through unchanged.

        Examples:
            >>> from crmkit.survey import Recode
            >>> Recode(offset=-1).apply(None) is None
            True
        """
        if not is_number(value):  # None, text (and anything else) pass through
            return value
        if value in self.mapping:
            return self.mapping[value]
        result = value + self.offset  # type: ignore[operator]
        if is_whole(value) and float(self.offset).is_integer():
            return int(result)
        return result


def recode(
    values: Iterable[Answer],
    *,
    offset: float = 0,
    mapping: Mapping[float, float | None] | None = None,
) -> list[Answer]:
    """Recode a column of answers (see :class:`Recode`).

    Examples:
        >>> from crmkit.survey import recode
        >>> recode([2, 8, None], offset=-1)
        [1, 7, None]
    """
    rule = Recode(offset=offset, mapping=dict(mapping or {}))
    return [rule.apply(v) for v in values]
