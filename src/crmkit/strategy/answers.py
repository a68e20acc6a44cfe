"""Answers to the CRM strategy workbook: fill, validate, save, load, completion.

:class:`WorkbookAnswers` holds one value per answered item, checked against the item's
:class:`~crmkit.strategy.workbook.AnswerType` (a wrong type names the item). It saves to and
loads from JSON in the same sectioned shape as ``crmkit workbook template`` prints, and also
accepts a flat ``{"answers": {item_id: value}}`` mapping.

Examples:
    >>> from crmkit.strategy.answers import WorkbookAnswers
    >>> wb = WorkbookAnswers(company="Acme AB")
    >>> wb.set("s04.know_lifetime_value", False)
    >>> wb.set("s08.field_sales", {"used": True, "it_support": "stand_alone"})
    >>> wb.completion()["S04"]
    0.0625
    >>> wb.set("s05.profit.profitable", 120)
    Traceback (most recent call last):
    ...
    crmkit.errors.ValidationError: answers.s05.profit.profitable: 120 must be a percentage between 0 and 100
    >>> WorkbookAnswers.from_json(wb.to_json()).get("s04.know_lifetime_value")
    False
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from crmkit.errors import Problem, ValidationError
from crmkit.strategy.workbook import AnswerType, Item, ItSupport, Workbook, workbook

__all__ = [
    "AnswerValue",
    "ChannelUse",
    "SituationScore",
    "WorkbookAnswers",
    "YesNoText",
    "template",
]

_YES = {"yes", "ja", "true", "y", "j"}
_NO = {"no", "nej", "nei", "false", "n"}


@attrs.frozen
class ChannelUse:
    """A grid row's answer: in use, and if so at most one IT-support level (quirk Q9).

    Examples:
        >>> from crmkit.strategy.answers import ChannelUse
        >>> from crmkit.strategy.workbook import ItSupport
        >>> ChannelUse(True, ItSupport.INTEGRATED).is_integrated
        True
        >>> ChannelUse(False, ItSupport.NONE)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: it_support: 'none' an unused row has no IT-support level
    """

    used: bool
    it_support: ItSupport | None = None

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.used, bool):
            raise ValidationError.single("used", self.used, "must be true or false")
        if self.it_support is not None and not isinstance(self.it_support, ItSupport):
            raise ValidationError.single("it_support", self.it_support, "must be an ItSupport")
        if not self.used and self.it_support is not None:
            raise ValidationError.single(
                "it_support", self.it_support.value, "an unused row has no IT-support level"
            )

    @property
    def is_integrated(self) -> bool:
        """In use with integrated IT support."""
        return self.used and self.it_support is ItSupport.INTEGRATED

    def to_json(self) -> dict[str, Any]:
        """``{"used": ..., "it_support": ...}``."""
        return {"used": self.used, "it_support": self.it_support.value if self.it_support else None}


@attrs.frozen
class YesNoText:
    """A yes/no answer with an optional description (``yes_no_text`` items).

    Examples:
        >>> from crmkit.strategy.answers import YesNoText
        >>> YesNoText(True, "two: basic and premium").yes
        True
    """

    yes: bool
    text: str = ""

    def to_json(self) -> dict[str, Any]:
        """``{"yes": ..., "text": ...}``."""
        return {"yes": self.yes, "text": self.text}


AnswerValue = str | bool | int | float | ChannelUse | YesNoText


@attrs.frozen
class SituationScore:
    """The situation analysis (S04): number of "yes" out of the 16 questions.

    Examples:
        >>> from crmkit.strategy.answers import SituationScore
        >>> str(SituationScore(yes=12, answered=16))
        '12/16'
    """

    yes: int
    answered: int
    total: int = 16

    def __str__(self) -> str:
        return f"{self.yes}/{self.total}"

    @property
    def share(self) -> float:
        """``yes / total``."""
        return self.yes / self.total


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        low = value.strip().lower()
        if low in _YES:
            return True
        if low in _NO:
            return False
    return None


def _convert(item: Item, value: Any) -> AnswerValue:
    """Check ``value`` against the item's type; raise a ValidationError naming the item."""
    path = f"answers.{item.id}"
    t = item.answer_type
    if t is AnswerType.TEXT:
        if not isinstance(value, str):
            raise ValidationError.single(path, value, "must be text")
        return value
    if t in (AnswerType.YES_NO, AnswerType.CHECK):
        b = _bool(value)
        if b is None:
            raise ValidationError.single(path, value, "must be yes or no (true/false)")
        return b
    if t is AnswerType.COUNT:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValidationError.single(path, value, "must be a whole number, zero or more")
        return value
    if t is AnswerType.PERCENT:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or not 0 <= value <= 100
        ):
            raise ValidationError.single(path, value, "must be a percentage between 0 and 100")
        return value
    if t is AnswerType.YES_NO_TEXT:
        if isinstance(value, YesNoText):
            return value
        b = _bool(value)
        if b is not None:
            return YesNoText(b)
        if isinstance(value, Mapping) and set(value) <= {"yes", "text"}:
            yes = _bool(value.get("yes"))
            text = value.get("text") or ""
            if yes is not None and isinstance(text, str):
                return YesNoText(yes, text)
        raise ValidationError.single(path, value, 'must be yes/no or {"yes": bool, "text": str}')
    # CHANNEL_IT
    if isinstance(value, ChannelUse):
        return value
    if isinstance(value, Mapping) and set(value) <= {"used", "it_support"}:
        used = _bool(value.get("used"))
        level = value.get("it_support")
        if isinstance(level, list | tuple):
            raise ValidationError.single(
                path, value, "must choose at most one IT-support level (they exclude each other)"
            )
        if used is None:
            raise ValidationError.single(path, value, "needs 'used': true or false")
        try:
            support = ItSupport(level) if level is not None else None
            return ChannelUse(used, support)
        except ValueError as exc:
            if isinstance(exc, ValidationError):
                raise exc.prefixed(path) from None
            raise ValidationError.single(
                path, level, "is not an IT-support level (integrated, stand_alone, none)"
            ) from None
    raise ValidationError.single(
        path, value, 'must be {"used": bool, "it_support": "integrated"|"stand_alone"|"none"}'
    )


