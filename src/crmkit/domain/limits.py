"""The documented limits of crmkit's domain values: what validates is what every store holds.

crmkit refuses, at the domain boundary (the constructors and :mod:`crmkit.serde`), every value
that one of its stores or formats could not hold, so the memory store, SQLite and PostgreSQL
accept exactly the same set and whatever validates also serialises and round-trips:

| rule | why |
|---|---|
| ids ≤ :data:`ID_MAX` (64 characters) | ``id``, ``owner_id``, ``account_id`` … are indexed columns |
| keys ≤ :data:`KEY_MAX` (128) | stage keys, tiers, channels, categories, problem types and custom property names are indexed or queried |
| remote ids ≤ :data:`REMOTE_ID_MAX` (255) | the unique ``remote_id`` column |
| phone numbers and organisation numbers ≤ :data:`PHONE_MAX` / :data:`ORGNR_MAX` (32), websites ≤ :data:`WEBSITE_MAX` (255) | stores index them, normalised, for look-ups |
| other text ≤ :data:`TEXT_MAX` (100 000) | names, descriptions, notes: a sane upper bound |
| no NUL character in text | PostgreSQL text and JSONB cannot hold ``\\x00`` |
| no lone surrogates in text | they are not Unicode text: UTF-8 cannot encode them |
| finite numbers | NaN and ±Infinity are not JSON and poison queries |
| ints within ±:data:`INT_MAX` (2**63 − 1) | the 64-bit integers of JSON readers and stores |
| nesting depth ≤ :data:`DEPTH_MAX` (32) | ``remote_data`` containers |
| JSON types only in ``remote_data`` | ``dict`` (string keys), ``list``, ``str``, ``int``, ``float``, ``bool``, ``None``; never tuples, sets or other objects |

Numbers written as text (Money amounts, Decimal fields, probabilities) are read with one rule,
:func:`parse_decimal`: ASCII digits only, an optional sign, decimal point and exponent,
surrounding ASCII whitespace ignored. Full-width or Arabic-Indic digits, ``1_000``, ``NaN``
and ``Infinity`` are refused, never silently converted.

Examples:
    >>> from crmkit.domain.limits import text_problem, parse_decimal
    >>> text_problem("Acme\\x00AB", 100)
    'must not contain the NUL character'
    >>> parse_decimal("12.50"), parse_decimal("1_000"), parse_decimal("١٢")
    (Decimal('12.50'), None, None)
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

from crmkit.errors import Problem

__all__ = [
    "DEPTH_MAX",
    "EMAIL_MAX",
    "ID_MAX",
    "INT_MAX",
    "KEY_MAX",
    "NUMBER_TEXT_MAX",
    "ORGNR_MAX",
    "PHONE_MAX",
    "REMOTE_ID_MAX",
    "TEXT_MAX",
    "WEBSITE_MAX",
    "clean_text",
    "int_problem",
    "json_problems",
    "number_problem",
    "parse_decimal",
    "scalar_problem",
    "text_problem",
]

#: Longest id or id reference (``id``, ``account_id``, ``owner_id`` …), in characters.
ID_MAX = 64
#: Longest key or label that stores index (stage keys, tiers, channels, property names).
KEY_MAX = 128
#: Longest ``remote_id``.
REMOTE_ID_MAX = 255
#: Longest e-mail address (RFC 5321).
EMAIL_MAX = 254
#: Longest phone number as written (E.164 has at most 15 digits; room for spaces and signs).
PHONE_MAX = 32
#: Longest organisation number (Swedish 10 digits, VAT numbers up to 14 characters).
ORGNR_MAX = 32
#: Longest website address (stores index its host name, at most 253 characters in DNS).
WEBSITE_MAX = 255
#: Longest other text (names, descriptions, notes, custom and remote string values).
TEXT_MAX = 100_000
#: Largest magnitude of an int (``2**63 - 1``); ints range over ``-INT_MAX … INT_MAX``.
INT_MAX = 2**63 - 1
#: Deepest nesting of containers in ``remote_data`` (the bag itself is level 1).
DEPTH_MAX = 32
#: Longest number written as text that :func:`parse_decimal` reads.
NUMBER_TEXT_MAX = 100

_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_SEARCH = _SURROGATE.search
_NUMBER_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_ASCII_SPACE = " \t\r\n"


def text_problem(value: str, max_length: int = TEXT_MAX) -> str | None:
    """Why the string ``value`` cannot be stored (``None`` when it can).

    Examples:
        >>> from crmkit.domain.limits import text_problem
        >>> text_problem("Nordvind AB") is None
        True
        >>> text_problem("x" * 70, 64)
        'must be at most 64 characters long (it has 70)'
        >>> text_problem("bad \\ud800 text")
        'must not contain lone surrogates (it is not valid Unicode text)'
    """
    if len(value) > max_length:
        return f"must be at most {max_length} characters long (it has {len(value)})"
    if "\x00" in value:
        return "must not contain the NUL character"
    if not value.isascii() and _SURROGATE_SEARCH(value) is not None:
        return "must not contain lone surrogates (it is not valid Unicode text)"
    return None


def clean_text(value: str, max_length: int = TEXT_MAX) -> bool:
    """Whether :func:`text_problem` finds nothing (the fast check used inline).

    Examples:
        >>> from crmkit.domain.limits import clean_text
        >>> clean_text("Åsa"), clean_text("a\\x00")
        (True, False)
    """
    return (
        len(value) <= max_length
        and "\x00" not in value
        and (value.isascii() or _SURROGATE_SEARCH(value) is None)
    )


def int_problem(value: int) -> str | None:
    """Why the int ``value`` is out of range (``None`` when it is within ±:data:`INT_MAX`).

    Examples:
        >>> from crmkit.domain.limits import int_problem
        >>> int_problem(2**63)
        'must be between -9223372036854775807 and 9223372036854775807'
    """
    if -INT_MAX <= value <= INT_MAX:
        return None
    return f"must be between {-INT_MAX} and {INT_MAX}"


def number_problem(value: float | Decimal) -> str | None:
    """Why a float or Decimal is not a finite number (``None`` when it is).

    Examples:
        >>> from decimal import Decimal
        >>> from crmkit.domain.limits import number_problem
        >>> number_problem(float("nan")), number_problem(Decimal("-Infinity"))
        ('must be a finite number, not NaN', 'must be a finite number, not infinity')
    """
    if isinstance(value, Decimal):
        if value.is_finite():
            return None
        return (
            "must be a finite number, not NaN"
            if value.is_nan()
            else "must be a finite number, not infinity"
        )
    if math.isfinite(value):
        return None
    return (
        "must be a finite number, not NaN"
        if value != value
        else "must be a finite number, not infinity"
    )


def scalar_problem(value: Any, max_length: int = TEXT_MAX) -> str | None:
    """Why ``value`` is not a storable JSON scalar (``None`` when it is): ``None``, a bool, an
    int within ±:data:`INT_MAX`, a finite float or clean text.

    Examples:
        >>> from crmkit.domain.limits import scalar_problem
        >>> scalar_problem(float("inf"))
        'must be a finite number, not infinity'
        >>> scalar_problem({1, 2})
        'must be a string, number, boolean or null'
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        return text_problem(value, max_length)
    if isinstance(value, int):
        return int_problem(value)
    if isinstance(value, float):
        return number_problem(value)
    return "must be a string, number, boolean or null"


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def json_problems(value: Any, path: str, depth: int = 1) -> list[Problem]:
    """Every reason why ``value`` (at ``path``, nested ``depth`` containers deep) is not plain,
    storable JSON: see the module's table. Deep values are named by path only.

    Examples:
        >>> from crmkit.domain.limits import json_problems
        >>> for problem in json_problems({"a": [1, {2, 3}], "b": float("nan")}, "remote_data"):
        ...     print(problem)
        remote_data.a[1]: {2, 3} is of type set; only dict, list, str, int, float, bool and None are JSON
        remote_data.b: nan must be a finite number, not NaN
        >>> deep = {}
        >>> deep["self"] = deep
        >>> problem = json_problems(deep, "remote_data")[0]
        >>> problem.path.count("self"), problem.message
        (32, 'is nested deeper than 32 levels')
    """
    if isinstance(value, dict | list):
        if depth > DEPTH_MAX:
            return [Problem(path, message=f"is nested deeper than {DEPTH_MAX} levels")]
        problems: list[Problem] = []
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    problems.append(Problem(path, key, "has a key that is not a string"))
                    continue
                message = text_problem(key)
                if message is not None:
                    problems.append(Problem(path, key, f"has a key that {message}"))
                    continue
                problems += json_problems(item, _join(path, key), depth + 1)
        else:
            for index, item in enumerate(value):
                problems += json_problems(item, f"{path}[{index}]", depth + 1)
        return problems
    message = scalar_problem(value)
    if message is None:
        return []
    if message.startswith("must be a string, number"):
        message = f"is of type {type(value).__name__}; only dict, list, str, int, float, bool and None are JSON"
    return [Problem(path, value, message)]


def parse_decimal(text: str) -> Decimal | None:
    """The Decimal written in ``text``, or ``None`` when it is not a plain ASCII number.

    Accepted: an optional sign, ASCII digits with an optional decimal point, an optional
    exponent (``1.5e3``), at most :data:`NUMBER_TEXT_MAX` characters, surrounding ASCII
    whitespace ignored. Refused (``None``): full-width and other non-ASCII digits, digit
    separators (``1_000``, ``1,000``), ``NaN`` and ``Infinity``.

    Examples:
        >>> from crmkit.domain.limits import parse_decimal
        >>> parse_decimal(" -1.5e3 "), parse_decimal("１２"), parse_decimal("NaN")
        (Decimal('-1.5E+3'), None, None)
    """
    if len(text) > NUMBER_TEXT_MAX:
        return None
    text = text.strip(_ASCII_SPACE)
    if _NUMBER_TEXT.fullmatch(text) is None:
        return None
    try:
        return Decimal(text)
    except ArithmeticError:  # an exponent beyond what Decimal can hold
        return None
