"""A respondent's answers, linked to the account and contact who gave them.

Examples:
    >>> from crmkit.survey import Response, response_rate
    >>> r = Response("r1", {"q07": 6}, account_id="acc-1")
    >>> r.answers["q07"], r.account_id
    (6, 'acc-1')
    >>> round(100 * response_rate(100, 660), 2)        # seed 003, TV-12
    15.15
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from crmkit.errors import Problem, ValidationError
from crmkit.survey._number import is_number, is_whole
from crmkit.survey.scale import Answer

__all__ = ["Response", "response_rate"]


def _check_answers(instance: Response, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, Mapping):
        raise ValidationError.single("response.answers", value, "must be a mapping of answers")
    problems = []
    for key, answer in value.items():
        if not isinstance(key, str):
            problems.append(Problem("response.answers", key, "question keys must be text"))
        elif answer is not None and not (is_number(answer) or isinstance(answer, str)):
            problems.append(
                Problem(f"response.answers.{key}", answer, "must be a number, text or None")
            )
    if problems:
        raise ValidationError(problems)


def _check_id(instance: Response, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or not value:
        raise ValidationError.single(f"response.{attribute.name}", value, "must be a non-empty id")


def _check_optional_id(instance: Response, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        _check_id(instance, attribute, value)


def _check_time(instance: Response, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
        raise ValidationError.single(
            "response.submitted_at", value, "must be a timezone-aware datetime"
        )


@attrs.frozen
class Response:
    """One respondent's answers to an instrument (``None`` = not answered).

    Use :meth:`crmkit.survey.Instrument.response` to build one that is checked against the
    instrument's questions and scales.

    Examples:
        >>> from crmkit.survey import Response
        >>> Response("", {})
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: response.respondent_id: '' must be a non-empty id
    """

    respondent_id: str = attrs.field(validator=_check_id)
    answers: dict[str, Answer] = attrs.field(validator=_check_answers)
    account_id: str | None = attrs.field(default=None, validator=_check_optional_id)
    contact_id: str | None = attrs.field(default=None, validator=_check_optional_id)
    instrument_key: str | None = None
    submitted_at: datetime | None = attrs.field(default=None, validator=_check_time)

    def answer(self, key: str) -> Answer:
        """The answer to question ``key`` (``None`` if not answered).

        Examples:
            >>> from crmkit.survey import Response
            >>> Response("r", {"a": 3}).answer("b") is None
            True
        """
        return self.answers.get(key)


def response_rate(responded: int, invited: int) -> float:
    """Share (0–1) of invited people who responded.

    Raises:
        ValidationError: ``invited`` not above 0, or ``responded`` outside 0…invited.

    Examples:
        >>> from crmkit.survey import response_rate
        >>> response_rate(5, 8)                     # interviews held of selected
        0.625
    """
    if not is_whole(invited) or invited <= 0:
        raise ValidationError.single("invited", invited, "must be a whole number above 0")
    if not is_whole(responded) or not 0 <= responded <= invited:
        raise ValidationError.single("responded", responded, f"must be between 0 and {invited}")
    return int(responded) / int(invited)
