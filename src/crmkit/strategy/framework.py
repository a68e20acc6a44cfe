"""The Payne–Frow strategic framework for CRM as typed, trilingual data.

Payne & Frow (2005) describe CRM strategy as five cross-functional processes, each with
elements and sub-elements. crmkit ships the framework as data (``data/framework.json``): every
process and element has a stable key, English, Swedish and Norwegian labels and a short
description. Elements form a tree; ``element(key)`` finds one anywhere in it.

Examples:
    >>> from crmkit.strategy.framework import Process, element, framework
    >>> [len(p.elements) for p in framework()]
    [2, 3, 2, 5, 2]
    >>> element("customer_segment_lifetime_value").process is Process.VALUE_CREATION
    True
    >>> Process.MULTICHANNEL_INTEGRATION.label.sv
    'Multikanalsintegrering'
"""

from __future__ import annotations

import enum
import functools
import json
from collections.abc import Iterator
from importlib import resources
from typing import Any

import attrs

from crmkit.domain import ChannelCategory
from crmkit.errors import NotFoundError, ValidationError

__all__ = [
    "LANGUAGES",
    "ContinuumPerspective",
    "Element",
    "Label",
    "Process",
    "ProcessInfo",
    "SegmentGranularity",
    "channel_category_element",
    "element",
    "elements",
    "framework",
    "load_data",
]

#: Languages every label is given in: English, Swedish, Norwegian (bokmål).
LANGUAGES: tuple[str, ...] = ("en", "sv", "no")


def load_data(name: str) -> Any:
    """Load one of crmkit.strategy's packaged JSON data files.

    Examples:
        >>> from crmkit.strategy.framework import load_data
        >>> len(load_data("framework.json")["processes"])
        5
    """
    text = resources.files("crmkit.strategy").joinpath("data", name).read_text("utf-8")
    return json.loads(text)


@attrs.frozen
class Label:
    """A text in English, Swedish and Norwegian.

    Examples:
        >>> from crmkit.strategy.framework import Label
        >>> Label("Customer strategy", "Kundstrategi", "Kundestrategi").get("no")
        'Kundestrategi'
    """

    en: str
    sv: str
    no: str

    def get(self, lang: str) -> str:
        """The text in ``lang`` (``"en"``, ``"sv"`` or ``"no"``).

        Examples:
            >>> from crmkit.strategy.framework import Label
            >>> Label("a", "b", "c").get("xx")
            Traceback (most recent call last):
            ...
            crmkit.errors.ValidationError: lang: 'xx' must be one of 'en', 'sv', 'no'
        """
        if lang not in LANGUAGES:
            raise ValidationError.single("lang", lang, "must be one of 'en', 'sv', 'no'")
        text: str = getattr(self, lang)
        return text

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> Label:
        """Build from ``{"en": ..., "sv": ..., "no": ...}``.

        Examples:
            >>> from crmkit.strategy.framework import Label
            >>> Label.from_dict({"en": "a", "sv": "b", "no": "c"}).sv
            'b'
        """
        return cls(data["en"], data["sv"], data["no"])


class Process(enum.Enum):
    """The five cross-functional CRM processes, in the framework's order.

    Examples:
        >>> from crmkit.strategy.framework import Process
        >>> [p.number for p in Process]
        [1, 2, 3, 4, 5]
        >>> Process.PERFORMANCE_ASSESSMENT.label.en
        'Performance assessment process'
    """

    STRATEGY_DEVELOPMENT = "strategy_development"
    VALUE_CREATION = "value_creation"
    MULTICHANNEL_INTEGRATION = "multichannel_integration"
    INFORMATION_MANAGEMENT = "information_management"
    PERFORMANCE_ASSESSMENT = "performance_assessment"

    @property
    def number(self) -> int:
        """Position 1–5 in the framework."""
        return list(Process).index(self) + 1

    @property
    def info(self) -> ProcessInfo:
        """The process's labels, description and elements."""
        return _framework()[self]

    @property
    def label(self) -> Label:
        """The process's name in three languages."""
        return self.info.label

    @property
    def short(self) -> str:
        """The abbreviation the references use (SD, VC, MCI, IM, PA).

        Examples:
            >>> from crmkit.strategy.framework import Process
            >>> Process.INFORMATION_MANAGEMENT.short
            'IM'
        """
        return _SHORT[self]

    @classmethod
    def parse(cls, value: str | Process) -> Process:
        """A process from its value, its abbreviation or its number as text.

        Examples:
            >>> from crmkit.strategy.framework import Process
            >>> Process.parse("VC") is Process.parse("value_creation") is Process.parse("2")
            True
        """
        if isinstance(value, Process):
            return value
        for p in cls:
            if value in (p.value, p.short, str(p.number)):
                return p
        raise ValidationError.single(
            "process", value, "is not a Payne–Frow process (use a name, SD/VC/MCI/IM/PA or 1–5)"
        )


