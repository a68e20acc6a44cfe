"""Taylor & Hunter's (2002) e-CRM loyalty model as a signed graph of constructs.

"Big data och CRM:s roll för konkurrenskraft i B2B-företag" cites the model in its background
chapter (reference: seed-000.md L348-L363; the figure is missing from the text, the six
hypotheses survive in the prose, all supported). Subjective disconfirmation — performance
against expectations, predictions and competing offers — raises perceived quality (H1) and
satisfaction (H2); quality raises satisfaction (H3); loyalty is "superior to" satisfaction in a
B2B e-CRM setting (H4, a comparison, not an arrow); loyalty raises behavioural intentions (H5)
and word of mouth (H6). :func:`paths` follows the arrows.

Examples:
    >>> from crmkit.strategy.loyalty_model import Construct, paths
    >>> [[c.value for c in p] for p in paths(Construct.SUBJECTIVE_DISCONFIRMATION,
    ...                                       Construct.SATISFACTION)]
    [['subjective_disconfirmation', 'satisfaction'], ['subjective_disconfirmation', 'quality', 'satisfaction']]
"""

from __future__ import annotations

import enum

import attrs

from crmkit.strategy._enums import enum_member

__all__ = ["HYPOTHESES", "Construct", "Hypothesis", "paths"]


class Construct(enum.Enum):
    """The six constructs (reference: seed-000.md L348-L351).

    Examples:
        >>> from crmkit.strategy.loyalty_model import Construct
        >>> len(Construct)
        6
    """

    SUBJECTIVE_DISCONFIRMATION = "subjective_disconfirmation"
    QUALITY = "quality"
    SATISFACTION = "satisfaction"
    LOYALTY = "loyalty"
    BEHAVIOURAL_INTENTIONS = "behavioural_intentions"
    WORD_OF_MOUTH = "word_of_mouth"


@attrs.frozen
class Hypothesis:
    """One hypothesis: an arrow (``sign`` +1) or, for H4, a comparison (``causal`` false).

    Examples:
        >>> from crmkit.strategy.loyalty_model import HYPOTHESES
        >>> HYPOTHESES[3].causal, HYPOTHESES[3].supported
        (False, True)
    """

    id: str
    source: Construct
    target: Construct
    sign: int
    causal: bool = True
    supported: bool = True


_C = Construct
#: H1–H6, all supported (reference: seed-000.md L352-L358).
HYPOTHESES: tuple[Hypothesis, ...] = (
    Hypothesis("H1", _C.SUBJECTIVE_DISCONFIRMATION, _C.QUALITY, +1),
    Hypothesis("H2", _C.SUBJECTIVE_DISCONFIRMATION, _C.SATISFACTION, +1),
    Hypothesis("H3", _C.QUALITY, _C.SATISFACTION, +1),
    Hypothesis("H4", _C.LOYALTY, _C.SATISFACTION, +1, causal=False),
    Hypothesis("H5", _C.LOYALTY, _C.BEHAVIOURAL_INTENTIONS, +1),
    Hypothesis("H6", _C.LOYALTY, _C.WORD_OF_MOUTH, +1),
)


def paths(source: Construct | str, target: Construct | str) -> list[list[Construct]]:
    """Every path along the causal arrows from ``source`` to ``target``, shortest first.

    Examples:
        >>> from crmkit.strategy.loyalty_model import paths
        >>> paths("satisfaction", "loyalty")
        []
        >>> [len(p) for p in paths("loyalty", "word_of_mouth")]
        [2]
    """
    start, end = enum_member(Construct, source, "source"), enum_member(Construct, target, "target")
    found: list[list[Construct]] = []

    def walk(path: list[Construct]) -> None:
        if path[-1] is end and len(path) > 1:
            found.append(path)
            return
        for h in HYPOTHESES:
            if h.causal and h.source is path[-1] and h.target not in path:
                walk([*path, h.target])

    walk([start])
    return sorted(found, key=len)
