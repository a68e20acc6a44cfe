"""The CRM strategy workbook "Ramverk för: CRM-strategi" (seed 002) as packaged data.

The workbook is a workshop checklist with a cover block and 14 sections holding 125
answerable items. Each item has a stable id, its Swedish source text with a Norwegian (bokmål)
and an English translation, a source line, an :class:`AnswerType`, the Payne–Frow processes it
informs and the framework elements its answer is evidence for. Every text a user or a client
reads (titles, prompts, gap texts, notes) is in all three languages. The data lives in
``data/workbook.json``; the source quirks Q1–Q9 and how crmkit resolves them are listed in
:data:`QUIRKS`.

Examples:
    >>> from crmkit.strategy.workbook import workbook
    >>> wb = workbook()
    >>> [len(s.items) for s in wb.sections]
    [1, 1, 2, 16, 36, 1, 8, 9, 6, 14, 7, 7, 8, 9]
    >>> len(wb.items), len(wb.it_capabilities())
    (125, 29)
    >>> wb.item("s04.know_lifetime_value").text("sv")
    'Vet ni era kunders livstidsvärde?'
    >>> wb.item("s04.know_lifetime_value").text("nb")
    'Kjenner dere kundenes livstidsverdi?'
"""

from __future__ import annotations

import enum
import functools
from typing import Any

import attrs

from crmkit.domain import ChannelCategory, default_catalogue
from crmkit.errors import NotFoundError, ValidationError
from crmkit.strategy.framework import Element, Label, Process, element, load_data

__all__ = [
    "QUIRKS",
    "AnswerType",
    "CoverField",
    "ItSupport",
    "Item",
    "Section",
    "Workbook",
    "workbook",
]

#: The source quirks of seed 002 (``seed-002-004.md`` §2.0) and crmkit's decision for each.
QUIRKS: dict[str, str] = {
    "Q1": "The preface speaks of a 'branding strategy' (L45): a reused template. Not modelled; "
    "the workbook is treated as a CRM-strategy workbook, as its title says.",
    "Q2": "Stray '%' after free-text questions (customer responsibility, second support item, "
    "customer data, L209-227): modelled as text; 'are there different agreements' is yes/no "
    "with an optional description.",
    "Q3": "'Passive customers (invoiced during the last 12 months)' (L142): active = invoiced "
    "within a window (default 12 months, inclusive), passive = invoiced before but not within "
    "it, potential = never invoiced. Defined once in crmkit.segmentation.customer_status.",
    "Q4": "Repurchase bucket 'more than 11' leaves exactly 11 uncovered: read as '11 or more'; "
    "the literal bins are available as an option.",
    "Q5": "Share of wallet 'more than 50%' / 'less than 50%' leaves exactly 50% uncovered: "
    "by default 50% counts as 'under' (configurable: 'over' or 'unclassified').",
    "Q6": "The four profitability lines are read as a 2x2 partition (profitable or not x growth "
    "potential or not) that sums to 100; the nested reading is also reported.",
    "Q7": "'Segmentering' appears twice: the sub-item s05.segmentation asks how customers are "
    "segmented; section S06 asks about the value chain and is titled 'Segmentation (value "
    "chain)'.",
    "Q8": "'Kundanalys' continues after a page break (L145) without an arrow: complaint "
    "handling and the bold sub-items L253-339 belong to section S05.",
    "Q9": "Grid rows have one 'in use' tick and three mutually exclusive IT-support levels: "
    "an answer holds 'used' and at most one level; communication channels (S10) have the tick "
    "only.",
}


class AnswerType(enum.Enum):
    """How an item is answered.

    Examples:
        >>> from crmkit.strategy.workbook import AnswerType
        >>> AnswerType("channel_it").is_grid
        True
    """

    TEXT = "text"
    YES_NO = "yes_no"
    YES_NO_TEXT = "yes_no_text"
    COUNT = "count"
    PERCENT = "percent"
    CHANNEL_IT = "channel_it"
    CHECK = "check"

    @property
    def is_grid(self) -> bool:
        """Channel or IT-capability grid row with an IT-support level."""
        return self is AnswerType.CHANNEL_IT