_SHORT = {
    Process.STRATEGY_DEVELOPMENT: "SD",
    Process.VALUE_CREATION: "VC",
    Process.MULTICHANNEL_INTEGRATION: "MCI",
    Process.INFORMATION_MANAGEMENT: "IM",
    Process.PERFORMANCE_ASSESSMENT: "PA",
}


@attrs.frozen
class Element:
    """An element or sub-element of a process.

    Attributes:
        key: unique across the framework (``"segment_granularity"``).
        process: the process it belongs to.
        label: its name in three languages.
        description: one or two English sentences.
        children: its sub-elements.
        parent: the key of the element it belongs to, ``None`` for a top-level element.
        channel_category: for the six channel-category sub-elements, the domain category.

    Examples:
        >>> from crmkit.strategy.framework import element
        >>> e = element("customer_strategy")
        >>> [c.key for c in e.children]
        ['customer_choice', 'customer_characteristics', 'segment_granularity']
        >>> e.is_leaf, element("segment_granularity").parent
        (False, 'customer_strategy')
    """

    key: str
    process: Process
    label: Label
    description: str
    children: tuple[Element, ...] = ()
    parent: str | None = None
    channel_category: ChannelCategory | None = None

    @property
    def is_leaf(self) -> bool:
        """Whether the element has no sub-elements."""
        return not self.children

    def walk(self) -> Iterator[Element]:
        """This element and all its descendants, depth first.

        Examples:
            >>> from crmkit.strategy.framework import element
            >>> len(list(element("channel_categories").walk()))
            7
        """
        yield self
        for child in self.children:
            yield from child.walk()

    def leaves(self) -> list[Element]:
        """The leaf elements under (or equal to) this element.

        Examples:
            >>> from crmkit.strategy.framework import element
            >>> [e.key for e in element("data_repository").leaves()]
            ['data_repository']
        """
        return [e for e in self.walk() if e.is_leaf]


@attrs.frozen
class ProcessInfo:
    """A process with its labels, description and top-level elements.

    Examples:
        >>> from crmkit.strategy.framework import Process
        >>> Process.STRATEGY_DEVELOPMENT.info.elements[0].key
        'business_strategy'
    """

    process: Process
    label: Label
    description: str
    elements: tuple[Element, ...]

    def walk(self) -> Iterator[Element]:
        """Every element of the process, depth first.

        Examples:
            >>> from crmkit.strategy.framework import Process
            >>> len(list(Process.PERFORMANCE_ASSESSMENT.info.walk()))
            9
        """
        for e in self.elements:
            yield from e.walk()

    def leaves(self) -> list[Element]:
        """The leaf elements of the process.

        Examples:
            >>> from crmkit.strategy.framework import Process
            >>> len(Process.INFORMATION_MANAGEMENT.info.leaves())
            5
        """
        return [e for e in self.walk() if e.is_leaf]


class ContinuumPerspective(enum.Enum):
    """The CRM continuum: three ways organisations define CRM (Payne & Frow 2005).

    Payne & Frow recommend the strategic, holistic perspective.

    Examples:
        >>> from crmkit.strategy.framework import ContinuumPerspective
        >>> ContinuumPerspective.recommended() is ContinuumPerspective.STRATEGIC_HOLISTIC
        True
        >>> ContinuumPerspective.NARROW_TACTICAL.label.sv
        'Snävt och taktiskt: en viss tekniklösning'
    """

    NARROW_TACTICAL = "narrow_tactical"
    WIDE_RANGING = "wide_ranging"
    STRATEGIC_HOLISTIC = "strategic_holistic"

    @property
    def label(self) -> Label:
        """The perspective in three languages."""
        return _CONTINUUM[self]

    @classmethod
    def recommended(cls) -> ContinuumPerspective:
        """The perspective Payne & Frow recommend (seed 000 L1336–L1340)."""
        return cls.STRATEGIC_HOLISTIC


