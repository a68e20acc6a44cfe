"""How numbers and dates are written in a file: explicit conventions, never guesses.

A cell such as ``1234,50``, ``1 234,50`` or ``1.234,50`` is a decimal comma to a European
reader and something else entirely to a program that strips commas. ``03/04/2025`` is
3 April to a Swede and 4 March to an American. crmkit does not guess: every codec reads
numbers with one :class:`NumberFormat` and dates with one :class:`DateFormat`, both given
explicitly (the defaults are what crmkit, HubSpot and Salesforce write: a decimal point, no
digit grouping, ISO 8601 dates), and a cell that does not fit the convention is rejected
with its column and value — it is never read as a different amount or day.

The rules, in one place:

* **Digits** are the ASCII digits ``0``–``9``. Full-width (``１２３``), Arabic-Indic
  (``١٢٣``) and other scripts' digits are refused, as are ``_`` between digits (``1_000``,
  which Python's own ``int`` would accept), ``NaN`` and ``Infinity``.
* **Numbers** are an optional sign, digits, and optionally the decimal separator followed
  by digits. Digit grouping (``1,234``, ``1 234``, ``1.234``) is accepted only when the
  format names a grouping separator, and then only in groups of three. A cell with the
  other separator than the format's — ``1234,50`` when the decimal separator is ``.`` —
  is refused with a message that says how to read it.
* **Exponent notation** (``1.5E7``, Salesforce's Data Loader writes it) is accepted with a
  decimal point only; the value must stay within :data:`MAX_DIGITS` significant digits and
  decimal places and below ``10**MAX_DIGITS`` (``1e100000`` is refused, it is not a
  price). Whole-number columns hold values of a signed 64-bit integer, which is what the
  stores keep.
* **Dates** are ISO 8601 (``2025-03-04``, ``2025-03-04T10:30:00Z``,
  ``2025-03-04 10:30``). Slashed or dotted dates (``04/03/2025``, ``04.03.2025``) only with
  an explicit ``DateFormat(order="day_first")`` or ``order="month_first"``. Words
  (``March``, ``Friday``), bare numbers (``1``) and partial dates are refused. A date and
  time without a time zone is read as UTC.

Examples:
    >>> from crmkit.adapters.files.conventions import DateFormat, NumberFormat
    >>> NumberFormat().parse_decimal("1234.50"), NumberFormat(decimal=",").parse_decimal("1234,50")
    (Decimal('1234.50'), Decimal('1234.50'))
    >>> NumberFormat().parse_decimal("1234,50")
    Traceback (most recent call last):
    ...
    ValueError: has a ',' but numbers in this file use '.' as the decimal separator and no digit grouping; pass number_format=NumberFormat(decimal=',') for a file with decimal commas
    >>> DateFormat(order="day_first").parse_date("03/04/2025")
    datetime.date(2025, 4, 3)
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Literal

import attrs

from crmkit.errors import ValidationError
from crmkit.serde.converter import unique_keys

__all__ = [
    "INT64_MAX",
    "INT64_MIN",
    "MAX_DIGITS",
    "MAX_JSON_DEPTH",
    "DateFormat",
    "DateOrder",
    "NumberFormat",
    "load_json",
]

#: The most significant digits (and decimal places) a number cell may have.
MAX_DIGITS = 38
#: The range of a whole-number column (a signed 64-bit integer, what the stores keep).
INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)

#: The grouping separators a :class:`NumberFormat` may name (``" "`` also matches the
#: no-break spaces U+00A0 and U+202F that spreadsheets write).
_GROUPINGS = (",", ".", " ", "'")
_SPACES = " \u00a0\u202f"
_EXPONENT = re.compile(r"[eE][+-]?[0-9]{1,6}\Z")


def _digits_problem(text: str) -> str | None:
    if any(ch.isdigit() and not ("0" <= ch <= "9") for ch in text):
        return "uses digits other than 0-9 (full-width or another script); write ASCII digits"
    if "_" in text:
        return "has '_' between digits, which is not a number in a file"
    return None


@attrs.frozen
class NumberFormat:
    """How the numbers of a file are written: the decimal separator and the digit grouping.

    Args:
        decimal: ``"."`` (default) or ``","``.
        grouping: the thousands separator the file uses, or ``None`` (default) for none:
            ``","``, ``"."``, ``" "`` (also no-break spaces) or ``"'"``. It must differ from
            ``decimal``.

    Examples:
        >>> from crmkit.adapters.files.conventions import NumberFormat
        >>> swedish = NumberFormat(decimal=",", grouping=" ")
        >>> swedish.parse_decimal("1 234,50"), swedish.parse_integer("12 000")
        (Decimal('1234.50'), 12000)
        >>> NumberFormat(decimal=",", grouping=",")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: number_format.grouping: ',' must differ from the decimal separator
    """

    decimal: Literal[".", ","] = "."
    grouping: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.decimal not in (".", ","):
            raise ValidationError.single(
                "number_format.decimal", self.decimal, "must be '.' or ','"
            )
        if self.grouping is not None and self.grouping not in _GROUPINGS:
            raise ValidationError.single(
                "number_format.grouping",
                self.grouping,
                "must be None or one of ',', '.', ' ', \"'\"",
            )
        if self.grouping == self.decimal:
            raise ValidationError.single(
                "number_format.grouping",
                self.grouping,
                "must differ from the decimal separator",
            )

    def _pattern(self) -> re.Pattern[str]:
        dec = re.escape(self.decimal)
        if self.grouping is None:
            whole = r"[0-9]+"
        else:
            group = f"[{re.escape(_SPACES)}]" if self.grouping == " " else re.escape(self.grouping)
            whole = rf"(?:[0-9]{{1,3}}(?:{group}[0-9]{{3}})+|[0-9]+)"
        return re.compile(rf"[+-]?{whole}(?:{dec}[0-9]+)?\Z")

    def _explain(self, text: str) -> str:
        problem = _digits_problem(text)
        if problem is not None:
            return problem
        if text.strip().lower().lstrip("+-") in ("nan", "inf", "infinity", "snan"):
            return "is not a finite number"
        allowed = {self.decimal} | ({self.grouping} if self.grouping else set())
        if self.grouping == " ":
            allowed |= set(_SPACES)
        for sep in (",", ".", " ", "'", "\u00a0", "\u202f"):
            if sep in text and sep not in allowed:
                shown = "a space" if sep in _SPACES else f"a {sep!r}"
                grouping = (
                    "no digit grouping"
                    if self.grouping is None
                    else f"{self.grouping!r} between groups of three digits"
                )
                hint = ""
                if sep == "," and self.decimal == ".":
                    hint = (
                        "; pass number_format=NumberFormat(decimal=',') for a file with "
                        "decimal commas"
                    )
                return (
                    f"has {shown} but numbers in this file use {self.decimal!r} as the "
                    f"decimal separator and {grouping}{hint}"
                )
        if self.grouping is not None and (self.grouping in text or self.grouping == " "):
            return (
                f"is not a number in this file's format (decimal {self.decimal!r}, "
                f"groups of three digits separated by {self.grouping!r})"
            )
        return "is not a number"

    def _number(self, text: str) -> Decimal:
        """The number in ``text`` by this format's grammar, before any range check."""
        cell = text.strip()
        body = cell
        exponent = _EXPONENT.search(cell) if self.decimal == "." else None
        if exponent is not None:
            body = cell[: exponent.start()]
        if not self._pattern().match(body):
            raise ValueError(self._explain(cell))
        if self.grouping is not None:
            for sep in _SPACES if self.grouping == " " else self.grouping:
                body = body.replace(sep, "")
        body = body.replace(self.decimal, ".")
        digits = sum(ch.isdigit() for ch in body)
        if digits > MAX_DIGITS * 2:
            raise ValueError(
                f"has {digits} digits: crmkit reads at most {MAX_DIGITS} before and "
                f"{MAX_DIGITS} after the decimal separator"
            )
        try:
            return Decimal(body + (exponent.group(0) if exponent else ""))
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            raise ValueError("is not a number") from None

    def parse_decimal(self, text: str) -> Decimal:
        """The number in ``text`` as a :class:`~decimal.Decimal`; raises :class:`ValueError`
        with a reason (the codec adds the column and value).

        Examples:
            >>> from crmkit.adapters.files.conventions import NumberFormat
            >>> NumberFormat().parse_decimal("-12.5"), NumberFormat().parse_decimal("1.5E3")
            (Decimal('-12.5'), Decimal('1.5E+3'))
            >>> NumberFormat().parse_decimal("1e100000")
            Traceback (most recent call last):
            ...
            ValueError: is too large: crmkit reads numbers below 10**38
        """
        return _bounded(self._number(text))

    def parse_integer(self, text: str) -> int:
        """A whole number (``12``, ``12.0``), within the signed 64-bit range.

        Examples:
            >>> from crmkit.adapters.files.conventions import NumberFormat
            >>> NumberFormat().parse_integer("40")
            40
            >>> NumberFormat().parse_integer("4.5")
            Traceback (most recent call last):
            ...
            ValueError: is not a whole number
        """
        try:
            number = self.parse_decimal(text)
        except ValueError as exc:
            if str(exc) == "is not a number":
                raise ValueError("is not a whole number") from None
            raise
        if number != number.to_integral_value():
            raise ValueError("is not a whole number")
        value = int(number)
        if not INT64_MIN <= value <= INT64_MAX:
            raise ValueError(f"is outside the range of a whole-number column (±{INT64_MAX})")
        return value

    def parse_float(self, text: str) -> float:
        """A finite floating-point number (any magnitude a float holds; a non-zero value
        too small for a float is refused rather than read as 0).

        Examples:
            >>> from crmkit.adapters.files.conventions import NumberFormat
            >>> NumberFormat().parse_float("1e-05"), NumberFormat().parse_float("2.5e-300")
            (1e-05, 2.5e-300)
            >>> NumberFormat().parse_float("1e400")
            Traceback (most recent call last):
            ...
            ValueError: is too large for a floating-point number
        """
        number = self._number(text)
        value = float(number)
        if value in (float("inf"), float("-inf")):
            raise ValueError("is too large for a floating-point number")
        if value == 0.0 and number != 0:
            raise ValueError("is too small for a floating-point number (it would read as 0)")
        return value


