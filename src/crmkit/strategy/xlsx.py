"""The CRM strategy workbook as a spreadsheet (.xlsx) people can fill in, and reading it back.

:func:`write_workbook_xlsx` lays the workbook out like the paper source: a cover sheet (date,
company, participants, assessor), one sheet per section (``S01`` … ``S14``) with one row per
item, and a sheet of direct ratings (0–5) for areas the workbook has no questions on. Answer
cells carry drop-down lists (yes/no, in use, IT-support level, rating) and number checks
(whole numbers ≥ 0, percentages 0–100); every row has help text. Sheet names, prompts, labels
and help texts are all in English, Swedish or Norwegian (bokmål, ``"nb"``).

:func:`read_workbook_xlsx` reads a filled-in file back into :class:`WorkbookAnswers` plus the
ratings. An empty answer cell is *unanswered*, "no" is *no*: the assessment keeps them apart.
Every wrong value is reported at once, naming the sheet, cell, item and value. Built on
openpyxl (``pip install 'crmkit[report]'``).

Examples:
    >>> import pathlib, tempfile
    >>> from crmkit.strategy.xlsx import read_workbook_xlsx, write_workbook_xlsx
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "workbook.xlsx"
    >>> write_workbook_xlsx(path, lang="sv")
    >>> filled = read_workbook_xlsx(path)
    >>> filled.answers.lang, filled.answers.overall_completion(), filled.ratings
    ('sv', 0.0, {})
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from crmkit.errors import Problem, ValidationError
from crmkit.extras import require
from crmkit.strategy.answers import ChannelUse, WorkbookAnswers, YesNoText
from crmkit.strategy.framework import elements
from crmkit.strategy.workbook import AnswerType, Item, ItSupport, Section, workbook

__all__ = ["FilledWorkbook", "read_workbook_xlsx", "write_workbook_xlsx"]

_LANGS = ("en", "sv", "nb")
_MARKER_SHEET = "crmkit"
_WORKBOOK_ID = "crmkit:seed-002"
_FIRST_ROW = 3  # row 1: section title, row 2: column headings
_COLUMNS = ("A", "B", "C", "D", "E", "F")  # id, question, answer, IT support, description, help

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "cover": "Cover",
        "ratings": "Ratings",
        "date": "Date (YYYY-MM-DD)",
        "company": "Company",
        "participants": "Participants",
        "assessor": "Assessor",
        "id": "Item",
        "question": "Question",
        "answer": "Answer",
        "it": "IT support",
        "text": "Description",
        "help": "How to answer",
        "yes": "Yes",
        "no": "No",
        "area": "Area",
        "rating": "Rating (0–5)",
        "ratings_help": "Rate an area directly (0 = not in place, 5 = fully in place) only "
        "where the workbook has no questions on it; leave the rest empty.",
        "cover_help": "Leave an answer empty when you do not know: unanswered is not the same "
        "as no.",
        AnswerType.YES_NO.value: "Choose Yes or No.",
        AnswerType.YES_NO_TEXT.value: "Choose Yes or No; describe in the Description column.",
        AnswerType.TEXT.value: "Describe in your own words.",
        AnswerType.COUNT.value: "A whole number, 0 or more.",
        AnswerType.PERCENT.value: "A percentage from 0 to 100.",
        AnswerType.CHANNEL_IT.value: "In use? Choose Yes or No; if Yes, choose the IT support.",
        AnswerType.CHECK.value: "Choose Yes if the channel is in use.",
    },
    "sv": {
        "cover": "Försättsblad",
        "ratings": "Bedömningar",
        "date": "Datum (ÅÅÅÅ-MM-DD)",
        "company": "Företag",
        "participants": "Deltagare",
        "assessor": "Bedömare",
        "id": "Punkt",
        "question": "Fråga",
        "answer": "Svar",
        "it": "IT-stöd",
        "text": "Beskrivning",
        "help": "Så svarar du",
        "yes": "Ja",
        "no": "Nej",
        "area": "Område",
        "rating": "Bedömning (0–5)",
        "ratings_help": "Bedöm ett område direkt (0 = saknas, 5 = fullt på plats) bara där "
        "arbetsboken saknar frågor om det; lämna resten tomt.",
        "cover_help": "Lämna svaret tomt när du inte vet: obesvarat är inte detsamma som nej.",
        AnswerType.YES_NO.value: "Välj Ja eller Nej.",
        AnswerType.YES_NO_TEXT.value: "Välj Ja eller Nej; beskriv i kolumnen Beskrivning.",
        AnswerType.TEXT.value: "Beskriv med egna ord.",
        AnswerType.COUNT.value: "Ett heltal, 0 eller mer.",
        AnswerType.PERCENT.value: "En procentsats från 0 till 100.",
        AnswerType.CHANNEL_IT.value: "Används? Välj Ja eller Nej; om Ja, välj IT-stöd.",
        AnswerType.CHECK.value: "Välj Ja om kanalen används.",
    },
    "nb": {
        "cover": "Forside",
        "ratings": "Vurderinger",
        "date": "Dato (ÅÅÅÅ-MM-DD)",
        "company": "Bedrift",
        "participants": "Deltakere",
        "assessor": "Vurdert av",
        "id": "Punkt",
        "question": "Spørsmål",
        "answer": "Svar",
        "it": "IT-støtte",
        "text": "Beskrivelse",
        "help": "Slik svarer du",
        "yes": "Ja",
        "no": "Nei",
        "area": "Område",
        "rating": "Vurdering (0–5)",
        "ratings_help": "Vurder et område direkte (0 = mangler, 5 = fullt på plass) bare der "
        "arbeidsboken mangler spørsmål om det; la resten stå tomt.",
        "cover_help": "La svaret stå tomt når du ikke vet: ubesvart er ikke det samme som nei.",
        AnswerType.YES_NO.value: "Velg Ja eller Nei.",
        AnswerType.YES_NO_TEXT.value: "Velg Ja eller Nei; beskriv i kolonnen Beskrivelse.",
        AnswerType.TEXT.value: "Beskriv med egne ord.",
        AnswerType.COUNT.value: "Et heltall, 0 eller mer.",
        AnswerType.PERCENT.value: "En prosentsats fra 0 til 100.",
        AnswerType.CHANNEL_IT.value: "I bruk? Velg Ja eller Nei; hvis Ja, velg IT-støtte.",
        AnswerType.CHECK.value: "Velg Ja hvis kanalen er i bruk.",
    },
}

_IT_TEXT: dict[str, dict[ItSupport, str]] = {
    "en": {
        ItSupport.INTEGRATED: "Integrated",
        ItSupport.STAND_ALONE: "Stand-alone",
        ItSupport.NONE: "None",
    },
    "sv": {
        ItSupport.INTEGRATED: "Integrerat",
        ItSupport.STAND_ALONE: "Fristående",
        ItSupport.NONE: "Inget",
    },
    "nb": {
        ItSupport.INTEGRATED: "Integrert",
        ItSupport.STAND_ALONE: "Frittstående",
        ItSupport.NONE: "Ingen",
    },
}

_COVER_ROWS = {"date": 3, "company": 4, "assessor": 5, "participants": 6}  # participants 6–11


@attrs.frozen
class FilledWorkbook:
    """What a filled-in spreadsheet holds: the answers, direct ratings and the assessor.

    Examples:
        >>> from crmkit.strategy.xlsx import FilledWorkbook
        >>> from crmkit.strategy.answers import WorkbookAnswers
        >>> FilledWorkbook(WorkbookAnswers(), {"standards": 3.0}).ratings
        {'standards': 3.0}
    """

    answers: WorkbookAnswers
    ratings: dict[str, float] = attrs.field(factory=dict)
    assessor: str = ""
    lang: str = "en"


def _check_lang(lang: str) -> str:
    code = {"no": "nb"}.get(lang, lang)
    if code not in _LANGS:
        raise ValidationError.single("lang", lang, "must be one of 'en', 'sv', 'nb'")
    return code


def _sheet_name(section: Section, lang: str) -> str:
    title = section.title(lang)
    for bad in "[]:*?/\\":
        title = title.replace(bad, " ")
    return f"{section.id} {title}"[:31].rstrip()


def _rated_areas() -> list[str]:
    """Leaf areas no workbook item gives evidence for (rate them directly)."""
    evidenced = {k for i in workbook().items for k in i.element_keys}
    return [e.key for e in elements() if e.is_leaf and e.key not in evidenced]


def _cell_values(item: Item, value: Any, lang: str) -> tuple[Any, Any, Any]:
    """Answer, IT-support and description cells for an existing answer."""
    yes, no = _TEXT[lang]["yes"], _TEXT[lang]["no"]
    if value is None:
        return None, None, None
    if isinstance(value, ChannelUse):
        level = _IT_TEXT[lang][value.it_support] if value.it_support else None
        return (yes if value.used else no), level, None
    if isinstance(value, YesNoText):
        return (yes if value.yes else no), None, value.text or None
    if isinstance(value, bool):
        return (yes if value else no), None, None
    return value, None, None


def write_workbook_xlsx(
    path: str | Path,
    *,
    lang: str = "en",
    answers: WorkbookAnswers | None = None,
    ratings: Mapping[str, float] | None = None,
    assessor: str = "",
) -> None:
    """Write the workbook as an .xlsx file in ``lang``, empty or pre-filled with ``answers``.

    Examples:
        >>> import pathlib, tempfile
        >>> from crmkit.strategy.xlsx import write_workbook_xlsx
        >>> write_workbook_xlsx(pathlib.Path(tempfile.mkdtemp()) / "w.xlsx", lang="de")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: lang: 'de' must be one of 'en', 'sv', 'nb'
    """
    lang = _check_lang(lang)
    openpyxl = require("openpyxl", "report")
    styles = require("openpyxl.styles", "report")
    validation = require("openpyxl.worksheet.datavalidation", "report")
    t = _TEXT[lang]
    wb_def = workbook()
    bold = styles.Font(bold=True)
    title_font = styles.Font(bold=True, size=14)
    wrap = styles.Alignment(wrap_text=True, vertical="top")
    head_fill = styles.PatternFill("solid", fgColor="DDE6F0")
    yes_no = f'"{t["yes"]},{t["no"]}"'
    levels = '"' + ",".join(_IT_TEXT[lang][s] for s in ItSupport) + '"'

    book = openpyxl.Workbook()
    cover = book.active
    cover.title = t["cover"]
    cover["A1"] = wb_def.title(lang)
    cover["A1"].font = title_font
    cover["A2"] = t["cover_help"]
    for key, row in _COVER_ROWS.items():
        cover[f"A{row}"] = t[key]
        cover[f"A{row}"].font = bold
    cover.column_dimensions["A"].width = 24
    cover.column_dimensions["B"].width = 50
    date_check = validation.DataValidation(
        type="date", operator="greaterThan", formula1="DATE(1990,1,1)", allow_blank=True
    )
    date_check.error = t["date"]
    cover.add_data_validation(date_check)
    date_check.add("B3")
    if answers is not None:
        cover["B3"] = answers.date
        cover["B4"] = answers.company or None
        for n, name in enumerate(answers.participants):
            cover[f"B{_COVER_ROWS['participants'] + n}"] = name
    cover["B3"].number_format = "yyyy-mm-dd"
    cover["B5"] = assessor or None

    for section in wb_def.sections:
        ws = book.create_sheet(_sheet_name(section, lang))
        ws["A1"] = f"{section.id} {section.title(lang)}"
        ws["A1"].font = title_font
        headings = (t["id"], t["question"], t["answer"], t["it"], t["text"], t["help"])
        for col, text in zip(_COLUMNS, headings, strict=True):
            ws[f"{col}2"] = text
            ws[f"{col}2"].font = bold
            ws[f"{col}2"].fill = head_fill
        for col, width in zip(_COLUMNS, (22, 60, 14, 16, 36, 44), strict=True):
            ws.column_dimensions[col].width = width
        ws.freeze_panes = "C3"
        checks = {
            "yes_no": validation.DataValidation(type="list", formula1=yes_no, allow_blank=True),
            "level": validation.DataValidation(type="list", formula1=levels, allow_blank=True),
            "count": validation.DataValidation(
                type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True
            ),
            "percent": validation.DataValidation(
                type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True
            ),
        }
        for check in checks.values():
            ws.add_data_validation(check)
        for n, item in enumerate(section.items):
            row = _FIRST_ROW + n
            ws[f"A{row}"] = item.id
            ws[f"B{row}"] = item.text(lang)
            ws[f"B{row}"].alignment = wrap
            ws[f"F{row}"] = t[item.answer_type.value]
            ws[f"F{row}"].alignment = wrap
            kind = item.answer_type
            if kind in (AnswerType.YES_NO, AnswerType.CHECK, AnswerType.YES_NO_TEXT):
                checks["yes_no"].add(f"C{row}")
            elif kind is AnswerType.CHANNEL_IT:
                checks["yes_no"].add(f"C{row}")
                checks["level"].add(f"D{row}")
            elif kind is AnswerType.COUNT:
                checks["count"].add(f"C{row}")
            elif kind is AnswerType.PERCENT:
                checks["percent"].add(f"C{row}")
            if answers is not None:
                answer, level, text = _cell_values(item, answers.get(item.id), lang)
                ws[f"C{row}"], ws[f"D{row}"], ws[f"E{row}"] = answer, level, text

    rated = book.create_sheet(t["ratings"])
    rated["A1"] = t["ratings_help"]
    for col, text in zip(("A", "B", "C"), (t["id"], t["area"], t["rating"]), strict=True):
        rated[f"{col}2"] = text
        rated[f"{col}2"].font = bold
        rated[f"{col}2"].fill = head_fill
    rated.column_dimensions["A"].width = 34
    rated.column_dimensions["B"].width = 40
    rated.column_dimensions["C"].width = 16
    scale = validation.DataValidation(type="list", formula1='"0,1,2,3,4,5"', allow_blank=True)
    rated.add_data_validation(scale)
    label_lang = "no" if lang == "nb" else lang
    for n, key in enumerate(_rated_areas()):
        row = _FIRST_ROW + n
        rated[f"A{row}"] = key
        rated[f"B{row}"] = next(e for e in elements() if e.key == key).label.get(label_lang)
        scale.add(f"C{row}")
        if ratings and key in ratings:
            rated[f"C{row}"] = ratings[key]

    marker = book.create_sheet(_MARKER_SHEET)
    marker["A1"], marker["B1"] = "workbook", _WORKBOOK_ID
    marker["A2"], marker["B2"] = "lang", lang
    marker.sheet_state = "hidden"
    book.save(str(path))


def _read_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        low = value.strip().casefold()
        if low in {"yes", "ja", "true", "y", "j", "x"}:
            return True
        if low in {"no", "nej", "nei", "false", "n"}:
            return False
    return None


def _read_level(value: Any) -> ItSupport | str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip().casefold()
    for labels in _IT_TEXT.values():
        for level, label in labels.items():
            if text in (label.casefold(), level.value):
                return level
    return "bad"


def _rating(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if 0 <= number <= 5 else None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


_Wrong = tuple[str, Any, str]  # column, value, message


def _item_value(item: Item, answer: Any, level: Any, text: Any) -> tuple[Any, _Wrong | None]:
    """The JSON-form value of one row, or ``(None, (column, value, message))`` when a cell is
    wrong."""
    kind = item.answer_type
    if kind is AnswerType.CHANNEL_IT:
        if _blank(answer) and _blank(level):
            return None, None
        used = _read_bool(answer) if not _blank(answer) else (True if not _blank(level) else None)
        if used is None:
            return None, ("C", answer, "must be yes or no (in use)")
        parsed = _read_level(level)
        if isinstance(parsed, str):
            return None, ("D", level, "is not an IT-support level")
        if not used and parsed is not None:
            return None, ("D", level, "a channel not in use has no IT-support level")
        return {"used": used, "it_support": parsed.value if parsed else None}, None
    if _blank(answer):
        if kind is AnswerType.YES_NO_TEXT and not _blank(text):
            return None, ("C", answer, "is empty but the description is filled in: yes or no?")
        return None, None
    if kind in (AnswerType.YES_NO, AnswerType.CHECK, AnswerType.YES_NO_TEXT):
        b = _read_bool(answer)
        if b is None:
            return None, ("C", answer, "must be yes or no")
        if kind is AnswerType.YES_NO_TEXT:
            return {"yes": b, "text": "" if _blank(text) else str(text)}, None
        return b, None
    if kind is AnswerType.COUNT and isinstance(answer, float) and answer.is_integer():
        return int(answer), None
    if kind is AnswerType.TEXT:
        return (answer if isinstance(answer, str) else str(answer)), None
    return answer, None


def read_workbook_xlsx(path: str | Path) -> FilledWorkbook:
    """Read a workbook written by :func:`write_workbook_xlsx` and filled in.

    Every wrong value is reported in one :class:`~crmkit.errors.ValidationError` whose paths
    name the file, sheet, cell and item (``wb.xlsx: S05 Kundanalys!C3 (s05.volume.active)``).

    Examples:
        >>> import pathlib, tempfile
        >>> from crmkit.strategy.xlsx import read_workbook_xlsx
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "not.xlsx"
        >>> _ = path.write_text("hello", encoding="utf-8")
        >>> read_workbook_xlsx(path)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: ...not.xlsx: 'hello' is not an .xlsx workbook ...
    """
    openpyxl = require("openpyxl", "report")
    where = str(path)
    try:
        book = openpyxl.load_workbook(str(path), data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        head = (
            Path(path).read_bytes()[:20].decode("utf-8", "replace") if Path(path).exists() else ""
        )
        raise ValidationError.single(
            where, head, f"is not an .xlsx workbook ({type(exc).__name__})"
        ) from None
    if _MARKER_SHEET not in book.sheetnames or book[_MARKER_SHEET]["B1"].value != _WORKBOOK_ID:
        raise ValidationError.single(
            where,
            book.sheetnames[:3],
            "is not a crmkit workbook (write one with `crmkit workbook template --format xlsx`)",
        )
    lang = str(book[_MARKER_SHEET]["B2"].value or "en")
    if lang not in _LANGS:
        raise ValidationError.single(f"{where}: {_MARKER_SHEET}!B2", lang, "is not a language")
    problems: list[Problem] = []
    cover = book.worksheets[0]
    when = cover["B3"].value
    date: dt.date | None = None
    if isinstance(when, dt.datetime):
        date = when.date()
    elif isinstance(when, dt.date):
        date = when
    elif isinstance(when, str) and when.strip():
        try:
            date = dt.date.fromisoformat(when.strip())
        except ValueError:
            problems.append(Problem(f"{where}: {cover.title}!B3", when, "must be a date"))
    elif when is not None:
        problems.append(Problem(f"{where}: {cover.title}!B3", when, "must be a date"))
    company = cover["B4"].value
    assessor = cover["B5"].value
    first = _COVER_ROWS["participants"]
    participants = [
        str(cover[f"B{r}"].value).strip()
        for r in range(first, first + 6)
        if not _blank(cover[f"B{r}"].value)
    ]
    values: dict[str, Any] = {}
    by_id = {i.id: i for i in workbook().items}
    for section in workbook().sections:
        name = _sheet_name(section, lang)
        if name not in book.sheetnames:  # renamed, or written when S-sheets had other titles
            name = next((n for n in book.sheetnames if n.split(" ")[0] == section.id), name)
        if name not in book.sheetnames:
            problems.append(Problem(f"{where}: {name}", message="sheet is missing"))
            continue
        ws = book[name]
        for row in range(_FIRST_ROW, ws.max_row + 1):
            item_id = ws[f"A{row}"].value
            if _blank(item_id):
                continue
            item = by_id.get(str(item_id))
            if item is None or item.section_id != section.id:
                problems.append(Problem(f"{where}: {name}!A{row}", item_id, "is not an item here"))
                continue
            answer, level, text = (ws[f"{c}{row}"].value for c in ("C", "D", "E"))
            value, wrong = _item_value(item, answer, level, text)
            if wrong is not None:
                column, shown, message = wrong
                problems.append(
                    Problem(f"{where}: {name}!{column}{row} ({item.id})", shown, message)
                )
                continue
            if value is None:
                continue
            try:
                WorkbookAnswers().set(item.id, value)
            except ValidationError as exc:
                problems.extend(
                    Problem(f"{where}: {name}!C{row} ({item.id})", answer, p.message)
                    for p in exc.problems
                )
                continue
            values[item.id] = value
    ratings: dict[str, float] = {}
    rated_title = _TEXT[lang]["ratings"]
    if rated_title in book.sheetnames:
        ws = book[rated_title]
        known = set(_rated_areas())
        for row in range(_FIRST_ROW, ws.max_row + 1):
            key, value = ws[f"A{row}"].value, ws[f"C{row}"].value
            if _blank(key) or _blank(value):
                continue
            if key not in known:
                problems.append(Problem(f"{where}: {rated_title}!A{row}", key, "is not an area"))
                continue
            number = _rating(value)
            if number is None:
                problems.append(
                    Problem(f"{where}: {rated_title}!C{row} ({key})", value, "must be 0 to 5")
                )
            else:
                ratings[str(key)] = number
    if problems:
        raise ValidationError(problems)
    answers = WorkbookAnswers(
        company="" if _blank(company) else str(company).strip(),
        date=date,
        participants=participants,
        lang="nb" if lang == "no" else lang,
    )
    answers.fill(values)
    return FilledWorkbook(answers, ratings, "" if _blank(assessor) else str(assessor).strip(), lang)
