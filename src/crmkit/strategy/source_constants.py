"""The rules of thumb the source documents state, as documented, cited constants.

Each :class:`SourceConstant` holds the figure (a single value or a low–high range), what it
means, who says it and where. They are reference data, not laws: most are a respondent's
statement or a secondary citation, which :attr:`SourceConstant.kind` records. Look them up in
:data:`SOURCE_CONSTANTS` or with :func:`source_constant`.

Examples:
    >>> from crmkit.strategy.source_constants import source_constant
    >>> c = source_constant("win_back_cost_ratio")
    >>> (c.low, c.high), c.source
    ((50.0, 100.0), 'Valacich & Schneider, in "Big data och CRM:s roll för konkurrenskraft i B2B-företag"')
    >>> source_constant("crm_failure_rate").value
    0.6
"""

from __future__ import annotations

import attrs

from crmkit.errors import NotFoundError
from crmkit.scoring import ACQUISITION_TO_RETENTION

__all__ = ["SOURCE_CONSTANTS", "SourceConstant", "source_constant"]

_BIG_DATA = '"Big data och CRM:s roll för konkurrenskraft i B2B-företag"'
_KAM = 'Botn-Langøy, Buarø & Hoem (2019), "Key Account Management – Smart Media"'
_PROSPECTING = '"Hvordan kan tjenesteytende B2B-bedrifter bruke digitale CRM-systemer …" (2023)'


@attrs.frozen
class SourceConstant:
    """A figure a source states.

    Attributes:
        key: identifier.
        low: the figure, or the low end of a range.
        high: the high end of a range (equal to ``low`` for a single figure).
        unit: ``"ratio"`` (times), ``"share"`` (0–1) or ``"percent"``.
        meaning: what the figure says.
        source: who says it, by author and title.
        kind: ``"citation"`` (the source cites literature) or ``"statement"`` (a respondent's
            or the authors' claim).
        reference: lines in the reference extracts.

    Examples:
        >>> from crmkit.strategy.source_constants import source_constant
        >>> source_constant("retention_easier_than_acquisition").is_range
        False
    """

    key: str
    low: float
    high: float
    unit: str
    meaning: str
    source: str
    kind: str
    reference: str

    @property
    def is_range(self) -> bool:
        """Whether the source gives a range rather than one figure."""
        return self.low != self.high

    @property
    def value(self) -> float:
        """The figure (the midpoint of a range)."""
        return (self.low + self.high) / 2


SOURCE_CONSTANTS: tuple[SourceConstant, ...] = (
    SourceConstant("win_back_cost_ratio", 50.0, 100.0, "ratio",
                   "Winning back a lost customer costs 50–100 times as much as keeping one",
                   f"Valacich & Schneider, in {_BIG_DATA}", "citation",
                   "seed-000.md L459, L833"),
    SourceConstant("retention_easier_than_acquisition", 8.0, 8.0, "ratio",
                   "Keeping a customer is eight times easier than acquiring a new one",
                   f"a key-account manager interviewed in {_BIG_DATA}", "statement",
                   "seed-000.md L459, L834"),
    SourceConstant("acquisition_to_retention_cost", ACQUISITION_TO_RETENTION,
                   ACQUISITION_TO_RETENTION, "ratio",
                   "A new customer costs five times as much as retaining one",
                   f"Ryals, in {_KAM}; the Pyramid workbook \"Ramverk för: CRM-strategi\"",
                   "citation", "seed-002-004.md L24, L101; seed-003.md L106, L984"),
    SourceConstant("cross_sell_response_ratio", 2.0, 5.0, "ratio",
                   "Cross-selling gets a response 2–5 times faster than selling to new customers",
                   f"Kamakura, in {_KAM}", "citation", "seed-003.md L266, L985"),
    SourceConstant("crm_failure_rate", 0.6, 0.6, "share",
                   "60 % of firms fail with CRM strategy and implementation (poor planning or "
                   "analysis)", f"Cunningham (2002), in {_KAM}", "citation",
                   "seed-003.md L228, L986"),
    SourceConstant("pareto_revenue_share", 0.8, 0.8, "share",
                   "The top 20 % of customers often account for 80 % of revenue",
                   f"Pareto's law, in {_KAM}", "citation", "seed-003.md L52"),
    SourceConstant("schultz_revenue_share", 0.9, 0.9, "share",
                   "Schultz's variant: the top 10 % of customers give 90 % of revenue",
                   f"Schultz, in {_KAM}", "citation", "seed-003.md L52"),
    SourceConstant("neglect_churn_share", 0.68, 0.68, "share",
                   "68 % of B2B customers who leave do so because they do not feel taken care of",
                   f"a CRM consultant interviewed in {_PROSPECTING}", "statement",
                   "seed-001.md L100, L651"),
    SourceConstant("manual_prospecting_share", 0.8, 0.8, "share",
                   "About 80 % of prospecting was historically done manually (and falling)",
                   f"a prospecting expert interviewed in {_PROSPECTING}", "statement",
                   "seed-001.md L209, L650"),
)  # fmt: skip


def source_constant(key: str) -> SourceConstant:
    """The constant with ``key``.

    Examples:
        >>> from crmkit.strategy.source_constants import source_constant
        >>> source_constant("magic")
        Traceback (most recent call last):
        ...
        crmkit.errors.NotFoundError: unknown source constant 'magic'
    """
    for c in SOURCE_CONSTANTS:
        if c.key == key:
            return c
    raise NotFoundError(f"unknown source constant {key!r}")