def _bounded(number: Decimal) -> Decimal:
    if not number.is_finite():  # pragma: no cover - the pattern admits only finite numbers
        raise ValueError("is not a finite number")
    if number != 0 and number.adjusted() >= MAX_DIGITS:
        raise ValueError(f"is too large: crmkit reads numbers below 10**{MAX_DIGITS}")
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_DIGITS:
        raise ValueError(f"has more than {MAX_DIGITS} decimal places")
    if len(number.as_tuple().digits) > MAX_DIGITS * 2:  # pragma: no cover - bounded above
        raise ValueError(f"has more than {MAX_DIGITS * 2} digits")
    return number


#: How slashed or dotted dates are ordered: ``"iso"`` accepts none of them.
DateOrder = Literal["iso", "day_first", "month_first"]

_ISO = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]{1,9})?)?"
    r"(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?\Z"
)
_LOCAL = re.compile(
    r"(?P<a>[0-9]{1,2})(?P<sep>[/.-])(?P<b>[0-9]{1,2})(?P=sep)(?P<year>[0-9]{4})"
    r"(?:[ T](?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2}))?"
    r"(?:\s?(?P<ampm>[AaPp][Mm]))?)?\Z"
)


@attrs.frozen
class DateFormat:
    """Which date formats a file is read with: ISO 8601 always, slashed or dotted dates
    (``03/04/2025``, ``03.04.2025``) only in an explicit order.

    Args:
        order: ``"iso"`` (default: ISO 8601 only), ``"day_first"`` (``31/12/2025``) or
            ``"month_first"`` (``12/31/2025``, also ``12/31/2025 4:30 PM``).

    Examples:
        >>> from crmkit.adapters.files.conventions import DateFormat
        >>> DateFormat().parse_datetime("2025-03-04 10:30").isoformat()
        '2025-03-04T10:30:00+00:00'
        >>> DateFormat().parse_date("03/04/2025")
        Traceback (most recent call last):
        ...
        ValueError: is not an ISO 8601 date (2025-03-04); for a file with dates like 03/04/2025 pass date_format=DateFormat(order='day_first') or order='month_first'
        >>> DateFormat(order="month_first").parse_date("03/04/2025")
        datetime.date(2025, 3, 4)
    """

    order: DateOrder = "iso"

    def __attrs_post_init__(self) -> None:
        if self.order not in ("iso", "day_first", "month_first"):
            raise ValidationError.single(
                "date_format.order", self.order, "must be 'iso', 'day_first' or 'month_first'"
            )

    def _refuse(self, text: str) -> ValueError:
        problem = _digits_problem(text)
        if problem is not None:
            return ValueError(problem)
        if self.order == "iso":
            return ValueError(
                "is not an ISO 8601 date (2025-03-04); for a file with dates like 03/04/2025 "
                "pass date_format=DateFormat(order='day_first') or order='month_first'"
            )
        example = "31/12/2025" if self.order == "day_first" else "12/31/2025"
        return ValueError(f"is not an ISO 8601 date nor a {self.order} date like {example}")

    def parse_datetime(self, text: str) -> datetime:
        """An aware datetime in UTC (a value without a time zone is read as UTC; a date
        alone is midnight). Raises :class:`ValueError` with a reason.

        Examples:
            >>> from crmkit.adapters.files.conventions import DateFormat
            >>> DateFormat().parse_datetime("2024-03-01T09:30:00.000Z").isoformat()
            '2024-03-01T09:30:00+00:00'
            >>> DateFormat().parse_datetime("Friday")
            Traceback (most recent call last):
            ...
            ValueError: is not an ISO 8601 date (2025-03-04); for a file with dates like 03/04/2025 pass date_format=DateFormat(order='day_first') or order='month_first'
        """
        cell = text.strip()
        if _ISO.match(cell):
            try:
                value = datetime.fromisoformat(cell.replace(",", "."))
            except ValueError:
                raise ValueError("is not a valid date (no such day or time)") from None
        else:
            value = self._local(cell)
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def _local(self, cell: str) -> datetime:
        match = _LOCAL.match(cell) if self.order != "iso" else None
        if match is None:
            raise self._refuse(cell)
        a, b = int(match["a"]), int(match["b"])
        day, month = (a, b) if self.order == "day_first" else (b, a)
        hour = int(match["hour"] or 0)
        if match["ampm"]:
            if not 1 <= hour <= 12:
                raise ValueError("has an AM/PM hour outside 1-12")
            hour = hour % 12 + (12 if match["ampm"].lower() == "pm" else 0)
        try:
            return datetime(
                int(match["year"]),
                month,
                day,
                hour,
                int(match["minute"] or 0),
                int(match["second"] or 0),
            )
        except ValueError:
            raise ValueError(f"is not a valid {self.order} date (no such day or time)") from None

    def parse_date(self, text: str) -> date:
        """A calendar date (a date and time gives its UTC date).

        Examples:
            >>> from crmkit.adapters.files.conventions import DateFormat
            >>> DateFormat(order="day_first").parse_date("31.12.2025")
            datetime.date(2025, 12, 31)
            >>> DateFormat().parse_date("1")
            Traceback (most recent call last):
            ...
            ValueError: is not an ISO 8601 date (2025-03-04); for a file with dates like 03/04/2025 pass date_format=DateFormat(order='day_first') or order='month_first'
        """
        cell = text.strip()
        if _ISO.match(cell) and len(cell) == 10:
            try:
                return date.fromisoformat(cell)
            except ValueError:
                raise ValueError("is not a valid date (no such day)") from None
        return self.parse_datetime(cell).date()