class ItSupport(enum.Enum):
    """The IT-support level of a channel or capability row (002:L361 etc.).

    Examples:
        >>> from crmkit.strategy.workbook import ItSupport
        >>> ItSupport("stand_alone").label("sv"), ItSupport("none").label("nb")
        ('Stand-alone IT-stöd', 'Ingen IT-støtte')
    """

    INTEGRATED = "integrated"
    STAND_ALONE = "stand_alone"
    NONE = "none"

    def label(self, lang: str = "en") -> str:
        """The column heading in English, Swedish or Norwegian (``"nb"``, also ``"no"``)."""
        return _IT_LABELS[self].get(_label_code(lang))


_IT_LABELS = {
    ItSupport.INTEGRATED: Label(
        "Integrated IT support", "Integrerat IT-stöd", "Integrert IT-støtte"
    ),
    ItSupport.STAND_ALONE: Label(
        "Stand-alone IT support", "Stand-alone IT-stöd", "Frittstående IT-støtte"
    ),
    ItSupport.NONE: Label("No IT support", "Inget IT-stöd", "Ingen IT-støtte"),
}

#: The workbook's language codes and their :class:`~crmkit.strategy.framework.Label` codes.
_LANGS = {"en": "en", "sv": "sv", "nb": "no", "no": "no"}


def _label_code(lang: str) -> str:
    """The :class:`~crmkit.strategy.framework.Label` code of a workbook language."""
    code = _LANGS.get(lang)
    if code is None:
        raise ValidationError.single("lang", lang, "must be 'en', 'sv' or 'nb'")
    return code


def _in(lang: str, en: str, sv: str, nb: str | None, what: str) -> str:
    """``en``, ``sv`` or ``nb`` by ``lang``; no Norwegian text is an error, never Swedish."""
    code = _label_code(lang)
    if code == "no":
        if not nb:
            raise ValidationError.single("lang", lang, f"{what} has no Norwegian text")
        return nb
    return en if code == "en" else sv


def _label(raw: dict[str, str]) -> Label:
    """A ``{"sv": …, "nb": …, "en": …}`` text of workbook.json."""
    return Label(raw["en"], raw["sv"], raw["nb"])


