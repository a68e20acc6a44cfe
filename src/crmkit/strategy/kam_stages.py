"""The four KAM relationship stages as data: characteristics, advice and breakdown causes.

"The KAM Journey" in Botn-Langøy, Buarø & Hoem (2019), "Key Account Management – Smart
Media" (Millman & Wilson's stages, described after Cheverton; reference: seed-003.md
L183-L201): bow-tie, one-on-many, duet and diamond team. The stage itself is
:class:`crmkit.domain.KamStage` (with its transition rule); this module adds what the thesis
says about each stage — its characteristics, the advice it gives and how relationships break
down — so that a user can look it up for a relationship's current stage.

Breakdowns have three causes — trust weakens, the customer feels taken for granted, key
personnel change (:class:`BreakdownCause`) — and "often happen around the bow-tie stage but can
happen at any stage" (reference: seed-003.md L201).

Examples:
    >>> from crmkit.domain import KamStage
    >>> from crmkit.strategy.kam_stages import stage_profile
    >>> profile = stage_profile(KamStage.DUET)
    >>> profile.kam_role, profile.dialogue_focus
    ('business advisor, developer and coach', 'value more than price and cost')
    >>> profile.advice[0]
    'Do not overload a key account manager with many duet accounts: the most work-intensive stage'
"""

from __future__ import annotations

import enum

import attrs

from crmkit.domain import KamStage
from crmkit.strategy._enums import enum_member

__all__ = ["KAM_STAGE_PROFILES", "BreakdownCause", "StageProfile", "stage_profile"]


class BreakdownCause(enum.Enum):
    """Why a key-account relationship breaks (reference: seed-003.md L201).

    Examples:
        >>> from crmkit.strategy.kam_stages import BreakdownCause
        >>> [c.value for c in BreakdownCause]
        ['trust_weakened', 'taken_for_granted', 'key_personnel_change']
    """

    TRUST_WEAKENED = "trust_weakened"
    TAKEN_FOR_GRANTED = "taken_for_granted"
    KEY_PERSONNEL_CHANGE = "key_personnel_change"


@attrs.frozen
class StageProfile:
    """What the source says about one stage.

    Attributes:
        stage: the stage.
        contact_pattern: who talks to whom.
        kam_role: the supplier's role.
        dialogue_focus: what the conversation is about.
        characteristics: the stage's features.
        advice: what to do (or avoid) in the stage.
        breakdown_risk: the breakdown causes the source ties to the stage specifically.
        reference: lines in the reference extract.

    Examples:
        >>> from crmkit.strategy.kam_stages import KAM_STAGE_PROFILES
        >>> [p.stage.value for p in KAM_STAGE_PROFILES]
        ['bow_tie', 'one_on_many', 'duet', 'diamond_team']
    """

    stage: KamStage
    contact_pattern: str
    kam_role: str
    dialogue_focus: str
    characteristics: tuple[str, ...]
    advice: tuple[str, ...]
    breakdown_risk: tuple[BreakdownCause, ...]
    reference: str

    @property
    def is_key_account(self) -> bool:
        """Only the last two stages are handled by a key account manager."""
        return self.stage.is_key_account


_B = BreakdownCause
KAM_STAGE_PROFILES: tuple[StageProfile, ...] = (
    StageProfile(
        KamStage.BOW_TIE, "one buyer meets one seller", "seller (hunter)", "price",
        ("groundwork for a key-account strategy",
         "simple, controllable and low cost",
         "the relationship rests on two persons",
         "the seller does not get deep into the customer's decision process"),
        ("Identify customers with the potential to become key accounts; avoid cost on those "
         "without",
         "Staying at bow-tie can be right: it is simple and cheap"),
        (_B.KEY_PERSONNEL_CHANGE, _B.TRUST_WEAKENED, _B.TAKEN_FOR_GRANTED),
        "seed-003.md L196, L201"),
    StageProfile(
        KamStage.ONE_ON_MANY, "the key account manager meets several persons at the customer",
        "strategic seller (still a hunter)", "price, with openness about transaction costs",
        ("more advanced, strategic selling",
         "customer encouragement of more contacts signals rising strategic intent",
         "knowledge often sits only in the key account manager's head"),
        ("If this is the highest achievable stage, hand the customer to someone other than the "
         "key account manager",
         "If the customer has greater needs, develop towards duet"),
        (), "seed-003.md L197"),
    StageProfile(
        KamStage.DUET, "supplier and customer departments meet, arranged by the key account "
        "manager", "business advisor, developer and coach", "value more than price and cost",
        ("better information flow and internal communication",
         "trust and openness increase",
         "investment starts; returns are unlikely in the short term"),
        ("Do not overload a key account manager with many duet accounts: the most "
         "work-intensive stage",
         "Resist sliding back to bow-tie or one-on-many",
         "Keep bureaucracy from ruining the information flow"),
        (), "seed-003.md L198"),
    StageProfile(
        KamStage.DIAMOND_TEAM, "cross-functional teams on both sides; the buyer appoints a key "
        "supplier manager", "team leader", "joint problem solving and development",
        ("only strategically important customers",
         "trust high enough to share sensitive information",
         "formalised, continuously followed-up cooperation",
         "long-term economic ties, innovation and synergies"),
        ("Do not try to turn every customer into a diamond: it is not the most profitable "
         "option for all",),
        (), "seed-003.md L188, L199"),
)  # fmt: skip


def stage_profile(stage: KamStage | str) -> StageProfile:
    """The profile of one stage (a :class:`~crmkit.domain.KamStage` or its value).

    Examples:
        >>> from crmkit.strategy.kam_stages import stage_profile
        >>> stage_profile("bow_tie").breakdown_risk[0].value
        'key_personnel_change'
        >>> stage_profile("gold")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: stage: 'gold' must be one of bow_tie, one_on_many, duet, diamond_team
    """
    s = enum_member(KamStage, stage, "stage")
    return next(p for p in KAM_STAGE_PROFILES if p.stage is s)