def _to_json(value: AnswerValue) -> Any:
    if isinstance(value, ChannelUse | YesNoText):
        return value.to_json()
    return value


def _answered(value: AnswerValue | None) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    return True


_TOP_LEVEL = frozenset({"workbook", "title", "lang", "cover", "sections", "answers"})
_WORKBOOK_ID = "crmkit:seed-002"


def _shape_problems(data: Mapping[str, Any]) -> list[Problem]:
    """What is wrong with the structure of a workbook document (not with its answers).

    A document must be the sectioned shape of :func:`template` or a flat ``{"answers":
    {...}}`` mapping: any other JSON object (``{"a": 1}``) is refused rather than read as an
    empty workbook.
    """
    problems = [
        Problem(str(key), message=f"is not a workbook field ({', '.join(sorted(_TOP_LEVEL))})")
        for key in data
        if key not in _TOP_LEVEL
    ]
    if "sections" not in data and "answers" not in data:
        problems.append(
            Problem(
                "",
                message='is not a crmkit workbook: it has neither "sections" (the shape '
                '`crmkit workbook template` prints) nor "answers"',
            )
        )
    if "workbook" in data and data["workbook"] != _WORKBOOK_ID:
        problems.append(Problem("workbook", data["workbook"], f"is not {_WORKBOOK_ID!r}"))
    cover = data.get("cover")
    if cover is not None:
        if not isinstance(cover, Mapping):
            problems.append(Problem("cover", cover, "must be an object"))
        else:
            company = cover.get("company")
            if company is not None and not isinstance(company, str):
                problems.append(Problem("cover.company", company, "must be text"))
    sections = data.get("sections")
    if sections is not None and not isinstance(sections, list):
        problems.append(Problem("sections", sections, "must be a list of sections"))
    for s, section in enumerate(sections if isinstance(sections, list) else []):
        where = f"sections[{s}]"
        if not isinstance(section, Mapping):
            problems.append(Problem(where, section, "must be an object"))
            continue
        items = section.get("items")
        if items is not None and not isinstance(items, list):
            problems.append(Problem(f"{where}.items", items, "must be a list of items"))
            continue
        for i, item in enumerate(items or []):
            if not isinstance(item, Mapping):
                problems.append(Problem(f"{where}.items[{i}]", item, "must be an object"))
            elif not isinstance(item.get("id"), str):
                problems.append(
                    Problem(f"{where}.items[{i}].id", item.get("id"), "must be an item id")
                )
    flat = data.get("answers")
    if flat is not None and not isinstance(flat, Mapping):
        problems.append(Problem("answers", flat, "must be an object of item id → answer"))
    return problems