@attrs.frozen
class Item:
    """One answerable workbook item.

    A channel row that names a catalogue channel (``channel``, e.g. ``"events"`` for trade
    fairs) takes its Payne–Frow category from :func:`crmkit.domain.default_catalogue`, so the
    workbook and the catalogue share one mapping. ``gap`` is what is missing when the answer
    falls short and ``note`` crmkit's reading of an ambiguous prompt, each a
    :class:`~crmkit.strategy.framework.Label` in English, Swedish and Norwegian.

    Examples:
        >>> from crmkit.strategy.workbook import workbook
        >>> item = workbook().item("s08.field_sales")
        >>> item.answer_type.value, item.channel_category.value, item.section_id
        ('channel_it', 'sales_force', 'S08')
        >>> trade_fairs = workbook().item("s08.trade_fairs")
        >>> trade_fairs.channel, trade_fairs.channel_category.value
        ('events', 'outlets')
        >>> item.gap_text
        'Field sales force lacks integrated IT support'
        >>> market = workbook().item("s04.market_leader")
        >>> market.gap.sv, market.gap_in("nb")
        ('har inte en marknadsledande position', 'har ikke en markedsledende posisjon')
    """

    id: str
    section_id: str
    line: str
    sv: str
    en: str
    answer_type: AnswerType
    processes: tuple[Process, ...]
    element_keys: tuple[str, ...]
    group: str | None = None
    note: Label | None = None
    gap: Label | None = None
    channel_category: ChannelCategory | None = None
    capability: str | None = None
    channel: str | None = None
    nb: str | None = None

    def text(self, lang: str = "en") -> str:
        """The item's prompt in English (``"en"``), Swedish (``"sv"``) or Norwegian (``"nb"``,
        also ``"no"``). Every built-in item has all three; an item built without ``nb`` has no
        Norwegian text.

        Examples:
            >>> from crmkit.strategy.workbook import workbook
            >>> workbook().item("s09.call_contact_center").text("nb")
            'Kundesenter'
            >>> workbook().item("s04.market_leader").text("no")
            'Har dere en markedsledende posisjon?'
            >>> workbook().item("s04.market_leader").text("de")
            Traceback (most recent call last):
            ...
            crmkit.errors.ValidationError: lang: 'de' must be 'en', 'sv' or 'nb'
        """
        return _in(lang, self.en, self.sv, self.nb, self.id)

    @property
    def elements(self) -> tuple[Element, ...]:
        """The framework elements the answer is evidence for."""
        return tuple(element(k) for k in self.element_keys)

    def gap_in(self, lang: str = "en") -> str | None:
        """The item's own gap text in ``lang`` (``"en"``, ``"sv"``, ``"nb"``), if it has one.

        Examples:
            >>> from crmkit.strategy.workbook import workbook
            >>> workbook().item("s04.know_lifetime_value").gap_in("sv")
            'känner inte till kundernas livstidsvärde'
            >>> workbook().item("s08.field_sales").gap_in("nb") is None
            True
        """
        code = _label_code(lang)
        return None if self.gap is None else self.gap.get(code)

    def note_in(self, lang: str = "en") -> str | None:
        """crmkit's reading of an ambiguous prompt in ``lang``, if the item has one.

        Examples:
            >>> from crmkit.strategy.workbook import workbook
            >>> workbook().item("s05.data.what").note_in("nb")
            'Q2: fritekst'
        """
        code = _label_code(lang)
        return None if self.note is None else self.note.get(code)

    @property
    def gap_text(self) -> str:
        """What is missing when the item scores below full marks, in English."""
        if self.gap:
            return self.gap.en
        if self.answer_type is AnswerType.CHANNEL_IT:
            return f"{self.en} lacks integrated IT support"
        if self.answer_type in (AnswerType.COUNT, AnswerType.PERCENT):
            return f"does not know: {self.en.rstrip('?')}"
        return f"has no answer to: {self.en}"


@attrs.frozen
class CoverField:
    """A field of the cover block (date, company, participants).

    Examples:
        >>> from crmkit.strategy.workbook import workbook
        >>> [f.id for f in workbook().cover]
        ['meta.date', 'meta.company', 'meta.participants']
    """

    id: str
    sv: str
    en: str
    kind: str
    line: str
    nb: str = ""

    def label(self, lang: str = "en") -> str:
        """The field's name in English, Swedish or Norwegian (``"nb"``, also ``"no"``).

        Examples:
            >>> from crmkit.strategy.workbook import workbook
            >>> [f.label("nb") for f in workbook().cover]
            ['Dato', 'Bedrift', 'Deltakere']
        """
        return _in(lang, self.en, self.sv, self.nb, self.id)


@attrs.frozen
class Section:
    """One of the 14 arrow sections.

    Examples:
        >>> from crmkit.strategy.workbook import workbook
        >>> s = workbook().section("S04")
        >>> s.title("sv"), s.title("nb"), len(s.items)
        ('Situationsanalys', 'Situasjonsanalyse', 16)
    """

    id: str
    sv: str
    en: str
    line: str
    items: tuple[Item, ...]
    nb: str = ""

    def title(self, lang: str = "en") -> str:
        """The section title in English, Swedish or Norwegian (``"nb"``, also ``"no"``)."""
        return _in(lang, self.en, self.sv, self.nb, self.id)


