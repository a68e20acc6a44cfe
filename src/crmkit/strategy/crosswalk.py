"""Seed 000 §4.5's theory crosswalk: Alter's work-system elements, Elia et al.'s big-data value
dimensions and Zerbino et al.'s critical areas, mapped onto the five Payne–Frow processes.

Items the thesis does not map (WST "processes and activities" and "products and services",
Elia's transformational value, Zerbino's philosophical perspective) are kept and reported by
:func:`unmapped`.

Examples:
    >>> from crmkit.strategy.crosswalk import for_process, unmapped
    >>> [t.name for t in for_process("PA")]
    ['Environment', 'Transactional value', 'Project perspective']
    >>> [t.name for t in unmapped()]
    ['Processes and activities', 'Products and services', 'Transformational value', 'Philosophical perspective']
"""

from __future__ import annotations

import attrs

from crmkit.strategy.framework import Process

__all__ = ["CROSSWALK", "TheoryItem", "for_process", "theories", "unmapped"]


@attrs.frozen
class TheoryItem:
    """An item of a supporting theory and the processes it is mapped to.

    Examples:
        >>> from crmkit.strategy.crosswalk import CROSSWALK
        >>> CROSSWALK[0].theory, CROSSWALK[0].sv
        ('alter_wst', 'Processer och aktiviteter')
    """

    theory: str
    name: str
    sv: str
    processes: tuple[Process, ...]
    lines: str = ""


_SD, _VC, _MCI, _IM, _PA = tuple(Process)
CROSSWALK: tuple[TheoryItem, ...] = (
    TheoryItem("alter_wst", "Processes and activities", "Processer och aktiviteter", ()),
    TheoryItem("alter_wst", "Participants", "Deltagare", (_MCI,), "L1786-L1811"),
    TheoryItem("alter_wst", "Information", "Information", (_IM,), "L1815-L1851"),
    TheoryItem("alter_wst", "Technology", "Teknologi", (_IM,), "L1815-L1851"),
    TheoryItem("alter_wst", "Products and services", "Produkter och tjänster", ()),
    TheoryItem("alter_wst", "Customers", "Kunder", (_VC,), "L1762-L1782"),
    TheoryItem("alter_wst", "Environment", "Omgivning", (_PA,), "L1855-L1888"),
    TheoryItem("alter_wst", "Infrastructure", "Infrastruktur", (_MCI,), "L1786-L1811"),
    TheoryItem("alter_wst", "Strategies", "Strategier", (_SD,), "L1735-L1759"),
    TheoryItem("elia_value", "Informational value", "Informationsvärde", (_IM,), "L1815-L1851"),
    TheoryItem("elia_value", "Transactional value", "Transaktionsvärde", (_PA,), "L1855-L1888"),
    TheoryItem("elia_value", "Transformational value", "Transformationsvärde", ()),
    TheoryItem("elia_value", "Strategic value", "Strategiskt värde", (_SD, _VC), "L1735-L1782"),
    TheoryItem("elia_value", "Infrastructural value", "Infrastrukturellt värde", (_IM,),
               "L1815-L1851"),
    TheoryItem("zerbino_areas", "Strategic perspective", "Strategiskt perspektiv", (_SD,),
               "L1735-L1759"),
    TheoryItem("zerbino_areas", "Philosophical perspective", "Filosofiskt perspektiv", ()),
    TheoryItem("zerbino_areas", "Technological perspective", "Teknologiskt perspektiv",
               (_MCI, _IM), "L1786-L1851"),
    TheoryItem("zerbino_areas", "Capability perspective", "Kapacitetsperspektiv", (_IM,),
               "L1815-L1851"),
    TheoryItem("zerbino_areas", "Project perspective", "Projektperspektiv", (_PA,),
               "L1855-L1888"),
)  # fmt: skip


def theories() -> list[str]:
    """The three theories, in crosswalk order.

    Examples:
        >>> from crmkit.strategy.crosswalk import theories
        >>> theories()
        ['alter_wst', 'elia_value', 'zerbino_areas']
    """
    return list(dict.fromkeys(t.theory for t in CROSSWALK))


def for_process(process: Process | str) -> list[TheoryItem]:
    """Theory items mapped to ``process``."""
    p = Process.parse(process)
    return [t for t in CROSSWALK if p in t.processes]


def unmapped(theory: str | None = None) -> list[TheoryItem]:
    """Theory items mapped to no process, optionally of one theory only."""
    return [t for t in CROSSWALK if not t.processes and theory in (None, t.theory)]
