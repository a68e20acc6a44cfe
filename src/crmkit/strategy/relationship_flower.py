"""The relationship flower: five success factors ("petals") of one key-account relationship.

Kristiansen's relationship flower (relasjonsblomsten, as used in Botn-Langøy, Buarø & Hoem
(2019), "Key Account Management – Smart Media"; reference: seed-003.md L169-L181) has mutual
trust (gjensidig tillit) at its centre and five petals around it: logistics, competence, social
competence, the product or service, and economics. Trust comes from work that meets or exceeds
expectations; strengthening the supplier's relationship capability strengthens the flower.

:class:`RelationshipFlower` is an assessment of one relationship: each petal rated 1–5 (the
source gives no scale; 1–5 is crmkit's choice, like the thesis' agreement items). It reports
the weakest petals — where to work first — and the mean.

Examples:
    >>> from crmkit.strategy.relationship_flower import Petal, RelationshipFlower
    >>> flower = RelationshipFlower("acme", {Petal.LOGISTICS: 2, Petal.COMPETENCE: 4,
    ...     Petal.SOCIAL_COMPETENCE: 5, Petal.PRODUCT_SERVICE: 4, Petal.ECONOMICS: 3})
    >>> [p.value for p in flower.weakest()], flower.mean
    (['logistics'], 3.6)
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

import attrs

from crmkit.errors import Problem, ValidationError
from crmkit.strategy.framework import Label

__all__ = ["PETAL_SCALE", "Petal", "RelationshipFlower"]

#: The rating scale of a petal (crmkit's choice; the source gives none).
PETAL_SCALE: tuple[int, int] = (1, 5)


class Petal(enum.Enum):
    """The five petals, in the source's order (reference: seed-003.md L173-L179).

    Examples:
        >>> from crmkit.strategy.relationship_flower import Petal
        >>> len(Petal), Petal.ECONOMICS.label.no
        (5, 'Økonomi')
        >>> Petal.LOGISTICS.attributes[1]
        'response time in communication'
    """

    LOGISTICS = "logistics"
    COMPETENCE = "competence"
    SOCIAL_COMPETENCE = "social_competence"
    PRODUCT_SERVICE = "product_service"
    ECONOMICS = "economics"

    @property
    def label(self) -> Label:
        """English, Swedish and Norwegian names."""
        return _PETALS[self][0]

    @property
    def attributes(self) -> tuple[str, ...]:
        """The measurable attributes the source lists for the petal."""
        return _PETALS[self][1]


_PETALS: dict[Petal, tuple[Label, tuple[str, ...]]] = {
    Petal.LOGISTICS: (Label("Logistics", "Logistik", "Logistikk"), (
        "the key account manager's availability to key customers",
        "response time in communication",
        "quality of follow-up",
        "all information processed and handled")),
    Petal.COMPETENCE: (Label("Competence", "Kompetens", "Kompetanse"), (
        "knowledge of the customer and the customer's market",
        "competence used to create added value and become irreplaceable")),
    Petal.SOCIAL_COMPETENCE: (Label("Social competence", "Social kompetens",
                                    "Sosial kompetanse"), (
        "the key account manager's personal traits and understanding of others",
        "the customer feels seen and heard")),
    Petal.PRODUCT_SERVICE: (Label("Product or service", "Produkten eller tjänsten",
                                  "Produktet/tjenesten"), (
        "the offering is the starting point",
        "willingness and competence to tailor it to the customer's needs",
        "understanding of the customer's industry")),
    Petal.ECONOMICS: (Label("Economics", "Ekonomi", "Økonomi"), (
        "the customer's economic benefits are made visible",
        "value-added services and plans are quantified")),
}  # fmt: skip


def _ratings(
    instance: RelationshipFlower, attribute: attrs.Attribute[object], value: object
) -> None:
    if not isinstance(value, Mapping):
        raise ValidationError.single("ratings", value, "must map each petal to a rating")
    low, high = PETAL_SCALE
    problems = []
    given = set()
    for key, rating in value.items():
        try:
            petal = key if isinstance(key, Petal) else Petal(key)
        except ValueError:
            problems.append(Problem(f"ratings.{key}", key, "is not a petal"))
            continue
        given.add(petal)
        if isinstance(rating, bool) or not isinstance(rating, int | float):
            problems.append(Problem(f"ratings.{petal.value}", rating, "must be a number"))
        elif not low <= rating <= high:
            problems.append(
                Problem(f"ratings.{petal.value}", rating, f"must be between {low} and {high}")
            )
    for petal in Petal:
        if petal not in given and not problems:
            problems.append(Problem(f"ratings.{petal.value}", None, "is missing"))
    if problems:
        raise ValidationError(problems)


@attrs.frozen
class RelationshipFlower:
    """One key-account relationship rated on the five petals (each 1–5, all required).

    Attributes:
        account_id: the key account.
        ratings: rating per petal (:class:`Petal` or its value).

    Examples:
        >>> from crmkit.strategy.relationship_flower import RelationshipFlower
        >>> RelationshipFlower("acme", {"logistics": 6})
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: ratings.logistics: 6 must be between 1 and 5
    """

    account_id: str
    ratings: Mapping[Petal | str, float] = attrs.field(validator=_ratings)

    def rating(self, petal: Petal | str) -> float:
        """The rating of one petal.

        Examples:
            >>> from crmkit.strategy.relationship_flower import RelationshipFlower, Petal
            >>> f = RelationshipFlower("a", dict.fromkeys(Petal, 3))
            >>> f.rating("economics")
            3
        """
        p = petal if isinstance(petal, Petal) else Petal(petal)
        for key, value in self.ratings.items():
            if (key if isinstance(key, Petal) else Petal(key)) is p:
                return value
        raise ValidationError.single("petal", petal, "is not rated")  # pragma: no cover

    @property
    def mean(self) -> float:
        """Mean rating over the five petals (two decimals)."""
        return round(sum(self.rating(p) for p in Petal) / len(Petal), 2)

    def weakest(self) -> list[Petal]:
        """The petals with the lowest rating, in petal order — where to work first.

        Examples:
            >>> from crmkit.strategy.relationship_flower import RelationshipFlower, Petal
            >>> f = RelationshipFlower("a", dict.fromkeys(Petal, 4) | {Petal.ECONOMICS: 2,
            ...                                                      Petal.COMPETENCE: 2})
            >>> [p.value for p in f.weakest()]
            ['competence', 'economics']
        """
        lowest = min(self.rating(p) for p in Petal)
        return [p for p in Petal if self.rating(p) == lowest]