@attrs.frozen
class Workbook:
    """The whole workbook: title, cover block and sections.

    Examples:
        >>> from crmkit.strategy.workbook import workbook
        >>> workbook().title_sv, workbook().title("nb")
        ('Ramverk för: CRM-strategi', 'Rammeverk for: CRM-strategi')
    """

    title_sv: str
    title_en: str
    cover: tuple[CoverField, ...]
    sections: tuple[Section, ...]
    title_nb: str = ""
    _by_id: dict[str, Item] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {i.id: i for s in self.sections for i in s.items})

    def title(self, lang: str = "en") -> str:
        """The workbook's title in English, Swedish or Norwegian (``"nb"``, also ``"no"``)."""
        return _in(lang, self.title_en, self.title_sv, self.title_nb, "the workbook")

    @property
    def items(self) -> list[Item]:
        """All 125 items in workbook order."""
        return list(self._by_id.values())

    def item(self, item_id: str) -> Item:
        """The item with ``item_id``.

        Examples:
            >>> from crmkit.strategy.workbook import workbook
            >>> workbook().item("s99.nothing")
            Traceback (most recent call last):
            ...
            crmkit.errors.NotFoundError: unknown workbook item 's99.nothing'
        """
        try:
            return self._by_id[item_id]
        except KeyError:
            raise NotFoundError(f"unknown workbook item {item_id!r}") from None

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._by_id

    def section(self, section_id: str) -> Section:
        """The section with ``section_id`` (``"S01"`` … ``"S14"``)."""
        for s in self.sections:
            if s.id == section_id:
                return s
        raise NotFoundError(f"unknown workbook section {section_id!r}")

    def items_for(self, process: Process | str) -> list[Item]:
        """The items tagged with ``process``.

        Examples:
            >>> from crmkit.strategy.workbook import workbook
            >>> len(workbook().items_for("PA")) > 10
            True
        """
        p = Process.parse(process)
        return [i for i in self.items if p in i.processes]

    def it_capabilities(self) -> list[str]:
        """The distinct IT capabilities of grids S11–S14 (31 rows, 29 names).

        Examples:
            >>> from crmkit.strategy.workbook import workbook
            >>> workbook().it_capabilities()[:3]
            ['customer_analysis', 'segmentation', 'campaign_management']
        """
        seen: dict[str, None] = {}
        for i in self.items:
            if i.capability:
                seen.setdefault(i.capability, None)
        return list(seen)


#: The channel catalogue workbook channel rows take their category from.
_CATALOGUE = default_catalogue()


def _item(raw: dict[str, Any], section_id: str) -> Item:
    category = raw.get("channel_category")
    channel = raw.get("channel")
    if channel is not None:
        # one channel → category mapping: the default catalogue's (crmkit.domain.channel)
        if category is not None:
            raise ValidationError.single(
                f"workbook.{raw['id']}.channel_category", category, "is given by the channel"
            )
        category = _CATALOGUE[channel].category.value
    return Item(
        id=raw["id"],
        section_id=section_id,
        line=raw["line"],
        sv=raw["sv"],
        en=raw["en"],
        answer_type=AnswerType(raw["type"]),
        processes=tuple(Process.parse(p) for p in raw["processes"]),
        element_keys=tuple(raw["elements"]),
        group=raw.get("group"),
        note=_label(raw["note"]) if "note" in raw else None,
        gap=_label(raw["gap"]) if "gap" in raw else None,
        channel_category=ChannelCategory(category) if category else None,
        capability=raw.get("capability"),
        channel=channel,
        nb=raw.get("nb"),
    )


@functools.cache
def workbook() -> Workbook:
    """The built-in seed-002 workbook (loaded once from package data).

    Examples:
        >>> from crmkit.strategy.workbook import workbook
        >>> workbook().sections[5].title()
        'Segmentation (value chain)'
    """
    raw = load_data("workbook.json")
    sections = tuple(
        Section(
            id=s["id"],
            sv=s["title"]["sv"],
            en=s["title"]["en"],
            line=s["line"],
            items=tuple(_item(i, s["id"]) for i in s["items"]),
            nb=s["title"]["nb"],
        )
        for s in raw["sections"]
    )
    cover = tuple(
        CoverField(id=c["id"], sv=c["sv"], en=c["en"], kind=c["type"], line=c["line"], nb=c["nb"])
        for c in raw["cover"]
    )
    title = raw["title"]
    return Workbook(title["sv"], title["en"], cover, sections, title_nb=title["nb"])
