"""Synthetic responses to an instrument, for demos, tutorials and tests.

Each respondent gets a general satisfaction level and one level per construct (correlated
with the general one); an item's answer is its scale's typical answer moved by the level of
its construct plus noise, rounded and clipped to the scale. Items in one construct therefore
correlate, so Cronbach's alpha and the driver regression give sensible, reproducible results.

Examples:
    >>> from crmkit.survey import key_account_survey, simulate_responses
    >>> rs = simulate_responses(key_account_survey(), ["A1", "A2"], seed=7)
    >>> [r.account_id for r in rs], rs[0] == simulate_responses(key_account_survey(),
    ...                                                          ["A1", "A2"], seed=7)[0]
    (['A1', 'A2'], True)
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from crmkit.errors import ValidationError
from crmkit.survey.instrument import Instrument
from crmkit.survey.response import Response
from crmkit.survey.scale import Answer, Scale, ScaleType

__all__ = ["simulate_responses"]


def _typical(scale: Scale) -> tuple[float, float]:
    """Typical answer (as a share of the range from the bottom) and spread per step."""
    if scale.type in (ScaleType.LIKERT, ScaleType.RATING):
        return 0.75, 0.16
    if scale.type is ScaleType.AGREEMENT:
        return 0.68, 0.18
    if scale.type in (ScaleType.YES_NO, ScaleType.YES_MAYBE_NO):
        return 0.35, 0.25
    if scale.type is ScaleType.BAND:
        return 0.2, 0.2
    return 0.5, 0.25


def simulate_responses(
    instrument: Instrument,
    account_ids: Sequence[str],
    *,
    seed: int = 0,
    contact_ids: Sequence[str | None] | None = None,
    missing_rate: float = 0.03,
    noise: float = 0.5,
) -> list[Response]:
    """One synthetic :class:`~crmkit.survey.Response` per account in ``account_ids``.

    Args:
        contact_ids: the contact who answered, per account (optional).
        missing_rate: chance that any single answer is left blank.
        noise: item-level noise relative to the construct signal (higher = lower alpha).

    Raises:
        ValidationError: ``contact_ids`` of another length, or rates out of range.

    Examples:
        >>> from crmkit.survey import nki_template, simulate_responses
        >>> r = simulate_responses(nki_template(), ["A1"], seed=1, missing_rate=0)[0]
        >>> sorted(r.answers) == sorted(q.key for q in nki_template().questions)
        True
    """
    if contact_ids is not None and len(contact_ids) != len(account_ids):
        raise ValidationError.single(
            "contact_ids", len(contact_ids), f"must match account_ids ({len(account_ids)})"
        )
    if not 0 <= missing_rate < 1:
        raise ValidationError.single("missing_rate", missing_rate, "must be in [0, 1)")
    if not noise >= 0:
        raise ValidationError.single("noise", noise, "must be zero or more")
    rng = random.Random(seed)
    construct_of: dict[str, str] = {}
    for c in instrument.constructs:
        for item in c.items:
            construct_of.setdefault(item, c.key)
    responses = []
    for index, account_id in enumerate(account_ids):
        general = rng.gauss(0, 1)
        levels = {c.key: 0.6 * general + 0.8 * rng.gauss(0, 1) for c in instrument.constructs}
        answers: dict[str, Answer] = {}
        for q in instrument.questions:
            if rng.random() < missing_rate:
                answers[q.key] = None
                continue
            scale = q.scale
            if scale.type is ScaleType.FREE_TEXT:
                answers[q.key] = None
                continue
            assert scale.minimum is not None
            assert scale.maximum is not None
            span = scale.maximum - scale.minimum
            centre, spread = _typical(scale)
            level = levels.get(construct_of.get(q.key, ""), general)
            if q.reverse:
                level = -level
            if scale.type in (ScaleType.YES_NO, ScaleType.YES_MAYBE_NO):
                level = -level  # option 1 is "yes": a positive attitude lowers the number
            raw = scale.minimum + span * (centre + spread * (level + noise * rng.gauss(0, 1)))
            answers[q.key] = int(min(scale.maximum, max(scale.minimum, round(raw))))
        responses.append(
            Response(
                respondent_id=f"resp-{seed}-{index:05d}",
                answers=answers,
                account_id=account_id,
                contact_id=contact_ids[index] if contact_ids is not None else None,
                instrument_key=instrument.key,
            )
        )
    return responses