#: The deepest nesting of arrays and objects a JSON value in a file may have.
MAX_JSON_DEPTH = 64


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > 19:
        raise ValueError(f"has a whole number of {len(text.lstrip('-'))} digits (at most 64 bits)")
    value = int(text)
    if not INT64_MIN <= value <= INT64_MAX:
        raise ValueError(f"has a whole number outside the 64-bit range: {text}")
    return value


def _json_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"has a number too large for a float: {text[:40]}")
    return value


def _json_constant(name: str) -> float:
    raise ValueError(f"has {name}, which is not a JSON number")


def _json_object(pairs: list[tuple[str, object]]) -> dict[str, object]:
    return unique_keys(
        pairs, lambda key: ValueError(f"has the key {key!r} twice (one value would be lost)")
    )


def _depth(value: object) -> int:
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            deepest = max(deepest, level)
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            deepest = max(deepest, level)
            stack.extend((v, level + 1) for v in item)
    return deepest


def load_json(text: str) -> object:
    """Parse JSON text from a file, refusing what would be silently changed or blow up.

    Refused, with a :class:`ValueError` that says why: invalid JSON, an object with the same
    key twice, ``NaN`` / ``Infinity``, whole numbers outside 64 bits, floats that overflow,
    and nesting deeper than :data:`MAX_JSON_DEPTH`.

    Examples:
        >>> from crmkit.adapters.files.conventions import load_json
        >>> load_json('{"a": [1, 2.5, "x"]}')
        {'a': [1, 2.5, 'x']}
        >>> load_json('{"a": 1, "a": 2}')
        Traceback (most recent call last):
        ...
        ValueError: has the key 'a' twice (one value would be lost)
        >>> load_json("1e100000")
        Traceback (most recent call last):
        ...
        ValueError: has a number too large for a float: 1e100000
    """
    import json

    try:
        value = json.loads(
            text,
            parse_int=_json_int,
            parse_float=_json_float,
            parse_constant=_json_constant,
            object_pairs_hook=_json_object,
        )
    except json.JSONDecodeError as exc:
        raise ValueError(f"is not valid JSON ({exc.msg} at character {exc.pos})") from None
    except RecursionError:
        raise ValueError(f"is nested deeper than {MAX_JSON_DEPTH} levels") from None
    if _depth(value) > MAX_JSON_DEPTH:
        raise ValueError(f"is nested deeper than {MAX_JSON_DEPTH} levels")
    return value
