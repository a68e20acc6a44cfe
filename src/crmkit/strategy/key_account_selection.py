"""Key-account selection: the eight selection criteria (Jobber & Lancaster, seed 003 L267–283)
as a weighted scorer over accounts.

Each account is rated 0–1 on each criterion (a bool counts as 0 or 1). The score is the weighted
mean, 0–1; accounts at or above the ``threshold`` are proposed as key accounts. Weights default
to 1 for every criterion (the source gives none) and are configurable.

Ryals' step 4 also segments customers by three dimensions — profitability, growth potential and
established relationship (:data:`~crmkit.strategy.kam_programme.STEP4_DIMENSIONS`; reference:
seed-003.md L106). Rate them 0–1 under those keys next to the criteria: the result reports
their mean as ``dimension_score``, and with ``dimension_threshold`` set an account is only
selected when that mean reaches it too.

Examples:
    >>> from crmkit.strategy.key_account_selection import KeyAccountSelection
    >>> sel = KeyAccountSelection(threshold=0.5)
    >>> ranked = sel.rank({"acme": {"profit_contribution": 1, "sales_potential": 1,
    ...                             "innovation_partner": True, "early_adopter": True},
    ...                    "tiny": {"prestige": 0.5}})
    >>> [(r.account_id, r.score, r.selected) for r in ranked]
    [('acme', 0.5, True), ('tiny', 0.0625, False)]
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from crmkit.errors import Problem, ValidationError
from crmkit.strategy.framework import Label
from crmkit.strategy.kam_programme import STEP4_DIMENSIONS

__all__ = ["SELECTION_CRITERIA", "KeyAccountSelection", "SelectionCriterion", "SelectionResult"]


@attrs.frozen
class SelectionCriterion:
    """One of the eight key-account selection criteria.

    Examples:
        >>> from crmkit.strategy.key_account_selection import SELECTION_CRITERIA
        >>> SELECTION_CRITERIA[2].key, SELECTION_CRITERIA[2].line
        ('profit_contribution', 'L273')
    """

    key: str
    label: Label
    line: str


SELECTION_CRITERIA: tuple[SelectionCriterion, ...] = (
    SelectionCriterion("sales_potential", Label(
        "Potential for increased sales and market share in its existing market",
        "Potential för ökad försäljning och marknadsandel på befintlig marknad",
        "Potensiale for økt salgs- og markedsandel i eksisterende marked"), "L269"),
    SelectionCriterion("expanding_player", Label(
        "Large player in a small or medium market that can expand",
        "Stor aktör på en liten eller medelstor marknad som kan växa",
        "Stor aktør i små eller mellomstore markeder som kan ekspandere"), "L271"),
    SelectionCriterion("profit_contribution", Label(
        "Large contribution to the supplier's profit",
        "Stort bidrag till leverantörens vinst",
        "Stort bidrag til leverandørens fortjeneste"), "L273"),
    SelectionCriterion("innovation_partner", Label(
        "Willing to partner in innovation",
        "Villig att vara partner i innovationsutveckling",
        "Villig til å være partner i innovasjonsutvikling"), "L275"),
    SelectionCriterion("joint_development", Label(
        "Allows joint product development or testing of new products",
        "Tillåter gemensam produktutveckling eller test av nya produkter",
        "Tillater felles produktutvikling eller testing av nye produkter"), "L277"),
    SelectionCriterion("prestige", Label(
        "High prestige: improves brand and reputation, a good reference",
        "Hög prestige: stärker varumärke och rykte, en bra referens",
        "Høy prestisje: forbedrer merkevare og omdømme, godt referansesalg"), "L279"),
    SelectionCriterion("competitor_customer", Label(
        "Important customer served by a competitor we have decided to beat",
        "Viktig kund som betjänas av en konkurrent vi vill slå ut",
        "Viktig kunde betjent av konkurrent som man vil utkonkurrere"), "L281"),
    SelectionCriterion("early_adopter", Label(
        "Early adopter of new products and services",
        "Tidig användare av nya produkter och tjänster",
        "«Early adopter» av nye produkter og tjenester"), "L283"),
)  # fmt: skip

_KEYS = tuple(c.key for c in SELECTION_CRITERIA)


@attrs.frozen
class SelectionResult:
    """An account's selection score 0–1 and whether it reaches the threshold.

    Examples:
        >>> from crmkit.strategy.key_account_selection import KeyAccountSelection
        >>> KeyAccountSelection().score("a", {"prestige": 1}).score
        0.125
    """

    account_id: str
    score: float
    selected: bool
    ratings: dict[str, float]
    dimensions: dict[str, float] = attrs.field(factory=dict)

    @property
    def dimension_score(self) -> float | None:
        """Mean of the step-4 dimension ratings (missing ones count 0), ``None`` when no
        dimension was rated.

        Examples:
            >>> from crmkit.strategy.key_account_selection import KeyAccountSelection
            >>> KeyAccountSelection().score("a", {"profitability": 1, "growth_potential": 0.5}
            ...                                 ).dimension_score
            0.5
        """
        if not self.dimensions:
            return None
        return round(sum(self.dimensions.get(k, 0.0) for k in STEP4_DIMENSIONS) / 3, 6)


def _default_weights() -> dict[str, float]:
    return dict.fromkeys(_KEYS, 1.0)


@attrs.frozen
class KeyAccountSelection:
    """Weighted scorer over the eight criteria; missing ratings count as 0.

    Attributes:
        weights: weight per criterion key (default 1 each; only relative sizes matter).
        threshold: minimum score (0–1) to be proposed as a key account.
        dimension_threshold: when set, the minimum step-4 dimension score (0–1) as well.

    Examples:
        >>> from crmkit.strategy.key_account_selection import KeyAccountSelection
        >>> KeyAccountSelection(weights={"prestige": -1})
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: weights.prestige: -1 must be zero or more
    """

    weights: dict[str, float] = attrs.field(factory=_default_weights)
    threshold: float = 0.5
    dimension_threshold: float | None = None

    def __attrs_post_init__(self) -> None:
        problems = []
        if self.dimension_threshold is not None and not 0 <= self.dimension_threshold <= 1:
            problems.append(
                Problem("dimension_threshold", self.dimension_threshold, "must be between 0 and 1")
            )
        for key, w in self.weights.items():
            if key not in _KEYS:
                problems.append(Problem(f"weights.{key}", key, "is not a selection criterion"))
            elif w < 0:
                problems.append(Problem(f"weights.{key}", w, "must be zero or more"))
        if not 0 <= self.threshold <= 1:
            problems.append(Problem("threshold", self.threshold, "must be between 0 and 1"))
        if problems:
            raise ValidationError(problems)
        full = _default_weights() | dict(self.weights)
        if sum(full.values()) <= 0:
            raise ValidationError.single("weights", self.weights, "must not all be zero")
        object.__setattr__(self, "weights", full)

    def score(self, account_id: str, ratings: Mapping[str, float | bool]) -> SelectionResult:
        """Score one account from its ratings (0–1 or bool per criterion key)."""
        clean: dict[str, float] = {}
        dims: dict[str, float] = {}
        problems = []
        for key, value in ratings.items():
            if key not in _KEYS and key not in STEP4_DIMENSIONS:
                problems.append(Problem(f"{account_id}.{key}", key, "is not a selection criterion"))
                continue
            try:
                v = float(value)
            except (TypeError, ValueError):
                problems.append(Problem(f"{account_id}.{key}", value, "must be a number 0–1"))
                continue
            if not 0 <= v <= 1:
                problems.append(Problem(f"{account_id}.{key}", value, "must be between 0 and 1"))
            (dims if key in STEP4_DIMENSIONS else clean)[key] = v
        if problems:
            raise ValidationError(problems)
        total = sum(self.weights.values())
        s = sum(self.weights[k] * clean.get(k, 0.0) for k in _KEYS) / total
        s = round(s, 6)
        result = SelectionResult(account_id, s, s >= self.threshold, clean, dims)
        if self.dimension_threshold is not None and result.selected:
            d = result.dimension_score
            if d is None or d < self.dimension_threshold:
                result = attrs.evolve(result, selected=False)
        return result

    def rank(self, accounts: Mapping[str, Mapping[str, float | bool]]) -> list[SelectionResult]:
        """Score every account; highest score first (ties: input order)."""
        results = [self.score(a, r) for a, r in accounts.items()]
        return sorted(results, key=lambda r: -r.score)