@attrs.define
class WorkbookAnswers:
    """A filled-in (or partly filled-in) workbook.

    Attributes:
        company: the cover block's company.
        date: the workshop date.
        participants: up to six names.
        lang: the language the answers were written in (``"en"``, ``"sv"`` or ``"nb"``).
        workbook: the workbook answered (the built-in seed-002 workbook by default).

    Examples:
        >>> from crmkit.strategy.answers import WorkbookAnswers
        >>> wb = WorkbookAnswers()
        >>> wb.fill({"s04.market_leader": "ja", "s05.volume.active": 120})
        >>> wb.get("s04.market_leader"), wb.answered("s05.volume.total")
        (True, False)
    """

    company: str = ""
    date: dt.date | None = None
    participants: list[str] = attrs.field(factory=list)
    lang: str = "en"
    workbook: Workbook = attrs.field(factory=workbook, repr=False)
    _values: dict[str, AnswerValue] = attrs.field(factory=dict, repr=False)

    def __attrs_post_init__(self) -> None:
        if len(self.participants) > 6:
            raise ValidationError.single(
                "cover.participants", len(self.participants), "the cover block has six slots"
            )

    def set(self, item_id: str, value: Any) -> None:
        """Answer ``item_id`` (``None`` clears it); the value is checked against its type."""
        if item_id not in self.workbook:
            raise ValidationError.single(f"answers.{item_id}", item_id, "is not a workbook item")
        if value is None:
            self._values.pop(item_id, None)
            return
        self._values[item_id] = _convert(self.workbook.item(item_id), value)

    def fill(self, answers: Mapping[str, Any]) -> None:
        """Set many answers; every problem is reported in one ValidationError, nothing is set
        when any answer is invalid.

        Examples:
            >>> from crmkit.strategy.answers import WorkbookAnswers
            >>> WorkbookAnswers().fill({"s05.volume.active": -1, "s04.nope": True})
            Traceback (most recent call last):
            ...
            crmkit.errors.ValidationError: answers.s05.volume.active: -1 must be a whole number, zero or more
            answers.s04.nope: 's04.nope' is not a workbook item
        """
        problems: list[Problem] = []
        converted: dict[str, AnswerValue | None] = {}
        for item_id, value in answers.items():
            if item_id not in self.workbook:
                problems.append(Problem(f"answers.{item_id}", item_id, "is not a workbook item"))
                continue
            try:
                converted[item_id] = (
                    None if value is None else _convert(self.workbook.item(item_id), value)
                )
            except ValidationError as exc:
                problems.extend(exc.problems)
        if problems:
            raise ValidationError(problems)
        for item_id, conv in converted.items():
            if conv is None:
                self._values.pop(item_id, None)
            else:
                self._values[item_id] = conv

    def get(self, item_id: str) -> AnswerValue | None:
        """The answer to ``item_id`` or ``None``."""
        self.workbook.item(item_id)
        return self._values.get(item_id)

    def answered(self, item_id: str) -> bool:
        """Whether ``item_id`` has a (non-blank) answer."""
        return _answered(self.get(item_id))

    def items(self) -> dict[str, AnswerValue]:
        """A copy of all answers by item id, in workbook order."""
        return {i.id: self._values[i.id] for i in self.workbook.items if i.id in self._values}

    def completion(self) -> dict[str, float]:
        """Share of answered items per section (0–1), by section id.

        Examples:
            >>> from crmkit.strategy.answers import WorkbookAnswers
            >>> WorkbookAnswers().completion()["S01"]
            0.0
        """
        return {
            s.id: sum(self.answered(i.id) for i in s.items) / len(s.items)
            for s in self.workbook.sections
        }

    def overall_completion(self) -> float:
        """Share of all 125 items answered (0–1)."""
        items = self.workbook.items
        return sum(self.answered(i.id) for i in items) / len(items)

    def situation_score(self) -> SituationScore:
        """Number of "yes" answers in the 16-question situation analysis (S04).

        Examples:
            >>> from crmkit.strategy.answers import WorkbookAnswers
            >>> wb = WorkbookAnswers()
            >>> wb.fill({i.id: True for i in wb.workbook.section("S04").items})
            >>> str(wb.situation_score())
            '16/16'
        """
        items = self.workbook.section("S04").items
        values = [self._values.get(i.id) for i in items]
        return SituationScore(
            yes=sum(v is True for v in values),
            answered=sum(v is not None for v in values),
            total=len(items),
        )

    def consistency_warnings(self) -> list[str]:
        """Cross-field checks of the customer analysis (the workbook itself has none).

        Checks total = active + passive, the 2×2 profitability cells summing to 100 (quirk
        Q6), repurchase buckets and share-of-wallet splits summing to at most 100.

        Examples:
            >>> from crmkit.strategy.answers import WorkbookAnswers
            >>> wb = WorkbookAnswers()
            >>> wb.fill({"s05.volume.active": 80, "s05.volume.passive": 30,
            ...          "s05.volume.total": 100})
            >>> wb.consistency_warnings()
            ['total customers (100) is not active + passive (110)']
        """
        v = self._values
        out: list[str] = []

        def num(key: str) -> float | None:
            x = v.get(f"s05.{key}")
            return float(x) if isinstance(x, int | float) and not isinstance(x, bool) else None

        active, passive, total = num("volume.active"), num("volume.passive"), num("volume.total")
        if (
            active is not None
            and passive is not None
            and total is not None
            and active + passive != total
        ):
            out.append(
                f"total customers ({total:g}) is not active + passive ({active + passive:g})"
            )
        groups = {
            "profitability cells": (
                [
                    "profit.profitable_growth",
                    "profit.profitable",
                    "profit.unprofitable_potential",
                    "profit.unprofitable",
                ],
                True,
            ),
            "repurchase buckets": (
                ["repurchase.once", "repurchase.2_5", "repurchase.6_10", "repurchase.over_11"],
                False,
            ),
            "share-of-wallet split": (["sow.over_50", "sow.under_50"], False),
        }
        for name, (keys, must_be_100) in groups.items():
            values = [num(k) for k in keys]
            if any(x is None for x in values):
                continue
            s = sum(x for x in values if x is not None)
            if s > 100.5 or (must_be_100 and abs(s - 100) > 0.5):
                out.append(f"{name} sum to {s:g}%" + (" (expected 100%)" if must_be_100 else ""))
        return out

    # ---------------------------------------------------------------- serialisation
    def to_dict(self) -> dict[str, Any]:
        """The sectioned JSON shape of ``crmkit workbook template``, with the answers.

        Examples:
            >>> from crmkit.strategy.answers import WorkbookAnswers
            >>> d = WorkbookAnswers(company="Acme").to_dict()
            >>> d["cover"]["company"], len(d["sections"])
            ('Acme', 14)
        """
        data = template(self.lang)
        data["cover"] = {
            "date": self.date.isoformat() if self.date else None,
            "company": self.company,
            "participants": list(self.participants),
        }
        for section in data["sections"]:
            for item in section["items"]:
                value = self._values.get(item["id"])
                item["answer"] = None if value is None else _to_json(value)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WorkbookAnswers:
        """Read the sectioned template shape or a flat ``{"answers": {...}}`` mapping.

        Examples:
            >>> from crmkit.strategy.answers import WorkbookAnswers
            >>> wb = WorkbookAnswers.from_dict({"answers": {"s04.service_24h": "nej"}})
            >>> wb.get("s04.service_24h")
            False
        """
        if not isinstance(data, Mapping):
            raise ValidationError.single("", data, "must be a JSON object")
        problems = _shape_problems(data)
        if problems:
            raise ValidationError(problems)
        cover = data.get("cover") or {}
        when: dt.date | None = None
        if cover.get("date"):
            try:
                when = dt.date.fromisoformat(str(cover["date"]))
            except ValueError:
                problems.append(Problem("cover.date", cover["date"], "must be an ISO date"))
        participants = cover.get("participants") or []
        if not isinstance(participants, list) or not all(isinstance(p, str) for p in participants):
            problems.append(Problem("cover.participants", participants, "must be a list of names"))
            participants = []
        if len(participants) > 6:
            problems.append(
                Problem("cover.participants", len(participants), "the cover block has six slots")
            )
        answers: dict[str, Any] = {}
        for section in data.get("sections") or []:
            for item in section.get("items") or []:
                answers[item["id"]] = item.get("answer")
        answers.update(data.get("answers") or {})
        lang = data.get("lang", "en")
        if lang == "no":
            lang = "nb"
        if lang not in LANGUAGES:
            problems.append(Problem("lang", lang, "must be 'en', 'sv' or 'nb'"))
            lang = "en"
        result = cls(
            company=cover.get("company") or "",
            date=when,
            participants=list(participants[:6]),
            lang=lang,
        )
        try:
            result.fill(answers)
        except ValidationError as exc:
            problems.extend(exc.problems)
        if problems:
            raise ValidationError(problems)
        return result

    def to_json(self) -> str:
        """JSON text of :meth:`to_dict`."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    @classmethod
    def from_json(cls, text: str) -> WorkbookAnswers:
        """Parse JSON text (see :meth:`from_dict`).

        Examples:
            >>> from crmkit.strategy.answers import WorkbookAnswers
            >>> WorkbookAnswers.from_json("[1]")
            Traceback (most recent call last):
            ...
            crmkit.errors.ValidationError: [1] must be a JSON object
        """
        try:
            data = json.loads(text)
        except RecursionError:
            raise ValidationError.single(
                "", message="is nested too deeply to be a workbook"
            ) from None
        except json.JSONDecodeError as exc:
            raise ValidationError.single(
                "",
                text[:40],
                f"is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})",
            ) from None
        return cls.from_dict(data)

    def save(self, path: str | Path) -> None:
        """Write :meth:`to_json` to ``path`` (UTF-8)."""
        Path(path).write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> WorkbookAnswers:
        """Read a file written by :meth:`save` or ``crmkit workbook template`` (UTF-8, a
        byte-order mark is accepted); a problem's path starts with the file's name.

        Examples:
            >>> import pathlib, tempfile
            >>> from crmkit.strategy.answers import WorkbookAnswers
            >>> path = pathlib.Path(tempfile.mkdtemp()) / "wb.json"
            >>> _ = path.write_text('{"a": 1}', encoding="utf-8")
            >>> WorkbookAnswers.load(path)  # doctest: +ELLIPSIS
            Traceback (most recent call last):
            ...
            crmkit.errors.ValidationError: ...wb.json: a: is not a workbook field ...
        """
        where = str(path)
        raw = Path(path).read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError.single(
                where,
                raw[exc.start : exc.start + 1],
                f"at byte {exc.start} is not UTF-8 text; save the workbook as UTF-8",
            ) from None
        try:
            return cls.from_json(text)
        except ValidationError as exc:
            raise ValidationError(
                [
                    Problem(f"{where}: {p.path}" if p.path else where, p.value, p.message)
                    if p.has_value
                    else Problem(f"{where}: {p.path}" if p.path else where, message=p.message)
                    for p in exc.problems
                ]
            ) from None


_HINTS = {
    AnswerType.TEXT: "text",
    AnswerType.YES_NO: "true | false",
    AnswerType.YES_NO_TEXT: '{"yes": true|false, "text": "..."}',
    AnswerType.COUNT: "whole number >= 0",
    AnswerType.PERCENT: "number 0-100",
    AnswerType.CHANNEL_IT: '{"used": true|false, "it_support": "integrated"|"stand_alone"|"none"}',
    AnswerType.CHECK: "true | false (in use)",
}


#: The languages of the workbook's JSON form (``"no"`` is read as ``"nb"``).
LANGUAGES = ("en", "sv", "nb")


def template(lang: str = "en") -> dict[str, Any]:
    """An empty workbook as a JSON-ready dict, prompts in ``lang`` (``"en"``, ``"sv"`` or ``"nb"``).

    Examples:
        >>> from crmkit.strategy.answers import template
        >>> t = template("sv")
        >>> t["title"], t["sections"][3]["items"][0]["prompt"]
        ('Ramverk för: CRM-strategi', 'Har ni en marknadsledande position?')
        >>> template("nb")["title"]
        'Rammeverk for: CRM-strategi'
    """
    if lang == "no":
        lang = "nb"
    if lang not in LANGUAGES:
        raise ValidationError.single("lang", lang, "must be 'en', 'sv' or 'nb'")
    wb = workbook()
    return {
        "workbook": "crmkit:seed-002",
        "title": wb.title(lang),
        "lang": lang,
        "cover": {"date": None, "company": "", "participants": []},
        "sections": [
            {
                "id": s.id,
                "title": s.title(lang),
                "items": [
                    {
                        "id": i.id,
                        "prompt": i.text(lang),
                        "type": i.answer_type.value,
                        "hint": _HINTS[i.answer_type],
                        "answer": None,
                    }
                    for i in s.items
                ],
            }
            for s in wb.sections
        ],
    }