_CONTINUUM = {
    ContinuumPerspective.NARROW_TACTICAL: Label(
        "Narrow and tactical: a particular technology solution",
        "Snävt och taktiskt: en viss tekniklösning",
        "Smalt og taktisk: en bestemt teknologiløsning",
    ),
    ContinuumPerspective.WIDE_RANGING: Label(
        "Wide-ranging: customer-oriented IT and Internet solutions",
        "Brett: kundorienterade IT- och internetlösningar",
        "Bredt: kundeorienterte IT- og internettløsninger",
    ),
    ContinuumPerspective.STRATEGIC_HOLISTIC: Label(
        "Strategic and holistic: selective management of customer relationships to create "
        "shareholder value",
        "Strategiskt och holistiskt: selektiv hantering av kundrelationer för att skapa "
        "aktieägarvärde",
        "Strategisk og helhetlig: selektiv håndtering av kunderelasjoner for å skape aksjonærverdi",
    ),
}


class SegmentGranularity(enum.Enum):
    """How finely the customer strategy segments the base: macro, micro or one-to-one.

    Examples:
        >>> from crmkit.strategy.framework import SegmentGranularity
        >>> [g.label.sv for g in SegmentGranularity]
        ['Makrosegmentering', 'Mikrosegmentering', 'En-till-en-segmentering']
    """

    MACRO = "macro"
    MICRO = "micro"
    ONE_TO_ONE = "one_to_one"

    @property
    def label(self) -> Label:
        """The granularity in three languages."""
        return _GRANULARITY[self]


_GRANULARITY = {
    SegmentGranularity.MACRO: Label("Macro segmentation", "Makrosegmentering", "Makrosegmentering"),
    SegmentGranularity.MICRO: Label("Micro segmentation", "Mikrosegmentering", "Mikrosegmentering"),
    SegmentGranularity.ONE_TO_ONE: Label(
        "One-to-one segmentation", "En-till-en-segmentering", "En-til-en-segmentering"
    ),
}


def _build_element(raw: dict[str, Any], process: Process, parent: str | None) -> Element:
    category = raw.get("channel_category")
    children = tuple(_build_element(c, process, raw["key"]) for c in raw.get("children", ()))
    return Element(
        key=raw["key"],
        process=process,
        label=Label.from_dict(raw["label"]),
        description=raw["description"],
        children=children,
        parent=parent,
        channel_category=ChannelCategory(category) if category else None,
    )


@functools.cache
def _framework() -> dict[Process, ProcessInfo]:
    raw = load_data("framework.json")
    result: dict[Process, ProcessInfo] = {}
    for p in raw["processes"]:
        process = Process(p["key"])
        result[process] = ProcessInfo(
            process=process,
            label=Label.from_dict(p["label"]),
            description=p["description"],
            elements=tuple(_build_element(e, process, None) for e in p["elements"]),
        )
    return result


@functools.cache
def _index() -> dict[str, Element]:
    index: dict[str, Element] = {}
    for info in _framework().values():
        for e in info.walk():
            index[e.key] = e
    return index


def framework() -> list[ProcessInfo]:
    """The five processes in order, each with its element tree.

    Examples:
        >>> from crmkit.strategy.framework import framework
        >>> [len(p.leaves()) for p in framework()]
        [5, 5, 7, 5, 7]
    """
    return [_framework()[p] for p in Process]


def elements(process: Process | str | None = None) -> list[Element]:
    """Every element (depth first), optionally of one process only.

    Examples:
        >>> from crmkit.strategy.framework import elements
        >>> len(elements()), len(elements("MCI"))
        (36, 8)
    """
    if process is None:
        return list(_index().values())
    return list(Process.parse(process).info.walk())


def element(key: str) -> Element:
    """The element with ``key``.

    Examples:
        >>> from crmkit.strategy.framework import element
        >>> element("metrics_and_kpis").label.en
        'Metrics and KPIs'
        >>> element("nope")
        Traceback (most recent call last):
        ...
        crmkit.errors.NotFoundError: unknown Payne–Frow element 'nope'
    """
    try:
        return _index()[key]
    except KeyError:
        raise NotFoundError(f"unknown Payne–Frow element {key!r}") from None


def channel_category_element(category: ChannelCategory) -> Element:
    """The multichannel-integration sub-element of a domain channel category.

    Examples:
        >>> from crmkit.domain import ChannelCategory
        >>> from crmkit.strategy.framework import channel_category_element
        >>> channel_category_element(ChannelCategory.TELEPHONY).label.sv
        'Telefoni'
    """
    for e in _index().values():
        if e.channel_category is category:
            return e
    raise NotFoundError(f"no element for channel category {category!r}")  # pragma: no cover
